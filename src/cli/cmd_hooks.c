/* SPDX-License-Identifier: MIT */
/* crmf hooks: install a git hook that validates customer files: pre-commit (staged files) or, on a server, pre-receive (pushed commits). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/sync.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'f', 'f', "force", NULL, N_("replace a hook that crmf did not write")},
    {'S', 0, "server", NULL, N_("the pre-receive hook of a shared repository")},
    {'R', 0, "root", "DIR", N_("with --server: the crmf root inside the repository's tree")},
    {0},
};

const struct crmf_cmd cmd_hooks = {
    .name = "hooks",
    .run = run,
    .summary = N_("install the git hook that checks commits (pre-commit, or pre-receive on a server)"),
    .synopsis = "install [--force]\n"
		"install --server [--root DIR] [--force]\n"
		"uninstall [--server]",
    .description = N_("install writes the repository's pre-commit hook (in .git/hooks/, or where\n"
		   "core.hooksPath says) so that 'git commit' runs 'crmf check --staged' and is\n"
		   "refused while a staged customer file or crmf.yaml has errors; the check\n"
		   "reads what is staged, not the working tree. The hook calls crmf by name\n"
		   "when the crmf on PATH is this one, else by this program's absolute path.\n"
		   "An existing hook that crmf did not write is left alone unless --force is\n"
		   "given; it is then kept as pre-commit.before-crmf. uninstall removes crmf's\n"
		   "hook. To bypass the hook once: git commit --no-verify.\n"
		   "\n"
		   "With --server, in the shared (usually bare) repository that a team pushes\n"
		   "to (crmf -C team.git hooks install --server), install writes a pre-receive\n"
		   "hook instead: every push is checked by 'crmf check --pre-receive', and a\n"
		   "push that brings a commit with errors is refused, whoever pushed it and\n"
		   "with whatever client; the pusher sees the problems as path:line:column\n"
		   "lines. The hook calls this program by its absolute path, else the crmf on\n"
		   "PATH. --root DIR names the crmf root when crmf.yaml is not at the top of\n"
		   "the repository. A foreign pre-receive hook is kept as\n"
		   "pre-receive.before-crmf with --force.\n"
		   "\n"
		   "With the pre-commit framework (pre-commit.com), use the hook 'crmf-check'\n"
		   "of crmf's repository in .pre-commit-config.yaml instead.\n"),
    .opts = options,
    .notes = N_("exit status: 0 done, 1 a foreign hook is in the way or writing failed,\n"
	     "2 usage error or not in a repository\n"),
    .opt_width = 14,
};

/* The line that marks a hook as crmf's own. */
static const char marker[] = "# crmf pre-commit hook";
static const char server_marker[] = "# crmf pre-receive hook";

/* `s` in single quotes for sh. */
static void sh_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

static char *hook_text(size_t *len, const char *crmf, const char *prefix)
{
	char *s = NULL;
	FILE *m = open_memstream(&s, len);

	if (!m)
		abort();
	fprintf(m, "#!/bin/sh\n%s, written by 'crmf hooks install'.\n", marker);
	fputs("# Refuses the commit while a staged customer file or crmf.yaml has errors;\n"
	      "# 'crmf check --staged' reads the index, not the working tree.\n"
	      "# Skip it once with: git commit --no-verify\n",
	      m);
	fputs("crmf=", m);
	sh_quote(m, crmf);
	fputs("\nif ! command -v \"$crmf\" >/dev/null 2>&1; then\n"
	      "\techo \"crmf pre-commit hook: cannot run $crmf; install crmf, run 'crmf hooks "
	      "install' again, or commit with --no-verify\" >&2\n"
	      "\texit 1\n"
	      "fi\n"
	      "\"$crmf\" -C ",
	      m);
	sh_quote(m, prefix[0] ? prefix : ".");
	fputs(" check --staged --focus -q || {\n"
	      "\techo \"crmf: commit refused: fix the problems above, 'git add' the files, and "
	      "commit again\" >&2\n"
	      "\texit 1\n"
	      "}\n",
	      m);
	fclose(m);
	return s;
}

