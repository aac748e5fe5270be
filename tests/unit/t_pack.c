/*
 * t_pack.c - llm-pack bundles against hostile archives built here with
 * libarchive: tar-slip, links, devices, duplicates, lying sizes, a zstd
 * bomb, a flipped-byte sweep, truncated volumes, disk full, a
 * read-only target, SIGKILL and resume; plus BLAKE2b and signatures.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>
#include <xxhash.h>

#include "../../libcore/pack.h"
#include "../../libcore/sha256.h"
#include "check.h"

static char W[256];

typedef struct mem {
	const char	*name;
	int		 type;		/* AE_IFREG, AE_IFLNK, AE_IFCHR, ... */
	const char	*data;
	size_t		 len;
	int64_t		 size;		/* tar header size; -1: len */
	const char	*link;		/* symlink target or hardlink */
	int		 hard;
} mem;

static void
hexify(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* A manifest listing files[i] = (name, data, bytes declared). */
static char *
manifest(const char **names, const char **data, const size_t *lens,
    const uint64_t *declared, int n)
{
	static char buf[65536];
	char sha[65], xx[33];
	XXH128_canonical_t c;
	size_t at;
	int i;

	at = (size_t)sprintf(buf, "{\"format\":\"llmpack\",\"version\":1,"
	    "\"files\":[");
	for (i = 0; i < n; i++) {
		lc_sha256_buf(data[i], lens[i], sha);
		XXH128_canonicalFromHash(&c, XXH3_128bits(data[i], lens[i]));
		hexify(c.digest, 16, xx);
		at += (size_t)sprintf(buf + at, "%s{\"path\":\"%s\",\"bytes\":%llu,"
		    "\"sha256\":\"%s\",\"xxh3_128\":\"%s\",\"role\":\"file\"}",
		    i ? "," : "", names[i], (unsigned long long)(declared ?
		    declared[i] : lens[i]), sha, xx);
	}
	sprintf(buf + at, "]}\n");
	return buf;
}

/* Writes a tar (zstd if z) of MANIFEST.json text, its SHA256SUMS and
   the members to path. */
static void
mktar(const char *path, int z, const char *man, const mem *m, int n)
{
	struct archive *a = archive_write_new();
	struct archive_entry *en;
	lc_pack_manifest *pm = NULL;
	char *sums = NULL;
	size_t sumslen = 0;
	mem all[64];
	lc_err e;
	int i, k = 0;

	if (lc_pack_manifest_parse(&pm, man, strlen(man), &e) == LC_OK)
		sums = lc_pack_sums(pm, &sumslen);
	all[k++] = (mem){ LC_PACK_MANIFEST, AE_IFREG, man, strlen(man), -1,
	    NULL, 0 };
	all[k++] = (mem){ LC_PACK_SUMS, AE_IFREG, sums ? sums : "", sumslen,
	    -1, NULL, 0 };
	for (i = 0; i < n; i++)
		all[k++] = m[i];
	archive_write_set_format_pax_restricted(a);
	if (z) {
		archive_write_add_filter_zstd(a);
		archive_write_set_bytes_in_last_block(a, 1);
	}
	archive_write_open_filename(a, path);
	for (i = 0; i < k; i++) {
		en = archive_entry_new();
		archive_entry_set_pathname(en, all[i].name);
		archive_entry_set_filetype(en, (unsigned)all[i].type);
		archive_entry_set_perm(en, 0644);
		if (all[i].link && all[i].hard)
			archive_entry_set_hardlink(en, all[i].link);
		else if (all[i].link)
			archive_entry_set_symlink(en, all[i].link);
		if (all[i].type == AE_IFREG)
			archive_entry_set_size(en, all[i].size >= 0 ?
			    all[i].size : (int64_t)all[i].len);
		if (all[i].type == AE_IFCHR)
			archive_entry_set_rdev(en, 0x0103);
		archive_write_header(a, en);
		if (all[i].type == AE_IFREG && all[i].len)
			archive_write_data(a, all[i].data, all[i].len);
		archive_entry_free(en);
	}
	archive_write_close(a);
	archive_write_free(a);
	free(sums);
	lc_pack_manifest_free(pm);
}

static int
doread(const char *pack, const char *dir, lc_err *e)
{
	const char *in[1] = { pack };
	lc_pack_ropts o = { .inputs = in, .ninputs = 1, .dir = dir };
	lc_pack_stats st;

	memset(e, 0, sizeof(*e));
	return lc_pack_read(&o, &st, e);
}

/* Number of entries of dir other than ".", ".." and the staging dir. */
static int
visible(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	if (dp == NULL)
		return 0;
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    strcmp(d->d_name, LC_PACK_STAGING))
			n++;
	closedir(dp);
	return n;
}

