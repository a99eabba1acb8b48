/* SPDX-License-Identifier: MIT */
/* A customer's audit trail: where its file is in each commit and what each commit changed. */
#include "crmf/commit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/repository.h>

#include "crmf/diag.h"
#include "crmf/diff.h"
#include "changes_private.h"
#include "git_private.h"
#include "gitfilter.h"
#include "gitindex.h"
#include "util.h"
#include "repo_ctx.h"

/* --- history: where the customer is in each commit --- */

/* What a search of one tree found, remembered by the tree's id. */
typedef struct memo_slot {
	git_oid tree;
	bool used, found;
	git_oid blob;
	char *path; /* below that tree */
} memo_slot;

typedef struct hist {
	const repo_ctx *c;
	char *names[2]; /* "<id>.yaml", "<id>.yml" */
	memo_slot *slots;
	size_t cap, used;
} hist;

/* The customer in one commit. */
typedef struct located {
	bool found;
	git_oid blob;
	char *path; /* relative to the crmf root */
} located;

static size_t oid_hash(const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h;
}

static memo_slot *memo_find(hist *h, const git_oid *id)
{
	size_t mask = h->cap - 1, i = oid_hash(id) & mask;

	while (h->slots[i].used && !git_oid_equal(&h->slots[i].tree, id))
		i = (i + 1) & mask;
	return &h->slots[i];
}

static void memo_grow(hist *h)
{
	memo_slot *old = h->slots;
	size_t ocap = h->cap;

	h->cap = ocap ? ocap * 2 : 1024;
	h->slots = xcalloc(h->cap, sizeof(*h->slots));
	for (size_t i = 0; i < ocap; i++)
		if (old[i].used)
			*memo_find(h, &old[i].tree) = old[i];
	free(old);
}

/*
 * Find the customer's file below the tree `id`, at any depth. Every tree is
 * read at most once over the whole history: commits share most subtrees, so
 * a commit that touched another customer costs a lookup per changed folder.
 */
static int search(const memo_slot **res, hist *h, const git_oid *id)
{
	memo_slot *s = memo_find(h, id);
	git_tree *tree = NULL;
	bool found = false;
	git_oid blob;
	char *path = NULL;

	if (s->used) {
		*res = s;
		return 0;
	}
	if (git_tree_lookup(&tree, h->c->repo, id) < 0)
		return crmf_error_set("cannot read the history: %s", crmf_git_msg());
	for (size_t k = 0; k < 2 && !found; k++) {
		const git_tree_entry *e = git_tree_entry_byname(tree, h->names[k]);

		if (e && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			found = true;
			git_oid_cpy(&blob, git_tree_entry_id(e));
			path = xstrdup(h->names[k]);
		}
	}
	for (size_t i = 0, m = git_tree_entrycount(tree); i < m && !found; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const memo_slot *sub;

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE || git_tree_entry_name(e)[0] == '.')
			continue;
		if (search(&sub, h, git_tree_entry_id(e)) < 0) {
			git_tree_free(tree);
			return -1;
		}
		if (sub->found) {
			found = true;
			git_oid_cpy(&blob, &sub->blob);
			path = xasprintf("%s/%s", git_tree_entry_name(e), sub->path);
		}
	}
	git_tree_free(tree);
	if ((h->used + 1) * 2 > h->cap)
		memo_grow(h);
	s = memo_find(h, id); /* the recursion may have moved the table */
	s->used = true;
	git_oid_cpy(&s->tree, id);
	s->found = found;
	if (found)
		git_oid_cpy(&s->blob, &blob);
	s->path = path;
	h->used++;
	*res = s;
	return 0;
}

static int locate(located *out, hist *h, const git_commit *commit)
{
	static const char *const tops[] = {"customers", "archive"};
	git_tree *root = NULL;
	int rc = 0;

	out->found = false;
	out->path = NULL;
	if (git_commit_tree(&root, commit) < 0)
		return crmf_error_set("cannot read the history: %s", crmf_git_msg());
	for (size_t t = 0; t < 2 && !out->found && rc == 0; t++) {
		char *p = xasprintf("%s%s", h->c->prefix, tops[t]);
		git_tree_entry *te = NULL;
		const memo_slot *s;

		if (git_tree_entry_bypath(&te, root, p) == 0 &&
		    git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			if (search(&s, h, git_tree_entry_id(te)) < 0) {
				rc = -1;
			} else if (s->found) {
				out->found = true;
				git_oid_cpy(&out->blob, &s->blob);
				out->path = xasprintf("%s/%s", tops[t], s->path);
			}
		}
		git_error_clear();
		git_tree_entry_free(te);
		free(p);
	}
	git_tree_free(root);
	return rc;
}

