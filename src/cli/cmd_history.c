/* SPDX-License-Identifier: MIT */
/* crmf history: a customer's audit trail from git, with the fields each commit changed. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'F', 0, "field", "FIELD", N_("only the commits, and the lines, about this top-level field")},
    {'f', 0, "format", "FMT", N_("text (default) or json")},
    {0},
};

const struct crmf_cmd cmd_history = {
    .name = "history",
    .run = run,
    .summary = N_("a customer's audit trail from git, field by field"),
    .synopsis = "ID [--field FIELD] [--format text|json]",
    .description = N_("Every commit that changed customer ID's file, newest first, following its\n"
		   "moves between customers/ and archive/: the commit, its date and author, its\n"
		   "subject, and what changed field by field:\n"
		   "  stage: intent → negotiation\n"
		   "  + follow-up 2025-06-16 phone\n"
		   "Changes made by hand show up the same way as crmf's own.\n"),
    .opts = options,
    .notes = N_("exit status: 0 success, 1 no commit touches the customer (or the field),\n"
	     "2 usage or repository error\n"),
    .opt_width = 16,
};

/* "2025-06-16 09:30 +0800" (iso: "2025-06-16T09:30:00+08:00") in the commit's own zone. */
static void format_time(char *buf, size_t size, long long t, int tz, bool iso)
{
	time_t local = (time_t)(t + (long long)tz * 60);
	struct tm tm;
	char day[32];
	int a = tz < 0 ? -tz : tz;

	gmtime_r(&local, &tm);
	strftime(day, sizeof(day), iso ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M", &tm);
	snprintf(buf, size, iso ? "%s%c%02d:%02d" : "%s %c%02d%02d", day, tz < 0 ? '-' : '+',
		 a / 60, a % 60);
}

static void print_json(const crmf_history_entry *h, size_t n)
{
	fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		char when[40];

		format_time(when, sizeof(when), h[i].time, h[i].tz_minutes, true);
		fputs(i ? ",\n " : "\n ", stdout);
		printf("{\"commit\": \"%s\", \"date\": \"%s\", \"author\": ", h[i].oid, when);
		cli_json_string(stdout, h[i].author);
		fputs(", \"subject\": ", stdout);
		cli_json_string(stdout, h[i].subject);
		fputs(", \"path\": ", stdout);
		cli_json_string(stdout, h[i].path);
		fputs(", \"changes\": [", stdout);
		for (size_t k = 0; k < h[i].n_changes; k++) {
			if (k)
				fputs(", ", stdout);
			cli_json_string(stdout, h[i].changes[k]);
		}
		fputs("]}", stdout);
	}
	fputs(n ? "\n]\n" : "]\n", stdout);
}

static void print_text(const crmf_history_entry *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char when[40];

		format_time(when, sizeof(when), h[i].time, h[i].tz_minutes, false);
		if (i)
			putchar('\n');
		printf("%.7s  %s  %s", h[i].oid, when, h[i].author ? h[i].author : "");
		/* where the file was, when that is not where it is now */
		if (h[i].path && h[0].path && strcmp(h[i].path, h[0].path) != 0)
			printf("  (%s)", h[i].path);
		printf("\n    %s\n", h[i].subject ? h[i].subject : "");
		for (size_t k = 0; k < h[i].n_changes; k++)
			printf("      %s\n", h[i].changes[k]);
	}
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *field = NULL;
	cli_format fmt = FMT_TEXT;
	crmf_history_entry *h = NULL;
	size_t n = 0;
	crmf_repository *r = NULL;
	char *id = NULL;
	int c, rc = EXIT_USAGE;

	cli_keep_freed_memory();
	cli_args_init(&args, &cmd_history, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'F':
			field = args.arg;
			break;
		case 'f':
			if (cli_parse_format(&fmt, args.arg, 1u << FMT_TEXT | 1u << FMT_JSON))
				return EXIT_USAGE;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind + 1 != argc)
		return cli_usage_error(&cmd_history, args.ind == argc ? "which customer? give its id"
								    : "one customer at a time");
	r = cli_repository();
	if (!r)
		return EXIT_USAGE;
	/* a path names its id: the history follows the id across moves */
	id = cli_path_id(argv[args.ind]);
	if (crmf_repository_history(&h, &n, r, id, field) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	if (n == 0 && fmt == FMT_TEXT) {
		if (field)
			cli_error("no commit changed '%s' of customer '%s'", field, id);
		else
			cli_error("no commit touches customer '%s'", id);
		rc = EXIT_FOUND;
		goto done;
	}
	if (fmt == FMT_JSON)
		print_json(h, n);
	else
		print_text(h, n);
	rc = n ? EXIT_OK : EXIT_FOUND;
done:
	crmf_history_free(h, n);
	free(id);
	crmf_repository_close(r);
	return rc;
}

