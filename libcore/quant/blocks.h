/*
 * blocks.h - the block layouts of ggml's quantized types (ggml-common.h).
 *
 * Each struct is the exact bytes of one block in a GGUF tensor, so a
 * tensor is an array of them.  Fields marked f16 hold IEEE binary16 bits
 * (convert with lc_f16_to_f32).  Multi-byte fields are little-endian, as
 * in the file; libcore assumes a little-endian host.  Within a block,
 * element j of the 32 (or 256) values is y[j] of the dequantized output.
 */
#ifndef LC_BLOCKS_H
#define LC_BLOCKS_H

#include <stdint.h>

#define LC_QK4_0	32
#define LC_QK4_1	32
#define LC_QK5_0	32
#define LC_QK5_1	32
#define LC_QK8_0	32
#define LC_QK8_1	32
#define LC_QK4_NL	32
#define LC_QK_K		256	/* K-quant super-block; same as dtype.h */

/*
 * |f16 d|qs[16]|  32 x 4-bit; qs[j] low nibble is element j, high nibble
 * element j+16.  y = (q - 8) * d.
 */
typedef struct {
	uint16_t	d;
	uint8_t		qs[16];
} lc_block_q4_0;
_Static_assert(sizeof(lc_block_q4_0) == 18, "q4_0 block size");

/* |f16 d|f16 m|qs[16]|  nibbles as q4_0.  y = q * d + m. */
typedef struct {
	uint16_t	d;
	uint16_t	m;
	uint8_t		qs[16];
} lc_block_q4_1;
_Static_assert(sizeof(lc_block_q4_1) == 20, "q4_1 block size");

/*
 * |f16 d|qh[4]|qs[16]|  qh is a little-endian u32 whose bit j is bit 4
 * of element j; qs as q4_0.  y = (q - 16) * d, q in 0..31.
 */
typedef struct {
	uint16_t	d;
	uint8_t		qh[4];
	uint8_t		qs[16];
} lc_block_q5_0;
_Static_assert(sizeof(lc_block_q5_0) == 22, "q5_0 block size");

/* |f16 d|f16 m|qh[4]|qs[16]|  bits as q5_0.  y = q * d + m. */
typedef struct {
	uint16_t	d;
	uint16_t	m;
	uint8_t		qh[4];
	uint8_t		qs[16];
} lc_block_q5_1;
_Static_assert(sizeof(lc_block_q5_1) == 24, "q5_1 block size");

/* |f16 d|int8 qs[32]|  y = qs[j] * d. */
typedef struct {
	uint16_t	d;
	int8_t		qs[32];
} lc_block_q8_0;
_Static_assert(sizeof(lc_block_q8_0) == 34, "q8_0 block size");

/* |f16 d|f16 s = d * sum(qs)|int8 qs[32]|  activation format only. */
typedef struct {
	uint16_t	d;
	uint16_t	s;
	int8_t		qs[32];
} lc_block_q8_1;
_Static_assert(sizeof(lc_block_q8_1) == 36, "q8_1 block size");

/*
 * Q2_K, 256 values in 16 groups of 16:
 * |scales[16]: lo nibble scale, hi nibble min|qs[64]: 2-bit|f16 d|f16 dmin|
 * qs[32*h + l] holds, in bit pairs 0-1, 2-3, 4-5, 6-7, elements
 * 128*h + l, +32, +64, +96.  y = d*sc * q - dmin*m.
 */
typedef struct {
	uint8_t		scales[16];
	uint8_t		qs[64];
	uint16_t	d;
	uint16_t	dmin;
} lc_block_q2_k;
_Static_assert(sizeof(lc_block_q2_k) == 84, "q2_k block size");

