/* SPDX-License-Identifier: MIT */
/* crmf commit: validate the customer files edited by hand and commit them, saying what changed. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'m', 'm', "message", "MSG", N_("the commit's first line")},
    {'a', 0, "author", "A", N_("commit as A ('Name <email>') instead of git's identity")},
    {'t', 0, "today", "DATE", N_("the date against which future dates are judged")},
    {0},
};

const struct crmf_cmd cmd_commit = {
    .name = "commit",
    .run = run,
    .summary = N_("validate and commit customer files edited by hand, summarised per customer"),
    .synopsis = "[-m MESSAGE] [--author 'NAME <EMAIL>'] [--today DATE]",
    .description = N_("Commit every customer file (customers/ and archive/) that differs from the\n"
		   "last commit: edited, new, deleted or moved by hand, staged or not. They are\n"
		   "validated first, against the whole repository (unique ids): while any of\n"
		   "them has errors, the problems are printed and nothing is committed. The\n"
		   "message summarises the changes per customer, field by field\n"
		   "(`C2024001: stage: intent → negotiation`); -m gives its first line. Other\n"
		   "files, and anything else you staged, are left out of the commit.\n"
		   "Also the way to commit a change that crmf saved but could not commit.\n"),
    .opts = options,
    .notes = N_("exit status: 0 committed, or nothing to commit; 1 files have errors, no git\n"
	     "identity, merge in progress, or the commit failed; 2 usage error\n"),
};

static const crmf_customer *loaded(const crmf_repo *repo, const char *rel)
{
	size_t lo = 0, hi = repo->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(repo->v[mid]->path, rel);

		if (c == 0)
			return repo->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The document of `rel` in HEAD, or NULL. */
static crmf_doc *head_doc(crmf_repository *r, const char *rel)
{
	crmf_doc *doc = NULL;
	crmf_diags d;
	char *buf = NULL;
	size_t len = 0;

	if (crmf_repository_read_head(&buf, &len, r, rel) != 0)
		return NULL;
	crmf_diags_init(&d);
	crmf_doc_parse(&doc, rel, buf, len, &d);
	crmf_diags_release(&d);
	free(buf);
	return doc;
}

/* What changed in one file, as lines "ID: …" into `body`; the short form for a
 * one-file subject into *what (malloc'ed). */
static void describe(crmf_lines *body, crmf_lines *shown, char **what, crmf_repository *r,
		     const crmf_repo *repo, const crmf_changed *f, const char *id)
{
	const crmf_customer *c = f->status == 'D' ? NULL : loaded(repo, f->path);
	crmf_doc *old = NULL;
	crmf_lines lines = {0}, keys = {0}, user = {0};

	switch (f->status) {
	case 'A':
		crmf_lines_add(body, "%s: new, %s", id, f->path);
		crmf_lines_add(shown, _("%s: new, %s"), id, f->path);
		*what = strdup(c && c->name ? c->name : "new");
		return;
	case 'D':
		crmf_lines_add(body, "%s: deleted, %s", id, f->path);
		crmf_lines_add(shown, _("%s: deleted, %s"), id, f->path);
		*what = strdup("deleted");
		return;
	case 'R':
		crmf_lines_add(body, "%s: moved %s → %s", id, f->old_path, f->path);
		crmf_lines_add(shown, _("%s: moved %s → %s"), id, f->old_path, f->path);
		old = head_doc(r, f->old_path);
		break;
	default:
		old = head_doc(r, f->path);
	}
	crmf_change_describe(&lines, &keys, old, c ? c->doc : NULL);
	for (size_t i = 0; i < lines.n; i++)
		crmf_lines_add(body, "%s: %s", id, lines.v[i]);
	/* the commit's lines are English, the user's in their language */
	if (crmf_translate_lang())
		crmf_change_describe_user(&user, old, c ? c->doc : NULL);
	for (size_t i = 0; i < (user.n ? user.n : lines.n); i++)
		crmf_lines_add(shown, "%s: %s", id, user.n ? user.v[i] : lines.v[i]);
	if (f->status == 'R')
		*what = strdup(!strncmp(f->path, "archive/", 8)	      ? "archived"
			       : !strncmp(f->old_path, "archive/", 8) ? "restored"
								      : "moved");
	else
		*what = keys.n ? crmf_lines_join(&keys, ", ") : strdup("comments and layout");
	if (f->status != 'R' && lines.n == 0) {
		crmf_lines_add(body, "%s: comments or layout changed", id);
		crmf_lines_add(shown, _("%s: comments or layout changed"), id);
	}
	crmf_lines_release(&lines);
	crmf_lines_release(&user);
	crmf_lines_release(&keys);
	crmf_doc_free(old);
}

/* Check the changed files `v` against the whole repository: *out them loaded (NULL when all
 * are deleted); -1 when they have errors, printed. */
