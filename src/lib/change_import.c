/* SPDX-License-Identifier: MIT */
/* A change of `crmf import`: the checked rows of a sheet against the repository, written in one commit. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/commit.h"
#include "crmf/scan.h"
#include "change_private.h"
#include "cross.h"
#include "util.h"

/* A key of an existing customer: its normalised name, a phone or an email. */
enum key_kind { K_NAME, K_PHONE, K_EMAIL };

struct key {
	uint64_t h;
	uint32_t tag, kind;
	size_t who;   /* index into the repository's customers (or the import's new files) */
	uint32_t sub; /* the contact it is of; K_NAME: the name's place */
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return 0;
}

/* Emails compare without case: FNV-1a of the lower-cased text. */
static crmf_cross_key email_key(const char *s)
{
	crmf_cross_key k = {14695981039346656037ull, 0};

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		k.h = (k.h ^ c) * 1099511628211ull;
		k.tag = k.tag * 31 + c;
	}
	k.tag |= 1;
	return k;
}

struct keys {
	struct key *v;
	size_t n, cap;
};

static void keys_add(struct keys *k, enum key_kind kind, crmf_cross_key ck, size_t who,
		     uint32_t sub)
{
	if (!ck.h && !ck.tag)
		return;
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 256;
		k->v = xrealloc(k->v, k->cap * sizeof(*k->v));
	}
	k->v[k->n++] = (struct key){ck.h, ck.tag, kind, who, sub};
}

static const struct key *keys_find(const struct keys *k, enum key_kind kind, crmf_cross_key ck)
{
	struct key want = {ck.h, ck.tag, kind, 0, 0};

	if ((!ck.h && !ck.tag) || !k->n)
		return NULL;
	return bsearch(&want, k->v, k->n, sizeof(*k->v), key_cmp);
}

/* A company name's key (its place in `sub`: crmf_cross_company_key) of a
 * customer in the same place or in none: 杭州云启 and 苏州云启 are two. */
static const struct key *keys_find_name(const struct keys *k, const char *name)
{
	uint32_t place = 0;
	crmf_cross_key ck = crmf_cross_company_key(name, &place);
	const struct key *hit = keys_find(k, K_NAME, ck), *end = k->v + k->n;

	if (!hit)
		return NULL;
	while (hit > k->v && key_cmp(hit - 1, hit) == 0)
		hit--;
	for (const struct key *x = hit; x < end && key_cmp(x, hit) == 0; x++)
		if (!crmf_cross_places_differ(x->sub, place))
			return x;
	return NULL;
}

static void name_key_add(struct keys *k, const char *name, size_t who)
{
	uint32_t place = 0;
	crmf_cross_key ck = crmf_cross_company_key(name, &place);

	keys_add(k, K_NAME, ck, who, place);
}

/* The cell of `row` in the column filling `field`, for a diagnostic's path. */
static char *cell_of(const crmf_import *imp, const crmf_import_row *row, const char *field)
{
	char ref[16];

	for (size_t i = 0; i < imp->n_columns; i++)
		if (imp->columns[i].field && !strcmp(imp->columns[i].field, field)) {
			crmf_cell_ref(ref, sizeof(ref), row->row, imp->columns[i].col);
			return xasprintf("%s!%s", imp->where, ref);
		}
	return xasprintf("%s!%u:%u", imp->where, row->row, row->row);
}

static const char *scalar(const crmf_node *map, const char *key)
{
	const crmf_node *n = crmf_node_get(map, key);

	return n && n->type == CRMF_NODE_SCALAR && n->len ? n->value : NULL;
}

/* The existing customer a new row probably duplicates (its index), else -1;
 * *why names the key. */
