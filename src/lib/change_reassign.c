/* SPDX-License-Identifier: MIT */
/* crmf reassign, crmf set --where, crmf assign --apply: many customers changed as one commit. */
#include <stdlib.h>
#include <string.h>

#include "crmf/assign.h"
#include "crmf/scan.h"
#include "crmf/store.h"
#include "crmf/where.h"
#include "change_private.h"
#include "util.h"

/* The members `from` and `to` name, checked; -1 after reporting why. */
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

/* The customers of the repository, with their documents, under the lock; NULL reported. */
static crmf_repo *load(crmf_change_tx *tx)
{
	crmf_scan_opts so = {.today = tx->today};
	crmf_repo *repo = NULL;
	crmf_diags d;

	crmf_diags_init(&d);
	if (crmf_change_lock(tx) == 0 &&
	    crmf_repo_load(&repo, crmf_repository_root(tx->repo), &so, &d) != 0)
		change_error(tx, "%s", crmf_error_last());
	crmf_diags_release(&d);
	return repo;
}

/* ---- reassign ---- */

static int set_owner(crmf_edit *e, const crmf_customer *c, void *ctx)
{
	return crmf_edit_set(e, "owner", ctx, CRMF_EDIT_TEXT);
}

int crmf_change_reassign_where(crmf_change_tx *tx, const char *from, const char *to,
			       const crmf_expr *where)
{
	const crmf_member *f, *t;
	struct change_batch b = {0};
	crmf_repo *repo = NULL;
	char *subject = NULL;
	int rc = CRMF_CHANGE_REFUSED;

	if (members(tx, from, to, &f, &t) != 0 || !(repo = load(tx)))
		goto done;
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];

		if (c->archived || !c->owner || crmf_config_member(tx->cfg, c->owner) != f ||
		    !crmf_where_match(where, c, tx->cfg, tx->today))
			continue;
		if (change_batch_add(tx, &b, c, set_owner, (void *)t->id) != 0)
			goto done;
		change_batch_said(&b, "%s: owner %s -> %s", b.v[b.n - 1].id, f->id, t->id);
	}
	if (b.n == 0) {
		change_error(tx, "%s owns no customer under customers/%s; nothing to hand over",
			     f->id, where ? crmf_tr(" that matches --where") : "");
		rc = CRMF_CHANGE_NOTHING;
		goto done;
	}
	subject = xasprintf("crmf: reassign %s -> %s: %zu customer%s", f->id, t->id, b.n,
			    b.n == 1 ? "" : "s");
	rc = change_batch_commit(tx, &b, subject, "reassign", NULL);
done:
	free(subject);
	change_batch_release(&b);
	crmf_repo_free(repo);
	return rc;
}

int crmf_change_reassign(crmf_change_tx *tx, const char *from, const char *to)
{
	return crmf_change_reassign_where(tx, from, to, NULL);
}

/* ---- set --where ---- */

static int set_values(crmf_edit *e, const crmf_customer *c, void *ctx)
{
	crmf_change_tx *tx = ctx;

	return change_set_edit(e, c->doc, tx);
}

/* "stage=negotiation, unset need.budget": the assignments for the subject. */
static char *assignments(const crmf_config *cfg, const crmf_assign *v, size_t n)
{
	crmf_lines l = {0};
	char *s;

	for (size_t i = 0; i < n; i++) {
		if (v[i].unset)
			crmf_lines_add(&l, "unset %s", v[i].key);
		else
			crmf_lines_add(&l, "%s=%s", v[i].key,
				       crmf_config_input(cfg, v[i].key, v[i].value));
	}
	s = crmf_lines_join(&l, ", ");
	crmf_lines_release(&l);
	return s;
}

