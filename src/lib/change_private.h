/* SPDX-License-Identifier: MIT */
/* What the parts of a change (change.c, change_new.c, change_move.c) share (private to libcrmf). */
#ifndef CRMF_CHANGE_PRIVATE_H
#define CRMF_CHANGE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/change.h"
#include "crmf/check.h"
#include "crmf/commit.h"
#include "crmf/crypt.h"
#include "crmf/edit.h"
#include "crmf/store.h"
#include "crmf/text.h"

/* Makes the change's edit on a version of the file (the loaded one, HEAD's, the staged one). */
typedef int change_redo_fn(crmf_edit **out, const crmf_doc *doc, crmf_change_tx *tx);

enum change_op { CHANGE_NONE, CHANGE_LOG, CHANGE_SET };

struct crmf_change_tx {
	crmf_repository *repo;
	const crmf_config *cfg; /* the repository's */
	char *author;
	crmf_day today;
	bool locked;
	bool strict; /* crmf_change_strict */
	crmf_report_item *rep;
	size_t nrep, caprep;
	char *suggestion;
	/* the customer */
	char *rel, *id;
	crmf_customer *old; /* as loaded (crmf_change_load) */
	crmf_diags before;  /* its diagnostics */
	crmf_doc *now;	    /* the change made on it, not yet validated */
	crmf_customer *nc;  /* validated */
	/* the operation, made again on other versions by `redo` */
	enum change_op op;
	change_redo_fn *redo;
	crmf_edit_field fields[8];
	size_t nfields;
	crmf_log_entry followup;
	char kept_due[11]; /* the due date --keep-next copies */
	const crmf_assign *assigns;
	size_t nassigns;
	/* crmf edit */
	char *read; /* the file as read before the editor */
	size_t read_len;
	crmf_doc *edited_from;
	crmf_versions ver;
	/* crmf new */
	struct change_new *draft;
	/* crmf archive, crmf restore */
	crmf_move *moves;
	crmf_versions *ver_moves; /* the user's own edits of each move's file */
	size_t nmoves;
	const char *action;
	/* confidential fields (crmf.yaml confidential:): the keys, opened on first use */
	crmf_crypt *crypt;
	bool crypt_opened;
	char **sealed; /* per assignment: the token written, so every version gets the same */
	char **sealed_for; /* the id of the customer each was made for */
	bool opened;	   /* crmf edit: the buffer holds decrypted values */
	/* crmf merge (change_merge.c) */
	struct change_merge *merge;
	/* the commit */
	bool committed, written;
	char oid[41];
	char *subject, *not_committed;
};

void change_error(crmf_change_tx *tx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void change_note(crmf_change_tx *tx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The lines of crmf_change_describe in the run's language, for the user, appended to
 * `out`; `en`, when given, the English ones already made for the commit (taken as
 * they are when the run is English). */
void change_describe_said(crmf_lines *out, const crmf_lines *en, const crmf_doc *a,
			  const crmf_doc *b);
void change_said(crmf_change_tx *tx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void change_diags(crmf_change_tx *tx, const crmf_diags *d, bool errors_only);

char *change_fspath(const crmf_change_tx *tx, const char *rel);
/* The keys of the confidential fields (NULL without `confidential:`, or when they cannot be
 * read: then in the report). */
const crmf_crypt *change_crypt(crmf_change_tx *tx);
/* `len` bytes of a customer file with its plain confidential values encrypted (those the
 * file `was` holds keep their token): *out malloc'ed, or NULL when nothing changes. -1
 * when a value cannot be encrypted (no key), said in the report. */
int change_seal(crmf_change_tx *tx, char **out, size_t *outlen, const char *rel,
		const char *buf, size_t len, const crmf_doc *was);
bool change_has_yaml_ext(const char *s, size_t len, size_t *stem);
char *change_find(crmf_change_tx *tx, const char *arg, unsigned where);
int change_load(crmf_change_tx *tx, crmf_customer **out, crmf_diags *diags, const char *rel);
/* Errors of `buf` as the customer file tx->rel, reported (warnings are not). */
int change_check_errors(crmf_change_tx *tx, const char *buf, size_t len);
int change_validate(crmf_change_tx *tx, crmf_customer **out, const char *buf, size_t len);
unsigned change_value_flags(const crmf_config *cfg, const char *path, const char *value);
int change_versions(crmf_change_tx *tx, crmf_versions *v, const char *rel);
int change_commit_paths(crmf_change_tx *tx, const crmf_commit_path *paths,
			const crmf_commit_content *content, size_t n, const crmf_commit_opts *o);
int change_save_commit(crmf_change_tx *tx, const char *rel, const char *buf, size_t len,
		       const crmf_commit_opts *o);
/* Create the folders of `rel` below the root; -1 reported. */
int change_make_dirs(crmf_change_tx *tx, const char *rel);

/* The next free id of id_format for the change's day, `skip` numbers further
 * (the second of two new ids: 1); malloc'ed, NULL with the reason reported. */
char *change_next_id(crmf_change_tx *tx, const crmf_file *files, size_t n, long long skip);
/* The next `count` free ids (1 or more), as change_next_id with skip 0, 1, …; NULL reported. */
char **change_next_ids(crmf_change_tx *tx, const crmf_file *files, size_t n, size_t count);
/* Whether most customer files sit in year folders; where a new id's file goes. */
bool change_year_folders(const crmf_file *files, size_t n);
char *change_path_for(const char *id, bool years, crmf_day today);

/* Many customers changed at once (change_batch.c): each file made, checked
 * and held; then all written and committed as one commit, or none. */
struct change_batch_item {
	char *rel, *id;
	crmf_doc *now;	 /* the new bytes */
	crmf_lines said; /* what to tell the user about it */
};
struct change_batch {
	struct change_batch_item *v;
	size_t n;
};
/* Makes the change on one customer's edit; -1 with the reason reported. */
typedef int change_batch_edit(crmf_edit *e, const crmf_customer *c, void *ctx);
/* Add customer `c` (under customers/, with its document) changed by `fn`:
 * 0 added, CRMF_CHANGE_NOTHING when `fn` changed nothing, -1 reported (a
 * file with uncommitted changes, an invalid result). */
int change_batch_add(crmf_change_tx *tx, struct change_batch *b, const crmf_customer *c,
		     change_batch_edit *fn, void *ctx);
/* A line to say about the item added last. */
void change_batch_said(struct change_batch *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Every item's lines into the report (a dry run). */
void change_batch_show(crmf_change_tx *tx, const struct change_batch *b);
/* Write every file, say each item's lines, commit them as one commit; `body`
 * NULL lists the ids, one a line. */
int change_batch_commit(crmf_change_tx *tx, const struct change_batch *b, const char *subject,
			const char *action, const char *body);
void change_batch_release(struct change_batch *b);

/* The edits of tx->assigns (crmf_change_set's) on `doc` into `e`; -1 reported. */
int change_set_edit(crmf_edit *e, const crmf_doc *doc, crmf_change_tx *tx);

void change_moves_free(crmf_change_tx *tx);
void change_merge_release(crmf_change_tx *tx);
void change_new_release(crmf_change_tx *tx);

#endif