static long long duplicate_of(const struct keys *k, const crmf_doc *doc, const char **why,
			      const char **field, uint32_t *sub)
{
	const crmf_node *root = doc->root, *contacts = crmf_node_get(root, "contacts");
	const struct key *hit;
	const char *name = scalar(root, "name");

	if (name && (hit = keys_find_name(k, name))) {
		*why = N_("company name");
		*field = "name";
		return (long long)hit->who;
	}
	for (size_t i = 0; contacts && contacts->type == CRMF_NODE_SEQUENCE && i < contacts->n;
	     i++) {
		const char *phone = scalar(contacts->items[i], "phone");
		const char *email = scalar(contacts->items[i], "email");

		if (phone && (hit = keys_find(k, K_PHONE, crmf_cross_phone_key(phone)))) {
			*why = N_("phone");
			*field = "contacts.phone";
			*sub = (uint32_t)i;
			return (long long)hit->who;
		}
		if (email && (hit = keys_find(k, K_EMAIL, email_key(email)))) {
			*why = N_("email");
			*field = "contacts.email";
			*sub = (uint32_t)i;
			return (long long)hit->who;
		}
	}
	return -1;
}

static void index_customers(struct keys *k, const crmf_repo *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const crmf_customer *c = r->v[i];

		if (c->name)
			name_key_add(k, c->name, i);
		for (size_t j = 0; j < c->n_contacts; j++) {
			if (c->contacts[j].phone)
				keys_add(k, K_PHONE, crmf_cross_phone_key(c->contacts[j].phone), i,
					 (uint32_t)j);
			if (c->contacts[j].email)
				keys_add(k, K_EMAIL, email_key(c->contacts[j].email), i, (uint32_t)j);
		}
	}
	if (k->n)
		qsort(k->v, k->n, sizeof(*k->v), key_cmp);
}

/* An id and the file holding it (NULL: a row of the sheet). */
struct taken {
	char *id;
	const char *rel;
};

static int taken_cmp(const void *a, const void *b)
{
	return strcmp(((const struct taken *)a)->id, ((const struct taken *)b)->id);
}

/* Every id of the repository's files and of the sheet's rows, sorted: with
 * 100,000 rows a look-up must not walk them all. */
static struct taken *taken_ids(size_t *n, const crmf_import *imp, const crmf_file *files,
			       size_t nfiles)
{
	struct taken *v = xcalloc(nfiles + imp->n_rows + 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < nfiles; i++)
		if (files[i].kind == CRMF_FILE_REGULAR)
			v[k++] = (struct taken){crmf_change_path_id(files[i].relpath),
						files[i].relpath};
	for (size_t i = 0; i < imp->n_rows; i++)
		if (imp->rows[i].id)
			v[k++] = (struct taken){xstrdup(imp->rows[i].id), NULL};
	if (k > 1)
		qsort(v, k, sizeof(*v), taken_cmp);
	*n = k;
	return v;
}

/* The repository's file of `id` (NULL: none), and whether the id is taken at all. */
static const char *file_of(const struct taken *v, size_t n, const char *id, bool *taken)
{
	struct taken want = {(char *)id, NULL};
	const struct taken *hit = n ? bsearch(&want, v, n, sizeof(*v), taken_cmp) : NULL;

	*taken = hit != NULL;
	if (!hit)
		return NULL;
	/* equal ids sit together: look at them all for a file */
	while (hit > v && !strcmp(hit[-1].id, id))
		hit--;
	for (; hit < v + n && !strcmp(hit->id, id); hit++)
		if (hit->rel)
			return hit->rel;
	return NULL;
}

/* The import section of the YAML file `fspath` (shown as `path`) applied to map. */
static int map_from(crmf_import_map *map, const char *path, const char *fspath, bool section,
		    crmf_diags *diags)
{
	crmf_doc *doc = NULL;
	const crmf_node *node;
	int rc;

	if (crmf_doc_load(&doc, path, fspath, diags) != 0 || !doc->root) {
		crmf_doc_free(doc);
		return -1;
	}
	node = doc->root;
	if (node->type == CRMF_NODE_MAPPING && crmf_node_get(node, "import"))
		node = crmf_node_get(node, "import");
	else if (section)
		node = NULL;
	rc = crmf_import_map_load(map, node, path, diags);
	crmf_doc_free(doc);
	return rc;
}

