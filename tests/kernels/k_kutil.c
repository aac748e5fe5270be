/*
 * k_kutil.c - the lane-parallel K-quant scale searches
 * (lc_make_qkx2_quants8, lc_make_qx_quants8) against the scalar
 * transcriptions of ggml's make_qkx2_quants and make_qx_quants they
 * replace in the quantizers: the same bits for every group, on random
 * data of several shapes and scales and on the edge cases (flat
 * groups, all zeros, a single spike, ties in |x|, tiny values near
 * the group epsilon, positive-only groups whose min clamps to 0); and
 * lc_iq4_index's table lookup against ggml's bisection (best_index_int8)
 * on a sweep through every level, midpoint and their neighbours.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libcore/quant/kutil.h"
#include "../../libcore/quant/quant.h"
#include "../unit/check.h"

#define NG	LC_QLANES

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* fills NG groups of n with pattern kind (per group: kind + j) */
static void
fill(float *x, int n, int kind)
{
	int j, i, k;
	float s;

	for (j = 0; j < NG; j++) {
		k = (kind + j) % 9;
		s = (float)pow(10, urand() * 6 - 4);
		for (i = 0; i < n; i++) {
			float *v = &x[n * j + i];
			switch (k) {
			case 0: *v = (float)(urand() * 2 - 1) * s; break;
			case 1: *v = 0; break;
			case 2: *v = 0.25f * s; break;		/* flat */
			case 3: *v = i == n / 2 ? s : 0; break;	/* spike */
			case 4: *v = (i & 1 ? -1.f : 1.f) * s; break; /* ties */
			case 5: *v = (float)urand() * 1e-16f; break;
			case 6: *v = (float)urand() * s + s; break; /* min > 0 */
			case 7: *v = (float)(urand() * urand() * 4 - 1) * s;
				break;
			default: *v = (float)((int)(urand() * 7) - 3) * s;
				break;	/* few distinct values: many ties */
			}
		}
	}
}

static void
qkx2_case(int n, int nmax, float rmin, int nstep, int use_mad, int kind)
{
	float x[NG * 32], w[NG * 32], sc[NG], mn[NG], sref, mref;
	uint8_t L[NG * 32], Lref[32], Laux[32];
	int i, j, bad = 0;

	fill(x, n, kind);
	for (i = 0; i < NG * n; i++)
		w[i] = fabsf(x[i]) + (float)urand();
	lc_make_qkx2_quants8(n, nmax, x, w, L, sc, mn, rmin, 0.1f, nstep,
	    use_mad);
	for (j = 0; j < NG; j++) {
		sref = lc_make_qkx2_quants(n, nmax, x + n * j, w + n * j, Lref,
		    &mref, Laux, rmin, 0.1f, nstep, use_mad);
		if (memcmp(&sref, &sc[j], sizeof(float)) != 0 ||
		    memcmp(&mref, &mn[j], sizeof(float)) != 0 ||
		    memcmp(Lref, L + n * j, (size_t)n) != 0)
			bad++;
	}
	CHECK(bad == 0, "qkx2 n=%d nmax=%d nstep=%d mad=%d kind %d: %d of %d "
	    "groups differ from the scalar search", n, nmax, nstep, use_mad,
	    kind, bad, NG);
}

static void
qx_case(int n, int nmax, int kind)
{
	float x[NG * 32], sc[NG], sref;
	int8_t L[NG * 32], Lref[32];
	int j, bad = 0;

	fill(x, n, kind);
	lc_make_qx_quants8(n, nmax, x, L, sc);
	for (j = 0; j < NG; j++) {
		sref = lc_make_qx_quants(n, nmax, x + n * j, Lref, 1);
		if (memcmp(&sref, &sc[j], sizeof(float)) != 0 ||
		    memcmp(Lref, L + n * j, (size_t)n) != 0)
			bad++;
	}
	CHECK(bad == 0, "qx n=%d nmax=%d kind %d: %d of %d groups differ "
	    "from the scalar search", n, nmax, kind, bad, NG);
}

/* ggml best_index_int8, as written there */
static int
bisect(float v)
{
	int lo = 0, hi = 15, mid;

	if (v <= lc_iq4_levels[0])
		return 0;
	if (v >= lc_iq4_levels[15])
		return 15;
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (v < lc_iq4_levels[mid])
			hi = mid;
		else
			lo = mid;
	}
	return v - lc_iq4_levels[hi - 1] < lc_iq4_levels[hi] - v ? hi - 1 : hi;
}

static void
iq4_index_sweep(void)
{
	float v, m;
	int bad = 0, n = 0, k, d;

	for (v = -131.f; v < 118.f; v += 1.f / 64) {
		n++;
		bad += lc_iq4_index(v) != bisect(v);
	}
	for (k = 0; k < 16; k++)
		for (d = -3; d <= 3; d++) {
			m = k < 15 ? (lc_iq4_levels[k] + lc_iq4_levels[k + 1]) /
			    2.f : lc_iq4_levels[k];
			v = nextafterf(m, d < 0 ? -INFINITY : INFINITY);
			v = d == 0 ? m : v;
			bad += lc_iq4_index(v) != bisect(v);
			v = (float)lc_iq4_levels[k] + d * 1e-5f;
			bad += lc_iq4_index(v) != bisect(v);
			n += 2;
		}
	bad += lc_iq4_index(NAN) != 15;
	bad += lc_iq4_index(-0.f) != bisect(-0.f);
	CHECK(bad == 0, "lc_iq4_index: %d of %d values differ from ggml's "
	    "bisection", bad, n + 2);
}

int
main(void)
{
	int kind, r;

	iq4_index_sweep();
	for (r = 0; r < 40; r++)
		for (kind = 0; kind < 9; kind++) {
			qkx2_case(32, 15, -1.f, 20, 0, kind);	/* q4_K */
			qkx2_case(32, 31, -0.5f, 15, 0, kind);	/* q5_K */
			qkx2_case(16, 3, -0.5f, 15, 1, kind);	/* q2_K */
			qkx2_case(32, 15, -1.f, 0, 0, kind);	/* no search */
			qkx2_case(1, 15, -1.f, 20, 0, kind);
			qx_case(16, 32, kind);			/* q6_K */
			qx_case(32, 4, kind);
			qx_case(1, 32, kind);
		}
	return DONE("k_kutil");
}
