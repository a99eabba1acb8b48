/* SPDX-License-Identifier: MIT */
/* What changed: customer files changed in the work tree, their HEAD, staged and work-tree versions, the hooks folder. */
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
#include "git_private.h"
#include "gitfilter.h"
#include "gitindex.h"
#include "util.h"
#include "repo_ctx.h"

/* --- status --- */

/* A customer file as crmf_store_list sees them: YAML under customers/ or archive/, nothing hidden.
 */
static bool is_customer_path(const char *rel)
{
	const char *p;
	size_t len = strlen(rel);

	if (strncmp(rel, "customers/", 10) == 0)
		p = rel + 10;
	else if (strncmp(rel, "archive/", 8) == 0)
		p = rel + 8;
	else
		return false;
	if (!is_yaml_name(rel, len))
		return false;
	for (; *p; p += strcspn(p, "/"), p += *p == '/') {
		if (*p == '.' || *p == '/')
			return false;
	}
	return true;
}

bool crmf_is_customer_path(const char *rel)
{
	return is_customer_path(rel);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

typedef struct changed_list {
	crmf_changed *v;
	size_t n, cap;
} changed_list;

static void changed_add(changed_list *l, const char *path, int status)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].path = xstrdup(path);
	l->v[l->n].old_path = NULL;
	l->v[l->n].status = status;
	l->n++;
}

static int cmp_changed(const void *a, const void *b)
{
	return strcmp(((const crmf_changed *)a)->path, ((const crmf_changed *)b)->path);
}

typedef struct by_base {
	const char *base;
	size_t i;
} by_base;

static int cmp_base(const void *a, const void *b)
{
	const by_base *x = a, *y = b;
	int d = strcmp(x->base, y->base);

	return d ? d : (x->i > y->i) - (x->i < y->i);
}

/*
 * A deleted and an added file with the same name are one customer moved (the
 * file name is the id): pair them into a rename. Content similarity, git's
 * way, would pair two customers made from one template.
 */
static void pair_moves(changed_list *l)
{
	by_base *del = xmalloc((l->n ? l->n : 1) * sizeof(*del));
	size_t nd = 0, out = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].status == 'D') {
			del[nd].base = base_name(l->v[i].path);
			del[nd++].i = i;
		}
	qsort(del, nd, sizeof(*del), cmp_base);
	for (size_t i = 0; i < l->n; i++) {
		crmf_changed *a = &l->v[i];
		const char *name;
		size_t lo = 0, hi = nd;

		if (a->status != 'A')
			continue;
		name = base_name(a->path);
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (strcmp(del[mid].base, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < nd && strcmp(del[lo].base, name) == 0; lo++) {
			crmf_changed *d = &l->v[del[lo].i];

			if (d->status != 'D')
				continue;
			a->status = 'R';
			a->old_path = d->path;
			d->path = NULL;
			d->status = 0; /* consumed */
			break;
		}
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].status != 0)
			l->v[out++] = l->v[i];
	l->n = out;
	free(del);
}

int crmf_ctx_status_customers(crmf_changed **out, size_t *n, const repo_ctx *c)
{
	git_status_options so;
	git_status_list *list = NULL;
	changed_list l = {NULL, 0, 0};
	char *specs[2] = {NULL, NULL};
	size_t plen;
	int rc = -1;

	*out = NULL;
	*n = 0;
	plen = strlen(c->prefix);
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		   GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	specs[0] = xasprintf("%scustomers", c->prefix);
	specs[1] = xasprintf("%sarchive", c->prefix);
	so.pathspec.strings = specs;
	so.pathspec.count = 2;
	if (git_status_list_new(&list, c->repo, &so) < 0) {
		crmf_error_set("cannot read the git status: %s", crmf_git_msg());
		goto done;
	}
	for (size_t i = 0, m = git_status_list_entrycount(list); i < m; i++) {
		const git_status_entry *s = git_status_byindex(list, i);
		const git_diff_delta *h = s->head_to_index, *w = s->index_to_workdir;
		const char *path = w ? w->new_file.path : h ? h->new_file.path : NULL;
		bool in_head, in_work;

		if (!path || strncmp(path, c->prefix, plen) != 0 || !is_customer_path(path + plen))
			continue;
		/* HEAD against the work tree, whatever the index says in between */
		in_head =
		    h ? h->status != GIT_DELTA_ADDED : (w && w->status != GIT_DELTA_UNTRACKED);
		in_work =
		    w ? w->status != GIT_DELTA_DELETED : (h && h->status != GIT_DELTA_DELETED);
		if (in_head && in_work)
			changed_add(&l, path + plen, 'M');
		else if (in_head)
			changed_add(&l, path + plen, 'D');
		else if (in_work)
			changed_add(&l, path + plen, 'A');
	}
	pair_moves(&l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_changed);
	if (!l.v)
		l.v = xmalloc(sizeof(*l.v));
	*out = l.v;
	*n = l.n;
	l.v = NULL;
	rc = 0;
done:
	crmf_changed_free(l.v, l.n);
	free(specs[0]);
	free(specs[1]);
	git_status_list_free(list);
	return rc;
}