static int
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static void
hostile(void)
{
	static const char *body = "hello, air gap\n";
	const char *names[2] = { "a.txt", "b.txt" };
	const char *data[2] = { body, body };
	size_t lens[2] = { 15, 15 };
	char pack[300], dir[300], evil[300];
	const char *man;
	lc_err e;
	int rc;

	snprintf(pack, sizeof(pack), "%s/h.tar", W);
	snprintf(evil, sizeof(evil), "%s/evil", W);

	/* the harness itself: a well-formed handmade pack passes */
	man = manifest(names, data, lens, NULL, 2);
	{
		mem m[2] = { { "a.txt", AE_IFREG, body, 15, -1, NULL, 0 },
		    { "b.txt", AE_IFREG, body, 15, -1, NULL, 0 } };
		mktar(pack, 0, man, m, 2);
		snprintf(dir, sizeof(dir), "%s/ok", W);
		rc = doread(pack, dir, &e);
		CHECK(rc == LC_OK, "good handmade pack: %s", e.msg);
		CHECK(visible(dir) == 4, "good pack: %d entries", visible(dir));
	}
#define REFUSED(label, members, nm, want) do { \
	mktar(pack, 0, man, members, nm); \
	snprintf(dir, sizeof(dir), "%s/t-%s", W, label); \
	rc = doread(pack, dir, &e); \
	CHECK(rc != LC_OK && strstr(e.msg, want) != NULL, \
	    "%s: rc %d '%s' (want '%s')", label, rc, e.msg, want); \
	CHECK(visible(dir) == 0, "%s: %d entries visible in the target", \
	    label, visible(dir)); \
	CHECK(!exists(evil), "%s: wrote outside the target", label); \
} while (0)
	man = manifest(names, data, lens, NULL, 1);
	{
		mem m[] = { { "../evil", AE_IFREG, body, 15, -1, NULL, 0 } };
		REFUSED("slip-dotdot", m, 1, "'..' component");
	}
	{
		char abs[300];
		mem m[] = { { abs, AE_IFREG, body, 15, -1, NULL, 0 } };
		snprintf(abs, sizeof(abs), "%s", evil);
		REFUSED("slip-absolute", m, 1, "absolute path");
	}
	{
		mem m[] = { { "a.txt", AE_IFLNK, NULL, 0, -1, "../evil", 0 } };
		REFUSED("symlink", m, 1, "symbolic link");
	}
	{
		mem m[] = { { "b.txt", AE_IFREG, NULL, 0, 0, "a.txt", 1 },
		    { "a.txt", AE_IFREG, body, 15, -1, NULL, 0 } };
		const char *n2[2] = { "a.txt", "b.txt" };
		man = manifest(n2, data, lens, NULL, 2);
		REFUSED("hardlink", m, 2, "hard link");
		man = manifest(names, data, lens, NULL, 1);
	}
	{
		mem m[] = { { "a.txt", AE_IFCHR, NULL, 0, -1, NULL, 0 } };
		REFUSED("device", m, 1, "device");
	}
	{
		mem m[] = { { "a.txt", AE_IFIFO, NULL, 0, -1, NULL, 0 } };
		REFUSED("fifo", m, 1, "FIFO");
	}
	{
		mem m[] = { { "a.txt", AE_IFREG, body, 15, -1, NULL, 0 },
		    { "a.txt", AE_IFREG, body, 15, -1, NULL, 0 } };
		mktar(pack, 0, man, m, 2);
		snprintf(dir, sizeof(dir), "%s/t-dup", W);
		rc = doread(pack, dir, &e);
		CHECK(rc != LC_OK && strstr(e.msg, "appears twice"),
		    "duplicate: %s", e.msg);
	}
	{
		mem m[] = { { "a.txt", AE_IFREG, body, 15, -1, NULL, 0 },
		    { "extra.bin", AE_IFREG, body, 15, -1, NULL, 0 } };
		mktar(pack, 0, man, m, 2);
		snprintf(dir, sizeof(dir), "%s/t-extra", W);
		rc = doread(pack, dir, &e);
		CHECK(rc != LC_OK && strstr(e.msg, "not in the manifest"),
		    "unlisted member: %s", e.msg);
	}
	{
		/* the manifest says 10 bytes, the member holds 15 */
		uint64_t decl[1] = { 10 };
		mem m[] = { { "a.txt", AE_IFREG, body, 15, -1, NULL, 0 } };
		man = manifest(names, data, lens, decl, 1);
		REFUSED("lying-size", m, 1, "the tar header says 15");
		decl[0] = 20;	/* and larger than the member */
		man = manifest(names, data, lens, decl, 1);
		REFUSED("lying-size-2", m, 1, "the tar header says 15");
		man = manifest(names, data, lens, NULL, 1);
	}
	{
		mem m[] = { { "b.txt", AE_IFREG, body, 15, -1, NULL, 0 } };
		REFUSED("unlisted", m, 1, "not in the manifest");
	}
	{
		/* a directory entry is fine only as a parent of a file */
		mem m[] = { { "d/", AE_IFDIR, NULL, 0, -1, NULL, 0 } };
		REFUSED("dir", m, 1, "directory not in the manifest");
	}
	/* lying manifests are refused before anything */
	{
		const char *bad[] = { "../x", "/abs", "a\\\\b", "./.", "", "a//b",
		    "a/../../b" };
		size_t i;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *nn[1] = { bad[i] };
			lc_pack_manifest *pm;
			const char *t = manifest(nn, data, lens, NULL, 1);
			rc = lc_pack_manifest_parse(&pm, t, strlen(t), &e);
			CHECK(rc == LC_EFORMAT, "manifest path '%s' accepted",
			    bad[i]);
			if (rc == LC_OK)
				lc_pack_manifest_free(pm);
		}
	}
	{
		const char *nn[2] = { "Model.gguf", "model.GGUF" };
		lc_pack_manifest *pm;
		const char *t = manifest(nn, data, lens, NULL, 2);
		rc = lc_pack_manifest_parse(&pm, t, strlen(t), &e);
		CHECK(rc == LC_EFORMAT && strstr(e.msg, "differs only in case"),
		    "case-fold duplicates: %s", e.msg);
		if (rc == LC_OK)
			lc_pack_manifest_free(pm);
	}
	{
		const char *why;
		CHECK(!lc_pack_name_ok("a\x1b[2Jb", &why), "control char");
		CHECK(!lc_pack_name_ok("a\xff", &why), "bad UTF-8");
		CHECK(!lc_pack_name_ok("SHA256SUMS", &why), "reserved name");
		CHECK(lc_pack_name_ok("models/\xc3\xa9t\xc3\xa9.gguf", &why),
		    "UTF-8 name refused: %s", why);
	}
	/* not a tar at all: a zip */
	{
		FILE *fp = fopen(pack, "w");
		fputs("PK\x03\x04 this is a zip", fp);
		fclose(fp);
		snprintf(dir, sizeof(dir), "%s/t-zip", W);
		rc = doread(pack, dir, &e);
		CHECK(rc == LC_EFORMAT && strstr(e.msg, "not an llm-pack"),
		    "zip: %s", e.msg);
	}
}

