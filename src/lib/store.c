/* SPDX-License-Identifier: MIT */
/* The git side of crmf: finding the repository, `crmf init`, .gitattributes (the customer file list: store_list.c). */
#include "crmf/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <git2.h>

#include "crmf/commit.h"
#include "crmf/diag.h"
#include "git_private.h"
#include "gitfilter.h"
#include "repo_ctx.h"
#include "util.h"

static const char NOT_A_REPO[] = N_("not in a git repository (run 'crmf init' to create one)");
static const char NO_IDENTITY[] = N_("no git identity: set it with git config --global "
				     "user.name 'Your Name' and git config --global user.email "
				     "you@example.com");

/* realpath() into a malloc'ed string with no trailing slash, or NULL with the error set. */
static char *abs_path(const char *path)
{
	char *p = realpath(path, NULL);

	if (!p) {
		crmf_error_set("cannot access '%s': %s", path, strerror(errno));
		return NULL;
	}
	return p;
}

/* The work tree of `repo`, resolved like abs_path; NULL with the error set for bare ones. */
static char *repo_workdir(git_repository *repo)
{
	const char *wd = git_repository_workdir(repo);
	char *p;

	if (git_repository_is_bare(repo) || !wd) {
		crmf_error_set("'%s' is a bare git repository; crmf needs one with a work tree "
			       "(clone it: git clone %s)",
			       git_repository_path(repo), git_repository_path(repo));
		return NULL;
	}
	p = realpath(wd, NULL);
	if (!p)
		crmf_error_set("cannot access '%s': %s", wd, strerror(errno));
	return p;
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Open the git repository containing `abs` (an absolute path); 0, 1 when there is none, -1. */
static int open_repo(git_repository **out, const char *abs)
{
	int e = crmf_git_open(out, abs);
	const git_error *ge = git_error_last();

	/* libgit2 1.5 says "not found" for a repository it refuses to own when
	 * safe.directory is not set at all */
	if (e == GIT_ENOTFOUND && ge && ge->message && strstr(ge->message, "safe.directory"))
		e = GIT_EOWNER;
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
		return 1;
	}
	if (e == GIT_EOWNER)
		return crmf_git_owner_error(abs);
	if (e < 0)
		return crmf_error_set("cannot open the git repository at '%s': %s", abs, crmf_git_msg());
	return 0;
}

/* Whether a git config file may set core.worktree or core.bare = true: then
 * libgit2 decides. */
static bool config_unusual(const char *path)
{
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool unusual;

	if (fd < 0)
		return errno != ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0 || n == (ssize_t)sizeof(buf) - 1)
		return true; /* unreadable, or large: let libgit2 read it */
	buf[n] = '\0';
	unusual = strcasestr(buf, "worktree") != NULL;
	for (const char *b = buf; !unusual && (b = strcasestr(b, "bare")); b += 4) {
		const char *v = b + 4;

		while (*v == ' ' || *v == '\t' || *v == '=')
			v++;
		unusual = strncasecmp(v, "false", 5) != 0;
	}
	return unusual;
}

/* A folder that is a git directory itself (HEAD and objects/ in it). */
static bool is_git_dir(const char *dir)
{
	strbuf p = STRBUF_INIT;
	struct stat st;
	bool yes;

	sb_adds(&p, dir);
	sb_adds(&p, "/HEAD");
	yes = stat(p.buf, &st) == 0 && S_ISREG(st.st_mode);
	p.len -= 4;
	sb_adds(&p, "objects");
	yes = yes && stat(p.buf, &st) == 0 && S_ISDIR(st.st_mode);
	sb_release(&p);
	return yes;
}

/*
 * The work tree holding `abs` (resolved), found as git finds it in the usual
 * case, without starting libgit2: the nearest folder with a .git folder that
 * is ours. 1 when the case is not the usual one (GIT_* variables, a .git
 * file or link, a bare or another user's repository, a core.worktree, a file
 * system boundary, no repository at all): libgit2 then decides.
 */