int crmf_status_customers(crmf_changed **out, size_t *n, const char *root)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	*out = NULL;
	*n = 0;
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_status_customers(out, n, &c);
	crmf_ctx_close(&c);
	return rc;
}

void crmf_changed_free(crmf_changed *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].old_path);
	}
	free(v);
}

/* --- reading HEAD and the index --- */

/* The blob as git checkout would write it at `gpath` (through the smudge filters), malloc'ed
 * and NUL-terminated; 0, or -1 with the libgit2 error. */
static int smudged_copy(char **out, size_t *len, git_repository *repo, git_blob *b,
			const char *gpath)
{
	git_buf f = GIT_BUF_INIT;

	*out = NULL;
	*len = 0;
	if (crmf_gitfilter_smudge(&f, repo, b, gpath) < 0) {
		git_buf_dispose(&f);
		return -1;
	}
	*out = xmalloc(f.size + 1);
	memcpy(*out, f.ptr, f.size);
	(*out)[f.size] = '\0';
	*len = f.size;
	git_buf_dispose(&f);
	return 0;
}

int crmf_ctx_read_head(char **out, size_t *len, const repo_ctx *c, const char *path)
{
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	char *gp = NULL;
	int e, rc = -1;

	*out = NULL;
	*len = 0;
	e = git_repository_head(&head, c->repo);
	if (e == GIT_EUNBORNBRANCH || e == GIT_ENOTFOUND) {
		git_error_clear();
		rc = 1;
		goto done;
	}
	if (e < 0 || git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		goto done;
	}
	gp = xasprintf("%s%s", c->prefix, path);
	e = git_tree_entry_bypath(&te, tree, gp);
	if (e == GIT_ENOTFOUND || (e == 0 && git_tree_entry_type(te) != GIT_OBJECT_BLOB)) {
		git_error_clear();
		rc = 1;
		goto done;
	}
	if (e < 0 || git_blob_lookup(&blob, c->repo, git_tree_entry_id(te)) < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	/* compared with the work tree: as git checkout would write it */
	if (smudged_copy(out, len, c->repo, blob, gp) < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	free(gp);
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return rc;
}

int crmf_read_head(char **out, size_t *len, const char *root, const char *path)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	*out = NULL;
	*len = 0;
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_read_head(out, len, &c, path);
	crmf_ctx_close(&c);
	return rc;
}

/* A whole regular file (a link is read through: it was committed as a link, see above). */
static int read_whole(char **out, size_t *len, const char *fspath)
{
	strbuf sb = STRBUF_INIT;
	char chunk[65536];
	int fd = open(fspath, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			close(fd);
			sb_release(&sb);
			errno = err;
			return -1;
		}
		sb_add(&sb, chunk, (size_t)r);
	}
	close(fd);
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

/* A blob as git checks it out at `gpath`: through the smudge filters, NUL-terminated. */
static int blob_checkout(char **out, size_t *len, git_repository *repo, const git_oid *id,
			 const char *gpath)
{
	git_blob_filter_options fo;
	git_blob *blob = NULL;
	git_buf buf = GIT_BUF_INIT;
	int e = git_blob_lookup(&blob, repo, id);

	memset(&fo, 0, sizeof(fo));
	fo.version = GIT_BLOB_FILTER_OPTIONS_VERSION;
	fo.flags = GIT_BLOB_FILTER_CHECK_FOR_BINARY;

	if (e == 0)
		e = git_blob_filter(&buf, blob, gpath, &fo);
	if (e == 0) {
		*out = xmalloc(buf.size + 1);
		memcpy(*out, buf.ptr, buf.size);
		(*out)[buf.size] = '\0';
		*len = buf.size;
	}
	git_buf_dispose(&buf);
	git_blob_free(blob);
	return e;
}

/* The stage-0 entry of `gpath` in the index: 0 found, 1 none (in conflict or absent), -1. */
static int index_oid(git_oid *out, git_repository *repo, const char *gpath)
{
	unsigned char raw[GIT_OID_RAWSZ];
	git_index *index = NULL;
	const git_index_entry *ent;
	int rc = 1;

	if (crmf_gitindex_lookup(raw, git_repository_path(repo), gpath) == CRMF_GITINDEX_OK) {
		git_oid_fromraw(out, raw);
		return 0;
	}
	if (git_repository_index(&index, repo) < 0)
		return crmf_error_set("cannot read the git index: %s", crmf_git_msg());
	if (!git_index_get_bypath(index, gpath, 1) && !git_index_get_bypath(index, gpath, 2) &&
	    !git_index_get_bypath(index, gpath, 3) && (ent = git_index_get_bypath(index, gpath, 0))) {
		git_oid_cpy(out, &ent->id);
		rc = 0;
	}
	git_error_clear();
	git_index_free(index);
	return rc;
}

int crmf_ctx_read_versions(crmf_versions *out, const repo_ctx *c, const char *path)
{
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	git_oid hid, iid, wid;
	char *gp = NULL, *fs = NULL, *work = NULL;
	size_t wlen = 0;
	bool same;
	int e, rc = -1;

	memset(out, 0, sizeof(*out));
	gp = xasprintf("%s%s", c->prefix, path);
	e = git_repository_head(&head, c->repo);
	if (e == GIT_EUNBORNBRANCH || e == GIT_ENOTFOUND) {
		git_error_clear();
		out->state = CRMF_FILE_NEW;
		rc = 0;
		goto done;
	}
	if (e < 0 || git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		goto done;
	}
	e = git_tree_entry_bypath(&te, tree, gp);
	if (e == GIT_ENOTFOUND || (e == 0 && git_tree_entry_type(te) != GIT_OBJECT_BLOB)) {
		git_error_clear();
		out->state = CRMF_FILE_NEW;
		rc = 0;
		goto done;
	}
	if (e < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	if (git_tree_entry_filemode(te) == GIT_FILEMODE_LINK) {
		out->state = CRMF_FILE_CLEAN;
		rc = 0;
		goto done;
	}
	git_oid_cpy(&hid, git_tree_entry_id(te));
	e = index_oid(&iid, c->repo, gp);
	if (e < 0)
		goto done;
	if (e == 1) {
		out->state = CRMF_FILE_UNMERGED;
		rc = 0;
		goto done;
	}
	fs = xasprintf("%s/%s", c->root, path);
	if (read_whole(&work, &wlen, fs) != 0) {
		crmf_error_set("cannot read '%s': %s", path, errtext(errno));
		goto done;
	}
	if (git_blob_lookup(&blob, c->repo, &hid) < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	/* the bytes alike: clean without a filter; else as git add would hash the file */
	same = (size_t)git_blob_rawsize(blob) == wlen &&
	       memcmp(git_blob_rawcontent(blob), work, wlen) == 0;
	if (!same) {
		if (git_repository_hashfile(&wid, c->repo, gp, GIT_OBJECT_BLOB, NULL) < 0) {
			crmf_error_set("cannot hash '%s': %s", path, crmf_git_msg());
			goto done;
		}
		same = git_oid_equal(&wid, &hid);
	}
	if (same && git_oid_equal(&iid, &hid)) {
		out->state = CRMF_FILE_CLEAN;
		rc = 0;
		goto done;
	}
	out->state = CRMF_FILE_CHANGED;
	if (blob_checkout(&out->head, &out->head_len, c->repo, &hid, gp) < 0 ||
	    (!git_oid_equal(&iid, &hid) &&
	     blob_checkout(&out->staged, &out->staged_len, c->repo, &iid, gp) < 0)) {
		crmf_error_set("cannot read '%s' from git: %s", path, crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		crmf_versions_release(out);
	free(work);
	free(fs);
	free(gp);
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	return rc;
}

int crmf_read_versions(crmf_versions *out, const char *root, const char *path)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	memset(out, 0, sizeof(*out));
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_read_versions(out, &c, path);
	crmf_ctx_close(&c);
	return rc;
}

void crmf_versions_release(crmf_versions *v)
{
	if (!v)
		return;
	free(v->head);
	free(v->staged);
	memset(v, 0, sizeof(*v));
}

typedef struct staged_list {
	crmf_staged *v;
	size_t n, cap;
} staged_list;

static int staged_add(staged_list *l, git_repository *repo, const git_index_entry *ent,
		      const char *rel, git_tree *head)
{
	git_blob *b = NULL;
	git_tree_entry *te = NULL;

	/* a link or a submodule holds no customer */
	if (GIT_INDEX_ENTRY_STAGE(ent) != 0 ||
	    (ent->mode != GIT_FILEMODE_BLOB && ent->mode != GIT_FILEMODE_BLOB_EXECUTABLE))
		return 0;
	if (git_blob_lookup(&b, repo, &ent->id) < 0)
		return crmf_error_set("cannot read the staged '%s': %s", rel, crmf_git_msg());
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	/* what the commit will hold, in the form the work tree has it (smudged) */
	if (smudged_copy(&l->v[l->n].data, &l->v[l->n].len, repo, b, ent->path) < 0) {
		crmf_error_set("cannot read the staged '%s': %s", rel, crmf_git_msg());
		git_blob_free(b);
		return -1;
	}
	l->v[l->n].path = xstrdup(rel);
	/* the commit changes what HEAD (none on an unborn branch) holds otherwise */
	l->v[l->n].changed = !head || git_tree_entry_bypath(&te, head, ent->path) != 0 ||
			     !git_oid_equal(git_tree_entry_id(te), &ent->id);
	git_error_clear();
	git_tree_entry_free(te);
	l->n++;
	git_blob_free(b);
	return 0;
}

/* HEAD's tree into *out, NULL on an unborn branch; 0 or -1. */
static int head_tree(git_tree **out, git_repository *repo)
{
	git_reference *head = NULL;
	git_commit *commit = NULL;
	int e = git_repository_head(&head, repo), rc = 0;

	*out = NULL;
	if (e == GIT_EUNBORNBRANCH || e == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (e < 0 || git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) < 0 ||
	    git_commit_tree(out, commit) < 0)
		rc = crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
	git_commit_free(commit);
	git_reference_free(head);
	return rc;
}

static int cmp_staged(const void *a, const void *b)
{
	return strcmp(((const crmf_staged *)a)->path, ((const crmf_staged *)b)->path);
}

/*
 * The index a pre-commit hook must check: git hands `git commit -a` and
 * `git commit PATH` hooks a temporary one in GIT_INDEX_FILE. Hooks run at the
 * top of the work tree, where a relative GIT_INDEX_FILE starts, while crmf
 * -C may have moved elsewhere: it is resolved from the work tree.
 */
static int open_staged_index(git_index **out, git_repository *repo)
{
	const char *env = getenv("GIT_INDEX_FILE");
	char *path;
	int e;

	if (!env || !*env) {
		if (git_repository_index(out, repo) < 0)
			return crmf_error_set("cannot read the git index: %s", crmf_git_msg());
		return 0;
	}
	path = env[0] == '/' ? xstrdup(env) : xasprintf("%s%s", git_repository_workdir(repo), env);
	e = git_index_open(out, path);
	if (e < 0)
		crmf_error_set("cannot read the git index '%s' (GIT_INDEX_FILE): %s", path,
			       crmf_git_msg());
	free(path);
	return e < 0 ? -1 : 0;
}

int crmf_read_staged(crmf_staged **out, size_t *n, const char *root)
{
	crmf_git_need();
	static const char *const tops[] = {"archive/", "customers/"};
	repo_ctx c;
	git_index *index = NULL;
	git_tree *head = NULL;
	staged_list l = {NULL, 0, 0};
	const git_index_entry *ent;
	char *p = NULL;
	size_t plen;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	plen = strlen(c.prefix);
	if (open_staged_index(&index, c.repo) < 0 || head_tree(&head, c.repo) < 0)
		goto done;
	p = xasprintf("%scrmf.yaml", c.prefix);
	if ((ent = git_index_get_bypath(index, p, 0)) &&
	    staged_add(&l, c.repo, ent, "crmf.yaml", head) < 0)
		goto done;
	for (size_t t = 0; t < 2; t++) {
		size_t pos, len;

		free(p);
		p = xasprintf("%s%s", c.prefix, tops[t]);
		len = strlen(p);
		/* the index is sorted: the folder's entries are one run */
		if (git_index_find_prefix(&pos, index, p) < 0) {
			git_error_clear();
			continue;
		}
		for (; (ent = git_index_get_byindex(index, pos)); pos++) {
			if (strncmp(ent->path, p, len) != 0)
				break;
			if (is_customer_path(ent->path + plen) &&
			    staged_add(&l, c.repo, ent, ent->path + plen, head) < 0)
				goto done;
		}
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_staged);
	if (!l.v)
		l.v = xmalloc(sizeof(*l.v));
	*out = l.v;
	*n = l.n;
	l.v = NULL;
	rc = 0;
done:
	crmf_staged_free(l.v, l.n);
	free(p);
	git_tree_free(head);
	git_index_free(index);
	crmf_ctx_close(&c);
	return rc;
}

void crmf_staged_free(crmf_staged *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].data);
	}
	free(v);
}

/* --- the hooks folder --- */

/* `p` without "." and empty components, and with "x/.." folded: git resolves core.hooksPath
 * that way (and through links, which realpath does when the folder exists). */
static void clean_path(char *p)
{
	char *out = p + 1, *in = p + 1;

	for (bool last = !*in; !last;) {
		size_t n = strcspn(in, "/");

		/* the copy may write its '/' over the terminator */
		last = in[n] == '\0';
		if (n == 0 || (n == 1 && in[0] == '.')) {
			/* skipped */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			if (out > p + 1) {
				out--;
				while (out > p + 1 && out[-1] != '/')
					out--;
			}
		} else {
			memmove(out, in, n);
			out += n;
			*out++ = '/';
		}
		in += n + 1;
	}
	if (out > p + 1)
		out--;
	*out = '\0';
}

int crmf_hooks_dir(char **hooks, char **prefix, const char *root)
{
	crmf_git_need();
	repo_ctx c;
	git_config *cfg = NULL;
	git_buf b = GIT_BUF_INIT;
	char *dir = NULL, *real;
	int e, rc = -1;

	*hooks = *prefix = NULL;
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	/* libgit2 1.5 answers <common git dir>/hooks/ whatever core.hooksPath says: read it here */
	if (git_repository_config_snapshot(&cfg, c.repo) < 0) {
		crmf_error_set("cannot read the git config: %s", crmf_git_msg());
		goto done;
	}
	e = git_config_get_path(&b, cfg, "core.hooksPath"); /* expands "~/" */
	if (e == 0 && !b.ptr[0]) {
		crmf_error_set("core.hooksPath is set but empty: name a folder or unset it (git "
			       "config --unset core.hooksPath)");
		goto done;
	} else if (e == 0) {
		/* a relative path starts where git runs hooks: the top of the work tree */
		dir = b.ptr[0] == '/' ? xstrdup(b.ptr)
				      : xasprintf("%s/%s", git_repository_workdir(c.repo), b.ptr);
	} else if (e != GIT_ENOTFOUND) {
		crmf_error_set("cannot read core.hooksPath: %s", crmf_git_msg());
		goto done;
	} else {
		git_error_clear();
		git_buf_dispose(&b);
		if (git_repository_item_path(&b, c.repo, GIT_REPOSITORY_ITEM_HOOKS) < 0) {
			crmf_error_set("cannot find the git hooks folder: %s", crmf_git_msg());
			goto done;
		}
		dir = xstrdup(b.ptr);
	}
	if (dir[0] == '/')
		clean_path(dir);
	if ((real = realpath(dir, NULL))) {
		free(dir);
		dir = real;
	}
	*hooks = dir;
	*prefix = xstrndup(c.prefix, *c.prefix ? strlen(c.prefix) - 1 : 0);
	rc = 0;
done:
	git_buf_dispose(&b);
	git_config_free(cfg);
	crmf_ctx_close(&c);
	return rc;
}
