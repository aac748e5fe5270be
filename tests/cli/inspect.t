# llm-inspect: JSONL dump, summary, fit, check, errors.
# Blocks: command, stdin, ".", expected stdout; "%%FAIL N" blocks expect
# exit status N and compare stderr.  $TINY is written by mkmodel, $W is
# a scratch directory, $MODELS_DIR holds the real test models.

cd $W && llm-inspect --diffable tiny.gguf
.
{"kind":"file","path":"tiny.gguf","format":"gguf","version":3,"n_kv":19,"n_tensors":21,"alignment":64}
{"kind":"kv","key":"general.architecture","type":"string","value":"llama"}
{"kind":"kv","key":"general.name","type":"string","value":"tiny llama"}
{"kind":"kv","key":"general.alignment","type":"uint32","value":64}
{"kind":"kv","key":"llama.block_count","type":"uint32","value":2}
{"kind":"kv","key":"llama.context_length","type":"uint32","value":256}
{"kind":"kv","key":"llama.embedding_length","type":"uint32","value":256}
{"kind":"kv","key":"llama.feed_forward_length","type":"uint32","value":512}
{"kind":"kv","key":"llama.attention.head_count","type":"uint32","value":4}
{"kind":"kv","key":"llama.attention.head_count_kv","type":"uint32","value":2}
{"kind":"kv","key":"llama.rope.freq_base","type":"float32","value":10000}
{"kind":"kv","key":"llama.attention.layer_norm_rms_epsilon","type":"float32","value":9.99999975e-06}
{"kind":"kv","key":"tokenizer.ggml.model","type":"string","value":"gpt2"}
{"kind":"kv","key":"tokenizer.ggml.pre","type":"string","value":"smollm"}
{"kind":"kv","key":"tokenizer.ggml.tokens","type":"array","elem_type":"string","n":64,"value":["<|e|>","<|s|>","<|n|>","A","B","C","D","E","F","G","H","I","J","K","L","M"],"truncated":true}
{"kind":"kv","key":"tokenizer.ggml.token_type","type":"array","elem_type":"int32","n":64,"value":[3,3,3,1,1,1,1,1,1,1,1,1,1,1,1,1],"truncated":true}
{"kind":"kv","key":"tokenizer.ggml.bos_token_id","type":"uint32","value":1}
{"kind":"kv","key":"tokenizer.ggml.eos_token_id","type":"uint32","value":2}
{"kind":"kv","key":"tokenizer.ggml.add_bos_token","type":"bool","value":false}
{"kind":"kv","key":"tokenizer.chat_template","type":"string","value":"{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"}
{"kind":"tensor","name":"token_embd.weight","dtype":"q8_0","ne":[256,64]}
{"kind":"tensor","name":"blk.0.attn_norm.weight","dtype":"f32","ne":[256]}
{"kind":"tensor","name":"blk.0.attn_q.weight","dtype":"q4_k","ne":[256,256]}
{"kind":"tensor","name":"blk.0.attn_k.weight","dtype":"q4_0","ne":[256,128]}
{"kind":"tensor","name":"blk.0.attn_v.weight","dtype":"q6_k","ne":[256,128]}
{"kind":"tensor","name":"blk.0.attn_output.weight","dtype":"q5_0","ne":[256,256]}
{"kind":"tensor","name":"blk.0.ffn_norm.weight","dtype":"f32","ne":[256]}
{"kind":"tensor","name":"blk.0.ffn_gate.weight","dtype":"q4_1","ne":[256,512]}
{"kind":"tensor","name":"blk.0.ffn_up.weight","dtype":"q5_1","ne":[256,512]}
{"kind":"tensor","name":"blk.0.ffn_down.weight","dtype":"f16","ne":[512,256]}
{"kind":"tensor","name":"blk.1.attn_norm.weight","dtype":"f32","ne":[256]}
{"kind":"tensor","name":"blk.1.attn_q.weight","dtype":"q4_k","ne":[256,256]}
{"kind":"tensor","name":"blk.1.attn_k.weight","dtype":"q4_0","ne":[256,128]}
{"kind":"tensor","name":"blk.1.attn_v.weight","dtype":"q6_k","ne":[256,128]}
{"kind":"tensor","name":"blk.1.attn_output.weight","dtype":"q5_0","ne":[256,256]}
{"kind":"tensor","name":"blk.1.ffn_norm.weight","dtype":"f32","ne":[256]}
{"kind":"tensor","name":"blk.1.ffn_gate.weight","dtype":"q4_1","ne":[256,512]}
{"kind":"tensor","name":"blk.1.ffn_up.weight","dtype":"q5_1","ne":[256,512]}
{"kind":"tensor","name":"blk.1.ffn_down.weight","dtype":"f16","ne":[512,256]}
{"kind":"tensor","name":"output_norm.weight","dtype":"f32","ne":[256]}
{"kind":"tensor","name":"output.weight","dtype":"bf16","ne":[256,64]}

