/* SPDX-License-Identifier: MIT */
/* Reading objects from git's pack files with a cache of resolved deltas; private to libcrmf (changes.c). */
#ifndef CRMF_PACKREAD_H
#define CRMF_PACKREAD_H

#include <stddef.h>

/*
 * Why not libgit2 alone: a walk of history reads every version of a large
 * folder tree (a year's folder of customers: thousands of entries, hundreds
 * of KB), each stored as a delta against the version next to it, in chains
 * up to 50 deep. libgit2 (1.5) keeps only the objects at the bottom of a
 * chain, so each version is rebuilt from there: tens of deltas applied, each
 * into a fresh buffer, for every commit. git keeps the objects in between
 * too, and so does this reader, which makes a walk apply about one delta per
 * commit. It reads version 2 pack indexes and version 2 or 3 packs under
 * <objects>/pack; an object it cannot read (loose, in another kind of file,
 * damaged) is left to libgit2 by the caller.
 */
typedef struct crmf_packs crmf_packs;

/** The packs of the object folder `objects_dir`; NULL when it has none it can read. */
crmf_packs *crmf_packs_open(const char *objects_dir);

void crmf_packs_close(crmf_packs *p);

/** An object read: its type (1 commit, 2 tree, 3 blob, 4 tag) and bytes
 * (a NUL after them), shared with the reader's cache. */
typedef struct crmf_packed {
	int refs;
	int type;
	size_t len;
	unsigned char data[];
} crmf_packed;

/**
 * The object `oid` (20 raw bytes), a reference of the caller's own (give it
 * back with crmf_packed_release); NULL when no pack holds it or it cannot be
 * read whole.
 */
crmf_packed *crmf_packs_read(crmf_packs *p, const unsigned char *oid);

void crmf_packed_release(crmf_packed *o);

#endif
