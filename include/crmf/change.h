/* SPDX-License-Identifier: MIT */
/* A change of customer files: found, changed, validated, written atomically, committed alone. */
#ifndef CRMF_CHANGE_H
#define CRMF_CHANGE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/diff.h"
#include "crmf/expr.h"
#include "crmf/doc.h"
#include "crmf/import.h"
#include "crmf/repository.h"
#include "crmf/assign.h"
#include "crmf/text.h"

/**
 * One change of the repository, as every writing command makes it: open it
 * (preflight, crmf.yaml), find the customer, take the lock, apply an
 * operation, validate the result, write it atomically and commit exactly
 * the paths it changed, then free it. (Named crmf_change_tx because
 * crmf_change is a line of a diff, diff.h.)
 *
 * The library prints nothing: what a command tells the user comes back as
 * the report (crmf_change_report), in the order it happened, and the
 * outcome of the commit as data (crmf_change_oid, crmf_change_not_committed).
 *
 * The functions return 0 when done, CRMF_CHANGE_NOTHING when there was
 * nothing to do, CRMF_CHANGE_REFUSED (nothing changed, or the files saved
 * but not committed: see crmf_change_not_committed) or CRMF_CHANGE_UNKNOWN
 * (no such customer, a customer named twice: the request was wrong), always
 * with the reasons in the report.
 */
typedef struct crmf_change_tx crmf_change_tx;

enum {
	CRMF_CHANGE_NOTHING = 1,
	CRMF_CHANGE_REFUSED = -1,
	CRMF_CHANGE_UNKNOWN = -2,
};

/** What a line of the report is. */
typedef enum crmf_report_kind {
	CRMF_REPORT_DIAG,  /* a diagnostic of a file (`diag`) */
	CRMF_REPORT_ERROR, /* why something is refused, or a warning (`text`, one line) */
	CRMF_REPORT_NOTE,  /* a remark to show as it is (`text`: "note: …") */
	CRMF_REPORT_SAID,  /* what the change does, for the user (`text`: "C1: + follow-up …") */
} crmf_report_kind;

/** One line of the report. */
typedef struct crmf_report_item {
	crmf_report_kind kind;
	char *text;	/* not for DIAG */
	crmf_diag diag; /* DIAG only */
} crmf_report_item;

/** Where crmf_change_find looks. */
enum { CRMF_IN_CUSTOMERS = 1, CRMF_IN_ARCHIVE = 2 };

/** How long a change waits for another crmf to finish changing the repository. */
#define CRMF_CHANGE_LOCK_TIMEOUT_MS 60000

/**
 * Start a change of `repo` (which must outlive it) by `author` ("Name
 * <email>", NULL: git's identity), judging dates against `today`: checks
 * that a commit can be made (crmf_repository_preflight) and loads crmf.yaml
 * (its errors: a warning in the report, the defaults apply). *out is set
 * even on failure (for its report); free it with crmf_change_free.
 */
int crmf_change_open(crmf_change_tx **out, crmf_repository *repo, const char *author,
		     crmf_day today);

/** Free the change and release its lock; NULL is a no-op. */
void crmf_change_free(crmf_change_tx *tx);

/** The report so far: *out points to its items (valid until the next call). */
size_t crmf_change_report(const crmf_report_item **out, const crmf_change_tx *tx);

/** Forget the report so far (once shown). */
void crmf_change_report_clear(crmf_change_tx *tx);

/** Take the repository's lock (crmf_repository_lock), waiting for another crmf. */
int crmf_change_lock(crmf_change_tx *tx);

/** The user as crmf.yaml names them (crmf_repository_me with the change's author). */
int crmf_change_me(char **out, char **why, crmf_change_tx *tx);

/**
 * Find the customer `arg` names: an id (a file's name without .yaml, also in
 * another case when unambiguous) or a file's path, under customers/ and/or
 * archive/ as `where` (CRMF_IN_*) says. Refuses links, special files, files
 * inside nested repositories and ids naming two files. CRMF_CHANGE_UNKNOWN
 * when not found, with the closest id in crmf_change_suggestion.
 */
