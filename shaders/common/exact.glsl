/*
 * exact.glsl - the float operations the CPU reference does exactly that
 * a shader's built-ins may not: division and rounding to float16.
 * Vulkan allows 2.5 ulp for x / y (NVIDIA's driver uses it), and a
 * compiler may fold unpackHalf2x16(packHalf2x16(v)) back to v (NVIDIA's
 * does); a step off in either moves 8-bit quants and f16 activations
 * away from the CPU's.  Additions, multiplications and fma are
 * correctly rounded in Vulkan; 'precise' keeps the compiler from
 * reassociating or contracting them.
 */

/* a / b rounded to nearest: the reciprocal refined by one Newton step,
   then the quotient's residual (Markstein); b != 0 */
float
div_rn(float a, float b)
{
	precise float y = 1.0 / b;

	if (isinf(y) || y == 0.0 || isinf(a) || a == 0.0)
		return a / b;
	precise float e = fma(-b, y, 1.0);
	precise float y1 = fma(e, y, y);
	precise float q = a * y1;
	precise float r = fma(-q, b, a);
	precise float q1 = fma(r, y1, q);
	return q1;
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
