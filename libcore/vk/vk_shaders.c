/*
 * vk_shaders.c - the SPIR-V of every shader variant, compiled from
 * shaders/ by glslangValidator at build time (see the Makefile), in
 * pipeline order (vk_impl.h); the later ones placed by their number.
 */
#include <stdint.h>

#include "vk_impl.h"

#include "sh_matvec_f32.h"
#include "sh_matvec_f16.h"
#include "sh_matvec_q4_0.h"
#include "sh_matvec_q4_1.h"
#include "sh_matvec_q5_0.h"
#include "sh_matvec_q5_1.h"
#include "sh_matvec_q8_0.h"
#include "sh_matvec_q4_k.h"
#include "sh_matvec_q5_k.h"
#include "sh_matvec_q6_k.h"
#include "sh_matmul_f32.h"
#include "sh_matmul_f16.h"
#include "sh_matmul_q4_0.h"
#include "sh_matmul_q4_1.h"
#include "sh_matmul_q5_0.h"
#include "sh_matmul_q5_1.h"
#include "sh_matmul_q8_0.h"
#include "sh_matmul_q4_k.h"
#include "sh_matmul_q5_k.h"
#include "sh_matmul_q6_k.h"
#include "sh_get_rows_f32.h"
#include "sh_get_rows_f16.h"
#include "sh_get_rows_q4_0.h"
#include "sh_get_rows_q4_1.h"
#include "sh_get_rows_q5_0.h"
#include "sh_get_rows_q5_1.h"
#include "sh_get_rows_q8_0.h"
#include "sh_get_rows_q4_k.h"
#include "sh_get_rows_q5_k.h"
#include "sh_get_rows_q6_k.h"
#include "sh_attn_f16.h"
#include "sh_attn_f32.h"
#include "sh_kv_store_f16.h"
#include "sh_kv_store_f32.h"
#include "sh_norm.h"
#include "sh_add.h"
#include "sh_act.h"
#include "sh_rope.h"
#include "sh_quant_act.h"
#include "sh_attn_q8_0.h"
#include "sh_kv_store_q8_0.h"
#include "sh_pool.h"
#include "sh_moe_route.h"
#include "sh_moe_add.h"
#include "sh_moe_matvec_f32.h"
#include "sh_moe_matvec_f16.h"
#include "sh_moe_matvec_q4_0.h"
#include "sh_moe_matvec_q4_1.h"
#include "sh_moe_matvec_q5_0.h"
#include "sh_moe_matvec_q5_1.h"
#include "sh_moe_matvec_q8_0.h"
#include "sh_moe_matvec_q4_k.h"
#include "sh_moe_matvec_q5_k.h"
#include "sh_moe_matvec_q6_k.h"

#define S(n) { #n, n, sizeof(n) }
const lc_vk_spv lc_vk_spvs[VP_N] = {
	S(sh_matvec_f32),
	S(sh_matvec_f16),
	S(sh_matvec_q4_0),
	S(sh_matvec_q4_1),
	S(sh_matvec_q5_0),
	S(sh_matvec_q5_1),
	S(sh_matvec_q8_0),
	S(sh_matvec_q4_k),
	S(sh_matvec_q5_k),
	S(sh_matvec_q6_k),
	S(sh_matmul_f32),
	S(sh_matmul_f16),
	S(sh_matmul_q4_0),
	S(sh_matmul_q4_1),
	S(sh_matmul_q5_0),
	S(sh_matmul_q5_1),
	S(sh_matmul_q8_0),
	S(sh_matmul_q4_k),
	S(sh_matmul_q5_k),
	S(sh_matmul_q6_k),
	S(sh_get_rows_f32),
	S(sh_get_rows_f16),
	S(sh_get_rows_q4_0),
	S(sh_get_rows_q4_1),
	S(sh_get_rows_q5_0),
	S(sh_get_rows_q5_1),
	S(sh_get_rows_q8_0),
	S(sh_get_rows_q4_k),
	S(sh_get_rows_q5_k),
	S(sh_get_rows_q6_k),
	S(sh_attn_f16),
	S(sh_attn_f32),
	S(sh_kv_store_f16),
	S(sh_kv_store_f32),
	S(sh_norm),
	S(sh_add),
	S(sh_act),
	S(sh_rope),
	S(sh_quant_act),
	[VP_ATTN_Q8_0] = S(sh_attn_q8_0),
	[VP_KVSTORE_Q8_0] = S(sh_kv_store_q8_0),
	[VP_POOL] = S(sh_pool),
	[VP_MOE_ROUTE] = S(sh_moe_route),
	[VP_MOE_ADD] = S(sh_moe_add),
	[VP_MOE_MATVEC + VW_F32] = S(sh_moe_matvec_f32),
	[VP_MOE_MATVEC + VW_F16] = S(sh_moe_matvec_f16),
	[VP_MOE_MATVEC + VW_Q4_0] = S(sh_moe_matvec_q4_0),
	[VP_MOE_MATVEC + VW_Q4_1] = S(sh_moe_matvec_q4_1),
	[VP_MOE_MATVEC + VW_Q5_0] = S(sh_moe_matvec_q5_0),
	[VP_MOE_MATVEC + VW_Q5_1] = S(sh_moe_matvec_q5_1),
	[VP_MOE_MATVEC + VW_Q8_0] = S(sh_moe_matvec_q8_0),
	[VP_MOE_MATVEC + VW_Q4_K] = S(sh_moe_matvec_q4_k),
	[VP_MOE_MATVEC + VW_Q5_K] = S(sh_moe_matvec_q5_k),
	[VP_MOE_MATVEC + VW_Q6_K] = S(sh_moe_matvec_q6_k),
};
