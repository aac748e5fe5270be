# llm-quant: quantization goldens, the plan, options, errors.
# Blocks: command, stdin, ".", expected stdout; "%%FAIL N" blocks expect
# exit status N and compare stderr.  mkmodel -f writes the F32 source
# model ($W/qsrc.gguf); $TINY (quantized, alignment 64) is written by
# mkmodel; $W is a scratch directory.
#
# The sha256 of every output below is also the sha256 of llama.cpp's
# llama-quantize output for the same source and arguments (the files are
# identical byte for byte): see tests/oracle/quantize_README.

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && for t in F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K IQ4_NL IQ4_XS; do llm-quant -q qsrc.gguf q.gguf $t > /dev/null && echo "$t $(sha256sum < q.gguf | cut -d' ' -f1)"; done
.
F32 ad22d1b277db5715f4573939dac9ad6860dfb60d403dcc67cdddff7cdb33d14a
F16 2554011a9b47d60d5f5bba75652d17377f7208838cd32651a9c3f5f3a82eaa9d
BF16 dd1e9fd0d265379ba5a6f77745904e4f670d73ab21ae05155a89cb865b637ed1
Q8_0 7721bd3f5f720c33c1c200acc0cb799e2adfb2c04be78069702739cf3f1dfef0
Q4_0 3b73c354976d3c6a6edc1834b276964136f67f54f06bc7e458626b624518c522
Q4_1 b90a861b3028b812f87571b577566974001e040d4af24dcf06753524a4737172
Q5_0 2605c3dd29493aae990902c5af9bad894085661431317e1662790e5b6740e308
Q5_1 363776347092f761b54717df6e79998dfec2f653e2ffc70b75252e5c33194148
Q2_K 602d571b51b1eef60d0ad49d083f8c4c0709227a89ba37a69247a95f22d7131b
Q3_K_S 0f50b9c1c436beaf135693d1350ba8663084d1a06e0c4fb239d5eab03914d716
Q3_K_M 901ad3c19773d8d8081a7533e86cfdf2923a20e3064e3c058896e511e416fd4c
Q3_K_L 20f3f3e745181b4845ddee63a26d4b4c939971a872a3db7d93e28a7927d74178
Q4_K_S 20a08495202b8ec9879aa7eb0753b7115d2b4ca49c18c9122c85bc4c0f85a923
Q4_K_M 5a6a6f9028507320d7327dfbcee149df66c66c5d7d7b74431c8e901c93b5b688
Q5_K_S c5b2d8e00bb0eb00aa3fd3eb00a317471e52baf212ebe1fbc67b62d2a6aa1791
Q5_K_M 8f551fdb8b8df860edd6178592b309da10b270bbcb328eef2b0116414f456fc5
Q6_K 61bdbc3abfd51bc001b400c944fb3bb59279f11fba4e4354335e663a2e6a0a87
IQ4_NL 1435f6ac50791c9ff02ad726b62c2b543be820a99fe1a5d51913291bc865fe0f
IQ4_XS b403ae52e1647a679b9ac356bb0fdd826e699464f3c42e4919f4e5073ad9a539

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && for t in Q2_K Q3_K_S Q4_K_S Q5_K_S Q6_K IQ4_XS; do llm-quant -q --pure qsrc.gguf q.gguf $t > /dev/null && echo "pure-$t $(sha256sum < q.gguf | cut -d' ' -f1)"; done
.
pure-Q2_K 432b88722ba980d719ba18ba209749a5fe57f838ac997123c9ea73d71dc8bd4f
pure-Q3_K_S a827c869aabbe3e62ac8a0b5857f1f79dc34683aaa6851059793146f23550d52
pure-Q4_K_S b329deb2042a3b57596c08b11620a6fcb5daf1f3a3fc116cce8de8428934c94a
pure-Q5_K_S 495f380ad4602f9ddbd570cd5bb210acba9b75b6afd634b831e55835465f2be0
pure-Q6_K 61bdbc3abfd51bc001b400c944fb3bb59279f11fba4e4354335e663a2e6a0a87
pure-IQ4_XS 731e1fd1d032ec15805ff75460cf3e4c6f9220da6bed4df9a1870cbd2299d073

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && llm-quant -q --tensor-type 'attn_(q|k)=q8_0' --tensor-type 'blk\.[23]\.ffn_up=iq4_nl' --output-tensor-type q5_1 --token-embedding-type f16 qsrc.gguf q.gguf Q4_K_S > /dev/null && sha256sum < q.gguf | cut -d' ' -f1
.
bc830aa01e23d7ce008de921f34139a6ea141b02b52e6a115dbc3d2bfcf41c3b

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && llm-quant -q --keep-output qsrc.gguf q.gguf Q3_K_M > /dev/null && sha256sum < q.gguf | cut -d' ' -f1
.
9004e17bb89ed143d99c8464cd8bdea9afd84a80729a32a60b3f4cf0addc27d7

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && llm-quant -q -t 1 qsrc.gguf t1.gguf Q4_K_M > /dev/null && llm-quant -q -t 5 qsrc.gguf t5.gguf Q4_K_M > /dev/null && cmp t1.gguf t5.gguf && llm-quant -q -t 3 qsrc.gguf t3.gguf IQ4_NL > /dev/null && llm-quant -q -t 1 qsrc.gguf t1.gguf iq4_nl > /dev/null && cmp t1.gguf t3.gguf && echo same bytes
.
same bytes

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && llm-quant --dry-run qsrc.gguf q4_k_m
.
{"kind":"tensor","tensor":"output.weight","shape":[256,64],"from":"f32","to":"q6_k","bytes":13440}
{"kind":"tensor","tensor":"output_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"token_embd.weight","shape":[256,64],"from":"f32","to":"q4_k","bytes":9216}
{"kind":"tensor","tensor":"blk.0.attn_k.weight","shape":[256,64],"from":"f32","to":"q4_k","bytes":9216}
{"kind":"tensor","tensor":"blk.0.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.0.attn_output.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.0.attn_q.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.0.attn_v.weight","shape":[256,64],"from":"f32","to":"q4_k","bytes":9216}
{"kind":"tensor","tensor":"blk.0.ffn_down.weight","shape":[320,256],"from":"f32","to":"q5_0","fallback_from":"q4_k","bytes":56320}
{"kind":"tensor","tensor":"blk.0.ffn_gate.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"tensor","tensor":"blk.0.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.0.ffn_up.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"tensor","tensor":"blk.1.attn_k.weight","shape":[256,64],"from":"f32","to":"q4_k","bytes":9216}
{"kind":"tensor","tensor":"blk.1.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.1.attn_output.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.1.attn_q.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.1.attn_v.weight","shape":[256,64],"from":"f32","to":"q4_k","bytes":9216}
{"kind":"tensor","tensor":"blk.1.ffn_down.weight","shape":[320,256],"from":"f32","to":"q5_0","fallback_from":"q4_k","bytes":56320}
{"kind":"tensor","tensor":"blk.1.ffn_gate.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"tensor","tensor":"blk.1.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.1.ffn_up.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"tensor","tensor":"blk.2.attn_k.weight","shape":[256,64],"from":"f32","to":"q4_k","bytes":9216}
{"kind":"tensor","tensor":"blk.2.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.2.attn_output.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.2.attn_q.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.2.attn_v.weight","shape":[256,64],"from":"f32","to":"q6_k","bytes":13440}
{"kind":"tensor","tensor":"blk.2.ffn_down.weight","shape":[320,256],"from":"f32","to":"q8_0","fallback_from":"q6_k","bytes":87040}
{"kind":"tensor","tensor":"blk.2.ffn_gate.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"tensor","tensor":"blk.2.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.2.ffn_up.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"tensor","tensor":"blk.3.attn_k.weight","shape":[256,64],"from":"f32","to":"q4_k","bytes":9216}
{"kind":"tensor","tensor":"blk.3.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.3.attn_output.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.3.attn_q.weight","shape":[256,256],"from":"f32","to":"q4_k","bytes":36864}
{"kind":"tensor","tensor":"blk.3.attn_v.weight","shape":[256,64],"from":"f32","to":"q6_k","bytes":13440}
{"kind":"tensor","tensor":"blk.3.ffn_down.weight","shape":[320,256],"from":"f32","to":"q8_0","fallback_from":"q6_k","bytes":87040}
{"kind":"tensor","tensor":"blk.3.ffn_gate.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"tensor","tensor":"blk.3.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.3.ffn_up.weight","shape":[256,320],"from":"f32","to":"q4_k","bytes":46080}
{"kind":"summary","input":"qsrc.gguf","type":"Q4_K_M","file_type":15,"n_tensors":39,"n_converted":30,"n_fallback":4,"params":1673472,"bytes_from":6693888,"bytes":1064320,"bpw":5.0880}

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && llm-quant -n --pure --keep-output --tensor-type 'attn_(q|k)=q8_0' --tensor-type 'blk\.[23]\.ffn_up=iq4_nl' --token-embedding-type f16 qsrc.gguf q2_k | grep -v '"to":"q2_k"'
.
{"kind":"tensor","tensor":"output.weight","shape":[256,64],"from":"f32","to":"f32","bytes":65536}
{"kind":"tensor","tensor":"output_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"token_embd.weight","shape":[256,64],"from":"f32","to":"f16","bytes":32768}
{"kind":"tensor","tensor":"blk.0.attn_k.weight","shape":[256,64],"from":"f32","to":"q8_0","bytes":17408}
{"kind":"tensor","tensor":"blk.0.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.0.attn_q.weight","shape":[256,256],"from":"f32","to":"q8_0","bytes":69632}
{"kind":"tensor","tensor":"blk.0.ffn_down.weight","shape":[320,256],"from":"f32","to":"q4_0","fallback_from":"q2_k","bytes":46080}
{"kind":"tensor","tensor":"blk.0.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.1.attn_k.weight","shape":[256,64],"from":"f32","to":"q8_0","bytes":17408}
{"kind":"tensor","tensor":"blk.1.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.1.attn_q.weight","shape":[256,256],"from":"f32","to":"q8_0","bytes":69632}
{"kind":"tensor","tensor":"blk.1.ffn_down.weight","shape":[320,256],"from":"f32","to":"q4_0","fallback_from":"q2_k","bytes":46080}
{"kind":"tensor","tensor":"blk.1.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.2.attn_k.weight","shape":[256,64],"from":"f32","to":"q8_0","bytes":17408}
{"kind":"tensor","tensor":"blk.2.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.2.attn_q.weight","shape":[256,256],"from":"f32","to":"q8_0","bytes":69632}
{"kind":"tensor","tensor":"blk.2.ffn_down.weight","shape":[320,256],"from":"f32","to":"q4_0","fallback_from":"q2_k","bytes":46080}
{"kind":"tensor","tensor":"blk.2.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.2.ffn_up.weight","shape":[256,320],"from":"f32","to":"iq4_nl","bytes":46080}
{"kind":"tensor","tensor":"blk.3.attn_k.weight","shape":[256,64],"from":"f32","to":"q8_0","bytes":17408}
{"kind":"tensor","tensor":"blk.3.attn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.3.attn_q.weight","shape":[256,256],"from":"f32","to":"q8_0","bytes":69632}
{"kind":"tensor","tensor":"blk.3.ffn_down.weight","shape":[320,256],"from":"f32","to":"q4_0","fallback_from":"q2_k","bytes":46080}
{"kind":"tensor","tensor":"blk.3.ffn_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"blk.3.ffn_up.weight","shape":[256,320],"from":"f32","to":"iq4_nl","bytes":46080}
{"kind":"summary","input":"qsrc.gguf","type":"Q2_K","file_type":10,"n_tensors":39,"n_converted":29,"n_fallback":4,"params":1673472,"bytes_from":6693888,"bytes":1000960,"bpw":4.7851}

cd $W && llm-quant --allow-requantize tiny.gguf t8.gguf Q8_0 2>&1 && llm-inspect --diffable t8.gguf | grep -E '"kind":"file"|quantization_version|file_type' && llm-inspect --check t8.gguf | grep -o '"valid":true'
.
llm-quant: warning: tiny.gguf: requantizing 12 quantized tensors (the first: 'blk.0.attn_k.weight', q4_0): quality is lost
{"kind":"summary","input":"tiny.gguf","output":"t8.gguf","type":"Q8_0","file_type":7,"n_tensors":21,"n_converted":15,"n_fallback":0,"params":1213696,"bytes_from":1194496,"bytes":1293312,"bpw":8.5248,"file_bytes":1296512}
{"kind":"file","path":"t8.gguf","format":"gguf","version":3,"n_kv":21,"n_tensors":21,"alignment":64}
{"kind":"kv","key":"general.quantization_version","type":"uint32","value":2}
{"kind":"kv","key":"general.file_type","type":"uint32","value":7}
"valid":true

cd $W && llm-quant -q --allow-requantize tiny.gguf t16.gguf f16 && llm-quant -q -v t16.gguf t16b.gguf F16 | head -n 3; ls | grep '\.tmp\.' || echo no temporary files left
.
{"kind":"summary","input":"tiny.gguf","output":"t16.gguf","type":"F16","file_type":1,"n_tensors":21,"n_converted":14,"n_fallback":0,"params":1213696,"bytes_from":1194496,"bytes":2429952,"bpw":16.0169,"file_bytes":2433152}
{"kind":"tensor","tensor":"output.weight","shape":[256,64],"from":"f16","to":"f16","bytes":32768}
{"kind":"tensor","tensor":"output_norm.weight","shape":[256],"from":"f32","to":"f32","bytes":1024}
{"kind":"tensor","tensor":"token_embd.weight","shape":[256,64],"from":"f16","to":"f16","bytes":32768}
no temporary files left

llm-quant --version
.
llm-quant 0.1.0

%%FAIL 1
cd $W && llm-quant nope.gguf o.gguf q4_k_m
.
llm-quant: nope.gguf: No such file or directory

%%FAIL 2
cd $W && llm-quant tiny.gguf o.gguf Q4_K_X
.
llm-quant: 'Q4_K_X' is not a quantization type (llm-quant --help lists them)

%%FAIL 1
cd $W && llm-quant tiny.gguf o.gguf iq2_xxs
.
llm-quant: IQ2_XXS: not supported: no IQ2 quantizers (they need an importance matrix)

%%FAIL 1
cd $W && llm-quant tiny.gguf o.gguf q4_k_m
.
llm-quant: tiny.gguf: tensor 'token_embd.weight' is already quantized (q8_0): requantizing loses quality; --allow-requantize permits it

%%FAIL 2
cd $W && llm-quant tiny.gguf ./tiny.gguf q8_0
.
llm-quant: ./tiny.gguf: is the input file; give another output

%%FAIL 1
cd $W && printf 'not a model\n' > notgguf.txt && llm-quant notgguf.txt o.gguf q8_0
.
llm-quant: notgguf.txt: bad magic 6e 6f 74 20: not a GGUF file

%%FAIL 1
cd $W && llm-quant tiny.gguf nodir/o.gguf q8_0
.
llm-quant: nodir/o.gguf: cannot write in nodir: No such file or directory

%%FAIL 2
cd $W && llm-quant --tensor-type attn_q tiny.gguf o.gguf q8_0
.
llm-quant: --tensor-type: 'attn_q': expected PATTERN=TYPE

%%FAIL 2
cd $W && llm-quant --tensor-type '(=q8_0' tiny.gguf o.gguf q8_0
.
llm-quant: --tensor-type: pattern '(': Unmatched ( or \(

%%FAIL 2
cd $W && llm-quant --tensor-type attn_q=q9 tiny.gguf o.gguf q8_0
.
llm-quant: --tensor-type: 'q9' is not a tensor type llm-quant can write

%%FAIL 2
cd $W && llm-quant --output-tensor-type iq2_xxs tiny.gguf o.gguf q8_0
.
llm-quant: --output-tensor-type: 'iq2_xxs' is not a tensor type llm-quant can write

%%FAIL 1
cd $W && llm-quant --imatrix imatrix.gguf tiny.gguf o.gguf q4_k_m
.
llm-quant: imatrix.gguf: No such file or directory

%%FAIL 2
cd $W && llm-quant -t 0 tiny.gguf o.gguf q8_0
.
llm-quant: --threads: 0 is out of range [1, 256]

%%FAIL 2
cd $W && llm-quant tiny.gguf o.gguf
.
llm-quant: missing arguments
usage: llm-quant [-nqv] [-t threads] [--allow-requantize] [--pure] [--keep-output]
       [--output-tensor-type type] [--token-embedding-type type]
       [--tensor-type pattern=type ...] [--imatrix file]
       [--pre-tokenizer name] input output.gguf type
       llm-quant -n input type

# --imatrix: tests/golden/quant/tiny.imatrix.gguf is a synthetic
# importance matrix for mkmodel -f's model in llama-imatrix's GGUF
# layout (tests/oracle/quantize_imatrix.py; blk.1.ffn_up.weight has
# count 0).  Each sha256 is also that of llama-quantize --imatrix
# im.gguf for the same source and type, run from the same directory
# (quantize.imatrix.file records the path as given): every quantizer
# that takes weights, the weighted IQ4_NL/IQ4_XS searches, the Q4_0 /
# Q5_0 ffn_down rule and the IQ4 one that an imatrix turns off.
[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cp tests/golden/quant/tiny.imatrix.gguf $W/im.gguf && cd $W && for t in Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q2_K_S Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K IQ4_NL IQ4_XS Q8_0; do llm-quant -q --imatrix im.gguf qsrc.gguf q.gguf $t > /dev/null && echo "$t $(sha256sum < q.gguf | cut -d' ' -f1)"; done
.
Q4_0 f46d1819234d352def1f1f548398794ceb086bdc0abc478414cf02bf17b8bbe2
Q4_1 aba773130850b269d6a64bc07bbc7ee9f48e50d874a5b194977b0e92abc3cae7
Q5_0 0bece33937b5e1ed44159d7bc75b255fc9dda228520431fa76413e2d091a43c4
Q5_1 87600221e518392e4a84b988b999a697c1a26c8e80dabe6e541209a61aa995c1
Q2_K a53d45cffbfee259b928225c000f4bd2d46d354e50429e8e2e224cecd937cd93
Q2_K_S 2c783e0b3c073b975fcaad42b50df4a8513f08ef4e327608f19da269f99a4aa7
Q3_K_S c1b78d8fd5a920f987498e4e1d04609b2669d205031b31382a647a325002fd88
Q3_K_M bb4ad9d44207d47809d176d5427bdd5338ff346e07ca82335575723540c78375
Q3_K_L 46263623f9693438c0a4976e58bd166ea12df61dc2770d692461d95468873390
Q4_K_S 1aeebf32d057ba2cdada1f9fde160c282b457a065bb5a8869443387d21a70272
Q4_K_M 055862d14427600c693cbf26394afda32f2afa06863573412c4d46e3f81f9969
Q5_K_S b9de27b41e48d43af8c2233901fc9544d3e1aa27e0c648ff7ead681d3df8a415
Q5_K_M a70365e41c137bc29d6ec62cba73a8fcd85ad6a6d065f34575e422094e9c2460
Q6_K ab835790a2acf25546788a6aaa0b71816ef7c09f861c0cdeca2b748eff91ccc1
IQ4_NL 0947a3abd769dd3d1a7bc866ee1b6c6e11c55f3adb00bb5ecc8c16b631d0315a
IQ4_XS 0690e904b26e72ef429d532b3e2311706bce7e37243fca941fea59ba30fa4c1e
Q8_0 818759ea0246a707061aaf0ec44d8d849ba1c886b24f68ebbd4f24576b646465

[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cp tests/golden/quant/tiny.imatrix.gguf $W/im.gguf && cd $W && for t in Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q2_K_S Q3_K_S Q4_K_S Q5_K_S Q6_K IQ4_NL IQ4_XS; do llm-quant -q --pure --imatrix im.gguf qsrc.gguf q.gguf $t > /dev/null && echo "pure-$t $(sha256sum < q.gguf | cut -d' ' -f1)"; done
.
pure-Q4_0 0523b622acfc70e8fa7db3ba3ddb495207317d855bcd9fe104cb4bdac98c583a
pure-Q4_1 d261d9864c5aaf6b9dd7e85ce9fcc11ae40e9c1a52580c5fe8f67e6281605634
pure-Q5_0 2a7ea7dda49c2b10cb8da631eabf56348e9eb5b0230f9a88c2f199a6914a4dbf
pure-Q5_1 1d0c0e8cc7dc66a7a621b5a560b8d9c67a339a5f7ee3915a04c7d2e765ab2395
pure-Q2_K 34bb48ac6f64117e7c2efc69fa15d89b9e5b1deaae2e0a391df4b93c6a5b05bc
pure-Q2_K_S 78d168c1909d7d1082c8e5ed8c2502e90fae898007ca3c1d548df51343b5acc5
pure-Q3_K_S 716c8a7e3a256e4776293ec868db6c7e7c19a2a1e168459fc8f7c7419670a926
pure-Q4_K_S 8f18ed74680bb03f78c4353c883e7091101322b155b648a360821563ac391d94
pure-Q5_K_S 9452db51e2453b826263063a95acc019bc0e933526b6ea83cac0e5a520ec2749
pure-Q6_K ab835790a2acf25546788a6aaa0b71816ef7c09f861c0cdeca2b748eff91ccc1
pure-IQ4_NL 2961fd78676e0e5456b8afa8a3596095ce3410d96d948c5acf0fe3b3989135ff
pure-IQ4_XS 78a984736664b2084e653003f750f5a007246ed406f6a2ac9511f76da95b11fc

%%FAIL 1
cd $W && llm-quant --imatrix qsrc.gguf qsrc.gguf q.gguf Q4_K_M
.
llm-quant: qsrc.gguf: imatrix.datasets, imatrix.chunk_count, imatrix.chunk_size: missing (not an importance matrix from llama-imatrix)

%%FAIL 1
cd $W && printf 'not a gguf' > bad.imatrix && llm-quant --imatrix bad.imatrix qsrc.gguf q.gguf Q4_K_M
.
llm-quant: bad.imatrix: bad magic 6e 6f 74 20: not a GGUF file

%%FAIL 1
[ -f $W/qsrc.gguf ] || "$O"/tests/data/mkmodel -f $W/qsrc.gguf; cd $W && llm-quant qsrc.gguf q.gguf Q2_K_S
.
llm-quant: qsrc.gguf: Q2_K_S needs an importance matrix (--imatrix)