int crmf_change_find(crmf_change_tx *tx, const char *arg, unsigned where);

/** The id crmf_change_find suggested ("did you mean"), or NULL. */
const char *crmf_change_suggestion(const crmf_change_tx *tx);

/** The customer's file (relative to the root) and id, once found (or made by new); else NULL. */
const char *crmf_change_path(const crmf_change_tx *tx);
const char *crmf_change_id(const crmf_change_tx *tx);

/** Read, parse and check the found file as it is now; its diagnostics are
 * kept, so that validation reports only the warnings it did not have. */
int crmf_change_load(crmf_change_tx *tx);

/** A follow-up (`crmf log`): date and by required, the rest may be NULL.
 * `keep_next` (not with `next`) copies the open next action (crmf_open_next)
 * into it, so that it stays open. */
typedef struct crmf_log_entry {
	const char *date, *by, *method, *with, *summary, *feedback, *next, *due;
	bool keep_next;
} crmf_log_entry;

/** Append the follow-up `f` to the loaded file (under `followups:`, created
 * when absent). Refused when `f->by` had left the team before its date. The
 * report notes an archived customer (off the agenda: `crmf restore`) and an
 * open next action the new follow-up answers. */
int crmf_change_log(crmf_change_tx *tx, const crmf_log_entry *f);

/** One KEY=VALUE of `crmf set` or `crmf new` (or KEY with `unset`). */
typedef struct crmf_assign {
	const char *key;
	const char *value;
	bool unset;
} crmf_assign;

/** Set or unset values of the loaded file (`crmf set`): every other byte
 * kept. CRMF_CHANGE_NOTHING when it has those values already. The
 * assignments must outlive the change. */
int crmf_change_set(crmf_change_tx *tx, const crmf_assign *v, size_t n);

/**
 * Validate the change made by crmf_change_log or crmf_change_set, then save
 * and commit it: when the file, the index and HEAD agree, the result is
 * written and committed; when the user changed the file themselves, the
 * change is made again on the committed version, which is committed, the
 * result goes to the work tree and the index gets the change on its staged
 * version, so that the user's edit stays uncommitted. Where the change and
 * the user's edit touch, refuses with nothing changed.
 */
int crmf_change_commit(crmf_change_tx *tx);

/**
 * Validate `len` bytes of `buf` as the customer's file: the errors and the
 * warnings it did not have before go to the report. 0 when valid.
 */
int crmf_change_check(crmf_change_tx *tx, const char *buf, size_t len);

/**
 * For `crmf edit`: read the found file into *buf (malloc'ed) and keep its
 * diagnostics (as crmf_change_load); a note goes to the report when the
 * user has uncommitted changes to it.
 */
int crmf_change_edit_begin(crmf_change_tx *tx, char **buf, size_t *len);

/** Whether the buffer of crmf_change_edit_begin holds confidential values
 * decrypted (then keep its copies private: doc/privacy.md). Such values are
 * encrypted again by crmf_change_check and crmf_change_replace, the ones
 * left unchanged with their token as it was. */
bool crmf_change_decrypted(const crmf_change_tx *tx);

/**
 * Replace the file read by crmf_change_edit_begin with `len` bytes of `buf`
 * (valid, see crmf_change_check) and commit it, once the lock is taken and
 * the file is found unchanged meanwhile. `copy` (may be NULL) is where the
 * user's edit is kept: named in the messages of a refusal, removed once the
 * file is written.
 */
int crmf_change_replace(crmf_change_tx *tx, const char *buf, size_t len, const char *copy);

