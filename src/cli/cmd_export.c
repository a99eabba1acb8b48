/* SPDX-License-Identifier: MIT */
/* crmf export: the chosen customers as an Excel workbook, Excel-safe CSV, JSON or vCards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'f', 0, "format", "FMT",
     N_("xlsx, csv, json or vcf (default: told by -o's suffix, else xlsx)")},
    {'w', 0, "where", "EXPR", N_("only customers matching EXPR (see doc/where.md)")},
    {'a', 0, "archived", NULL, N_("only archived customers")},
    {'A', 0, "all", NULL, N_("active and archived customers")},
    {'r', 0, "redact", NULL, N_("mask contacts' phones and emails (138****2236, z***@example.cn)")},
    {'o', 'o', "output", "FILE", N_("write FILE (atomically) instead of standard output")},
    {'t', 0, "today", "DATE", N_("the date --where and JSON's computed fields use (YYYY-MM-DD)")},
    {0},
};

const struct crmf_cmd cmd_export = {
    .name = "export",
    .run = run,
    .summary = N_("write customers out as .xlsx, Excel-safe CSV, JSON or vCards"),
    .synopsis = "[--format xlsx|csv|json|vcf] [--where EXPR] [--archived | --all]\n"
		"    [--redact] [--today DATE] [-o FILE]",
    .description =
	N_("Write the customers (archived ones left out unless asked for), in id order:\n"
	"\n"
	"  xlsx  a workbook that 'crmf import' reads back: sheet 客户 (one row per\n"
	"        customer, its primary contact, latest deal and newest follow-up),\n"
	"        联系人 (every contact), 合同 (every deal) and 跟进记录 (every\n"
	"        follow-up), keyed by 客户编号; headers the import knows, dates as date\n"
	"        cells, amounts as numbers, phones as text, the header row frozen and\n"
	"        filtered\n"
	"  csv   the 客户 sheet as CSV for Excel and WPS: a byte-order mark, quoted\n"
	"        as needed, cells that would run as formulas defused\n"
	"  json  every stored and computed field, as 'crmf show --format json', in an\n"
	"        array\n"
	"  vcf   a vCard 4.0 of each contact (name, company, title, phone, email, the\n"
	"        customer's id), to load on a phone\n"
	"\n"
	"A workbook is not written to a terminal: give -o FILE or redirect.\n"),
    .opts = options,
    .notes = N_("exit status: 0 written, 2 usage or repository error, or a file that cannot be\n"
	     "written\n"),
    .opt_width = 22,
};

enum fmt { X_NONE, X_XLSX, X_CSV, X_JSON, X_VCF };

static enum fmt fmt_of(const char *s)
{
	static const char *const names[] = {"", "xlsx", "csv", "json", "vcf"};

	for (int i = X_XLSX; i <= X_VCF; i++)
		if (!strcasecmp(s, names[i]))
			return (enum fmt)i;
	if (!strcasecmp(s, "vcard"))
		return X_VCF;
	return X_NONE;
}

struct opts {
	enum fmt fmt;
	const char *where, *output;
	crmf_export_which archived;
	bool redact;
	crmf_day today;
};

struct keep_ctx {
	const crmf_expr *where;
	crmf_export_which archived;
	crmf_day today;
};

/* In the scan's threads: only the customers exported are kept. */
static bool keep(void *ctx, const crmf_customer *c, const crmf_config *cfg)
{
	const struct keep_ctx *k = ctx;

	if ((k->archived == CRMF_EXPORT_ACTIVE && c->archived) ||
	    (k->archived == CRMF_EXPORT_ARCHIVED && !c->archived))
		return false;
	return !k->where || cli_where_match(k->where, c, cfg, k->today);
}

/* The CSV of the customer sheet through the table printer of `crmf list --excel`. */
static void write_csv(FILE *f, const crmf_export *x)
{
	const crmf_xsheet *s = &x->sheets[CRMF_XSHEET_CUSTOMERS];
	const char **cells = calloc(s->n_cols, sizeof(*cells));
	cli_table *t = cli_table_new(s->n_cols, s->headers);

	if (!cells)
		abort();
	cli_table_excel(t, true);
	for (size_t r = 0; r < s->n_rows; r++) {
		for (size_t c = 0; c < s->n_cols; c++)
			cells[c] = s->cells[r * s->n_cols + c].text;
		cli_table_add(t, cells);
	}
	cli_table_print(f, t, FMT_CSV);
	cli_table_free(t);
	free(cells);
}

static void write_json(FILE *f, crmf_customer **v, size_t n, const crmf_config *cfg,
		       const struct opts *o)
{
	fputs("[", f);
	for (size_t i = 0; i < n; i++) {
		crmf_class k;

		crmf_classify(&k, v[i], cfg, o->today);
		fputs(i ? ",\n " : "\n ", f);
		if (o->redact)
			cli_customer_json_redacted(f, cfg, v[i], &k);
		else
			cli_customer_json(f, cfg, v[i], &k);
	}
	fputs(n ? "\n]\n" : "]\n", f);
}

/* The whole file at `path` into *out and *len; -1 with errno. */
static int slurp(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	FILE *m;
	char chunk[65536];
	size_t n;
	int err = 0;

	if (!f)
		return -1;
	if (!(m = open_memstream(out, len)))
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	if (ferror(f))
		err = errno ? errno : EIO;
	fclose(f);
	fclose(m);
	if (err) {
		free(*out);
		*out = NULL;
		errno = err;
		return -1;
	}
	return 0;
}

