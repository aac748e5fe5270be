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
llm-quant: m/config.json: architectures: 'GPT2LMHeadModel' is not supported (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, Qwen3MoeForCausalLM, Gemma3ForCausalLM, Phi3ForCausalLM, GraniteForCausalLM, SmolLM3ForCausalLM, Olmo2ForCausalLM, Gemma4ForCausalLM, Gemma4ForConditionalGeneration, BertModel)

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

# all-MiniLM-L6-v2 (BertModel, F32 safetensors, WordPiece vocabulary,
# mean pooling from modules.json): the same files as llama.cpp's
# convert_hf_to_gguf.py --outtype f32|f16|bf16 and llama-quantize of its
# F32 output to Q8_0 and Q4_K_M (tests/oracle/convert_README).
cd $W && for t in F32 F16 BF16 Q8_0 Q4_K_M; do llm-quant -q $MODELS_DIR/all-MiniLM-L6-v2 o.gguf $t > /dev/null && echo "minilm $t $(sha256sum < o.gguf | cut -d' ' -f1)"; done
.
minilm F32 800ba1d7d4fe214ae39d88ef45806e96519017e558f80c09ba27b06d55bc8a12
minilm F16 45013d2d36e25fb4f81be9fd7216f41e4c5afb936397c07a0e593b8b5fcac181
minilm BF16 db77fa316e6aa5123681ce70dc1510ec8268e6094cc939fdd85edd812d6e6202
minilm Q8_0 39a8bc2c404476aabf5f896b2f9536bf9f8801e1ae8f663bf0370584ad267d42
minilm Q4_K_M 8be1b4ca0ac08e02967b2393f49690df07873daacbe1e1bdf2e97c64f3c8bf7c