/* A member declared 1 KiB in the manifest whose tar header says 256 MiB
   of zeros (a few KiB of zstd): refused at the header, unread. */
static void
bomb(void)
{
	static char zeros[1 << 20];
	const char *names[1] = { "a.txt" };
	const char *data[1] = { zeros };
	size_t lens[1] = { 1024 };
	char pack[300], dir[300];
	const char *in[1] = { pack };
	lc_pack_ropts o = { .inputs = in, .ninputs = 1 };
	lc_pack_stats st;
	struct archive *a = archive_write_new();
	struct archive_entry *en;
	struct stat sb;
	lc_pack_manifest *pm;
	const char *man = manifest(names, data, lens, NULL, 1);
	char *sums;
	size_t sl;
	lc_err e;
	int i, rc;

	snprintf(pack, sizeof(pack), "%s/bomb.tar.zst", W);
	lc_pack_manifest_parse(&pm, man, strlen(man), &e);
	sums = lc_pack_sums(pm, &sl);
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_zstd(a);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_filename(a, pack);
	en = archive_entry_new();
	archive_entry_set_pathname(en, LC_PACK_MANIFEST);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_size(en, (int64_t)strlen(man));
	archive_write_header(a, en);
	archive_write_data(a, man, strlen(man));
	archive_entry_clear(en);
	archive_entry_set_pathname(en, LC_PACK_SUMS);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_size(en, (int64_t)sl);
	archive_write_header(a, en);
	archive_write_data(a, sums, sl);
	archive_entry_clear(en);
	archive_entry_set_pathname(en, "a.txt");
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_size(en, 256 << 20);
	archive_write_header(a, en);
	for (i = 0; i < 256; i++)
		archive_write_data(a, zeros, sizeof(zeros));
	archive_entry_free(en);
	archive_write_close(a);
	archive_write_free(a);
	free(sums);
	lc_pack_manifest_free(pm);
	stat(pack, &sb);
	snprintf(dir, sizeof(dir), "%s/t-bomb", W);
	o.dir = dir;
	rc = lc_pack_read(&o, &st, &e);
	CHECK(rc != LC_OK && strstr(e.msg, "the tar header says 268435456"),
	    "zstd bomb (%lld bytes on disk): %s", (long long)sb.st_size, e.msg);
	CHECK(st.bytes == 0 && st.seconds < 2.0, "zstd bomb: %llu bytes "
	    "decompressed in %.2f s", (unsigned long long)st.bytes, st.seconds);
	CHECK(visible(dir) == 0, "zstd bomb: something visible");
}

