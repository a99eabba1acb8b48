/* SPDX-License-Identifier: MIT */
/* The scan's keys of every customer, for the language server's workspace: private to libcrmf
 * (scan.c; used by workspace.c). */
#ifndef CRMF_SCAN_PRIVATE_H
#define CRMF_SCAN_PRIVATE_H

#include "crmf/scan.h"
#include "record.h"

/** Receives the record of each customer file, in path order, as the
 * cross-file checks see it (its id, name key, phones, emails); `v` lives for
 * the call only. */
typedef void (*crmf_scan_each)(void *ctx, const char *path, const struct view *v);

/** crmf_repo_scan, calling each(ctx, …) for every customer of the repository
 * (also those of files not selected). */
int crmf_repo_scan_each(crmf_repo *repo, const crmf_scan_opts *opts, crmf_diags *diags,
			crmf_scan_each each, void *ctx);

#endif
