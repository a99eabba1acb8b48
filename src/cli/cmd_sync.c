/* SPDX-License-Identifier: MIT */
/* `crmf sync`: fetch, merge customer files by structure, commit, push, and say what moved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/sync.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'n', 0, "no-push", NULL, N_("fetch and merge, but do not push")},
    {'t', 0, "today", "DATE", N_("the date validation judges future dates against")},
    {'q', 'q', "quiet", NULL, N_("no progress meter while objects are fetched or pushed")},
    {0},
};

const struct crmf_cmd cmd_sync = {
    .name = "sync",
    .run = run,
    .summary = N_("fetch, merge customer files by structure, commit and push"),
    .synopsis = "[--no-push] [--today DATE] [--quiet] [REMOTE]",
    .description = N_("Share the repository with the team through a git remote (REMOTE, default:\n"
		   "the branch's remote, else origin): fetch its branch, fast-forward or merge\n"
		   "(customer files by their structure, as 'crmf merge-driver --help' says,\n"
		   "other files as git would), check the customer files the merge produced,\n"
		   "commit the merge, and push. Prints what came in (new customers, new\n"
		   "follow-ups, changed fields) and what went out.\n"
		   "\n"
		   "On a terminal, the objects received and sent are counted on stderr as git\n"
		   "counts them (Receiving objects:  45% (450/1000), 1.20 MiB); not with --quiet\n"
		   "or when stderr is not a terminal.\n"
		   "\n"
		   "Refuses while customer files have uncommitted changes (commit them first:\n"
		   "crmf commit) or a merge or rebase is in progress.\n"
		   "\n"
		   "When the same field was changed differently on both sides (or a customer\n"
		   "was archived on one side and changed on the other, or the merged record is\n"
		   "invalid), sync stops with the merge in progress, as git merge would: it\n"
		   "names each customer, field and both values, marks the clash in the file\n"
		   "around that field alone, and says how to finish (edit, git add, git commit\n"
		   "--no-edit, crmf sync) or give up (git merge --abort). Nothing is pushed.\n"
		   "\n"
		   "Remotes: a path or file:// URL, ssh (keys from ssh-agent; the host must be\n"
		   "in ~/.ssh/known_hosts), and https without a password. For a password or\n"
		   "token, use git pull and git push with a credential helper.\n"),
    .opts = options,
    .notes = N_("exit status: 0 done, 1 stopped on a conflict or the push failed (what came\n"
	     "in is kept), 2 usage or repository error (nothing changed)\n"),
    .opt_width = 15,
};

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static void print_files(const crmf_sync_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const crmf_sync_file *f = &v[i];
		const char *id = f->id ? f->id : "?";
		const char *name = f->name ? f->name : "";

		switch (f->status) {
		case 'A':
			printf(_("  new customer %s %s (%s)\n"), id, name, f->path);
			break;
		case 'D':
			printf(_("  removed %s %s (%s)\n"), id, name, f->path);
			break;
		case 'R':
			if (strncmp(f->path, "archive/", 8) == 0)
				printf(_("  archived %s %s (%s → %s)\n"), id, name, f->old_path,
				       f->path);
			else if (strncmp(f->old_path, "archive/", 8) == 0)
				printf(_("  restored %s %s (%s → %s)\n"), id, name, f->old_path,
				       f->path);
			else
				printf(_("  moved %s %s (%s → %s)\n"), id, name, f->old_path, f->path);
			break;
		default:
			printf("  %s %s (%s)\n", id, name, f->path);
			break;
		}
		if (f->status == 'A' || f->status == 'D')
			continue;
		for (size_t k = 0; k < f->n_changes; k++)
			printf("    %s\n", f->changes[k]);
	}
}

static void print_conflicts(const crmf_sync_result *r)
{
	crmf_lines add = {NULL, 0, 0};
	char *paths;
	bool markers = false;

	fprintf(stderr, _("crmf: sync stopped: merging %s needs you (%zu file%s)\n"), r->upstream,
		r->n_conflicts, plural(r->n_conflicts));
	for (size_t i = 0; i < r->n_conflicts; i++) {
		const crmf_sync_conflict *c = &r->conflicts[i];

		switch (c->kind) {
		case CRMF_SYNC_FIELDS:
			markers = true;
			for (size_t k = 0; k < c->n_fields; k++) {
				const crmf_merge_conflict *f = &c->fields[k];

				fprintf(
				    stderr,
				    "  %s:%d: '%s' changed on both sides: ours '%s', theirs '%s'\n",
				    c->path, f->line, f->field ? f->field : "?",
				    f->ours ? f->ours : "(deleted)",
				    f->theirs ? f->theirs : "(deleted)");
			}
			crmf_lines_add_once(&add, c->path);
			break;
		case CRMF_SYNC_WHOLE_FILE:
			markers = true;
			fprintf(
			    stderr,
			    "  %s: a side is not valid YAML; both whole versions are in the file\n",
			    c->path);
			crmf_lines_add_once(&add, c->path);
			break;
		case CRMF_SYNC_INVALID:
			fprintf(stderr, _("  %s: merged, but the record is invalid:\n"), c->path);
			for (size_t k = 0; k < r->diags.n; k++)
				if (r->diags.v[k].path && strcmp(r->diags.v[k].path, c->path) == 0)
					cli_print_diag(stderr, &r->diags.v[k]);
			crmf_lines_add_once(&add, c->path);
			break;
		case CRMF_SYNC_DELETED_OURS:
		case CRMF_SYNC_DELETED_THEIRS: {
			bool ours = c->kind == CRMF_SYNC_DELETED_OURS;

			if (c->moved_to)
				fprintf(stderr,
					_("  %s: moved to %s on %s side and changed on %s\n"
					"    keep it in %s, with the changes: mv -f %s %s && git "
					"add -A "
					"%s %s\n"
					"    keep it where it is: git add %s && git rm -q %s\n"),
					c->path, c->moved_to, ours ? _("our") : _("their"),
					ours ? _("theirs") : _("ours"), c->moved_to, c->path, c->moved_to,
					c->path, c->moved_to, c->path, c->moved_to);
			else
				fprintf(stderr,
					_("  %s: deleted on %s side and changed on %s\n"
					"    keep it: git add %s; delete it: git rm -q %s\n"),
					c->path, ours ? _("our") : _("their"), ours ? _("theirs") : _("ours"),
					c->path, c->path);
			break;
		}
		default:
			markers = true;
			fprintf(stderr, _("  %s: git's own conflict (not a customer file)\n"),
				c->path);
			crmf_lines_add_once(&add, c->path);
			break;
		}
	}
	paths = crmf_lines_join(&add, " ");
	fputs(_("the merge is in progress"), stderr);
	if (markers)
		fputs(_("; each conflict is marked in its file between '<<<<<<< ours' and "
		      "'>>>>>>> theirs' lines, around just the field that clashes"),
		      stderr);
	fputs(_("\nto finish: "), stderr);
	if (markers)
		fputs(_("keep one version and delete the marker lines, "), stderr);
	if (add.n)
		fprintf(stderr,
			_("run crmf check, then\n  git add %s && git commit --no-edit && crmf sync\n"),
			paths);
	else
		fputs(_("run the commands above, then\n  git commit --no-edit && crmf sync\n"),
		      stderr);
	fputs(_("to give up: git merge --abort (everything is as before the sync; nothing was "
	      "pushed)\n"),
	      stderr);
	free(paths);
	crmf_lines_release(&add);
}

/* What came in and what went out; EXIT_FOUND when the push failed. */
static int print_outcome(const crmf_sync_result *r, bool no_push)
{
	switch (r->status) {
	case CRMF_SYNC_UP_TO_DATE:
		if (r->upstream)
			printf(_("nothing new from %s\n"), r->upstream);
		else
			printf(_("%s has no branch %s yet\n"), r->remote, r->branch);
		break;
	case CRMF_SYNC_FAST_FORWARD:
		printf(_("in: %zu commit%s from %s (fast-forward to %.7s)\n"), r->commits_in,
		       plural(r->commits_in), r->upstream, r->commit);
		break;
	case CRMF_SYNC_MERGED:
		printf(
		    _("in: %zu commit%s from %s, merged: committed %.7s \"crmf: sync: merge %s\"\n"),
		    r->commits_in, plural(r->commits_in), r->upstream, r->commit, r->upstream);
		break;
	default:
		break;
	}
	print_files(r->in, r->n_in);
	if (r->commits_out > 0) {
		if (r->pushed)
			printf(_("out: %zu commit%s pushed to %s (%s)\n"), r->commits_out,
			       plural(r->commits_out), r->remote, r->branch);
		else
			printf(_("out: %zu commit%s not pushed%s\n"), r->commits_out,
			       plural(r->commits_out), no_push ? " (--no-push)" : "");
		print_files(r->out, r->n_out);
	} else {
		printf(_("out: nothing to push\n"));
	}
	if (r->push_error) {
		cli_error("push to %s failed: %s; what came in is committed here, run crmf sync "
			  "again",
			  r->remote, r->push_error);
		return EXIT_FOUND;
	}
	return EXIT_OK;
}

