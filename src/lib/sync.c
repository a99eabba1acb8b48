/* SPDX-License-Identifier: MIT */
/* Working as a team: the merge driver's setup, crmf's merge inside libgit2, and `crmf sync`. */
#include "crmf/store.h"
#include "crmf/sync.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "crmf/check.h"
#include "crmf/commit.h"
#include "crmf/diff.h"
#include "crmf/doc.h"
#include "crmf/schema.h"
#include "git_private.h"
#include "gitfilter.h"
#include "sync_private.h"
#include "util.h"

/* Attempts at authenticating before giving up (libgit2 asks again after each failure). */
#define AUTH_TRIES 3

static const char NO_IDENTITY[] = N_("no git identity: set it with git config --global "
				     "user.name 'Your Name' and git config --global user.email "
				     "you@example.com");

bool sy_is_customer_path(const char *rel)
{
	size_t n = strlen(rel);

	if (strncmp(rel, "customers/", 10) != 0 && strncmp(rel, "archive/", 8) != 0)
		return false;
	return is_yaml_name(rel, n);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

void sy_repo_close(repo *r)
{
	git_repository_free(r->git);
	free(r->root);
	free(r->workdir);
	free(r->prefix);
	memset(r, 0, sizeof(*r));
}

int sy_repo_open(repo *r, const char *root)
{
	size_t n;
	int e;

	memset(r, 0, sizeof(*r));
	if (!(r->root = realpath(root, NULL)))
		return crmf_error_set("cannot access '%s': %s", root, strerror(errno));
	e = crmf_git_open(&r->git, r->root);
	if (e == GIT_EOWNER) {
		crmf_git_owner_error(r->root);
		goto fail;
	}
	if (e < 0) {
		crmf_error_set(e == GIT_ENOTFOUND ? N_("not in a git repository: '%s'")
						  : N_("cannot open the git repository at '%s': %s"),
			       r->root, crmf_git_msg());
		goto fail;
	}
	if (git_repository_is_bare(r->git) || !git_repository_workdir(r->git)) {
		crmf_error_set("'%s' is a bare git repository; crmf needs a clone with a work tree",
			       git_repository_path(r->git));
		goto fail;
	}
	if (!(r->workdir = realpath(git_repository_workdir(r->git), NULL))) {
		crmf_error_set("cannot access '%s': %s", git_repository_workdir(r->git),
			       strerror(errno));
		goto fail;
	}
	n = strlen(r->workdir);
	if (strncmp(r->root, r->workdir, n) != 0 || (r->root[n] != '\0' && r->root[n] != '/')) {
		crmf_error_set("'%s' is not inside the work tree '%s'", r->root, r->workdir);
		goto fail;
	}
	r->prefix = r->root[n] ? xasprintf("%s/", r->root + n + 1) : xstrdup("");
	return 0;
fail:
	sy_repo_close(r);
	return -1;
}

/* The part of a work-tree path inside the crmf root, or NULL. */
const char *sy_in_root(const repo *r, const char *path)
{
	size_t n = strlen(r->prefix);

	return strncmp(path, r->prefix, n) == 0 ? path + n : NULL;
}

/* ---- what changed ---- */

typedef struct file_list {
	crmf_sync_file *v;
	size_t n, cap;
} file_list;

static void file_free(crmf_sync_file *f)
{
	free(f->path);
	free(f->old_path);
	free(f->id);
	free(f->name);
	for (size_t i = 0; i < f->n_changes; i++)
		free(f->changes[i]);
	free(f->changes);
}

/* The blob as the work tree has it at `path` (relative to the top of the work tree: smudged),
 * malloc'ed and NUL-terminated; NULL when it cannot be read. */
static char *blob_copy(git_repository *git, const git_oid *id, size_t *len, const char *path)
{
	git_blob *b = NULL;
	git_buf f = GIT_BUF_INIT;
	char *s = NULL;

	*len = 0;
	if (git_oid_is_zero(id) || git_blob_lookup(&b, git, id) < 0 ||
	    crmf_gitfilter_smudge(&f, git, b, path) < 0) {
		git_error_clear();
		goto done;
	}
	*len = f.size;
	s = xmalloc(*len + 1);
	memcpy(s, f.ptr, *len);
	s[*len] = '\0';
done:
	git_buf_dispose(&f);
	git_blob_free(b);
	return s;
}

static void read_names(crmf_sync_file *f, const char *buf, size_t len)
{
	crmf_doc *doc = NULL;
	crmf_diags d;
	const crmf_node *v;

	crmf_diags_init(&d);
	if (buf && crmf_doc_parse(&doc, f->path, buf, len, &d) == 0) {
		if ((v = crmf_node_get(doc->root, "id")) && v->type == CRMF_NODE_SCALAR)
			f->id = xstrdup(v->value);
		if ((v = crmf_node_get(doc->root, "name")) && v->type == CRMF_NODE_SCALAR)
			f->name = xstrdup(v->value);
	}
	crmf_doc_free(doc);
	crmf_diags_release(&d);
}

static void describe(crmf_sync_file *f, const repo *r, const git_oid *old_id, const git_oid *new_id)
{
	size_t ol = 0, nl = 0;
	char *op = xasprintf("%s%s", r->prefix, f->old_path ? f->old_path : f->path),
	     *np = xasprintf("%s%s", r->prefix, f->path);
	char *o = old_id ? blob_copy(r->git, old_id, &ol, op) : NULL;
	char *n = new_id ? blob_copy(r->git, new_id, &nl, np) : NULL;
	crmf_change *v = NULL;

	free(op);
	free(np);
	crmf_diff_bytes(&v, &f->n_changes, f->old_path ? f->old_path : f->path, o, ol, f->path, n,
			nl, NULL);
	crmf_diff_texts(&f->changes, v, f->n_changes);
	read_names(f, n ? n : o, n ? nl : ol);
	free(o);
	free(n);
}

/* Customer files that differ between two trees (either may be NULL: empty); a deletion and
 * an addition of the same file name are one customer moved (archived, restored). */
static int tree_changes(file_list *out, const repo *r, git_tree *a, git_tree *b)
{
	git_diff_options o;
	git_diff *diff = NULL;
	char *specs[2];
	struct {
		char *path;
		git_oid id;
		bool used;
	} *gone = NULL;
	size_t ngone = 0;

	memset(out, 0, sizeof(*out));
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	specs[0] = xasprintf("%scustomers", r->prefix);
	specs[1] = xasprintf("%sarchive", r->prefix);
	o.pathspec.strings = specs;
	o.pathspec.count = 2;
	if (git_diff_tree_to_tree(&diff, r->git, a, b, &o) < 0) {
		free(specs[0]);
		free(specs[1]);
		return crmf_error_set("cannot compare commits: %s", crmf_git_msg());
	}
	free(specs[0]);
	free(specs[1]);
	gone = xcalloc(git_diff_num_deltas(diff) + 1, sizeof(*gone));
	for (size_t i = 0, m = git_diff_num_deltas(diff); i < m; i++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, i);
		const char *rel;

		if (dl->status == GIT_DELTA_DELETED && (rel = sy_in_root(r, dl->old_file.path)) &&
		    sy_is_customer_path(rel)) {
			gone[ngone].path = xstrdup(rel);
			gone[ngone++].id = dl->old_file.id;
		}
	}
	for (size_t i = 0, m = git_diff_num_deltas(diff); i < m; i++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, i);
		const char *rel = sy_in_root(r, dl->new_file.path);
		crmf_sync_file *f;
		const git_oid *old_id = NULL;

		if (!rel || !sy_is_customer_path(rel) || dl->status == GIT_DELTA_DELETED)
			continue;
		if (out->n == out->cap) {
			out->cap = out->cap ? 2 * out->cap : 16;
			out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
		}
		f = &out->v[out->n++];
		memset(f, 0, sizeof(*f));
		f->path = xstrdup(rel);
		f->status = dl->status == GIT_DELTA_ADDED ? 'A' : 'M';
		if (dl->status == GIT_DELTA_ADDED) {
			for (size_t k = 0; k < ngone; k++)
				if (!gone[k].used &&
				    strcmp(base_name(gone[k].path), base_name(rel)) == 0) {
					gone[k].used = true;
					f->status = 'R';
					f->old_path = xstrdup(gone[k].path);
					old_id = &gone[k].id;
					break;
				}
		} else {
			old_id = &dl->old_file.id;
		}
		describe(f, r, old_id, &dl->new_file.id);
	}
	for (size_t k = 0; k < ngone; k++) {
		crmf_sync_file *f;

		if (!gone[k].used) {
			if (out->n == out->cap) {
				out->cap = out->cap ? 2 * out->cap : 16;
				out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
			}
			f = &out->v[out->n++];
			memset(f, 0, sizeof(*f));
			f->path = gone[k].path;
			gone[k].path = NULL;
			f->status = 'D';
			describe(f, r, &gone[k].id, NULL);
		}
		free(gone[k].path);
	}
	free(gone);
	git_diff_free(diff);
	return 0;
}

