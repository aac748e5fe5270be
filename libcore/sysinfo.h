/*
 * sysinfo.h - facts about this machine: memory, CPU model and the
 * instruction-set extensions the kernels may use (read once, at run
 * time: the build never assumes them).
 */
#ifndef LC_SYSINFO_H
#define LC_SYSINFO_H

#include <stdint.h>

#include "status.h"

enum {
	LC_CPU_AVX2	= 1 << 0,	/* with FMA and F16C */
	LC_CPU_AVX512	= 1 << 1,	/* F, BW, DQ, VL */
	LC_CPU_VNNI	= 1 << 2,	/* AVX512-VNNI */
	LC_CPU_BF16	= 1 << 3,	/* AVX512-BF16 */
};

typedef struct lc_sysinfo {
	uint64_t	mem_total;	/* bytes, from /proc/meminfo */
	uint64_t	mem_available;	/* MemAvailable */
	int		ncpu;		/* online processors */
	unsigned	features;	/* LC_CPU_* */
	char		cpu_model[96];
} lc_sysinfo;

int		 lc_sysinfo_get(lc_sysinfo *si, lc_err *e);
/* "avx2 avx512 vnni" style list of features, or "none". */
const char	*lc_sysinfo_features_str(unsigned features, char *buf,
		    size_t len);

#endif /* LC_SYSINFO_H */
