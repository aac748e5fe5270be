/*
 * arch/phi3.c - Phi-3 / Phi-4-mini.  The llama layer (lc_llama_forward)
 * with, as llama.cpp (src/models/phi3.cpp):
 *
 *   - a fused attn_qkv [n_embd, Q + K + V] (rows Q, then K, then V;
 *     older files have attn_q/k/v) and a fused ffn_up [n_embd, 2 n_ff]
 *     (rows: gate, then up; no ffn_gate), bound by model.c as row views
 *     into wq, wk, wv and gate, up;
 *   - NeoX RoPE on the first rope.dimension_count dimensions of each
 *     head (partial rotary), with LongRoPE: rope_factors_long.weight
 *     when the context exceeds rope.scaling.original_context_length,
 *     else rope_factors_short.weight, and cos, sin times
 *     rope.scaling.attn_factor (model.c's RoPE setup reads all three);
 *   - an optional output.bias added to the logits;
 *   - no sliding window: llama.cpp ignores attention.sliding_window for
 *     phi3 (Phi-4-mini's 262144 is never reached anyway).
 */
#include <string.h>

#include "../model_impl.h"

static int
phi3_setup(lc_model *m, lc_err *e)
{
	(void)e;
	m->hp.n_swa = 0;
	memset(m->hp.swa_layer, 0, sizeof(m->hp.swa_layer));
	return LC_OK;
}

const lc_arch lc_arch_phi3 = {
	.name = "phi3", .rope_mode = LC_ROPE_NEOX, .fused = 1,
	.setup = phi3_setup, .forward = lc_llama_forward,
};
