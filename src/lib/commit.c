/* SPDX-License-Identifier: MIT */
/* Commits of just the changed files: identity, preflight, the commit itself. */
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
#include <mbedtls/sha1.h>
#include <zlib.h>

#include "crmf/diag.h"
#include "crmf/diff.h"
#include "git_private.h"
#include "gitfilter.h"
#include "gitindex.h"
#include "util.h"
#include "repo_ctx.h"

static const char NO_IDENTITY[] =
    N_("no git identity: set it with git config --global user.name 'Your Name' and git config "
       "--global user.email you@example.com, or pass --author 'Name <email>'");

/* --- identity and preflight --- */

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

int crmf_commit_parse_author(char **name, char **email, const char *author)
{
	const char *lt, *gt, *at, *end;
	size_t n;

	*name = *email = NULL;
	if (!author)
		return crmf_error_set("invalid author: give it as 'Name <email>'");
	lt = strchr(author, '<');
	gt = strchr(author, '>');
	end = author + strlen(author);
	if (!lt || !gt || gt < lt || strchr(lt + 1, '<') || strchr(gt + 1, '>') || gt + 1 != end ||
	    has_control(author, (size_t)(end - author)))
		goto bad;
	n = (size_t)(lt - author);
	if (n < 2 || author[n - 1] != ' ')
		goto bad;
	while (n > 0 && author[n - 1] == ' ')
		n--;
	if (n == 0 || author[0] == ' ')
		goto bad;
	/* the address: local@domain, no spaces */
	at = memchr(lt + 1, '@', (size_t)(gt - lt - 1));
	if (!at || at == lt + 1 || at + 1 == gt || memchr(at + 1, '@', (size_t)(gt - at - 1)) ||
	    memchr(lt + 1, ' ', (size_t)(gt - lt - 1)))
		goto bad;
	*name = xstrndup(author, n);
	*email = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
bad:
	return crmf_error_set("invalid author '%s': give it as 'Name <email>'", author);
}

static char *config_value(git_config *cfg, const char *key)
{
	git_buf b = GIT_BUF_INIT;
	char *v = NULL;

	if (cfg && git_config_get_string_buf(&b, cfg, key) == 0 && b.ptr && b.ptr[0])
		v = xstrdup(b.ptr);
	git_buf_dispose(&b);
	git_error_clear();
	return v;
}

/* One identity as git reads it: the environment when set and not empty, else the config. */
static void identity(char **name, char **email, git_config *cfg, const char *env_name,
		     const char *env_email)
{
	const char *n = getenv(env_name), *e = getenv(env_email);

	*name = n && *n ? xstrdup(n) : config_value(cfg, "user.name");
	*email = e && *e ? xstrdup(e) : config_value(cfg, "user.email");
}

/*
 * Author and committer. The author is `author` when given (strictly parsed),
 * else git's; the committer is git's, or the author when git has none, so
 * that --author alone is enough on a machine without git config.
 */
static int signatures(git_signature **author_out, git_signature **committer_out,
		      git_repository *repo, const char *author)
{
	git_config *cfg = NULL;
	char *an = NULL, *ae = NULL, *cn = NULL, *ce = NULL;
	int rc = -1;

	*author_out = *committer_out = NULL;
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		crmf_error_set("cannot read the git configuration: %s", crmf_git_msg());
		goto done;
	}
	if (author) {
		if (crmf_commit_parse_author(&an, &ae, author) < 0)
			goto done;
	} else {
		identity(&an, &ae, cfg, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL");
	}
	identity(&cn, &ce, cfg, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL");
	if (!an || !ae) {
		crmf_error_set("%s", crmf_tr(NO_IDENTITY));
		goto done;
	}
	if (!cn || !ce) {
		if (!author) {
			crmf_error_set("%s", crmf_tr(NO_IDENTITY));
			goto done;
		}
		free(cn);
		free(ce);
		cn = xstrdup(an);
		ce = xstrdup(ae);
	}
	if (crmf_git_signature(author_out, an, ae, "GIT_AUTHOR_DATE") < 0 ||
	    crmf_git_signature(committer_out, cn, ce, "GIT_COMMITTER_DATE") < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0) {
		git_signature_free(*author_out);
		*author_out = NULL;
	}
	free(an);
	free(ae);
	free(cn);
	free(ce);
	git_config_free(cfg);
	return rc;
}

static int check_state(git_repository *repo)
{
	switch (git_repository_state(repo)) {
	case GIT_REPOSITORY_STATE_NONE:
		return 0;
	case GIT_REPOSITORY_STATE_MERGE:
		return crmf_error_set("a merge is in progress; finish it (git commit) or abort it "
				      "(git merge --abort) first");
	case GIT_REPOSITORY_STATE_REVERT:
	case GIT_REPOSITORY_STATE_REVERT_SEQUENCE:
		return crmf_error_set("a revert is in progress; finish it (git revert --continue) "
				      "or abort it (git revert --abort) first");
	case GIT_REPOSITORY_STATE_CHERRYPICK:
	case GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE:
		return crmf_error_set("a cherry-pick is in progress; finish it (git cherry-pick "
				      "--continue) or abort it (git cherry-pick --abort) first");
	case GIT_REPOSITORY_STATE_BISECT:
		return crmf_error_set("a bisect is in progress; end it (git bisect reset) first");
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX:
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE:
		return crmf_error_set("a git am is in progress; finish it (git am --continue) or "
				      "abort it (git am --abort) first");
	default:
		return crmf_error_set("a rebase is in progress; finish it (git rebase --continue) "
				      "or abort it (git rebase --abort) first");
	}
}

/* --- commits --- */

/* Append `s` without leading line breaks and trailing white space, each
 * control character made a space (`keep_lines`: but the line feeds); false
 * when nothing is left. A subject must stay one line: a line break in it
 * would start the body, or a paragraph git reads as trailers. */
static bool add_trimmed(strbuf *sb, const char *s, bool keep_lines)
{
	size_t n;

	if (!s)
		return false;
	while (*s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && ((unsigned char)s[n - 1] <= ' ' || s[n - 1] == 0x7F))
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' && i + 1 < n && s[i + 1] == '\n' && keep_lines)
			continue; /* CRLF: the LF ends the line */
		sb_addc(sb, (c < 0x20 || c == 0x7F) && !(keep_lines && c == '\n') ? ' ' : (char)c);
	}
	return n > 0;
}

