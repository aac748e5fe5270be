/* status.c - error codes and messages for libcore. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

static const char *const errstr[LC_NCODES] = {
	[LC_OK]		= "success",
	[LC_ENOMEM]	= "out of memory",
	[LC_EIO]	= "input/output error",
	[LC_EFORMAT]	= "malformed input",
	[LC_EUNSUP]	= "unsupported",
	[LC_ENOTFOUND]	= "not found",
	[LC_EDEVICE]	= "device unavailable",
	[LC_EINVAL]	= "invalid argument",
};

const char *
lc_strerror(int code)
{
	if (code < 0 || code >= LC_NCODES)
		return "unknown error";
	return errstr[code];
}

int
lc_errf(lc_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	e->sys = 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
lc_errsys(lc_err *e, const char *fmt, ...)
{
	va_list ap;
	int sys = errno;
	size_t n;

	if (e == NULL)
		return LC_EIO;
	e->code = LC_EIO;
	e->sys = sys;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(sys));
	return LC_EIO;
}

void
lc_errprefix(lc_err *e, const char *prefix)
{
	char tmp[sizeof(e->msg)];
	size_t n;

	if (e == NULL)
		return;
	memcpy(tmp, e->msg, sizeof(tmp));
	n = strlen(prefix);
	if (n > sizeof(e->msg) - 3)
		n = sizeof(e->msg) - 3;
	memcpy(e->msg, prefix, n);
	memcpy(e->msg + n, ": ", 2);
	memcpy(e->msg + n + 2, tmp, sizeof(e->msg) - n - 2);
	e->msg[sizeof(e->msg) - 1] = '\0';
}
