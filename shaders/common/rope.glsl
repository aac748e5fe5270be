/*
 * rope.glsl - RoPE's angle for pair i at position pos, as
 * libcore/cpu/cpu_backend.c (and llama.cpp) compute it: advanced from
 * the position by i repeated multiplications by theta_scale in float
 * (the CPU's sequence, so the same bits), divided by the pair's
 * frequency factor (ff 1: none), YaRN's ramp between lo and hi when
 * ext_factor != 0; reduced to [-pi, pi] before cos and sin (Cody and
 * Waite's three-part 2 pi), as drivers' cos and sin lose accuracy far
 * from 0.  rope.comp's and kv_store.comp's.  Needs common/exact.glsl.
 */

/* th - 2 pi k for the nearest k, 2 pi as 6.28125 (exact times any k
   below 2^15) + 1.9353071693331003e-3 + 1.0253131677018246e-11 */
float
reduce_2pi(float th)
{
	precise float k = roundEven(th * 0.15915494309189535);
	precise float r = fma(-k, 6.28125, th);
	r = fma(-k, 1.9353071693331003e-3, r);
	r = fma(-k, 1.0253131677018246e-11, r);
	return r;
}

/* (cos, sin) of pair i's angle, times mscale */
vec2
rope_cs(uint i, int pos, float theta_scale, bool hasff, float ff,
    float freq_scale, float ext_factor, float mscale, float lo, float hi)
{
	precise float theta = float(pos);
	for (uint k = 0u; k < i; k++)
		theta *= theta_scale;
	precise float th = theta;
	if (hasff)
		th = div_rn(th, ff);
	if (ext_factor != 0.0) {
		float yy = div_rn(float(i) - lo, max(0.001, hi - lo));
		precise float ramp = (1.0 - min(1.0, max(0.0, yy))) *
		    ext_factor;
		th = freq_scale * th * (1.0 - ramp) + th * ramp;
	} else {
		th *= freq_scale;
	}
	float rr = reduce_2pi(th);
	precise float cs = cos(rr) * mscale, sn = sin(rr) * mscale;
	return vec2(cs, sn);
}
