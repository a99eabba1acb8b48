/* SPDX-License-Identifier: MIT */
/* Checking commits from git's objects, without a work tree: crmf check --rev and the pre-receive hook. */
#include "crmf/guard.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "crmf/check.h"
#include "crmf/commit.h"
#include "crmf/doc.h"
#include "crmf/schema.h"
#include "crmf/store.h"
#include "git_private.h"
#include "util.h"

/* --- the repository --- */

typedef struct grepo {
	git_repository *repo;
	char *prefix; /* the crmf root in the tree: "" or "sub/dir/" */
} grepo;

static void grepo_close(grepo *g)
{
	git_repository_free(g->repo);
	free(g->prefix);
	memset(g, 0, sizeof(*g));
}

/* The repository as git's commands and hooks find it (GIT_DIR, quarantined objects). */
static int open_env(git_repository **out, const char *git_dir)
{
	const git_error *err;
	int e;

	crmf_git_need();
	e = git_repository_open_ext(out, git_dir, GIT_REPOSITORY_OPEN_FROM_ENV, NULL);
	err = git_error_last();
	if (e == GIT_EOWNER ||
	    (e == GIT_ENOTFOUND && err && err->message && strstr(err->message, "safe.directory")))
		return crmf_git_owner_error(git_dir ? git_dir : ".");
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
		if (git_dir)
			return crmf_error_set("'%s' is not a git repository", git_dir);
		return crmf_error_set("not in a git repository");
	}
	if (e < 0)
		return crmf_error_set("cannot open the git repository: %s", crmf_git_msg());
	return 0;
}

/* "sub/dir/" from "./sub/dir/", "" from "." or ""; NULL for a path that leaves the tree. */
static char *root_prefix(const char *r)
{
	strbuf sb = STRBUF_INIT;

	if (r[0] == '/')
		return NULL;
	for (const char *p = r; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			sb_release(&sb);
			return NULL;
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			sb_add(&sb, p, n);
			sb_addc(&sb, '/');
		}
		p += n + (p[n] == '/');
	}
	return sb_detach(&sb);
}

/* In a work tree, the crmf root holding the current folder; else the top. */
static char *auto_prefix(git_repository *repo)
{
	const char *wd = git_repository_is_bare(repo) ? NULL : git_repository_workdir(repo);
	char *real = wd ? realpath(wd, NULL) : NULL, *root = NULL, *prefix;
	const char *rel;

	if (real && crmf_repo_discover(&root, ".") == 0 && (rel = path_below(root, real)) && *rel)
		prefix = xasprintf("%s/", rel);
	else
		prefix = xstrdup("");
	free(root);
	free(real);
	return prefix;
}

static int grepo_open(grepo *g, const crmf_rev_opts *o)
{
	memset(g, 0, sizeof(*g));
	if (open_env(&g->repo, o->git_dir) < 0)
		return -1;
	if (o->root) {
		g->prefix = root_prefix(o->root);
		if (!g->prefix) {
			grepo_close(g);
			return crmf_error_set("invalid crmf root '%s': name a folder relative to the "
					      "top of the repository",
					      o->root);
		}
	} else {
		g->prefix = auto_prefix(g->repo);
	}
	return 0;
}

/* --- one commit's files --- */

typedef struct entry {
	char *path; /* relative to the crmf root */
	git_oid id;
} entry;

typedef struct listing {
	entry *v;
	size_t n, cap;
	bool has_config;
	git_oid config;
	const char *top; /* "customers" or "archive", during a walk */
} listing;

