/* SPDX-License-Identifier: MIT */
/* Fuzz harness: crmf lsp's input (framing, JSON, positions, edits) and the workspace calls it leads to. */
#include <limits.h>
#include <string.h>

#include "crmf/workspace.h"
#include "fuzz.h"
#include "fuzz_repo.h"
#include "lsp_wire.h"

/*
 * Input: what an editor writes to `crmf lsp`: messages framed by
 * Content-Length headers, served to the reader in pieces of changing size.
 * Each message is decoded; didOpen, didChange and didClose keep documents as
 * the server does (lsp_apply_changes), and check each against a workspace
 * opened once on a small repository (fuzz_repo.h; "file:///w/REL" is the
 * file REL of it); completion and hover positions go to
 * crmf_workspace_complete and crmf_workspace_hover. Every buffer is reverted
 * at the end, so inputs do not see each other. Oracles: a body is as long as
 * its header says; a decoded message is an object; a diagnostic's range is
 * inside its document, and crmf's positions survive the trip to LSP's and
 * back; completion starts at or before the cursor.
 */

static crmf_workspace *ws;
static crmf_day today;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	today = crmf_date_from_ymd(2025, 6, 16);
	FUZZ_ASSERT(crmf_workspace_open(&ws, fuzz_repo(), today) == 0, "workspace: %s",
		    crmf_error_last());
	return 0;
}

struct input {
	const uint8_t *data;
	size_t size, pos, turn;
};

/* The input in pieces of 1, 7, 64, 4096… bytes, so that headers and bodies straddle reads. */
static ssize_t serve(void *ctx, char *buf, size_t n)
{
	static const size_t pieces[] = {1, 7, 64, 4096, 3, 65536};
	struct input *in = ctx;
	size_t k = pieces[in->turn++ % (sizeof(pieces) / sizeof(pieces[0]))];

	if (k > n)
		k = n;
	if (k > in->size - in->pos)
		k = in->size - in->pos;
	memcpy(buf, in->data + in->pos, k);
	in->pos += k;
	return (ssize_t)k;
}

struct doc {
	char *uri, *rel, *text;
	size_t len;
};

static struct doc docs[8];
static size_t n_docs;

static struct doc *find(const char *uri)
{
	for (size_t i = 0; uri && i < n_docs; i++)
		if (strcmp(docs[i].uri, uri) == 0)
			return &docs[i];
	return NULL;
}

/* The characters of line `line` (1-based) of t, and whether it ends in "\r\n". */
static int line_chars(const char *t, size_t len, int line, bool *crlf)
{
	size_t p = 0;
	int n = 0;

	for (int l = 1; l < line; l++) {
		const char *nl = memchr(t + p, '\n', len - p);

		if (!nl)
			return -1;
		p = (size_t)(nl - t) + 1;
	}
	*crlf = false;
	while (p < len && t[p] != '\n') {
		size_t k = lsp_utf8_len((const unsigned char *)t + p, len - p);

		*crlf = t[p] == '\r' && p + 1 < len && t[p + 1] == '\n';
		p += k ? k : 1;
		n++;
	}
	return n;
}

/* crmf's line:column to LSP's and back, as a diagnostic's range is sent. */
static void round_trip(const struct doc *d, int line, int column)
{
	json_int_t l, c;
	bool crlf;
	int n, back;

	lsp_position_of(&l, &c, d->text, d->len, line, column);
	FUZZ_ASSERT(l >= 0 && c >= 0, "position %lld:%lld", (long long)l, (long long)c);
	if (line < 1)
		return;
	FUZZ_ASSERT(l == line - 1, "line %lld of %d", (long long)l, line);
	n = line_chars(d->text, d->len, line, &crlf);
	if (n < 0 || crlf || column < 1)
		return; /* past the end, or a column counting the \r an editor does not see */
	back = lsp_column_of(d->text, d->len, l, c);
	FUZZ_ASSERT(back == (column <= n + 1 ? column : n + 1), "%d:%d came back as column %d",
		    line, column, back);
}

static void check(struct doc *d)
{
	crmf_diags diags;
	crmf_span_end *ends = NULL;

	if (!d->rel)
		return;
	crmf_diags_init(&diags);
	crmf_workspace_check(ws, d->rel, d->text, d->len, today, &diags, &ends);
	for (size_t i = 0; i < diags.n; i++) {
		const crmf_diag *g = &diags.v[i];

		FUZZ_ASSERT(g->message && g->message[0], "a message");
		round_trip(d, g->line, g->column);
		if (g->line > 0) {
			FUZZ_ASSERT(ends, "ends");
			round_trip(d, ends[i].line, ends[i].column);
		}
	}
	free(ends);
	crmf_diags_release(&diags);
}

