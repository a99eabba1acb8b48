/* SPDX-License-Identifier: MIT */
/* crmf assign: owners for the customers without one in the team, proposed by crmf.yaml's rules or applied. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'w', 0, "where", "EXPR",
     N_("only customers matching EXPR (the language of 'crmf list\n"
     "--where', doc/where.md)")},
    {'y', 0, "apply", NULL, N_("write the proposed owners, as one commit")},
    {'f', 0, "format", "FMT", N_("the proposal as table (default), json or csv")},
    {'t', 0, "today", "DATE", N_("the date taken for today (YYYY-MM-DD)")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {0},
};

const struct crmf_cmd cmd_assign = {
    .name = "assign",
    .run = run,
    .summary = N_("propose or apply owners by crmf.yaml's assignment rules"),
    .synopsis = "[--where EXPR] [--apply] [--format table|json|csv] [--today DATE]\n"
		"    [--author 'NAME <EMAIL>']",
    .description =
	N_("For every customer under customers/ without an owner in the team (no owner,\n"
	"an owner who is not in 'team', or one who left: 'left:' in crmf.yaml, unless\n"
	"the customer is lost), propose an owner by the rules of crmf.yaml's\n"
	"'assign:' (doc/format.md): the first rule whose 'when' matches the\n"
	"customer's region, industry, source… names a group, and the member of the\n"
	"group with the fewest open customers (neither lost nor archived) gets it,\n"
	"ties going to the one written first; members who left are never chosen.\n"
	"Each proposal counts for the next, so that a batch spreads out.\n"
	"\n"
	"Without --apply, nothing is written: a table of ID, NAME, OWNER (now),\n"
	"PROPOSED and RULE (why). With --apply, the proposed owners are written, every\n"
	"file valid and without uncommitted changes or nothing changes, in one commit\n"
	"that lists them.\n"),
    .opts = options,
    .notes = N_("exit status: 0 proposed or assigned (or nothing to assign), 1 refused (no\n"
	     "rule gives an owner, a file invalid or with uncommitted changes), 2 usage or\n"
	     "repository error\n"),
    .opt_width = 16,
};

static void print_json(const crmf_proposal *v, size_t n)
{
	printf("[");
	for (size_t i = 0; i < n; i++) {
		const crmf_proposal *p = &v[i];
		const char *keys[] = {"id", "name", "path", "owner", "proposed"};
		const char *vals[] = {p->id, p->name, p->path, p->owner, p->proposed};

		printf(i ? ",\n {" : "\n {");
		for (size_t k = 0; k < 5; k++) {
			printf("%s\"%s\": ", k ? ", " : "", keys[k]);
			if (vals[k])
				cli_json_string(stdout, vals[k]);
			else
				printf("null");
		}
		if (p->rule)
			printf(", \"rule\": %d, \"why\": ", p->rule);
		else
			printf(", \"rule\": null, \"why\": ");
		cli_json_string(stdout, p->why);
		printf("}");
	}
	printf(n ? "\n]\n" : "]\n");
}

static void print_table(const crmf_proposal *v, size_t n, cli_format fmt)
{
	const char *const heads[] = {_("ID"), _("NAME"), _("OWNER"), _("PROPOSED"), _("RULE")};
	static const char *const csv_heads[] = {"id", "name", "owner", "proposed", "why"};
	cli_table *t = cli_table_new(5, fmt == FMT_TEXT ? heads : csv_heads);
	size_t proposed = 0;

	for (size_t i = 0; i < n; i++) {
		const crmf_proposal *p = &v[i];
		const char *none = fmt == FMT_TEXT ? "-" : "";

		cli_table_add(t, (const char *const[]){p->id, p->name, p->owner ? p->owner : none,
						       p->proposed ? p->proposed : none, p->why});
		proposed += p->proposed != NULL;
	}
	cli_table_shrink_first(t, 1);
	if (fmt != FMT_TEXT || n)
		cli_table_print(stdout, t, fmt);
	cli_table_free(t);
	if (fmt != FMT_TEXT)
		return;
	if (n == 0)
		printf(_("every customer has an owner in the team; nothing to assign\n"));
	else
		printf(_("\n%zu customer%s without an owner in the team, %zu proposed; 'crmf assign "
		       "--apply' writes them\n"),
		       n, n == 1 ? "" : "s", proposed);
}

/* The proposal alone: the repository read, nothing written. */
static int propose(const char *where_arg, cli_format fmt, crmf_day today)
{
	crmf_repository *r = cli_repository();
	crmf_scan_opts so = {.today = today};
	crmf_repo *repo = NULL;
	crmf_expr *where = NULL;
	crmf_proposal *v = NULL;
	size_t n = 0;
	crmf_diags d;
	int rc = EXIT_USAGE;

	crmf_diags_init(&d);
	if (!r || cli_where(&where, r, where_arg, today) != EXIT_OK)
		goto done;
	if (crmf_repo_load(&repo, crmf_repository_root(r), &so, &d) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	if (repo->cfg->n_assign == 0)
		fprintf(stderr, _("note: crmf.yaml has no 'assign:' rules (see doc/format.md); "
				"nothing can be proposed\n"));
	crmf_assign_propose(&v, &n, repo, where, today);
	if (fmt == FMT_JSON)
		print_json(v, n);
	else
		print_table(v, n, fmt);
	rc = EXIT_OK;
done:
	crmf_proposals_free(v, n);
	crmf_repo_free(repo);
	crmf_expr_free(where);
	crmf_diags_release(&d);
	crmf_repository_close(r);
	return rc;
}

static int apply(const char *where_arg, const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	crmf_expr *where = NULL;
	crmf_proposal *v = NULL;
	size_t n = 0;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if (cli_where(&where, repo, where_arg, today) != EXIT_OK) {
		crmf_repository_close(repo);
		return EXIT_USAGE;
	}
	if ((rc = crmf_change_open(&tx, repo, author, today)) == 0)
		rc = crmf_change_assign(tx, where, &v, &n);
	cli_change_print(tx);
	for (size_t i = 0; i < n; i++)
		if (!v[i].proposed)
			cli_error("%s: no owner proposed (%s); give one with 'crmf set %s owner=NAME'",
				  v[i].id, v[i].why, v[i].id);
	rc = cli_change_exit(tx, rc);
	crmf_proposals_free(v, n);
	crmf_change_free(tx);
	crmf_expr_free(where);
	crmf_repository_close(repo);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *today_arg = NULL, *author = NULL, *where = NULL;
	cli_format fmt = FMT_TEXT;
	bool do_apply = false, fmt_given = false;
	crmf_day today;
	int c;

	cli_args_init(&args, &cmd_assign, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'w':
			where = args.arg;
			break;
		case 'y':
			do_apply = true;
			break;
		case 'f':
			if (cli_parse_format(&fmt, args.arg,
					     1u << FMT_TEXT | 1u << FMT_JSON | 1u << FMT_CSV) != EXIT_OK)
				return EXIT_USAGE;
			fmt_given = true;
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
	if (args.ind < argc)
		return cli_usage_error(&cmd_assign, "unexpected '%s'; select customers with --where",
				       argv[args.ind]);
	if (do_apply && fmt_given)
		return cli_usage_error(&cmd_assign, "--format is for the proposal, not with --apply");
	if (cli_check_arg(&cmd_assign, "--where", where) != EXIT_OK ||
	    cli_check_arg(&cmd_assign, "--today", today_arg) != EXIT_OK ||
	    cli_check_arg(&cmd_assign, "--author", author) != EXIT_OK)
		return EXIT_USAGE;
	if (cli_today(&today, today_arg))
		return EXIT_USAGE;
	return do_apply ? apply(where, author, today) : propose(where, fmt, today);
}
