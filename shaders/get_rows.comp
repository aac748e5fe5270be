#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * get_rows.comp - y[:, t] = scale * row ids[t] of W (embedding lookup).
 * A weight too large for one binding is bound in row ranges: this
 * dispatch writes only the tokens whose row is in [r0, r1).  Weight
 * type by -DW_<type> (common/quant.glsl).  f32 and f16 rows may have
 * any length (the last unit reads past the row, into the next row or
 * the buffer's padding, and writes only what is in it).
 */
#include "common/base.glsl"
#define WG 64
layout(local_size_x = WG) in;
#include "common/quant.glsl"

layout(binding = 1, std430) readonly buffer IBuf { int ids[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };

layout(push_constant) uniform PC {
	uint ne0, ntok, r0, r1, woff, wrow, idoff, yoff, ystride;
	float scale;
} p;

void
main()
{
	uint nu = (p.ne0 + 7u) / 8u, gpt = (nu + WG - 1u) / WG, g = group_id();
	uint t = g / gpt, u = (g % gpt) * WG + gl_LocalInvocationID.x;
	float v[8];

	if (t >= p.ntok || u >= nu)
		return;
	uint id = uint(ids[p.idoff + t]);
	if (id < p.r0 || id >= p.r1)
		return;
	deq8(p.woff + (id - p.r0) * p.wrow, u, v);
	uint yb = p.yoff + t * p.ystride + 8u * u;
	for (uint i = 0u; i < 8u && 8u * u + i < p.ne0; i++)
		y[yb + i] = p.scale != 1.0 ? v[i] * p.scale : v[i];
}
