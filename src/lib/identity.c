/* SPDX-License-Identifier: MIT */
/* The user's git identity and the team member it matches, for `--mine`. */
#include "crmf/identity.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <git2.h>

#include "crmf/diag.h"
#include "git_private.h"
#include "repo_ctx.h"
#include "util.h"

/* The variable's value when set and non-empty, as git treats an empty one. */
static char *env_value(const char *var)
{
	const char *v = getenv(var);

	return v && *v ? xstrdup(v) : NULL;
}

static char *config_value(git_config *cfg, const char *key)
{
	git_buf b = GIT_BUF_INIT;
	char *v = NULL;

	if (git_config_get_string_buf(&b, cfg, key) == 0 && b.ptr && b.ptr[0])
		v = xstrdup(b.ptr);
	git_buf_dispose(&b);
	return v;
}

/* The identity from `repo`'s config, else (NULL) from the user's own. */
static int identity_from(crmf_identity *out, git_repository *repo)
{
	git_config *cfg = NULL;
	int rc = 0;

	out->name = env_value("GIT_AUTHOR_NAME");
	out->email = env_value("GIT_AUTHOR_EMAIL");
	if (out->name && out->email)
		return 0;
	/* outside a repository the user's own config still names them */
	if (repo) {
		if (git_repository_config_snapshot(&cfg, repo) != 0)
			rc = -1;
	} else {
		git_config *dflt = NULL;

		if (git_config_open_default(&dflt) != 0 || git_config_snapshot(&cfg, dflt) != 0)
			rc = -1;
		git_config_free(dflt);
	}
	if (rc != 0) {
		const git_error *e = git_error_last();

		crmf_error_set("cannot read the git config: %s",
			       e && e->message ? e->message : crmf_tr("unknown error"));
		goto done;
	}
	if (!out->name)
		out->name = config_value(cfg, "user.name");
	if (!out->email)
		out->email = config_value(cfg, "user.email");
done:
	git_config_free(cfg);
	if (rc != 0)
		crmf_identity_release(out);
	return rc;
}

int crmf_ctx_identity(crmf_identity *out, const repo_ctx *c)
{
	return identity_from(out, c ? c->repo : NULL);
}

int crmf_identity_get(crmf_identity *out, const char *dir)
{
	crmf_git_need();
	git_repository *repo = NULL;
	int rc;

	if (getenv("GIT_AUTHOR_NAME") && *getenv("GIT_AUTHOR_NAME") && getenv("GIT_AUTHOR_EMAIL") &&
	    *getenv("GIT_AUTHOR_EMAIL"))
		return identity_from(out, NULL);
	if (crmf_git_open(&repo, dir) != 0)
		repo = NULL;
	rc = identity_from(out, repo);
	git_repository_free(repo);
	return rc;
}

void crmf_identity_release(crmf_identity *id)
{
	if (!id)
		return;
	free(id->name);
	free(id->email);
	id->name = id->email = NULL;
}

/* Whether `id` equals the part of `email` before its last '@'. */
static bool is_local_part(const char *id, const char *email)
{
	const char *at = email ? strrchr(email, '@') : NULL;
	size_t n = at ? (size_t)(at - email) : 0;

	return at && n > 0 && strlen(id) == n && strncasecmp(id, email, n) == 0;
}

const crmf_member *crmf_identity_member(const crmf_config *cfg, const crmf_identity *id)
{
	if (!cfg || !id)
		return NULL;
	/* the strongest evidence first: an email is unique to a person, a name
	 * may not be */
	if (id->email)
		for (size_t i = 0; i < cfg->n_team; i++)
			if (cfg->team[i].email && strcasecmp(cfg->team[i].email, id->email) == 0)
				return &cfg->team[i];
	if (id->name)
		for (size_t i = 0; i < cfg->n_team; i++)
			if (strcmp(cfg->team[i].id, id->name) == 0 ||
			    (cfg->team[i].name && strcmp(cfg->team[i].name, id->name) == 0))
				return &cfg->team[i];
	if (id->email)
		for (size_t i = 0; i < cfg->n_team; i++)
			if (is_local_part(cfg->team[i].id, id->email))
				return &cfg->team[i];
	return NULL;
}

bool crmf_identity_owns(const crmf_config *cfg, const crmf_identity *id, const char *owner)
{
	if (!owner || !id)
		return false;
	if (cfg && cfg->has_team) {
		const crmf_member *me = crmf_identity_member(cfg, id);

		return me && crmf_config_member(cfg, owner) == me;
	}
	return (id->name && strcmp(owner, id->name) == 0) ||
	       (id->email && strcasecmp(owner, id->email) == 0) || is_local_part(owner, id->email);
}