static char *server_hook_text(size_t *len, const char *crmf, const char *root)
{
	char *s = NULL;
	FILE *m = open_memstream(&s, len);

	if (!m)
		abort();
	fprintf(m, "#!/bin/sh\n%s, written by 'crmf hooks install --server'.\n", server_marker);
	fputs("# Refuses a push that brings a commit whose customer files or crmf.yaml have\n"
	      "# errors; 'crmf check --pre-receive' reads the pushed commits from git's objects\n"
	      "# and the lines '<old> <new> <ref>' git writes to this hook's standard input.\n"
	      "crmf=",
	      m);
	sh_quote(m, crmf);
	fputs("\nif ! command -v \"$crmf\" >/dev/null 2>&1; then\n"
	      "\tcrmf=crmf\n"
	      "\tif ! command -v crmf >/dev/null 2>&1; then\n"
	      "\t\techo \"crmf pre-receive hook: cannot run ",
	      m);
	sh_quote(m, crmf);
	fputs(" and no crmf is on PATH; push refused\" >&2\n"
	      "\t\texit 1\n"
	      "\tfi\n"
	      "fi\n"
	      "exec \"$crmf\" check --pre-receive",
	      m);
	if (root) {
		fputs(" --root ", m);
		sh_quote(m, root);
	}
	fputc('\n', m);
	fclose(m);
	return s;
}