static void
fill(const char *path, size_t n, unsigned seed)
{
	FILE *fp = fopen(path, "w");
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		fputc((int)(seed >> 16), fp);
	}
	fclose(fp);
}

static int
create(const char *out, uint64_t split, int zstd, const char **files, int n,
    const lc_pack_seckey *key, lc_err *e)
{
	lc_pack_src s[8];
	lc_pack_wopts o = { .src = s, .nsrc = (size_t)n, .out = out,
	    .split = split, .zstd = zstd, .key = key };
	lc_pack_stats st;
	int i;

	for (i = 0; i < n; i++) {
		s[i].src = files[i];
		s[i].name = strrchr(files[i], '/') + 1;
		s[i].role = "file";
		s[i].expect_sha256 = NULL;
	}
	return lc_pack_create(&o, NULL, &st, e);
}

static char *
slurp(const char *path, size_t *n)
{
	struct stat st;
	char *p;
	FILE *fp = fopen(path, "r");

	fstat(fileno(fp), &st);
	p = malloc((size_t)st.st_size);
	*n = fread(p, 1, (size_t)st.st_size, fp);
	fclose(fp);
	return p;
}

static void
spit(const char *path, const char *p, size_t n)
{
	FILE *fp = fopen(path, "w");

	fwrite(p, 1, n, fp);
	fclose(fp);
}

/* Flips one byte at each of many positions inside member data (the
   manifest, the sums and both files): every flip must fail. */