int crmf_change_set_where(crmf_change_tx *tx, const crmf_expr *where, const crmf_assign *v,
			  size_t n, bool dry_run, size_t *matched)
{
	struct change_batch b = {0};
	crmf_repo *repo = NULL;
	char *subject = NULL, *what = NULL, *cut = NULL;
	size_t m = 0;
	int rc = CRMF_CHANGE_REFUSED;

	tx->assigns = v;
	tx->nassigns = n;
	if (!(repo = load(tx)))
		goto done;
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];
		crmf_doc *now;
		crmf_lines lines = {0};
		int r;

		if (c->archived || !crmf_where_match(where, c, tx->cfg, tx->today))
			continue;
		m++;
		r = change_batch_add(tx, &b, c, set_values, tx);
		if (r == CRMF_CHANGE_NOTHING)
			continue;
		if (r != 0)
			goto done;
		now = b.v[b.n - 1].now;
		change_describe_said(&lines, NULL, c->doc, now);
		for (size_t k = 0; k < lines.n; k++)
			change_batch_said(&b, "%s: %s", b.v[b.n - 1].id, lines.v[k]);
		crmf_lines_release(&lines);
	}
	if (matched)
		*matched = m;
	if (m == 0) {
		change_error(tx, "no customer matches --where; nothing changed");
		goto done;
	}
	if (b.n == 0) {
		rc = CRMF_CHANGE_NOTHING;
		goto done;
	}
	if (dry_run) {
		change_batch_show(tx, &b);
		rc = 0;
		goto done;
	}
	what = assignments(tx->cfg, v, n);
	cut = crmf_text_cut(what, 60);
	subject = xasprintf("crmf: set %zu customer%s: %s", b.n, b.n == 1 ? "" : "s", cut);
	rc = change_batch_commit(tx, &b, subject, "set", NULL);
done:
	free(cut);
	free(what);
	free(subject);
	change_batch_release(&b);
	crmf_repo_free(repo);
	return rc;
}

/* ---- assign --apply ---- */

int crmf_change_assign(crmf_change_tx *tx, const crmf_expr *where, crmf_proposal **out,
		       size_t *n)
{
	struct change_batch b = {0};
	crmf_repo *repo = NULL;
	crmf_lines body = {0};
	crmf_proposal *en = NULL;
	size_t n_en = 0;
	char *subject = NULL, *text = NULL;
	int rc = CRMF_CHANGE_REFUSED;

	*out = NULL;
	*n = 0;
	if (!(repo = load(tx)))
		goto done;
	crmf_assign_propose(out, n, repo, where, tx->today);
	if (crmf_translate_lang()) {
		/* the commit's body gives the reasons in English, as every commit message */
		bool was = tr_english_begin();

		crmf_assign_propose(&en, &n_en, repo, where, tx->today);
		tr_english_end(was);
	}
	for (size_t i = 0; i < *n; i++) {
		const crmf_proposal *p = &(*out)[i];
		const crmf_customer *c = NULL;

		if (!p->proposed)
			continue;
		for (size_t k = 0; k < repo->n && !c; k++)
			if (strcmp(repo->v[k]->path, p->path) == 0)
				c = repo->v[k];
		if (change_batch_add(tx, &b, c, set_owner, p->proposed) != 0)
			goto done;
		change_batch_said(&b, "%s: owner %s -> %s (%s)", p->id, p->owner ? p->owner : "none",
				  p->proposed, p->why);
		crmf_lines_add(&body, "%s: %s (%s)", p->id, p->proposed,
			       en && i < n_en ? en[i].why : p->why);
	}
	if (b.n == 0) {
		if (*n)
			change_error(tx, "no assignment rule gives an owner to the %zu customer%s "
					 "without one; nothing changed",
				     *n, *n == 1 ? "" : "s");
		else
			change_error(tx, "every customer%s has an owner in the team; nothing to "
					 "assign",
				     where ? crmf_tr(" that matches --where") : "");
		rc = *n ? CRMF_CHANGE_REFUSED : CRMF_CHANGE_NOTHING;
		goto done;
	}
	subject = xasprintf("crmf: assign %zu customer%s by the rules of crmf.yaml", b.n,
			    b.n == 1 ? "" : "s");
	text = crmf_lines_join(&body, "\n");
	rc = change_batch_commit(tx, &b, subject, "assign", text);
done:
	free(text);
	free(subject);
	crmf_proposals_free(en, n_en);
	crmf_lines_release(&body);
	change_batch_release(&b);
	crmf_repo_free(repo);
	return rc;
}
