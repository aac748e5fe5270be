/*
 * utf8.h - strict UTF-8 decoding: no overlong forms, no surrogates,
 * nothing past U+10FFFF, no truncated sequences.  The one place these
 * rules live; parsers, writers and escapers call it.
 */
#ifndef LC_UTF8_H
#define LC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the sequence at s (n > 0 bytes available): returns its length
 * (1 to 4) and sets *cp, or returns 0 if it is not valid UTF-8.
 */
size_t	lc_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Length of the longest valid UTF-8 prefix of s[0..n). */
size_t	lc_utf8_valid(const unsigned char *s, size_t n);

#endif /* LC_UTF8_H */
