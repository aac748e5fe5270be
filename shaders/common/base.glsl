/*
 * base.glsl - what every llmutils shader shares: the push-constant
 * layout helpers and the workgroup id over a 2-D grid.  A dispatch of G
 * workgroups is split as x = min(G, 65535), y = ceil(G / x) (the
 * guaranteed limits), so a shader takes its linear group number from
 * group_id() and returns when it is G or more.
 */
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require

uint
group_id()
{
	return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}
