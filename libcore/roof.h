/*
 * roof.h - this machine's roofline: memory read bandwidth and the peak
 * arithmetic rates of its CPU cores, measured once and cached in
 * ${XDG_CACHE_HOME:-~/.cache}/llmutils/roof.json under the CPU model
 * and core count.  A speed result divided by its roof tells how much
 * room a kernel still has: generation streams the weights once per
 * token (memory roof), prompt processing multiplies them by a batch of
 * tokens (compute roof).
 */
#ifndef LC_ROOF_H
#define LC_ROOF_H

#include <stdint.h>

#include "gguf.h"
#include "hparams.h"
#include "status.h"

typedef struct lc_roof {
	char	 key[128];	/* "CPU model/ncpu" */
	int	 threads;	/* measured with this many threads */
	double	 bw_gbs;	/* read bandwidth, 1e9 bytes/s */
	double	 f32_gflops;	/* f32 FMA peak, 1e9 flop/s */
	double	 i8_gops;	/* int8 dot-product peak (VNNI, else
				   AVX2 maddubs), 1e9 op/s; 0: none */
	int	 cached;	/* read from the cache file */
} lc_roof;

/*
 * Measures with one thread per core (about two seconds), or reads the
 * cache when it holds this CPU; refresh measures anyway.  The cache is
 * rewritten after a measurement (a failure to write it is ignored: the
 * numbers are still good).
 */
int	 lc_roof_get(lc_roof *r, int refresh, lc_err *e);
int	 lc_roof_measure(lc_roof *r, int threads, lc_err *e);
/* The cache file's path, into buf. */
const char *lc_roof_path(char *buf, size_t len);

/*
 * Bytes of weights a token reads when generating: every tensor once,
 * except the token embedding, of which one row is read (unless it is
 * also the output matrix); with experts, the used share of the expert
 * tensors.
 */
uint64_t lc_roof_weight_bytes(const lc_gguf *g, const lc_hparams *hp);
/* Weights of the layers' matrix products a token passes through (for
   FLOPs: 2 per weight; experts as above), without the output matrix:
   a prompt needs that for its last token only. */
uint64_t lc_roof_matmul_params(const lc_gguf *g, const lc_hparams *hp);
/* Weights of the output matrix (the token embedding if tied). */
uint64_t lc_roof_output_params(const lc_gguf *g, const lc_hparams *hp);
/* Bytes of K and V cache one token reads at context length n_kv
   (kv_bytes: bytes per cached element; sliding-window layers read at
   most their window). */
double	 lc_roof_kv_bytes(const lc_hparams *hp, double n_kv, double kv_bytes);
/* FLOPs of the attention products (QK^T and PV) for one token at
   context length n_kv. */
double	 lc_roof_attn_flops(const lc_hparams *hp, double n_kv);

#endif /* LC_ROOF_H */
