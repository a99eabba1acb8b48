/* SPDX-License-Identifier: MIT */
/* The files a scan checks: the paths the user named, expanded and matched against the repository's list. */
#include "scan_paths.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crmf/store.h"
#include "util.h"

/* Turn a user-given path into a root-relative one ("" for the root); NULL
 * when outside the root. Its last part is not resolved: a link is named as
 * the link, as git names it. */
static char *relative_to_root(const char *root, const char *path)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t rl = strlen(root);
	char *abs, *dir, *rel = NULL;

	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		abs = realpath(path, NULL);
	} else {
		dir = slash ? xstrndup(path, (size_t)(slash - path) + 1) : xstrdup(".");
		abs = realpath(dir, NULL);
		free(dir);
		if (abs) {
			char *full = xasprintf("%s%s%s", abs, strcmp(abs, "/") ? "/" : "", base);

			free(abs);
			abs = full;
		}
	}
	if (!abs)
		return NULL;
	if (strncmp(abs, root, rl) == 0 && abs[rl] == '/')
		rel = xstrdup(abs + rl + 1);
	else if (strcmp(abs, root) == 0)
		rel = xstrdup("");
	free(abs);
	return rel;
}

static bool under(const char *rel, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(rel, dir, n) == 0 && (rel[n] == '/' || rel[n] == '\0');
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const crmf_file *)a)->relpath, ((const crmf_file *)b)->relpath);
}

static void push_path(char ***out, size_t *n, size_t *cap, char *p)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*out = xrealloc(*out, *cap * sizeof(**out));
	}
	(*out)[(*n)++] = p;
}

/* The *.yaml and *.yml files below folder `dir` (hidden entries left out, links not entered),
 * appended to `out` as paths starting with `dir`. */
static void yaml_below(const char *dir, char ***out, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			yaml_below(p, out, n, cap);
			free(p);
			continue;
		}
		if (!is_yaml_name(de->d_name, strlen(de->d_name))) {
			free(p);
			continue;
		}
		push_path(out, n, cap, p);
	}
	closedir(d);
}

/* The paths the user named, a folder that holds no listed customer file (examples/broken/, say)
 * replaced by the YAML files below it, so that naming it checks them. */
static char **expand_paths(size_t *n_out, const char *root, const crmf_scan_opts *opts,
			   const crmf_file *files, size_t n)
{
	char **out = NULL;
	size_t cnt = 0, cap = 0;

	for (size_t k = 0; k < opts->n_paths; k++) {
		const char *p = opts->paths[k];
		struct stat st;
		char *rel = NULL;
		bool listed = false;

		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (rel = relative_to_root(root, p)) && rel[0] != '\0') {
			for (size_t i = 0; i < n && !listed; i++)
				listed = under(files[i].relpath, rel) || under(rel, files[i].relpath);
			listed = listed || under(rel, "customers") || under(rel, "archive") ||
				 under("customers", rel) || under("archive", rel);
			if (!listed) {
				size_t before = cnt;

				yaml_below(p, &out, &cnt, &cap);
				if (cnt > before) {
					free(rel);
					continue;
				}
			}
		}
		free(rel);
		push_path(&out, &cnt, &cap, xstrdup(p));
	}
	*n_out = cnt;
	return out;
}

/*
 * Mark the files the user named (every file when there are no paths). A named
 * YAML file outside customers/ and archive/ is checked as a customer file
 * too: it is added to *files, which stay sorted by path.
 */
