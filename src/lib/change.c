/* SPDX-License-Identifier: MIT */
/* A change of customer files: find, load, change, validate, write atomically, commit those paths.
 */
#include "crmf/change.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/check.h"
#include "crmf/classify.h"
#include "crmf/edit.h"
#include "crmf/fields.h"
#include "crmf/store.h"
#include "change_private.h"
#include "crmf/rows.h"
#include "crmf/scan.h"
#include "util.h"

/* ---- the report ---- */

static void report_add(crmf_change_tx *tx, crmf_report_kind kind, char *text)
{
	crmf_report_item *it;

	if (tx->nrep == tx->caprep) {
		tx->caprep = tx->caprep ? 2 * tx->caprep : 8;
		tx->rep = xrealloc(tx->rep, tx->caprep * sizeof(*tx->rep));
	}
	it = &tx->rep[tx->nrep++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->text = text;
}

void change_error(crmf_change_tx *tx, const char *fmt, ...)
{
	va_list ap;

	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	report_add(tx, CRMF_REPORT_ERROR, xvasprintf(fmt, ap));
	va_end(ap);
}

void change_note(crmf_change_tx *tx, const char *fmt, ...)
{
	va_list ap;

	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	report_add(tx, CRMF_REPORT_NOTE, xvasprintf(fmt, ap));
	va_end(ap);
}

void change_said(crmf_change_tx *tx, const char *fmt, ...)
{
	va_list ap;

	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	report_add(tx, CRMF_REPORT_SAID, xvasprintf(fmt, ap));
	va_end(ap);
}

/* The diagnostics of `d` (all, or the errors only), in their order. */
void change_diags(crmf_change_tx *tx, const crmf_diags *d, bool errors_only)
{
	for (size_t i = 0; i < d->n; i++) {
		const crmf_diag *x = &d->v[i];
		crmf_report_item *it;

		if (errors_only && x->severity != CRMF_SEV_ERROR)
			continue;
		report_add(tx, CRMF_REPORT_DIAG, NULL);
		it = &tx->rep[tx->nrep - 1];
		it->diag = *x;
		it->diag.path = x->path ? xstrdup(x->path) : NULL;
		it->diag.message = xstrdup(x->message ? x->message : "");
	}
}

size_t crmf_change_report(const crmf_report_item **out, const crmf_change_tx *tx)
{
	*out = tx->rep;
	return tx->nrep;
}

void crmf_change_report_clear(crmf_change_tx *tx)
{
	for (size_t i = 0; i < tx->nrep; i++) {
		free(tx->rep[i].text);
		free(tx->rep[i].diag.path);
		free(tx->rep[i].diag.message);
	}
	tx->nrep = 0;
}

/* ---- paths ---- */

char *change_fspath(const crmf_change_tx *tx, const char *rel)
{
	return xasprintf("%s/%s", crmf_repository_root(tx->repo), rel);
}

bool change_has_yaml_ext(const char *s, size_t len, size_t *stem)
{
	if (len > 5 && strcmp(s + len - 5, ".yaml") == 0) {
		*stem = len - 5;
		return true;
	}
	if (len > 4 && strcmp(s + len - 4, ".yml") == 0) {
		*stem = len - 4;
		return true;
	}
	return false;
}

char *crmf_change_path_id(const char *rel)
{
	const char *base = strrchr(rel, '/');
	size_t len, stem;

	base = base ? base + 1 : rel;
	len = strlen(base);
	if (!change_has_yaml_ext(base, len, &stem))
		stem = len;
	return xstrndup(base, stem);
}

/* ---- the change ---- */

int crmf_change_open(crmf_change_tx **out, crmf_repository *repo, const char *author,
		     crmf_day today)
{
	crmf_change_tx *tx = xcalloc(1, sizeof(*tx));

	*out = tx;
	tx->repo = repo;
	tx->author = author ? xstrdup(author) : NULL;
	tx->today = today;
	crmf_diags_init(&tx->before);
	if (crmf_repository_preflight(repo, author) != 0) {
		change_error(tx, "%s", crmf_error_last());
		return CRMF_CHANGE_REFUSED;
	}
	if (crmf_repository_config(&tx->cfg, repo) != 0) {
		change_error(tx, "%s", crmf_error_last());
		return CRMF_CHANGE_REFUSED;
	}
	if (crmf_repository_config_invalid(repo))
		change_error(tx,
			     "warning: crmf.yaml has errors (defaults apply where it is invalid); "
			     "run 'crmf check crmf.yaml'");
	return 0;
}

void crmf_change_free(crmf_change_tx *tx)
{
	if (!tx)
		return;
	crmf_change_report_clear(tx);
	free(tx->rep);
	change_moves_free(tx);
	change_merge_release(tx);
	change_new_release(tx);
	crmf_customer_free(tx->old);
	crmf_customer_free(tx->nc);
	crmf_doc_free(tx->now);
	crmf_doc_free(tx->edited_from);
	crmf_versions_release(&tx->ver);
	crmf_diags_release(&tx->before);
	free(tx->read);
	free(tx->suggestion);
	free(tx->subject);
	free(tx->not_committed);
	free(tx->rel);
	free(tx->id);
	free(tx->author);
	crmf_crypt_free(tx->crypt);
	for (size_t i = 0; tx->sealed && i < tx->nassigns; i++) {
		free(tx->sealed[i]);
		free(tx->sealed_for[i]);
	}
	free(tx->sealed);
	free(tx->sealed_for);
	if (tx->locked)
		crmf_repository_unlock(tx->repo);
	free(tx);
}

int crmf_change_lock(crmf_change_tx *tx)
{
	if (tx->locked)
		return 0;
	if (crmf_repository_lock(tx->repo, CRMF_CHANGE_LOCK_TIMEOUT_MS) != 0) {
		tx->locked = true; /* git's locks may have refused with crmf's held */
		change_error(tx, "%s", crmf_error_last());
		return CRMF_CHANGE_REFUSED;
	}
	tx->locked = true;
	return 0;
}

int crmf_change_me(char **out, char **why, crmf_change_tx *tx)
{
	return crmf_repository_me(out, why, tx->repo, tx->author);
}

const char *crmf_change_suggestion(const crmf_change_tx *tx)
{
	return tx->suggestion;
}

const char *crmf_change_path(const crmf_change_tx *tx)
{
	return tx->rel;
}

const char *crmf_change_id(const crmf_change_tx *tx)
{
	return tx->id;
}

const char *crmf_change_oid(const crmf_change_tx *tx)
{
	return tx->committed ? tx->oid : NULL;
}

const char *crmf_change_subject(const crmf_change_tx *tx)
{
	return tx->subject;
}

const char *crmf_change_not_committed(const crmf_change_tx *tx)
{
	return tx->not_committed;
}

bool crmf_change_written(const crmf_change_tx *tx)
{
	return tx->written;
}

/* ---- finding the customer ---- */

/* `arg` as a path relative to the root when it names a file inside it, else
 * NULL. Its last part is not resolved: a link is named as the link. */
static char *relative_to_root(const char *root, const char *arg)
{
	const char *slash = strrchr(arg, '/'), *base = slash ? slash + 1 : arg;
	char *dir = slash ? xstrndup(arg, (size_t)(slash - arg) + 1) : xstrdup(".");
	char *abs = realpath(dir, NULL), *rel = NULL;
	size_t n = strlen(root);

	if (abs && strncmp(abs, root, n) == 0 && (abs[n] == '/' || abs[n] == '\0') && *base)
		rel = xasprintf("%s%s%s", abs[n] ? abs + n + 1 : "", abs[n] ? "/" : "", base);
	free(abs);
	free(dir);
	return rel;
}

static void not_found(crmf_change_tx *tx, const char *arg, const crmf_file *files, size_t n)
{
	const char **ids = xcalloc(n ? n : 1, sizeof(*ids));
	char **owned = xcalloc(n ? n : 1, sizeof(*owned));
	const char *s;

	for (size_t i = 0; i < n; i++)
		ids[i] = owned[i] = crmf_change_path_id(files[i].relpath);
	s = crmf_suggest(arg, ids, n);
	if (s) {
		tx->suggestion = xstrdup(s);
		change_error(tx, "no customer '%s'; did you mean '%s'?", arg, s);
	} else {
		change_error(tx, "no customer '%s'; 'crmf list' shows the ids", arg);
	}
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(ids);
}

/* What the list says of `arg`. */
typedef struct found {
	size_t hits, wrong;
	const crmf_file *hit, *other, *elsewhere, *icase, *nested, *inside;
} found;

static void look(found *f, const crmf_file *files, size_t n, const char *arg, const char *rel,
		 unsigned where)
{
	size_t stem;

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		const crmf_file *x = &files[i];
		bool match, in = (x->archived ? CRMF_IN_ARCHIVE : CRMF_IN_CUSTOMERS) & where;
		char *id = NULL;
		size_t len = strlen(x->relpath);

		if (x->kind == CRMF_FILE_NESTED) {
			/* another repository: not ours to change */
			f->nested = x;
			if (rel && strncmp(rel, x->relpath, len) == 0 &&
			    (rel[len] == '/' || rel[len] == '\0'))
				f->inside = x;
			continue;
		}
		if (x->kind == CRMF_FILE_LINK && !change_has_yaml_ext(x->relpath, len, &stem))
			continue; /* a link to a folder */
		if (rel) {
			match = strcmp(x->relpath, rel) == 0;
		} else {
			id = crmf_change_path_id(x->relpath);
			match = strcmp(id, arg) == 0;
			if (!match && !f->icase && strcasecmp(id, arg) == 0)
				f->icase = x;
		}
		free(id);
		if (!match)
			continue;
		if (in) {
			if (f->hits++ == 0)
				f->hit = x;
			else
				f->other = x;
		} else if (f->wrong++ == 0) {
			f->elsewhere = x;
		}
	}
	if (!f->hit && !rel && f->icase && !f->wrong &&
	    ((f->icase->archived ? CRMF_IN_ARCHIVE : CRMF_IN_CUSTOMERS) & where))
		f->hit = f->icase, f->hits = 1;
}

