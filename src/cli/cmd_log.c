/* SPDX-License-Identifier: MIT */
/* crmf log: append one follow-up to a customer's file and commit it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crmf/fields.h"

static int run(int argc, char **argv);

enum {
	O_METHOD = 256,
	O_SUMMARY,
	O_WITH,
	O_FEEDBACK,
	O_NEXT,
	O_KEEP_NEXT,
	O_DUE,
	O_DATE,
	O_BY,
	O_AUTHOR,
	O_TODAY
};

static const struct cli_opt options[] = {
    {O_METHOD, 0, "method", "M", N_("phone, visit, email, meeting, wechat or other")},
    {O_SUMMARY, 0, "summary", "TEXT", N_("what was discussed, concretely")},
    {O_WITH, 0, "with", "NAME", N_("who was spoken to")},
    {O_FEEDBACK, 0, "feedback", "TEXT", N_("the customer's feedback")},
    {O_NEXT, 0, "next", "TEXT", N_("the next action")},
    {O_KEEP_NEXT, 0, "keep-next", NULL,
     N_("keep the open next action (and its due date) open: copy it\n"
     "into this follow-up, which otherwise answers it")},
    {O_DUE, 0, "due", "DATE", N_("the deadline of --next (YYYY-MM-DD), not before --date")},
    {O_DATE, 0, "date", "DATE", N_("when: YYYY-MM-DD or 'YYYY-MM-DD HH:MM'; default today")},
    {O_BY, 0, "by", "NAME",
     N_("who followed up; default the team member matching git's\n"
     "identity (user.email, user.name, or --author)")},
    {O_AUTHOR, 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {O_TODAY, 0, "today", "DATE", N_("the date taken for today (YYYY-MM-DD)")},
    {0},
};

const struct crmf_cmd cmd_log = {
    .name = "log",
    .run = run,
    .summary = N_("append a follow-up to a customer (--method, --summary …), committed"),
    .synopsis = "ID --method METHOD --summary TEXT [--with NAME] [--feedback TEXT]\n"
		"    [--next TEXT [--due DATE] | --keep-next] [--date DATE] [--by NAME]\n"
		"    [--author 'NAME <EMAIL>'] [--today DATE]",
    .description = N_("Append a follow-up to customer ID (its id, or its file's path) and commit it:\n"
		   "  crmf log C2024001 --method phone --summary '确认交付周期可缩短到30天' \\\n"
		   "      --next '发送报价' --due 2025-06-20\n"
		   "The entry goes after the last one under `followups:` (which is created when\n"
		   "absent), indented like the file's other entries, keys in the order of the\n"
		   "format: date, by, method, with, summary, feedback, next, due. Nothing else\n"
		   "in the file changes. A follow-up answers the open next action (the newest\n"
		   "follow-up's `next`): --keep-next repeats it in the new one to keep it open.\n"
		   "A member who left the team (`left:` in crmf.yaml) cannot log after that day.\n"
		   "An archived customer can be logged on; 'crmf restore ID' puts it back on the\n"
		   "agenda. The result is validated first (a due date before the\n"
		   "follow-up's date, an unknown method… leave the file untouched). Your own\n"
		   "uncommitted edits of the file stay uncommitted (see 'crmf set --help').\n"),
    .opts = options,
    .notes = N_("exit status: 0 logged and committed, 1 refused (invalid entry, unknown\n"
	     "member, no git identity, merge in progress) or saved but not committed,\n"
	     "2 usage error or unknown customer\n"),
};


static int check_method(const char *m)
{
	crmf_repository *repo = NULL;
	const crmf_config *cfg = NULL;
	const char *s;
	char guess[128] = "";

	if (crmf_config_value(NULL, "method", m))
		return 0;
	/* a label of crmf.yaml (电话) names a method too: the change writes the method */
	if (crmf_repository_open(&repo, ".") == 0)
		crmf_repository_config(&cfg, repo);
	s = crmf_config_value(cfg, "method", m) ? m : crmf_config_suggest(cfg, "method", m);
	if (s)
		snprintf(guess, sizeof(guess), "%s", s);
	crmf_repository_close(repo);
	if (s == m)
		return 0;
	if (*guess)
		return cli_usage_error(&cmd_log, "unknown method '%s'; did you mean '%s'?", m,
				       guess);
	return cli_usage_error(&cmd_log,
			       "unknown method '%s'; use phone, visit, email, meeting, wechat or "
			       "other",
			       m);
}