/* A trailer value stays on its line. */
static void add_trailer(strbuf *sb, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	sb_adds(sb, key);
	sb_adds(sb, ": ");
	for (const char *p = value; *p; p++)
		sb_addc(sb, (unsigned char)*p < 0x20 || *p == 0x7F ? ' ' : *p);
	sb_addc(sb, '\n');
}

static char *build_message(const crmf_commit_opts *o)
{
	strbuf sb = STRBUF_INIT;

	if (!add_trimmed(&sb, o->subject, false))
		sb_adds(&sb, "crmf");
	sb_adds(&sb, "\n");
	if (o->body && o->body[0]) {
		size_t keep = sb.len;

		sb_addc(&sb, '\n');
		if (add_trimmed(&sb, o->body, true))
			sb_addc(&sb, '\n');
		else
			sb.len = keep;
	}
	if ((o->action && o->action[0]) || (o->customer && o->customer[0])) {
		sb_addc(&sb, '\n');
		add_trailer(&sb, "Crmf-Action", o->action);
		add_trailer(&sb, "Crmf-Customer", o->customer);
	}
	return sb_detach(&sb);
}

/* A relative path with no empty, ".", ".." or ".git" component. */
static bool safe_path(const char *p)
{
	if (!*p || *p == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    (n == 4 && strncasecmp(p, ".git", 4) == 0))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false;
	}
	return true;
}

/* What to do once a held lock is removed: before anything was written, the command again;
 * after the file was saved, commit it. */
#define THEN_AGAIN N_("run the command again; nothing changed")
#define THEN_COMMIT N_("run 'crmf commit'")

static int index_lock_error(const repo_ctx *c, const char *then)
{
	char *shown = crmf_ctx_gitdir_file(c, "index.lock", true);

	crmf_error_set("index.lock is held by another git process ('%s'); when no git is running, "
		       "remove it, then %s",
		       shown, crmf_tr(then));
	free(shown);
	return -1;
}

static const char *short_branch(const char *ref)
{
	return strncmp(ref, "refs/heads/", 11) == 0 ? ref + 11 : ref;
}

/*
 * Git takes HEAD.lock and the branch's lock (refs/heads/<name>.lock, in the
 * common git directory of linked worktrees) to commit, and refuses while
 * another process holds one ("unable to create '.git/HEAD.lock': File
 * exists"). libgit2 writes the branch without looking at HEAD.lock, so both
 * are looked for here, before anything is written, as index.lock is.
 */
static int ref_locks_held(const repo_ctx *c, const char *branch, const char *then)
{
	char *path, *shown = NULL;
	const char *rel;
	struct stat st;
	int rc = 0;

	path = xasprintf("%sHEAD.lock", git_repository_path(c->repo));
	if (lstat(path, &st) == 0) {
		rel = path_below(path, c->root);
		crmf_error_set("HEAD.lock is held by another git process ('%s'); when no git is "
			       "running, remove it, then %s",
			       rel && *rel ? rel : path, crmf_tr(then));
		rc = -1;
	}
	free(path);
	if (rc < 0 || strcmp(branch, "HEAD") == 0)
		return rc;
	path = xasprintf("%s%s.lock", git_repository_commondir(c->repo), branch);
	if (lstat(path, &st) == 0) {
		rel = path_below(path, c->root);
		shown = xstrdup(rel && *rel ? rel : path);
		crmf_error_set("the branch '%s' is locked by another git process ('%s'); when no "
			       "git is running, remove it, then %s",
			       short_branch(branch), shown, crmf_tr(then));
		rc = -1;
	}
	free(shown);
	free(path);
	return rc;
}

/* Where HEAD points: *branch is the branch (or "HEAD" when detached), *parent its commit or NULL.
 */
static int resolve_head(char **branch, git_commit **parent, git_repository *repo)
{
	git_reference *head = NULL;
	git_oid id;
	int e, rc = -1;

	*branch = NULL;
	*parent = NULL;
	if (git_reference_lookup(&head, repo, "HEAD") < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		return -1;
	}
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		*branch = xstrdup(git_reference_symbolic_target(head));
		e = git_reference_name_to_id(&id, repo, *branch);
		if (e == GIT_ENOTFOUND) {
			git_error_clear();
			rc = 0; /* unborn: the first commit creates it */
			goto done;
		}
	} else {
		*branch = xstrdup("HEAD");
		e = git_reference_name_to_id(&id, repo, "HEAD");
	}
	if (e < 0 || git_commit_lookup(parent, repo, &id) < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	if (rc < 0) {
		free(*branch);
		*branch = NULL;
	}
	git_reference_free(head);
	return rc;
}