cd $W && llm-inspect tiny.gguf | grep '"kind":"file"\|attn_q'
.
{"kind":"file","path":"tiny.gguf","format":"gguf","version":3,"n_kv":19,"n_tensors":21,"alignment":64,"data_offset":3136,"bytes":1197632}
{"kind":"tensor","name":"blk.0.attn_q.weight","dtype":"q4_k","ne":[256,256],"offset":21568,"bytes":36864}
{"kind":"tensor","name":"blk.1.attn_q.weight","dtype":"q4_k","ne":[256,256],"offset":593216,"bytes":36864}

cd $W && llm-inspect -v tiny.gguf | grep tokenizer.ggml.tokens
.
{"kind":"kv","key":"tokenizer.ggml.tokens","type":"array","elem_type":"string","n":64,"value":["<|e|>","<|s|>","<|n|>","A","B","C","D","E","F","G","H","I","J","K","L","M","N","O","P","Q","R","S","T","U","V","W","X","Y","Z","[","\\","]","^","_","`","a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s","t","u","v","w","x","y","z","A","B","C"]}

cd $W && llm-inspect --summary --json tiny.gguf
.
{"kind":"summary","path":"tiny.gguf","format":"gguf","version":3,"name":"tiny llama","bytes":1197632,"n_tensors":21,"n_params":1213696,"bits_per_weight":7.873,"types":[{"dtype":"f16","n_tensors":2,"n_elements":262144,"bytes":524288},{"dtype":"q5_1","n_tensors":2,"n_elements":262144,"bytes":196608},{"dtype":"q4_1","n_tensors":2,"n_elements":262144,"bytes":163840},{"dtype":"q5_0","n_tensors":2,"n_elements":131072,"bytes":90112},{"dtype":"q4_k","n_tensors":2,"n_elements":131072,"bytes":73728},{"dtype":"q6_k","n_tensors":2,"n_elements":65536,"bytes":53760},{"dtype":"q4_0","n_tensors":2,"n_elements":65536,"bytes":36864},{"dtype":"bf16","n_tensors":1,"n_elements":16384,"bytes":32768},{"dtype":"q8_0","n_tensors":1,"n_elements":16384,"bytes":17408},{"dtype":"f32","n_tensors":5,"n_elements":1280,"bytes":5120}],"arch":"llama","causal":true,"runs_with":"llm-run","n_layer":2,"n_embd":256,"n_ff":512,"n_head":4,"n_head_kv":2,"head_dim":64,"n_vocab":64,"ctx_train":256,"rope_base":10000,"tokenizer":{"model":"gpt2","pre":"smollm","n_tokens":64,"bos":1,"eos":2},"chat_template":"chatml"}

cd $W && llm-inspect --summary tiny.gguf --fit --mem 1G
.
tiny.gguf
  format         gguf v3, 1.1 MiB, 21 tensors
  name           tiny llama
  architecture   llama (decoder, 2 layers): runs with llm-run
  parameters     1.2 M
  weights        f16 x2 (21.6%), q5_1 x2 (21.6%), q4_1 x2 (21.6%), q5_0 x2 (10.8%), q4_k x2 (10.8%), q6_k x2 (5.4%), q4_0 x2 (5.4%), bf16 x1 (1.3%), q8_0 x1 (1.3%), f32 x5 (0.1%); 7.87 bits per weight
  shape          embd 256, ffn 512, heads 4 (kv 2), head dim 64, vocab 64
  context        256 trained, rope base 10000
  tokenizer      gpt2 / smollm, 64 tokens, bos 1, eos 2
  chat template  chatml (196 bytes)
  fit            ctx 256, f16 KV: weights 1.1 MiB + KV 256.0 KiB + scratch 4.1 MiB = 5.5 MiB of 1.0 GiB given: fits (largest context that fits: 256)

