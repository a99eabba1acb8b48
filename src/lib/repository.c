/* SPDX-License-Identifier: MIT */
/* The crmf repository handle: root, crmf.yaml, libgit2 and the user's identity, each read once. */
#include "crmf/repository.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/doc.h"
#include "crmf/store.h"
#include "changes_private.h"
#include "git_private.h"
#include "repo_ctx.h"
#include "util.h"

struct crmf_repository {
	char *root;
	/* git: opened on first use; a failure is kept and said again */
	repo_ctx ctx;
	bool ctx_tried;
	char *ctx_error;
	/* crmf.yaml */
	crmf_config *cfg;
	crmf_diags cfg_diags;
	bool cfg_invalid;
	/* the user */
	crmf_identity id;
	bool id_read;
	crmf_lock *lock;
	crmf_changes *changes; /* the history's change index, read once */
	bool fast_tried; /* crmf_changes_read_fast was asked */
};

int crmf_repository_open(crmf_repository **out, const char *start_dir)
{
	crmf_repository *r;
	char *root = NULL;

	*out = NULL;
	if (crmf_repo_discover(&root, start_dir) != 0)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->root = root;
	crmf_diags_init(&r->cfg_diags);
	*out = r;
	return 0;
}

void crmf_repository_close(crmf_repository *r)
{
	if (!r)
		return;
	crmf_lock_release(r->lock);
	crmf_changes_free(r->changes);
	crmf_ctx_close(&r->ctx);
	free(r->ctx_error);
	crmf_config_free(r->cfg);
	crmf_diags_release(&r->cfg_diags);
	crmf_identity_release(&r->id);
	free(r->root);
	free(r);
}

const char *crmf_repository_root(const crmf_repository *r)
{
	return r->root;
}

/* The git context, opened on the first call. */
static int ctx(const repo_ctx **out, crmf_repository *r)
{
	*out = NULL;
	if (!r->ctx_tried) {
		crmf_git_need();
		r->ctx_tried = true;
		if (crmf_ctx_open(&r->ctx, r->root) < 0)
			r->ctx_error = xstrdup(crmf_error_last());
	}
	if (r->ctx_error)
		return crmf_error_set("%s", r->ctx_error);
	*out = &r->ctx;
	return 0;
}

int crmf_repository_config(const crmf_config **out, crmf_repository *r)
{
	char *path;
	crmf_doc *doc = NULL;
	struct stat st;

	*out = NULL;
	if (r->cfg) {
		*out = r->cfg;
		return 0;
	}
	path = xasprintf("%s/crmf.yaml", r->root);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		free(path);
		return crmf_error_set("crmf.yaml is %s; crmf reads it only as a regular file (git "
				      "stores a link as the link, not what it points to)",
				      S_ISLNK(st.st_mode) ? crmf_tr("a symbolic link")
							  : crmf_tr("not a regular file"));
	}
	if (access(path, F_OK) == 0)
		crmf_doc_load(&doc, "crmf.yaml", path, &r->cfg_diags);
	if (crmf_config_load(&r->cfg, doc && doc->root ? doc : NULL, &r->cfg_diags) != 0 ||
	    r->cfg_diags.errors)
		r->cfg_invalid = true;
	crmf_doc_free(doc);
	free(path);
	*out = r->cfg;
	return 0;
}

const crmf_diags *crmf_repository_config_diags(const crmf_repository *r)
{
	return &r->cfg_diags;
}

bool crmf_repository_config_invalid(const crmf_repository *r)
{
	return r->cfg_invalid;
}

int crmf_repository_identity(const crmf_identity **out, crmf_repository *r)
{
	const repo_ctx *c = NULL;

	*out = NULL;
	if (!r->id_read) {
		if (ctx(&c, r) != 0)
			c = NULL; /* outside a repository: the user's own config */
		if (crmf_ctx_identity(&r->id, c) != 0)
			return -1;
		r->id_read = true;
	}
	*out = &r->id;
	return 0;
}