static size_t count_commits(git_repository *git, const git_oid *tip, const git_oid *hide)
{
	git_revwalk *w = NULL;
	git_oid id;
	size_t n = 0;

	if (!tip || git_revwalk_new(&w, git) < 0 || git_revwalk_push(w, tip) < 0 ||
	    (hide && git_revwalk_hide(w, hide) < 0)) {
		git_revwalk_free(w);
		git_error_clear();
		return 0;
	}
	while (git_revwalk_next(&id, w) == 0)
		n++;
	git_revwalk_free(w);
	git_error_clear();
	return n;
}

/* ---- remotes ---- */

struct auth {
	int tries;
	crmf_sync_result *res;
	const crmf_sync_opts *op; /* its progress callback */
};

/* libgit2's progress of a fetch: objects received, then deltas resolved. */
static int fetch_progress(const git_indexer_progress *st, void *payload)
{
	const struct auth *a = payload;
	crmf_sync_progress p = {CRMF_SYNC_RECEIVING, st->received_objects, st->total_objects,
				st->received_bytes};

	if (st->total_objects && st->received_objects == st->total_objects && st->total_deltas)
		p = (crmf_sync_progress){CRMF_SYNC_RESOLVING, st->indexed_deltas, st->total_deltas,
					 st->received_bytes};
	a->op->progress(a->op->progress_ctx, &p);
	return 0;
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	const struct auth *a = payload;
	crmf_sync_progress p = {CRMF_SYNC_WRITING, current, total, bytes};

	a->op->progress(a->op->progress_ctx, &p);
	return 0;
}

