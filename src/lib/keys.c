/* SPDX-License-Identifier: MIT */
/* crmf keys add/remove and check --fix: crmf.yaml, .crmf/keys.yaml and customer files changed in one commit. */
#include "crmf/keys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crmf/change.h"
#include "crmf/commit.h"
#include "crmf/edit.h"
#include "crmf/store.h"
#include "util.h"

int crmf_keys_open(crmf_crypt **out, crmf_repository *r, const char *key_file, char **why)
{
	const crmf_config *cfg = NULL;

	*out = NULL;
	if (crmf_repository_config(&cfg, r) != 0) {
		*why = xstrdup(crmf_error_last());
		return -1;
	}
	return crmf_crypt_open(out, crmf_repository_root(r), cfg, key_file, why);
}

/* What one commit writes: paths and their new bytes. */
struct batch {
	char **path, **buf;
	size_t *len, n;
};

static void batch_add(struct batch *b, const char *path, char *buf, size_t len)
{
	b->path = xrealloc(b->path, (b->n + 1) * sizeof(*b->path));
	b->buf = xrealloc(b->buf, (b->n + 1) * sizeof(*b->buf));
	b->len = xrealloc(b->len, (b->n + 1) * sizeof(*b->len));
	b->path[b->n] = xstrdup(path);
	b->buf[b->n] = buf;
	b->len[b->n++] = len;
}

static void batch_release(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->path[i]);
		free(b->buf[i]);
	}
	free(b->path);
	free(b->buf);
	free(b->len);
}

/* Write every file of the batch and commit them; the lock is held. */
static int batch_commit(crmf_keys_result *out, crmf_repository *r, struct batch *b,
			const char *author, const char *subject, char **why)
{
	const char *root = crmf_repository_root(r);
	crmf_commit_path *paths = xcalloc(b->n ? b->n : 1, sizeof(*paths));
	crmf_commit_opts o = {author, subject, NULL, "keys", NULL};
	char *dir = xasprintf("%s/.crmf", root);
	int rc = -1;

	(void)mkdir(dir, 0755);
	free(dir);
	for (size_t i = 0; i < b->n; i++) {
		char *fs = xasprintf("%s/%s", root, b->path[i]);
		int w = crmf_write_atomic(fs, b->buf[i], b->len[i]);

		free(fs);
		if (w != 0) {
			*why = xstrdup(crmf_error_last());
			goto done;
		}
		paths[i].path = b->path[i];
	}
	if (crmf_repository_commit(out->oid, r, paths, NULL, b->n, &o) != 0) {
		*why = xasprintf(crmf_tr("written, not committed: %s"), crmf_error_last());
		goto done;
	}
	rc = 0;
done:
	free(paths);
	return rc;
}

static int start(crmf_repository *r, const char *author, char **why)
{
	if (crmf_repository_preflight(r, author) != 0 ||
	    crmf_repository_lock(r, CRMF_CHANGE_LOCK_TIMEOUT_MS) != 0) {
		*why = xstrdup(crmf_error_last());
		return -1;
	}
	return 0;
}

/* crmf.yaml with `member: pub` added to confidential.recipients (pub NULL: removed). */
static int edit_config(char **out, size_t *len, crmf_repository *r, const char *member,
		       const char *pub, char **why)
{
	char *fs = xasprintf("%s/crmf.yaml", crmf_repository_root(r));
	crmf_doc *doc = NULL;
	crmf_edit *e = NULL;
	crmf_diags d;
	const crmf_node *conf, *rec;
	int rc = -1;

	crmf_diags_init(&d);
	*out = NULL;
	if (crmf_doc_load(&doc, "crmf.yaml", fs, &d) != 0 || !doc->root ||
	    doc->root->type != CRMF_NODE_MAPPING) {
		*why = xstrdup(
		    crmf_tr("crmf.yaml cannot be read as a mapping; fix it first (crmf check)"));
		goto done;
	}
	conf = crmf_node_get(doc->root, "confidential");
	rec = conf && conf->type == CRMF_NODE_MAPPING ? crmf_node_get(conf, "recipients") : NULL;
	if (crmf_edit_new(&e, doc) != 0) {
		*why = xstrdup(crmf_error_last());
		goto done;
	}
	if (!pub) {
		if (!rec || rec->type != CRMF_NODE_MAPPING || !crmf_node_get(rec, member)) {
			*why = xasprintf(crmf_tr("'%s' is no recipient of crmf.yaml confidential"),
					 member);
			goto done;
		}
		rc = crmf_edit_delete_key(e, rec, member);
	} else if (!conf) {
		char *s = xasprintf("%sconfidential:\n  fields: [contacts.phone, contacts.email]\n"
				    "  recipients:\n    %s: %s\n",
				    doc->len && doc->src[doc->len - 1] != '\n' ? "\n" : "", member,
				    pub);

		rc = crmf_edit_splice(e, doc->len, 0, s, strlen(s));
		free(s);
	} else if (rec && rec->type == CRMF_NODE_MAPPING) {
		if (crmf_node_get(rec, member))
			rc = crmf_edit_set_scalar(e, crmf_node_get(rec, member), pub, CRMF_EDIT_TEXT);
		else
			rc = crmf_edit_add_key(e, rec, member, pub, CRMF_EDIT_TEXT);
	} else {
		*why = xstrdup(crmf_tr("crmf.yaml 'confidential' has no 'recipients:' mapping; add "
				       "'recipients: {}' under it first"));
		goto done;
	}
	if (rc != 0 || crmf_edit_apply(out, len, e) != 0) {
		*why = xasprintf(crmf_tr("cannot change crmf.yaml: %s"), crmf_error_last());
		free(*out);
		*out = NULL;
		rc = -1;
	}
done:
	crmf_edit_free(e);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	free(fs);
	return rc;
}

