/* SPDX-License-Identifier: MIT */
/* Changes of the confidential fields' keys and of every file at once (crmf keys, check --fix), each one commit. */
#ifndef CRMF_KEYS_H
#define CRMF_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/crypt.h"
#include "crmf/repository.h"

/**
 * Open the repository's keys (crmf_crypt_open on its root and crmf.yaml):
 * `key_file` NULL for $CRMF_KEY or the user's key folder. 0, or -1 with
 * *why (malloc'ed).
 */
int crmf_keys_open(crmf_crypt **out, crmf_repository *r, const char *key_file, char **why);

/** What one of the changes below did. */
typedef struct crmf_keys_result {
	char oid[41];	  /* the commit, "" when nothing was committed */
	unsigned epoch;	  /* the current epoch after it */
	size_t files;	  /* customer files rewritten */
	size_t values;	  /* values encrypted (again) in them */
} crmf_keys_result;

/**
 * crmf keys add: `member` (a team member) with the public key `pub` in
 * crmf.yaml's confidential.recipients (the section added when absent), and
 * every epoch's data key the user holds sealed for them (the first epoch
 * made, for every recipient, when there is none); crmf.yaml and
 * .crmf/keys.yaml committed as one commit by `author` (NULL: git's). 0, or
 * -1 with *why (malloc'ed) and nothing changed.
 */
int crmf_keys_add(crmf_keys_result *out, crmf_repository *r, crmf_crypt *c,
		  const char *author, const char *member, const char *pub, char **why);

/**
 * crmf keys remove: `member` out of the recipients and of every epoch's
 * sealed keys, and a new epoch whose key is sealed for the others: what is
 * written from now on is out of their reach. With `reencrypt`, every value
 * of every customer file is encrypted again under the new epoch, in the same
 * commit. 0, or -1 with *why.
 */
int crmf_keys_remove(crmf_keys_result *out, crmf_repository *r, crmf_crypt *c,
		     const char *author, const char *member, bool reencrypt, char **why);

/**
 * crmf check --fix: every plain value of a confidential field in every
 * customer file encrypted, in one commit. Files with uncommitted changes
 * refuse it. out->values 0 (and no commit) when there is none.
 */
int crmf_keys_seal_all(crmf_keys_result *out, crmf_repository *r, const crmf_crypt *c,
		       const char *author, char **why);

/**
 * For crmf check with a key that opens the current epoch: every encrypted
 * value of every customer file decrypted, each one that does not (tampered
 * with, moved from another file or field, an epoch the user does not hold)
 * an error "bad-encrypted" at its line in `diags`. Nothing without such a
 * key. 0, or -1 with crmf_error_last() (the files could not be listed).
 */
int crmf_keys_verify(crmf_repository *r, const crmf_crypt *c, crmf_diags *diags);

#endif
