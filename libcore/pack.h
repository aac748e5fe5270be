/*
 * pack.h - llm-pack bundles: checksummed, optionally signed tar streams
 * for carrying models across an air gap.
 *
 * A pack is a tar stream (pax/ustar; optionally zstd-compressed), cut
 * into numbered volumes NAME.001, NAME.002, ... with --split, whose
 * members are, in this order:
 *   MANIFEST.json          format, files (path, bytes, sha256, xxh3_128,
 *                          role), GGUF facts per model, Ollama name
 *   MANIFEST.json.minisig  only if signed: a minisign signature (Ed25519
 *                          over BLAKE2b-512 of MANIFEST.json)
 *   SHA256SUMS             "HEX  path" lines, as sha256sum -c reads them:
 *                          MANIFEST.json first, then every file
 *   the files              in manifest order, mode 0644, mtime 0
 * SHA-256 is the authority; XXH3-128 is a fast accident check only.
 *
 * Reading accepts only tar (zstd or no filter), only regular files and
 * directories named in the manifest, each at most once, with the size
 * the manifest gives; member data is never read past that size.
 * Extraction stages each file inside the target, hashes it as it is
 * written, fsyncs it and renames it into place only if both hashes
 * match.  Nothing here prints or exits.
 */
#ifndef LC_PACK_H
#define LC_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define LC_PACK_FORMAT		"llmpack"
#define LC_PACK_VERSION		1
#define LC_PACK_MANIFEST	"MANIFEST.json"
#define LC_PACK_SIG		"MANIFEST.json.minisig"
#define LC_PACK_SUMS		"SHA256SUMS"
#define LC_PACK_STAGING		".llm-pack.staging"
#define LC_PACK_MAX_MANIFEST	(16u << 20)	/* bytes of MANIFEST.json */
#define LC_PACK_MAX_FILES	65536
#define LC_PACK_MAX_PATH	1024		/* bytes of a member name */
#define LC_PACK_MAX_COMPONENT	255
#define LC_PACK_MAX_DEPTH	16
#define LC_PACK_BUF		(4u << 20)	/* read/hash chunk */
#define LC_PACK_ALIGN		4096		/* O_DIRECT buffers, sizes */
#define LC_PACK_MIN_SPLIT	(1u << 20)	/* smallest --split */

/* One file of a pack, as the manifest lists it. */
typedef struct lc_pack_entry {
	char		*path;		/* member name, validated */
	char		*role;		/* "model", "file", "ollama-manifest",
					   "ollama-config", "ollama-blob" */
	uint64_t	 bytes;
	char		 sha256[65];	/* lower-case hex */
	char		 xxh3[33];	/* XXH3-128, big-endian hex */
} lc_pack_entry;

typedef struct lc_pack_manifest {
	uint32_t	 version;
	char		*created_by;
	uint64_t	 volume_bytes;	/* --split size; 0: one volume */
	uint64_t	 total_bytes;	/* sum of the files */
	lc_pack_entry	*files;
	size_t		 nfiles;
	char		*ollama_name;	/* "host/ns/model:tag" or NULL */
	void		*json;		/* cJSON of the whole manifest */
	char		*text;		/* the bytes as in the pack */
	size_t		 textlen;
} lc_pack_manifest;

/*
 * Parses and validates a manifest: the format and version, every path
 * (lc_pack_name_ok, unique also under ASCII case folding, no file a
 * directory of another), sizes, hex digests.  On success *out owns a
 * copy of text.  LC_EFORMAT names the field ("files[3].sha256").
 */
int	lc_pack_manifest_parse(lc_pack_manifest **out, const char *text,
	    size_t len, lc_err *e);
void	lc_pack_manifest_free(lc_pack_manifest *m);	/* NULL is a no-op */
/* The SHA256SUMS text for m, its own line first (malloc'ed, *len
   bytes); NULL: no memory. */
char	*lc_pack_sums(const lc_pack_manifest *m, size_t *len);

/*
 * 1 if name may be a member: relative, '/'-separated, no empty, "." or
 * ".." component, no backslash or control character, valid UTF-8,
 * within the length and depth caps, and not one of the pack's own
 * members.  Otherwise 0 and why in *why.
 */
int	lc_pack_name_ok(const char *name, const char **why);

/* ------------------------------------------------------------------ */
/* hashing: SHA-256 in a second thread while the caller does XXH3     */