/**
 * For `crmf new`: the new customer `name` as it would be written, in *buf
 * (malloc'ed): the repository's templates/customer.yaml (else the built-in
 * one) with the next id of id_format for today, the name, today and the
 * owner (`owner`, a member or a name, else the user: see
 * crmf_change_new_owner_why), then the assignments. The path it would have
 * is crmf_change_path. The assignments must outlive the change.
 */
int crmf_change_new(crmf_change_tx *tx, const char *name, const crmf_assign *v, size_t n,
		    const char *owner, char **buf, size_t *len);

/** Make warnings that refuse a change under `--strict` refuse it (crmf new:
 * a probable duplicate of another customer). */
void crmf_change_strict(crmf_change_tx *tx, bool strict);

/** Why crmf_change_new found no owner (the user could not be told), else NULL. */
const char *crmf_change_new_owner_why(const crmf_change_tx *tx);

/**
 * Write and commit the new customer as `len` bytes of `buf` (the draft of
 * crmf_change_new, maybe edited): under the lock, with the next free id
 * taken again (another crmf may have taken the one proposed), validated.
 * A customer with the same normalised company name, phone or email as the
 * new one is named in a warning (under crmf_change_strict: refused).
 */
int crmf_change_new_commit(crmf_change_tx *tx, const char *buf, size_t len);

/** One move of crmf archive or crmf restore. */
typedef struct crmf_move {
	char *id, *from, *to; /* paths relative to the root */
	char *why;	      /* for the message: the name, or "no contact since …" */
	char *said;	      /* why for the user in the run's language; NULL: `why` */
} crmf_move;

/** Add a move of the customer `arg` from customers/ to archive/ID.yaml. */
int crmf_change_archive(crmf_change_tx *tx, const char *arg);

/** Add a move of every stale customer (no contact for more than
 * rules.archive_after); those with errors stay, said in the report. */
int crmf_change_archive_stale(crmf_change_tx *tx);

/** Add a move of the archived customer `arg` back to where it was before it
 * was archived (its newest path under customers/ in the history), else to
 * customers/ID.yaml. */
int crmf_change_restore(crmf_change_tx *tx, const char *arg);

/** The moves added so far. */
const crmf_move *crmf_change_moves(const crmf_change_tx *tx, size_t *n);

/**
 * Make the moves and commit them as one change: every file valid and
 * committed, every target free, or nothing moves. The user's own edits move
 * with the files, uncommitted.
 */
int crmf_change_move(crmf_change_tx *tx);

/** What crmf_change_import did with the rows of a sheet. */
typedef struct crmf_import_counts {
	size_t created;	  /* new customers */
	size_t updated;	  /* existing customers (by id) the sheet changes */
	size_t unchanged; /* ids (or, without one, a probable duplicate) the sheet has
			     nothing new for */
	size_t skipped;	  /* ids the sheet would change, skipped by `no_update` */
} crmf_import_counts;

/**
 * The mapping of `crmf import`: the default, then crmf.yaml's `import:`
 * section, then the file `map_file` (may be NULL; its root, or its `import:`
 * when it has one). Problems go to `diags` at their lines. 0 with *out set
 * (free with crmf_import_map_free), or -1 (*out NULL) on an error.
 */
int crmf_change_import_map(crmf_import_map **out, crmf_change_tx *tx, const char *map_file,
			   crmf_diags *diags);

/** Options of crmf_change_import; NULL means all false. */
typedef struct crmf_change_import_opts {
	bool no_update;	       /* rows whose id exists: skipped, not updated */
	bool dry_run;	       /* say what would be done; write nothing */
	bool allow_duplicates; /* probable duplicates are warnings, imported anyway */
	crmf_import_progress_fn *progress; /* may be NULL: comparing, writing, committing */
	void *progress_ctx;
} crmf_change_import_opts;