/* The file `arg` names, relative to the root (malloc'ed), or NULL with the reason reported. */
/* An id merged into another customer (crmf merge): said, and true. */
static bool merged_note(crmf_change_tx *tx, const char *arg)
{
	crmf_scan_opts so = {.today = tx->today};
	crmf_repo *repo = NULL;
	const crmf_customer *c;
	crmf_diags d;
	bool said = false;

	crmf_diags_init(&d);
	if (crmf_repo_load(&repo, crmf_repository_root(tx->repo), &so, &d) == 0 &&
	    (c = crmf_repo_merged_into(repo, arg))) {
		change_error(tx, "customer '%s' was merged into %s (%s); give %s", arg,
			     c->id ? c->id : c->path, c->path, c->id ? c->id : c->path);
		said = true;
	}
	crmf_repo_free(repo);
	crmf_diags_release(&d);
	return said;
}

char *change_find(crmf_change_tx *tx, const char *arg, unsigned where)
{
	const char *root = crmf_repository_root(tx->repo);
	crmf_file *files = NULL;
	size_t n = 0, stem;
	char *rel = NULL, *out = NULL;
	bool by_path = strchr(arg, '/') || change_has_yaml_ext(arg, strlen(arg), &stem);
	found f;

	/* an id: look for its file by name first; list everything only for a
	 * path, a near miss (suggestions) or a case-insensitive match */
	if (!by_path && crmf_store_find(&files, &n, root, arg) == 0 && n == 0) {
		crmf_store_list_free(files, n);
		files = NULL;
	}
	if (!files && crmf_store_list(&files, &n, root) != 0) {
		change_error(tx, "%s", crmf_error_last());
		return NULL;
	}
	if (by_path) {
		rel = relative_to_root(root, arg);
		if (!rel)
			rel = xstrdup(arg);
	}
	look(&f, files, n, arg, rel, where);
	if (f.inside) {
		change_error(tx,
			     "%s is inside %s, another git repository (a submodule or nested "
			     "repository); crmf does not change files there",
			     arg, f.inside->relpath);
	} else if (f.hits > 1) {
		change_error(tx, "'%s' names two files, %s and %s; name the file", arg,
			     f.hit->relpath, f.other->relpath);
	} else if (f.hit && f.hit->kind != CRMF_FILE_REGULAR) {
		char *why = crmf_store_kind_message(root, f.hit);

		change_error(tx, "%s: %s; nothing changed", f.hit->relpath, why);
		free(why);
	} else if (f.hit) {
		out = xstrdup(f.hit->relpath);
	} else if (f.wrong) {
		if (where == CRMF_IN_CUSTOMERS)
			change_error(tx,
				     "customer '%s' is archived (%s); 'crmf restore %s' brings it "
				     "back",
				     arg, f.elsewhere->relpath, arg);
		else
			change_error(tx, "customer '%s' is not archived (%s)", arg,
				     f.elsewhere->relpath);
	} else if (by_path) {
		change_error(tx,
			     "'%s' is no customer file of this repository (they are *.yaml under "
			     "customers/ and archive/)",
			     arg);
	} else if (!merged_note(tx, arg)) {
		not_found(tx, arg, files, n);
		if (f.nested)
			change_note(tx,
				    "note: crmf does not look inside %s, another git repository (a "
				    "submodule or nested repository)",
				    f.nested->relpath);
	}
	free(rel);
	crmf_store_list_free(files, n);
	return out;
}

