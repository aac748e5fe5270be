/*
 * vk_none.c - the Vulkan entry points of a build without Vulkan
 * (VULKAN=0, or before libcore/vk/ has a backend): every call says so.
 */
#include "../backend.h"

int
lc_vk_backend_new(lc_backend **out, int device, lc_err *e)
{
	(void)device;
	*out = NULL;
	return lc_errf(e, LC_EDEVICE, "vulkan: this build has no Vulkan "
	    "backend (rebuild with VULKAN=1 and libvulkan-dev)");
}

uint64_t
lc_vk_dispatches(lc_backend *b, const char *name)
{
	(void)b;
	(void)name;
	return 0;
}

int
lc_vk_device_info(int device, lc_vk_info *out, lc_err *e)
{
	(void)device;
	(void)out;
	return lc_errf(e, LC_EDEVICE, "vulkan: this build has no Vulkan "
	    "backend (rebuild with VULKAN=1 and libvulkan-dev)");
}
