/* crmf new: a new customer file from the template, with the next free id, validated and committed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/templates.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'e', 0, "edit", NULL, "open the new file in the editor before saving it"},
    {'o', 0, "owner", "NAME",
     "the owner (a team member); default the member matching\n"
     "git's identity"},
    {'t', 0, "today", "DATE", "the creation date (YYYY-MM-DD), default today"},
    {'a', 0, "author", "A", "commit as A ('Name <email>') instead of git's identity"},
    {0},
};

const struct crmf_cmd cmd_new = {
    .name = "new",
    .run = run,
    .summary = "create a customer from the template with the next id, committed",
    .synopsis = "NAME [KEY=VALUE…] [--edit] [--owner NAME] [--today DATE]\n"
		"    [--author 'NAME <EMAIL>']",
    .description =
	"Create the customer NAME (the company's full legal name) with the next id of\n"
	"crmf.yaml's id_format ({yyyy} {yy} {mm} {dd} of today, {seq:N} one more than\n"
	"the highest number already used with the same prefix in customers/ and\n"
	"archive/), from the repository's templates/customer.yaml, else the built-in\n"
	"template, and commit it. KEY=VALUE pairs fill fields as 'crmf set' does:\n"
	"  crmf new 杭州云启科技有限公司 industry=IT服务/云计算 size=50-200 source=展会 \\\n"
	"      contacts[0].name=张伟 contacts[0].phone=13800138000 \\\n"
	"      need.type=采购产品A need.description=降低生产成本20%\n"
	"\n"
	"The file goes to customers/<yyyy>/<id>.yaml (the year it is created) when\n"
	"most customer files of the repository are in year folders like\n"
	"customers/2024/, else to customers/<id>.yaml. Ids are taken while holding\n"
	"the repository's lock, so crmf processes running at once never pick the\n"
	"same one.\n"
	"\n"
	"With --edit, or when required fields are missing and standard input is a\n"
	"terminal, the file is opened in $VISUAL/$EDITOR first (see 'crmf edit');\n"
	"otherwise missing or invalid fields are reported and nothing is written.\n",
    .opts = options,
    .notes = "exit status: 0 created and committed, 1 refused (missing or invalid fields,\n"
	     "no git identity, merge in progress) or saved but not committed, 2 usage error\n",
    .opt_width = 16,
};

struct assign {
	const char *key; /* NUL at the '=' */
	const char *value;
};

/* ---- ids ---- */

/* id_format rendered for a day: the text before and after {seq:N}. */
struct idfmt {
	char prefix[128], suffix[128];
	int width;
	bool has_seq;
};

static int render_format(struct idfmt *out, const char *fmt, crmf_day today)
{
	char *dst = out->prefix;
	size_t k = 0;
	int y, m, d;

	memset(out, 0, sizeof(*out));
	crmf_date_to_ymd(today, &y, &m, &d);
	for (const char *p = fmt; *p;) {
		char part[16] = "";
		int w;

		if (!strncmp(p, "{yyyy}", 6)) {
			snprintf(part, sizeof(part), "%04d", y);
			p += 6;
		} else if (!strncmp(p, "{yy}", 4)) {
			snprintf(part, sizeof(part), "%02d", y % 100);
			p += 4;
		} else if (!strncmp(p, "{mm}", 4)) {
			snprintf(part, sizeof(part), "%02d", m);
			p += 4;
		} else if (!strncmp(p, "{dd}", 4)) {
			snprintf(part, sizeof(part), "%02d", d);
			p += 4;
		} else if (!strncmp(p, "{seq", 4) && !out->has_seq) {
			const char *close = strchr(p, '}');

			w = 3;
			if (p[4] == ':' && p[5] >= '1' && p[5] <= '9' && p[6] == '}')
				w = p[5] - '0';
			else if (p[4] != '}')
				return -1;
			out->has_seq = true;
			out->width = w;
			dst[k] = '\0';
			dst = out->suffix;
			k = 0;
			p = close + 1;
			continue;
		} else {
			part[0] = *p++;
			part[1] = '\0';
		}
		if (k + strlen(part) >= sizeof(out->prefix))
			return -1;
		memcpy(dst + k, part, strlen(part));
		k += strlen(part);
	}
	dst[k] = '\0';
	return 0;
}

