/* SPDX-License-Identifier: MIT */
/* crmf archive and crmf restore: move customer files between customers/ and archive/, committed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int run_archive(int argc, char **argv);
static int run_restore(int argc, char **argv);

static const struct cli_opt archive_options[] = {
    {'s', 0, "stale", NULL, N_("archive every customer without contact for archive_after")},
    {'n', 'n', "dry-run", NULL, N_("with --stale: only list them")},
    {'t', 0, "today", "DATE", N_("the day to judge staleness on (YYYY-MM-DD)")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {0},
};

const struct crmf_cmd cmd_archive = {
    .name = "archive",
    .run = run_archive,
    .summary = N_("move customers to archive/ (by id, or --stale), committed"),
    .synopsis = "ID… [--author 'NAME <EMAIL>']\n"
		"--stale [-n] [--today DATE] [--author 'NAME <EMAIL>']",
    .description = N_("Move customers out of the daily lists: customers/…/ID.yaml becomes\n"
		   "archive/ID.yaml, unchanged, in one commit (git sees a rename, so 'crmf\n"
		   "history' and 'git log --follow' keep the whole story). With --stale, every\n"
		   "customer whose last contact is more than crmf.yaml's rules.archive_after\n"
		   "(default 180d) before today is archived. Files with errors are not moved:\n"
		   "fix them first ('crmf check'). Your own uncommitted edits move with the\n"
		   "file and stay uncommitted (staged if they were); the commit holds only the\n"
		   "move. A file never committed is refused: 'crmf commit' it first.\n"),
    .opts = archive_options,
    .notes = N_("exit status: 0 archived (or nothing stale), 1 refused or saved but not\n"
	     "committed, 2 usage error or unknown customer\n"),
    .opt_width = 16,
};

static const struct cli_opt restore_options[] = {
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {0},
};

const struct crmf_cmd cmd_restore = {
    .name = "restore",
    .run = run_restore,
    .summary = N_("bring archived customers back to customers/, committed"),
    .synopsis = "ID… [--author 'NAME <EMAIL>']",
    .description = N_("Bring archived customers back: archive/ID.yaml moves to where it was before\n"
		   "it was archived (its path in the history, e.g. customers/2024/ID.yaml), else\n"
		   "to customers/ID.yaml, unchanged, in one commit.\n"),
    .opts = restore_options,
    .notes = N_("exit status: 0 restored, 1 refused or saved but not committed, 2 usage error\n"
	     "or unknown customer\n"),
    .opt_width = 16,
};

/* Archive (`stale`: the stale customers; `dry`: only list them) or restore the customers
 * `args`, in one change. */
static int move_change(bool restore, char **args, size_t n, bool stale, bool dry,
		       const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	const crmf_config *cfg;
	const crmf_move *v;
	size_t nv;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, repo, author, today)) != 0 ||
	    (rc = crmf_change_lock(tx)) != 0)
		goto done;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = restore ? crmf_change_restore(tx, args[i]) : crmf_change_archive(tx, args[i]);
	if (rc == 0 && stale)
		rc = crmf_change_archive_stale(tx);
	if (rc != 0)
		goto done;
	v = crmf_change_moves(tx, &nv);
	if (stale && (nv == 0 || dry)) {
		cli_change_print(tx);
		for (size_t i = 0; i < nv; i++)
			printf("%s: %s (%s)\n", v[i].id, v[i].from,
			       v[i].said ? v[i].said : v[i].why);
		crmf_repository_config(&cfg, repo);
		if (nv == 0)
			printf(_("no customer is stale (none without contact for more than %dd)\n"),
			       cfg->rules.archive_after);
		goto done;
	}
	rc = crmf_change_move(tx);
done:
	rc = cli_change_exit(tx, rc);
	crmf_change_free(tx);
	crmf_repository_close(repo);
	return rc;
}

static int run_archive(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL, *today_arg = NULL;
	bool stale = false, dry = false;
	crmf_day today;
	int c;

	cli_args_init(&args, &cmd_archive, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 's':
			stale = true;
			break;
		case 'n':
			dry = true;
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
	if (stale == (args.ind < argc))
		return cli_usage_error(&cmd_archive, stale
							 ? "give --stale or ids, not both"
							 : "which customers? give ids, or --stale");
	if (dry && !stale)
		return cli_usage_error(&cmd_archive, "--dry-run goes with --stale");
	if (cli_today(&today, today_arg))
		return EXIT_USAGE;
	return move_change(false, argv + args.ind, (size_t)(argc - args.ind), stale, dry, author, today);
}

static int run_restore(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL;
	int c;

	cli_args_init(&args, &cmd_restore, argc, argv);
	while ((c = cli_args_next(&args)) > 0)
		if (c == 'a')
			author = args.arg;
	if (c < 0)
		return args.status;
	if (args.ind >= argc)
		return cli_usage_error(&cmd_restore, "which customers? give their ids");
	return move_change(true, argv + args.ind, (size_t)(argc - args.ind), false, false, author,
			   crmf_date_today());
}

