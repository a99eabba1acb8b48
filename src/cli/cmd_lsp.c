/* SPDX-License-Identifier: MIT */
/* crmf lsp: a Language Server over stdio: crmf check's diagnostics while typing, completion, hover
 * and quick fixes. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/store.h"
#include "crmf/workspace.h"
#include "lsp_wire.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'t', 0, "today", "DATE", "the date of the checks and of hover's due dates (YYYY-MM-DD)"},
    {0},
};

const struct crmf_cmd cmd_lsp = {
    .name = "lsp",
    .run = run,
    .summary = "a Language Server for editors (LSP over stdin and stdout)",
    .synopsis = "[--today DATE]",
    .description = "Speaks the Language Server Protocol (3.17) on standard input and output,\n"
		   "for an editor to start: VS Code, Neovim, Emacs (eglot) and others. The\n"
		   "crmf repository is the one holding the editor's workspace folder when it\n"
		   "has a crmf.yaml, else the one holding the first file opened. It is scanned\n"
		   "once, through the validation cache, and only the keys the checks across\n"
		   "files need are kept.\n"
		   "\n"
		   "While a customer file (under customers/ or archive/) or crmf.yaml is\n"
		   "edited, the server publishes the diagnostics 'crmf check FILE' would give\n"
		   "for the editor's content, the checks against the rest of the repository\n"
		   "included (a duplicate id, a phone, email or company name of another\n"
		   "customer). It completes keys, values with crmf.yaml's labels and team\n"
		   "members; shows on hover a field's names, or the customer's classification\n"
		   "and next due date; and offers a quick fix for each \"did you mean\".\n"
		   "Saving crmf.yaml loads the repository again.\n"
		   "\n"
		   "Messages go to standard output only; logs to standard error.",
    .opts = options,
    .notes = "exit status: 0 after shutdown and exit, 1 on exit without shutdown or when\n"
	     "the input ends first, 2 usage error\n",
    .machine = true,
};

/* An open document. */
struct doc {
	char *uri;
	char *rel; /* repository-relative path, NULL outside the repository */
	char *text;
	size_t len;
	json_int_t version;
};

struct server {
	crmf_workspace *ws;
	crmf_day today;
	bool initialized, shutdown;
	struct doc *docs;
	size_t n_docs;
	lsp_reader in;
};

static void lsp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void lsp_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("crmf lsp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD. */
static json_t *jstr(const char *s)
{
	size_t n = strlen(s), m;
	char *c;
	json_t *j;

	if (lsp_utf8_valid(s, n))
		return json_stringn(s, n);
	c = lsp_utf8_clean(s, n, &m);
	j = json_stringn(c, m);
	free(c);
	return j;
}

/* The LSP position {line, character} of crmf's line:column. */
static json_t *position_of(const char *t, size_t len, int line, int column)
{
	json_int_t l, c;

	lsp_position_of(&l, &c, t, len, line, column);
	return json_pack("{s:I,s:I}", "line", l, "character", c);
}

/* ---- the wire ---- */

static ssize_t read_stdin(void *ctx, char *buf, size_t n)
{
	(void)ctx;
	return read(0, buf, n);
}

static void send_json(json_t *msg)
{
	char *body = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
	char head[64];
	size_t n;
	int h;

	json_decref(msg);
	if (!body) {
		lsp_log("could not encode a message");
		return;
	}
	n = strlen(body);
	h = snprintf(head, sizeof(head), "Content-Length: %zu\r\n\r\n", n);
	if (fwrite(head, 1, (size_t)h, stdout) != (size_t)h || fwrite(body, 1, n, stdout) != n ||
	    fflush(stdout) != 0) {
		lsp_log("cannot write to the client: %s", strerror(errno));
		free(body);
		exit(1);
	}
	free(body);
}

static void respond(json_t *id, json_t *result)
{
	send_json(json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(),
			    "result", result ? result : json_null()));
}

static void respond_error(json_t *id, int code, const char *message)
{
	send_json(json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
			    "error", "code", code, "message", message));
}