static int credentials(git_credential **out, const char *url, const char *user,
		       unsigned int allowed, void *payload)
{
	struct auth *a = payload;

	if (++a->tries > AUTH_TRIES) {
		git_error_set_str(GIT_ERROR_NET, crmf_tr("authentication failed"));
		return GIT_EAUTH;
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(out, user ? user : "git");
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user ? user : "git");
	git_error_set(GIT_ERROR_NET,
		      crmf_tr("'%s' asks for a password, which crmf cannot give: use an ssh remote "
			      "with ssh-agent, or git pull/git push with a credential helper"),
		      url);
	return GIT_EAUTH;
}

static int push_status(const char *refname, const char *status, void *payload)
{
	struct auth *a = payload;

	if (status && !a->res->push_error)
		a->res->push_error = xasprintf(crmf_tr("the remote rejected %s: %s"), refname, status);
	return 0;
}

/* The remote-tracking ref that fetching `merge_ref` from `remote` updates, or NULL. */
static char *tracking_ref(git_remote *remote, const char *merge_ref)
{
	for (size_t i = 0, n = git_remote_refspec_count(remote); i < n; i++) {
		const git_refspec *rs = git_remote_get_refspec(remote, i);
		git_buf b = GIT_BUF_INIT;
		char *s;

		if (git_refspec_direction(rs) != GIT_DIRECTION_FETCH ||
		    !git_refspec_src_matches(rs, merge_ref))
			continue;
		if (git_refspec_transform(&b, rs, merge_ref) < 0) {
			git_error_clear();
			continue;
		}
		s = xstrdup(b.ptr);
		git_buf_dispose(&b);
		return s;
	}
	return NULL;
}

static char *config_string(git_repository *git, const char *key)
{
	git_config *cfg = NULL;
	git_buf b = GIT_BUF_INIT;
	char *v = NULL;

	if (git_repository_config_snapshot(&cfg, git) == 0 &&
	    git_config_get_string_buf(&b, cfg, key) == 0 && b.ptr && *b.ptr)
		v = xstrdup(b.ptr);
	git_buf_dispose(&b);
	git_config_free(cfg);
	git_error_clear();
	return v;
}

static void identity(char **name, char **email, git_repository *git, const char *env_name,
		     const char *env_email)
{
	const char *n = getenv(env_name), *e = getenv(env_email);

	*name = n && *n ? xstrdup(n) : config_string(git, "user.name");
	*email = e && *e ? xstrdup(e) : config_string(git, "user.email");
}