int crmf_change_import_map(crmf_import_map **out, crmf_change_tx *tx, const char *map_file,
			   crmf_diags *diags)
{
	crmf_import_map *map = crmf_import_map_new();
	char *cfg = change_fspath(tx, "crmf.yaml");
	struct stat st;
	int rc = 0;

	*out = NULL;
	if (stat(cfg, &st) == 0 && S_ISREG(st.st_mode) &&
	    map_from(map, "crmf.yaml", cfg, true, diags) != 0)
		rc = -1;
	if (rc == 0 && map_file && map_from(map, map_file, map_file, false, diags) != 0)
		rc = -1;
	free(cfg);
	if (rc != 0) {
		crmf_import_map_free(map);
		return -1;
	}
	*out = map;
	return 0;
}

/* A file the import writes: a new customer, or an existing one updated. */
struct made {
	char *id, *rel, *buf;
	size_t len;
	uint32_t row;
	bool update;
	crmf_lines what; /* an update's changes, English (the commit's body) */
	crmf_lines said; /* the same in the run's language (the user's) */
	char *was;	 /* an updated file's bytes before, to put back on failure */
	size_t was_len;
	struct stat st; /* a new file's stat data once written */
};

/* Whether `rel` is in the folder `dir` (its part before the last '/'), so that a
 * check or mkdir of the folder done for the file before holds for it too. */
static bool same_dir(const char *dir, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	size_t n = slash ? (size_t)(slash - rel) : 0;

	return dir && strlen(dir) == n && memcmp(dir, rel, n) == 0;
}

static char *dir_of(const char *rel)
{
	const char *slash = strrchr(rel, '/');

	return xstrndup(rel, slash ? (size_t)(slash - rel) : 0);
}

/* The cell of a contact's field: its numbered column, else the first contact's. */
static char *contact_cell(const crmf_import *imp, const crmf_import_row *row, uint32_t sub,
			  const char *field)
{
	char path[40];

	snprintf(path, sizeof(path), "contacts[%u].%s", sub, field);
	for (size_t i = 0; sub && i < imp->n_columns; i++)
		if (imp->columns[i].field && !strcmp(imp->columns[i].field, path))
			return cell_of(imp, row, path);
	snprintf(path, sizeof(path), "contacts.%s", field);
	return cell_of(imp, row, path);
}

/* The keys of a new row (parsed) into `k`, as made row `who`. */
static void row_keys(struct keys *k, const crmf_doc *doc, size_t who)
{
	const crmf_node *root = doc->root, *contacts = crmf_node_get(root, "contacts");
	const char *name = scalar(root, "name");

	if (name)
		name_key_add(k, name, who);
	for (size_t i = 0; contacts && contacts->type == CRMF_NODE_SEQUENCE && i < contacts->n;
	     i++) {
		const char *phone = scalar(contacts->items[i], "phone");
		const char *email = scalar(contacts->items[i], "email");

		if (phone)
			keys_add(k, K_PHONE, crmf_cross_phone_key(phone), who, (uint32_t)i);
		if (email)
			keys_add(k, K_EMAIL, email_key(email), who, (uint32_t)i);
	}
}

static int key_who_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = key_cmp(a, b);

	return c ? c : (x->who > y->who) - (x->who < y->who);
}

static const char *const kind_word[] = {N_("company name"), N_("phone"), N_("email")};

/*
 * New rows that duplicate each other: the later row is reported at its cell,
 * naming the earlier one (an error, or with allow a warning).
 */