static int discover_fast(char **root, const char *abs)
{
	static const char *const vars[] = {"GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES",
					   "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_COMMON_DIR"};
	strbuf d = STRBUF_INIT;
	struct stat st;
	dev_t dev;
	int rc = 1;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (getenv(vars[i]))
			return 1;
	if (strstr(abs, "/.git/") || (strlen(abs) >= 5 && !strcmp(abs + strlen(abs) - 5, "/.git")))
		return 1; /* inside a git directory */
	if (stat(abs, &st) != 0)
		return 1;
	dev = st.st_dev;
	sb_adds(&d, abs);
	for (;;) {
		size_t keep = d.len;

		if (is_git_dir(d.buf))
			break; /* a bare repository, or one we stand in */
		sb_adds(&d, "/.git");
		if (lstat(d.buf, &st) == 0) {
			if (S_ISDIR(st.st_mode) && st.st_uid == geteuid() && is_git_dir(d.buf)) {
				bool usual;

				sb_adds(&d, "/config");
				usual = !config_unusual(d.buf);
				d.len = keep;
				d.buf[keep] = '\0';
				/* the work tree ours too, as libgit2 wants it */
				if (usual && stat(d.buf, &st) == 0 && st.st_uid == geteuid()) {
					*root = xstrdup(keep ? d.buf : "/");
					rc = 0;
				}
			}
			break; /* found, or not the usual case */
		}
		d.len = keep;
		d.buf[keep] = '\0';
		if (keep <= 1)
			break; /* no repository up to / */
		while (d.len > 0 && d.buf[d.len - 1] != '/')
			d.len--;
		if (d.len > 1)
			d.len--;
		d.buf[d.len] = '\0';
		if (stat(d.buf, &st) != 0 || st.st_dev != dev)
			break; /* another file system: git stops there */
	}
	sb_release(&d);
	return rc;
}

int crmf_worktree_fast(char **worktree, const char *abs)
{
	return discover_fast(worktree, abs);
}

int crmf_repo_discover(char **out, const char *start)
{
	git_repository *repo = NULL;
	char *abs = NULL, *root = NULL;
	strbuf sb = STRBUF_INIT;
	const char *rel;
	int rc = -1, e;

	*out = NULL;
	if (!(abs = abs_path(start)))
		goto done;
	if (discover_fast(&root, abs) != 0) {
		crmf_git_need();
		e = open_repo(&repo, abs);
		if (e != 0) {
			if (e > 0)
				crmf_error_set("%s", crmf_tr(NOT_A_REPO));
			goto done;
		}
		if (!(root = repo_workdir(repo)))
			goto done;
	}
	rel = path_below(abs, root);
	if (rel) {
		/* walk up from start to the work tree root, nearest crmf.yaml wins */
		size_t len = strlen(abs);

		sb_add(&sb, abs, len);
		for (;;) {
			size_t keep = sb.len;

			sb_adds(&sb, "/crmf.yaml");
			if (is_file(sb.buf)) {
				sb.len = keep;
				sb.buf[keep] = '\0';
				*out = sb_detach(&sb);
				rc = 0;
				goto done;
			}
			sb.len = keep;
			sb.buf[keep] = '\0';
			if (keep <= strlen(root))
				break;
			while (sb.len > 0 && sb.buf[sb.len - 1] != '/')
				sb.len--;
			if (sb.len > 1)
				sb.len--; /* drop the slash, but keep "/" itself */
			sb.buf[sb.len] = '\0';
		}
	}
	*out = root;
	root = NULL;
	rc = 0;
done:
	sb_release(&sb);
	free(abs);
	free(root);
	git_repository_free(repo);
	return rc;
}

/* One of the signatures: the environment as git reads it, else user.name and user.email. */
static int make_signature(git_signature **out, git_config *cfg, const char *env_name,
			  const char *env_email)
{
	const char *name = getenv(env_name), *email = getenv(env_email);
	git_buf nb = GIT_BUF_INIT, eb = GIT_BUF_INIT;
	int rc = -1;

	*out = NULL;
	if ((!name || !*name) && cfg && git_config_get_string_buf(&nb, cfg, "user.name") == 0)
		name = nb.ptr;
	if ((!email || !*email) && cfg && git_config_get_string_buf(&eb, cfg, "user.email") == 0)
		email = eb.ptr;
	git_error_clear();
	if (!name || !*name || !email || !*email) {
		crmf_error_set("%s", crmf_tr(NO_IDENTITY));
		goto done;
	}
	if (crmf_git_signature(out, name, email, NULL) < 0)
		goto done;
	rc = 0;
done:
	git_buf_dispose(&nb);
	git_buf_dispose(&eb);
	return rc;
}

/* The repository's configuration, or the user's (global, system) when there is no repository. */
static int open_config(git_config **out, git_repository *repo)
{
	git_config *cfg = NULL;
	int e;

	*out = NULL;
	e = repo ? git_repository_config_snapshot(out, repo) : git_config_open_default(&cfg);
	if (e == 0 && cfg) {
		e = git_config_snapshot(out, cfg);
		git_config_free(cfg);
	}
	if (e < 0)
		return crmf_error_set("cannot read the git configuration: %s", crmf_git_msg());
	return 0;
}

