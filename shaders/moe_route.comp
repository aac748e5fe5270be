#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * moe_route.comp - a mixture-of-experts layer's routing (backend.h,
 * moe_route), one workgroup per token: p = softmax(logits[:, t]), the
 * n_used largest p, largest first, of equal ones the lower expert
 * number (the CPU's scan replaces only on strictly greater), and the
 * weights p / max(sum of the chosen p, 2^-14).  sel's column t: the
 * expert numbers as floats, then the weights.
 * n_expert <= MAXE and n_used <= MAXU: vk.c checks both.
 */
#include "common/base.glsl"
#define WG 64
#define MAXE 4096u
#define MAXU 64u
layout(local_size_x = WG) in;
#include "common/reduce.glsl"

layout(binding = 0, std430) readonly buffer LBuf { float l[]; };
layout(binding = 3, std430) writeonly buffer SBuf { float sel[]; };

layout(push_constant) uniform PC {
	uint ne, nu, ntok, loff, lstride, soff, sstride;
} p;

shared float pr[MAXE];		/* probabilities; -1 once chosen */
shared float bv[WG];
shared uint bi[WG];
shared float chosen[MAXU];

void
main()
{
	uint t = group_id(), lid = gl_LocalInvocationID.x, e, i, s;
	uint lb = p.loff + t * p.lstride, sb = p.soff + t * p.sstride;
	float mx = uintBitsToFloat(0xff800000u), sum = 0.0, inv, v, q;
	uint k;

	if (t >= p.ntok)
		return;
	for (e = lid; e < p.ne; e += WG)
		mx = max(mx, l[lb + e]);
	mx = wg_max(mx);
	for (e = lid; e < p.ne; e += WG)
		sum += exp(l[lb + e] - mx);
	inv = 1.0 / wg_sum(sum);
	for (e = lid; e < p.ne; e += WG)
		pr[e] = exp(l[lb + e] - mx) * inv;
	barrier();
	for (i = 0u; i < p.nu; i++) {
		/* each invocation's best in ascending order, strictly
		   greater; then the pairs, the lower number on ties */
		v = -1.0;
		k = 0xffffffffu;
		for (e = lid; e < p.ne; e += WG)
			if ((q = pr[e]) > v) {
				v = q;
				k = e;
			}
		bv[lid] = v;
		bi[lid] = k;
		barrier();
		for (s = WG / 2u; s > 0u; s >>= 1) {
			if (lid < s && (bv[lid + s] > bv[lid] ||
			    (bv[lid + s] == bv[lid] &&
			    bi[lid + s] < bi[lid]))) {
				bv[lid] = bv[lid + s];
				bi[lid] = bi[lid + s];
			}
			barrier();
		}
		if (lid == 0u) {
			chosen[i] = bv[0];
			sel[sb + i] = float(bi[0]);
			pr[bi[0]] = -1.0;
		}
		barrier();
	}
	if (lid == 0u) {
		float w = 0.0;
		for (i = 0u; i < p.nu; i++)
			w += chosen[i];
		w = max(w, 6.103515625e-5);
		for (i = 0u; i < p.nu; i++)
			sel[sb + p.nu + i] = chosen[i] / w;
	}
}
