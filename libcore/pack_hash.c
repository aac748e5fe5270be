/*
 * pack_hash.c - SHA-256 and XXH3-128 of one byte stream at once: the
 * SHA-256 (the slower, ~1.8 GB/s with SHA extensions) runs in a helper
 * thread on the chunk the caller has just handed over, while the
 * caller computes XXH3 and writes the same chunk.
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "pack.h"

struct lc_hash2 {
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	EVP_MD_CTX	*sha;
	XXH3_state_t	*xx;
	const void	*job;		/* chunk for the thread, or NULL */
	size_t		 jobn;
	int		 quit;
};

static void *
worker(void *arg)
{
	lc_hash2 *h = arg;
	const void *p;
	size_t n;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->job == NULL && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->job == NULL)
			break;
		p = h->job;
		n = h->jobn;
		pthread_mutex_unlock(&h->mu);
		EVP_DigestUpdate(h->sha, p, n);
		pthread_mutex_lock(&h->mu);
		h->job = NULL;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* Waits until the thread has finished its chunk. */
static void
drain(lc_hash2 *h)
{
	pthread_mutex_lock(&h->mu);
	while (h->job != NULL)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

int
lc_hash2_new(lc_hash2 **out, lc_err *e)
{
	lc_hash2 *h;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return lc_errf(e, LC_ENOMEM, "hash state");
	if ((h->sha = EVP_MD_CTX_new()) == NULL ||
	    (h->xx = XXH3_createState()) == NULL) {
		EVP_MD_CTX_free(h->sha);
		free(h);
		return lc_errf(e, LC_ENOMEM, "hash state");
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->th, NULL, worker, h) != 0) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		EVP_MD_CTX_free(h->sha);
		XXH3_freeState(h->xx);
		free(h);
		return lc_errf(e, LC_ENOMEM, "hash thread");
	}
	lc_hash2_reset(h);
	*out = h;
	return LC_OK;
}

void
lc_hash2_free(lc_hash2 *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	while (h->job != NULL)
		pthread_cond_wait(&h->cv, &h->mu);
	h->quit = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->th, NULL);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	EVP_MD_CTX_free(h->sha);
	XXH3_freeState(h->xx);
	free(h);
}

void
lc_hash2_reset(lc_hash2 *h)
{
	drain(h);
	EVP_DigestInit_ex(h->sha, EVP_sha256(), NULL);
	XXH3_128bits_reset(h->xx);
}

void
lc_hash2_update(lc_hash2 *h, const void *p, size_t n)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&h->mu);
	while (h->job != NULL)
		pthread_cond_wait(&h->cv, &h->mu);
	h->job = p;
	h->jobn = n;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	XXH3_128bits_update(h->xx, p, n);
}

static void
tohex(const unsigned char *b, size_t n, char *hex)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = d[b[i] >> 4];
		hex[2 * i + 1] = d[b[i] & 15];
	}
	hex[2 * n] = '\0';
}

void
lc_hash2_final(lc_hash2 *h, char sha256[65], char xxh3[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	XXH128_canonical_t c;

	drain(h);
	EVP_DigestFinal_ex(h->sha, md, &mdlen);
	tohex(md, 32, sha256);
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(h->xx));
	tohex(c.digest, 16, xxh3);
}
