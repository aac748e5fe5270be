/*
 * vk.c - the op interface of backend.h on a Vulkan device.
 *
 * Memory: weights are copied once, through a host-visible staging
 * buffer, into device-local buffers (256 MiB chunks, larger weights in a
 * buffer of their own), kept in the file's block layout (a weight
 * whose bytes lie inside a stack, a MoE layer's 3-D expert tensor,
 * uploaded since the last begin() is a view of the stack's copy);
 * activations and the KV cache (per layer, K and V) are device-local
 * buffers of their own; each forward step's small inputs (token ids,
 * positions, RoPE frequency factors) and outputs (read()) go through
 * host-visible "ring" chunks, reused from the start at every begin().
 *
 * Tensors: a weight keeps its host pointer in data (RoPE's frequency
 * factors are read from it on the host) and gets a buffer id in buf; an
 * activation's data is not a host pointer but id << 32, so the views
 * model_impl.h makes (first columns, reshapes, last columns by pointer
 * arithmetic) map to byte offsets: offset = data - (id << 32).
 *
 * Commands: the ops between begin() and end() are recorded into command
 * buffers, sent to the device every CB_DISPATCHES dispatches and at
 * end(), which waits for them.  A dispatch waits behind a memory
 * barrier only when it touches bytes an earlier one wrote, or writes
 * bytes one reads, since the last barrier (hazard(); LC_VK_SYNC: after
 * every dispatch).  A read() between them records a copy into a ring
 * chunk and fills the host memory at end(); a read() after end()
 * (lc_model_hidden's order) copies the whole tensor at once and serves
 * its other columns from that copy.  Descriptors are pushed per
 * dispatch (VK_KHR_push_descriptor); every pipeline shares one layout
 * of 5 storage buffers and 128 bytes of push constants.  Pipelines are
 * built on first use.
 *
 * Fusion (generation, up to FUSE_COLS columns; not under LC_VK_SYNC):
 * a norm, an activation, a whole matrix-vector product or a RoPE with
 * pairs (2i, 2i+1) is held back (run_later()) until the next op.  If
 * that op is the rounding of the held op's output for a product
 * (quant_x()), quant_act.comp does the norm or activation first and
 * writes its output too; if it is an add in place of the product's
 * output into a residual (add_op()), matvec.comp adds into the
 * residual itself; if it is attention over the keys the RoPE turned,
 * kv_store.comp turns them as it stores them.  Otherwise the held
 * dispatch is recorded as it was.  A Llama layer goes from 16
 * dependent dispatches to 10, with the same results (k_vk compares the
 * chains fused and unfused).
 *
 * Attention in generation over more than ATTN_PART positions is split:
 * up to ATTN_PARTS workgroups per token and head, each over its own
 * positions (a GPU has far more cores than a model has heads), their
 * partial softmax merged by quant_act.comp's pre 3, held back like the
 * others and so fused into the rounding for the output projection.
 *
 * Ops cannot fail (backend.h): a failure while recording is kept and
 * returned by end().
 *
 * lc_vk_device_info() (at the end) opens the device as the backend does
 * and times add.comp's copy mode for llm-bench's bandwidth roof.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vulkan/vulkan.h>

#include "../backend.h"
#include "../dtype.h"
#include "vk_impl.h"

#if UINTPTR_MAX <= 0xffffffffu
#error "the Vulkan backend needs 64-bit pointers"
#endif

#define NBIND		5
#define WCHUNK		((VkDeviceSize)256 << 20)	/* weight buffers */
#define STAGE		((VkDeviceSize)32 << 20)	/* upload staging */
#define RCHUNK		((VkDeviceSize)4 << 20)		/* ring chunks */
#define PAD		64	/* past every buffer: shaders read a word over */

typedef struct vbuf {
	VkBuffer	 buf;
	VkDeviceMemory	 mem;
	VkDeviceSize	 size;
	void		*map;		/* host-visible ones: mapped */
} vbuf;

/* what a tensor's buf names: its bytes start at off in vb, where the
   tensor's data value is base */
typedef struct vent {
	vbuf		*vb;
	VkDeviceSize	 off;
	uintptr_t	 base;
	int		 own;		/* vb is this entry's alone */
	uint64_t	 hn;		/* a stack (3-D weight): its bytes
					   at base, for the weights inside */
} vent;

typedef struct vbind {
	VkDescriptorBufferInfo	 bi;
	uint32_t		 rem;	/* bytes from bi.offset to the data */
} vbind;

typedef struct vrange {
	VkBuffer	 buf;
	VkDeviceSize	 lo, hi;
} vrange;

#define HAZ_MAX		48
#define CB_DISPATCHES	96

typedef struct vread {
	float		*host;
	const void	*src;
	size_t		 n;
} vread;

typedef struct vk_backend {
	lc_backend		 base;
	VkInstance		 inst;
	VkPhysicalDevice	 pd;
	VkDevice		 dev;
	VkQueue			 q;
	uint32_t		 qfam;
	VkPhysicalDeviceMemoryProperties mp;
	VkDeviceSize		 maxrange, align;
	char			 name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
	PFN_vkCmdPushDescriptorSetKHR push;
	VkDescriptorSetLayout	 dsl;
	VkPipelineLayout	 pl;
	VkPipeline		 pipe[VP_N];
	VkCommandPool		 pool;
	VkCommandBuffer		 cmd, ucmd;
	/* a step's command buffers: every CB_DISPATCHES dispatches the one
	   being recorded is submitted, so the device starts while the
	   host records the rest */
	VkCommandBuffer		*cbs;
	size_t			 ncbs, cbcur;
	uint32_t		 cbn;
	/* the byte ranges written and read since the last barrier: a
	   dispatch that touches what another wrote, or writes what
	   another reads, waits for a barrier; others run alongside */
	vrange			 hw[HAZ_MAX], hr[HAZ_MAX];
	int			 nhw, nhr;
	int			 sync;	/* LC_VK_SYNC set: a barrier after
					   every dispatch, one submission
					   per step */
	VkFence			 fence;
	int			 recording, uopen;
	VkPipeline		 bound;
	/* tensors */
	vent			*ents;
	size_t			 nents, cents;
	size_t			 stk0;	/* stacks at ents[stk0..] uploaded
					   since begin(): may be shared */
	/* weights: the chunk being filled */
	vbuf			*wcur;
	VkDeviceSize		 wused;
	vbuf			**wchunks;
	size_t			 nwchunks;
	/* uploads */
	vbuf			*stage;
	VkDeviceSize		 sused;
	/* ring: host-visible chunks for a step's inputs and outputs */
	vbuf			**ring;
	size_t			 nring, rcur;
	VkDeviceSize		 rused;
	vread			*reads;
	size_t			 nreads, creads;
	/* the view a read() after end() copied whole (its columns at
	   lhost in the ring), for the reads of its other columns; until
	   the next begin() */
	uint32_t		 lbuf;
	uintptr_t		 ldata;
	size_t			 lrow;
	int64_t			 lncol;
	const char		*lhost;
	vbuf			*dummy;
	/* a matrix product's activations rounded as the CPU rounds them,
	   then one float per 32-block (q8_1's sums) */
	vbuf			*xq;
	/* what xq holds (x's binding and offset in it, shape, rounding),
	   until a dispatch writes into that binding: the next product of
	   the same x (Q, K and V; gate and up) reuses it */
	int			 xq_ok;
	vrange			 xq_src;
	uint32_t		 xq_rem;
	int64_t			 xq_k, xq_n;
	size_t			 xq_row;
	uint32_t		 xq_kind;
	/* a dispatch held back until the next op, which may take it in
	   (generation): a norm, an activation or the merge of split
	   attention into the rounding of its output for a product
	   (quant_act.comp's pre), a matrix-vector product into the
	   residual add of its output (matvec.comp's hasbias 2), the keys'
	   RoPE into their store (kv_store.comp's rope); any other op
	   records it first */
	struct {
		int		 pipe;		/* -1: none */
		int		 what;		/* PD_* */
		vbind		 b[NBIND];
		unsigned	 has;		/* bindings given */
		uint32_t	 pc[32];
		uint32_t	 pcsize;
		uint64_t	 gx, pbytes;
		int		 ob;		/* its output's binding */
		/* PD_ROPE: its positions and frequency factors (NULL:
		   none), in the ring's host memory */
		const int32_t	*hpos;
		const float	*hff;
	} hold;
	/* split attention's parts (attn.comp's nsplit), sized at the
	   first split */
	vbuf			*apart;
	uint64_t		 ncalls[VP_N];	/* dispatches recorded */
	/* matvec.comp's workgroup size, rows at a time, groups of them
	   per workgroup and variant, per weight type (LC_VK_MATVEC) */
	uint32_t		 mv_wg[VW_N], mv_nr[VW_N], mv_rg[VW_N];
	uint32_t		 mv_var[VW_N];
	/* KV cache */
	vbuf			**kc, **vc;
	int64_t			*cells;
	int			 n_layer;
	int64_t			 kv_dim;
	uint32_t		 kv_dtype;
	/* the first failure while recording, for end() */
	int			 bad;
	lc_err			 err;
	/* LC_VK_PROFILE set: a timestamp after every dispatch, the
	   differences summed per pipeline and printed by vk_free() */
	VkQueryPool		 pqp;
	uint32_t		 pn, pvalid;
	double			 pperiod;
	uint16_t		*ppipe;		/* pipeline of timestamp k */
	uint64_t		*pts;
	uint64_t		 pbytes_next;	/* weight bytes of the next
						   dispatch */
	double			 pns[VP_N + 1], pbytes[VP_N + 1];
	uint64_t		 pcalls[VP_N + 1], psteps;
	double			 pstep_ns;
	uint64_t		 nbar, pbar;	/* barriers: this step's,
						   the profiled steps' */
} vk_backend;

#define PROF_MAX	16384

/* what vk_backend.hold holds; PD_MERGE is quant_act.comp's pre 3
   alone, the merge of split attention; PD_ROPE a RoPE with pairs
   (2i, 2i+1), which the keys' store into the cache may take in */
enum { PD_NORM, PD_ACT, PD_MATVEC, PD_MERGE, PD_ROPE };

typedef struct rope_pc {
	uint32_t ntok, n_head, head_dim, n_rot, neox, xoff, xstride;
	uint32_t posoff, ffoff, hasff;
	float theta_scale, freq_scale, ext_factor, mscale, lo, hi;
} rope_pc;

/* the push constants of the shaders that fuse (their PC blocks) */
typedef struct norm_pc {
	uint32_t n, ncols, xoff, xstride, yoff, ystride, woff, boff;
	uint32_t hasw, hasb, kind;
	float eps;
} norm_pc;

typedef struct act_pc {
	uint32_t ne0, ncols, goff, gstride, uoff, ustride, yoff, ystride;
	uint32_t hasup, kind;
} act_pc;

typedef struct quant_pc {
	uint32_t ne0, ncols, xoff, xstride, kind, soff;
	uint32_t pre, sub, aoff, astride, hasaux, ooff, ostride;
	float eps;
	uint32_t hd, nsplit;
} quant_pc;

/* matvec.comp's (matmul.comp's is its start) */
typedef struct mv_pc {
	uint32_t ne0, nrows, ncols, woff, wrow, xoff, xstride, yoff;
	uint32_t ystride, boff, hasbias, soff, xv4, fast, rstride;
	float rs;
} mv_pc;

/* the ops fused in generation take at most this many columns */
#define FUSE_COLS	8

#define VK(b) ((vk_backend *)(b))

static void
fail(vk_backend *v, int code, const char *fmt, ...)
{
	va_list ap;
	char msg[200];

	if (v->bad)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->bad = 1;
	(void)lc_errf(&v->err, code, "vulkan: %s", msg);
}

static int
vkerr(lc_err *e, const char *what, VkResult r)
{
	return lc_errf(e, r == VK_ERROR_OUT_OF_DEVICE_MEMORY ||
	    r == VK_ERROR_OUT_OF_HOST_MEMORY ? LC_ENOMEM : LC_EDEVICE,
	    "vulkan: %s failed (VkResult %d)", what, (int)r);
}

/* --- memory --------------------------------------------------------- */

static int
memtype(const vk_backend *v, uint32_t bits, VkMemoryPropertyFlags want)
{
	uint32_t i;

	for (i = 0; i < v->mp.memoryTypeCount; i++)
		if ((bits & (1u << i)) && (v->mp.memoryTypes[i].propertyFlags &
		    want) == want)
			return (int)i;
	return -1;
}

static void
vbuf_free(vk_backend *v, vbuf *b)
{
	if (b == NULL)
		return;
	if (b->buf != VK_NULL_HANDLE)
		vkDestroyBuffer(v->dev, b->buf, NULL);
	if (b->mem != VK_NULL_HANDLE)
		vkFreeMemory(v->dev, b->mem, NULL);
	free(b);
}

/* a buffer of size bytes (plus PAD): device-local, or host-visible and
   mapped */
static int
vbuf_new(vk_backend *v, VkDeviceSize size, int host, vbuf **out, lc_err *e)
{
	VkBufferCreateInfo bci = { .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO };
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };
	VkMemoryRequirements mr;
	VkResult r;
	vbuf *b;
	int t;

	*out = NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return lc_errf(e, LC_ENOMEM, "vulkan: buffer");
	b->size = size + PAD;
	bci.size = b->size;
	bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
	    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
	bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
	if ((r = vkCreateBuffer(v->dev, &bci, NULL, &b->buf)) != VK_SUCCESS) {
		free(b);
		return vkerr(e, "vkCreateBuffer", r);
	}
	vkGetBufferMemoryRequirements(v->dev, b->buf, &mr);
	if (host) {
		t = memtype(v, mr.memoryTypeBits,
		    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
		    VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
		    VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
		if (t < 0)
			t = memtype(v, mr.memoryTypeBits,
			    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
			    VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
	} else {
		t = memtype(v, mr.memoryTypeBits,
		    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
		if (t < 0)
			t = memtype(v, mr.memoryTypeBits, 0);
	}
	if (t < 0) {
		vbuf_free(v, b);
		return lc_errf(e, LC_EDEVICE, "vulkan: no memory type for a "
		    "%s buffer", host ? "host-visible" : "device");
	}
	mai.allocationSize = mr.size;
	mai.memoryTypeIndex = (uint32_t)t;
	if ((r = vkAllocateMemory(v->dev, &mai, NULL, &b->mem)) != VK_SUCCESS) {
		vbuf_free(v, b);
		return lc_errf(e, LC_ENOMEM, "vulkan: %llu bytes of %s memory "
		    "(VkResult %d)", (unsigned long long)size, host ? "host" :
		    "device", (int)r);
	}
	if ((r = vkBindBufferMemory(v->dev, b->buf, b->mem, 0)) != VK_SUCCESS ||
	    (host && (r = vkMapMemory(v->dev, b->mem, 0, VK_WHOLE_SIZE, 0,
	    &b->map)) != VK_SUCCESS)) {
		vbuf_free(v, b);
		return vkerr(e, "binding buffer memory", r);
	}
	*out = b;
	return LC_OK;
}

/* --- one-shot commands (uploads, fills, late reads) ------------------ */

static int
submit_wait(vk_backend *v, VkCommandBuffer cb, lc_err *e)
{
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO };
	VkResult r;

	si.commandBufferCount = 1;
	si.pCommandBuffers = &cb;
	if ((r = vkQueueSubmit(v->q, 1, &si, v->fence)) != VK_SUCCESS)
		return vkerr(e, "vkQueueSubmit", r);
	if ((r = vkWaitForFences(v->dev, 1, &v->fence, VK_TRUE, UINT64_MAX)) !=
	    VK_SUCCESS)
		return vkerr(e, "vkWaitForFences", r);
	if ((r = vkResetFences(v->dev, 1, &v->fence)) != VK_SUCCESS)
		return vkerr(e, "vkResetFences", r);
	return LC_OK;
}

static int
ucmd_open(vk_backend *v, lc_err *e)
{
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };
	VkResult r;

	if (v->uopen)
		return LC_OK;
	bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
	if ((r = vkBeginCommandBuffer(v->ucmd, &bi)) != VK_SUCCESS)
		return vkerr(e, "vkBeginCommandBuffer", r);
	v->uopen = 1;
	return LC_OK;
}

