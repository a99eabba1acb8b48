/* SPDX-License-Identifier: MIT */
/* `crmf setup` (git told to merge customer files with crmf) and crmf's merge driver inside libgit2. */
#include "crmf/store.h"
#include "crmf/sync.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/merge.h>

#include "crmf/schema.h"
#include "git_private.h"
#include "gitfilter.h"
#include "sync_private.h"
#include "util.h"

static const char DRIVER_NAME[] = "crmf structural merge of customer files";

/* ---- setup ---- */

static char *shell_quote(const char *s)
{
	strbuf sb = STRBUF_INIT;

	if (s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+-")] ==
	    '\0')
		return xstrdup(s);
	sb_addc(&sb, '\'');
	for (const char *p = s; *p; p++)
		if (*p == '\'')
			sb_adds(&sb, "'\\''");
		else
			sb_addc(&sb, *p);
	sb_addc(&sb, '\'');
	return sb_detach(&sb);
}

char *crmf_self_command(void)
{
	char *self = realpath("/proc/self/exe", NULL), *found = NULL;
	const char *path = getenv("PATH");

	if (!self)
		return xstrdup("crmf");
	/* the first crmf on PATH (empty elements, the current folder, skipped:
	 * what runs must not depend on where git runs it) */
	for (const char *p = path ? path : ""; *p && !found;) {
		size_t n = strcspn(p, ":");
		char *cand = xasprintf("%.*s/crmf", (int)n, p);

		if (n > 0 && access(cand, X_OK) == 0)
			found = realpath(cand, NULL);
		free(cand);
		if (found)
			break;
		p += n + (p[n] == ':');
	}
	if (found && strcmp(found, self) == 0) {
		free(found);
		free(self);
		return xstrdup("crmf");
	}
	free(found);
	return self;
}

char *crmf_setup_command(void)
{
	char *self = crmf_self_command(), *r;

	if (strcmp(self, "crmf") == 0)
		return self;
	r = shell_quote(self);
	free(self);
	return r;
}

/* True when `text` has `line` (without its '\n') as one of its lines, ignoring trailing blanks. */
static int set_config(bool *changed, git_config *cfg, const char *key, const char *value)
{
	git_buf b = GIT_BUF_INIT;
	bool same = git_config_get_string_buf(&b, cfg, key) == 0 && strcmp(b.ptr, value) == 0;

	git_buf_dispose(&b);
	git_error_clear();
	if (same)
		return 0;
	if (git_config_set_string(cfg, key, value) < 0)
		return crmf_error_set("cannot set %s in the git configuration: %s", key, crmf_git_msg());
	*changed = true;
	return 0;
}

int crmf_setup(crmf_setup_result *out, const char *root, const char *command)
{
	crmf_git_need();
	repo r;
	git_config *all = NULL, *local = NULL;
	char *cmd = command ? xstrdup(command) : crmf_setup_command();
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (sy_repo_open(&r, root) < 0) {
		free(cmd);
		return -1;
	}
	out->attributes = xasprintf("%s/.gitattributes", r.root);
	if (crmf_store_write_attributes(&out->attributes_changed, r.root) < 0)
		goto done;
	out->driver = xasprintf("%s merge-driver %%O %%A %%B %%P", cmd);
	if (git_repository_config(&all, r.git) < 0 ||
	    git_config_open_level(&local, all, GIT_CONFIG_LEVEL_LOCAL) < 0) {
		crmf_error_set("cannot open the repository's git configuration: %s", crmf_git_msg());
		goto done;
	}
	if (set_config(&out->config_changed, local, "merge.crmf.name", DRIVER_NAME) < 0 ||
	    set_config(&out->config_changed, local, "merge.crmf.driver", out->driver) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0)
		crmf_setup_result_release(out);
	free(cmd);
	git_config_free(local);
	git_config_free(all);
	sy_repo_close(&r);
	return rc;
}

void crmf_setup_result_release(crmf_setup_result *r)
{
	if (!r)
		return;
	free(r->attributes);
	free(r->driver);
	memset(r, 0, sizeof(*r));
}

/* ---- crmf's merge inside libgit2 ---- */

/* libgit2 keeps registered drivers in one global table: one driver, set up per sync. */
static struct crmf_git_driver {
	git_merge_driver base;
	const repo *repo;
	const crmf_config *cfg;
	crmf_day today;
} the_driver;

/*
 * The bytes of a side as the work tree has them (smudged: crmf merges YAML, not what a filter
 * driver such as git-crypt stores); an absent side is an empty buffer.
 */