int crmf_ctx_preflight(const repo_ctx *c, const char *author)
{
	git_signature *a = NULL, *cm = NULL;
	int rc = -1;

	if (check_state(c->repo) < 0 || signatures(&a, &cm, c->repo, author) < 0)
		goto done;
	rc = 0;
done:
	git_signature_free(a);
	git_signature_free(cm);
	return rc;
}

int crmf_commit_preflight(const char *root, const char *author)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_preflight(&c, author);
	crmf_ctx_close(&c);
	return rc;
}

/* The locks git commit refuses on (index.lock, HEAD.lock, the branch's lock); where HEAD points
 * comes out of the look, as resolve_head gives it. */
static int git_locks_held(const repo_ctx *c, char **branch, git_commit **parent, const char *then)
{
	char *lock = crmf_ctx_gitdir_file(c, "index.lock", false);
	struct stat st;
	int rc = -1;

	*branch = NULL;
	*parent = NULL;
	if (lstat(lock, &st) == 0)
		index_lock_error(c, then);
	else if (resolve_head(branch, parent, c->repo) == 0 && ref_locks_held(c, *branch, then) == 0)
		rc = 0;
	free(lock);
	return rc;
}

int crmf_ctx_check_locks(const repo_ctx *c)
{
	git_commit *parent = NULL;
	char *branch = NULL;
	int rc;

	rc = git_locks_held(c, &branch, &parent, THEN_AGAIN);
	free(branch);
	git_commit_free(parent);
	return rc;
}

int crmf_commit_check_locks(const char *root)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_check_locks(&c);
	crmf_ctx_close(&c);
	return rc;
}

/* Move the branch from `parent` to `id`, refusing when another process moved it meanwhile. */
static int update_branch(const repo_ctx *c, const char *branch, const git_oid *id,
			 const git_commit *parent, const char *message)
{
	git_reference *ref = NULL;
	char *reflog;
	size_t n = strcspn(message, "\n");
	int e;

	reflog = xasprintf("commit%s: %.*s", parent ? "" : " (initial)", (int)n, message);
	if (parent)
		e = git_reference_create_matching(&ref, c->repo, branch, id, 1,
						  git_commit_id(parent), reflog);
	else
		e = git_reference_create(&ref, c->repo, branch, id, 0, reflog);
	free(reflog);
	git_reference_free(ref);
	if (e == 0)
		return 0;
	if (e == GIT_EMODIFIED || e == GIT_EEXISTS)
		crmf_error_set("'%s' was moved by another git command during the commit; the "
			       "change is staged: run 'crmf commit'",
			       short_branch(branch));
	else if (e == GIT_ELOCKED)
		crmf_error_set("'%s' is locked by another git process; when no git is running, "
			       "remove '%s%s.lock', then run 'crmf commit'",
			       short_branch(branch), git_repository_path(c->repo), branch);
	else
		crmf_error_set("cannot update '%s': %s", short_branch(branch), crmf_git_msg());
	return -1;
}

static int cmp_update(const void *a, const void *b)
{
	return strcmp(((const git_tree_update *)a)->path, ((const git_tree_update *)b)->path);
}

/* core.filemode: whether the execute bit of a file is its mode in git (true unless set). */
static bool trust_filemode(git_repository *repo)
{
	git_config *cfg = NULL;
	int v = 1;

	if (git_repository_config_snapshot(&cfg, repo) < 0 ||
	    git_config_get_bool(&v, cfg, "core.filemode") < 0)
		v = 1;
	git_error_clear();
	git_config_free(cfg);
	return v != 0;
}

/*
 * The fast path of crmf_commit_paths (see gitindex.h), for paths that are
 * all regular files already in the index: index.lock is taken, the stat data
 * of each path read into sts (before it is hashed, as git does), and the
 * repository given a stand-in index holding only the index's .gitattributes,
 * which is all that hashing reads from it: libgit2 would otherwise load the
 * whole index to look up attributes. 1 with *ix, 0 when it does not apply
 * (nothing held), -1 on error.
 */
static int fast_open(crmf_gitindex **ix, struct stat *sts, const repo_ctx *c, char **gpaths,
		     const crmf_commit_path *paths, size_t n)
{
	const crmf_gitindex_attr *attrs;
	git_index *standin = NULL;
	size_t na;
	int e;

	*ix = NULL;
	for (size_t i = 0; i < n; i++)
		if (paths[i].removed)
			return 0;
	e = crmf_gitindex_open(ix, git_repository_path(c->repo), (const char *const *)gpaths, n);
	if (e == CRMF_GITINDEX_LOCKED)
		return index_lock_error(c, THEN_COMMIT);
	if (e != CRMF_GITINDEX_OK)
		return e < 0 ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		char *fs = xasprintf("%s/%s", c->root, paths[i].path);

		e = lstat(fs, &sts[i]);
		free(fs);
		/* libgit2 says what is wrong, or records a link */
		if (e != 0 || !S_ISREG(sts[i].st_mode))
			goto fallback;
	}
	if (git_index_new(&standin) < 0)
		goto fallback;
	na = crmf_gitindex_attributes(*ix, &attrs);
	for (size_t i = 0; i < na; i++) {
		git_index_entry ent;

		memset(&ent, 0, sizeof(ent));
		ent.path = attrs[i].path;
		ent.mode = attrs[i].mode;
		git_oid_fromraw(&ent.id, attrs[i].oid);
		if (git_index_add(standin, &ent) < 0)
			goto fallback;
	}
	if (git_repository_set_index(c->repo, standin) < 0)
		goto fallback;
	git_index_free(standin);
	return 1;