cd $W && llm-inspect --fit --mem 8G tiny.gguf
.
{"kind":"fit","path":"tiny.gguf","arch":"llama","ctx":256,"ctx_train":256,"ctx_within_train":true,"batch":256,"kv_type":"f16","weights_bytes":1194496,"kv_bytes":262144,"scratch_bytes":4333824,"total_bytes":5790464,"mem_bytes":8589934592,"mem_source":"option","fits":true,"max_ctx":256}

cd $W && llm-inspect -f -M 5M tiny.gguf
.
{"kind":"fit","path":"tiny.gguf","arch":"llama","ctx":256,"ctx_train":256,"ctx_within_train":true,"batch":256,"kv_type":"f16","weights_bytes":1194496,"kv_bytes":262144,"scratch_bytes":4333824,"total_bytes":5790464,"mem_bytes":5242880,"mem_source":"option","fits":false,"max_ctx":230}

cd $W && llm-inspect -f -c 1024 -b 64 -k q8_0 -M 1.5G tiny.gguf
.
{"kind":"fit","path":"tiny.gguf","arch":"llama","ctx":1024,"ctx_train":256,"ctx_within_train":false,"batch":64,"kv_type":"q8_0","weights_bytes":1194496,"kv_bytes":557056,"scratch_bytes":1870080,"total_bytes":3621632,"mem_bytes":1610612736,"mem_source":"option","fits":true,"max_ctx":256}

cd $W && llm-inspect --fit --ctx 100 --kv-type f32 --mem 2097152 tiny.gguf
.
{"kind":"fit","path":"tiny.gguf","arch":"llama","ctx":100,"ctx_train":256,"ctx_within_train":true,"batch":100,"kv_type":"f32","weights_bytes":1194496,"kv_bytes":204800,"scratch_bytes":1443456,"total_bytes":2842752,"mem_bytes":2097152,"mem_source":"option","fits":false,"max_ctx":57}

cd $W && llm-inspect --check tiny.gguf
.
{"kind":"check","path":"tiny.gguf","bytes":1197632,"sha256":"d53ae3ebbedacd3f0ec361ea1416aeeae6ae9e6a7bab0cb50e101b4f62652ae2","tensors":21,"dequantized":21,"values":1213696,"nonfinite":0,"valid":true}