static int
ucmd_flush(vk_backend *v, lc_err *e)
{
	VkResult r;
	int rc;

	if (!v->uopen)
		return LC_OK;
	v->uopen = 0;
	v->sused = 0;
	if ((r = vkEndCommandBuffer(v->ucmd)) != VK_SUCCESS)
		return vkerr(e, "vkEndCommandBuffer", r);
	rc = submit_wait(v, v->ucmd, e);
	(void)vkResetCommandBuffer(v->ucmd, 0);
	return rc;
}

/* n bytes of src to offset off of b, through the staging buffer */
static int
upload(vk_backend *v, vbuf *b, VkDeviceSize off, const void *src,
    VkDeviceSize n, lc_err *e)
{
	VkBufferCopy c;
	VkDeviceSize k;
	int rc;

	while (n > 0) {
		if (v->sused == STAGE && (rc = ucmd_flush(v, e)) != LC_OK)
			return rc;
		if ((rc = ucmd_open(v, e)) != LC_OK)
			return rc;
		k = STAGE - v->sused < n ? STAGE - v->sused : n;
		memcpy((char *)v->stage->map + v->sused, src, (size_t)k);
		c.srcOffset = v->sused;
		c.dstOffset = off;
		c.size = k;
		vkCmdCopyBuffer(v->ucmd, v->stage->buf, b->buf, 1, &c);
		v->sused += (k + 15) & ~(VkDeviceSize)15;
		if (v->sused > STAGE)
			v->sused = STAGE;
		src = (const char *)src + k;
		off += k;
		n -= k;
	}
	return LC_OK;
}

/* --- tensors --------------------------------------------------------- */

static int
ent_new(vk_backend *v, vbuf *vb, VkDeviceSize off, uintptr_t base, int own,
    uint32_t *id, lc_err *e)
{
	vent *p;

	if (v->nents == v->cents) {
		size_t c = v->cents ? 2 * v->cents : 64;
		if ((p = realloc(v->ents, c * sizeof(*p))) == NULL)
			return lc_errf(e, LC_ENOMEM, "vulkan: tensor table");
		v->ents = p;
		v->cents = c;
	}
	if (v->nents >= UINT32_MAX - 1)
		return lc_errf(e, LC_ENOMEM, "vulkan: too many tensors");
	p = &v->ents[v->nents++];
	p->vb = vb;
	p->off = off;
	p->base = base;
	p->own = own;
	p->hn = 0;
	*id = (uint32_t)v->nents;
	return LC_OK;
}

static vent *
ent_of(vk_backend *v, const lc_tensor *t)
{
	if (t->buf == 0 || t->buf > v->nents || v->ents[t->buf - 1].vb == NULL) {
		fail(v, LC_EINVAL, "a tensor that is not in device memory");
		return NULL;
	}
	return &v->ents[t->buf - 1];
}

static int
vk_alloc(lc_backend *b, lc_tensor *t, int64_t ne0, int64_t ne1, lc_err *e)
{
	vk_backend *v = VK(b);
	VkDeviceSize n;
	vbuf *vb;
	uint32_t id;
	int rc;

	memset(t, 0, sizeof(*t));
	if (ne0 <= 0 || ne1 <= 0 || ne0 > (int64_t)1 << 30 ||
	    ne1 > (int64_t)1 << 30 || (uint64_t)ne0 * (uint64_t)ne1 >
	    ((uint64_t)1 << 30) - PAD)
		return lc_errf(e, LC_EINVAL, "vulkan: %lld x %lld activations",
		    (long long)ne0, (long long)ne1);
	n = (VkDeviceSize)ne0 * (VkDeviceSize)ne1 * sizeof(float);
	if (v->xq == NULL || v->xq->size - PAD < n + n / 32) {
		if (v->xq != NULL) {
			(void)vkDeviceWaitIdle(v->dev);
			vbuf_free(v, v->xq);
			v->xq = NULL;
		}
		if ((rc = vbuf_new(v, n + n / 32, 0, &v->xq, e)) != LC_OK)
			return rc;
	}
	if ((rc = vbuf_new(v, n, 0, &vb, e)) != LC_OK)
		return rc;
	if ((rc = ent_new(v, vb, 0, 0, 1, &id, e)) != LC_OK) {
		vbuf_free(v, vb);
		return rc;
	}
	v->ents[id - 1].base = (uintptr_t)id << 32;
	t->dtype = LC_F32;
	t->ne[0] = ne0;
	t->ne[1] = ne1;
	t->ne[2] = t->ne[3] = 1;
	t->row_bytes = (size_t)ne0 * sizeof(float);
	t->data = (void *)v->ents[id - 1].base;
	t->buf = id;
	return LC_OK;
}

static void
vk_release(lc_backend *b, lc_tensor *t)
{
	vk_backend *v = VK(b);
	vent *p;

	if (t->buf == 0 || t->buf > v->nents)
		return;
	p = &v->ents[t->buf - 1];
	if (v->lbuf == t->buf)
		v->lhost = NULL;
	if (p->own) {
		(void)vkDeviceWaitIdle(v->dev);
		vbuf_free(v, p->vb);
	}
	p->vb = NULL;
	t->data = NULL;
	t->buf = 0;
}

static int
wslot(uint32_t dtype)
{
	switch (dtype) {
	case LC_F32: return VW_F32;
	case LC_F16: return VW_F16;
	case LC_Q4_0: return VW_Q4_0;
	case LC_Q4_1: return VW_Q4_1;
	case LC_Q5_0: return VW_Q5_0;
	case LC_Q5_1: return VW_Q5_1;
	case LC_Q8_0: return VW_Q8_0;
	case LC_Q4_K: return VW_Q4_K;
	case LC_Q5_K: return VW_Q5_K;
	case LC_Q6_K: return VW_Q6_K;
	default: return -1;
	}
}

static int
vk_weight(lc_backend *b, lc_tensor *w, lc_err *e)
{
	vk_backend *v = VK(b);
	VkDeviceSize n, at;
	vbuf *vb;
	uint32_t id;
	int rc;

	if (w->ne[1] > 1 && wslot(w->dtype) < 0)
		return lc_errf(e, LC_EUNSUP, "vulkan: no shader for %s weights",
		    lc_dtype(w->dtype) ? lc_dtype(w->dtype)->name : "?");
	if (w->ne[1] == 1 && w->dtype != LC_F32)
		return lc_errf(e, LC_EUNSUP, "vulkan: %s vectors",
		    lc_dtype(w->dtype) ? lc_dtype(w->dtype)->name : "?");
	n = (VkDeviceSize)w->row_bytes * (VkDeviceSize)w->ne[1] *
	    (VkDeviceSize)(w->ne[2] > 1 ? w->ne[2] : 1);
	/* bytes inside a stack uploaded since begin() (arch/moe.c binds a
	   MoE layer's experts so, then model.c each expert's view) share
	   its memory; hn marks the stacks */
	for (size_t i = v->stk0; i < v->nents; i++) {
		vent *p = &v->ents[i];
		uintptr_t d = (uintptr_t)w->data;
		if (p->hn > 0 && p->vb != NULL && d >= p->base &&
		    d - p->base <= p->hn && n <= p->hn - (d - p->base)) {
			if ((rc = ent_new(v, p->vb, p->off + (d - p->base), d, 0,
			    &id, e)) != LC_OK)
				return rc;
			w->buf = id;
			return LC_OK;
		}
	}
	if (n >= WCHUNK / 2) {
		/* a buffer of its own */
		if ((rc = vbuf_new(v, n, 0, &vb, e)) != LC_OK)
			return rc;
		if ((rc = upload(v, vb, 0, w->data, n, e)) != LC_OK ||
		    (rc = ent_new(v, vb, 0, (uintptr_t)w->data, 1, &id, e)) !=
		    LC_OK) {
			(void)ucmd_flush(v, e);
			vbuf_free(v, vb);
			return rc;
		}
		v->ents[id - 1].hn = w->ne[2] > 1 ? n : 0;
		w->buf = id;
		return LC_OK;
	}
	at = (v->wused + 255) & ~(VkDeviceSize)255;
	if (v->wcur == NULL || at + n > WCHUNK) {
		vbuf **p = realloc(v->wchunks, (v->nwchunks + 1) * sizeof(*p));
		if (p == NULL)
			return lc_errf(e, LC_ENOMEM, "vulkan: weight chunks");
		v->wchunks = p;
		if ((rc = vbuf_new(v, WCHUNK, 0, &v->wcur, e)) != LC_OK)
			return rc;
		v->wchunks[v->nwchunks++] = v->wcur;
		at = 0;
	}
	if ((rc = upload(v, v->wcur, at, w->data, n, e)) != LC_OK ||
	    (rc = ent_new(v, v->wcur, at, (uintptr_t)w->data, 0, &id, e)) !=
	    LC_OK)
		return rc;
	v->ents[id - 1].hn = w->ne[2] > 1 ? n : 0;
	v->wused = at + n;
	w->buf = id;
	return LC_OK;
}

/*
 * The binding of n bytes from byte off of tensor t: the offset rounded
 * down to the device's alignment, the rest in rem.  Fails (kept for
 * end()) if that exceeds the device's largest binding.
 */
static int
bind_t(vk_backend *v, const lc_tensor *t, uint64_t off, uint64_t n,
    vbind *o)
{
	vent *p = ent_of(v, t);
	uint64_t abs, al, range;

	if (p == NULL)
		return -1;
	abs = p->off + ((uintptr_t)t->data - p->base) + off;
	al = abs & ~(uint64_t)(v->align - 1);
	range = (abs - al) + n + 16;
	if (al + range > p->vb->size)
		range = p->vb->size - al;
	if (range > v->maxrange || abs + n > p->vb->size) {
		fail(v, LC_EUNSUP, "a binding of %llu bytes exceeds the "
		    "device's limit of %llu", (unsigned long long)range,
		    (unsigned long long)v->maxrange);
		return -1;
	}
	o->bi.buffer = p->vb->buf;
	o->bi.offset = al;
	o->bi.range = range;
	o->rem = (uint32_t)(abs - al);
	return 0;
}

/* n bytes at off of buffer b, the offset aligned as bind_t does */
static void
bind_raw(vk_backend *v, vbuf *b, VkDeviceSize off, VkDeviceSize n, vbind *o)
{
	VkDeviceSize al = off & ~(v->align - 1);

	o->bi.buffer = b->buf;
	o->bi.offset = al;
	o->bi.range = off - al + n;
	o->rem = (uint32_t)(off - al);
}

/* the columns of t in use */
static int
bind_all(vk_backend *v, const lc_tensor *t, vbind *o)
{
	return bind_t(v, t, 0, (uint64_t)t->ne[1] * t->row_bytes, o);
}

/* n bytes of this step's ring: their host address, and o */
static void *
ring_get(vk_backend *v, size_t n, vbind *o)
{
	VkDeviceSize need = ((VkDeviceSize)n + 255) & ~(VkDeviceSize)255;
	lc_err e;
	vbuf *rb;

	if (v->bad)
		return NULL;
	while (v->rcur < v->nring && v->rused + need > v->ring[v->rcur]->size -
	    PAD) {
		v->rcur++;
		v->rused = 0;
	}
	if (v->rcur == v->nring) {
		vbuf **p = realloc(v->ring, (v->nring + 1) * sizeof(*p));
		if (p == NULL) {
			fail(v, LC_ENOMEM, "ring");
			return NULL;
		}
		v->ring = p;
		if (vbuf_new(v, need > RCHUNK ? need : RCHUNK, 1, &rb, &e) !=
		    LC_OK) {
			fail(v, e.code, "%s", e.msg);
			return NULL;
		}
		v->ring[v->nring++] = rb;
		v->rused = 0;
	}
	rb = v->ring[v->rcur];
	o->bi.buffer = rb->buf;
	o->bi.offset = v->rused;
	o->bi.range = need;
	o->rem = 0;
	v->rused += need;
	return (char *)rb->map + o->bi.offset;
}

/* --- pipelines and dispatch -------------------------------------------- */

static VkPipeline
pipeline(vk_backend *v, int i)
{
	VkShaderModuleCreateInfo smi = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO };
	VkComputePipelineCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO };
	static const VkSpecializationMapEntry me[4] = {
		{ 0, 0, sizeof(uint32_t) }, { 1, sizeof(uint32_t),
		sizeof(uint32_t) }, { 2, 2 * sizeof(uint32_t),
		sizeof(uint32_t) }, { 3, 3 * sizeof(uint32_t),
		sizeof(uint32_t) } };
	uint32_t spec[4];
	VkSpecializationInfo si = { 4, me, sizeof(spec), spec };
	VkShaderModule sm;
	VkResult r;

	if (v->pipe[i] != VK_NULL_HANDLE)
		return v->pipe[i];
	if (lc_vk_spvs[i].code == NULL) {
		fail(v, LC_EDEVICE, "pipeline %d has no shader", i);
		return VK_NULL_HANDLE;
	}
	smi.codeSize = lc_vk_spvs[i].size;
	smi.pCode = lc_vk_spvs[i].code;
	if ((r = vkCreateShaderModule(v->dev, &smi, NULL, &sm)) != VK_SUCCESS) {
		fail(v, LC_EDEVICE, "shader %s: vkCreateShaderModule: %d",
		    lc_vk_spvs[i].name, (int)r);
		return VK_NULL_HANDLE;
	}
	ci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
	ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
	ci.stage.module = sm;
	ci.stage.pName = "main";
	ci.layout = v->pl;
	if (i >= VP_MATVEC && i < VP_MATVEC + VW_N) {
		spec[0] = v->mv_wg[i - VP_MATVEC];
		spec[1] = v->mv_nr[i - VP_MATVEC];
		spec[2] = v->mv_rg[i - VP_MATVEC];
		spec[3] = v->mv_var[i - VP_MATVEC];
		ci.stage.pSpecializationInfo = &si;
	}
	r = vkCreateComputePipelines(v->dev, VK_NULL_HANDLE, 1, &ci, NULL,
	    &v->pipe[i]);
	vkDestroyShaderModule(v->dev, sm, NULL);
	if (r != VK_SUCCESS) {
		v->pipe[i] = VK_NULL_HANDLE;
		fail(v, LC_EDEVICE, "shader %s: vkCreateComputePipelines: %d",
		    lc_vk_spvs[i].name, (int)r);
	}
	return v->pipe[i];
}

/* all of the device's writes so far visible to what comes next in the
   stages dst (the accesses each of them can make) */