fallback:
	git_error_clear();
	git_index_free(standin);
	crmf_gitindex_free(*ix);
	*ix = NULL;
	return 0;
}

/* The index written by whichever path read it. */
static int write_index(const repo_ctx *c, git_index *index, crmf_gitindex *ix, const char *lock)
{
	struct stat st;

	if (ix)
		return crmf_gitindex_write(ix);
	if (git_index_write(index) < 0) {
		if (lstat(lock, &st) == 0)
			index_lock_error(c, THEN_COMMIT);
		else
			crmf_error_set("cannot write the git index: %s", crmf_git_msg());
		return -1;
	}
	return 0;
}

/* Bytes as in the work tree made a blob as git add would: through the clean filters of `gpath`. */
static int blob_from_buffer(git_oid *out, git_repository *repo, const char *gpath, const char *data,
			    size_t len)
{
	git_filter_list *fl = NULL;
	git_buf buf = GIT_BUF_INIT;
	int e = git_filter_list_load(&fl, repo, NULL, gpath, GIT_FILTER_TO_ODB, GIT_FILTER_DEFAULT);

	if (e == 0 && fl) {
		e = git_filter_list_apply_to_buffer(&buf, fl, data, len);
		data = buf.ptr;
		len = buf.size;
	}
	if (e == 0)
		e = git_blob_create_from_buffer(out, repo, data, len);
	git_buf_dispose(&buf);
	git_filter_list_free(fl);
	return e;
}

/* --- the blobs of many paths given as content (crmf import) --- */

/*
 * libgit2 writes each blob as a loose object (a zlib stream set up, a file
 * made, renamed, its folder checked) and looks up the attributes of each
 * path (a .gitattributes looked for in every folder above it) to choose its
 * filters. For the 100,000 files of an import, the blobs are written as one
 * pack instead (the pack git would make of them, without deltas: git reads
 * and repacks it as any other), and the attributes are read once: when no
 * attribute file that applies names a filter driver or ident, and the
 * content has no carriage return (the only thing text, eol and crlf change
 * on the way in), no filter can change the bytes, which are then hashed as
 * they are. Otherwise each path goes through git's filters as before.
 */
#define PACK_FROM 16 /* fewer blobs: loose objects, as every other commit writes them */

struct packer {
	strbuf pack;      /* "PACK", version, count (set at the end), the objects */
	git_oid *set;     /* the blobs in the pack (open addressing), for duplicates */
	size_t nset, cap; /* cap: a power of two */
	z_stream z;
	bool z_ok;
};

static bool packer_seen(struct packer *p, const git_oid *id)
{
	size_t mask = p->cap - 1, i;
	uint64_t h;

	memcpy(&h, id->id, sizeof(h));
	for (i = (size_t)h & mask; !git_oid_is_zero(&p->set[i]); i = (i + 1) & mask)
		if (git_oid_equal(&p->set[i], id))
			return true;
	git_oid_cpy(&p->set[i], id);
	p->nset++;
	return false;
}

static int packer_init(struct packer *p, size_t n)
{
	static const char head[12] = {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0};

	memset(p, 0, sizeof(*p));
	for (p->cap = 64; p->cap < 2 * n; p->cap *= 2)
		;
	p->set = xcalloc(p->cap, sizeof(*p->set));
	sb_add(&p->pack, head, sizeof(head));
	p->z_ok = deflateInit(&p->z, Z_BEST_SPEED) == Z_OK;
	if (!p->z_ok)
		git_error_set_str(GIT_ERROR_ZLIB, "zlib failed");
	return p->z_ok ? 0 : -1;
}

static void packer_release(struct packer *p)
{
	if (p->z_ok)
		deflateEnd(&p->z);
	sb_release(&p->pack);
	free(p->set);
	memset(p, 0, sizeof(*p));
}

/* The blob of `len` bytes: its id into *out and, the first time, into the pack. */
static int packer_add(struct packer *p, git_oid *out, const char *data, size_t len)
{
	unsigned char hdr[16];
	size_t h = 0, sz = len;
	uLong bound;
	unsigned char c;

	if (git_odb_hash(out, data, len, GIT_OBJECT_BLOB) < 0)
		return -1;
	if (packer_seen(p, out))
		return 0;
	/* the object's header: its type and size, 4 bits then 7 a byte */
	c = (unsigned char)((GIT_OBJECT_BLOB << 4) | (sz & 15));
	for (sz >>= 4; sz; sz >>= 7) {
		hdr[h++] = c | 0x80;
		c = sz & 0x7f;
	}
	hdr[h++] = c;
	sb_add(&p->pack, (const char *)hdr, h);
	bound = deflateBound(&p->z, (uLong)len);
	sb_grow(&p->pack, bound);
	if (deflateReset(&p->z) != Z_OK)
		return git_error_set_str(GIT_ERROR_ZLIB, "zlib failed"), -1;
	p->z.next_in = (Bytef *)(uintptr_t)data;
	p->z.avail_in = (uInt)len;
	p->z.next_out = (Bytef *)p->pack.buf + p->pack.len;
	p->z.avail_out = (uInt)bound;
	if (deflate(&p->z, Z_FINISH) != Z_STREAM_END)
		return git_error_set_str(GIT_ERROR_ZLIB, "zlib failed"), -1;
	p->pack.len += bound - p->z.avail_out;
	return 0;
}

