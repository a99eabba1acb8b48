/* SPDX-License-Identifier: MIT */
/* The files a scan checks (scan_paths.c), private to libcrmf. */
#ifndef CRMF_SCAN_PATHS_H
#define CRMF_SCAN_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/diag.h"
#include "crmf/scan.h"
#include "crmf/store.h"

/*
 * Mark the files the user named (every file when there are no paths). A named
 * YAML file outside customers/ and archive/ is checked as a customer file
 * too: it is added to *files, which stay sorted by path.
 */
void crmf_scan_select(size_t *n_selected, bool *config_selected, const char *root,
		      const crmf_scan_opts *opts, crmf_file **files, size_t *n, crmf_diags *diags);

/* Say what the entries that are no customer files are (links, special files,
 * nested repositories, see crmf_file_kind), when selected, and take them out
 * of the scan: they are never opened. A link or special file named as a
 * customer file is an error, a folder left alone a warning. */
void crmf_scan_drop_non_files(const char *root, crmf_file *files, size_t *n, crmf_diags *diags);

#endif