static void
sweep(void)
{
	char f1[300], f2[300], pack[300], bad[300];
	const char *files[2] = { f1, f2 };
	const char *in[1] = { bad };
	lc_pack_ropts o = { .inputs = in, .ninputs = 1 };
	lc_pack_stats st;
	size_t n, pos, tried = 0, missed = 0, firstmiss = 0;
	char *p;
	lc_err e;

	snprintf(f1, sizeof(f1), "%s/s1.bin", W);
	snprintf(f2, sizeof(f2), "%s/s2.bin", W);
	snprintf(pack, sizeof(pack), "%s/s.llmpack", W);
	snprintf(bad, sizeof(bad), "%s/s-bad.llmpack", W);
	fill(f1, 3000, 1);
	fill(f2, 70000, 2);
	CHECK(create(pack, 0, 0, files, 2, NULL, &e) == LC_OK, "create: %s",
	    e.msg);
	p = slurp(pack, &n);
	spit(bad, p, n);
	CHECK(lc_pack_read(&o, &st, &e) == LC_OK, "sweep base: %s", e.msg);
	/* flip every 3rd byte of the first 8 KiB (headers, manifest, sums,
	   file 1) and every 97th after, skipping tar padding (not content) */
	for (pos = 0; pos < n; pos += pos < 8192 ? 3 : 97) {
		/* is pos padding?  find by parsing the ustar headers */
		size_t h = 0, dataend = 0;
		int pad = 1;
		while (h + 512 <= n && p[h] != '\0') {
			unsigned long long sz = strtoull(p + h + 124, NULL, 8);
			if (pos >= h && pos < h + 512) {
				/* header: all but the unused tail and the
				   checksum's terminator (NUL and space are
				   alike there) are checked */
				pad = pos >= h + 500 || pos == h + 154 ||
				    pos == h + 155;
				break;
			}
			dataend = h + 512 + sz;
			if (pos >= h + 512 && pos < dataend) {
				pad = 0;
				break;
			}
			h = h + 512 + (sz + 511) / 512 * 512;
		}
		(void)dataend;
		if (pad)
			continue;
		p[pos] ^= 0x20;
		spit(bad, p, n);
		p[pos] ^= 0x20;
		tried++;
		if (lc_pack_read(&o, &st, &e) == LC_OK && missed++ == 0)
			firstmiss = pos;
	}
	CHECK(tried > 2500, "sweep: only %zu positions", tried);
	CHECK(missed == 0, "sweep: %zu of %zu flips undetected (first at %zu)",
	    missed, tried, firstmiss);
	free(p);
}

static void
volumes(void)
{
	char f1[300], pack[300], v[4][320];
	const char *files[1] = { f1 };
	lc_pack_ropts o = { 0 };
	const char *in[4];
	lc_pack_stats st;
	char *p;
	size_t n;
	lc_err e;
	int rc;

	snprintf(f1, sizeof(f1), "%s/v1.bin", W);
	snprintf(pack, sizeof(pack), "%s/v.llmpack", W);
	fill(f1, 2500000, 3);
	rc = create(pack, 1 << 20, 0, files, 1, NULL, &e);
	CHECK(rc == LC_OK, "split create: %s", e.msg);
	for (rc = 0; rc < 3; rc++)
		snprintf(v[rc], sizeof(v[rc]), "%s.%03d", pack, rc + 1);
	o.inputs = in;
	in[0] = v[2]; in[1] = v[0]; in[2] = v[1];
	o.ninputs = 3;
	CHECK(lc_pack_read(&o, &st, &e) == LC_OK && st.volumes == 3,
	    "volumes in any order: %s", e.msg);
	in[0] = pack;
	o.ninputs = 1;
	CHECK(lc_pack_read(&o, &st, &e) == LC_OK, "volumes by base: %s", e.msg);
	in[0] = v[0]; in[1] = v[2];
	o.ninputs = 2;
	rc = lc_pack_read(&o, &st, &e);
	CHECK(rc != LC_OK && strstr(e.msg, ".002: volume missing"),
	    "middle volume missing: %s", e.msg);
	in[0] = v[1]; in[1] = v[0];
	rc = lc_pack_read(&o, &st, &e);
	CHECK(rc != LC_OK && strstr(e.msg, "a later volume is missing"),
	    "last volume missing: %s", e.msg);
	p = slurp(v[1], &n);
	spit(v[1], p, n - 1000);
	in[0] = v[0]; in[1] = v[1]; in[2] = v[2];
	o.ninputs = 3;
	rc = lc_pack_read(&o, &st, &e);
	CHECK(rc != LC_OK && strstr(e.msg, ".002") && strstr(e.msg,
	    "truncated"), "truncated volume: %s", e.msg);
	spit(v[1], p, n);
	free(p);
	p = slurp(v[2], &n);
	spit(v[2], p, n / 2);
	rc = lc_pack_read(&o, &st, &e);
	CHECK(rc != LC_OK && strstr(e.msg, "truncated"),
	    "truncated last volume: %s", e.msg);
	free(p);
}

static int kill_after;

static void
killer(void *arg, const char *path, uint64_t done, uint64_t total)
{
	(void)arg; (void)path; (void)total;
	if (kill_after && done >= (uint64_t)kill_after)
		raise(SIGKILL);
}

