/*
 * sha256.h - SHA-256 of files and buffers, through OpenSSL's libcrypto
 * (which uses the CPU's SHA extensions where present).
 */
#ifndef LC_SHA256_H
#define LC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* hex = 64 lower-case hex digits + NUL. */
void	lc_sha256_buf(const void *p, size_t n, char hex[65]);
/*
 * Reads path from start to end with read(2) (not mmap, so a file that
 * shrinks is an error, not SIGBUS) and hashes it.  *bytes receives the
 * number of bytes read.
 */
int	lc_sha256_file(const char *path, char hex[65], uint64_t *bytes,
	    lc_err *e);

#endif /* LC_SHA256_H */