/* The workbook's bytes: libxlsxwriter writes a file, read back here. */
static int xlsx_bytes(char **out, size_t *len, const crmf_export *x)
{
	const char *dir = getenv("TMPDIR");
	char *tmp;
	int fd, rc;

	if (!dir || !*dir)
		dir = "/tmp";
	if (asprintf(&tmp, "%s/crmf-export-XXXXXX", dir) < 0)
		abort();
	if ((fd = mkstemp(tmp)) < 0) {
		cli_error("cannot make a temporary file in %s: %s", dir, strerror(errno));
		free(tmp);
		return -1;
	}
	close(fd);
	rc = crmf_export_xlsx(x, tmp);
	if (rc != 0)
		cli_error("%s", crmf_error_last());
	else if ((rc = slurp(out, len, tmp)) != 0)
		cli_error("cannot read back '%s': %s", tmp, strerror(errno));
	unlink(tmp);
	free(tmp);
	return rc;
}

/* The bytes of the export in the chosen format; -1 when said. */
static int render(char **out, size_t *len, crmf_customer **v, size_t n, const crmf_config *cfg,
		  const struct opts *o)
{
	unsigned flags = o->redact ? CRMF_EXPORT_REDACT : 0;
	crmf_export *x;
	FILE *f;
	int rc = 0;

	if (o->fmt == X_VCF) {
		*out = crmf_export_vcard_crypt((const crmf_customer *const *)v, n, cfg, cli_crypt(),
					       flags, len);
		return 0;
	}
	if (o->fmt == X_JSON) {
		if (!(f = open_memstream(out, len)))
			abort();
		write_json(f, v, n, cfg, o);
		fclose(f);
		return 0;
	}
	x = crmf_export_build_crypt((const crmf_customer *const *)v, n, cfg, cli_crypt(), flags);
	if (o->fmt == X_CSV) {
		if (!(f = open_memstream(out, len)))
			abort();
		write_csv(f, x);
		fclose(f);
	} else {
		rc = xlsx_bytes(out, len, x);
	}
	crmf_export_free(x);
	return rc;
}

static int parse_options(int argc, char **argv, struct opts *o)
{
	cli_args args;
	const char *today_arg = NULL, *fmt_arg = NULL;
	int c;

	cli_args_init(&args, &cmd_export, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'f':
			fmt_arg = args.arg;
			break;
		case 'w':
			o->where = args.arg;
			break;
		case 'a':
		case 'A':
			if (o->archived &&
			    o->archived != (c == 'a' ? CRMF_EXPORT_ARCHIVED : CRMF_EXPORT_ALL))
				return cli_usage_error(&cmd_export,
						       "--archived and --all exclude each other");
			o->archived = c == 'a' ? CRMF_EXPORT_ARCHIVED : CRMF_EXPORT_ALL;
			break;
		case 'r':
			o->redact = true;
			break;
		case 'o':
			o->output = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(&cmd_export, "unexpected argument '%s'", argv[args.ind]);
	if (fmt_arg && !(o->fmt = fmt_of(fmt_arg)))
		return cli_usage_error(&cmd_export, "unknown format '%s'; use xlsx, csv, json or vcf",
				       fmt_arg);
	if (o->output && !*o->output)
		return cli_usage_error(&cmd_export, "-o needs a file name");
	if (!o->fmt && o->output) {
		const char *dot = strrchr(o->output, '.');

		o->fmt = dot && !strchr(dot, '/') ? fmt_of(dot + 1) : X_NONE;
	}
	if (!o->fmt)
		o->fmt = X_XLSX;
	if (o->fmt == X_XLSX && !o->output && isatty(STDOUT_FILENO))
		return cli_usage_error(&cmd_export, "a workbook is not for a terminal; give -o "
						    "FILE.xlsx or redirect the output");
	if (cli_check_arg(&cmd_export, "--today", today_arg) != EXIT_OK ||
	    cli_today(&o->today, today_arg) != EXIT_OK)
		return EXIT_USAGE;
	return -1;
}

static int run(int argc, char **argv)
{
	struct opts o = {0};
	struct keep_ctx kc;
	crmf_scan_opts so = {0};
	crmf_repository *rep = NULL;
	crmf_repo *repo = NULL;
	crmf_expr *where = NULL;
	crmf_diags diags;
	crmf_customer **v = NULL;
	char *buf = NULL;
	size_t len = 0, bad, n;
	int rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	rc = EXIT_USAGE;
	if (!(rep = cli_repository()))
		return EXIT_USAGE;
	crmf_diags_init(&diags);
	if (crmf_repo_open(&repo, crmf_repository_root(rep)) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	cli_crypt_begin(rep, repo->cfg, o.redact);
	if (o.where && cli_where_parse(&where, repo->cfg, o.where, o.today) != 0)
		goto done;
	kc = (struct keep_ctx){where, o.archived, o.today};
	so.today = o.today;
	so.mode = CRMF_SCAN_DOCS;
	so.keep = keep;
	so.keep_ctx = &kc;
	if (crmf_repo_scan(repo, &so, &diags) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	if ((bad = cli_files_with_errors(&diags)))
		cli_error("%zu file%s errors; run 'crmf check'", bad, bad == 1 ? " has" : "s have");
	/* the scan kept those --where and --archived choose; in id order */
	n = crmf_export_select(&v, repo->v, repo->n, o.archived, NULL, NULL);
	if (render(&buf, &len, v, n, repo->cfg, &o) != 0)
		goto done;
	if (o.output) {
		if (crmf_write_atomic(o.output, buf, len) != 0) {
			cli_error("%s", crmf_error_last());
			goto done;
		}
	} else if (fwrite(buf, 1, len, stdout) != len || fflush(stdout) != 0) {
		cli_error("cannot write the output: %s", strerror(errno));
		goto done;
	}
	rc = EXIT_OK;
done:
	free(buf);
	free(v);
	crmf_expr_free(where);
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	crmf_repository_close(rep);
	return rc;
}
