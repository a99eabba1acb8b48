/* crmf archive and crmf restore: move customer files between customers/ and archive/, committed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char archive_usage[] =
    "usage: crmf archive ID… [--author 'NAME <EMAIL>']\n"
    "       crmf archive --stale [-n] [--today DATE] [--author 'NAME <EMAIL>']\n"
    "\n"
    "Move customers out of the daily lists: customers/…/ID.yaml becomes\n"
    "archive/ID.yaml, unchanged, in one commit (git sees a rename, so 'crmf\n"
    "history' and 'git log --follow' keep the whole story). With --stale, every\n"
    "customer whose last contact is more than crmf.yaml's rules.archive_after\n"
    "(default 180d) before today is archived. Files with errors are not moved:\n"
    "fix them first ('crmf check'). Your own uncommitted edits move with the\n"
    "file and stay uncommitted (staged if they were); the commit holds only the\n"
    "move. A file never committed is refused: 'crmf commit' it first.\n"
    "\n"
    "options:\n"
    "  --stale         archive every customer without contact for archive_after\n"
    "  -n, --dry-run   with --stale: only list them\n"
    "  --today DATE    the day to judge staleness on (YYYY-MM-DD)\n"
    "  --author A      commit as A ('Name <email>') instead of git's identity\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 archived (or nothing stale), 1 refused or saved but not\n"
    "committed, 2 usage error or unknown customer\n";

static const char restore_usage[] =
    "usage: crmf restore ID… [--author 'NAME <EMAIL>']\n"
    "\n"
    "Bring archived customers back: archive/ID.yaml moves to where it was before\n"
    "it was archived (its path in the history, e.g. customers/2024/ID.yaml), else\n"
    "to customers/ID.yaml, unchanged, in one commit.\n"
    "\n"
    "options:\n"
    "  --author A      commit as A ('Name <email>') instead of git's identity\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 restored, 1 refused or saved but not committed, 2 usage error\n"
    "or unknown customer\n";

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
			printf("%s: %s (%s)\n", v[i].id, v[i].from, v[i].why);
		crmf_repository_config(&cfg, repo);
		if (nv == 0)
			printf("no customer is stale (none without contact for more than %dd)\n",
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
	static const struct option opts[] = {
	    {"stale", no_argument, NULL, 's'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"today", required_argument, NULL, 't'},
	    {"author", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const char *author = NULL, *today_arg = NULL;
	bool stale = false, dry = false;
	crmf_day today;
	int c;

	while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			stale = true;
			break;
		case 'n':
			dry = true;
			break;
		case 't':
			today_arg = optarg;
			break;
		case 'a':
			author = optarg;
			break;
		default:
			return cli_usage_error(&cmd_archive, "invalid option");
		}
	}
	if (stale == (optind < argc))
		return cli_usage_error(&cmd_archive, stale
							 ? "give --stale or ids, not both"
							 : "which customers? give ids, or --stale");
	if (dry && !stale)
		return cli_usage_error(&cmd_archive, "--dry-run goes with --stale");
	if (cli_today(&today, today_arg))
		return EXIT_USAGE;
	return move_change(false, argv + optind, (size_t)(argc - optind), stale, dry, author, today);
}

static int run_restore(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"author", required_argument, NULL, 'a'},
	    {NULL, 0, NULL, 0},
	};
	const char *author = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'a')
			return cli_usage_error(&cmd_restore, "invalid option");
		author = optarg;
	}
	if (optind >= argc)
		return cli_usage_error(&cmd_restore, "which customers? give their ids");
	return move_change(true, argv + optind, (size_t)(argc - optind), false, false, author,
			   crmf_date_today());
}

const struct crmf_cmd cmd_archive = {
    "archive",
    run_archive,
    "move customers to archive/ (by id, or --stale), committed",
    archive_usage,
};

const struct crmf_cmd cmd_restore = {
    "restore",
    run_restore,
    "bring archived customers back to customers/, committed",
    restore_usage,
};