static void duplicate_rows(const crmf_import *imp, struct keys *k, const struct made *made,
			   const size_t *row_of, size_t nmade, bool allow, crmf_diags *diags)
{
	bool *told = xcalloc(nmade + 1, sizeof(*told));

	if (k->n)
		qsort(k->v, k->n, sizeof(*k->v), key_who_cmp);
	for (size_t i = 1, start = 0; i < k->n; i++) {
		const struct key *first, *x = &k->v[i];
		const crmf_import_row *row;
		char *at;

		if (key_cmp(x - 1, x) != 0)
			start = i;
		/* the first earlier key of the run, of a name in no other place */
		first = &k->v[start];
		while (first < x && x->kind == K_NAME && crmf_cross_places_differ(first->sub, x->sub))
			first++;
		if (first->who == x->who || told[x->who])
			continue;
		told[x->who] = true;
		row = &imp->rows[row_of[x->who]];
		at = x->kind == K_NAME ? cell_of(imp, row, "name")
				       : contact_cell(imp, row, x->sub,
						      x->kind == K_PHONE ? "phone" : "email");
		if (imp->rows[row_of[first->who]].id && row->id)
			/* both rows give their id: the sheet says they are two customers
			 * (an export of a repository holding a duplicate): as check says it */
			crmf_diags_add(diags, CRMF_SEV_WARNING, at, 0, 0, "import-duplicate",
				       "probable duplicate of row %u (the same %s), imported as "
				       "another customer as its id says; merge them if they are one",
				       made[first->who].row, crmf_tr(kind_word[x->kind]));
		else if (allow)
			crmf_diags_add(diags, CRMF_SEV_WARNING, at, 0, 0, "import-duplicate",
				       "probable duplicate of row %u (the same %s); imported "
				       "anyway (--allow-duplicates)",
				       made[first->who].row, crmf_tr(kind_word[x->kind]));
		else
			crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, "import-duplicate",
				       "probable duplicate of row %u (the same %s); give the rows "
				       "one id, leave one out, or import with --allow-duplicates",
				       made[first->who].row, crmf_tr(kind_word[x->kind]));
		free(at);
	}
	free(told);
}

static int customer_path_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(crmf_customer *const *)elem)->path);
}

/* The repository's customer of the file `rel`, or NULL. */
static const crmf_customer *customer_at(const crmf_repo *r, const char *rel)
{
	crmf_customer *const *c =
		r->n ? bsearch(rel, r->v, r->n, sizeof(*r->v), customer_path_cmp) : NULL;

	return c ? *c : NULL;
}

/*
 * What `row` changes in the existing customer `c` (the file `rel`): into
 * *m when it changes something (checked: valid, committed, editable), else
 * m->buf NULL. -1 when the row cannot be applied: the reason in diags at the
 * row's id cell.
 */
static int plan_update(crmf_change_tx *tx, const crmf_import *imp, const crmf_import_row *row,
		       const crmf_customer *c, const char *rel, struct made *m, crmf_diags *diags)
{
	crmf_import_changes ch;
	char *at = cell_of(imp, row, "id");
	crmf_diags cd;
	crmf_doc *doc = NULL;
	crmf_customer *nc = NULL;
	crmf_versions v;
	int rc = -1;

	crmf_diags_init(&cd);
	memset(&ch, 0, sizeof(ch));
	if (!c || !c->doc) {
		crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, "import-update",
			       "'%s' cannot be updated: %s cannot be read as a customer", row->id, rel);
		goto done;
	}
	if (crmf_import_update(&ch, imp, row, c->doc) != 0) {
		crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, "import-update",
			       "'%s' (%s): %s", row->id, rel, crmf_error_last());
		goto done;
	}
	if (!ch.buf) {
		rc = 0;
		goto done;
	}
	if (c->errors) {
		crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, "import-update",
			       "'%s' cannot be updated: %s has errors; fix them first (crmf check "
			       "%s)", row->id, rel, rel);
		goto done;
	}
	crmf_doc_parse(&doc, rel, ch.buf, ch.len, &cd);
	if (doc)
		crmf_check_customer(&nc, doc, rel, tx->cfg, tx->today, &cd);
	if (cd.errors || !nc) {
		for (size_t i = 0; i < cd.n; i++)
			if (cd.v[i].severity == CRMF_SEV_ERROR)
				crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, cd.v[i].rule,
					       "'%s' updated from this row would be invalid: %s "
					       "(%s:%d)",
					       row->id, cd.v[i].message, rel, cd.v[i].line);
		if (!cd.errors)
			crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, "import-update",
				       "'%s' updated from this row would be invalid", row->id);
		goto done;
	}
	if (change_versions(tx, &v, rel) != 0)
		goto done;
	if (v.state != CRMF_FILE_CLEAN) {
		crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, "import-update",
			       "'%s' has uncommitted changes (%s): commit them first ('crmf "
			       "commit'), then import again",
			       row->id, rel);
		crmf_versions_release(&v);
		goto done;
	}
	crmf_versions_release(&v);
	m->id = xstrdup(row->id);
	m->rel = xstrdup(rel);
	m->buf = ch.buf;
	m->len = ch.len;
	m->row = row->row;
	m->update = true;
	m->what = ch.what;
	m->said = ch.said;
	memset(&ch, 0, sizeof(ch));
	rc = 0;
