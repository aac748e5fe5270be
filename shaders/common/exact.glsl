/*
 * exact.glsl - the float operations the CPU reference does exactly that
 * a shader's built-ins may not: division and rounding to float16; and
 * C's roundf.
 * Vulkan allows 2.5 ulp for x / y (NVIDIA's driver uses it), and a
 * compiler may fold unpackHalf2x16(packHalf2x16(v)) back to v (NVIDIA's
 * does); a step off in either moves 8-bit quants and f16 activations
 * away from the CPU's.  Additions and multiplications are correctly
 * rounded in Vulkan, fma need not be fused (lavapipe rounds twice);
 * 'precise' keeps the compiler from reassociating or contracting.
 */

/* a - q b exactly (q b within a factor 2 of a): Dekker's product by
   halves split at 2^12 + 1, then Sterbenz's exact difference; only
   correctly rounded additions and multiplications, no fma (a driver
   may run fma as two roundings: lavapipe does) */
float
resid(float a, float q, float b)
{
	precise float t = 4097.0 * q;
	precise float qh = t - (t - q), ql = q - qh;
	precise float tb = 4097.0 * b;
	precise float bh = tb - (tb - b), bl = b - bh;
	precise float pr = q * b;
	precise float err = ((qh * bh - pr) + qh * bl + ql * bh) + ql * bl;
	precise float r = (a - pr) - err;
	return r;
}

/* a / b rounded to nearest: the driver's quotient, then its neighbours
   while one leaves a smaller exact residual (a quotient of two floats
   is never halfway between two) */
float
div_rn(float a, float b)
{
	precise float q = a / b;

	if (isinf(q) || isnan(q) || q == 0.0 || isinf(a) || isinf(b))
		return q;
	for (int k = 0; k < 4; k++) {
		uint u = floatBitsToUint(q);
		float qu = uintBitsToFloat(u + 1u), qd = uintBitsToFloat(u - 1u);
		float r0 = abs(resid(a, q, b));

		if (abs(resid(a, qu, b)) < r0)
			q = qu;
		else if (abs(resid(a, qd, b)) < r0)
			q = qd;
		else
			break;
	}
	return q;
}

/* v rounded to the nearest float16 (ties to even), as a float: by the
   bits, so no compiler can fold it away */
float
f16_rne(float v)
{
	uint b = floatBitsToUint(v), s = b & 0x80000000u, a = b & 0x7fffffffu;

	if (a >= 0x7f800000u)			/* inf, nan */
		return v;
	if (a >= 0x477ff000u)			/* >= 65520: inf */
		return uintBitsToFloat(s | 0x7f800000u);
	if (a < 0x38800000u) {			/* below 2^-14: steps of 2^-24 */
		precise float t = uintBitsToFloat(a) + 0.5;
		precise float r = t - 0.5;
		return uintBitsToFloat(s | floatBitsToUint(r));
	}
	a = (a + 0x0fffu + ((a >> 13) & 1u)) & ~0x1fffu;
	return uintBitsToFloat(s | a);
}

/* C's roundf: halves away from zero */
float
round_away(float v)
{
	float t = trunc(v);

	return abs(v - t) >= 0.5 ? t + sign(v) : t;
}