cd $MODELS_DIR && llm-inspect -Sj SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf all-MiniLM-L6-v2
.
{"kind":"summary","path":"SmolLM2-135M-Instruct.Q4_1.gguf","format":"gguf","version":3,"name":"Smollm2 135M 8k Lc100K Mix1 Ep2","bytes":98362432,"n_tensors":272,"n_params":134515008,"bits_per_weight":5.744,"types":[{"dtype":"q4_1","n_tensors":210,"n_elements":106168320,"bytes":66355200},{"dtype":"q8_0","n_tensors":1,"n_elements":28311552,"bytes":30081024},{"dtype":"f32","n_tensors":61,"n_elements":35136,"bytes":140544}],"arch":"llama","causal":true,"runs_with":"llm-run","n_layer":30,"n_embd":576,"n_ff":1536,"n_head":9,"n_head_kv":3,"head_dim":64,"n_vocab":49152,"ctx_train":8192,"rope_base":100000,"tokenizer":{"model":"gpt2","pre":"smollm","n_tokens":49152,"bos":1,"eos":2},"chat_template":"chatml"}
{"kind":"summary","path":"gemma-3-270m-q4_k_m.gguf","format":"gguf","version":3,"name":"Gemma 3 270m","bytes":253113024,"n_tensors":236,"n_params":268098176,"bits_per_weight":7.358,"types":[{"dtype":"q8_0","n_tensors":10,"n_elements":169246720,"bytes":179824640},{"dtype":"q5_0","n_tensors":81,"n_elements":63406080,"bytes":43591680},{"dtype":"q4_k","n_tensors":27,"n_elements":23592960,"bytes":13271040},{"dtype":"q6_k","n_tensors":9,"n_elements":11796480,"bytes":9676800},{"dtype":"f32","n_tensors":109,"n_elements":55936,"bytes":223744}],"arch":"gemma3","causal":true,"runs_with":"llm-run","n_layer":18,"n_embd":640,"n_ff":2048,"n_head":4,"n_head_kv":1,"head_dim":256,"n_vocab":262144,"ctx_train":32768,"rope_base":1000000,"sliding_window":512,"tokenizer":{"model":"llama","pre":"default","n_tokens":262144,"bos":2,"eos":1},"chat_template":"none"}
{"kind":"summary","path":"all-MiniLM-L6-v2","format":"safetensors","bytes":90868376,"n_tensors":104,"n_params":22713216,"bits_per_weight":32.000,"types":[{"dtype":"f32","n_tensors":103,"n_elements":22713216,"bytes":90852864},{"dtype":"i64","n_tensors":1,"n_elements":512,"bytes":4096}],"arch":"bert","causal":false,"runs_with":"llm-embed","n_layer":6,"n_embd":384,"n_ff":1536,"n_head":12,"n_head_kv":12,"head_dim":32,"n_vocab":30522,"ctx_train":512,"tokenizer":{"model":"WordPiece","n_tokens":30522},"chat_template":"none"}

cd $MODELS_DIR && llm-inspect -f -M 8G SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf all-MiniLM-L6-v2
.
{"kind":"fit","path":"SmolLM2-135M-Instruct.Q4_1.gguf","arch":"llama","ctx":8192,"ctx_train":8192,"ctx_within_train":true,"batch":512,"kv_type":"f16","weights_bytes":96576768,"kv_bytes":188743680,"scratch_bytes":168148992,"total_bytes":453469440,"mem_bytes":8589934592,"mem_source":"option","fits":true,"max_ctx":8192}
{"kind":"fit","path":"gemma-3-270m-q4_k_m.gguf","arch":"gemma3","ctx":32768,"ctx_train":32768,"ctx_within_train":true,"batch":512,"kv_type":"f16","weights_bytes":246587904,"kv_bytes":116391936,"scratch_bytes":292356096,"total_bytes":655335936,"mem_bytes":8589934592,"mem_source":"option","fits":true,"max_ctx":32768}
{"kind":"fit","path":"all-MiniLM-L6-v2","arch":"bert","ctx":512,"ctx_train":512,"ctx_within_train":true,"batch":512,"kv_type":"f16","weights_bytes":90856960,"kv_bytes":0,"scratch_bytes":28482792,"total_bytes":119339752,"mem_bytes":8589934592,"mem_source":"option","fits":true,"max_ctx":512}

cd $MODELS_DIR && llm-inspect -f -M 8G -c 2048 -k q8_0 SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf
.
{"kind":"fit","path":"SmolLM2-135M-Instruct.Q4_1.gguf","arch":"llama","ctx":2048,"ctx_train":8192,"ctx_within_train":true,"batch":512,"kv_type":"q8_0","weights_bytes":96576768,"kv_bytes":25067520,"scratch_bytes":54902784,"total_bytes":176547072,"mem_bytes":8589934592,"mem_source":"option","fits":true,"max_ctx":8192}
{"kind":"fit","path":"gemma-3-270m-q4_k_m.gguf","arch":"gemma3","ctx":2048,"ctx_train":32768,"ctx_within_train":true,"batch":512,"kv_type":"q8_0","weights_bytes":246587904,"kv_bytes":11698176,"scratch_bytes":40697856,"total_bytes":298983936,"mem_bytes":8589934592,"mem_source":"option","fits":true,"max_ctx":32768}

