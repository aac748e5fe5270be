# llm-embed: native records, -R, CSV/TSV, OpenAI bodies and Batch lines,
# error records, formats, pooling, --similar.  Vectors are elided with
# sed (their values are checked by t_embed against sentence-transformers);
# what is compared here is the shape of every record and the rankings.
# Blocks: command, stdin, ".", expected stdout; "%%FAIL N" blocks expect
# exit status N and compare stderr.

llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'
{"id":"a","text":"Hello world","lang":"en"}
{"text":"no id here"}
{"id":3,"text":"","embedding":[1,2],"dim":2}
.
{"id":"a","text":"Hello world","lang":"en","embedding":[...],"dim":384}
{"text":"no id here","embedding":[...],"dim":384}
{"id":3,"text":"","embedding":[...],"dim":384}

printf '{"id":1,"text":"fine"}\n{"id":2,"text":\n[1,2]\n{"id":4}\n{"id":5,"text":42}\n \n{"id":7,"text":"also fine"}\n' | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'
.
{"id":1,"text":"fine","embedding":[...],"dim":384}
{"line":2,"error":{"stage":"parse","message":"invalid JSON"}}
{"line":3,"error":{"stage":"parse","message":"expected an object"}}
{"id":4,"line":4,"error":{"stage":"parse","message":"a record needs \"text\" (or \"input\", an OpenAI body, or \"custom_id\", a Batch line)"}}
{"id":5,"line":5,"error":{"stage":"parse","message":"\"text\" must be a string"}}
{"line":6,"error":{"stage":"parse","message":"blank line"}}
{"id":7,"text":"also fine","embedding":[...],"dim":384}

printf '{"id":1,"text":"caf\303"}\n{"id":2,"text":"ok"}\n' | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'; echo "exit $?"
.
{"line":1,"error":{"stage":"parse","message":"not valid UTF-8 (byte 19)"}}
{"id":2,"text":"ok","embedding":[...],"dim":384}
exit 0

%%FAIL 1
printf '{"id":1,"text":"caf\303"}\n' | llm-embed -m $MODELS_DIR/all-MiniLM-L6-v2
.
llm-embed: <input>:1: parse: not valid UTF-8 (byte 19)

{ printf '{"id":"big","text":"'; yes word | head -n 100000 | tr '\n' ' '; printf '"}\n'; } | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 | cut -c1-200
.
{"id":"big","line":1,"error":{"stage":"tokenize","message":"text of 100002 tokens exceeds the limit of 256 (truncate to embed its start)"}}

{ printf '{"id":"big","text":"'; yes word | head -n 200000 | tr '\n' ' '; printf '"}\n'; } | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --truncate | sed 's/"text":"[^"]*"/"text":.../; s/"embedding":\[[^]]*\]/"embedding":[...]/'
.
{"id":"big","text":...,"embedding":[...],"dim":384,"truncated":true}

llm-embed -q -R -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'
first line
  second, "quoted" line
.
{"line":1,"text":"first line","embedding":[...],"dim":384}
{"line":2,"text":"  second, \"quoted\" line","embedding":[...],"dim":384}

llm-embed -q --csv --id-column key -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'
key,text,tag
k1,plain text,x
k2,"with, a comma and ""quotes""",y
k3,"two
lines",z
k4,too,many,fields
.
{"id":"k1","text":"plain text","tag":"x","embedding":[...],"dim":384}
{"id":"k2","text":"with, a comma and \"quotes\"","tag":"y","embedding":[...],"dim":384}
{"id":"k3","text":"two\nlines","tag":"z","embedding":[...],"dim":384}
{"line":6,"error":{"stage":"parse","message":"4 fields, the header has 3"}}

printf 'text\tid\nhello there\t9\n' | llm-embed -q --tsv -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'
.
{"id":"9","text":"hello there","embedding":[...],"dim":384}

%%FAIL 1
printf 'name,body\na,b\n' | llm-embed --csv -m $MODELS_DIR/all-MiniLM-L6-v2
.
llm-embed: <stdin>:1: no column 'text' in the header

llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/[...]/g; s/"embedding":"[^"]*"/"b64"/g'
{"model":"minilm","input":["one","two"]}
{"input":"three","encoding_format":"base64"}
{"input":[1,2,3]}
{"input":"x","dimensions":12}
.
{"object":"list","data":[{"object":"embedding","index":0,[...]},{"object":"embedding","index":1,[...]}],"model":"minilm","usage":{"prompt_tokens":6,"total_tokens":6}}
{"object":"list","data":[{"object":"embedding","index":0,"b64"}],"model":"all-MiniLM-L6-v2","usage":{"prompt_tokens":3,"total_tokens":3}}
{"line":3,"error":{"stage":"parse","message":"\"input\" must hold strings (token ids are not supported)"}}
{"line":4,"error":{"stage":"parse","message":"\"dimensions\" must be the model's 384"}}

llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 | sed 's/"embedding":\[[^]]*\]/[...]/g'
{"custom_id":"r1","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":"a b c"}}
{"custom_id":"r2","method":"POST","url":"/v1/chat/completions","body":{"model":"m","input":"x"}}
{"custom_id":"r3","method":"POST","url":"/v1/embeddings","body":{"model":"m","input":["ok","caf\u00e9 ☕"]}}
.
{"id":"batch_req_1","custom_id":"r1","response":{"status_code":200,"request_id":"req_1","body":{"object":"list","data":[{"object":"embedding","index":0,[...]}],"model":"m","usage":{"prompt_tokens":5,"total_tokens":5}}},"error":null}
{"id":"batch_req_2","custom_id":"r2","response":null,"error":{"code":"parse","message":"url must be /v1/embeddings"},"line":2}
{"id":"batch_req_3","custom_id":"r3","response":{"status_code":200,"request_id":"req_3","body":{"object":"list","data":[{"object":"embedding","index":0,[...]},{"object":"embedding","index":1,[...]}],"model":"m","usage":{"prompt_tokens":7,"total_tokens":7}}},"error":null}

printf '{"id":1,"text":"the same text"}\n' | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --format f32 | wc -c
.
1536

printf '{"id":1,"text":"the same text"}\n' > $W/e1 && llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --format f32 < $W/e1 > $W/f1 && llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --format base64 < $W/e1 | sed 's/.*"embedding":"\([^"]*\)".*/\1/' | base64 -d | cmp - $W/f1 && echo same
.
same

printf '{"id":1,"text":"four words in here"}\n' | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --pooling none | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'
.
{"id":1,"text":"four words in here","embedding":[...],"dim":384,"n_tokens":6}

printf '{"text":"x"}\n' | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --normalize none --pooling cls --format f32 | od -An -tf4 -N8 -w8 | wc -w
.
2

llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 > $W/store.jsonl && llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --similar 'a cat resting on a carpet' -k 2 $W/store.jsonl | sed 's/"score":[0-9.]*,//'
{"id":"cat","text":"The cat sits on the mat."}
{"id":"stocks","text":"Stock markets fell sharply on Monday."}
{"id":"kitten","text":"A kitten is sleeping on a rug."}
{"id":"rain","text":"Heavy rain is expected tomorrow."}
.
{"id":"cat","text":"The cat sits on the mat.","rank":1}
{"id":"kitten","text":"A kitten is sleeping on a rug.","rank":2}

llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --format base64 > $W/store64.jsonl && llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 --similar 'shares dropped' -k 0 < $W/store64.jsonl | cut -d, -f1
{"id":"cat","text":"The cat sits on the mat."}
{"id":"stocks","text":"Stock markets fell sharply on Monday."}
{"id":"rain","text":"Heavy rain is expected tomorrow."}
.
{"id":"stocks"
{"id":"rain"
{"id":"cat"

%%FAIL 1
printf '{"id":1,"text":"x"}\nnot json\n{"id":2,"embedding":[1,2]}\n' | llm-embed -m $MODELS_DIR/all-MiniLM-L6-v2 --similar q > /dev/null
.
llm-embed: <stdin>:1: not a record with an "embedding" of 384 floats
llm-embed: <stdin>:2: not a record with an "embedding" of 384 floats
llm-embed: <stdin>:3: not a record with an "embedding" of 384 floats

llm-embed -q -m tests/golden/hf/tiny-qwen3.f32.gguf | sed 's/"embedding":\[[^]]*\]/"embedding":[...]/'
{"id":1,"text":"The quick brown fox"}
.
{"id":1,"text":"The quick brown fox","embedding":[...],"dim":64}

%%FAIL 1
printf '{"id":1,"text":"two words"}\n{"id":2,"text":"x"}\n' | llm-embed -m $MODELS_DIR/all-MiniLM-L6-v2 --fail-fast -n 3
.
llm-embed: <input>:1: tokenize: text of 4 tokens exceeds the limit of 3 (truncate to embed its start)

%%FAIL 1
printf '{"id":1,"text":"x"}\n' | llm-embed -m $MODELS_DIR/all-MiniLM-L6-v2 -n 2
.
llm-embed: at most 2 tokens per text leaves no room for text

%%FAIL 2
llm-embed -m $MODELS_DIR/all-MiniLM-L6-v2 --pooling max
.
llm-embed: --pooling: 'max' is not mean, cls, last or none

%%FAIL 2
llm-embed -m $MODELS_DIR/all-MiniLM-L6-v2 -R --similar x
.
llm-embed: --similar reads a JSONL store, not -R, --csv or --tsv

printf '{"id":1,"text":"x"}\n' | llm-embed -q -m $MODELS_DIR/all-MiniLM-L6-v2 > /dev/full 2> $W/full.err; echo "exit $?"; cat $W/full.err
.
exit 1
llm-embed: write <stdout>: No space left on device
