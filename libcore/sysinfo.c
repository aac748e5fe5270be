/* sysinfo.c - memory and CPU facts from /proc and cpuid. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sysinfo.h"

static unsigned
cpu_features(void)
{
	unsigned f = 0;

#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		f |= LC_CPU_AVX2;
	if (__builtin_cpu_supports("avx512f") &&
	    __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512dq") &&
	    __builtin_cpu_supports("avx512vl"))
		f |= LC_CPU_AVX512;
	if ((f & LC_CPU_AVX512) && __builtin_cpu_supports("avx512vnni"))
		f |= LC_CPU_VNNI;
	if ((f & LC_CPU_AVX512) && __builtin_cpu_supports("avx512bf16"))
		f |= LC_CPU_BF16;
#endif
	return f;
}

const char *
lc_sysinfo_features_str(unsigned f, char *buf, size_t len)
{
	static const char *const names[] = { "avx2", "avx512", "vnni", "bf16" };
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & (1u << i))
			n += (size_t)snprintf(buf + n, n < len ? len - n : 0,
			    "%s%s", n ? " " : "", names[i]);
	if (n == 0)
		snprintf(buf, len, "none");
	return buf;
}

int
lc_sysinfo_get(lc_sysinfo *si, lc_err *e)
{
	char line[256], *p;
	unsigned long long kb;
	FILE *fp;

	memset(si, 0, sizeof(*si));
	si->ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	si->features = cpu_features();
	if ((fp = fopen("/proc/meminfo", "r")) == NULL)
		return lc_errsys(e, "/proc/meminfo");
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			si->mem_total = kb * 1024;
		else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			si->mem_available = kb * 1024;
	}
	fclose(fp);
	if ((fp = fopen("/proc/cpuinfo", "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			if (strncmp(line, "model name", 10) != 0 ||
			    (p = strchr(line, ':')) == NULL)
				continue;
			for (p++; *p == ' '; p++)
				;
			p[strcspn(p, "\n")] = '\0';
			snprintf(si->cpu_model, sizeof(si->cpu_model), "%s", p);
			break;
		}
		fclose(fp);
	}
	if (si->mem_total == 0)
		return lc_errf(e, LC_EIO, "/proc/meminfo: no MemTotal");
	if (si->mem_available == 0)
		si->mem_available = si->mem_total;
	return LC_OK;
}
