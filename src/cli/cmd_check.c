/* SPDX-License-Identifier: MIT */
/* crmf check: validate customer files and crmf.yaml, reporting every problem with its position. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'f', 0, "format", "FMT", N_("text (default) or json")},
    {'t', 0, "today", "DATE", N_("the date against which future dates are judged (YYYY-MM-DD)")},
    {'S', 0, "staged", NULL, N_("check the staged contents (the index), not the working tree")},
    {'F', 0, "focus", NULL,
     N_("with --staged: the problems of the files the commit changes, then the\n"
     "other files' errors; their warnings only counted (the pre-commit hook)")},
    {'r', 0, "rev", "REV", N_("check the commit REV (a branch, a tag, an id, HEAD~2…)")},
    {'P', 0, "pre-receive", NULL, N_("check the commits of a push, as a pre-receive hook")},
    {'R', 0, "root", "DIR", N_("with --rev or --pre-receive: the crmf root in the tree")},
    {'G', 0, "git-dir", "DIR", N_("with --rev or --pre-receive: the git repository")},
    {'N', 0, "no-cache", NULL, N_("check every file again, ignoring the validation cache")},
    {'s', 0, "strict", NULL, N_("treat warnings as errors for the exit status")},
    {'q', 'q', "quiet", NULL, N_("print nothing but the problems")},
    {'x', 0, "fix", NULL, N_("first encrypt every plain value of a confidential field\n"
			  "(crmf.yaml confidential:), as one commit")},
    {0},
};

const struct crmf_cmd cmd_check = {
    .name = "check",
    .run = run,
    .summary = N_("validate customer files and crmf.yaml"),
    .synopsis = "[--format text|json] [--today DATE] [--strict] [--no-cache] [-q] [PATH…]\n"
		"--staged [--focus | --format text|json] [--today DATE] [--strict] [-q]\n"
		"--rev REV [--root DIR] [--git-dir DIR] [--format text|json]\n"
		"    [--today DATE] [--strict] [-q]\n"
		"--pre-receive [--root DIR] [--git-dir DIR] [--today DATE] [--strict]",
    .description = N_("Validate every customer file (customers/ and archive/, at any depth) and\n"
		   "crmf.yaml, or only the files and folders named. Every problem is reported as\n"
		   "  path:line:column: error|warning: message [rule]\n"
		   "followed by a summary. Cross-file checks (unique ids, probable duplicates)\n"
		   "always compare against the whole repository. Files are never changed.\n"
		   "\n"
		   "With --staged, what is checked is what 'git commit' would commit: the\n"
		   "staged contents (the index) of every customer file and of crmf.yaml, not\n"
		   "the working tree. The pre-commit hook of 'crmf hooks install' runs this\n"
		   "with --focus: the problems of the files the commit adds or changes come\n"
		   "first, then the errors of the others (they refuse the commit too), and the\n"
		   "others' warnings as one line: 'and 31 warnings in 12 other files; run\n"
		   "'crmf check''.\n"
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
		   "of 'crmf hooks install --server' runs this.\n"),
    .opts = options,
    .notes = N_("exit status: 0 no errors, 1 errors found (--pre-receive: the push is\n"
	     "refused), 2 usage or repository error or a bad revision\n"),
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
	fprintf(f, _("%zu file%s checked: %zu error%s, %zu warning%s\n"), files,
		files == 1 ? "" : "s", d->errors, d->errors == 1 ? "" : "s",
		d->warnings, d->warnings == 1 ? "" : "s");
}

/* The staged contents (crmf_check_staged). Returns the number of files
 * checked, or -1 (printed). */
