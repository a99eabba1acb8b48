/* SPDX-License-Identifier: MIT */
/* crmf set: change values of one customer in place, every other byte of its file kept. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'u', 0, "unset", "KEY", N_("remove the optional field or item KEY (repeatable)")},
    {'w', 0, "where", "EXPR",
     N_("instead of one ID: every customer under customers/ matching\n"
     "EXPR (the language of 'crmf list --where', doc/where.md)")},
    {'n', 0, "dry-run", NULL, N_("with --where: say what would change, write nothing")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {'t', 0, "today", "DATE", N_("the date against which future dates are judged")},
    {0},
};

const struct crmf_cmd cmd_set = {
    .name = "set",
    .run = run,
    .summary = N_("change values of a customer in place (stage=negotiation …), committed"),
    .synopsis = "ID KEY=VALUE… [--unset KEY]… [--author 'NAME <EMAIL>'] [--today DATE]\n"
		"--where EXPR KEY=VALUE… [--unset KEY]… [--dry-run]\n"
		"    [--author 'NAME <EMAIL>'] [--today DATE]",
    .description = N_("Change values of customer ID (its id, or its file's path) in place and\n"
		   "commit the change. KEY is a field, or a path into the file:\n"
		   "  crmf set C2024001 stage=negotiation potential=high\n"
		   "  crmf set C2024001 'contacts[0].phone=+86 138 0013 8000' need.budget=80万\n"
		   "A key that is absent is added to its mapping; values are quoted where\n"
		   "another YAML reader would take them for a number, a date or a boolean.\n"
		   "Everything else in the file stays byte for byte: comments, order, quoting,\n"
		   "indentation, line ends. The result is validated first: when it would be\n"
		   "invalid, the problems are printed and the file is left untouched. The\n"
		   "commit message names each change (`stage: intent → negotiation`).\n"
		   "\n"
		   "Your own uncommitted edits of the file stay out of the commit: the change\n"
		   "is made on the committed version and committed, and on your edit in the\n"
		   "work tree (and in the index when it was staged). When your edit touches\n"
		   "what is set, or the file was never committed, nothing changes: run 'crmf\n"
		   "commit' or 'git stash' first.\n"
		   "\n"
		   "KEY= with no value is refused: to remove an optional field, use --unset.\n"
		   "Lists and mappings are changed item by item (contacts[1].email=…), or\n"
		   "with 'crmf edit'. The id cannot be changed: it is the file's name.\n"
		   "\n"
		   "With --where, the values are set on every customer under customers/ that\n"
		   "matches EXPR (archived ones are left out), each result validated, every\n"
		   "file without uncommitted changes, or nothing changes; then all of them in\n"
		   "one commit whose message lists their ids:\n"
		   "  crmf set --where 'owner = wang.fang and region = 华南' owner=li.na\n"
		   "  crmf set --where 'stage = at-risk and last_contact < today - 180d' stage=lost\n"
		   "--dry-run prints each change that would be made and writes nothing.\n"),
    .opts = options,
    .notes = N_("exit status: 0 changed and committed (or nothing to change), 1 refused\n"
	     "(invalid result, no git identity, merge in progress) or saved but not\n"
	     "committed, or --where matches no customer, 2 usage error (an invalid --where\n"
	     "included) or unknown customer\n"),
    .opt_width = 16,
};

/* The change, once the arguments are checked. */
static int set_change(const char *arg, const crmf_assign *v, size_t n, const char *author,
		      crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, repo, author, today)) == 0 &&
	    (rc = crmf_change_find(tx, arg, CRMF_IN_CUSTOMERS | CRMF_IN_ARCHIVE)) == 0 &&
	    (rc = crmf_change_lock(tx)) == 0 && (rc = crmf_change_load(tx)) == 0 &&
	    (rc = crmf_change_set(tx, v, n)) == 0)
		rc = crmf_change_commit(tx);
	if (rc == CRMF_CHANGE_NOTHING) {
		cli_change_print(tx);
		printf(_("nothing to change: %s already has %s\n"), crmf_change_id(tx),
		       n == 1 ? "that value" : "those values");
	}
	rc = cli_change_exit(tx, rc);
	crmf_change_free(tx);
	crmf_repository_close(repo);
	return rc;
}