static void
extract_faults(void)
{
	char f1[300], f2[300], pack[300], dir[300], path[400];
	const char *files[2] = { f1, f2 };
	const char *in[1] = { pack };
	lc_pack_ropts o = { .inputs = in, .ninputs = 1 };
	lc_pack_stats st;
	struct stat sb;
	lc_err e;
	pid_t pid;
	int status, rc;

	snprintf(f1, sizeof(f1), "%s/x1.bin", W);
	snprintf(f2, sizeof(f2), "%s/x2.bin", W);
	snprintf(pack, sizeof(pack), "%s/x.llmpack", W);
	fill(f1, 6 << 20, 4);
	fill(f2, 6 << 20, 5);
	CHECK(create(pack, 0, 0, files, 2, NULL, &e) == LC_OK, "create: %s",
	    e.msg);

	/* SIGKILL in the middle of the second file */
	snprintf(dir, sizeof(dir), "%s/kill", W);
	if ((pid = fork()) == 0) {
		kill_after = (6 << 20) + (3 << 20);
		o.dir = dir;
		o.progress = killer;
		lc_pack_read(&o, &st, &e);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "the child was not killed");
	snprintf(path, sizeof(path), "%s/x1.bin", dir);
	CHECK(stat(path, &sb) == 0 && sb.st_size == 6 << 20,
	    "first file not complete after SIGKILL");
	snprintf(path, sizeof(path), "%s/x2.bin", dir);
	CHECK(!exists(path), "half of the second file is visible");
	/* resume: the first file is kept, the second written */
	{
		static int resumed, written;
		void onf(void *, const lc_pack_result *);
		o.dir = dir;
		o.progress = NULL;
		o.on_file = onf;
		o.arg = (int *[]){ &resumed, &written };
		rc = lc_pack_read(&o, &st, &e);
		CHECK(rc == LC_OK && resumed == 1 && written == 1,
		    "resume: rc %d resumed %d written %d: %s", rc, resumed,
		    written, e.msg);
		CHECK(stat(path, &sb) == 0 && sb.st_size == 6 << 20,
		    "second file after resume");
		snprintf(path, sizeof(path), "%s/%s", dir, LC_PACK_STAGING);
		CHECK(!exists(path), "staging left after success");
		o.on_file = NULL;
	}

	/* disk full: a file-size limit below the file size */
	snprintf(dir, sizeof(dir), "%s/full", W);
	if ((pid = fork()) == 0) {
		struct rlimit rl = { 1 << 20, 1 << 20 };
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		o.dir = dir;
		rc = lc_pack_read(&o, &st, &e);
		_exit(rc != LC_OK && strstr(e.msg, "x1.bin") &&
		    strstr(e.msg, "too large") ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "disk full: no clear error naming the member");
	CHECK(visible(dir) == 0, "disk full: %d entries visible",
	    visible(dir));

	/* a read-only target: mode 0555, or immutable for root */
	snprintf(dir, sizeof(dir), "%s/ro", W);
	mkdir(dir, 0555);
	if (geteuid() == 0) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "chattr +i '%s' 2>/dev/null", dir);
		if (system(cmd) != 0) {
			printf("skip read-only target: root, and no chattr +i\n");
			dir[0] = '\0';
		}
	}
	if (dir[0]) {
		o.dir = dir;
		rc = lc_pack_read(&o, &st, &e);
		CHECK(rc == LC_EIO && strstr(e.msg, dir), "read-only target: "
		    "rc %d %s", rc, e.msg);
		CHECK(visible(dir) == 0, "read-only target: wrote");
		if (geteuid() == 0) {
			char cmd[400];
			snprintf(cmd, sizeof(cmd), "chattr -i '%s'", dir);
			if (system(cmd) != 0)
				printf("FAILED chattr -i %s\n", dir);
		}
	}
}

void
onf(void *arg, const lc_pack_result *r)
{
	int **c = arg;

	if (r->resumed)
		(*c[0])++;
	else if (r->ok)
		(*c[1])++;
}