static long check_staged(const char *root, crmf_day today, crmf_diags *diags)
{
	size_t files = 0;

	if (crmf_check_staged(diags, &files, root, today) != 0) {
		cli_error("%s", crmf_error_last());
		return -1;
	}
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

		printf(_("crmf: push refused: %zu of %zu pushed commit%s bring%s %s; fix %s (git "
		       "rebase -i for a commit below the tip) and push again\n"),
		       k, checked, checked == 1 ? "" : "s", k == 1 ? "s" : "",
		       strict ? _("errors or warnings") : _("errors"), k == 1 ? "it" : "them");
		rc = EXIT_FOUND;
		goto done;
	}
	if (!quiet && checked)
		printf(_("crmf: %zu pushed commit%s checked: no errors\n"), checked,
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

/* What the command line asks of check. */
struct check_cmd {
	crmf_rev_opts ro;
	const char *rev;
	bool pre_receive, strict, quiet, staged, focus, fix;
	cli_format fmt;
	crmf_scan_opts so;
};

/* The options into *o (args->ind then at the first operand): -1 when they are
 * good, else the exit status. */
static int parse_options(struct check_cmd *o, cli_args *args, int argc, char **argv)
{
	const char *today_arg = NULL;
	int c;

	cli_args_init(args, &cmd_check, argc, argv);
	while ((c = cli_args_next(args)) > 0) {
		switch (c) {
		case 'x':
			o->fix = true;
			break;
		case 'f':
			if (cli_parse_format(&o->fmt, args->arg, 1u << FMT_TEXT | 1u << FMT_JSON))
				return EXIT_USAGE;
			break;
		case 't':
			today_arg = args->arg;
			break;
		case 's':
			o->strict = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'S':
			o->staged = true;
			break;
		case 'F':
			o->focus = true;
			break;
		case 'N':
			o->so.no_cache = true;
			break;
		case 'r':
			o->rev = args->arg;
			break;
		case 'P':
			o->pre_receive = true;
			break;
		case 'R':
			o->ro.root = args->arg;
			break;
		case 'G':
			o->ro.git_dir = args->arg;
			break;
		}
	}
	if (c < 0)
		return args->status;
	if (cli_today(&o->so.today, today_arg))
		return EXIT_USAGE;
	if ((o->rev || o->pre_receive) &&
	    (o->staged || args->ind < argc || (o->rev && o->pre_receive)))
		return cli_usage_error(&cmd_check, "--rev and --pre-receive check whole commits: "
						   "give no PATH, and neither --staged nor the other");
	if (o->fix && (o->staged || o->rev || o->pre_receive || args->ind < argc))
		return cli_usage_error(&cmd_check, "--fix changes the work tree: give no PATH, "
						   "--staged, --rev or --pre-receive");
	if (o->focus && (!o->staged || o->fmt != FMT_TEXT))
		return cli_usage_error(&cmd_check, "--focus goes with --staged, in text");
	if (!o->rev && !o->pre_receive && (o->ro.root || o->ro.git_dir))
		return cli_usage_error(&cmd_check, "--root and --git-dir go with --rev or "
						   "--pre-receive");
	o->ro.today = o->so.today;
	return -1;
}

/* When the current folder's repository has no crmf.yaml but the first PATH
 * lies in a crmf repository below it (a crmf repository in a subfolder of the
 * git work tree, checked from the top as pre-commit does), that one is
 * checked: the PATHs become absolute, and *r is replaced. */
static int path_repository(crmf_repository **r, int nargs, char **args)
{
	char *yaml = NULL, *dir = NULL, *slash;
	crmf_repository *sub = NULL;
	struct stat st;
	int rc = EXIT_OK;

	if (asprintf(&yaml, "%s/crmf.yaml", crmf_repository_root(*r)) < 0)
		return EXIT_USAGE;
	if (access(yaml, F_OK) == 0 || !(dir = realpath(args[0], NULL)))
		goto done;
	/* the first path's folder, or the path when it is one */
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode) && (slash = strrchr(dir, '/')))
		*slash = 0;
	if (crmf_repository_open(&sub, dir) != 0 ||
	    strcmp(crmf_repository_root(sub), crmf_repository_root(*r)) == 0) {
		crmf_repository_close(sub);
		goto done;
	}
	free(yaml);
	if (asprintf(&yaml, "%s/crmf.yaml", crmf_repository_root(sub)) < 0 || access(yaml, F_OK) != 0) {
		crmf_repository_close(sub);
		goto done;
	}
	for (int i = 0; i < nargs; i++) {
		char *abs = realpath(args[i], NULL);

		if (!abs) {
			cli_error("cannot read '%s': %s", args[i], strerror(errno));
			crmf_repository_close(sub);
			rc = EXIT_USAGE;
			goto done;
		}
		args[i] = abs; /* lives as long as the command */
	}
	crmf_repository_close(*r);
	*r = sub;