static void listing_release(listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static bool regular(const git_tree_entry *te)
{
	git_filemode_t m = git_tree_entry_filemode(te);

	return m == GIT_FILEMODE_BLOB || m == GIT_FILEMODE_BLOB_EXECUTABLE;
}

static int walk_cb(const char *dir, const git_tree_entry *te, void *payload)
{
	listing *l = payload;
	const char *name = git_tree_entry_name(te);
	char *rel;

	if (name[0] == '.')
		return 1; /* hidden: skipped, a folder with all it holds */
	if (git_tree_entry_type(te) == GIT_OBJECT_TREE || !regular(te))
		return 0; /* links and submodules hold no customer */
	rel = xasprintf("%s/%s%s", l->top, dir, name);
	if (!crmf_is_customer_path(rel)) {
		free(rel);
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].path = rel;
	git_oid_cpy(&l->v[l->n].id, git_tree_entry_id(te));
	l->n++;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

/* crmf.yaml and the customer files of `commit` below `prefix`, sorted by path. */
static int list_commit(listing *l, git_repository *repo, const git_commit *commit,
		       const char *prefix)
{
	static const char *const tops[] = {"archive", "customers"};
	git_tree *top = NULL, *root = NULL;
	git_tree_entry *te = NULL;
	const git_tree_entry *ce;
	int rc = -1;

	memset(l, 0, sizeof(*l));
	if (git_commit_tree(&top, commit) < 0)
		return crmf_error_set("cannot read the tree of %s: %s",
				      git_oid_tostr_s(git_commit_id(commit)), crmf_git_msg());
	if (*prefix) {
		char *p = xstrndup(prefix, strlen(prefix) - 1);
		int e = git_tree_entry_bypath(&te, top, p);

		free(p);
		if (e == GIT_ENOTFOUND || (e == 0 && git_tree_entry_type(te) != GIT_OBJECT_TREE)) {
			git_error_clear();
			rc = 0; /* no crmf root in this commit: nothing to check */
			goto done;
		}
		if (e < 0 || git_tree_lookup(&root, repo, git_tree_entry_id(te)) < 0) {
			crmf_error_set("cannot read '%s' in %s: %s", prefix,
				       git_oid_tostr_s(git_commit_id(commit)), crmf_git_msg());
			goto done;
		}
	} else {
		root = top;
		top = NULL;
	}
	ce = git_tree_entry_byname(root, "crmf.yaml");
	if (ce && regular(ce)) {
		l->has_config = true;
		git_oid_cpy(&l->config, git_tree_entry_id(ce));
	}
	for (size_t t = 0; t < 2; t++) {
		const git_tree_entry *se = git_tree_entry_byname(root, tops[t]);
		git_tree *sub = NULL;

		if (!se || git_tree_entry_type(se) != GIT_OBJECT_TREE)
			continue;
		l->top = tops[t];
		if (git_tree_lookup(&sub, repo, git_tree_entry_id(se)) < 0 ||
		    git_tree_walk(sub, GIT_TREEWALK_PRE, walk_cb, l) < 0) {
			git_tree_free(sub);
			crmf_error_set("cannot read '%s%s/' in %s: %s", prefix, tops[t],
				       git_oid_tostr_s(git_commit_id(commit)), crmf_git_msg());
			goto done;
		}
		git_tree_free(sub);
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
	rc = 0;
done:
	if (rc < 0)
		listing_release(l);
	git_tree_entry_free(te);
	git_tree_free(root);
	git_tree_free(top);
	return rc;
}

/* The blob `id`, malloc'ed with room for the parser's NUL; NULL (and its size in *len)
 * for a blob over CRMF_DOC_MAX_SIZE, which is not read: a push may hold any blob. */
static int read_blob(char **out, size_t *len, git_repository *repo, const git_oid *id,
		     const char *path)
{
	git_blob *b = NULL;
	git_odb *odb = NULL;
	git_object_t type;
	size_t n;
	int e;

	*out = NULL;
	if (git_repository_odb(&odb, repo) < 0)
		return crmf_error_set("cannot read '%s': %s", path, crmf_git_msg());
	e = git_odb_read_header(&n, &type, odb, id);
	git_odb_free(odb);
	if (e < 0)
		return crmf_error_set("cannot read '%s': %s", path, crmf_git_msg());
	if (n > CRMF_DOC_MAX_SIZE) {
		*len = n;
		return 0;
	}
	if (git_blob_lookup(&b, repo, id) < 0)
		return crmf_error_set("cannot read '%s': %s", path, crmf_git_msg());
	n = (size_t)git_blob_rawsize(b);
	*out = xmalloc(n + 1);
	memcpy(*out, git_blob_rawcontent(b), n);
	(*out)[n] = '\0';
	*len = n;
	git_blob_free(b);
	return 0;
}

/* crmf_doc_parse_owned on what read_blob read; a blob it did not read is refused by its
 * size alone (crmf_doc_parse reports file-too-large before it looks at the bytes). */
static void parse_blob(crmf_doc **doc, const char *path, char *buf, size_t len,
		       crmf_diags *diags)
{
	if (!buf)
		crmf_doc_parse(doc, path, "", len, diags);
	else
		crmf_doc_parse_owned(doc, path, buf, len, diags);
}

/* --- checking a tree --- */

/* The configuration of crmf.yaml parsed as `doc` (freed; NULL or without a
 * root: the defaults), its problems in `diags`. */
static crmf_config *config_of(crmf_doc *doc, crmf_diags *diags)
{
	crmf_config *cfg = NULL;

	crmf_config_load(&cfg, doc && doc->root ? doc : NULL, diags);
	crmf_doc_free(doc);
	return cfg;
}

typedef struct file_res {
	char *path;
	git_oid id;
	crmf_customer *c; /* NULL when the file had no mapping root */
	crmf_diags d;     /* what checking the file alone found */
} file_res;

typedef struct tree_res {
	git_oid commit;
	bool has_config;
	git_oid config;
	file_res *v;
	size_t n;
	crmf_diags all; /* everything, cross-file checks too, sorted */
	size_t files;
} tree_res;

static void tree_res_release(tree_res *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].path);
		crmf_customer_free(t->v[i].c);
		crmf_diags_release(&t->v[i].d);
	}
	free(t->v);
	crmf_diags_release(&t->all);
	memset(t, 0, sizeof(*t));
}

