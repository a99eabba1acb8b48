/* SPDX-License-Identifier: MIT */
/* Private helpers of the libcrmf modules that talk to libgit2. */
#ifndef CRMF_GIT_PRIVATE_H
#define CRMF_GIT_PRIVATE_H

#include <stdbool.h>

struct git_repository;

/** Start libgit2 unless started: every function that calls it calls this
 * first (thread-safe, once). */
void crmf_git_need(void);

/** crmf_git_need, with the system's CA certificates loaded, which libgit2
 * would load at its start but crmf only for a command that connects to a
 * remote (git.c says why and how). */
void crmf_git_need_tls(void);

/** libgit2 asked for CA certificates that are not loaded (for the tests). */
bool crmf_git_ca_deferred(void);

/** Set the "owned by another user" error, naming the work tree (found from
 * `start`) that git wants in safe.directory; returns -1. */
int crmf_git_owner_error(const char *start);

/** git_repository_open_ext(out, start, 0, NULL) with git's own ownership
 * rule instead of libgit2's (whose safe.directory differs): a repository
 * whose work tree, .git file or git directory another user owns opens only
 * when safe.directory trusts it, read as git 2.39 reads it (see
 * crmf_git_safe_directory). GIT_EOWNER (the repository freed) when not. */
int crmf_git_open(struct git_repository **out, const char *start);

/** Whether safe.directory trusts `path` (a work tree, resolved), as git
 * 2.39 decides: the values of the system, global and command-line
 * configuration only (never a repository's own), in that order; '*' trusts
 * every path, an empty value forgets the values before it, '~/' and
 * '%(prefix)/' are expanded, and the rest must equal `path` exactly (no
 * trailing slash, no prefix match by a final slash and star: that is git
 * 2.46's). */
bool crmf_git_safe_directory(const char *path);

/** A signature of `name` and `email` dated now, or as the environment variable `date_env`
 * (GIT_AUTHOR_DATE, GIT_COMMITTER_DATE) says, in the forms git takes most ("@1750041000 +0800",
 * "2025-06-16T10:30:00+08:00"). 0, or -1 with crmf_error_last(). */
struct git_signature;
int crmf_git_signature(struct git_signature **out, const char *name, const char *email,
		       const char *date_env);

/** libgit2's last error message, or "unknown libgit2 error". */
const char *crmf_git_msg(void);

/** True for a path (relative to the crmf root) that crmf takes for a customer
 * file: *.yaml or *.yml under customers/ or archive/, no hidden component. */
bool crmf_is_customer_path(const char *rel);

#endif
