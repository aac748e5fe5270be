# llmutils version
VERSION = 0.1.0

# paths
PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

# knobs
BLAS = openblas		# openblas | none
VULKAN = 1		# 1 | 0
SAN = 0			# 1: build with ASan+UBSan

CC = cc
AR = ar
RANLIB = ranlib

CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DLC_VERSION=\"$(VERSION)\"
CFLAGS = -std=c11 -O2 -g -Wall -Wextra -Wpedantic -ffp-contract=off
LDFLAGS =
LDLIBS = -lcjson -larchive -lxxhash -lcrypto -lm -lpthread
