/*
 * pack_sign.c - Ed25519 signatures over a pack's manifest, in
 * minisign's file formats (github.com/jedisct1/minisign):
 *
 *   public key  "untrusted comment: ...\n" base64("Ed" keynum[8] pk[32])
 *   secret key  "untrusted comment: ...\n" base64("Ed" kdf[2] "B2"
 *               salt[32] ops[8] mem[8] keynum[8] seed[32] pk[32] chk[32]);
 *               kdf 0,0 = not encrypted; chk = BLAKE2b-256("Ed" keynum
 *               seed pk)
 *   signature   "untrusted comment: ...\n" base64("ED" keynum[8] sig[64])
 *               "\ntrusted comment: T\n" base64(global[64]) "\n";
 *               sig = Ed25519(BLAKE2b-512(msg)),
 *               global = Ed25519(sig || T)
 *
 * Only unencrypted secret keys are read (minisign -G -W, or
 * lc_pack_keygen); Ed25519 comes from libcrypto, BLAKE2b is here.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hf.h"
#include "pack.h"

#define TRUSTED		"llm-pack manifest signature"

/* ------------------------------------------------------------------ */
/* BLAKE2b (RFC 7693)                                                 */

static const uint64_t b2iv[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL,
	0xa54ff53a5f1d36f1ULL, 0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
	0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL
};

static const uint8_t b2sigma[12][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 }
};

#define ROTR64(x, n)	(((x) >> (n)) | ((x) << (64 - (n))))
#define B2G(a, b, c, d, x, y) do { \
	v[a] += v[b] + (x); v[d] = ROTR64(v[d] ^ v[a], 32); \
	v[c] += v[d]; v[b] = ROTR64(v[b] ^ v[c], 24); \
	v[a] += v[b] + (y); v[d] = ROTR64(v[d] ^ v[a], 16); \
	v[c] += v[d]; v[b] = ROTR64(v[b] ^ v[c], 63); \
} while (0)

static void
b2compress(uint64_t h[8], const uint8_t blk[128], uint64_t t, int last)
{
	uint64_t v[16], m[16];
	int i, j;

	for (i = 0; i < 16; i++) {
		m[i] = 0;
		for (j = 7; j >= 0; j--)
			m[i] = m[i] << 8 | blk[8 * i + j];
	}
	for (i = 0; i < 8; i++) {
		v[i] = h[i];
		v[i + 8] = b2iv[i];
	}
	v[12] ^= t;
	if (last)
		v[14] = ~v[14];
	for (i = 0; i < 12; i++) {
		const uint8_t *s = b2sigma[i];
		B2G(0, 4, 8, 12, m[s[0]], m[s[1]]);
		B2G(1, 5, 9, 13, m[s[2]], m[s[3]]);
		B2G(2, 6, 10, 14, m[s[4]], m[s[5]]);
		B2G(3, 7, 11, 15, m[s[6]], m[s[7]]);
		B2G(0, 5, 10, 15, m[s[8]], m[s[9]]);
		B2G(1, 6, 11, 12, m[s[10]], m[s[11]]);
		B2G(2, 7, 8, 13, m[s[12]], m[s[13]]);
		B2G(3, 4, 9, 14, m[s[14]], m[s[15]]);
	}
	for (i = 0; i < 8; i++)
		h[i] ^= v[i] ^ v[i + 8];
}

void
lc_blake2b(uint8_t *out, size_t outlen, const void *p, size_t n)
{
	const uint8_t *s = p;
	uint8_t blk[128];
	uint64_t h[8];
	size_t i;

	memcpy(h, b2iv, sizeof(h));
	h[0] ^= 0x01010000ULL ^ (uint64_t)outlen;
	for (i = 0; n - i > 128; i += 128)
		b2compress(h, s + i, i + 128, 0);
	memset(blk, 0, sizeof(blk));
	memcpy(blk, s + i, n - i);
	b2compress(h, blk, n, 1);
	for (i = 0; i < outlen; i++)
		out[i] = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
}

/* ------------------------------------------------------------------ */
/* base64 and files                                                   */

