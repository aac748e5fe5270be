# llm-quant with a Hugging Face model directory as input: conversion as
# llama.cpp's convert_hf_to_gguf.py does it, then llama-quantize's rules.
# Blocks: command, stdin, ".", expected stdout; "%%FAIL N" blocks expect
# exit status N and compare stderr.  $W is a scratch directory.
#
# tests/data/hf/tiny-* are tiny random models (BF16 safetensors) written
# by tests/oracle/convert_check.py.  Each sha256 below is also the sha256
# of llama.cpp's output for the same directory: convert_hf_to_gguf.py
# --outtype f32|f16|bf16, and llama-quantize Q4_K_M of the F32 one (the
# files are identical byte for byte): see tests/oracle/convert_README.
# tiny-qwen2: Qwen2 (q/k/v biases, tied); tiny-qwen3-sharded: Qwen3 in
# three shards with model.safetensors.index.json, chat template and
# generation_config.json; tiny-llama3: Llama with llama3 RoPE scaling
# (rope_freqs, Q/K permutation); tiny-mistral: MistralForCausalLM (GGUF
# llama, head_dim != hidden/heads, untied output).

cd $W && for m in tiny-qwen2 tiny-qwen3-sharded tiny-llama3 tiny-mistral; do for t in F32 F16 BF16 Q4_K_M; do llm-quant -q "$OLDPWD"/tests/data/hf/$m o.gguf $t > /dev/null && echo "$m $t $(sha256sum < o.gguf | cut -d' ' -f1)"; done; done
.
tiny-qwen2 F32 e10b18395822dd5cc63c5bf89b889dac9222f51aef0336f61681ab0b8a5e6e44
tiny-qwen2 F16 6d460079f8db7f3ee9963f6c303b7b1443ce6b2e8f60288b6c3fc9595afe2bea
tiny-qwen2 BF16 7adee2d384b8b5781ffe490da3a007b174cc096440bd3bad81fa27c66c8c2ac8
tiny-qwen2 Q4_K_M d02fa0d5381e35e4e44a27d98098fbd2cfe8f7932584cacd884502275502d063
tiny-qwen3-sharded F32 e60b28addb393bfc8778abed598fda24da49fcbd405c08ac2f41cafe24e7ec5c
tiny-qwen3-sharded F16 4400459ee11d09f336e277102bb594204d151bd1c47a4f6868ae9636698b849d
tiny-qwen3-sharded BF16 f645190132ee8927453326e5c6d5b87b254ab1dd1fbb92865d9ac387e8e5fcb0
tiny-qwen3-sharded Q4_K_M 0998df01966ccaa2fa6a37beec4face36ac485748db0d5e3fc7203abca58e401
tiny-llama3 F32 1d0e573dea9d0ae960e69e29b30405c9a76094c0c59e24b7f66600ae45111ec4
tiny-llama3 F16 26938d980d6d4cdb07d30591c457f1fc4e4d25904f683357db22dfb5159ba220
tiny-llama3 BF16 4e42666e1bae102de63ceb545a022f3b8f3e9aa7223ce5f10a27a7ecc98afe16
tiny-llama3 Q4_K_M 36c0334821f9ceb72f0a678171574ba0d3f4dc38c87ae13d762f1d65fffd9acd
tiny-mistral F32 bb052830d93a819f8423517f3337a1b1e7fb1b6723d61254559000bbcfc721a2
tiny-mistral F16 03191fb57b9aa19e1fa2f226b3d81d2537d9c19b5713f47a4be260f510e75f6b
tiny-mistral BF16 00e494efe77c938e8ef58c24133d26fc747189450348f8272f0b8e96af62b394
tiny-mistral Q4_K_M d52ed482576d2c31f6857ad0eb2988549434cfe6d8e8ba0bf0dfa94d27557b9c

llm-quant tests/data/hf/tiny-mistral $W/o.gguf f16 | sed "s|$W|W|"
.
{"kind":"summary","input":"tests/data/hf/tiny-mistral","output":"W/o.gguf","type":"F16","file_type":1,"n_tensors":21,"n_converted":21,"n_fallback":0,"params":257856,"bytes_from":515712,"bytes":516352,"bpw":16.0199,"file_bytes":560064}