/* crmf set --where: the values on every matching customer, one commit. */
static int set_where(const char *where_arg, const crmf_assign *v, size_t n, bool dry_run,
		     const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	crmf_expr *where = NULL;
	size_t matched = 0;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if (cli_where(&where, repo, where_arg, today) != EXIT_OK) {
		crmf_repository_close(repo);
		return EXIT_USAGE;
	}
	if ((rc = crmf_change_open(&tx, repo, author, today)) == 0)
		rc = crmf_change_set_where(tx, where, v, n, dry_run, &matched);
	if (rc == CRMF_CHANGE_NOTHING) {
		cli_change_print(tx);
		if (matched == 1)
			printf(_("nothing to change: the matching customer has %s already\n"),
			       n == 1 ? "that value" : "those values");
		else
			printf(_("nothing to change: all %zu matching customers have %s already\n"),
			       matched, n == 1 ? "that value" : "those values");
	}
	if (rc == 0 && dry_run) {
		cli_change_print(tx);
		printf(_("dry run: nothing written\n"));
	}
	rc = cli_change_exit(tx, rc);
	crmf_change_free(tx);
	crmf_expr_free(where);
	crmf_repository_close(repo);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL, *today_arg = NULL, *arg = NULL, *where = NULL;
	bool dry_run = false;
	crmf_assign *v = calloc((size_t)argc + 1, sizeof(*v));
	size_t n = 0;
	crmf_day today;
	int c, rc = EXIT_USAGE;

	if (!v)
		abort();
	cli_args_init(&args, &cmd_set, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'u':
			if (!args.arg[0]) {
				rc = cli_usage_error(&cmd_set, "--unset needs a key");
				goto done;
			}
			v[n].key = args.arg;
			v[n++].unset = true;
			break;
		case 'a':
			author = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 'w':
			where = args.arg;
			break;
		case 'n':
			dry_run = true;
			break;
		}
	}
	if (c < 0) {
		rc = args.status;
		goto done;
	}
	if (dry_run && !where) {
		rc = cli_usage_error(&cmd_set, "--dry-run goes with --where");
		goto done;
	}
	if (!where && args.ind >= argc) {
		rc = cli_usage_error(&cmd_set, "which customer? give its id");
		goto done;
	}
	if (!where)
		arg = argv[args.ind++];
	for (; args.ind < argc; args.ind++) {
		char *a = argv[args.ind], *eq = strchr(a, '=');

		if (!eq || eq == a) {
			rc = where ? cli_usage_error(&cmd_set,
						     "'%s' is no KEY=VALUE (with --where, give no "
						     "id)",
						     a)
				   : cli_usage_error(&cmd_set, "'%s' is no KEY=VALUE", a);
			goto done;
		}
		*eq = '\0';
		if (!eq[1]) {
			rc = cli_usage_error(&cmd_set,
					     "no value for '%s'; write %s=VALUE, or --unset %s to "
					     "remove an optional field",
					     a, a, a);
			goto done;
		}
		v[n].key = a;
		v[n++].value = eq + 1;
	}
	if (n == 0) {
		rc = cli_usage_error(&cmd_set, "nothing to set: give KEY=VALUE or --unset KEY");
		goto done;
	}
	if (cli_check_arg(&cmd_set, "the customer id", arg) != EXIT_OK ||
	    cli_check_arg(&cmd_set, "--author", author) != EXIT_OK ||
	    cli_check_arg(&cmd_set, "--today", today_arg) != EXIT_OK ||
	    cli_check_arg(&cmd_set, "--where", where) != EXIT_OK)
		goto done;
	for (size_t i = 0; i < n; i++)
		if (cli_check_assign(&cmd_set, v[i].key, v[i].value) != EXIT_OK)
			goto done;
	if (cli_today(&today, today_arg))
		goto done;
	rc = where ? set_where(where, v, n, dry_run, author, today)
		   : set_change(arg, v, n, author, today);
done:
	free(v);
	return rc;
}

