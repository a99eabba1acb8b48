/* SPDX-License-Identifier: MIT */
/* The git repository of a crmf root, opened for one operation (private to libcrmf). */
#ifndef CRMF_REPO_CTX_H
#define CRMF_REPO_CTX_H

#include <stdbool.h>
#include <stddef.h>

#include <git2.h>

typedef struct repo_ctx {
	git_repository *repo;
	char *root;   /* the crmf root, resolved */
	char *prefix; /* where the crmf root is inside the work tree: "" or "examples/" */
} repo_ctx;

/* Open the repository holding the crmf root `root` (git's ownership rule, a work tree needed);
 * 0, or -1 with crmf_error_last() and *c zeroed. */
int crmf_ctx_open(repo_ctx *c, const char *root);

/* The work tree holding `abs` (an absolute, resolved path) when git would find it as
 * `abs`/../.git in the usual way, found without starting libgit2 (store.c): 0 and
 * *worktree malloc'ed, or 1 when libgit2 must decide. */
int crmf_worktree_fast(char **worktree, const char *abs);

/* Free what crmf_ctx_open opened; a zeroed context is a no-op. */
void crmf_ctx_close(repo_ctx *c);

/* A file of the git directory (malloc'ed): its absolute path, or with `display` the path to
 * show, relative to the crmf root when inside it. */
char *crmf_ctx_gitdir_file(const repo_ctx *c, const char *name, bool display);

/* The operations of commit.h, status.c, lock.c, history.c and identity.h on an open context
 * (their public forms open one, call these and close it): a crmf_repository opens its context
 * once and calls these, so that one command opens libgit2 once. */
struct crmf_commit_path;
struct crmf_commit_content;
struct crmf_commit_opts;
struct crmf_changes;
struct crmf_versions;
struct crmf_changed;
struct crmf_lock;
struct crmf_history_entry;
struct crmf_identity;

int crmf_ctx_preflight(const repo_ctx *c, const char *author);
int crmf_ctx_check_locks(const repo_ctx *c);
int crmf_ctx_commit(char *oid_out, const repo_ctx *c, const struct crmf_commit_path *paths,
		    const struct crmf_commit_content *content, size_t n,
		    const struct crmf_commit_opts *opts);
int crmf_ctx_lock_acquire(struct crmf_lock **out, const repo_ctx *c, int timeout_ms);
int crmf_ctx_read_versions(struct crmf_versions *out, const repo_ctx *c, const char *path);
int crmf_ctx_read_head(char **out, size_t *len, const repo_ctx *c, const char *path);
int crmf_ctx_status_customers(struct crmf_changed **out, size_t *n, const repo_ctx *c);
/* ch: the change index (crmf_ctx_changes) for several calls; NULL: read (or built) for this one */
int crmf_ctx_history(struct crmf_history_entry **out, size_t *n, const repo_ctx *c,
		     const struct crmf_changes *ch, const char *id, const char *field);
/* c NULL: the user's own config (outside a repository) */
int crmf_ctx_identity(struct crmf_identity *out, const repo_ctx *c);

#endif
