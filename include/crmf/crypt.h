/* SPDX-License-Identifier: MIT */
/* Confidential fields: values encrypted one by one (libsodium), data keys sealed for each recipient. */
#ifndef CRMF_CRYPT_H
#define CRMF_CRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crmf/diag.h"
#include "crmf/doc.h"
#include "crmf/schema.h"

/**
 * A confidential value is stored as one line, a plain YAML scalar
 * (doc/privacy.md):
 *
 *     ENC[v1,e<epoch>,<nonce>,<ciphertext>,h<hash>]
 *
 * base64 (URL-safe alphabet, no padding) of a 24-byte nonce, of the
 * XChaCha20-Poly1305 (IETF) ciphertext of the plain value under the file's
 * key, and of a 16-byte keyed hash (BLAKE2b) of the value normalised as
 * duplicate detection compares it. The file's key is derived from the epoch's
 * data key and the customer's id; the additional data is "ID/FIELD"
 * (C2024001/contacts.phone), so a value moved to another file or field fails
 * to decrypt. The epoch's data keys are sealed (crypto_box_seal) for each
 * recipient's X25519 public key in .crmf/keys.yaml.
 */
#define CRMF_CRYPT_KEYS_FILE ".crmf/keys.yaml"
/** What outputs print in place of a confidential value that is not shown. */
#define CRMF_CRYPT_MASK "[encrypted]"

/** A token's parts, pointing into the string it was parsed from. */
typedef struct crmf_token {
	unsigned epoch;
	const char *nonce, *cipher, *hash; /* base64, not NUL-terminated */
	size_t nonce_len, cipher_len, hash_len;
} crmf_token;

/** True when `s` starts like a token ("ENC["): cheap, for every value. */
bool crmf_token_like(const char *s);

/** Parse the token `s` strictly; 0, or -1 with *why (static text) saying what is wrong. */
int crmf_token_parse(crmf_token *out, const char *s, const char **why);

/** Whether the stored field `path` ("contacts.phone", a custom field's name)
 * is confidential in `cfg` (always false without a `confidential:` section). */
bool crmf_config_confidential(const crmf_config *cfg, const char *path);

/** The keys of a repository and, when the user has one, their private key. */
typedef struct crmf_crypt crmf_crypt;

/**
 * Read the repository's sealed data keys (`root`/.crmf/keys.yaml; absent:
 * none yet) and look for the user's private key: `key_file` when given, else
 * $CRMF_KEY, else the files $XDG_CONFIG_HOME/crmf/keys/ *.key (~/.config when
 * unset) whose public key is one of the recipients of crmf.yaml. A key file
 * readable by group or others is refused. Without a key the handle still
 * serves the checks (crmf_crypt_can_read false). 0, or -1 with *why
 * (malloc'ed).
 */
int crmf_crypt_open(crmf_crypt **out, const char *root, const crmf_config *cfg,
		    const char *key_file, char **why);

/** Free the handle (its keys wiped); NULL is a no-op. */
void crmf_crypt_free(crmf_crypt *c);

/** Whether the user holds a key that opens the current epoch (so can read and write). */
bool crmf_crypt_can_read(const crmf_crypt *c);

/** The recipient whose key was found, or NULL. */
const char *crmf_crypt_member(const crmf_crypt *c);

/** The epoch new values are written under (0: none yet). */
unsigned crmf_crypt_epoch(const crmf_crypt *c);

/** Mask every confidential value in outputs, even with a key (--redact). */
void crmf_crypt_set_redact(crmf_crypt *c, bool redact);

/** Encrypt `plain` as the value of `field` of customer `id`: a malloc'ed token, or NULL
 * with *why (static) when the user has no key for the current epoch. */
char *crmf_crypt_encrypt(const crmf_crypt *c, const char *id, const char *field,
			 const char *plain, const char **why);

