/* SPDX-License-Identifier: MIT */
/* What sync.c and sync_setup.c share, private to libcrmf. */
#ifndef CRMF_SYNC_PRIVATE_H
#define CRMF_SYNC_PRIVATE_H

#include <stdbool.h>

#include <git2.h>

#include "crmf/date.h"
#include "crmf/schema.h"

/* The repository holding the crmf root, and where that root is in its work tree. */
typedef struct repo {
	git_repository *git;
	char *root;    /* the crmf root, resolved */
	char *workdir; /* the work tree, resolved, no trailing slash */
	char *prefix;  /* "" or "sub/dir/" */
} repo;

int sy_driver_register(const repo *r, const crmf_config *cfg, crmf_day today);
void sy_driver_unregister(void);
bool sy_is_customer_path(const char *rel);
void sy_repo_close(repo *r);
int sy_repo_open(repo *r, const char *root);
const char *sy_in_root(const repo *r, const char *path);

#endif
