/* SPDX-License-Identifier: MIT */
/* Working as a team: the merge driver's setup in a clone, and `crmf sync` with a git remote. */
#ifndef CRMF_SYNC_H
#define CRMF_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/merge.h"

/* ---- setup ---- */


/** What crmf_setup did. Release with crmf_setup_result_release. */
typedef struct crmf_setup_result {
	char *attributes;	 /* the .gitattributes written: absolute path */
	bool attributes_changed; /* lines were added to it (it needs committing) */
	char *driver;		 /* the merge.crmf.driver command now configured */
	bool config_changed;	 /* .git/config was changed */
} crmf_setup_result;

/**
 * Make plain `git merge` and `git pull` use crmf's merge for customer files
 * in the repository at `root` (the crmf root): add the lines of
 * crmf_store_attributes that are missing to `root`/.gitattributes (other
 * lines are kept; patterns there are relative to `root`, so this also works
 * for a crmf repository in a subfolder), and set `merge.crmf.name` and
 * `merge.crmf.driver` = "`command` merge-driver %O %A %B %P" in the
 * repository's own config (.git/config: it is not cloned, so every clone
 * runs this once). `command` NULL: crmf_setup_command(). Nothing is
 * committed. 0, or -1 with crmf_error_last().
 */
int crmf_setup(crmf_setup_result *out, const char *root, const char *command);


/** Free what crmf_setup put in *r; NULL is a no-op. */
void crmf_setup_result_release(crmf_setup_result *r);

/** How git should start this program: "crmf" when the `crmf` found on PATH is this very
 * program, else its absolute path (from /proc/self/exe), single-quoted for the shell when
 * needed. Malloc'ed. */
char *crmf_setup_command(void);

/** The command that runs this crmf, unquoted: "crmf" when that is the first
 * crmf on PATH, else its absolute path. */
char *crmf_self_command(void);

/**
 * `len` bytes of the file `path` (relative to the crmf root `root`) converted
 * through the filters its attributes select (eol, ident, filter drivers such
 * as git-crypt): to the work tree's form as git checkout writes it when
 * `to_worktree`, else to the form git stores, as git add does. For the merge
 * driver, which git hands the stored form and whose result it stores as it
 * is. *out malloc'ed, NUL-terminated (not counted in *out_len); 0, or -1 with
 * crmf_error_last() (a required filter that failed).
 */
int crmf_sync_filter(char **out, size_t *out_len, const char *root, const char *path,
		     const char *buf, size_t len, bool to_worktree);

/* ---- sync ---- */

typedef enum {
	CRMF_SYNC_UP_TO_DATE,	/* nothing came in */
	CRMF_SYNC_FAST_FORWARD, /* our branch moved to theirs */
	CRMF_SYNC_MERGED,	/* a merge commit was made */
	CRMF_SYNC_CONFLICT,	/* stopped: a merge is in progress, see conflicts */
} crmf_sync_status;

/** A customer file that changed between two commits. */
typedef struct crmf_sync_file {
	char *path;	 /* relative to the crmf root */
	char *old_path;	 /* the previous path of a moved file (archived, restored), else NULL */
	char status;	 /* 'A' added, 'M' modified, 'D' deleted, 'R' moved */
	char *id, *name; /* from the record (new side, else old), NULL when unreadable */
	char **changes;	 /* the lines of crmf_diff_bytes (old version to new) */
	size_t n_changes;
} crmf_sync_file;

/** Why the merge stopped on one file. */
typedef enum {
	CRMF_SYNC_FIELDS,	  /* fields changed differently on both sides: see `fields` */
	CRMF_SYNC_WHOLE_FILE,	  /* a side could not be parsed: markers around whole files */
	CRMF_SYNC_INVALID,	  /* merged cleanly but invalid: see the result's diags */
	CRMF_SYNC_DELETED_OURS,	  /* we deleted (or moved) it, they changed it */
	CRMF_SYNC_DELETED_THEIRS, /* they deleted (or moved) it, we changed it */
	CRMF_SYNC_OTHER,	  /* not a customer file: git's own text conflict */
} crmf_sync_conflict_kind;

typedef struct crmf_sync_conflict {
	char *path; /* relative to the crmf root (or to the work tree when outside it) */
	crmf_sync_conflict_kind kind;
	char *moved_to;		     /* for DELETED_*: where the other side put it (archive/…),
					else NULL */
	crmf_merge_conflict *fields; /* for FIELDS */
	size_t n_fields;
} crmf_sync_conflict;

/** What crmf_sync did. Release with crmf_sync_result_release. */
typedef struct crmf_sync_result {
	char *remote; /* "origin" */
	char *branch; /* our branch: "main" */
	char *
	    upstream; /* the remote-tracking branch: "origin/main"; NULL when the remote has none */
	crmf_sync_status status;
	size_t commits_in, commits_out;
	crmf_sync_file *in; /* customer files changed by what came in */
	size_t n_in;
	crmf_sync_file *out; /* customer files changed by what went (or would go) out */
	size_t n_out;
	crmf_sync_conflict *conflicts;
	size_t n_conflicts;
	crmf_diags diags; /* errors of merged files that made it stop */
	char commit[41];  /* our branch's commit after the sync */
	bool pushed;	  /* commits went out */
	char *push_error; /* the push failed or was rejected: why (the merge is kept locally) */
} crmf_sync_result;

/** Where a transfer is, for a progress meter like git's. */
typedef enum {
	CRMF_SYNC_RECEIVING, /* fetch: objects received of total (bytes: received so far) */
	CRMF_SYNC_RESOLVING, /* fetch: deltas resolved of total */
	CRMF_SYNC_WRITING,   /* push: objects sent of total (bytes: sent so far) */
} crmf_sync_phase;

typedef struct crmf_sync_progress {
	crmf_sync_phase phase;
	size_t done, total;
	size_t bytes;
} crmf_sync_progress;

/** Called, often, while objects are fetched or pushed (from the thread that
 * called crmf_sync); what it was given lives during the call only. */
typedef void (*crmf_sync_progress_fn)(void *ctx, const crmf_sync_progress *p);

typedef struct crmf_sync_opts {
	const char *remote; /* NULL: the branch's remote (branch.<name>.remote), else "origin" */
	bool no_push;	    /* fetch and merge only */
	crmf_day today;	    /* for validation; 0: today */
	crmf_sync_progress_fn progress; /* NULL: none */
	void *progress_ctx;
} crmf_sync_opts;

/**
 * Synchronise the repository at `root` with its remote: refuse when
 * customer files have uncommitted changes or a merge, rebase… is in
 * progress; fetch; fast-forward, or merge with crmf's structural merge
 * registered in libgit2 for every file (customer files by structure,
 * others as git would), validate the customer files the merge produced,
 * commit the merge, push. Rename detection is off in this merge, so a
 * customer archived on one side and changed on the other stops the sync.
 *
 * Returns 0 when done (out->push_error may still say that the push failed),
 * 1 when it stopped on a conflict: the merge is left in progress, like
 * `git merge` leaves it, with crmf's field-level markers in the customer
 * files and everything in out->conflicts (and out->diags); -1 on error with
 * crmf_error_last(), the repository as it was (a fetch may have updated
 * remote-tracking branches).
 */
int crmf_sync(crmf_sync_result *out, const char *root, const crmf_sync_opts *opts);

/** Free what crmf_sync put in *r; NULL is a no-op. */
void crmf_sync_result_release(crmf_sync_result *r);

#endif
