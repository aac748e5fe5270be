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

#include "backend.h"
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
 * A device's compute roof, measured through a backend's own ops (for a
 * GPU, whose peak no CPU kernel can time): the rate of one matrix
 * product of f16 (and of f32) weights [k, n] with a batch of t f32
 * activation columns, timed as reps products recorded between begin()
 * and end() (host clock, submission included; best of 3).  The shape
 * starts at k = n = 256, t = 512 and grows 4 times in k and n (to 4096
 * at most) while a product takes under 20 ms; reps make a timed run
 * about 0.1 s.  It is what prompt
 * processing can reach with the backend's own GEMM kernel, not the
 * datasheet's peak.  Cached in the roof file under key, a name the
 * caller chooses for the device and its driver.
 */
typedef struct lc_roof_dev {
	char	 key[832];	/* "vulkan/NAME/DRIVER/DRIVER_INFO" */
	int64_t	 k, n, t;	/* the product measured */
	int	 reps;		/* products per timed run */
	double	 f16_gflops;	/* 2 k n t reps / seconds, 1e9 flop/s */
	double	 f32_gflops;
	int	 cached;	/* read from the cache file */
} lc_roof_dev;

/*
 * Times reps products W x of dtype (f16 or f32) weights [k, n] and t
 * columns on b: one untimed run, then runs timed ones; *secs the
 * fastest.  The weights stay bound to b: measure on a backend of its
 * own and free it afterwards.  Errors are b's (LC_EDEVICE, LC_ENOMEM,
 * LC_EUNSUP for a type without a kernel).
 */
int	 lc_roof_gemm(lc_backend *b, uint32_t dtype, int64_t k, int64_t n,
	    int64_t t, int reps, int runs, double *secs, lc_err *e);
/* Measures as described above (about a second on lavapipe). */
int	 lc_roof_dev_measure(lc_roof_dev *r, lc_backend *b, lc_err *e);
/* The cached roof of key, else measured on b and cached; refresh
   measures anyway. */
int	 lc_roof_dev_get(lc_roof_dev *r, const char *key, lc_backend *b,
	    int refresh, lc_err *e);

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
/* Weights of the output matrix (the token embedding if tied; none for
   an encoder, hp->causal 0, without output.weight). */
uint64_t lc_roof_output_params(const lc_gguf *g, const lc_hparams *hp);
/* Bytes of K and V cache one token reads at context length n_kv
   (kv_bytes: bytes per cached element; sliding-window layers read at
   most their window). */
double	 lc_roof_kv_bytes(const lc_hparams *hp, double n_kv, double kv_bytes);
/* FLOPs of the attention products (QK^T and PV) for one token at
   context length n_kv (for an encoder, the whole sequence). */
double	 lc_roof_attn_flops(const lc_hparams *hp, double n_kv);

#endif /* LC_ROOF_H */
