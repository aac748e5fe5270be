/*
 * pack_read.c - lc_pack_read: a pack from its volumes or one stream,
 * verified, and extracted if asked; lc_pack_verify_dir.
 *
 * Extraction: DIR/.llm-pack.staging (locked with flock) holds each file
 * as it arrives, hashed while written; a file whose SHA-256 and XXH3
 * match the manifest is fsynced and renamed into place, its parent
 * directory fsynced, and a journal line (sha256, size, dev, ino, mtime,
 * path) appended, so a rerun keeps files already done.  Directories on
 * the way are opened with O_NOFOLLOW: a symlink in the target is
 * refused, never followed.
 */
#define _GNU_SOURCE		/* O_DIRECT */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "hf.h"
#include "pack.h"

#define RB_N	3

typedef struct vol {
	char		*path;
	unsigned long	 num;		/* 0: not a volume */
	uint64_t	 size;
} vol;

typedef struct jent {
	char		*path;
	char		 sha256[65];
	uint64_t	 bytes, dev, ino;
	int64_t		 msec, mnsec;
} jent;

typedef struct rstate {
	const lc_pack_ropts	*o;
	vol		*v;
	size_t		 nv, cur;
	int		 fd;		/* current input */
	int		 dfd;		/* the same around the page cache, or
					   -1 (lc_pack_direct_ok) */
	int		 split;
	/* the read callback's buffers, filled in turn: a data block
	   libarchive returns from one (an uncompressed member) is hashed
	   where it lies, and the buffer is refilled two reads later, when
	   the hash thread is done with it */
	char		*rbuf[RB_N];
	int		 rcur;
	uint64_t	 pos, volpos;	/* bytes read: all, this volume */
	int		 err;
	char		 errwhere[4200];
	/* data path */
	char		*buf[2];
	lc_hash2	*h;
	uint64_t	 done, total;
	/* extraction */
	int		 dirfd, stagefd, jfd;
	jent		*j;
	size_t		 nj;
	const lc_pack_manifest	*m;
	char		 dest[LC_PACK_MAX_PATH + 80];
} rstate;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------ */
/* volumes                                                            */

