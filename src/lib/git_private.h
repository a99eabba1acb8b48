/* Private helpers of the libcrmf modules that talk to libgit2. */
#ifndef CRMF_GIT_PRIVATE_H
#define CRMF_GIT_PRIVATE_H

#include <stdbool.h>

/** Start libgit2 unless started: every function that calls it calls this
 * first (thread-safe, once). */
void crmf_git_need(void);

/** Set the "owned by another user" error, naming the work tree (found from
 * `start`) that git wants in safe.directory; returns -1. */
int crmf_git_owner_error(const char *start);

/** True for a path (relative to the crmf root) that crmf takes for a customer
 * file: *.yaml or *.yml under customers/ or archive/, no hidden component. */
bool crmf_is_customer_path(const char *rel);

#endif