int crmf_change_find(crmf_change_tx *tx, const char *arg, unsigned where)
{
	char *rel = change_find(tx, arg, where);

	if (!rel)
		return CRMF_CHANGE_UNKNOWN;
	free(tx->rel);
	free(tx->id);
	tx->rel = rel;
	tx->id = crmf_change_path_id(rel);
	return 0;
}

/* ---- loading and validating ---- */

int change_load(crmf_change_tx *tx, crmf_customer **out, crmf_diags *diags, const char *rel)
{
	char *fspath = change_fspath(tx, rel);
	crmf_doc *doc = NULL;
	crmf_diags parse;

	*out = NULL;
	crmf_diags_init(&parse);
	crmf_doc_load(&doc, rel, fspath, &parse);
	free(fspath);
	if (!doc || !doc->root) {
		change_diags(tx, &parse, false);
		change_error(tx,
			     "cannot change %s until it parses; fix it with 'crmf edit' or by hand",
			     rel);
		crmf_doc_free(doc);
		crmf_diags_release(&parse);
		return CRMF_CHANGE_REFUSED;
	}
	crmf_diags_move(diags, &parse);
	crmf_diags_release(&parse);
	crmf_check_customer(out, doc, rel, tx->cfg, tx->today, diags);
	crmf_diags_sort(diags);
	if (!*out) {
		change_error(tx, "cannot read %s as a customer", rel);
		return CRMF_CHANGE_REFUSED;
	}
	return 0;
}

int crmf_change_load(crmf_change_tx *tx)
{
	crmf_customer_free(tx->old);
	tx->old = NULL;
	return change_load(tx, &tx->old, &tx->before, tx->rel);
}

static bool had_before(const crmf_diags *before, const crmf_diag *d)
{
	for (size_t i = 0; i < before->n; i++)
		if (crmf_diag_rule_cmp(&before->v[i], d) == 0 &&
		    strcmp(before->v[i].message, d->message) == 0)
			return true;
	return false;
}

int change_validate(crmf_change_tx *tx, crmf_customer **out, const char *buf, size_t len)
{
	crmf_customer *c = NULL;
	crmf_doc *doc = NULL;
	crmf_diags d;

	if (out)
		*out = NULL;
	crmf_diags_init(&d);
	crmf_doc_parse(&doc, tx->rel, buf, len, &d);
	if (doc)
		crmf_check_customer(&c, doc, tx->rel, tx->cfg, tx->today, &d);
	crmf_diags_sort(&d);
	/* every error, and the warnings the file did not have before */
	for (size_t i = 0; i < d.n; i++) {
		crmf_diags one = {&d.v[i], 1, 1, 0, 0};

		if (d.v[i].severity == CRMF_SEV_ERROR || !had_before(&tx->before, &d.v[i]))
			change_diags(tx, &one, false);
	}
	if (d.errors || !c) {
		crmf_customer_free(c);
		crmf_diags_release(&d);
		return CRMF_CHANGE_REFUSED;
	}
	crmf_diags_release(&d);
	if (out)
		*out = c;
	else
		crmf_customer_free(c);
	return 0;
}

