#version 450
#extension GL_GOOGLE_include_directive : require
/*
 * add.comp - y = a + s * c, c broadcast when its column stride is 0
 * (add is s = 1: a + 1 * c is exactly a + c).
 *
 * With n16 != 0 it is instead a plain copy of n16 16-byte words, y4[yoff
 * + i] = a4[aoff + i] (offsets in words), WG * 4 words a workgroup: the
 * memory-bandwidth probe of lc_vk_device_info().
 */
#include "common/base.glsl"
#define WG 256
layout(local_size_x = WG) in;

layout(binding = 0, std430) readonly buffer ABuf { float a[]; };
layout(binding = 1, std430) readonly buffer CBuf { float c[]; };
layout(binding = 3, std430) writeonly buffer YBuf { float y[]; };
layout(binding = 0, std430) readonly buffer A4Buf { uvec4 a4[]; };
layout(binding = 3, std430) writeonly buffer Y4Buf { uvec4 y4[]; };

layout(push_constant) uniform PC {
	uint ne0, ncols, aoff, astride, coff, cstride, yoff, ystride;
	float s;
	uint n16;
} p;

void
main()
{
	uint gpc = (p.ne0 + WG - 1u) / WG, g = group_id();
	uint t = g / gpc, i = (g % gpc) * WG + gl_LocalInvocationID.x;

	if (p.n16 != 0u) {
		for (uint k = 0u; k < 4u; k++) {
			i = (g * 4u + k) * WG + gl_LocalInvocationID.x;
			if (i < p.n16)
				y4[p.yoff + i] = a4[p.aoff + i];
		}
		return;
	}
	if (t >= p.ncols || i >= p.ne0)
		return;
	y[p.yoff + t * p.ystride + i] = a[p.aoff + t * p.astride + i] +
	    p.s * c[p.coff + t * p.cstride + i];
}
