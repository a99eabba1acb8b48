/* SPDX-License-Identifier: MIT */
/* crmf edit: open a customer's file in the user's editor, validate the result, commit it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {'t', 0, "today", "DATE", N_("the date against which future dates are judged")},
    {0},
};

const struct crmf_cmd cmd_edit = {
    .name = "edit",
    .run = run,
    .summary = N_("edit a customer in $EDITOR: validated, then committed"),
    .synopsis = "ID [--author 'NAME <EMAIL>'] [--today DATE]",
    .description = N_("Open a copy of customer ID's file (ID: its id, or its file's path) in\n"
		   "$VISUAL, else $EDITOR, else vi. When the editor exits:\n"
		   "  - unchanged: nothing happens;\n"
		   "  - invalid: the problems are printed with the real file's name, and you\n"
		   "    choose to (e)dit again or (a)bort; on abort (and always when standard\n"
		   "    input is no terminal) the file is left as it was and the path of your\n"
		   "    edited copy is printed, so that nothing you typed is lost;\n"
		   "  - valid: the file is replaced and committed, with a message listing the\n"
		   "    fields that changed.\n"
		   "The repository is not locked while the editor is open; if the file changed\n"
		   "meanwhile (another crmf command), your copy is kept and nothing is written.\n"
		   "The editor shows the file as it is in the work tree: uncommitted changes of\n"
		   "yours in it (a note says so) are committed with your edit, as by\n"
		   "'git commit FILE'.\n"),
    .opts = options,
    .notes = N_("exit status: 0 saved and committed, or no changes; 1 aborted, refused or\n"
	     "saved but not committed; 2 usage error or unknown customer\n"),
    .opt_width = 16,
};

/* The change: the file in the editor, then replaced with the edit. */
static int edit_change(const char *arg, const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	char *buf = NULL, *edited = NULL, *copy = NULL;
	size_t len = 0, edited_len = 0;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, repo, author, today)) != 0 ||
	    (rc = crmf_change_find(tx, arg, CRMF_IN_CUSTOMERS | CRMF_IN_ARCHIVE)) != 0 ||
	    (rc = crmf_change_edit_begin(tx, &buf, &len)) != 0)
		goto done;
	cli_change_print(tx);
	switch (cli_edit_loop(&edited, &edited_len, &copy, tx, buf, len, true)) {
	case CLI_EDIT_UNCHANGED:
		printf(_("no changes\n"));
		goto done;
	case CLI_EDIT_ABORTED:
		rc = CRMF_CHANGE_REFUSED;
		goto done;
	}
	rc = crmf_change_replace(tx, edited, edited_len, copy);
done:
	rc = cli_change_exit(tx, rc);
	free(copy);
	free(edited);
	free(buf);
	crmf_change_free(tx);
	crmf_repository_close(repo);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL, *today_arg = NULL;
	crmf_day today;
	int c, rc = EXIT_USAGE;

	cli_args_init(&args, &cmd_edit, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'a':
			author = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		}
	}
	if (c < 0) {
		rc = args.status;
		goto done;
	}
	if (args.ind + 1 != argc) {
		rc = cli_usage_error(&cmd_edit, args.ind == argc ? "which customer? give its id"
							       : "one customer at a time");
		goto done;
	}
	if (cli_today(&today, today_arg))
		goto done;
	rc = edit_change(argv[args.ind], author, today);
done:
	return rc;
}

