/* Private helpers of the libcrmf modules that talk to libgit2. */
#ifndef CRMF_GIT_PRIVATE_H
#define CRMF_GIT_PRIVATE_H

/** Start libgit2 unless started: every function that calls it calls this
 * first (thread-safe, once). */
void crmf_git_need(void);

/** Set the "owned by another user" error, naming the work tree (found from
 * `start`) that git wants in safe.directory; returns -1. */
int crmf_git_owner_error(const char *start);

#endif
