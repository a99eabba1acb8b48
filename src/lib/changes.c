/* The index of customers' field changes per commit (.git/crmf/changes): built by walking history once, then extended. */
#include "crmf/changes.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <git2.h>

#include "changes_private.h"
#include "crmf/commit.h"
#include "crmf/diag.h"
#include "crmf/doc.h"
#include "git_private.h"
#include "gitfilter.h"
#include "repo_ctx.h"
#include "util.h"

#define INDEX_MAGIC "crmf-changes 1"

struct crmf_changes {
	crmf_change_event *v;
	size_t n, cap;
	/* every string of the events, interned: a few hundred distinct values */
	char **strs;
	size_t n_strs, cap_strs; /* open addressing, cap a power of two */
	git_oid head;
	bool has_head;
};

static const char *const kind_names[] = {"created", "stage",    "owner",	"potential",
					 "grade",   "archived", "restored", "removed"};

const char *crmf_change_kind_name(crmf_change_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* The interned copy of s[0..n); NULL for NULL. */
static const char *intern(crmf_changes *ch, const char *s, size_t n)
{
	size_t mask, i;

	if (!s)
		return NULL;
	if (2 * (ch->n_strs + 1) > ch->cap_strs) {
		size_t cap = ch->cap_strs ? 2 * ch->cap_strs : 256;
		char **t = xcalloc(cap, sizeof(*t));

		for (size_t k = 0; k < ch->cap_strs; k++) {
			char *o = ch->strs[k];

			if (!o)
				continue;
			for (i = fnv(o, strlen(o), 0xcbf29ce484222325ULL) & (cap - 1); t[i];
			     i = (i + 1) & (cap - 1))
				;
			t[i] = o;
		}
		free(ch->strs);
		ch->strs = t;
		ch->cap_strs = cap;
	}
	mask = ch->cap_strs - 1;
	for (i = fnv(s, n, 0xcbf29ce484222325ULL) & mask; ch->strs[i]; i = (i + 1) & mask)
		if (strncmp(ch->strs[i], s, n) == 0 && ch->strs[i][n] == '\0')
			return ch->strs[i];
	ch->strs[i] = xmalloc(n + 1);
	memcpy(ch->strs[i], s, n);
	ch->strs[i][n] = '\0';
	ch->n_strs++;
	return ch->strs[i];
}

static const char *intern0(crmf_changes *ch, const char *s)
{
	return s ? intern(ch, s, strlen(s)) : NULL;
}

static void add(crmf_changes *ch, const crmf_change_event *e)
{
	if (ch->n == ch->cap) {
		ch->cap = ch->cap ? 2 * ch->cap : 1024;
		ch->v = xrealloc(ch->v, ch->cap * sizeof(*ch->v));
	}
	ch->v[ch->n++] = *e;
}

void crmf_changes_free(crmf_changes *ch)
{
	if (!ch)
		return;
	for (size_t i = 0; i < ch->cap_strs; i++)
		free(ch->strs[i]);
	free(ch->strs);
	free(ch->v);
	free(ch);
}

size_t crmf_changes_events(const crmf_change_event **v, const crmf_changes *ch)
{
	*v = ch->v;
	return ch->n;
}

/* ---- the index file ---- */

/* a value in a line: tabs and line breaks cannot be in it */
static void put_value(strbuf *sb, const char *s)
{
	for (; s && *s; s++)
		sb_addc(sb, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void format_event(strbuf *sb, const crmf_change_event *e)
{
	sb_addf(sb, "%lld\t%d\t%s\t", e->time, (int)e->day, crmf_change_kind_name(e->kind));
	put_value(sb, e->id);
	sb_addc(sb, '\t');
	put_value(sb, e->author);
	sb_addc(sb, '\t');
	put_value(sb, e->from);
	sb_addc(sb, '\t');
	put_value(sb, e->to);
	sb_addc(sb, '\n');
}

/* Write the index atomically; failing to write it is no error (it is a cache). */
static void save(const crmf_changes *ch, const repo_ctx *c)
{
	strbuf sb = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1], *dir = crmf_ctx_gitdir_file(c, "crmf", false);
	char *path = xasprintf("%s/changes", dir);

	git_oid_tostr(hex, sizeof(hex), &ch->head);
	sb_addf(&sb, INDEX_MAGIC "\nhead %s\n", hex);
	for (size_t i = 0; i < ch->n; i++)
		format_event(&sb, &ch->v[i]);
	sb_addf(&sb, "end %zu %016llx\n", ch->n,
		(unsigned long long)fnv(sb.buf, sb.len, 0xcbf29ce484222325ULL));
	if (mkdir(dir, 0777) == 0 || errno == EEXIST)
		(void)crmf_write_atomic(path, sb.buf, sb.len);
	sb_release(&sb);
	free(path);
	free(dir);
}

/* The fields of one line (tab-separated, in place); how many. */
static size_t split(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static int kind_parse(const char *s)
{
	for (size_t k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
		if (strcmp(s, kind_names[k]) == 0)
			return (int)k;
	return -1;
}

/* Read the index into ch; false when it is missing, corrupt or of another version. */
static bool load(crmf_changes *ch, const repo_ctx *c)
{
	char *path = crmf_ctx_gitdir_file(c, "crmf/changes", false), *buf = NULL, *p, *end;
	size_t len = 0, count = 0;
	unsigned long long sum;
	bool ok = false;

	if (crmf_doc_read(&buf, &len, path) != 0)
		goto done;
	/* the last line: "end N SUM" over everything before it */
	end = buf + len;
	if (len < 2 || end[-1] != '\n')
		goto done;
	for (p = end - 1; p > buf && p[-1] != '\n'; p--)
		;
	if (sscanf(p, "end %zu %llx", &count, &sum) != 2 ||
	    sum != (unsigned long long)fnv(buf, (size_t)(p - buf), 0xcbf29ce484222325ULL))
		goto done;
	*p = '\0';
	if (strncmp(buf, INDEX_MAGIC "\nhead ", strlen(INDEX_MAGIC "\nhead ")) != 0)
		goto done;
	p = buf + strlen(INDEX_MAGIC "\nhead ");
	if (git_oid_fromstrn(&ch->head, p, GIT_OID_HEXSZ) < 0 || p[GIT_OID_HEXSZ] != '\n') {
		git_error_clear();
		goto done;
	}
	ch->has_head = true;
	for (p += GIT_OID_HEXSZ + 1; *p;) {
		char *nl = strchr(p, '\n'), *f[7];
		crmf_change_event e;
		int k;

		if (!nl)
			goto done;
		*nl = '\0';
		if (split(p, f, 7) != 7 || (k = kind_parse(f[2])) < 0)
			goto done;
		e = (crmf_change_event){.time = strtoll(f[0], NULL, 10),
					.day = (crmf_day)atoi(f[1]),
					.kind = (crmf_change_kind)k,
					.id = intern0(ch, f[3]),
					.author = intern0(ch, f[4]),
					.from = *f[5] ? intern0(ch, f[5]) : NULL,
					.to = *f[6] ? intern0(ch, f[6]) : NULL};
		add(ch, &e);
		p = nl + 1;
	}
	ok = ch->n == count;
done:
	if (!ok) {
		ch->n = 0;
		ch->has_head = false;
	}
	free(buf);
	free(path);
	return ok;
}

/* ---- walking history ---- */

/* What a commit's version of a customer file says. */
typedef struct state {
	bool archived;
	char *stage, *owner, *potential, *grade;
} state;

static char *scalar(const crmf_node *root, const char *key)
{
	const crmf_node *v = crmf_node_get(root, key);

	return v && v->type == CRMF_NODE_SCALAR && v->len ? xstrdup(v->value) : NULL;
}

static void state_release(state *s)
{
	free(s->stage);
	free(s->owner);
	free(s->potential);
	free(s->grade);
}

/* The fields of the blob `id` at `path` (relative to the git root), as the work tree would have it. */
static void read_state(state *s, const repo_ctx *c, const git_oid *id, const char *path)
{
	git_blob *b = NULL;
	git_buf buf = GIT_BUF_INIT;
	crmf_doc *doc = NULL;
	crmf_diags d;

	memset(s, 0, sizeof(*s));
	s->archived = strncmp(path + strlen(c->prefix), "archive/", 8) == 0;
	if (git_blob_lookup(&b, c->repo, id) < 0 || crmf_gitfilter_smudge(&buf, c->repo, b, path) < 0) {
		git_error_clear();
		goto done;
	}
	crmf_diags_init(&d);
	crmf_doc_parse(&doc, path, buf.ptr ? buf.ptr : "", buf.size, &d);
	crmf_diags_release(&d);
	if (doc && doc->root && doc->root->type == CRMF_NODE_MAPPING) {
		s->stage = scalar(doc->root, "stage");
		s->owner = scalar(doc->root, "owner");
		s->potential = scalar(doc->root, "potential");
		s->grade = scalar(doc->root, "grade");
	}
done:
	crmf_doc_free(doc);
	git_buf_dispose(&buf);
	git_blob_free(b);
}

static bool differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* The day of a time (seconds since the epoch, already in the wanted zone). */
static crmf_day day_of(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	return crmf_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

typedef struct commit_info {
	long long time;
	crmf_day day;
	const char *author;
} commit_info;

static void event(crmf_changes *ch, const commit_info *ci, crmf_change_kind kind, const char *id,
		  const char *from, const char *to)
{
	crmf_change_event e = {ci->time, ci->day, kind, intern0(ch, id), ci->author,
			       intern0(ch, from), intern0(ch, to)};

	add(ch, &e);
}

/* The events between two versions of customer `id` (was NULL: created; now NULL: removed). */
static void compare(crmf_changes *ch, const commit_info *ci, const char *id, const state *was,
		    const state *now)
{
	static const state none;
	const state *a = was ? was : &none;

	if (!now) {
		event(ch, ci, CRMF_CHANGE_REMOVED, id, was->stage, NULL);
		return;
	}
	if (!was)
		event(ch, ci, CRMF_CHANGE_CREATED, id, NULL, now->stage);
	else if (differ(a->stage, now->stage))
		event(ch, ci, CRMF_CHANGE_STAGE, id, a->stage, now->stage);
	if (differ(a->owner, now->owner))
		event(ch, ci, CRMF_CHANGE_OWNER, id, a->owner, now->owner);
	if (differ(a->potential, now->potential))
		event(ch, ci, CRMF_CHANGE_POTENTIAL, id, a->potential, now->potential);
	if (differ(a->grade, now->grade))
		event(ch, ci, CRMF_CHANGE_GRADE, id, a->grade, now->grade);
	if (was && was->archived != now->archived)
		event(ch, ci, now->archived ? CRMF_CHANGE_ARCHIVED : CRMF_CHANGE_RESTORED, id, NULL,
		      NULL);
}

/* One side of a delta, by customer id. */
typedef struct side {
	char *id, *path;
	git_oid oid;
	bool old; /* the first parent's side */
} side;

static int side_cmp(const void *a, const void *b)
{
	const side *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (int)y->old - (int)x->old; /* old first */
}


/* The customer id of a path: its file name without .yaml/.yml; NULL for another file. */
static char *path_id(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
		return xasprintf("%.*s", (int)(n - 5), base);
	if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
		return xasprintf("%.*s", (int)(n - 4), base);
	return NULL;
}

/* Whether another parent than the first has `oid` at `path` (a zero oid: no file there). */
static bool from_other_parent(const repo_ctx *c, git_commit *commit, const char *path,
			      const git_oid *oid, bool gone)
{
	for (unsigned k = 1; k < git_commit_parentcount(commit); k++) {
		git_commit *p = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;
		bool same;

		if (git_commit_parent(&p, commit, k) < 0 || git_commit_tree(&t, p) < 0) {
			git_error_clear();
			git_tree_free(t);
			git_commit_free(p);
			continue;
		}
		if (git_tree_entry_bypath(&e, t, path) < 0) {
			git_error_clear();
			same = gone;
		} else {
			same = !gone && git_oid_equal(git_tree_entry_id(e), oid);
		}
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(p);
		(void)c;
		if (same)
			return true;
	}
	return false;
}

static int commit_events(crmf_changes *ch, const repo_ctx *c, git_commit *commit)
{
	git_commit *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	char *specs[2] = {xasprintf("%scustomers/", c->prefix), xasprintf("%sarchive/", c->prefix)};
	const git_signature *who = git_commit_author(commit);
	commit_info ci = {who->when.time, 0, intern0(ch, who->email)};
	side *sides = NULL;
	size_t n = 0;
	int rc = -1;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	ci.day = day_of(who->when.time + (long long)who->when.offset * 60);
	opts.pathspec.strings = specs;
	opts.pathspec.count = 2;
	if (git_commit_tree(&tree, commit) < 0 ||
	    (git_commit_parentcount(commit) > 0 &&
	     (git_commit_parent(&parent, commit, 0) < 0 || git_commit_tree(&ptree, parent) < 0)) ||
	    git_diff_tree_to_tree(&diff, c->repo, ptree, tree, &opts) < 0) {
		crmf_error_set("cannot read a commit of the history: %s", crmf_git_msg());
		goto done;
	}
	sides = xcalloc(2 * git_diff_num_deltas(diff) + 1, sizeof(*sides));
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		bool merge = git_commit_parentcount(commit) > 1;

		if (merge && from_other_parent(c, commit, d->new_file.path, &d->new_file.id,
					       d->status == GIT_DELTA_DELETED))
			continue;
		if (d->status != GIT_DELTA_ADDED) {
			char *id = path_id(d->old_file.path);

			if (id)
				sides[n++] = (side){id, xstrdup(d->old_file.path), d->old_file.id, true};
		}
		if (d->status != GIT_DELTA_DELETED) {
			char *id = path_id(d->new_file.path);

			if (id)
				sides[n++] = (side){id, xstrdup(d->new_file.path), d->new_file.id, false};
		}
	}
	qsort(sides, n, sizeof(*sides), side_cmp);
	for (size_t i = 0, k; i < n; i = k) {
		const side *o = NULL, *nw = NULL;
		state was, now;

		/* the versions of one customer: before (old side) and after (new side);
		 * a file in two folders at once counts once */
		for (k = i; k < n && strcmp(sides[k].id, sides[i].id) == 0; k++) {
			if (sides[k].old && !o)
				o = &sides[k];
			else if (!sides[k].old && !nw)
				nw = &sides[k];
		}
		if (o)
			read_state(&was, c, &o->oid, o->path);
		if (nw)
			read_state(&now, c, &nw->oid, nw->path);
		compare(ch, &ci, sides[i].id, o ? &was : NULL, nw ? &now : NULL);
		if (o)
			state_release(&was);
		if (nw)
			state_release(&now);
	}
	rc = 0;
done:
	for (size_t i = 0; i < n; i++) {
		free(sides[i].id);
		free(sides[i].path);
	}
	free(sides);
	free(specs[0]);
	free(specs[1]);
	git_diff_free(diff);
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return rc;
}

/* Walk the commits of `head` not in `hide` (NULL: all), oldest first. */
static int walk(crmf_changes *ch, size_t *walked, const repo_ctx *c, const git_oid *head,
		const git_oid *hide)
{
	git_revwalk *w = NULL;
	git_oid oid;
	int rc = -1, e;

	if (git_revwalk_new(&w, c->repo) < 0 ||
	    git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(w, head) < 0 || (hide && git_revwalk_hide(w, hide) < 0)) {
		crmf_error_set("cannot walk the history: %s", crmf_git_msg());
		goto done;
	}
	while ((e = git_revwalk_next(&oid, w)) == 0) {
		git_commit *commit = NULL;

		if (git_commit_lookup(&commit, c->repo, &oid) < 0) {
			crmf_error_set("cannot read commit: %s", crmf_git_msg());
			goto done;
		}
		rc = commit_events(ch, c, commit);
		git_commit_free(commit);
		if (rc < 0)
			goto done;
		(*walked)++;
	}
	if (e != GIT_ITEROVER) {
		crmf_error_set("cannot walk the history: %s", crmf_git_msg());
		rc = -1;
		goto done;
	}
	rc = 0;
done:
	git_revwalk_free(w);
	return rc;
}

int crmf_ctx_changes(crmf_changes **out, size_t *walked, const repo_ctx *c)
{
	crmf_changes *ch = xcalloc(1, sizeof(*ch));
	git_oid head;
	size_t w = 0;
	int rc;

	*out = NULL;
	if (git_reference_name_to_id(&head, c->repo, "HEAD") < 0) {
		git_error_clear();
		*out = ch; /* no commit yet: no history */
		if (walked)
			*walked = 0;
		return 0;
	}
	if (load(ch, c) && git_oid_equal(&ch->head, &head)) {
		rc = 0;
	} else if (ch->has_head && git_graph_descendant_of(c->repo, &head, &ch->head) == 1) {
		rc = walk(ch, &w, c, &head, &ch->head);
	} else {
		git_error_clear();
		crmf_changes_free(ch);
		ch = xcalloc(1, sizeof(*ch));
		rc = walk(ch, &w, c, &head, NULL);
	}
	if (rc < 0) {
		crmf_changes_free(ch);
		return -1;
	}
	if (w > 0 || !git_oid_equal(&ch->head, &head)) {
		ch->head = head;
		ch->has_head = true;
		save(ch, c);
	}
	if (walked)
		*walked = w;
	*out = ch;
	return 0;
}
