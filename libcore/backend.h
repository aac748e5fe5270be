/*
 * backend.h - the op interface every forward pass is written against.
 *
 * An architecture's forward pass (libcore/arch/) is a sequence of these
 * ops over tensors that live in backend memory; the CPU backend
 * (libcore/cpu/cpu_backend.c) runs each op at once, a GPU backend may
 * record them all between begin() and end() and submit once.  Only
 * end() can fail; ops themselves do not return errors: model.c checks
 * every shape and type up front, when the model is loaded.
 *
 * Activations are f32 and contiguous, [ne0, ne1] = [row length,
 * tokens]; weights keep their file type.  Shapes follow GGUF: ne[0] is
 * the row length.
 */
#ifndef LC_BACKEND_H
#define LC_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct lc_backend lc_backend;	/* opaque, one per device */

typedef struct lc_tensor {
	uint32_t	 dtype;		/* enum lc_dtype */
	int64_t		 ne[4];		/* ne[0] = row length; unused dims 1 */
	size_t		 row_bytes;	/* bytes of one ne[0] row */
	void		*data;		/* CPU: host pointer; else backend's */
	uint32_t	 buf;		/* backend buffer id (0 = host memory) */
} lc_tensor;

enum lc_norm_kind { LC_NORM_RMS, LC_NORM_LAYER };
enum lc_rope_mode { LC_ROPE_NORM, LC_ROPE_NEOX };	/* pairs (2i, 2i+1) or (i, i+d/2) */
/* GELU: tanh approximation, as ggml; GELU_ERF: the exact x/2 (1 +
   erf(x / sqrt 2)) of BERT's "gelu", without gate */
enum lc_act_kind { LC_ACT_SILU_GATE, LC_ACT_GELU_GATE, LC_ACT_GELU,
	LC_ACT_GELU_ERF };
/* pooling (embed.h), the values of GGUF's {arch}.pooling_type
   (llama.cpp's); the pool op takes MEAN, CLS and LAST */
enum lc_pooling {
	LC_POOL_NONE = 0,	/* every token's hidden state */
	LC_POOL_MEAN = 1,	/* mean over the tokens, specials included */
	LC_POOL_CLS = 2,	/* the first token's */
	LC_POOL_LAST = 3	/* the last token's */
};

/* The attention of one layer: where its K and V cache rows live. */
typedef struct lc_attn_args {
	int		 layer;
	int		 n_head, n_head_kv, head_dim;
	int		 n_swa;		/* sliding window (keys p1-p0 < n_swa); 0 none */
	float		 scale;		/* kq scale, usually 1/sqrt(head_dim) */
	/*
	 * Whole sequences without the cache (encoders, embeddings); zero
	 * in a zeroed struct, which keeps the cached, causal behaviour.
	 * When seq is not NULL the batch holds complete sequences, seq[t]
	 * naming the sequence of token t (the tokens of a sequence are
	 * contiguous columns): k and v are read from the batch
	 * and not stored, and token t attends to the tokens u of the batch
	 * with seq[u] == seq[t] and, unless non_causal is set, pos[u] <=
	 * pos[t]; scores in the order of u, softmax as above.  n_swa and
	 * the cache are ignored then; non_causal is ignored without seq.
	 */
	const int32_t	*seq;		/* [tokens] or NULL */
	int		 non_causal;
} lc_attn_args;

/*
 * RoPE of one layer, as llama.cpp computes it: pair i of the n_rot
 * rotated dimensions turns by theta = freq_scale * p * base^(-2i/n_rot)
 * / freq_factors[i]; with YaRN (ext_factor != 0) theta is mixed with the
 * unscaled angle by a ramp over the dimensions between the corrections
 * for beta_fast and beta_slow rotations in n_ctx_orig positions, and cos
 * and sin are multiplied by attn_factor (times 1 + 0.1 ln(1/freq_scale)
 * with YaRN).  Dimensions n_rot .. head_dim-1 are left as they are.
 */
typedef struct lc_rope_args {
	int		 n_head, head_dim, n_rot, mode;
	float		 base, freq_scale;
	float		 ext_factor, attn_factor, beta_fast, beta_slow;
	float		 n_ctx_orig;
	const float	*freq_factors;	/* n_rot/2 host floats, or NULL */
} lc_rope_args;