cd $MODELS_DIR && llm-inspect --fit --mem 300M SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf
.
{"kind":"fit","path":"SmolLM2-135M-Instruct.Q4_1.gguf","arch":"llama","ctx":8192,"ctx_train":8192,"ctx_within_train":true,"batch":512,"kv_type":"f16","weights_bytes":96576768,"kv_bytes":188743680,"scratch_bytes":168148992,"total_bytes":453469440,"mem_bytes":314572800,"mem_source":"option","fits":false,"max_ctx":4842}
{"kind":"fit","path":"gemma-3-270m-q4_k_m.gguf","arch":"gemma3","ctx":32768,"ctx_train":32768,"ctx_within_train":true,"batch":512,"kv_type":"f16","weights_bytes":246587904,"kv_bytes":116391936,"scratch_bytes":292356096,"total_bytes":655335936,"mem_bytes":314572800,"mem_source":"option","fits":false,"max_ctx":2515}

cd $MODELS_DIR && llm-inspect --check SmolLM2-135M-Instruct.Q4_1.gguf gemma-3-270m-q4_k_m.gguf all-MiniLM-L6-v2
.
{"kind":"check","path":"SmolLM2-135M-Instruct.Q4_1.gguf","bytes":98362432,"sha256":"b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53","tensors":272,"dequantized":272,"values":134515008,"nonfinite":0,"valid":true}
{"kind":"check","path":"gemma-3-270m-q4_k_m.gguf","bytes":253113024,"sha256":"a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818","tensors":236,"dequantized":236,"values":268098176,"nonfinite":0,"valid":true}
{"kind":"check","path":"all-MiniLM-L6-v2/model.safetensors","bytes":90868376,"sha256":"53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db","tensors":104,"dequantized":103,"values":22713216,"nonfinite":0,"valid":true}

cd $MODELS_DIR && llm-inspect --diffable all-MiniLM-L6-v2 | head -n 4
.
{"kind":"file","path":"all-MiniLM-L6-v2/model.safetensors","format":"safetensors","n_kv":1,"n_tensors":104}
{"kind":"kv","key":"format","type":"string","value":"pt"}
{"kind":"tensor","name":"embeddings.position_ids","dtype":"i64","ne":[512,1]}
{"kind":"tensor","name":"embeddings.LayerNorm.bias","dtype":"f32","ne":[384]}

cd $MODELS_DIR && llm-inspect SmolLM2-135M-Instruct.Q4_1.gguf | md5sum
.
ebf369821089edd351e1d09ee07b97d6  -

cd $W && llm-inspect -D tiny.gguf nosuch.gguf tiny.gguf 2>&1 >/dev/null; echo "exit $?"
.
llm-inspect: nosuch.gguf: No such file or directory
exit 1

cd $W && llm-inspect -Sj tiny.gguf nosuch.gguf tiny.gguf 2>/dev/null | wc -l
.
2

%%FAIL 1
cd $W && llm-inspect nosuch.gguf
.
llm-inspect: nosuch.gguf: No such file or directory

%%FAIL 1
cd $W && mkdir -p empty && llm-inspect empty
.
llm-inspect: empty: no .safetensors files in this directory (name .gguf files one by one)

%%FAIL 1
cd $W && : > zero.gguf && llm-inspect zero.gguf
.
llm-inspect: zero.gguf: empty file

%%FAIL 1
cd $W && llm-inspect tiny.gguf > /dev/full
.
llm-inspect: write <stdout>: No space left on device

%%FAIL 1
cd $W && printf '\020\000\000\000\000\000\000\000{"a":1, "b":2}' > h1.safetensors && llm-inspect h1.safetensors
.
llm-inspect: h1.safetensors: header length 16 exceeds the 14 bytes left

%%FAIL 1
cd $W && printf '\377\377\377\377\377\377\377\177{}' > h2.safetensors && llm-inspect h2.safetensors
.
llm-inspect: h2.safetensors: header length 9223372036854775807 exceeds the 2 bytes left

%%FAIL 1
cd $W && printf '\007\000\000\000\000\000\000\000{"a":{}' > h3.safetensors && llm-inspect h3.safetensors
.
llm-inspect: h3.safetensors: header is not a JSON object