typedef struct lc_hash2 lc_hash2;	/* opaque */

/* Whether a file of size bytes open as fd is better read around the
   page cache (O_DIRECT): large, and less than a quarter cached. */
int	lc_pack_direct_ok(int fd, uint64_t size);

int	lc_hash2_new(lc_hash2 **out, lc_err *e);
void	lc_hash2_free(lc_hash2 *h);			/* NULL is a no-op */
void	lc_hash2_reset(lc_hash2 *h);
/*
 * Hashes p[0..n).  SHA-256 runs in the helper thread: p must stay
 * unchanged until the next lc_hash2_update() or lc_hash2_final() call
 * returns (use two buffers in turn).
 */
void	lc_hash2_update(lc_hash2 *h, const void *p, size_t n);
void	lc_hash2_final(lc_hash2 *h, char sha256[65], char xxh3[33]);

/* ------------------------------------------------------------------ */
/* keys and signatures (minisign-compatible, unencrypted secret keys)  */

typedef struct lc_pack_seckey {
	uint8_t		 keynum[8];
	uint8_t		 seed[32];
	uint8_t		 pk[32];
} lc_pack_seckey;

typedef struct lc_pack_pubkey {
	uint8_t		 keynum[8];
	uint8_t		 pk[32];
} lc_pack_pubkey;

/* Writes a new key pair: seckey (mode 0600) and pubkey, neither of
   which may exist yet.  LC_EIO names the file. */
int	lc_pack_keygen(const char *seckey, const char *pubkey, lc_err *e);
/* Reads a minisign secret key; an encrypted one is LC_EUNSUP. */
int	lc_pack_seckey_load(lc_pack_seckey *k, const char *path, lc_err *e);
/* Reads a minisign public key file (or the bare base64 line). */
int	lc_pack_pubkey_load(lc_pack_pubkey *k, const char *path, lc_err *e);
/* "1A2B..." : the key id as minisign prints it (16 hex digits). */
void	lc_pack_keyid(const uint8_t keynum[8], char hex[17]);
/*
 * A minisign signature file (prehashed, "ED") of msg[0..n), with a
 * fixed trusted comment; *out is malloc'ed, *len bytes, always the same
 * length for a given key (so a pack can reserve its place).
 */
int	lc_pack_sign(const lc_pack_seckey *k, const void *msg, size_t n,
	    char **out, size_t *len, lc_err *e);
/* LC_OK if sig (a minisign signature file) is k's over msg, else
   LC_EFORMAT saying why (wrong key id, bad signature). */
int	lc_pack_sig_check(const lc_pack_pubkey *k, const void *msg, size_t n,
	    const char *sig, size_t siglen, lc_err *e);
/* The key id of signature file sig, into keynum; LC_EFORMAT if none. */
int	lc_pack_sig_keynum(const char *sig, size_t siglen, uint8_t keynum[8],
	    lc_err *e);
/* BLAKE2b of p[0..n) with outlen (1..64) bytes of output. */
void	lc_blake2b(uint8_t *out, size_t outlen, const void *p, size_t n);

/* ------------------------------------------------------------------ */
/* writing                                                            */

typedef struct lc_pack_src {
	const char	*src;		/* file to read */
	const char	*name;		/* member name */
	const char	*role;		/* see lc_pack_entry */
	const char	*expect_sha256;	/* NULL, or the digest it must have */
} lc_pack_src;

/* Called now and then while bytes move: done of total file bytes. */
typedef void	(*lc_pack_progress_fn)(void *arg, const char *path,
		    uint64_t done, uint64_t total);

typedef struct lc_pack_wopts {
	const lc_pack_src	*src;
	size_t			 nsrc;
	const char		*out;	/* a path; "-": out_fd */
	int			 out_fd;
	int			 zstd;	/* 0: plain tar; else a zstd level */
	uint64_t		 split;	/* volume size; 0: one file */
	const lc_pack_seckey	*key;	/* NULL: unsigned */
	const char		*ollama_name;
	const char		*created_by;
	lc_pack_progress_fn	 progress;
	void			*progress_arg;
} lc_pack_wopts;

typedef struct lc_pack_stats {
	uint64_t	 files, bytes;	/* file bytes hashed */
	uint64_t	 out_bytes;	/* bytes of the pack written or read */
	uint32_t	 volumes;
	int		 passes;	/* create: 1, or 2 for a stream */
	double		 seconds;
} lc_pack_stats;

