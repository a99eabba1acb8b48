/* crmf check: validate customer files and crmf.yaml, reporting every problem with its position. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'f', 0, "format", "FMT", "text (default) or json"},
    {'t', 0, "today", "DATE", "the date against which future dates are judged (YYYY-MM-DD)"},
    {'S', 0, "staged", NULL, "check the staged contents (the index), not the working tree"},
    {'r', 0, "rev", "REV", "check the commit REV (a branch, a tag, an id, HEAD~2…)"},
    {'P', 0, "pre-receive", NULL, "check the commits of a push, as a pre-receive hook"},
    {'R', 0, "root", "DIR", "with --rev or --pre-receive: the crmf root in the tree"},
    {'G', 0, "git-dir", "DIR", "with --rev or --pre-receive: the git repository"},
    {'N', 0, "no-cache", NULL, "check every file again, ignoring the validation cache"},
    {'s', 0, "strict", NULL, "treat warnings as errors for the exit status"},
    {'q', 'q', "quiet", NULL, "print nothing but the problems"},
    {0},
};

const struct crmf_cmd cmd_check = {
    .name = "check",
    .run = run,
    .summary = "validate customer files and crmf.yaml",
    .synopsis = "[--format text|json] [--today DATE] [--strict] [--no-cache] [-q] [PATH…]\n"
		"--staged [--format text|json] [--today DATE] [--strict] [-q]\n"
		"--rev REV [--root DIR] [--git-dir DIR] [--format text|json]\n"
		"    [--today DATE] [--strict] [-q]\n"
		"--pre-receive [--root DIR] [--git-dir DIR] [--today DATE] [--strict]",
    .description = "Validate every customer file (customers/ and archive/, at any depth) and\n"
		   "crmf.yaml, or only the files and folders named. Every problem is reported as\n"
		   "  path:line:column: error|warning: message [rule]\n"
		   "followed by a summary. Cross-file checks (unique ids, probable duplicates)\n"
		   "always compare against the whole repository. Files are never changed.\n"
		   "\n"
		   "With --staged, what is checked is what 'git commit' would commit: the\n"
		   "staged contents (the index) of every customer file and of crmf.yaml, not\n"
		   "the working tree. The pre-commit hook of 'crmf hooks install' runs this.\n"
		   "\n"
		   "With --rev, what is checked is the commit REV, read from git's objects: no\n"
		   "work tree is needed, a bare repository will do (-C DIR, --git-dir DIR or\n"
		   "GIT_DIR find it, as for git). The crmf root is the folder --root names in\n"
		   "the commit's tree; without it, the crmf root holding the current folder in a\n"
		   "work tree, else (a bare repository) the top of the tree.\n"
		   "\n"
		   "With --pre-receive, the lines '<old> <new> <ref>' that git gives a\n"
		   "pre-receive hook are read from standard input, and every commit that the\n"
		   "push brings (git rev-list NEW --not --all) is checked as --rev does; a\n"
		   "commit is refused for the problems it brings, those its first parent does\n"
		   "not have, even when a later commit fixes them. Deleted refs pass. The hook\n"
		   "of 'crmf hooks install --server' runs this.\n",
    .opts = options,
    .notes = "exit status: 0 no errors, 1 errors found (--pre-receive: the push is\n"
	     "refused), 2 usage or repository error or a bad revision\n",
};

static int usage_level(const crmf_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		crmf_rule r = d->v[i].rule_id;

		if (r == CRMF_RULE_NO_SUCH_FILE || r == CRMF_RULE_OUTSIDE_REPOSITORY ||
		    r == CRMF_RULE_NOT_CUSTOMER_FILE)
			return 1;
	}
	return 0;
}

static void print_summary(FILE *f, size_t files, const crmf_diags *d, cli_format fmt)
{
	if (fmt == FMT_JSON) {
		fprintf(f, "{\"files_checked\": %zu, \"errors\": %zu, \"warnings\": %zu, \"diagnostics\": ",
			files, d->errors, d->warnings);
		cli_print_diags(f, d, FMT_JSON);
		fputs("}\n", f);
		return;
	}
	fprintf(f, "%zu file%s checked: %zu error%s, %zu warning%s\n", files,
		files == 1 ? "" : "s", d->errors, d->errors == 1 ? "" : "s",
		d->warnings, d->warnings == 1 ? "" : "s");
}

/* The staged contents: crmf.yaml first (it types the customers), then every
 * customer file, then the cross-file checks over them. Returns the number of
 * files checked, or -1 (printed). */
