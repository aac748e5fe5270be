/*
 * unicode.c - codepoint categories and UTF-8 decoding for the
 * tokenizers.  The tables are in unicode_data.c (generated).
 */
#include <stdlib.h>

#include "tok_impl.h"

unsigned
lc_uc_flags(uint32_t cp)
{
	size_t lo, hi, mid;
	unsigned f;

	if (cp > 0x10FFFF)
		return LC_UC_UNDEF;
	/* last range whose start <= cp; lc_uc_ranges[0] starts at 0 */
	lo = 0;
	hi = lc_uc_nranges;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if ((lc_uc_ranges[mid] >> 8) <= cp)
			lo = mid;
		else
			hi = mid;
	}
	f = lc_uc_ranges[lo] & 0xff;
	if (cp < 9 || (cp > 0x20 && cp < 0x85) || cp > 0x3000)
		return f;
	lo = 0;
	hi = lc_uc_nwhite_space;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (lc_uc_white_space[mid] == cp)
			return f | LC_UC_SPACE;
		if (lc_uc_white_space[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return f;
}

int
lc_utf8_dec(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	uint32_t v;
	int len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)
		return 0;		/* continuation byte or overlong lead */
	if (c < 0xE0) {
		len = 2;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;	/* overlong */
		else if (c == 0xED)
			hi = 0x9F;	/* surrogates */
	} else if (c < 0xF5) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;	/* overlong */
		else if (c == 0xF4)
			hi = 0x8F;	/* > U+10FFFF */
	} else
		return 0;
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -i;
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xBF;
		v = v << 6 | (s[i] & 0x3F);
	}
	*cp = v;
	return len;
}

static int
utext_grow(lc_utext *u, size_t need)
{
	uint32_t *cp;
	uint16_t *fl;
	size_t *off, cap;

	if (need <= u->cap)
		return 0;
	cap = u->cap ? u->cap : 64;
	while (cap < need)
		cap *= 2;
	if ((cp = realloc(u->cp, cap * sizeof(*cp))) == NULL)
		return -1;
	u->cp = cp;
	if ((fl = realloc(u->fl, cap * sizeof(*fl))) == NULL)
		return -1;
	u->fl = fl;
	if ((off = realloc(u->off, (cap + 1) * sizeof(*off))) == NULL)
		return -1;
	u->off = off;
	u->cap = cap;
	return 0;
}

int
lc_utext_decode(lc_utext *u, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;
	uint32_t cp;
	int k;

	/* at most one codepoint per byte */
	if (utext_grow(u, len + 1) != 0)
		return -1;
	while (i < len) {
		k = lc_utf8_dec(p + i, len - i, &cp);
		if (k <= 0) {
			k = 1;
			cp = 0xFFFD;
		}
		u->cp[n] = cp;
		u->fl[n] = (uint16_t)lc_uc_flags(cp);
		u->off[n] = i;
		n++;
		i += (size_t)k;
	}
	u->off[n] = len;
	u->n = n;
	return 0;
}

void
lc_utext_free(lc_utext *u)
{
	free(u->cp);
	free(u->fl);
	free(u->off);
	u->cp = NULL;
	u->fl = NULL;
	u->off = NULL;
	u->n = u->cap = 0;
}