done:
	crmf_customer_free(nc);
	crmf_diags_release(&cd);
	crmf_import_changes_release(&ch);
	free(at);
	return rc;
}

static void progress(const crmf_change_import_opts *o, crmf_import_phase ph, size_t done,
		     size_t n)
{
	if (o->progress)
		o->progress(o->progress_ctx, ph, done, n);
}

int crmf_change_import(crmf_change_tx *tx, const crmf_import *imp, const char *source,
		       const crmf_change_import_opts *opt, crmf_import_counts *counts,
		       crmf_diags *diags)
{
	static const crmf_change_import_opts defaults = {0};
	const crmf_change_import_opts *o = opt ? opt : &defaults;
	const char *root = crmf_repository_root(tx->repo);
	crmf_file *files = NULL;
	size_t nfiles = 0, nmade = 0, written = 0;
	struct made *made = xcalloc(imp->n_rows + 1, sizeof(*made));
	size_t *row_of = xcalloc(imp->n_rows + 1, sizeof(*row_of));
	crmf_repo *r = NULL;
	crmf_diags scan;
	struct keys k = {0}, nk = {0};
	struct taken *ids = NULL;
	size_t nids = 0;
	char **fresh = NULL;
	/* the fresh ids are past every file's; only the sheet's own ids can take them */
	size_t nfresh = imp->n_rows + 1, next_fresh = 0;
	bool years;
	int rc = CRMF_CHANGE_REFUSED;
	size_t errors_before = diags->errors;
	crmf_write_batch *batch = NULL;
	char *checked_dir = NULL, *made_dir = NULL;

	memset(counts, 0, sizeof(*counts));
	crmf_diags_init(&scan);
	if (crmf_store_list(&files, &nfiles, root) != 0) {
		change_error(tx, "%s", crmf_error_last());
		goto done;
	}
	ids = taken_ids(&nids, imp, files, nfiles);
	/* a row of a new id must give every required field */
	for (size_t i = 0; i < imp->n_rows; i++) {
		const crmf_import_row *row = &imp->rows[i];
		bool taken;

		if (row->held.n && !file_of(ids, nids, row->id, &taken))
			for (size_t j = 0; j < row->held.n; j++)
				crmf_diags_add(diags, row->held.v[j].severity, row->held.v[j].path, 0,
					       0, row->held.v[j].rule, "%s", row->held.v[j].message);
	}
	if (imp->errors || diags->errors > errors_before) {
		size_t n = imp->errors + diags->errors - errors_before;

		change_error(tx, "%zu error%s in %s; nothing imported", n, n == 1 ? "" : "s",
			     source);
		goto done;
	}
	if (!o->dry_run && crmf_change_lock(tx) != 0)
		goto done;
	if (crmf_repo_load(&r, root, &(crmf_scan_opts){.today = tx->today}, &scan) != 0) {
		change_error(tx, "%s", crmf_error_last());
		goto done;
	}
	index_customers(&k, r);
	years = change_year_folders(files, nfiles);
	for (size_t i = 0; i < imp->n_rows; i++) {
		const crmf_import_row *row = &imp->rows[i];
		bool taken;
		const char *rel = row->id ? file_of(ids, nids, row->id, &taken) : NULL;
		crmf_doc *doc = NULL;
		const char *why = NULL, *field = NULL;
		uint32_t sub = 0;
		long long dup;

		if (i % 1024 == 0 || i + 1 == imp->n_rows)
			progress(o, CRMF_IMPORT_COMPARING, i + 1, imp->n_rows);
		if (rel) {
			struct made *m = &made[nmade];

			if (plan_update(tx, imp, row, customer_at(r, rel), rel, m, diags) != 0)
				continue;
			if (!m->buf) {
				counts->unchanged++;
				change_said(tx, "%s: unchanged (row %u)", row->id, row->row);
			} else if (o->no_update) {
				counts->skipped++;
				change_said(tx, "%s: exists, skipped (row %u; %zu change%s not made)",
					    row->id, row->row, m->what.n, m->what.n == 1 ? "" : "s");
				free(m->id);
				free(m->rel);
				free(m->buf);
				crmf_lines_release(&m->what);
				crmf_lines_release(&m->said);
				memset(m, 0, sizeof(*m));
			} else {
				row_of[nmade++] = i;
			}
			continue;
		}
		crmf_diags_release(&scan);
		crmf_diags_init(&scan);
		if (crmf_doc_parse(&doc, "import", row->yaml, row->len, &scan) != 0 || !doc->root) {
			crmf_doc_free(doc);
			continue;
		}
		dup = duplicate_of(&k, doc, &why, &field, &sub);
		if (dup >= 0) {
			const crmf_customer *c = r->v[dup];
			crmf_import_changes ch;
			char *at;

			/* a row without id imported before: nothing new for the customer it made */
			if (!row->id && c->doc && crmf_import_update(&ch, imp, row, c->doc) == 0) {
				bool same = !ch.buf;

				crmf_import_changes_release(&ch);
				if (same) {
					counts->unchanged++;
					change_said(tx, "%s: unchanged (row %u)",
						    c->id ? c->id : c->path, row->row);
					crmf_doc_free(doc);
					continue;
				}
			}
			at = strcmp(field, "name") == 0 ? cell_of(imp, row, "name")
							: contact_cell(imp, row, sub, field + 9);
			if (o->allow_duplicates)
				crmf_diags_add(diags, CRMF_SEV_WARNING, at, 0, 0, "import-duplicate",
					       "probable duplicate of %s (%s): the same %s; imported "
					       "anyway (--allow-duplicates)",
					       c->id ? c->id : c->path, c->path, crmf_tr(why));
			else
				crmf_diags_add(diags, CRMF_SEV_ERROR, at, 0, 0, "import-duplicate",
					       "probable duplicate of %s (%s): the same %s; give that "
					       "customer's id in the row, leave the row out, or import "
					       "with --allow-duplicates",
					       c->id ? c->id : c->path, c->path, crmf_tr(why));
			free(at);
			if (!o->allow_duplicates) {
				crmf_doc_free(doc);
				continue;
			}
		}
		row_keys(&nk, doc, nmade);
		crmf_doc_free(doc);
		made[nmade].row = row->row;
		row_of[nmade] = i;
		if (row->id) {
			made[nmade].id = xstrdup(row->id);
		} else {
			/* enough ids for every row, however many the sheet's own ids take */
			if (!fresh && !(fresh = change_next_ids(tx, files, nfiles, nfresh)))
				goto done;
			for (;;) {
				if (next_fresh >= nfresh) {
					change_error(tx, "no free id left; nothing imported");
					goto done;
				}
				file_of(ids, nids, fresh[next_fresh], &taken);
				if (!taken) {
					made[nmade].id = fresh[next_fresh++];
					break;
				}
				free(fresh[next_fresh]);
				fresh[next_fresh++] = NULL;
			}
		}
		if (row->id) {
			made[nmade].buf = xstrdup(row->yaml);
			made[nmade].len = row->len;
		} else {
			made[nmade].buf =
			    crmf_import_render(imp, row, made[nmade].id, &made[nmade].len);
		}
		made[nmade].rel = change_path_for(made[nmade].id, years, tx->today);
		nmade++;
	}
	duplicate_rows(imp, &nk, made, row_of, nmade, o->allow_duplicates, diags);
	if (diags->errors > errors_before) {
		change_error(tx, "%zu error%s; nothing imported", diags->errors - errors_before,
			     diags->errors - errors_before == 1 ? "" : "s");
		goto done;
	}
	for (size_t i = 0; i < nmade; i++) {
		char *fs = change_fspath(tx, made[i].rel);
		struct stat st;
		bool exists;

		if (made[i].update) {
			counts->updated++;
			change_said(tx, "%s: %s %s (row %u)", made[i].id,
				    o->dry_run ? crmf_tr("would update") : crmf_tr("updated"), made[i].rel, made[i].row);
			for (size_t j = 0; j < made[i].said.n; j++)
				change_said(tx, "  %s", made[i].said.v[j]);
			free(fs);
			continue;
		}
		/* the folder's components checked once for all its files (100,000
		 * rows share a few folders); the file itself each time */
		exists = lstat(fs, &st) == 0;
		if ((exists || !same_dir(checked_dir, made[i].rel)) &&
		    crmf_store_check_path(root, made[i].rel) != 0) {
			change_error(tx, "%s; nothing imported", crmf_error_last());
			free(fs);
			goto done;
		}
		if (exists) {
			change_error(tx, "%s exists already; nothing imported", made[i].rel);
			free(fs);
			goto done;
		}
		if (!same_dir(checked_dir, made[i].rel)) {
			free(checked_dir);
			checked_dir = dir_of(made[i].rel);
		}
		free(fs);
		counts->created++;
		change_said(tx, "%s: %s %s (row %u)", made[i].id,
			    o->dry_run ? crmf_tr("would create") : crmf_tr("created"), made[i].rel, made[i].row);
	}
	if (!nmade) {
		rc = CRMF_CHANGE_NOTHING;
		goto done;
	}
	if (o->dry_run) {
		rc = 0;
		goto done;
	}
	/* confidential values (crmf.yaml confidential:) written encrypted */
	for (size_t i = 0; i < nmade; i++) {
		char *sealed = NULL;
		size_t n = 0;

		if (change_seal(tx, &sealed, &n, made[i].rel, made[i].buf, made[i].len, NULL) != 0) {
			change_error(tx, "nothing imported");
			goto done;
		}
		if (sealed) {
			free(made[i].buf);
			made[i].buf = sealed;
			made[i].len = n;
		}
	}
	batch = crmf_write_batch_new(root);
	for (; written < nmade; written++) {
		struct made *m = &made[written];
		char *fs = change_fspath(tx, m->rel);
		int w;

		if (written % 1024 == 0)
			progress(o, CRMF_IMPORT_WRITING, written, nmade);
		if (m->update) {
			w = crmf_doc_read(&m->was, &m->was_len, fs) == 0
				? 0
				: crmf_error_set("cannot read it: %s", errtext(errno));
			if (w == 0)
				w = crmf_write_atomic_batch(fs, m->buf, m->len);
		} else {
			w = 0;
			if (!same_dir(made_dir, m->rel)) {
				w = change_make_dirs(tx, m->rel);
				free(made_dir);
				made_dir = w == 0 ? dir_of(m->rel) : NULL;
			}
			if (w == 0)
				w = crmf_write_batch_add(batch, fs, m->buf, m->len, &m->st);
		}
		free(fs);
		if (w != 0) {
			change_error(tx, "cannot write %s: %s; nothing imported", m->rel,
				     crmf_error_last());
			goto undo;
		}
	}
	progress(o, CRMF_IMPORT_WRITING, nmade, nmade);
	crmf_write_batch_free(batch);
	batch = NULL;
	if (crmf_write_batch_sync(root) != 0) {
		change_error(tx, "%s; nothing imported", crmf_error_last());
		goto undo;
	}
	tx->written = true;
	progress(o, CRMF_IMPORT_COMMITTING, 0, 1);
	{
		crmf_commit_path *paths = xcalloc(nmade, sizeof(*paths));
		crmf_commit_content *content = xcalloc(nmade, sizeof(*content));
		crmf_lines body = {0}, names = {0};
		const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
		char *subject = xasprintf("crmf: import %zu customer%s from %s (%zu created, %zu "
					  "updated)",
					  nmade, nmade == 1 ? "" : "s", base, counts->created,
					  counts->updated);
		char *text, *list;

		for (size_t i = 0; i < nmade; i++) {
			const char *id = made[i].id;

			paths[i] = (crmf_commit_path){made[i].rel, false};
			/* the bytes just written, hashed without reading them back; an
			 * updated file is read (written the ordinary way) */
			if (!made[i].update)
				content[i] = (crmf_commit_content){made[i].buf, made[i].len, NULL, 0,
								   &made[i].st};
			crmf_lines_add(&names, "%s", id);
			if (i < 200) {
				const crmf_lines *w = &made[i].what;

				crmf_lines_add(&body, "%s: %s %s (row %u of %s)", id,
					       made[i].update ? "updated" : "created", made[i].rel,
					       made[i].row, source);
				for (size_t j = 0; j < w->n && j < 8; j++)
					crmf_lines_add(&body, "  %s", w->v[j]);
				if (w->n > 8)
					crmf_lines_add(&body, "  … and %zu more changes", w->n - 8);
			} else if (i == 200) {
				crmf_lines_add(&body, "… and %zu more", nmade - 200);
			}
		}
		text = crmf_lines_join(&body, "\n");
		list = crmf_lines_join(&names, ", ");
		rc = change_commit_paths(tx, paths, content, nmade,
					 &(crmf_commit_opts){.subject = subject,
							     .body = text,
							     .action = "import",
							     .customer = list});
		free(list);
		free(text);
		free(subject);
		crmf_lines_release(&body);
		crmf_lines_release(&names);
		free(paths);
		free(content);
	}
	progress(o, CRMF_IMPORT_COMMITTING, 1, 1);
	goto done;
undo:
	crmf_write_batch_free(batch);
	batch = NULL;
	/* nothing half done: new files go again, updated ones get their bytes back */
	while (written-- > 0) {
		char *fs = change_fspath(tx, made[written].rel);

		if (made[written].update)
			crmf_write_atomic(fs, made[written].was, made[written].was_len);
		else
			unlink(fs);
		free(fs);
	}
done:
	crmf_write_batch_free(batch);
	free(checked_dir);
	free(made_dir);
	for (size_t i = 0; i < nmade; i++) {
		free(made[i].id);
		free(made[i].rel);
		free(made[i].buf);
		free(made[i].was);
		crmf_lines_release(&made[i].what);
		crmf_lines_release(&made[i].said);
	}
	free(made);
	free(row_of);
	if (fresh)
		for (size_t i = next_fresh; i < nfresh; i++)
			free(fresh[i]);
	free(fresh);
	for (size_t i = 0; i < nids; i++)
		free(ids[i].id);
	free(ids);
	free(k.v);
	free(nk.v);
	crmf_repo_free(r);
	crmf_diags_release(&scan);
	crmf_store_list_free(files, nfiles);
	return rc;
}