/**
 * For `crmf import`: the rows of `imp` (crmf_import_sheet, without errors)
 * against the repository, all or nothing.
 * - A row whose id exists updates that customer where the sheet differs
 *   (crmf_import_update: minimal-diff edits, follow-ups and contacts
 *   appended, nothing removed): updated, or unchanged when there is nothing
 *   new, or skipped under `no_update`. The file must be valid, without
 *   uncommitted changes, and valid once updated; else an error at the row's
 *   id cell.
 * - A new row (no id, or one no file has) that is a probable duplicate of
 *   an existing customer (normalised company name, phone, email) is an error
 *   at its cell, unless the customer it duplicates has nothing new in the
 *   row (an id-less sheet imported again: unchanged); a new row that
 *   duplicates an earlier new row of the sheet is an error at its cell
 *   naming that row. Both are warnings, and the rows imported, with
 *   `allow_duplicates`.
 * Then, unless `dry_run` or on error, the rows without an id get the next
 * ids of id_format, and every new or updated file is written and committed
 * in ONE commit whose subject gives the counts (created, updated) and
 * `source`, so that `git revert` undoes it. What is (or would be) done goes
 * to the report (SAID lines: one per row, then one per change of an
 * updated customer, indented). 0 when committed (or, dry run, when it would
 * be), CRMF_CHANGE_NOTHING when no row creates or changes anything,
 * CRMF_CHANGE_REFUSED with the reasons in `diags` and the report, nothing
 * written.
 */
int crmf_change_import(crmf_change_tx *tx, const crmf_import *imp, const char *source,
		       const crmf_change_import_opts *opt, crmf_import_counts *counts,
		       crmf_diags *diags);

/**
 * Hand every customer under customers/ owned by the member `from` over to
 * the member `to` (who has not left): each file's `owner` changed, every
 * file valid and without uncommitted changes, or nothing changes; then all
 * written and committed as one commit whose message lists them.
 * CRMF_CHANGE_NOTHING when `from` owns none.
 */
int crmf_change_reassign(crmf_change_tx *tx, const char *from, const char *to);

/** crmf_change_reassign of only the customers of `from` that match `where`
 * (crmf_where_compile; NULL: all of them). CRMF_CHANGE_NOTHING when none does. */
int crmf_change_reassign_where(crmf_change_tx *tx, const char *from, const char *to,
			       const crmf_expr *where);

/**
 * `crmf set --where`: the assignments `v` (as crmf_change_set takes them) on
 * every customer under customers/ that matches `where`, each result valid
 * and each file without uncommitted changes, or nothing changes; then all
 * written and committed as one commit whose message lists them. The report
 * says each change ("C2024001: stage: intent → negotiation"); with
 * `dry_run` it says them and nothing is written. *matched (may be NULL) is
 * the number of customers that match. CRMF_CHANGE_NOTHING when every one of
 * them has those values already; CRMF_CHANGE_REFUSED when none matches
 * ("no customer matches"). The assignments must outlive the change.
 */
int crmf_change_set_where(crmf_change_tx *tx, const crmf_expr *where, const crmf_assign *v,
			  size_t n, bool dry_run, size_t *matched);

/**
 * `crmf assign --apply`: under the lock, the proposals of
 * crmf_assign_propose (into *out and *n, for the caller to show; free with
 * crmf_proposals_free), and the owners of those that have one written and
 * committed as one commit listing them, every file valid and without
 * uncommitted changes, or nothing changes. CRMF_CHANGE_NOTHING when no
 * customer gets an owner.
 */
int crmf_change_assign(crmf_change_tx *tx, const crmf_expr *where, crmf_proposal **out,
		       size_t *n);

/** How crmf_change_merge settles a field both customers have with other
 * values: take customer `id`'s value of `field` (a path: "stage",
 * "need.budget"), or of every such field when `field` is NULL. */
typedef struct crmf_combine_take {
	const char *id;
	const char *field;
} crmf_combine_take;