int crmf_change_check(crmf_change_tx *tx, const char *buf, size_t len)
{
	char *sealed = NULL;
	size_t n = 0;
	int rc;

	/* what will be written: confidential values encrypted */
	if (change_seal(tx, &sealed, &n, tx->rel, buf, len, tx->edited_from) != 0)
		return CRMF_CHANGE_REFUSED;
	rc = change_validate(tx, NULL, sealed ? sealed : buf, sealed ? n : len);
	free(sealed);
	return rc;
}

/* ---- how values are written ---- */

static bool is_number(const char *s)
{
	char *end;

	if (!*s || strspn(s, "0123456789.-") != strlen(s))
		return false;
	errno = 0;
	strtod(s, &end);
	return *end == '\0' && errno == 0;
}

unsigned change_value_flags(const crmf_config *cfg, const char *path, const char *value)
{
	char shape[128];
	size_t k = 0;
	const crmf_field *sf;
	crmf_field_type t;
	crmf_day day;
	int minute;

	/* "followups[-1].due" → "followups.due" */
	for (const char *p = path; *p && k + 1 < sizeof(shape); p++) {
		if (*p == '[') {
			p = strchr(p, ']');
			if (!p)
				break;
			continue;
		}
		shape[k++] = *p;
	}
	shape[k] = '\0';
	if ((sf = crmf_field_find(shape, k))) {
		/* a field of the field table: dates, numbers and booleans unquoted */
		switch (sf->kind) {
		case CRMF_FIELD_DATETIME:
			return crmf_datetime_parse(&day, &minute, value, strlen(value)) == 0
				   ? CRMF_EDIT_RAW
				   : CRMF_EDIT_TEXT;
		case CRMF_FIELD_DATE:
			t = CRMF_FT_DATE;
			break;
		case CRMF_FIELD_NUMBER:
			t = CRMF_FT_NUMBER;
			break;
		case CRMF_FIELD_BOOL:
			t = CRMF_FT_BOOL;
			break;
		default:
			return CRMF_EDIT_TEXT;
		}
	} else {
		const crmf_field_def *f = strchr(shape, '.') ? NULL : crmf_config_field(cfg, shape);

		if (!f)
			return CRMF_EDIT_TEXT;
		t = f->type;
	}
	switch (t) {
	case CRMF_FT_DATE:
		return crmf_date_parse(&day, value, strlen(value)) == 0 ? CRMF_EDIT_RAW
									: CRMF_EDIT_TEXT;
	case CRMF_FT_NUMBER:
		return is_number(value) ? CRMF_EDIT_RAW : CRMF_EDIT_TEXT;
	case CRMF_FT_BOOL:
		return !strcmp(value, "true") || !strcmp(value, "false") ? CRMF_EDIT_RAW
									 : CRMF_EDIT_TEXT;
	default:
		return CRMF_EDIT_TEXT;
	}
}

/* ---- what changed, value by value ---- */

/* A commit message stays readable: past this many lines, only their count. */
#define MAX_CHANGE_LINES 60

static void describe(crmf_lines *lines, crmf_lines *keys, const crmf_doc *a, const crmf_doc *b)
{
	crmf_change *v = NULL;
	size_t n = 0;

	crmf_diff_docs(&v, &n, a, b, NULL);
	for (size_t i = 0; i < n; i++) {
		if (keys && v[i].field)
			crmf_lines_add_once(keys, v[i].field);
		if (i < MAX_CHANGE_LINES)
			crmf_lines_add(lines, "%s", v[i].text);
	}
	if (n > MAX_CHANGE_LINES)
		crmf_lines_add(lines, crmf_tr("… and %zu more change%s"), n - MAX_CHANGE_LINES,
			       n - MAX_CHANGE_LINES == 1 ? "" : "s");
	crmf_diff_free(v, n);
}

void crmf_change_describe(crmf_lines *lines, crmf_lines *keys, const crmf_doc *a, const crmf_doc *b)
{
	bool was = tr_english_begin();

	describe(lines, keys, a, b);
	tr_english_end(was);
}

void crmf_change_describe_user(crmf_lines *lines, const crmf_doc *a, const crmf_doc *b)
{
	describe(lines, NULL, a, b);
}

void change_describe_said(crmf_lines *out, const crmf_lines *en, const crmf_doc *a,
			  const crmf_doc *b)
{
	if (en && !crmf_translate_lang()) {
		for (size_t i = 0; i < en->n; i++)
			crmf_lines_add(out, "%s", en->v[i]);
		return;
	}
	describe(out, NULL, a, b);
}

/* ---- committing ---- */

int change_commit_paths(crmf_change_tx *tx, const crmf_commit_path *paths,
			const crmf_commit_content *content, size_t n, const crmf_commit_opts *o)
{
	crmf_commit_opts opts = *o;

	opts.author = tx->author;
	free(tx->subject);
	tx->subject = xstrdup(o->subject);
	if (crmf_repository_commit(tx->oid, tx->repo, paths, content, n, &opts) != 0) {
		const char *why = crmf_error_last();

		if (strncmp(why, "saved, not committed: ", 22) == 0)
			why += 22;
		free(tx->not_committed);
		tx->not_committed = xstrdup(why);
		return CRMF_CHANGE_REFUSED;
	}
	tx->committed = true;
	return 0;
}

int change_save_commit(crmf_change_tx *tx, const char *rel, const char *buf, size_t len,
		       const crmf_commit_opts *o)
{
	char *fspath = change_fspath(tx, rel);
	crmf_commit_path p = {rel, false};
	int rc;

	rc = crmf_store_check_path(crmf_repository_root(tx->repo), rel);
	if (rc == 0)
		rc = crmf_write_atomic(fspath, buf, len);
	free(fspath);
	if (rc != 0) {
		change_error(tx, "cannot write %s: %s; nothing changed", rel, crmf_error_last());
		return CRMF_CHANGE_REFUSED;
	}
	tx->written = true;
	return change_commit_paths(tx, &p, NULL, 1, o);
}