/* The follow-up as given: the fields it needs, a known e->method, dates that are dates. */
static int check_entry(const crmf_log_entry *e)
{
	crmf_day day;
	int minute;

	if (!e->method || !e->summary || !*e->summary)
		return cli_usage_error(&cmd_log, "give --method and --summary");
	if (check_method(e->method))
		return EXIT_USAGE;
	if (e->date && crmf_datetime_parse(&day, &minute, e->date, strlen(e->date)) != 0)
		return cli_usage_error(&cmd_log,
				       "invalid date '%s' for --date; write YYYY-MM-DD or "
				       "'YYYY-MM-DD HH:MM'",
				       e->date);
	if (e->due && crmf_date_parse(&day, e->due, strlen(e->due)) != 0)
		return cli_usage_error(&cmd_log, "invalid date '%s' for --due; write YYYY-MM-DD",
				       e->due);
	if (e->keep_next && e->next)
		return cli_usage_error(&cmd_log, "give --next or --keep-next, not both");
	if (e->due && !e->next)
		return cli_usage_error(&cmd_log, "--due is the deadline of the next action: give "
						 "--next too");
	return EXIT_OK;
}

/* The change: `e->by` the --by argument (NULL: the user). */
static int log_change(const char *arg, const crmf_log_entry *e, const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	crmf_log_entry entry = *e;
	char *by = NULL, *why = NULL;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, repo, author, today)) != 0 ||
	    (rc = crmf_change_find(tx, arg, CRMF_IN_CUSTOMERS | CRMF_IN_ARCHIVE)) != 0)
		goto done;
	if (e->by) {
		const crmf_config *cfg;
		const crmf_member *m;

		crmf_repository_config(&cfg, repo);
		m = crmf_config_member(cfg, e->by);
		by = strdup(m ? m->id : e->by);
	} else if (crmf_change_me(&by, &why, tx) != 0) {
		cli_change_print(tx);
		cli_error("who followed up? give --by NAME: %s", why);
		rc = CRMF_CHANGE_REFUSED;
		goto done;
	}
	entry.by = by;
	if ((rc = crmf_change_lock(tx)) == 0 && (rc = crmf_change_load(tx)) == 0 &&
	    (rc = crmf_change_log(tx, &entry)) == 0)
		rc = crmf_change_commit(tx);
done:
	rc = cli_change_exit(tx, rc);
	free(why);
	free(by);
	crmf_change_free(tx);
	crmf_repository_close(repo);
	return rc;
}

/* The options into `e` (its by is --by), *author and *today_arg; cli_args_next's last result. */
static int read_options(cli_args *args, crmf_log_entry *e, const char **author,
			const char **today_arg)
{
	int c;

	while ((c = cli_args_next(args)) > 0) {
		const char **to[] = {&e->method, &e->summary, &e->with, &e->feedback, &e->next,
				     NULL,	 &e->due,     &e->date, &e->by,	    author,
				     today_arg};

		if (c == O_KEEP_NEXT)
			e->keep_next = true;
		else
			*to[c - O_METHOD] = args->arg;
	}
	return c;
}

/* Every argument free of control characters, exactly one customer id. */
static int check_args(const crmf_log_entry *e, const char *author, const char *today_arg,
		      int ind, int argc, char **argv)
{
	const char *const vals[] = {e->method, e->summary, e->with, e->feedback, e->next,
				    e->due,    e->date,	   e->by,   author,	 today_arg};
	static const char *const names[] = {"--method", "--summary", "--with",	 "--feedback",
					    "--next",	"--due",     "--date",	 "--by",
					    "--author", "--today"};

	for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++)
		if (cli_check_arg(&cmd_log, names[i], vals[i]) != EXIT_OK)
			return EXIT_USAGE;
	for (int i = ind; i < argc; i++)
		if (cli_check_arg(&cmd_log, "the customer id", argv[i]) != EXIT_OK)
			return EXIT_USAGE;
	if (ind >= argc)
		return cli_usage_error(&cmd_log, "which customer? give its id");
	if (ind + 1 < argc)
		return cli_usage_error(&cmd_log,
				       "one customer at a time ('%s' is one too many); "
				       "quote a summary with spaces",
				       argv[ind + 1]);
	return check_entry(e);
}

static int run(int argc, char **argv)
{
	cli_args args;
	crmf_log_entry e = {0};
	const char *author = NULL, *today_arg = NULL;
	crmf_day today;
	char today_buf[11];

	cli_args_init(&args, &cmd_log, argc, argv);
	if (read_options(&args, &e, &author, &today_arg) < 0)
		return args.status;
	if (check_args(&e, author, today_arg, args.ind, argc, argv) != EXIT_OK ||
	    cli_today(&today, today_arg))
		return EXIT_USAGE;
	if (!e.date) {
		crmf_date_format(today, today_buf);
		e.date = today_buf;
	}
	return log_change(argv[args.ind], &e, author, today);
}
