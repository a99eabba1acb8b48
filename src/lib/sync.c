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

static const char NO_IDENTITY[] = "no git identity: set it with git config --global user.name "
				  "'Your Name' and git config --global user.email you@example.com";

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
		crmf_error_set(e == GIT_ENOTFOUND ? "not in a git repository: '%s'"
						  : "cannot open the git repository at '%s': %s",
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
};

static int credentials(git_credential **out, const char *url, const char *user,
		       unsigned int allowed, void *payload)
{
	struct auth *a = payload;

	if (++a->tries > AUTH_TRIES) {
		git_error_set_str(GIT_ERROR_NET, "authentication failed");
		return GIT_EAUTH;
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(out, user ? user : "git");
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user ? user : "git");
	git_error_set(GIT_ERROR_NET,
		      "'%s' asks for a password, which crmf cannot give: use an ssh remote with "
		      "ssh-agent, or git pull/git push with a credential helper",
		      url);
	return GIT_EAUTH;
}

static int push_status(const char *refname, const char *status, void *payload)
{
	struct auth *a = payload;

	if (status && !a->res->push_error)
		a->res->push_error = xasprintf("the remote rejected %s: %s", refname, status);
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
		crmf_error_set("%s", NO_IDENTITY);
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
		sb_addf(&sb, " and %zu more", n - 5);
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
		   const char *merge_ref)
{
	git_push_options po;
	struct auth au = {0, res};
	char *spec = xasprintf("%s:%s", branch_ref, merge_ref);
	git_strarray specs = {&spec, 1};

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.credentials = credentials;
	po.callbacks.push_update_reference = push_status;
	po.callbacks.payload = &au;
	if (git_remote_push(remote, &specs, &po) < 0) {
		const git_error *e = git_error_last();

		if (!res->push_error)
			res->push_error =
			    e && e->klass == GIT_ERROR_REFERENCE && strstr(e->message, "fast")
				? xasprintf("the remote's %s has new commits since the fetch; run "
					    "crmf sync again",
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

int crmf_sync(crmf_sync_result *out, const char *root, const crmf_sync_opts *opts)
{
	crmf_git_need();
	static const crmf_sync_opts defaults;
	const crmf_sync_opts *op = opts ? opts : &defaults;
	crmf_day today = op->today ? op->today : crmf_date_today();
	repo r;
	crmf_lock *lock = NULL;
	crmf_config *cfg = NULL;
	git_reference *head = NULL, *theirs_ref = NULL;
	git_remote *remote = NULL;
	git_commit *ours_c = NULL, *theirs_c = NULL, *new_c = NULL;
	git_tree *ours_tree = NULL, *theirs_tree = NULL, *new_tree = NULL;
	git_annotated_commit *ac = NULL;
	git_index *index = NULL;
	git_signature *author = NULL, *committer = NULL;
	char *branch_ref = NULL, *merge_ref = NULL, *track = NULL;
	git_oid ours_id, theirs_id, new_id;
	bool unborn = false, have_theirs = false, registered = false;
	int rc = -1, e;

	memset(out, 0, sizeof(*out));
	memset(&ours_id, 0, sizeof(ours_id));
	memset(&theirs_id, 0, sizeof(theirs_id));
	crmf_diags_init(&out->diags);
	if (sy_repo_open(&r, root) < 0)
		return -1;
	if (crmf_commit_preflight(r.root, NULL) < 0 ||
	    crmf_lock_acquire(&lock, r.root, 10000) < 0 || refuse_changes(r.root) < 0)
		goto done;

	/* our branch */
	e = git_repository_head(&head, r.git);
	if (e == GIT_EUNBORNBRANCH) {
		git_error_clear();
		unborn = true;
		if (git_reference_lookup(&head, r.git, "HEAD") < 0 ||
		    !git_reference_symbolic_target(head))
			goto git_fail;
		branch_ref = xstrdup(git_reference_symbolic_target(head));
	} else if (e < 0) {
		goto git_fail;
	} else if (!git_reference_is_branch(head)) {
		crmf_error_set("HEAD is detached; check out a branch first (git switch main)");
		goto done;
	} else {
		branch_ref = xstrdup(git_reference_name(head));
		ours_id = *git_reference_target(head);
		if (git_commit_lookup(&ours_c, r.git, &ours_id) < 0 ||
		    git_commit_tree(&ours_tree, ours_c) < 0)
			goto git_fail;
	}
	out->branch = xstrdup(branch_ref + (strncmp(branch_ref, "refs/heads/", 11) == 0 ? 11 : 0));

	/* its remote and the branch there */
	if (op->remote) {
		out->remote = xstrdup(op->remote);
	} else {
		char *key = xasprintf("branch.%s.remote", out->branch);

		out->remote = config_string(r.git, key);
		free(key);
		if (!out->remote)
			out->remote = xstrdup("origin");
	}
	{
		char *key = xasprintf("branch.%s.merge", out->branch);

		merge_ref = config_string(r.git, key);
		free(key);
		if (!merge_ref) /* the same name there */
			merge_ref = xstrdup(branch_ref);
	}
	if (git_remote_lookup(&remote, r.git, out->remote) < 0) {
		git_error_clear();
		crmf_error_set("no git remote '%s'; add one with git remote add %s URL (a bare "
			       "repository on a server, or a path)",
			       out->remote, out->remote);
		goto done;
	}

	/* fetch */
	{
		git_fetch_options fo;
		struct auth au = {0, out};

		git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
		fo.callbacks.credentials = credentials;
		fo.callbacks.payload = &au;
		if (git_remote_fetch(remote, NULL, &fo, "crmf sync: fetch") < 0) {
			crmf_error_set("cannot fetch from '%s' (%s): %s", out->remote,
				       git_remote_url(remote) ? git_remote_url(remote) : "no url",
				       crmf_git_msg());
			goto done;
		}
	}
	track = tracking_ref(remote, merge_ref);
	if (track && git_reference_lookup(&theirs_ref, r.git, track) == 0) {
		git_reference *resolved = NULL;

		if (git_reference_resolve(&resolved, theirs_ref) < 0)
			goto git_fail;
		theirs_id = *git_reference_target(resolved);
		git_reference_free(resolved);
		have_theirs = true;
		out->upstream =
		    xstrdup(track + (strncmp(track, "refs/remotes/", 13) == 0 ? 13 : 0));
		if (git_commit_lookup(&theirs_c, r.git, &theirs_id) < 0 ||
		    git_commit_tree(&theirs_tree, theirs_c) < 0)
			goto git_fail;
	}
	git_error_clear();

	load_config(&cfg, r.root);
	out->status = CRMF_SYNC_UP_TO_DATE;
	new_id = ours_id;
	if (!have_theirs) {
		if (unborn) {
			crmf_error_set("nothing to sync: no commit here and the remote '%s' has no "
				       "branch '%s'",
				       out->remote, out->branch);
			goto done;
		}
	} else if (unborn || git_graph_descendant_of(r.git, &theirs_id, &ours_id) == 1) {
		/* fast-forward */
		git_checkout_options co;

		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_SAFE;
		if (git_checkout_tree(r.git, (git_object *)theirs_c, &co) < 0) {
			checkout_error("fast-forward");
			goto done;
		}
		if (unborn) {
			git_reference *nr = NULL;

			if (git_reference_create(&nr, r.git, branch_ref, &theirs_id, 0,
						 "crmf sync: fast-forward") < 0)
				goto git_fail;
			git_reference_free(nr);
		} else {
			git_reference *nr = NULL;

			if (git_reference_set_target(&nr, head, &theirs_id,
						     "crmf sync: fast-forward") < 0)
				goto git_fail;
			git_reference_free(nr);
		}
		out->status = CRMF_SYNC_FAST_FORWARD;
		new_id = theirs_id;
	} else if (!git_oid_equal(&ours_id, &theirs_id) &&
		   git_graph_descendant_of(r.git, &ours_id, &theirs_id) != 1) {
		/* a real merge */
		git_merge_options mo;
		git_checkout_options co;
		git_oid tree_id;
		const git_commit *parents[2];
		char *msg;

		git_error_clear();
		if (signatures(&author, &committer, r.git) < 0)
			goto done;
		if (sy_driver_register(&r, cfg, today) < 0)
			goto done;
		registered = true;
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
		if (git_annotated_commit_from_ref(&ac, r.git, theirs_ref) < 0)
			goto git_fail;
		if (git_merge(r.git, (const git_annotated_commit **)&ac, 1, &mo, &co) < 0) {
			checkout_error("merge");
			goto done;
		}
		if (git_repository_index(&index, r.git) < 0 || git_index_read(index, 0) < 0)
			goto git_fail;
		crmf_config_free(cfg);
		load_config(&cfg, r.root); /* crmf.yaml as merged */
		if (git_index_has_conflicts(index)) {
			if (explain_conflicts(out, &r, index, cfg, today, ours_tree, theirs_tree) <
			    0)
				goto done;
			out->status = CRMF_SYNC_CONFLICT;
			rc = 1;
			goto done;
		}
		if ((e = validate_merge(out, &r, index, ours_tree, cfg, today)) != 0) {
			if (e < 0)
				goto done;
			out->status = CRMF_SYNC_CONFLICT;
			rc = 1;
			goto done;
		}
		if (git_index_write_tree(&tree_id, index) < 0 ||
		    git_tree_lookup(&new_tree, r.git, &tree_id) < 0)
			goto git_fail;
		parents[0] = ours_c;
		parents[1] = theirs_c;
		msg = xasprintf("crmf: sync: merge %s\n\nCrmf-Action: sync\n", out->upstream);
		e = git_commit_create(&new_id, r.git, "HEAD", author, committer, NULL, msg,
				      new_tree, 2, parents);
		free(msg);
		if (e < 0)
			goto git_fail;
		git_repository_state_cleanup(r.git);
		out->status = CRMF_SYNC_MERGED;
	}

	/* what came in, what goes out */
	if (out->status != CRMF_SYNC_UP_TO_DATE) {
		file_list l;

		if (git_commit_lookup(&new_c, r.git, &new_id) < 0)
			goto git_fail;
		if (!new_tree && git_commit_tree(&new_tree, new_c) < 0)
			goto git_fail;
		if (tree_changes(&l, &r, ours_tree, new_tree) < 0)
			goto done;
		out->in = l.v;
		out->n_in = l.n;
		out->commits_in = count_commits(r.git, &theirs_id, unborn ? NULL : &ours_id);
	}
	git_oid_tostr(out->commit, sizeof(out->commit), &new_id);
	out->commits_out = count_commits(r.git, &new_id, have_theirs ? &theirs_id : NULL);
	if (out->commits_out > 0) {
		file_list l;
		git_tree *t = NULL;

		if (!new_c && git_commit_lookup(&new_c, r.git, &new_id) < 0)
			goto git_fail;
		if (git_commit_tree(&t, new_c) < 0)
			goto git_fail;
		e = tree_changes(&l, &r, theirs_tree, t);
		git_tree_free(t);
		if (e < 0)
			goto done;
		out->out = l.v;
		out->n_out = l.n;
		if (!op->no_push)
			do_push(out, &r, remote, branch_ref, merge_ref);
	}
	rc = 0;
	goto done;
git_fail:
	crmf_error_set("%s", crmf_git_msg());
done:
	if (registered)
		sy_driver_unregister();
	git_signature_free(author);
	git_signature_free(committer);
	git_index_free(index);
	git_annotated_commit_free(ac);
	git_tree_free(ours_tree);
	git_tree_free(theirs_tree);
	git_tree_free(new_tree);
	git_commit_free(ours_c);
	git_commit_free(theirs_c);
	git_commit_free(new_c);
	git_remote_free(remote);
	git_reference_free(head);
	git_reference_free(theirs_ref);
	free(branch_ref);
	free(merge_ref);
	free(track);
	crmf_config_free(cfg);
	crmf_lock_release(lock);
	sy_repo_close(&r);
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
