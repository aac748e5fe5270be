/*
 * status.h - error codes and the error record every fallible libcore
 * function fills.
 *
 * Fallible functions return an LC_* code and, when e is not NULL, write
 * a message into e->msg that names the object at fault (file, key,
 * tensor, field).  Messages are lower-case with no trailing period.
 * Nothing in libcore prints or exits.
 */
#ifndef LC_STATUS_H
#define LC_STATUS_H

enum {
	LC_OK = 0,
	LC_ENOMEM,	/* allocation failed */
	LC_EIO,		/* system call failed; e->sys holds errno */
	LC_EFORMAT,	/* input file or record is malformed */
	LC_EUNSUP,	/* valid but unsupported (dtype, architecture, version) */
	LC_ENOTFOUND,	/* key, tensor or device not present */
	LC_EDEVICE,	/* Vulkan/BLAS backend failure or unavailable */
	LC_EINVAL,	/* caller passed an invalid argument */
	LC_NCODES
};

typedef struct lc_err {
	int	code;
	int	sys;		/* errno for LC_EIO, else 0 */
	char	msg[512];	/* "tensor 'blk.3.ffn_up.weight': 7 dims > 4" */
} lc_err;

/* Returns a static string describing code ("malformed input", ...). */
const char	*lc_strerror(int code);

/*
 * Fills e (if not NULL) with code and a printf-style message and
 * returns code, so a failure path is one line: return lc_errf(e, ...).
 */
int		 lc_errf(lc_err *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
		    __attribute__((format(printf, 3, 4)))
#endif
		    ;

/* Like lc_errf with LC_EIO; e->sys is set from errno at the call. */
int		 lc_errsys(lc_err *e, const char *fmt, ...)
#if defined(__GNUC__)
		    __attribute__((format(printf, 2, 3)))
#endif
		    ;

/* Prepends "prefix: " to e->msg (used to add the file name). */
void		 lc_errprefix(lc_err *e, const char *prefix);

#endif /* LC_STATUS_H */