typedef struct lc_backend_ops {
	const char	*name;
	/* an f32 activation tensor of ne0 x ne1 in backend memory */
	int		(*alloc)(lc_backend *b, lc_tensor *t, int64_t ne0,
			    int64_t ne1, lc_err *e);
	void		(*release)(lc_backend *b, lc_tensor *t);
	/* makes a weight (mapped from the file) usable by the backend;
	   one of ne[2] > 1 matrices (a MoE layer's experts, for
	   moe_matmul) is a stack: matrix i starts at row i ne[1].  A
	   backend may serve the weights bound after a stack, until the
	   next begin(), from the stack's memory where their bytes lie
	   inside it (model.c's per-expert views) */
	int		(*weight)(lc_backend *b, lc_tensor *w, lc_err *e);
	/* K and V caches: per layer, cells[il] x kv_dim in kv_dtype.  A
	   layer with fewer cells than positions (a sliding-window layer)
	   is a ring: position p lives in cell p % cells[il] */
	int		(*kv_init)(lc_backend *b, int n_layer,
			    const int64_t *cells, int64_t kv_dim,
			    uint32_t kv_dtype, lc_err *e);
	void		(*kv_clear)(lc_backend *b);

	void		(*begin)(lc_backend *b);
	/* y[:, t] = row ids[t] of w (embedding lookup), times scale */
	void		(*get_rows)(lc_backend *b, const lc_tensor *w,
			    const int32_t *ids, float scale, lc_tensor *y);
	/* y = norm(x) * w (+ bias); w, bias: f32 [ne0] or NULL */
	void		(*norm)(lc_backend *b, int kind, const lc_tensor *x,
			    const lc_tensor *w, const lc_tensor *bias, float eps,
			    lc_tensor *y);
	/* y[:, t] = W x[:, t] (+ bias); W is [in, out] as stored */
	void		(*matmul)(lc_backend *b, const lc_tensor *w,
			    const lc_tensor *x, const lc_tensor *bias,
			    lc_tensor *y);
	/* y = a + c (c broadcast if it has one column) */
	void		(*add)(lc_backend *b, const lc_tensor *a,
			    const lc_tensor *c, lc_tensor *y);
	/* y = a + s * c (c broadcast if it has one column); a MoE
	   layer adds each expert's output with its routing weight */
	void		(*scale_add)(lc_backend *b, const lc_tensor *a,
			    float s, const lc_tensor *c, lc_tensor *y);
	/* x [head_dim * n_head, tokens] rotated in place at positions pos */
	void		(*rope)(lc_backend *b, lc_tensor *x,
			    const lc_rope_args *r, const int32_t *pos);
	/* stores k, v [kv_dim, tokens] at cells pos[], then out[:, t] =
	   softmax(q_t K^T * scale, causal and window masks) V; with
	   a->seq, k and v of the batch itself (see lc_attn_args) */
	void		(*attention)(lc_backend *b, const lc_attn_args *a,
			    const lc_tensor *q, const lc_tensor *k,
			    const lc_tensor *v, const int32_t *pos,
			    lc_tensor *out);
	/* y = act(gate) * up, or act(x) for LC_ACT_GELU and
	   LC_ACT_GELU_ERF (up NULL) */
	void		(*act)(lc_backend *b, int kind, const lc_tensor *gate,
			    const lc_tensor *up, lc_tensor *y);
	/* one vector per sequence: sequence s is columns start[s] ..
	   start[s+1]-1 of x (start: n_seq + 1 host ints, rising), and
	   y[:, s] is their mean (LC_POOL_MEAN; summed in double on the
	   CPU, compensated float on a GPU), the first (LC_POOL_CLS) or
	   the last (LC_POOL_LAST); y is [x->ne[0], >= n_seq] */
	void		(*pool)(lc_backend *b, int kind, const lc_tensor *x,
			    const int32_t *start, int n_seq, lc_tensor *y);
	/* copies column col of x to host memory: between begin() and
	   end() the copy is recorded and host is filled by the time end()
	   returns (a backend with read_now set fills it at once) */
	void		(*read)(lc_backend *b, const lc_tensor *x, int64_t col,
			    float *host);
	int		(*end)(lc_backend *b, lc_err *e);
	void		(*free)(lc_backend *b);
	/*
	 * Optional (NULL: not offered).  From the next op on, matmul
	 * multiplies f32 weights by a BLAS GEMM when x has at least
	 * min_batch columns; 0 (the default) never does.  Results differ
	 * from the backend's own kernels by rounding only.  lc_model_hidden
	 * turns it on for its batches and off again.
	 */
	void		(*gemm_min_batch)(lc_backend *b, int min_batch);
	/*
	 * Mixture of experts, optional (NULL: not offered).  With them a
	 * MoE layer routes on the device, inside the step's one command
	 * buffer (arch/moe.c).  A selection sel is [2 n_used, tokens]:
	 * column t holds token t's chosen experts' numbers (as floats,
	 * exact) in rows 0 .. n_used-1, largest probability first, and
	 * their weights in rows n_used .. 2 n_used-1.
	 *
	 * moe_route: sel from the router logits [n_expert, tokens]:
	 * p = softmax(logits[:, t]), the n_used largest p (of equal ones
	 * the lower expert number first), weights p_e / max(sum of the
	 * chosen p, 2^-14) (llama.cpp's softmax gating, renormalised).
	 */
	void		(*moe_route)(lc_backend *b, const lc_tensor *logits,
			    int n_used, lc_tensor *sel);
	/*
	 * moe_matmul: y[:, s + n_used t] = W_e x[:, c] for e = sel[s, t],
	 * c = t when x has one column per token, s + n_used t when it has
	 * one per (slot, token); only the chosen experts are read.  W is
	 * a stack [in, out, n_expert] (a GGUF 3-D expert tensor as stored).
	 */
	void		(*moe_matmul)(lc_backend *b, const lc_tensor *w,
			    const lc_tensor *sel, const lc_tensor *x,
			    lc_tensor *y);
	/* moe_add: y[:, t] = a[:, t] + sum over s in order of sel[n_used +
	   s, t] c[:, s + n_used t]; y may be a */
	void		(*moe_add)(lc_backend *b, const lc_tensor *a,
			    const lc_tensor *sel, const lc_tensor *c,
			    lc_tensor *y);
	/* 1 if read() fills host at once, also between begin() and end()
	   (the CPU): a MoE layer may then route on the host (arch/moe.c) */
	int		 read_now;
} lc_backend_ops;

