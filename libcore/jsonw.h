/*
 * jsonw.h - a small JSON writer for compact one-line records.
 *
 * Output accumulates in a growable buffer owned by the writer; commas
 * between members are inserted automatically.  Strings are escaped
 * (control characters, C1 controls, quotes, backslash) and invalid UTF-8
 * bytes become U+FFFD, so the result is always valid JSON.  Floats are
 * written with %.9g (f32) or %.17g (f64), so they round-trip; NaN and
 * infinities, which JSON cannot express, are written as null and
 * counted in nonfinite.
 */
#ifndef LC_JSONW_H
#define LC_JSONW_H

#include <stddef.h>
#include <stdint.h>

typedef struct lc_jw {
	char	*buf;
	size_t	 len, cap;
	int	 oom;		/* an allocation failed: output is incomplete */
	int	 comma;		/* a member or element precedes */
	unsigned nonfinite;	/* NaN/Inf written as null */
	unsigned badutf8;	/* invalid UTF-8 bytes replaced */
} lc_jw;

void	lc_jw_init(lc_jw *w);
void	lc_jw_reset(lc_jw *w);		/* empties the buffer, keeps memory */
void	lc_jw_free(lc_jw *w);

void	lc_jw_obj(lc_jw *w);		/* { */
void	lc_jw_obj_end(lc_jw *w);	/* } */
void	lc_jw_arr(lc_jw *w);		/* [ */
void	lc_jw_arr_end(lc_jw *w);	/* ] */
void	lc_jw_key(lc_jw *w, const char *k);	/* "k": */

void	lc_jw_str(lc_jw *w, const char *s);
void	lc_jw_strn(lc_jw *w, const char *s, size_t n);
void	lc_jw_u64(lc_jw *w, uint64_t v);
void	lc_jw_i64(lc_jw *w, int64_t v);
void	lc_jw_f32(lc_jw *w, float v);
void	lc_jw_f64(lc_jw *w, double v);
/* v with a fixed number of decimals: lc_jw_fix(w, 5.7439, 3) -> 5.744 */
void	lc_jw_fix(lc_jw *w, double v, int decimals);
void	lc_jw_bool(lc_jw *w, int v);
void	lc_jw_null(lc_jw *w);
/* Already-valid JSON text, inserted as one value. */
void	lc_jw_raw(lc_jw *w, const char *json, size_t n);

#endif /* LC_JSONW_H */
