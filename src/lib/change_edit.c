/* SPDX-License-Identifier: MIT */
/* A change of `crmf edit`: the file replaced by the user's edited bytes, as they saw it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crmf/store.h"
#include "change_private.h"
#include "util.h"

int crmf_change_edit_begin(crmf_change_tx *tx, char **buf, size_t *len)
{
	char *fspath = change_fspath(tx, tx->rel);
	int rc = crmf_doc_read(&tx->read, &tx->read_len, fspath);

	*buf = NULL;
	*len = 0;
	free(fspath);
	if (rc != 0) {
		change_error(tx, "cannot read %s: %s", tx->rel, strerror(errno));
		return CRMF_CHANGE_REFUSED;
	}
	/* the file's earlier problems, so that only new warnings are shown */
	crmf_doc_parse(&tx->edited_from, tx->rel, tx->read, tx->read_len, &tx->before);
	if (tx->edited_from && tx->edited_from->root) {
		crmf_customer *oc = NULL;
		crmf_doc *copy = NULL;
		crmf_diags scratch;

		/* the customer takes its document: check a second parse, keep the first */
		crmf_diags_init(&scratch);
		crmf_doc_parse(&copy, tx->rel, tx->read, tx->read_len, &scratch);
		crmf_diags_release(&scratch);
		crmf_check_customer(&oc, copy, tx->rel, tx->cfg, tx->today, &tx->before);
		crmf_customer_free(oc);
	}
	/* the editor shows the file as the user has it: say that it is more than HEAD's */
	if (crmf_repository_read_versions(&tx->ver, tx->repo, tx->rel) == 0 &&
	    tx->ver.state != CRMF_FILE_CLEAN)
		change_note(tx,
			    "note: %s has uncommitted changes; the editor shows them and they are "
			    "committed with your edit ('git diff HEAD -- %s' shows them)",
			    tx->rel, tx->rel);
	/* confidential values decrypted for the editor, with a key that opens them */
	if (tx->edited_from && tx->edited_from->root && change_crypt(tx) &&
	    crmf_crypt_can_read(tx->crypt)) {
		crmf_diags d;

		crmf_diags_init(&d);
		if (crmf_crypt_transform(buf, len, tx->crypt, tx->cfg, tx->edited_from,
					 CRMF_CRYPT_OPEN, NULL, NULL, &d) != 0) {
			change_diags(tx, &d, false);
			change_note(tx, "note: some values do not decrypt: they stay encrypted in "
					"the editor");
			free(*buf);
			*buf = NULL;
		}
		crmf_diags_release(&d);
		tx->opened = *buf != NULL;
		if (*buf)
			return 0;
	}
	*buf = xmalloc(tx->read_len + 1);
	memcpy(*buf, tx->read, tx->read_len + 1);
	*len = tx->read_len;
	return 0;
}

bool crmf_change_decrypted(const crmf_change_tx *tx)
{
	return tx->opened;
}

int crmf_change_replace(crmf_change_tx *tx, const char *buf, size_t len, const char *copy)
{
	char *fspath = change_fspath(tx, tx->rel), *now = NULL, *fields = NULL, *body = NULL;
	char *subject = NULL, *sealed = NULL;
	size_t sealed_len = 0;
	char *kept = copy ? xasprintf(crmf_tr(", your edit is kept in %s"), copy) : xstrdup("");
	crmf_doc *hd = NULL, *nd = NULL;
	crmf_lines lines = {0}, keys = {0}, user = {0};
	crmf_diags scratch;
	size_t now_len = 0;
	int rc = CRMF_CHANGE_REFUSED;

	crmf_diags_init(&scratch);
	if (crmf_change_lock(tx) != 0) {
		if (copy)
			change_error(tx, "nothing changed; your edit is kept in %s", copy);
		else
			change_error(tx, "nothing changed");
		goto done;
	}
	if (crmf_doc_read(&now, &now_len, fspath) != 0 || now_len != tx->read_len ||
	    memcmp(now, tx->read, now_len) != 0) {
		change_error(tx, "%s changed while you were editing it; nothing written%s", tx->rel,
			     kept);
		goto done;
	}
	/* confidential values encrypted; those unchanged keep their token */
	if (change_seal(tx, &sealed, &sealed_len, tx->rel, buf, len, tx->edited_from) != 0) {
		change_error(tx, "nothing changed%s", kept);
		goto done;
	}
	if (sealed) {
		buf = sealed;
		len = sealed_len;
	}
	/* the message names everything the commit holds: from HEAD's version */
	if (tx->ver.head)
		crmf_doc_parse(&hd, tx->rel, tx->ver.head, tx->ver.head_len, &scratch);
	crmf_doc_parse(&nd, tx->rel, buf, len, &scratch);
	crmf_change_describe(&lines, &keys, hd && hd->root ? hd : tx->edited_from, nd);
	fields = keys.n ? crmf_lines_join(&keys, ", ") : xstrdup("comments and layout");
	subject = xasprintf("crmf: edit %s: %s", tx->id, fields);
	body = lines.n ? crmf_lines_join(&lines, "\n") : NULL;
	change_describe_said(&user, &lines, hd && hd->root ? hd : tx->edited_from, nd);
	for (size_t i = 0; i < user.n; i++)
		change_said(tx, "%s: %s", tx->id, user.v[i]);
	if (crmf_store_check_path(crmf_repository_root(tx->repo), tx->rel) != 0 ||
	    crmf_write_atomic(fspath, buf, len) != 0) {
		change_error(tx, "cannot write %s: %s; nothing changed%s", tx->rel,
			     crmf_error_last(), kept);
		goto done;
	}
	tx->written = true;
	if (copy)
		unlink(copy);
	rc = change_commit_paths(
	    tx, &(crmf_commit_path){tx->rel, false}, NULL, 1,
	    &(crmf_commit_opts){
		.subject = subject, .body = body, .action = "edit", .customer = tx->id});
done:
	crmf_lines_release(&lines);
	crmf_lines_release(&user);
	crmf_lines_release(&keys);
	crmf_diags_release(&scratch);
	crmf_doc_free(hd);
	crmf_doc_free(nd);
	free(fields);
	free(subject);
	free(body);
	free(now);
	free(kept);
	free(sealed);
	free(fspath);
	return rc;
}