struct lc_backend {
	const lc_backend_ops	*ops;
};

/* The CPU backend with n threads (0: one per core). */
int	lc_cpu_backend_new(lc_backend **out, int nthreads, lc_err *e);
/*
 * The Vulkan backend on physical device number device (0: the first
 * discrete GPU, else the first device).  LC_EDEVICE when there is no
 * such device, it cannot run our shaders, or the build has no Vulkan
 * (libcore/vk/vk_none.c).
 */
int	lc_vk_backend_new(lc_backend **out, int device, lc_err *e);

/*
 * What lc_vk_device_info() tells of a Vulkan device: its name ("NVIDIA
 * H100 80GB HBM3"), its driver's name ("NVIDIA", "llvmpipe") and version
 * in words ("550.54.15", "Mesa 22.3.6 (LLVM 15.0.6)"); bandwidth is the
 * bytes read plus written per second by a copy shader between two
 * buffers of bw_bytes each, timed by the device (best of 5).
 */
typedef struct lc_vk_info {
	char		 name[256];
	char		 driver[256];
	char		 driver_info[256];
	uint32_t	 driver_version; /* as the vendor encodes it */
	uint32_t	 api_version;	/* major << 22 | minor << 12 | patch */
	char		 type[16];	/* "discrete", "integrated", "virtual",
					   "cpu" or "other" */
	uint64_t	 mem_bytes;	/* device-local memory (all such heaps) */
	uint64_t	 bw_bytes;
	double		 bandwidth;	/* bytes/s */
} lc_vk_info;

/*
 * Describes physical device number device (numbered as for
 * lc_vk_backend_new) and measures its memory bandwidth, at each call
 * (nothing is cached; about a second on lavapipe, milliseconds on a
 * GPU).  LC_EDEVICE as lc_vk_backend_new, LC_ENOMEM when the device
 * has no room for the copy's two buffers.
 */
int	lc_vk_device_info(int device, lc_vk_info *out, lc_err *e);

/*
 * How many dispatches a Vulkan backend has recorded since it started of
 * the shaders whose name begins with name ("norm", "quant_act",
 * "matvec" for every weight type's): how the tests see that ops were
 * fused.  0 for another backend.
 */
uint64_t	lc_vk_dispatches(lc_backend *b, const char *name);

#endif /* LC_BACKEND_H */
