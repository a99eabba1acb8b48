/* SPDX-License-Identifier: MIT */
/* `crmf init`: make a directory a crmf repository, with its first commit. */
#include <stdio.h>

#include "cli.h"
#include "crmf/sync.h"
#include "crmf/templates.h"

static int run(int argc, char **argv);

const struct crmf_cmd cmd_init = {
    .name = "init",
    .run = run,
    .summary = N_("create a crmf repository (git init, crmf.yaml, customers/, first commit)"),
    .synopsis = "[DIR]",
    .description = N_("Make DIR (default: the current directory; created when missing) a crmf\n"
		   "repository: crmf.yaml from the built-in template, an empty customers/\n"
		   "folder, and a commit \"crmf: init\" holding just those two. When DIR is not\n"
		   "in a git repository, one is created (branch: init.defaultBranch, else\n"
		   "main); when DIR is a subfolder of one, the crmf repository lives in that\n"
		   "subfolder and nothing else staged there is committed. The commit's author\n"
		   "is your git identity (git config user.name and user.email).\n"
		   "\n"
		   "An existing crmf.yaml is never overwritten: init then refuses.\n"),
    .notes = N_("exit status: 0 created; 2 usage error, crmf.yaml already exists, no git\n"
	     "identity, or the repository could not be created or committed\n"),
};

static int run(int argc, char **argv)
{
	cli_args args;
	crmf_init_result r;
	const char *dir;

	cli_args_init(&args, &cmd_init, argc, argv);
	if (cli_args_next(&args) < 0) /* no option but -h */
		return args.status;
	if (argc - args.ind > 1)
		return cli_usage_error(&cmd_init, "too many arguments: give one directory");
	dir = args.ind < argc ? argv[args.ind] : ".";
	if (crmf_repo_init_ext(&r, dir, crmf_tpl_crmf_yaml, crmf_tpl_crmf_yaml_len) != 0) {
		cli_error("%s", crmf_error_last());
		return EXIT_USAGE;
	}
	if (r.git_created)
		printf(_("initialised crmf repository in %s (new git repository; crmf.yaml, "
		       "customers/)\n"),
		       r.root);
	else
		printf(_("initialised crmf repository in %s (in the git repository %s; crmf.yaml, "
		       "customers/)\n"),
		       r.root, r.git_root);
	printf(_("committed %.7s \"%s\"\n"), r.commit, "crmf: init");
	printf(_("next: edit crmf.yaml for your team, add customer files under customers/, "
		 "then run 'crmf check'\n"));
	{
		/* git pull merges customer files with crmf from the start (see crmf setup) */
		crmf_setup_result s;

		if (crmf_setup(&s, r.root, NULL) == 0)
			printf(_("git pull merges customer files with crmf (.gitattributes, git config "
			       "merge.crmf.driver); in a new clone, run 'crmf setup'\n"));
		else
			cli_error("warning: %s; run 'crmf setup' to let git pull merge customer files",
				  crmf_error_last());
		crmf_setup_result_release(&s);
	}
	crmf_init_result_release(&r);
	return EXIT_OK;
}
