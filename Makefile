# llmutils - see README.  GNU make.
include config.mk

# plain `make` builds the commands, whatever rule comes first below
.DEFAULT_GOAL := all

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

# every .c under these directories is part of the core library; the
# Vulkan backend (libcore/vk/) only when VULKAN=1, else its stub
VK_SRC = $(filter-out libcore/vk/vk_none.c,$(wildcard libcore/vk/*.c))
CORE_SRC = $(sort $(wildcard libcore/*.c libcore/quant/*.c libcore/cpu/*.c \
	libcore/arch/*.c libcore/tok/*.c) \
	$(if $(and $(filter 1,$(strip $(VULKAN))),$(VK_SRC)),$(VK_SRC),libcore/vk/vk_none.c))
CORE_OBJ = $(CORE_SRC:%.c=$(O)/%.o)
CORE_HDR = $(wildcard libcore/*.h libcore/quant/*.h libcore/cpu/*.h \
	libcore/tok/*.h libcore/arch/*.h libcore/vk/*.h cmd/*.h tests/unit/*.h)

# SIMD kernels: only these files are built for the newer ISAs; the
# level is chosen at run time from cpuid (LLM_CPU=scalar|avx2|avx512)
AVX2_FLAGS = -mavx2 -mfma -mf16c
AVX512_FLAGS = $(AVX2_FLAGS) -mavx512f -mavx512bw -mavx512dq -mavx512vl \
	-mavx512vnni
$(O)/libcore/cpu/vec_avx2.o: CFLAGS += $(AVX2_FLAGS)
$(O)/libcore/cpu/vec_avx512.o: CFLAGS += $(AVX512_FLAGS)

# Vulkan shaders: shaders/NAME.comp (with variants: -DW_<type> per
# weight type, -DKV_<type> per cache type) -> SPIR-V as a C array
# sh_NAME[_variant] in $(O)/shaders/*.h, embedded by libcore/vk/
VK_WTYPES = f32 f16 q4_0 q4_1 q5_0 q5_1 q8_0 q4_k q5_k q6_k
VK_SPV = $(foreach s,matvec matmul get_rows,$(VK_WTYPES:%=$(O)/shaders/sh_$(s)_%.h)) \
	$(foreach s,attn kv_store,$(O)/shaders/sh_$(s)_f16.h $(O)/shaders/sh_$(s)_f32.h) \
	$(foreach s,norm add act rope quant_act,$(O)/shaders/sh_$(s).h)
VK_SPV += $(O)/shaders/sh_attn_q8_0.h $(O)/shaders/sh_kv_store_q8_0.h $(O)/shaders/sh_pool.h
VK_SPV += $(VK_WTYPES:%=$(O)/shaders/sh_moe_matvec_%.h) \
	$(O)/shaders/sh_moe_route.h $(O)/shaders/sh_moe_add.h
VK_GLSL = $(wildcard shaders/common/*.glsl)
GLSLC = glslangValidator -V --target-env vulkan1.2
$(O)/shaders/sh_matvec_%.h: shaders/matvec.comp $(VK_GLSL)
	@mkdir -p $(@D)
	$(GLSLC) -DW_$* --vn sh_matvec_$* -o $@ $<
$(O)/shaders/sh_matmul_%.h: shaders/matmul.comp $(VK_GLSL)
	@mkdir -p $(@D)
	$(GLSLC) -DW_$* --vn sh_matmul_$* -o $@ $<
$(O)/shaders/sh_get_rows_%.h: shaders/get_rows.comp $(VK_GLSL)
	@mkdir -p $(@D)
	$(GLSLC) -DW_$* --vn sh_get_rows_$* -o $@ $<
$(O)/shaders/sh_moe_matvec_%.h: shaders/moe_matvec.comp $(VK_GLSL)
	@mkdir -p $(@D)
	$(GLSLC) -DW_$* --vn sh_moe_matvec_$* -o $@ $<
$(O)/shaders/sh_attn_%.h: shaders/attn.comp $(VK_GLSL)
	@mkdir -p $(@D)
	$(GLSLC) -DKV_$* --vn sh_attn_$* -o $@ $<
$(O)/shaders/sh_kv_store_%.h: shaders/kv_store.comp $(VK_GLSL)
	@mkdir -p $(@D)
	$(GLSLC) -DKV_$* --vn sh_kv_store_$* -o $@ $<
$(O)/shaders/sh_%.h: shaders/%.comp $(VK_GLSL)
	@mkdir -p $(@D)
	$(GLSLC) --vn sh_$* -o $@ $<
$(VK_SRC:%.c=$(O)/%.o): $(VK_SPV)
$(VK_SRC:%.c=$(O)/%.o): CPPFLAGS += -I$(O)/shaders

# every cmd/llm-NAME.c is a command
CMDS = $(patsubst cmd/%.c,%,$(sort $(wildcard cmd/llm-*.c)))
BINS = $(CMDS:%=$(BINDIR)/%)
UTIL_OBJ = $(O)/cmd/util.o

# tests/unit/t_*.c: unit tests (tests/run.sh runs each; t_models is a
# helper tool), tests/kernels/k_*.c: SIMD kernels against the scalar ones,
# bench/*.c: measuring tools (tests/run.sh runs each once, small)
UNIT_BINS = $(patsubst %.c,$(O)/%,$(sort $(wildcard tests/unit/t_*.c)))
TOOLS = $(O)/tests/data/mkmodel $(O)/tests/malformed/mkbad \
	$(patsubst %.c,$(O)/%,$(sort $(wildcard tests/kernels/k_*.c))) \
	$(patsubst %.c,$(O)/%,$(sort $(wildcard bench/*.c)))

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

$(O)/bench/%: $(O)/bench/%.o $(O)/libcore.a
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
# the GGUF reader and what it needs, nothing that wants the thread pool
FUZZ_SRC = libcore/status.c libcore/gguf.c libcore/dtype.c libcore/hparams.c \
	libcore/chat.c libcore/hf.c libcore/jsonw.c libcore/sha256.c \
	libcore/utf8.c libcore/resolve.c \
	$(wildcard libcore/quant/*.c libcore/tok/*.c)
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