/* NNN of "BASE.NNN" (3 or more digits), else 0. */
static unsigned long
volnum(const char *p, size_t *baselen)
{
	size_t n = strlen(p), i = n;

	while (i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9')
		i--;
	if (n - i < 3 || n - i > 9 || i < 2 || p[i - 1] != '.')
		return 0;
	*baselen = i - 1;
	return strtoul(p + i, NULL, 10);
}

static int
cmpvol(const void *a, const void *b)
{
	const vol *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

static int
addvol(rstate *r, const char *path, lc_err *e)
{
	void *p;

	if ((p = realloc(r->v, (r->nv + 1) * sizeof(*r->v))) == NULL)
		return lc_errf(e, LC_ENOMEM, "volumes");
	r->v = p;
	memset(&r->v[r->nv], 0, sizeof(*r->v));
	if ((r->v[r->nv].path = strdup(path)) == NULL)
		return lc_errf(e, LC_ENOMEM, "volumes");
	r->nv++;
	return LC_OK;
}

/* The inputs as an ordered list of volumes; names a missing one. */
static int
volumes(rstate *r, lc_err *e)
{
	const lc_pack_ropts *o = r->o;
	struct stat st;
	char pat[4200], base[4200] = "";
	size_t i, bl = 0;
	glob_t g;
	int rc;

	for (i = 0; i < o->ninputs; i++) {
		if (strcmp(o->inputs[i], "-") == 0)
			return o->ninputs == 1 ? LC_OK : lc_errf(e, LC_EINVAL,
			    "'-' (standard input) cannot be mixed with files");
		if (stat(o->inputs[i], &st) != 0 && errno == ENOENT) {
			snprintf(pat, sizeof(pat), "%s.[0-9][0-9][0-9]*",
			    o->inputs[i]);
			if (glob(pat, 0, NULL, &g) == 0) {
				size_t k;
				for (k = 0; k < g.gl_pathc; k++)
					if ((rc = addvol(r, g.gl_pathv[k], e)) !=
					    LC_OK) {
						globfree(&g);
						return rc;
					}
				globfree(&g);
				continue;
			}
			return lc_errsys(e, "%s", o->inputs[i]);
		}
		if ((rc = addvol(r, o->inputs[i], e)) != LC_OK)
			return rc;
	}
	for (i = 0; i < r->nv; i++) {
		if (stat(r->v[i].path, &st) != 0)
			return lc_errsys(e, "%s", r->v[i].path);
		if (S_ISDIR(st.st_mode))
			return lc_errf(e, LC_EINVAL, "%s: a directory (verify "
			    "it alone to check an extracted pack)", r->v[i].path);
		r->v[i].size = (uint64_t)st.st_size;
		r->v[i].num = volnum(r->v[i].path, &bl);
		if (r->nv > 1 && r->v[i].num == 0)
			return lc_errf(e, LC_EINVAL, "%s: more than one pack "
			    "given, and this is not a volume (NAME.001, ...)",
			    r->v[i].path);
		if (r->v[i].num) {
			if (base[0] == '\0')
				snprintf(base, sizeof(base), "%.*s", (int)bl,
				    r->v[i].path);
			else if (strncmp(base, r->v[i].path, bl) != 0 ||
			    strlen(base) != bl)
				return lc_errf(e, LC_EINVAL, "%s: a volume of "
				    "another pack than %s", r->v[i].path, base);
		}
	}
	if (r->nv == 1 && r->v[0].num == 0)
		return LC_OK;
	r->split = 1;
	qsort(r->v, r->nv, sizeof(*r->v), cmpvol);
	for (i = 0; i < r->nv; i++) {
		if (i > 0 && r->v[i].num == r->v[i - 1].num)
			return lc_errf(e, LC_EINVAL, "%s: volume %lu given twice",
			    r->v[i].path, r->v[i].num);
		if (r->v[i].num != i + 1)
			return lc_errf(e, LC_EFORMAT, "%s.%03zu: volume missing",
			    base, i + 1);
	}
	for (i = 0; i + 2 < r->nv; i++)
		if (r->v[i].size != r->v[i + 1].size)
			return lc_errf(e, LC_EFORMAT, "%s: %llu bytes, but %s "
			    "has %llu: a volume is truncated",
			    r->v[i + 1].size < r->v[i].size ? r->v[i + 1].path :
			    r->v[i].path,
			    (unsigned long long)(r->v[i + 1].size < r->v[i].size ?
			    r->v[i + 1].size : r->v[i].size),
			    r->v[i + 1].size < r->v[i].size ? r->v[i].path :
			    r->v[i + 1].path, (unsigned long long)(r->v[i +
			    1].size < r->v[i].size ? r->v[i].size :
			    r->v[i + 1].size));
	return LC_OK;
}

static la_ssize_t
rcb(struct archive *a, void *arg, const void **buf)
{
	rstate *r = arg;
	ssize_t k;
	char *rb;

	r->rcur = (r->rcur + 1) % RB_N;
	rb = r->rbuf[r->rcur];
	*buf = rb;
	for (;;) {
		if (r->fd < 0) {
			if (r->cur >= r->nv)
				return 0;
			if ((r->fd = open(r->v[r->cur].path, O_RDONLY |
			    O_CLOEXEC)) < 0) {
				r->err = errno;
				snprintf(r->errwhere, sizeof(r->errwhere), "%s",
				    r->v[r->cur].path);
				archive_set_error(a, r->err, "%s: %s",
				    r->errwhere, strerror(r->err));
				return -1;
			}
			posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
			if (lc_pack_direct_ok(r->fd, r->v[r->cur].size))
				r->dfd = open(r->v[r->cur].path, O_RDONLY |
				    O_CLOEXEC | O_DIRECT);
			r->volpos = 0;
		}
		if (r->dfd >= 0) {
			/* whole aligned blocks at aligned offsets (every read
			   but a volume's last is LC_PACK_BUF); a refusal
			   goes on through the page cache */
			k = pread(r->dfd, rb, LC_PACK_BUF, (off_t)r->volpos);
			if (k < 0 && errno != EINTR) {
				close(r->dfd);
				r->dfd = -1;
				if (lseek(r->fd, (off_t)r->volpos, SEEK_SET) < 0)
					k = -1;
				else
					continue;
			}
		} else
			k = read(r->fd, rb, LC_PACK_BUF);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r->err = errno;
			snprintf(r->errwhere, sizeof(r->errwhere), "%s",
			    r->nv ? r->v[r->cur].path : "<stdin>");
			archive_set_error(a, r->err, "%s: %s", r->errwhere,
			    strerror(r->err));
			return -1;
		}
		if (k > 0) {
			r->pos += (uint64_t)k;
			r->volpos += (uint64_t)k;
			return k;
		}
		if (r->nv == 0)		/* stdin */
			return 0;
		close(r->fd);
		r->fd = -1;
		if (r->dfd >= 0)
			close(r->dfd);
		r->dfd = -1;
		r->cur++;
	}
}

/* whether p lies in one of the read callback's buffers */
static int
in_rbuf(const rstate *r, const void *p)
{
	int i;

	for (i = 0; i < RB_N; i++)
		if ((const char *)p >= r->rbuf[i] && (const char *)p <
		    r->rbuf[i] + LC_PACK_BUF)
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* target directory                                                   */

/*
 * The directory fd of path's parent under dirfd, made if mk; *leaf is
 * the last component.  A symlink or non-directory on the way is an
 * error (ELOOP/ENOTDIR), never followed.
 */
static int
openparent(int dirfd, const char *path, int mk, const char **leaf)
{
	char comp[LC_PACK_MAX_COMPONENT + 1];
	const char *p = path, *slash;
	int fd = dup(dirfd), nfd;

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL) {
		snprintf(comp, sizeof(comp), "%.*s", (int)(slash - p), p);
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd < 0 && errno == ENOENT && mk) {
			if (mkdirat(fd, comp, 0755) != 0 && errno != EEXIST) {
				close(fd);
				return -1;
			}
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
		close(fd);
		fd = nfd;
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

static int
jload(rstate *r, lc_err *e)
{
	char line[LC_PACK_MAX_PATH + 256], path[LC_PACK_MAX_PATH + 1];
	unsigned long long b, d, i;
	long long s, ns;
	jent *p;
	FILE *fp;
	int fd;

	if ((fd = openat(r->stagefd, "journal", O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		return errno == ENOENT ? LC_OK : lc_errsys(e, "%s/journal",
		    LC_PACK_STAGING);
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return lc_errsys(e, "%s/journal", LC_PACK_STAGING);
	}
	while (fgets(line, sizeof(line), fp)) {
		jent t;
		if (sscanf(line, "%64s %llu %llu %llu %lld %lld %1024[^\n]",
		    t.sha256, &b, &d, &i, &s, &ns, path) != 7)
			continue;	/* a torn last line */
		if ((p = realloc(r->j, (r->nj + 1) * sizeof(*r->j))) == NULL)
			break;
		r->j = p;
		t.bytes = b;
		t.dev = d;
		t.ino = i;
		t.msec = s;
		t.mnsec = ns;
		if ((t.path = strdup(path)) == NULL)
			break;
		r->j[r->nj++] = t;
	}
	fclose(fp);
	return LC_OK;
}

/* 1 if ent's destination is a file a previous run verified. */
static int
jdone(rstate *r, const lc_pack_entry *ent, const char *dest)
{
	struct stat st;
	const char *leaf;
	size_t i;
	int pfd, ok = 0;

	for (i = r->nj; i-- > 0;)
		if (strcmp(r->j[i].path, dest) == 0)
			break;
	if (i == (size_t)-1 || strcmp(r->j[i].sha256, ent->sha256) != 0 ||
	    r->j[i].bytes != ent->bytes)
		return 0;
	if ((pfd = openparent(r->dirfd, dest, 0, &leaf)) < 0)
		return 0;
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(st.st_mode) && (uint64_t)st.st_size == ent->bytes &&
	    (uint64_t)st.st_dev == r->j[i].dev &&
	    (uint64_t)st.st_ino == r->j[i].ino &&
	    st.st_mtim.tv_sec == r->j[i].msec &&
	    st.st_mtim.tv_nsec == r->j[i].mnsec)
		ok = 1;
	close(pfd);
	return ok;
}

static void
jappend(rstate *r, const lc_pack_entry *ent, const char *dest, int pfd,
    const char *leaf)
{
	struct stat st;
	char line[LC_PACK_MAX_PATH + 256];
	int n;

	if (r->jfd < 0 || fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	n = snprintf(line, sizeof(line), "%s %llu %llu %llu %lld %lld %s\n",
	    ent->sha256, (unsigned long long)ent->bytes,
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
	    (long long)st.st_mtim.tv_sec, (long long)st.st_mtim.tv_nsec, dest);
	if (write(r->jfd, line, (size_t)n) == n)
		fdatasync(r->jfd);
}

static int
target_open(rstate *r, lc_err *e)
{
	const char *d = r->o->dir;

	if (mkdir(d, 0755) != 0 && errno != EEXIST)
		return lc_errsys(e, "%s", d);
	if ((r->dirfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return lc_errsys(e, "%s", d);
	if (mkdirat(r->dirfd, LC_PACK_STAGING, 0700) != 0 && errno != EEXIST)
		return lc_errsys(e, "%s/%s", d, LC_PACK_STAGING);
	if ((r->stagefd = openat(r->dirfd, LC_PACK_STAGING, O_RDONLY |
	    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return lc_errsys(e, "%s/%s", d, LC_PACK_STAGING);
	if (flock(r->stagefd, LOCK_EX | LOCK_NB) != 0)
		return lc_errf(e, LC_EIO, "%s: another llm-pack is extracting "
		    "here", d);
	if (jload(r, e) != LC_OK)
		return e->code;
	if ((r->jfd = openat(r->stagefd, "journal", O_WRONLY | O_CREAT |
	    O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return lc_errsys(e, "%s/%s/journal", d, LC_PACK_STAGING);
	return LC_OK;
}

/* Removes the staging directory after a complete extraction. */
static void
target_done(rstate *r)
{
	char name[64];
	size_t i;

	unlinkat(r->stagefd, "journal", 0);
	for (i = 0; r->m && i < r->m->nfiles + 4; i++) {
		snprintf(name, sizeof(name), "f.%zu", i);
		unlinkat(r->stagefd, name, 0);
	}
	unlinkat(r->dirfd, LC_PACK_STAGING, AT_REMOVEDIR);
	fsync(r->dirfd);
}

/* Writes p[0..n) as dest under the target via staging + rename. */
static int
publish_bytes(rstate *r, const char *dest, const char *p, size_t n,
    lc_err *e)
{
	const char *leaf;
	int fd, pfd;

	if ((fd = openat(r->stagefd, "meta", O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return lc_errsys(e, "%s/%s", r->o->dir, LC_PACK_STAGING);
	if (write(fd, p, n) != (ssize_t)n || fsync(fd) != 0) {
		lc_errsys(e, "%s/%s", r->o->dir, dest);
		close(fd);
		unlinkat(r->stagefd, "meta", 0);
		return LC_EIO;
	}
	close(fd);
	if ((pfd = openparent(r->dirfd, dest, 1, &leaf)) < 0 ||
	    renameat(r->stagefd, "meta", pfd, leaf) != 0) {
		lc_errsys(e, "%s/%s", r->o->dir, dest);
		if (pfd >= 0)
			close(pfd);
		unlinkat(r->stagefd, "meta", 0);
		return LC_EIO;
	}
	fsync(pfd);
	close(pfd);
	return LC_OK;
}

/* ------------------------------------------------------------------ */
/* one member                                                         */

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

/* Hashes (and writes to fd, if >= 0) buffered chunk b. */
static int
flush(rstate *r, int b, size_t n, int fd)
{
	lc_hash2_update(r->h, r->buf[b], n);
	return fd >= 0 ? writeall(fd, r->buf[b], n) : 0;
}

/*
 * The data of member ent: hashed, and written to staging file f.idx if
 * extracting.  Fills res; returns LC_OK (also for a hash mismatch:
 * res->ok says) or a structural / I/O error that stops the read.
 */
static int
member(rstate *r, struct archive *a, const lc_pack_entry *ent, size_t idx,
    lc_pack_result *res, int *tmpfd, lc_err *e)
{
	const void *blk;
	size_t sz, fill = 0, k;
	la_int64_t off;
	uint64_t got = 0;
	char name[64];
	int b = 0, fd = -1, x, rc = LC_OK;

	*tmpfd = -1;
	if (r->o->dir && !res->skipped) {
		snprintf(name, sizeof(name), "f.%zu", idx);
		if ((fd = openat(r->stagefd, name, O_WRONLY | O_CREAT |
		    O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
			return lc_errsys(e, "%s/%s/%s", r->o->dir,
			    LC_PACK_STAGING, name);
	}
	lc_hash2_reset(r->h);
	for (;;) {
		x = archive_read_data_block(a, &blk, &sz, &off);
		if (x == ARCHIVE_EOF)
			break;
		if (x != ARCHIVE_OK) {
			rc = lc_errf(e, LC_EFORMAT, "member '%s': %s",
			    ent->path, archive_error_string(a));
			goto out;
		}
		if ((uint64_t)off != got) {
			rc = lc_errf(e, LC_EFORMAT, "member '%s': a hole at "
			    "byte %llu (sparse members are refused)",
			    ent->path, (unsigned long long)got);
			goto out;
		}
		if (sz > ent->bytes - got) {
			rc = lc_errf(e, LC_EFORMAT, "member '%s': more data "
			    "than the %llu bytes the manifest declares; "
			    "stopped there", ent->path,
			    (unsigned long long)ent->bytes);
			goto out;
		}
		got += sz;
		if (in_rbuf(r, blk)) {
			/* hashed where it lies; what was copied goes first */
			if (fill && flush(r, b, fill, fd) != 0) {
				rc = lc_errsys(e, "%s/%s", r->o->dir,
				    res->dest);
				goto out;
			}
			b ^= fill ? 1 : 0;
			fill = 0;
			lc_hash2_update(r->h, blk, sz);
			if (fd >= 0 && writeall(fd, blk, sz) != 0) {
				rc = lc_errsys(e, "%s/%s", r->o->dir,
				    res->dest);
				goto out;
			}
			sz = 0;
		}
		while (sz > 0) {
			k = LC_PACK_BUF - fill < sz ? LC_PACK_BUF - fill : sz;
			memcpy(r->buf[b] + fill, blk, k);
			blk = (const char *)blk + k;
			sz -= k;
			fill += k;
			if (fill == LC_PACK_BUF) {
				if (flush(r, b, fill, fd) != 0) {
					rc = lc_errsys(e, "%s/%s", r->o->dir,
					    res->dest);
					goto out;
				}
				b ^= 1;
				fill = 0;
			}
		}
		if (r->o->progress)
			r->o->progress(r->o->arg, ent->path, r->done + got,
			    r->total);
	}
	if (fill && flush(r, b, fill, fd) != 0) {
		rc = lc_errsys(e, "%s/%s", r->o->dir, res->dest);
		goto out;
	}
	lc_hash2_final(r->h, res->sha256, res->xxh3);
	res->bytes = got;
	r->done += got;
	if (got != ent->bytes)
		snprintf(res->error, sizeof(res->error), "%llu bytes, the "
		    "manifest says %llu", (unsigned long long)got,
		    (unsigned long long)ent->bytes);
	else if (strcmp(res->sha256, ent->sha256) != 0)
		snprintf(res->error, sizeof(res->error), "sha256 %s, the "
		    "manifest says %s", res->sha256, ent->sha256);
	else if (strcmp(res->xxh3, ent->xxh3) != 0)
		snprintf(res->error, sizeof(res->error), "xxh3_128 %s, the "
		    "manifest says %s", res->xxh3, ent->xxh3);
	else
		res->ok = 1;
	if (fd >= 0 && res->ok && fsync(fd) != 0)
		rc = lc_errsys(e, "%s/%s", r->o->dir, res->dest);
out:
	lc_hash2_reset(r->h);
	if (fd >= 0) {
		if (rc == LC_OK && res->ok) {
			*tmpfd = fd;
		} else {
			close(fd);
			unlinkat(r->stagefd, name, 0);
		}
	}
	return rc;
}

/* Renames staging file f.idx to dest (its hashes matched). */
static int
place(rstate *r, const lc_pack_entry *ent, size_t idx, const char *dest,
    lc_err *e)
{
	char name[64];
	const char *leaf;
	int pfd;

	snprintf(name, sizeof(name), "f.%zu", idx);
	if ((pfd = openparent(r->dirfd, dest, 1, &leaf)) < 0)
		return lc_errsys(e, "%s/%s: a symlink or a file is in the way",
		    r->o->dir, dest);
	if (renameat(r->stagefd, name, pfd, leaf) != 0) {
		lc_errsys(e, "%s/%s", r->o->dir, dest);
		close(pfd);
		unlinkat(r->stagefd, name, 0);
		return LC_EIO;
	}
	if (fsync(pfd) != 0) {
		lc_errsys(e, "%s/%s", r->o->dir, dest);
		close(pfd);
		return LC_EIO;
	}
	jappend(r, ent, dest, pfd, leaf);
	close(pfd);
	return LC_OK;
}

/* ------------------------------------------------------------------ */

static int
readsmall(struct archive *a, const char *what, uint64_t max, char **out,
    size_t *len, lc_err *e)
{
	la_ssize_t k;
	char *p;

	*out = NULL;
	*len = 0;
	if ((p = malloc(max + 1)) == NULL)
		return lc_errf(e, LC_ENOMEM, "%s", what);
	while ((k = archive_read_data(a, p + *len, max + 1 - *len)) > 0) {
		*len += (size_t)k;
		if (*len > max) {
			free(p);
			return lc_errf(e, LC_EFORMAT, "%s: larger than %llu "
			    "bytes", what, (unsigned long long)max);
		}
	}
	if (k < 0) {
		free(p);
		return lc_errf(e, LC_EFORMAT, "%s: %s", what,
		    archive_error_string(a));
	}
	p[*len] = '\0';
	*out = p;
	return LC_OK;
}

static int
cmpent(const void *a, const void *b)
{
	const lc_pack_entry *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

/* Where ent goes under the target, or NULL: verify but do not write. */
static const char *
destof(rstate *r, const lc_pack_entry *ent)
{
	const char *base;

	if (!r->o->ollama || r->m->ollama_name)
		return ent->path;
	if (strcmp(ent->role, "model") == 0) {
		snprintf(r->dest, sizeof(r->dest), "blobs/sha256-%s",
		    ent->sha256);
		return r->dest;
	}
	base = strrchr(ent->path, '/');
	base = base ? base + 1 : ent->path;
	if (strncasecmp(base, "LICENSE", 7) == 0) {
		snprintf(r->dest, sizeof(r->dest), "blobs/sha256-%s",
		    ent->sha256);
		return r->dest;
	}
	return NULL;
}

static int
structural(const char *name, const char *what, lc_err *e)
{
	return lc_errf(e, LC_EFORMAT, "member '%.300s': %s", name, what);
}

static int
sigcheck(const lc_pack_ropts *o, const lc_pack_manifest *m, const char *sig,
    size_t siglen, int *state, lc_err *e)
{
	*state = sig ? LC_PACK_SIG_UNCHECKED : LC_PACK_UNSIGNED;
	if (o->key == NULL)
		return LC_OK;
	if (sig == NULL)
		return lc_errf(e, LC_EFORMAT, "unsigned bundle: it has no %s, "
		    "and --key asks for a signature", LC_PACK_SIG);
	if (lc_pack_sig_check(o->key, m->text, m->textlen, sig, siglen, e) !=
	    LC_OK)
		return e->code;
	*state = LC_PACK_SIG_GOOD;
	return LC_OK;
}

int
lc_pack_read(const lc_pack_ropts *o, lc_pack_stats *st, lc_err *e)
{
	rstate r = { .o = o, .fd = -1, .dfd = -1, .dirfd = -1, .stagefd = -1,
	    .jfd = -1 };
	struct archive *a = NULL;
	struct archive_entry *en;
	lc_pack_manifest *m = NULL;
	lc_pack_entry **idx = NULL, key, *kp = &key, **hit;
	lc_pack_result res;
	char *text = NULL, *sig = NULL, *sums = NULL, *want = NULL;
	const char *name, *why;
	unsigned char *seen = NULL;
	size_t len, siglen = 0, sumslen, wantlen, i, nbad = 0;
	uint64_t need = 0;
	double t0 = now();
	int rc = LC_OK, x, sigstate, tmpfd, ftype;
	char firstbad[1400] = "";

	memset(st, 0, sizeof(*st));
	if ((rc = volumes(&r, e)) != LC_OK)
		goto out;
	if (r.nv == 0)
		r.fd = o->in_fd;
	for (i = 0; i < RB_N; i++)
		if (posix_memalign((void **)&r.rbuf[i], LC_PACK_ALIGN,
		    LC_PACK_BUF) != 0) {
			r.rbuf[i] = NULL;
			rc = lc_errf(e, LC_ENOMEM, "read buffer");
			goto out;
		}
	if ((a = archive_read_new()) == NULL ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK) {
		rc = lc_errf(e, LC_EUNSUP, "libarchive without tar or zstd");
		goto out;
	}
	if (archive_read_open(a, &r, NULL, rcb, NULL) != ARCHIVE_OK ||
	    (x = archive_read_next_header(a, &en)) != ARCHIVE_OK) {
		rc = lc_errf(e, LC_EFORMAT, "%s: not an llm-pack bundle (a tar "
		    "stream, optionally zstd): %s", r.nv ? r.v[0].path :
		    "<stdin>", archive_error_string(a) ? archive_error_string(a) :
		    "empty");
		goto out;
	}
	name = archive_entry_pathname(en);
	if (name == NULL || strcmp(name, LC_PACK_MANIFEST) != 0 ||
	    archive_entry_filetype(en) != AE_IFREG) {
		rc = lc_errf(e, LC_EFORMAT, "not an llm-pack bundle: the first "
		    "member is '%.200s', not a file %s", name ? name : "",
		    LC_PACK_MANIFEST);
		goto out;
	}
	if ((rc = readsmall(a, LC_PACK_MANIFEST, LC_PACK_MAX_MANIFEST, &text,
	    &len, e)) != LC_OK ||
	    (rc = lc_pack_manifest_parse(&m, text, len, e)) != LC_OK)
		goto out;
	r.m = m;
	if ((x = archive_read_next_header(a, &en)) != ARCHIVE_OK) {
		rc = lc_errf(e, LC_EFORMAT, "no %s after %s: %s", LC_PACK_SUMS,
		    LC_PACK_MANIFEST, archive_error_string(a) ?
		    archive_error_string(a) : "end of the pack");
		goto out;
	}
	name = archive_entry_pathname(en);
	if (name && strcmp(name, LC_PACK_SIG) == 0 &&
	    archive_entry_filetype(en) == AE_IFREG) {
		if ((rc = readsmall(a, LC_PACK_SIG, 4096, &sig, &siglen, e)) !=
		    LC_OK)
			goto out;
		if ((x = archive_read_next_header(a, &en)) != ARCHIVE_OK) {
			rc = lc_errf(e, LC_EFORMAT, "no %s: %s", LC_PACK_SUMS,
			    archive_error_string(a) ? archive_error_string(a) :
			    "end of the pack");
			goto out;
		}
		name = archive_entry_pathname(en);
	}
	if (name == NULL || strcmp(name, LC_PACK_SUMS) != 0 ||
	    archive_entry_filetype(en) != AE_IFREG) {
		rc = lc_errf(e, LC_EFORMAT, "member '%.200s' where %s belongs",
		    name ? name : "", LC_PACK_SUMS);
		goto out;
	}
	if ((rc = readsmall(a, LC_PACK_SUMS, LC_PACK_MAX_MANIFEST, &sums,
	    &sumslen, e)) != LC_OK)
		goto out;
	if ((want = lc_pack_sums(m, &wantlen)) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "%s", LC_PACK_SUMS);
		goto out;
	}
	if (sumslen != wantlen || memcmp(sums, want, wantlen) != 0) {
		rc = lc_errf(e, LC_EFORMAT, "%s does not agree with %s",
		    LC_PACK_SUMS, LC_PACK_MANIFEST);
		goto out;
	}
	if ((rc = sigcheck(o, m, sig, siglen, &sigstate, e)) != LC_OK)
		goto out;
	if (o->on_manifest)
		o->on_manifest(o->arg, m, sigstate);
	if (o->manifest_only)
		goto out;
	/* volume sizes against the manifest */
	for (i = 0; r.split && i + 1 < r.nv; i++)
		if (r.v[i].size != m->volume_bytes) {
			rc = lc_errf(e, LC_EFORMAT, "%s: %llu bytes, the pack "
			    "was split into volumes of %llu: truncated",
			    r.v[i].path, (unsigned long long)r.v[i].size,
			    (unsigned long long)m->volume_bytes);
			goto out;
		}
	if (r.split && r.nv > 0 && m->volume_bytes &&
	    r.v[r.nv - 1].size > m->volume_bytes) {
		rc = lc_errf(e, LC_EFORMAT, "%s: larger than the volume size "
		    "%llu", r.v[r.nv - 1].path,
		    (unsigned long long)m->volume_bytes);
		goto out;
	}
	if ((idx = malloc((m->nfiles + 1) * sizeof(*idx))) == NULL ||
	    (seen = calloc(m->nfiles + 1, 1)) == NULL ||
	    (r.buf[0] = malloc(LC_PACK_BUF)) == NULL ||
	    (r.buf[1] = malloc(LC_PACK_BUF)) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "read buffers");
		goto out;
	}
	for (i = 0; i < m->nfiles; i++)
		idx[i] = &m->files[i];
	qsort(idx, m->nfiles, sizeof(*idx), cmpent);
	if ((rc = lc_hash2_new(&r.h, e)) != LC_OK)
		goto out;
	r.total = m->total_bytes;
	if (o->dir) {
		struct statvfs vfs;
		if ((rc = target_open(&r, e)) != LC_OK)
			goto out;
		for (i = 0; i < m->nfiles; i++) {
			const char *d = destof(&r, &m->files[i]);
			if (d && !jdone(&r, &m->files[i], d))
				need += m->files[i].bytes;
		}
		if (fstatvfs(r.dirfd, &vfs) == 0 && need > (uint64_t)vfs.f_bavail *
		    vfs.f_frsize) {
			rc = lc_errf(e, LC_EIO, "%s: needs %llu bytes, %llu "
			    "free", o->dir, (unsigned long long)need,
			    (unsigned long long)vfs.f_bavail * vfs.f_frsize);
			goto out;
		}
	}
	while ((x = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
		name = archive_entry_pathname_utf8(en);
		if (name == NULL)
			name = archive_entry_pathname(en);
		ftype = archive_entry_filetype(en);
		if (name == NULL) {
			rc = structural("", "no name", e);
			goto out;
		}
		if (archive_entry_hardlink(en)) {
			rc = structural(name, "a hard link (refused)", e);
			goto out;
		}
		if (ftype == AE_IFLNK) {
			rc = structural(name, "a symbolic link (refused)", e);
			goto out;
		}
		if (ftype == AE_IFDIR) {
			char dn[LC_PACK_MAX_PATH + 2];
			size_t dl = strlen(name);
			int used = 0;
			snprintf(dn, sizeof(dn), "%s", name);
			while (dl > 0 && dn[dl - 1] == '/')
				dn[--dl] = '\0';
			if (!lc_pack_name_ok(dn, &why)) {
				rc = structural(name, why, e);
				goto out;
			}
			for (i = 0; i < m->nfiles && !used; i++)
				used = strncmp(m->files[i].path, dn, dl) == 0 &&
				    m->files[i].path[dl] == '/';
			if (!used) {
				rc = structural(name, "a directory not in the "
				    "manifest", e);
				goto out;
			}
			continue;
		}
		if (ftype != AE_IFREG) {
			rc = structural(name, "a device, FIFO or socket "
			    "(refused)", e);
			goto out;
		}
		if (!lc_pack_name_ok(name, &why)) {
			rc = structural(name, why, e);
			goto out;
		}
		key.path = (char *)name;
		hit = bsearch(&kp, idx, m->nfiles, sizeof(*idx), cmpent);
		if (hit == NULL) {
			rc = structural(name, "not in the manifest", e);
			goto out;
		}
		i = (size_t)(*hit - m->files);
		if (seen[i]) {
			rc = structural(name, "appears twice", e);
			goto out;
		}
		seen[i] = 1;
		if (archive_entry_sparse_count(en) > 0) {
			rc = structural(name, "a sparse file (refused)", e);
			goto out;
		}
		if (!archive_entry_size_is_set(en) ||
		    (uint64_t)archive_entry_size(en) != m->files[i].bytes) {
			char w[160];
			snprintf(w, sizeof(w), "the tar header says %lld bytes, "
			    "the manifest %llu",
			    (long long)archive_entry_size(en),
			    (unsigned long long)m->files[i].bytes);
			rc = structural(name, w, e);
			goto out;
		}
		memset(&res, 0, sizeof(res));
		res.ent = &m->files[i];
		if (o->dir) {
			res.dest = destof(&r, res.ent);
			res.skipped = res.dest == NULL;
			if (res.dest && jdone(&r, res.ent, res.dest)) {
				res.resumed = res.ok = 1;
				res.bytes = res.ent->bytes;
				memcpy(res.sha256, res.ent->sha256, 65);
				memcpy(res.xxh3, res.ent->xxh3, 33);
				r.done += res.ent->bytes;
				if (o->on_file)
					o->on_file(o->arg, &res);
				continue;	/* the next header skips the data */
			}
		}
		if ((rc = member(&r, a, res.ent, i, &res, &tmpfd, e)) != LC_OK)
			goto out;
		st->bytes += res.bytes;
		if (tmpfd >= 0) {
			close(tmpfd);
			if (strcmp(res.ent->role, "ollama-manifest") == 0) {
				/* placed last, when every blob is in */
			} else if ((rc = place(&r, res.ent, i, res.dest, e)) !=
			    LC_OK)
				goto out;
		}
		if (!res.ok && nbad++ == 0)
			snprintf(firstbad, sizeof(firstbad), "member '%.300s': "
			    "%s", res.ent->path, res.error);
		if (o->on_file)
			o->on_file(o->arg, &res);
	}
	if (x != ARCHIVE_EOF) {
		const char *msg = archive_error_string(a);
		if (r.split && r.cur >= r.nv)
			rc = lc_errf(e, LC_EFORMAT, "the pack ends early (%s): "
			    "%s is truncated, or a volume after it is missing",
			    msg ? msg : "truncated", r.v[r.nv - 1].path);
		else
			rc = lc_errf(e, LC_EFORMAT, "%s: %s", r.nv ?
			    r.v[r.cur < r.nv ? r.cur : r.nv - 1].path :
			    "<stdin>", msg ? msg : "read error");
		goto out;
	}
	for (i = 0; i < m->nfiles; i++) {
		if (seen[i])
			continue;
		memset(&res, 0, sizeof(res));
		res.ent = &m->files[i];
		snprintf(res.error, sizeof(res.error), "missing from the pack");
		if (nbad++ == 0)
			snprintf(firstbad, sizeof(firstbad), "member '%.300s': "
			    "missing from the pack", res.ent->path);
		if (o->on_file)
			o->on_file(o->arg, &res);
	}
	if (nbad) {
		rc = lc_errf(e, LC_EFORMAT, "%zu of %zu files failed; first: %.400s",
		    nbad, m->nfiles, firstbad);
		goto out;
	}
	if (o->dir) {
		for (i = 0; i < m->nfiles; i++) {
			const char *d;
			if (strcmp(m->files[i].role, "ollama-manifest") != 0)
				continue;
			d = destof(&r, &m->files[i]);
			if (d && !jdone(&r, &m->files[i], d) &&
			    (rc = place(&r, &m->files[i], i, d, e)) != LC_OK)
				goto out;
		}
		if (o->ollama && m->ollama_name == NULL) {
			if ((rc = lc_pack_ollama_publish(o->dir, r.dirfd,
			    o->ollama_name, m, e)) != LC_OK)
				goto out;
		} else if (!o->ollama) {
			if ((rc = publish_bytes(&r, LC_PACK_MANIFEST, m->text,
			    m->textlen, e)) != LC_OK ||
			    (rc = publish_bytes(&r, LC_PACK_SUMS, want, wantlen,
			    e)) != LC_OK)
				goto out;
			if (sig)
				rc = publish_bytes(&r, LC_PACK_SIG, sig, siglen,
				    e);
			else
				unlinkat(r.dirfd, LC_PACK_SIG, 0);
			if (rc != LC_OK)
				goto out;
		}
		target_done(&r);
	}
out:
	if (rc == LC_EFORMAT && r.split && r.nv > 0 && r.cur >= r.nv &&
	    r.m && !o->manifest_only && strstr(e->msg, "runcated")) {
		char hint[sizeof(e->msg) + 600];
		snprintf(hint, sizeof(hint), "%.300s (after the last volume given, "
		    "%s: a later volume is missing, or that one is truncated)",
		    e->msg, r.v[r.nv - 1].path);
		hint[sizeof(e->msg) - 1] = '\0';
		memcpy(e->msg, hint, sizeof(e->msg));
	}
	st->files = m ? m->nfiles : 0;
	st->out_bytes = r.pos;
	st->volumes = (uint32_t)r.nv;
	st->seconds = now() - t0;
	if (a)
		archive_read_free(a);
	if (r.fd >= 0 && r.nv > 0)
		close(r.fd);
	if (r.dfd >= 0)
		close(r.dfd);
	for (i = 0; i < r.nv; i++)
		free(r.v[i].path);
	free(r.v);
	for (i = 0; i < r.nj; i++)
		free(r.j[i].path);
	free(r.j);
	if (r.jfd >= 0)
		close(r.jfd);
	if (r.stagefd >= 0)
		close(r.stagefd);
	if (r.dirfd >= 0)
		close(r.dirfd);
	lc_hash2_free(r.h);
	free(r.buf[0]);
	free(r.buf[1]);
	for (i = 0; i < RB_N; i++)
		free(r.rbuf[i]);
	free(idx);
	free(seen);
	free(text);
	free(sig);
	free(sums);
	free(want);
	lc_pack_manifest_free(m);
	return rc;
}

/* ------------------------------------------------------------------ */
/* an extracted directory                                             */

int
lc_pack_verify_dir(const char *dir, const lc_pack_ropts *o,
    lc_pack_stats *st, lc_err *e)
{
	rstate r = { .o = o };
	lc_pack_manifest *m = NULL;
	lc_pack_result res;
	struct stat sb;
	char path[4200], *text = NULL, *sig = NULL;
	const char *leaf;
	size_t len, siglen = 0, i, nbad = 0;
	double t0 = now();
	int rc, sigstate, dfd = -1, pfd, fd, b;
	char firstbad[1400] = "";
	ssize_t k;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "%s/%s", dir, LC_PACK_MANIFEST);
	if ((rc = lc_slurp(path, LC_PACK_MAX_MANIFEST, &text, &len, e)) != LC_OK)
		return rc;
	if ((rc = lc_pack_manifest_parse(&m, text, len, e)) != LC_OK) {
		lc_errprefix(e, dir);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, LC_PACK_SIG);
	if (access(path, F_OK) == 0 && (rc = lc_slurp(path, 4096, &sig,
	    &siglen, e)) != LC_OK)
		goto out;
	if ((rc = sigcheck(o, m, sig, siglen, &sigstate, e)) != LC_OK)
		goto out;
	if (o->on_manifest)
		o->on_manifest(o->arg, m, sigstate);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = lc_errsys(e, "%s", dir);
		goto out;
	}
	if ((r.buf[0] = malloc(LC_PACK_BUF)) == NULL ||
	    (r.buf[1] = malloc(LC_PACK_BUF)) == NULL) {
		rc = lc_errf(e, LC_ENOMEM, "read buffers");
		goto out;
	}
	if ((rc = lc_hash2_new(&r.h, e)) != LC_OK)
		goto out;
	for (i = 0; i < m->nfiles; i++) {
		const lc_pack_entry *ent = &m->files[i];
		memset(&res, 0, sizeof(res));
		res.ent = ent;
		fd = -1;
		if ((pfd = openparent(dfd, ent->path, 0, &leaf)) < 0 ||
		    (fd = openat(pfd, leaf, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0 ||
		    !S_ISREG(sb.st_mode)) {
			snprintf(res.error, sizeof(res.error), "%s",
			    fd >= 0 ? "not a regular file" : strerror(errno));
		} else {
			lc_hash2_reset(r.h);
			b = 0;
			while ((k = read(fd, r.buf[b], LC_PACK_BUF)) > 0) {
				lc_hash2_update(r.h, r.buf[b], (size_t)k);
				b ^= 1;
				res.bytes += (uint64_t)k;
				if (o->progress)
					o->progress(o->arg, ent->path,
					    st->bytes + res.bytes,
					    m->total_bytes);
			}
			lc_hash2_final(r.h, res.sha256, res.xxh3);
			st->bytes += res.bytes;
			if (k < 0)
				snprintf(res.error, sizeof(res.error), "%s",
				    strerror(errno));
			else if (res.bytes != ent->bytes)
				snprintf(res.error, sizeof(res.error), "%llu "
				    "bytes, the manifest says %llu",
				    (unsigned long long)res.bytes,
				    (unsigned long long)ent->bytes);
			else if (strcmp(res.sha256, ent->sha256) != 0)
				snprintf(res.error, sizeof(res.error), "sha256 "
				    "%s, the manifest says %s", res.sha256,
				    ent->sha256);
			else if (strcmp(res.xxh3, ent->xxh3) != 0)
				snprintf(res.error, sizeof(res.error), "xxh3_128 "
				    "%s, the manifest says %s", res.xxh3,
				    ent->xxh3);
			else
				res.ok = 1;
		}
		if (fd >= 0)
			close(fd);
		if (pfd >= 0)
			close(pfd);
		if (!res.ok && nbad++ == 0)
			snprintf(firstbad, sizeof(firstbad), "%s/%.300s: %s",
			    dir, ent->path, res.error);
		if (o->on_file)
			o->on_file(o->arg, &res);
	}
	if (nbad)
		rc = lc_errf(e, LC_EFORMAT, "%zu of %zu files failed; first: %.400s",
		    nbad, m->nfiles, firstbad);
out:
	st->files = m ? m->nfiles : 0;
	st->seconds = now() - t0;
	if (dfd >= 0)
		close(dfd);
	lc_hash2_free(r.h);
	free(r.buf[0]);
	free(r.buf[1]);
	free(text);
	free(sig);
	lc_pack_manifest_free(m);
	return rc;
}
