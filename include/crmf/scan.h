/* Loading a whole repository: crmf.yaml plus every customer file, in parallel. */
#ifndef CRMF_SCAN_H
#define CRMF_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/schema.h"

/** A loaded repository. */
typedef struct crmf_repo {
	char *root;           /* work tree root (owned) */
	crmf_config *cfg;     /* never NULL once loaded */
	crmf_customer **v;    /* sorted by path; files that had no mapping root are absent */
	size_t n;
	size_t files_checked; /* customer files plus crmf.yaml when present */
} crmf_repo;

typedef struct crmf_scan_opts {
	const char *const *paths; /* repository-relative or absolute file paths; NULL = every file */
	size_t n_paths;
	crmf_day today;
	int threads;              /* 0 = one per core */
} crmf_scan_opts;

/**
 * Load crmf.yaml (defaults when absent) and the customer files of the
 * repository at `root`: all of them, or `opts->paths`. Each file is parsed and
 * checked; then the cross-file checks run over every customer of the
 * repository. Diagnostics are added to `diags` sorted by path and position.
 * Returns 0 (even when files have errors: see diags->errors), or -1 on a
 * repository-level failure with crmf_error_last(). Free with crmf_repo_free.
 */
int crmf_repo_load(crmf_repo **out, const char *root, const crmf_scan_opts *opts,
		   crmf_diags *diags);

/** Free a loaded repository; NULL is a no-op. */
void crmf_repo_free(crmf_repo *repo);

#endif
