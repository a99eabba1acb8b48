/* SPDX-License-Identifier: MIT */
/* The change index of a repository context (private to libcrmf: repository.c keeps one). */
#ifndef CRMF_CHANGES_PRIVATE_H
#define CRMF_CHANGES_PRIVATE_H

#include <stddef.h>

#include "crmf/changes.h"
#include "repo_ctx.h"

/* The events of c's history, the index read, extended or rebuilt (and saved). */
int crmf_ctx_changes(crmf_changes **out, size_t *walked, const repo_ctx *c);

/* The index of the crmf root `root` when it covers HEAD, read without
 * starting libgit2 (the usual layout: a .git folder, HEAD on a branch or
 * detached): 0 and *out, or 1 when crmf_ctx_changes must decide. */
int crmf_changes_read_fast(crmf_changes **out, const char *root);

void crmf_changes_free(crmf_changes *ch);

#endif
