/* SPDX-License-Identifier: MIT */
/* Checking commits from git's objects, without a work tree: `crmf check --rev` and the pre-receive hook of a shared repository. */
#ifndef CRMF_GUARD_H
#define CRMF_GUARD_H

#include <stddef.h>

#include "crmf/date.h"
#include "crmf/diag.h"

/*
 * What is checked is what `crmf check` checks in a work tree, read from a
 * commit's tree instead: crmf.yaml (which types the customers), then every
 * customer file (*.yaml and *.yml under customers/ and archive/, hidden ones
 * skipped, links and submodules skipped as `check --staged` does), then the
 * cross-file checks (unique ids, probable duplicates) over that tree.
 * Diagnostics name paths relative to the crmf root, as `crmf check` does.
 */

/** Where the repository and the crmf root are. */
typedef struct crmf_rev_opts {
	/* the git directory; NULL: $GIT_DIR when set, else found from the
	 * current folder as git finds it. Bare repositories are fine, and the
	 * environment git gives its hooks is honoured ($GIT_OBJECT_DIRECTORY and
	 * $GIT_ALTERNATE_OBJECT_DIRECTORIES: the objects of a push that is not
	 * accepted yet are in a quarantine folder that these name) */
	const char *git_dir;
	/* the crmf root inside the tree: "" (or ".") for the top, "sub/dir";
	 * NULL: in a work tree, the crmf root that holds the current folder
	 * (see crmf_repo_discover), else (a bare repository) the top */
	const char *root;
	crmf_day today; /* for the "date in the future" warnings */
} crmf_rev_opts;

/**
 * Check the commit `rev` (any revision git understands: "HEAD~2", a branch,
 * an id; a tag is peeled to its commit). The problems go to `diags`, sorted
 * by path and position; *files is the number of files checked (customer
 * files plus crmf.yaml when present). A crmf root that the commit does not
 * have is an empty tree. Returns 0 (even when files have errors: see
 * diags->errors); 1 when `rev` names no commit ("bad revision 'X'"), -1 when
 * the repository cannot be read, both with crmf_error_last().
 */
int crmf_check_rev(crmf_diags *diags, size_t *files, const crmf_rev_opts *o, const char *rev);

/**
 * Check what `git commit` would commit (`crmf check --staged`): the staged
 * contents of crmf.yaml first (it types the customers), then of every
 * customer file, then the cross-file checks over them, as crmf_check_rev
 * checks a commit. The problems go to `diags`, sorted; *files as there.
 * Returns 0, or -1 when the index cannot be read (crmf_error_last()).
 */
int crmf_check_staged(crmf_diags *diags, size_t *files, const char *root, crmf_day today);

/** What crmf_check_staged_report finds: the problems of what `git commit`
 * would commit, split for the pre-commit hook into those of the files the
 * commit changes and the others (the repository's old warnings). */
typedef struct crmf_staged_report {
	crmf_diags changed; /* of the files the commit adds or changes (their staged bytes
			     * differ from HEAD's), and those of no file; sorted */
	crmf_diags others;  /* of the files the commit leaves as HEAD has them; sorted */
	size_t files;	    /* files checked, as crmf_check_staged counts them */
	size_t changed_files;	      /* files the commit adds or changes */
	size_t other_warning_files;   /* other files with a warning */
} crmf_staged_report;

/** crmf_check_staged, its problems split as crmf_staged_report says (a
 * cross-file problem goes with the file it is reported at). Returns 0 (*out
 * to be released), or -1 with crmf_error_last() (nothing to release). */
int crmf_check_staged_report(crmf_staged_report *out, const char *root, crmf_day today);

/** Free what a crmf_staged_report holds; NULL is a no-op. */
void crmf_staged_report_release(crmf_staged_report *r);

/** One line of a pre-receive hook's input: "<old> <new> <ref>". */
typedef struct crmf_ref_update {
	char old_id[41]; /* hex; all zeros for a ref being created */
	char new_id[41]; /* hex; all zeros for a ref being deleted */
	const char *ref; /* "refs/heads/main" (borrowed) */
} crmf_ref_update;

/** A pushed commit that brings problems. */
typedef struct crmf_push_commit {
	char id[41];
	char *subject;    /* its first line (owned) */
	const char *ref;  /* the first update that brings it (borrowed from the updates) */
	crmf_diags diags; /* the problems it brings, sorted by path and position */
} crmf_push_commit;

/**
 * Check every commit that `updates` bring into the repository: for each
 * update that does not delete its ref, the commits reachable from the new
 * tip and from no ref the repository has (git rev-list NEW --not --all: in a
 * pre-receive hook the refs are not moved yet), parents first; a commit two
 * updates bring is checked once, under the first. A new tip that is not a
 * commit (a tag of a tree) is skipped.
 *
 * Each commit is checked as crmf_check_rev does; what it brings is what its
 * tree has and its first parent's tree has not (diagnostics compared by path,
 * severity, rule and message, not position, so an error that was there
 * before and whose line moved is not counted again; a root commit brings all
 * it has). So a problem that was in the repository before the push does not
 * refuse it, a problem that a pushed commit brings does, even when a later
 * commit of the push fixes it (the history stays valid: every commit can be
 * checked out). Files that a commit does not change (same path, same blob,
 * same crmf.yaml) are not parsed again.
 *
 * *out holds the commits that bring at least one problem (errors or
 * warnings), parents first; *checked counts every commit checked. 0, or -1
 * with crmf_error_last() (an id that is not in the repository, an unreadable
 * object). Free with crmf_push_free.
 */
int crmf_check_push(crmf_push_commit **out, size_t *n, size_t *checked, const crmf_rev_opts *o,
		    const crmf_ref_update *updates, size_t n_updates);

/** Free what crmf_check_push returned; NULL is a no-op. */
void crmf_push_free(crmf_push_commit *v, size_t n);

/** The folder git runs the hooks of a repository from, bare or not, as an
 * absolute path, found as crmf_hooks_dir does (core.hooksPath, relative to
 * where git runs hooks: the top of the work tree, or the git directory of a
 * bare repository); `git_dir` as in crmf_rev_opts. *bare tells whether the
 * repository is bare. malloc'ed; 0, or -1 with crmf_error_last(). */
int crmf_server_hooks_dir(char **out, int *bare, const char *git_dir);

#endif