static int locate_parent(located *out, hist *h, const git_commit *commit, unsigned k)
{
	git_commit *p = NULL;
	int rc;

	out->found = false;
	out->path = NULL;
	if (git_commit_parent(&p, commit, k) < 0)
		return crmf_error_set("cannot read the history: %s", crmf_git_msg());
	rc = locate(out, h, p);
	git_commit_free(p);
	return rc;
}

static bool same_place(const located *a, const located *b)
{
	if (a->found != b->found)
		return false;
	return !a->found || (git_oid_equal(&a->blob, &b->blob) && strcmp(a->path, b->path) == 0);
}

/* --- history: what each commit changed --- */

typedef struct lines {
	char **v;
	size_t n, cap;
} lines;

/* Append `s`, which the list now owns. */
static void line_add(lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

/* The bytes of a blob as the work tree would have them at `path` (relative to the crmf
 * root; smudged); one that cannot be read compares as an empty, invalid file. */
static void blob_bytes(git_buf *out, hist *h, const git_oid *id, const char *path)
{
	git_blob *b = NULL;
	char *gp;

	memset(out, 0, sizeof(*out));
	if (git_blob_lookup(&b, h->c->repo, id) < 0) {
		git_error_clear();
		return;
	}
	gp = xasprintf("%s%s", h->c->prefix, path);
	if (crmf_gitfilter_smudge(out, h->c->repo, b, gp) < 0) {
		git_error_clear();
		git_buf_dispose(out);
		memset(out, 0, sizeof(*out));
	}
	free(gp);
	git_blob_free(b);
}

/* The field-level lines between two blobs; `was` NULL for a file created. */
static void blob_changes(lines *l, hist *h, const located *was, const located *now,
			 const char *field)
{
	git_buf a = GIT_BUF_INIT, b = GIT_BUF_INIT;
	crmf_change *v = NULL;
	size_t n = 0;

	if (was)
		blob_bytes(&a, h, &was->blob, was->path);
	blob_bytes(&b, h, &now->blob, now->path);
	crmf_diff_bytes(&v, &n, was ? was->path : NULL, was ? (a.ptr ? a.ptr : "") : NULL, a.size,
			now->path, b.ptr ? b.ptr : "", b.size, field);
	for (size_t i = 0; i < n; i++) {
		line_add(l, v[i].text);
		v[i].text = NULL;
	}
	crmf_diff_free(v, n);
	git_buf_dispose(&a);
	git_buf_dispose(&b);
}

/* The lines of one commit that changed the customer from `was` to `now`; with `field`, only
 * those about it (a move or removal is about no field). */
static void describe(lines *l, hist *h, const located *was, const located *now, const char *field)
{
	if (!was->found) {
		if (!field)
			line_add(l, xstrdup(crmf_tr("+ created (new customer)")));
		else /* with a field, creation is where the field got its first value */
			blob_changes(l, h, NULL, now, field);
		return;
	}
	if (!now->found) {
		if (!field)
			line_add(l, xstrdup(crmf_tr("- removed from the repository")));
		return;
	}
	if (!field && strcmp(was->path, now->path) != 0)
		line_add(l, xasprintf(crmf_tr("moved %s → %s"), was->path, now->path));
	if (!git_oid_equal(&was->blob, &now->blob))
		blob_changes(l, h, was, now, field);
}

static bool valid_id(const char *id)
{
	if (!id || !*id || *id == '.')
		return false;
	for (const char *p = id; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20)
			return false;
	return true;
}

typedef struct history_list {
	crmf_history_entry *v;
	size_t n, cap;
} history_list;

/* Keep the commit when it has lines (none are left after a field filter that matched
 * nothing); the entry takes them. */
static void history_add(history_list *hl, const git_commit *commit, const located *was,
			const located *now, lines *l)
{
	const git_signature *sig = git_commit_author(commit);
	const char *sum;
	crmf_history_entry *e;

	if (l->n == 0)
		return;
	if (hl->n == hl->cap) {
		hl->cap = hl->cap ? hl->cap * 2 : 16;
		hl->v = xrealloc(hl->v, hl->cap * sizeof(*hl->v));
	}
	e = &hl->v[hl->n++];
	memset(e, 0, sizeof(*e));
	git_oid_tostr(e->oid, sizeof(e->oid), git_commit_id(commit));
	e->author = xasprintf("%s <%s>", sig->name, sig->email);
	e->time = (long long)git_commit_time(commit);
	e->tz_minutes = git_commit_time_offset(commit);
	sum = git_commit_summary((git_commit *)commit);
	e->subject = xstrdup(sum ? sum : "");
	e->path = xstrdup(now->found ? now->path : was->path);
	e->changes = l->v;
	e->n_changes = l->n;
	memset(l, 0, sizeof(*l));
}

/* Add the entry of `commit` when it changed the customer: its file differs from the first
 * parent's, and a merge's from every parent's (one that took it unchanged from a side is
 * no change). */
static int commit_entry(history_list *l, hist *h, const git_commit *commit, const char *field)
{
	located now = {false, {{0}}, NULL}, was = {false, {{0}}, NULL};
	unsigned np = git_commit_parentcount(commit);
	bool same;
	int rc = -1;

	if (locate(&now, h, commit) < 0 || (np > 0 && locate_parent(&was, h, commit, 0) < 0))
		goto done;
	same = same_place(&now, &was);
	for (unsigned k = 1; k < np && !same; k++) {
		located other = {false, {{0}}, NULL};

		if (locate_parent(&other, h, commit, k) < 0)
			goto done;
		same = same_place(&now, &other);
		free(other.path);
	}
	if (!same) {
		lines cl = {NULL, 0, 0};

		describe(&cl, h, &was, &now, field);
		history_add(l, commit, &was, &now, &cl);
		for (size_t i = 0; i < cl.n; i++)
			free(cl.v[i]);
		free(cl.v);
	}
	rc = 0;
done:
	free(now.path);
	free(was.path);
	return rc;
}

/* Only the commits the change index says changed a file of customer `id`
 * (crmf_changes_touching: every commit that changed it, and a few that
 * commit_entry then leaves out), in the index's order reversed. The index is walked
 * oldest first in git's date order (see changes.c), so this is newest first by
 * date, a commit before its parents; but commits of a branch merged after the
 * index was last extended come before the older ones (still each before its
 * parents). */
static int history_indexed(history_list *l, hist *h, const crmf_changes *ch, const char *id,
			   const char *field)
{
	const crmf_changes_commit *cv;
	size_t *pos = NULL, n = crmf_changes_touching(&pos, ch, id);
	int rc = 0;

	(void)crmf_changes_commits(&cv, ch);
	for (size_t i = n; i-- > 0 && rc == 0;) {
		git_commit *commit = NULL;
		git_oid oid;

		memcpy(oid.id, cv[pos[i]].oid, GIT_OID_RAWSZ);
		if (git_commit_lookup(&commit, h->c->repo, &oid) < 0) {
			rc = crmf_error_set("cannot read the history: %s", crmf_git_msg());
			break;
		}
		rc = commit_entry(l, h, commit, field);
		git_commit_free(commit);
	}
	free(pos);
	return rc;
}

int crmf_ctx_history(crmf_history_entry **out, size_t *n, const repo_ctx *c,
		     const crmf_changes *ch, const char *id, const char *field)
{
	hist h;
	history_list l = {NULL, 0, 0};
	crmf_changes *own = NULL;
	int e, rc = -1;

	*out = NULL;
	*n = 0;
	if (!valid_id(id))
		return crmf_error_set("invalid customer id '%s'", id ? id : "");
	memset(&h, 0, sizeof(h));
	h.c = c;
	h.names[0] = xasprintf("%s.yaml", id);
	h.names[1] = xasprintf("%s.yml", id);
	memo_grow(&h);
	e = git_repository_head_unborn(c->repo);
	if (e == 1) {
		rc = 0; /* no commit yet: no history */
		goto done;
	}
	if (e < 0) {
		crmf_error_set("cannot read the history: %s", crmf_git_msg());
		goto done;
	}
	/* the change index (crmf report's, built or extended when needed) names the
	 * commits to look at: a walk of its own would read every commit's trees */
	if (!ch) {
		if (crmf_ctx_changes(&own, NULL, c) < 0)
			goto done;
		ch = own;
	}
	rc = history_indexed(&l, &h, ch, id, field);
	if (rc == 0)
		git_error_clear();
done:
	if (rc == 0) {
		*out = l.v;
		*n = l.n;
	} else {
		crmf_history_free(l.v, l.n);
	}
	crmf_changes_free(own);
	for (size_t i = 0; i < h.cap; i++)
		if (h.slots[i].used)
			free(h.slots[i].path);
	free(h.slots);
	free(h.names[0]);
	free(h.names[1]);
	return rc;
}

int crmf_history(crmf_history_entry **out, size_t *n, const char *root, const char *id,
		 const char *field)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	*out = NULL;
	*n = 0;
	if (!valid_id(id))
		return crmf_error_set("invalid customer id '%s'", id ? id : "");
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_history(out, n, &c, NULL, id, field);
	crmf_ctx_close(&c);
	return rc;
}

void crmf_history_free(crmf_history_entry *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].author);
		free(v[i].subject);
		free(v[i].path);
		for (size_t k = 0; k < v[i].n_changes; k++)
			free(v[i].changes[k]);
		free(v[i].changes);
	}
	free(v);
}