/* The number in `stem` when it is prefix + digits + suffix, else -1. */
static long long seq_of(const struct idfmt *f, const char *stem)
{
	size_t n = strlen(stem), p = strlen(f->prefix), s = strlen(f->suffix);
	long long v = 0;

	if (n <= p + s || strncmp(stem, f->prefix, p) || strcmp(stem + n - s, f->suffix))
		return -1;
	if (n - p - s > 15)
		return -1;
	for (size_t i = p; i < n - s; i++) {
		if (stem[i] < '0' || stem[i] > '9')
			return -1;
		v = v * 10 + (stem[i] - '0');
	}
	return v;
}

/* The next free id for `today`, malloc'ed; NULL with the reason printed. */
static char *next_id(const crmf_config *cfg, const crmf_file *files, size_t n, crmf_day today)
{
	struct idfmt f;
	long long top = 0;
	char *id;

	if (render_format(&f, cfg->id_format, today) != 0) {
		cli_error("cannot make an id from id_format '%s'; run 'crmf check crmf.yaml'",
			  cfg->id_format);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char *stem = cli_path_id(files[i].relpath);
		long long v = f.has_seq ? seq_of(&f, stem) : -1;

		if (v > top)
			top = v;
		if (!f.has_seq && strcmp(stem, f.prefix) == 0) {
			cli_error("the next id would be '%s', which %s has; id_format in crmf.yaml "
				  "needs a {seq:N}",
				  f.prefix, files[i].relpath);
			free(stem);
			return NULL;
		}
		free(stem);
	}
	if (!f.has_seq)
		return strdup(f.prefix);
	if (asprintf(&id, "%s%0*lld%s", f.prefix, f.width, top + 1, f.suffix) < 0)
		abort();
	return id;
}

/* Whether most files under customers/ sit in year folders (customers/2024/x.yaml). */
static bool year_folders(const crmf_file *files, size_t n)
{
	size_t flat = 0, years = 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = files[i].relpath, *rest;

		if (files[i].archived || strncmp(p, "customers/", 10) != 0)
			continue;
		p += 10;
		rest = strchr(p, '/');
		if (!rest)
			flat++;
		else if (rest - p == 4 && strspn(p, "0123456789") == 4 && !strchr(rest + 1, '/'))
			years++;
	}
	return years > flat;
}