/* ---- the user's own edits ---- */

/* The same lines from a to b as from c to d: a change that reads alike in both places. */
static bool same_changes(const crmf_doc *a, const crmf_doc *b, const crmf_doc *c, const crmf_doc *d)
{
	crmf_change *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;
	bool same;

	crmf_diff_docs(&x, &nx, a, b, NULL);
	crmf_diff_docs(&y, &ny, c, d, NULL);
	same = nx == ny;
	for (size_t i = 0; same && i < nx; i++)
		same =
		    strcmp(x[i].text, y[i].text) == 0 &&
		    (x[i].field ? y[i].field && strcmp(x[i].field, y[i].field) == 0 : !y[i].field);
	crmf_diff_free(x, nx);
	crmf_diff_free(y, ny);
	return same;
}

/* The same bytes taken out and put in, splice by splice, in two versions. */
static bool same_splices(const crmf_edit *a, const crmf_doc *da, const crmf_edit *b,
			 const crmf_doc *db)
{
	size_t na = 0, nb = 0;
	crmf_splice *x = crmf_edit_splices(a, &na), *y = crmf_edit_splices(b, &nb);
	bool same = na == nb;

	for (size_t i = 0; same && i < na; i++)
		same = x[i].removed == y[i].removed && x[i].len == y[i].len &&
		       memcmp(da->src + x[i].offset, db->src + y[i].offset, x[i].removed) == 0 &&
		       memcmp(x[i].text, y[i].text, x[i].len) == 0;
	free(x);
	free(y);
	return same;
}

/*
 * crmf's change made again on another version of the file (the committed
 * one, the staged one) as `base`: *out its result, when it takes out and
 * puts in the same bytes there as from `was` to `now`, reads the same, and
 * leaves the user's edit between `base` and `was` reading the same: the two
 * commute. False when they touch.
 */
static bool redo_on(crmf_doc **out, crmf_change_tx *tx, const char *buf, size_t len,
		    const crmf_doc *was, const crmf_doc *now)
{
	crmf_doc *base = NULL, *doc = NULL;
	crmf_edit *e = NULL, *we = NULL;
	crmf_diags d;
	bool ok = false;

	*out = NULL;
	crmf_diags_init(&d);
	crmf_doc_parse(&base, tx->rel, buf, len, &d);
	crmf_diags_release(&d);
	if (base && base->root && tx->redo(&e, base, tx) == 0 && tx->redo(&we, was, tx) == 0 &&
	    same_splices(e, base, we, was) && crmf_edit_finish(&doc, e, NULL) == 0 &&
	    same_changes(base, doc, was, now) && same_changes(base, was, doc, now))
		ok = true;
	crmf_edit_free(we);
	crmf_edit_free(e);
	crmf_doc_free(base);
	if (ok)
		*out = doc;
	else
		crmf_doc_free(doc);
	return ok;
}

/* Errors of `buf` as the customer file, reported; warnings are the work tree's business. */
int change_check_errors(crmf_change_tx *tx, const char *buf, size_t len)
{
	crmf_customer *c = NULL;
	crmf_doc *doc = NULL;
	crmf_diags d;
	int rc;

	crmf_diags_init(&d);
	crmf_doc_parse(&doc, tx->rel, buf, len, &d);
	if (doc)
		crmf_check_customer(&c, doc, tx->rel, tx->cfg, tx->today, &d);
	crmf_diags_sort(&d);
	change_diags(tx, &d, true);
	rc = d.errors || !c ? -1 : 0;
	crmf_customer_free(c);
	crmf_diags_release(&d);
	return rc;
}

static const char KEEP_APART[] = N_("commit them first ('crmf commit') or put them aside ('git "
				    "stash', then 'git stash pop'); nothing changed");

int change_versions(crmf_change_tx *tx, crmf_versions *v, const char *rel)
{
	if (crmf_repository_read_versions(v, tx->repo, rel) != 0) {
		change_error(tx, "%s; nothing changed", crmf_error_last());
		return -1;
	}
	switch (v->state) {
	case CRMF_FILE_NEW:
		change_error(
		    tx,
		    "%s is not committed yet, and crmf commits only its own change: commit "
		    "it first ('crmf commit'); nothing changed",
		    rel);
		return -1;
	case CRMF_FILE_UNMERGED:
		change_error(tx,
			     "%s is in conflict or staged for removal in git's index: resolve that "
			     "first ('git status' says how); nothing changed",
			     rel);
		return -1;
	default:
		return 0;
	}
}

/* Save and commit the change from tx->old's document to tx->nc's, the user's own edits kept
 * out of the commit (see crmf_change_commit); `said` the lines of the report once decided. */