int crmf_repository_me(char **out, char **why, crmf_repository *r, const char *author)
{
	crmf_identity parsed = {0};
	const crmf_identity *id = &parsed;
	const crmf_config *cfg;
	const crmf_member *m;
	const char *at;

	*out = *why = NULL;
	if (crmf_repository_config(&cfg, r) != 0) {
		*why = xstrdup(crmf_error_last());
		return -1;
	}
	if (author) {
		if (crmf_commit_parse_author(&parsed.name, &parsed.email, author) != 0) {
			*why = xstrdup(crmf_error_last());
			return -1;
		}
	} else if (crmf_repository_identity(&id, r) != 0) {
		*why = xstrdup(crmf_error_last());
		return -1;
	}
	at = id->email ? strchr(id->email, '@') : NULL;
	if (cfg->has_team) {
		m = crmf_identity_member(cfg, id);
		if (m)
			*out = xstrdup(m->id);
		else
			*why =
			    xasprintf(crmf_tr("your git identity (%s%s%s%s) matches no member of the "
					      "team in crmf.yaml (or set 'git config user.email' to "
					      "your address there)"),
				      id->name ? id->name : crmf_tr("no name"), id->email ? " <" : "",
				      id->email ? id->email : "", id->email ? ">" : "");
	} else if (at && at != id->email) {
		*out = xstrndup(id->email, (size_t)(at - id->email));
	} else if (id->name) {
		*out = xstrdup(id->name);
	} else {
		*why = xstrdup(crmf_tr("git has no identity (or set 'git config user.name')"));
	}
	crmf_identity_release(&parsed);
	return *out ? 0 : -1;
}

int crmf_repository_preflight(crmf_repository *r, const char *author)
{
	const repo_ctx *c;

	return ctx(&c, r) != 0 ? -1 : crmf_ctx_preflight(c, author);
}

int crmf_repository_lock(crmf_repository *r, int timeout_ms)
{
	const repo_ctx *c;

	if (r->lock)
		return 0;
	if (ctx(&c, r) != 0 || crmf_ctx_lock_acquire(&r->lock, c, timeout_ms) != 0)
		return -1;
	/* git's locks, once crmf's is held: another crmf's commit is over */
	if (crmf_ctx_check_locks(c) != 0) {
		/* the lock stays held, as before: the command ends right after */
		return -1;
	}
	return 0;
}

void crmf_repository_unlock(crmf_repository *r)
{
	crmf_lock_release(r->lock);
	r->lock = NULL;
}

int crmf_repository_commit(char *oid_out, crmf_repository *r, const crmf_commit_path *paths,
			   const crmf_commit_content *content, size_t n,
			   const crmf_commit_opts *opts)
{
	const repo_ctx *c;

	if (oid_out)
		oid_out[0] = '\0';
	return ctx(&c, r) != 0 ? -1 : crmf_ctx_commit(oid_out, c, paths, content, n, opts);
}

int crmf_repository_read_versions(crmf_versions *out, crmf_repository *r, const char *path)
{
	const repo_ctx *c;

	memset(out, 0, sizeof(*out));
	return ctx(&c, r) != 0 ? -1 : crmf_ctx_read_versions(out, c, path);
}

int crmf_repository_read_head(char **out, size_t *len, crmf_repository *r, const char *path)
{
	const repo_ctx *c;

	*out = NULL;
	*len = 0;
	return ctx(&c, r) != 0 ? -1 : crmf_ctx_read_head(out, len, c, path);
}

int crmf_repository_status(crmf_changed **out, size_t *n, crmf_repository *r)
{
	const repo_ctx *c;

	*out = NULL;
	*n = 0;
	return ctx(&c, r) != 0 ? -1 : crmf_ctx_status_customers(out, n, c);
}

/* The ids of `merged:` in the customer file `rel` as it is now (crmf merge). */
static crmf_doc *merged_ids(const char *root, const char *rel, const crmf_node **list)
{
	char *fspath = xasprintf("%s/%s", root, rel);
	crmf_doc *doc = NULL;
	crmf_diags d;

	crmf_diags_init(&d);
	crmf_doc_load(&doc, rel, fspath, &d);
	crmf_diags_release(&d);
	free(fspath);
	*list = doc && doc->root ? crmf_node_get(doc->root, "merged") : NULL;
	if (*list && (*list)->type != CRMF_NODE_SEQUENCE)
		*list = NULL;
	return doc;
}