static int mkdir_p(const char *dir)
{
	strbuf sb = STRBUF_INIT;
	struct stat st;
	int rc = 0;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return crmf_error_set("'%s' exists and is not a directory", dir);
	}
	sb_adds(&sb, dir);
	for (size_t i = 1; i <= sb.len; i++) {
		if (sb.buf[i] != '/' && sb.buf[i] != '\0')
			continue;
		sb.buf[i] = '\0';
		if (mkdir(sb.buf, 0777) != 0 && errno != EEXIST) {
			rc = crmf_error_set("cannot create directory '%s': %s", sb.buf,
					    strerror(errno));
			break;
		}
		if (i < sb.len)
			sb.buf[i] = '/';
	}
	sb_release(&sb);
	return rc;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* best effort: some file systems refuse fsync on directories */
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/*
 * Write dir/crmf.yaml so that it either appears whole or not at all, and never
 * replaces a file that appeared meanwhile: a temporary file in the same
 * directory, fsync'ed, then renamed without replacing.
 */
static int write_config(const char *dir, const char *bytes, size_t len)
{
	char *final = xasprintf("%s/crmf.yaml", dir), *tmp = NULL;
	int fd = -1, rc = -1;

	for (int i = 0; i < 100 && fd < 0; i++) {
		free(tmp);
		tmp = xasprintf("%s/.crmf.yaml.tmp-%ld-%d", dir, (long)getpid(), i);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST) {
			crmf_error_set("cannot create '%s': %s", tmp, strerror(errno));
			goto done;
		}
	}
	if (fd < 0) {
		crmf_error_set("cannot create a temporary file in '%s'", dir);
		goto done;
	}
	if (write_all(fd, bytes, len) != 0 || fsync(fd) != 0) {
		crmf_error_set("cannot write '%s': %s", tmp, strerror(errno));
		goto unlink;
	}
	if (close(fd) != 0) {
		fd = -1;
		crmf_error_set("cannot write '%s': %s", tmp, strerror(errno));
		goto unlink;
	}
	fd = -1;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) != 0) {
		int err = errno;

		if (err == EEXIST) {
			crmf_error_set("'crmf.yaml' already exists in %s; crmf init never "
				       "overwrites it",
				       dir);
			goto unlink;
		}
		/* file systems without RENAME_NOREPLACE: we checked just before */
		if ((err != EINVAL && err != ENOSYS && err != ENOTSUP) || rename(tmp, final) != 0) {
			crmf_error_set("cannot create '%s': %s", final, strerror(errno));
			goto unlink;
		}
	}
	fsync_dir(dir);
	rc = 0;
	goto done;
unlink:
	unlink(tmp);
done:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(final);
	return rc;
}

/* dir/customers/ with an empty .gitkeep (an existing one is kept as it is). */
static int make_customers(const char *dir)
{
	char *sub = xasprintf("%s/customers", dir);
	char *keep = xasprintf("%s/customers/.gitkeep", dir);
	int fd, rc = -1;

	if (mkdir(sub, 0777) != 0 && errno != EEXIST) {
		crmf_error_set("cannot create directory '%s': %s", sub, strerror(errno));
		goto done;
	}
	fd = open(keep, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		crmf_error_set("cannot create '%s': %s", keep, strerror(errno));
		goto done;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		crmf_error_set("cannot write '%s': %s", keep, strerror(errno));
		goto done;
	}
	fsync_dir(sub);
	fsync_dir(dir);
	rc = 0;
done:
	free(sub);
	free(keep);
	return rc;
}

/* init.defaultBranch from the user's configuration, else "main". */
static char *default_branch(git_config *cfg)
{
	git_buf b = GIT_BUF_INIT;
	char *s;

	if (cfg && git_config_get_string_buf(&b, cfg, "init.defaultBranch") == 0 && b.ptr[0])
		s = xasprintf("refs/heads/%s", b.ptr);
	else
		s = xstrdup("refs/heads/main");
	git_error_clear();
	git_buf_dispose(&b);
	return s;
}

static bool has_dotgit_component(const char *rel)
{
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 4 && strncasecmp(p, ".git", 4) == 0)
			return true;
		p += n;
		if (*p == '/')
			p++;
	}
	return false;
}

