/* crmf archive and crmf restore: move customer files between customers/ and archive/, committed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int run_archive(int argc, char **argv);
static int run_restore(int argc, char **argv);

static const struct cli_opt archive_options[] = {
    {'s', 0, "stale", NULL, "archive every customer without contact for archive_after"},
    {'n', 'n', "dry-run", NULL, "with --stale: only list them"},
    {'t', 0, "today", "DATE", "the day to judge staleness on (YYYY-MM-DD)"},
    {'a', 0, "author", "A", "commit as A ('Name <email>') instead of git's identity"},
    {0},
};

const struct crmf_cmd cmd_archive = {
    .name = "archive",
    .run = run_archive,
    .summary = "move customers to archive/ (by id, or --stale), committed",
    .synopsis = "ID… [--author 'NAME <EMAIL>']\n"
		"--stale [-n] [--today DATE] [--author 'NAME <EMAIL>']",
    .description = "Move customers out of the daily lists: customers/…/ID.yaml becomes\n"
		   "archive/ID.yaml, unchanged, in one commit (git sees a rename, so 'crmf\n"
		   "history' and 'git log --follow' keep the whole story). With --stale, every\n"
		   "customer whose last contact is more than crmf.yaml's rules.archive_after\n"
		   "(default 180d) before today is archived. Files with errors are not moved:\n"
		   "fix them first ('crmf check'). Your own uncommitted edits move with the\n"
		   "file and stay uncommitted (staged if they were); the commit holds only the\n"
		   "move. A file never committed is refused: 'crmf commit' it first.\n",
    .opts = archive_options,
    .notes = "exit status: 0 archived (or nothing stale), 1 refused or saved but not\n"
	     "committed, 2 usage error or unknown customer\n",
    .opt_width = 16,
};

static const struct cli_opt restore_options[] = {
    {'a', 0, "author", "A", "commit as A ('Name <email>') instead of git's identity"},
    {0},
};

const struct crmf_cmd cmd_restore = {
    .name = "restore",
    .run = run_restore,
    .summary = "bring archived customers back to customers/, committed",
    .synopsis = "ID… [--author 'NAME <EMAIL>']",
    .description = "Bring archived customers back: archive/ID.yaml moves to where it was before\n"
		   "it was archived (its path in the history, e.g. customers/2024/ID.yaml), else\n"
		   "to customers/ID.yaml, unchanged, in one commit.\n",
    .opts = restore_options,
    .notes = "exit status: 0 restored, 1 refused or saved but not committed, 2 usage error\n"
	     "or unknown customer\n",
    .opt_width = 16,
};

struct move {
	char *id, *from, *to; /* relative to the root */
	char *why;	      /* for the message: the name, or "no contact since …" */
	crmf_versions ver;    /* the user's own edits of `from`, which move uncommitted */
};

static void moves_free(struct move *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].from);
		free(v[i].to);
		free(v[i].why);
		crmf_versions_release(&v[i].ver);
	}
	free(v);
}