mkdir -p $W/tmpdir && TMPDIR=$W/tmpdir llm-quant -n tests/data/hf/tiny-llama3 q4_k_m | head -3 && ls $W/tmpdir | wc -l
.
{"kind":"tensor","tensor":"output_norm.weight","shape":[64],"from":"f32","to":"f32","bytes":256}
{"kind":"tensor","tensor":"rope_freqs.weight","shape":[8],"from":"f32","to":"f32","bytes":32}
{"kind":"tensor","tensor":"token_embd.weight","shape":[64,1500],"from":"bf16","to":"q8_0","bytes":102000}
0

rm -rf $W/p && mkdir $W/p && cp -r tests/data/hf/tiny-qwen2 $W/p/ && sed -i 's/"individual_digits": true/"individual_digits": false/' $W/p/tiny-qwen2/tokenizer.json && cd $W && llm-quant -q --pre-tokenizer smollm p/tiny-qwen2 o.gguf F32 > /dev/null && sha256sum < o.gguf | cut -d' ' -f1
.
e10b18395822dd5cc63c5bf89b889dac9222f51aef0336f61681ab0b8a5e6e44

%%FAIL 1
cd $W && rm -rf p && mkdir p && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen2 p/ && sed -i 's/"individual_digits": true/"individual_digits": false/' p/tiny-qwen2/tokenizer.json && llm-quant p/tiny-qwen2 o.gguf q8_0
.
llm-quant: p/tiny-qwen2/tokenizer.json: pre_tokenizer: not one llm-quant can name (gpt-2, smollm, llama-bpe, qwen2); give --pre-tokenizer NAME (llama.cpp's tokenizer.ggml.pre)

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen2 m && rm m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/config.json: No such file or directory

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen2 m && sed -i 's/Qwen2ForCausalLM/GPT2LMHeadModel/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/config.json: architectures: 'GPT2LMHeadModel' is not supported (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen3-sharded m && rm m/model-00003-of-00003.safetensors && llm-quant m o.gguf q8_0
.
llm-quant: m/model.safetensors.index.json: weight_map: model-00003-of-00003.safetensors (tensor 'model.layers.1.input_layernorm.weight'): No such file or directory

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen2 m && sed -i 's/"intermediate_size": 128/"intermediate_size": 96/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/model.safetensors: tensor 'model.layers.0.mlp.down_proj.weight': shape [64, 128], but config.json says [64, 96]

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen2 m && rm m/tokenizer.json && llm-quant m o.gguf q8_0
.
llm-quant: m/tokenizer.json: No such file or directory

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-llama3 m && sed -i 's/"num_hidden_layers": 2/"num_hidden_layers": 3/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m: tensor 'model.layers.2.input_layernorm.weight' missing

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen2 m && sed -i 's/"num_attention_heads": 4/"num_attention_heads": "4"/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/config.json: num_attention_heads: expected an integer in [1, 4096]

%%FAIL 1
cd $W && rm -rf m && mkdir m && printf '{"architectures":["Qwen2ForCausalLM"],"num_hidden_layers":1,"hidden_size":8,"intermediate_size":8,"num_attention_heads":2,"vocab_size":4}' > m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/model.safetensors: no such file (and no model.safetensors.index.json)

%%FAIL 2
llm-quant --pre-tokenizer smollm tests/golden/hf/tiny-qwen2.f32.gguf $W/o.gguf q8_0
.
llm-quant: --pre-tokenizer: tests/golden/hf/tiny-qwen2.f32.gguf is not a Hugging Face model directory

%%FAIL 2
llm-quant --pre-tokenizer 'Smol LM' tests/data/hf/tiny-qwen2 $W/o.gguf q8_0
.
llm-quant: --pre-tokenizer: 'Smol LM': expected a llama.cpp pre-tokenizer name ([a-z0-9._-])