/* The progress meter: one line per phase on stderr, rewritten in place. */
struct meter {
	int phase;   /* the phase on the line, -1 none */
	int percent; /* last shown */
	bool open;   /* the line has no newline yet */
};

static void meter_line(struct meter *m, const crmf_sync_progress *p, bool done)
{
	static const char *const what[] = {N_("Receiving objects"), N_("Resolving deltas"),
					   N_("Writing objects")};
	int pct = p->total ? (int)(p->done * 100 / p->total) : 100;

	fprintf(stderr, "\r%s: %3d%% (%zu/%zu)", _(what[p->phase]), pct, p->done, p->total);
	if (p->phase != CRMF_SYNC_RESOLVING && p->bytes) { /* a local push counts no bytes */
		double b = (double)p->bytes;

		if (b >= 1024.0 * 1024)
			fprintf(stderr, _(", %.2f MiB"), b / (1024.0 * 1024));
		else
			fprintf(stderr, _(", %.2f KiB"), b / 1024.0);
	}
	fputs(done ? _(", done.\n") : "", stderr);
	m->percent = pct;
	m->open = !done;
}

static void meter_update(void *ctx, const crmf_sync_progress *p)
{
	struct meter *m = ctx;
	bool done = p->total && p->done >= p->total;

	if (!p->total || ((int)p->phase == m->phase && !m->open))
		return; /* nothing to count, or this phase is over */
	if ((int)p->phase != m->phase) {
		if (m->open)
			fputc('\n', stderr);
		m->phase = (int)p->phase;
		m->percent = -1;
	} else if (!done && p->done * 100 / p->total == (size_t)m->percent) {
		return;
	}
	meter_line(m, p, done);
	fflush(stderr);
}