/** Options of crmf_change_merge; NULL means all zero. */
typedef struct crmf_combine_opts {
	const crmf_combine_take *take; /* --take */
	size_t n_take;
	const crmf_assign *set; /* --set, as crmf_change_set takes them, made on the result */
	size_t n_set;
	bool dry_run; /* the result in *merged, the report said, nothing written */
	bool draft;   /* for an editor: the fields that differ keep KEEP's value, each
			 followed by a line "# crmf merge: ID has FIELD: VALUE"; then
			 crmf_change_merge_commit */
} crmf_combine_opts;

/**
 * `crmf merge`: the customers `drops` (n ≥ 1, under customers/, each valid,
 * without uncommitted changes, none of them `keep`) merged into `keep`, by
 * splices of KEEP's file (every byte of it kept but where it grows):
 * - follow-ups of both in date order (KEEP's first on the same date), an
 *   exact repeat (the same fields and values) once; deals likewise, after
 *   KEEP's;
 * - contacts united: one with the same phone (as check and dedupe compare
 *   them) or email (in any case) as one of KEEP's is that contact, whose
 *   empty fields it fills; others are appended (not primary when KEEP has
 *   one); tags and other lists of values united;
 * - a field only a DROP has is taken; a field both have with other values
 *   is a conflict unless settled by `opts` (take, set): each one an error
 *   line in the report ("conflict: stage: …; settle it with …"), nothing
 *   changed;
 * - the DROPs' ids (and those merged into them) appended to KEEP's `merged:`.
 * Then `opts->set` is made on the result, which must be valid; KEEP written
 * and the DROPs' files removed, in ONE commit of exactly those paths
 * (`git revert` restores them). *merged (may be NULL; malloc'ed) gets the
 * result (also with dry_run and draft). 0 done (dry run: would be done),
 * CRMF_CHANGE_REFUSED (conflicts, an invalid result, a file with errors or
 * uncommitted changes), CRMF_CHANGE_UNKNOWN (no such customer, an archived
 * one, KEEP among the DROPs, an id named twice).
 */
int crmf_change_merge(crmf_change_tx *tx, const char *keep, const char *const *drops, size_t n,
		      const crmf_combine_opts *opts, char **merged, size_t *merged_len);

/** After crmf_change_merge with `draft`: commit the merge with KEEP's file
 * as `len` bytes of `buf` (the draft, edited), its "# crmf merge:" lines
 * taken out, once valid (else refused, the reasons in the report). */
int crmf_change_merge_commit(crmf_change_tx *tx, const char *buf, size_t len);

/** The path of customer `i` of the merge (0: KEEP, then the DROPs), or NULL. */
const char *crmf_change_merge_path(const crmf_change_tx *tx, size_t i);

/** After a commit: the new commit's id in hex, "" when the paths were
 * committed already as they are; NULL before. */
const char *crmf_change_oid(const crmf_change_tx *tx);

/** The commit's subject (once known). */
const char *crmf_change_subject(const crmf_change_tx *tx);

/** Why the change was saved but not committed (then the user can run
 * 'crmf commit' once that is fixed), else NULL. */
const char *crmf_change_not_committed(const crmf_change_tx *tx);

/** Whether the change wrote to the work tree. */
bool crmf_change_written(const crmf_change_tx *tx);

/**
 * What changed between two versions of a customer file (either may be
 * NULL), for a commit message, in English whatever crmf_translate_set said
 * (git's history reads alike for every user): lines as crmf_diff_docs says them (at most
 * 60, then "… and N more changes"), and the top-level fields that changed,
 * each once, into `keys` (may be NULL).
 */
void crmf_change_describe(crmf_lines *lines, crmf_lines *keys, const crmf_doc *a,
			  const crmf_doc *b);

/** The same lines as crmf_change_describe, in the language of crmf_translate_set:
 * for the user (what a commit holds, as the command prints it). */
void crmf_change_describe_user(crmf_lines *lines, const crmf_doc *a, const crmf_doc *b);

/** The id a customer file's name stands for: its last component without
 * .yaml/.yml, malloc'ed. */
char *crmf_change_path_id(const char *rel);

#endif