static void
barrier(vk_backend *v, VkCommandBuffer cb, VkPipelineStageFlags dst)
{
	VkMemoryBarrier mb = { .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER };

	mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT |
	    VK_ACCESS_TRANSFER_WRITE_BIT;
	mb.dstAccessMask = 0;
	if (dst & VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT)
		mb.dstAccessMask |= VK_ACCESS_SHADER_READ_BIT |
		    VK_ACCESS_SHADER_WRITE_BIT;
	if (dst & VK_PIPELINE_STAGE_TRANSFER_BIT)
		mb.dstAccessMask |= VK_ACCESS_TRANSFER_READ_BIT |
		    VK_ACCESS_TRANSFER_WRITE_BIT;
	if (dst & VK_PIPELINE_STAGE_HOST_BIT)
		mb.dstAccessMask |= VK_ACCESS_HOST_READ_BIT;
	(void)v;
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
	    VK_PIPELINE_STAGE_TRANSFER_BIT, dst, 0, 1, &mb, 0, NULL, 0, NULL);
}

/* the output bindings of pipeline i: 3 for every shader, kv_store's
   4 (values), quant_act's 2 (block sums) and 4 (the fused op's
   output); the others are read-only (the shaders declare them so),
   but for matvec.comp's 2 when it adds into the residual and
   kv_store.comp's 0 when it turns the keys (their callers add those
   to the mask) */
static unsigned
wmask(int i)
{
	return 1u << 3 | (i == VP_QUANT ? 1u << 2 | 1u << 4 : 0) |
	    (i == VP_KVSTORE ||
	    i == VP_KVSTORE + 1 || i == VP_KVSTORE_Q8_0 ? 1u << 4 : 0);
}

static int
overlaps(const vrange *r, int n, const VkDescriptorBufferInfo *bi)
{
	int k;

	for (k = 0; k < n; k++)
		if (r[k].buf == bi->buffer && r[k].lo < bi->offset +
		    bi->range && bi->offset < r[k].hi)
			return 1;
	return 0;
}

/* a barrier if what comes next (bindings b, outputs by mask wm; NULL b:
   a copy, which waits for anything written) needs one, or if the lists
   have no room for its NBIND ranges */
static void
hazard(vk_backend *v, vbind *const b[NBIND], unsigned wm)
{
	int k, need = v->nhw + NBIND > HAZ_MAX || v->nhr + NBIND > HAZ_MAX ||
	    v->sync || (b == NULL && v->nhw > 0);

	for (k = 0; b != NULL && k < NBIND && !need; k++)
		if (b[k] != NULL)
			need = overlaps(v->hw, v->nhw, &b[k]->bi) ||
			    ((wm >> k & 1) && overlaps(v->hr, v->nhr,
			    &b[k]->bi));
	if (need) {
		barrier(v, v->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
		    VK_PIPELINE_STAGE_TRANSFER_BIT);
		v->nhw = v->nhr = 0;
		v->nbar++;
	}
}

static void
hazard_add(vk_backend *v, const VkDescriptorBufferInfo *bi, int written)
{
	vrange *r = written ? &v->hw[v->nhw++] : &v->hr[v->nhr++];

	r->buf = bi->buffer;
	r->lo = bi->offset;
	r->hi = bi->offset + bi->range;
}

/* the recorded part of the step to the device; recording goes on in
   another command buffer (barriers order them: submission order) */
static void
split_cb(vk_backend *v)
{
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };
	VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO };
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO };
	VkCommandBuffer done;
	VkResult r;

	v->cbn = 0;
	if (v->cbcur + 1 == v->ncbs) {
		VkCommandBuffer *p = realloc(v->cbs, (v->ncbs + 1) *
		    sizeof(*p));
		if (p == NULL)
			return;		/* go on in this one */
		v->cbs = p;
		cai.commandPool = v->pool;
		cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
		cai.commandBufferCount = 1;
		if (vkAllocateCommandBuffers(v->dev, &cai, &v->cbs[v->ncbs]) !=
		    VK_SUCCESS)
			return;
		v->ncbs++;
	}
	if ((r = vkEndCommandBuffer(v->cmd)) != VK_SUCCESS) {
		fail(v, LC_EDEVICE, "vkEndCommandBuffer: %d", (int)r);
		return;
	}
	done = v->cmd;
	si.commandBufferCount = 1;
	si.pCommandBuffers = &done;
	v->cmd = v->cbs[++v->cbcur];
	if ((r = vkQueueSubmit(v->q, 1, &si, VK_NULL_HANDLE)) != VK_SUCCESS) {
		fail(v, LC_EDEVICE, "vkQueueSubmit: %d", (int)r);
		return;
	}
	bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
	if ((r = vkBeginCommandBuffer(v->cmd, &bi)) != VK_SUCCESS) {
		fail(v, LC_EDEVICE, "vkBeginCommandBuffer: %d", (int)r);
		return;
	}
	v->bound = VK_NULL_HANDLE;
}

/*
 * Records pipeline i over groups workgroups (split into a 2-D grid
 * when more than 65535; the shaders take group_id()) or gx x gy with
 * gy != 0, with bindings b[0..NBIND) (NULL: a dummy buffer; where the
 * shader declares the binding writable, matvec.comp's 2 and
 * quant_act.comp's 4, output 3's bytes instead, which this dispatch
 * writes anyway: the shared dummy would look written by dispatches
 * that run unordered), of which those in the mask wm are written, and
 * push constants pc.
 */
static void
record(vk_backend *v, int i, vbind *const b[NBIND], unsigned wm,
    const void *pc, uint32_t pcsize, uint64_t gx, uint32_t gy)
{
	VkWriteDescriptorSet w[NBIND];
	VkDescriptorBufferInfo dummy = { v->dummy->buf, 0, VK_WHOLE_SIZE };
	VkPipeline p;
	int k;

	if (v->bad || !v->recording || gx == 0)
		return;
	if ((p = pipeline(v, i)) == VK_NULL_HANDLE)
		return;
	if (gy == 0) {
		gy = (uint32_t)((gx + 65534) / 65535);
		if (gx > 65535)
			gx = 65535;
	}
	hazard(v, b, wm);
	if (p != v->bound) {
		vkCmdBindPipeline(v->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p);
		v->bound = p;
	}
	for (k = 0; k < NBIND; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
		w[k].dstBinding = (uint32_t)k;
		w[k].descriptorCount = 1;
		w[k].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
		w[k].pBufferInfo = b[k] != NULL ? &b[k]->bi : (k == 2 &&
		    i >= VP_MATVEC && i < VP_MATVEC + VW_N) || (k == 4 &&
		    i == VP_QUANT) ? &b[3]->bi : &dummy;
	}
	v->push(v->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, v->pl, 0, NBIND, w);
	vkCmdPushConstants(v->cmd, v->pl, VK_SHADER_STAGE_COMPUTE_BIT, 0,
	    pcsize, pc);
	vkCmdDispatch(v->cmd, (uint32_t)gx, gy, 1);
	v->ncalls[i]++;
	if (v->pqp != VK_NULL_HANDLE && v->pn < PROF_MAX) {
		vkCmdWriteTimestamp(v->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
		    v->pqp, v->pn);
		v->ppipe[v->pn++] = (uint16_t)i;
		v->pbytes[i] += (double)v->pbytes_next;
	}
	v->pbytes_next = 0;
	for (k = 0; k < NBIND; k++)
		if (b[k] != NULL) {
			int wr = (int)(wm >> k & 1);
			hazard_add(v, &b[k]->bi, wr);
			if (wr && overlaps(&v->xq_src, 1, &b[k]->bi))
				v->xq_ok = 0;	/* the x xq was made from */
		}
	if (++v->cbn == CB_DISPATCHES && !v->sync)
		split_cb(v);
}

/* the held-back dispatch (vk_backend.hold), if any, recorded */
static void
hold_flush(vk_backend *v)
{
	vbind *b[NBIND];
	int k;

	if (v->hold.pipe < 0)
		return;
	for (k = 0; k < NBIND; k++)
		b[k] = v->hold.has >> k & 1 ? &v->hold.b[k] : NULL;
	v->pbytes_next = v->hold.pbytes;
	k = v->hold.pipe;
	v->hold.pipe = -1;
	record(v, k, b, wmask(k), v->hold.pc, v->hold.pcsize, v->hold.gx, 0);
}

/* record pipeline i (after the held-back dispatch): as record() */
static void
run(vk_backend *v, int i, vbind *const b[NBIND], const void *pc,
    uint32_t pcsize, uint64_t gx, uint32_t gy)
{
	hold_flush(v);
	record(v, i, b, wmask(i), pc, pcsize, gx, gy);
}

/*
 * As run() over gx workgroups, but held back until the next op (what:
 * PD_*), which may take it in; recorded at once under LC_VK_SYNC.  The
 * rounded x (xq) it would overwrite is forgotten now.
 */
static void
run_later(vk_backend *v, int what, int i, vbind *const b[NBIND],
    const void *pc, uint32_t pcsize, uint64_t gx)
{
	int k;

	hold_flush(v);
	if (v->sync || v->bad || !v->recording || pcsize > sizeof(v->hold.pc)) {
		record(v, i, b, wmask(i), pc, pcsize, gx, 0);
		return;
	}
	v->hold.has = 0;
	for (k = 0; k < NBIND; k++)
		if (b[k] != NULL) {
			v->hold.b[k] = *b[k];
			v->hold.has |= 1u << k;
			if ((wmask(i) >> k & 1) && overlaps(&v->xq_src, 1,
			    &b[k]->bi))
				v->xq_ok = 0;
		}
	memcpy(v->hold.pc, pc, pcsize);
	v->hold.pcsize = pcsize;
	v->hold.gx = gx;
	v->hold.pbytes = v->pbytes_next;
	v->pbytes_next = 0;
	v->hold.what = what;
	v->hold.ob = what == PD_MERGE ? 4 : 3;
	v->hold.pipe = i;
}

/* the same bytes of the same buffer */
static int
same_bind(const vbind *a, const vbind *b)
{
	return a->bi.buffer == b->bi.buffer && a->bi.offset == b->bi.offset &&
	    a->bi.range == b->bi.range && a->rem == b->rem;
}

/* a binding's range overlaps one of the held dispatch's */
static int
binds_touch(vk_backend *v, const vbind *a)
{
	int k;

	for (k = 0; k < NBIND; k++)
		if ((v->hold.has >> k & 1) && a->bi.buffer ==
		    v->hold.b[k].bi.buffer && a->bi.offset <
		    v->hold.b[k].bi.offset + v->hold.b[k].bi.range &&
		    v->hold.b[k].bi.offset < a->bi.offset + a->bi.range)
			return 1;
	return 0;
}

/* the used bytes of a binding (n of them) and of another overlap */
static int
bytes_overlap(const vbind *a, uint64_t na, const vbind *b, uint64_t nb)
{
	uint64_t a0 = a->bi.offset + a->rem, b0 = b->bi.offset + b->rem;

	return a->bi.buffer == b->bi.buffer && a0 < b0 + nb && b0 < a0 + na;
}

/* LC_VK_PROFILE: the step's timestamps into the sums */
static void
prof_collect(vk_backend *v)
{
	uint64_t mask = v->pvalid >= 64 ? ~(uint64_t)0 :
	    ((uint64_t)1 << v->pvalid) - 1;
	uint32_t k;

	if (v->pn < 2 || vkGetQueryPoolResults(v->dev, v->pqp, 0, v->pn,
	    (size_t)v->pn * sizeof(uint64_t), v->pts, sizeof(uint64_t),
	    VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT) != VK_SUCCESS)
		return;
	for (k = 1; k < v->pn; k++) {
		v->pns[v->ppipe[k]] += (double)((v->pts[k] - v->pts[k - 1]) &
		    mask) * v->pperiod;
		v->pcalls[v->ppipe[k]]++;
	}
	v->pbar += v->nbar;
	v->pstep_ns += (double)((v->pts[v->pn - 1] - v->pts[0]) & mask) *
	    v->pperiod;
	v->psteps++;
}

/* LC_VK_PROFILE: the sums, most time first, on stderr */
static void
prof_print(vk_backend *v)
{
	int i, j, order[VP_N];
	double all = 0;
	uint64_t n;

	if (v->psteps == 0)
		return;
	for (i = 0; i < VP_N; i++) {
		order[i] = i;
		all += v->pns[i];
	}
	for (i = 1; i < VP_N; i++)
		for (j = i; j > 0 && v->pns[order[j]] > v->pns[order[j - 1]];
		    j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0, n = 0; i < VP_N; i++)
		n += v->pcalls[i];
	fprintf(stderr, "vk profile: %s: %llu steps, %.1f us per step on "
	    "the device, %.1f dispatches and %.1f barriers per step\n",
	    v->name, (unsigned long long)v->psteps, v->pstep_ns / 1e3 /
	    (double)v->psteps, (double)n / (double)v->psteps,
	    (double)v->pbar / (double)v->psteps);
	for (i = 0; i < VP_N && v->pcalls[order[i]] > 0; i++) {
		int p = order[i];
		fprintf(stderr, "vk profile: %-18s %8llu calls %10.3f ms "
		    "%5.1f%% %8.2f us/call", lc_vk_spvs[p].name,
		    (unsigned long long)v->pcalls[p], v->pns[p] / 1e6,
		    all > 0 ? 100.0 * v->pns[p] / all : 0.0,
		    v->pns[p] / 1e3 / (double)v->pcalls[p]);
		if (v->pbytes[p] > 0)
			fprintf(stderr, " %7.1f GB/s weights",
			    v->pbytes[p] / v->pns[p]);
		fputc('\n', stderr);
	}
}