static void meter_end(struct meter *m)
{
	if (m->open)
		fputc('\n', stderr);
	m->open = false;
}

static int run(int argc, char **argv)
{
	cli_args args;
	crmf_sync_opts so;
	crmf_sync_result r;
	const char *today = NULL;
	crmf_repository *repo;
	struct meter meter = {-1, -1, false};
	bool quiet = false;
	int c, rc;

	memset(&so, 0, sizeof(so));
	cli_args_init(&args, &cmd_sync, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		if (c == 'n')
			so.no_push = true;
		else if (c == 't')
			today = args.arg;
		else if (c == 'q')
			quiet = true;
	}
	if (c < 0)
		return args.status;
	if (argc - args.ind > 1)
		return cli_usage_error(&cmd_sync, "too many arguments: give one remote");
	so.remote = args.ind < argc ? argv[args.ind] : NULL;
	if (cli_today(&so.today, today) != EXIT_OK)
		return EXIT_USAGE;
	if (!(repo = cli_repository()))
		return EXIT_USAGE;
	/* as git: a meter only for a person watching */
	if (!quiet && isatty(STDERR_FILENO)) {
		so.progress = meter_update;
		so.progress_ctx = &meter;
	}
	rc = crmf_sync(&r, crmf_repository_root(repo), &so);
	meter_end(&meter);
	crmf_repository_close(repo);
	if (rc < 0) {
		cli_error("%s", crmf_error_last());
		crmf_sync_result_release(&r);
		return EXIT_USAGE;
	}
	if (rc == 1) {
		print_conflicts(&r);
		crmf_sync_result_release(&r);
		return EXIT_FOUND;
	}
	rc = print_outcome(&r, so.no_push);
	crmf_sync_result_release(&r);
	return rc;
}
