/* SPDX-License-Identifier: MIT */
/* crmf new: a new customer file from the template, with the next free id, validated and committed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/templates.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'e', 0, "edit", NULL, N_("open the new file in the editor before saving it")},
    {'o', 0, "owner", "NAME",
     N_("the owner (a team member); default the member matching\n"
     "git's identity")},
    {'t', 0, "today", "DATE", N_("the creation date (YYYY-MM-DD), default today")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {'s', 0, "strict", NULL,
     N_("refuse a probable duplicate (the same company name, phone or\n"
     "email as another customer) instead of warning")},
    {0},
};

const struct crmf_cmd cmd_new = {
    .name = "new",
    .run = run,
    .summary = N_("create a customer from the template with the next id, committed"),
    .synopsis = "NAME [KEY=VALUE…] [--edit] [--owner NAME] [--strict] [--today DATE]\n"
		"    [--author 'NAME <EMAIL>']",
    .description =
	N_("Create the customer NAME (the company's full legal name) with the next id of\n"
	"crmf.yaml's id_format ({yyyy} {yy} {mm} {dd} of today, {seq:N} one more than\n"
	"the highest number already used with the same prefix in customers/ and\n"
	"archive/), from the repository's templates/customer.yaml, else the built-in\n"
	"template, and commit it. KEY=VALUE pairs fill fields as 'crmf set' does:\n"
	"  crmf new 杭州云启科技有限公司 industry=IT服务/云计算 size=50-200 source=展会 \\\n"
	"      contacts[0].name=张伟 contacts[0].phone=13800138000 \\\n"
	"      need.type=采购产品A need.description=降低生产成本20%\n"
	"\n"
	"The file goes to customers/<yyyy>/<id>.yaml (the year it is created) when\n"
	"most customer files of the repository are in year folders like\n"
	"customers/2024/, else to customers/<id>.yaml. Ids are taken while holding\n"
	"the repository's lock, so crmf processes running at once never pick the\n"
	"same one.\n"
	"\n"
	"With --edit, or when required fields are missing and standard input is a\n"
	"terminal, the file is opened in $VISUAL/$EDITOR first (see 'crmf edit');\n"
	"otherwise missing or invalid fields are reported and nothing is written.\n"),
    .opts = options,
    .notes = N_("exit status: 0 created and committed, 1 refused (missing or invalid fields,\n"
	     "no git identity, merge in progress) or saved but not committed, 2 usage error\n"),
    .opt_width = 16,
};

/* The change, once the arguments are checked. */
static int new_change(const char *name, const crmf_assign *v, size_t n, const char *owner,
		      bool edit, bool strict, const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	char *buf = NULL, *edited = NULL, *copy = NULL;
	size_t len = 0, edited_len = 0;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, repo, author, today)) != 0 ||
	    (rc = crmf_change_new(tx, name, v, n, owner, &buf, &len)) != 0)
		goto done;
	crmf_change_strict(tx, strict);
	rc = CRMF_CHANGE_REFUSED;
	if (!edit && crmf_change_check(tx, buf, len) != 0) {
		cli_change_print(tx);
		if (!isatty(STDIN_FILENO)) {
			if (crmf_change_new_owner_why(tx))
				cli_error("no owner: give --owner NAME: %s",
					  crmf_change_new_owner_why(tx));
			cli_error("nothing written: give the missing or wrong fields as "
				  "KEY=VALUE, or use --edit");
			goto done;
		}
		edit = true;
	}
	cli_change_print(tx);
	if (edit && cli_edit_loop(&edited, &edited_len, &copy, tx, buf, len, false) != CLI_EDIT_DONE)
		goto done;
	rc = edited ? crmf_change_new_commit(tx, edited, edited_len)
		    : crmf_change_new_commit(tx, buf, len);
	if (copy && crmf_change_written(tx))
		unlink(copy);
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
	const char *owner_arg = NULL, *today_arg = NULL, *author = NULL, *name;
	crmf_assign *v = calloc((size_t)argc + 1, sizeof(*v));
	bool edit = false, strict = false;
	size_t n = 0;
	crmf_day today;
	int c, rc = EXIT_USAGE;

	if (!v)
		abort();
	cli_args_init(&args, &cmd_new, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'e':
			edit = true;
			break;
		case 'o':
			owner_arg = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 'a':
			author = args.arg;
			break;
		case 's':
			strict = true;
			break;
		}
	}
	if (c < 0) {
		rc = args.status;
		goto done;
	}
	if (args.ind >= argc || !argv[args.ind][0]) {
		rc = cli_usage_error(&cmd_new, "give the company's name");
		goto done;
	}
	name = argv[args.ind++];
	if (cli_check_arg(&cmd_new, "the name", name) != EXIT_OK ||
	    cli_check_arg(&cmd_new, "--owner", owner_arg) != EXIT_OK ||
	    cli_check_arg(&cmd_new, "--author", author) != EXIT_OK ||
	    cli_check_arg(&cmd_new, "--today", today_arg) != EXIT_OK)
		goto done;
	if (strchr(name, '=')) {
		rc = cli_usage_error(&cmd_new,
				     "give the company's name first, then KEY=VALUE pairs");
		goto done;
	}
	for (; args.ind < argc; args.ind++) {
		char *a = argv[args.ind], *eq = strchr(a, '=');

		if (!eq || eq == a) {
			rc = cli_usage_error(&cmd_new,
					     "'%s' is no KEY=VALUE (quote a name with spaces)", a);
			goto done;
		}
		*eq = '\0';
		if (!eq[1]) {
			rc = cli_usage_error(&cmd_new, "no value for '%s'", a);
			goto done;
		}
		if (cli_check_assign(&cmd_new, a, eq + 1) != EXIT_OK)
			goto done;
		v[n].key = a;
		v[n++].value = eq + 1;
	}
	if (cli_today(&today, today_arg))
		goto done;
	rc = new_change(name, v, n, owner_arg, edit, strict, author, today);
done:
	free(v);
	return rc;
}
