/* crmf history: a customer's audit trail from git, with the fields each commit changed. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char usage[] =
    "usage: crmf history ID [--field FIELD] [--format text|json]\n"
    "\n"
    "Every commit that changed customer ID's file, newest first, following its\n"
    "moves between customers/ and archive/: the commit, its date and author, its\n"
    "subject, and what changed field by field:\n"
    "  stage: intent → negotiation\n"
    "  + follow-up 2025-06-16 phone\n"
    "Changes made by hand show up the same way as crmf's own.\n"
    "\n"
    "options:\n"
    "  --field FIELD   only the commits, and the lines, about this top-level field\n"
    "  --format FMT    text (default) or json\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 success, 1 no commit touches the customer (or the field),\n"
    "2 usage or repository error\n";

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
	static const struct option opts[] = {
	    {"field", required_argument, NULL, 'F'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	const char *field = NULL;
	cli_format fmt = FMT_TEXT;
	crmf_history_entry *h = NULL;
	size_t n = 0;
	crmf_repository *r = NULL;
	char *id = NULL;
	int c, rc = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			field = optarg;
			break;
		case 'f':
			if (cli_parse_format(&fmt, optarg, 1u << FMT_TEXT | 1u << FMT_JSON))
				return EXIT_USAGE;
			break;
		default:
			return cli_usage_error(&cmd_history, "invalid option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(&cmd_history, optind == argc ? "which customer? give its id"
								    : "one customer at a time");
	r = cli_repository();
	if (!r)
		return EXIT_USAGE;
	/* a path names its id: the history follows the id across moves */
	id = cli_path_id(argv[optind]);
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

const struct crmf_cmd cmd_history = {
    "history",
    run,
    "a customer's audit trail from git, field by field",
    usage,
};