static int side_bytes(git_buf *out, git_repository *git, const git_index_entry *e, const char *path)
{
	git_blob *b = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!e)
		return 0;
	if (git_blob_lookup(&b, git, &e->id) < 0)
		return -1;
	rc = crmf_gitfilter_smudge(out, git, b, path);
	git_blob_free(b);
	return rc;
}

static int driver_apply(git_merge_driver *self, const char **path_out, uint32_t *mode_out,
			git_buf *merged_out, const char *filter_name,
			const git_merge_driver_source *src)
{
	struct crmf_git_driver *d = (struct crmf_git_driver *)self;
	git_repository *git = git_merge_driver_source_repo(src);
	const git_index_entry *a = git_merge_driver_source_ancestor(src);
	const git_index_entry *o = git_merge_driver_source_ours(src);
	const git_index_entry *t = git_merge_driver_source_theirs(src);
	git_buf ab = GIT_BUF_INIT, ob = GIT_BUF_INIT, tb = GIT_BUF_INIT;
	crmf_merge_opts mo;
	crmf_merge_result res;
	const char *rel;
	int rc = GIT_EMERGECONFLICT;

	(void)filter_name;
	/* files outside customers/ and archive/ merge as git would */
	if (!o || !t || !d->repo || !(rel = sy_in_root(d->repo, o->path)) || !sy_is_customer_path(rel))
		return GIT_PASSTHROUGH;
	if (side_bytes(&ab, git, a, o->path) < 0 || side_bytes(&ob, git, o, o->path) < 0 ||
	    side_bytes(&tb, git, t, o->path) < 0) {
		rc = GIT_PASSTHROUGH;
		goto done;
	}
	memset(&mo, 0, sizeof(mo));
	mo.cfg = d->cfg;
	mo.relpath = rel;
	mo.today = d->today;
	if (crmf_merge_file(&res, a ? (ab.ptr ? ab.ptr : "") : NULL, ab.size, ob.ptr ? ob.ptr : "",
			    ob.size, tb.ptr ? tb.ptr : "", tb.size, &mo) == 0) {
		/* back into the form git stores (cleaned), which libgit2 writes as the blob; the
		 * buffer is freed with libgit2's allocator, which is malloc's */
		if (crmf_gitfilter_clean(merged_out, git, res.buf, res.len, o->path) == 0) {
			*path_out = o->path;
			*mode_out = o->mode;
			rc = 0;
		} else {
			git_buf_dispose(merged_out);
			rc = -1;
		}
	}
	crmf_merge_result_release(&res);
done:
	git_buf_dispose(&ab);
	git_buf_dispose(&ob);
	git_buf_dispose(&tb);
	return rc;
}

int sy_driver_register(const repo *r, const crmf_config *cfg, crmf_day today)
{
	int e;

	the_driver.base.version = GIT_MERGE_DRIVER_VERSION;
	the_driver.base.apply = driver_apply;
	the_driver.repo = r;
	the_driver.cfg = cfg;
	the_driver.today = today;
	e = git_merge_driver_register("crmf", &the_driver.base);
	if (e < 0 && e != GIT_EEXISTS)
		return crmf_error_set("cannot register crmf's merge with libgit2: %s", crmf_git_msg());
	git_error_clear();
	return 0;
}

void sy_driver_unregister(void)
{
	git_merge_driver_unregister("crmf");
	git_error_clear();
	the_driver.repo = NULL;
	the_driver.cfg = NULL;
}

int crmf_sync_filter(char **out, size_t *out_len, const char *root, const char *path,
		     const char *buf, size_t len, bool to_worktree)
{
	crmf_git_need();
	repo r;
	git_filter_list *fl = NULL;
	git_buf f = GIT_BUF_INIT;
	char *gp = NULL;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	if (sy_repo_open(&r, root) < 0)
		return -1;
	gp = xasprintf("%s%s", r.prefix, path);
	if (git_filter_list_load(&fl, r.git, NULL, gp,
				 to_worktree ? GIT_FILTER_TO_WORKTREE : GIT_FILTER_TO_ODB,
				 GIT_FILTER_DEFAULT) < 0 ||
	    (fl && git_filter_list_apply_to_buffer(&f, fl, buf, len) < 0)) {
		crmf_error_set("%s", crmf_git_msg());
		goto done;
	}
	if (!fl) {
		buf = buf ? buf : "";
	} else {
		buf = f.ptr ? f.ptr : "";
		len = f.size;
	}
	*out = xmalloc(len + 1);
	memcpy(*out, buf, len);
	(*out)[len] = '\0';
	*out_len = len;
	rc = 0;
done:
	git_buf_dispose(&f);
	git_filter_list_free(fl);
	free(gp);
	sy_repo_close(&r);
	return rc;
}

