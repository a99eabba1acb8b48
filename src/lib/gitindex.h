/* SPDX-License-Identifier: MIT */
/* Private to commit.c: index entries updated in the file itself, without libgit2 reading it. */
#ifndef CRMF_GITINDEX_H
#define CRMF_GITINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * libgit2 reads the whole index (an allocation per entry, a hash map) and
 * writes it back to change one entry: 0.13 s in a repository of 100,000
 * files. When the paths to commit already exist in the index at stage 0, this
 * module changes their entries in the file's bytes and rewrites the file as
 * git does: under index.lock, the cache-tree invalidated along their paths,
 * everything else kept byte for byte, a new trailing SHA-1.
 */
typedef struct crmf_gitindex crmf_gitindex;

/* crmf_gitindex_open: nothing unusual, the lock is held and *out set. */
#define CRMF_GITINDEX_OK 0
/* The fast path does not apply: nothing is held, no error is set; use libgit2. */
#define CRMF_GITINDEX_FALLBACK 1
/* index.lock exists: another git is at work (no error is set). */
#define CRMF_GITINDEX_LOCKED (-2)

/** A stage-0 .gitattributes of the index: libgit2 reads attributes from the
 * index too, so the hashing of the files needs them. */
typedef struct crmf_gitindex_attr {
	char *path;
	uint32_t mode;
	unsigned char oid[20];
} crmf_gitindex_attr;

/**
 * Create `index.lock` in `gitdir` (git_repository_path: ends in '/') with
 * O_EXCL, as git does, read `index` and check that each of the `n` paths
 * (relative to the top of the work tree, duplicates allowed) is a regular file
 * at stage 0 only, neither skip-worktree, intent-to-add nor assume-valid; that
 * the index is version 2, 3 or 4 with no extension but TREE, REUC and UNTR and
 * adds up; and that no other entry is racily clean (its mtime not before the
 * index file's), since git would re-check those on writing. CRMF_GITINDEX_OK
 * with *out (free with crmf_gitindex_free), CRMF_GITINDEX_FALLBACK,
 * CRMF_GITINDEX_LOCKED, or -1 with crmf_error_last() when the lock cannot be
 * made.
 */
int crmf_gitindex_open(crmf_gitindex **out, const char *gitdir, const char *const *paths, size_t n);

/**
 * Read the object id of `path`'s entry from the index of `gitdir`, without
 * taking index.lock (as git reads it) and without libgit2 loading the whole
 * index. CRMF_GITINDEX_OK when `path` is a regular file at stage 0 only,
 * else CRMF_GITINDEX_FALLBACK (absent, in conflict, flagged, or an index
 * this module does not read): then ask libgit2.
 */
int crmf_gitindex_lookup(unsigned char oid[20], const char *gitdir, const char *path);

/** The stage-0 .gitattributes files of the index read; the array belongs to `ix`. */
size_t crmf_gitindex_attributes(const crmf_gitindex *ix, const crmf_gitindex_attr **out);

/**
 * Record path number `i` (as given to crmf_gitindex_open) as the blob `oid`
 * with the stat data `st` (an lstat of the regular file taken before it was
 * hashed). The mode is 0100755 or 0100644 from the owner's execute bit when
 * `filemode` (core.filemode), else the entry's old mode; returned.
 */
uint32_t crmf_gitindex_set(crmf_gitindex *ix, size_t i, const unsigned char oid[20],
			   const struct stat *st, bool filemode);

/** Write the index to index.lock (not fsynced, as libgit2 does not) with
 * its checksum and rename it over the index. 0, or -1 with crmf_error_last()
 * ("cannot write the git index: …"), the index untouched and the lock gone. */
int crmf_gitindex_write(crmf_gitindex *ix);

/** Free `ix`, removing index.lock when it was not written; NULL is a no-op. */
void crmf_gitindex_free(crmf_gitindex *ix);

#endif