done:
	free(yaml);
	free(dir);
	return rc;
}

/* --fix: every plain confidential value encrypted, one commit. EXIT_OK or EXIT_FOUND. */
static int fix_confidential(crmf_repository *r)
{
	const crmf_config *cfg = NULL;
	crmf_crypt *c = NULL;
	crmf_keys_result res;
	char *why = NULL;
	int rc = EXIT_FOUND;

	if (crmf_repository_config(&cfg, r) != 0 || !cfg->has_confidential) {
		cli_error(_("--fix: crmf.yaml has no confidential fields"));
		return EXIT_FOUND;
	}
	if (crmf_keys_open(&c, r, NULL, &why) != 0 || crmf_keys_seal_all(&res, r, c, NULL, &why) != 0) {
		cli_error("--fix: %s", why);
		goto done;
	}
	if (res.values)
		printf(_("encrypted %zu value%s in %zu file%s: committed %.7s\n"), res.values,
		       res.values == 1 ? "" : "s", res.files, res.files == 1 ? "" : "s", res.oid);
	rc = EXIT_OK;
done:
	free(why);
	crmf_crypt_free(c);
	return rc;
}

/* With a key: every encrypted value decrypted, those that do not into diags. */
static void verify_confidential(crmf_repository *r, crmf_diags *diags)
{
	const crmf_config *cfg = NULL;
	crmf_crypt *c = NULL;
	char *why = NULL;

	if (crmf_repository_config(&cfg, r) != 0 || !cfg->has_confidential)
		return;
	if (crmf_keys_open(&c, r, NULL, &why) != 0) {
		cli_error("%s; encrypted values are checked for their form only", why);
		free(why);
		return;
	}
	(void)crmf_keys_verify(r, c, diags);
	crmf_crypt_free(c);
}

/* The work tree's files (the PATHs given, or all), or the staged ones, into
 * *diags (initialised here when EXIT_OK); *r and *repo to be released by the
 * caller. EXIT_OK, or EXIT_USAGE with the error printed. */
static int check_tree(long *files, crmf_diags *diags, crmf_repository **r, crmf_repo **repo,
		      struct check_cmd *o, int nargs, char **args)
{
	const char *root;

	*r = cli_repository();
	if (!*r)
		return EXIT_USAGE;
	if (nargs > 0 && !o->staged && path_repository(r, nargs, args) != EXIT_OK)
		return EXIT_USAGE;
	root = crmf_repository_root(*r);
	if (o->staged && nargs > 0)
		return cli_usage_error(&cmd_check, "--staged checks every staged file; give no PATH");
	if (nargs > 0) {
		o->so.paths = (const char *const *)args;
		o->so.n_paths = (size_t)nargs;
	}
	crmf_diags_init(diags);
	if (o->staged) {
		*files = check_staged(root, o->so.today, diags);
		if (*files < 0) {
			crmf_diags_release(diags);
			return EXIT_USAGE;
		}
	} else {
		if (o->fix && fix_confidential(*r) != EXIT_OK) {
			crmf_diags_release(diags);
			return EXIT_FOUND;
		}
		if (crmf_repo_load(repo, root, &o->so, diags) != 0) {
			cli_error("%s", crmf_error_last());
			crmf_diags_release(diags);
			return EXIT_USAGE;
		}
		*files = (long)(*repo)->files_checked;
		if (nargs == 0) {
			verify_confidential(*r, diags);
			crmf_diags_sort(diags);
		}
	}
	return EXIT_OK;
}

