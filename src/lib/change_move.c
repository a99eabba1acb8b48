/* SPDX-License-Identifier: MIT */
/* A change of `crmf archive` and `crmf restore`: files moved between customers/ and archive/. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/classify.h"
#include "crmf/scan.h"
#include "crmf/store.h"
#include "change_private.h"
#include "util.h"

/* The user's own edits of each move's file, which move uncommitted (parallel to tx->moves). */
static crmf_versions *versions_of(crmf_change_tx *tx)
{
	return tx->ver_moves;
}

void change_moves_free(crmf_change_tx *tx)
{
	for (size_t i = 0; i < tx->nmoves; i++) {
		free(tx->moves[i].id);
		free(tx->moves[i].from);
		free(tx->moves[i].to);
		free(tx->moves[i].why);
		free(tx->moves[i].said);
		crmf_versions_release(&tx->ver_moves[i]);
	}
	free(tx->moves);
	free(tx->ver_moves);
	tx->moves = NULL;
	tx->ver_moves = NULL;
	tx->nmoves = 0;
}

static crmf_move *add_move(crmf_change_tx *tx, const char *action)
{
	tx->action = action;
	tx->moves = xrealloc(tx->moves, (tx->nmoves + 1) * sizeof(*tx->moves));
	tx->ver_moves = xrealloc(tx->ver_moves, (tx->nmoves + 1) * sizeof(*tx->ver_moves));
	memset(&tx->moves[tx->nmoves], 0, sizeof(*tx->moves));
	memset(&tx->ver_moves[tx->nmoves], 0, sizeof(*tx->ver_moves));
	return &tx->moves[tx->nmoves++];
}

const crmf_move *crmf_change_moves(const crmf_change_tx *tx, size_t *n)
{
	*n = tx->nmoves;
	return tx->moves;
}