static uint32_t
cdiv(uint64_t a, uint64_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

/* --- KV cache ---------------------------------------------------------- */

static void
kv_free(vk_backend *v)
{
	int i;

	if (v->n_layer > 0)
		(void)vkDeviceWaitIdle(v->dev);
	for (i = 0; i < v->n_layer; i++) {
		vbuf_free(v, v->kc ? v->kc[i] : NULL);
		vbuf_free(v, v->vc ? v->vc[i] : NULL);
	}
	free(v->kc);
	free(v->vc);
	free(v->cells);
	v->kc = v->vc = NULL;
	v->cells = NULL;
	v->n_layer = 0;
}

static int
vk_kv_init(lc_backend *b, int n_layer, const int64_t *cells, int64_t kv_dim,
    uint32_t kv_dtype, lc_err *e)
{
	vk_backend *v = VK(b);
	VkDeviceSize row, n;
	int i, rc;

	kv_free(v);
	if (kv_dtype != LC_F16 && kv_dtype != LC_F32 && kv_dtype != LC_Q8_0)
		return lc_errf(e, LC_EUNSUP, "vulkan: KV cache type %s (this "
		    "backend has f16, f32 and q8_0)", lc_dtype(kv_dtype) ?
		    lc_dtype(kv_dtype)->name : "?");
	if (kv_dim <= 0 || kv_dim % (kv_dtype == LC_Q8_0 ? 32 : 2) != 0 ||
	    n_layer <= 0)
		return lc_errf(e, LC_EINVAL, "vulkan: KV rows of %lld in %s",
		    (long long)kv_dim, lc_dtype(kv_dtype)->name);
	/* q8_0: the blocks' f16 scales, two a word, then the int8 quants
	   (shaders/common/kv.glsl) */
	row = kv_dtype == LC_Q8_0 ? 4 * ((VkDeviceSize)(kv_dim / 32 + 1) / 2) +
	    (VkDeviceSize)kv_dim : (VkDeviceSize)kv_dim * (kv_dtype == LC_F16 ?
	    2 : 4);
	v->kc = calloc((size_t)n_layer, sizeof(*v->kc));
	v->vc = calloc((size_t)n_layer, sizeof(*v->vc));
	v->cells = calloc((size_t)n_layer, sizeof(*v->cells));
	if (v->kc == NULL || v->vc == NULL || v->cells == NULL) {
		v->n_layer = n_layer;
		kv_free(v);
		return lc_errf(e, LC_ENOMEM, "vulkan: KV cache");
	}
	v->n_layer = n_layer;
	v->kv_dim = kv_dim;
	v->kv_dtype = kv_dtype;
	for (i = 0; i < n_layer; i++) {
		v->cells[i] = cells[i];
		n = (VkDeviceSize)cells[i] * row;
		if (cells[i] <= 0 || cells[i] > ((int64_t)1 << 31) / kv_dim ||
		    n + 16 > v->maxrange) {
			rc = lc_errf(e, LC_EUNSUP, "vulkan: layer %d: a KV cache "
			    "of %lld cells x %lld exceeds the device's binding "
			    "limit of %llu bytes", i, (long long)cells[i],
			    (long long)kv_dim, (unsigned long long)v->maxrange);
			goto bad;
		}
		if ((rc = vbuf_new(v, n, 0, &v->kc[i], e)) != LC_OK ||
		    (rc = vbuf_new(v, n, 0, &v->vc[i], e)) != LC_OK ||
		    (rc = ucmd_open(v, e)) != LC_OK)
			goto bad;
		vkCmdFillBuffer(v->ucmd, v->kc[i]->buf, 0, VK_WHOLE_SIZE, 0);
		vkCmdFillBuffer(v->ucmd, v->vc[i]->buf, 0, VK_WHOLE_SIZE, 0);
	}
	return ucmd_flush(v, e);
bad:
	(void)ucmd_flush(v, e);
	kv_free(v);
	return rc;
}

static void
vk_kv_clear(lc_backend *b)
{
	(void)b;	/* positions beyond the current one are never read */
}

/* --- steps ------------------------------------------------------------- */

static void
vk_begin(lc_backend *b)
{
	vk_backend *v = VK(b);
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };
	lc_err e;
	VkResult r;

	if (v->recording)
		return;
	v->bad = 0;
	v->rcur = 0;
	v->rused = 0;
	v->nreads = 0;
	v->lhost = NULL;
	v->stk0 = v->nents;
	v->bound = VK_NULL_HANDLE;
	v->xq_ok = 0;
	v->hold.pipe = -1;
	v->nbar = 0;
	if (ucmd_flush(v, &e) != LC_OK) {
		fail(v, e.code, "%s", e.msg);
		return;
	}
	v->cbcur = 0;
	v->cbn = 0;
	v->nhw = v->nhr = 0;
	v->cmd = v->cbs[0];
	bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
	if ((r = vkBeginCommandBuffer(v->cmd, &bi)) != VK_SUCCESS) {
		fail(v, LC_EDEVICE, "vkBeginCommandBuffer: %d", (int)r);
		return;
	}
	v->recording = 1;
	if (v->pqp != VK_NULL_HANDLE) {
		vkCmdResetQueryPool(v->cmd, v->pqp, 0, PROF_MAX);
		vkCmdWriteTimestamp(v->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
		    v->pqp, 0);
		v->ppipe[0] = VP_N;
		v->pn = 1;
	}
}

static int
vk_end(lc_backend *b, lc_err *e)
{
	vk_backend *v = VK(b);
	VkResult r;
	size_t i;
	int rc = LC_OK;

	if (v->recording) {
		hold_flush(v);
		v->recording = 0;
		barrier(v, v->cmd, VK_PIPELINE_STAGE_HOST_BIT);
		if ((r = vkEndCommandBuffer(v->cmd)) != VK_SUCCESS)
			rc = vkerr(e, "vkEndCommandBuffer", r);
		else if (!v->bad)
			rc = submit_wait(v, v->cmd, e);
		if ((rc != LC_OK || v->bad) && v->cbcur > 0)
			(void)vkQueueWaitIdle(v->q);	/* the parts sent */
		if (rc == LC_OK && !v->bad && v->pqp != VK_NULL_HANDLE)
			prof_collect(v);
		for (i = 0; i <= v->cbcur; i++)
			(void)vkResetCommandBuffer(v->cbs[i], 0);
		v->cbcur = 0;
		v->cmd = v->cbs[0];
	}
	if (v->bad) {
		v->bad = 0;
		*e = v->err;
		return e->code;
	}
	if (rc != LC_OK)
		return rc;
	for (i = 0; i < v->nreads; i++)
		memcpy(v->reads[i].host, v->reads[i].src, v->reads[i].n);
	v->nreads = 0;
	return LC_OK;
}

/* --- ops --------------------------------------------------------------- */

static void
vk_get_rows(lc_backend *b, const lc_tensor *w, const int32_t *ids,
    float scale, lc_tensor *y)
{
	vk_backend *v = VK(b);
	struct {
		uint32_t ne0, ntok, r0, r1, woff, wrow, idoff, yoff, ystride;
		float scale;
	} pc;
	vbind wb, ib, yb;
	vbind *bs[NBIND] = { &wb, &ib, NULL, &yb, NULL };
	int64_t r0, rpc, n = y->ne[1];
	int32_t *hp;

	if ((hp = ring_get(v, (size_t)n * sizeof(int32_t), &ib)) == NULL ||
	    bind_all(v, y, &yb) != 0)
		return;
	memcpy(hp, ids, (size_t)n * sizeof(int32_t));
	rpc = (int64_t)((v->maxrange - 4096) / w->row_bytes);
	for (r0 = 0; r0 < w->ne[1]; r0 += rpc) {
		int64_t r1 = r0 + rpc < w->ne[1] ? r0 + rpc : w->ne[1];
		if (bind_t(v, w, (uint64_t)r0 * w->row_bytes, (uint64_t)(r1 -
		    r0) * w->row_bytes, &wb) != 0)
			return;
		pc = (__typeof__(pc)){ (uint32_t)w->ne[0], (uint32_t)n,
		    (uint32_t)r0, (uint32_t)r1, wb.rem, (uint32_t)w->row_bytes,
		    0, yb.rem / 4, (uint32_t)(y->row_bytes / 4), scale };
		run(v, VP_ROWS + wslot(w->dtype), bs, &pc, sizeof(pc),
		    (uint64_t)n * cdiv(((uint64_t)w->ne[0] + 7) / 8, 64), 0);
	}
}

static void
vk_norm(lc_backend *b, int kind, const lc_tensor *x, const lc_tensor *w,
    const lc_tensor *bias, float eps, lc_tensor *y)
{
	vk_backend *v = VK(b);
	norm_pc pc;
	vbind xb, wb, bb, yb;
	vbind *bs[NBIND] = { &xb, w ? &wb : NULL, bias ? &bb : NULL, &yb,
	    NULL };
	uint64_t nx = (uint64_t)x->ne[1] * x->row_bytes;
	uint64_t ny = (uint64_t)y->ne[1] * y->row_bytes;

	if (bind_all(v, x, &xb) != 0 || bind_all(v, y, &yb) != 0 ||
	    (w && bind_t(v, w, 0, w->row_bytes, &wb) != 0) ||
	    (bias && bind_t(v, bias, 0, bias->row_bytes, &bb) != 0))
		return;
	pc = (__typeof__(pc)){ (uint32_t)x->ne[0], (uint32_t)x->ne[1],
	    xb.rem / 4, (uint32_t)(x->row_bytes / 4), yb.rem / 4,
	    (uint32_t)(y->row_bytes / 4), w ? wb.rem / 4 : 0,
	    bias ? bb.rem / 4 : 0, w != NULL, bias != NULL,
	    kind == LC_NORM_LAYER, eps };
	/* quant_act.comp's pre 1 can take it in: held back */
	if (x->ne[1] <= FUSE_COLS && bias == NULL && (x->ne[1] == 1 ||
	    x->ne[0] % 256 == 0) && !bytes_overlap(&xb, nx, &yb, ny))
		run_later(v, PD_NORM, VP_NORM, bs, &pc, sizeof(pc),
		    (uint64_t)x->ne[1]);
	else
		run(v, VP_NORM, bs, &pc, sizeof(pc), (uint64_t)x->ne[1], 0);
}

/* how the CPU rounds the activations for weights of dtype (the kinds
   of quant_act.comp; 0: not at all) */
static uint32_t
act_kind(uint32_t dtype)
{
	switch (dtype) {
	case LC_F32: return 0;
	case LC_F16: return 3;
	case LC_Q4_K: case LC_Q5_K: case LC_Q6_K: return 2;
	default: return 1;
	}
}

/*
 * y = W x: x rounded as the CPU rounds it into xq (quant_act.comp),
 * then matvec (few columns) or the tiled matmul, W bound in row ranges
 * and x, y in column ranges that fit the device's binding limit.
 */
/*
 * Rounds the K x ncols activations x to 8-bit blocks of the kind the
 * weight type's dot products take (act_kind; as the CPU rounds them):
 * the values at the start of v->xq, the blocks' scales after K * ncols
 * floats' worth.  Returns -1 after fail().
 */
static int
quant_x(vk_backend *v, const lc_tensor *x, int64_t K, int64_t ncols,
    uint32_t kind)
{
	quant_pc pq;
	vbind xb, qb, sb, fx, fa, fo;
	vbind *bq[NBIND] = { &xb, NULL, &sb, &qb, NULL };
	int fuse;
	VkDeviceSize nq = (VkDeviceSize)K * (VkDeviceSize)ncols *
	    sizeof(float);

	if (bind_all(v, x, &xb) != 0)
		return -1;
	if (nq + nq / 32 > v->xq->size - PAD || nq > v->maxrange) {
		fail(v, LC_EUNSUP, "activations of %lld x %lld for a matrix "
		    "product", (long long)K, (long long)ncols);
		return -1;
	}
	if (v->xq_ok && v->xq_src.buf == xb.bi.buffer && v->xq_src.lo ==
	    xb.bi.offset && v->xq_rem == xb.rem && v->xq_k == K &&
	    v->xq_n == ncols && v->xq_row == x->row_bytes &&
	    v->xq_kind == kind)
		return 0;
	bind_raw(v, v->xq, 0, nq, &qb);
	bind_raw(v, v->xq, nq, nq / 32 + 16, &sb);
	pq = (quant_pc){ (uint32_t)K, (uint32_t)ncols, xb.rem / 4,
	    (uint32_t)(x->row_bytes / 4), kind, sb.rem / 4, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0 };
	/* the held-back op that wrote x, done here first */
	fuse = v->hold.pipe >= 0 && ncols <= FUSE_COLS &&
	    (v->hold.has >> v->hold.ob & 1) &&
	    same_bind(&v->hold.b[v->hold.ob], &xb);
	if (fuse && v->hold.what == PD_NORM) {
		const norm_pc *n = (const norm_pc *)v->hold.pc;
		fuse = n->n == (uint32_t)K && n->ncols == (uint32_t)ncols;
		if (fuse)
			pq = (quant_pc){ (uint32_t)K, (uint32_t)ncols,
			    n->xoff, n->xstride, kind, sb.rem / 4, 1, n->kind,
			    n->woff, 0, n->hasw, n->yoff, n->ystride, n->eps,
			    0, 0 };
	} else if (fuse && v->hold.what == PD_ACT) {
		const act_pc *a = (const act_pc *)v->hold.pc;
		fuse = a->ne0 == (uint32_t)K && a->ncols == (uint32_t)ncols;
		if (fuse)
			pq = (quant_pc){ (uint32_t)K, (uint32_t)ncols,
			    a->goff, a->gstride, kind, sb.rem / 4, 2, a->kind,
			    a->uoff, a->ustride, a->hasup, a->yoff, a->ystride,
			    0, 0, 0 };
	} else if (fuse && v->hold.what == PD_MERGE) {
		const quant_pc *m = (const quant_pc *)v->hold.pc;
		fuse = m->ne0 == (uint32_t)K && m->ncols == (uint32_t)ncols;
		if (fuse) {
			pq = *m;
			pq.kind = kind;
			pq.soff = sb.rem / 4;
		}
	} else
		fuse = 0;
	if (fuse) {
		fx = v->hold.b[0];
		fa = v->hold.b[1];
		fo = v->hold.b[v->hold.ob];
		bq[0] = &fx;
		bq[1] = v->hold.has & 2u ? &fa : NULL;
		bq[4] = &fo;
		v->hold.pipe = -1;	/* taken in */
	}
	run(v, VP_QUANT, bq, &pq, sizeof(pq), cdiv((uint64_t)ncols *
	    (uint64_t)K, 256), 0);
	v->xq_ok = !v->bad;
	v->xq_src = (vrange){ xb.bi.buffer, xb.bi.offset, xb.bi.offset +
	    xb.bi.range };
	v->xq_rem = xb.rem;
	v->xq_k = K;
	v->xq_n = ncols;
	v->xq_row = x->row_bytes;
	v->xq_kind = kind;
	return 0;
}

static void
vk_matmul(lc_backend *b, const lc_tensor *w, const lc_tensor *x,
    const lc_tensor *bias, lc_tensor *y)
{
	vk_backend *v = VK(b);
	mv_pc pc;
	vbind wb, xb, bb, yb;
	vbind *bs[NBIND] = { &wb, &xb, bias ? &bb : NULL, &yb, NULL };
	vbind xs;
	int64_t r0, c0, rpc, cpc, nrows = w->ne[1], ncols = x->ne[1];
	int64_t K = w->ne[0];
	uint32_t kind = act_kind(w->dtype);
	size_t xrow = kind ? (size_t)K * sizeof(float) : x->row_bytes;
	size_t big = xrow > y->row_bytes ? xrow : y->row_bytes;
	int tiled = ncols > 8 && K % 32 == 0, slot = wslot(w->dtype);
	VkDeviceSize nq = (VkDeviceSize)K * (VkDeviceSize)ncols *
	    sizeof(float);

	/* matvec.comp takes f32 and f16 rows of any length (gemma4's
	   per-layer inputs can be narrow); the block types' are whole
	   blocks */
	if (K % 8 != 0 && w->dtype != LC_F32 && w->dtype != LC_F16) {
		fail(v, LC_EUNSUP, "matrix products need rows of a multiple "
		    "of 8 elements (%s weights of %lld)",
		    lc_dtype(w->dtype)->name, (long long)K);
		return;
	}
	if (kind && quant_x(v, x, K, ncols, kind) != 0)
		return;
	rpc = (int64_t)((v->maxrange - 4096) / w->row_bytes);
	cpc = (int64_t)((v->maxrange - 4096) / big);
	for (c0 = 0; c0 < ncols; c0 += cpc) {
		int64_t c1 = c0 + cpc < ncols ? c0 + cpc : ncols;
		if (kind) {
			bind_raw(v, v->xq, (VkDeviceSize)c0 * xrow,
			    (VkDeviceSize)(c1 - c0) * xrow + 16, &xb);
			bind_raw(v, v->xq, nq + (VkDeviceSize)c0 * xrow / 32,
			    (VkDeviceSize)(c1 - c0) * xrow / 32 + 16, &xs);
			bs[4] = &xs;
		}
		else if (bind_t(v, x, (uint64_t)c0 * x->row_bytes,
		    (uint64_t)(c1 - c0) * x->row_bytes, &xb) != 0)
			return;
		if (bind_t(v, y, (uint64_t)c0 * y->row_bytes, (uint64_t)(c1 -
		    c0) * y->row_bytes, &yb) != 0)
			return;
		for (r0 = 0; r0 < nrows; r0 += rpc) {
			int64_t r1 = r0 + rpc < nrows ? r0 + rpc : nrows;
			if (bind_t(v, w, (uint64_t)r0 * w->row_bytes,
			    (uint64_t)(r1 - r0) * w->row_bytes, &wb) != 0 ||
			    (bias && bind_t(v, bias, 0, bias->row_bytes,
			    &bb) != 0))
				return;
			pc = (mv_pc){ (uint32_t)K,
			    (uint32_t)(r1 - r0), (uint32_t)(c1 - c0), wb.rem,
			    (uint32_t)w->row_bytes, xb.rem / 4,
			    (uint32_t)(xrow / 4), yb.rem / 4 + (uint32_t)r0,
			    (uint32_t)(y->row_bytes / 4),
			    bias ? bb.rem / 4 + (uint32_t)r0 : 0, bias != NULL,
			    kind ? xs.rem / 4 : 0, 0, 0, 0, 0 };
			pc.xv4 = pc.xoff % 4 == 0 && pc.xstride % 4 == 0;
			pc.fast = pc.xv4 && ((w->dtype == LC_Q4_K &&
			    pc.woff % 16 == 0 && pc.wrow % 16 == 0) ||
			    (w->dtype == LC_Q6_K && pc.woff % 2 == 0));
			v->pbytes_next = (uint64_t)(r1 - r0) * w->row_bytes;
			if (tiled)
				run(v, VP_MATMUL + slot, bs, &pc, sizeof(pc),
				    cdiv((uint64_t)(r1 - r0), 64),
				    cdiv((uint64_t)(c1 - c0), 64));
			else if (ncols <= FUSE_COLS && bias == NULL &&
			    r1 - r0 == nrows && c1 - c0 == ncols)
				/* the whole product in one dispatch: an add
				   of its output may follow (add_op) */
				run_later(v, PD_MATVEC, VP_MATVEC + slot, bs,
				    &pc, sizeof(pc), cdiv((uint64_t)nrows,
				    v->mv_nr[slot] * v->mv_rg[slot]));
			else
				run(v, VP_MATVEC + slot, bs, &pc, sizeof(pc),
				    cdiv((uint64_t)(r1 - r0), v->mv_nr[slot] *
				    v->mv_rg[slot]), 0);
		}
	}
}