/*
 * Q3_K, 256 values in 16 groups of 16:
 * |hmask[32]|qs[64]: low 2 bits|scales[12]: 16 x 6-bit|f16 d|
 * qs packed as q2_k; bit b of hmask[l] is bit 2 of element 32*b + l
 * (clear means subtract 4).  Scales: low nibbles in scales[0..7]
 * (groups 0-7 lo, 8-15 hi), top two bits in scales[8..11].
 * y = d * (sc - 32) * (q - 4).
 */
typedef struct {
	uint8_t		hmask[32];
	uint8_t		qs[64];
	uint8_t		scales[12];
	uint16_t	d;
} lc_block_q3_k;
_Static_assert(sizeof(lc_block_q3_k) == 110, "q3_k block size");

/*
 * Q4_K, 256 values in 8 groups of 32:
 * |f16 d|f16 dmin|scales[12]: 8 x (6-bit scale, 6-bit min)|qs[128]|
 * qs[32*p + l] low nibble is element 64*p + l, high nibble 64*p + 32 + l.
 * y = d*sc * q - dmin*m.
 */
typedef struct {
	uint16_t	d;
	uint16_t	dmin;
	uint8_t		scales[12];
	uint8_t		qs[128];
} lc_block_q4_k;
_Static_assert(sizeof(lc_block_q4_k) == 144, "q4_k block size");

/*
 * Q5_K: |f16 d|f16 dmin|scales[12]|qh[32]|qs[128]|
 * as q4_k, plus bit 2p (2p+1) of qh[l] is bit 4 of element 64*p + l
 * (64*p + 32 + l).
 */
typedef struct {
	uint16_t	d;
	uint16_t	dmin;
	uint8_t		scales[12];
	uint8_t		qh[32];
	uint8_t		qs[128];
} lc_block_q5_k;
_Static_assert(sizeof(lc_block_q5_k) == 176, "q5_k block size");

/*
 * Q6_K, 256 values in 16 groups of 16:
 * |ql[128]: low 4 bits|qh[64]: high 2 bits|int8 scales[16]|f16 d|
 * For half h, l in 0..31: ql[64h+l] lo/hi nibble = elements 128h+l,
 * 128h+l+64; ql[64h+l+32] lo/hi = 128h+l+32, 128h+l+96; qh[32h+l] bit
 * pairs 0,1,2,3 = those four elements in order l, l+32, l+64, l+96.
 * y = d * sc * (q - 32).
 */
typedef struct {
	uint8_t		ql[128];
	uint8_t		qh[64];
	int8_t		scales[16];
	uint16_t	d;
} lc_block_q6_k;
_Static_assert(sizeof(lc_block_q6_k) == 210, "q6_k block size");

/* |f32 d|int8 qs[256]|int16 bsums[16]: sums of 16|  activations only. */
typedef struct {
	float		d;
	int8_t		qs[256];
	int16_t		bsums[16];
} lc_block_q8_k;
_Static_assert(sizeof(lc_block_q8_k) == 292, "q8_k block size");

/*
 * |f16 d|qs[16]|  nibbles as q4_0, each an index into the non-linear
 * table of 16 levels in iq4.c (ggml kvalues_iq4nl).  y = d * kvalues[q].
 */
typedef struct {
	uint16_t	d;
	uint8_t		qs[16];
} lc_block_iq4_nl;
_Static_assert(sizeof(lc_block_iq4_nl) == 18, "iq4_nl block size");

/*
 * IQ4_XS, 256 values in 8 groups of 32:
 * |f16 d|u16 scales_h: 8 x 2 high bits|scales_l[4]: 8 x 4 low bits|qs[128]|
 * group g uses qs[16g..16g+15] as one iq4_nl block, scale d * (ls - 32).
 */
typedef struct {
	uint16_t	d;
	uint16_t	scales_h;
	uint8_t		scales_l[4];
	uint8_t		qs[128];
} lc_block_iq4_xs;
_Static_assert(sizeof(lc_block_iq4_xs) == 136, "iq4_xs block size");

#endif /* LC_BLOCKS_H */