static int save_change(crmf_change_tx *tx, const crmf_lines *said, const crmf_commit_opts *o)
{
	const crmf_doc *was = tx->old->doc, *now = tx->nc->doc;
	crmf_versions v;
	crmf_doc *head = NULL, *staged = NULL;
	crmf_commit_content ct = {0};
	char *fspath = NULL;
	int rc = CRMF_CHANGE_REFUSED;

	if (change_versions(tx, &v, tx->rel) != 0)
		goto done;
	if (v.state == CRMF_FILE_CLEAN) {
		for (size_t i = 0; i < said->n; i++)
			change_said(tx, "%s", said->v[i]);
		rc = change_save_commit(tx, tx->rel, now->src, now->len, o);
		goto done;
	}
	if (!redo_on(&head, tx, v.head, v.head_len, was, now)) {
		change_error(tx,
			     "%s has uncommitted changes of yours that touch what this change "
			     "changes, and crmf commits only its own change: %s",
			     tx->rel, crmf_tr(KEEP_APART));
		goto done;
	}
	if (change_check_errors(tx, head->src, head->len) != 0) {
		change_error(
		    tx,
		    "the committed version of %s would not be valid with this change (your "
		    "uncommitted changes to it are left out): %s",
		    tx->rel, crmf_tr(KEEP_APART));
		goto done;
	}
	ct.data = head->src;
	ct.len = head->len;
	if (v.staged && v.staged_len == was->len && memcmp(v.staged, was->src, was->len) == 0) {
		ct.staged = now->src; /* all of the user's edit is staged */
		ct.staged_len = now->len;
	} else if (v.staged) {
		if (!redo_on(&staged, tx, v.staged, v.staged_len, was, now)) {
			change_error(tx,
				     "%s has staged changes of yours that touch what this change "
				     "changes, and crmf commits only its own change: %s",
				     tx->rel, crmf_tr(KEEP_APART));
			goto done;
		}
		ct.staged = staged->src;
		ct.staged_len = staged->len;
	}
	for (size_t i = 0; i < said->n; i++)
		change_said(tx, "%s", said->v[i]);
	fspath = change_fspath(tx, tx->rel);
	if (crmf_write_atomic(fspath, now->src, now->len) != 0) {
		change_error(tx, "cannot write %s: %s; nothing changed", tx->rel,
			     crmf_error_last());
		goto done;
	}
	tx->written = true;
	rc = change_commit_paths(tx, &(crmf_commit_path){tx->rel, false}, &ct, 1, o);
done:
	free(fspath);
	crmf_doc_free(staged);
	crmf_doc_free(head);
	crmf_versions_release(&v);
	return rc;
}

/* ---- log and set ---- */

static int append_followup(crmf_edit **out, const crmf_doc *doc, crmf_change_tx *tx)
{
	if (crmf_edit_new(out, doc) == 0 &&
	    crmf_edit_append(*out, doc->root, "followups", tx->fields, tx->nfields) == 0)
		return 0;
	crmf_edit_free(*out);
	*out = NULL;
	return -1;
}

/* Refuse `who` as a new owner or author on `day` when they have left the team. */
static int refuse_departed(crmf_change_tx *tx, const char *who, crmf_day day, const char *what)
{
	const crmf_member *gone = crmf_config_departed(tx->cfg, who, day);
	char d[11];

	if (!gone)
		return 0;
	crmf_date_format(gone->left, d);
	change_error(tx, "%s cannot be %s: they left the team on %s; choose a current member",
		     gone->id, crmf_tr(what), d);
	return -1;
}

/* --keep-next: the open next action copied into `f`; without it and without
 * a next, a note that the new follow-up answers the open one. */
static int log_next(crmf_change_tx *tx, crmf_log_entry *f, crmf_day day)
{
	const crmf_followup *open = crmf_open_next(tx->old);

	if (f->keep_next && f->next) {
		change_error(tx, "give --next or --keep-next, not both");
		return -1;
	}
	if (f->keep_next) {
		if (!open) {
			change_error(tx, "%s has no open next action to keep; nothing changed", tx->id);
			return -1;
		}
		f->next = open->next;
		f->due = NULL;
		if (open->due != CRMF_NO_DAY) {
			crmf_date_format(open->due, tx->kept_due);
			f->due = tx->kept_due;
		}
	} else if (open && !f->next && (day == CRMF_NO_DAY || day >= open->date)) {
		change_note(tx, "note: the next action '%s' is now answered (use --keep-next to keep it open)",
			    open->next);
	}
	return 0;
}

int crmf_change_log(crmf_change_tx *tx, const crmf_log_entry *f)
{
	crmf_edit_field *v = tx->fields;
	crmf_edit *e = NULL;
	size_t n = 0;
	crmf_day day;
	int minute;

	crmf_log_entry kept = *f;

	if (crmf_datetime_parse(&day, &minute, f->date, strlen(f->date)) != 0)
		day = CRMF_NO_DAY;
	if (refuse_departed(tx, f->by, day, N_("the author of a follow-up")) != 0 ||
	    log_next(tx, &kept, day) != 0)
		return CRMF_CHANGE_REFUSED;
	f = &kept;
	if (tx->old->archived)
		change_note(tx, "note: %s is archived and off the agenda; to follow it up again: crmf restore %s",
			    tx->id, tx->id);

	v[n++] = (crmf_edit_field){"date", f->date,
				   change_value_flags(tx->cfg, "followups.date", f->date)};
	v[n++] = (crmf_edit_field){"by", f->by, CRMF_EDIT_TEXT};
	v[n++] = (crmf_edit_field){"method",
				   crmf_config_input(tx->cfg, "followups.method", f->method),
				   CRMF_EDIT_TEXT};
	if (f->with)
		v[n++] = (crmf_edit_field){"with", f->with, CRMF_EDIT_TEXT};
	v[n++] = (crmf_edit_field){"summary", f->summary, CRMF_EDIT_TEXT};
	if (f->feedback)
		v[n++] = (crmf_edit_field){"feedback", f->feedback, CRMF_EDIT_TEXT};
	if (f->next)
		v[n++] = (crmf_edit_field){"next", f->next, CRMF_EDIT_TEXT};
	if (f->due)
		v[n++] = (crmf_edit_field){"due", f->due,
					   change_value_flags(tx->cfg, "followups.due", f->due)};
	tx->nfields = n;
	tx->followup = *f;
	tx->followup.method = v[2].value;
	tx->redo = append_followup;
	tx->op = CHANGE_LOG;
	crmf_doc_free(tx->now);
	tx->now = NULL;
	if (append_followup(&e, tx->old->doc, tx) != 0 ||
	    crmf_edit_finish(&tx->now, e, NULL) != 0) {
		change_error(tx, "cannot add the follow-up to %s: %s; nothing changed", tx->rel,
			     crmf_error_last());
		crmf_edit_free(e);
		return CRMF_CHANGE_REFUSED;
	}
	crmf_edit_free(e);
	return 0;
}