/* fsync a file or folder: git syncs the packs it writes, and so does crmf. */
static int sync_path(const char *path, bool dir)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0)), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* The pack indexed and put in objects/pack (libgit2's indexer), on the disk. */
static int packer_write(struct packer *p, git_repository *repo)
{
	git_indexer_options opts;
	git_indexer_progress stats;
	git_indexer *ix = NULL;
	git_odb *odb = NULL;
	char *dir = xasprintf("%sobjects/pack", git_repository_path(repo)), *f;
	unsigned char sum[20];
	uint32_t n = (uint32_t)p->nset;
	int rc = -1;

	git_indexer_options_init(&opts, GIT_INDEXER_OPTIONS_VERSION);
	p->pack.buf[8] = (char)(n >> 24);
	p->pack.buf[9] = (char)(n >> 16);
	p->pack.buf[10] = (char)(n >> 8);
	p->pack.buf[11] = (char)n;
	if (mbedtls_sha1_ret((const unsigned char *)p->pack.buf, p->pack.len, sum) != 0) {
		git_error_set_str(GIT_ERROR_INTERNAL, "SHA-1 failed");
		goto done;
	}
	sb_add(&p->pack, (const char *)sum, sizeof(sum));
	if (git_repository_odb(&odb, repo) < 0 || git_indexer_new(&ix, dir, 0, odb, &opts) < 0 ||
	    git_indexer_append(ix, p->pack.buf, p->pack.len, &stats) < 0 ||
	    git_indexer_commit(ix, &stats) < 0)
		goto done;
	f = xasprintf("%s/pack-%s.pack", dir, git_indexer_name(ix));
	rc = sync_path(f, false);
	strcpy(f + strlen(f) - 4, "idx");
	if (rc == 0)
		rc = sync_path(f, false);
	free(f);
	if (rc == 0)
		rc = sync_path(dir, true);
	if (rc != 0)
		git_error_set_str(GIT_ERROR_OS, strerror(errno));
	else
		rc = git_odb_refresh(odb);
done:
	git_indexer_free(ix);
	git_odb_free(odb);
	free(dir);
	return rc;
}

/* Whether attribute text may select a filter that changes bytes without a
 * carriage return: a driver (filter=, also inside a macro) or ident. */
static bool names_filter(const char *s, size_t n)
{
	return memmem(s, n, "filter", 6) || memmem(s, n, "ident", 5);
}

static bool file_names_filter(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	bool may;

	if (lstat(path, &st) != 0)
		return errno != ENOENT && errno != ENOTDIR;
	if (crmf_doc_read(&buf, &len, path) != 0)
		return true; /* unreadable: ask libgit2, path by path */
	may = names_filter(buf, len);
	free(buf);
	return may;
}

/* The .gitattributes of folder `dir` ("" the top) of the work tree, and the index's. */
static bool folder_names_filter(git_repository *repo, git_index *index, const char *dir)
{
	char *rel = xasprintf("%s%s.gitattributes", dir, *dir ? "/" : "");
	char *fs = xasprintf("%s%s", git_repository_workdir(repo), rel);
	const git_index_entry *e = index ? git_index_get_bypath(index, rel, 0) : NULL;
	bool may = file_names_filter(fs);

	if (!may && e) {
		git_blob *b = NULL;

		may = git_blob_lookup(&b, repo, &e->id) < 0 ||
		      names_filter(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
		git_blob_free(b);
	}
	git_error_clear();
	free(fs);
	free(rel);
	return may;
}

/* Whether any attribute libgit2 reads for the paths `gpaths` (their folders
 * up to the top, info/attributes, core.attributesFile, the system's) may
 * select a filter that changes bytes without a carriage return. */
static bool attributes_may_filter(git_repository *repo, git_index *index, char **gpaths,
				  const size_t *order, size_t n)
{
	git_config *cfg = NULL;
	git_buf b = GIT_BUF_INIT;
	char *path, *last = NULL;
	bool may = false;

	if (!git_repository_workdir(repo))
		return true;
	path = xasprintf("%sinfo/attributes", git_repository_path(repo));
	may = file_names_filter(path);
	free(path);
	if (!may && git_repository_config_snapshot(&cfg, repo) == 0 &&
	    git_config_get_path(&b, cfg, "core.attributesFile") == 0)
		may = file_names_filter(b.ptr);
	else if (!may) {
		const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

		path = xdg && *xdg ? xasprintf("%s/git/attributes", xdg)
		       : home      ? xasprintf("%s/.config/git/attributes", home)
				   : NULL;
		may = path && file_names_filter(path);
		free(path);
	}
	git_buf_dispose(&b);
	git_config_free(cfg);
	if (!may && git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, &b) == 0) {
		/* libgit2 reads "gitattributes" from the system configuration's folders */
		for (char *d = b.ptr, *end; !may && d && *d; d = *end ? end + 1 : end) {
			end = d + strcspn(d, ":");
			path = xasprintf("%.*s/gitattributes", (int)(end - d), d);
			may = file_names_filter(path);
			free(path);
		}
		git_buf_dispose(&b);
	}
	git_error_clear();
	if (!may)
		may = folder_names_filter(repo, index, "");
	/* every folder above each path, each once (the paths are sorted: a folder's
	 * files come together) */
	for (size_t k = 0; !may && k < n; k++) {
		const char *p = gpaths[order[k]], *slash = strrchr(p, '/');
		size_t dn = slash ? (size_t)(slash - p) : 0;

		if (!dn || (last && strlen(last) == dn && memcmp(last, p, dn) == 0))
			continue;
		free(last);
		last = xstrndup(p, dn);
		for (char *s = last + dn; !may && s > last; s--)
			if (*s == '/' || s == last + dn) {
				char c = *s;

				*s = '\0';
				may = folder_names_filter(repo, index, last);
				*s = c;
			}
	}
	free(last);
	return may;
}

/* The blobs of the paths with content: ids[i], staged[i]. */
struct blobs {
	git_oid *ids, *staged;
	bool *have;
};

static int content_blob(git_oid *out, struct packer *p, bool filters, git_repository *repo,
			const char *gpath, const char *data, size_t len)
{
	if (!p || len > (1u << 30))
		return blob_from_buffer(out, repo, gpath, data, len);
	if (filters || memchr(data, '\r', len)) {
		git_filter_list *fl = NULL;
		git_buf buf = GIT_BUF_INIT;
		int e = git_filter_list_load(&fl, repo, NULL, gpath, GIT_FILTER_TO_ODB,
					     GIT_FILTER_DEFAULT);

		if (e == 0 && fl)
			e = git_filter_list_apply_to_buffer(&buf, fl, data, len);
		if (e == 0)
			e = fl ? packer_add(p, out, buf.ptr, buf.size) : packer_add(p, out, data, len);
		git_buf_dispose(&buf);
		git_filter_list_free(fl);
		return e;
	}
	return packer_add(p, out, data, len);
}

static int make_blobs(struct blobs *bl, git_repository *repo, git_index *index, char **gpaths,
		      const crmf_commit_path *paths, const crmf_commit_content *content,
		      const size_t *order, size_t n)
{
	struct packer pk, *p = NULL;
	size_t many = 0;
	bool filters = false;
	int rc = -1;

	bl->ids = xcalloc(n ? n : 1, sizeof(*bl->ids));
	bl->staged = xcalloc(n ? n : 1, sizeof(*bl->staged));
	bl->have = xcalloc(n ? n : 1, sizeof(*bl->have));
	for (size_t k = 0; k < n; k++)
		if (content[order[k]].data && !paths[order[k]].removed)
			many++;
	if (many >= PACK_FROM) {
		if (packer_init(&pk, 2 * many) != 0) {
			packer_release(&pk);
			return crmf_error_set("cannot create the commit: %s", crmf_git_msg());
		}
		p = &pk;
		filters = attributes_may_filter(repo, index, gpaths, order, n);
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		const crmf_commit_content *ct = &content[i];

		if (!ct->data || paths[i].removed)
			continue;
		if (content_blob(&bl->ids[i], p, filters, repo, gpaths[i], ct->data, ct->len) < 0 ||
		    (ct->staged ? content_blob(&bl->staged[i], p, filters, repo, gpaths[i],
					       ct->staged, ct->staged_len)
				: (git_oid_cpy(&bl->staged[i], &bl->ids[i]), 0)) < 0) {
			crmf_error_set("cannot stage '%s': %s", paths[i].path, crmf_git_msg());
			goto done;
		}
		bl->have[i] = true;
	}
	if (p && p->nset && packer_write(p, repo) < 0) {
		crmf_error_set("cannot create the commit: %s", crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	if (p)
		packer_release(p);
	return rc;
}

static void blobs_release(struct blobs *bl)
{
	free(bl->ids);
	free(bl->staged);
	free(bl->have);
}

/* Path i as content[i] says: its blob (made by make_blobs) into the tree
 * update, the staged one into the index. */
static int stage_content(git_tree_update *up, git_index *index, const git_tree *base,
			 const char *gpath, const char *path, const crmf_commit_content *ct,
			 const git_oid *id, const git_oid *staged)
{
	git_tree_entry *te = NULL;
	git_index_entry ent;

	up->filemode = GIT_FILEMODE_BLOB;
	if (base && git_tree_entry_bypath(&te, base, gpath) == 0 &&
	    git_tree_entry_filemode(te) == GIT_FILEMODE_BLOB_EXECUTABLE)
		up->filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
	git_tree_entry_free(te);
	git_error_clear();
	git_oid_cpy(&up->id, id);
	memset(&ent, 0, sizeof(ent));
	if (ct->st && !ct->staged) {
		/* the file as just written: its stat data, so git status need not read it */
		ent.ctime.seconds = (int32_t)ct->st->st_ctim.tv_sec;
		ent.ctime.nanoseconds = (uint32_t)ct->st->st_ctim.tv_nsec;
		ent.mtime.seconds = (int32_t)ct->st->st_mtim.tv_sec;
		ent.mtime.nanoseconds = (uint32_t)ct->st->st_mtim.tv_nsec;
		ent.dev = (uint32_t)ct->st->st_dev;
		ent.ino = (uint32_t)ct->st->st_ino;
		ent.uid = (uint32_t)ct->st->st_uid;
		ent.gid = (uint32_t)ct->st->st_gid;
		ent.file_size = (uint32_t)ct->st->st_size;
	}
	/* else no stat data: git and libgit2 compare the file's contents with the entry */
	ent.path = gpath;
	ent.mode = (uint32_t)up->filemode;
	git_oid_cpy(&ent.id, staged);
	if (git_index_add(index, &ent) < 0) {
		crmf_error_set("cannot stage '%s': %s", path, crmf_git_msg());
		return -1;
	}
	up->action = GIT_TREE_UPDATE_UPSERT;
	up->path = gpath;
	return 0;
}

int crmf_commit_paths(char *oid_out, const char *root, const crmf_commit_path *paths, size_t n,
		      const crmf_commit_opts *opts)
{
	return crmf_commit_paths_as(oid_out, root, paths, NULL, n, opts);
}

int crmf_commit_paths_as(char *oid_out, const char *root, const crmf_commit_path *paths,
			 const crmf_commit_content *content, size_t n, const crmf_commit_opts *opts)
{
	crmf_git_need();
	repo_ctx c;
	int rc;

	if (oid_out)
		oid_out[0] = '\0';
	if (crmf_ctx_open(&c, root) < 0)
		return -1;
	rc = crmf_ctx_commit(oid_out, &c, paths, content, n, opts);
	crmf_ctx_close(&c);
	return rc;
}

/* Where the paths are staged: the git index (or crmf's fast one), HEAD's tree. */
struct staging {
	const repo_ctx *c;
	git_index *index;
	crmf_gitindex *ix;   /* the fast index, when no path has content of its own */
	const git_tree *base; /* HEAD's tree, NULL before the first commit */
	struct stat *sts;    /* with ix: each path's stat data */
	bool filemode;
	struct blobs blobs; /* the blobs of the paths given as content */
};

/* The paths in git's order (by path, then as given), for the sort of the index
 * (entries added in order are appended) and to find a path given twice. */
static char **sort_paths;

static int order_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(sort_paths[x], sort_paths[y]);

	return c ? c : (x > y) - (x < y);
}

static size_t *path_order(char **gpaths, size_t n)
{
	size_t *order = xcalloc(n ? n : 1, sizeof(*order));

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	sort_paths = gpaths;
	if (n > 1)
		qsort(order, n, sizeof(*order), order_cmp);
	sort_paths = NULL;
	return order;
}

/* The paths relative to the top of the work tree, or NULL (the error set)
 * when one is not a path inside the repository. */
static char **work_tree_paths(const repo_ctx *c, const crmf_commit_path *paths, size_t n)
{
	char **gpaths = xcalloc(n ? n : 1, sizeof(*gpaths));

	for (size_t i = 0; i < n; i++) {
		if (!paths[i].path || !safe_path(paths[i].path)) {
			crmf_error_set("cannot commit '%s': not a path inside the repository",
				       paths[i].path ? paths[i].path : "");
			for (size_t k = 0; k < i; k++)
				free(gpaths[k]);
			free(gpaths);
			return NULL;
		}
		gpaths[i] = xasprintf("%s%s", c->prefix, paths[i].path);
	}
	return gpaths;
}

/* The index to stage in: crmf's fast one when every path is taken from the
 * work tree, else git's, read from disk. */
static int open_index(struct staging *s, char **gpaths, const crmf_commit_path *paths,
		      const crmf_commit_content *content, size_t n)
{
	bool has_content = false;

	for (size_t i = 0; content && i < n; i++)
		if (content[i].data && !paths[i].removed)
			has_content = true;
	if (!has_content && fast_open(&s->ix, s->sts, s->c, gpaths, paths, n) < 0)
		return -1;
	if (s->ix)
		s->filemode = trust_filemode(s->c->repo);
	else if (git_repository_index(&s->index, s->c->repo) < 0 ||
		 git_index_read(s->index, 0) < 0) {
		crmf_error_set("cannot read the git index: %s", crmf_git_msg());
		return -1;
	}
	return 0;
}

/* Path i staged and its tree update into *u: 1, or 0 when the tree needs
 * none (removing what HEAD lacks), or -1 with the error set. */
static int stage_path(git_tree_update *u, const struct staging *s, size_t i, const char *gpath,
		      const crmf_commit_path *p, const crmf_commit_content *content)
{
	const repo_ctx *c = s->c;

	if (p->removed) {
		git_tree_entry *te = NULL;
		int added = 0;

		if (git_index_remove_bypath(s->index, gpath) < 0)
			return crmf_error_set("cannot unstage '%s': %s", p->path, crmf_git_msg());
		/* removing what HEAD lacks would be an error to libgit2 */
		if (s->base && git_tree_entry_bypath(&te, s->base, gpath) == 0) {
			u->action = GIT_TREE_UPDATE_REMOVE;
			u->path = gpath;
			added = 1;
		}
		git_tree_entry_free(te);
		git_error_clear();
		return added;
	}
	if (content && content[i].data)
		return stage_content(u, s->index, s->base, gpath, p->path, &content[i],
				     &s->blobs.ids[i], &s->blobs.staged[i]) < 0
			   ? -1
			   : 1;
	if (s->ix) {
		/* as git add would: through the filters, the stat data taken before */
		if (git_blob_create_from_workdir(&u->id, c->repo, gpath) < 0)
			return crmf_error_set("cannot stage '%s': %s", p->path, crmf_git_msg());
		u->action = GIT_TREE_UPDATE_UPSERT;
		u->filemode =
		    (git_filemode_t)crmf_gitindex_set(s->ix, i, u->id.id, &s->sts[i], s->filemode);
		u->path = gpath;
		return 1;
	}
	{
		char *fs = xasprintf("%s/%s", c->root, p->path);
		const git_index_entry *ent;
		struct stat st;
		int e = lstat(fs, &st);

		free(fs);
		if (e != 0)
			return crmf_error_set("cannot commit '%s': %s", p->path, errtext(errno));
		/* hashes the file through git's filters and records its stat data, so
		 * that git status finds it clean */
		if (git_index_add_bypath(s->index, gpath) < 0 ||
		    !(ent = git_index_get_bypath(s->index, gpath, 0)))
			return crmf_error_set("cannot stage '%s': %s", p->path, crmf_git_msg());
		u->action = GIT_TREE_UPDATE_UPSERT;
		git_oid_cpy(&u->id, &ent->id);
		u->filemode = (git_filemode_t)ent->mode;
		u->path = gpath;
		return 1;
	}
}

int crmf_ctx_commit(char *oid_out, const repo_ctx *c, const crmf_commit_path *paths,
		    const crmf_commit_content *content, size_t n, const crmf_commit_opts *opts)
{
	static const crmf_commit_opts none = {NULL, NULL, NULL, NULL, NULL};
	git_signature *author = NULL, *committer = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	struct staging s = {c, NULL, NULL, NULL, NULL, true, {NULL, NULL, NULL}};
	git_tree_update *up = NULL;
	char **gpaths = NULL, *branch = NULL, *msg = NULL, *lock = NULL;
	size_t *order = NULL;
	git_oid tree_id, commit_id;
	size_t nup = 0;
	int rc = -1;

	if (oid_out)
		oid_out[0] = '\0';
	if (!opts)
		opts = &none;
	gpaths = work_tree_paths(c, paths, n);
	if (!gpaths)
		goto done;
	if (check_state(c->repo) < 0 || signatures(&author, &committer, c->repo, opts->author) < 0)
		goto done;
	/* a held lock refuses before anything is written */
	if (git_locks_held(c, &branch, &parent, THEN_COMMIT) < 0)
		goto done;
	lock = crmf_ctx_gitdir_file(c, "index.lock", false);
	if (parent && git_commit_tree(&base, parent) < 0) {
		crmf_error_set("cannot read the tree of HEAD: %s", crmf_git_msg());
		goto done;
	}
	s.base = base;
	s.sts = xcalloc(n ? n : 1, sizeof(*s.sts));
	if (open_index(&s, gpaths, paths, content, n) < 0)
		goto done;
	order = path_order(gpaths, n);
	if (content && make_blobs(&s.blobs, c->repo, s.index, gpaths, paths, content, order, n) < 0)
		goto done;
	up = xcalloc(n ? n : 1, sizeof(*up));
	for (size_t k0 = 0; k0 < n; k0++) {
		size_t i = order[k0];
		int k;

		/* a path given twice: as first given */
		if (k0 && strcmp(gpaths[order[k0 - 1]], gpaths[i]) == 0)
			continue;
		k = stage_path(&up[nup], &s, i, gpaths[i], &paths[i], content);
		if (k < 0)
			goto done;
		nup += (size_t)k;
	}
	qsort(up, nup, sizeof(*up), cmp_update);
	if (git_tree_create_updated(&tree_id, c->repo, base, nup, up) < 0 ||
	    git_tree_lookup(&tree, c->repo, &tree_id) < 0) {
		crmf_error_set("cannot build the tree to commit: %s", crmf_git_msg());
		goto done;
	}
	if (base ? git_oid_equal(&tree_id, git_tree_id(base)) : git_tree_entrycount(tree) == 0) {
		/* already committed as they are: refresh the index, make no empty commit */
		if (write_index(c, s.index, s.ix, lock) < 0)
			goto done;
		rc = 0;
		goto done;
	}
	msg = build_message(opts);
	if (git_commit_create(&commit_id, c->repo, NULL, author, committer, NULL, msg, tree,
			      parent ? 1 : 0, (const git_commit **)&parent) < 0) {
		crmf_error_set("cannot create the commit: %s", crmf_git_msg());
		goto done;
	}
	/*
	 * The index before the branch: should the branch update fail, the files
	 * are staged (as after git add) rather than committed and then shown as
	 * reverted in the index.
	 */
	if (write_index(c, s.index, s.ix, lock) < 0)
		goto done;
	git_repository_set_ident(c->repo, committer->name, committer->email);
	if (update_branch(c, branch, &commit_id, parent, msg) < 0)
		goto done;
	if (oid_out)
		git_oid_tostr(oid_out, GIT_OID_HEXSZ + 1, &commit_id);
	rc = 0;
done:
	if (gpaths)
		for (size_t i = 0; i < n; i++)
			free(gpaths[i]);
	free(gpaths);
	free(up);
	free(order);
	blobs_release(&s.blobs);
	free(s.sts);
	free(msg);
	free(lock);
	free(branch);
	crmf_gitindex_free(s.ix);
	git_index_free(s.index);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	git_signature_free(author);
	git_signature_free(committer);
	return rc;
}