static void diags_copy(crmf_diags *dst, const crmf_diags *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const crmf_diag *d = &src->v[i];

		crmf_diags_add(dst, d->severity, d->path, d->line, d->column, d->rule, "%s",
			       d->message);
	}
}

/* The file of `prev` at `path` when it holds the same blob. */
static file_res *same_file(tree_res *prev, const char *path, const git_oid *id)
{
	size_t lo = 0, hi = prev->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(prev->v[mid].path, path);

		if (c == 0)
			return git_oid_equal(&prev->v[mid].id, id) ? &prev->v[mid] : NULL;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Check `commit` as `crmf check` checks a work tree. The files that `prev`
 * (may be NULL) checked with the same crmf.yaml and that the commit has with
 * the same path and blob are taken over from it (it loses them), not parsed
 * again; the cross-file checks always run over the whole tree.
 */
static int check_tree(tree_res *out, git_repository *repo, const char *prefix,
		      const git_commit *commit, tree_res *prev, crmf_day today)
{
	listing l;
	crmf_config *cfg = NULL;
	crmf_customer **cs = NULL;
	size_t nc = 0;
	bool reuse;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	crmf_diags_init(&out->all);
	git_oid_cpy(&out->commit, git_commit_id(commit));
	if (list_commit(&l, repo, commit, prefix) < 0)
		return -1;
	out->has_config = l.has_config;
	git_oid_cpy(&out->config, &l.config);
	if (l.has_config) {
		crmf_doc *doc = NULL;
		char *buf;
		size_t len;

		if (read_blob(&buf, &len, repo, &l.config, "crmf.yaml") < 0)
			goto done;
		parse_blob(&doc, "crmf.yaml", buf, len, &out->all);
		cfg = config_of(doc, &out->all);
		out->files++;
	} else {
		cfg = config_of(NULL, &out->all);
	}
	reuse = prev && prev->has_config == l.has_config &&
		(!l.has_config || git_oid_equal(&prev->config, &l.config));
	out->v = xcalloc(l.n ? l.n : 1, sizeof(*out->v));
	cs = xcalloc(l.n ? l.n : 1, sizeof(*cs));
	for (size_t i = 0; i < l.n; i++) {
		file_res *f = &out->v[i], *p;

		f->path = l.v[i].path;
		l.v[i].path = NULL;
		git_oid_cpy(&f->id, &l.v[i].id);
		crmf_diags_init(&f->d);
		out->n++;
		p = reuse ? same_file(prev, f->path, &f->id) : NULL;
		if (p) {
			f->c = p->c;
			p->c = NULL;
			crmf_diags_move(&f->d, &p->d);
		} else {
			crmf_doc *doc = NULL;
			char *buf;
			size_t len;

			if (read_blob(&buf, &len, repo, &f->id, f->path) < 0)
				goto done;
			parse_blob(&doc, f->path, buf, len, &f->d);
			if (doc)
				crmf_check_customer(&f->c, doc, f->path, cfg, today, &f->d);
		}
		diags_copy(&out->all, &f->d);
		if (f->c)
			cs[nc++] = f->c;
	}
	out->files += l.n;
	crmf_check_cross(cs, nc, &out->all);
	crmf_diags_sort(&out->all);
	rc = 0;
done:
	if (rc < 0)
		tree_res_release(out);
	free(cs);
	crmf_config_free(cfg);
	listing_release(&l);
	return rc;
}

/* The commit `rev` names; 1 when it names none. */
static int resolve(git_commit **out, git_repository *repo, const char *rev)
{
	git_object *obj = NULL;
	int e = git_revparse_single(&obj, repo, rev);

	*out = NULL;
	if (e < 0 && e != GIT_ENOTFOUND && e != GIT_EAMBIGUOUS && e != GIT_EINVALIDSPEC) {
		crmf_error_set("cannot resolve '%s': %s", rev, crmf_git_msg());
		return -1;
	}
	if (e == 0 && git_object_peel((git_object **)out, obj, GIT_OBJECT_COMMIT) < 0)
		e = -1;
	git_object_free(obj);
	if (e < 0) {
		git_error_clear();
		crmf_error_set("bad revision '%s'", rev);
		return 1;
	}
	return 0;
}

int crmf_check_rev(crmf_diags *diags, size_t *files, const crmf_rev_opts *o, const char *rev)
{
	grepo g;
	git_commit *commit = NULL;
	tree_res t;
	int rc;

	*files = 0;
	if (grepo_open(&g, o) < 0)
		return -1;
	rc = resolve(&commit, g.repo, rev);
	if (rc == 0) {
		rc = check_tree(&t, g.repo, g.prefix, commit, NULL, o->today);
		if (rc == 0) {
			crmf_diags_move(diags, &t.all);
			*files = t.files;
			tree_res_release(&t);
		}
	}
	git_commit_free(commit);
	grepo_close(&g);
	return rc;
}

/* --- the index --- */

/* crmf_check_staged; the staged files into *out (*n) when out is not NULL. */
static int check_staged(crmf_diags *diags, size_t *files, crmf_staged **out, size_t *nout,
			const char *root, crmf_day today)
{
	crmf_staged *v = NULL;
	crmf_customer **cs;
	crmf_config *cfg = NULL;
	size_t n = 0, nc = 0;

	*files = 0;
	if (crmf_read_staged(&v, &n, root) != 0)
		return -1;
	cs = xcalloc(n + 1, sizeof(*cs));
	for (size_t i = 0; i < n; i++) {
		crmf_doc *doc = NULL;

		if (strcmp(v[i].path, "crmf.yaml") != 0)
			continue;
		crmf_doc_parse(&doc, v[i].path, v[i].data, v[i].len, diags);
		crmf_config_free(cfg);
		cfg = config_of(doc, diags);
		++*files;
	}
	if (!cfg)
		cfg = config_of(NULL, diags);
	for (size_t i = 0; i < n; i++) {
		crmf_doc *doc = NULL;

		if (strcmp(v[i].path, "crmf.yaml") == 0)
			continue;
		++*files;
		crmf_doc_parse(&doc, v[i].path, v[i].data, v[i].len, diags);
		if (!doc)
			continue;
		crmf_check_customer(&cs[nc], doc, v[i].path, cfg, today, diags);
		if (cs[nc])
			nc++;
	}
	crmf_check_cross(cs, nc, diags);
	crmf_diags_sort(diags);
	for (size_t i = 0; i < nc; i++)
		crmf_customer_free(cs[i]);
	free(cs);
	crmf_config_free(cfg);
	if (out) {
		*out = v;
		*nout = n;
	} else {
		crmf_staged_free(v, n);
	}
	return 0;
}

int crmf_check_staged(crmf_diags *diags, size_t *files, const char *root, crmf_day today)
{
	return check_staged(diags, files, NULL, NULL, root, today);
}

static int cmp_staged_path(const void *key, const void *elem)
{
	return strcmp(key, ((const crmf_staged *)elem)->path);
}

int crmf_check_staged_report(crmf_staged_report *out, const char *root, crmf_day today)
{
	crmf_diags all;
	crmf_staged *v = NULL;
	size_t n = 0;
	const char *last = NULL;

	memset(out, 0, sizeof(*out));
	crmf_diags_init(&out->changed);
	crmf_diags_init(&out->others);
	crmf_diags_init(&all);
	if (check_staged(&all, &out->files, &v, &n, root, today) != 0) {
		crmf_diags_release(&all);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		out->changed_files += v[i].changed;
	/* the staged files are sorted by path, as crmf_read_staged gives them */
	for (size_t i = 0; i < all.n; i++) {
		crmf_diag *d = &all.v[i];
		const crmf_staged *f = d->path ? bsearch(d->path, v, n, sizeof(*v), cmp_staged_path)
					       : NULL;
		bool mine = !d->path || !f || f->changed;

		if (!mine && d->severity == CRMF_SEV_WARNING && (!last || strcmp(last, d->path))) {
			out->other_warning_files++;
			last = d->path;
		}
		crmf_diags_add(mine ? &out->changed : &out->others, d->severity, d->path, d->line,
			       d->column, d->rule, "%s", d->message);
	}
	crmf_diags_release(&all);
	crmf_staged_free(v, n);
	return 0;
}

void crmf_staged_report_release(crmf_staged_report *r)
{
	if (!r)
		return;
	crmf_diags_release(&r->changed);
	crmf_diags_release(&r->others);
}

/* --- a push --- */

static int cmp_diag_key(const crmf_diag *a, const crmf_diag *b)
{
	int c = strcmp(a->path ? a->path : "", b->path ? b->path : "");

	if (c == 0)
		c = (int)a->severity - (int)b->severity;
	if (c == 0)
		c = crmf_diag_rule_cmp(a, b);
	if (c == 0)
		c = strcmp(a->message, b->message);
	return c;
}

static int cmp_diag_ptr(const void *a, const void *b)
{
	return cmp_diag_key(*(const crmf_diag *const *)a, *(const crmf_diag *const *)b);
}

static const crmf_diag **sorted_ptrs(const crmf_diags *d)
{
	const crmf_diag **v = xmalloc((d->n ? d->n : 1) * sizeof(*v));

	for (size_t i = 0; i < d->n; i++)
		v[i] = &d->v[i];
	qsort(v, d->n, sizeof(*v), cmp_diag_ptr);
	return v;
}

/* What `now` has and `before` (may be NULL) has not, each counted once, in `now`'s order. */
static void brought(crmf_diags *out, const crmf_diags *now, const crmf_diags *before)
{
	const crmf_diag **a, **b;
	bool *old;
	size_t i = 0, j = 0;

	if (!before || !before->n) {
		diags_copy(out, now);
		return;
	}
	a = sorted_ptrs(now);
	b = sorted_ptrs(before);
	old = xcalloc(now->n ? now->n : 1, sizeof(*old));
	while (i < now->n && j < before->n) {
		int c = cmp_diag_key(a[i], b[j]);

		if (c == 0)
			old[a[i] - now->v] = true;
		i += c <= 0;
		j += c >= 0;
	}
	for (size_t k = 0; k < now->n; k++) {
		if (!old[k]) {
			const crmf_diag *d = &now->v[k];

			crmf_diags_add(out, d->severity, d->path, d->line, d->column, d->rule, "%s",
				       d->message);
		}
	}
	free(old);
	free(a);
	free(b);
}

/* Hide from `w` every commit a ref of the repository reaches (git rev-list --not --all). */
static int hide_refs(git_revwalk *w, git_repository *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref;
	git_object *obj;
	int e;

	if (git_reference_iterator_new(&it, repo) < 0)
		return crmf_error_set("cannot list the refs: %s", crmf_git_msg());
	while ((e = git_reference_next(&ref, it)) == 0) {
		if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) == 0) {
			git_revwalk_hide(w, git_object_id(obj));
			git_object_free(obj);
		}
		git_reference_free(ref);
	}
	git_reference_iterator_free(it);
	git_error_clear();
	if (e != GIT_ITEROVER)
		return crmf_error_set("cannot list the refs");
	return 0;
}

