/* SPDX-License-Identifier: MIT */
/* The context every git operation of crmf starts from: the repository opened (git.c) at the crmf root, its prefix in the work tree. */
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

static const char NOT_A_REPO[] = N_("not in a git repository (run 'crmf init' to create one)");

/* --- opening the repository --- */

void crmf_ctx_close(repo_ctx *c)
{
	git_repository_free(c->repo);
	free(c->root);
	free(c->prefix);
	memset(c, 0, sizeof(*c));
}

/* libgit2 1.5 says "not found" for a repository it refuses to own when
 * safe.directory is not set at all. */
static bool owner_refused(void)
{
	const git_error *e = git_error_last();

	return e && e->message && strstr(e->message, "safe.directory");
}

int crmf_ctx_open(repo_ctx *c, const char *root)
{
	char *wd = NULL;
	const char *rel;
	int e;

	memset(c, 0, sizeof(*c));
	c->root = realpath(root, NULL);
	if (!c->root)
		return crmf_error_set("cannot access '%s': %s", root, errtext(errno));
	e = crmf_git_open(&c->repo, c->root);
	if (e == GIT_ENOTFOUND && owner_refused())
		e = GIT_EOWNER;
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
		crmf_error_set("%s", crmf_tr(NOT_A_REPO));
		goto fail;
	}
	if (e == GIT_EOWNER) {
		crmf_git_owner_error(c->root);
		goto fail;
	}
	if (e < 0) {
		crmf_error_set("cannot open the git repository at '%s': %s", c->root, crmf_git_msg());
		goto fail;
	}
	if (git_repository_is_bare(c->repo) || !git_repository_workdir(c->repo)) {
		crmf_error_set("'%s' is a bare git repository; crmf needs one with a work tree "
			       "(clone it: git clone %s)",
			       git_repository_path(c->repo), git_repository_path(c->repo));
		goto fail;
	}
	wd = realpath(git_repository_workdir(c->repo), NULL);
	if (!wd) {
		crmf_error_set("cannot access '%s': %s", git_repository_workdir(c->repo),
			       errtext(errno));
		goto fail;
	}
	rel = path_below(c->root, wd);
	if (!rel) {
		crmf_error_set("'%s' is not inside the work tree of the git repository at '%s'",
			       c->root, wd);
		goto fail;
	}
	c->prefix = *rel ? xasprintf("%s/", rel) : xstrdup("");
	free(wd);
	return 0;
fail:
	free(wd);
	crmf_ctx_close(c);
	return -1;
}

/* A path under the git directory, for messages: relative to the crmf root when inside it. */
char *crmf_ctx_gitdir_file(const repo_ctx *c, const char *name, bool display)
{
	char *abs = xasprintf("%s%s", git_repository_path(c->repo), name);
	const char *rel;

	if (!display)
		return abs;
	rel = path_below(abs, c->root);
	if (rel && *rel) {
		char *r = xstrdup(rel);

		free(abs);
		return r;
	}
	return abs;
}
