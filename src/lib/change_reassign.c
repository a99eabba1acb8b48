/* crmf reassign: the customers of one member handed over to another, as one commit. */
#include <stdlib.h>
#include <string.h>

#include "crmf/scan.h"
#include "crmf/store.h"
#include "change_private.h"
#include "util.h"

/* One customer handed over: its path and its new bytes. */
struct handed {
	char *rel, *id;
	crmf_doc *now;
};

/* The members `from` and `to` name, checked; NULL after reporting why. */
static int members(crmf_change_tx *tx, const char *from, const char *to,
		   const crmf_member **f, const crmf_member **t)
{
	const crmf_member *gone;
	char d[11];

	*f = crmf_config_member(tx->cfg, from);
	*t = crmf_config_member(tx->cfg, to);
	if (!*f || !*t) {
		change_error(tx, "unknown team member '%s'; name members of 'team' in crmf.yaml",
			     *f ? to : from);
		return -1;
	}
	if (*f == *t) {
		change_error(tx, "'%s' and '%s' are the same member", from, to);
		return -1;
	}
	if ((gone = crmf_config_departed(tx->cfg, (*t)->id, tx->today))) {
		crmf_date_format(gone->left, d);
		change_error(tx, "%s cannot be the owner: they left the team on %s; choose a "
				 "current member", gone->id, d);
		return -1;
	}
	return 0;
}

/* The customer `c` with its owner set to `to`, valid and clean in git, into *h. */
static int hand_over(crmf_change_tx *tx, struct handed *h, const crmf_customer *c, const char *to)
{
	crmf_edit *e = NULL;
	crmf_versions v;
	int rc = -1;

	free(tx->rel);
	tx->rel = xstrdup(c->path);
	h->rel = xstrdup(c->path);
	h->id = crmf_change_path_id(c->path);
	if (change_versions(tx, &v, c->path) != 0)
		return -1;
	if (v.state != CRMF_FILE_CLEAN) {
		change_error(tx, "%s has uncommitted changes: commit them first ('crmf commit'); "
				 "nothing changed", c->path);
		goto done;
	}
	if (crmf_edit_new(&e, c->doc) != 0 ||
	    crmf_edit_set(e, "owner", to, CRMF_EDIT_TEXT) != 0 ||
	    crmf_edit_finish(&h->now, e, NULL) != 0) {
		change_error(tx, "cannot change %s: %s; nothing changed", c->path, crmf_error_last());
		goto done;
	}
	if (change_check_errors(tx, h->now->src, h->now->len) != 0) {
		change_error(tx, "nothing changed: %s would not be valid", c->path);
		goto done;
	}
	rc = 0;
done:
	crmf_edit_free(e);
	crmf_versions_release(&v);
	return rc;
}

/* Write every file, then commit them together. */
static int write_commit(crmf_change_tx *tx, struct handed *h, size_t n, const char *from,
			const char *to)
{
	crmf_commit_path *paths = xcalloc(n, sizeof(*paths));
	crmf_lines ids = {0};
	char *list, *subject, *body;
	int rc = CRMF_CHANGE_REFUSED;

	for (size_t i = 0; i < n; i++) {
		char *fspath = change_fspath(tx, h[i].rel);
		int w = crmf_write_atomic(fspath, h[i].now->src, h[i].now->len);

		free(fspath);
		if (w != 0) {
			change_error(tx, "cannot write %s: %s", h[i].rel, crmf_error_last());
			goto done;
		}
		tx->written = true;
		paths[i] = (crmf_commit_path){h[i].rel, false};
		crmf_lines_add(&ids, "%s", h[i].id);
		change_said(tx, "%s: owner %s -> %s", h[i].id, from, to);
	}
	list = crmf_lines_join(&ids, ", ");
	subject = xasprintf("crmf: reassign %s -> %s: %zu customer%s", from, to, n,
			    n == 1 ? "" : "s");
	body = crmf_lines_join(&ids, "\n");
	rc = change_commit_paths(tx, paths, NULL, n,
				 &(crmf_commit_opts){.subject = subject, .body = body,
						     .action = "reassign", .customer = list});
	free(body);
	free(subject);
	free(list);
done:
	crmf_lines_release(&ids);
	free(paths);
	return rc;
}

int crmf_change_reassign(crmf_change_tx *tx, const char *from, const char *to)
{
	crmf_scan_opts so = {.today = tx->today};
	const crmf_member *f, *t;
	crmf_repo *repo = NULL;
	struct handed *h = NULL;
	size_t n = 0;
	crmf_diags d;
	int rc = CRMF_CHANGE_REFUSED;

	crmf_diags_init(&d);
	if (members(tx, from, to, &f, &t) != 0 || crmf_change_lock(tx) != 0)
		goto done;
	if (crmf_repo_load(&repo, crmf_repository_root(tx->repo), &so, &d) != 0) {
		change_error(tx, "%s", crmf_error_last());
		goto done;
	}
	h = xcalloc(repo->n + 1, sizeof(*h));
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];

		if (c->archived || !c->owner || crmf_config_member(tx->cfg, c->owner) != f)
			continue;
		if (hand_over(tx, &h[n++], c, t->id) != 0)
			goto done;
	}
	if (n == 0) {
		change_error(tx, "%s owns no customer under customers/; nothing to hand over", f->id);
		rc = CRMF_CHANGE_NOTHING;
		goto done;
	}
	rc = write_commit(tx, h, n, f->id, t->id);
done:
	for (size_t i = 0; h && i < n; i++) {
		free(h[i].rel);
		free(h[i].id);
		crmf_doc_free(h[i].now);
	}
	free(h);
	crmf_repo_free(repo);
	crmf_diags_release(&d);
	return rc;
}
