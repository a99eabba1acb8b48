/* What the commands that change customer files share: finding, validating, committing, editing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utf8proc.h>

#include "cli.h"

/* ---- small strings ---- */

static void *xrealloc_or_die(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

char *cli_path(const char *root, const char *rel)
{
	size_t a = strlen(root), b = strlen(rel);
	char *p = xrealloc_or_die(NULL, a + b + 2);

	memcpy(p, root, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

static bool has_yaml_ext(const char *s, size_t len, size_t *stem)
{
	if (len > 5 && strcmp(s + len - 5, ".yaml") == 0) {
		*stem = len - 5;
		return true;
	}
	if (len > 4 && strcmp(s + len - 4, ".yml") == 0) {
		*stem = len - 4;
		return true;
	}
	return false;
}

char *cli_path_id(const char *rel)
{
	const char *base = strrchr(rel, '/');
	size_t len, stem;
	char *id;

	base = base ? base + 1 : rel;
	len = strlen(base);
	if (!has_yaml_ext(base, len, &stem))
		stem = len;
	id = xrealloc_or_die(NULL, stem + 1);
	memcpy(id, base, stem);
	id[stem] = '\0';
	return id;
}

void cli_lines_add(cli_lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc_or_die(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

void cli_lines_add_once(cli_lines *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	cli_lines_add(l, "%s", s);
}

char *cli_lines_join(const cli_lines *l, const char *sep)
{
	size_t len = 1, k = strlen(sep), at = 0;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + (i ? k : 0);
	s = xrealloc_or_die(NULL, len);
	for (size_t i = 0; i < l->n; i++) {
		size_t m = strlen(l->v[i]);

		if (i) {
			memcpy(s + at, sep, k);
			at += k;
		}
		memcpy(s + at, l->v[i], m);
		at += m;
	}
	s[at] = '\0';
	return s;
}

void cli_lines_release(cli_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int cli_check_arg(const struct crmf_cmd *cmd, const char *what, const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t chars = 1;

	if (!s)
		return EXIT_OK;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

		if (n <= 0)
			return cli_usage_error(cmd,
					       "%s is not valid UTF-8 (byte 0x%02X at character %zu); "
					       "write it in UTF-8",
					       what, (unsigned)*p, chars);
		if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
			return cli_usage_error(
			    cmd,
			    "%s holds control character U+%04X%s at character %zu; write it on one "
			    "line without control characters (text on several lines: 'crmf edit')",
			    what, (unsigned)c,
			    c == '\n'   ? " (line feed)"
			    : c == '\r' ? " (carriage return)"
			    : c == '\t' ? " (tab)"
					: "",
			    chars);
		p += n;
		chars++;
	}
	return EXIT_OK;
}

int cli_check_assign(const struct crmf_cmd *cmd, const char *key, const char *value)
{
	char *what;
	int rc = cli_check_arg(cmd, "a KEY of KEY=VALUE", key);

	if (rc != EXIT_OK || !value)
		return rc;
	if (asprintf(&what, "the value of '%s'", key) < 0)
		abort();
	rc = cli_check_arg(cmd, what, value);
	free(what);
	return rc;
}

char *cli_cut(const char *s, size_t max)
{
	size_t len = strlen(s), chars = 0, i;
	char *out = xrealloc_or_die(NULL, len + 4), *o = out;

	for (i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i];
		size_t w = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;

		if (chars == max) {
			memcpy(o, "…", 3);
			o += 3;
			break;
		}
		if (i + w > len)
			w = len - i;
		if (b == '\n' || b == '\r' || b == '\t') {
			/* a CRLF becomes one space */
			if (!(b == '\n' && i > 0 && s[i - 1] == '\r'))
				*o++ = ' ';
			else
				chars--;
		} else {
			memcpy(o, s + i, w);
			o += w;
		}
		i += w;
		chars++;
	}
	*o = '\0';
	return out;
}

/* ---- the repository ---- */

static int load_config(crmf_config **out, const char *root)
{
	char *path = cli_path(root, "crmf.yaml");
	crmf_doc *doc = NULL;
	crmf_diags d;
	struct stat st;
	int rc;

	crmf_diags_init(&d);
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		cli_error("crmf.yaml is %s; crmf reads it only as a regular file (git stores "
			  "a link as the link, not what it points to)",
			  S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
		free(path);
		return -1;
	}
	if (access(path, F_OK) == 0)
		crmf_doc_load(&doc, "crmf.yaml", path, &d);
	rc = crmf_config_load(out, doc && doc->root ? doc : NULL, &d);
	if (rc != 0 || d.errors)
		cli_error("warning: crmf.yaml has errors (defaults apply where it is invalid); "
			  "run 'crmf check crmf.yaml'");
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	free(path);
	return 0;
}

int cli_change_begin(cli_change *ch, const char *author, crmf_day today)
{
	memset(ch, 0, sizeof(*ch));
	ch->author = author;
	ch->today = today;
	ch->root = cli_repo_root();
	if (!ch->root)
		return EXIT_USAGE;
	if (crmf_commit_preflight(ch->root, author) != 0) {
		cli_error("%s", crmf_error_last());
		return EXIT_FOUND;
	}
	if (load_config(&ch->cfg, ch->root) != 0)
		return EXIT_FOUND;
	return EXIT_OK;
}

int cli_change_lock(cli_change *ch)
{
	if (ch->lock)
		return EXIT_OK;
	if (crmf_lock_acquire(&ch->lock, ch->root, CLI_LOCK_TIMEOUT_MS) != 0 ||
	    crmf_commit_check_locks(ch->root) != 0) {
		cli_error("%s", crmf_error_last());
		return EXIT_FOUND;
	}
	return EXIT_OK;
}

void cli_change_end(cli_change *ch)
{
	crmf_lock_release(ch->lock);
	crmf_config_free(ch->cfg);
	free(ch->root);
	memset(ch, 0, sizeof(*ch));
}

char *cli_me(const cli_change *ch, char **why)
{
	crmf_identity id = {0};
	const crmf_member *m;
	char *me = NULL;
	const char *at;

	*why = NULL;
	if (ch->author) {
		if (crmf_commit_parse_author(&id.name, &id.email, ch->author) != 0) {
			*why = dup_or_die(crmf_error_last());
			return NULL;
		}
	} else if (crmf_identity_get(&id, ch->root) != 0) {
		*why = dup_or_die(crmf_error_last());
		return NULL;
	}
	at = id.email ? strchr(id.email, '@') : NULL;
	if (ch->cfg->has_team) {
		m = crmf_identity_member(ch->cfg, &id);
		if (m)
			me = dup_or_die(m->id);
		else if (asprintf(
			     why,
			     "your git identity (%s%s%s%s) matches no member of the team in "
			     "crmf.yaml (or set 'git config user.email' to your address there)",
			     id.name ? id.name : "no name", id.email ? " <" : "",
			     id.email ? id.email : "", id.email ? ">" : "") < 0)
			abort();
	} else if (at && at != id.email) {
		me = strndup(id.email, (size_t)(at - id.email));
	} else if (id.name) {
		me = dup_or_die(id.name);
	} else {
		*why = dup_or_die("git has no identity (or set 'git config user.name')");
	}
	crmf_identity_release(&id);
	return me;
}

/* `arg` as a path relative to the root when it names a file inside it, else
 * NULL. Its last part is not resolved: a link is named as the link. */
static char *relative_to_root(const char *root, const char *arg)
{
	const char *slash = strrchr(arg, '/'), *base = slash ? slash + 1 : arg;
	char *dir = slash ? strndup(arg, (size_t)(slash - arg) + 1) : strdup(".");
	char *abs = dir ? realpath(dir, NULL) : NULL, *rel = NULL;
	size_t n = strlen(root);

	if (abs && strncmp(abs, root, n) == 0 && (abs[n] == '/' || abs[n] == '\0') && *base &&
	    asprintf(&rel, "%s%s%s", abs[n] ? abs + n + 1 : "", abs[n] ? "/" : "", base) < 0)
		abort();
	free(abs);
	free(dir);
	return rel;
}

static void not_found(const char *arg, const crmf_file *files, size_t n)
{
	const char **ids = xrealloc_or_die(NULL, (n ? n : 1) * sizeof(*ids));
	char **owned = xrealloc_or_die(NULL, (n ? n : 1) * sizeof(*owned));
	const char *s;

	for (size_t i = 0; i < n; i++)
		ids[i] = owned[i] = cli_path_id(files[i].relpath);
	s = crmf_suggest(arg, ids, n);
	if (s)
		cli_error("no customer '%s'; did you mean '%s'?", arg, s);
	else
		cli_error("no customer '%s'; 'crmf list' shows the ids", arg);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(ids);
}

char *cli_find_customer(const char *root, const char *arg, unsigned where)
{
	crmf_file *files = NULL;
	size_t n = 0, hits = 0, wrong = 0, stem;
	const crmf_file *hit = NULL, *other = NULL, *elsewhere = NULL, *icase = NULL;
	const crmf_file *nested = NULL, *inside = NULL;
	char *rel = NULL, *out = NULL;
	bool by_path = strchr(arg, '/') || has_yaml_ext(arg, strlen(arg), &stem);

	/* an id: look for its file by name first; list everything only for a
	 * path, a near miss (suggestions) or a case-insensitive match */
	if (!by_path && crmf_store_find(&files, &n, root, arg) == 0 && n == 0) {
		crmf_store_list_free(files, n);
		files = NULL;
	}
	if (!files && crmf_store_list(&files, &n, root) != 0) {
		cli_error("%s", crmf_error_last());
		return NULL;
	}
	if (by_path) {
		rel = relative_to_root(root, arg);
		if (!rel)
			rel = dup_or_die(arg);
	}
	for (size_t i = 0; i < n; i++) {
		const crmf_file *f = &files[i];
		bool match, in = (f->archived ? CLI_IN_ARCHIVE : CLI_IN_CUSTOMERS) & where;
		char *id = NULL;
		size_t len = strlen(f->relpath);

		if (f->kind == CRMF_FILE_NESTED) {
			/* another repository: not ours to change */
			nested = f;
			if (by_path && strncmp(rel, f->relpath, len) == 0 &&
			    (rel[len] == '/' || rel[len] == '\0'))
				inside = f;
			continue;
		}
		if (f->kind == CRMF_FILE_LINK && !has_yaml_ext(f->relpath, len, &stem))
			continue; /* a link to a folder */
		if (by_path) {
			match = strcmp(f->relpath, rel) == 0;
		} else {
			id = cli_path_id(f->relpath);
			match = strcmp(id, arg) == 0;
			if (!match && !icase && strcasecmp(id, arg) == 0)
				icase = f;
		}
		free(id);
		if (!match)
			continue;
		if (in) {
			if (hits++ == 0)
				hit = f;
			else
				other = f;
		} else if (wrong++ == 0) {
			elsewhere = f;
		}
	}
	if (!hit && !by_path && icase && !wrong) {
		bool in = (icase->archived ? CLI_IN_ARCHIVE : CLI_IN_CUSTOMERS) & where;

		if (in)
			hit = icase, hits = 1;
	}
	if (inside) {
		cli_error("%s is inside %s, another git repository (a submodule or nested "
			  "repository); crmf does not change files there",
			  arg, inside->relpath);
	} else if (hits > 1) {
		cli_error("'%s' names two files, %s and %s; name the file", arg, hit->relpath,
			  other->relpath);
	} else if (hit && hit->kind != CRMF_FILE_REGULAR) {
		char *why = crmf_store_kind_message(root, hit);

		cli_error("%s: %s; nothing changed", hit->relpath, why);
		free(why);
	} else if (hit) {
		out = dup_or_die(hit->relpath);
	} else if (wrong) {
		if (where == CLI_IN_CUSTOMERS)
			cli_error(
			    "customer '%s' is archived (%s); 'crmf restore %s' brings it back", arg,
			    elsewhere->relpath, arg);
		else
			cli_error("customer '%s' is not archived (%s)", arg, elsewhere->relpath);
	} else if (by_path) {
		cli_error("'%s' is no customer file of this repository (they are *.yaml under "
			  "customers/ and archive/)",
			  arg);
	} else {
		not_found(arg, files, n);
		if (nested)
			fprintf(stderr,
				"note: crmf does not look inside %s, another git repository (a "
				"submodule or nested repository)\n",
				nested->relpath);
	}
	free(rel);
	crmf_store_list_free(files, n);
	return out;
}

int cli_load(crmf_customer **out, crmf_diags *diags, const cli_change *ch, const char *rel)
{
	char *fspath = cli_path(ch->root, rel);
	crmf_doc *doc = NULL;
	crmf_diags parse;

	*out = NULL;
	crmf_diags_init(&parse);
	crmf_doc_load(&doc, rel, fspath, &parse);
	free(fspath);
	if (!doc || !doc->root) {
		cli_print_diags(stderr, &parse, FMT_TEXT);
		cli_error("cannot change %s until it parses; fix it with 'crmf edit' or by hand",
			  rel);
		crmf_doc_free(doc);
		crmf_diags_release(&parse);
		return -1;
	}
	crmf_diags_move(diags, &parse);
	crmf_diags_release(&parse);
	crmf_check_customer(out, doc, rel, ch->cfg, ch->today, diags);
	crmf_diags_sort(diags);
	if (!*out) {
		cli_error("cannot read %s as a customer", rel);
		return -1;
	}
	return 0;
}

static bool had_before(const crmf_diags *before, const crmf_diag *d)
{
	if (!before)
		return false;
	for (size_t i = 0; i < before->n; i++)
		if (crmf_diag_rule_cmp(&before->v[i], d) == 0)
			if (strcmp(before->v[i].message, d->message) == 0)
				return true;
	return false;
}

int cli_validate(crmf_customer **out, const cli_change *ch, const char *rel, const char *buf,
		 size_t len, const crmf_diags *before)
{
	crmf_customer *c = NULL;
	crmf_doc *doc = NULL;
	crmf_diags d, fresh;

	if (out)
		*out = NULL;
	crmf_diags_init(&d);
	crmf_diags_init(&fresh);
	crmf_doc_parse(&doc, rel, buf, len, &d);
	if (doc)
		crmf_check_customer(&c, doc, rel, ch->cfg, ch->today, &d);
	crmf_diags_sort(&d);
	/* every error, and the warnings the file did not have before */
	for (size_t i = 0; i < d.n; i++) {
		const crmf_diag *x = &d.v[i];

		if (x->severity == CRMF_SEV_ERROR || !had_before(before, x))
			crmf_diags_add(&fresh, x->severity, x->path, x->line, x->column, x->rule,
				       "%s", x->message);
	}
	cli_print_diags(stderr, &fresh, FMT_TEXT);
	crmf_diags_release(&fresh);
	if (d.errors || !c) {
		crmf_customer_free(c);
		crmf_diags_release(&d);
		return -1;
	}
	crmf_diags_release(&d);
	if (out)
		*out = c;
	else
		crmf_customer_free(c);
	return 0;
}

/* ---- how values are written ---- */

static bool is_number(const char *s)
{
	char *end;

	if (!*s || strspn(s, "0123456789.-") != strlen(s))
		return false;
	errno = 0;
	strtod(s, &end);
	return *end == '\0' && errno == 0;
}

unsigned cli_value_flags(const crmf_config *cfg, const char *path, const char *value)
{
	char shape[128];
	size_t k = 0;
	const crmf_field *sf;
	crmf_field_type t;
	crmf_day day;
	int minute;

	/* "followups[-1].due" → "followups.due" */
	for (const char *p = path; *p && k + 1 < sizeof(shape); p++) {
		if (*p == '[') {
			p = strchr(p, ']');
			if (!p)
				break;
			continue;
		}
		shape[k++] = *p;
	}
	shape[k] = '\0';
	if ((sf = crmf_field_find(shape, k))) {
		/* a field of the field table: dates, numbers and booleans unquoted */
		switch (sf->kind) {
		case CRMF_FIELD_DATETIME:
			return crmf_datetime_parse(&day, &minute, value, strlen(value)) == 0
				   ? CRMF_EDIT_RAW
				   : CRMF_EDIT_TEXT;
		case CRMF_FIELD_DATE:
			t = CRMF_FT_DATE;
			break;
		case CRMF_FIELD_NUMBER:
			t = CRMF_FT_NUMBER;
			break;
		case CRMF_FIELD_BOOL:
			t = CRMF_FT_BOOL;
			break;
		default:
			return CRMF_EDIT_TEXT;
		}
	} else {
		const crmf_field_def *f = strchr(shape, '.') ? NULL : crmf_config_field(cfg, shape);

		if (!f)
			return CRMF_EDIT_TEXT;
		t = f->type;
	}
	switch (t) {
	case CRMF_FT_DATE:
		return crmf_date_parse(&day, value, strlen(value)) == 0 ? CRMF_EDIT_RAW
									: CRMF_EDIT_TEXT;
	case CRMF_FT_NUMBER:
		return is_number(value) ? CRMF_EDIT_RAW : CRMF_EDIT_TEXT;
	case CRMF_FT_BOOL:
		return !strcmp(value, "true") || !strcmp(value, "false") ? CRMF_EDIT_RAW
									 : CRMF_EDIT_TEXT;
	default:
		return CRMF_EDIT_TEXT;
	}
}

/* ---- committing ---- */

int cli_change_commit(const cli_change *ch, const crmf_commit_path *paths, size_t n,
		      const crmf_commit_opts *o)
{
	return cli_change_commit_as(ch, paths, NULL, n, o);
}

int cli_change_commit_as(const cli_change *ch, const crmf_commit_path *paths,
			 const crmf_commit_content *content, size_t n, const crmf_commit_opts *o)
{
	crmf_commit_opts opts = *o;
	char oid[41] = "";

	opts.author = ch->author;
	if (crmf_commit_paths_as(oid, ch->root, paths, content, n, &opts) != 0) {
		const char *why = crmf_error_last();

		if (strncmp(why, "saved, not committed: ", 22) == 0)
			why += 22;
		cli_error("saved, not committed: %s", why);
		if (!strstr(why, "crmf commit"))
			fprintf(stderr,
				"the change is written; once that is fixed, run 'crmf commit' "
				"to commit it\n");
		return EXIT_FOUND;
	}
	if (!oid[0])
		printf("nothing to commit: committed already as it is\n");
	else
		printf("committed %.7s \"%s\"\n", oid, opts.subject);
	return EXIT_OK;
}

int cli_save_commit(const cli_change *ch, const char *rel, const char *buf, size_t len,
		    const crmf_commit_opts *o)
{
	char *fspath = cli_path(ch->root, rel);
	crmf_commit_path p = {rel, false};
	int rc;

	rc = crmf_store_check_path(ch->root, rel);
	if (rc == 0)
		rc = crmf_write_atomic(fspath, buf, len);
	free(fspath);
	if (rc != 0) {
		cli_error("cannot write %s: %s; nothing changed", rel, crmf_error_last());
		return EXIT_FOUND;
	}
	return cli_change_commit(ch, &p, 1, o);
}

/* ---- the user's own edits ---- */

/* The same lines from a to b as from c to d: a change that reads alike in both places. */
static bool same_changes(const crmf_doc *a, const crmf_doc *b, const crmf_doc *c, const crmf_doc *d)
{
	crmf_change *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;
	bool same;

	crmf_diff_docs(&x, &nx, a, b, NULL);
	crmf_diff_docs(&y, &ny, c, d, NULL);
	same = nx == ny;
	for (size_t i = 0; same && i < nx; i++)
		same = strcmp(x[i].text, y[i].text) == 0 &&
		       (x[i].field ? y[i].field && strcmp(x[i].field, y[i].field) == 0 : !y[i].field);
	crmf_diff_free(x, nx);
	crmf_diff_free(y, ny);
	return same;
}

/* The same bytes taken out and put in, splice by splice, in two versions. */
static bool same_splices(const crmf_edit *a, const crmf_doc *da, const crmf_edit *b,
			 const crmf_doc *db)
{
	size_t na = 0, nb = 0;
	crmf_splice *x = crmf_edit_splices(a, &na), *y = crmf_edit_splices(b, &nb);
	bool same = na == nb;

	for (size_t i = 0; same && i < na; i++)
		same = x[i].removed == y[i].removed && x[i].len == y[i].len &&
		       memcmp(da->src + x[i].offset, db->src + y[i].offset, x[i].removed) == 0 &&
		       memcmp(x[i].text, y[i].text, x[i].len) == 0;
	free(x);
	free(y);
	return same;
}

/*
 * crmf's change made again on another version of the file (the committed
 * one, the staged one) as `base`: *out its result, when it takes out and
 * puts in the same bytes there as from `was` to `now`, reads the same, and
 * leaves the user's edit between `base` and `was` reading the same: the two
 * commute. False when they touch.
 */
static bool redo_on(crmf_doc **out, const char *rel, const char *buf, size_t len,
		    const crmf_doc *was, const crmf_doc *now, cli_redo_fn *redo, void *ctx)
{
	crmf_doc *base = NULL, *doc = NULL;
	crmf_edit *e = NULL, *we = NULL;
	crmf_diags d;
	bool ok = false;

	*out = NULL;
	crmf_diags_init(&d);
	crmf_doc_parse(&base, rel, buf, len, &d);
	crmf_diags_release(&d);
	if (base && base->root && redo(&e, base, ctx) == 0 && redo(&we, was, ctx) == 0 &&
	    same_splices(e, base, we, was) && crmf_edit_finish(&doc, e, NULL) == 0 &&
	    same_changes(base, doc, was, now) && same_changes(base, was, doc, now))
		ok = true;
	crmf_edit_free(we);
	crmf_edit_free(e);
	crmf_doc_free(base);
	if (ok)
		*out = doc;
	else
		crmf_doc_free(doc);
	return ok;
}

/* Errors of `buf` as the customer file `rel`, printed; warnings are the work tree's business. */
static int check_errors(const cli_change *ch, const char *rel, const char *buf, size_t len)
{
	crmf_customer *c = NULL;
	crmf_doc *doc = NULL;
	crmf_diags d, errs;
	int rc;

	crmf_diags_init(&d);
	crmf_diags_init(&errs);
	crmf_doc_parse(&doc, rel, buf, len, &d);
	if (doc)
		crmf_check_customer(&c, doc, rel, ch->cfg, ch->today, &d);
	crmf_diags_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].severity == CRMF_SEV_ERROR)
			crmf_diags_add(&errs, d.v[i].severity, d.v[i].path, d.v[i].line,
				       d.v[i].column, d.v[i].rule, "%s", d.v[i].message);
	cli_print_diags(stderr, &errs, FMT_TEXT);
	rc = d.errors || !c ? -1 : 0;
	crmf_customer_free(c);
	crmf_diags_release(&errs);
	crmf_diags_release(&d);
	return rc;
}

static const char KEEP_APART[] = "commit them first ('crmf commit') or put them aside ('git "
				 "stash', then 'git stash pop'); nothing changed";

int cli_versions(crmf_versions *v, const cli_change *ch, const char *rel)
{
	if (crmf_read_versions(v, ch->root, rel) != 0) {
		cli_error("%s; nothing changed", crmf_error_last());
		return -1;
	}
	switch (v->state) {
	case CRMF_FILE_NEW:
		cli_error("%s is not committed yet, and crmf commits only its own change: commit "
			  "it first ('crmf commit'); nothing changed",
			  rel);
		return -1;
	case CRMF_FILE_UNMERGED:
		cli_error("%s is in conflict or staged for removal in git's index: resolve that "
			  "first ('git status' says how); nothing changed",
			  rel);
		return -1;
	default:
		return 0;
	}
}

int cli_save_change(const cli_change *ch, const char *rel, const crmf_doc *was,
		    const crmf_doc *now, cli_redo_fn *redo, void *ctx, const char *say,
		    const crmf_commit_opts *o)
{
	crmf_versions v;
	crmf_doc *head = NULL, *staged = NULL;
	crmf_commit_content ct = {0};
	char *fspath = NULL;
	int rc = EXIT_FOUND;

	if (cli_versions(&v, ch, rel) != 0)
		goto done;
	if (v.state == CRMF_FILE_CLEAN) {
		fputs(say ? say : "", stdout);
		rc = cli_save_commit(ch, rel, now->src, now->len, o);
		goto done;
	}
	if (!redo_on(&head, rel, v.head, v.head_len, was, now, redo, ctx)) {
		cli_error("%s has uncommitted changes of yours that touch what this change "
			  "changes, and crmf commits only its own change: %s",
			  rel, KEEP_APART);
		goto done;
	}
	if (check_errors(ch, rel, head->src, head->len) != 0) {
		cli_error("the committed version of %s would not be valid with this change (your "
			  "uncommitted changes to it are left out): %s",
			  rel, KEEP_APART);
		goto done;
	}
	ct.data = head->src;
	ct.len = head->len;
	if (v.staged && v.staged_len == was->len && memcmp(v.staged, was->src, was->len) == 0) {
		ct.staged = now->src; /* all of the user's edit is staged */
		ct.staged_len = now->len;
	} else if (v.staged) {
		if (!redo_on(&staged, rel, v.staged, v.staged_len, was, now, redo, ctx)) {
			cli_error("%s has staged changes of yours that touch what this change "
				  "changes, and crmf commits only its own change: %s",
				  rel, KEEP_APART);
			goto done;
		}
		ct.staged = staged->src;
		ct.staged_len = staged->len;
	}
	fputs(say ? say : "", stdout);
	fspath = cli_path(ch->root, rel);
	if (crmf_write_atomic(fspath, now->src, now->len) != 0) {
		cli_error("cannot write %s: %s; nothing changed", rel, crmf_error_last());
		goto done;
	}
	rc = cli_change_commit_as(ch, &(crmf_commit_path){rel, false}, &ct, 1, o);
done:
	free(fspath);
	crmf_doc_free(staged);
	crmf_doc_free(head);
	crmf_versions_release(&v);
	return rc;
}

/* ---- what changed, value by value ---- */

/* A commit message stays readable: past this many lines, only their count. */
#define MAX_CHANGE_LINES 60

void cli_describe_changes(cli_lines *lines, cli_lines *keys, const crmf_doc *a, const crmf_doc *b)
{
	crmf_change *v = NULL;
	size_t n = 0;

	crmf_diff_docs(&v, &n, a, b, NULL);
	for (size_t i = 0; i < n; i++) {
		if (keys && v[i].field)
			cli_lines_add_once(keys, v[i].field);
		if (i < MAX_CHANGE_LINES)
			cli_lines_add(lines, "%s", v[i].text);
	}
	if (n > MAX_CHANGE_LINES)
		cli_lines_add(lines, "… and %zu more change%s", n - MAX_CHANGE_LINES,
			      n - MAX_CHANGE_LINES == 1 ? "" : "s");
	crmf_diff_free(v, n);
}

/* ---- the editor ---- */

static int write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t done = 0;

	if (fd < 0)
		return -1;
	while (done < len) {
		ssize_t w = write(fd, buf + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	return close(fd);
}

int cli_read_file(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	if (!f)
		return -1;
	for (;;) {
		size_t r;

		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = xrealloc_or_die(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
		/* far past what crmf accepts: the parser reports the size */
		if (n > 2 * CRMF_DOC_MAX_SIZE)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static const char *editor(void)
{
	const char *e = getenv("VISUAL");

	if (!e || !*e)
		e = getenv("EDITOR");
	return e && *e ? e : "vi";
}

/* Run the editor on `path` the way git does: through sh, so that EDITOR may
 * hold arguments ("code --wait"). 0 when it exited with status 0. */
static int run_editor(const char *path)
{
	const char *ed = editor();
	char *cmd;
	pid_t pid;
	int status;
	void (*old_int)(int), (*old_quit)(int);

	fflush(stdout);
	fflush(stderr);
	if (asprintf(&cmd, "%s \"$@\"", ed) < 0)
		abort();
	old_int = signal(SIGINT, SIG_IGN);
	old_quit = signal(SIGQUIT, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, ed, path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	status = -1;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	signal(SIGINT, old_int);
	signal(SIGQUIT, old_quit);
	if (pid < 0) {
		cli_error("cannot start the editor '%s': %s", ed, strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			cli_error("the editor '%s' exited with status %d", ed, WEXITSTATUS(status));
		else
			cli_error("the editor '%s' was stopped by a signal", ed);
		return -1;
	}
	return 0;
}

static char *make_copy(const char *rel, const char *buf, size_t len)
{
	const char *dir = getenv("TMPDIR");
	char *id = cli_path_id(rel), *path;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (asprintf(&path, "%s/crmf-%s-XXXXXX.yaml", dir, id) < 0)
		abort();
	free(id);
	fd = mkstemps(path, 5);
	if (fd < 0) {
		cli_error("cannot create a temporary file in %s: %s", dir, strerror(errno));
		free(path);
		return NULL;
	}
	close(fd);
	if (write_file(path, buf, len) != 0) {
		cli_error("cannot write %s: %s", path, strerror(errno));
		unlink(path);
		free(path);
		return NULL;
	}
	return path;
}

/* "(e)dit again or (a)bort?" on a terminal; false (abort) when there is none. */
static bool again(void)
{
	char *line = NULL;
	size_t cap = 0;
	bool yes = false;

	if (!isatty(STDIN_FILENO))
		return false;
	for (;;) {
		fputs("(e)dit again or (a)bort? ", stderr);
		fflush(stderr);
		if (getline(&line, &cap, stdin) < 0)
			break;
		if (line[0] == 'e' || line[0] == 'E') {
			yes = true;
			break;
		}
		if (line[0] == 'a' || line[0] == 'A')
			break;
	}
	free(line);
	return yes;
}

int cli_edit_loop(crmf_customer **out, char **copy, const cli_change *ch, const char *rel,
		  const char *buf, size_t len, bool unchanged_ok, const crmf_diags *before)
{
	char *path = make_copy(rel, buf, len);

	*out = NULL;
	*copy = NULL;
	if (!path)
		return CLI_EDIT_ABORTED;
	for (;;) {
		char *data = NULL;
		size_t n = 0;
		int v;

		if (run_editor(path) != 0) {
			cli_error("nothing changed; the copy is kept in %s", path);
			break;
		}
		if (cli_read_file(&data, &n, path) != 0) {
			cli_error("cannot read %s back: %s", path, strerror(errno));
			break;
		}
		if (unchanged_ok && n == len && memcmp(data, buf, n) == 0) {
			free(data);
			unlink(path);
			free(path);
			return CLI_EDIT_UNCHANGED;
		}
		v = cli_validate(out, ch, rel, data, n, before);
		free(data);
		if (v == 0) {
			*copy = path;
			return CLI_EDIT_DONE;
		}
		if (!again()) {
			cli_error("aborted, nothing changed; your edit is kept in %s", path);
			break;
		}
	}
	free(path);
	return CLI_EDIT_ABORTED;
}