static long check_staged(const char *root, crmf_day today, crmf_diags *diags)
{
	crmf_staged *v = NULL;
	crmf_customer **cs;
	crmf_config *cfg = NULL;
	size_t n = 0, nc = 0, files = 0;

	if (crmf_read_staged(&v, &n, root) != 0) {
		cli_error("%s", crmf_error_last());
		return -1;
	}
	cs = calloc(n + 1, sizeof(*cs));
	if (!cs)
		abort();
	for (size_t i = 0; i < n; i++) {
		crmf_doc *doc = NULL;

		if (strcmp(v[i].path, "crmf.yaml") != 0)
			continue;
		crmf_doc_parse(&doc, v[i].path, v[i].data, v[i].len, diags);
		crmf_config_load(&cfg, doc && doc->root ? doc : NULL, diags);
		crmf_doc_free(doc);
		files++;
	}
	if (!cfg)
		crmf_config_load(&cfg, NULL, diags);
	for (size_t i = 0; i < n; i++) {
		crmf_doc *doc = NULL;

		if (strcmp(v[i].path, "crmf.yaml") == 0)
			continue;
		files++;
		crmf_doc_parse(&doc, v[i].path, v[i].data, v[i].len, diags);
		if (!doc)
			continue;
		crmf_check_customer(&cs[nc], doc, v[i].path, cfg, today, diags);
		if (cs[nc])
			nc++;
	}
	crmf_check_cross(cs, nc, diags);
	crmf_diags_sort(diags);
	for (size_t i = 0; i < nc; i++)
		crmf_customer_free(cs[i]);
	free(cs);
	crmf_config_free(cfg);
	crmf_staged_free(v, n);
	return (long)files;
}

/* The commits of a push, from the lines '<old> <new> <ref>' of a pre-receive hook's input. */
static int check_push(const crmf_rev_opts *o, bool strict, bool quiet)
{
	crmf_ref_update *u = NULL;
	crmf_push_commit *v = NULL;
	char **refs = NULL, *line = NULL;
	size_t nu = 0, cap = 0, n = 0, checked = 0, bad = 0, warned = 0;
	ssize_t len;
	int rc = EXIT_USAGE;

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		char old_id[41], new_id[41];
		int at = 0;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		if (sscanf(line, "%40[0-9a-f] %40[0-9a-f] %n", old_id, new_id, &at) != 2 || !at ||
		    !line[at] || strlen(old_id) != 40 || strlen(new_id) != 40) {
			cli_error("invalid pre-receive input '%s': expected '<old> <new> <ref>'", line);
			goto done;
		}
		u = realloc(u, (nu + 1) * sizeof(*u));
		refs = realloc(refs, (nu + 1) * sizeof(*refs));
		if (!u || !refs)
			abort();
		memcpy(u[nu].old_id, old_id, 41);
		memcpy(u[nu].new_id, new_id, 41);
		refs[nu] = strdup(line + at);
		if (!refs[nu])
			abort();
		u[nu].ref = refs[nu];
		nu++;
	}
	if (crmf_check_push(&v, &n, &checked, o, u, nu) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		printf("crmf: commit %.7s \"%s\" (%s):\n", v[i].id, v[i].subject, v[i].ref);
		cli_print_diags(stdout, &v[i].diags, FMT_TEXT);
		bad += v[i].diags.errors > 0;
		warned += v[i].diags.errors == 0 && v[i].diags.warnings > 0;
	}
	if (bad || (strict && warned)) {
		size_t k = bad + (strict ? warned : 0);

		printf("crmf: push refused: %zu of %zu pushed commit%s bring%s %s; fix %s (git "
		       "rebase -i for a commit below the tip) and push again\n",
		       k, checked, checked == 1 ? "" : "s", k == 1 ? "s" : "",
		       strict ? "errors or warnings" : "errors", k == 1 ? "it" : "them");
		rc = EXIT_FOUND;
		goto done;
	}
	if (!quiet && checked)
		printf("crmf: %zu pushed commit%s checked: no errors\n", checked,
		       checked == 1 ? "" : "s");
	rc = EXIT_OK;
