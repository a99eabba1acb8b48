/* `crmf setup`: make plain git merges and pulls use crmf's merge for customer files. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "crmf/sync.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'c', 0, "command", "CMD", "the command git runs instead of 'crmf' (e.g. /opt/bin/crmf)"},
    {0},
};

const struct crmf_cmd cmd_setup = {
    .name = "setup",
    .run = run,
    .summary = "make git pull merge customer files with crmf (run once in every clone)",
    .synopsis = "[--command CMD]",
    .description = "Let plain 'git merge' and 'git pull' merge customer files by their\n"
		   "structure (see 'crmf merge-driver --help') instead of line by line:\n"
		   "\n"
		   "- .gitattributes, next to crmf.yaml, gets the lines that are missing of\n"
		   "    customers/**/*.yaml merge=crmf   (and *.yml, and the same for archive/)\n"
		   "  ('**/' matches any depth, the folder itself included). Commit it once\n"
		   "  for the whole team; 'crmf init' writes it for a new repository.\n"
		   "- the repository's own git config (.git/config, which a clone does not\n"
		   "  copy: run 'crmf setup' once in every new clone) gets\n"
		   "    merge.crmf.name   = crmf structural merge of customer files\n"
		   "    merge.crmf.driver = crmf merge-driver %O %A %B %P\n"
		   "  with 'crmf' replaced by this program's absolute path when the 'crmf'\n"
		   "  on PATH is another program or missing (run setup again after moving it).\n"
		   "\n"
		   "Without the config entry git merges customer files line by line, as\n"
		   "usual; 'crmf sync' always uses crmf's merge, set up or not. Running setup\n"
		   "again changes nothing that is already right.\n",
    .opts = options,
    .notes = "exit status: 0 done, 2 usage or repository error\n",
};

static int run(int argc, char **argv)
{
	cli_args args;
	const char *command = NULL;
	crmf_setup_result r;
	crmf_repository *repo;
	int c;

	cli_args_init(&args, &cmd_setup, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		if (c == 'c')
			command = args.arg;
	}
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(&cmd_setup, "no arguments expected");
	if (!(repo = cli_repository()))
		return EXIT_USAGE;
	if (crmf_setup(&r, crmf_repository_root(repo), command) != 0) {
		cli_error("%s", crmf_error_last());
		crmf_repository_close(repo);
		return EXIT_USAGE;
	}
	if (r.attributes_changed)
		printf("wrote %s: customer files merge with crmf; commit it so that your team "
		       "shares it: git add .gitattributes && git commit -m \"crmf merge driver\"\n",
		       r.attributes);
	else
		printf("%s already sends customer files to crmf's merge\n", r.attributes);
	printf("%s git config merge.crmf.driver \"%s\"\n",
	       r.config_changed ? "set" : "already set:", r.driver);
	crmf_setup_result_release(&r);
	crmf_repository_close(repo);
	return EXIT_OK;
}