static int validate(crmf_repo **out, const char *root, const crmf_changed *v, size_t n,
		    crmf_day today)
{
	char **abs = calloc(n + 1, sizeof(*abs));
	crmf_scan_opts so = {.today = today};
	crmf_diags d;
	size_t nsel = 0;
	int rc = 0;

	if (!abs)
		abort();
	*out = NULL;
	crmf_diags_init(&d);
	for (size_t i = 0; i < n; i++)
		if (v[i].status != 'D')
			abs[nsel++] = cli_path(root, v[i].path);
	so.paths = (const char *const *)abs;
	so.n_paths = nsel;
	if (nsel && crmf_repo_load(out, root, &so, &d) != 0) {
		cli_error("%s", crmf_error_last());
		rc = -1;
	} else if (nsel) {
		cli_print_diags(stderr, &d, FMT_TEXT);
		if (d.errors) {
			size_t bad = cli_files_with_errors(&d);

			cli_error("nothing committed: %zu file%s errors; fix %s and run 'crmf "
				  "commit' again",
				  bad, bad == 1 ? " has" : "s have", bad == 1 ? "it" : "them");
			rc = -1;
		}
	}
	for (size_t i = 0; i < nsel; i++)
		free(abs[i]);
	free(abs);
	crmf_diags_release(&d);
	return rc;
}

/* The commit of the changed files `v`: its paths (2 * n room), subject and body. */
static size_t message(crmf_commit_path *paths, char **subject, char **text, char **list,
		      crmf_repository *r, const crmf_repo *repo, const crmf_changed *v, size_t n,
		      const char *msg)
{
	crmf_lines ids = {0}, body = {0}, shown = {0};
	char *what = NULL;
	size_t np = 0;

	for (size_t i = 0; i < n; i++) {
		char *id = cli_path_id(v[i].path);

		free(what);
		what = NULL;
		describe(&body, &shown, &what, r, repo, &v[i], id);
		crmf_lines_add_once(&ids, id);
		paths[np++] = (crmf_commit_path){v[i].path, v[i].status == 'D'};
		if (v[i].status == 'R' && v[i].old_path)
			paths[np++] = (crmf_commit_path){v[i].old_path, true};
		free(id);
	}
	*list = crmf_lines_join(&ids, ", ");
	if (msg) {
		*subject = strdup(msg);
	} else if (ids.n == 1) {
		if (asprintf(subject, "crmf: commit %s: %s", ids.v[0], what) < 0)
			abort();
	} else {
		char *cut = crmf_text_cut(*list, 60);

		if (asprintf(subject, "crmf: commit %zu customers: %s", ids.n, cut) < 0)
			abort();
		free(cut);
	}
	*text = crmf_lines_join(&body, "\n");
	for (size_t i = 0; i < shown.n; i++)
		printf("%s\n", shown.v[i]);
	free(what);
	crmf_lines_release(&ids);
	crmf_lines_release(&body);
	crmf_lines_release(&shown);
	return np;
}

/* Commit every changed customer file, once the arguments are checked. */
static int commit_all(const char *msg, const char *author, crmf_day today)
{
	crmf_repository *r = cli_repository();
	crmf_change_tx *tx = NULL;
	crmf_changed *v = NULL;
	crmf_commit_path *paths = NULL;
	crmf_repo *repo = NULL;
	char *subject = NULL, *text = NULL, *list = NULL;
	size_t n = 0, np;
	char oid[41];
	int rc;

	if (!r)
		return EXIT_USAGE;
	if ((rc = crmf_change_open(&tx, r, author, today)) != 0 || (rc = crmf_change_lock(tx)) != 0)
		goto done;
	cli_change_print(tx);
	rc = CRMF_CHANGE_REFUSED;
	if (crmf_repository_status(&v, &n, r) != 0) {
		cli_error("%s", crmf_error_last());
		goto done;
	}
	if (n == 0) {
		printf(_("nothing to commit: every customer file is as in the last commit\n"));
		rc = 0;
		goto done;
	}
	if (validate(&repo, crmf_repository_root(r), v, n, today) != 0)
		goto done;
	paths = calloc(2 * n, sizeof(*paths));
	if (!paths)
		abort();
	np = message(paths, &subject, &text, &list, r, repo, v, n, msg);
	if (crmf_repository_commit(oid, r, paths, NULL, np,
				   &(crmf_commit_opts){.author = author,
						       .subject = subject,
						       .body = text,
						       .action = "commit",
						       .customer = list}) != 0) {
		cli_error("nothing committed: %s", crmf_error_last());
		goto done;
	}
	if (oid[0])
		printf(_("committed %.7s \"%s\"\n"), oid, subject);
	else
		printf(_("nothing to commit: committed already as it is\n"));
	rc = 0;
done:
	rc = cli_change_exit(tx, rc);
	free(text);
	free(subject);
	free(list);
	free(paths);
	crmf_repo_free(repo);
	crmf_changed_free(v, n);
	crmf_change_free(tx);
	crmf_repository_close(r);
	return rc;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *msg = NULL, *author = NULL, *today_arg = NULL;
	crmf_day today;
	int c;

	cli_args_init(&args, &cmd_commit, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'm':
			msg = args.arg;
			break;
		case 'a':
			author = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (args.ind < argc)
		return cli_usage_error(&cmd_commit,
				       "crmf commit takes every changed customer file; "
				       "no arguments");
	if (msg && (!*msg || strchr(msg, '\n')))
		return cli_usage_error(&cmd_commit, "-m takes one line");
	if (cli_check_arg(&cmd_commit, "-m", msg) != EXIT_OK ||
	    cli_check_arg(&cmd_commit, "--author", author) != EXIT_OK ||
	    cli_check_arg(&cmd_commit, "--today", today_arg) != EXIT_OK)
		return EXIT_USAGE;
	if (cli_today(&today, today_arg))
		return EXIT_USAGE;
	return commit_all(msg, author, today);
}

