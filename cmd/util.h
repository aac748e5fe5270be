/*
 * util.h - command-side helpers: the only code that prints diagnostics
 * and exits.  Messages go to stderr prefixed with "argv0: ".
 */
#ifndef LC_UTIL_H
#define LC_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include "../libcore/status.h"

extern const char *argv0;

/* exit 1; a trailing ':' in fmt appends strerror(errno) */
void	die(const char *fmt, ...);
void	dien(int status, const char *fmt, ...);
void	warn(const char *fmt, ...);
void	die_err(const lc_err *e);
/*
 * The backend named by spec ("cpu", "vulkan", "vulkan:N"; NULL: $LLM_DEVICE,
 * else cpu) with nthreads CPU threads (0: one per core).  An unknown name
 * exits 2; a device that is missing or fails exits 3.
 */
struct lc_backend	*ebackend(const char *spec, int nthreads);	/* "llm-run: model.gguf: ..." */
void	warn_err(const lc_err *e);
/* fflush + ferror + fclose; warns and returns 1 on a write error */
int	fshut(FILE *fp, const char *name);

/* Parses a decimal integer in [lo, hi]; exits 2 naming opt if not. */
long long	estrtonum(const char *s, long long lo, long long hi,
		    const char *opt);
/* Parses a KV cache type (f16, f32, q8_0) into an lc_dtype; exits 2. */
uint32_t	ekvtype(const char *s, const char *opt);
/* Reads all of fp (named name in messages) into a malloc'ed,
   NUL-terminated buffer; exits 1 on a read error or no memory. */
char		*ereadall(FILE *fp, const char *name, size_t *len);
/* Parses "8G", "512M", "1.5T", "123456" (binary units); exits 2. */
uint64_t	esizetonum(const char *s, const char *opt);
/*
 * Writes n bytes of s for a human on a terminal: control characters
 * (C0, DEL, C1 such as ESC and CSI) and invalid UTF-8 become \xNN, so
 * text from a model file cannot drive the terminal.
 */
void		fputsafe(FILE *fp, const char *s, size_t n);
/* "93.8 MiB": bytes in binary units, into buf. */
const char	*fmtbytes(uint64_t n, char *buf, size_t len);

#endif /* LC_UTIL_H */