/* Files of the repository with uncommitted changes among `b`'s? Said in *why. */
static int uncommitted(crmf_repository *r, const struct batch *b, char **why)
{
	crmf_changed *ch = NULL;
	size_t n = 0;
	int rc = 0;

	if (crmf_repository_status(&ch, &n, r) != 0) {
		*why = xstrdup(crmf_error_last());
		return -1;
	}
	for (size_t i = 0; i < n && !rc; i++)
		for (size_t j = 0; j < b->n && !rc; j++)
			if (strcmp(ch[i].path, b->path[j]) == 0) {
				*why = xasprintf(
				    crmf_tr("%s has uncommitted changes; commit them first "
					    "('crmf commit') and run this again"),
				    ch[i].path);
				rc = -1;
			}
	for (size_t i = 0; i < n; i++) {
		free(ch[i].path);
		free(ch[i].old_path);
	}
	free(ch);
	return rc;
}

/* Every customer file changed by `mode` (OPEN then SEAL: encrypted again) into `b`. */
static int every_file(crmf_keys_result *out, crmf_repository *r, const crmf_crypt *c,
		      bool again, struct batch *b, char **why)
{
	const crmf_config *cfg = NULL;
	const char *root = crmf_repository_root(r);
	crmf_file *files = NULL;
	size_t n = 0;
	int rc = 0;

	if (crmf_repository_config(&cfg, r) != 0 || crmf_store_list(&files, &n, root) != 0) {
		*why = xstrdup(crmf_error_last());
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *fs, *buf = NULL, *plain = NULL;
		size_t len = 0, plen = 0, k = 0;
		crmf_doc *doc = NULL, *pdoc = NULL;
		crmf_diags d;

		if (files[i].kind != CRMF_FILE_REGULAR)
			continue;
		crmf_diags_init(&d);
		fs = xasprintf("%s/%s", root, files[i].relpath);
		if (crmf_doc_load(&doc, files[i].relpath, fs, &d) != 0 || !doc->root) {
			/* a file crmf cannot read stays as it is: check reports it */
			goto next;
		}
		if (again) {
			if (crmf_crypt_transform(&plain, &plen, c, cfg, doc, CRMF_CRYPT_OPEN, NULL,
						 NULL, &d) != 0) {
				*why = xasprintf("%s: %s", files[i].relpath,
						 d.n ? d.v[0].message : crmf_tr("cannot decrypt"));
				rc = -1;
				goto next;
			}
			if (plain &&
			    crmf_doc_parse_owned(&pdoc, files[i].relpath, plain, plen, &d) != 0) {
				*why = xasprintf(crmf_tr("%s: cannot read it decrypted"),
						 files[i].relpath);
				rc = -1;
				goto next;
			}
		}
		if (crmf_crypt_transform(&buf, &len, c, cfg, pdoc ? pdoc : doc, CRMF_CRYPT_SEAL,
					 NULL, &k, &d) != 0) {
			*why = xasprintf("%s: %s", files[i].relpath,
					 d.n ? d.v[0].message : crmf_tr("cannot encrypt"));
			rc = -1;
			goto next;
		}
		if (buf) {
			batch_add(b, files[i].relpath, buf, len);
			out->files++;
			out->values += k;
		}
	next:
		crmf_doc_free(doc);
		crmf_doc_free(pdoc);
		crmf_diags_release(&d);
		free(fs);
	}
	crmf_store_list_free(files, n);
	return rc;
}

static void keys_file(struct batch *b, const crmf_crypt *c)
{
	size_t len = 0;
	char *text = crmf_crypt_keys_text(c, &len);

	batch_add(b, CRMF_CRYPT_KEYS_FILE, text, len);
}