%%FAIL 1
cd $W && printf '\076\000\000\000\000\000\000\000{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}        ' > h4.safetensors && llm-inspect h4.safetensors
.
llm-inspect: h4.safetensors: tensor 'a': data_offsets end 8 past the 0-byte buffer (file truncated?)

%%FAIL 1
cd $W && printf '\076\000\000\000\000\000\000\000{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}        ' > h5.safetensors && llm-inspect h5.safetensors
.
llm-inspect: h5.safetensors: tensor 'a': 8 bytes at data_offsets, shape and dtype need 12

%%FAIL 1
cd $W && printf '\076\000\000\000\000\000\000\000{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}garbage!01234567' > h11.safetensors && llm-inspect h11.safetensors
.
llm-inspect: h11.safetensors: header has bytes after its JSON object (offset 62)

%%FAIL 1
cd $W && printf '\076\000\000\000\000\000\000\000{"a":{"dtype":"Q99","shape":[2],"data_offsets":[0,8]}}        ' > h6.safetensors && llm-inspect h6.safetensors
.
llm-inspect: h6.safetensors: tensor 'a': unknown dtype 'Q99'

%%FAIL 1
cd $W && printf '\154\000\000\000\000\000\000\000{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}' > h7.safetensors && printf '0123456789ab' >> h7.safetensors && llm-inspect h7.safetensors
.
llm-inspect: h7.safetensors: tensor 'b': data at offset 120 overlaps tensor 'a'

%%FAIL 1
cd $W && printf '\067\000\000\000\000\000\000\000{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}0123456789ab' > h8.safetensors && llm-inspect h8.safetensors
.
llm-inspect: h8.safetensors: tensor 'a': 4 unused bytes before its data at offset 67

%%FAIL 1
cd $W && printf '\067\000\000\000\000\000\000\000{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}01234567' > h9.safetensors && llm-inspect h9.safetensors
.
llm-inspect: h9.safetensors: tensor 'a': shape[0] is not a non-negative integer

%%FAIL 1
cd $W && printf '\112\000\000\000\000\000\000\000{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}' > h10.safetensors && llm-inspect h10.safetensors
.
llm-inspect: h10.safetensors: tensor 'a': element count overflows

%%FAIL 2
llm-inspect
.
llm-inspect: no model given
usage: llm-inspect [-SfvDjq] [--check] [-c ctx] [-b batch] [-k f16|f32|q8_0] [-M size] model ...

%%FAIL 2
llm-inspect --kv-type q4_0 --fit x.gguf
.
llm-inspect: --kv-type: 'q4_0': expected f16, f32 or q8_0

%%FAIL 2
llm-inspect --mem 8X --fit x.gguf
.
llm-inspect: --mem: '8X': unknown unit (K, M, G, T, P)

%%FAIL 2
llm-inspect --ctx 0 --fit x.gguf
.
llm-inspect: --ctx: 0 is out of range [1, 16777216]

%%FAIL 2
llm-inspect --json x.gguf
.
llm-inspect: --json goes with --summary (other output is JSONL already)

%%FAIL 2
llm-inspect --bogus x.gguf
.
llm-inspect: unrecognized option '--bogus'
usage: llm-inspect [-SfvDjq] [--check] [-c ctx] [-b batch] [-k f16|f32|q8_0] [-M size] model ...

llm-inspect --help | head -n 1
.
usage: llm-inspect [-SfvDjq] [--check] [-c ctx] [-b batch] [-k f16|f32|q8_0] [-M size] model ...

llm-inspect --version | head -n 1
.
llm-inspect 0.1.0

