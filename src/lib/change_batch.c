/* SPDX-License-Identifier: MIT */
/* Changes of many customers at once (reassign, set --where, assign): all valid, then one commit. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "change_private.h"
#include "util.h"

void change_batch_release(struct change_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].rel);
		free(b->v[i].id);
		crmf_doc_free(b->v[i].now);
		crmf_lines_release(&b->v[i].said);
	}
	free(b->v);
	memset(b, 0, sizeof(*b));
}

int change_batch_add(crmf_change_tx *tx, struct change_batch *b, const crmf_customer *c,
		     change_batch_edit *fn, void *ctx)
{
	struct change_batch_item it = {0};
	crmf_edit *e = NULL;
	crmf_versions v;
	int rc = -1;

	free(tx->rel);
	tx->rel = xstrdup(c->path);
	if (change_versions(tx, &v, c->path) != 0)
		return -1;
	if (v.state != CRMF_FILE_CLEAN) {
		change_error(tx, "%s has uncommitted changes: commit them first ('crmf commit'); "
				 "nothing changed", c->path);
		goto done;
	}
	if (crmf_edit_new(&e, c->doc) != 0) {
		change_error(tx, "cannot change %s: %s; nothing changed", c->path, crmf_error_last());
		goto done;
	}
	if (fn(e, c, ctx) != 0)
		goto done;
	if (crmf_edit_count(e) == 0) {
		rc = CRMF_CHANGE_NOTHING;
		goto done;
	}
	if (crmf_edit_finish(&it.now, e, NULL) != 0) {
		change_error(tx, "cannot change %s: %s; nothing changed", c->path, crmf_error_last());
		goto done;
	}
	if (change_check_errors(tx, it.now->src, it.now->len) != 0) {
		change_error(tx, "nothing changed: %s would not be valid", c->path);
		goto done;
	}
	it.rel = xstrdup(c->path);
	it.id = crmf_change_path_id(c->path);
	b->v = xrealloc(b->v, (b->n + 1) * sizeof(*b->v));
	b->v[b->n++] = it;
	it.now = NULL;
	rc = 0;
done:
	crmf_doc_free(it.now);
	crmf_edit_free(e);
	crmf_versions_release(&v);
	return rc;
}

void change_batch_said(struct change_batch *b, const char *fmt, ...)
{
	struct change_batch_item *it = &b->v[b->n - 1];
	va_list ap;
	char *s;

	fmt = crmf_tr(fmt);
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	crmf_lines_add(&it->said, "%s", s);
	free(s);
}

void change_batch_show(crmf_change_tx *tx, const struct change_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		for (size_t k = 0; k < b->v[i].said.n; k++)
			change_said(tx, "%s", b->v[i].said.v[k]);
}

int change_batch_commit(crmf_change_tx *tx, const struct change_batch *b, const char *subject,
			const char *action, const char *body)
{
	crmf_commit_path *paths = xcalloc(b->n + 1, sizeof(*paths));
	crmf_lines ids = {0};
	char *list = NULL, *idlines = NULL;
	int rc = CRMF_CHANGE_REFUSED;

	for (size_t i = 0; i < b->n; i++) {
		char *fspath = change_fspath(tx, b->v[i].rel);
		int w = crmf_write_atomic(fspath, b->v[i].now->src, b->v[i].now->len);

		free(fspath);
		if (w != 0) {
			change_error(tx, "cannot write %s: %s", b->v[i].rel, crmf_error_last());
			goto done;
		}
		tx->written = true;
		paths[i] = (crmf_commit_path){b->v[i].rel, false};
		crmf_lines_add(&ids, "%s", b->v[i].id);
	}
	change_batch_show(tx, b);
	list = crmf_lines_join(&ids, ", ");
	if (!body)
		body = idlines = crmf_lines_join(&ids, "\n");
	rc = change_commit_paths(tx, paths, NULL, b->n,
				 &(crmf_commit_opts){.subject = subject, .body = body,
						     .action = action, .customer = list});
done:
	free(idlines);
	free(list);
	crmf_lines_release(&ids);
	free(paths);
	return rc;
}
