/* SPDX-License-Identifier: MIT */
/* Loading a whole repository: crmf.yaml plus every customer file, in parallel, through the validation cache. */
#ifndef CRMF_SCAN_H
#define CRMF_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/schema.h"

struct crmf_repo_priv;

/** A loaded repository. */
typedef struct crmf_repo {
	char *root;           /* work tree root (owned) */
	crmf_config *cfg;     /* never NULL once opened */
	/* the customers kept by the scan (see crmf_scan_opts), sorted by path;
	 * files that had no mapping root are absent */
	crmf_customer **v;
	size_t n;
	size_t files_checked; /* customer files plus crmf.yaml when present */
	struct crmf_repo_priv *priv;
} crmf_repo;

/** What a scan keeps of each customer it keeps. */
typedef enum {
	/* the whole typed record with its document (the default) */
	CRMF_SCAN_DOCS = 0,
	/* a crmf_summary: no document, see crmf_summary below */
	CRMF_SCAN_SUMMARY,
	/* nothing: diagnostics only, repo->n is 0 (crmf check) */
	CRMF_SCAN_NONE,
} crmf_scan_mode;

/**
 * Decides, in a worker thread (several run at once), whether a customer is
 * kept: `c` is what the mode keeps (in summary mode a crmf_summary's `c`);
 * `cfg` is the repository's configuration. Must not keep `c` beyond the call.
 */
typedef bool (*crmf_scan_keep)(void *ctx, const crmf_customer *c, const crmf_config *cfg);

typedef struct crmf_scan_opts {
	/* repository-relative or absolute file paths; NULL = every file. With
	 * paths, only the customers of the named files are kept; the other files
	 * are still read (from the cache when it can) for the cross-file checks */
	const char *const *paths;
	size_t n_paths;
	crmf_day today;
	int threads;          /* 0 = one per core */
	crmf_scan_mode mode;
	bool no_cache;        /* neither read nor write the validation cache */
	bool values;          /* summary mode: keep the top-level values (crmf_summary_values) */
	bool facts;           /* summary mode: keep every follow-up, with its by and method
			       * (what crmf_report reads), not only the two crmf_classify does */
	crmf_scan_keep keep;  /* NULL keeps every customer */
	void *keep_ctx;
	/* summary mode, optional: asked instead of `keep` where a file is parsed
	 * during the scan, with the full customer (never a summary; `unsure` is
	 * what its summary's would say), so that a customer it refuses is never
	 * summarised; must decide as `keep` would on the summary */
	bool (*prefilter)(void *ctx, const crmf_customer *c, bool unsure, const crmf_config *cfg);
} crmf_scan_opts;

/*
 * A customer as a summary scan keeps it, without its document: fewer bytes
 * and no parsing when the validation cache knows the file. Its `c` has
 * id, name, industry, size, source, owner, created, stage, potential, grade,
 * path, archived and errors (per-file and duplicate-id errors) as a full
 * record has them, and enough of its deals and follow-ups for crmf_classify to
 * give the same answer as on the full record: every deal with a signing
 * date (amount, signed, expires) and at most two follow-ups (one with the
 * latest date, and the newest with a `next`, whose `next` and `due` are
 * kept). doc is NULL, there are no contacts, tags or need, and the kept
 * follow-ups have only date, minute, next and due; with opts.facts, every
 * follow-up is kept, in the file's order, with its date, minute, by, method,
 * next and due.
 */
typedef struct crmf_summary {
	crmf_customer c; /* first: repo->v[i] points here */
	/* the file has an error in a field the classification depends on
	 * (stage, created, potential, grade, deals, followups), lacks a valid id,
	 * stage or creation date, or has an error outside every field */
	bool unsure;
	const char *values; /* see crmf_summary_values; NULL unless opts.values */
	size_t values_len;
} crmf_summary;

/** The summary of a customer kept by a summary scan (c must come from one). */
const crmf_summary *crmf_summary_of(const crmf_customer *c);

/**
 * Calls emit(ectx, s, len) for each value of the top-level field `key`
 * (`key_len` bytes) of a summary kept with opts.values, as a walk of the
 * document would find them: a scalar's text, each item of a list, the source
 * text of a mapping; nothing for a null or missing field. Stops when emit
 * returns true. The records contacts, need, deals and followups are not
 * kept: nothing is emitted for them.
 */
void crmf_summary_values(const crmf_summary *s, const char *key, size_t key_len,
			 bool (*emit)(void *ectx, const char *s, size_t len), void *ectx);

/**
 * Load crmf.yaml (defaults when absent) of the repository at `root` into a
 * new repository without customers, for crmf_repo_scan. Problems of
 * crmf.yaml are kept until the scan reports them. 0, or -1 with
 * crmf_error_last(). Free with crmf_repo_free.
 */
int crmf_repo_open(crmf_repo **out, const char *root);

/**
 * Check the customer files of `repo` (opened, not yet scanned): all of them,
 * or `opts->paths`; then run the cross-file checks over every customer of
 * the repository. Diagnostics of the selected files (and of crmf.yaml when
 * it is selected) are added to `diags`, sorted by path and position. Files
 * whose stat data, bytes, crmf.yaml and crmf version match the validation
 * cache are not parsed again (unless their document is kept); the cache is
 * rewritten when anything differed. Returns 0 (even when files have errors:
 * see diags->errors), or -1 on a repository-level failure with
 * crmf_error_last().
 */
int crmf_repo_scan(crmf_repo *repo, const crmf_scan_opts *opts, crmf_diags *diags);

/** crmf_repo_open and crmf_repo_scan in one; *out is NULL on failure. */
int crmf_repo_load(crmf_repo **out, const char *root, const crmf_scan_opts *opts,
		   crmf_diags *diags);

/** Free a repository; NULL is a no-op. */
void crmf_repo_free(crmf_repo *repo);

#endif