static void close_doc(struct doc *d)
{
	if (d->rel)
		crmf_workspace_revert(ws, d->rel, today);
	free(d->uri);
	free(d->rel);
	free(d->text);
	*d = docs[--n_docs];
}

static void did_open(json_t *params)
{
	json_t *td = lsp_jget_obj(params, "textDocument"), *text = json_object_get(td, "text");
	const char *uri = lsp_jget_str(td, "uri");
	struct doc *d;

	if (!uri || !json_is_string(text))
		return;
	if (!(d = find(uri))) {
		if (n_docs == sizeof(docs) / sizeof(docs[0]))
			return;
		d = &docs[n_docs++];
		memset(d, 0, sizeof(*d));
		d->uri = lsp_xstrndup(uri, strlen(uri));
		if (strncmp(uri, "file:///w/", 10) == 0)
			d->rel = lsp_xstrndup(uri + 10, strlen(uri + 10));
	}
	free(d->text);
	d->len = json_string_length(text);
	d->text = lsp_xstrndup(json_string_value(text), d->len);
	check(d);
}

static void did_change(json_t *params)
{
	json_t *changes = json_object_get(params, "contentChanges"), *last;
	struct doc *d = find(lsp_jget_str(lsp_jget_obj(params, "textDocument"), "uri"));

	if (!d || !json_is_array(changes))
		return;
	lsp_apply_changes(&d->text, &d->len, changes);
	FUZZ_ASSERT(d->text[d->len] == '\0', "a document ends in NUL");
	last = json_array_get(changes, json_array_size(changes) - 1);
	if (last && !json_object_get(last, "range") && json_is_string(json_object_get(last, "text")))
		FUZZ_ASSERT(d->len == json_string_length(json_object_get(last, "text")) &&
				memcmp(d->text, json_string_value(json_object_get(last, "text")),
				       d->len) == 0,
			    "a change without a range replaces the text");
	check(d);
}

/* completion and hover, as doc_at, completion and hover of cmd_lsp.c reach the workspace */
static void at_position(json_t *params, bool hover)
{
	struct doc *d = find(lsp_jget_str(lsp_jget_obj(params, "textDocument"), "uri"));
	json_int_t l, c;
	int line, column, from = 0;

	if (!d || !d->rel || !lsp_jget_pos(lsp_jget_obj(params, "position"), &l, &c) ||
	    l >= INT_MAX)
		return;
	line = (int)l + 1;
	column = lsp_column_of(d->text, d->len, l, c);
	FUZZ_ASSERT(column >= 1, "column %d", column);
	if (hover) {
		free(crmf_workspace_hover(ws, d->rel, d->text, d->len, line, column, today));
	} else if (crmf_workspace_kind(d->rel) == CRMF_WS_CUSTOMER) {
		crmf_ws_items items = {0};

		crmf_workspace_complete(&items, &from, ws, d->text, d->len, line, column);
		for (size_t i = 0; i < items.n; i++)
			FUZZ_ASSERT(items.v[i].label, "a label");
		FUZZ_ASSERT(items.n == 0 || (from >= 1 && from <= column), "from %d to %d", from,
			    column);
		crmf_ws_items_release(&items);
	}
}

static void handle(json_t *msg)
{
	const char *method = lsp_jget_str(msg, "method");
	json_t *params = lsp_jget_obj(msg, "params");

	if (!method)
		return;
	if (strcmp(method, "textDocument/didOpen") == 0)
		did_open(params);
	else if (strcmp(method, "textDocument/didChange") == 0)
		did_change(params);
	else if (strcmp(method, "textDocument/didClose") == 0) {
		struct doc *d = find(lsp_jget_str(lsp_jget_obj(params, "textDocument"), "uri"));

		if (d)
			close_doc(d);
	} else if (strcmp(method, "textDocument/completion") == 0)
		at_position(params, false);
	else if (strcmp(method, "textDocument/hover") == 0)
		at_position(params, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size, 0, 0};
	lsp_reader r = {.read = serve, .ctx = &in};
	char *body;
	size_t len;
	int rc;

	while ((rc = lsp_read_message(&r, &body, &len)) != 0) {
		json_t *msg;

		FUZZ_ASSERT(in.pos <= size, "read past the input");
		if (rc < 0)
			continue;
		FUZZ_ASSERT(len <= size && body[len] == '\0', "a body of %zu bytes", len);
		if (lsp_decode(&msg, body, len) != 0) {
			FUZZ_ASSERT(msg == NULL, "no message on error");
			continue;
		}
		FUZZ_ASSERT(json_is_object(msg), "a message is an object");
		handle(msg);
		json_decref(msg);
	}
	FUZZ_ASSERT(r.eof, "the input was read to its end");
	lsp_reader_release(&r);
	while (n_docs > 0)
		close_doc(&docs[n_docs - 1]);
	return 0;
}