static void
add_op(vk_backend *v, const lc_tensor *a, float s, const lc_tensor *c,
    lc_tensor *y)
{
	struct {
		uint32_t ne0, ncols, aoff, astride, coff, cstride, yoff;
		uint32_t ystride;
		float s;
		uint32_t n16;
	} pc;
	vbind ab, cb, yb;
	vbind *bs[NBIND] = { &ab, &cb, NULL, &yb, NULL };

	if (bind_all(v, a, &ab) != 0 || bind_all(v, c, &cb) != 0 ||
	    bind_all(v, y, &yb) != 0)
		return;
	/* y = a + s c in place, c the held-back product's whole output:
	   the product adds into a itself, unless a shares bytes with
	   what the product reads or with c */
	if (v->hold.pipe >= 0 && v->hold.what == PD_MATVEC &&
	    same_bind(&v->hold.b[3], &cb) && same_bind(&ab, &yb) &&
	    a->row_bytes == y->row_bytes && c->ne[1] == a->ne[1] &&
	    !binds_touch(v, &ab)) {
		mv_pc *m = (mv_pc *)v->hold.pc;

		if (m->nrows == (uint32_t)a->ne[0] && m->ncols ==
		    (uint32_t)a->ne[1] && m->yoff == cb.rem / 4 &&
		    m->ystride == (uint32_t)(c->row_bytes / 4)) {
			int i = v->hold.pipe;
			vbind *mb[NBIND];

			m->hasbias = 2;
			m->boff = ab.rem / 4;
			m->rstride = (uint32_t)(a->row_bytes / 4);
			m->rs = s;
			v->hold.b[2] = ab;
			v->hold.has |= 1u << 2;
			for (int k = 0; k < NBIND; k++)
				mb[k] = v->hold.has >> k & 1 ? &v->hold.b[k] :
				    NULL;
			v->hold.pipe = -1;
			v->pbytes_next = v->hold.pbytes;
			record(v, i, mb, wmask(i) | 1u << 2, v->hold.pc,
			    v->hold.pcsize, v->hold.gx, 0);
			return;
		}
	}
	pc = (__typeof__(pc)){ (uint32_t)a->ne[0], (uint32_t)a->ne[1],
	    ab.rem / 4, (uint32_t)(a->row_bytes / 4), cb.rem / 4,
	    c->ne[1] == 1 ? 0 : (uint32_t)(c->row_bytes / 4), yb.rem / 4,
	    (uint32_t)(y->row_bytes / 4), s, 0 };
	run(v, VP_ADD, bs, &pc, sizeof(pc), (uint64_t)a->ne[1] *
	    cdiv((uint64_t)a->ne[0], 256), 0);
}

static void
vk_add(lc_backend *b, const lc_tensor *a, const lc_tensor *c, lc_tensor *y)
{
	add_op(VK(b), a, 1.0f, c, y);
}

static void
vk_scale_add(lc_backend *b, const lc_tensor *a, float s, const lc_tensor *c,
    lc_tensor *y)
{
	add_op(VK(b), a, s, c, y);
}

/* as cpu_backend.c */
static float
yarn_corr_dim(int n_rot, float n_ctx_orig, float rot, float base)
{
	return (float)n_rot * logf(n_ctx_orig / (rot * 2.0f * (float)M_PI)) /
	    (2.0f * logf(base));
}

static void
vk_rope(lc_backend *b, lc_tensor *x, const lc_rope_args *r,
    const int32_t *pos)
{
	vk_backend *v = VK(b);
	rope_pc pc;
	vbind pb, fb, xb;
	vbind *bs[NBIND] = { &pb, &fb, NULL, &xb, NULL };
	float lo = 0, hi = 0, mscale = r->attn_factor;
	int64_t n = x->ne[1];
	const int32_t *hpos;
	const float *hff = NULL;
	void *hp;

	if (r->n_rot < 2)
		return;		/* nothing turns */
	if (r->ext_factor != 0) {
		lo = floorf(yarn_corr_dim(r->n_rot, r->n_ctx_orig, r->beta_fast,
		    r->base));
		hi = ceilf(yarn_corr_dim(r->n_rot, r->n_ctx_orig, r->beta_slow,
		    r->base));
		lo = lo > 0 ? lo : 0;
		hi = hi < (float)(r->n_rot - 1) ? hi : (float)(r->n_rot - 1);
		mscale *= 1.0f + 0.1f * logf(1.0f / r->freq_scale);
	}
	if ((hp = ring_get(v, (size_t)n * sizeof(int32_t), &pb)) == NULL)
		return;
	memcpy(hp, pos, (size_t)n * sizeof(int32_t));
	hpos = hp;
	if (r->freq_factors != NULL) {
		if ((hp = ring_get(v, (size_t)r->n_rot / 2 * sizeof(float),
		    &fb)) == NULL)
			return;
		memcpy(hp, r->freq_factors, (size_t)r->n_rot / 2 *
		    sizeof(float));
		hff = hp;
	} else {
		bs[1] = NULL;
	}
	if (bind_all(v, x, &xb) != 0)
		return;
	pc = (rope_pc){ (uint32_t)n, (uint32_t)r->n_head,
	    (uint32_t)r->head_dim, (uint32_t)r->n_rot, r->mode == LC_ROPE_NEOX,
	    xb.rem / 4, (uint32_t)(x->row_bytes / 4), 0, 0,
	    r->freq_factors != NULL, powf(r->base, -2.0f / (float)r->n_rot),
	    r->freq_scale, r->ext_factor, mscale, lo, hi };
	if (n <= FUSE_COLS && r->mode == LC_ROPE_NORM) {
		/* the keys' store may take it in (vk_attention) */
		run_later(v, PD_ROPE, VP_ROPE, bs, &pc, sizeof(pc),
		    cdiv((uint64_t)n * (uint64_t)r->n_head *
		    (uint64_t)(r->n_rot / 2), 64));
		v->hold.hpos = hpos;
		v->hold.hff = hff;
	} else
		run(v, VP_ROPE, bs, &pc, sizeof(pc), cdiv((uint64_t)n *
		    (uint64_t)r->n_head * (uint64_t)(r->n_rot / 2), 64), 0);
}

/* the attention pass's push constants (attn.comp) */
typedef struct attn_pc {
	uint32_t ntok, n_head, n_head_kv, hd, qoff, qstride, ooff, ostride;
	uint32_t posoff, nc, n_swa, kbase, vbase, rowel, vrowel, mode;
	uint32_t spanoff;
	float scale;
	uint32_t nsplit;
} attn_pc;

/* split attention: at most this many parts of at least ATTN_PART
   positions (attn.comp's workgroup) per token and head */
#define ATTN_PARTS	64
#define ATTN_PART	128

static int
attn_shape_ok(vk_backend *v, const lc_attn_args *a)
{
	if (a->n_head <= 0 || a->n_head_kv <= 0 || a->head_dim <= 0 ||
	    a->head_dim > 4 * 128 || a->n_head % a->n_head_kv != 0) {
		fail(v, LC_EUNSUP, "attention with head size %d, %d heads, %d "
		    "KV heads", a->head_dim, a->n_head, a->n_head_kv);
		return 0;
	}
	return 1;
}

/*
 * Whole sequences (a->seq): k and v straight from the batch, no cache.
 * The ring holds pos[] and then, per token, the first and one past the
 * last column of its sequence (contiguous, backend.h).
 */
static void
attn_seq(vk_backend *v, const lc_attn_args *a, const lc_tensor *q,
    const lc_tensor *k, const lc_tensor *vv, const int32_t *pos,
    lc_tensor *out)
{
	attn_pc pa;
	vbind qb, kb, vb, ob, pb;
	vbind *bsa[NBIND] = { &qb, &kb, &vb, &ob, &pb };
	int64_t n = q->ne[1], t, lo, hi;
	int32_t *hp;

	if (!attn_shape_ok(v, a))
		return;
	if (k->ne[1] < n || vv->ne[1] < n) {
		fail(v, LC_EINVAL, "attention over %lld tokens with k, v of "
		    "%lld, %lld", (long long)n, (long long)k->ne[1],
		    (long long)vv->ne[1]);
		return;
	}
	if ((hp = ring_get(v, (size_t)(3 * n) * sizeof(int32_t), &pb)) == NULL)
		return;
	memcpy(hp, pos, (size_t)n * sizeof(int32_t));
	for (t = 0; t < n; t = hi) {
		for (hi = t + 1; hi < n && a->seq[hi] == a->seq[t]; hi++)
			;
		for (lo = t; lo < hi; lo++) {
			hp[n + 2 * lo] = (int32_t)t;
			hp[n + 2 * lo + 1] = (int32_t)hi;
		}
	}
	if (bind_t(v, k, 0, (uint64_t)n * k->row_bytes, &kb) != 0 ||
	    bind_t(v, vv, 0, (uint64_t)n * vv->row_bytes, &vb) != 0 ||
	    bind_all(v, q, &qb) != 0 || bind_all(v, out, &ob) != 0)
		return;
	pa = (attn_pc){ (uint32_t)n, (uint32_t)a->n_head,
	    (uint32_t)a->n_head_kv, (uint32_t)a->head_dim, qb.rem / 4,
	    (uint32_t)(q->row_bytes / 4), ob.rem / 4,
	    (uint32_t)(out->row_bytes / 4), 0, 0xffffffffu, 0, kb.rem / 4,
	    vb.rem / 4, (uint32_t)(k->row_bytes / 4),
	    (uint32_t)(vv->row_bytes / 4), a->non_causal ? 2 : 1,
	    (uint32_t)n, a->scale, 1 };
	run(v, VP_ATTN + 1, bsa, &pa, sizeof(pa), (uint64_t)n *
	    (uint64_t)a->n_head, 0);
}

/*
 * How many parts attention over the cache is split into (attn.comp's
 * nsplit): generation (up to FUSE_COLS tokens) over more than
 * ATTN_PART positions, when v->apart (made at the first split, twice
 * that one's size) has room; else 1.
 */
static uint32_t
attn_parts(vk_backend *v, const lc_attn_args *a, const int32_t *pos,
    int64_t ntok)
{
	int64_t t, most = 0, n;
	uint64_t need;
	uint32_t ns;
	lc_err e;

	if (ntok > FUSE_COLS || v->kv_dim <= 0)
		return 1;
	for (t = 0; t < ntok; t++) {
		n = (int64_t)pos[t] + 1;
		if (a->n_swa > 0 && n > a->n_swa)
			n = a->n_swa;
		if (n > most)
			most = n;
	}
	if (most <= ATTN_PART)
		return 1;
	ns = (uint32_t)((most + ATTN_PART - 1) / ATTN_PART);
	if (ns > ATTN_PARTS)
		ns = ATTN_PARTS;
	need = (uint64_t)ntok * (uint64_t)a->n_head * ns *
	    ((uint64_t)a->head_dim + 2) * sizeof(float);
	if (v->apart == NULL && vbuf_new(v, 2 * (uint64_t)FUSE_COLS *
	    (uint64_t)a->n_head * ATTN_PARTS * ((uint64_t)a->head_dim + 2) *
	    sizeof(float), 0, &v->apart, &e) != LC_OK) {
		v->apart = NULL;
		return 1;
	}
	return need + PAD <= v->apart->size ? ns : 1;
}