static int make_dirs(const char *path)
{
	char *p = strdup(path);

	for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			break;
		*slash = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST) {
		cli_error("cannot create %s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

/* What the command line asks of hooks. */
struct hooks_cmd {
	const char *verb; /* "install" or "uninstall" */
	bool force, uninstall, server;
	const char *crmf_root; /* --root */
	const char *name, *mark;  /* the hook's file name and crmf's line in it */
};

/* The folder the hook goes in (and, for pre-commit, the crmf root's prefix in
 * the work tree) into *hooks and *prefix; 0, or -1 with the error printed. */
static int find_hooks(char **hooks, char **prefix, const struct hooks_cmd *o)
{
	crmf_repository *repo;
	int bare = 0, rc = 0;

	if (o->server) {
		if (crmf_server_hooks_dir(hooks, &bare, NULL) != 0) {
			cli_error("%s", crmf_error_last());
			return -1;
		}
		if (!bare && !o->uninstall)
			cli_error("warning: this repository has a work tree; its pre-receive hook "
				  "runs only when others push into it (install it in the shared, "
				  "bare repository)");
		return 0;
	}
	if (crmf_server_hooks_dir(hooks, &bare, NULL) == 0 && bare) {
		cli_error("this is a bare repository, where nobody commits: 'crmf hooks %s "
			  "--server' %s the hook that checks pushes",
			  o->verb, o->uninstall ? "removes" : "installs");
		free(*hooks);
		*hooks = NULL;
		return -1;
	}
	free(*hooks);
	*hooks = NULL;
	repo = cli_repository();
	if (!repo)
		return -1;
	if (crmf_hooks_dir(hooks, prefix, crmf_repository_root(repo)) != 0) {
		cli_error("%s", crmf_error_last());
		rc = -1;
	}
	crmf_repository_close(repo);
	return rc;
}

/* A hook at `path` that crmf did not write: refused (EXIT_FOUND), or with
 * --force kept as NAME.before-crmf (*backup); -1 when it may be replaced. */
static int keep_foreign_hook(char **backup, const struct hooks_cmd *o, const char *hooks,
			     const char *path)
{
	char *b;

	if (o->uninstall) {
		cli_error("%s was not written by crmf; left alone", path);
		return EXIT_FOUND;
	}
	if (!o->force) {
		cli_error("%s exists and was not written by crmf; add '%s' to it "
			  "yourself, or replace it with 'crmf hooks install %s--force' (it "
			  "is then kept as %s.before-crmf)",
			  path, o->server ? "crmf check --pre-receive" : "crmf check --staged",
			  o->server ? "--server " : "", o->name);
		return EXIT_FOUND;
	}
	b = malloc(strlen(o->name) + sizeof(".before-crmf"));
	if (!b)
		abort();
	strcpy(b, o->name);
	strcat(b, ".before-crmf");
	*backup = cli_path(hooks, b);
	free(b);
	if (rename(path, *backup) != 0) {
		cli_error("cannot keep %s as %s: %s", path, *backup, strerror(errno));
		return EXIT_FOUND;
	}
	printf(_("kept the earlier hook as %s\n"), *backup);
	return -1;
}

/* crmf's hook removed from `path` (`old`: what is there, NULL when nothing). */
static int remove_hook(const struct hooks_cmd *o, const char *hooks, const char *path,
		       const char *old)
{
	if (!old) {
		printf(_("no %s hook in %s\n"), o->name, hooks);
	} else if (unlink(path) != 0) {
		cli_error("cannot remove %s: %s", path, strerror(errno));
		return EXIT_FOUND;
	} else {
		printf(_("removed %s\n"), path);
	}
	return EXIT_OK;
}

/* crmf's hook written to `path`, executable; `updated` when it replaces crmf's own. */
static int write_hook(const struct hooks_cmd *o, const char *hooks, const char *prefix,
		      const char *path, bool updated)
{
	char *cmd, *text;
	size_t len = 0;
	int rc = EXIT_FOUND;

	if (o->server) {
		/* a server's PATH (ssh, a service) is seldom the installer's */
		cmd = realpath("/proc/self/exe", NULL);
		if (!cmd)
			cmd = crmf_self_command();
		text = server_hook_text(&len, cmd, o->crmf_root);
	} else {
		cmd = crmf_self_command();
		text = hook_text(&len, cmd, prefix);
	}
	if (make_dirs(hooks) != 0)
		goto done;
	if (crmf_write_atomic(path, text, len) != 0) {
		cli_error("cannot write %s: %s", path, crmf_error_last());
		goto done;
	}
	if (chmod(path, 0755) != 0) {
		cli_error("cannot make %s executable: %s", path, strerror(errno));
		goto done;
	}
	if (o->server)
		printf(_("%s %s: every push is now checked by '%s check --pre-receive'\n"),
		       updated ? "updated" : "installed", path, cmd);
	else
		printf(_("%s %s: 'git commit' now runs '%s check --staged'\n"),
		       updated ? "updated" : "installed", path, cmd);
	rc = EXIT_OK;
done:
	free(text);
	free(cmd);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	struct hooks_cmd o = {.name = "pre-commit", .mark = marker};
	char *hooks = NULL, *prefix = NULL, *path = NULL, *old = NULL, *backup = NULL;
	size_t old_len = 0;
	int c, rc = EXIT_USAGE;

	cli_args_init(&args, &cmd_hooks, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		if (c == 'f')
			o.force = true;
		else if (c == 'S')
			o.server = true;
		else if (c == 'R')
			o.crmf_root = args.arg;
	}
	if (c < 0)
		return args.status;
	if (args.ind + 1 != argc ||
	    (strcmp(argv[args.ind], "install") != 0 && strcmp(argv[args.ind], "uninstall") != 0))
		return cli_usage_error(&cmd_hooks, "say 'crmf hooks install' or 'crmf hooks "
						   "uninstall'");
	o.verb = argv[args.ind];
	o.uninstall = !strcmp(o.verb, "uninstall");
	if (o.uninstall && (o.force || o.crmf_root))
		return cli_usage_error(&cmd_hooks, "--force and --root go with install");
	if (o.crmf_root && !o.server)
		return cli_usage_error(&cmd_hooks, "--root goes with --server");
	if (o.server) {
		o.name = "pre-receive";
		o.mark = server_marker;
	}
	if (find_hooks(&hooks, &prefix, &o) != 0)
		goto done;
	path = cli_path(hooks, o.name);
	rc = -1;
	if (crmf_doc_read(&old, &old_len, path) == 0 && !strstr(old, o.mark))
		rc = keep_foreign_hook(&backup, &o, hooks, path);
	if (rc >= 0)
		goto done;
	if (o.uninstall)
		rc = remove_hook(&o, hooks, path, old);
	else
		rc = write_hook(&o, hooks, prefix, path, old && !backup);
done:
	free(backup);
	free(old);
	free(path);
	free(hooks);
	free(prefix);
	return rc;
}
