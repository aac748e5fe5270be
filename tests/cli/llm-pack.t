# llm-pack: create, list, verify, extract, Ollama interop, errors.
# Blocks: command, stdin, ".", expected stdout; "%%FAIL N" blocks expect
# exit status N and compare stderr.  $TINY is the tiny GGUF, $W scratch.
# The hostile archives (tar-slip, links, devices, bombs, the flipped-byte
# sweep, volumes, disk full, SIGKILL and resume) are in tests/unit/t_pack.c.

cd $W && rm -rf pk && mkdir pk && cd pk && cp $TINY tiny.gguf && echo MIT > LICENSE && llm-pack create -q -o t.llmpack -i LICENSE tiny.gguf | grep -v '"total"' | cut -d, -f1-3 && tar tf t.llmpack && mkdir x && cd x && tar xf ../t.llmpack && sha256sum -c SHA256SUMS
.
{"kind":"member","path":"tiny.gguf","bytes":1197632
{"kind":"member","path":"LICENSE","bytes":4
MANIFEST.json
SHA256SUMS
tiny.gguf
LICENSE
MANIFEST.json: OK
tiny.gguf: OK
LICENSE: OK

cd $W && rm -rf pl && mkdir pl && cd pl && cp $TINY tiny.gguf && llm-pack create -q -o t.llmpack tiny.gguf > /dev/null && llm-pack list t.llmpack | cut -d, -f1-6
.
{"kind":"pack","format":"llmpack","version":1,"created_by":"llm-pack 0.1.0","files":1,"bytes":1197632
{"kind":"model","path":"tiny.gguf","format":"gguf","name":"tiny llama","arch":"llama","n_params":1213696
{"kind":"member","path":"tiny.gguf","bytes":1197632,"sha256":"d53ae3ebbedacd3f0ec361ea1416aeeae6ae9e6a7bab0cb50e101b4f62652ae2","xxh3_128":"dbb0eeb35bcf6c64723dc435779eb258","role":"model"}

# -o - to a file: streamed after "> file" (write-only), patched in place
# after "1<> file"; the same bytes as -o file either way
cd $W && rm -rf pr && mkdir pr && cd pr && llm-pack create -q -o f.llmpack $TINY > /dev/null && llm-pack create -q -o - $TINY > w.llmpack && llm-pack create -q -o - $TINY 1<> rw.llmpack && cmp f.llmpack w.llmpack && cmp f.llmpack rw.llmpack && echo same
.
same

cd $W && llm-pack create -q -o - $TINY | llm-pack verify -q - | sed 's/,"seconds".*//'
.
{"kind":"verify","path":"tiny.gguf","bytes":1197632,"sha256":"d53ae3ebbedacd3f0ec361ea1416aeeae6ae9e6a7bab0cb50e101b4f62652ae2","ok":true}
{"kind":"total","op":"verify","files":1,"ok":1,"failed":0,"bytes":1197632,"pack_bytes":1202176,"volumes":0

cd $W && rm -rf pz && mkdir pz && cd pz && llm-pack create -q --zstd --split 1M -o z.llmpack $TINY > /dev/null && ls && cat z.llmpack.002 z.llmpack.001 > bad && llm-pack verify -q z.llmpack.002 z.llmpack.001 | grep -c '"ok":true'; llm-pack verify -q - < bad; echo "rc=$?"
.
z.llmpack.001
z.llmpack.002
1
rc=1

%%FAIL 1
cd $W && rm -rf pv && mkdir pv && cd pv && llm-pack create -q --split 1M -o v.llmpack $TINY > /dev/null && llm-pack verify -q v.llmpack.002 > /dev/null
.
llm-pack: v.llmpack.001: volume missing

%%FAIL 1
cd $W && rm -rf pf && mkdir pf && cd pf && cp $TINY tiny.gguf && llm-pack create -q -o t.llmpack tiny.gguf > /dev/null && printf 'X' | dd of=t.llmpack bs=1 seek=600000 conv=notrunc 2> /dev/null && llm-pack extract -q -C out t.llmpack > /dev/null; ls out; exit 1
.
llm-pack: 1 of 1 files failed; first: member 'tiny.gguf': sha256 0cdaa7dab479100ee0a831f6ddb5f9703f6b05acc254eb0a4e3fd3ded0b29d89, the manifest says d53ae3ebbedacd3f0ec361ea1416aeeae6ae9e6a7bab0cb50e101b4f62652ae2

cd $W && rm -rf ps && mkdir ps && cd ps && llm-pack keygen k > /dev/null && llm-pack keygen k2 > /dev/null && llm-pack create -q --sign k.key -o s.llmpack $TINY > /dev/null && llm-pack verify -q -k k.pub s.llmpack | grep -o '"signature":"good"'; llm-pack verify -q -k k2.pub s.llmpack 2>&1 | grep -c 'not by the given key'; llm-pack verify s.llmpack 2>&1 >/dev/null | grep -c 'not checked'
.
"signature":"good"
1
1

cd $W && rm -rf po && mkdir -p po/store/blobs po/store/manifests/registry.ollama.ai/library/tiny && cd po && h=$(sha256sum < $TINY | cut -c1-64) && cp $TINY store/blobs/sha256-$h && printf '{}' > store/blobs/sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a && printf '{"schemaVersion":2,"config":{"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:%s","size":1197632}]}' $h > store/manifests/registry.ollama.ai/library/tiny/q4 && OLLAMA_MODELS=$PWD/store llm-pack create -q -o o.llmpack ollama:tiny:q4 | cut -d, -f2,6 && llm-pack extract -q --into-ollama st2 o.llmpack > /dev/null && diff -r store st2 && echo same store && llm-pack extract -q --into-ollama st3 --name foo:bar $TINY.pack 2>/dev/null; llm-pack create -q -o g.llmpack $TINY > /dev/null && llm-pack extract -q --into-ollama st3 --name foo:bar g.llmpack | cut -d, -f3 && ls st3/blobs | wc -l && OLLAMA_MODELS=$PWD/st3 llm-pack create -q -o again.llmpack ollama:foo:bar | grep -c '"role":"model"'
.
"path":"blobs/sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","role":"ollama-config"}
"path":"blobs/sha256-d53ae3ebbedacd3f0ec361ea1416aeeae6ae9e6a7bab0cb50e101b4f62652ae2","role":"model"}
"path":"manifests/registry.ollama.ai/library/tiny/q4","role":"ollama-manifest"}
"op":"create","bytes":1197916
same store
"dest":"blobs/sha256-d53ae3ebbedacd3f0ec361ea1416aeeae6ae9e6a7bab0cb50e101b4f62652ae2"
"files":1
2
1

cd $W && rm -rf pc && mkdir -p pc/store/blobs pc/store/manifests/registry.ollama.ai/library/bad && cd pc && h=$(sha256sum < $TINY | cut -c1-64) && cp $TINY store/blobs/sha256-$h && printf '{ }' > store/blobs/sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a && printf '{"config":{"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:%s"}]}' $h > store/manifests/registry.ollama.ai/library/bad/latest && OLLAMA_MODELS=$PWD/store llm-pack create -q -o b.llmpack ollama:bad 2>&1 >/dev/null | sed "s|$PWD|.|"; test ! -e b.llmpack && test ! -e b.llmpack.tmp && echo nothing written
.
llm-pack: ./store/blobs/sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a: corrupt: its name says sha256 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a, its content hashes to 257c1be96ae69f4b01c2c69bdb6d78605f59175819fb007d0bf245bf48444c4a
nothing written

%%FAIL 2
llm-pack
.
llm-pack: no command given (create, list, verify, extract, keygen)
usage: llm-pack create [-q] -o pack [-i file] [--zstd] [--split size] [--sign seckey] model ...
       llm-pack list [-q] pack ...
       llm-pack verify [-q] [-k pubkey] pack ... | dir
       llm-pack extract [-q] [-k pubkey] -C dir | --into-ollama dir [--name name[:tag]] pack ...
       llm-pack keygen name

%%FAIL 2
llm-pack extract x.llmpack
.
llm-pack: extract needs one of -C dir and --into-ollama dir

%%FAIL 1
llm-pack create -q -o /dev/full $TINY
.
llm-pack: writing /dev/full (member MANIFEST.json): No space left on device

# a large file not in the page cache is read around it (O_DIRECT, with a
# short last block): the same pack as from the cache, and it verifies
cd $W && rm -rf pd && mkdir pd && cd pd && truncate -s 70M big.bin && printf 'the end, unaligned' | dd of=big.bin bs=1 seek=73400001 conv=notrunc status=none && sync big.bin && dd if=big.bin iflag=nocache count=0 status=none && llm-pack create -q -o d.llmpack -i big.bin > /dev/null && cat big.bin > /dev/null && llm-pack create -q -o c.llmpack -i big.bin > /dev/null && cmp d.llmpack c.llmpack && llm-pack verify -q d.llmpack | grep -c '"ok":true'
.
1

# a large pack not in the page cache is read around it too (O_DIRECT,
# the member hashed where it lies): it verifies and extracts the same
# bytes, and a flipped byte in the middle of it is found
cd $W/pd && sync d.llmpack && dd if=d.llmpack iflag=nocache count=0 status=none && llm-pack verify -q d.llmpack | grep -c '"ok":true' && dd if=d.llmpack iflag=nocache count=0 status=none && llm-pack extract -q d.llmpack -C out > /dev/null && cmp out/big.bin big.bin && printf 'X' | dd of=d.llmpack bs=1 seek=40000000 conv=notrunc status=none && sync d.llmpack && dd if=d.llmpack iflag=nocache count=0 status=none && llm-pack verify -q d.llmpack | grep -c '"ok":false'
.
1
1