/* The history of a customer merged into another: each line says whose it is. */
static void add_merged(crmf_history_entry **out, size_t *n, crmf_history_entry *h, size_t nh,
		       const char *id)
{
	crmf_history_entry *v = xcalloc(*n + nh + 1, sizeof(*v));
	size_t i = 0, k = 0, o = 0;

	for (size_t j = 0; j < nh; j++)
		for (size_t c = 0; c < h[j].n_changes; c++) {
			char *line = xasprintf("%s: %s", id, h[j].changes[c]);

			free(h[j].changes[c]);
			h[j].changes[c] = line;
		}
	/* newest first, as both lists are; the one kept before the other on a tie */
	while (i < *n || k < nh) {
		if (k == nh || (i < *n && (*out)[i].time >= h[k].time)) {
			v[o++] = (*out)[i++];
			continue;
		}
		for (size_t j = 0; j < o + (*n - i); j++) {
			/* the merge commit: its lines about the one merged join it */
			crmf_history_entry *e = j < o ? &v[j] : &(*out)[i + j - o];

			if (strcmp(e->oid, h[k].oid) != 0)
				continue;
			e->changes =
			    xrealloc(e->changes, (e->n_changes + h[k].n_changes) * sizeof(char *));
			memcpy(e->changes + e->n_changes, h[k].changes,
			       h[k].n_changes * sizeof(char *));
			e->n_changes += h[k].n_changes;
			free(h[k].author);
			free(h[k].subject);
			free(h[k].path);
			free(h[k].changes);
			k++;
			goto next;
		}
		v[o++] = h[k++];
next:;
	}
	free(*out);
	free(h);
	*out = v;
	*n = o;
}

int crmf_repository_history(crmf_history_entry **out, size_t *n, crmf_repository *r, const char *id,
			    const char *field)
{
	const repo_ctx *c;
	const crmf_node *list = NULL;
	crmf_changes *ch = NULL;
	crmf_doc *doc = NULL;
	int rc = -1;

	*out = NULL;
	*n = 0;
	/* the change index read once for the customer and every id merged into it */
	if (ctx(&c, r) != 0 || crmf_ctx_changes(&ch, NULL, c) != 0 ||
	    crmf_ctx_history(out, n, c, ch, id, field) != 0)
		goto done;
	if (*n > 0)
		doc = merged_ids(crmf_repository_root(r), (*out)[0].path, &list);
	for (size_t i = 0; list && i < list->n; i++) {
		crmf_history_entry *h = NULL;
		size_t nh = 0;
		const char *m = list->items[i]->value;

		if (list->items[i]->type != CRMF_NODE_SCALAR || !list->items[i]->len ||
		    strcmp(m, id) == 0)
			continue;
		if (crmf_ctx_history(&h, &nh, c, ch, m, field) != 0)
			goto done;
		add_merged(out, n, h, nh, m);
	}
	rc = 0;
done:
	crmf_doc_free(doc);
	crmf_changes_free(ch);
	return rc;
}

/* An index that covers HEAD read without starting libgit2 (whose start costs
 * more than reading it), asked once; r->changes stays NULL when libgit2 must
 * decide. */
static void read_fast_once(crmf_repository *r)
{
	if (!r->changes && !r->ctx_tried && !r->fast_tried) {
		r->fast_tried = true;
		(void)crmf_changes_read_fast(&r->changes, r->root);
	}
}

static int repository_changes(const crmf_changes **out, size_t *walked, crmf_repository *r,
			      bool defer)
{
	const repo_ctx *c;

	*out = NULL;
	if (walked)
		*walked = 0;
	read_fast_once(r);
	if (!r->changes &&
	    (ctx(&c, r) != 0 || (defer ? crmf_ctx_changes_deferred(&r->changes, walked, c)
				       : crmf_ctx_changes(&r->changes, walked, c)) != 0))
		return -1;
	*out = r->changes;
	return 0;
}

int crmf_repository_changes(const crmf_changes **out, size_t *walked, crmf_repository *r)
{
	if (repository_changes(out, walked, r, false) != 0 ||
	    /* another caller's deferred walk, never finished: finish it without help */
	    crmf_repository_changes_finish(r, NULL) != 0)
		return -1;
	crmf_repository_changes_save(r);
	return 0;
}

int crmf_repository_changes_deferred(const crmf_changes **out, size_t *walked,
				     crmf_repository *r)
{
	return repository_changes(out, walked, r, true);
}

bool crmf_repository_changes_ready(crmf_repository *r)
{
	read_fast_once(r);
	return r->changes && !crmf_changes_unfinished(r->changes);
}

int crmf_repository_changes_finish(crmf_repository *r, const crmf_worktree *w)
{
	const repo_ctx *c;

	if (!crmf_changes_unfinished(r->changes))
		return 0;
	if (ctx(&c, r) != 0)
		return -1;
	return crmf_changes_finish(r->changes, c, w);
}

void crmf_repository_changes_save(crmf_repository *r)
{
	/* the context is open whenever there is something to save: a walk opened it */
	if (r->changes && r->ctx_tried && !r->ctx_error)
		crmf_changes_save(r->changes, &r->ctx);
}
