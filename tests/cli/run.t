# llm-run: text mode, JSONL requests, OpenAI bodies and Batch lines,
# error records, determinism.  Blocks: command, stdin, ".", expected
# stdout; "%%FAIL N" blocks expect exit status N and compare stderr.

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 -n 12 "What is the capital of France?"
.
L'Étoile, la Marseillaise,

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 -n 12 -t 1 "What is the capital of France?"
.
L'Étoile, la Marseillaise,

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 -n 12 -k f32 -s "You answer in French." "Say good morning."
.
Bonjour, je suis le monde.

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --seed 7 -n 12 "Tell me a joke." > $W/run004.a && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --seed 7 -n 12 -t 1 "Tell me a joke." > $W/run004.b && cmp $W/run004.a $W/run004.b && echo same
.
same

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 -n 40 --stop "Apples" "List three fruits separated by commas."
.
1. Bananas
2. 

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 -n 8 --raw "The quick brown fox" | head -n 1
.
 with a quick brown bear.

cd $MODELS_DIR && echo "Name a color." | llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 -n 7
.
The most obvious color is indeed red

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf | sed 's/"timings":{[^}]*}/"timings":{}/'
{"id":"q1","prompt":"Name three colors.","max_tokens":30,"temperature":0,"tag":[1,2]}
{"id":7,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"max_tokens":6,"temperature":0}
.
{"id":"q1","tag":[1,2],"text":"1. Red\n2. Blue\n3. Green","finish_reason":"stop","usage":{"prompt_tokens":34,"completion_tokens":11},"timings":{}}
{"id":7,"text":"Hello! How can I help","finish_reason":"length","usage":{"prompt_tokens":18,"completion_tokens":6},"timings":{}}

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --stream | sed 's/"timings":{[^}]*}/"timings":{}/'
{"id":"s1","prompt":"Count to three.","max_tokens":8,"temperature":0}
.
{"id":"s1","kind":"token","pos":34,"text":"I"}
{"id":"s1","kind":"token","pos":35,"text":"'m"}
{"id":"s1","kind":"token","pos":36,"text":" sorry"}
{"id":"s1","kind":"token","pos":37,"text":" for"}
{"id":"s1","kind":"token","pos":38,"text":" any"}
{"id":"s1","kind":"token","pos":39,"text":" mis"}
{"id":"s1","kind":"token","pos":40,"text":"g"}
{"id":"s1","kind":"token","pos":41,"text":"lam"}
{"id":"s1","kind":"done","text":"I'm sorry for any misglam","finish_reason":"length","usage":{"prompt_tokens":34,"completion_tokens":8},"timings":{}}

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf | sed 's/"created":[0-9]*/"created":0/'
{"model":"smol","messages":[{"role":"user","content":"Say yes."}],"max_tokens":4,"temperature":0}
{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"smol","messages":[{"role":"user","content":"Say no."}],"max_tokens":4,"temperature":0}}
.
{"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"smol","choices":[{"index":0,"message":{"role":"assistant","content":"I'm sorry for"},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":33,"completion_tokens":4,"total_tokens":37},"system_fingerprint":null}
{"id":"batch_req_2","custom_id":"r1","response":{"status_code":200,"request_id":"req_2","body":{"id":"chatcmpl-2","object":"chat.completion","created":0,"model":"smol","choices":[{"index":0,"message":{"role":"assistant","content":"I'm sorry for"},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":33,"completion_tokens":4,"total_tokens":37},"system_fingerprint":null}},"error":null}

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf -R -n 4 --temp 0 | sed 's/"timings":{[^}]*}/"timings":{}/'
Hello
Goodbye
.
{"line":1,"text":"Hello! I's","finish_reason":"length","usage":{"prompt_tokens":31,"completion_tokens":4},"timings":{}}
{"line":2,"text":"I'm sorry for","finish_reason":"length","usage":{"prompt_tokens":32,"completion_tokens":4},"timings":{}}

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 -n 4 | sed 's/"timings":{[^}]*}/"timings":{}/'; echo "exit $?"
{"id":"ok","prompt":"Hi","max_tokens":2}
not json
{"id":"np"}
{"id":"bt","prompt":"Hi","temperature":"hot"}
{"id":"st","prompt":"Hi","stop":[1]}
[1,2]
{"id":"ms","messages":[]}
{"id":"mr","messages":[{"content":"x"}]}
{"custom_id":"c1","method":"POST","url":"/v1/embeddings","body":{"input":"x"}}
{"custom_id":"c2","method":"POST","url":"/v1/chat/completions"}
{"id":"ok2","prompt":"Bye","max_tokens":2}
.
{"id":"ok","text":"Hello!","finish_reason":"length","usage":{"prompt_tokens":31,"completion_tokens":2},"timings":{}}
{"line":2,"error":{"stage":"parse","message":"invalid JSON"}}
{"id":"np","line":3,"error":{"stage":"parse","message":"a request needs \"prompt\" (a string) or \"messages\""}}
{"id":"bt","line":4,"error":{"stage":"parse","message":"\"temperature\" must be a number in [0, 100]"}}
{"id":"st","line":5,"error":{"stage":"parse","message":"\"stop\" must be a string or up to 8 strings"}}
{"line":6,"error":{"stage":"parse","message":"expected an object"}}
{"id":"ms","line":7,"error":{"stage":"parse","message":"\"messages\" must be a non-empty array"}}
{"id":"mr","line":8,"error":{"stage":"parse","message":"message 0: \"role\" must be a string"}}
{"id":"batch_req_9","custom_id":"c1","response":null,"error":{"code":"parse","message":"url must be /v1/chat/completions"},"line":9}
{"id":"batch_req_10","custom_id":"c2","response":null,"error":{"code":"parse","message":"batch line without an object \"body\""},"line":10}
{"id":"ok2","text":"Bye","finish_reason":"length","usage":{"prompt_tokens":32,"completion_tokens":2},"timings":{}}
exit 0

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --jsonl -c 64 --temp 0 -n 2 | cut -c1-120
{"id":"long","prompt":"one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five twenty-six twenty-seven twenty-eight twenty-nine thirty"}
.
{"id":"long","line":1,"error":{"stage":"context","message":"prompt of 78 tokens does not fit the context of 64 (--trunca

cd $MODELS_DIR && printf '{"id":"a","prompt":"Hi","max_tokens":1}\n\n  \n' | llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --temp 0 > $W/o; echo "exit $?"; sed 's/"timings":{[^}]*}/"timings":{}/' $W/o
.
exit 1
{"id":"a","text":"Hello","finish_reason":"length","usage":{"prompt_tokens":31,"completion_tokens":1},"timings":{}}
{"line":2,"error":{"stage":"parse","message":"blank line"}}
{"line":3,"error":{"stage":"parse","message":"blank line"}}

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf --jsonl --fail-fast --temp 0 -n 2; echo "exit $?"
not json
{"id":"never","prompt":"Hi"}
.
{"line":1,"error":{"stage":"parse","message":"invalid JSON"}}
exit 1

%%FAIL 2
cd $MODELS_DIR && llm-run -m SmolLM2-135M-Instruct.Q4_1.gguf --template mistral "Hi"
.
llm-run: --template: unsupported chat template family 'mistral'; supported families: chatml, qwen2, qwen3, llama3, gemma, phi3

%%FAIL 1
llm-run -m /nonexistent.gguf "Hi"
.
llm-run: /nonexistent.gguf: No such file or directory

%%FAIL 1
cd $W && llm-run -m tiny.gguf "Hi"
.
llm-run: tiny.gguf: tokenizer.ggml.merges: missing

%%FAIL 2
llm-run "Hi"
.
llm-run: no model: give -m FILE or set LLM_MODEL
usage: llm-run -m model [-Rq] [--jsonl] [--stream] [--raw] [-s system] [-n max] [-t threads] [-d device] [-c ctx] [--temp t] [--seed n] [--stop s] [prompt ...]

%%FAIL 2
llm-run -m x.gguf --temp hot "Hi"
.
llm-run: --temp: 'hot' is not a number in [0, 100]

%%FAIL 2
llm-run -m x.gguf --kv-type q4_0 "Hi"
.
llm-run: --kv-type: 'q4_0': expected f16, f32 or q8_0

%%FAIL 2
llm-run -m x.gguf --bogus
.
llm-run: unrecognized option '--bogus'
usage: llm-run -m model [-Rq] [--jsonl] [--stream] [--raw] [-s system] [-n max] [-t threads] [-d device] [-c ctx] [--temp t] [--seed n] [--stop s] [prompt ...]

%%FAIL 1
cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf -n 2 "Hi" > /dev/full
.
llm-run: write <stdout>: No space left on device

cd $MODELS_DIR && llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf -R --stream -n 2 --temp 0 | sed 's/"timings":{[^}]*}/"timings":{}/'
Hello
.
{"line":1,"kind":"token","pos":31,"text":"Hello"}
{"line":1,"kind":"token","pos":32,"text":"!"}
{"line":1,"kind":"done","text":"Hello!","finish_reason":"length","usage":{"prompt_tokens":31,"completion_tokens":2},"timings":{}}

cd $MODELS_DIR && echo '{"prompt":"x"}' | llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf -n 1 --temp 0 Hi
.
Hello

cd $MODELS_DIR && printf '\n\n{"id":"a","prompt":"Hi","max_tokens":1,"temperature":0}\n\n' | llm-run -q -m SmolLM2-135M-Instruct.Q4_1.gguf | sed 's/"timings":{[^}]*}/"timings":{}/'
.
{"line":1,"error":{"stage":"parse","message":"blank line"}}
{"line":2,"error":{"stage":"parse","message":"blank line"}}
{"id":"a","text":"Hello","finish_reason":"length","usage":{"prompt_tokens":31,"completion_tokens":1},"timings":{}}
{"line":4,"error":{"stage":"parse","message":"blank line"}}

%%FAIL 2
llm-run -m x.gguf --repeat-penalty 0 Hi
.
llm-run: --repeat-penalty: '0' is not a number in [0.01, 100]

llm-run --version
.
llm-run 0.1.0

cd $W && H=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53 && mkdir -p ol/manifests/registry.ollama.ai/library/smol ol/blobs && ln -sf $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf ol/blobs/sha256-$H && printf '{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:00","size":1},{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:%s","size":98362432}]}' $H > ol/manifests/registry.ollama.ai/library/smol/latest && OLLAMA_MODELS=ol llm-run -q -m ollama:smol --temp 0 -n 5 Hi
.
Hello! How can I

cd $W && mkdir -p lm && ln -sf $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf lm/smol.gguf && LLM_MODELS=lm llm-run -q -m smol --temp 0 -n 5 Hi
.
Hello! How can I

%%FAIL 1
cd $W && mkdir -p ol2/manifests/registry.ollama.ai/library/bad && printf '{"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:../../../../etc/passwd"}]}' > ol2/manifests/registry.ollama.ai/library/bad/latest && OLLAMA_MODELS=ol2 llm-run -m ollama:bad Hi
.
llm-run: ol2/manifests/registry.ollama.ai/library/bad/latest: model digest 'sha256:../../../../etc/passwd' is not sha256:<64 hex digits>

%%FAIL 1
cd $W && OLLAMA_MODELS=ol llm-run -m ollama:../../etc/passwd Hi
.
llm-run: ollama:../../etc/passwd: not a model name ([host/][namespace/]name[:tag], letters, digits, . _ -)

%%FAIL 1
cd $W && OLLAMA_MODELS=ol llm-run -m ollama:smol:v2 Hi
.
llm-run: ollama:smol:v2: no manifest ol/manifests/registry.ollama.ai/library/smol/v2

%%FAIL 1
cd $W && LLM_MODELS=lm llm-run -m nosuch Hi
.
llm-run: nosuch: no such file, nor lm/nosuch or lm/nosuch.gguf

cd $W && R=hf/models--HuggingFaceTB--SmolLM2-135M-Instruct && C=0123456789abcdef0123456789abcdef01234567 && mkdir -p $R/refs $R/snapshots/$C $R/blobs && ln -sf $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf $R/blobs/b179 && ln -sf ../../blobs/b179 $R/snapshots/$C/smol.Q4_1.gguf && echo '{}' > $R/snapshots/$C/config.json && printf '%s' $C > $R/refs/main && HF_HUB_CACHE=hf llm-run -q -m hf:HuggingFaceTB/SmolLM2-135M-Instruct --temp 0 -n 5 Hi && llm-run -q -m $R --temp 0 -n 5 Hi && llm-run -q -m $R/snapshots/$C --temp 0 -n 5 Hi
.
Hello! How can I
Hello! How can I
Hello! How can I

%%FAIL 1
cd $W && HF_HUB_CACHE=hf llm-run -m hf:HuggingFaceTB/nosuch Hi
.
llm-run: hf:HuggingFaceTB/nosuch: not in the cache (hf/models--HuggingFaceTB--nosuch)

%%FAIL 1
cd $W && HF_HUB_CACHE=hf llm-run -m hf:../x Hi
.
llm-run: hf:../x: not ORG/NAME

%%FAIL 1
cd $W && mkdir -p two && ln -sf $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf two/a.gguf && ln -sf $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf two/b.gguf && llm-run -m two Hi 2>&1 | sed 's/(.*)/(LIST)/' >&2; exit 1
.
llm-run: two: several .gguf files (LIST): give one with -m

%%FAIL 1
cd $W && mkdir -p hfdir && echo '{}' > hfdir/config.json && llm-run -m hfdir Hi
.
llm-run: hfdir: a Hugging Face model directory without a .gguf file: convert it first (llm-quant hfdir OUT.gguf Q8_0)

cd $W && printf '%s\n' '{"id":"a","prompt":"Hi","max_tokens":2,"temperature":0}' '{"id":"b","prompt":"Yo","max_tokens":2,"temperature":0}' '{"custom_id":"c","method":"POST","url":"/v1/chat/completions","body":{"messages":[{"role":"user","content":"Hey"}],"max_tokens":2,"temperature":0}}' > in.jsonl && head -n 1 in.jsonl | llm-run -q -m $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf > out.jsonl && printf '{"id":"b","text":"cut sho' >> out.jsonl && llm-run -m $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf --resume out.jsonl < in.jsonl >> out.jsonl && llm-run -q -m $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf --resume out.jsonl < in.jsonl >> out.jsonl && sed 's/"timings":{[^}]*}/"timings":{}/; s/"created":[0-9]*/"created":0/' out.jsonl
.
{"id":"a","text":"Hello!","finish_reason":"length","usage":{"prompt_tokens":31,"completion_tokens":2},"timings":{}}
{"id":"b","text":"I'm","finish_reason":"length","usage":{"prompt_tokens":32,"completion_tokens":2},"timings":{}}
{"id":"batch_req_3","custom_id":"c","response":{"status_code":200,"request_id":"req_3","body":{"id":"chatcmpl-3","object":"chat.completion","created":0,"model":"SmolLM2-135M-Instruct.Q4_1.gguf","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":31,"completion_tokens":2,"total_tokens":33},"system_fingerprint":null}},"error":null}

%%FAIL 2
llm-run -m x.gguf --resume out.jsonl Hi
.
llm-run: --resume goes with JSONL input, not a prompt

cd $W && S='"role":"system","content":"You are a terse assistant who answers in one line."' && printf '%s\n' "{\"id\":1,\"messages\":[{$S},{\"role\":\"user\",\"content\":\"Capital of France?\"}],\"max_tokens\":6,\"temperature\":0}" "{\"id\":2,\"messages\":[{$S},{\"role\":\"user\",\"content\":\"Capital of Spain?\"}],\"max_tokens\":6,\"temperature\":0}" "{\"id\":1,\"messages\":[{$S},{\"role\":\"user\",\"content\":\"Capital of France?\"}],\"max_tokens\":6,\"temperature\":0}" > pr.jsonl && llm-run -q -m $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf < pr.jsonl > together.jsonl && for i in 1 2 3; do sed -n ${i}p pr.jsonl | llm-run -q -m $MODELS_DIR/SmolLM2-135M-Instruct.Q4_1.gguf; done > apart.jsonl && sed 's/"timings":{"cached_tokens":\([0-9]*\),[^}]*}/"cached":\1/' together.jsonl && sed 's/,"timings":{[^}]*}//' together.jsonl > t.nt && sed 's/,"timings":{[^}]*}//' apart.jsonl | cmp - t.nt && echo same
.
{"id":1,"text":"Awesome, I'm","finish_reason":"length","usage":{"prompt_tokens":30,"completion_tokens":6},"cached":0}
{"id":2,"text":"Spain.","finish_reason":"stop","usage":{"prompt_tokens":30,"completion_tokens":2},"cached":22}
{"id":1,"text":"Awesome, I'm","finish_reason":"length","usage":{"prompt_tokens":30,"completion_tokens":6},"cached":22}
same

%%FAIL 2
llm-run -m "$TINY" -d gpu hi
.
llm-run: -d 'gpu': unknown device (cpu, vulkan or vulkan:N)

%%FAIL 2
LLM_DEVICE=vulkan:x llm-run -m "$TINY" hi
.
llm-run: LLM_DEVICE 'vulkan:x': the device is vulkan:N, N a device number (0-255)

%%FAIL 1
llm-run -m tests/golden/hf/tiny-gemma4.f32.gguf --raw -n 2 --temp 0 -k q8_0 "hello"
.
llm-run: tests/golden/hf/tiny-gemma4.f32.gguf: sliding-layer KV rows of 16 values do not fill q8_0 blocks of 32 (use -k f16 or f32)

# a mixture-of-experts model routes on the Vulkan device: the same greedy text
m=tests/golden/hf/tiny-qwen3moe.f32.gguf; a=$(llm-run -d cpu -m $m -n 24 --temp 0 --raw "Once upon a time 2024, twice."); b=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 llm-run -d vulkan -m $m -n 24 --temp 0 --raw "Once upon a time 2024, twice."); [ -n "$a" ] && [ "$a" = "$b" ] && echo same
.
same
