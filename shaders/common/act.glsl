/*
 * act.glsl - the activations of act.comp (and of quant_act.comp, which
 * applies them before rounding): kind 0 SiLU, 1 GELU (tanh
 * approximation, as ggml), 2 GELU by erf.
 */

/* erf by Abramowitz and Stegun 7.1.26 refined: |error| < 1.5e-7 */
float
erf_as(float x)
{
	float t = 1.0 / (1.0 + 0.3275911 * abs(x));
	float r = 1.0 - (((((1.061405429 * t - 1.453152027) * t) +
	    1.421413741) * t - 0.284496736) * t + 0.254829592) * t *
	    exp(-x * x);
	return x < 0.0 ? -r : r;
}

float
act_of(uint kind, float x)
{
	if (kind == 0u)
		return x / (1.0 + exp(-x));
	if (kind == 1u) {
		float z = 0.7978845608028654 * x * (1.0 + 0.044715 * x * x);
		return 0.5 * x * (1.0 + tanh(clamp(z, -15.0, 15.0)));
	}
	return 0.5 * x * (1.0 + erf_as(x * 0.7071067811865476));
}
