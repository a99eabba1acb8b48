/* The git repository of a crmf root, opened for one operation (private to libcrmf). */
#ifndef CRMF_REPO_CTX_H
#define CRMF_REPO_CTX_H

#include <stdbool.h>

#include <git2.h>

typedef struct repo_ctx {
	git_repository *repo;
	char *root;   /* the crmf root, resolved */
	char *prefix; /* where the crmf root is inside the work tree: "" or "examples/" */
} repo_ctx;

/* Open the repository holding the crmf root `root` (git's ownership rule, a work tree needed);
 * 0, or -1 with crmf_error_last() and *c zeroed. */
int crmf_ctx_open(repo_ctx *c, const char *root);

/* Free what crmf_ctx_open opened; a zeroed context is a no-op. */
void crmf_ctx_close(repo_ctx *c);

/* A file of the git directory (malloc'ed): its absolute path, or with `display` the path to
 * show, relative to the crmf root when inside it. */
char *crmf_ctx_gitdir_file(const repo_ctx *c, const char *name, bool display);

#endif