/* The diagnostics and the summary line; the exit status they make. */
static int report(const struct check_cmd *o, long files, const crmf_diags *diags)
{
	if (o->fmt == FMT_JSON) {
		print_summary(stdout, (size_t)files, diags, o->fmt);
	} else {
		cli_print_diags(stdout, diags, o->fmt);
		if (!o->quiet || diags->n)
			print_summary(stdout, (size_t)files, diags, o->fmt);
	}
	return usage_level(diags)				? EXIT_USAGE
	       : diags->errors || (o->strict && diags->warnings) ? EXIT_FOUND
								 : EXIT_OK;
}

/* --staged --focus: what the commit changes first, the rest of the
 * repository's warnings as a count. */
static int check_focus(const struct check_cmd *o)
{
	crmf_repository *r = cli_repository();
	crmf_staged_report sr;
	size_t errors, warnings;
	bool said;
	int rc;

	if (!r)
		return EXIT_USAGE;
	if (crmf_check_staged_report(&sr, crmf_repository_root(r), o->so.today) != 0) {
		cli_error("%s", crmf_error_last());
		crmf_repository_close(r);
		return EXIT_USAGE;
	}
	errors = sr.changed.errors + sr.others.errors;
	warnings = sr.changed.warnings + sr.others.warnings;
	cli_print_diags(stdout, &sr.changed, FMT_TEXT);
	for (size_t i = 0; i < sr.others.n; i++)
		if (sr.others.v[i].severity == CRMF_SEV_ERROR)
			cli_print_diag(stdout, &sr.others.v[i]);
	said = sr.changed.n || sr.others.errors;
	if (sr.others.warnings && (said || !o->quiet))
		printf(_("and %zu warning%s in %zu other file%s; run 'crmf check'\n"),
		       sr.others.warnings, sr.others.warnings == 1 ? "" : "s",
		       sr.other_warning_files, sr.other_warning_files == 1 ? "" : "s");
	if (said || !o->quiet)
		printf(_("%zu file%s checked: %zu error%s, %zu warning%s\n"), sr.files,
		       sr.files == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
		       warnings == 1 ? "" : "s");
	rc = errors || (o->strict && warnings) ? EXIT_FOUND : EXIT_OK;
	crmf_staged_report_release(&sr);
	crmf_repository_close(r);
	return rc;
}

static int run(int argc, char **argv)
{
	struct check_cmd o = {.ro = {NULL, NULL, 0}, .fmt = FMT_TEXT, .so = {.mode = CRMF_SCAN_NONE}};
	cli_args args;
	long files = 0;
	crmf_repo *repo = NULL;
	crmf_diags diags;
	crmf_repository *r = NULL;
	int rc;

	rc = parse_options(&o, &args, argc, argv);
	if (rc >= 0)
		return rc;
	if (o.pre_receive) {
		if (o.fmt != FMT_TEXT)
			return cli_usage_error(&cmd_check, "--pre-receive writes text for git to relay");
		return check_push(&o.ro, o.strict, o.quiet);
	}
	if (o.focus)
		return check_focus(&o);
	if (o.rev) {
		size_t nfiles = 0;

		crmf_diags_init(&diags);
		if (crmf_check_rev(&diags, &nfiles, &o.ro, o.rev) != 0) {
			cli_error("%s", crmf_error_last());
			crmf_diags_release(&diags);
			return EXIT_USAGE;
		}
		files = (long)nfiles;
	} else {
		rc = check_tree(&files, &diags, &r, &repo, &o, argc - args.ind, argv + args.ind);
		if (rc != EXIT_OK) {
			crmf_repository_close(r);
			return rc;
		}
	}
	rc = report(&o, files, &diags);
	crmf_diags_release(&diags);
	crmf_repo_free(repo);
	crmf_repository_close(r);
	return rc;
}