cd $W && llm-inspect odd.gguf 2>&1
.
{"kind":"file","path":"odd.gguf","format":"gguf","version":3,"n_kv":4,"n_tensors":1,"alignment":32,"data_offset":256,"bytes":512}
{"kind":"kv","key":"general.architecture","type":"string","value":"llama"}
{"kind":"kv","key":"general.name","type":"string","value":"bad \ufffd\ufffd utf-8, \u001b[31mred\u001b[0m, \u009b csi"}
{"kind":"kv","key":"test.nan","type":"float32","value":null}
{"kind":"kv","key":"test.inf","type":"array","elem_type":"float32","n":2,"value":[null,null]}
{"kind":"tensor","name":"weights","dtype":"f32","ne":[64],"offset":256,"bytes":256}
llm-inspect: odd.gguf: 2 bytes of invalid UTF-8 in its strings, shown as U+FFFD
llm-inspect: odd.gguf: 3 NaN or infinite values in its metadata, shown as null

cd $W && llm-inspect -q odd.gguf 2>&1 | grep -c '"kind"'
.
6

cd $W && llm-inspect --summary odd.gguf 2>&1
.
odd.gguf
  format         gguf v3, 512 B, 1 tensors
  name           bad \xff\xfe utf-8, \x1b[31mred\x1b[0m, \xc2\x9b csi
  parameters     0.0 M
  weights        f32 x1 (100.0%); 32.00 bits per weight
  hparams        odd.gguf: key 'llama.block_count' missing
  chat template  none

%%FAIL 1
cd $W && llm-inspect --check odd.gguf
.
llm-inspect: odd.gguf: 2 NaN or infinite weights (first in tensor 'weights')

cd $W && llm-inspect --check odd.gguf 2>/dev/null; echo "exit $?"
.
{"kind":"check","path":"odd.gguf","bytes":512,"sha256":"5fcd49a1b3f7c14f10df8379df9419aa045f7491b493505f16b5b167ae94e3d6","tensors":1,"dequantized":1,"values":64,"nonfinite":2,"valid":false}
exit 1

%%FAIL 1
cd $W && printf '\077\000\000\000\000\000\000\000{"a\\u001b[2J":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}' > h12.safetensors && llm-inspect h12.safetensors
.
llm-inspect: h12.safetensors: tensor 0: name contains control characters

cd $W && llm-inspect --summary --json - < tiny.gguf
.
{"kind":"summary","path":"-","format":"gguf","version":3,"name":"tiny llama","bytes":1197632,"n_tensors":21,"n_params":1213696,"bits_per_weight":7.873,"types":[{"dtype":"f16","n_tensors":2,"n_elements":262144,"bytes":524288},{"dtype":"q5_1","n_tensors":2,"n_elements":262144,"bytes":196608},{"dtype":"q4_1","n_tensors":2,"n_elements":262144,"bytes":163840},{"dtype":"q5_0","n_tensors":2,"n_elements":131072,"bytes":90112},{"dtype":"q4_k","n_tensors":2,"n_elements":131072,"bytes":73728},{"dtype":"q6_k","n_tensors":2,"n_elements":65536,"bytes":53760},{"dtype":"q4_0","n_tensors":2,"n_elements":65536,"bytes":36864},{"dtype":"bf16","n_tensors":1,"n_elements":16384,"bytes":32768},{"dtype":"q8_0","n_tensors":1,"n_elements":16384,"bytes":17408},{"dtype":"f32","n_tensors":5,"n_elements":1280,"bytes":5120}],"arch":"llama","causal":true,"runs_with":"llm-run","n_layer":2,"n_embd":256,"n_ff":512,"n_head":4,"n_head_kv":2,"head_dim":64,"n_vocab":64,"ctx_train":256,"rope_base":10000,"tokenizer":{"model":"gpt2","pre":"smollm","n_tokens":64,"bos":1,"eos":2},"chat_template":"chatml"}

cd $W && cat tiny.gguf | llm-inspect --check -
.
{"kind":"check","path":"-","bytes":1197632,"sha256":"d53ae3ebbedacd3f0ec361ea1416aeeae6ae9e6a7bab0cb50e101b4f62652ae2","tensors":21,"dequantized":21,"values":1213696,"nonfinite":0,"valid":true}

%%FAIL 1
cd $W && head -c 3000 tiny.gguf | llm-inspect -
.
llm-inspect: <stdin>: tensor 19: name length 18 exceeds the 16 bytes left (offset 2976)

%%FAIL 1
llm-inspect - < /dev/null
.
llm-inspect: <stdin>: empty