static void
signatures(void)
{
	char k1[300], p1[300], k2[300], p2[300], f1[300], pack[300], bad[300];
	const char *files[1] = { f1 };
	const char *in[1] = { pack };
	lc_pack_ropts o = { .inputs = in, .ninputs = 1 };
	lc_pack_seckey sk;
	lc_pack_pubkey pk1, pk2;
	lc_pack_stats st;
	uint8_t h[64];
	char hex[129], *p;
	size_t n;
	lc_err e;
	int rc;

	lc_blake2b(h, 64, "abc", 3);
	hexify(h, 64, hex);
	CHECK(strcmp(hex, "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b7"
	    "4b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925"
	    "ab92386edd4009923") == 0, "BLAKE2b-512(abc) = %s", hex);
	snprintf(k1, sizeof(k1), "%s/k1.key", W);
	snprintf(p1, sizeof(p1), "%s/k1.pub", W);
	snprintf(k2, sizeof(k2), "%s/k2.key", W);
	snprintf(p2, sizeof(p2), "%s/k2.pub", W);
	snprintf(f1, sizeof(f1), "%s/g.bin", W);
	snprintf(pack, sizeof(pack), "%s/g.llmpack", W);
	snprintf(bad, sizeof(bad), "%s/g-bad.llmpack", W);
	fill(f1, 5000, 6);
	CHECK(lc_pack_keygen(k1, p1, &e) == LC_OK, "keygen: %s", e.msg);
	CHECK(lc_pack_keygen(k2, p2, &e) == LC_OK, "keygen: %s", e.msg);
	CHECK(lc_pack_keygen(k1, p1, &e) != LC_OK, "keygen overwrote a key");
	lc_pack_seckey_load(&sk, k1, &e);
	lc_pack_pubkey_load(&pk1, p1, &e);
	lc_pack_pubkey_load(&pk2, p2, &e);
	CHECK(create(pack, 0, 0, files, 1, &sk, &e) == LC_OK, "signed: %s",
	    e.msg);
	o.key = &pk1;
	CHECK(lc_pack_read(&o, &st, &e) == LC_OK, "good key: %s", e.msg);
	o.key = &pk2;
	rc = lc_pack_read(&o, &st, &e);
	CHECK(rc != LC_OK && strstr(e.msg, "not by the given key"),
	    "wrong key: %s", e.msg);
	/* a forged manifest with a matching SHA256SUMS fails the signature:
	   flip a byte of the signature itself */
	p = slurp(pack, &n);
	{
		char *s = NULL;
		size_t i;
		for (i = 0; i + 40 < n && s == NULL; i++)
			if (memcmp(p + i, "untrusted comment: signature", 28) == 0)
				s = strchr(p + i, '\n') + 1;
		CHECK(s != NULL, "no signature line");
		if (s) {
			s[20] = s[20] == 'A' ? 'B' : 'A';
			spit(bad, p, n);
			in[0] = bad;
			o.key = &pk1;
			rc = lc_pack_read(&o, &st, &e);
			CHECK(rc != LC_OK && strstr(e.msg, "bad signature"),
			    "tampered signature: %s", e.msg);
			in[0] = pack;
		}
	}
	free(p);
	/* unsigned pack with a key asked for */
	CHECK(create(pack, 0, 0, files, 1, NULL, &e) == LC_OK, "unsigned");
	rc = lc_pack_read(&o, &st, &e);
	CHECK(rc != LC_OK && strstr(e.msg, "unsigned bundle"),
	    "unsigned with --key: %s", e.msg);
	/* stream output (two passes, zstd) is signed too */
	o.key = &pk1;
	CHECK(create(pack, 0, 3, files, 1, &sk, &e) == LC_OK, "zstd signed");
	CHECK(lc_pack_read(&o, &st, &e) == LC_OK, "zstd signed: %s", e.msg);
}

/* What the progress hooks do to the file being packed. */
enum { F_NONE, F_SHRINK, F_GROW, F_FLIP };
static struct { const char *path; int what, fired; } fault;

/* Called by the reading thread after each chunk: once the first chunk
   of a pass is in, changes the file as fault.what says. */
static void
fault_hook(void *arg, const char *name, uint64_t done, uint64_t total)
{
	int fd;

	(void)arg;
	(void)name;
	if (fault.fired || done == total || fault.what == F_NONE)
		return;
	if ((fd = open(fault.path, O_WRONLY)) < 0)
		return;
	if (fault.what == F_SHRINK && ftruncate(fd, (off_t)done) == 0)
		fault.fired = 1;
	if (fault.what == F_GROW && pwrite(fd, "x", 1, (off_t)total) == 1)
		fault.fired = 1;
	close(fd);
}