done:
	crmf_push_free(v, n);
	for (size_t i = 0; i < nu; i++)
		free(refs[i]);
	free(refs);
	free(u);
	free(line);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	crmf_rev_opts ro = {NULL, NULL, 0};
	const char *rev = NULL;
	bool pre_receive = false;
	cli_format fmt = FMT_TEXT;
	const char *today_arg = NULL;
	bool strict = false, quiet = false, staged = false;
	long files;
	crmf_scan_opts so = {.mode = CRMF_SCAN_NONE};
	crmf_repo *repo = NULL;
	crmf_diags diags;
	char *root;
	int c, rc;

	cli_args_init(&args, &cmd_check, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'f':
			if (cli_parse_format(&fmt, args.arg, 1u << FMT_TEXT | 1u << FMT_JSON))
				return EXIT_USAGE;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 's':
			strict = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'S':
			staged = true;
			break;
		case 'N':
			so.no_cache = true;
			break;
		case 'r':
			rev = args.arg;
			break;
		case 'P':
			pre_receive = true;
			break;
		case 'R':
			ro.root = args.arg;
			break;
		case 'G':
			ro.git_dir = args.arg;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (cli_today(&so.today, today_arg))
		return EXIT_USAGE;
	if ((rev || pre_receive) && (staged || args.ind < argc || (rev && pre_receive)))
		return cli_usage_error(&cmd_check, "--rev and --pre-receive check whole commits: "
						   "give no PATH, and neither --staged nor the other");
	if (!rev && !pre_receive && (ro.root || ro.git_dir))
		return cli_usage_error(&cmd_check, "--root and --git-dir go with --rev or "
						   "--pre-receive");
	ro.today = so.today;
	if (pre_receive) {
		if (fmt != FMT_TEXT)
			return cli_usage_error(&cmd_check, "--pre-receive writes text for git to relay");
		return check_push(&ro, strict, quiet);
	}
	if (rev) {
		size_t nfiles = 0;
		int e;

		crmf_diags_init(&diags);
		e = crmf_check_rev(&diags, &nfiles, &ro, rev);
		if (e != 0) {
			cli_error("%s", crmf_error_last());
			crmf_diags_release(&diags);
			return EXIT_USAGE;
		}
		files = (long)nfiles;
		root = NULL;
		goto report;
	}
	root = cli_repo_root();
	if (!root)
		return EXIT_USAGE;
	if (staged && args.ind < argc) {
		free(root);
		return cli_usage_error(&cmd_check, "--staged checks every staged file; give no PATH");
	}
	if (args.ind < argc) {
		so.paths = (const char *const *)argv + args.ind;
		so.n_paths = (size_t)(argc - args.ind);
	}
	crmf_diags_init(&diags);
	if (staged) {
		files = check_staged(root, so.today, &diags);
		if (files < 0) {
			crmf_diags_release(&diags);
			free(root);
			return EXIT_USAGE;
		}
	} else if (crmf_repo_load(&repo, root, &so, &diags) != 0) {
		cli_error("%s", crmf_error_last());
		crmf_diags_release(&diags);
		free(root);
		return EXIT_USAGE;
	} else {
		files = (long)repo->files_checked;
	}
report:
	if (fmt == FMT_JSON) {
		print_summary(stdout, (size_t)files, &diags, fmt);
	} else {
		cli_print_diags(stdout, &diags, fmt);
		if (!quiet || diags.n)
			print_summary(stdout, (size_t)files, &diags, fmt);
	}
	rc = usage_level(&diags) ? EXIT_USAGE
	     : diags.errors || (strict && diags.warnings) ? EXIT_FOUND
							    : EXIT_OK;
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	free(root);
	return rc;
}
