# llmutils - see README.  GNU make.
include config.mk

# BUILD=DIR puts objects and binaries in DIR (parallel work trees)
ifeq ($(strip $(SAN)),1)
O = $(if $(BUILD),$(BUILD),build/san)
BINDIR = $(O)
CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
O = $(if $(BUILD),$(BUILD),build/rel)
BINDIR = $(if $(BUILD),$(BUILD),.)
endif
ifeq ($(strip $(BLAS)),openblas)
CPPFLAGS += -DLC_HAVE_BLAS=1
LDLIBS += -lopenblas
endif
ifeq ($(strip $(VULKAN)),1)
CPPFLAGS += -DLC_HAVE_VULKAN=1
LDLIBS += -lvulkan
endif
CPPFLAGS += -DLC_BUILD_BLAS=\"$(strip $(BLAS))\" -DLC_BUILD_VULKAN=$(strip $(VULKAN))

CORE_SRC = \
	libcore/status.c libcore/gguf.c libcore/dtype.c libcore/hparams.c \
	libcore/chat.c libcore/hf.c libcore/jsonw.c libcore/sha256.c libcore/sysinfo.c \
	libcore/utf8.c libcore/resolve.c libcore/quantize.c libcore/convert.c \
	libcore/quant/float.c libcore/quant/q4_0.c libcore/quant/q4_1.c \
	libcore/quant/q5_0.c libcore/quant/q5_1.c libcore/quant/q8_0.c \
	libcore/quant/kutil.c libcore/quant/q2_k.c libcore/quant/q3_k.c \
	libcore/quant/q4_k.c libcore/quant/q5_k.c libcore/quant/q6_k.c \
	libcore/quant/q8_k.c libcore/quant/iq4.c libcore/quant/dot.c \
	libcore/cpu/cpu.c libcore/cpu/pool.c libcore/cpu/vec_avx2.c \
	libcore/cpu/vec_avx512.c libcore/cpu/cpu_backend.c \
	libcore/model.c libcore/arch/llama.c libcore/arch/gemma3.c \
	libcore/arch/phi3.c libcore/arch/moe.c \
	libcore/sample.c \
	$(wildcard libcore/tok/*.c)
CORE_OBJ = $(CORE_SRC:%.c=$(O)/%.o)
CORE_HDR = $(wildcard libcore/*.h libcore/quant/*.h libcore/cpu/*.h \
	libcore/tok/*.h cmd/*.h tests/unit/*.h)

# SIMD kernels: only these files are built for the newer ISAs; the
# level is chosen at run time from cpuid (LLM_CPU=scalar|avx2|avx512)
AVX2_FLAGS = -mavx2 -mfma -mf16c
AVX512_FLAGS = $(AVX2_FLAGS) -mavx512f -mavx512bw -mavx512dq -mavx512vl \
	-mavx512vnni
$(O)/libcore/cpu/vec_avx2.o: CFLAGS += $(AVX2_FLAGS)
$(O)/libcore/cpu/vec_avx512.o: CFLAGS += $(AVX512_FLAGS)

CMDS = llm-inspect llm-run llm-quant
BINS = $(CMDS:%=$(BINDIR)/%)
UTIL_OBJ = $(O)/cmd/util.o

UNIT = t_status t_dtype t_quant t_gguf t_hf t_jsonw t_hparams t_chat \
	t_sample t_tok t_quantize
UNIT_BINS = $(UNIT:%=$(O)/tests/unit/%)
TOOLS = $(O)/tests/data/mkmodel $(O)/tests/malformed/mkbad \
	$(O)/tests/unit/t_models $(O)/tests/unit/t_model \
	$(O)/tests/unit/t_gemma3 \
	$(O)/tests/kernels/k_cpu

MODELS_DIR = $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/llmutils/models
DEFAULT_MODEL = $(MODELS_DIR)/SmolLM2-135M-Instruct.Q4_1.gguf
FUZZ_SECONDS = 60

all: $(BINS)

$(O)/%.o: %.c $(CORE_HDR) config.mk
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/libcore.a: $(CORE_OBJ)
	rm -f $@
	$(AR) -rc $@ $(CORE_OBJ)
	$(RANLIB) $@

$(BINDIR)/llm-%: $(O)/cmd/llm-%.o $(UTIL_OBJ) $(O)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $< $(UTIL_OBJ) $(O)/libcore.a $(LDLIBS)

$(O)/tests/%: $(O)/tests/%.o $(O)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $< $(O)/libcore.a $(LDLIBS)

# --- set-up ---------------------------------------------------------------
deps:
	sh tests/deps.sh

models:
	sh tests/models.sh

# --- the newcomer's two commands ------------------------------------------
demo: deps models
	$(MAKE) all
	$(BINDIR)/llm-inspect --summary $(DEFAULT_MODEL)
	$(BINDIR)/llm-run -m $(DEFAULT_MODEL) --temp 0 -n 64 "Name three uses of a paperclip."
	printf '%s\n' '{"id":"q1","prompt":"What is the capital of France?","max_tokens":24,"temperature":0}' \
	    '{"id":"q2","messages":[{"role":"user","content":"Say hello in Spanish."}],"max_tokens":16,"temperature":0}' | \
	    $(BINDIR)/llm-run -m $(DEFAULT_MODEL)

check: deps models
	$(MAKE) test

# build and run every test (no set-up); without sanitizers the malformed
# corpus also runs under a 1 GiB address-space limit, so a huge
# allocation fails the test instead of passing unnoticed
ifeq ($(strip $(SAN)),1)
MEMLIMIT =
else
MEMLIMIT = LC_MEMLIMIT_KB=1048576
endif
test: $(BINS) $(UNIT_BINS) $(TOOLS)
	O=$(O) BINDIR=$(BINDIR) MODELS_DIR=$(MODELS_DIR) $(MEMLIMIT) sh tests/run.sh

# a short fuzzing run of the GGUF reader, seeded with the corpus
fuzz-run: build/fuzz/fuzz_gguf
	mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_gguf -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    -rss_limit_mb=1024 -malloc_limit_mb=256 -print_final_stats=1 \
	    build/fuzz/corpus tests/fuzz/corpus

# --- fuzzing (clang + libFuzzer) ------------------------------------------
FUZZ_SRC = $(filter-out libcore/sysinfo.c libcore/cpu/% libcore/model.c \
	libcore/quantize.c libcore/convert.c \
	libcore/arch/%,$(CORE_SRC))
fuzz: build/fuzz/fuzz_gguf
build/fuzz/fuzz_gguf: tests/fuzz/fuzz_gguf.c $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(@D)
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    -o $@ tests/fuzz/fuzz_gguf.c $(FUZZ_SRC) -lcjson -lcrypto -lm -lpthread

# --- install ---------------------------------------------------------------
install: all
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(MANPREFIX)/man5 $(DESTDIR)$(MANPREFIX)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	for c in $(CMDS); do \
	    cp -f $(BINDIR)/$$c $(DESTDIR)$(PREFIX)/bin/$$c && chmod 755 $(DESTDIR)$(PREFIX)/bin/$$c; \
	    cp -f man/$$c.1 $(DESTDIR)$(MANPREFIX)/man1/ && chmod 644 $(DESTDIR)$(MANPREFIX)/man1/$$c.1; \
	    cp -f completions/bash/$$c $(DESTDIR)$(BASHCOMPDIR)/$$c; \
	    cp -f completions/zsh/_$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c; \
	    cp -f completions/fish/$$c.fish $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; \
	done
	cp -f man/llm-jsonl.5 $(DESTDIR)$(MANPREFIX)/man5/
	cp -f man/llmutils.7 $(DESTDIR)$(MANPREFIX)/man7/

uninstall:
	for c in $(CMDS); do \
	    rm -f $(DESTDIR)$(PREFIX)/bin/$$c $(DESTDIR)$(MANPREFIX)/man1/$$c.1 \
	        $(DESTDIR)$(BASHCOMPDIR)/$$c $(DESTDIR)$(ZSHCOMPDIR)/_$$c \
	        $(DESTDIR)$(FISHCOMPDIR)/$$c.fish; \
	done
	rm -f $(DESTDIR)$(MANPREFIX)/man5/llm-jsonl.5 $(DESTDIR)$(MANPREFIX)/man7/llmutils.7

dist:
	git archive --format=tar.gz --prefix=llmutils-$(VERSION)/ -o llmutils-$(VERSION).tar.gz HEAD

clean:
	rm -rf build $(CMDS) llmutils-*.tar.gz

.PHONY: all deps models demo check test fuzz fuzz-run install uninstall dist clean
.SECONDARY:
