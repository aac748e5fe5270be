/*
 * kv.glsl - reading the K cache (kc[]) and V cache (vc[]) of one layer:
 * k_get(r, i) and v_get(r, i) are element i of row r (a cell, or a
 * column of the batch's own k and v), taken from attn.comp's push
 * constants (include this after them).  The type by -DKV_<type>:
 *   f16 (two elements a word) and f32: element kbase + r * rowel + i
 *     (vbase, vrowel for V);
 *   q8_0: a row of rowel elements (rowel a multiple of 32) is
 *     (rowel / 32 + 1) / 2 words of f16 block scales, two a word (block
 *     b in half b & 1 of word b / 2), then rowel bytes of int8 quants,
 *     four a word; rows follow each other from word kbase (vbase); the
 *     value is q * d, as ggml's dequantize_row_q8_0.  The blocks are
 *     ggml's q8_0 blocks, laid out so that kv_store.comp writes whole
 *     words.
 */
#if defined(KV_f16)
float
k_get(uint r, uint i)
{
	uint e = p.kbase + r * p.rowel + i;
	vec2 h = unpackHalf2x16(kc[e >> 1]);
	return (e & 1u) != 0u ? h.y : h.x;
}

float
v_get(uint r, uint i)
{
	uint e = p.vbase + r * p.vrowel + i;
	vec2 h = unpackHalf2x16(vc[e >> 1]);
	return (e & 1u) != 0u ? h.y : h.x;
}
#elif defined(KV_f32)
float
k_get(uint r, uint i)
{
	return uintBitsToFloat(kc[p.kbase + r * p.rowel + i]);
}

float
v_get(uint r, uint i)
{
	return uintBitsToFloat(vc[p.vbase + r * p.vrowel + i]);
}
#elif defined(KV_q8_0)
/* words of a row's scales; of the whole row */
uint
q8_sw(uint rowel)
{
	return (rowel / 32u + 1u) / 2u;
}

float
q8_val(uint sw, uint qw, uint i)
{
	vec2 d = unpackHalf2x16(sw);

	return float(bitfieldExtract(int(qw), int((i & 3u) << 3), 8)) *
	    (((i >> 5) & 1u) != 0u ? d.y : d.x);
}

float
k_get(uint r, uint i)
{
	uint sw = q8_sw(p.rowel), w = p.kbase + r * (sw + p.rowel / 4u);

	return q8_val(kc[w + (i >> 6)], kc[w + sw + (i >> 2)], i);
}

float
v_get(uint r, uint i)
{
	uint sw = q8_sw(p.vrowel), w = p.vbase + r * (sw + p.vrowel / 4u);

	return q8_val(vc[w + (i >> 6)], vc[w + sw + (i >> 2)], i);
}
#else
#error "no cache type: -DKV_f16, -DKV_f32 or -DKV_q8_0"
#endif