const crmf_crypt *change_crypt(crmf_change_tx *tx)
{
	char *why = NULL;

	if (!tx->cfg || !tx->cfg->has_confidential)
		return NULL;
	if (!tx->crypt_opened) {
		tx->crypt_opened = true;
		if (crmf_crypt_open(&tx->crypt, crmf_repository_root(tx->repo), tx->cfg, NULL,
				    &why) != 0) {
			change_error(tx, "%s", why);
			free(why);
		}
	}
	return tx->crypt;
}

int change_seal(crmf_change_tx *tx, char **out, size_t *outlen, const char *rel,
		const char *buf, size_t len, const crmf_doc *was)
{
	crmf_doc *doc = NULL;
	crmf_diags d;
	int rc = 0;

	*out = NULL;
	if (!tx->cfg || !tx->cfg->has_confidential)
		return 0;
	crmf_diags_init(&d);
	/* a file that does not parse is refused by its validation */
	if (crmf_doc_parse(&doc, rel, buf, len, &d) == 0 && doc->root &&
	    crmf_crypt_transform(out, outlen, change_crypt(tx), tx->cfg, doc, CRMF_CRYPT_SEAL,
				 was, NULL, &d) != 0) {
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].severity == CRMF_SEV_ERROR) {
				crmf_diags one = {&d.v[i], 1, 1, 1, 0};

				change_diags(tx, &one, false);
			}
		change_error(tx, "%s holds confidential values and you hold no key to encrypt "
				 "them ('crmf keys init', then a recipient runs 'crmf keys add')",
			     rel);
		rc = -1;
	}
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return rc;
}

/* The field a path of crmf set names, without its indexes: contacts[0].phone gives
 * contacts.phone. */
static void field_of_path(char *out, size_t size, const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p && n + 1 < size; p++) {
		if (*p == '[') {
			while (*p && *p != ']')
				p++;
			if (!*p)
				break;
			continue;
		}
		out[n++] = *p;
	}
	out[n] = 0;
}

/* Assignment i of a confidential field: the token to write in *val (the same for every
 * version of the file), or 1 when the field holds that value already. 0 when the field is
 * not confidential; -1 refused. */
static int seal_assign(crmf_change_tx *tx, const crmf_doc *doc, size_t i, const crmf_node *old,
		       const char **val)
{
	const crmf_node *idn = crmf_node_get(doc->root, "id");
	const char *id = idn && idn->type == CRMF_NODE_SCALAR ? idn->value : "", *why;
	const crmf_crypt *c;
	char field[128];

	if (!tx->cfg->has_confidential)
		return 0;
	field_of_path(field, sizeof(field), tx->assigns[i].key);
	if (!crmf_config_confidential(tx->cfg, field))
		return 0;
	c = change_crypt(tx);
	if (old && old->type == CRMF_NODE_SCALAR && crmf_token_like(old->value)) {
		char *was = crmf_crypt_decrypt(c, id, field, old->value, &why);
		bool same = was && strcmp(was, *val) == 0;

		free(was);
		if (same)
			return 1;
	}
	if (!tx->sealed) {
		tx->sealed = xcalloc(tx->nassigns, sizeof(*tx->sealed));
		tx->sealed_for = xcalloc(tx->nassigns, sizeof(*tx->sealed_for));
	}
	if (tx->sealed[i] && strcmp(tx->sealed_for[i], id) != 0) {
		/* set --where: another customer, another file key */
		free(tx->sealed[i]);
		free(tx->sealed_for[i]);
		tx->sealed[i] = tx->sealed_for[i] = NULL;
	}
	if (!tx->sealed[i] && (tx->sealed[i] = crmf_crypt_encrypt(c, id, field, *val, &why)))
		tx->sealed_for[i] = xstrdup(id);
	if (!tx->sealed[i]) {
		change_error(tx, "cannot encrypt '%s': %s ('crmf keys list' says which keys you hold)",
			     tx->assigns[i].key, why);
		return -1;
	}
	*val = tx->sealed[i];
	return 0;
}

