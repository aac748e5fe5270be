/* sha256.c - SHA-256 through libcrypto's EVP interface. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sha256.h"

static void
tohex(const unsigned char *md, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
}

void
lc_sha256_buf(const void *p, size_t n, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len;

	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	tohex(md, hex);
}

int
lc_sha256_file(const char *path, char hex[65], uint64_t *bytes, lc_err *e)
{
	enum { BUFSZ = 1 << 20 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len;
	EVP_MD_CTX *ctx;
	unsigned char *buf;
	ssize_t k;
	int fd, rc = LC_OK;

	*bytes = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return lc_errsys(e, "%s", path);
	buf = malloc(BUFSZ);
	ctx = EVP_MD_CTX_new();
	if (buf == NULL || ctx == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = lc_errf(e, LC_ENOMEM, "%s: sha256", path);
		goto out;
	}
	for (;;) {
		if ((k = read(fd, buf, BUFSZ)) < 0) {
			if (errno == EINTR)
				continue;
			rc = lc_errsys(e, "%s: read", path);
			goto out;
		}
		if (k == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)k);
		*bytes += (uint64_t)k;
	}
	EVP_DigestFinal_ex(ctx, md, &len);
	tohex(md, hex);
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	close(fd);
	return rc;
}