static size_t
b64enc(char *out, const uint8_t *in, size_t n)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Decodes exactly want bytes from the line s[0..n); -1 otherwise. */
static int
b64dec(uint8_t *out, size_t want, const char *s, size_t n)
{
	unsigned char buf[512];
	int len, pad = 0;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof(buf))
		return -1;
	if (s[n - 1] == '=')
		pad++;
	if (s[n - 2] == '=')
		pad++;
	if ((len = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n)) < 0 ||
	    (size_t)(len - pad) != want)
		return -1;
	memcpy(out, buf, want);
	return 0;
}

/* The base64 line after the first (comment) line of text. */
static int
keyline(const char *text, size_t len, const char **line, size_t *n)
{
	const char *p = memchr(text, '\n', len), *end;

	if (len >= 19 && strncmp(text, "untrusted comment: ", 19) == 0 && p)
		p++;
	else
		p = text;	/* a bare base64 line */
	end = memchr(p, '\n', len - (size_t)(p - text));
	*line = p;
	*n = end ? (size_t)(end - p) : len - (size_t)(p - text);
	return *n > 0 ? 0 : -1;
}

void
lc_pack_keyid(const uint8_t keynum[8], char hex[17])
{
	int i;

	for (i = 0; i < 8; i++)
		sprintf(hex + 2 * i, "%02X", keynum[7 - i]);
}

static int
ed25519(const uint8_t seed[32], const void *msg, size_t n, uint8_t sig[64])
{
	EVP_PKEY *k;
	EVP_MD_CTX *c = NULL;
	size_t len = 64;
	int ok = 0;

	if ((k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    32)) != NULL && (c = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestSign(c, sig, &len, msg, n) == 1 && len == 64)
		ok = 1;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int
ed25519_ok(const uint8_t pk[32], const void *msg, size_t n,
    const uint8_t sig[64])
{
	EVP_PKEY *k;
	EVP_MD_CTX *c = NULL;
	int ok = 0;

	if ((k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
	    32)) != NULL && (c = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestVerify(c, sig, 64, msg, n) == 1)
		ok = 1;
	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok;
}

static int
writenew(const char *path, const char *text, int mode, lc_err *e)
{
	size_t n = strlen(text);
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		return lc_errsys(e, "%s", path);
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) != 0) {
		lc_errsys(e, "%s", path);
		close(fd);
		unlink(path);
		return LC_EIO;
	}
	if (close(fd) != 0)
		return lc_errsys(e, "%s", path);
	return LC_OK;
}

int
lc_pack_keygen(const char *seckey, const char *pubkey, lc_err *e)
{
	uint8_t sk[158], pk[42], chk[32], tmp[2 + 8 + 64];
	char b64[256], text[512], id[17];
	lc_pack_seckey k;
	EVP_PKEY *p;
	size_t len = 32;
	int rc;

	if (RAND_bytes(k.seed, 32) != 1 || RAND_bytes(k.keynum, 8) != 1)
		return lc_errf(e, LC_EIO, "no random bytes for a key");
	if ((p = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k.seed,
	    32)) == NULL || EVP_PKEY_get_raw_public_key(p, k.pk, &len) != 1) {
		EVP_PKEY_free(p);
		return lc_errf(e, LC_EIO, "Ed25519 key generation failed");
	}
	EVP_PKEY_free(p);
	memset(sk, 0, sizeof(sk));
	memcpy(sk, "Ed\0\0B2", 6);
	memcpy(sk + 54, k.keynum, 8);
	memcpy(sk + 62, k.seed, 32);
	memcpy(sk + 94, k.pk, 32);
	memcpy(tmp, "Ed", 2);
	memcpy(tmp + 2, k.keynum, 8);
	memcpy(tmp + 10, k.seed, 32);
	memcpy(tmp + 42, k.pk, 32);
	lc_blake2b(chk, 32, tmp, sizeof(tmp));
	memcpy(sk + 126, chk, 32);
	lc_pack_keyid(k.keynum, id);
	b64enc(b64, sk, sizeof(sk));
	snprintf(text, sizeof(text), "untrusted comment: minisign secret key "
	    "%s (unencrypted, llm-pack)\n%s\n", id, b64);
	if ((rc = writenew(seckey, text, 0600, e)) != LC_OK)
		return rc;
	memcpy(pk, "Ed", 2);
	memcpy(pk + 2, k.keynum, 8);
	memcpy(pk + 10, k.pk, 32);
	b64enc(b64, pk, sizeof(pk));
	snprintf(text, sizeof(text), "untrusted comment: minisign public key "
	    "%s\n%s\n", id, b64);
	if ((rc = writenew(pubkey, text, 0644, e)) != LC_OK) {
		unlink(seckey);
		return rc;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(sk, sizeof(sk));
	return LC_OK;
}

