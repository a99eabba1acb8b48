/* SPDX-License-Identifier: MIT */
/* crmf merge: customers that are one company merged into the one kept, as one commit. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"

extern char **environ;

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'T', 0, "take", "ID[:FIELD]",
     N_("settle FIELD (stage, need.budget…) with customer ID's value; without\n"
	":FIELD, every field that differs (repeatable)")},
    {'s', 0, "set", "FIELD=VALUE", N_("settle FIELD with VALUE, typed as 'crmf set' types it (repeatable)")},
    {'n', 0, "dry-run", NULL, N_("print the merged file as a diff, and the removals; change nothing")},
    {'e', 0, "edit", NULL,
     N_("open the merged file in $VISUAL/$EDITOR, each field that differs with\n"
	"KEEP's value and a line '# crmf merge: ID has FIELD: VALUE' under it")},
    {'t', 0, "today", "DATE", N_("the date against which future dates are judged")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {0},
};

const struct crmf_cmd cmd_merge = {
    .name = "merge",
    .run = run,
    .summary = N_("merge duplicate customers into one (follow-ups, contacts, deals), committed"),
    .synopsis = "KEEP DROP… [--take ID[:FIELD]]… [--set FIELD=VALUE]… [--dry-run] [--edit]",
    .description = N_(
	"Merge the customers DROP (ids or paths under customers/, found by\n"
	"'crmf dedupe') into KEEP, in one commit that changes KEEP's file and\n"
	"removes the DROPs' ('git revert' of it restores them all). KEEP's file\n"
	"keeps every byte, comments included; what the DROPs add is spliced in:\n"
	"  follow-ups of all, in date order (KEEP's first on the same date), an\n"
	"    exact repeat once;\n"
	"  contacts united: the same phone (however written) or email (in any\n"
	"    case) is one contact, its empty fields filled; deals and tags united;\n"
	"  fields only a DROP has;\n"
	"  merged: [DROP…], so that 'crmf show DROP' finds KEEP and 'crmf history\n"
	"    KEEP' shows the DROPs' history too.\n"
	"A field both have with other values (stage, owner, name, need.budget, a\n"
	"custom field…) is a conflict: listed with both values, nothing changed,\n"
	"until settled by --take, --set or --edit:\n"
	"  crmf merge C2024003 C2025007 --take C2024003 --take C2025007:source\n"
	"  crmf merge C2024003 C2025007 --take C2024003 --set potential=high\n"),
    .opts = options,
    .notes = N_("exit status: 0 merged (or, --dry-run, it would merge), 1 refused (fields\n"
		"that differ, an invalid result, a file with errors or uncommitted changes),\n"
		"2 usage error (an unknown or archived customer, KEEP among the DROPs)\n"),
    .opt_width = 22,
};

/* `diff -u` of two files, labelled, to stdout (diffutils). */
static void print_diff(const char *a, const char *la, const char *b, const char *lb)
{
	char *args[] = {"diff", "-u", "--label", (char *)la, "--label", (char *)lb, (char *)a,
			(char *)b, NULL};
	pid_t pid;
	int st;

	fflush(stdout);
	if (posix_spawnp(&pid, "diff", NULL, NULL, args, environ) != 0) {
		cli_error(_("cannot run diff: %s"), strerror(errno));
		return;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);

	if (!s)
		abort();
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb + 1);
	return s;
}

static int dry_run_diff(crmf_change_tx *tx, const char *root, const char *merged, size_t len)
{
	const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *tmp = join(dir, "crmf-merge-XXXXXX");
	int fd = mkstemp(tmp);
	const char *rel;

	if (fd < 0 || write(fd, merged, len) != (ssize_t)len) {
		cli_error(_("cannot write a temporary file: %s"), strerror(errno));
		if (fd >= 0)
			close(fd), unlink(tmp);
		free(tmp);
		return EXIT_USAGE;
	}
	close(fd);
	for (size_t i = 0; (rel = crmf_change_merge_path(tx, i)); i++) {
		char *path = join(root, rel), *la = join("a", rel), *lb = join("b", rel);

		if (i == 0)
			print_diff(path, la, tmp, lb);
		else
			print_diff(path, la, "/dev/null", "/dev/null");
		free(path), free(la), free(lb);
	}
	unlink(tmp);
	free(tmp);
	return EXIT_OK;
}

