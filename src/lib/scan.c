/* Loading a repository: crmf.yaml, then every customer file parsed and checked on all cores. */
#include "crmf/scan.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/store.h"
#include "util.h"

struct job {
	const char *root;
	const crmf_config *cfg;
	crmf_day today;
	crmf_file *files;
	size_t n;
	crmf_customer **out;
	crmf_diags *diags; /* one list per file */
	atomic_size_t next;
};

static void check_one(struct job *j, size_t i)
{
	char *fspath = xasprintf("%s/%s", j->root, j->files[i].relpath);
	crmf_doc *doc = NULL;

	crmf_doc_load(&doc, j->files[i].relpath, fspath, &j->diags[i]);
	free(fspath);
	if (!doc)
		return;
	crmf_check_customer(&j->out[i], doc, j->files[i].relpath, j->cfg, j->today, &j->diags[i]);
}

static void *worker(void *arg)
{
	struct job *j = arg;
	size_t i;

	while ((i = atomic_fetch_add(&j->next, 1)) < j->n)
		check_one(j, i);
	return NULL;
}

static int ncores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static void run_jobs(struct job *j, int threads)
{
	pthread_t tid[64];
	int started = 0;

	if (threads <= 0)
		threads = ncores();
	if ((size_t)threads > j->n)
		threads = (int)(j->n ? j->n : 1);
	/* the calling thread works too */
	for (int t = 1; t < threads && t < 64; t++)
		if (pthread_create(&tid[started], NULL, worker, j) == 0)
			started++;
	worker(j);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
}

/* Turn a user-given path into a root-relative one; NULL when outside the root. */
static char *relative_to_root(const char *root, const char *path)
{
	char *abs = realpath(path, NULL);
	size_t rl = strlen(root);
	char *rel = NULL;

	if (!abs)
		return NULL;
	if (strncmp(abs, root, rl) == 0 && abs[rl] == '/')
		rel = xstrdup(abs + rl + 1);
	free(abs);
	return rel;
}

static bool under(const char *rel, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(rel, dir, n) == 0 && (rel[n] == '/' || rel[n] == '\0');
}

static bool is_yaml(const char *p)
{
	size_t n = strlen(p);

	return (n > 5 && strcmp(p + n - 5, ".yaml") == 0) || (n > 4 && strcmp(p + n - 4, ".yml") == 0);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const crmf_file *)a)->relpath, ((const crmf_file *)b)->relpath);
}

/*
 * Mark the files the user named (every file when there are no paths). A named
 * YAML file outside customers/ and archive/ is checked as a customer file
 * too: it is added to *files, which stay sorted by path.
 */
static void select_files(size_t *n_selected, bool *config_selected, const char *root,
			 const crmf_scan_opts *opts, crmf_file **files, size_t *n, crmf_diags *diags)
{
	size_t n0 = *n;

	*config_selected = !opts->paths;
	*n_selected = 0;
	for (size_t i = 0; i < n0; i++)
		(*files)[i].selected = !opts->paths;
	if (!opts->paths) {
		*n_selected = n0;
		return;
	}
	*files = xrealloc(*files, (n0 + opts->n_paths + 1) * sizeof(**files));
	for (size_t k = 0; k < opts->n_paths; k++) {
		const char *p = opts->paths[k];
		struct stat st;
		char *rel, *abs;
		bool found = false;

		if (stat(p, &st) != 0) {
			crmf_diags_add(diags, CRMF_SEV_ERROR, p, 0, 0, "no-such-file",
				       "cannot read '%s': %s", p, strerror(errno));
			continue;
		}
		abs = realpath(p, NULL);
		rel = relative_to_root(root, p);
		if (!rel && abs && strcmp(abs, root) == 0)
			rel = xstrdup("");
		free(abs);
		if (!rel) {
			crmf_diags_add(diags, CRMF_SEV_ERROR, p, 0, 0, "outside-repository",
				       "'%s' is outside the crmf repository '%s'", p, root);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (rel[0] == '\0')
				*config_selected = true;
			for (size_t i = 0; i < n0; i++)
				if (rel[0] == '\0' || under((*files)[i].relpath, rel))
					(*files)[i].selected = true;
			free(rel);
			continue;
		}
		if (strcmp(rel, "crmf.yaml") == 0) {
			*config_selected = true;
			free(rel);
			continue;
		}
		for (size_t i = 0; i < *n; i++) {
			if (strcmp((*files)[i].relpath, rel) == 0) {
				(*files)[i].selected = true;
				found = true;
				break;
			}
		}
		if (found) {
			free(rel);
		} else if (is_yaml(rel)) {
			(*files)[*n].relpath = rel;
			(*files)[*n].archived = under(rel, "archive");
			(*files)[(*n)++].selected = true;
		} else {
			crmf_diags_add(diags, CRMF_SEV_ERROR, rel, 0, 0, "not-customer-file",
				       "'%s' is not a customer file: crmf checks *.yaml files and "
				       "crmf.yaml",
				       rel);
			free(rel);
		}
	}
	if (*n > n0)
		qsort(*files, *n, sizeof(**files), cmp_file);
	for (size_t i = 0; i < *n; i++)
		*n_selected += (size_t)(*files)[i].selected;
}

