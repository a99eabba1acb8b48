/* SPDX-License-Identifier: MIT */
/* crmf reassign: hand every customer of one team member over to another, as one commit. */
#include <stdlib.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'w', 0, "where", "EXPR",
     N_("only the customers of FROM matching EXPR (the language of\n"
     "'crmf list --where', doc/where.md), e.g. 'region = 华东'")},
    {'t', 0, "today", "DATE", N_("the date taken for today (YYYY-MM-DD)")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {0},
};

const struct crmf_cmd cmd_reassign = {
    .name = "reassign",
    .run = run,
    .summary = N_("hand every customer of one member over to another, committed"),
    .synopsis = "FROM TO [--where EXPR] [--today DATE] [--author 'NAME <EMAIL>']",
    .description = N_("Set the owner of every customer under customers/ owned by FROM (a team\n"
		   "member, for instance one who left: 'left:' in crmf.yaml) to TO, in one\n"
		   "commit whose message lists them. Every file must stay valid and have no\n"
		   "uncommitted changes, or nothing changes. Archived customers keep their owner.\n"
		   "With --where, only FROM's customers that match EXPR are handed over:\n"
		   "  crmf reassign wang.fang li.na --where 'region = 华东'\n"
		   "  crmf reassign wang.fang chen.hao --where 'region in (华北, 西部)'\n"),
    .opts = options,
    .notes = N_("exit status: 0 handed over, 1 refused (unknown member, TO has left, a file\n"
	     "invalid or with uncommitted changes) or nothing to hand over, 2 usage error\n"
	     "(an invalid --where included)\n"),
    .opt_width = 16,
};

static int reassign(const char *from, const char *to, const char *where_arg, const char *author,
		    crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	crmf_expr *where = NULL;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if (cli_where(&where, repo, where_arg, today) != EXIT_OK) {
		crmf_repository_close(repo);
		return EXIT_USAGE;
	}
	if ((rc = crmf_change_open(&tx, repo, author, today)) == 0)
		rc = crmf_change_reassign_where(tx, from, to, where);
	if (rc == CRMF_CHANGE_NOTHING)
		rc = CRMF_CHANGE_REFUSED;
	rc = cli_change_exit(tx, rc);
	crmf_change_free(tx);
	crmf_expr_free(where);
	crmf_repository_close(repo);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *today_arg = NULL, *author = NULL, *where = NULL;
	crmf_day today;
	int c;

	cli_args_init(&args, &cmd_reassign, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		if (c == 't')
			today_arg = args.arg;
		else if (c == 'a')
			author = args.arg;
		else if (c == 'w')
			where = args.arg;
	}
	if (c < 0)
		return args.status;
	if (argc - args.ind != 2)
		return cli_usage_error(&cmd_reassign, "give FROM and TO, two team members");
	if (cli_check_arg(&cmd_reassign, "FROM", argv[args.ind]) != EXIT_OK ||
	    cli_check_arg(&cmd_reassign, "TO", argv[args.ind + 1]) != EXIT_OK ||
	    cli_check_arg(&cmd_reassign, "--today", today_arg) != EXIT_OK ||
	    cli_check_arg(&cmd_reassign, "--author", author) != EXIT_OK)
		return EXIT_USAGE;
	if (cli_today(&today, today_arg))
		return EXIT_USAGE;
	return reassign(argv[args.ind], argv[args.ind + 1], where, author, today);
}
