/* SPDX-License-Identifier: MIT */
/* Who the user is: the git identity, and the team member it names (for `--mine`). */
#ifndef CRMF_IDENTITY_H
#define CRMF_IDENTITY_H

#include "crmf/schema.h"

/** A git identity; either string may be NULL when git has none. */
typedef struct crmf_identity {
	char *name;  /* owned */
	char *email; /* owned */
} crmf_identity;

/**
 * The identity git would write as the author of a commit made in the
 * repository containing `dir`: GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL when set
 * and non-empty, else user.name and user.email from the repository's config
 * (local, then global and system, as git reads them; outside a repository
 * the global and system config alone). Sets *out (release it with
 * crmf_identity_release) and returns 0 even when nothing is set; -1 with
 * crmf_error_last() when the config cannot be read.
 */
int crmf_identity_get(crmf_identity *out, const char *dir);

/** Free the strings of `id`; NULL is a no-op. */
void crmf_identity_release(crmf_identity *id);

/**
 * The team member `id` stands for, or NULL: the first member whose email
 * equals the identity's email (case-insensitive), else whose name or id
 * equals the identity's name, else whose id equals the local part of the
 * identity's email (`li.na@corp.example` is member `li.na`).
 */
const crmf_member *crmf_identity_member(const crmf_config *cfg, const crmf_identity *id);

/**
 * Whether `owner` (an owner value as written in a customer file) is the user
 * `id`: when the team is declared, `owner` and the identity name the same
 * member; otherwise `owner` equals the identity's name, its email, or its
 * email's local part.
 */
bool crmf_identity_owns(const crmf_config *cfg, const crmf_identity *id, const char *owner);

#endif
