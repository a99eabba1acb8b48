/* SPDX-License-Identifier: MIT */
/* `crmf setup`: make plain git merges and pulls use crmf's merge for customer files. */
#include <stdio.h>
#include <stdlib.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "crmf/sync.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'c', 0, "command", "CMD", N_("the command git runs instead of 'crmf' (e.g. /opt/bin/crmf)")},
    {'v', 0, "vscode", NULL,
     N_("also set up VS Code's YAML extension: the customer files' JSON Schema in\n"
     ".vscode/crmf.schema.json, and its entry in .vscode/settings.json")},
    {0},
};

const struct crmf_cmd cmd_setup = {
    .name = "setup",
    .run = run,
    .summary = N_("make git pull merge customer files with crmf (run once in every clone)"),
    .synopsis = "[--command CMD] [--vscode]",
    .description = N_("Let plain 'git merge' and 'git pull' merge customer files by their\n"
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
		   "again changes nothing that is already right.\n"
		   "\n"
		   "With --vscode, the JSON Schema of `crmf schema` is written to\n"
		   ".vscode/crmf.schema.json (again on every run: run it after changing\n"
		   "crmf.yaml), and VS Code's YAML extension is told to use it for\n"
		   "customers/ and archive/: a new .vscode/settings.json is written with\n"
		   "that entry; an existing one is never changed: setup prints the entry\n"
		   "to add unless it is there.\n"),
    .opts = options,
    .notes = N_("exit status: 0 done, 2 usage or repository error\n"),
};

static const char vscode_entry[] =
    "\"yaml.schemas\": {\"./.vscode/crmf.schema.json\": [\"customers/**/*.yaml\", "
    "\"customers/**/*.yml\", \"archive/**/*.yaml\", \"archive/**/*.yml\"]}";

/* .vscode/crmf.schema.json (crmf's own file, rewritten), and the settings'
 * entry: written in a new settings.json, offered for an existing one */
static int setup_vscode(crmf_repository *repo)
{
	const char *root = crmf_repository_root(repo);
	const crmf_config *cfg;
	char *buf = NULL, *path = NULL, *settings = NULL;
	size_t len = 0;
	FILE *f;
	int rc = EXIT_USAGE;

	if (crmf_repository_config(&cfg, repo) != 0)
		goto fail;
	if (asprintf(&path, "%s/.vscode", root) < 0 || (mkdir(path, 0777) != 0 && errno != EEXIST)) {
		cli_error("cannot create %s: %s", path ? path : ".vscode", strerror(errno));
		goto done;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		goto done;
	cli_schema_write(f, cfg);
	fclose(f);
	free(path);
	path = NULL;
	if (asprintf(&path, "%s/.vscode/crmf.schema.json", root) < 0 ||
	    crmf_write_atomic(path, buf, len) != 0)
		goto fail;
	printf(_("wrote .vscode/crmf.schema.json: the JSON Schema of customer files\n"));
	free(buf);
	buf = NULL;
	if (asprintf(&settings, "%s/.vscode/settings.json", root) < 0)
		goto done;
	f = fopen(settings, "r");
	if (!f) {
		if (asprintf(&buf, "{\n  %s\n}\n", vscode_entry) < 0 ||
		    crmf_write_atomic(settings, buf, strlen(buf)) != 0)
			goto fail;
		printf(_("wrote .vscode/settings.json: VS Code's YAML extension (redhat.vscode-yaml) "
		       "checks customer files with it\n"));
	} else {
		char line[4096];
		bool there = false;

		while (!there && fgets(line, sizeof(line), f))
			there = strstr(line, "crmf.schema.json") != NULL;
		fclose(f);
		if (there)
			printf(_(".vscode/settings.json already uses it\n"));
		else
			printf(_("left .vscode/settings.json as it is; add to it, for VS Code's YAML "
			       "extension:\n  %s\n"),
			       vscode_entry);
	}
	rc = EXIT_OK;
	goto done;
fail:
	cli_error("%s", crmf_error_last());
done:
	free(buf);
	free(path);
	free(settings);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *command = NULL;
	bool vscode = false;
	crmf_setup_result r;
	crmf_repository *repo;
	int c;

	cli_args_init(&args, &cmd_setup, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		if (c == 'c')
			command = args.arg;
		else if (c == 'v')
			vscode = true;
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
		printf(_("wrote %s: customer files merge with crmf; commit it so that your team "
		       "shares it: git add .gitattributes && git commit -m \"crmf merge driver\"\n"),
		       r.attributes);
	else
		printf(_("%s already sends customer files to crmf's merge\n"), r.attributes);
	printf("%s git config merge.crmf.driver \"%s\"\n",
	       r.config_changed ? "set" : "already set:", r.driver);
	crmf_setup_result_release(&r);
	c = vscode ? setup_vscode(repo) : EXIT_OK;
	crmf_repository_close(repo);
	return c;
}