typedef struct push_list {
	crmf_push_commit *v;
	size_t n, cap;
} push_list;

static void push_add(push_list *l, const git_commit *c, const char *ref, crmf_diags *d)
{
	const char *subject = git_commit_summary((git_commit *)c);

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	git_oid_tostr(l->v[l->n].id, sizeof(l->v[l->n].id), git_commit_id(c));
	l->v[l->n].subject = xstrdup(subject ? subject : "");
	l->v[l->n].ref = ref;
	crmf_diags_init(&l->v[l->n].diags);
	crmf_diags_move(&l->v[l->n].diags, d);
	l->n++;
}

/* The commit an update brings as its tip; 1 for a deletion or a tip that is no commit. */
static int tip(git_oid *out, git_repository *repo, const crmf_ref_update *u)
{
	git_object *obj = NULL, *peeled = NULL;

	if (git_oid_fromstr(out, u->new_id) < 0)
		return crmf_error_set("invalid object id '%s' for %s", u->new_id, u->ref);
	if (git_oid_is_zero(out))
		return 1;
	if (git_object_lookup(&obj, repo, out, GIT_OBJECT_ANY) < 0)
		return crmf_error_set("cannot read the pushed %s (%s): %s", u->new_id, u->ref,
				      crmf_git_msg());
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT) < 0) {
		git_error_clear();
		git_object_free(obj);
		return 1;
	}
	git_oid_cpy(out, git_object_id(peeled));
	git_object_free(peeled);
	git_object_free(obj);
	return 0;
}