static void fsync_dir_of(const char *path)
{
	char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	int fd;

	if (!slash) {
		free(dir);
		return;
	}
	*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static int make_dirs(const char *root, const char *rel)
{
	char *path = cli_path(root, rel), *p = path + strlen(root) + 1;

	for (char *slash = strchr(p, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			cli_error("cannot create %s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		*slash = '/';
	}
	free(path);
	return 0;
}

/* Rename `from` to `to` (relative to root), durably. */
static int move_file(const char *root, const char *from, const char *to)
{
	char *a = cli_path(root, from), *b = cli_path(root, to);
	int rc = -1;

	if (make_dirs(root, to) != 0)
		goto done;
	if (rename(a, b) != 0) {
		cli_error("cannot move %s to %s: %s", from, to, strerror(errno));
		goto done;
	}
	fsync_dir_of(b);
	fsync_dir_of(a);
	rc = 0;
done:
	free(a);
	free(b);
	return rc;
}

/* A year folder left empty by a move goes too (git does not keep empty folders). */
static void drop_empty_folder(const char *root, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	char *dir, *path;

	if (!slash)
		return;
	dir = strndup(rel, (size_t)(slash - rel));
	if (dir && strchr(dir, '/')) {
		path = cli_path(root, dir);
		rmdir(path); /* fails, as it should, when the folder is not empty */
		free(path);
	}
	free(dir);
}

/* Check that every move can be made: valid files, free targets. */
static int prepare(const cli_change *ch, struct move *v, size_t n)
{
	int rc = EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		crmf_customer *c = NULL;
		crmf_diags d;
		char *to = cli_path(ch->root, v[i].to);
		struct stat st;

		for (size_t k = 0; k < i; k++)
			if (!strcmp(v[k].from, v[i].from)) {
				cli_error("'%s' is given twice", v[i].id);
				rc = EXIT_USAGE;
			}
		crmf_diags_init(&d);
		if (cli_load(&c, &d, ch, v[i].from) != 0) {
			rc = EXIT_FOUND;
		} else if (c->errors) {
			cli_print_diags(stderr, &d, FMT_TEXT);
			cli_error("%s has errors; fix them first ('crmf edit %s')", v[i].from,
				  v[i].id);
			rc = EXIT_FOUND;
		} else if (!v[i].why) {
			v[i].why = strdup(c->name ? c->name : v[i].id);
		}
		if (crmf_store_check_path(ch->root, v[i].from) != 0 ||
		    crmf_store_check_path(ch->root, v[i].to) != 0) {
			cli_error("%s; nothing moved", crmf_error_last());
			rc = EXIT_FOUND;
		} else if (rc == EXIT_OK && cli_versions(&v[i].ver, ch, v[i].from) != 0) {
			rc = EXIT_FOUND;
		} else if (lstat(to, &st) == 0) {
			cli_error("%s exists already; move it away first", v[i].to);
			rc = EXIT_FOUND;
		}
		free(to);
		crmf_customer_free(c);
		crmf_diags_release(&d);
	}
	return rc;
}

/* Make the moves and commit them as one change. */
static int commit_moves(const cli_change *ch, const char *action, struct move *v, size_t n)
{
	crmf_commit_path *paths = calloc(2 * n, sizeof(*paths));
	crmf_commit_content *content = calloc(2 * n, sizeof(*content));
	cli_lines ids = {0}, body = {0};
	char *subject = NULL, *list = NULL, *text = NULL;
	size_t done = 0;
	int rc = EXIT_FOUND;

	if (!paths || !content)
		abort();
	for (; done < n; done++) {
		if (move_file(ch->root, v[done].from, v[done].to) != 0)
			break;
		drop_empty_folder(ch->root, v[done].from);
	}
	if (done < n) {
		/* put back what moved, so that nothing is half done */
		while (done-- > 0)
			move_file(ch->root, v[done].to, v[done].from);
		cli_error("nothing %s", !strcmp(action, "archive") ? "archived" : "restored");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		paths[2 * i] = (crmf_commit_path){v[i].to, false};
		paths[2 * i + 1] = (crmf_commit_path){v[i].from, true};
		/* the user's edits move with the file, uncommitted, as with git mv */
		if (v[i].ver.state == CRMF_FILE_CHANGED)
			content[2 * i] = (crmf_commit_content){v[i].ver.head, v[i].ver.head_len,
							       v[i].ver.staged, v[i].ver.staged_len};
		cli_lines_add(&ids, "%s", v[i].id);
		cli_lines_add(&body, "%s: %s → %s (%s)", v[i].id, v[i].from, v[i].to, v[i].why);
		printf("%s: %s → %s\n", v[i].id, v[i].from, v[i].to);
	}
	list = cli_lines_join(&ids, ", ");
	if (n == 1) {
		if (asprintf(&subject, "crmf: %s %s: %s", action, v[0].id, v[0].why) < 0)
			abort();
	} else {
		char *cut = cli_cut(list, 60);

		if (asprintf(&subject, "crmf: %s %zu customers: %s", action, n, cut) < 0)
			abort();
		free(cut);
	}
	text = cli_lines_join(&body, "\n");
	rc = cli_change_commit_as(
	    ch, paths, content, 2 * n,
	    &(crmf_commit_opts){
		.subject = subject, .body = text, .action = action, .customer = list});
out:
	free(text);
	free(subject);
	free(list);
	cli_lines_release(&ids);
	cli_lines_release(&body);
	free(content);
	free(paths);
	return rc;
}

static char *archive_path(const char *id)
{
	char *p;

	if (asprintf(&p, "archive/%s.yaml", id) < 0)
		abort();
	return p;
}

/* The stale customers of the repository, as moves; -1 on failure (printed). */
static int find_stale(struct move **out, size_t *n, const cli_change *ch)
{
	crmf_scan_opts so = {.today = ch->today};
	crmf_repo *repo = NULL;
	crmf_diags d;
	struct move *v;
	size_t k = 0;

	crmf_diags_init(&d);
	if (crmf_repo_load(&repo, ch->root, &so, &d) != 0) {
		cli_error("%s", crmf_error_last());
		crmf_diags_release(&d);
		return -1;
	}
	v = calloc(repo->n + 1, sizeof(*v));
	if (!v)
		abort();
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];
		crmf_class cl;
		char day[11];

		if (c->archived)
			continue;
		crmf_classify(&cl, c, repo->cfg, ch->today);
		if (!cl.stale)
			continue;
		if (c->errors) {
			cli_error("%s looks stale but has errors; left where it is", c->path);
			continue;
		}
		crmf_date_format(cl.last_contact, day);
		v[k].id = cli_path_id(c->path);
		v[k].from = strdup(c->path);
		v[k].to = archive_path(v[k].id);
		if (asprintf(&v[k].why, "no contact since %s", day) < 0)
			abort();
		k++;
	}
	crmf_repo_free(repo);
	crmf_diags_release(&d);
	*out = v;
	*n = k;
	return 0;
}