/* realpath of the nearest existing directory at or above `dir` (which does not exist). */
static char *existing_ancestor(const char *dir)
{
	char *p = xstrdup(dir), *r;
	struct stat st;

	for (;;) {
		char *slash;

		if (stat(p, &st) == 0)
			break;
		slash = strrchr(p, '/');
		if (!slash) {
			strcpy(p, ".");
			break;
		}
		if (slash == p) {
			strcpy(p, "/");
			break;
		}
		*slash = '\0';
	}
	r = abs_path(p);
	free(p);
	return r;
}

void crmf_init_result_release(crmf_init_result *r)
{
	if (!r)
		return;
	free(r->root);
	free(r->git_root);
	memset(r, 0, sizeof(*r));
}

/*
 * libgit2 moves a finished file into a place that does not exist yet by link() then unlink(),
 * and ignores a failed unlink: a lock file that is a second name of what it locked (HEAD.lock,
 * index.lock, the branch's lock) would then stay, and git refuses to work until it is removed;
 * its probes of the file system (_git2_*) would stay in the work tree. That happens where the
 * targets are new, so at init: remove what is left, or say what could not be.
 */
static int tidy_after_init(git_repository *repo, const char *workdir, const char *branch)
{
	const char *gitdir = git_repository_path(repo);
	const char *names[3] = {"HEAD", "index", branch ? branch : "refs/heads/main"};
	DIR *d;
	struct dirent *de;
	int rc = 0;

	for (size_t i = 0; i < 3 && rc == 0; i++) {
		char *target = xasprintf("%s%s", gitdir, names[i]);
		char *lock = xasprintf("%s.lock", target);
		struct stat a, b;

		if (lstat(lock, &a) == 0 && lstat(target, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino && unlink(lock) != 0) {
			crmf_error_set("cannot remove '%s' left by the first commit: %s; remove it "
				       "yourself",
				       lock, strerror(errno));
			rc = -1;
		}
		free(target);
		free(lock);
	}
	for (const char *dir = workdir; rc == 0 && dir; dir = dir == workdir ? gitdir : NULL) {
		if (!(d = opendir(dir)))
			continue;
		while ((de = readdir(d)) && rc == 0)
			if (strncmp(de->d_name, "_git2_", 6) == 0 &&
			    unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
				crmf_error_set("cannot remove '%s/%s' left by git init: %s", dir,
					       de->d_name, strerror(errno));
				rc = -1;
			}
		closedir(d);
	}
	return rc;
}

int crmf_repo_init_ext(crmf_init_result *out, const char *dir, const char *config_bytes,
		       size_t config_len)
{
	crmf_git_need();
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_signature *author = NULL, *committer = NULL;
	char *abs = NULL, *root = NULL, *branch = NULL, *yaml = NULL, *probe = NULL;
	static const crmf_commit_path files[] = {
		{"crmf.yaml", false}, {"customers/.gitkeep", false}, {".gitattributes", false}};
	bool attributes_changed;
	crmf_commit_opts opts = {NULL, "crmf: init", NULL, "init", NULL};
	const char *rel;
	struct stat st;
	char id[GIT_OID_HEXSZ + 1];
	bool created = false;
	int rc = -1, e;

	if (out)
		memset(out, 0, sizeof(*out));
	/* everything that can refuse is checked before anything is created */
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			crmf_error_set("'%s' exists and is not a directory", dir);
			goto done;
		}
		if (!(abs = abs_path(dir)))
			goto done;
		yaml = xasprintf("%s/crmf.yaml", abs);
		if (lstat(yaml, &st) == 0) {
			crmf_error_set("'crmf.yaml' already exists in %s; crmf init never "
				       "overwrites it",
				       abs);
			goto done;
		}
		free(yaml);
		yaml = xasprintf("%s/customers", abs);
		if (lstat(yaml, &st) == 0 && !S_ISDIR(st.st_mode)) {
			crmf_error_set("'%s' exists and is not a directory; move it away first",
				       yaml);
			goto done;
		}
		probe = xstrdup(abs);
	} else if (errno != ENOENT) {
		crmf_error_set("cannot access '%s': %s", dir, strerror(errno));
		goto done;
	} else if (!(probe = existing_ancestor(dir))) {
		goto done;
	}
	/* the repository that will hold it, if any: its config may name the author */
	e = open_repo(&repo, probe);
	if (e < 0)
		goto done;
	if (e == 0 && !(root = repo_workdir(repo)))
		goto done;
	if (open_config(&cfg, repo) < 0)
		goto done;
	if (make_signature(&author, cfg, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL") < 0 ||
	    make_signature(&committer, cfg, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL") < 0)
		goto done;
	if (!abs && (mkdir_p(dir) < 0 || !(abs = abs_path(dir))))
		goto done;
	if (!repo) {
		git_repository_init_options o;

		git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		branch = default_branch(cfg);
		o.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
		o.initial_head = branch;
		if (git_repository_init_ext(&repo, abs, &o) < 0) {
			crmf_error_set("cannot create a git repository in '%s': %s", abs,
				       crmf_git_msg());
			goto done;
		}
		created = true;
		if (!(root = repo_workdir(repo)))
			goto done;
	}
	rel = path_below(abs, root);
	if (!rel || has_dotgit_component(rel)) {
		crmf_error_set("'%s' is not inside the work tree of the git repository at '%s'",
			       abs, root);
		goto done;
	}

	/* crmf.yaml last: should a write fail, init can run again (it refuses when crmf.yaml
	 * exists; customers/.gitkeep and the attributes are taken as they are) */
	if (make_customers(abs) < 0 || crmf_store_write_attributes(&attributes_changed, abs) < 0 ||
	    write_config(abs, config_bytes, config_len) < 0)
		goto done;

	/* the identity was checked above, before anything was created */
	if (crmf_commit_paths(id, abs, files, 3, &opts) < 0) {
		char *why = xstrdup(crmf_error_last());
		const char *sep = *rel ? "/" : "";

		crmf_error_set("saved, not committed: %s; commit '%s%scrmf.yaml', "
			       "'%s%scustomers/.gitkeep' and '%s%s.gitattributes' yourself",
			       why, rel, sep, rel, sep, rel, sep);
		free(why);
		goto done;
	}
	if (created && tidy_after_init(repo, root, branch) < 0)
		goto done;
	if (out) {
		out->root = abs;
		out->git_root = root;
		out->git_created = created;
		memcpy(out->commit, id, sizeof(out->commit));
		abs = root = NULL;
	}
	rc = 0;
done:
	free(yaml);
	free(probe);
	free(branch);
	free(abs);
	free(root);
	git_signature_free(author);
	git_signature_free(committer);
	git_config_free(cfg);
	git_repository_free(repo);
	return rc;
}

int crmf_repo_init(const char *dir, const char *config_bytes, size_t config_len)
{
	return crmf_repo_init_ext(NULL, dir, config_bytes, config_len);
}

/* ---- .gitattributes: git merges customer files with crmf's driver ---- */

const char *const crmf_store_attributes[] = {
    "customers/**/*.yaml merge=crmf\n",
    "customers/**/*.yml merge=crmf\n",
    "archive/**/*.yaml merge=crmf\n",
    "archive/**/*.yml merge=crmf\n",
    NULL,
};

static const char ATTR_COMMENT[] =
    "# crmf: merge customer files by their structure (see 'crmf setup --help')\n";

static bool has_line(const char *text, size_t len, const char *line)
{
	size_t want = strcspn(line, "\n");

	for (size_t p = 0; p < len;) {
		const char *nl = memchr(text + p, '\n', len - p);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - p;

		while (n > 0 && strchr(" \t\r", text[p + n - 1]))
			n--;
		if (n == want && memcmp(text + p, line, n) == 0)
			return true;
		p = end + 1;
	}
	return false;
}

static int read_file(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t got;

	*out = NULL;
	*len = 0;
	if (!f)
		return errno == ENOENT
			   ? 1
			   : crmf_error_set("cannot read '%s': %s", path, strerror(errno));
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, got);
	if (ferror(f)) {
		fclose(f);
		sb_release(&sb);
		return crmf_error_set("cannot read '%s'", path);
	}
	fclose(f);
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

int crmf_store_write_attributes(bool *changed, const char *dir)
{
	char *path = xasprintf("%s/.gitattributes", dir), *text = NULL;
	strbuf sb = STRBUF_INIT;
	size_t len = 0;
	int rc = -1;

	*changed = false;
	if (read_file(&text, &len, path) < 0)
		goto done;
	sb_add(&sb, text ? text : "", len);
	for (size_t i = 0; crmf_store_attributes[i]; i++) {
		if (has_line(text, len, crmf_store_attributes[i]))
			continue;
		if (!*changed) {
			if (sb.len && sb.buf[sb.len - 1] != '\n')
				sb_addc(&sb, '\n');
			if (!has_line(text, len, ATTR_COMMENT))
				sb_adds(&sb, ATTR_COMMENT);
		}
		sb_adds(&sb, crmf_store_attributes[i]);
		*changed = true;
	}
	if (*changed && crmf_write_atomic(path, sb.buf, sb.len) < 0)
		goto done;
	rc = 0;
done:
	sb_release(&sb);
	free(text);
	free(path);
	return rc;
}
