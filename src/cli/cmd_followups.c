/* SPDX-License-Identifier: MIT */
/* crmf followups: one row per follow-up with its customer's fields, filtered, sorted or counted. */
#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'w', 0, "where", "EXPR",
     N_("only follow-ups matching EXPR (see doc/where.md): their fields\n"
     "(date, by, method, with, summary, feedback, next, due, week, month)\n"
     "and their customer's, e.g. 'date >= today - 7d and method = visit'")},
    {'s', 0, "sort", "KEYS",
     N_("comma-separated fields, '-' before one for descending;\n"
     "ties are broken by date, then customer id")},
    {'c', 0, "columns", "LIST",
     N_("comma-separated fields to show; default\n"
     "date,by,method,id,name,owner,stage,next,due,summary")},
    {'n', 0, "count-by", "FIELD",
     N_("count follow-ups per value of FIELD (by, method, week,\n"
     "month, owner, stage…) instead of listing them")},
    {'t', 0, "today", "DATE", N_("the date 'today' and the computed fields are relative to")},
    {'a', 0, "archived", NULL, N_("only follow-ups of archived customers")},
    {'A', 0, "all", NULL, N_("follow-ups of active and archived customers")},
    {'f', 0, "format", "FMT", N_("table (default), json, csv or tsv")},
    {'E', 0, "excel", NULL, N_("CSV for Excel and WPS: a byte-order mark, formulas defused")},
    {'W', 0, "wide", NULL, N_("a table with every column whole, whatever the terminal")},
    {'N', 0, "no-cache", NULL, N_("check every file again, ignoring the validation cache")},
    {0},
};

const struct crmf_cmd cmd_followups = {
    .name = "followups",
    .run = run,
    .summary = N_("list or count follow-ups, one row each, with their customer's fields"),
    .synopsis = "[--where EXPR] [--sort KEYS] [--columns LIST] [--count-by FIELD]\n"
		"    [--today DATE] [--archived | --all] [--format table|json|csv|tsv]\n"
		"    [--excel] [--wide] [--no-cache]",
    .description =
	N_("One row per follow-up (those of archived customers left out unless asked for),\n"
	"oldest first. Its fields: date, by, method, with, summary, feedback, next, due,\n"
	"and week (ISO 8601, 2025-W25) and month (2025-06) of its date; followups.by is\n"
	"the same as by. Every field of crmf list names the customer's (id, name, owner,\n"
	"stage, quadrant…). --count-by counts follow-ups, not customers: '--count-by by\n"
	"--where \"date >= today - 7d\"' is what each person logged in the last week.\n"),
    .opts = options,
    .notes = N_("exit status: 0 success, 2 usage or repository error\n"),
};

static int run(int argc, char **argv)
{
	return cli_followups_run(&cmd_followups, argc, argv);
}
