/* SPDX-License-Identifier: MIT */
/* crmf import: a spreadsheet's rows as customers, all checked first, then committed in one commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/import_sheets.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'s', 0, "sheet", "NAME|N", N_("the sheet to read (default: import.sheet, else the first)")},
    {'m', 0, "map", "FILE", N_("a column mapping (as crmf.yaml's import:) over crmf.yaml's")},
    {'E', 0, "encoding", "ENC", N_("text files: decode from ENC (GBK, UTF-16…) instead of detecting")},
    {'n', 0, "dry-run", NULL, N_("say what would be created, updated and skipped; write nothing")},
    {'U', 0, "no-update", NULL, N_("rows whose id exists: skip them instead of updating")},
    {'D', 0, "allow-duplicates", NULL, N_("import probable duplicates anyway (warnings, not errors)")},
    {'q', 0, "quiet", NULL, N_("no progress, no line per row: problems and the outcome only")},
    {'t', 0, "today", "DATE", N_("the day of the import (YYYY-MM-DD): ids, created, checks")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {0},
};

const struct crmf_cmd cmd_import = {
    .name = "import",
    .run = run,
    .summary = N_("bring a spreadsheet's customers in, checked, in one commit"),
    .synopsis = "FILE [--sheet NAME|N] [--map FILE] [--encoding ENC] [--dry-run]\n"
		"    [--no-update] [--allow-duplicates] [--quiet] [--today DATE]\n"
		"    [--author 'NAME <EMAIL>']",
    .description =
	N_("Read FILE (.xlsx, .xls, .csv or .tsv; UTF-8, GBK/GB18030 or UTF-16), map\n"
	"every row below the header to a customer (the columns of the usual\n"
	"templates are known: 客户编号, 客户名称, 联系人, 电话, 电子邮箱, 合作阶段, …;\n"
	"crmf.yaml's import: section or --map changes or adds columns), and check\n"
	"every row as 'crmf check' does, plus ids repeated in the file and probable\n"
	"duplicates (same company name, phone or email) of existing customers or of\n"
	"another new row of the file (--allow-duplicates imports them anyway).\n"
	"Numbered columns (联系人2, 电话2, 邮箱2…) give more contacts.\n"
	"\n"
	"A row whose id exists updates that customer where the sheet differs: a\n"
	"value from a non-empty cell replaces the file's (an edit of that value only:\n"
	"comments and the rest stay), contacts and the follow-up the file lacks are\n"
	"added, nothing is removed (--no-update skips such rows). Importing a file\n"
	"twice changes nothing the second time.\n"
	"\n"
	"All or nothing: any error is reported at its cell (team.xlsx:客户信息表!F5)\n"
	"and nothing is written. Otherwise rows without an id get the next ids of\n"
	"id_format and every new or updated customer is written and committed in\n"
	"one commit, so that 'git revert' undoes the import. --dry-run lists what\n"
	"would be created, updated (each change, old → new), skipped and unchanged.\n"
	"On a terminal, a large file shows its progress on stderr.\n"),
    .opts = options,
    .notes = N_("exit status: 0 imported (or nothing new), 1 errors: nothing written, 2 usage\n"
	     "error or a file that cannot be read\n"),
    .opt_width = 20,
};

struct progress {
	bool on;
	int phase; /* the phase on the line, -1 none */
};

static void show_progress(void *ctx, crmf_import_phase phase, size_t done, size_t n)
{
	static const char *const what[] = {N_("checking rows"), N_("comparing with the repository"),
					   N_("writing files"), N_("committing")};
	struct progress *p = ctx;

	if (!p->on)
		return;
	if (p->phase >= 0 && p->phase != (int)phase)
		fputc('\n', stderr);
	p->phase = (int)phase;
	if (phase == CRMF_IMPORT_COMMITTING)
		fprintf(stderr, "\r%s%s%s", _("import: "), _(what[phase]),
			done == n ? _(", done") : "…");
	else
		fprintf(stderr, "\r%s%s %zu/%zu", _("import: "), _(what[phase]), done, n);
	fflush(stderr);
}

/* The end of the progress line, before anything else is printed. */
static void end_progress(struct progress *p)
{
	if (p->on && p->phase >= 0)
		fputc('\n', stderr);
	p->phase = -1;
}

/* The change's report; quiet: without the lines about each row. */
static void print_report(crmf_change_tx *tx, bool quiet)
{
	const crmf_report_item *v;
	size_t n;

	if (!quiet) {
		cli_change_print(tx);
		return;
	}
	n = crmf_change_report(&v, tx);
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == CRMF_REPORT_DIAG)
			cli_print_diag(stderr, &v[i].diag);
		else if (v[i].kind == CRMF_REPORT_ERROR)
			cli_error("%s", v[i].text);
		else if (v[i].kind == CRMF_REPORT_NOTE)
			fprintf(stderr, "%s\n", v[i].text);
	crmf_change_report_clear(tx);
}

static void print_diags(const crmf_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		cli_print_diag(stderr, &d->v[i]);
}