%%FAIL 1
cd $W && rm -rf b && mkdir b && cp $MODELS_DIR/all-MiniLM-L6-v2/*.json b/ && ln -s $MODELS_DIR/all-MiniLM-L6-v2/model.safetensors b/ && mkdir b/1_Pooling && echo '{"pooling_mode_max_tokens": true}' > b/1_Pooling/config.json && llm-quant b o.gguf f16
.
llm-quant: b/1_Pooling/config.json: pooling mode: only mean, cls and lasttoken are supported

# tiny-gemma3: Gemma3ForCausalLM (norms stored as 1 + w, sliding window,
# local RoPE base, linear RoPE scaling of the global layers); tiny-phi3:
# Phi3ForCausalLM as Phi-4-mini (GPT2Tokenizer, fused qkv and gate_up,
# partial rotary, LongRoPE factor tensors and attn_factor); tiny-qwen3moe:
# Qwen3MoeForCausalLM (per-expert tensors stacked into ffn_*_exps, size
# label "8x73K").  256-token vocabularies; same sources as above.
cd $W && for m in tiny-gemma3 tiny-phi3 tiny-qwen3moe; do for t in F32 F16 BF16 Q4_K_M; do llm-quant -q "$OLDPWD"/tests/data/hf/$m o.gguf $t > /dev/null && echo "$m $t $(sha256sum < o.gguf | cut -d' ' -f1)"; done; done
.
tiny-gemma3 F32 0836472236069c1cb29af4c9354657a73d9ad1311b8c3e79c2ce39aeca14fb55
tiny-gemma3 F16 f202429df7dd415997f48ba8396df1508cdea9015fa5aec13319f333fc95c867
tiny-gemma3 BF16 9a7836d777aaebcb098e38fe8484f92794c4002ef668e235613d43e13bddaa56
tiny-gemma3 Q4_K_M b42f78b92291087d04a45265c030d3f0fba85abd58205e23d0690018e4de146d
tiny-phi3 F32 fc3c046d74dc74c167d1ede1ecdf8ff0b3b6a3551afb2fae1088f5c20739a450
tiny-phi3 F16 ce69911b9d310ca883ecbcd86232ad1dfd82571b4071b544e0748e7b669ee986
tiny-phi3 BF16 40b989cf902d24694be8b5c4292b1d566731db0abd23630f72971446f6efd308
tiny-phi3 Q4_K_M 6287b217b3101283fcf0507e25148feee9c5a3aec1999273ac318defe7176966
tiny-qwen3moe F32 889b040cc5f144b5709a5f68e48698608e43161fdf5b1548db28c742aebfb603
tiny-qwen3moe F16 9cfa8d3ec92763f4823e09b8be07858cb9fccfb984f96a212ba634fe640f4c11
tiny-qwen3moe BF16 51079478bc45f0d37584abe263c468c7db5706d380d1f1ee05954f8c24c449e1
tiny-qwen3moe Q4_K_M 153bd00deebea41e66e470337a15490b3b1c6c33decdb610a80003dd81cfa5e3

llm-quant -n tests/data/hf/tiny-qwen3moe q4_k_m | grep exps | head -3
.
{"kind":"tensor","tensor":"blk.0.ffn_down_exps.weight","shape":[16,64,8],"from":"bf16","to":"f16","fallback_from":"q4_k","bytes":16384}
{"kind":"tensor","tensor":"blk.0.ffn_gate_exps.weight","shape":[64,16,8],"from":"bf16","to":"q5_0","fallback_from":"q4_k","bytes":5632}
{"kind":"tensor","tensor":"blk.0.ffn_up_exps.weight","shape":[64,16,8],"from":"bf16","to":"q5_0","fallback_from":"q4_k","bytes":5632}

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-qwen3moe m && sed -i 's/"num_local_experts": 8/"num_local_experts": 9/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/model.safetensors: tensor 'model.layers.0.mlp.gate.weight': shape [8, 64], but config.json says [9, 64]

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-phi3 m && sed -i 's/GPT2Tokenizer/LlamaTokenizer/' m/tokenizer_config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/tokenizer.model: missing (Phi3ForCausalLM with a tokenizer_class other than GPT2Tokenizer reads it)

# tiny-gemma3-spm: Gemma3ForCausalLM with a SentencePiece tokenizer.model
# (BPE, byte fallback, 400 pieces) as real Gemma 3 directories ship it:
# tokenizer.ggml.model "llama" with scores and types from the protobuf,
# added_tokens_decoder, add_space_prefix false.  Same sources as above.
cd $W && for t in F32 F16 BF16 Q4_K_M; do llm-quant -q "$OLDPWD"/tests/data/hf/tiny-gemma3-spm o.gguf $t > /dev/null && echo "tiny-gemma3-spm $t $(sha256sum < o.gguf | cut -d' ' -f1)"; done
.
tiny-gemma3-spm F32 ee804e16bc475907fe2b96781ffd5f61ae96178d3864be016ca67b6873670086
tiny-gemma3-spm F16 089a9cae92c4ff4ea47a242c9445ea53378ef0c993df24133e7d5c53257085af
tiny-gemma3-spm BF16 bee8e697eef472fb4fb6cddf3bf4c07138a6ef210ecb562bbd22701b094e46b6
tiny-gemma3-spm Q4_K_M 3820f0742ad4a018898a535c4965b744bf846341eb741322530dcd50b9c0fccb

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-gemma3-spm m && head -c 3000 "$OLDPWD"/tests/data/hf/tiny-gemma3-spm/tokenizer.model > m/tokenizer.model && llm-quant m o.gguf q8_0
.
llm-quant: m/tokenizer.model: not a SentencePiece model (malformed protobuf)

# tiny-phi3-spm: Phi3ForCausalLM as Phi-3-mini (tokenizer_class not
# GPT2Tokenizer, so tokenizer.model): the converter's own Phi3 vocabulary
# (added tokens from tokenizer_config.json and tokenizer.json, <mask> at
# 400 in a 401-token vocabulary).  Same sources as above.
cd $W && for t in F32 F16 BF16 Q4_K_M; do llm-quant -q "$OLDPWD"/tests/data/hf/tiny-phi3-spm o.gguf $t > /dev/null && echo "tiny-phi3-spm $t $(sha256sum < o.gguf | cut -d' ' -f1)"; done
.
tiny-phi3-spm F32 618785ac89c335e4106b614e34d7af3e28e181f13e2fd7b9bc0ae97806fcccad
tiny-phi3-spm F16 84e253f51e4de527711bda402e46aaf0a67f1094b7bd8ccf49a8722bd27bb4d1
tiny-phi3-spm BF16 27bdb7b9106a5327916951f664f0b4887826612c613d2f640c9653e9ce3b8161
tiny-phi3-spm Q4_K_M cce44a742e3d2fb247f1ed8356b4046116a3da0831b7a926be560e1c3fbf27ea

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-phi3-spm m && sed -i 's/"id": 400,/"id": 401,/' m/tokenizer.json && llm-quant m o.gguf q8_0
.
llm-quant: m/tokenizer.json: added token '<mask>': id 401 is not below vocab_size 401

# tiny-granite: GraniteForCausalLM (a LlamaModel for the converter: Q/K
# permuted; head_dim ignored; its four multipliers written as
# granite.attention.scale, embedding_scale, residual_scale, logit_scale);
# tiny-smollm3: SmolLM3ForCausalLM (llama keys, NoPE every 4th layer
# implied by the architecture); tiny-olmo2: Olmo2ForCausalLM (no pre-norms,
# q/k norms over the whole projection, post-attention and post-FFN norms).
# 256-token vocabularies; same sources as above.  Each Q4_K_M file runs in
# llm-run.
cd $W && for m in tiny-granite tiny-smollm3 tiny-olmo2; do for t in F32 F16 BF16 Q4_K_M; do llm-quant -q "$OLDPWD"/tests/data/hf/$m o.gguf $t > /dev/null && echo "$m $t $(sha256sum < o.gguf | cut -d' ' -f1)"; done; llm-run -m o.gguf --raw -n 3 --temp 0 hi > /dev/null 2>&1 && echo "$m runs"; done
.
tiny-granite F32 b9d27b33ffc7ef0363f449ebd40eb7a39596af6358be3a234634c42be8136161
tiny-granite F16 6b93a9f0f9af7e3728fc70c26ead35a1ca131efcf5a5551e1e5d92ac9557533b
tiny-granite BF16 d2ceaa12f37eb1560d82d0067c6bac66704eae965c29fe85bcfe8336171212f0
tiny-granite Q4_K_M ef15f26949f7a8912134470a5a2325e464f76edd4a1cf1b780a11c6d78f5671f
tiny-granite runs
tiny-smollm3 F32 db14c489a86b5c8caa1351b8a6be341bee0a644b79b214c3a47892a8b0113fb4
tiny-smollm3 F16 bbc7634b8f83e0ed41b23bc1a078b916d07d9b67e3c8b5adbb6b8bb8f80e7e30
tiny-smollm3 BF16 d031db2fc2acdff8bbe3e6d727501e4b34033698f2922cdb8fc2febd8dbb11e8
tiny-smollm3 Q4_K_M f0fc1785aeec739ee75f8e582302645882406da308e8ea6c5895da3d6e8a4fdb
tiny-smollm3 runs
tiny-olmo2 F32 d59af2300c480542105a6402d9220beff2a7efed4a15470ecda5a2110594c7ed
tiny-olmo2 F16 b9211588b73cbfc03e37065121b7306118f1c60524607e15bf46223186807f81
tiny-olmo2 BF16 b35d7baacfc15135a6dcf0237fa75f155f55243e0040767f7b1a3ce5c92973ff
tiny-olmo2 Q4_K_M 74a66a5bd3e557459df2ae211c88465a5778b2ace82748c2b1d7618d529b3e4f
tiny-olmo2 runs

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-granite m && sed -i 's/"residual_multiplier": 0.22/"residual_multiplier": "0.22"/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/config.json: residual_multiplier: expected a number

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-smollm3 m && sed -i '/"no_rope_layers"/,/]/s/0$/1/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/config.json: no_rope_layers[3]: only RoPE-less layers 3, 7, 11, ... are supported (llama.cpp's smollm3)

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-olmo2 m && sed -i 's/"rms_norm_eps"/"sliding_window": 4096, "rms_norm_eps"/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/config.json: sliding_window: not supported for Olmo2ForCausalLM (OLMo-3 style sliding attention)

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-olmo2 m && sed -i 's/"num_key_value_heads": 2/"num_key_value_heads": 1/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/model.safetensors: tensor 'model.layers.0.self_attn.k_norm.weight': shape [32], but config.json says [16]

# tiny-gemma4: Gemma4ForCausalLM, gemma-4-E2B style (per-layer embeddings,
# shared-KV layers, double-wide MLP, sliding/full head sizes, proportional
# RoPE as rope_freqs.weight; tokenizer model "gemma4"), from
# tests/oracle/gemma4_hf.py; Q4_K_M = llama-quantize of the BF16 file.
cd $W && for t in F32 F16 BF16 Q4_K_M; do llm-quant -q "$OLDPWD"/tests/data/hf/tiny-gemma4 o.gguf $t > /dev/null && echo "tiny-gemma4 $t $(sha256sum < o.gguf | cut -d' ' -f1)"; done; llm-run -m o.gguf --raw -n 3 --temp 0 hi > /dev/null 2>&1 && echo "tiny-gemma4 runs"
.
tiny-gemma4 F32 8dbe9dd6622b2eb6d6aaff2b4785f633ce795f41fc9e1ef3774ffabaca3f1f8a
tiny-gemma4 F16 96397175d83f8a0dcd06b91c787fc37ffb0490fe6f57d38676684555cfb22b12
tiny-gemma4 BF16 56f7eaa3c9c14a36cb72842975c1c83c680e0b30021cb9bf0a4ecab44f1b4089
tiny-gemma4 Q4_K_M 7bdcfee4cb43d1b5a523fbb36c8b530cb0c393505f65f182ffd55ef7c4ede1b0
tiny-gemma4 runs

%%FAIL 1
cd $W && rm -rf m && cp -r "$OLDPWD"/tests/data/hf/tiny-gemma4 m && sed -i 's/"enable_moe_block": false/"enable_moe_block": true/' m/config.json && llm-quant m o.gguf q8_0
.
llm-quant: m/config.json: enable_moe_block: Gemma 4 mixture-of-experts models (26B-A4B) are not supported (llm-run's gemma4 forward pass has no MoE)
