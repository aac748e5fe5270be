/* util.c - diagnostics, exits and number parsing for the commands. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "../libcore/backend.h"
#include "../libcore/dtype.h"
#include "../libcore/utf8.h"

const char *argv0 = "llmutils";

static void
vwarn(const char *fmt, va_list ap)
{
	int sys = errno;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", argv0);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(sys));
	fputc('\n', stderr);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(1);
}

void
dien(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void
warn_err(const lc_err *e)
{
	fprintf(stderr, "%s: %s\n", argv0, e->msg);
}

void
die_err(const lc_err *e)
{
	warn_err(e);
	exit(1);
}

int
fshut(FILE *fp, const char *name)
{
	int ret = 0;

	if (fflush(fp) != 0 || ferror(fp)) {
		warn("write %s:", name);
		ret = 1;
	}
	if (fclose(fp) != 0 && ret == 0) {
		warn("close %s:", name);
		ret = 1;
	}
	return ret;
}

long long
estrtonum(const char *s, long long lo, long long hi, const char *opt)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE)
		dien(2, "%s: '%s' is not an integer", opt, s);
	if (v < lo || v > hi)
		dien(2, "%s: %lld is out of range [%lld, %lld]", opt, v, lo, hi);
	return v;
}

uint64_t
esizetonum(const char *s, const char *opt)
{
	static const char units[] = "KMGTP";
	const char *u;
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno == ERANGE || !(v >= 0))
		dien(2, "%s: '%s' is not a size (e.g. 8G, 512M)", opt, s);
	if (*end != '\0') {
		if ((u = strchr(units, *end >= 'a' ? *end - 32 : *end)) == NULL ||
		    *end == '\0')
			dien(2, "%s: '%s': unknown unit (K, M, G, T, P)", opt, s);
		v *= pow(1024, (double)(u - units + 1));
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end != '\0')
			dien(2, "%s: '%s' is not a size (e.g. 8G, 512M)", opt, s);
	}
	if (v >= 18446744073709551616.0)
		dien(2, "%s: '%s' is too large", opt, s);
	return (uint64_t)v;
}

const char *
fmtbytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int i = -1;

	while (v >= 1024 && i < 3) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
	return buf;
}

void
fputsafe(FILE *fp, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = lc_utf8_next(s + i, n - i, &cp);
		if (len == 0 || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			fprintf(fp, "\\x%02x", s[i]);
			i++;
			continue;
		}
		fwrite(s + i, 1, len, fp);
		i += len;
	}
}

uint32_t
ekvtype(const char *s, const char *opt)
{
	int t = lc_dtype_from_name(s);

	if (t != LC_F16 && t != LC_F32 && t != LC_Q8_0)
		dien(2, "%s: '%s': expected f16, f32 or q8_0", opt, s);
	return (uint32_t)t;
}

char *
ereadall(FILE *fp, const char *name, size_t *len)
{
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, k;

	for (;;) {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(buf, cap)) == NULL)
				die("out of memory reading %s", name);
			buf = p;
		}
		if ((k = fread(buf + n, 1, cap - n - 1, fp)) == 0)
			break;
		n += k;
	}
	if (ferror(fp))
		die("read %s:", name);
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct lc_backend *
ebackend(const char *spec, int nthreads)
{
	lc_backend *b = NULL;
	lc_err e;
	const char *src = "-d";
	long dev = 0;
	char *end;
	int rc;

	if (spec == NULL || *spec == '\0') {
		spec = getenv("LLM_DEVICE");
		src = "LLM_DEVICE";
	}
	if (spec == NULL || *spec == '\0' || strcmp(spec, "cpu") == 0)
		rc = lc_cpu_backend_new(&b, nthreads, &e);
	else if (strncmp(spec, "vulkan", 6) == 0 &&
	    (spec[6] == '\0' || spec[6] == ':')) {
		if (spec[6] == ':') {
			errno = 0;
			dev = strtol(spec + 7, &end, 10);
			if (spec[7] == '\0' || *end != '\0' || errno != 0 ||
			    dev < 0 || dev > 255)
				dien(2, "%s '%s': the device is vulkan:N, "
				    "N a device number (0-255)", src, spec);
		}
		rc = lc_vk_backend_new(&b, (int)dev, &e);
	} else
		dien(2, "%s '%s': unknown device (cpu, vulkan or vulkan:N)",
		    src, spec);
	if (rc != LC_OK) {
		if (e.code == LC_EDEVICE || e.code == LC_EUNSUP)
			dien(3, "%s", e.msg);
		if (e.code == LC_EINVAL)	/* a tuning variable's value */
			dien(2, "%s", e.msg);
		die_err(&e);
	}
	return b;
}