int
lc_pack_seckey_load(lc_pack_seckey *k, const char *path, lc_err *e)
{
	uint8_t sk[158], chk[32], tmp[2 + 8 + 64], zero[32], derived[32];
	EVP_PKEY *p;
	size_t dl = 32;
	const char *line;
	char *text;
	size_t len, n;
	int rc;

	if ((rc = lc_slurp(path, 4096, &text, &len, e)) != LC_OK)
		return rc;
	rc = keyline(text, len, &line, &n) != 0 || b64dec(sk, sizeof(sk),
	    line, n) != 0 || memcmp(sk, "Ed", 2) != 0 ||
	    memcmp(sk + 4, "B2", 2) != 0;
	free(text);
	if (rc)
		return lc_errf(e, LC_EFORMAT, "%s: not a minisign secret key",
		    path);
	if (sk[2] != 0 || sk[3] != 0)
		return lc_errf(e, LC_EUNSUP, "%s: the key is encrypted; "
		    "llm-pack reads unencrypted keys (minisign -G -W, or "
		    "llm-pack keygen)", path);
	/* minisign -W leaves the checksum zero; the public half derived
	   from the seed must match in any case */
	memcpy(tmp, "Ed", 2);
	memcpy(tmp + 2, sk + 54, 72);
	lc_blake2b(chk, 32, tmp, sizeof(tmp));
	memset(zero, 0, sizeof(zero));
	if (memcmp(chk, sk + 126, 32) != 0 && memcmp(zero, sk + 126, 32) != 0)
		return lc_errf(e, LC_EFORMAT, "%s: key checksum does not "
		    "match (damaged key file)", path);
	memcpy(k->keynum, sk + 54, 8);
	memcpy(k->seed, sk + 62, 32);
	memcpy(k->pk, sk + 94, 32);
	if ((p = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, k->seed,
	    32)) == NULL || EVP_PKEY_get_raw_public_key(p, derived, &dl) != 1 ||
	    memcmp(derived, k->pk, 32) != 0) {
		EVP_PKEY_free(p);
		return lc_errf(e, LC_EFORMAT, "%s: the public half does not "
		    "match the secret key (damaged key file)", path);
	}
	EVP_PKEY_free(p);
	OPENSSL_cleanse(sk, sizeof(sk));
	OPENSSL_cleanse(tmp, sizeof(tmp));
	return LC_OK;
}

int
lc_pack_pubkey_load(lc_pack_pubkey *k, const char *path, lc_err *e)
{
	uint8_t pk[42];
	const char *line;
	char *text;
	size_t len, n;
	int rc;

	if ((rc = lc_slurp(path, 4096, &text, &len, e)) != LC_OK)
		return rc;
	rc = keyline(text, len, &line, &n) != 0 || b64dec(pk, sizeof(pk),
	    line, n) != 0 || memcmp(pk, "Ed", 2) != 0;
	free(text);
	if (rc)
		return lc_errf(e, LC_EFORMAT, "%s: not a minisign public key",
		    path);
	memcpy(k->keynum, pk + 2, 8);
	memcpy(k->pk, pk + 10, 32);
	return LC_OK;
}