static int run_archive(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL, *today_arg = NULL;
	bool stale = false, dry = false;
	cli_change ch = {0};
	struct move *v = NULL;
	size_t n = 0;
	crmf_day today;
	int c, rc = EXIT_USAGE;

	cli_args_init(&args, &cmd_archive, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 's':
			stale = true;
			break;
		case 'n':
			dry = true;
			break;
		case 't':
			today_arg = args.arg;
			break;
		case 'a':
			author = args.arg;
			break;
		}
	}
	if (c < 0)
		return args.status;
	if (stale == (args.ind < argc))
		return cli_usage_error(&cmd_archive, stale
							 ? "give --stale or ids, not both"
							 : "which customers? give ids, or --stale");
	if (dry && !stale)
		return cli_usage_error(&cmd_archive, "--dry-run goes with --stale");
	if (cli_today(&today, today_arg))
		return EXIT_USAGE;
	rc = cli_change_begin(&ch, author, today);
	if (rc != EXIT_OK)
		goto done;
	rc = cli_change_lock(&ch);
	if (rc != EXIT_OK)
		goto done;
	if (stale) {
		rc = EXIT_FOUND;
		if (find_stale(&v, &n, &ch) != 0)
			goto done;
		if (n == 0 || dry) {
			for (size_t i = 0; i < n; i++)
				printf("%s: %s (%s)\n", v[i].id, v[i].from, v[i].why);
			if (n == 0)
				printf("no customer is stale (none without contact for more than "
				       "%dd)\n",
				       ch.cfg->rules.archive_after);
			rc = EXIT_OK;
			goto done;
		}
	} else {
		v = calloc((size_t)(argc - args.ind), sizeof(*v));
		if (!v)
			abort();
		for (; args.ind < argc; args.ind++) {
			char *rel = cli_find_customer(ch.root, argv[args.ind], CLI_IN_CUSTOMERS);

			if (!rel) {
				rc = EXIT_USAGE;
				goto done;
			}
			v[n].id = cli_path_id(rel);
			v[n].from = rel;
			v[n].to = archive_path(v[n].id);
			n++;
		}
	}
	rc = prepare(&ch, v, n);
	if (rc != EXIT_OK)
		goto done;
	rc = commit_moves(&ch, "archive", v, n);
done:
	moves_free(v, n);
	cli_change_end(&ch);
	return rc;
}

/* Where an archived customer lived before: its newest path under customers/
 * in the history, else customers/<id>.yaml. */
static char *restore_path(const char *root, const char *id)
{
	crmf_history_entry *h = NULL;
	size_t n = 0;
	char *p = NULL;

	if (crmf_history(&h, &n, root, id, NULL) == 0)
		for (size_t i = 0; i < n && !p; i++)
			if (h[i].path && !strncmp(h[i].path, "customers/", 10))
				p = strdup(h[i].path);
	crmf_history_free(h, n);
	if (!p && asprintf(&p, "customers/%s.yaml", id) < 0)
		abort();
	return p;
}

static int run_restore(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL;
	cli_change ch = {0};
	struct move *v = NULL;
	size_t n = 0;
	int c, rc = EXIT_USAGE;

	cli_args_init(&args, &cmd_restore, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		if (c == 'a')
			author = args.arg;
	}
	if (c < 0)
		return args.status;
	if (args.ind >= argc)
		return cli_usage_error(&cmd_restore, "which customers? give their ids");
	rc = cli_change_begin(&ch, author, crmf_date_today());
	if (rc != EXIT_OK)
		goto done;
	rc = cli_change_lock(&ch);
	if (rc != EXIT_OK)
		goto done;
	v = calloc((size_t)(argc - args.ind), sizeof(*v));
	if (!v)
		abort();
	for (; args.ind < argc; args.ind++) {
		char *rel = cli_find_customer(ch.root, argv[args.ind], CLI_IN_ARCHIVE);

		if (!rel) {
			rc = EXIT_USAGE;
			goto done;
		}
		v[n].id = cli_path_id(rel);
		v[n].from = rel;
		v[n].to = restore_path(ch.root, v[n].id);
		n++;
	}
	rc = prepare(&ch, v, n);
	if (rc != EXIT_OK)
		goto done;
	rc = commit_moves(&ch, "restore", v, n);
done:
	moves_free(v, n);
	cli_change_end(&ch);
	return rc;
}