int crmf_keys_add(crmf_keys_result *out, crmf_repository *r, crmf_crypt *c, const char *author,
		  const char *member, const char *pub, char **why)
{
	struct batch b = {0};
	char *cfgbuf = NULL, *subject = NULL;
	size_t cfglen = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!crmf_crypt_pubkey_valid(pub)) {
		*why = xasprintf(
		    crmf_tr("'%s' is no public key; give what 'crmf keys init' printed"), pub);
		return -1;
	}
	if (start(r, author, why) != 0 || edit_config(&cfgbuf, &cfglen, r, member, pub, why) != 0 ||
	    crmf_crypt_add(c, member, pub, why) != 0)
		goto done;
	batch_add(&b, "crmf.yaml", cfgbuf, cfglen);
	cfgbuf = NULL;
	keys_file(&b, c);
	subject = xasprintf("crmf: keys add %s (epoch %u)", member, crmf_crypt_epoch(c));
	if (batch_commit(out, r, &b, author, subject, why) != 0)
		goto done;
	out->epoch = crmf_crypt_epoch(c);
	rc = 0;
done:
	free(cfgbuf);
	free(subject);
	batch_release(&b);
	crmf_repository_unlock(r);
	return rc;
}

int crmf_keys_remove(crmf_keys_result *out, crmf_repository *r, crmf_crypt *c, const char *author,
		     const char *member, bool reencrypt, char **why)
{
	struct batch b = {0};
	char *cfgbuf = NULL, *subject = NULL;
	size_t cfglen = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (start(r, author, why) != 0 ||
	    edit_config(&cfgbuf, &cfglen, r, member, NULL, why) != 0 ||
	    crmf_crypt_remove(c, member, why) != 0)
		goto done;
	batch_add(&b, "crmf.yaml", cfgbuf, cfglen);
	cfgbuf = NULL;
	keys_file(&b, c);
	if (reencrypt &&
	    (every_file(out, r, c, true, &b, why) != 0 || uncommitted(r, &b, why) != 0))
		goto done;
	subject = reencrypt ? xasprintf("crmf: keys remove %s (epoch %u, %zu files encrypted again)",
					member, crmf_crypt_epoch(c), out->files)
			    : xasprintf("crmf: keys remove %s (epoch %u)", member,
					crmf_crypt_epoch(c));
	if (batch_commit(out, r, &b, author, subject, why) != 0)
		goto done;
	out->epoch = crmf_crypt_epoch(c);
	rc = 0;
done:
	free(cfgbuf);
	free(subject);
	batch_release(&b);
	crmf_repository_unlock(r);
	return rc;
}

int crmf_keys_seal_all(crmf_keys_result *out, crmf_repository *r, const crmf_crypt *c,
		       const char *author, char **why)
{
	struct batch b = {0};
	char *subject = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!crmf_crypt_can_read(c)) {
		*why = xstrdup(
		    crmf_tr("you hold no key of the current epoch: only a recipient can encrypt "
			    "(crmf keys init, then a recipient runs crmf keys add)"));
		return -1;
	}
	if (start(r, author, why) != 0 || every_file(out, r, c, false, &b, why) != 0 ||
	    uncommitted(r, &b, why) != 0)
		goto done;
	out->epoch = crmf_crypt_epoch(c);
	if (!b.n) {
		rc = 0;
		goto done;
	}
	subject = xasprintf("crmf: encrypt %zu confidential value%s in %zu file%s", out->values,
			    out->values == 1 ? "" : "s", out->files, out->files == 1 ? "" : "s");
	if (batch_commit(out, r, &b, author, subject, why) != 0)
		goto done;
	rc = 0;
done:
	free(subject);
	batch_release(&b);
	crmf_repository_unlock(r);
	return rc;
}

int crmf_keys_verify(crmf_repository *r, const crmf_crypt *c, crmf_diags *diags)
{
	const crmf_config *cfg = NULL;
	const char *root = crmf_repository_root(r);
	crmf_file *files = NULL;
	size_t n = 0;

	if (!crmf_crypt_can_read(c))
		return 0;
	if (crmf_repository_config(&cfg, r) != 0 || crmf_store_list(&files, &n, root) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *fs, *out = NULL;
		size_t len;
		crmf_doc *doc = NULL;
		crmf_diags d;

		if (files[i].kind != CRMF_FILE_REGULAR)
			continue;
		crmf_diags_init(&d);
		fs = xasprintf("%s/%s", root, files[i].relpath);
		/* a file that does not parse: the check says why */
		if (crmf_doc_load(&doc, files[i].relpath, fs, &d) == 0 && doc->root)
			(void)crmf_crypt_transform(&out, &len, c, cfg, doc, CRMF_CRYPT_VERIFY, NULL,
						   NULL, diags);
		free(out);
		crmf_doc_free(doc);
		crmf_diags_release(&d);
		free(fs);
	}
	crmf_store_list_free(files, n);
	return 0;
}