/* Create the folders of `rel` below `root` (customers/, customers/2025/). */
static int make_dirs(const char *root, const char *rel)
{
	char *path = cli_path(root, rel), *p = path + strlen(root) + 1;

	for (char *slash = strchr(p, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			cli_error("cannot create %s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		*slash = '/';
	}
	free(path);
	return 0;
}

static char *path_for(const char *id, bool years, crmf_day today)
{
	char *rel;
	int y, m, d;

	crmf_date_to_ymd(today, &y, &m, &d);
	if (years) {
		if (asprintf(&rel, "customers/%04d/%s.yaml", y, id) < 0)
			abort();
	} else if (asprintf(&rel, "customers/%s.yaml", id) < 0) {
		abort();
	}
	return rel;
}

/* ---- the template ---- */

/* `v` written where a {{placeholder}} stood, inside `quote` ('"', '\'' or 0);
 * `raw` for the date, which stays a plain date. Returns the columns it takes. */
static int put_value(FILE *m, const char *v, char quote, bool raw)
{
	char *s;
	int w;

	if (!*v)
		return 0;
	if (quote == '\'') {
		w = cli_display_width(v);
		for (; *v; v++) {
			fputs(*v == '\'' ? "''" : (char[]){*v, 0}, m);
			w += *v == '\'';
		}
		return w;
	}
	if (raw && !quote) {
		fputs(v, m);
		return (int)strlen(v);
	}
	s = quote == '"' ? crmf_edit_quote(v) : crmf_edit_scalar(v);
	if (!s)
		return 0;
	if (quote == '"') {
		s[strlen(s) - 1] = '\0';
		fputs(s + 1, m);
	} else {
		fputs(s, m);
	}
	w = cli_display_width(quote == '"' ? s + 1 : s);
	free(s);
	return w;
}

/* Where the comment of a line starts (`#` after a space or at the start,
 * outside quotes), or `end`. */
static const char *comment_start(const char *p, const char *end)
{
	char q = 0;

	for (const char *s = p; s < end; s++) {
		if (q) {
			if (*s == q)
				q = 0;
		} else if (*s == '"' || *s == '\'') {
			if (s == p || s[-1] == ' ' || s[-1] == ':' || s[-1] == '-' ||
			    s[-1] == '[' || s[-1] == ',' || s[-1] == '{')
				q = *s;
		} else if (*s == '#' && (s == p || s[-1] == ' ' || s[-1] == '\t')) {
			return s;
		}
	}
	return end;
}

/* Write `val` for the placeholder `name` at `p`; returns how many bytes of the
 * template that consumed. A comment after the value (`cs`, before the line's
 * end `le`) stays in its column. */
static size_t fill_one(FILE *m, const char *p, const char *tpl, const char *cs, const char *le,
		       const char *name, const char *val, bool raw)
{
	size_t n = strlen(name), spaces;
	char before = p > tpl ? p[-1] : 0, quote = 0;
	const char *q;
	int w;

	if (before == p[n] && (before == '"' || before == '\''))
		quote = before;
	w = put_value(m, val, quote, raw);
	q = p + n;
	if (quote)
		fputc(*q++, m);
	spaces = strspn(q, " ");
	if (spaces && q + spaces == cs && cs < le) {
		for (int i = (int)spaces + (int)n - w; i > 1; i--)
			fputc(' ', m);
		fputc(' ', m);
		q = cs;
	}
	return (size_t)(q - p);
}

/* The template with its placeholders filled, outside comments only (the
 * template's comments explain the placeholders). Malloc'ed. */
static char *fill(size_t *len, const char *tpl, size_t tlen, const char *const vals[4])
{
	static const char *const names[4] = {"{{id}}", "{{name}}", "{{created}}", "{{owner}}"};
	const char *p = tpl, *end = tpl + tlen;
	char *out = NULL;
	FILE *m = open_memstream(&out, len);

	if (!m)
		abort();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl + 1 : end, *cs = comment_start(p, nl ? nl : end);

		while (p < cs) {
			size_t k;

			for (k = 0; k < 4; k++)
				if ((size_t)(cs - p) >= strlen(names[k]) &&
				    !strncmp(p, names[k], strlen(names[k])))
					break;
			if (k == 4) {
				fputc(*p++, m);
				continue;
			}
			p += fill_one(m, p, tpl, cs, nl ? nl : end, names[k], vals[k], k == 2);
		}
		fwrite(p, 1, (size_t)(eol - p), m);
		p = eol;
	}
	fclose(m);
	return out;
}

static int load_template(char **out, size_t *len, const char *root)
{
	char *path = cli_path(root, "templates/customer.yaml");
	int rc = 0;

	if (access(path, F_OK) == 0) {
		rc = cli_read_file(out, len, path);
		if (rc != 0)
			cli_error("cannot read templates/customer.yaml: %s", strerror(errno));
	} else {
		*out = malloc(crmf_tpl_customer_yaml_len + 1);
		if (!*out)
			abort();
		memcpy(*out, crmf_tpl_customer_yaml, crmf_tpl_customer_yaml_len);
		(*out)[crmf_tpl_customer_yaml_len] = '\0';
		*len = crmf_tpl_customer_yaml_len;
	}
	free(path);
	return rc;
}

/* Apply the KEY=VALUE pairs (and a new id) to `len` bytes of `buf`; the
 * result replaces *buf. -1 with the reason printed. */
static int apply(char **buf, size_t *len, const char *rel, const struct assign *v, size_t n,
		 const char *id, const crmf_config *cfg)
{
	crmf_doc *doc = NULL, *nd = NULL;
	crmf_edit *e = NULL;
	crmf_diags d;
	int rc = -1;

	crmf_diags_init(&d);
	crmf_doc_parse(&doc, rel, *buf, *len, &d);
	if (!doc || !doc->root) {
		cli_print_diags(stderr, &d, FMT_TEXT);
		cli_error(
		    "the template does not parse once filled in; fix templates/customer.yaml");
		goto done;
	}
	if (crmf_edit_new(&e, doc) != 0)
		goto fail;
	if (id && crmf_edit_set(e, "id", id, CRMF_EDIT_TEXT) != 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < i; k++)
			if (!strcmp(v[k].key, v[i].key)) {
				cli_error("'%s' is given twice", v[i].key);
				goto done;
			}
		if (!strcmp(v[i].key, "id")) {
			cli_error("the id comes from id_format in crmf.yaml; it cannot be given");
			goto done;
		}
		if (crmf_edit_set(e, v[i].key, v[i].value,
				  cli_value_flags(cfg, v[i].key, v[i].value)) != 0) {
			cli_error("cannot set '%s': %s", v[i].key, crmf_error_last());
			goto done;
		}
	}
	if (crmf_edit_count(e) == 0) {
		rc = 0;
		goto done;
	}
	if (crmf_edit_finish(&nd, e, NULL) != 0)
		goto fail;
	free(*buf);
	*buf = malloc(nd->len + 1);
	if (!*buf)
		abort();
	memcpy(*buf, nd->src, nd->len + 1);
	*len = nd->len;
	rc = 0;
	goto done;
fail:
	cli_error("%s", crmf_error_last());
done:
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return rc;
}