static int merge(const char *keep, const char *const *drops, size_t n,
		 const crmf_combine_opts *o, bool edit, const char *author, crmf_day today)
{
	crmf_repository *repo = cli_repository();
	crmf_change_tx *tx = NULL;
	char *merged = NULL, *edited = NULL, *copy = NULL;
	size_t len = 0, edited_len = 0;
	int rc;

	if (!repo)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, repo, author, today)) != 0 ||
	    (rc = crmf_change_merge(tx, keep, drops, n, o, &merged, &len)) != 0)
		goto done;
	if (o->dry_run) {
		cli_change_print(tx);
		rc = dry_run_diff(tx, crmf_repository_root(repo), merged, len);
		crmf_change_free(tx);
		crmf_repository_close(repo);
		free(merged);
		return rc;
	}
	if (edit) {
		cli_change_print(tx);
		switch (cli_edit_loop(&edited, &edited_len, &copy, tx, merged, len, false)) {
		case CLI_EDIT_ABORTED:
			rc = CRMF_CHANGE_REFUSED;
			goto done;
		}
		rc = crmf_change_merge_commit(tx, edited, edited_len);
		if (rc == 0 && copy)
			unlink(copy);
	}
done:
	rc = cli_change_exit(tx, rc);
	free(copy);
	free(edited);
	free(merged);
	crmf_change_free(tx);
	crmf_repository_close(repo);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *today_arg = NULL, *author = NULL;
	crmf_combine_take *take = calloc((size_t)argc + 1, sizeof(*take));
	crmf_assign *set = calloc((size_t)argc + 1, sizeof(*set));
	crmf_combine_opts o = {0};
	bool edit = false;
	crmf_day today;
	int c, rc = EXIT_USAGE;

	if (!take || !set)
		abort();
	cli_args_init(&args, &cmd_merge, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		char *eq;

		if (c == 't') {
			today_arg = args.arg;
		} else if (c == 'a') {
			author = args.arg;
		} else if (c == 'n') {
			o.dry_run = true;
		} else if (c == 'e') {
			edit = o.draft = true;
		} else if (c == 'T') {
			char *colon = strchr(args.arg, ':');

			take[o.n_take].id = args.arg;
			if (colon) {
				*colon = '\0';
				take[o.n_take].field = colon + 1;
			}
			if (!*take[o.n_take].id || (colon && !colon[1])) {
				rc = cli_usage_error(&cmd_merge, _("--take wants ID or ID:FIELD"));
				goto done;
			}
			o.n_take++;
		} else if (c == 's') {
			eq = strchr(args.arg, '=');
			if (!eq || eq == args.arg) {
				rc = cli_usage_error(&cmd_merge,
						     _("--set wants FIELD=VALUE, not '%s'"), args.arg);
				goto done;
			}
			*eq = '\0';
			set[o.n_set++] = (crmf_assign){args.arg, eq + 1, false};
			if (cli_check_assign(&cmd_merge, args.arg, eq + 1) != EXIT_OK)
				goto done;
		}
	}
	if (c < 0) {
		rc = args.status;
		goto done;
	}
	if (argc - args.ind < 2) {
		rc = cli_usage_error(&cmd_merge, _("give KEEP and the customers to merge into it"));
		goto done;
	}
	if (o.dry_run && edit) {
		rc = cli_usage_error(&cmd_merge, _("--dry-run and --edit do not go together"));
		goto done;
	}
	for (int i = args.ind; i < argc; i++)
		if (cli_check_arg(&cmd_merge, "ID", argv[i]) != EXIT_OK)
			goto done;
	if (cli_check_arg(&cmd_merge, "--today", today_arg) != EXIT_OK ||
	    cli_check_arg(&cmd_merge, "--author", author) != EXIT_OK || cli_today(&today, today_arg))
		goto done;
	o.take = take;
	o.set = set;
	rc = merge(argv[args.ind], (const char *const *)argv + args.ind + 1,
		   (size_t)(argc - args.ind - 1), &o, edit, author, today);
done:
	free(take);
	free(set);
	return rc;
}