int
lc_pack_sign(const lc_pack_seckey *k, const void *msg, size_t n, char **out,
    size_t *len, lc_err *e)
{
	uint8_t bin[74], h[64], glob[64 + sizeof(TRUSTED)];
	char b1[128], b2[128], id[17];
	int m;

	memcpy(bin, "ED", 2);
	memcpy(bin + 2, k->keynum, 8);
	lc_blake2b(h, 64, msg, n);
	if (ed25519(k->seed, h, 64, bin + 10) != 0)
		return lc_errf(e, LC_EIO, "Ed25519 signing failed");
	memcpy(glob, bin + 10, 64);
	memcpy(glob + 64, TRUSTED, sizeof(TRUSTED) - 1);
	if (ed25519(k->seed, glob, 64 + sizeof(TRUSTED) - 1, h) != 0)
		return lc_errf(e, LC_EIO, "Ed25519 signing failed");
	b64enc(b1, bin, sizeof(bin));
	b64enc(b2, h, 64);
	lc_pack_keyid(k->keynum, id);
	m = snprintf(NULL, 0, "untrusted comment: signature from llm-pack "
	    "key %s\n%s\ntrusted comment: %s\n%s\n", id, b1, TRUSTED, b2);
	if ((*out = malloc((size_t)m + 1)) == NULL)
		return lc_errf(e, LC_ENOMEM, "signature");
	snprintf(*out, (size_t)m + 1, "untrusted comment: signature from "
	    "llm-pack key %s\n%s\ntrusted comment: %s\n%s\n", id, b1, TRUSTED,
	    b2);
	*len = (size_t)m;
	return LC_OK;
}

/* Splits a signature file into its four lines. */
static int
siglines(const char *sig, size_t len, const char *l[4], size_t n[4])
{
	const char *p = sig, *end = sig + len, *nl;
	int i;

	for (i = 0; i < 4; i++) {
		if (p >= end)
			return -1;
		nl = memchr(p, '\n', (size_t)(end - p));
		l[i] = p;
		n[i] = nl ? (size_t)(nl - p) : (size_t)(end - p);
		p = nl ? nl + 1 : end;
	}
	if (n[0] < 19 || strncmp(l[0], "untrusted comment: ", 19) != 0 ||
	    n[2] < 17 || strncmp(l[2], "trusted comment: ", 17) != 0)
		return -1;
	return 0;
}

int
lc_pack_sig_keynum(const char *sig, size_t siglen, uint8_t keynum[8],
    lc_err *e)
{
	const char *l[4];
	size_t n[4];
	uint8_t bin[74];

	if (siglines(sig, siglen, l, n) != 0 ||
	    b64dec(bin, sizeof(bin), l[1], n[1]) != 0)
		return lc_errf(e, LC_EFORMAT, "%s: not a minisign signature",
		    LC_PACK_SIG);
	memcpy(keynum, bin + 2, 8);
	return LC_OK;
}

int
lc_pack_sig_check(const lc_pack_pubkey *k, const void *msg, size_t n,
    const char *sig, size_t siglen, lc_err *e)
{
	const char *l[4];
	size_t ln[4];
	uint8_t bin[74], glob[64], h[64], *gm;
	char want[17], got[17];
	int ok;

	if (siglines(sig, siglen, l, ln) != 0 ||
	    b64dec(bin, sizeof(bin), l[1], ln[1]) != 0 ||
	    b64dec(glob, sizeof(glob), l[3], ln[3]) != 0 ||
	    (memcmp(bin, "ED", 2) != 0 && memcmp(bin, "Ed", 2) != 0))
		return lc_errf(e, LC_EFORMAT, "%s: not a minisign signature",
		    LC_PACK_SIG);
	if (memcmp(bin + 2, k->keynum, 8) != 0) {
		lc_pack_keyid(bin + 2, got);
		lc_pack_keyid(k->keynum, want);
		return lc_errf(e, LC_EFORMAT, "%s: signed by key %s, not by "
		    "the given key %s", LC_PACK_SIG, got, want);
	}
	if (bin[1] == 'D') {
		lc_blake2b(h, 64, msg, n);
		ok = ed25519_ok(k->pk, h, 64, bin + 10);
	} else {
		ok = ed25519_ok(k->pk, msg, n, bin + 10);
	}
	if (!ok)
		return lc_errf(e, LC_EFORMAT, "%s: bad signature: %s is not "
		    "what the key signed", LC_PACK_SIG, LC_PACK_MANIFEST);
	if ((gm = malloc(64 + ln[2] - 17)) == NULL)
		return lc_errf(e, LC_ENOMEM, "signature");
	memcpy(gm, bin + 10, 64);
	memcpy(gm + 64, l[2] + 17, ln[2] - 17);
	ok = ed25519_ok(k->pk, gm, 64 + ln[2] - 17, glob);
	free(gm);
	if (!ok)
		return lc_errf(e, LC_EFORMAT, "%s: bad signature over the "
		    "trusted comment", LC_PACK_SIG);
	return LC_OK;
}