static void
vk_attention(lc_backend *b, const lc_attn_args *a, const lc_tensor *q,
    const lc_tensor *k, const lc_tensor *vv, const int32_t *pos,
    lc_tensor *out)
{
	vk_backend *v = VK(b);
	struct {
		uint32_t rowel, ntok, koff, kstride, voff, vstride, posoff, nc;
		uint32_t kbase, vbase, nel;
		uint32_t rope, hd, n_rot, hasff, ffoff;
		float theta_scale, freq_scale, ext_factor, mscale, lo, hi;
	} ps;
	const rope_pc *rp = (const rope_pc *)v->hold.pc;
	int turn, i;
	attn_pc pa;
	vbind qb, kb, vb, ob, pb, kcb, vcb;
	vbind *bst[NBIND] = { &kb, &vb, &pb, &kcb, &vcb };
	vbind *bsa[NBIND] = { &qb, &kcb, &vcb, &ob, &pb };
	int64_t n = k->ne[1], nc, nel;
	int q8 = v->kv_dtype == LC_Q8_0, f32 = v->kv_dtype == LC_F32;
	uint32_t ns;
	void *hp;

	if (a->seq != NULL) {
		attn_seq(v, a, q, k, vv, pos, out);
		return;
	}
	if (a->layer < 0 || a->layer >= v->n_layer) {
		fail(v, LC_EINVAL, "attention of layer %d without a KV cache",
		    a->layer);
		return;
	}
	if (!attn_shape_ok(v, a))
		return;
	/* a layer with smaller heads than the widest (gemma4) fills the
	   start of each cell, as the CPU backend does */
	nel = (int64_t)a->n_head_kv * a->head_dim;
	if (nel > v->kv_dim || nel % (q8 ? 32 : 2) != 0) {
		fail(v, LC_EINVAL, "layer %d: KV rows of %lld values in a "
		    "cache of %lld", a->layer, (long long)nel,
		    (long long)v->kv_dim);
		return;
	}
	nc = v->cells[a->layer];
	kcb.bi = (VkDescriptorBufferInfo){ v->kc[a->layer]->buf, 0,
	    VK_WHOLE_SIZE };
	vcb.bi = (VkDescriptorBufferInfo){ v->vc[a->layer]->buf, 0,
	    VK_WHOLE_SIZE };
	kcb.rem = vcb.rem = 0;
	if (bind_all(v, k, &kb) != 0 || bind_all(v, vv, &vb) != 0 ||
	    bind_all(v, q, &qb) != 0 || bind_all(v, out, &ob) != 0)
		return;
	/* the held RoPE of exactly these keys at these positions: the
	   store turns them (kv_store.comp's rope) */
	turn = v->hold.pipe >= 0 && v->hold.what == PD_ROPE &&
	    same_bind(&v->hold.b[3], &kb) && rp->ntok == (uint32_t)n &&
	    rp->neox == 0 && (int64_t)rp->n_head * rp->head_dim == nel &&
	    rp->xoff == kb.rem / 4 && rp->xstride == k->row_bytes / 4 &&
	    memcmp(v->hold.hpos, pos, (size_t)n * sizeof(int32_t)) == 0;
	if ((hp = ring_get(v, (size_t)n * sizeof(int32_t) + (turn &&
	    v->hold.hff ? (size_t)rp->n_rot / 2 * sizeof(float) : 0),
	    &pb)) == NULL)
		return;
	memcpy(hp, pos, (size_t)n * sizeof(int32_t));
	ps = (__typeof__(ps)){ (uint32_t)v->kv_dim, (uint32_t)n, kb.rem / 4,
	    (uint32_t)(k->row_bytes / 4), vb.rem / 4,
	    (uint32_t)(vv->row_bytes / 4), 0, (uint32_t)nc, 0, 0,
	    (uint32_t)nel, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	if (turn) {
		if (v->hold.hff != NULL)
			memcpy((int32_t *)hp + n, v->hold.hff,
			    (size_t)rp->n_rot / 2 * sizeof(float));
		ps.rope = 1;
		ps.hd = rp->head_dim;
		ps.n_rot = rp->n_rot;
		ps.hasff = v->hold.hff != NULL;
		ps.ffoff = (uint32_t)n;
		ps.theta_scale = rp->theta_scale;
		ps.freq_scale = rp->freq_scale;
		ps.ext_factor = rp->ext_factor;
		ps.mscale = rp->mscale;
		ps.lo = rp->lo;
		ps.hi = rp->hi;
		v->hold.pipe = -1;	/* taken in */
		v->hold.what = -1;
	}
	/* f16, f32: an invocation per two values; q8_0: per two blocks */
	i = q8 ? VP_KVSTORE_Q8_0 : VP_KVSTORE + f32;
	hold_flush(v);
	record(v, i, bst, wmask(i) | (turn ? 1u : 0u), &ps, sizeof(ps),
	    (uint64_t)n * cdiv(q8 ? ((uint64_t)nel / 32 + 1) / 2 :
	    (uint64_t)nel / 2, 64), 0);
	pa = (attn_pc){ (uint32_t)q->ne[1], (uint32_t)a->n_head,
	    (uint32_t)a->n_head_kv, (uint32_t)a->head_dim, qb.rem / 4,
	    (uint32_t)(q->row_bytes / 4), ob.rem / 4,
	    (uint32_t)(out->row_bytes / 4), 0, (uint32_t)nc,
	    (uint32_t)(a->n_swa > 0 ? a->n_swa : 0), 0, 0,
	    (uint32_t)v->kv_dim, (uint32_t)v->kv_dim, 0, 0, a->scale, 1 };
	if ((ns = attn_parts(v, a, pos, q->ne[1])) > 1) {
		vbind part, *bsm[NBIND] = { &part, NULL, NULL, NULL, &ob };
		quant_pc pm;
		uint64_t np = (uint64_t)q->ne[1] * (uint64_t)a->n_head * ns;

		bind_raw(v, v->apart, 0, np * ((uint64_t)a->head_dim + 2) *
		    sizeof(float), &part);
		bsa[3] = &part;
		pa.ooff = 0;
		pa.nsplit = ns;
		run(v, q8 ? VP_ATTN_Q8_0 : VP_ATTN + f32, bsa, &pa,
		    sizeof(pa), np, 0);
		/* the merge: held back, for the rounding of the output */
		pm = (quant_pc){ (uint32_t)out->ne[0], (uint32_t)out->ne[1],
		    0, 0, 0, 0, 3, 0, 0, 0, 0, ob.rem / 4,
		    (uint32_t)(out->row_bytes / 4), 0,
		    (uint32_t)a->head_dim, ns };
		run_later(v, PD_MERGE, VP_QUANT, bsm, &pm, sizeof(pm),
		    cdiv((uint64_t)out->ne[0] * (uint64_t)out->ne[1], 256));
		return;
	}
	run(v, q8 ? VP_ATTN_Q8_0 : VP_ATTN + f32, bsa, &pa, sizeof(pa),
	    (uint64_t)q->ne[1] * (uint64_t)a->n_head, 0);
}

static void
vk_act(lc_backend *b, int kind, const lc_tensor *gate, const lc_tensor *up,
    lc_tensor *y)
{
	vk_backend *v = VK(b);
	act_pc pc;
	vbind gb, ub, yb;
	vbind *bs[NBIND] = { &gb, up ? &ub : NULL, NULL, &yb, NULL };
	uint32_t k;

	switch (kind) {
	case LC_ACT_SILU_GATE: k = 0; break;
	case LC_ACT_GELU_GATE: case LC_ACT_GELU: k = 1; break;
	case LC_ACT_GELU_ERF: k = 2; break;
	default:
		fail(v, LC_EUNSUP, "activation kind %d", kind);
		return;
	}
	if (bind_all(v, gate, &gb) != 0 || bind_all(v, y, &yb) != 0 ||
	    (up && bind_all(v, up, &ub) != 0))
		return;
	pc = (__typeof__(pc)){ (uint32_t)gate->ne[0], (uint32_t)gate->ne[1],
	    gb.rem / 4, (uint32_t)(gate->row_bytes / 4), up ? ub.rem / 4 : 0,
	    up ? (uint32_t)(up->row_bytes / 4) : 0, yb.rem / 4,
	    (uint32_t)(y->row_bytes / 4), up != NULL, k };
	if (gate->ne[1] <= FUSE_COLS)	/* pre 2 of quant_act.comp */
		run_later(v, PD_ACT, VP_ACT, bs, &pc, sizeof(pc),
		    (uint64_t)gate->ne[1] * cdiv((uint64_t)gate->ne[0], 256));
	else
		run(v, VP_ACT, bs, &pc, sizeof(pc), (uint64_t)gate->ne[1] *
		    cdiv((uint64_t)gate->ne[0], 256), 0);
}

/* y[:, s] = the mean, first or last column of sequence s of x (the ring
   holds start[0..n_seq]) */
static void
vk_pool(lc_backend *b, int kind, const lc_tensor *x, const int32_t *start,
    int n_seq, lc_tensor *y)
{
	vk_backend *v = VK(b);
	struct {
		uint32_t ne0, nseq, xoff, xstride, yoff, ystride, soff, kind;
	} pc;
	vbind xb, sb, yb;
	vbind *bs[NBIND] = { &xb, &sb, NULL, &yb, NULL };
	int32_t *hp;
	int s;

	if (kind != LC_POOL_MEAN && kind != LC_POOL_CLS &&
	    kind != LC_POOL_LAST) {
		fail(v, LC_EUNSUP, "pooling kind %d", kind);
		return;
	}
	if (n_seq <= 0)
		return;
	for (s = 0; s < n_seq; s++)
		if (start[s] < 0 || start[s + 1] <= start[s] ||
		    start[s + 1] > x->ne[1]) {
			fail(v, LC_EINVAL, "pool: sequence %d of columns %d .. "
			    "%d in %lld", s, start[s], start[s + 1] - 1,
			    (long long)x->ne[1]);
			return;
		}
	if (y->ne[0] != x->ne[0] || y->ne[1] < n_seq) {
		fail(v, LC_EINVAL, "pool: %lld x %d into %lld x %lld",
		    (long long)x->ne[0], n_seq, (long long)y->ne[0],
		    (long long)y->ne[1]);
		return;
	}
	if ((hp = ring_get(v, (size_t)(n_seq + 1) * sizeof(int32_t), &sb)) ==
	    NULL)
		return;
	memcpy(hp, start, (size_t)(n_seq + 1) * sizeof(int32_t));
	if (bind_all(v, x, &xb) != 0 || bind_t(v, y, 0, (uint64_t)n_seq *
	    y->row_bytes, &yb) != 0)
		return;
	pc = (__typeof__(pc)){ (uint32_t)x->ne[0], (uint32_t)n_seq,
	    xb.rem / 4, (uint32_t)(x->row_bytes / 4), yb.rem / 4,
	    (uint32_t)(y->row_bytes / 4), 0, (uint32_t)kind };
	run(v, VP_POOL, bs, &pc, sizeof(pc), (uint64_t)n_seq *
	    cdiv((uint64_t)x->ne[0], 64), 0);
}

/*
 * Column col of x to host.  Inside a step: a copy recorded into the
 * ring, host filled by end().  After end() (lc_model_hidden reads
 * every token's column so): the first read copies all of x's columns
 * (up to LATE_MAX bytes, else the one column) into the ring at once and
 * waits; the reads of x's other columns are then served from there
 * until the next begin().
 */
#define LATE_MAX	((size_t)64 << 20)

static void
vk_read(lc_backend *b, const lc_tensor *x, int64_t col, float *host)
{
	vk_backend *v = VK(b);
	VkBufferCopy c;
	vbind sb, rb;
	vread *p;
	void *hp;
	lc_err e;
	int late = !v->recording, whole = 0;
	size_t rcur = v->rcur, n = x->row_bytes;
	VkDeviceSize rused = v->rused;
	VkCommandBuffer cb;

	hold_flush(v);
	if (late && v->lhost != NULL && v->lbuf == x->buf && v->ldata ==
	    (uintptr_t)x->data && v->lrow == x->row_bytes && col >= 0 &&
	    col < v->lncol) {
		memcpy(host, v->lhost + (size_t)col * n, n);
		return;
	}
	if (late && (v->bad || ucmd_open(v, &e) != LC_OK))
		goto failed;
	if (late && x->ne[1] > 1 && col >= 0 && col < x->ne[1] &&
	    (size_t)x->ne[1] <= LATE_MAX / n) {
		whole = 1;
		n *= (size_t)x->ne[1];
	}
	if (bind_t(v, x, whole ? 0 : (uint64_t)col * x->row_bytes, n, &sb) !=
	    0 || (hp = ring_get(v, n, &rb)) == NULL)
		goto failed;
	cb = late ? v->ucmd : v->cmd;
	if (!late) {
		hazard(v, NULL, 0);	/* x written: visible to the copy */
		hazard_add(v, &sb.bi, 0);
	}
	c.srcOffset = sb.bi.offset + sb.rem;
	c.dstOffset = rb.bi.offset;
	c.size = n;
	vkCmdCopyBuffer(cb, sb.bi.buffer, rb.bi.buffer, 1, &c);
	if (late) {
		barrier(v, cb, VK_PIPELINE_STAGE_HOST_BIT);
		if (ucmd_flush(v, &e) != LC_OK)
			goto failed;
		if (whole) {
			v->lbuf = x->buf;
			v->ldata = (uintptr_t)x->data;
			v->lrow = x->row_bytes;
			v->lncol = x->ne[1];
			v->lhost = hp;
			memcpy(host, (char *)hp + (size_t)col * x->row_bytes,
			    x->row_bytes);
			return;
		}
		memcpy(host, hp, x->row_bytes);
		v->rcur = rcur;		/* the ring space is free again */
		v->rused = rused;
		return;
	}
	if (v->nreads == v->creads) {
		size_t nr = v->creads ? 2 * v->creads : 16;
		if ((p = realloc(v->reads, nr * sizeof(*p))) == NULL) {
			fail(v, LC_ENOMEM, "reads");
			return;
		}
		v->reads = p;
		v->creads = nr;
	}
	v->reads[v->nreads++] = (vread){ host, hp, x->row_bytes };
	return;
failed:
	/* a read after end() cannot report: the host gets NaNs */
	if (late) {
		for (int64_t i = 0; i < x->ne[0]; i++)
			host[i] = NAN;
		v->bad = 0;
		v->rcur = rcur;
		v->rused = rused;
	}
}

static void
vk_free(lc_backend *b)
{
	vk_backend *v = VK(b);
	size_t i;

	if (v == NULL)
		return;
	if (v->dev != VK_NULL_HANDLE) {
		(void)vkDeviceWaitIdle(v->dev);
		prof_print(v);
		if (v->pqp != VK_NULL_HANDLE)
			vkDestroyQueryPool(v->dev, v->pqp, NULL);
		kv_free(v);
		for (i = 0; i < v->nents; i++)
			if (v->ents[i].own)
				vbuf_free(v, v->ents[i].vb);
		for (i = 0; i < v->nwchunks; i++)
			vbuf_free(v, v->wchunks[i]);
		for (i = 0; i < v->nring; i++)
			vbuf_free(v, v->ring[i]);
		vbuf_free(v, v->stage);
		vbuf_free(v, v->dummy);
		vbuf_free(v, v->xq);
		vbuf_free(v, v->apart);
		for (i = 0; i < VP_N; i++)
			if (v->pipe[i] != VK_NULL_HANDLE)
				vkDestroyPipeline(v->dev, v->pipe[i], NULL);
		if (v->pl != VK_NULL_HANDLE)
			vkDestroyPipelineLayout(v->dev, v->pl, NULL);
		if (v->dsl != VK_NULL_HANDLE)
			vkDestroyDescriptorSetLayout(v->dev, v->dsl, NULL);
		if (v->fence != VK_NULL_HANDLE)
			vkDestroyFence(v->dev, v->fence, NULL);
		if (v->pool != VK_NULL_HANDLE)
			vkDestroyCommandPool(v->dev, v->pool, NULL);
		vkDestroyDevice(v->dev, NULL);
	}
	if (v->inst != VK_NULL_HANDLE)
		vkDestroyInstance(v->inst, NULL);
	free(v->ents);
	free(v->wchunks);
	free(v->ring);
	free(v->reads);
	free(v->ppipe);
	free(v->pts);
	free(v->cbs);
	free(v);
}

/* --- mixture of experts ------------------------------------------------- */

/* moe_route.comp's MAXE and MAXU */
#define MOE_MAXE	4096
#define MOE_MAXU	64

static void
vk_moe_route(lc_backend *b, const lc_tensor *logits, int n_used,
    lc_tensor *sel)
{
	vk_backend *v = VK(b);
	struct {
		uint32_t ne, nu, ntok, loff, lstride, soff, sstride;
	} pc;
	vbind lb, sb;
	vbind *bs[NBIND] = { &lb, NULL, NULL, &sb, NULL };
	int64_t ne = logits->ne[0], n = logits->ne[1];

	if (ne > MOE_MAXE || n_used < 1 || n_used > MOE_MAXU ||
	    n_used > ne || sel->ne[0] != 2 * (int64_t)n_used ||
	    sel->ne[1] < n) {
		fail(v, LC_EUNSUP, "routing to %d of %lld experts (at most %d "
		    "of %d) into %lld rows", n_used, (long long)ne, MOE_MAXU,
		    MOE_MAXE, (long long)sel->ne[0]);
		return;
	}
	if (bind_all(v, logits, &lb) != 0 || bind_t(v, sel, 0, (uint64_t)n *
	    sel->row_bytes, &sb) != 0)
		return;
	pc = (__typeof__(pc)){ (uint32_t)ne, (uint32_t)n_used, (uint32_t)n,
	    lb.rem / 4, (uint32_t)(logits->row_bytes / 4), sb.rem / 4,
	    (uint32_t)(sel->row_bytes / 4) };
	run(v, VP_MOE_ROUTE, bs, &pc, sizeof(pc), (uint64_t)n, 0);
}

/*
 * y[:, s + nu t] = W_e x[:, t or s + nu t]: x rounded as the CPU rounds
 * it (as vk_matmul), then moe_matvec.comp with a workgroup per NR rows
 * and (slot, token), so only the chosen experts' rows are read.  Tokens
 * go in ranges whose x, y and sel fit the binding limit (and at most
 * 65535 pairs), the stack in row ranges that do.
 */
static void
vk_moe_matmul(lc_backend *b, const lc_tensor *w, const lc_tensor *sel,
    const lc_tensor *x, lc_tensor *y)
{
	vk_backend *v = VK(b);
	struct {
		uint32_t ne0, nrows, nu, woff, wrow, r0, r1, xoff, xstride;
		uint32_t xbcast, yoff, ystride, soff, seloff, selstride;
	} pc;
	vbind wb, xb, selb, yb, xs;
	vbind *bs[NBIND] = { &wb, &xb, &selb, &yb, NULL };
	int64_t K = w->ne[0], out = w->ne[1], n_expert = w->ne[2];
	int64_t R = out * n_expert, nu = sel->ne[0] / 2;
	int64_t n = sel->ne[1], ncols = x->ne[1], t0, r0, tpc, rpc;
	int bcast = ncols == n, slot = wslot(w->dtype);
	uint32_t kind = act_kind(w->dtype);
	size_t xrow = kind ? (size_t)K * sizeof(float) : x->row_bytes, big;
	VkDeviceSize nq = (VkDeviceSize)K * (VkDeviceSize)ncols *
	    sizeof(float);

	if (n_expert < 1 || out < 1 || slot < 0 ||
	    (!bcast && ncols != nu * n) || y->ne[1] < nu * n ||
	    y->ne[0] != out || cdiv((uint64_t)out, 4) > 65535 ||
	    (K % 8 != 0 && w->dtype != LC_F32 && w->dtype != LC_F16)) {
		fail(v, LC_EUNSUP, "experts' matrix product: %lld x %lld "
		    "weights of %lld experts, %lld x %lld input, %lld x %lld "
		    "output, %lld slots", (long long)K, (long long)out,
		    (long long)n_expert,
		    (long long)K, (long long)ncols, (long long)y->ne[0],
		    (long long)y->ne[1], (long long)nu);
		return;
	}
	if (kind && quant_x(v, x, K, ncols, kind) != 0)
		return;
	/* the bytes of one token's columns in the largest binding */
	big = (bcast ? 1 : (size_t)nu) * xrow;
	if ((size_t)nu * y->row_bytes > big)
		big = (size_t)nu * y->row_bytes;
	if (sel->row_bytes > big)
		big = sel->row_bytes;
	tpc = (int64_t)((v->maxrange - 4096) / big);
	if (tpc > 65535 / nu)
		tpc = 65535 / nu;
	rpc = (int64_t)((v->maxrange - 4096) / w->row_bytes);
	if (tpc < 1 || rpc < 1) {
		fail(v, LC_EUNSUP, "experts' matrix product: a token's columns "
		    "exceed the device's binding limit");
		return;
	}
	for (t0 = 0; t0 < n; t0 += tpc) {
		int64_t t1 = t0 + tpc < n ? t0 + tpc : n;
		int64_t c0 = bcast ? t0 : nu * t0, nc = (bcast ? 1 : nu) *
		    (t1 - t0);
		if (kind) {
			bind_raw(v, v->xq, (VkDeviceSize)c0 * xrow,
			    (VkDeviceSize)nc * xrow + 16, &xb);
			bind_raw(v, v->xq, nq + (VkDeviceSize)c0 * xrow / 32,
			    (VkDeviceSize)nc * xrow / 32 + 16, &xs);
			bs[4] = &xs;
		} else if (bind_t(v, x, (uint64_t)c0 * x->row_bytes,
		    (uint64_t)nc * x->row_bytes, &xb) != 0)
			return;
		if (bind_t(v, y, (uint64_t)(nu * t0) * y->row_bytes,
		    (uint64_t)(nu * (t1 - t0)) * y->row_bytes, &yb) != 0 ||
		    bind_t(v, sel, (uint64_t)t0 * sel->row_bytes,
		    (uint64_t)(t1 - t0) * sel->row_bytes, &selb) != 0)
			return;
		for (r0 = 0; r0 < R; r0 += rpc) {
			int64_t r1 = r0 + rpc < R ? r0 + rpc : R;
			if (bind_t(v, w, (uint64_t)r0 * w->row_bytes,
			    (uint64_t)(r1 - r0) * w->row_bytes, &wb) != 0)
				return;
			pc = (__typeof__(pc)){ (uint32_t)K, (uint32_t)out,
			    (uint32_t)nu, wb.rem, (uint32_t)w->row_bytes,
			    (uint32_t)r0, (uint32_t)r1, xb.rem / 4,
			    (uint32_t)(xrow / 4), (uint32_t)bcast, yb.rem / 4,
			    (uint32_t)(y->row_bytes / 4), kind ? xs.rem / 4 : 0,
			    selb.rem / 4, (uint32_t)(sel->row_bytes / 4) };
			run(v, VP_MOE_MATVEC + slot, bs, &pc, sizeof(pc),
			    cdiv((uint64_t)out, 4), (uint32_t)(nu * (t1 - t0)));
		}
	}
}

/* y[:, t] = a[:, t] + sum_s w[s, t] c[:, s + nu t], tokens in ranges
   whose c fits the binding limit */
static void
vk_moe_add(lc_backend *b, const lc_tensor *a, const lc_tensor *sel,
    const lc_tensor *c, lc_tensor *y)
{
	vk_backend *v = VK(b);
	struct {
		uint32_t ne0, ntok, nu, aoff, astride, coff, cstride, yoff;
		uint32_t ystride, soff, sstride;
	} pc;
	vbind ab, cb, sb, yb;
	vbind *bs[NBIND] = { &ab, &cb, &sb, &yb, NULL };
	int64_t n = a->ne[1], nu = sel->ne[0] / 2, t0, tpc;

	if (nu < 1 || sel->ne[1] < n || c->ne[1] < nu * n ||
	    c->ne[0] != a->ne[0] || y->ne[1] < n) {
		fail(v, LC_EUNSUP, "experts' sum of %lld x %lld into %lld x "
		    "%lld, %lld slots", (long long)c->ne[0], (long long)c->ne[1],
		    (long long)a->ne[0], (long long)n, (long long)nu);
		return;
	}
	tpc = (int64_t)((v->maxrange - 4096) / ((size_t)nu * c->row_bytes));
	if (tpc < 1) {
		fail(v, LC_EUNSUP, "experts' sum: a token's columns exceed the "
		    "device's binding limit");
		return;
	}
	for (t0 = 0; t0 < n; t0 += tpc) {
		int64_t t1 = t0 + tpc < n ? t0 + tpc : n, k = t1 - t0;
		if (bind_t(v, a, (uint64_t)t0 * a->row_bytes, (uint64_t)k *
		    a->row_bytes, &ab) != 0 || bind_t(v, c, (uint64_t)(nu *
		    t0) * c->row_bytes, (uint64_t)(nu * k) * c->row_bytes,
		    &cb) != 0 || bind_t(v, sel, (uint64_t)t0 * sel->row_bytes,
		    (uint64_t)k * sel->row_bytes, &sb) != 0 || bind_t(v, y,
		    (uint64_t)t0 * y->row_bytes, (uint64_t)k * y->row_bytes,
		    &yb) != 0)
			return;
		pc = (__typeof__(pc)){ (uint32_t)a->ne[0], (uint32_t)k,
		    (uint32_t)nu, ab.rem / 4, (uint32_t)(a->row_bytes / 4),
		    cb.rem / 4, (uint32_t)(c->row_bytes / 4), yb.rem / 4,
		    (uint32_t)(y->row_bytes / 4), sb.rem / 4,
		    (uint32_t)(sel->row_bytes / 4) };
		run(v, VP_MOE_ADD, bs, &pc, sizeof(pc), (uint64_t)k *
		    cdiv((uint64_t)a->ne[0], 256), 0);
	}
}

static const lc_backend_ops vk_ops = {
	.name = "vulkan",
	.alloc = vk_alloc, .release = vk_release, .weight = vk_weight,
	.kv_init = vk_kv_init, .kv_clear = vk_kv_clear,
	.begin = vk_begin, .get_rows = vk_get_rows, .norm = vk_norm,
	.matmul = vk_matmul, .add = vk_add, .scale_add = vk_scale_add,
	.rope = vk_rope, .attention = vk_attention, .act = vk_act,
	.pool = vk_pool,
	.read = vk_read, .end = vk_end, .free = vk_free,
	.moe_route = vk_moe_route, .moe_matmul = vk_moe_matmul,
	.moe_add = vk_moe_add,
};

/* --- device ------------------------------------------------------------ */

static int
has_ext(VkPhysicalDevice pd, const char *name)
{
	VkExtensionProperties *ep;
	uint32_t n = 0, i;
	int found = 0;

	if (vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL) !=
	    VK_SUCCESS || (ep = calloc(n ? n : 1, sizeof(*ep))) == NULL)
		return 0;
	if (vkEnumerateDeviceExtensionProperties(pd, NULL, &n, ep) ==
	    VK_SUCCESS)
		for (i = 0; i < n; i++)
			if (strcmp(ep[i].extensionName, name) == 0)
				found = 1;
	free(ep);
	return found;
}