/* Flips the last byte of path back and forth. */
static void
flip_last(const char *path)
{
	struct stat st;
	unsigned char c;
	int fd = open(path, O_RDWR);

	if (fd < 0 || fstat(fd, &st) != 0 ||
	    pread(fd, &c, 1, st.st_size - 1) != 1)
		return;
	c ^= 0x55;
	if (pwrite(fd, &c, 1, st.st_size - 1) != 1)
		printf("FAILED flip %s\n", path);
	close(fd);
}

/* A stream is read twice: once pass 1 is through, this flips the last
   byte, so pass 2 reads other bytes than pass 1 hashed. */
static void
flip_hook(void *arg, const char *name, uint64_t done, uint64_t total)
{
	static int passes;

	(void)arg;
	(void)name;
	if (fault.what != F_FLIP || fault.fired)
		return;
	if (done == total)
		passes++;
	else if (passes == 1) {		/* pass 2 begun */
		flip_last(fault.path);
		fault.fired = 1;
	}
}

/*
 * Files that change while they are packed, and an output that fails
 * part way through the data (the reading, hashing and writing run in
 * three threads): a clear error naming the file, nothing visible.
 */
static void
create_faults(void)
{
	static const int what[] = { F_SHRINK, F_GROW };
	static const char *says[] = { "shrank while packing",
	    "grew while packing" };
	char dir[300], src[300], pack[400];
	lc_pack_src s = { .src = src, .name = "big.bin", .role = "file" };
	lc_pack_wopts o = { .src = &s, .nsrc = 1, .out = pack };
	lc_pack_stats st;
	lc_err e;
	int i, rc, pid, status, null;

	snprintf(dir, sizeof(dir), "%s/cf", W);
	mkdir(dir, 0755);
	snprintf(src, sizeof(src), "%s/big.bin", W);
	snprintf(pack, sizeof(pack), "%s/x.llmpack", dir);
	fault.path = src;
	o.progress = fault_hook;
	for (i = 0; i < 2; i++) {
		fill(src, 5u << 20, 7);
		fault.what = what[i];
		fault.fired = 0;
		rc = lc_pack_create(&o, NULL, &st, &e);
		CHECK(fault.fired && rc == LC_EIO && strstr(e.msg, src) &&
		    strstr(e.msg, says[i]), "%s: rc %d: %s", says[i], rc,
		    e.msg);
		CHECK(visible(dir) == 0, "%s: %d entries visible", says[i],
		    visible(dir));
	}
	/* a stream reads twice: a change between the reads is caught */
	fill(src, 5u << 20, 7);
	fault.what = F_FLIP;
	fault.fired = 0;
	o.progress = flip_hook;
	o.out = "-";
	o.out_fd = null = open("/dev/null", O_WRONLY);
	rc = lc_pack_create(&o, NULL, &st, &e);
	CHECK(fault.fired && rc == LC_EIO && strstr(e.msg, src) &&
	    strstr(e.msg, "changed between hashing and writing"),
	    "changed between passes: rc %d: %s", rc, e.msg);
	close(null);
	fault.what = F_NONE;
	o.progress = NULL;
	o.out = pack;
	/* the output fails in the middle of the data: 2 MiB file limit */
	fill(src, 6u << 20, 8);
	if ((pid = fork()) == 0) {
		struct rlimit rl = { 2 << 20, 2 << 20 };
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		rc = lc_pack_create(&o, NULL, &st, &e);
		_exit(rc == LC_EIO && strstr(e.msg, "x.llmpack.tmp") &&
		    strstr(e.msg, "too large") ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "output full mid-data: no clear error naming the pack");
	CHECK(visible(dir) == 0, "output full mid-data: %d entries visible",
	    visible(dir));
	/* and the same file packs and verifies when nothing goes wrong */
	rc = lc_pack_create(&o, NULL, &st, &e);
	CHECK(rc == LC_OK && st.bytes == 6u << 20, "after faults: %s", e.msg);
	unlink(pack);
	unlink(src);
}

int
main(void)
{
	char cmd[300];

	snprintf(W, sizeof(W), "%s/t_pack.XXXXXX", getenv("TMPDIR") ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(W) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	hostile();
	bomb();
	sweep();
	volumes();
	extract_faults();
	signatures();
	create_faults();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", W);
	if (system(cmd) != 0)
		printf("FAILED cleanup %s\n", W);
	return DONE("t_pack");
}
