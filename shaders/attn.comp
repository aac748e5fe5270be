#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * attn.comp - out[:, t] = softmax(q_t K^T * scale) V for one (token,
 * head) per workgroup.  Keys go in chunks of WG, one an invocation,
 * with a running maximum and sum (the online softmax), so any context
 * fits in fixed shared memory; invocation i accumulates output
 * dimensions i, i + WG, ... (head_dim <= 4 * WG).
 *
 * mode 0, the KV cache: the positions the causal and window masks leave
 * (lo .. pos[t]; position j in cell j % nc, cells rowel elements apart,
 * a layer's values at the start of each).  Cache type by -DKV_f16,
 * -DKV_f32 or -DKV_q8_0 (common/kv.glsl: how k_get and v_get read a
 * row); kbase and vbase are element offsets (even for f16), 0 for the
 * cache.
 *
 * mode 1 and 2, whole sequences (backend.h's lc_attn_args.seq): kc and
 * vc are the batch's own f32 k and v (the -DKV_f32 variant), column j
 * at kbase + j * rowel (vbase + j * vrowel); token t attends to the
 * columns pos[spanoff + 2t] .. pos[spanoff + 2t + 1] - 1 of its
 * sequence, in mode 1 only those u with pos[u] <= pos[t] (causal),
 * in mode 2 all of them.  nc is then 0xffffffff (no ring).
 *
 * nsplit > 1 (generation over a long context, mode 0): nsplit
 * workgroups share a (token, head), each taking its own consecutive
 * part of the positions, and write, instead of the output, their
 * running maximum m, sum l and unnormalized acc at o[ooff + ((t *
 * n_head + h) * nsplit + part) * (hd + 2)...] (m, l, acc[hd]); an
 * empty part writes m = -inf, l = 0.  quant_act.comp's pre 3 merges
 * them into the output.
 */
#include "common/base.glsl"
#define WG 128
layout(local_size_x = WG) in;
#include "common/reduce.glsl"

layout(binding = 0, std430) readonly buffer QBuf { float q[]; };
layout(binding = 1, std430) readonly buffer KBuf { uint kc[]; };
layout(binding = 2, std430) readonly buffer VBuf { uint vc[]; };
layout(binding = 3, std430) writeonly buffer OBuf { float o[]; };
layout(binding = 4, std430) readonly buffer PBuf { int pos[]; };

layout(push_constant) uniform PC {
	uint ntok, n_head, n_head_kv, hd, qoff, qstride, ooff, ostride;
	uint posoff, nc, n_swa, kbase, vbase, rowel, vrowel, mode;
	uint spanoff;
	float scale;
	uint nsplit;
} p;
#include "common/kv.glsl"

shared float qs[4 * WG];
shared float ps[WG];

void
main()
{
	uint ns = max(p.nsplit, 1u), g = group_id(), lid = gl_LocalInvocationID.x;
	uint part = g % ns;
	uint t = g / ns / p.n_head, h = g / ns % p.n_head;
	uint kvh = h / (p.n_head / p.n_head_kv), hd = p.hd;
	float acc[4] = float[4](0.0, 0.0, 0.0, 0.0);
	float m = -1.0 / 0.0, l = 0.0;
	int hi, lo, pt;

	if (t >= p.ntok)
		return;
	for (uint d = lid; d < hd; d += WG)
		qs[d] = q[p.qoff + t * p.qstride + h * hd + d];
	barrier();
	pt = pos[p.posoff + t];
	if (p.mode != 0u) {
		lo = pos[p.spanoff + 2u * t];
		hi = pos[p.spanoff + 2u * t + 1u] - 1;
	} else {
		hi = pt;
		lo = p.n_swa > 0u && hi - int(p.n_swa) + 1 > 0 ?
		    hi - int(p.n_swa) + 1 : 0;
		if (ns > 1u) {	/* this workgroup's part */
			int span = (hi - lo + int(ns)) / int(ns);
			lo += int(part) * span;
			hi = min(hi, lo + span - 1);
		}
	}
	for (int j0 = lo; j0 <= hi; j0 += WG) {
		int j = j0 + int(lid);
		bool ok = j <= hi && (p.mode != 1u || pos[p.posoff + uint(j)] <=
		    pt);
		float s = -1.0 / 0.0;
		if (ok) {
			uint kr = uint(j) % p.nc, ko = kvh * hd;
			s = 0.0;
			for (uint d = 0u; d < hd; d++)
				s += qs[d] * k_get(kr, ko + d);
			s *= p.scale;
		}
		float nm = max(m, wg_max(s));
		/* nm is -inf only while every key so far was masked */
		float pj = ok ? exp(s - nm) : 0.0;
		ps[lid] = pj;
		float corr = m == nm ? 1.0 : exp(m - nm);
		l = l * corr + wg_sum(pj);
		uint cnt = uint(min(hi - j0 + 1, WG));
		for (uint i = 0u; i < 4u; i++) {
			uint d = lid + i * WG;
			if (d >= hd)
				break;
			float a = acc[i] * corr;
			for (uint jj = 0u; jj < cnt; jj++)
				a += ps[jj] * v_get((uint(j0) + jj) % p.nc,
				    kvh * hd + d);
			acc[i] = a;
		}
		barrier();
		m = nm;
	}
	if (ns > 1u) {
		uint pb = p.ooff + ((t * p.n_head + h) * ns + part) * (hd + 2u);
		if (lid == 0u) {
			o[pb] = m;
			o[pb + 1u] = l;
		}
		for (uint i = 0u; i < 4u; i++) {
			uint d = lid + i * WG;
			if (d < hd)
				o[pb + 2u + d] = acc[i];
		}
		return;
	}
	for (uint i = 0u; i < 4u; i++) {
		uint d = lid + i * WG;
		if (d < hd)
			o[p.ooff + t * p.ostride + h * hd + d] = acc[i] / l;
	}
}