/** Decrypt the token `tok` of `field` of customer `id`: malloc'ed plain text, or NULL
 * with *why (static): malformed, no key for its epoch, or does not authenticate. */
char *crmf_crypt_decrypt(const crmf_crypt *c, const char *id, const char *field,
			 const char *tok, const char **why);

/**
 * What an output prints for the value `v` of `field` of customer `id`: NULL
 * when `v` is to be printed as it is (not confidential, or plain and not
 * redacted); else a malloc'ed string: the plain value (key held, not
 * redacted) or CRMF_CRYPT_MASK. `c` may be NULL (no confidential fields).
 */
char *crmf_crypt_reveal(const crmf_crypt *c, const crmf_config *cfg, const char *id,
			const char *field, const char *v);

/** The key duplicate detection compares for a confidential value: the
 * token's epoch and keyed hash ("e2:hXXXX"), into `out` (room for 64), or 0
 * when `v` is not a well-formed token. */
size_t crmf_token_dup_key(char *out, const char *v);

/** How crmf_crypt_transform changes a customer file's confidential values. */
typedef enum crmf_crypt_mode {
	CRMF_CRYPT_SEAL,   /* plain values encrypted (those `orig` has keep its token) */
	CRMF_CRYPT_OPEN,   /* tokens decrypted (for the editor) */
	CRMF_CRYPT_VERIFY, /* nothing changed: every token checked (and decrypted with a key) */
} crmf_crypt_mode;

/**
 * The customer file `doc` with its confidential values (contacts' and
 * top-level custom fields of crmf.yaml `confidential`) changed as `mode`
 * says, every other byte kept: *out (malloc'ed, NUL-terminated, *len bytes),
 * or NULL with nothing to change. Problems go to `diags` at their line
 * (rule "bad-encrypted": malformed, or, with a key, a value that does not
 * authenticate: tampered with, or moved from another file or field).
 * SEAL: a plain value whose text `orig` (the file before, may be NULL)
 * holds as a token for the same field keeps that token, so that unchanged
 * values stay byte-identical. *changed (may be NULL) counts the values
 * changed. 0, or -1 (an error in diags, or no key to encrypt with).
 */
int crmf_crypt_transform(char **out, size_t *len, const crmf_crypt *c, const crmf_config *cfg,
			 const crmf_doc *doc, crmf_crypt_mode mode, const crmf_doc *orig,
			 size_t *changed, crmf_diags *diags);

/* ---- key management (crmf keys) ---- */

/** A new key pair: the private key written to `path` (mode 0600, refused
 * when it exists; its folder made 0700), the public key's base64 into
 * *pub (malloc'ed). 0, or -1 with *why (malloc'ed). */
int crmf_crypt_keygen(char **pub, const char *path, char **why);

/** The base64 public key of the private key file `path`, or NULL with *why. */
char *crmf_crypt_key_public(const char *path, char **why);

/** The default private key file of `member`: $XDG_CONFIG_HOME/crmf/keys/MEMBER.key (malloc'ed). */
char *crmf_crypt_key_path(const char *member);

/** True when `b64` is a base64 X25519 public key (32 bytes). */
bool crmf_crypt_pubkey_valid(const char *b64);

/**
 * Seal every epoch key the user can open for `member`'s public key `pub`
 * (the first epoch, a new data key, when there is none yet: then the key
 * is sealed for every recipient of crmf.yaml too). 0, or -1 with *why.
 */
int crmf_crypt_add(crmf_crypt *c, const char *member, const char *pub, char **why);

/**
 * Remove `member`'s sealed keys and rotate: a new epoch whose data key is
 * sealed for every other recipient of crmf.yaml. 0, or -1 with *why.
 */
int crmf_crypt_remove(crmf_crypt *c, const char *member, char **why);

/** The text of .crmf/keys.yaml as the handle holds it now (malloc'ed). */
char *crmf_crypt_keys_text(const crmf_crypt *c, size_t *len);

#endif
