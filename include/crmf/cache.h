/* SPDX-License-Identifier: MIT */
/* The validation cache: for each customer file, its stat data, a hash of its bytes and what checking it found, kept under the git dir. */
#ifndef CRMF_CACHE_H
#define CRMF_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * Like git's index, the cache lets a command skip the files that have not
 * changed since they were last checked. It lives in <git dir>/crmf/cache
 * (cache-<hash> for a crmf repository in a subfolder of the work tree) and
 * holds, sorted by path, one entry per file: its stat data (mtime and ctime
 * in nanoseconds, size, inode), a 128-bit hash of its bytes, 12 bytes of the
 * writer's (flags and aux) and an opaque record (what scan.c keeps of a checked file); and one opaque
 * "extra" block for the whole set (scan.c keeps the cross-file findings
 * there). Stat data, hashes, flags and aux sit in the index, so that a command
 * learns that nothing changed without reading any record.
 *
 * The cache is bound to a key (the crmf version and crmf.yaml's bytes):
 * another key, a wrong magic, a truncated file or an index whose checksum
 * does not match make the whole cache absent; a record whose checksum does
 * not match is absent. A file whose mtime falls in the second the cache was
 * written or later is "racy": its stat data cannot prove it unchanged, so
 * its bytes must be hashed again. A new cache is written to a temporary file
 * and renamed over the old one.
 */

/** A 128-bit hash (not cryptographic: it detects changes, not attacks). */
typedef struct crmf_hash {
	uint64_t a, b;
} crmf_hash;

/** Hash `n` bytes at `p`, starting from `seed` (a zero hash to start afresh). */
crmf_hash crmf_hash_bytes(crmf_hash seed, const void *p, size_t n);

/** The stat data of a file that the cache compares. */
typedef struct crmf_cache_stat {
	int64_t mtime_ns, ctime_ns;
	uint64_t size, ino;
} crmf_cache_stat;

/** Take the compared fields of `st`. */
void crmf_cache_stat_from(crmf_cache_stat *out, const struct stat *st);

/** Whether two stat data are the same. */
bool crmf_cache_stat_equal(const crmf_cache_stat *a, const crmf_cache_stat *b);

/** Where the cache of the crmf repository at `root` (absolute) lives, malloc'ed
 * into *out; -1 when `root` is in no git work tree (then there is no cache). */
int crmf_cache_path(char **out, const char *root);

/** What the index says of one file. */
typedef struct crmf_cache_info {
	crmf_cache_stat st;
	crmf_hash content;
	uint32_t flags;   /* the writer's, as given to crmf_cache_writer_add */
	uint32_t rec_len; /* length of the record */
	uint64_t aux;     /* the writer's, as given to crmf_cache_writer_add */
} crmf_cache_info;

/** An open cache (read side); every function may be called from several threads. */
typedef struct crmf_cache crmf_cache;

/**
 * Open the cache at `path` for the files `paths[0..n)` (sorted bytewise,
 * repository-relative), matching each file to its entry. *out is NULL (and 0
 * returned) when there is no usable cache: missing, of another key, or
 * damaged. Free with crmf_cache_close.
 */
int crmf_cache_open(crmf_cache **out, const char *path, crmf_hash key,
		    const char *const *paths, size_t n);

/** The index entry of file `i`, or NULL when it has none. */
const crmf_cache_info *crmf_cache_info_of(const crmf_cache *c, size_t i);

/** Whether every file has an entry and every entry a file. */
bool crmf_cache_complete(const crmf_cache *c);

/** Whether a file with this stat data must be hashed even when its stat data matches. */
bool crmf_cache_racy(const crmf_cache *c, const crmf_cache_stat *st);

/** The extra block (NULL when none was written), valid until crmf_cache_close. */
const void *crmf_cache_extra(const crmf_cache *c, size_t *len);

/**
 * Read the records of files [first, end) with one read: rec[k] and len[k]
 * (k = i - first) point into the returned allocation (free() it), or are
 * NULL and 0 for a file without an entry, with `want[k]` false (want may be
 * NULL: all), or whose record is damaged. NULL when no file was wanted or
 * the read failed.
 */
void *crmf_cache_read(const crmf_cache *c, size_t first, size_t end, const bool *want,
		      const void **rec, size_t *len);

/** Close; NULL is a no-op. */
void crmf_cache_close(crmf_cache *c);

/** A new cache being written, by one thread at a time. */
typedef struct crmf_cache_writer crmf_cache_writer;

/** Start writing a new cache at `path` (its folder is created). 0, or -1 with
 * crmf_error_last() (then *out is NULL). */
int crmf_cache_writer_open(crmf_cache_writer **out, const char *path, crmf_hash key);

/** Append the entry of the file `relpath` (sorting after the previous one;
 * the string must stay valid until commit or abort). */
void crmf_cache_writer_add(crmf_cache_writer *w, const char *relpath, const crmf_cache_stat *st,
			   crmf_hash content, uint32_t flags, uint64_t aux, const void *rec,
			   size_t rec_len);

/** Append the entry of file `i` of `old` as it is, with the stat data `st`
 * (NULL: as it is); consecutive entries are copied in one go. */
void crmf_cache_writer_keep(crmf_cache_writer *w, const crmf_cache *old, size_t i,
			    const char *relpath, const crmf_cache_stat *st);

/**
 * Call fn(ctx, k, rec, len) for every entry written so far, in order (k
 * counts from 0), reading the records back from the new file. 0, or -1 when
 * they cannot be read (fn may have been called for some).
 */
int crmf_cache_writer_each(crmf_cache_writer *w,
			   void (*fn)(void *ctx, size_t k, const void *rec, size_t len), void *ctx);

/** Number of entries written so far. */
size_t crmf_cache_writer_count(const crmf_cache_writer *w);

/** Finish the file with the extra block (may be NULL) and put it in place of
 * the old cache; 0, or -1 with crmf_error_last() (nothing is replaced). Frees
 * the writer either way. */
int crmf_cache_writer_commit(crmf_cache_writer *w, const void *extra, size_t extra_len);

/** Drop the new file and free the writer; NULL is a no-op. */
void crmf_cache_writer_abort(crmf_cache_writer *w);

#endif
