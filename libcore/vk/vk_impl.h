/*
 * vk_impl.h - what the files of the Vulkan backend share: the embedded
 * SPIR-V of every shader variant, indexed by pipeline number.  Not a
 * public header.
 */
#ifndef LC_VK_IMPL_H
#define LC_VK_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* weight types with shaders, in the order of the variants */
enum {
	VW_F32, VW_F16, VW_Q4_0, VW_Q4_1, VW_Q5_0, VW_Q5_1, VW_Q8_0,
	VW_Q4_K, VW_Q5_K, VW_Q6_K, VW_N
};

/* pipelines: one per shader variant */
enum {
	VP_MATVEC = 0,			/* + VW_* */
	VP_MATMUL = VP_MATVEC + VW_N,	/* + VW_* */
	VP_ROWS = VP_MATMUL + VW_N,	/* + VW_* */
	VP_ATTN = VP_ROWS + VW_N,	/* + 0 f16 cache, 1 f32 */
	VP_KVSTORE = VP_ATTN + 2,	/* + 0 f16 cache, 1 f32 */
	VP_NORM = VP_KVSTORE + 2,
	VP_ADD, VP_ACT, VP_ROPE, VP_QUANT,
	VP_ATTN_Q8_0, VP_KVSTORE_Q8_0,	/* the q8_0 cache's */
	VP_POOL,
	VP_MOE_ROUTE, VP_MOE_ADD,	/* mixture of experts */
	VP_MOE_MATVEC,			/* + VW_* */
	VP_MOE_MATVEC_END = VP_MOE_MATVEC + VW_N - 1,
	VP_N
};

typedef struct lc_vk_spv {
	const char	*name;
	const uint32_t	*code;
	size_t		 size;		/* bytes */
} lc_vk_spv;

extern const lc_vk_spv lc_vk_spvs[VP_N];

#endif /* LC_VK_IMPL_H */