/*
 * Device number `device` in the order: discrete GPUs first, then the
 * others, each in the driver's order (so 0 is the first discrete GPU,
 * else the first device).
 */
static int
pick(vk_backend *v, int device, lc_err *e)
{
	VkPhysicalDevice *pds, order[256];
	VkPhysicalDeviceProperties pp;
	uint32_t n = 0, i, k = 0;
	VkResult r;
	int pass;

	if ((r = vkEnumeratePhysicalDevices(v->inst, &n, NULL)) != VK_SUCCESS)
		return lc_errf(e, LC_EDEVICE, "vulkan: cannot list devices "
		    "(VkResult %d)", (int)r);
	if (n == 0)
		return lc_errf(e, LC_EDEVICE, "vulkan: no Vulkan device");
	if ((pds = calloc(n, sizeof(*pds))) == NULL)
		return lc_errf(e, LC_ENOMEM, "vulkan: devices");
	if ((r = vkEnumeratePhysicalDevices(v->inst, &n, pds)) != VK_SUCCESS &&
	    r != VK_INCOMPLETE) {
		free(pds);
		return lc_errf(e, LC_EDEVICE, "vulkan: cannot list devices "
		    "(VkResult %d)", (int)r);
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n && k < 256; i++) {
			vkGetPhysicalDeviceProperties(pds[i], &pp);
			if ((pp.deviceType ==
			    VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU) == (pass == 0))
				order[k++] = pds[i];
		}
	free(pds);
	if (device < 0 || (uint32_t)device >= k)
		return lc_errf(e, LC_EDEVICE, "vulkan: no device %d (%u "
		    "present)", device, k);
	v->pd = order[device];
	return LC_OK;
}

/*
 * LC_VK_MATVEC: matvec.comp's workgroup size, rows at a time, groups of
 * them and variant, "WGxNR[xRG[xVAR]]" for every weight type and/or
 * "TYPE=WGxNR[xRG[xVAR]]" for one (q4_k=...), comma-separated, later
 * ones winning; WG a power of two from 32 to the device's limit, NR 1
 * to 8, RG 1 to 64 (default 1), VAR 0 or 1 (q4_k's fast path; default
 * 0).  Unset: 64x2x1x0.
 */
static int
mv_config(vk_backend *v, const VkPhysicalDeviceLimits *lim, lc_err *e)
{
	const char *env = getenv("LC_VK_MATVEC"), *p, *eq, *end;
	int k;

	for (k = 0; k < VW_N; k++) {
		v->mv_wg[k] = 64;
		v->mv_nr[k] = 2;
		v->mv_rg[k] = 1;
		v->mv_var[k] = 0;
	}
	if (env == NULL || *env == '\0')
		return LC_OK;
	for (p = env; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		char name[16];
		unsigned wg = 0, nr = 0, rg = 1, var = 0;
		int n = 0, slot = -1, bad;

		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL) {
			size_t len = (size_t)(eq - p);
			int t;

			snprintf(name, sizeof(name), "%.*s", (int)(len <
			    sizeof(name) ? len : sizeof(name) - 1), p);
			t = len < sizeof(name) ? lc_dtype_from_name(name) : -1;
			slot = t < 0 ? -1 : wslot((uint32_t)t);
			if (slot < 0)
				return lc_errf(e, LC_EINVAL, "vulkan: "
				    "LC_VK_MATVEC: \"%s\" is not a weight type "
				    "with a matvec shader", name);
			p = eq + 1;
		}
		bad = sscanf(p, "%ux%u%n", &wg, &nr, &n) != 2;
		if (!bad && p + n < end && p[n] == 'x') {
			int m = 0;
			bad = sscanf(p + n + 1, "%u%n", &rg, &m) != 1;
			n += 1 + m;
		}
		if (!bad && p + n < end && p[n] == 'x') {
			int m = 0;
			bad = sscanf(p + n + 1, "%u%n", &var, &m) != 1;
			n += 1 + m;
		}
		if (bad || p + n != end || var > 1 ||
		    rg < 1 || rg > 64 || wg < 32 || (wg & (wg - 1)) != 0 ||
		    wg > lim->maxComputeWorkGroupSize[0] ||
		    wg > lim->maxComputeWorkGroupInvocations || nr < 1 ||
		    nr > 8 || (size_t)wg * nr * 16 >
		    lim->maxComputeSharedMemorySize)
			return lc_errf(e, LC_EINVAL, "vulkan: LC_VK_MATVEC: "
			    "\"%.*s\" is not WGxNR[xRG[xVAR]] (WG a power of "
			    "two from 32 to %u, NR 1 to 8, WG * NR * 16 bytes "
			    "of shared memory at most %u, RG 1 to 64, VAR 0 or "
			    "1)",
			    (int)(end - p), p,
			    lim->maxComputeWorkGroupSize[0] <
			    lim->maxComputeWorkGroupInvocations ?
			    lim->maxComputeWorkGroupSize[0] :
			    lim->maxComputeWorkGroupInvocations,
			    lim->maxComputeSharedMemorySize);
		for (k = 0; k < VW_N; k++)
			if (slot < 0 || k == slot) {
				v->mv_wg[k] = wg;
				v->mv_nr[k] = nr;
				v->mv_rg[k] = rg;
				v->mv_var[k] = var;
			}
	}
	return LC_OK;
}

