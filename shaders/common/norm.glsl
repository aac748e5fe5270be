/*
 * norm.glsl - a column's mean and scale for RMS norm (kind 0) and layer
 * norm (kind 1: the mean removed), over a workgroup of WG invocations
 * striding over the column's n floats at x[xb...]: norm.comp's, and
 * quant_act.comp's when it normalizes before rounding (the same
 * sums in the same order).  Needs common/reduce.glsl and a buffer
 * NORM_X of floats; every invocation must call it.
 */
float
norm_scale(uint xb, uint n, uint kind, float eps, out float mean)
{
	uint lid = gl_LocalInvocationID.x;
	float s = 0.0, d;

	mean = 0.0;
	if (kind == 1u) {
		for (uint i = lid; i < n; i += WG)
			s += NORM_X[xb + i];
		mean = wg_sum(s) / float(n);
		s = 0.0;
	}
	for (uint i = lid; i < n; i += WG) {
		d = NORM_X[xb + i] - mean;
		s += d * d;
	}
	return 1.0 / sqrt(wg_sum(s) / float(n) + eps);
}
