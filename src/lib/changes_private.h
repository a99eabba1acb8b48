/* SPDX-License-Identifier: MIT */
/* The change index of a repository context (private to libcrmf: repository.c keeps one). */
#ifndef CRMF_CHANGES_PRIVATE_H
#define CRMF_CHANGES_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "crmf/doc.h"

#include "crmf/changes.h"
#include "repo_ctx.h"

/* The events of c's history, the index read, extended or rebuilt (and saved). */
int crmf_ctx_changes(crmf_changes **out, size_t *walked, const repo_ctx *c);

/* A commit of the index that changed some customer's file. */
typedef struct crmf_changes_commit {
	unsigned char oid[20];
	long long time; /* its commit (not author) time */
} crmf_changes_commit;

/* The commits that changed a customer's file, in walk order (a commit after its parents). */
size_t crmf_changes_commits(const crmf_changes_commit **v, const crmf_changes *ch);

/*
 * The commits (their numbers in crmf_changes_commits, ascending) whose tree
 * changed a file of customer `id` (<id>.yaml or .yml below customers/ or
 * archive/, at any depth) against the first parent's: every commit
 * crmf_history lists, and some it does not (a merge that took the file from
 * another parent, a second file of the same id). *out malloc'ed (NULL for 0).
 */
size_t crmf_changes_touching(size_t **out, const crmf_changes *ch, const char *id);

/*
 * crmf_ctx_changes for a caller that reads the work tree's files at the same
 * time: the walk leaves the new versions of files aside (the last version of
 * every file is in the work tree, so most need not be read from git's
 * objects, at the end of a delta chain) and the index is incomplete until
 * crmf_changes_finish, which reads those versions from the work tree where
 * the files still hold them (the same git blob id), from git for the rest,
 * and puts their events in place; crmf_changes_save then writes it. 0, or -1
 * with crmf_error_last().
 */
int crmf_ctx_changes_deferred(crmf_changes **out, size_t *walked, const repo_ctx *c);

/* Whether ch is a deferred walk's, not yet finished. */
bool crmf_changes_unfinished(const crmf_changes *ch);

/*
 * The files of a work tree read ahead of crmf_changes_finish, by a thread
 * that has the time while a walk runs: for each of `paths` (relative to the
 * crmf root `root`, sorted bytewise as crmf_store_list sorts them; the array
 * and its strings are the caller's and must outlive the result), its git
 * blob id and the fields a walk reads. Files that cannot be read are left
 * out, and so are the rest once `*stop` is true (the walk is over:
 * crmf_changes_finish reads what it still needs itself). Never NULL; free
 * with crmf_worktree_free.
 */
typedef struct crmf_worktree crmf_worktree;
crmf_worktree *crmf_worktree_read(const char *root, const char *const *paths, size_t n,
				  const atomic_bool *stop);
void crmf_worktree_free(crmf_worktree *w);

/* Complete an index crmf_ctx_changes_deferred gave (nothing to do for
 * another), with what `w` (NULL: nothing) read ahead. The index is saved by
 * crmf_changes_save, which may run while the events are read. */
int crmf_changes_finish(crmf_changes *ch, const repo_ctx *c, const crmf_worktree *w);

/* Save the index when a walk extended it and it is finished. */
void crmf_changes_save(crmf_changes *ch, const repo_ctx *c);

/* The index of the crmf root `root` when it covers HEAD, read without
 * starting libgit2 (the usual layout: a .git folder, HEAD on a branch or
 * detached): 0 and *out, or 1 when crmf_ctx_changes must decide. */
int crmf_changes_read_fast(crmf_changes **out, const char *root);

void crmf_changes_free(crmf_changes *ch);

struct crmf_repository;

/* crmf_repository_changes through crmf_ctx_changes_deferred, its end and
 * its saving (no-ops when the index was read whole). */
int crmf_repository_changes_deferred(const crmf_changes **out, size_t *walked,
				     struct crmf_repository *r);
int crmf_repository_changes_finish(struct crmf_repository *r, const crmf_worktree *w);

/* Whether the index covers HEAD and was read whole (no walk to come): tries
 * crmf_changes_read_fast, once. */
bool crmf_repository_changes_ready(struct crmf_repository *r);
void crmf_repository_changes_save(struct crmf_repository *r);

#endif