static int
setup(vk_backend *v, int device, lc_err *e)
{
	VkApplicationInfo ai = { .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO };
	VkInstanceCreateInfo ici = { .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO };
	VkPhysicalDeviceSubgroupProperties sg = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES };
	VkPhysicalDeviceProperties2 pp2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 };
	VkQueueFamilyProperties qf[64];
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO };
	VkDeviceCreateInfo dci = { .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO };
	VkDescriptorSetLayoutBinding lb[NBIND];
	VkDescriptorSetLayoutCreateInfo dli = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO };
	VkPushConstantRange pcr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, 128 };
	VkPipelineLayoutCreateInfo pli = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO };
	VkCommandPoolCreateInfo cpi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO };
	VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkCommandBuffer cbs[2];
	const char *ext = VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME;
	const float prio = 1.0f;
	uint32_t nq = 64, i, want;
	VkResult r;
	int rc, k;

	v->hold.pipe = -1;
	ai.pApplicationName = "llmutils";
	ai.apiVersion = VK_API_VERSION_1_2;
	ici.pApplicationInfo = &ai;
	if ((r = vkCreateInstance(&ici, NULL, &v->inst)) != VK_SUCCESS)
		return lc_errf(e, LC_EDEVICE, "vulkan: no usable Vulkan "
		    "loader or driver (vkCreateInstance: VkResult %d)", (int)r);
	if ((rc = pick(v, device, e)) != LC_OK)
		return rc;
	pp2.pNext = &sg;
	vkGetPhysicalDeviceProperties2(v->pd, &pp2);
	snprintf(v->name, sizeof(v->name), "%s", pp2.properties.deviceName);
	want = VK_SUBGROUP_FEATURE_BASIC_BIT | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT;
	if (pp2.properties.apiVersion < VK_API_VERSION_1_2 ||
	    !(sg.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) ||
	    (sg.supportedOperations & want) != want ||
	    !has_ext(v->pd, ext) ||
	    pp2.properties.limits.maxComputeSharedMemorySize < 20480 ||
	    pp2.properties.limits.maxComputeWorkGroupSize[0] < 256 ||
	    pp2.properties.limits.maxComputeWorkGroupInvocations < 256)
		return lc_errf(e, LC_EDEVICE, "vulkan: device %d (%s) cannot "
		    "run our shaders (needs Vulkan 1.2, subgroup arithmetic in "
		    "compute shaders, %s)", device, v->name, ext);
	v->maxrange = pp2.properties.limits.maxStorageBufferRange;
	v->align = pp2.properties.limits.minStorageBufferOffsetAlignment;
	if (v->align < 16)
		v->align = 16;
	if (v->maxrange < ((VkDeviceSize)16 << 20))
		return lc_errf(e, LC_EDEVICE, "vulkan: device %d (%s): storage "
		    "buffer bindings of %llu bytes are too small", device,
		    v->name, (unsigned long long)v->maxrange);
	vkGetPhysicalDeviceMemoryProperties(v->pd, &v->mp);
	vkGetPhysicalDeviceQueueFamilyProperties(v->pd, &nq, qf);
	for (i = 0; i < nq; i++)
		if (qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT)
			break;
	if (i == nq)
		return lc_errf(e, LC_EDEVICE, "vulkan: device %d (%s) has no "
		    "compute queue", device, v->name);
	v->qfam = i;
	qci.queueFamilyIndex = v->qfam;
	qci.queueCount = 1;
	qci.pQueuePriorities = &prio;
	dci.queueCreateInfoCount = 1;
	dci.pQueueCreateInfos = &qci;
	dci.enabledExtensionCount = 1;
	dci.ppEnabledExtensionNames = &ext;
	if ((r = vkCreateDevice(v->pd, &dci, NULL, &v->dev)) != VK_SUCCESS)
		return lc_errf(e, LC_EDEVICE, "vulkan: device %d (%s): "
		    "vkCreateDevice: VkResult %d", device, v->name, (int)r);
	vkGetDeviceQueue(v->dev, v->qfam, 0, &v->q);
	v->push = (PFN_vkCmdPushDescriptorSetKHR)vkGetDeviceProcAddr(v->dev,
	    "vkCmdPushDescriptorSetKHR");
	if (v->push == NULL)
		return lc_errf(e, LC_EDEVICE, "vulkan: %s: no "
		    "vkCmdPushDescriptorSetKHR", v->name);
	for (k = 0; k < NBIND; k++)
		lb[k] = (VkDescriptorSetLayoutBinding){ (uint32_t)k,
		    VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
		    VK_SHADER_STAGE_COMPUTE_BIT, NULL };
	dli.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
	dli.bindingCount = NBIND;
	dli.pBindings = lb;
	if ((r = vkCreateDescriptorSetLayout(v->dev, &dli, NULL, &v->dsl)) !=
	    VK_SUCCESS)
		return vkerr(e, "vkCreateDescriptorSetLayout", r);
	pli.setLayoutCount = 1;
	pli.pSetLayouts = &v->dsl;
	pli.pushConstantRangeCount = 1;
	pli.pPushConstantRanges = &pcr;
	if ((r = vkCreatePipelineLayout(v->dev, &pli, NULL, &v->pl)) !=
	    VK_SUCCESS)
		return vkerr(e, "vkCreatePipelineLayout", r);
	cpi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
	cpi.queueFamilyIndex = v->qfam;
	if ((r = vkCreateCommandPool(v->dev, &cpi, NULL, &v->pool)) !=
	    VK_SUCCESS)
		return vkerr(e, "vkCreateCommandPool", r);
	cai.commandPool = v->pool;
	cai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
	cai.commandBufferCount = 2;
	if ((r = vkAllocateCommandBuffers(v->dev, &cai, cbs)) != VK_SUCCESS)
		return vkerr(e, "vkAllocateCommandBuffers", r);
	v->cmd = cbs[0];
	v->ucmd = cbs[1];
	if ((v->cbs = malloc(sizeof(*v->cbs))) == NULL)
		return lc_errf(e, LC_ENOMEM, "vulkan: command buffers");
	v->cbs[0] = v->cmd;
	v->ncbs = 1;
	if ((r = vkCreateFence(v->dev, &fci, NULL, &v->fence)) != VK_SUCCESS)
		return vkerr(e, "vkCreateFence", r);
	if ((rc = vbuf_new(v, STAGE, 1, &v->stage, e)) != LC_OK ||
	    (rc = vbuf_new(v, 256, 0, &v->dummy, e)) != LC_OK)
		return rc;
	if ((rc = mv_config(v, &pp2.properties.limits, e)) != LC_OK)
		return rc;
	v->sync = getenv("LC_VK_SYNC") != NULL && *getenv("LC_VK_SYNC");
	v->pvalid = qf[v->qfam].timestampValidBits;
	v->pperiod = pp2.properties.limits.timestampPeriod;
	if (getenv("LC_VK_PROFILE") != NULL && *getenv("LC_VK_PROFILE") &&
	    v->pvalid > 0 && v->pperiod > 0) {
		VkQueryPoolCreateInfo qpi = {
			.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO };

		qpi.queryType = VK_QUERY_TYPE_TIMESTAMP;
		qpi.queryCount = PROF_MAX;
		if ((v->ppipe = calloc(PROF_MAX, sizeof(*v->ppipe))) == NULL ||
		    (v->pts = calloc(PROF_MAX, sizeof(*v->pts))) == NULL)
			return lc_errf(e, LC_ENOMEM, "vulkan: profile");
		if ((r = vkCreateQueryPool(v->dev, &qpi, NULL, &v->pqp)) !=
		    VK_SUCCESS)
			return vkerr(e, "vkCreateQueryPool", r);
	}
	return LC_OK;
}

int
lc_vk_backend_new(lc_backend **out, int device, lc_err *e)
{
	vk_backend *v;
	int rc;

	*out = NULL;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return lc_errf(e, LC_ENOMEM, "vulkan backend");
	v->base.ops = &vk_ops;
	if ((rc = setup(v, device, e)) != LC_OK) {
		vk_free(&v->base);
		return rc;
	}
	*out = &v->base;
	return LC_OK;
}

/* --- device facts ------------------------------------------------------ */

#define BW_BYTES	((VkDeviceSize)256 << 20)	/* per buffer */
#define BW_REPS		5

/*
 * The bytes read and written per second by add.comp's copy mode over
 * two device-local buffers of *bytes (256 MiB, less if they do not
 * fit), in pieces the device can bind: one warm-up copy, then BW_REPS
 * timed by timestamps on the device (the host's clock around the
 * submission where the queue has none), the best kept.
 */
static int
measure_bw(vk_backend *v, uint64_t *bytes, double *bw, lc_err *e)
{
	VkQueryPoolCreateInfo qpi = {
		.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO };
	VkQueueFamilyProperties qf[64];
	VkPhysicalDeviceProperties pp;
	VkQueryPool qp = VK_NULL_HANDLE;
	VkDeviceSize size = BW_BYTES, piece, off;
	vbuf *src = NULL, *dst = NULL;
	uint64_t ts[2 * BW_REPS];
	struct timespec t0, t1;
	struct {
		uint32_t ne0, ncols, aoff, astride, coff, cstride, yoff;
		uint32_t ystride;
		float s;
		uint32_t n16;
	} pc;
	vbind sb, db;
	vbind *bs[NBIND] = { &sb, NULL, NULL, &db, NULL };
	uint32_t nq = 64, valid;
	double best = 0, sec;
	VkResult r;
	int rc, rep, timed;

	vkGetPhysicalDeviceProperties(v->pd, &pp);
	vkGetPhysicalDeviceQueueFamilyProperties(v->pd, &nq, qf);
	valid = v->qfam < nq ? qf[v->qfam].timestampValidBits : 0;
	timed = valid > 0 && pp.limits.timestampPeriod > 0;
	for (;;) {
		if ((rc = vbuf_new(v, size, 0, &src, e)) == LC_OK &&
		    (rc = vbuf_new(v, size, 0, &dst, e)) == LC_OK)
			break;
		vbuf_free(v, src);
		src = NULL;
		if (rc != LC_ENOMEM || size <= ((VkDeviceSize)16 << 20))
			return rc;
		size /= 2;
	}
	piece = (v->maxrange - 4096) & ~(VkDeviceSize)0xffff;
	if (piece > size)
		piece = size;
	if (timed) {
		qpi.queryType = VK_QUERY_TYPE_TIMESTAMP;
		qpi.queryCount = 2 * BW_REPS;
		if ((r = vkCreateQueryPool(v->dev, &qpi, NULL, &qp)) !=
		    VK_SUCCESS) {
			rc = vkerr(e, "vkCreateQueryPool", r);
			goto out;
		}
	}
	/* the timed reps in one submission, or one each without
	   timestamps */
	for (rep = timed ? 0 : -1; rep < BW_REPS; rep++) {
		int k, k0 = timed ? -1 : rep, k1 = timed ? BW_REPS : rep + 1;

		vk_begin(&v->base);
		if (k0 < 0) {
			vkCmdFillBuffer(v->cmd, src->buf, 0, VK_WHOLE_SIZE,
			    0x3f800000u);
			barrier(v, v->cmd,
			    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
			if (timed)
				vkCmdResetQueryPool(v->cmd, qp, 0, 2 * BW_REPS);
		}
		for (k = k0; k < k1; k++) {
			if (timed && k >= 0)
				vkCmdWriteTimestamp(v->cmd,
				    VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, qp,
				    (uint32_t)(2 * k));
			for (off = 0; off < size; off += piece) {
				VkDeviceSize n = size - off < piece ? size -
				    off : piece;
				bind_raw(v, src, off, n, &sb);
				bind_raw(v, dst, off, n, &db);
				pc = (__typeof__(pc)){ 1, 1, sb.rem / 16, 0, 0,
				    0, db.rem / 16, 0, 0.0f,
				    (uint32_t)(n / 16) };
				run(v, VP_ADD, bs, &pc, sizeof(pc),
				    cdiv(n / 16, 4 * 256), 0);
			}
			if (timed && k >= 0)
				vkCmdWriteTimestamp(v->cmd,
				    VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, qp,
				    (uint32_t)(2 * k + 1));
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((rc = vk_end(&v->base, e)) != LC_OK)
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!timed && rep >= 0) {
			sec = (double)(t1.tv_sec - t0.tv_sec) +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
			if (sec > 0 && (best == 0 || sec < best))
				best = sec;
		}
		if (timed)
			break;
	}
	if (timed) {
		if ((r = vkGetQueryPoolResults(v->dev, qp, 0, 2 * BW_REPS,
		    sizeof(ts), ts, sizeof(uint64_t), VK_QUERY_RESULT_64_BIT |
		    VK_QUERY_RESULT_WAIT_BIT)) != VK_SUCCESS) {
			rc = vkerr(e, "vkGetQueryPoolResults", r);
			goto out;
		}
		for (rep = 0; rep < BW_REPS; rep++) {
			uint64_t mask = valid >= 64 ? ~(uint64_t)0 :
			    ((uint64_t)1 << valid) - 1;
			uint64_t d = (ts[2 * rep + 1] - ts[2 * rep]) & mask;
			sec = (double)d * (double)pp.limits.timestampPeriod *
			    1e-9;
			if (sec > 0 && (best == 0 || sec < best))
				best = sec;
		}
	}
	if (best <= 0) {
		rc = lc_errf(e, LC_EDEVICE, "vulkan: %s: the bandwidth copy "
		    "took no measurable time", v->name);
		goto out;
	}
	*bytes = (uint64_t)size;
	*bw = 2.0 * (double)size / best;
	rc = LC_OK;
out:
	if (qp != VK_NULL_HANDLE)
		vkDestroyQueryPool(v->dev, qp, NULL);
	vbuf_free(v, src);
	vbuf_free(v, dst);
	return rc;
}

static const char *
type_name(VkPhysicalDeviceType t)
{
	switch (t) {
	case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
	case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
	case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
	case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
	default: return "other";
	}
}

int
lc_vk_device_info(int device, lc_vk_info *out, lc_err *e)
{
	VkPhysicalDeviceDriverProperties dp = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES };
	VkPhysicalDeviceProperties2 pp2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 };
	lc_backend *b;
	vk_backend *v;
	uint32_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = lc_vk_backend_new(&b, device, e)) != LC_OK)
		return rc;
	v = VK(b);
	pp2.pNext = &dp;
	vkGetPhysicalDeviceProperties2(v->pd, &pp2);
	snprintf(out->name, sizeof(out->name), "%s", v->name);
	snprintf(out->driver, sizeof(out->driver), "%s", dp.driverName);
	snprintf(out->driver_info, sizeof(out->driver_info), "%s",
	    dp.driverInfo);
	out->driver_version = pp2.properties.driverVersion;
	out->api_version = pp2.properties.apiVersion;
	snprintf(out->type, sizeof(out->type), "%s",
	    type_name(pp2.properties.deviceType));
	for (i = 0; i < v->mp.memoryHeapCount; i++)
		if (v->mp.memoryHeaps[i].flags &
		    VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
			out->mem_bytes += v->mp.memoryHeaps[i].size;
	rc = measure_bw(v, &out->bw_bytes, &out->bandwidth, e);
	v->psteps = 0;		/* no profile of the copies */
	vk_free(b);
	return rc;
}

uint64_t
lc_vk_dispatches(lc_backend *b, const char *name)
{
	vk_backend *v = VK(b);
	uint64_t n = 0;
	size_t len = strlen(name);
	int i;

	if (b == NULL || b->ops != &vk_ops)
		return 0;
	for (i = 0; i < VP_N; i++)
		if (lc_vk_spvs[i].name != NULL && strncmp(lc_vk_spvs[i].name,
		    "sh_", 3) == 0 && strncmp(lc_vk_spvs[i].name + 3, name,
		    len) == 0)
			n += v->ncalls[i];
	return n;
}
