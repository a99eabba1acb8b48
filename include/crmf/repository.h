/* SPDX-License-Identifier: MIT */
/* The crmf repository, opened once per command: its root, crmf.yaml, git and the user. */
#ifndef CRMF_REPOSITORY_H
#define CRMF_REPOSITORY_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/commit.h"
#include "crmf/diag.h"
#include "crmf/identity.h"
#include "crmf/schema.h"

/**
 * An open crmf repository. Everything is read at most once and kept: the
 * root when opened, crmf.yaml, the git repository (libgit2) and the user's
 * git identity when first asked for. Not for use by two threads at once.
 */
typedef struct crmf_repository crmf_repository;

/**
 * Open the crmf repository holding `start_dir` (see crmf_repo_discover: the
 * nearest folder with a crmf.yaml inside the git work tree, else its top).
 * 0, or -1 with crmf_error_last() ("not in a git repository …") and *out NULL.
 */
int crmf_repository_open(crmf_repository **out, const char *start_dir);

/** Release the repository, its lock (crmf_repository_lock) included; NULL is a no-op. */
void crmf_repository_close(crmf_repository *r);

/** The crmf root: absolute, no trailing slash. */
const char *crmf_repository_root(const crmf_repository *r);

/**
 * crmf.yaml, loaded on the first call: the defaults where it is absent or
 * invalid (its problems in crmf_repository_config_diags). -1 with
 * crmf_error_last() only when crmf.yaml is there but no regular file (a
 * link, a FIFO): crmf reads it only as git stores it.
 */
int crmf_repository_config(const crmf_config **out, crmf_repository *r);

/** The problems of crmf.yaml found by crmf_repository_config (empty before it). */
const crmf_diags *crmf_repository_config_diags(const crmf_repository *r);

/** Whether crmf.yaml has errors (defaults apply where it is invalid). */
bool crmf_repository_config_invalid(const crmf_repository *r);

/**
 * The user's git identity (crmf_identity_get of the repository), read on the
 * first call and kept. 0, or -1 with crmf_error_last().
 */
int crmf_repository_identity(const crmf_identity **out, crmf_repository *r);

/**
 * The user as crmf.yaml names them, malloc'ed into *out: the team member
 * matching `author` ("Name <email>", may be NULL) or else git's identity;
 * without a team, the identity's email's local part, else its name. -1 when
 * there is none, with the reason and the fix in *why (malloc'ed).
 */
int crmf_repository_me(char **out, char **why, crmf_repository *r, const char *author);

/* ---- git, opened once (the forms of commit.h that take the repository) ---- */

/** crmf_commit_preflight on the repository. */
int crmf_repository_preflight(crmf_repository *r, const char *author);

/**
 * Take crmf's lock (crmf_lock_acquire, waiting up to `timeout_ms`), then
 * check git's locks (crmf_commit_check_locks). Held until
 * crmf_repository_unlock or crmf_repository_close; taking it again is a
 * no-op. 0, or -1 with crmf_error_last() and no lock held.
 */
int crmf_repository_lock(crmf_repository *r, int timeout_ms);

/** Release the lock of crmf_repository_lock; without one a no-op. */
void crmf_repository_unlock(crmf_repository *r);

/** crmf_commit_paths_as on the repository (`content` may be NULL). */
int crmf_repository_commit(char *oid_out, crmf_repository *r, const crmf_commit_path *paths,
			   const crmf_commit_content *content, size_t n,
			   const crmf_commit_opts *opts);

/** crmf_read_versions on the repository. */
int crmf_repository_read_versions(crmf_versions *out, crmf_repository *r, const char *path);

/** crmf_read_head on the repository. */
int crmf_repository_read_head(char **out, size_t *len, crmf_repository *r, const char *path);

/** crmf_status_customers on the repository. */
int crmf_repository_status(crmf_changed **out, size_t *n, crmf_repository *r);

/** crmf_history on the repository. */
int crmf_repository_history(crmf_history_entry **out, size_t *n, crmf_repository *r, const char *id,
			    const char *field);

#endif