/* ---- documents ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* The file system path of a file: URI, malloc'ed; NULL for other URIs. */
static char *uri_path(const char *uri)
{
	const char *p;
	char *out, *o;

	if (strncmp(uri, "file://", 7) != 0)
		return NULL;
	p = uri + 7;
	if (*p != '/') { /* file://host/path: only the local host */
		if (strncmp(p, "localhost/", 10) != 0)
			return NULL;
		p += 9;
	}
	out = o = lsp_xrealloc(NULL, strlen(p) + 1);
	for (; *p && *p != '?' && *p != '#'; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	if (memchr(out, '\0', (size_t)(o - out)) || strlen(out) != (size_t)(o - out)) {
		free(out);
		return NULL;
	}
	return out;
}

/* The path of `file` relative to the root, or NULL when it is not below it.
 * Links in either are resolved as far as the path exists. */
static char *relative(const char *root, const char *file)
{
	char real_root[PATH_MAX], dir[PATH_MAX], *slash, *r = NULL;
	size_t n;

	if (!realpath(root, real_root))
		return NULL;
	n = strlen(real_root);
	if (strncmp(file, real_root, n) == 0 && file[n] == '/')
		return lsp_xstrndup(file + n + 1, strlen(file + n + 1));
	/* resolve the file's folder (the file itself may not exist yet) */
	if (strlen(file) >= sizeof(dir))
		return NULL;
	strcpy(dir, file);
	slash = strrchr(dir, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	char real_dir[PATH_MAX];
	if (!realpath(*dir ? dir : "/", real_dir))
		return NULL;
	if (strcmp(real_dir, real_root) == 0)
		r = lsp_xstrndup(slash + 1, strlen(slash + 1));
	else if (strncmp(real_dir, real_root, n) == 0 && real_dir[n] == '/') {
		size_t a = strlen(real_dir + n + 1), b = strlen(slash + 1);

		r = lsp_xrealloc(NULL, a + b + 2);
		memcpy(r, real_dir + n + 1, a);
		r[a] = '/';
		memcpy(r + a + 1, slash + 1, b + 1);
	}
	return r;
}

static struct doc *find_doc(struct server *s, const char *uri)
{
	for (size_t i = 0; i < s->n_docs; i++)
		if (strcmp(s->docs[i].uri, uri) == 0)
			return &s->docs[i];
	return NULL;
}

/* Open the workspace of the repository holding `dir`, if none is open;
 * with `need_config`, only a repository with a crmf.yaml (a workspace folder
 * above it, as a checkout holding one in a subfolder, waits for the first
 * file opened). */
static void open_workspace(struct server *s, const char *dir, bool need_config)
{
	char *root = NULL, *cfg;
	struct timespec t0, t1;

	if (s->ws || !dir)
		return;
	if (crmf_repo_discover(&root, dir) != 0) {
		lsp_log("no crmf repository at %s: %s", dir, crmf_error_last());
		return;
	}
	cfg = lsp_xrealloc(NULL, strlen(root) + 11);
	strcpy(cfg, root);
	strcat(cfg, "/crmf.yaml");
	if (need_config && access(cfg, F_OK) != 0) {
		lsp_log("%s holds no crmf.yaml: the repository is found from the first file opened",
			root);
		free(cfg);
		free(root);
		return;
	}
	free(cfg);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (crmf_workspace_open(&s->ws, root, s->today) != 0)
		lsp_log("cannot load %s: %s", root, crmf_error_last());
	else {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		lsp_log("%s: %zu customers loaded in %.0f ms", root, crmf_workspace_size(s->ws),
			(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	free(root);
}

/* Find the repository relative path of a document (opening the workspace
 * from its folder when none is open yet). */
static void locate(struct server *s, struct doc *d)
{
	char *path = uri_path(d->uri);

	free(d->rel);
	d->rel = NULL;
	if (!path)
		return;
	if (!s->ws) {
		char *slash = strrchr(path, '/');

		if (slash) {
			*slash = '\0';
			open_workspace(s, *path ? path : "/", false);
			*slash = '/';
		}
	}
	if (s->ws)
		d->rel = relative(crmf_workspace_root(s->ws), path);
	free(path);
}

static void publish(struct server *s, struct doc *d)
{
	crmf_diags diags;
	crmf_span_end *ends = NULL;
	json_t *list = json_array(), *params;

	crmf_diags_init(&diags);
	if (s->ws && d->rel)
		crmf_workspace_check(s->ws, d->rel, d->text, d->len, s->today, &diags, &ends);
	for (size_t i = 0; i < diags.n; i++) {
		const crmf_diag *g = &diags.v[i];
		json_t *start = position_of(d->text, d->len, g->line, g->column);
		json_t *end = g->line > 0
				  ? position_of(d->text, d->len, ends[i].line, ends[i].column)
				  : json_deep_copy(start);

		json_array_append_new(
		    list, json_pack("{s:{s:o,s:o},s:i,s:s,s:s,s:o}", "range", "start", start, "end",
				    end, "severity", g->severity == CRMF_SEV_ERROR ? 1 : 2, "code",
				    g->rule ? g->rule : "", "source", "crmf", "message",
				    jstr(g->message ? g->message : "")));
	}
	params = json_pack("{s:s,s:o}", "uri", d->uri, "diagnostics", list);
	json_object_set_new(params, "version", json_integer(d->version));
	send_json(json_pack("{s:s,s:s,s:o}", "jsonrpc", "2.0", "method",
			    "textDocument/publishDiagnostics", "params", params));
	free(ends);
	crmf_diags_release(&diags);
}

static void publish_all(struct server *s)
{
	for (size_t i = 0; i < s->n_docs; i++)
		publish(s, &s->docs[i]);
}

/* Publish d's diagnostics; when its keys changed, those of the other open
 * customer files too (a duplicate may have come or gone). */
static void publish_changed(struct server *s, struct doc *d)
{
	unsigned long gen = s->ws ? crmf_workspace_generation(s->ws) : 0;

	publish(s, d);
	if (!s->ws || crmf_workspace_generation(s->ws) == gen)
		return;
	for (size_t i = 0; i < s->n_docs; i++)
		if (&s->docs[i] != d && s->docs[i].rel &&
		    crmf_workspace_kind(s->docs[i].rel) == CRMF_WS_CUSTOMER)
			publish(s, &s->docs[i]);
}

/* ---- requests and notifications ---- */

static json_t *initialize(struct server *s, json_t *params)
{
	const char *root_uri = lsp_jget_str(params, "rootUri"),
		   *root_path = lsp_jget_str(params, "rootPath");
	json_t *folders = json_object_get(params, "workspaceFolders");
	char *dir = NULL;
	char cwd[PATH_MAX];

	if (json_is_array(folders) && json_array_size(folders) > 0) {
		const char *u = lsp_jget_str(json_array_get(folders, 0), "uri");

		dir = u ? uri_path(u) : NULL;
	}
	if (!dir && root_uri)
		dir = uri_path(root_uri);
	if (!dir && root_path)
		dir = lsp_xstrndup(root_path, strlen(root_path));
	if (!dir && getcwd(cwd, sizeof(cwd)))
		dir = lsp_xstrndup(cwd, strlen(cwd));
	/* the diagnostics in the client's language ("zh-CN"), else the environment's;
	 * before the workspace's scan, whose messages (and cache) are in it */
	cli_i18n_tag(lsp_jget_str(params, "locale"));
	open_workspace(s, dir, true);
	free(dir);
	s->initialized = true;
	return json_pack("{s:{s:s,s:{s:b,s:i,s:{s:b}},s:{s:[s,s,s]},s:b,s:{s:[s]}},s:{s:s,s:s}}",
			 "capabilities", "positionEncoding", "utf-16", "textDocumentSync",
			 "openClose", 1, "change", 2, "save", "includeText", 0,
			 "completionProvider", "triggerCharacters", ":", " ", "-", "hoverProvider",
			 1, "codeActionProvider", "codeActionKinds", "quickfix", "serverInfo",
			 "name", "crmf", "version", CRMF_VERSION);
}

static void did_open(struct server *s, json_t *params)
{
	json_t *td = lsp_jget_obj(params, "textDocument");
	const char *uri = lsp_jget_str(td, "uri");
	json_t *text = json_object_get(td, "text");
	struct doc *d;

	if (!uri || !json_is_string(text))
		return;
	if (!(d = find_doc(s, uri))) {
		s->docs = lsp_xrealloc(s->docs, (s->n_docs + 1) * sizeof(*s->docs));
		d = &s->docs[s->n_docs++];
		memset(d, 0, sizeof(*d));
		d->uri = lsp_xstrndup(uri, strlen(uri));
	}
	free(d->text);
	d->len = json_string_length(text);
	d->text = lsp_xstrndup(json_string_value(text), d->len);
	d->version = json_integer_value(json_object_get(td, "version"));
	locate(s, d);
	publish_changed(s, d);
}

static void did_change(struct server *s, json_t *params)
{
	json_t *td = lsp_jget_obj(params, "textDocument"),
	       *changes = json_object_get(params, "contentChanges");
	const char *uri = lsp_jget_str(td, "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;

	if (!d || !json_is_array(changes))
		return;
	lsp_apply_changes(&d->text, &d->len, changes);
	if (json_is_integer(json_object_get(td, "version")))
		d->version = json_integer_value(json_object_get(td, "version"));
	publish_changed(s, d);
}

static void did_close(struct server *s, json_t *params)
{
	const char *uri = lsp_jget_str(lsp_jget_obj(params, "textDocument"), "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;

	if (!d)
		return;
	unsigned long gen = s->ws ? crmf_workspace_generation(s->ws) : 0;

	if (s->ws && d->rel)
		crmf_workspace_revert(s->ws, d->rel, s->today);
	send_json(json_pack("{s:s,s:s,s:{s:s,s:[]}}", "jsonrpc", "2.0", "method",
			    "textDocument/publishDiagnostics", "params", "uri", d->uri,
			    "diagnostics"));
	free(d->uri);
	free(d->rel);
	free(d->text);
	*d = s->docs[--s->n_docs];
	if (s->ws && crmf_workspace_generation(s->ws) != gen)
		for (size_t i = 0; i < s->n_docs; i++)
			if (s->docs[i].rel &&
			    crmf_workspace_kind(s->docs[i].rel) == CRMF_WS_CUSTOMER)
				publish(s, &s->docs[i]);
}

static void did_save(struct server *s, json_t *params)
{
	const char *uri = lsp_jget_str(lsp_jget_obj(params, "textDocument"), "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;
	char *root;

	if (!d || !s->ws || !d->rel || crmf_workspace_kind(d->rel) != CRMF_WS_CONFIG)
		return;
	/* every check may depend on crmf.yaml: load the repository again */
	root = lsp_xstrndup(crmf_workspace_root(s->ws), strlen(crmf_workspace_root(s->ws)));
	crmf_workspace_free(s->ws);
	s->ws = NULL;
	open_workspace(s, root, false);
	free(root);
	for (size_t i = 0; i < s->n_docs; i++)
		locate(s, &s->docs[i]);
	publish_all(s);
}

/* The document and crmf position of a TextDocumentPositionParams. */
static struct doc *doc_at(struct server *s, json_t *params, int *line, int *column)
{
	const char *uri = lsp_jget_str(lsp_jget_obj(params, "textDocument"), "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;
	json_int_t l, c;

	if (!d || !lsp_jget_pos(lsp_jget_obj(params, "position"), &l, &c) || l >= INT_MAX)
		return NULL;
	*line = (int)l + 1;
	*column = lsp_column_of(d->text, d->len, l, c);
	return d;
}

static json_t *completion(struct server *s, json_t *params)
{
	int line, column, from;
	struct doc *d = doc_at(s, params, &line, &column);
	crmf_ws_items items = {0};
	json_t *list = json_array(), *start, *end;

	if (!d || !s->ws || !d->rel || crmf_workspace_kind(d->rel) != CRMF_WS_CUSTOMER)
		return json_pack("{s:b,s:o}", "isIncomplete", 0, "items", list);
	crmf_workspace_complete(&items, &from, s->ws, d->text, d->len, line, column);
	for (size_t i = 0; i < items.n; i++) {
		const crmf_ws_item *it = &items.v[i];
		json_t *item;
		char *text = NULL;

		start = position_of(d->text, d->len, line, from);
		end = position_of(d->text, d->len, line, column);
		if (it->key) {
			size_t n = strlen(it->label);

			text = lsp_xrealloc(NULL, n + 3);
			memcpy(text, it->label, n);
			memcpy(text + n, ": ", 3);
		}
		item = json_pack("{s:o,s:i,s:{s:{s:o,s:o},s:o}}", "label", jstr(it->label), "kind",
				 it->key ? 10 : 20, "textEdit", "range", "start", start, "end", end,
				 "newText", jstr(text ? text : it->label));
		if (it->detail) {
			json_object_set_new(item, "detail", jstr(it->detail));
			json_object_set_new(item, "labelDetails",
					    json_pack("{s:o}", "description", jstr(it->detail)));
		}
		json_object_set_new(item, "sortText", json_sprintf("%04zu", i));
		json_array_append_new(list, item);
		free(text);
	}
	crmf_ws_items_release(&items);
	return json_pack("{s:b,s:o}", "isIncomplete", 0, "items", list);
}

static json_t *hover(struct server *s, json_t *params)
{
	int line, column;
	struct doc *d = doc_at(s, params, &line, &column);
	char *md;
	json_t *r;

	if (!d || !s->ws || !d->rel)
		return NULL;
	md = crmf_workspace_hover(s->ws, d->rel, d->text, d->len, line, column, s->today);
	if (!md)
		return NULL;
	r = json_pack("{s:{s:s,s:o}}", "contents", "kind", "markdown", "value", jstr(md));
	free(md);
	return r;
}

/* The X of "…; did you mean 'X'?", malloc'ed, or NULL. */
static char *suggestion(const char *msg)
{
	/* TRANSLATORS: as "did you mean" is worded in the messages' translations */
	const char *mark = N_("did you mean '"), *p = strstr(msg, mark), *q;

	if (!p)
		p = strstr(msg, mark = _(mark));
	if (!p)
		return NULL;
	p += strlen(mark);
	q = strrchr(p, '\'');
	if (!q || q == p)
		return NULL;
	return lsp_xstrndup(p, (size_t)(q - p));
}

static json_t *code_action(struct server *s, json_t *params)
{
	const char *uri = lsp_jget_str(lsp_jget_obj(params, "textDocument"), "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;
	json_t *diags = json_object_get(lsp_jget_obj(params, "context"), "diagnostics");
	json_t *actions = json_array(), *g;
	size_t i;

	if (!d || !json_is_array(diags))
		return actions;
	json_array_foreach(diags, i, g)
	{
		const char *msg = lsp_jget_str(g, "message");
		json_t *range = lsp_jget_obj(g, "range");
		json_int_t l0, c0, l1, c1;
		char *x, *text;
		size_t a, b, n;

		if (!msg || !range || !lsp_jget_pos(lsp_jget_obj(range, "start"), &l0, &c0) ||
		    !lsp_jget_pos(lsp_jget_obj(range, "end"), &l1, &c1) || !(x = suggestion(msg)))
			continue;
		/* a quoted value keeps its quotes */
		a = lsp_offset_of(d->text, d->len, l0, c0);
		b = lsp_offset_of(d->text, d->len, l1, c1);
		n = strlen(x);
		text = lsp_xrealloc(NULL, n + 3);
		if (b >= a + 2 && (d->text[a] == '"' || d->text[a] == '\'') &&
		    d->text[b - 1] == d->text[a] && !strchr(x, d->text[a]) && !strchr(x, '\\')) {
			text[0] = d->text[a];
			memcpy(text + 1, x, n);
			text[n + 1] = d->text[a];
			text[n + 2] = '\0';
		} else {
			memcpy(text, x, n + 1);
		}
		json_t *edit = json_pack("{s:O,s:o}", "range", range, "newText", jstr(text));
		json_t *changes = json_object();

		json_object_set_new(changes, uri, json_pack("[o]", edit));
		json_array_append_new(actions,
				      json_pack("{s:o,s:s,s:[O],s:b,s:{s:o}}", "title",
						json_sprintf(_("Replace with '%s'"), x), "kind",
						"quickfix", "diagnostics", g, "isPreferred", 1,
						"edit", "changes", changes));
		free(text);
		free(x);
	}
	return actions;
}

/* Handle one message; false after `exit`. */
static bool handle(struct server *s, json_t *msg, int *status)
{
	json_t *id = json_object_get(msg, "id"), *params = json_object_get(msg, "params");
	const char *method = lsp_jget_str(msg, "method");
	bool request = id != NULL;

	if (request && !json_is_string(id) && !json_is_integer(id)) {
		respond_error(NULL, LSP_INVALID_REQUEST, "invalid request id");
		return true;
	}
	if (!method) {
		if (request && !json_object_get(msg, "result") && !json_object_get(msg, "error"))
			respond_error(id, LSP_INVALID_REQUEST, "a request needs a method");
		return true; /* a response to us: we send no requests */
	}
	if (strcmp(method, "exit") == 0) {
		*status = s->shutdown ? 0 : 1;
		return false;
	}
	if (!s->initialized && strcmp(method, "initialize") != 0) {
		if (request)
			respond_error(id, LSP_SERVER_NOT_INITIALIZED, "the server is not initialized");
		return true;
	}
	if (s->shutdown) {
		if (request)
			respond_error(id, LSP_INVALID_REQUEST, "the server is shut down");
		return true;
	}
	if (params && !json_is_null(params) && !json_is_object(params) && !json_is_array(params)) {
		if (request)
			respond_error(id, LSP_INVALID_PARAMS, "params must be an object");
		return true;
	}
	if (!json_is_object(params))
		params = NULL;
	if (strcmp(method, "initialize") == 0) {
		if (!request)
			return true;
		if (s->initialized)
			respond_error(id, LSP_INVALID_REQUEST, "initialize was sent already");
		else
			respond(id, initialize(s, params));
	} else if (strcmp(method, "shutdown") == 0) {
		if (request) {
			s->shutdown = true;
			respond(id, NULL);
		}
	} else if (!request) {
		if (strcmp(method, "textDocument/didOpen") == 0)
			did_open(s, params);
		else if (strcmp(method, "textDocument/didChange") == 0)
			did_change(s, params);
		else if (strcmp(method, "textDocument/didClose") == 0)
			did_close(s, params);
		else if (strcmp(method, "textDocument/didSave") == 0)
			did_save(s, params);
		/* other notifications (initialized, $/cancelRequest…) need nothing */
	} else if (strcmp(method, "textDocument/completion") == 0) {
		respond(id, completion(s, params));
	} else if (strcmp(method, "textDocument/hover") == 0) {
		respond(id, hover(s, params));
	} else if (strcmp(method, "textDocument/codeAction") == 0) {
		respond(id, code_action(s, params));
	} else {
		respond_error(id, LSP_METHOD_NOT_FOUND, "method not found");
	}
	return true;
}

static int serve(struct server *s)
{
	int status = 1;

	for (;;) {
		char *body = NULL;
		size_t len = 0;
		json_t *msg;
		int r = lsp_read_message(&s->in, &body, &len);

		if (r == 0)
			break;
		if (r < 0) {
			if (r == -2)
				lsp_log("a message of %zu bytes was dropped", len);
			respond_error(NULL, LSP_PARSE_ERROR,
				      "a message without a valid Content-Length");
			continue;
		}
		switch (lsp_decode(&msg, body, len)) {
		case LSP_PARSE_ERROR:
			respond_error(NULL, LSP_PARSE_ERROR, "invalid JSON");
			continue;
		case LSP_INVALID_REQUEST:
			respond_error(NULL, LSP_INVALID_REQUEST, "a message is a JSON object");
			continue;
		}
		bool go_on = handle(s, msg, &status);

		json_decref(msg);
		if (!go_on)
			return status;
	}
	return 1;
}

static int run(int argc, char **argv)
{
	struct server s;
	const char *today_arg = NULL;
	cli_args args;
	int c, rc;

	memset(&s, 0, sizeof(s));
	s.in.read = read_stdin;
	cli_args_init(&args, &cmd_lsp, argc, argv);
	while ((c = cli_args_next(&args)) > 0)
		if (c == 't')
			today_arg = args.arg;
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(&cmd_lsp, "no operand expected");
	if (cli_today(&s.today, today_arg))
		return EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	rc = serve(&s);
	for (size_t i = 0; i < s.n_docs; i++) {
		free(s.docs[i].uri);
		free(s.docs[i].rel);
		free(s.docs[i].text);
	}
	free(s.docs);
	lsp_reader_release(&s.in);
	crmf_workspace_free(s.ws);
	return rc;
}