void crmf_scan_select(size_t *n_selected, bool *config_selected, const char *root,
		      const crmf_scan_opts *opts, crmf_file **files, size_t *n, crmf_diags *diags)
{
	size_t n0 = *n, n_paths = 0;
	char **paths;

	*config_selected = !opts->paths;
	*n_selected = 0;
	for (size_t i = 0; i < n0; i++)
		(*files)[i].selected = !opts->paths;
	if (!opts->paths) {
		*n_selected = n0;
		return;
	}
	paths = expand_paths(&n_paths, root, opts, *files, n0);
	*files = xrealloc(*files, (n0 + n_paths + 1) * sizeof(**files));
	for (size_t k = 0; k < n_paths; k++) {
		const char *p = paths[k];
		struct stat st;
		char *rel;
		bool found = false;

		/* lstat: a link or a FIFO is said to be one, never followed or opened */
		if (lstat(p, &st) != 0) {
			crmf_diags_add(diags, CRMF_SEV_ERROR, p, 0, 0, "no-such-file",
				       "cannot read '%s': %s", p, strerror(errno));
			continue;
		}
		rel = relative_to_root(root, p);
		if (!rel) {
			crmf_diags_add(diags, CRMF_SEV_ERROR, p, 0, 0, "outside-repository",
				       "'%s' is outside the crmf repository '%s'", p, root);
			continue;
		}
		/* inside another repository: said at its folder */
		for (size_t i = 0; i < n0 && !found; i++)
			if ((*files)[i].kind == CRMF_FILE_NESTED &&
			    under(rel, (*files)[i].relpath))
				(*files)[i].selected = found = true;
		if (found) {
			free(rel);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (rel[0] == '\0')
				*config_selected = true;
			for (size_t i = 0; i < n0; i++)
				if (rel[0] == '\0' || under((*files)[i].relpath, rel))
					(*files)[i].selected = found = true;
			if (!found && rel[0] != '\0')
				crmf_diags_add(diags, CRMF_SEV_ERROR, rel, 0, 0, "not-customer-file",
					       "'%s' holds no customer file (*.yaml)%s", rel,
					       under(rel, "customers") || under(rel, "archive")
						   ? ""
						   : crmf_tr("; customers live under customers/ and archive/"));
			free(rel);
			continue;
		}
		if (strcmp(rel, "crmf.yaml") == 0 && S_ISREG(st.st_mode)) {
			*config_selected = true;
			free(rel);
			continue;
		}
		/* the listed files are sorted: find a named one by bisection */
		{
			size_t lo = 0, hi = n0;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				int c = strcmp((*files)[mid].relpath, rel);

				if (c == 0) {
					(*files)[mid].selected = true;
					found = true;
					break;
				}
				if (c < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t i = n0; !found && i < *n; i++)
				if (strcmp((*files)[i].relpath, rel) == 0)
					found = true;
		}
		if (found) {
			free(rel);
		} else if (is_yaml_name(rel, strlen(rel)) || !S_ISREG(st.st_mode)) {
			(*files)[*n].relpath = rel;
			(*files)[*n].archived = under(rel, "archive");
			(*files)[*n].kind = S_ISREG(st.st_mode)   ? CRMF_FILE_REGULAR
					    : S_ISLNK(st.st_mode) ? CRMF_FILE_LINK
								  : CRMF_FILE_SPECIAL;
			(*files)[(*n)++].selected = true;
		} else {
			crmf_diags_add(diags, CRMF_SEV_ERROR, rel, 0, 0, "not-customer-file",
				       "'%s' is not a customer file: crmf checks *.yaml files and "
				       "crmf.yaml",
				       rel);
			free(rel);
		}
	}
	for (size_t k = 0; k < n_paths; k++)
		free(paths[k]);
	free(paths);
	if (*n > n0)
		qsort(*files, *n, sizeof(**files), cmp_file);
	for (size_t i = 0; i < *n; i++)
		*n_selected += (size_t)(*files)[i].selected;
}

/* Say what the entries that are no customer files are (links, special files,
 * nested repositories, see crmf_file_kind), when selected, and take them out
 * of the scan: they are never opened. A link or special file named as a
 * customer file is an error, a folder left alone a warning. */
void crmf_scan_drop_non_files(const char *root, crmf_file *files, size_t *n, crmf_diags *diags)
{
	static const char *const rules[] = {NULL, "symlink", "not-regular-file",
					    "nested-repository"};
	size_t k = 0;

	for (size_t i = 0; i < *n; i++) {
		crmf_file *f = &files[i];
		char *msg;

		if (f->kind == CRMF_FILE_REGULAR) {
			files[k++] = *f;
			continue;
		}
		if (f->selected && (msg = crmf_store_kind_message(root, f))) {
			bool folder = f->kind == CRMF_FILE_NESTED ||
				      (f->kind == CRMF_FILE_LINK && !is_yaml_name(f->relpath, strlen(f->relpath)));

			crmf_diags_add(diags, folder ? CRMF_SEV_WARNING : CRMF_SEV_ERROR,
				       f->relpath, 0, 0, rules[f->kind], "%s", msg);
			free(msg);
		}
		free(f->relpath);
	}
	*n = k;
}