int crmf_check_push(crmf_push_commit **out, size_t *n, size_t *checked, const crmf_rev_opts *o,
		    const crmf_ref_update *updates, size_t n_updates)
{
	grepo g;
	git_revwalk *w = NULL;
	git_oid *tips = xcalloc(n_updates ? n_updates : 1, sizeof(*tips));
	bool *has_tip = xcalloc(n_updates ? n_updates : 1, sizeof(*has_tip));
	push_list pl = {NULL, 0, 0};
	tree_res last;
	bool have_last = false;
	int rc = -1;

	*out = NULL;
	*n = *checked = 0;
	memset(&last, 0, sizeof(last));
	if (grepo_open(&g, o) < 0) {
		free(tips);
		free(has_tip);
		return -1;
	}
	if (git_revwalk_new(&w, g.repo) < 0) {
		crmf_error_set("cannot walk the history: %s", crmf_git_msg());
		goto done;
	}
	for (size_t i = 0; i < n_updates; i++) {
		git_oid id;
		int e = tip(&id, g.repo, &updates[i]);

		if (e < 0)
			goto done;
		if (e > 0)
			continue;
		git_oid_cpy(&tips[i], &id);
		has_tip[i] = true;
		git_revwalk_reset(w);
		git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
		if (git_revwalk_push(w, &id) < 0) {
			crmf_error_set("cannot walk from %s: %s", updates[i].new_id, crmf_git_msg());
			goto done;
		}
		if (hide_refs(w, g.repo) < 0)
			goto done;
		for (size_t j = 0; j < i; j++)
			if (has_tip[j])
				git_revwalk_hide(w, &tips[j]);
		while ((e = git_revwalk_next(&id, w)) == 0) {
			git_commit *c = NULL, *parent = NULL;
			tree_res now, *base = NULL;
			crmf_diags d;

			if (git_commit_lookup(&c, g.repo, &id) < 0) {
				crmf_error_set("cannot read commit %s: %s", git_oid_tostr_s(&id),
					       crmf_git_msg());
				goto done;
			}
			if (git_commit_parentcount(c) > 0) {
				const git_oid *pid = git_commit_parent_id(c, 0);

				if (!(have_last && git_oid_equal(&last.commit, pid))) {
					tree_res pres;

					if (git_commit_parent(&parent, c, 0) < 0 ||
					    check_tree(&pres, g.repo, g.prefix, parent,
						       have_last ? &last : NULL, o->today) < 0) {
						if (!parent)
							crmf_error_set("cannot read the parent of %s: %s",
								       git_oid_tostr_s(&id), crmf_git_msg());
						git_commit_free(parent);
						git_commit_free(c);
						goto done;
					}
					git_commit_free(parent);
					tree_res_release(&last);
					last = pres;
					have_last = true;
				}
				base = &last;
			}
			if (check_tree(&now, g.repo, g.prefix, c, have_last ? &last : NULL,
				       o->today) < 0) {
				git_commit_free(c);
				goto done;
			}
			crmf_diags_init(&d);
			brought(&d, &now.all, base ? &base->all : NULL);
			if (d.n)
				push_add(&pl, c, updates[i].ref, &d);
			crmf_diags_release(&d);
			tree_res_release(&last);
			last = now;
			have_last = true;
			(*checked)++;
			git_commit_free(c);
		}
		if (e != GIT_ITEROVER) {
			crmf_error_set("cannot walk from %s: %s", updates[i].new_id, crmf_git_msg());
			goto done;
		}
	}
	*out = pl.v ? pl.v : xcalloc(1, sizeof(*pl.v));
	*n = pl.n;
	pl.v = NULL;
	rc = 0;
done:
	crmf_push_free(pl.v, pl.n);
	tree_res_release(&last);
	git_revwalk_free(w);
	free(tips);
	free(has_tip);
	grepo_close(&g);
	return rc;
}