static void fsync_dir_of(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
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

int change_make_dirs(crmf_change_tx *tx, const char *rel)
{
	const char *root = crmf_repository_root(tx->repo);
	char *path = change_fspath(tx, rel), *p = path + strlen(root) + 1;

	for (char *slash = strchr(p, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			change_error(tx, "cannot create %s: %s", path, strerror(errno));
			free(path);
			return -1;
		}
		*slash = '/';
	}
	free(path);
	return 0;
}

/* Rename `from` to `to` (relative to root), durably. */
static int move_file(crmf_change_tx *tx, const char *from, const char *to)
{
	char *a = change_fspath(tx, from), *b = change_fspath(tx, to);
	int rc = -1;

	if (change_make_dirs(tx, to) != 0)
		goto done;
	if (rename(a, b) != 0) {
		change_error(tx, "cannot move %s to %s: %s", from, to, strerror(errno));
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
static void drop_empty_folder(crmf_change_tx *tx, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	char *dir, *path;

	if (!slash)
		return;
	dir = xstrndup(rel, (size_t)(slash - rel));
	if (strchr(dir, '/')) {
		path = change_fspath(tx, dir);
		rmdir(path); /* fails, as it should, when the folder is not empty */
		free(path);
	}
	free(dir);
}

static char *archive_path(const char *id)
{
	return xasprintf("archive/%s.yaml", id);
}

int crmf_change_archive(crmf_change_tx *tx, const char *arg)
{
	char *rel = change_find(tx, arg, CRMF_IN_CUSTOMERS);
	crmf_move *m;

	if (!rel)
		return CRMF_CHANGE_UNKNOWN;
	m = add_move(tx, "archive");
	m->id = crmf_change_path_id(rel);
	m->from = rel;
	m->to = archive_path(m->id);
	return 0;
}

int crmf_change_archive_stale(crmf_change_tx *tx)
{
	crmf_scan_opts so = {.today = tx->today};
	crmf_repo *repo = NULL;
	crmf_diags d;

	tx->action = "archive";
	crmf_diags_init(&d);
	if (crmf_repo_load(&repo, crmf_repository_root(tx->repo), &so, &d) != 0) {
		change_error(tx, "%s", crmf_error_last());
		crmf_diags_release(&d);
		return CRMF_CHANGE_REFUSED;
	}
	for (size_t i = 0; i < repo->n; i++) {
		const crmf_customer *c = repo->v[i];
		crmf_class cl;
		crmf_move *m;
		char day[11];

		if (c->archived)
			continue;
		crmf_classify(&cl, c, repo->cfg, tx->today);
		if (!cl.stale)
			continue;
		if (c->errors) {
			change_error(tx, "%s looks stale but has errors; left where it is",
				     c->path);
			continue;
		}
		crmf_date_format(cl.last_contact, day);
		m = add_move(tx, "archive");
		m->id = crmf_change_path_id(c->path);
		m->from = xstrdup(c->path);
		m->to = archive_path(m->id);
		m->why = xasprintf("no contact since %s", day); /* the commit's words */
		if (crmf_translate_lang())
			m->said = xasprintf(crmf_tr("no contact since %s"), day);
	}
	crmf_repo_free(repo);
	crmf_diags_release(&d);
	return 0;
}

/* Where an archived customer lived before: its newest path under customers/
 * in the history, else customers/<id>.yaml. */
static char *restore_path(crmf_change_tx *tx, const char *id)
{
	crmf_history_entry *h = NULL;
	size_t n = 0;
	char *p = NULL;

	if (crmf_repository_history(&h, &n, tx->repo, id, NULL) == 0)
		for (size_t i = 0; i < n && !p; i++)
			if (h[i].path && !strncmp(h[i].path, "customers/", 10))
				p = xstrdup(h[i].path);
	crmf_history_free(h, n);
	return p ? p : xasprintf("customers/%s.yaml", id);
}

int crmf_change_restore(crmf_change_tx *tx, const char *arg)
{
	char *rel = change_find(tx, arg, CRMF_IN_ARCHIVE);
	crmf_move *m;

	if (!rel)
		return CRMF_CHANGE_UNKNOWN;
	m = add_move(tx, "restore");
	m->id = crmf_change_path_id(rel);
	m->from = rel;
	m->to = restore_path(tx, m->id);
	return 0;
}

/* Check that every move can be made: valid files, free targets. */
static int prepare(crmf_change_tx *tx)
{
	const char *root = crmf_repository_root(tx->repo);
	crmf_move *v = tx->moves;
	int rc = 0;

	for (size_t i = 0; i < tx->nmoves; i++) {
		crmf_customer *c = NULL;
		crmf_diags d;
		char *to = change_fspath(tx, v[i].to);
		struct stat st;

		for (size_t k = 0; k < i; k++)
			if (!strcmp(v[k].from, v[i].from)) {
				change_error(tx, "'%s' is given twice", v[i].id);
				rc = CRMF_CHANGE_UNKNOWN;
			}
		crmf_diags_init(&d);
		if (change_load(tx, &c, &d, v[i].from) != 0) {
			rc = CRMF_CHANGE_REFUSED;
		} else if (c->errors) {
			change_diags(tx, &d, false);
			change_error(tx, "%s has errors; fix them first ('crmf edit %s')",
				     v[i].from, v[i].id);
			rc = CRMF_CHANGE_REFUSED;
		} else if (!v[i].why) {
			v[i].why = xstrdup(c->name ? c->name : v[i].id);
		}
		if (crmf_store_check_path(root, v[i].from) != 0 ||
		    crmf_store_check_path(root, v[i].to) != 0) {
			change_error(tx, "%s; nothing moved", crmf_error_last());
			rc = CRMF_CHANGE_REFUSED;
		} else if (rc == 0 && change_versions(tx, &versions_of(tx)[i], v[i].from) != 0) {
			rc = CRMF_CHANGE_REFUSED;
		} else if (lstat(to, &st) == 0) {
			change_error(tx, "%s exists already; move it away first", v[i].to);
			rc = CRMF_CHANGE_REFUSED;
		}
		free(to);
		crmf_customer_free(c);
		crmf_diags_release(&d);
	}
	return rc;
}

int crmf_change_move(crmf_change_tx *tx)
{
	const crmf_move *v = tx->moves;
	const crmf_versions *ver = tx->ver_moves;
	size_t n = tx->nmoves, done = 0;
	crmf_commit_path *paths = xcalloc(2 * n + 1, sizeof(*paths));
	crmf_commit_content *content = xcalloc(2 * n + 1, sizeof(*content));
	crmf_lines ids = {0}, body = {0};
	char *subject = NULL, *list = NULL, *text = NULL;
	int rc = prepare(tx);

	if (rc != 0)
		goto out;
	rc = CRMF_CHANGE_REFUSED;
	for (; done < n; done++) {
		if (move_file(tx, v[done].from, v[done].to) != 0)
			break;
		drop_empty_folder(tx, v[done].from);
	}
	if (done < n) {
		/* put back what moved, so that nothing is half done */
		while (done-- > 0)
			move_file(tx, v[done].to, v[done].from);
		change_error(tx, "nothing %s",
			     !strcmp(tx->action, "archive") ? crmf_tr("archived") : crmf_tr("restored"));
		goto out;
	}
	tx->written = n > 0;
	for (size_t i = 0; i < n; i++) {
		paths[2 * i] = (crmf_commit_path){v[i].to, false};
		paths[2 * i + 1] = (crmf_commit_path){v[i].from, true};
		/* the user's edits move with the file, uncommitted, as with git mv */
		if (ver[i].state == CRMF_FILE_CHANGED)
			content[2 * i] = (crmf_commit_content){ver[i].head, ver[i].head_len,
							       ver[i].staged, ver[i].staged_len, NULL};
		crmf_lines_add(&ids, "%s", v[i].id);
		crmf_lines_add(&body, "%s: %s → %s (%s)", v[i].id, v[i].from, v[i].to, v[i].why);
		change_said(tx, "%s: %s → %s", v[i].id, v[i].from, v[i].to);
	}
	list = crmf_lines_join(&ids, ", ");
	if (n == 1) {
		subject = xasprintf("crmf: %s %s: %s", tx->action, v[0].id, v[0].why);
	} else {
		char *cut = crmf_text_cut(list, 60);

		subject = xasprintf("crmf: %s %zu customers: %s", tx->action, n, cut);
		free(cut);
	}
	text = crmf_lines_join(&body, "\n");
	rc = change_commit_paths(
	    tx, paths, content, 2 * n,
	    &(crmf_commit_opts){
		.subject = subject, .body = text, .action = tx->action, .customer = list});
out:
	free(text);
	free(subject);
	free(list);
	crmf_lines_release(&ids);
	crmf_lines_release(&body);
	free(content);
	free(paths);
	return rc;
}
