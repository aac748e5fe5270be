/*
 * pack_write.c - lc_pack_create: MANIFEST.json (+ signature) +
 * SHA256SUMS + the files, as one tar stream (libarchive), to a file, to
 * numbered volumes or to a descriptor.
 *
 * One read per file when the output can seek: the manifest and the
 * sums are written with placeholder digests of their final length and
 * filled in with pwrite() at the end (the tar header checksum covers
 * only the header, so it stays valid).  The first volume must then hold
 * them whole.
 */
#define _GNU_SOURCE		/* sync_file_range */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "chat.h"
#include "dtype.h"
#include "gguf.h"
#include "hparams.h"
#include "jsonw.h"
#include "pack.h"
#include "sha256.h"

typedef struct wstate {
	const lc_pack_wopts	*o;
	int		*vfd;		/* one per volume (split) or one */
	char		**tmp, **final;	/* file outputs: NAME.tmp -> NAME */
	uint32_t	 nvol, cap;
	uint64_t	 volpos;	/* bytes in the current volume */
	uint64_t	 total;		/* bytes written */
	int		 wb;		/* start writeback as it goes */
	uint64_t	 wbpos, wbwait;	/* started, waited for (volume) */
	int		 err;		/* errno of a failed write */
	char		 errwhere[300];
} wstate;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
newvol(wstate *w)
{
	char name[4200];
	void *p;

	if (w->nvol == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 8;
		if ((p = realloc(w->vfd, w->cap * sizeof(*w->vfd))) == NULL)
			return -1;
		w->vfd = p;
		if ((p = realloc(w->tmp, w->cap * sizeof(*w->tmp))) == NULL)
			return -1;
		w->tmp = p;
		if ((p = realloc(w->final, w->cap * sizeof(*w->final))) == NULL)
			return -1;
		w->final = p;
	}
	if (w->o->split)
		snprintf(name, sizeof(name), "%s.%03u", w->o->out, w->nvol + 1);
	else
		snprintf(name, sizeof(name), "%s", w->o->out);
	w->final[w->nvol] = strdup(name);
	strcat(name, ".tmp");
	w->tmp[w->nvol] = strdup(name);
	if (w->final[w->nvol] == NULL || w->tmp[w->nvol] == NULL) {
		free(w->final[w->nvol]);
		free(w->tmp[w->nvol]);
		return -1;
	}
	w->vfd[w->nvol] = open(name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	if (w->vfd[w->nvol] < 0) {
		w->err = errno;
		snprintf(w->errwhere, sizeof(w->errwhere), "%.*s",
		    (int)sizeof(w->errwhere) - 1, name);
		free(w->final[w->nvol]);
		free(w->tmp[w->nvol]);
		return -1;
	}
	w->nvol++;
	w->volpos = w->wbpos = w->wbwait = 0;
	return 0;
}

/*
 * Output written to a file goes to disk while the files are still being
 * read, not all in the fsync at the end: writeback of each WB_STEP
 * written is started at once, and the writer waits for the writeback
 * started WB_LAG earlier, which keeps the dirty pages of the pack
 * bounded however big it is.  Errors show at the fsync.
 */
#define WB_STEP	(8u << 20)
#define WB_LAG	(64u << 20)

static void
writeback(wstate *w)
{
#ifdef SYNC_FILE_RANGE_WRITE
	int fd = w->vfd[w->nvol - 1];

	if (!w->wb || w->volpos - w->wbpos < WB_STEP)
		return;
	sync_file_range(fd, (off_t)w->wbpos, (off_t)(w->volpos - w->wbpos),
	    SYNC_FILE_RANGE_WRITE);
	w->wbpos = w->volpos;
	if (w->wbpos - w->wbwait > WB_LAG) {
		sync_file_range(fd, (off_t)w->wbwait, (off_t)(w->wbpos - WB_LAG -
		    w->wbwait), SYNC_FILE_RANGE_WAIT_BEFORE |
		    SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
		w->wbwait = w->wbpos - WB_LAG;
	}
#else
	(void)w;
#endif
}

static int
writeall(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static la_ssize_t
wcb(struct archive *a, void *arg, const void *buf, size_t n)
{
	wstate *w = arg;
	const char *p = buf;
	size_t left = n, k;

	(void)a;
	while (left > 0) {
		if (w->o->split && w->volpos == w->o->split && newvol(w) != 0)
			goto fail;
		k = left;
		if (w->o->split && k > w->o->split - w->volpos)
			k = (size_t)(w->o->split - w->volpos);
		if (writeall(w->vfd[w->nvol - 1], p, k) != 0) {
			w->err = errno;
			if (w->tmp)
				snprintf(w->errwhere, sizeof(w->errwhere), "%s",
				    w->tmp[w->nvol - 1]);
			goto fail;
		}
		p += k;
		left -= k;
		w->volpos += k;
		w->total += k;
		writeback(w);
	}
	return (la_ssize_t)n;
fail:
	if (w->err == 0)
		w->err = errno ? errno : ENOMEM;
	archive_set_error(a, w->err, "%s", w->errwhere);
	return -1;
}

/* ------------------------------------------------------------------ */
/* the manifest                                                       */

static const char *
gguf_source(const lc_gguf *g, size_t *len)
{
	static const char *const keys[] = {
		"general.source.url", "general.url",
		"general.source.huggingface.repository", "general.repo_url"
	};
	const char *s;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (lc_gguf_get_str(g, keys[i], &s, len, NULL) == LC_OK)
			return s;
	return NULL;
}

/* The facts of GGUF file path (member name) into w. */
static int
model_facts(lc_jw *w, const char *src, const char *name, lc_err *e)
{
	struct { const char *dtype; uint64_t n, bytes; } t[64];
	lc_tensor_info ti;
	lc_hparams *hp;
	lc_gguf *g;
	const char *s;
	size_t len;
	uint64_t i, nelem = 0;
	int nt = 0, k, rc, have;

	if ((rc = lc_gguf_open(&g, src, e)) != LC_OK)
		return rc;
	if ((hp = malloc(sizeof(*hp))) == NULL) {
		lc_gguf_close(g);
		return lc_errf(e, LC_ENOMEM, "%s", src);
	}
	have = lc_hparams_gguf(hp, g, NULL) == LC_OK;
	for (i = 0; i < lc_gguf_ntensors(g); i++) {
		lc_gguf_tensor(g, i, &ti);
		nelem += ti.nelem;
		s = lc_dtype(ti.dtype) ? lc_dtype(ti.dtype)->name : "unknown";
		for (k = 0; k < nt && strcmp(t[k].dtype, s) != 0; k++)
			;
		if (k == nt && nt < 64) {
			t[nt].dtype = s;
			t[nt].n = t[nt].bytes = 0;
			nt++;
		}
		if (k < nt) {
			t[k].n++;
			t[k].bytes += ti.nbytes;
		}
	}
	lc_jw_obj(w);
	lc_jw_key(w, "path"); lc_jw_str(w, name);
	lc_jw_key(w, "format"); lc_jw_str(w, "gguf");
	if (lc_gguf_get_str(g, "general.name", &s, &len, NULL) == LC_OK) {
		lc_jw_key(w, "name"); lc_jw_strn(w, s, len);
	}
	if (lc_gguf_get_str(g, "general.architecture", &s, &len, NULL) ==
	    LC_OK) {
		lc_jw_key(w, "arch"); lc_jw_strn(w, s, len);
	}
	lc_jw_key(w, "n_params"); lc_jw_u64(w, have ? hp->n_params : nelem);
	lc_jw_key(w, "types");
	lc_jw_arr(w);
	for (k = 0; k < nt; k++) {
		lc_jw_obj(w);
		lc_jw_key(w, "dtype"); lc_jw_str(w, t[k].dtype);
		lc_jw_key(w, "n_tensors"); lc_jw_u64(w, t[k].n);
		lc_jw_key(w, "bytes"); lc_jw_u64(w, t[k].bytes);
		lc_jw_obj_end(w);
	}
	lc_jw_arr_end(w);
	if (have && hp->n_ctx_train) {
		lc_jw_key(w, "ctx_train"); lc_jw_u64(w, hp->n_ctx_train);
	}
	lc_jw_key(w, "chat_template");
	if (lc_gguf_get_str(g, "tokenizer.chat_template", &s, &len, NULL) ==
	    LC_OK)
		lc_jw_str(w, lc_chat_family(s, len));
	else
		lc_jw_str(w, "none");
	if ((s = gguf_source(g, &len)) != NULL) {
		lc_jw_key(w, "source"); lc_jw_strn(w, s, len);
	}
	lc_jw_obj_end(w);
	free(hp);
	lc_gguf_close(g);
	return LC_OK;
}

typedef struct fileinfo {
	uint64_t	 bytes;
	size_t		 sha_at, xxh_at;	/* offsets in the manifest text */
	size_t		 sum_at;		/* offset in SHA256SUMS */
	char		 sha256[65], xxh3[33];
} fileinfo;

static const char zeros[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* Manifest text with the digests in fi (zeros before hashing). */
static int
manifest_text(lc_jw *w, const lc_pack_wopts *o, fileinfo *fi, lc_err *e)
{
	uint64_t total = 0;
	size_t i;
	int rc;

	for (i = 0; i < o->nsrc; i++)
		total += fi[i].bytes;
	lc_jw_reset(w);
	lc_jw_obj(w);
	lc_jw_key(w, "format"); lc_jw_str(w, LC_PACK_FORMAT);
	lc_jw_key(w, "version"); lc_jw_u64(w, LC_PACK_VERSION);
	lc_jw_key(w, "created_by");
	lc_jw_str(w, o->created_by ? o->created_by : "libcore " LC_VERSION);
	lc_jw_key(w, "volume_bytes"); lc_jw_u64(w, o->split);
	lc_jw_key(w, "total_bytes"); lc_jw_u64(w, total);
	lc_jw_key(w, "files");
	lc_jw_arr(w);
	for (i = 0; i < o->nsrc; i++) {
		lc_jw_obj(w);
		lc_jw_key(w, "path"); lc_jw_str(w, o->src[i].name);
		lc_jw_key(w, "bytes"); lc_jw_u64(w, fi[i].bytes);
		lc_jw_key(w, "sha256");
		fi[i].sha_at = w->len + 1;
		lc_jw_str(w, fi[i].sha256);
		lc_jw_key(w, "xxh3_128");
		fi[i].xxh_at = w->len + 1;
		lc_jw_str(w, fi[i].xxh3);
		lc_jw_key(w, "role"); lc_jw_str(w, o->src[i].role);
		lc_jw_obj_end(w);
	}
	lc_jw_arr_end(w);
	lc_jw_key(w, "models");
	lc_jw_arr(w);
	for (i = 0; i < o->nsrc; i++)
		if (strcmp(o->src[i].role, "model") == 0 &&
		    (rc = model_facts(w, o->src[i].src, o->src[i].name, e)) !=
		    LC_OK)
			return rc;
	lc_jw_arr_end(w);
	if (o->ollama_name) {
		lc_jw_key(w, "ollama");
		lc_jw_obj(w);
		lc_jw_key(w, "name"); lc_jw_str(w, o->ollama_name);
		lc_jw_obj_end(w);
	}
	lc_jw_obj_end(w);
	if (w->oom)
		return lc_errf(e, LC_ENOMEM, "%s", LC_PACK_MANIFEST);
	w->buf[w->len++] = '\n';
	return LC_OK;
}

/* SHA256SUMS: MANIFEST.json itself first, then the files. */
static char *
sums_text(const lc_pack_wopts *o, fileinfo *fi, const lc_jw *man,
    size_t *len)
{
	size_t i, n = 64 + 2 + strlen(LC_PACK_MANIFEST) + 1;
	char *s, *p, hex[65];

	for (i = 0; i < o->nsrc; i++)
		n += 64 + 2 + strlen(o->src[i].name) + 1;
	if ((s = malloc(n + 1)) == NULL)
		return NULL;
	lc_sha256_buf(man->buf, man->len, hex);
	p = s + sprintf(s, "%s  %s\n", hex, LC_PACK_MANIFEST);
	for (i = 0; i < o->nsrc; i++) {
		fi[i].sum_at = (size_t)(p - s);
		p += sprintf(p, "%s  %s\n", fi[i].sha256, o->src[i].name);
	}
	*len = n;
	return s;
}

/* ------------------------------------------------------------------ */
/* the copy pipeline                                                  */

/*
 * The caller's thread reads each file in chunks into a ring of XF_NSLOT
 * buffers and computes XXH3 on them; a SHA-256 thread and a writer
 * thread (libarchive) take the chunks in order, each at its own pace.
 * A read waiting for the disk, a write held up by dirty-page
 * throttling and the SHA-256 of the chunk before never wait for one
 * another, so the disk has reads in flight while a buffer is free.
 */
#define XF_CHUNK	(2u << 20)	/* bytes per read */
#define XF_NSLOT	16		/* chunks in flight */
#define XF_ALIGN	LC_PACK_ALIGN	/* O_DIRECT buffers and sizes */
#define XF_DIRECT_MIN	(64u << 20)	/* smaller files: page cache */

/*
 * Whether to read a file (size bytes, open as fd) around the page
 * cache: a large file of which less than a quarter is cached.  Filling
 * the cache costs a core as much as SHA-256 does, and a pack's input
 * (or a pack being verified) is read once; a file already cached is
 * read from there.
 */
int
lc_pack_direct_ok(int fd, uint64_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t np, i, in = 0;
	unsigned char *vec;
	void *map;

	if (size < XF_DIRECT_MIN || pg <= 0 || size > SIZE_MAX / 2)
		return 0;
	np = (size_t)((size + (uint64_t)pg - 1) / (uint64_t)pg);
	if ((map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0)) ==
	    MAP_FAILED)
		return 0;
	if ((vec = malloc(np)) != NULL && mincore(map, (size_t)size, vec) == 0)
		for (i = 0; i < np; i++)
			in += vec[i] & 1;
	else
		in = np;
	free(vec);
	munmap(map, (size_t)size);
	return in < np / 4;
}

enum { XF_SHA, XF_WRITE, XF_NTH };

typedef struct xfer xfer;

typedef struct xfarg {
	xfer		*x;
	int		 id;
} xfarg;

struct xfer {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work[XF_NTH];	/* a chunk for thread [id] */
	pthread_cond_t	 freed;		/* a thread finished a chunk */
	pthread_t	 th[XF_NTH];
	xfarg		 arg[XF_NTH];
	int		 nth;		/* threads started */
	char		*buf[XF_NSLOT];
	size_t		 len[XF_NSLOT];
	unsigned	 ops[XF_NSLOT];	/* 1 << XF_SHA | 1 << XF_WRITE */
	uint64_t	 head;		/* chunks queued */
	uint64_t	 tail[XF_NTH];	/* chunks each thread is done with */
	int		 quit;
	int		 werr;		/* the writer failed; it skips the rest */
	lc_err		 we;		/* why */
	EVP_MD_CTX	*sha;
	XXH3_state_t	*xx;
	struct archive	*a;		/* the writer's */
	wstate		*w;
	uint64_t	 done, total;	/* progress over all files */
};

/* Records why the writer failed (x->mu held). */
static void
xf_fail(xfer *x)
{
	wstate *w = x->w;

	x->werr = 1;
	lc_errf(&x->we, LC_EIO, "writing %s: %s", w->errwhere[0] ?
	    w->errwhere : "<output>", w->err ? strerror(w->err) :
	    archive_error_string(x->a));
}

static void *
xf_thread(void *arg)
{
	xfarg *ar = arg;
	xfer *x = ar->x;
	size_t s;
	int id = ar->id, run, bad;

	pthread_mutex_lock(&x->mu);
	for (;;) {
		while (x->tail[id] == x->head && !x->quit)
			pthread_cond_wait(&x->work[id], &x->mu);
		if (x->tail[id] == x->head)
			break;
		s = (size_t)(x->tail[id] % XF_NSLOT);
		run = (x->ops[s] >> id & 1) && !(id == XF_WRITE && x->werr);
		pthread_mutex_unlock(&x->mu);
		bad = 0;
		if (run && id == XF_SHA)
			EVP_DigestUpdate(x->sha, x->buf[s], x->len[s]);
		else if (run)
			bad = archive_write_data(x->a, x->buf[s], x->len[s]) !=
			    (la_ssize_t)x->len[s];
		pthread_mutex_lock(&x->mu);
		if (bad)
			xf_fail(x);
		x->tail[id]++;
		pthread_cond_signal(&x->freed);
	}
	pthread_mutex_unlock(&x->mu);
	return NULL;
}

/* Waits until both threads are done with every chunk queued. */
static void
xf_drain(xfer *x)
{
	pthread_mutex_lock(&x->mu);
	while (x->tail[XF_SHA] != x->head || x->tail[XF_WRITE] != x->head)
		pthread_cond_wait(&x->freed, &x->mu);
	pthread_mutex_unlock(&x->mu);
}

/* The next free buffer's slot (waits for one), or -1 once the writer
   has failed. */
static int
xf_slot(xfer *x)
{
	uint64_t t;
	int s;

	pthread_mutex_lock(&x->mu);
	for (;;) {
		t = x->tail[XF_SHA] < x->tail[XF_WRITE] ? x->tail[XF_SHA] :
		    x->tail[XF_WRITE];
		if (x->werr || x->head - t < XF_NSLOT)
			break;
		pthread_cond_wait(&x->freed, &x->mu);
	}
	s = x->werr ? -1 : (int)(x->head % XF_NSLOT);
	pthread_mutex_unlock(&x->mu);
	return s;
}

static void
xf_queue(xfer *x, int s, size_t n, unsigned ops)
{
	pthread_mutex_lock(&x->mu);
	x->len[s] = n;
	x->ops[s] = ops;
	x->head++;
	pthread_cond_signal(&x->work[XF_SHA]);
	pthread_cond_signal(&x->work[XF_WRITE]);
	pthread_mutex_unlock(&x->mu);
}

static void
xf_free(xfer *x)
{
	int i;

	if (x == NULL)
		return;
	pthread_mutex_lock(&x->mu);
	x->quit = 1;
	for (i = 0; i < XF_NTH; i++)
		pthread_cond_signal(&x->work[i]);
	pthread_mutex_unlock(&x->mu);
	for (i = 0; i < x->nth; i++)
		pthread_join(x->th[i], NULL);
	for (i = 0; i < XF_NTH; i++)
		pthread_cond_destroy(&x->work[i]);
	pthread_cond_destroy(&x->freed);
	pthread_mutex_destroy(&x->mu);
	for (i = 0; i < XF_NSLOT; i++)
		free(x->buf[i]);
	EVP_MD_CTX_free(x->sha);
	XXH3_freeState(x->xx);
	free(x);
}

static int
xf_new(xfer **out, wstate *w, uint64_t total, lc_err *e)
{
	xfer *x;
	int i;

	*out = NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return lc_errf(e, LC_ENOMEM, "pack buffers");
	pthread_mutex_init(&x->mu, NULL);
	for (i = 0; i < XF_NTH; i++)
		pthread_cond_init(&x->work[i], NULL);
	pthread_cond_init(&x->freed, NULL);
	x->w = w;
	x->total = total;
	for (i = 0; i < XF_NSLOT; i++)
		if (posix_memalign((void **)&x->buf[i], XF_ALIGN, XF_CHUNK))
			break;
	if (i < XF_NSLOT || (x->sha = EVP_MD_CTX_new()) == NULL ||
	    (x->xx = XXH3_createState()) == NULL) {
		xf_free(x);
		return lc_errf(e, LC_ENOMEM, "pack buffers");
	}
	for (i = 0; i < XF_NTH; i++) {
		x->arg[i].x = x;
		x->arg[i].id = i;
		if (pthread_create(&x->th[i], NULL, xf_thread, &x->arg[i]) !=
		    0) {
			xf_free(x);
			return lc_errf(e, LC_ENOMEM, "pack threads");
		}
		x->nth++;
	}
	*out = x;
	return LC_OK;
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

/*
 * Reads src once: into the hashes (pass 1), into the archive x->a
 * (write), or both.  Writing without hashing (pass 2 of a stream), XXH3
 * alone checks that the file did not change since pass 1.
 */
static int
pump(xfer *x, const lc_pack_wopts *o, size_t idx, fileinfo *fi, int write,
    int hash, lc_err *e)
{
	const lc_pack_src *s = &o->src[idx];
	struct stat st;
	uint64_t left = fi->bytes;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned ops = (hash ? 1u << XF_SHA : 0) | (write ? 1u << XF_WRITE : 0);
	char xx[33], c;
	XXH128_canonical_t cx;
	size_t want;
	ssize_t k;
	uint64_t off = 0;
	int fd, dfd = -1, b, rc = LC_OK;

	if ((fd = open(s->src, O_RDONLY | O_CLOEXEC)) < 0)
		return lc_errsys(e, "%s", s->src);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size != fi->bytes) {
		close(fd);
		return lc_errf(e, LC_EIO, "%s: changed while packing (size "
		    "or type)", s->src);
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* a second descriptor reads around the cache where that pays; any
	   refusal (tmpfs, alignment) falls back to fd at the same offset */
	if (lc_pack_direct_ok(fd, fi->bytes))
		dfd = open(s->src, O_RDONLY | O_CLOEXEC | O_DIRECT);
	if (hash)		/* the threads are idle between files */
		EVP_DigestInit_ex(x->sha, EVP_sha256(), NULL);
	XXH3_128bits_reset(x->xx);
	while (left > 0) {
		if ((b = xf_slot(x)) < 0)
			goto out;	/* the writer's error, below */
		want = left < XF_CHUNK ? (size_t)left : XF_CHUNK;
		if (dfd >= 0) {
			/* whole aligned blocks; the tail of the file comes
			   back short, and more than left means it grew */
			k = pread(dfd, x->buf[b], (want + XF_ALIGN - 1) /
			    XF_ALIGN * XF_ALIGN, (off_t)off);
			if ((k < 0 && errno != EINTR) || (k >= 0 &&
			    (uint64_t)k < left && k % XF_ALIGN != 0)) {
				close(dfd);	/* refused: the cache path */
				dfd = -1;
				continue;
			}
			if (k > 0 && (uint64_t)k > left) {
				rc = lc_errf(e, LC_EIO, "%s: grew while "
				    "packing", s->src);
				goto out;
			}
		} else
			k = pread(fd, x->buf[b], want, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			rc = lc_errsys(e, "%s", s->src);
			goto out;
		}
		if (k == 0) {
			rc = lc_errf(e, LC_EIO, "%s: shrank while packing",
			    s->src);
			goto out;
		}
		XXH3_128bits_update(x->xx, x->buf[b], (size_t)k);
		xf_queue(x, b, (size_t)k, ops);
		off += (uint64_t)k;
		left -= (uint64_t)k;
		x->done += (uint64_t)k;
		if (o->progress)
			o->progress(o->progress_arg, s->name, x->done,
			    x->total);
	}
	if (pread(fd, &c, 1, (off_t)off) > 0) {
		rc = lc_errf(e, LC_EIO, "%s: grew while packing", s->src);
		goto out;
	}
	xf_drain(x);
	if (x->werr)
		goto out;
	XXH128_canonicalFromHash(&cx, XXH3_128bits_digest(x->xx));
	tohex(cx.digest, 16, xx);
	if (hash) {
		EVP_DigestFinal_ex(x->sha, md, &mdlen);
		tohex(md, 32, fi->sha256);
		memcpy(fi->xxh3, xx, 33);
		if (s->expect_sha256 && strcmp(s->expect_sha256, fi->sha256)) {
			rc = lc_errf(e, LC_EFORMAT, "%s: corrupt: its name says "
			    "sha256 %s, its content hashes to %s", s->src,
			    s->expect_sha256, fi->sha256);
			goto out;
		}
	} else if (strcmp(xx, fi->xxh3) != 0) {
		rc = lc_errf(e, LC_EIO, "%s: changed between hashing and "
		    "writing", s->src);
	}
out:
	xf_drain(x);		/* no thread is left with a buffer */
	if (x->werr) {		/* the write failed first */
		rc = x->we.code;
		if (e)
			*e = x->we;
	}
	if (dfd >= 0)
		close(dfd);
	close(fd);
	return rc;
}

static int
add_member(struct archive *a, const char *name, uint64_t size, time_t mtime,
    wstate *w, lc_err *e)
{
	struct archive_entry *en = archive_entry_new();
	int r;

	if (en == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", name);
	archive_entry_set_pathname_utf8(en, name);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, (la_int64_t)size);
	archive_entry_set_mtime(en, mtime, 0);
	archive_entry_set_uid(en, 0);
	archive_entry_set_gid(en, 0);
	r = archive_write_header(a, en);
	archive_entry_free(en);
	if (r != ARCHIVE_OK)
		return lc_errf(e, LC_EIO, "writing %s (member %s): %s",
		    w->errwhere[0] ? w->errwhere : "<output>", name, w->err ?
		    strerror(w->err) : archive_error_string(a));
	return LC_OK;
}

static int
put(struct archive *a, const char *name, const char *p, size_t n,
    time_t mtime, uint64_t *at, wstate *w, lc_err *e)
{
	int rc;

	if ((rc = add_member(a, name, n, mtime, w, e)) != LC_OK)
		return rc;
	*at = w->total;
	if (n && archive_write_data(a, p, n) != (la_ssize_t)n)
		return lc_errf(e, LC_EIO, "%s: %s", name, w->err ?
		    strerror(w->err) : archive_error_string(a));
	return LC_OK;
}

static int
pwriteall(int fd, const char *p, size_t n, uint64_t off)
{
	ssize_t k;

	while (n > 0) {
		if ((k = pwrite(fd, p, n, (off_t)off)) <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* Overwrites the placeholder at off (first volume) with p[0..n),
   after checking that the placeholder is there. */
static int
patch(wstate *w, uint64_t off, const char *old, const char *p, size_t n,
    lc_err *e)
{
	char *cur;
	int ok;

	if ((cur = malloc(n ? n : 1)) == NULL)
		return lc_errf(e, LC_ENOMEM, "patch");
	ok = pread(w->vfd[0], cur, n, (off_t)off) == (ssize_t)n &&
	    memcmp(cur, old, n) == 0;
	free(cur);
	if (!ok)
		return lc_errf(e, LC_EIO, "%s: placeholder not at offset %llu",
		    w->tmp ? w->tmp[0] : w->errwhere, (unsigned long long)off);
	if (pwriteall(w->vfd[0], p, n, off) != 0)
		return lc_errsys(e, "%s", w->tmp ? w->tmp[0] : w->errwhere);
	return LC_OK;
}

static int
validate_srcs(const lc_pack_wopts *o, fileinfo *fi, lc_err *e)
{
	struct stat st;
	const char *why;
	size_t i, k;

	if (o->nsrc == 0)
		return lc_errf(e, LC_EINVAL, "nothing to pack");
	if (o->nsrc > LC_PACK_MAX_FILES)
		return lc_errf(e, LC_EINVAL, "more than %d files",
		    LC_PACK_MAX_FILES);
	for (i = 0; i < o->nsrc; i++) {
		if (!lc_pack_name_ok(o->src[i].name, &why))
			return lc_errf(e, LC_EINVAL, "%s: cannot be a member "
			    "name: %s", o->src[i].name, why);
		for (k = 0; k < i; k++)
			if (strcasecmp(o->src[i].name, o->src[k].name) == 0)
				return lc_errf(e, LC_EINVAL, "%s and %s: both "
				    "would be member '%s'", o->src[k].src,
				    o->src[i].src, o->src[i].name);
		if (stat(o->src[i].src, &st) != 0)
			return lc_errsys(e, "%s", o->src[i].src);
		if (!S_ISREG(st.st_mode))
			return lc_errf(e, LC_EINVAL, "%s: not a regular file",
			    o->src[i].src);
		fi[i].bytes = (uint64_t)st.st_size;
		memcpy(fi[i].sha256, zeros, 65);
		memcpy(fi[i].xxh3, zeros, 32);
		fi[i].xxh3[32] = '\0';
	}
	return LC_OK;
}

int
lc_pack_create(const lc_pack_wopts *o, lc_pack_manifest **mf,
    lc_pack_stats *st, lc_err *e)
{
	struct archive *a = NULL;
	struct stat sb;
	wstate w = { .o = o };
	xfer *x = NULL;
	fileinfo *fi;
	lc_jw jw;
	char *sums = NULL, *sig = NULL, *oldman = NULL, *oldsums = NULL;
	char *oldsig = NULL, hex[65];
	size_t sumslen = 0, siglen = 0, i, manlen;
	uint64_t man_at = 0, sig_at = 0, sums_at = 0, total = 0;
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t mtime = sde ? (time_t)strtoll(sde, NULL, 10) : 0;
	double t0 = now();
	int rc, seek, tofile = strcmp(o->out, "-") != 0, devfd = -1;

	if (mf)
		*mf = NULL;
	memset(st, 0, sizeof(*st));
	/* a device or FIFO is written as it is, not through NAME.tmp */
	if (tofile && !o->split && stat(o->out, &sb) == 0 &&
	    !S_ISREG(sb.st_mode)) {
		if ((devfd = open(o->out, O_WRONLY | O_CLOEXEC)) < 0)
			return lc_errsys(e, "%s", o->out);
		tofile = 0;
	}
	if (o->split && (o->split < LC_PACK_MIN_SPLIT || !tofile))
		return lc_errf(e, LC_EINVAL, "--split needs a file name and "
		    "at least %u bytes", LC_PACK_MIN_SPLIT);
	if ((fi = calloc(o->nsrc ? o->nsrc : 1, sizeof(*fi))) == NULL)
		return lc_errf(e, LC_ENOMEM, "pack");
	lc_jw_init(&jw);
	if ((rc = validate_srcs(o, fi, e)) != LC_OK)
		goto out;
	for (i = 0; i < o->nsrc; i++)
		total += fi[i].bytes;
	if ((rc = manifest_text(&jw, o, fi, e)) != LC_OK)
		goto out;
	if ((sums = sums_text(o, fi, &jw, &sumslen)) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "pack buffers");
		goto out;
	}
	if ((rc = xf_new(&x, &w, total, e)) != LC_OK)
		goto out;
	/* a regular file as out_fd: patched in place only if it can be
	   read back (a shell's "> file" opens it write-only) */
	seek = !o->zstd && (tofile || (fstat(devfd >= 0 ? devfd : o->out_fd,
	    &sb) == 0 &&
	    S_ISREG(sb.st_mode) && lseek(o->out_fd, 0, SEEK_CUR) == 0 &&
	    (fcntl(o->out_fd, F_GETFL) & O_ACCMODE) == O_RDWR));
	if (o->key && (rc = lc_pack_sign(o->key, jw.buf, jw.len, &sig,
	    &siglen, e)) != LC_OK)
		goto out;
	/* the first volume must hold manifest, signature and sums whole */
	if (seek && o->split && 3 * 512 + jw.len + siglen + sumslen + 3 * 512 >
	    o->split)
		seek = 0;
	if (!seek) {		/* pass 1: hash everything first */
		for (i = 0; i < o->nsrc; i++)
			if ((rc = pump(x, o, i, &fi[i], 0, 1, e)) != LC_OK)
				goto out;
		x->done = 0;
		st->passes = 2;
		if ((rc = manifest_text(&jw, o, fi, e)) != LC_OK)
			goto out;
		free(sums);
		free(sig);
		sig = NULL;
		if ((sums = sums_text(o, fi, &jw, &sumslen)) == NULL) {
			rc = lc_errf(e, LC_ENOMEM, "pack");
			goto out;
		}
		if (o->key && (rc = lc_pack_sign(o->key, jw.buf, jw.len, &sig,
		    &siglen, e)) != LC_OK)
			goto out;
	} else {
		st->passes = 1;
	}
	if (tofile) {
		w.wb = 1;	/* fsynced at the end anyway */
		if (newvol(&w) != 0) {
			rc = w.err ? (errno = w.err, lc_errsys(e, "%s",
			    w.errwhere)) : lc_errf(e, LC_ENOMEM, "pack");
			goto out;
		}
	} else {
		if ((w.vfd = malloc(sizeof(*w.vfd))) == NULL) {
			rc = lc_errf(e, LC_ENOMEM, "pack");
			goto out;
		}
		w.vfd[0] = devfd >= 0 ? devfd : o->out_fd;
		w.nvol = 1;
		snprintf(w.errwhere, sizeof(w.errwhere), "%s", devfd >= 0 ?
		    o->out : "<stdout>");
	}
	if ((a = archive_write_new()) == NULL ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    (o->zstd && archive_write_add_filter_zstd(a) != ARCHIVE_OK)) {
		rc = lc_errf(e, LC_EUNSUP, "libarchive: %s", a ?
		    archive_error_string(a) : "no memory");
		goto out;
	}
	if (o->zstd) {
		char lv[16];
		snprintf(lv, sizeof(lv), "%d", o->zstd);
		archive_write_set_filter_option(a, "zstd", "compression-level",
		    lv);
		/* no zero padding after the zstd frame: readers take it for
		   a broken next frame */
		archive_write_set_bytes_in_last_block(a, 1);
	} else {
		archive_write_set_bytes_per_block(a, 0);
	}
	x->a = a;
	if (archive_write_open(a, &w, NULL, wcb, NULL) != ARCHIVE_OK) {
		rc = lc_errf(e, LC_EIO, "%s", archive_error_string(a));
		goto out;
	}
	manlen = jw.len;
	if ((oldman = malloc(manlen)) == NULL || (oldsums = malloc(sumslen +
	    1)) == NULL || (sig && (oldsig = malloc(siglen)) == NULL)) {
		rc = lc_errf(e, LC_ENOMEM, "pack");
		goto out;
	}
	memcpy(oldman, jw.buf, manlen);
	memcpy(oldsums, sums, sumslen);
	if (sig)
		memcpy(oldsig, sig, siglen);
	if ((rc = put(a, LC_PACK_MANIFEST, jw.buf, manlen, mtime, &man_at, &w,
	    e)) != LC_OK || (sig && (rc = put(a, LC_PACK_SIG, sig, siglen,
	    mtime, &sig_at, &w, e)) != LC_OK) ||
	    (rc = put(a, LC_PACK_SUMS, sums, sumslen, mtime, &sums_at, &w,
	    e)) != LC_OK)
		goto out;
	for (i = 0; i < o->nsrc; i++) {
		if ((rc = add_member(a, o->src[i].name, fi[i].bytes, mtime, &w,
		    e)) != LC_OK ||
		    (rc = pump(x, o, i, &fi[i], 1, seek, e)) != LC_OK)
			goto out;
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		rc = lc_errf(e, LC_EIO, "%s: %s", w.errwhere[0] ? w.errwhere :
		    "<output>", w.err ? strerror(w.err) :
		    archive_error_string(a));
		goto out;
	}
	if (seek) {
		for (i = 0; i < o->nsrc; i++) {
			memcpy(jw.buf + fi[i].sha_at, fi[i].sha256, 64);
			memcpy(jw.buf + fi[i].xxh_at, fi[i].xxh3, 32);
			memcpy(sums + fi[i].sum_at, fi[i].sha256, 64);
		}
		lc_sha256_buf(jw.buf, manlen, hex);
		memcpy(sums, hex, 64);
		if ((rc = patch(&w, man_at, oldman, jw.buf, manlen, e)) !=
		    LC_OK || (rc = patch(&w, sums_at, oldsums, sums, sumslen,
		    e)) != LC_OK)
			goto out;
		if (sig) {
			free(sig);
			sig = NULL;
			if ((rc = lc_pack_sign(o->key, jw.buf, manlen, &sig,
			    &siglen, e)) != LC_OK ||
			    (rc = patch(&w, sig_at, oldsig, sig, siglen, e)) !=
			    LC_OK)
				goto out;
		}
	}
	if (tofile) {
		for (i = 0; i < w.nvol; i++)
			if (fsync(w.vfd[i]) != 0) {
				rc = lc_errsys(e, "%s", w.tmp[i]);
				goto out;
			}
		for (i = 0; i < w.nvol; i++)
			if (rename(w.tmp[i], w.final[i]) != 0) {
				rc = lc_errsys(e, "%s", w.final[i]);
				goto out;
			}
	}
	if (mf && (rc = lc_pack_manifest_parse(mf, jw.buf, manlen, e)) !=
	    LC_OK)
		goto out;
	st->files = o->nsrc;
	st->bytes = total;
	st->out_bytes = w.total;
	st->volumes = w.nvol;
	st->seconds = now() - t0;
out:
	if (a) {
		if (rc != LC_OK)
			archive_write_fail(a);
		archive_write_free(a);
	}
	for (i = 0; tofile && i < w.nvol; i++) {
		close(w.vfd[i]);
		if (rc != LC_OK)
			unlink(w.tmp[i]);
		free(w.tmp[i]);
		free(w.final[i]);
	}
	if (devfd >= 0)
		close(devfd);
	free(w.vfd);
	free(w.tmp);
	free(w.final);
	xf_free(x);
	free(oldman);
	free(oldsums);
	free(oldsig);
	free(sums);
	free(sig);
	lc_jw_free(&jw);
	free(fi);
	return rc;
}