void crmf_push_free(crmf_push_commit *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].subject);
		crmf_diags_release(&v[i].diags);
	}
	free(v);
}

/* --- the hooks folder of a server --- */

int crmf_server_hooks_dir(char **out, int *bare, const char *git_dir)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_buf b = GIT_BUF_INIT;
	char *dir = NULL, *real;
	int e, rc = -1;

	*out = NULL;
	*bare = 0;
	if (open_env(&repo, git_dir) < 0)
		return -1;
	*bare = git_repository_is_bare(repo);
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		crmf_error_set("cannot read the git config: %s", crmf_git_msg());
		goto done;
	}
	e = git_config_get_path(&b, cfg, "core.hooksPath");
	if (e == 0 && !b.ptr[0]) {
		crmf_error_set("core.hooksPath is set but empty: name a folder or unset it (git "
			       "config --unset core.hooksPath)");
		goto done;
	} else if (e == 0) {
		/* relative to where git runs hooks: the git directory of a bare repository */
		const char *base = *bare ? git_repository_path(repo) : git_repository_workdir(repo);

		size_t blen = strlen(base);

		while (blen > 1 && base[blen - 1] == '/')
			blen--;
		dir = b.ptr[0] == '/' ? xstrdup(b.ptr) : xasprintf("%.*s/%s", (int)blen, base, b.ptr);
	} else if (e != GIT_ENOTFOUND) {
		crmf_error_set("cannot read core.hooksPath: %s", crmf_git_msg());
		goto done;
	} else {
		git_error_clear();
		git_buf_dispose(&b);
		if (git_repository_item_path(&b, repo, GIT_REPOSITORY_ITEM_HOOKS) < 0) {
			crmf_error_set("cannot find the git hooks folder: %s", crmf_git_msg());
			goto done;
		}
		dir = xstrdup(b.ptr);
	}
	if ((real = realpath(dir, NULL))) {
		free(dir);
		dir = real;
	} else {
		size_t len = strlen(dir);

		while (len > 1 && dir[len - 1] == '/')
			dir[--len] = '\0';
	}
	*out = dir;
	dir = NULL;
	rc = 0;
done:
	free(dir);
	git_buf_dispose(&b);
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}