/*
 * Writes a pack.  Files are read once when the output can seek (a file,
 * not compressed; an out_fd only if it is open for reading too):
 * MANIFEST.json and SHA256SUMS are written with their final length and
 * filled in at the end.  Otherwise (a pipe, --zstd)
 * the files are hashed first and read again to stream them, and a
 * file that changes between the two reads is an error.  A file output
 * is written as NAME.tmp and renamed when complete.  *mf (if not NULL)
 * receives the manifest.
 */
int	lc_pack_create(const lc_pack_wopts *o, lc_pack_manifest **mf,
	    lc_pack_stats *st, lc_err *e);

/* ------------------------------------------------------------------ */
/* reading: list, verify, extract                                     */

enum { LC_PACK_UNSIGNED, LC_PACK_SIG_UNCHECKED, LC_PACK_SIG_GOOD };

/* What happened to one file of the manifest. */
typedef struct lc_pack_result {
	const lc_pack_entry	*ent;
	int			 ok;
	int			 resumed;	/* extract: kept from a previous run */
	int			 skipped;	/* verified but not written */
	uint64_t		 bytes;		/* bytes read */
	char			 sha256[65], xxh3[33];
	const char		*dest;		/* extract: path under the target */
	char			 error[600];	/* when !ok */
} lc_pack_result;

typedef struct lc_pack_ropts {
	const char *const	*inputs;	/* packs or volumes; "-": stdin */
	size_t			 ninputs;
	int			 in_fd;		/* for "-" */
	const char		*dir;		/* extract here; NULL: verify */
	int			 ollama;	/* dir is an Ollama store */
	const char		*ollama_name;	/* NAME[:TAG] for plain packs */
	const lc_pack_pubkey	*key;		/* NULL: not checked */
	int			 manifest_only;	/* list: stop after it */
	void	(*on_manifest)(void *arg, const lc_pack_manifest *m, int sig);
	void	(*on_file)(void *arg, const lc_pack_result *r);
	lc_pack_progress_fn	 progress;
	void			*arg;
} lc_pack_ropts;

/*
 * Reads a pack (its volumes in any order, or one stream) and verifies
 * or extracts it.  on_file is called once per manifest file, in order;
 * a file that fails its hash does not stop the others.  Returns LC_OK
 * only if every file matched (and, with a key, the signature); else
 * LC_EFORMAT (or LC_EIO) with e naming the first problem: the member,
 * the volume, the field.
 */
int	lc_pack_read(const lc_pack_ropts *o, lc_pack_stats *st, lc_err *e);
/* Verifies a directory an earlier extract wrote, against its
   MANIFEST.json; results as for lc_pack_read. */
int	lc_pack_verify_dir(const char *dir, const lc_pack_ropts *o,
	    lc_pack_stats *st, lc_err *e);

/* ------------------------------------------------------------------ */
/* Ollama stores                                                      */

/*
 * The files of ollama:NAME[:TAG] ($OLLAMA_MODELS, else ~/.ollama/models,
 * else /usr/share/ollama/.ollama/models): its blobs (config, model,
 * template, params, license, ...) then its manifest, as member names
 * relative to the store root.  *src, its strings and *name (the full
 * "host/ns/model:tag") are malloc'ed: free with lc_pack_srcs_free.
 */
int	lc_pack_ollama_srcs(const char *spec, lc_pack_src **src, size_t *n,
	    char **name, lc_err *e);
void	lc_pack_srcs_free(lc_pack_src *src, size_t n);
/*
 * Root of the Ollama store and manifest member for name "NAME[:TAG]"
 * ("manifests/registry.ollama.ai/library/NAME/TAG").  LC_EFORMAT for a
 * bad name.
 */
int	lc_pack_ollama_manifest_path(const char *spec, char *out, size_t len,
	    lc_err *e);

/*
 * After a plain pack was extracted into an Ollama store (its model as
 * blobs/sha256-HEX, a LICENSE file as a license layer): writes the
 * config blob and manifests/registry.ollama.ai/library/NAME/TAG, each
 * through a temporary file and rename.  name NULL: the model file's
 * name without .gguf, tag latest.  LC_EINVAL if the pack holds other
 * than one model.
 */
int	lc_pack_ollama_publish(const char *root, int rootfd, const char *name,
	    const lc_pack_manifest *m, lc_err *e);

#endif /* LC_PACK_H */