/* The id written in `len` bytes of `buf`, malloc'ed, or NULL. */
static char *id_in(const char *buf, size_t len)
{
	crmf_doc *doc = NULL;
	crmf_diags d;
	const crmf_node *n;
	char *id = NULL;

	crmf_diags_init(&d);
	crmf_doc_parse(&doc, "", buf, len, &d);
	n = doc ? crmf_node_get(doc->root, "id") : NULL;
	if (n && n->type == CRMF_NODE_SCALAR)
		id = strdup(n->value);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	return id;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *owner_arg = NULL, *today_arg = NULL, *author = NULL, *name;
	struct assign *v = calloc((size_t)argc + 1, sizeof(*v));
	bool edit = false, years;
	size_t n = 0, nfiles = 0, len = 0;
	cli_change ch = {0};
	crmf_customer *nc = NULL;
	crmf_file *files = NULL;
	char *tpl = NULL, *buf = NULL, *id = NULL, *rel = NULL, *owner = NULL, *why = NULL;
	char *fspath = NULL, *copy = NULL, *subject = NULL, *final_id = NULL, *written = NULL;
	char created[11];
	crmf_day today;
	struct stat st;
	int c, rc = EXIT_USAGE;

	if (!v)
		abort();
	cli_args_init(&args, &cmd_new, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'e':
			edit = true;
			break;
		case 'o':
			owner_arg = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 'a':
			author = args.arg;
			break;
		}
	}
	if (c < 0) {
		rc = args.status;
		goto done;
	}
	if (args.ind >= argc || !argv[args.ind][0]) {
		rc = cli_usage_error(&cmd_new, "give the company's name");
		goto done;
	}
	name = argv[args.ind++];
	if (cli_check_arg(&cmd_new, "the name", name) != EXIT_OK ||
	    cli_check_arg(&cmd_new, "--owner", owner_arg) != EXIT_OK ||
	    cli_check_arg(&cmd_new, "--author", author) != EXIT_OK ||
	    cli_check_arg(&cmd_new, "--today", today_arg) != EXIT_OK)
		goto done;
	if (strchr(name, '=')) {
		rc = cli_usage_error(&cmd_new,
				     "give the company's name first, then KEY=VALUE pairs");
		goto done;
	}
	for (; args.ind < argc; args.ind++) {
		char *a = argv[args.ind], *eq = strchr(a, '=');

		if (!eq || eq == a) {
			rc = cli_usage_error(&cmd_new,
					     "'%s' is no KEY=VALUE (quote a name with spaces)", a);
			goto done;
		}
		*eq = '\0';
		if (!eq[1]) {
			rc = cli_usage_error(&cmd_new, "no value for '%s'", a);
			goto done;
		}
		if (cli_check_assign(&cmd_new, a, eq + 1) != EXIT_OK)
			goto done;
		v[n].key = a;
		v[n++].value = eq + 1;
	}
	if (cli_today(&today, today_arg))
		goto done;
	crmf_date_format(today, created);
	rc = cli_change_begin(&ch, author, today);
	if (rc != EXIT_OK)
		goto done;
	rc = EXIT_FOUND;
	for (size_t i = 0; !owner_arg && i < n; i++)
		if (strcmp(v[i].key, "owner") == 0)
			owner_arg = v[i].value; /* owner=NAME means --owner NAME */
	if (owner_arg) {
		const crmf_member *m = crmf_config_member(ch.cfg, owner_arg);

		owner = strdup(m ? m->id : owner_arg);
	} else {
		owner = cli_me(&ch, &why);
	}
	if (load_template(&tpl, &len, ch.root) != 0)
		goto done;
	/* a first id, to show in the editor; the final one is taken under the lock */
	if (crmf_store_list(&files, &nfiles, ch.root) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	id = next_id(ch.cfg, files, nfiles, today);
	if (!id)
		goto done;
	years = year_folders(files, nfiles);
	rel = path_for(id, years, today);
	buf = fill(&len, tpl, len, (const char *const[4]){id, name, created, owner ? owner : ""});
	if (apply(&buf, &len, rel, v, n, NULL, ch.cfg) != 0)
		goto done;
	if (!edit) {
		if (cli_validate(&nc, &ch, rel, buf, len, NULL) != 0) {
			if (!isatty(STDIN_FILENO)) {
				if (!owner)
					cli_error("no owner: give --owner NAME: %s", why);
				cli_error("nothing written: give the missing or wrong fields as "
					  "KEY=VALUE, or use --edit");
				goto done;
			}
			edit = true;
		}
	}
	if (edit && cli_edit_loop(&nc, &copy, &ch, rel, buf, len, false, NULL) != CLI_EDIT_DONE)
		goto done;
	if (cli_change_lock(&ch) != EXIT_OK)
		goto done;
	/* under the lock: the id nobody has taken in the meantime */
	crmf_store_list_free(files, nfiles);
	files = NULL;
	if (crmf_store_list(&files, &nfiles, ch.root) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	final_id = id_in(nc->doc->src, nc->doc->len);
	if (final_id && !strcmp(final_id, id)) {
		/* the id we proposed: renumber when another crmf took it meanwhile */
		free(final_id);
		final_id = next_id(ch.cfg, files, nfiles, today);
		if (!final_id)
			goto done;
	}
	if (!final_id) {
		cli_error("the file has no id");
		goto done;
	}
	free(rel);
	rel = path_for(final_id, years, today);
	written = malloc(nc->doc->len + 1);
	if (!written)
		abort();
	memcpy(written, nc->doc->src, nc->doc->len + 1);
	len = nc->doc->len;
	crmf_customer_free(nc);
	nc = NULL;
	if (strcmp(final_id, id) != 0 && apply(&written, &len, rel, NULL, 0, final_id, ch.cfg) != 0)
		goto done;
	if (cli_validate(&nc, &ch, rel, written, len, NULL) != 0) {
		cli_error("nothing written");
		goto done;
	}
	fspath = cli_path(ch.root, rel);
	if (crmf_store_check_path(ch.root, rel) != 0) {
		cli_error("%s; nothing written", crmf_error_last());
		goto done;
	}
	if (lstat(fspath, &st) == 0) {
		cli_error("%s exists already; nothing written", rel);
		goto done;
	}
	if (make_dirs(ch.root, rel) != 0)
		goto done;
	if (asprintf(&subject, "crmf: new %s: %s", final_id, name) < 0)
		abort();
	printf("%s: created %s\n", final_id, rel);
	rc = cli_save_commit(
	    &ch, rel, written, len,
	    &(crmf_commit_opts){.subject = subject, .action = "new", .customer = final_id});
	if (copy && access(fspath, F_OK) == 0)
		unlink(copy);
done:
	free(subject);
	free(written);
	free(final_id);
	free(fspath);
	free(copy);
	crmf_customer_free(nc);
	crmf_store_list_free(files, nfiles);
	free(buf);
	free(tpl);
	free(rel);
	free(id);
	free(owner);
	free(why);
	free(v);
	cli_change_end(&ch);
	return rc;
}