static int edit_all(crmf_edit *e, const crmf_doc *doc, crmf_change_tx *tx)
{
	const crmf_assign *v = tx->assigns;

	for (size_t i = 0; i < tx->nassigns; i++) {
		crmf_edit_target t;
		const char *val;

		for (size_t k = 0; k < i; k++)
			if (strcmp(v[k].key, v[i].key) == 0) {
				change_error(tx, "'%s' is given twice", v[i].key);
				return -1;
			}
		if (strcmp(v[i].key, "id") == 0) {
			change_error(tx, "the id cannot be changed: it is the file's name");
			return -1;
		}
		if (strcmp(v[i].key, "owner") == 0 && !v[i].unset &&
		    refuse_departed(tx, v[i].value, tx->today, N_("the owner")) != 0)
			return -1;
		if (crmf_edit_find(&t, doc, v[i].key) != 0) {
			change_error(tx, "cannot %s '%s': %s", v[i].unset ? "unset" : "set",
				     v[i].key, crmf_error_last());
			return -1;
		}
		if (v[i].unset) {
			if (!t.node)
				continue; /* already absent */
			if (crmf_edit_delete(e, v[i].key) != 0) {
				change_error(tx, "cannot unset '%s': %s", v[i].key,
					     crmf_error_last());
				return -1;
			}
			continue;
		}
		if (t.node && t.node->type != CRMF_NODE_SCALAR) {
			change_error(tx,
				     "'%s' is a %s; set its items one by one (like "
				     "'contacts[0].phone=…') or use 'crmf edit'",
				     v[i].key,
				     t.node->type == CRMF_NODE_MAPPING ? "mapping" : "list");
			return -1;
		}
		val = crmf_config_input(tx->cfg, v[i].key, v[i].value); /* 意向期: intent */
		if (t.node && !crmf_node_is_null(t.node) && strcmp(t.node->value, val) == 0)
			continue; /* already so */
		switch (seal_assign(tx, doc, i, t.node, &val)) {
		case 1:
			continue; /* already so, encrypted */
		case -1:
			return -1;
		}
		if (crmf_edit_set(e, v[i].key, val, change_value_flags(tx->cfg, v[i].key, val)) !=
		    0) {
			change_error(tx, "cannot set '%s': %s", v[i].key, crmf_error_last());
			return -1;
		}
	}
	return 0;
}

int change_set_edit(crmf_edit *e, const crmf_doc *doc, crmf_change_tx *tx)
{
	return edit_all(e, doc, tx);
}

static int assign_all(crmf_edit **out, const crmf_doc *doc, crmf_change_tx *tx)
{
	if (crmf_edit_new(out, doc) == 0 && edit_all(*out, doc, tx) == 0)
		return 0;
	crmf_edit_free(*out);
	*out = NULL;
	return -1;
}

int crmf_change_set(crmf_change_tx *tx, const crmf_assign *v, size_t n)
{
	crmf_edit *e = NULL;
	int rc = CRMF_CHANGE_REFUSED;

	tx->assigns = v;
	tx->nassigns = n;
	tx->redo = assign_all;
	tx->op = CHANGE_SET;
	crmf_doc_free(tx->now);
	tx->now = NULL;
	if (crmf_edit_new(&e, tx->old->doc) != 0 || edit_all(e, tx->old->doc, tx) != 0)
		goto done;
	if (crmf_edit_count(e) == 0) {
		rc = CRMF_CHANGE_NOTHING;
		goto done;
	}
	if (crmf_edit_finish(&tx->now, e, NULL) != 0) {
		change_error(tx, "cannot change %s: %s; nothing changed", tx->rel,
			     crmf_error_last());
		goto done;
	}
	rc = 0;
done:
	crmf_edit_free(e);
	return rc;
}

/* The commit subject's summary of a set: the changes when they are short, else the fields. */
static char *set_summary(const crmf_lines *lines, const crmf_lines *keys)
{
	char *s = crmf_lines_join(lines, ", ");

	if (strlen(s) <= 100)
		return s;
	free(s);
	return crmf_lines_join(keys, ", ");
}

int crmf_change_commit(crmf_change_tx *tx)
{
	crmf_lines lines = {0}, keys = {0}, said = {0};
	char *sum = NULL, *body = NULL, *subject = NULL, *cut = NULL;
	crmf_commit_opts o = {.customer = tx->id};
	int rc;

	crmf_customer_free(tx->nc);
	tx->nc = NULL;
	if (change_validate(tx, &tx->nc, tx->now->src, tx->now->len) != 0) {
		change_error(tx, "nothing changed: %s would not be valid%s", tx->rel,
			     tx->old->errors ? crmf_tr(" (it has errors already: fix them with 'crmf edit')")
					     : "");
		return CRMF_CHANGE_REFUSED;
	}
	if (tx->op == CHANGE_LOG) {
		const crmf_log_entry *f = &tx->followup;

		cut = crmf_text_cut(f->summary, 50);
		subject = xasprintf("crmf: log %s: %s %s %s", tx->id, f->method, f->date, cut);
		crmf_lines_add(&said, crmf_tr("%s: + follow-up %s %s"), tx->id, f->date, f->method);
		o.body = strcmp(cut, f->summary) ? f->summary : NULL;
		o.action = "log";
	} else {
		crmf_lines user = {0};

		crmf_change_describe(&lines, &keys, tx->old->doc, tx->nc->doc);
		change_describe_said(&user, &lines, tx->old->doc, tx->nc->doc);
		if (lines.n == 0) {
			crmf_lines_add(&lines, "comments or layout changed");
			crmf_lines_add(&user, "%s", crmf_tr("comments or layout changed"));
		}
		sum = set_summary(&lines, &keys);
		subject = xasprintf("crmf: set %s: %s", tx->id, sum);
		body = lines.n > 1 || strcmp(sum, lines.v[0]) != 0 ? crmf_lines_join(&lines, "\n")
								   : NULL;
		for (size_t i = 0; i < user.n; i++)
			crmf_lines_add(&said, "%s: %s", tx->id, user.v[i]);
		crmf_lines_release(&user);
		o.body = body;
		o.action = "set";
	}
	o.subject = subject;
	rc = save_change(tx, &said, &o);
	crmf_lines_release(&said);
	crmf_lines_release(&lines);
	crmf_lines_release(&keys);
	free(cut);
	free(sum);
	free(body);
	free(subject);
	return rc;
}