static int signatures(git_signature **author, git_signature **committer, git_repository *git)
{
	char *an, *ae, *cn, *ce;
	int rc = -1;

	*author = *committer = NULL;
	identity(&an, &ae, git, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL");
	identity(&cn, &ce, git, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL");
	if (!an || !ae || !cn || !ce)
		crmf_error_set("%s", crmf_tr(NO_IDENTITY));
	else if (crmf_git_signature(author, an, ae, "GIT_AUTHOR_DATE") == 0 &&
		 crmf_git_signature(committer, cn, ce, "GIT_COMMITTER_DATE") == 0)
		rc = 0;
	if (rc < 0) {
		git_signature_free(*author);
		*author = NULL;
	}
	free(an);
	free(ae);
	free(cn);
	free(ce);
	return rc;
}

/* ---- the merge's outcome ---- */

static crmf_sync_conflict *add_conflict(crmf_sync_result *res, const char *path,
					crmf_sync_conflict_kind kind)
{
	crmf_sync_conflict *c;

	res->conflicts = xrealloc(res->conflicts, (res->n_conflicts + 1) * sizeof(*c));
	c = &res->conflicts[res->n_conflicts++];
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->kind = kind;
	return c;
}

/* A file of the same name that `tree` holds elsewhere under customers/ or archive/. */
static char *moved_in(const repo *r, git_tree *tree, const char *rel)
{
	static const char *const tops[] = {"customers/", "archive/"};
	const char *name = base_name(rel);

	for (size_t i = 0; i < 2; i++) {
		char *p = xasprintf("%s%s%s", r->prefix, tops[i], name);
		git_tree_entry *e = NULL;

		if (strcmp(p + strlen(r->prefix), rel) != 0 &&
		    git_tree_entry_bypath(&e, tree, p) == 0) {
			git_tree_entry_free(e);
			free(p);
			return xasprintf("%s%s", tops[i], name);
		}
		git_error_clear();
		free(p);
	}
	return NULL;
}

/*
 * Explain each conflict the merge left in the index, and put crmf's
 * field-level markers into conflicted customer files (libgit2 wrote its own
 * line-based ones).
 */
static int explain_conflicts(crmf_sync_result *res, const repo *r, git_index *index,
			     const crmf_config *cfg, crmf_day today, git_tree *ours_tree,
			     git_tree *theirs_tree)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *a, *o, *t;
	int rc = -1, e;

	if (git_index_conflict_iterator_new(&it, index) < 0)
		return crmf_error_set("cannot read the merge's conflicts: %s", crmf_git_msg());
	while ((e = git_index_conflict_next(&a, &o, &t, it)) == 0) {
		const char *path = o ? o->path : t ? t->path : a->path;
		const char *rel = sy_in_root(r, path);
		crmf_sync_conflict *c;

		if (!rel || !sy_is_customer_path(rel)) {
			add_conflict(res, rel ? rel : path, CRMF_SYNC_OTHER);
			continue;
		}
		if (!o || !t) {
			c = add_conflict(res, rel,
					 o ? CRMF_SYNC_DELETED_THEIRS : CRMF_SYNC_DELETED_OURS);
			c->moved_to = moved_in(r, o ? theirs_tree : ours_tree, rel);
			continue;
		}
		{
			size_t al = 0, ol = 0, tl = 0;
			char *ab = a ? blob_copy(r->git, &a->id, &al, path) : NULL;
			char *ob = blob_copy(r->git, &o->id, &ol, path),
			     *tb = blob_copy(r->git, &t->id, &tl, path);
			char *fs = xasprintf("%s/%s", r->workdir, path);
			crmf_merge_opts mo;
			crmf_merge_result m;

			memset(&mo, 0, sizeof(mo));
			mo.cfg = cfg;
			mo.relpath = rel;
			mo.today = today;
			crmf_merge_file(&m, ab, al, ob ? ob : "", ob ? ol : 0, tb ? tb : "",
					tb ? tl : 0, &mo);
			c = add_conflict(res, rel,
					 m.whole_file ? CRMF_SYNC_WHOLE_FILE
					 : m.invalid  ? CRMF_SYNC_INVALID
						      : CRMF_SYNC_FIELDS);
			c->fields = m.conflicts;
			c->n_fields = m.n_conflicts;
			m.conflicts = NULL;
			m.n_conflicts = 0;
			crmf_diags_move(&res->diags, &m.diags);
			/* never through a link or into another repository */
			e = !m.buf					      ? 0
			    : crmf_store_check_path(r->workdir, path) < 0 ? -1
									  : crmf_write_atomic(fs, m.buf, m.len);
			crmf_merge_result_release(&m);
			free(ab);
			free(ob);
			free(tb);
			free(fs);
			if (e < 0)
				goto done;
		}
	}
	if (e != GIT_ITEROVER) {
		crmf_error_set("cannot read the merge's conflicts: %s", crmf_git_msg());
		goto done;
	}
	git_error_clear();
	rc = 0;
done:
	git_index_conflict_iterator_free(it);
	return rc;
}

/* Validate the customer files the merge changed (against our side), in the merged index. */
static int validate_merge(crmf_sync_result *res, const repo *r, git_index *index,
			  git_tree *ours_tree, const crmf_config *cfg, crmf_day today)
{
	git_diff *diff = NULL;
	git_diff_options o;
	int rc = 0;

	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	if (git_diff_tree_to_index(&diff, r->git, ours_tree, index, &o) < 0)
		return crmf_error_set("cannot compare the merge with HEAD: %s", crmf_git_msg());
	for (size_t i = 0, m = git_diff_num_deltas(diff); i < m; i++) {
		const git_diff_delta *dl = git_diff_get_delta(diff, i);
		const char *rel = sy_in_root(r, dl->new_file.path);
		crmf_customer *c = NULL;
		crmf_doc *doc = NULL;
		crmf_diags d;
		size_t len;
		char *buf;

		if (dl->status == GIT_DELTA_DELETED || !rel || !sy_is_customer_path(rel))
			continue;
		if (!(buf = blob_copy(r->git, &dl->new_file.id, &len, dl->new_file.path)))
			continue;
		crmf_diags_init(&d);
		crmf_doc_parse(&doc, rel, buf, len, &d);
		if (crmf_check_customer(&c, doc, rel, cfg, today, &d) != 0) {
			crmf_diags keep;

			crmf_diags_init(&keep);
			for (size_t k = 0; k < d.n; k++)
				if (d.v[k].severity == CRMF_SEV_ERROR)
					crmf_diags_add(&keep, d.v[k].severity, d.v[k].path,
						       d.v[k].line, d.v[k].column, d.v[k].rule,
						       "%s", d.v[k].message);
			crmf_diags_move(&res->diags, &keep);
			crmf_diags_release(&keep);
			add_conflict(res, rel, CRMF_SYNC_INVALID);
			rc = 1;
		}
		crmf_customer_free(c);
		crmf_diags_release(&d);
		free(buf);
	}
	git_diff_free(diff);
	return rc;
}

static void load_config(crmf_config **out, const char *root)
{
	char *path = xasprintf("%s/crmf.yaml", root);
	crmf_doc *doc = NULL;
	crmf_diags d;
	struct stat st;

	crmf_diags_init(&d);
	if (stat(path, &st) == 0)
		crmf_doc_load(&doc, "crmf.yaml", path, &d);
	crmf_config_load(out, doc && doc->root ? doc : NULL, &d);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	free(path);
}

/* ---- sync ---- */

static int refuse_changes(const char *root)
{
	crmf_changed *v = NULL;
	size_t n = 0;
	strbuf sb = STRBUF_INIT;

	if (crmf_status_customers(&v, &n, root) < 0)
		return -1;
	if (n == 0) {
		crmf_changed_free(v, n);
		return 0;
	}
	for (size_t i = 0; i < n && i < 5; i++) {
		if (i)
			sb_adds(&sb, ", ");
		sb_adds(&sb, v[i].path);
	}
	if (n > 5)
		sb_addf(&sb, crmf_tr(" and %zu more"), n - 5);
	crmf_error_set("customer files have uncommitted changes (%s); commit them first: crmf "
		       "commit",
		       sb.buf);
	sb_release(&sb);
	crmf_changed_free(v, n);
	return -1;
}

static int checkout_error(const char *what)
{
	const git_error *e = git_error_last();

	if (e && e->message &&
	    (strstr(e->message, "would be overwritten") || strstr(e->message, "prevent")))
		return crmf_error_set("cannot %s: %s; commit or put away your local changes to "
				      "those files first",
				      what, crmf_git_msg());
	return crmf_error_set("cannot %s: %s", what, crmf_git_msg());
}

static int do_push(crmf_sync_result *res, const repo *r, git_remote *remote, const char *branch_ref,
		   const char *merge_ref, const crmf_sync_opts *op)
{
	git_push_options po;
	struct auth au = {0, res, op};
	char *spec = xasprintf("%s:%s", branch_ref, merge_ref);
	git_strarray specs = {&spec, 1};

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.credentials = credentials;
	po.callbacks.push_update_reference = push_status;
	po.callbacks.payload = &au;
	if (op->progress)
		po.callbacks.push_transfer_progress = push_progress;
	if (git_remote_push(remote, &specs, &po) < 0) {
		const git_error *e = git_error_last();

		if (!res->push_error)
			res->push_error =
			    e && e->klass == GIT_ERROR_REFERENCE && strstr(e->message, "fast")
				? xasprintf(crmf_tr("the remote's %s has new commits since the fetch; run "
					    "crmf sync again"),
					    merge_ref + (strncmp(merge_ref, "refs/heads/", 11) == 0
							     ? 11
							     : 0))
				: xstrdup(crmf_git_msg());
		git_error_clear();
	}
	free(spec);
	if (!res->push_error) {
		char *key = xasprintf("branch.%s.remote", res->branch);
		char *have = config_string(r->git, key);

		res->pushed = true;
		if (!have) {
			/* like `git push -u`: later `git pull` knows where to pull from */
			git_config *cfg = NULL;
			char *mkey = xasprintf("branch.%s.merge", res->branch);

			if (git_repository_config(&cfg, r->git) == 0) {
				git_config_set_string(cfg, key, res->remote);
				git_config_set_string(cfg, mkey, merge_ref);
			}
			git_config_free(cfg);
			git_error_clear();
			free(mkey);
		}
		free(have);
		free(key);
	}
	return 0;
}

/* One `crmf sync`: what its steps share. */
struct sync {
	crmf_sync_result *out;
	const crmf_sync_opts *op;
	crmf_day today;
	repo r;
	crmf_lock *lock;
	crmf_config *cfg;
	git_reference *head, *theirs_ref;
	git_remote *remote;
	git_commit *ours_c, *theirs_c, *new_c;
	git_tree *ours_tree, *theirs_tree, *new_tree;
	git_annotated_commit *ac;
	git_index *index;
	git_signature *author, *committer;
	char *branch_ref, *merge_ref, *track;
	git_oid ours_id, theirs_id, new_id;
	bool unborn, have_theirs, registered;
};

static int git_failed(void)
{
	crmf_error_set("%s", crmf_git_msg());
	return -1;
}

/* Our branch: HEAD's, perhaps unborn; a detached HEAD is refused. */
static int our_branch(struct sync *S)
{
	int e = git_repository_head(&S->head, S->r.git);

	if (e == GIT_EUNBORNBRANCH) {
		git_error_clear();
		S->unborn = true;
		if (git_reference_lookup(&S->head, S->r.git, "HEAD") < 0 ||
		    !git_reference_symbolic_target(S->head))
			return git_failed();
		S->branch_ref = xstrdup(git_reference_symbolic_target(S->head));
	} else if (e < 0) {
		return git_failed();
	} else if (!git_reference_is_branch(S->head)) {
		return crmf_error_set("HEAD is detached; check out a branch first (git switch main)");
	} else {
		S->branch_ref = xstrdup(git_reference_name(S->head));
		S->ours_id = *git_reference_target(S->head);
		if (git_commit_lookup(&S->ours_c, S->r.git, &S->ours_id) < 0 ||
		    git_commit_tree(&S->ours_tree, S->ours_c) < 0)
			return git_failed();
	}
	S->out->branch = xstrdup(S->branch_ref +
				 (strncmp(S->branch_ref, "refs/heads/", 11) == 0 ? 11 : 0));
	return 0;
}

/* Its remote and the branch there (git's branch.<name>.remote and .merge). */
static int its_remote(struct sync *S)
{
	crmf_sync_result *out = S->out;
	char *key;

	if (S->op->remote) {
		out->remote = xstrdup(S->op->remote);
	} else {
		key = xasprintf("branch.%s.remote", out->branch);
		out->remote = config_string(S->r.git, key);
		free(key);
		if (!out->remote)
			out->remote = xstrdup("origin");
	}
	key = xasprintf("branch.%s.merge", out->branch);
	S->merge_ref = config_string(S->r.git, key);
	free(key);
	if (!S->merge_ref) /* the same name there */
		S->merge_ref = xstrdup(S->branch_ref);
	if (git_remote_lookup(&S->remote, S->r.git, out->remote) < 0) {
		git_error_clear();
		return crmf_error_set("no git remote '%s'; add one with git remote add %s URL (a bare "
				      "repository on a server, or a path)",
				      out->remote, out->remote);
	}
	return 0;
}

/* Fetch, and find their commit (none when the remote lacks the branch). */
static int fetch_theirs(struct sync *S)
{
	crmf_sync_result *out = S->out;
	git_fetch_options fo;
	struct auth au = {0, out, S->op};

	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.credentials = credentials;
	fo.callbacks.payload = &au;
	if (S->op->progress)
		fo.callbacks.transfer_progress = fetch_progress;
	if (git_remote_fetch(S->remote, NULL, &fo, "crmf sync: fetch") < 0)
		return crmf_error_set("cannot fetch from '%s' (%s): %s", out->remote,
				      git_remote_url(S->remote) ? git_remote_url(S->remote) : crmf_tr("no url"),
				      crmf_git_msg());
	S->track = tracking_ref(S->remote, S->merge_ref);
	if (S->track && git_reference_lookup(&S->theirs_ref, S->r.git, S->track) == 0) {
		git_reference *resolved = NULL;

		if (git_reference_resolve(&resolved, S->theirs_ref) < 0)
			return git_failed();
		S->theirs_id = *git_reference_target(resolved);
		git_reference_free(resolved);
		S->have_theirs = true;
		out->upstream =
		    xstrdup(S->track + (strncmp(S->track, "refs/remotes/", 13) == 0 ? 13 : 0));
		if (git_commit_lookup(&S->theirs_c, S->r.git, &S->theirs_id) < 0 ||
		    git_commit_tree(&S->theirs_tree, S->theirs_c) < 0)
			return git_failed();
	}
	git_error_clear();
	return 0;
}

static int fast_forward(struct sync *S)
{
	git_checkout_options co;
	git_reference *nr = NULL;
	int e;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE;
	if (git_checkout_tree(S->r.git, (git_object *)S->theirs_c, &co) < 0)
		return checkout_error("fast-forward");
	if (S->unborn)
		e = git_reference_create(&nr, S->r.git, S->branch_ref, &S->theirs_id, 0,
					 "crmf sync: fast-forward");
	else
		e = git_reference_set_target(&nr, S->head, &S->theirs_id, "crmf sync: fast-forward");
	if (e < 0)
		return git_failed();
	git_reference_free(nr);
	S->out->status = CRMF_SYNC_FAST_FORWARD;
	S->new_id = S->theirs_id;
	return 0;
}

/* A real merge, with crmf's driver for every file; 1 when it stops on a conflict. */
static int merge_theirs(struct sync *S)
{
	crmf_sync_result *out = S->out;
	git_merge_options mo;
	git_checkout_options co;
	git_oid tree_id;
	const git_commit *parents[2];
	char *msg;
	int e;

	git_error_clear();
	if (signatures(&S->author, &S->committer, S->r.git) < 0)
		return -1;
	if (sy_driver_register(&S->r, S->cfg, S->today) < 0)
		return -1;
	S->registered = true;
	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	/* no rename detection: an archived customer changed on the other side must stop
	 * the sync, not follow the move */
	mo.flags = 0;
	/* crmf's merge for every file: it hands files other than customers back to git's */
	mo.default_driver = "crmf";
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_SAFE | GIT_CHECKOUT_ALLOW_CONFLICTS;
	co.our_label = "ours";
	co.their_label = "theirs";
	if (git_annotated_commit_from_ref(&S->ac, S->r.git, S->theirs_ref) < 0)
		return git_failed();
	if (git_merge(S->r.git, (const git_annotated_commit **)&S->ac, 1, &mo, &co) < 0)
		return checkout_error("merge");
	if (git_repository_index(&S->index, S->r.git) < 0 || git_index_read(S->index, 0) < 0)
		return git_failed();
	crmf_config_free(S->cfg);
	load_config(&S->cfg, S->r.root); /* crmf.yaml as merged */
	if (git_index_has_conflicts(S->index)) {
		if (explain_conflicts(out, &S->r, S->index, S->cfg, S->today, S->ours_tree,
				      S->theirs_tree) < 0)
			return -1;
		out->status = CRMF_SYNC_CONFLICT;
		return 1;
	}
	if ((e = validate_merge(out, &S->r, S->index, S->ours_tree, S->cfg, S->today)) != 0) {
		if (e < 0)
			return -1;
		out->status = CRMF_SYNC_CONFLICT;
		return 1;
	}
	if (git_index_write_tree(&tree_id, S->index) < 0 ||
	    git_tree_lookup(&S->new_tree, S->r.git, &tree_id) < 0)
		return git_failed();
	parents[0] = S->ours_c;
	parents[1] = S->theirs_c;
	msg = xasprintf("crmf: sync: merge %s\n\nCrmf-Action: sync\n", out->upstream);
	e = git_commit_create(&S->new_id, S->r.git, "HEAD", S->author, S->committer, NULL, msg,
			      S->new_tree, 2, parents);
	free(msg);
	if (e < 0)
		return git_failed();
	git_repository_state_cleanup(S->r.git);
	out->status = CRMF_SYNC_MERGED;
	return 0;
}

/* What came in, what goes out (pushed unless no_push). */
static int in_and_out(struct sync *S)
{
	crmf_sync_result *out = S->out;
	file_list l;
	int e;

	if (out->status != CRMF_SYNC_UP_TO_DATE) {
		if (git_commit_lookup(&S->new_c, S->r.git, &S->new_id) < 0)
			return git_failed();
		if (!S->new_tree && git_commit_tree(&S->new_tree, S->new_c) < 0)
			return git_failed();
		if (tree_changes(&l, &S->r, S->ours_tree, S->new_tree) < 0)
			return -1;
		out->in = l.v;
		out->n_in = l.n;
		out->commits_in =
		    count_commits(S->r.git, &S->theirs_id, S->unborn ? NULL : &S->ours_id);
	}
	git_oid_tostr(out->commit, sizeof(out->commit), &S->new_id);
	out->commits_out =
	    count_commits(S->r.git, &S->new_id, S->have_theirs ? &S->theirs_id : NULL);
	if (out->commits_out > 0) {
		git_tree *t = NULL;

		if (!S->new_c && git_commit_lookup(&S->new_c, S->r.git, &S->new_id) < 0)
			return git_failed();
		if (git_commit_tree(&t, S->new_c) < 0)
			return git_failed();
		e = tree_changes(&l, &S->r, S->theirs_tree, t);
		git_tree_free(t);
		if (e < 0)
			return -1;
		out->out = l.v;
		out->n_out = l.n;
		if (!S->op->no_push)
			do_push(out, &S->r, S->remote, S->branch_ref, S->merge_ref, S->op);
	}
	return 0;
}

static void sync_release(struct sync *S)
{
	if (S->registered)
		sy_driver_unregister();
	git_signature_free(S->author);
	git_signature_free(S->committer);
	git_index_free(S->index);
	git_annotated_commit_free(S->ac);
	git_tree_free(S->ours_tree);
	git_tree_free(S->theirs_tree);
	git_tree_free(S->new_tree);
	git_commit_free(S->ours_c);
	git_commit_free(S->theirs_c);
	git_commit_free(S->new_c);
	git_remote_free(S->remote);
	git_reference_free(S->head);
	git_reference_free(S->theirs_ref);
	free(S->branch_ref);
	free(S->merge_ref);
	free(S->track);
	crmf_config_free(S->cfg);
	crmf_lock_release(S->lock);
	sy_repo_close(&S->r);
}

int crmf_sync(crmf_sync_result *out, const char *root, const crmf_sync_opts *opts)
{
	static const crmf_sync_opts defaults;
	struct sync S;
	int rc = -1;

	crmf_git_need_tls(); /* the remote may be https */
	memset(&S, 0, sizeof(S));
	S.out = out;
	S.op = opts ? opts : &defaults;
	S.today = S.op->today ? S.op->today : crmf_date_today();
	memset(out, 0, sizeof(*out));
	crmf_diags_init(&out->diags);
	if (sy_repo_open(&S.r, root) < 0)
		return -1;
	if (crmf_commit_preflight(S.r.root, NULL) < 0 ||
	    crmf_lock_acquire(&S.lock, S.r.root, 10000) < 0 || refuse_changes(S.r.root) < 0 ||
	    our_branch(&S) < 0 || its_remote(&S) < 0 || fetch_theirs(&S) < 0)
		goto done;
	load_config(&S.cfg, S.r.root);
	out->status = CRMF_SYNC_UP_TO_DATE;
	S.new_id = S.ours_id;
	if (!S.have_theirs) {
		if (S.unborn) {
			crmf_error_set("nothing to sync: no commit here and the remote '%s' has no "
				       "branch '%s'",
				       out->remote, out->branch);
			goto done;
		}
	} else if (S.unborn || git_graph_descendant_of(S.r.git, &S.theirs_id, &S.ours_id) == 1) {
		if (fast_forward(&S) < 0)
			goto done;
	} else if (!git_oid_equal(&S.ours_id, &S.theirs_id) &&
		   git_graph_descendant_of(S.r.git, &S.ours_id, &S.theirs_id) != 1) {
		if ((rc = merge_theirs(&S)) != 0)
			goto done;
		rc = -1;
	}
	if (in_and_out(&S) == 0)
		rc = 0;
done:
	sync_release(&S);
	return rc;
}

void crmf_sync_result_release(crmf_sync_result *r)
{
	if (!r)
		return;
	free(r->remote);
	free(r->branch);
	free(r->upstream);
	for (size_t i = 0; i < r->n_in; i++)
		file_free(&r->in[i]);
	free(r->in);
	for (size_t i = 0; i < r->n_out; i++)
		file_free(&r->out[i]);
	free(r->out);
	for (size_t i = 0; i < r->n_conflicts; i++) {
		crmf_sync_conflict *c = &r->conflicts[i];

		free(c->path);
		free(c->moved_to);
		for (size_t k = 0; k < c->n_fields; k++) {
			free(c->fields[k].field);
			free(c->fields[k].ours);
			free(c->fields[k].theirs);
		}
		free(c->fields);
	}
	free(r->conflicts);
	crmf_diags_release(&r->diags);
	free(r->push_error);
	memset(r, 0, sizeof(*r));
}
