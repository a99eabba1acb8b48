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

/* Larger messages are read and dropped. */
#define MAX_MESSAGE ((size_t)64 << 20)

enum {
	PARSE_ERROR = -32700,
	INVALID_REQUEST = -32600,
	METHOD_NOT_FOUND = -32601,
	INVALID_PARAMS = -32602,
	SERVER_NOT_INITIALIZED = -32002,
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
	/* the input */
	char *in;
	size_t in_len, in_cap, in_pos;
	bool eof;
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

static void *xrealloc_or_die(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		abort();
	return q;
}

static char *xstrndup_or_die(const char *s, size_t n)
{
	char *p = xrealloc_or_die(NULL, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- UTF-8 ---- */

/* The length of the valid UTF-8 sequence at s (of n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

/* s with every invalid UTF-8 byte replaced by U+FFFD (malloc'ed, *out_len). */
static char *utf8_clean(const char *s, size_t n, size_t *out_len)
{
	char *o = xrealloc_or_die(NULL, n * 3 + 1);
	size_t j = 0;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_len((const unsigned char *)s + i, n - i);

		if (k) {
			memcpy(o + j, s + i, k);
			j += k;
			i += k;
		} else {
			memcpy(o + j, "\xef\xbf\xbd", 3);
			j += 3;
			i++;
		}
	}
	o[j] = '\0';
	*out_len = j;
	return o;
}

static bool utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len((const unsigned char *)s + i, n - i);

		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD. */
static json_t *jstr(const char *s)
{
	size_t n = strlen(s), m;
	char *c;
	json_t *j;

	if (utf8_valid(s, n))
		return json_stringn(s, n);
	c = utf8_clean(s, n, &m);
	j = json_stringn(c, m);
	free(c);
	return j;
}

/* ---- positions: crmf's (1-based lines, columns in characters) and LSP's
 * (0-based lines, characters in UTF-16 code units) ---- */

static size_t line_start(const char *t, size_t len, json_int_t line)
{
	size_t p = 0;

	for (json_int_t l = 0; l < line; l++) {
		const char *nl = memchr(t + p, '\n', len - p);

		if (!nl)
			return len;
		p = (size_t)(nl - t) + 1;
	}
	return p;
}

static size_t char_bytes(const char *t, size_t p, size_t len)
{
	size_t k = utf8_len((const unsigned char *)t + p, len - p);

	return k ? k : 1;
}

/* The byte offset of an LSP position, clamped to its line. */
static size_t offset_of(const char *t, size_t len, json_int_t line, json_int_t ch)
{
	size_t p;
	json_int_t u = 0;

	if (line < 0)
		return 0;
	p = line_start(t, len, line);
	while (p < len && t[p] != '\n' && u < ch) {
		size_t k = char_bytes(t, p, len);

		if (t[p] == '\r' && p + 1 < len && t[p + 1] == '\n')
			break;
		u += k == 4 ? 2 : 1;
		p += k;
	}
	return p;
}

/* crmf's column (1-based characters) of the LSP position. */
static int column_of(const char *t, size_t len, json_int_t line, json_int_t ch)
{
	size_t s = line_start(t, len, line < 0 ? 0 : line), e = offset_of(t, len, line, ch);
	int col = 1;

	for (size_t p = s; p < e; p += char_bytes(t, p, len))
		col++;
	return col;
}

/* The LSP position {line, character} of crmf's line:column. */
static json_t *position_of(const char *t, size_t len, int line, int column)
{
	size_t p;
	json_int_t u = 0;

	if (line < 1)
		return json_pack("{s:i,s:i}", "line", 0, "character", 0);
	p = line_start(t, len, line - 1);
	for (int c = 1; c < column && p < len && t[p] != '\n'; c++) {
		size_t k = char_bytes(t, p, len);

		u += k == 4 ? 2 : 1;
		p += k;
	}
	return json_pack("{s:I,s:I}", "line", (json_int_t)(line - 1), "character", u);
}

/* ---- the wire ---- */

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

/* Fill the input buffer; false at the end of the input. */
static bool fill(struct server *s)
{
	ssize_t r;

	if (s->in_pos > 0 && s->in_pos == s->in_len)
		s->in_pos = s->in_len = 0;
	if (s->in_len == s->in_cap) {
		if (s->in_pos > 0) {
			memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
			s->in_len -= s->in_pos;
			s->in_pos = 0;
		} else {
			s->in_cap = s->in_cap ? s->in_cap * 2 : 65536;
			s->in = xrealloc_or_die(s->in, s->in_cap);
		}
	}
	do
		r = read(0, s->in + s->in_len, s->in_cap - s->in_len);
	while (r < 0 && errno == EINTR);
	if (r <= 0) {
		s->eof = true;
		return false;
	}
	s->in_len += (size_t)r;
	return true;
}

/* One header line (without its line end) into line; false at the end. */
static bool read_line(struct server *s, char *line, size_t size)
{
	size_t n = 0;

	for (;;) {
		while (s->in_pos < s->in_len) {
			char c = s->in[s->in_pos++];

			if (c == '\n') {
				if (n && line[n - 1] == '\r')
					n--;
				line[n] = '\0';
				return true;
			}
			if (n + 1 < size)
				line[n++] = c;
		}
		if (!fill(s))
			return false;
	}
}

/* The next message's body (malloc'ed) into *body; 1, 0 at the end of the
 * input, -1 for a message that could not be taken (answered by the caller). */
static int read_message(struct server *s, char **body, size_t *len)
{
	char line[1024];
	long long length = -1;
	bool any = false;

	for (;;) {
		if (!read_line(s, line, sizeof(line)))
			return 0;
		if (!*line) {
			if (any)
				break;
			continue; /* blank lines between messages */
		}
		any = true;
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			char *end;

			errno = 0;
			length = strtoll(line + 15, &end, 10);
			while (*end == ' ' || *end == '\t')
				end++;
			if (errno || *end || length < 0)
				length = -2;
		}
	}
	if (length < 0)
		return -1;
	size_t want = (size_t)length, got = 0;
	char *b = want <= MAX_MESSAGE ? xrealloc_or_die(NULL, want + 1) : NULL;

	while (got < want) {
		size_t k;

		if (s->in_pos == s->in_len && !fill(s)) {
			free(b);
			return 0;
		}
		k = s->in_len - s->in_pos;
		if (k > want - got)
			k = want - got;
		if (b)
			memcpy(b + got, s->in + s->in_pos, k);
		s->in_pos += k;
		got += k;
	}
	if (!b) {
		lsp_log("a message of %zu bytes was dropped", want);
		return -1;
	}
	b[want] = '\0';
	*body = b;
	*len = want;
	return 1;
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
	out = o = xrealloc_or_die(NULL, strlen(p) + 1);
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
		return xstrndup_or_die(file + n + 1, strlen(file + n + 1));
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
		r = xstrndup_or_die(slash + 1, strlen(slash + 1));
	else if (strncmp(real_dir, real_root, n) == 0 && real_dir[n] == '/') {
		size_t a = strlen(real_dir + n + 1), b = strlen(slash + 1);

		r = xrealloc_or_die(NULL, a + b + 2);
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
	cfg = xrealloc_or_die(NULL, strlen(root) + 11);
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

static const char *jget_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *jget_obj(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : NULL;
}

static bool jget_pos(json_t *o, json_int_t *line, json_int_t *ch)
{
	json_t *l = json_object_get(o, "line"), *c = json_object_get(o, "character");

	if (!json_is_integer(l) || !json_is_integer(c))
		return false;
	*line = json_integer_value(l);
	*ch = json_integer_value(c);
	return *line >= 0 && *ch >= 0;
}

static json_t *initialize(struct server *s, json_t *params)
{
	const char *root_uri = jget_str(params, "rootUri"),
		   *root_path = jget_str(params, "rootPath");
	json_t *folders = json_object_get(params, "workspaceFolders");
	char *dir = NULL;
	char cwd[PATH_MAX];

	if (json_is_array(folders) && json_array_size(folders) > 0) {
		const char *u = jget_str(json_array_get(folders, 0), "uri");

		dir = u ? uri_path(u) : NULL;
	}
	if (!dir && root_uri)
		dir = uri_path(root_uri);
	if (!dir && root_path)
		dir = xstrndup_or_die(root_path, strlen(root_path));
	if (!dir && getcwd(cwd, sizeof(cwd)))
		dir = xstrndup_or_die(cwd, strlen(cwd));
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
	json_t *td = jget_obj(params, "textDocument");
	const char *uri = jget_str(td, "uri");
	json_t *text = json_object_get(td, "text");
	struct doc *d;

	if (!uri || !json_is_string(text))
		return;
	if (!(d = find_doc(s, uri))) {
		s->docs = xrealloc_or_die(s->docs, (s->n_docs + 1) * sizeof(*s->docs));
		d = &s->docs[s->n_docs++];
		memset(d, 0, sizeof(*d));
		d->uri = xstrndup_or_die(uri, strlen(uri));
	}
	free(d->text);
	d->len = json_string_length(text);
	d->text = xstrndup_or_die(json_string_value(text), d->len);
	d->version = json_integer_value(json_object_get(td, "version"));
	locate(s, d);
	publish_changed(s, d);
}

/* Replace bytes [a, b) of the document with `t` (`n` bytes). */
static void splice(struct doc *d, size_t a, size_t b, const char *t, size_t n)
{
	size_t len = d->len - (b - a) + n;
	char *x = xrealloc_or_die(NULL, len + 1);

	memcpy(x, d->text, a);
	memcpy(x + a, t, n);
	memcpy(x + a + n, d->text + b, d->len - b);
	x[len] = '\0';
	free(d->text);
	d->text = x;
	d->len = len;
}

static void did_change(struct server *s, json_t *params)
{
	json_t *td = jget_obj(params, "textDocument"),
	       *changes = json_object_get(params, "contentChanges");
	const char *uri = jget_str(td, "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;
	size_t i;
	json_t *c;

	if (!d || !json_is_array(changes))
		return;
	json_array_foreach(changes, i, c)
	{
		json_t *text = json_object_get(c, "text"), *range = jget_obj(c, "range");
		json_int_t l0, c0, l1, c1;
		size_t a, b;

		if (!json_is_string(text))
			continue;
		if (!range) {
			splice(d, 0, d->len, json_string_value(text), json_string_length(text));
			continue;
		}
		if (!jget_pos(jget_obj(range, "start"), &l0, &c0) ||
		    !jget_pos(jget_obj(range, "end"), &l1, &c1))
			continue;
		a = offset_of(d->text, d->len, l0, c0);
		b = offset_of(d->text, d->len, l1, c1);
		if (b < a)
			b = a;
		splice(d, a, b, json_string_value(text), json_string_length(text));
	}
	if (json_is_integer(json_object_get(td, "version")))
		d->version = json_integer_value(json_object_get(td, "version"));
	publish_changed(s, d);
}

static void did_close(struct server *s, json_t *params)
{
	const char *uri = jget_str(jget_obj(params, "textDocument"), "uri");
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
	const char *uri = jget_str(jget_obj(params, "textDocument"), "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;
	char *root;

	if (!d || !s->ws || !d->rel || crmf_workspace_kind(d->rel) != CRMF_WS_CONFIG)
		return;
	/* every check may depend on crmf.yaml: load the repository again */
	root = xstrndup_or_die(crmf_workspace_root(s->ws), strlen(crmf_workspace_root(s->ws)));
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
	const char *uri = jget_str(jget_obj(params, "textDocument"), "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;
	json_int_t l, c;

	if (!d || !jget_pos(jget_obj(params, "position"), &l, &c) || l >= INT_MAX)
		return NULL;
	*line = (int)l + 1;
	*column = column_of(d->text, d->len, l, c);
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

			text = xrealloc_or_die(NULL, n + 3);
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
	const char *p = strstr(msg, "did you mean '"), *q;

	if (!p)
		return NULL;
	p += 14;
	q = strrchr(p, '\'');
	if (!q || q == p)
		return NULL;
	return xstrndup_or_die(p, (size_t)(q - p));
}

static json_t *code_action(struct server *s, json_t *params)
{
	const char *uri = jget_str(jget_obj(params, "textDocument"), "uri");
	struct doc *d = uri ? find_doc(s, uri) : NULL;
	json_t *diags = json_object_get(jget_obj(params, "context"), "diagnostics");
	json_t *actions = json_array(), *g;
	size_t i;

	if (!d || !json_is_array(diags))
		return actions;
	json_array_foreach(diags, i, g)
	{
		const char *msg = jget_str(g, "message");
		json_t *range = jget_obj(g, "range");
		json_int_t l0, c0, l1, c1;
		char *x, *text;
		size_t a, b, n;

		if (!msg || !range || !jget_pos(jget_obj(range, "start"), &l0, &c0) ||
		    !jget_pos(jget_obj(range, "end"), &l1, &c1) || !(x = suggestion(msg)))
			continue;
		/* a quoted value keeps its quotes */
		a = offset_of(d->text, d->len, l0, c0);
		b = offset_of(d->text, d->len, l1, c1);
		n = strlen(x);
		text = xrealloc_or_die(NULL, n + 3);
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
						json_sprintf("Replace with '%s'", x), "kind",
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
	const char *method = jget_str(msg, "method");
	bool request = id != NULL;

	if (request && !json_is_string(id) && !json_is_integer(id)) {
		respond_error(NULL, INVALID_REQUEST, "invalid request id");
		return true;
	}
	if (!method) {
		if (request && !json_object_get(msg, "result") && !json_object_get(msg, "error"))
			respond_error(id, INVALID_REQUEST, "a request needs a method");
		return true; /* a response to us: we send no requests */
	}
	if (strcmp(method, "exit") == 0) {
		*status = s->shutdown ? 0 : 1;
		return false;
	}
	if (!s->initialized && strcmp(method, "initialize") != 0) {
		if (request)
			respond_error(id, SERVER_NOT_INITIALIZED, "the server is not initialized");
		return true;
	}
	if (s->shutdown) {
		if (request)
			respond_error(id, INVALID_REQUEST, "the server is shut down");
		return true;
	}
	if (params && !json_is_null(params) && !json_is_object(params) && !json_is_array(params)) {
		if (request)
			respond_error(id, INVALID_PARAMS, "params must be an object");
		return true;
	}
	if (!json_is_object(params))
		params = NULL;
	if (strcmp(method, "initialize") == 0) {
		if (!request)
			return true;
		if (s->initialized)
			respond_error(id, INVALID_REQUEST, "initialize was sent already");
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
		respond_error(id, METHOD_NOT_FOUND, "method not found");
	}
	return true;
}

static int serve(struct server *s)
{
	int status = 1;

	for (;;) {
		char *body = NULL, *clean = NULL;
		size_t len = 0, clen;
		json_error_t err;
		json_t *msg;
		int r = read_message(s, &body, &len);

		if (r == 0)
			break;
		if (r < 0) {
			respond_error(NULL, PARSE_ERROR,
				      "a message without a valid Content-Length");
			continue;
		}
		/* JSON is UTF-8: invalid bytes become U+FFFD rather than losing the message */
		if (!utf8_valid(body, len)) {
			clean = utf8_clean(body, len, &clen);
			free(body);
			body = clean;
			len = clen;
		}
		msg = json_loadb(body, len, JSON_ALLOW_NUL, &err);
		free(body);
		if (!msg) {
			respond_error(NULL, PARSE_ERROR, "invalid JSON");
			continue;
		}
		if (!json_is_object(msg)) {
			respond_error(NULL, INVALID_REQUEST, "a message is a JSON object");
			json_decref(msg);
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
	free(s.in);
	crmf_workspace_free(s.ws);
	return rc;
}