/* The large files whose progress is shown. */
#define PROGRESS_ROWS 2000

static int import_file(const char *file, const char *sheet_arg, const char *map_file,
		       const crmf_sheet_options *so, crmf_change_import_opts *io, bool quiet,
		       const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	crmf_import_map *map = NULL;
	crmf_workbook *wb = NULL;
	crmf_import *imp = NULL;
	const crmf_sheet *sheet;
	const crmf_config *cfg = NULL;
	crmf_import_counts counts;
	crmf_diags d;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	char *where = NULL;
	struct progress prog = {!quiet && isatty(STDERR_FILENO) != 0, -1};
	int rc = CRMF_CHANGE_REFUSED;

	crmf_diags_init(&d);
	if (!repo)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, repo, author, today)) != 0)
		goto done;
	cli_change_print(tx);
	rc = CRMF_CHANGE_REFUSED;
	if (crmf_change_import_map(&map, tx, map_file, &d) != 0) {
		print_diags(&d);
		cli_error("the column mapping has errors; nothing imported");
		goto done;
	}
	if (crmf_workbook_open(&wb, file, so) != 0) {
		cli_error("%s", crmf_error_last());
		rc = CRMF_CHANGE_UNKNOWN;
		goto done;
	}
	if (!sheet_arg)
		sheet_arg = crmf_import_map_sheet(map);
	if (!(sheet = crmf_workbook_sheet(wb, sheet_arg))) {
		cli_error("%s", crmf_error_last());
		rc = CRMF_CHANGE_UNKNOWN;
		goto done;
	}
	/* a workbook's cells are named with their sheet: team.xlsx:客户信息表!F5 */
	if (!(where = malloc(strlen(base) + strlen(sheet->name) + 2)))
		abort();
	if (wb->format == CRMF_SHEET_XLSX || wb->format == CRMF_SHEET_XLS)
		sprintf(where, "%s:%s", base, sheet->name);
	else
		strcpy(where, base);
	if (crmf_repository_config(&cfg, repo) != 0)
		cfg = NULL;
	prog.on = prog.on && sheet->n_rows > PROGRESS_ROWS;
	if (crmf_import_sheet(&imp, sheet, map, cfg,
			      &(crmf_import_options){.where = where,
						     .today = today,
						     .progress = show_progress,
						     .progress_ctx = &prog},
			      &d) != 0) {
		end_progress(&prog);
		print_diags(&d);
		cli_error("%s", crmf_error_last());
		goto done;
	}
	/* a workbook's 联系人, 合同 and 跟进记录 sheets (as crmf export writes them) */
	if (wb->format == CRMF_SHEET_XLSX || wb->format == CRMF_SHEET_XLS)
		crmf_import_records(imp, wb, cfg, base, today, &d);
	io->progress = show_progress;
	io->progress_ctx = &prog;
	rc = crmf_change_import(tx, imp, file, io, &counts, &d);
	end_progress(&prog);
	print_diags(&d);
	if (rc == CRMF_CHANGE_REFUSED)
		goto done;
	print_report(tx, quiet);
	if (rc == 0 || rc == CRMF_CHANGE_NOTHING)
		printf(_("%s%zu created, %zu updated, %zu unchanged, %zu skipped\n"),
		       io->dry_run ? "dry run, nothing written: " : "", counts.created,
		       counts.updated, counts.unchanged, counts.skipped);
	if (rc == CRMF_CHANGE_NOTHING)
		printf(_("nothing to import: no row creates or changes a customer\n"));
done:
	rc = cli_change_exit(tx, rc);
	free(where);
	crmf_import_free(imp);
	crmf_workbook_free(wb);
	crmf_import_map_free(map);
	crmf_diags_release(&d);
	crmf_change_free(tx);
	crmf_repository_close(repo);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *sheet = NULL, *map = NULL, *encoding = NULL, *today_arg = NULL,
		   *author = NULL, *file;
	crmf_change_import_opts io = {0};
	bool quiet = false;
	crmf_day today;
	int c;

	cli_args_init(&args, &cmd_import, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 's':
			sheet = args.arg;
			break;
		case 'm':
			map = args.arg;
			break;
		case 'E':
			encoding = args.arg;
			break;
		case 'n':
			io.dry_run = true;
			break;
		case 'U':
			io.no_update = true;
			break;
		case 'D':
			io.allow_duplicates = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 'a':
			author = args.arg;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind >= argc || !argv[args.ind][0])
		return cli_usage_error(&cmd_import, "give the spreadsheet to import");
	file = argv[args.ind++];
	if (args.ind < argc)
		return cli_usage_error(&cmd_import, "give one spreadsheet at a time");
	if (cli_check_arg(&cmd_import, "--author", author) != EXIT_OK ||
	    cli_check_arg(&cmd_import, "--today", today_arg) != EXIT_OK ||
	    cli_today(&today, today_arg) != EXIT_OK)
		return EXIT_USAGE;
	return import_file(file, sheet, map, &(crmf_sheet_options){.encoding = encoding},
			   &io, quiet, author, today);
}