int crmf_repo_load(crmf_repo **out, const char *root, const crmf_scan_opts *opts,
		   crmf_diags *diags)
{
	crmf_repo *repo = xcalloc(1, sizeof(*repo));
	crmf_diags cfg_diags, cross;
	crmf_file *files = NULL;
	size_t n = 0, n_sel = 0, k = 0;
	bool cfg_sel = false;
	char *cfg_path;
	struct stat st;
	struct job j;
	int rc = -1;

	*out = NULL;
	crmf_diags_init(&cfg_diags);
	crmf_diags_init(&cross);
	repo->root = xstrdup(root);

	cfg_path = xasprintf("%s/crmf.yaml", root);
	if (stat(cfg_path, &st) == 0) {
		crmf_doc *doc = NULL;

		crmf_doc_load(&doc, "crmf.yaml", cfg_path, &cfg_diags);
		crmf_config_load(&repo->cfg, doc && doc->root ? doc : NULL, &cfg_diags);
		crmf_doc_free(doc);
		repo->files_checked = 1;
	} else {
		crmf_config_load(&repo->cfg, NULL, &cfg_diags);
	}
	free(cfg_path);

	if (crmf_store_list(&files, &n, root) != 0)
		goto done;
	select_files(&n_sel, &cfg_sel, root, opts, &files, &n, diags);
	if (cfg_sel)
		crmf_diags_move(diags, &cfg_diags);
	else
		repo->files_checked = 0;

	memset(&j, 0, sizeof(j));
	j.root = root;
	j.cfg = repo->cfg;
	j.today = opts->today;
	j.files = files;
	j.n = n;
	j.out = xcalloc(n ? n : 1, sizeof(*j.out));
	j.diags = xcalloc(n ? n : 1, sizeof(*j.diags));
	atomic_init(&j.next, 0);
	run_jobs(&j, opts->threads);

	repo->v = xcalloc(n ? n : 1, sizeof(*repo->v));
	for (size_t i = 0; i < n; i++) {
		if (files[i].selected)
			crmf_diags_move(diags, &j.diags[i]);
		crmf_diags_release(&j.diags[i]);
		if (j.out[i])
			repo->v[k++] = j.out[i];
	}
	repo->n = k;
	repo->files_checked += n_sel;

	/* cross-file checks always see the whole repository; report on the selected files */
	crmf_check_cross(repo->v, repo->n, &cross);
	for (size_t i = 0; i < cross.n; i++) {
		crmf_diag *x = &cross.v[i];
		bool keep = !opts->paths;

		for (size_t f = 0; !keep && f < n; f++)
			keep = files[f].selected && x->path && strcmp(files[f].relpath, x->path) == 0;
		if (keep)
			crmf_diags_add(diags, x->severity, x->path, x->line, x->column, x->rule, "%s",
				       x->message);
	}
	crmf_diags_sort(diags);
	free(j.out);
	free(j.diags);
	*out = repo;
	repo = NULL;
	rc = 0;
done:
	crmf_diags_release(&cfg_diags);
	crmf_diags_release(&cross);
	crmf_store_list_free(files, n);
	crmf_repo_free(repo);
	return rc;
}

void crmf_repo_free(crmf_repo *repo)
{
	if (!repo)
		return;
	for (size_t i = 0; i < repo->n; i++)
		crmf_customer_free(repo->v[i]);
	free(repo->v);
	crmf_config_free(repo->cfg);
	free(repo->root);
	free(repo);
}
