/*
 * kv.glsl - reading the K cache (kc[]) and V cache (vc[]) of one layer,
 * f16 (-DKV_f16, two elements a word) or f32 (-DKV_f32), by element
 * index: cell * rowel + head * head_dim + d.
 */
#if defined(KV_f16)
float
k_get(uint e)
{
	vec2 h = unpackHalf2x16(kc[e >> 1]);
	return (e & 1u) != 0u ? h.y : h.x;
}

float
v_get(uint e)
{
	vec2 h = unpackHalf2x16(vc[e >> 1]);
	return (e & 1u) != 0u ? h.y : h.x;
}
#elif defined(KV_f32)
float
k_get(uint e)
{
	return uintBitsToFloat(kc[e]);
}

float
v_get(uint e)
{
	return uintBitsToFloat(vc[e]);
}
#else
#error "no cache type: -DKV_f16 or -DKV_f32"
#endif
