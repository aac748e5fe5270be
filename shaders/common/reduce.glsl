/*
 * reduce.glsl - sums and maxima over a workgroup of WG invocations:
 * within each subgroup by subgroup arithmetic, then across subgroups
 * through shared memory.  Every invocation of the workgroup must call
 * them (they contain barriers) and gets the result.
 */
shared float red_sh[WG];

float
wg_sum(float v)
{
	v = subgroupAdd(v);
	if (subgroupElect())
		red_sh[gl_SubgroupID] = v;
	barrier();
	float s = 0.0;
	for (uint i = 0u; i < gl_NumSubgroups; i++)
		s += red_sh[i];
	barrier();
	return s;
}

float
wg_max(float v)
{
	v = subgroupMax(v);
	if (subgroupElect())
		red_sh[gl_SubgroupID] = v;
	barrier();
	float s = red_sh[0];
	for (uint i = 1u; i < gl_NumSubgroups; i++)
		s = max(s, red_sh[i]);
	barrier();
	return s;
}
