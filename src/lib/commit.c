/* Changing a repository safely: lock, atomic writes, commits of just the changed files, history. */
#include "crmf/commit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>
#include <git2/sys/repository.h>

#include "crmf/diag.h"
#include "crmf/diff.h"
#include "git_private.h"
#include "gitfilter.h"
#include "gitindex.h"
#include "util.h"

static const char NOT_A_REPO[] = "not in a git repository (run 'crmf init' to create one)";
static const char NO_IDENTITY[] =
    "no git identity: set it with git config --global user.name 'Your Name' and git config "
    "--global user.email you@example.com, or pass --author 'Name <email>'";
static const char OWNER_FMT[] =
    "repository '%s' is owned by another user; git refuses to work in "
    "it: run git config --global --add safe.directory %s if you trust it";

/* --- opening the repository --- */

typedef struct repo_ctx {
	git_repository *repo;
	char *root;   /* the crmf root, resolved */
	char *prefix; /* where the crmf root is inside the work tree: "" or "examples/" */
} repo_ctx;

static void ctx_close(repo_ctx *c)
{
	git_repository_free(c->repo);
	free(c->root);
	free(c->prefix);
	memset(c, 0, sizeof(*c));
}

int crmf_git_owner_error(const char *start)
{
	crmf_git_need();
	git_buf b = GIT_BUF_INIT;
	char *dir;

	/* discovery does not check ownership, so it still finds the git directory */
	if (git_repository_discover(&b, start, 0, NULL) == 0 && b.ptr) {
		size_t n = strlen(b.ptr);

		while (n > 1 && b.ptr[n - 1] == '/')
			n--;
		if (n > 5 && memcmp(b.ptr + n - 5, "/.git", 5) == 0)
			n -= 5;
		dir = xstrndup(b.ptr, n);
	} else {
		dir = xstrdup(start);
	}
	git_error_clear();
	git_buf_dispose(&b);
	crmf_error_set(OWNER_FMT, dir, dir);
	free(dir);
	return -1;
}

/* --- safe.directory, as git reads it --- */

/* git's rule for "owned by the current user" (git-compat-util.h, 2.39):
 * root owns what root owns, and under sudo what SUDO_UID owns. */
static bool owned_by_us(const char *path)
{
	struct stat st;
	uid_t euid = geteuid();
	const char *sudo;

	if (lstat(path, &st) != 0)
		return false;
	if (euid == 0 && st.st_uid == 0)
		return true;
	if (euid == 0 && (sudo = getenv("SUDO_UID")) && *sudo) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(sudo, &end, 10);
		if (!*end && !errno && v == (uid_t)v)
			euid = (uid_t)v;
	}
	return st.st_uid == euid;
}

/* One value of safe.directory applied to *safe (git's safe_directory_cb). */
static void safe_value(bool *safe, const char *path, const char *value)
{
	char *full = NULL;

	if (!value || !*value) {
		*safe = false;
		return;
	}
	if (!strcmp(value, "*")) {
		*safe = true;
		return;
	}
	/* git_config_pathname: ~/ and %(prefix)/ (a relative rest is below the prefix) */
	if (!strncmp(value, "~/", 2) || !strcmp(value, "~")) {
		const char *home = getenv("HOME");

		if (!home)
			return;
		full = xasprintf("%s%s", home, value + 1);
	} else if (!strncmp(value, "%(prefix)/", 10)) {
		full = value[10] == '/' ? xstrdup(value + 10) : xasprintf("/usr/%s", value + 10);
	}
	if (!strcmp(full ? full : value, path))
		*safe = true;
	free(full);
}

/* The values of safe.directory in the config file `file`, in order (its includes too). */
static void safe_from_file(bool *safe, const char *path, const char *file)
{
	git_config *cfg = NULL;
	git_config_iterator *it = NULL;
	git_config_entry *e;
	struct stat st;

	if (!file || stat(file, &st) != 0)
		return;
	if (git_config_open_ondisk(&cfg, file) == 0 &&
	    git_config_multivar_iterator_new(&it, cfg, "safe.directory", NULL) == 0)
		while (git_config_next(&e, it) == 0)
			safe_value(safe, path, e->value);
	git_config_iterator_free(it);
	git_config_free(cfg);
	git_error_clear();
}

/* Next single-quoted word of GIT_CONFIG_PARAMETERS ('a'\''b' is a'b), malloc'ed; NULL at the end. */
static char *sq_word(const char **p)
{
	strbuf b = STRBUF_INIT;
	const char *s = *p;

	while (*s == ' ')
		s++;
	if (*s != '\'')
		return NULL;
	for (;;) {
		const char *q = strchr(++s, '\'');

		if (!q) {
			sb_release(&b);
			return NULL;
		}
		sb_add(&b, s, (size_t)(q - s));
		s = q + 1;
		if (s[0] == '\\' && s[1] && s[2] == '\'') {
			sb_addc(&b, s[1]);
			s += 2; /* at the quote that opens the rest */
			continue;
		}
		break;
	}
	*p = s;
	return sb_detach(&b);
}

/* The command line's config (git -c, or GIT_CONFIG_COUNT): what git hands its hooks and aliases. */
static void safe_from_command_line(bool *safe, const char *path)
{
	const char *env = getenv("GIT_CONFIG_COUNT"), *p;
	unsigned long count = env ? strtoul(env, NULL, 10) : 0;

	for (unsigned long i = 0; i < count && i < 100000; i++) {
		char name[64];
		const char *key, *value;

		snprintf(name, sizeof(name), "GIT_CONFIG_KEY_%lu", i);
		key = getenv(name);
		snprintf(name, sizeof(name), "GIT_CONFIG_VALUE_%lu", i);
		value = getenv(name);
		if (key && value && !strcasecmp(key, "safe.directory"))
			safe_value(safe, path, value);
	}
	if (!(p = getenv("GIT_CONFIG_PARAMETERS")))
		return;
	for (char *w; (w = sq_word(&p));) {
		char *key = w, *value = NULL, *eq;

		if (*p == '=') { /* the new form: 'key'='value' */
			p++;
			value = sq_word(&p);
		} else if ((eq = strchr(w, '='))) { /* the old: 'key=value' */
			*eq = '\0';
			value = xstrdup(eq + 1);
		}
		if (!strcasecmp(key, "safe.directory"))
			safe_value(safe, path, value);
		free(value);
		free(w);
	}
}

bool crmf_git_safe_directory(const char *path)
{
	const char *env, *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	bool safe = false;
	char *f;

	/* the system's, the user's (XDG's, then ~/.gitconfig), the command line's */
	env = getenv("GIT_CONFIG_NOSYSTEM");
	if (!env || !*env || !strcmp(env, "0") || !strcasecmp(env, "false"))
		safe_from_file(&safe, path,
			       getenv("GIT_CONFIG_SYSTEM") ? getenv("GIT_CONFIG_SYSTEM")
							   : "/etc/gitconfig");
	if ((env = getenv("GIT_CONFIG_GLOBAL"))) {
		safe_from_file(&safe, path, env);
	} else {
		f = xdg && *xdg ? xasprintf("%s/git/config", xdg)
		    : home	? xasprintf("%s/.config/git/config", home)
				: NULL;
		safe_from_file(&safe, path, f);
		free(f);
		f = home ? xasprintf("%s/.gitconfig", home) : NULL;
		safe_from_file(&safe, path, f);
		free(f);
	}
	safe_from_command_line(&safe, path);
	return safe;
}

int crmf_git_open(git_repository **out, const char *start)
{
	const char *wd, *gd;
	char *worktree = NULL, *gitdir, *gitfile = NULL;
	struct stat st;
	bool ok;
	int e;

	crmf_git_need();
	e = git_repository_open_ext(out, start, 0, NULL);
	if (e < 0)
		return e;
	wd = git_repository_workdir(*out);
	gd = git_repository_path(*out);
	if (wd && !(worktree = realpath(wd, NULL)))
		worktree = xstrdup(wd);
	gitdir = xstrdup(gd);
	for (size_t n = strlen(gitdir); n > 1 && gitdir[n - 1] == '/';)
		gitdir[--n] = '\0';
	if (worktree) {
		gitfile = xasprintf("%s/.git", worktree);
		if (lstat(gitfile, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(gitfile);
			gitfile = NULL;
		}
	}
	/* git's ensure_valid_ownership: all ours, or trusted by the path that
	 * names the repository (its work tree, else its git directory) */
	ok = (!gitfile || owned_by_us(gitfile)) && (!worktree || owned_by_us(worktree)) &&
	     owned_by_us(gitdir);
	if (!ok)
		ok = crmf_git_safe_directory(worktree ? worktree : gitdir);
	free(worktree);
	free(gitdir);
	free(gitfile);
	if (ok)
		return 0;
	git_repository_free(*out);
	*out = NULL;
	return GIT_EOWNER;
}

/* libgit2 1.5 says "not found" for a repository it refuses to own when
 * safe.directory is not set at all. */
static bool owner_refused(void)
{
	const git_error *e = git_error_last();

	return e && e->message && strstr(e->message, "safe.directory");
}

static int ctx_open(repo_ctx *c, const char *root)
{
	char *wd = NULL;
	const char *rel;
	int e;

	memset(c, 0, sizeof(*c));
	c->root = realpath(root, NULL);
	if (!c->root)
		return crmf_error_set("cannot access '%s': %s", root, errtext(errno));
	e = crmf_git_open(&c->repo, c->root);
	if (e == GIT_ENOTFOUND && owner_refused())
		e = GIT_EOWNER;
	if (e == GIT_ENOTFOUND) {
		git_error_clear();
		crmf_error_set("%s", NOT_A_REPO);
		goto fail;
	}
	if (e == GIT_EOWNER) {
		crmf_git_owner_error(c->root);
		goto fail;
	}
	if (e < 0) {
		crmf_error_set("cannot open the git repository at '%s': %s", c->root, crmf_git_msg());
		goto fail;
	}
	if (git_repository_is_bare(c->repo) || !git_repository_workdir(c->repo)) {
		crmf_error_set("'%s' is a bare git repository; crmf needs one with a work tree "
			       "(clone it: git clone %s)",
			       git_repository_path(c->repo), git_repository_path(c->repo));
		goto fail;
	}
	wd = realpath(git_repository_workdir(c->repo), NULL);
	if (!wd) {
		crmf_error_set("cannot access '%s': %s", git_repository_workdir(c->repo),
			       errtext(errno));
		goto fail;
	}
	rel = path_below(c->root, wd);
	if (!rel) {
		crmf_error_set("'%s' is not inside the work tree of the git repository at '%s'",
			       c->root, wd);
		goto fail;
	}
	c->prefix = *rel ? xasprintf("%s/", rel) : xstrdup("");
	free(wd);
	return 0;
fail:
	free(wd);
	ctx_close(c);
	return -1;
}

/* A path under the git directory, for messages: relative to the crmf root when inside it. */
static char *gitdir_file(const repo_ctx *c, const char *name, bool display)
{
	char *abs = xasprintf("%s%s", git_repository_path(c->repo), name);
	const char *rel;

	if (!display)
		return abs;
	rel = path_below(abs, c->root);
	if (rel && *rel) {
		char *r = xstrdup(rel);

		free(abs);
		return r;
	}
	return abs;
}

/* --- the lock --- */

struct crmf_lock {
	int fd;
};

int crmf_lock_acquire(crmf_lock **out, const char *root, int timeout_ms)
{
	crmf_git_need();
	repo_ctx c;
	char *path = NULL;
	struct timespec start, now;
	long step_us = 1000;
	int fd = -1, rc = -1;

	*out = NULL;
	if (ctx_open(&c, root) < 0)
		return -1;
	path = gitdir_file(&c, "crmf.lock", false);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		crmf_error_set("cannot create the lock '%s': %s", path, errtext(errno));
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long waited_ms;

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			crmf_error_set("cannot lock '%s': %s", path, errtext(errno));
			goto done;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms =
		    (now.tv_sec - start.tv_sec) * 1000L + (now.tv_nsec - start.tv_nsec) / 1000000L;
		if (timeout_ms >= 0 && waited_ms >= timeout_ms) {
			char pid[32] = "";
			ssize_t got = pread(fd, pid, sizeof(pid) - 1, 0);

			pid[got > 0 ? got : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			if (pid[0])
				crmf_error_set("another crmf (process %s) is changing this "
					       "repository; try again when it has finished",
					       pid);
			else
				crmf_error_set("another crmf is changing this repository; try "
					       "again when it has finished");
			goto done;
		}
		/* back off, but not past the deadline: waiters wake soon after the release */
		if (timeout_ms >= 0 && step_us / 1000 > timeout_ms - waited_ms)
			step_us = (timeout_ms - waited_ms) * 1000L + 100;
		{
			struct timespec ts = {step_us / 1000000, (step_us % 1000000) * 1000};

			nanosleep(&ts, NULL);
		}
		if (step_us < 20000)
			step_us *= 2;
	}
	{
		/* who holds it, for the message of those who wait */
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());

		if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0)
			(void)0; /* only informative */
	}
	*out = xmalloc(sizeof(**out));
	(*out)->fd = fd;
	fd = -1;
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	free(path);
	ctx_close(&c);
	return rc;
}

void crmf_lock_release(crmf_lock *lock)
{
	if (!lock)
		return;
	if (ftruncate(lock->fd, 0) != 0)
		(void)0; /* only informative */
	flock(lock->fd, LOCK_UN);
	close(lock->fd);
	free(lock);
}

/* --- atomic writes --- */

/*
 * Temporary files of crmf processes that died between making one and
 * renaming it into place (kill -9, a crash): named "<pid>-…", removed when
 * that process is gone. A live process that reused the number keeps them
 * until it too is gone; git never looks here, so they cost nothing meanwhile.
 */
static void sweep_dead(const char *tmpdir)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (end == e->d_name || *end != '-' || pid <= 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/*
 * Where the temporary file of a write into `dir` (on device `dev`) goes:
 * crmf/tmp/ in the git directory of the work tree holding `dir`, so that a
 * process killed before its rename leaves nothing that git status lists
 * (git never looks inside its own directory); NULL when `dir` is in no
 * repository or the git directory is on another file system (a rename
 * cannot cross it) or cannot be written (read-only): then beside the file.
 */
static char *tmp_dir_for(const char *dir, dev_t dev)
{
	git_buf b = GIT_BUF_INIT;
	char *t = NULL, *parent = NULL;
	struct stat st;

	crmf_git_need();
	if (git_repository_discover(&b, dir, 0, NULL) == 0 && b.ptr && *b.ptr) {
		const char *sep = b.ptr[strlen(b.ptr) - 1] == '/' ? "" : "/";

		parent = xasprintf("%s%scrmf", b.ptr, sep);
		t = xasprintf("%s/tmp", parent);
		if ((mkdir(parent, 0777) != 0 && errno != EEXIST) ||
		    (mkdir(t, 0777) != 0 && errno != EEXIST) || stat(t, &st) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_dev != dev) {
			free(t);
			t = NULL;
		}
	}
	git_error_clear();
	git_buf_dispose(&b);
	free(parent);
	return t;
}

/* Make the temporary file: in `tmpdir` when given, else beside the target; -1 with errno. */
static int make_tmp(char **tmp, const char *tmpdir, const char *dir, const char *base)
{
	int fd = -1;

	*tmp = NULL;
	for (unsigned i = 0; fd < 0; i++) {
		free(*tmp);
		if (tmpdir)
			*tmp = xasprintf("%s/%ld-%u-%s", tmpdir, (long)getpid(), i, base);
		else
			*tmp = xasprintf("%s/.%s.crmf-%ld-%u", dir, base, (long)getpid(), i);
		fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && (errno != EEXIST || i >= 1000)) {
			int err = errno;

			free(*tmp);
			*tmp = NULL;
			errno = err;
			return -1;
		}
	}
	return fd;
}

int crmf_write_atomic(const char *fspath, const char *buf, size_t len)
{
	char *target = NULL, *dir = NULL, *tmp = NULL, *tmpdir = NULL;
	const char *base, *slash;
	struct stat st, dst;
	bool exists = false;
	int fd = -1, rc = -1, err;

	/* write through a symbolic link rather than replacing it */
	if (lstat(fspath, &st) == 0 && S_ISLNK(st.st_mode)) {
		target = realpath(fspath, NULL);
		if (!target)
			return crmf_error_set("cannot write '%s': %s", fspath, errtext(errno));
	} else {
		target = xstrdup(fspath);
	}
	if (stat(target, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			crmf_error_set("cannot write '%s': %s", fspath, errtext(EISDIR));
			goto done;
		}
		exists = true;
	}
	slash = strrchr(target, '/');
	dir =
	    slash ? xstrndup(target, slash == target ? 1 : (size_t)(slash - target)) : xstrdup(".");
	base = slash ? slash + 1 : target;
	if (stat(dir, &dst) == 0 && S_ISDIR(dst.st_mode))
		tmpdir = tmp_dir_for(dir, dst.st_dev);
again:
	fd = make_tmp(&tmp, tmpdir, dir, base);
	if (fd < 0 && tmpdir) {
		free(tmpdir); /* the git directory refuses: beside the file then */
		tmpdir = NULL;
		goto again;
	}
	if (fd < 0) {
		crmf_error_set("cannot write '%s': %s", fspath, errtext(errno));
		goto done;
	}
	/* the file keeps its permissions */
	if (exists && fchmod(fd, st.st_mode & 07777) != 0)
		goto fail;
	if (write_all(fd, buf, len) != 0 || fsync(fd) != 0)
		goto fail;
	err = close(fd);
	fd = -1;
	if (err != 0)
		goto fail;
	if (rename(tmp, target) != 0) {
		if (errno == EXDEV && tmpdir) {
			/* one file system seen through two mounts: beside the file then */
			unlink(tmp);
			free(tmp);
			tmp = NULL;
			free(tmpdir);
			tmpdir = NULL;
			goto again;
		}
		goto fail;
	}
	free(tmp);
	tmp = NULL;
	{
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		/* the rename is durable once the directory is; some file systems refuse */
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	if (tmpdir)
		sweep_dead(tmpdir);
	rc = 0;
	goto done;
fail:
	err = errno;
	crmf_error_set("cannot write '%s': %s", fspath, errtext(err));
done:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(tmpdir);
	free(dir);
	free(target);
	return rc;
}

/* --- identity and preflight --- */

static bool has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

int crmf_commit_parse_author(char **name, char **email, const char *author)
{
	const char *lt, *gt, *at, *end;
	size_t n;

	*name = *email = NULL;
	if (!author)
		return crmf_error_set("invalid author: give it as 'Name <email>'");
	lt = strchr(author, '<');
	gt = strchr(author, '>');
	end = author + strlen(author);
	if (!lt || !gt || gt < lt || strchr(lt + 1, '<') || strchr(gt + 1, '>') || gt + 1 != end ||
	    has_control(author, (size_t)(end - author)))
		goto bad;
	n = (size_t)(lt - author);
	if (n < 2 || author[n - 1] != ' ')
		goto bad;
	while (n > 0 && author[n - 1] == ' ')
		n--;
	if (n == 0 || author[0] == ' ')
		goto bad;
	/* the address: local@domain, no spaces */
	at = memchr(lt + 1, '@', (size_t)(gt - lt - 1));
	if (!at || at == lt + 1 || at + 1 == gt || memchr(at + 1, '@', (size_t)(gt - at - 1)) ||
	    memchr(lt + 1, ' ', (size_t)(gt - lt - 1)))
		goto bad;
	*name = xstrndup(author, n);
	*email = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	return 0;
bad:
	return crmf_error_set("invalid author '%s': give it as 'Name <email>'", author);
}

static char *config_value(git_config *cfg, const char *key)
{
	git_buf b = GIT_BUF_INIT;
	char *v = NULL;

	if (cfg && git_config_get_string_buf(&b, cfg, key) == 0 && b.ptr && b.ptr[0])
		v = xstrdup(b.ptr);
	git_buf_dispose(&b);
	git_error_clear();
	return v;
}

/* One identity as git reads it: the environment when set and not empty, else the config. */
static void identity(char **name, char **email, git_config *cfg, const char *env_name,
		     const char *env_email)
{
	const char *n = getenv(env_name), *e = getenv(env_email);

	*name = n && *n ? xstrdup(n) : config_value(cfg, "user.name");
	*email = e && *e ? xstrdup(e) : config_value(cfg, "user.email");
}

/*
 * Author and committer. The author is `author` when given (strictly parsed),
 * else git's; the committer is git's, or the author when git has none, so
 * that --author alone is enough on a machine without git config.
 */
static int signatures(git_signature **author_out, git_signature **committer_out,
		      git_repository *repo, const char *author)
{
	git_config *cfg = NULL;
	char *an = NULL, *ae = NULL, *cn = NULL, *ce = NULL;
	int rc = -1;

	*author_out = *committer_out = NULL;
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		crmf_error_set("cannot read the git configuration: %s", crmf_git_msg());
		goto done;
	}
	if (author) {
		if (crmf_commit_parse_author(&an, &ae, author) < 0)
			goto done;
	} else {
		identity(&an, &ae, cfg, "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL");
	}
	identity(&cn, &ce, cfg, "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL");
	if (!an || !ae) {
		crmf_error_set("%s", NO_IDENTITY);
		goto done;
	}
	if (!cn || !ce) {
		if (!author) {
			crmf_error_set("%s", NO_IDENTITY);
			goto done;
		}
		free(cn);
		free(ce);
		cn = xstrdup(an);
		ce = xstrdup(ae);
	}
	if (git_signature_now(author_out, an, ae) < 0) {
		crmf_error_set("invalid git identity '%s <%s>': %s", an, ae, crmf_git_msg());
		goto done;
	}
	if (git_signature_now(committer_out, cn, ce) < 0) {
		crmf_error_set("invalid git identity '%s <%s>': %s", cn, ce, crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	if (rc < 0) {
		git_signature_free(*author_out);
		*author_out = NULL;
	}
	free(an);
	free(ae);
	free(cn);
	free(ce);
	git_config_free(cfg);
	return rc;
}

static int check_state(git_repository *repo)
{
	switch (git_repository_state(repo)) {
	case GIT_REPOSITORY_STATE_NONE:
		return 0;
	case GIT_REPOSITORY_STATE_MERGE:
		return crmf_error_set("a merge is in progress; finish it (git commit) or abort it "
				      "(git merge --abort) first");
	case GIT_REPOSITORY_STATE_REVERT:
	case GIT_REPOSITORY_STATE_REVERT_SEQUENCE:
		return crmf_error_set("a revert is in progress; finish it (git revert --continue) "
				      "or abort it (git revert --abort) first");
	case GIT_REPOSITORY_STATE_CHERRYPICK:
	case GIT_REPOSITORY_STATE_CHERRYPICK_SEQUENCE:
		return crmf_error_set("a cherry-pick is in progress; finish it (git cherry-pick "
				      "--continue) or abort it (git cherry-pick --abort) first");
	case GIT_REPOSITORY_STATE_BISECT:
		return crmf_error_set("a bisect is in progress; end it (git bisect reset) first");
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX:
	case GIT_REPOSITORY_STATE_APPLY_MAILBOX_OR_REBASE:
		return crmf_error_set("a git am is in progress; finish it (git am --continue) or "
				      "abort it (git am --abort) first");
	default:
		return crmf_error_set("a rebase is in progress; finish it (git rebase --continue) "
				      "or abort it (git rebase --abort) first");
	}
}

/* --- commits --- */

/* Append `s` without leading line breaks and trailing white space, each
 * control character made a space (`keep_lines`: but the line feeds); false
 * when nothing is left. A subject must stay one line: a line break in it
 * would start the body, or a paragraph git reads as trailers. */
static bool add_trimmed(strbuf *sb, const char *s, bool keep_lines)
{
	size_t n;

	if (!s)
		return false;
	while (*s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && ((unsigned char)s[n - 1] <= ' ' || s[n - 1] == 0x7F))
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r' && i + 1 < n && s[i + 1] == '\n' && keep_lines)
			continue; /* CRLF: the LF ends the line */
		sb_addc(sb, (c < 0x20 || c == 0x7F) && !(keep_lines && c == '\n') ? ' ' : (char)c);
	}
	return n > 0;
}

/* A trailer value stays on its line. */
static void add_trailer(strbuf *sb, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	sb_adds(sb, key);
	sb_adds(sb, ": ");
	for (const char *p = value; *p; p++)
		sb_addc(sb, (unsigned char)*p < 0x20 || *p == 0x7F ? ' ' : *p);
	sb_addc(sb, '\n');
}

static char *build_message(const crmf_commit_opts *o)
{
	strbuf sb = STRBUF_INIT;

	if (!add_trimmed(&sb, o->subject, false))
		sb_adds(&sb, "crmf");
	sb_adds(&sb, "\n");
	if (o->body && o->body[0]) {
		size_t keep = sb.len;

		sb_addc(&sb, '\n');
		if (add_trimmed(&sb, o->body, true))
			sb_addc(&sb, '\n');
		else
			sb.len = keep;
	}
	if ((o->action && o->action[0]) || (o->customer && o->customer[0])) {
		sb_addc(&sb, '\n');
		add_trailer(&sb, "Crmf-Action", o->action);
		add_trailer(&sb, "Crmf-Customer", o->customer);
	}
	return sb_detach(&sb);
}

/* A relative path with no empty, ".", ".." or ".git" component. */
static bool safe_path(const char *p)
{
	if (!*p || *p == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    (n == 4 && strncasecmp(p, ".git", 4) == 0))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false;
	}
	return true;
}

/* What to do once a held lock is removed: before anything was written, the command again;
 * after the file was saved, commit it. */
#define THEN_AGAIN "run the command again; nothing changed"
#define THEN_COMMIT "run 'crmf commit'"

static int index_lock_error(const repo_ctx *c, const char *then)
{
	char *shown = gitdir_file(c, "index.lock", true);

	crmf_error_set("index.lock is held by another git process ('%s'); when no git is running, "
		       "remove it, then %s",
		       shown, then);
	free(shown);
	return -1;
}

static const char *short_branch(const char *ref)
{
	return strncmp(ref, "refs/heads/", 11) == 0 ? ref + 11 : ref;
}

/*
 * Git takes HEAD.lock and the branch's lock (refs/heads/<name>.lock, in the
 * common git directory of linked worktrees) to commit, and refuses while
 * another process holds one ("unable to create '.git/HEAD.lock': File
 * exists"). libgit2 writes the branch without looking at HEAD.lock, so both
 * are looked for here, before anything is written, as index.lock is.
 */
static int ref_locks_held(const repo_ctx *c, const char *branch, const char *then)
{
	char *path, *shown = NULL;
	const char *rel;
	struct stat st;
	int rc = 0;

	path = xasprintf("%sHEAD.lock", git_repository_path(c->repo));
	if (lstat(path, &st) == 0) {
		rel = path_below(path, c->root);
		crmf_error_set("HEAD.lock is held by another git process ('%s'); when no git is "
			       "running, remove it, then %s",
			       rel && *rel ? rel : path, then);
		rc = -1;
	}
	free(path);
	if (rc < 0 || strcmp(branch, "HEAD") == 0)
		return rc;
	path = xasprintf("%s%s.lock", git_repository_commondir(c->repo), branch);
	if (lstat(path, &st) == 0) {
		rel = path_below(path, c->root);
		shown = xstrdup(rel && *rel ? rel : path);
		crmf_error_set("the branch '%s' is locked by another git process ('%s'); when no "
			       "git is running, remove it, then %s",
			       short_branch(branch), shown, then);
		rc = -1;
	}
	free(shown);
	free(path);
	return rc;
}

/* Where HEAD points: *branch is the branch (or "HEAD" when detached), *parent its commit or NULL.
 */
static int resolve_head(char **branch, git_commit **parent, git_repository *repo)
{
	git_reference *head = NULL;
	git_oid id;
	int e, rc = -1;

	*branch = NULL;
	*parent = NULL;
	if (git_reference_lookup(&head, repo, "HEAD") < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		return -1;
	}
	if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		*branch = xstrdup(git_reference_symbolic_target(head));
		e = git_reference_name_to_id(&id, repo, *branch);
		if (e == GIT_ENOTFOUND) {
			git_error_clear();
			rc = 0; /* unborn: the first commit creates it */
			goto done;
		}
	} else {
		*branch = xstrdup("HEAD");
		e = git_reference_name_to_id(&id, repo, "HEAD");
	}
	if (e < 0 || git_commit_lookup(parent, repo, &id) < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	if (rc < 0) {
		free(*branch);
		*branch = NULL;
	}
	git_reference_free(head);
	return rc;
}

int crmf_commit_preflight(const char *root, const char *author)
{
	crmf_git_need();
	repo_ctx c;
	git_signature *a = NULL, *cm = NULL;
	int rc = -1;

	if (ctx_open(&c, root) < 0)
		return -1;
	if (check_state(c.repo) < 0 || signatures(&a, &cm, c.repo, author) < 0)
		goto done;
	rc = 0;
done:
	git_signature_free(a);
	git_signature_free(cm);
	ctx_close(&c);
	return rc;
}

/* The locks git commit refuses on (index.lock, HEAD.lock, the branch's lock); where HEAD points
 * comes out of the look, as resolve_head gives it. */
static int git_locks_held(const repo_ctx *c, char **branch, git_commit **parent, const char *then)
{
	char *lock = gitdir_file(c, "index.lock", false);
	struct stat st;
	int rc = -1;

	*branch = NULL;
	*parent = NULL;
	if (lstat(lock, &st) == 0)
		index_lock_error(c, then);
	else if (resolve_head(branch, parent, c->repo) == 0 && ref_locks_held(c, *branch, then) == 0)
		rc = 0;
	free(lock);
	return rc;
}

int crmf_commit_check_locks(const char *root)
{
	crmf_git_need();
	repo_ctx c;
	git_commit *parent = NULL;
	char *branch = NULL;
	int rc;

	if (ctx_open(&c, root) < 0)
		return -1;
	rc = git_locks_held(&c, &branch, &parent, THEN_AGAIN);
	free(branch);
	git_commit_free(parent);
	ctx_close(&c);
	return rc;
}


/* Move the branch from `parent` to `id`, refusing when another process moved it meanwhile. */
static int update_branch(const repo_ctx *c, const char *branch, const git_oid *id,
			 const git_commit *parent, const char *message)
{
	git_reference *ref = NULL;
	char *reflog;
	size_t n = strcspn(message, "\n");
	int e;

	reflog = xasprintf("commit%s: %.*s", parent ? "" : " (initial)", (int)n, message);
	if (parent)
		e = git_reference_create_matching(&ref, c->repo, branch, id, 1,
						  git_commit_id(parent), reflog);
	else
		e = git_reference_create(&ref, c->repo, branch, id, 0, reflog);
	free(reflog);
	git_reference_free(ref);
	if (e == 0)
		return 0;
	if (e == GIT_EMODIFIED || e == GIT_EEXISTS)
		crmf_error_set("'%s' was moved by another git command during the commit; the "
			       "change is staged: run 'crmf commit'",
			       short_branch(branch));
	else if (e == GIT_ELOCKED)
		crmf_error_set("'%s' is locked by another git process; when no git is running, "
			       "remove '%s%s.lock', then run 'crmf commit'",
			       short_branch(branch), git_repository_path(c->repo), branch);
	else
		crmf_error_set("cannot update '%s': %s", short_branch(branch), crmf_git_msg());
	return -1;
}

static int cmp_update(const void *a, const void *b)
{
	return strcmp(((const git_tree_update *)a)->path, ((const git_tree_update *)b)->path);
}

/* core.filemode: whether the execute bit of a file is its mode in git (true unless set). */
static bool trust_filemode(git_repository *repo)
{
	git_config *cfg = NULL;
	int v = 1;

	if (git_repository_config_snapshot(&cfg, repo) < 0 ||
	    git_config_get_bool(&v, cfg, "core.filemode") < 0)
		v = 1;
	git_error_clear();
	git_config_free(cfg);
	return v != 0;
}

/*
 * The fast path of crmf_commit_paths (see gitindex.h), for paths that are
 * all regular files already in the index: index.lock is taken, the stat data
 * of each path read into sts (before it is hashed, as git does), and the
 * repository given a stand-in index holding only the index's .gitattributes,
 * which is all that hashing reads from it: libgit2 would otherwise load the
 * whole index to look up attributes. 1 with *ix, 0 when it does not apply
 * (nothing held), -1 on error.
 */
static int fast_open(crmf_gitindex **ix, struct stat *sts, const repo_ctx *c, char **gpaths,
		     const crmf_commit_path *paths, size_t n)
{
	const crmf_gitindex_attr *attrs;
	git_index *standin = NULL;
	size_t na;
	int e;

	*ix = NULL;
	for (size_t i = 0; i < n; i++)
		if (paths[i].removed)
			return 0;
	e = crmf_gitindex_open(ix, git_repository_path(c->repo), (const char *const *)gpaths, n);
	if (e == CRMF_GITINDEX_LOCKED)
		return index_lock_error(c, THEN_COMMIT);
	if (e != CRMF_GITINDEX_OK)
		return e < 0 ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		char *fs = xasprintf("%s/%s", c->root, paths[i].path);

		e = lstat(fs, &sts[i]);
		free(fs);
		/* libgit2 says what is wrong, or records a link */
		if (e != 0 || !S_ISREG(sts[i].st_mode))
			goto fallback;
	}
	if (git_index_new(&standin) < 0)
		goto fallback;
	na = crmf_gitindex_attributes(*ix, &attrs);
	for (size_t i = 0; i < na; i++) {
		git_index_entry ent;

		memset(&ent, 0, sizeof(ent));
		ent.path = attrs[i].path;
		ent.mode = attrs[i].mode;
		git_oid_fromraw(&ent.id, attrs[i].oid);
		if (git_index_add(standin, &ent) < 0)
			goto fallback;
	}
	if (git_repository_set_index(c->repo, standin) < 0)
		goto fallback;
	git_index_free(standin);
	return 1;
fallback:
	git_error_clear();
	git_index_free(standin);
	crmf_gitindex_free(*ix);
	*ix = NULL;
	return 0;
}

/* The index written by whichever path read it. */
static int write_index(const repo_ctx *c, git_index *index, crmf_gitindex *ix, const char *lock)
{
	struct stat st;

	if (ix)
		return crmf_gitindex_write(ix);
	if (git_index_write(index) < 0) {
		if (lstat(lock, &st) == 0)
			index_lock_error(c, THEN_COMMIT);
		else
			crmf_error_set("cannot write the git index: %s", crmf_git_msg());
		return -1;
	}
	return 0;
}

/* Bytes as in the work tree made a blob as git add would: through the clean filters of `gpath`. */
static int blob_from_buffer(git_oid *out, git_repository *repo, const char *gpath, const char *data,
			    size_t len)
{
	git_filter_list *fl = NULL;
	git_buf buf = GIT_BUF_INIT;
	int e = git_filter_list_load(&fl, repo, NULL, gpath, GIT_FILTER_TO_ODB, GIT_FILTER_DEFAULT);

	if (e == 0 && fl) {
		e = git_filter_list_apply_to_buffer(&buf, fl, data, len);
		data = buf.ptr;
		len = buf.size;
	}
	if (e == 0)
		e = git_blob_create_from_buffer(out, repo, data, len);
	git_buf_dispose(&buf);
	git_filter_list_free(fl);
	return e;
}

/* Path i as content[i] says: its blob into the tree update, the staged one into the index. */
static int stage_content(git_tree_update *up, git_index *index, git_repository *repo,
			 const git_tree *base, const char *gpath, const char *path,
			 const crmf_commit_content *ct)
{
	git_tree_entry *te = NULL;
	git_index_entry ent;
	git_oid staged;

	up->filemode = GIT_FILEMODE_BLOB;
	if (base && git_tree_entry_bypath(&te, base, gpath) == 0 &&
	    git_tree_entry_filemode(te) == GIT_FILEMODE_BLOB_EXECUTABLE)
		up->filemode = GIT_FILEMODE_BLOB_EXECUTABLE;
	git_tree_entry_free(te);
	git_error_clear();
	if (blob_from_buffer(&up->id, repo, gpath, ct->data, ct->len) < 0 ||
	    (ct->staged ? blob_from_buffer(&staged, repo, gpath, ct->staged, ct->staged_len)
			: (git_oid_cpy(&staged, &up->id), 0)) < 0) {
		crmf_error_set("cannot stage '%s': %s", path, crmf_git_msg());
		return -1;
	}
	/* no stat data: git and libgit2 compare the file's contents with the entry */
	memset(&ent, 0, sizeof(ent));
	ent.path = gpath;
	ent.mode = (uint32_t)up->filemode;
	git_oid_cpy(&ent.id, &staged);
	if (git_index_add(index, &ent) < 0) {
		crmf_error_set("cannot stage '%s': %s", path, crmf_git_msg());
		return -1;
	}
	up->action = GIT_TREE_UPDATE_UPSERT;
	up->path = gpath;
	return 0;
}

int crmf_commit_paths(char *oid_out, const char *root, const crmf_commit_path *paths, size_t n,
		      const crmf_commit_opts *opts)
{
	return crmf_commit_paths_as(oid_out, root, paths, NULL, n, opts);
}

int crmf_commit_paths_as(char *oid_out, const char *root, const crmf_commit_path *paths,
			 const crmf_commit_content *content, size_t n, const crmf_commit_opts *opts)
{
	crmf_git_need();
	static const crmf_commit_opts none = {NULL, NULL, NULL, NULL, NULL};
	repo_ctx c;
	git_signature *author = NULL, *committer = NULL;
	git_commit *parent = NULL;
	git_tree *base = NULL, *tree = NULL;
	git_index *index = NULL;
	crmf_gitindex *ix = NULL;
	struct stat *sts = NULL;
	git_tree_update *up = NULL;
	char **gpaths = NULL, *branch = NULL, *msg = NULL, *lock = NULL;
	git_oid tree_id, commit_id;
	size_t nup = 0;
	struct stat st;
	bool filemode = true, has_content = false;
	int rc = -1;

	if (oid_out)
		oid_out[0] = '\0';
	if (!opts)
		opts = &none;
	if (ctx_open(&c, root) < 0)
		return -1;
	gpaths = xcalloc(n ? n : 1, sizeof(*gpaths));
	for (size_t i = 0; i < n; i++) {
		if (!paths[i].path || !safe_path(paths[i].path)) {
			crmf_error_set("cannot commit '%s': not a path inside the repository",
				       paths[i].path ? paths[i].path : "");
			goto done;
		}
		gpaths[i] = xasprintf("%s%s", c.prefix, paths[i].path);
	}
	if (check_state(c.repo) < 0 || signatures(&author, &committer, c.repo, opts->author) < 0)
		goto done;
	/* a held lock refuses before anything is written */
	if (git_locks_held(&c, &branch, &parent, THEN_COMMIT) < 0)
		goto done;
	lock = gitdir_file(&c, "index.lock", false);
	if (parent && git_commit_tree(&base, parent) < 0) {
		crmf_error_set("cannot read the tree of HEAD: %s", crmf_git_msg());
		goto done;
	}
	sts = xcalloc(n ? n : 1, sizeof(*sts));
	for (size_t i = 0; content && i < n; i++)
		if (content[i].data && !paths[i].removed)
			has_content = true;
	if (!has_content && fast_open(&ix, sts, &c, gpaths, paths, n) < 0)
		goto done;
	if (ix)
		filemode = trust_filemode(c.repo);
	else if (git_repository_index(&index, c.repo) < 0) {
		crmf_error_set("cannot read the git index: %s", crmf_git_msg());
		goto done;
	}
	up = xcalloc(n ? n : 1, sizeof(*up));
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t k = 0; k < i && !dup; k++)
			dup = strcmp(gpaths[k], gpaths[i]) == 0;
		if (dup)
			continue;
		if (paths[i].removed) {
			git_tree_entry *te = NULL;

			if (git_index_remove_bypath(index, gpaths[i]) < 0) {
				crmf_error_set("cannot unstage '%s': %s", paths[i].path, crmf_git_msg());
				goto done;
			}
			/* removing what HEAD lacks would be an error to libgit2 */
			if (base && git_tree_entry_bypath(&te, base, gpaths[i]) == 0) {
				up[nup].action = GIT_TREE_UPDATE_REMOVE;
				up[nup].path = gpaths[i];
				nup++;
			}
			git_tree_entry_free(te);
			git_error_clear();
		} else if (content && content[i].data) {
			if (stage_content(&up[nup], index, c.repo, base, gpaths[i], paths[i].path,
					  &content[i]) < 0)
				goto done;
			nup++;
		} else if (ix) {
			/* as git add would: through the filters, the stat data taken before */
			if (git_blob_create_from_workdir(&up[nup].id, c.repo, gpaths[i]) < 0) {
				crmf_error_set("cannot stage '%s': %s", paths[i].path, crmf_git_msg());
				goto done;
			}
			up[nup].action = GIT_TREE_UPDATE_UPSERT;
			up[nup].filemode = (git_filemode_t)crmf_gitindex_set(ix, i, up[nup].id.id,
									     &sts[i], filemode);
			up[nup].path = gpaths[i];
			nup++;
		} else {
			char *fs = xasprintf("%s/%s", c.root, paths[i].path);
			const git_index_entry *ent;
			int e = lstat(fs, &st);

			free(fs);
			if (e != 0) {
				crmf_error_set("cannot commit '%s': %s", paths[i].path,
					       errtext(errno));
				goto done;
			}
			/* hashes the file through git's filters and records its stat data, so
			 * that git status finds it clean */
			if (git_index_add_bypath(index, gpaths[i]) < 0 ||
			    !(ent = git_index_get_bypath(index, gpaths[i], 0))) {
				crmf_error_set("cannot stage '%s': %s", paths[i].path, crmf_git_msg());
				goto done;
			}
			up[nup].action = GIT_TREE_UPDATE_UPSERT;
			git_oid_cpy(&up[nup].id, &ent->id);
			up[nup].filemode = (git_filemode_t)ent->mode;
			up[nup].path = gpaths[i];
			nup++;
		}
	}
	qsort(up, nup, sizeof(*up), cmp_update);
	if (git_tree_create_updated(&tree_id, c.repo, base, nup, up) < 0 ||
	    git_tree_lookup(&tree, c.repo, &tree_id) < 0) {
		crmf_error_set("cannot build the tree to commit: %s", crmf_git_msg());
		goto done;
	}
	if (base ? git_oid_equal(&tree_id, git_tree_id(base)) : git_tree_entrycount(tree) == 0) {
		/* already committed as they are: refresh the index, make no empty commit */
		if (write_index(&c, index, ix, lock) < 0)
			goto done;
		rc = 0;
		goto done;
	}
	msg = build_message(opts);
	if (git_commit_create(&commit_id, c.repo, NULL, author, committer, NULL, msg, tree,
			      parent ? 1 : 0, (const git_commit **)&parent) < 0) {
		crmf_error_set("cannot create the commit: %s", crmf_git_msg());
		goto done;
	}
	/*
	 * The index before the branch: should the branch update fail, the files
	 * are staged (as after git add) rather than committed and then shown as
	 * reverted in the index.
	 */
	if (write_index(&c, index, ix, lock) < 0)
		goto done;
	git_repository_set_ident(c.repo, committer->name, committer->email);
	if (update_branch(&c, branch, &commit_id, parent, msg) < 0)
		goto done;
	if (oid_out)
		git_oid_tostr(oid_out, GIT_OID_HEXSZ + 1, &commit_id);
	rc = 0;
done:
	if (gpaths)
		for (size_t i = 0; i < n; i++)
			free(gpaths[i]);
	free(gpaths);
	free(up);
	free(sts);
	free(msg);
	free(lock);
	free(branch);
	crmf_gitindex_free(ix);
	git_index_free(index);
	git_tree_free(tree);
	git_tree_free(base);
	git_commit_free(parent);
	git_signature_free(author);
	git_signature_free(committer);
	ctx_close(&c);
	return rc;
}

/* --- status --- */

static bool is_yaml_name(const char *name, size_t len)
{
	return (len > 5 && memcmp(name + len - 5, ".yaml", 5) == 0) ||
	       (len > 4 && memcmp(name + len - 4, ".yml", 4) == 0);
}

/* A customer file as crmf_store_list sees them: YAML under customers/ or archive/, nothing hidden.
 */
static bool is_customer_path(const char *rel)
{
	const char *p;
	size_t len = strlen(rel);

	if (strncmp(rel, "customers/", 10) == 0)
		p = rel + 10;
	else if (strncmp(rel, "archive/", 8) == 0)
		p = rel + 8;
	else
		return false;
	if (!is_yaml_name(rel, len))
		return false;
	for (; *p; p += strcspn(p, "/"), p += *p == '/') {
		if (*p == '.' || *p == '/')
			return false;
	}
	return true;
}

bool crmf_is_customer_path(const char *rel)
{
	return is_customer_path(rel);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

typedef struct changed_list {
	crmf_changed *v;
	size_t n, cap;
} changed_list;

static void changed_add(changed_list *l, const char *path, int status)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].path = xstrdup(path);
	l->v[l->n].old_path = NULL;
	l->v[l->n].status = status;
	l->n++;
}

static int cmp_changed(const void *a, const void *b)
{
	return strcmp(((const crmf_changed *)a)->path, ((const crmf_changed *)b)->path);
}

typedef struct by_base {
	const char *base;
	size_t i;
} by_base;

static int cmp_base(const void *a, const void *b)
{
	const by_base *x = a, *y = b;
	int d = strcmp(x->base, y->base);

	return d ? d : (x->i > y->i) - (x->i < y->i);
}

/*
 * A deleted and an added file with the same name are one customer moved (the
 * file name is the id): pair them into a rename. Content similarity, git's
 * way, would pair two customers made from one template.
 */
static void pair_moves(changed_list *l)
{
	by_base *del = xmalloc((l->n ? l->n : 1) * sizeof(*del));
	size_t nd = 0, out = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].status == 'D') {
			del[nd].base = base_name(l->v[i].path);
			del[nd++].i = i;
		}
	qsort(del, nd, sizeof(*del), cmp_base);
	for (size_t i = 0; i < l->n; i++) {
		crmf_changed *a = &l->v[i];
		const char *name;
		size_t lo = 0, hi = nd;

		if (a->status != 'A')
			continue;
		name = base_name(a->path);
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (strcmp(del[mid].base, name) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < nd && strcmp(del[lo].base, name) == 0; lo++) {
			crmf_changed *d = &l->v[del[lo].i];

			if (d->status != 'D')
				continue;
			a->status = 'R';
			a->old_path = d->path;
			d->path = NULL;
			d->status = 0; /* consumed */
			break;
		}
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].status != 0)
			l->v[out++] = l->v[i];
	l->n = out;
	free(del);
}

int crmf_status_customers(crmf_changed **out, size_t *n, const char *root)
{
	crmf_git_need();
	repo_ctx c;
	git_status_options so;
	git_status_list *list = NULL;
	changed_list l = {NULL, 0, 0};
	char *specs[2] = {NULL, NULL};
	size_t plen;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (ctx_open(&c, root) < 0)
		return -1;
	plen = strlen(c.prefix);
	git_status_options_init(&so, GIT_STATUS_OPTIONS_VERSION);
	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		   GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	specs[0] = xasprintf("%scustomers", c.prefix);
	specs[1] = xasprintf("%sarchive", c.prefix);
	so.pathspec.strings = specs;
	so.pathspec.count = 2;
	if (git_status_list_new(&list, c.repo, &so) < 0) {
		crmf_error_set("cannot read the git status: %s", crmf_git_msg());
		goto done;
	}
	for (size_t i = 0, m = git_status_list_entrycount(list); i < m; i++) {
		const git_status_entry *s = git_status_byindex(list, i);
		const git_diff_delta *h = s->head_to_index, *w = s->index_to_workdir;
		const char *path = w ? w->new_file.path : h ? h->new_file.path : NULL;
		bool in_head, in_work;

		if (!path || strncmp(path, c.prefix, plen) != 0 || !is_customer_path(path + plen))
			continue;
		/* HEAD against the work tree, whatever the index says in between */
		in_head =
		    h ? h->status != GIT_DELTA_ADDED : (w && w->status != GIT_DELTA_UNTRACKED);
		in_work =
		    w ? w->status != GIT_DELTA_DELETED : (h && h->status != GIT_DELTA_DELETED);
		if (in_head && in_work)
			changed_add(&l, path + plen, 'M');
		else if (in_head)
			changed_add(&l, path + plen, 'D');
		else if (in_work)
			changed_add(&l, path + plen, 'A');
	}
	pair_moves(&l);
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_changed);
	if (!l.v)
		l.v = xmalloc(sizeof(*l.v));
	*out = l.v;
	*n = l.n;
	l.v = NULL;
	rc = 0;
done:
	crmf_changed_free(l.v, l.n);
	free(specs[0]);
	free(specs[1]);
	git_status_list_free(list);
	ctx_close(&c);
	return rc;
}

void crmf_changed_free(crmf_changed *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].old_path);
	}
	free(v);
}

/* --- reading HEAD and the index --- */

/* The blob as git checkout would write it at `gpath` (through the smudge filters), malloc'ed
 * and NUL-terminated; 0, or -1 with the libgit2 error. */
static int smudged_copy(char **out, size_t *len, git_repository *repo, git_blob *b,
			const char *gpath)
{
	git_buf f = GIT_BUF_INIT;

	*out = NULL;
	*len = 0;
	if (crmf_gitfilter_smudge(&f, repo, b, gpath) < 0) {
		git_buf_dispose(&f);
		return -1;
	}
	*out = xmalloc(f.size + 1);
	memcpy(*out, f.ptr, f.size);
	(*out)[f.size] = '\0';
	*len = f.size;
	git_buf_dispose(&f);
	return 0;
}

int crmf_read_head(char **out, size_t *len, const char *root, const char *path)
{
	crmf_git_need();
	repo_ctx c;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	char *gp = NULL;
	int e, rc = -1;

	*out = NULL;
	*len = 0;
	if (ctx_open(&c, root) < 0)
		return -1;
	e = git_repository_head(&head, c.repo);
	if (e == GIT_EUNBORNBRANCH || e == GIT_ENOTFOUND) {
		git_error_clear();
		rc = 1;
		goto done;
	}
	if (e < 0 || git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		goto done;
	}
	gp = xasprintf("%s%s", c.prefix, path);
	e = git_tree_entry_bypath(&te, tree, gp);
	if (e == GIT_ENOTFOUND || (e == 0 && git_tree_entry_type(te) != GIT_OBJECT_BLOB)) {
		git_error_clear();
		rc = 1;
		goto done;
	}
	if (e < 0 || git_blob_lookup(&blob, c.repo, git_tree_entry_id(te)) < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	/* compared with the work tree: as git checkout would write it */
	if (smudged_copy(out, len, c.repo, blob, gp) < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	free(gp);
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	ctx_close(&c);
	return rc;
}

/* A whole regular file (a link is read through: it was committed as a link, see above). */
static int read_whole(char **out, size_t *len, const char *fspath)
{
	strbuf sb = STRBUF_INIT;
	char chunk[65536];
	int fd = open(fspath, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			close(fd);
			sb_release(&sb);
			errno = err;
			return -1;
		}
		sb_add(&sb, chunk, (size_t)r);
	}
	close(fd);
	*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

/* A blob as git checks it out at `gpath`: through the smudge filters, NUL-terminated. */
static int blob_checkout(char **out, size_t *len, git_repository *repo, const git_oid *id,
			 const char *gpath)
{
	git_blob_filter_options fo;
	git_blob *blob = NULL;
	git_buf buf = GIT_BUF_INIT;
	int e = git_blob_lookup(&blob, repo, id);

	memset(&fo, 0, sizeof(fo));
	fo.version = GIT_BLOB_FILTER_OPTIONS_VERSION;
	fo.flags = GIT_BLOB_FILTER_CHECK_FOR_BINARY;

	if (e == 0)
		e = git_blob_filter(&buf, blob, gpath, &fo);
	if (e == 0) {
		*out = xmalloc(buf.size + 1);
		memcpy(*out, buf.ptr, buf.size);
		(*out)[buf.size] = '\0';
		*len = buf.size;
	}
	git_buf_dispose(&buf);
	git_blob_free(blob);
	return e;
}

/* The stage-0 entry of `gpath` in the index: 0 found, 1 none (in conflict or absent), -1. */
static int index_oid(git_oid *out, git_repository *repo, const char *gpath)
{
	unsigned char raw[GIT_OID_RAWSZ];
	git_index *index = NULL;
	const git_index_entry *ent;
	int rc = 1;

	if (crmf_gitindex_lookup(raw, git_repository_path(repo), gpath) == CRMF_GITINDEX_OK) {
		git_oid_fromraw(out, raw);
		return 0;
	}
	if (git_repository_index(&index, repo) < 0)
		return crmf_error_set("cannot read the git index: %s", crmf_git_msg());
	if (!git_index_get_bypath(index, gpath, 1) && !git_index_get_bypath(index, gpath, 2) &&
	    !git_index_get_bypath(index, gpath, 3) && (ent = git_index_get_bypath(index, gpath, 0))) {
		git_oid_cpy(out, &ent->id);
		rc = 0;
	}
	git_error_clear();
	git_index_free(index);
	return rc;
}

int crmf_read_versions(crmf_versions *out, const char *root, const char *path)
{
	crmf_git_need();
	repo_ctx c;
	git_reference *head = NULL;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	git_oid hid, iid, wid;
	char *gp = NULL, *fs = NULL, *work = NULL;
	size_t wlen = 0;
	bool same;
	int e, rc = -1;

	memset(out, 0, sizeof(*out));
	if (ctx_open(&c, root) < 0)
		return -1;
	gp = xasprintf("%s%s", c.prefix, path);
	e = git_repository_head(&head, c.repo);
	if (e == GIT_EUNBORNBRANCH || e == GIT_ENOTFOUND) {
		git_error_clear();
		out->state = CRMF_FILE_NEW;
		rc = 0;
		goto done;
	}
	if (e < 0 || git_reference_peel((git_object **)&commit, head, GIT_OBJECT_COMMIT) < 0 ||
	    git_commit_tree(&tree, commit) < 0) {
		crmf_error_set("cannot read HEAD: %s", crmf_git_msg());
		goto done;
	}
	e = git_tree_entry_bypath(&te, tree, gp);
	if (e == GIT_ENOTFOUND || (e == 0 && git_tree_entry_type(te) != GIT_OBJECT_BLOB)) {
		git_error_clear();
		out->state = CRMF_FILE_NEW;
		rc = 0;
		goto done;
	}
	if (e < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	if (git_tree_entry_filemode(te) == GIT_FILEMODE_LINK) {
		out->state = CRMF_FILE_CLEAN;
		rc = 0;
		goto done;
	}
	git_oid_cpy(&hid, git_tree_entry_id(te));
	e = index_oid(&iid, c.repo, gp);
	if (e < 0)
		goto done;
	if (e == 1) {
		out->state = CRMF_FILE_UNMERGED;
		rc = 0;
		goto done;
	}
	fs = xasprintf("%s/%s", c.root, path);
	if (read_whole(&work, &wlen, fs) != 0) {
		crmf_error_set("cannot read '%s': %s", path, errtext(errno));
		goto done;
	}
	if (git_blob_lookup(&blob, c.repo, &hid) < 0) {
		crmf_error_set("cannot read '%s' in HEAD: %s", path, crmf_git_msg());
		goto done;
	}
	/* the bytes alike: clean without a filter; else as git add would hash the file */
	same = (size_t)git_blob_rawsize(blob) == wlen &&
	       memcmp(git_blob_rawcontent(blob), work, wlen) == 0;
	if (!same) {
		if (git_repository_hashfile(&wid, c.repo, gp, GIT_OBJECT_BLOB, NULL) < 0) {
			crmf_error_set("cannot hash '%s': %s", path, crmf_git_msg());
			goto done;
		}
		same = git_oid_equal(&wid, &hid);
	}
	if (same && git_oid_equal(&iid, &hid)) {
		out->state = CRMF_FILE_CLEAN;
		rc = 0;
		goto done;
	}
	out->state = CRMF_FILE_CHANGED;
	if (blob_checkout(&out->head, &out->head_len, c.repo, &hid, gp) < 0 ||
	    (!git_oid_equal(&iid, &hid) &&
	     blob_checkout(&out->staged, &out->staged_len, c.repo, &iid, gp) < 0)) {
		crmf_error_set("cannot read '%s' from git: %s", path, crmf_git_msg());
		goto done;
	}
	rc = 0;
done:
	if (rc < 0)
		crmf_versions_release(out);
	free(work);
	free(fs);
	free(gp);
	git_blob_free(blob);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(commit);
	git_reference_free(head);
	ctx_close(&c);
	return rc;
}

void crmf_versions_release(crmf_versions *v)
{
	if (!v)
		return;
	free(v->head);
	free(v->staged);
	memset(v, 0, sizeof(*v));
}

typedef struct staged_list {
	crmf_staged *v;
	size_t n, cap;
} staged_list;

static int staged_add(staged_list *l, git_repository *repo, const git_index_entry *ent,
		      const char *rel)
{
	git_blob *b = NULL;

	/* a link or a submodule holds no customer */
	if (GIT_INDEX_ENTRY_STAGE(ent) != 0 ||
	    (ent->mode != GIT_FILEMODE_BLOB && ent->mode != GIT_FILEMODE_BLOB_EXECUTABLE))
		return 0;
	if (git_blob_lookup(&b, repo, &ent->id) < 0)
		return crmf_error_set("cannot read the staged '%s': %s", rel, crmf_git_msg());
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	/* what the commit will hold, in the form the work tree has it (smudged) */
	if (smudged_copy(&l->v[l->n].data, &l->v[l->n].len, repo, b, ent->path) < 0) {
		crmf_error_set("cannot read the staged '%s': %s", rel, crmf_git_msg());
		git_blob_free(b);
		return -1;
	}
	l->v[l->n].path = xstrdup(rel);
	l->n++;
	git_blob_free(b);
	return 0;
}

static int cmp_staged(const void *a, const void *b)
{
	return strcmp(((const crmf_staged *)a)->path, ((const crmf_staged *)b)->path);
}

/*
 * The index a pre-commit hook must check: git hands `git commit -a` and
 * `git commit PATH` hooks a temporary one in GIT_INDEX_FILE. Hooks run at the
 * top of the work tree, where a relative GIT_INDEX_FILE starts, while crmf
 * -C may have moved elsewhere: it is resolved from the work tree.
 */
static int open_staged_index(git_index **out, git_repository *repo)
{
	const char *env = getenv("GIT_INDEX_FILE");
	char *path;
	int e;

	if (!env || !*env) {
		if (git_repository_index(out, repo) < 0)
			return crmf_error_set("cannot read the git index: %s", crmf_git_msg());
		return 0;
	}
	path = env[0] == '/' ? xstrdup(env) : xasprintf("%s%s", git_repository_workdir(repo), env);
	e = git_index_open(out, path);
	if (e < 0)
		crmf_error_set("cannot read the git index '%s' (GIT_INDEX_FILE): %s", path,
			       crmf_git_msg());
	free(path);
	return e < 0 ? -1 : 0;
}

int crmf_read_staged(crmf_staged **out, size_t *n, const char *root)
{
	crmf_git_need();
	static const char *const tops[] = {"archive/", "customers/"};
	repo_ctx c;
	git_index *index = NULL;
	staged_list l = {NULL, 0, 0};
	const git_index_entry *ent;
	char *p = NULL;
	size_t plen;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (ctx_open(&c, root) < 0)
		return -1;
	plen = strlen(c.prefix);
	if (open_staged_index(&index, c.repo) < 0)
		goto done;
	p = xasprintf("%scrmf.yaml", c.prefix);
	if ((ent = git_index_get_bypath(index, p, 0)) &&
	    staged_add(&l, c.repo, ent, "crmf.yaml") < 0)
		goto done;
	for (size_t t = 0; t < 2; t++) {
		size_t pos, len;

		free(p);
		p = xasprintf("%s%s", c.prefix, tops[t]);
		len = strlen(p);
		/* the index is sorted: the folder's entries are one run */
		if (git_index_find_prefix(&pos, index, p) < 0) {
			git_error_clear();
			continue;
		}
		for (; (ent = git_index_get_byindex(index, pos)); pos++) {
			if (strncmp(ent->path, p, len) != 0)
				break;
			if (is_customer_path(ent->path + plen) &&
			    staged_add(&l, c.repo, ent, ent->path + plen) < 0)
				goto done;
		}
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), cmp_staged);
	if (!l.v)
		l.v = xmalloc(sizeof(*l.v));
	*out = l.v;
	*n = l.n;
	l.v = NULL;
	rc = 0;
done:
	crmf_staged_free(l.v, l.n);
	free(p);
	git_index_free(index);
	ctx_close(&c);
	return rc;
}

void crmf_staged_free(crmf_staged *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].data);
	}
	free(v);
}

/* --- the hooks folder --- */

/* `p` without "." and empty components, and with "x/.." folded: git resolves core.hooksPath
 * that way (and through links, which realpath does when the folder exists). */
static void clean_path(char *p)
{
	char *out = p + 1, *in = p + 1;

	for (bool last = !*in; !last;) {
		size_t n = strcspn(in, "/");

		/* the copy may write its '/' over the terminator */
		last = in[n] == '\0';
		if (n == 0 || (n == 1 && in[0] == '.')) {
			/* skipped */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			if (out > p + 1) {
				out--;
				while (out > p + 1 && out[-1] != '/')
					out--;
			}
		} else {
			memmove(out, in, n);
			out += n;
			*out++ = '/';
		}
		in += n + 1;
	}
	if (out > p + 1)
		out--;
	*out = '\0';
}

int crmf_hooks_dir(char **hooks, char **prefix, const char *root)
{
	crmf_git_need();
	repo_ctx c;
	git_config *cfg = NULL;
	git_buf b = GIT_BUF_INIT;
	char *dir = NULL, *real;
	int e, rc = -1;

	*hooks = *prefix = NULL;
	if (ctx_open(&c, root) < 0)
		return -1;
	/* libgit2 1.5 answers <common git dir>/hooks/ whatever core.hooksPath says: read it here */
	if (git_repository_config_snapshot(&cfg, c.repo) < 0) {
		crmf_error_set("cannot read the git config: %s", crmf_git_msg());
		goto done;
	}
	e = git_config_get_path(&b, cfg, "core.hooksPath"); /* expands "~/" */
	if (e == 0 && !b.ptr[0]) {
		crmf_error_set("core.hooksPath is set but empty: name a folder or unset it (git "
			       "config --unset core.hooksPath)");
		goto done;
	} else if (e == 0) {
		/* a relative path starts where git runs hooks: the top of the work tree */
		dir = b.ptr[0] == '/' ? xstrdup(b.ptr)
				      : xasprintf("%s/%s", git_repository_workdir(c.repo), b.ptr);
	} else if (e != GIT_ENOTFOUND) {
		crmf_error_set("cannot read core.hooksPath: %s", crmf_git_msg());
		goto done;
	} else {
		git_error_clear();
		git_buf_dispose(&b);
		if (git_repository_item_path(&b, c.repo, GIT_REPOSITORY_ITEM_HOOKS) < 0) {
			crmf_error_set("cannot find the git hooks folder: %s", crmf_git_msg());
			goto done;
		}
		dir = xstrdup(b.ptr);
	}
	if (dir[0] == '/')
		clean_path(dir);
	if ((real = realpath(dir, NULL))) {
		free(dir);
		dir = real;
	}
	*hooks = dir;
	*prefix = xstrndup(c.prefix, *c.prefix ? strlen(c.prefix) - 1 : 0);
	rc = 0;
done:
	git_buf_dispose(&b);
	git_config_free(cfg);
	ctx_close(&c);
	return rc;
}

/* --- history: where the customer is in each commit --- */

/* What a search of one tree found, remembered by the tree's id. */
typedef struct memo_slot {
	git_oid tree;
	bool used, found;
	git_oid blob;
	char *path; /* below that tree */
} memo_slot;

typedef struct hist {
	repo_ctx *c;
	char *names[2]; /* "<id>.yaml", "<id>.yml" */
	memo_slot *slots;
	size_t cap, used;
} hist;

/* The customer in one commit. */
typedef struct located {
	bool found;
	git_oid blob;
	char *path; /* relative to the crmf root */
} located;

static size_t oid_hash(const git_oid *id)
{
	size_t h;

	memcpy(&h, id->id, sizeof(h));
	return h;
}

static memo_slot *memo_find(hist *h, const git_oid *id)
{
	size_t mask = h->cap - 1, i = oid_hash(id) & mask;

	while (h->slots[i].used && !git_oid_equal(&h->slots[i].tree, id))
		i = (i + 1) & mask;
	return &h->slots[i];
}

static void memo_grow(hist *h)
{
	memo_slot *old = h->slots;
	size_t ocap = h->cap;

	h->cap = ocap ? ocap * 2 : 1024;
	h->slots = xcalloc(h->cap, sizeof(*h->slots));
	for (size_t i = 0; i < ocap; i++)
		if (old[i].used)
			*memo_find(h, &old[i].tree) = old[i];
	free(old);
}

/*
 * Find the customer's file below the tree `id`, at any depth. Every tree is
 * read at most once over the whole history: commits share most subtrees, so
 * a commit that touched another customer costs a lookup per changed folder.
 */
static int search(const memo_slot **res, hist *h, const git_oid *id)
{
	memo_slot *s = memo_find(h, id);
	git_tree *tree = NULL;
	bool found = false;
	git_oid blob;
	char *path = NULL;

	if (s->used) {
		*res = s;
		return 0;
	}
	if (git_tree_lookup(&tree, h->c->repo, id) < 0)
		return crmf_error_set("cannot read the history: %s", crmf_git_msg());
	for (size_t k = 0; k < 2 && !found; k++) {
		const git_tree_entry *e = git_tree_entry_byname(tree, h->names[k]);

		if (e && git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
			found = true;
			git_oid_cpy(&blob, git_tree_entry_id(e));
			path = xstrdup(h->names[k]);
		}
	}
	for (size_t i = 0, m = git_tree_entrycount(tree); i < m && !found; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const memo_slot *sub;

		if (git_tree_entry_type(e) != GIT_OBJECT_TREE || git_tree_entry_name(e)[0] == '.')
			continue;
		if (search(&sub, h, git_tree_entry_id(e)) < 0) {
			git_tree_free(tree);
			return -1;
		}
		if (sub->found) {
			found = true;
			git_oid_cpy(&blob, &sub->blob);
			path = xasprintf("%s/%s", git_tree_entry_name(e), sub->path);
		}
	}
	git_tree_free(tree);
	if ((h->used + 1) * 2 > h->cap)
		memo_grow(h);
	s = memo_find(h, id); /* the recursion may have moved the table */
	s->used = true;
	git_oid_cpy(&s->tree, id);
	s->found = found;
	if (found)
		git_oid_cpy(&s->blob, &blob);
	s->path = path;
	h->used++;
	*res = s;
	return 0;
}

static int locate(located *out, hist *h, const git_commit *commit)
{
	static const char *const tops[] = {"customers", "archive"};
	git_tree *root = NULL;
	int rc = 0;

	out->found = false;
	out->path = NULL;
	if (git_commit_tree(&root, commit) < 0)
		return crmf_error_set("cannot read the history: %s", crmf_git_msg());
	for (size_t t = 0; t < 2 && !out->found && rc == 0; t++) {
		char *p = xasprintf("%s%s", h->c->prefix, tops[t]);
		git_tree_entry *te = NULL;
		const memo_slot *s;

		if (git_tree_entry_bypath(&te, root, p) == 0 &&
		    git_tree_entry_type(te) == GIT_OBJECT_TREE) {
			if (search(&s, h, git_tree_entry_id(te)) < 0) {
				rc = -1;
			} else if (s->found) {
				out->found = true;
				git_oid_cpy(&out->blob, &s->blob);
				out->path = xasprintf("%s/%s", tops[t], s->path);
			}
		}
		git_error_clear();
		git_tree_entry_free(te);
		free(p);
	}
	git_tree_free(root);
	return rc;
}

static int locate_parent(located *out, hist *h, const git_commit *commit, unsigned k)
{
	git_commit *p = NULL;
	int rc;

	out->found = false;
	out->path = NULL;
	if (git_commit_parent(&p, commit, k) < 0)
		return crmf_error_set("cannot read the history: %s", crmf_git_msg());
	rc = locate(out, h, p);
	git_commit_free(p);
	return rc;
}

static bool same_place(const located *a, const located *b)
{
	if (a->found != b->found)
		return false;
	return !a->found || (git_oid_equal(&a->blob, &b->blob) && strcmp(a->path, b->path) == 0);
}

/* --- history: what each commit changed --- */

typedef struct lines {
	char **v;
	size_t n, cap;
} lines;

/* Append `s`, which the list now owns. */
static void line_add(lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

/* The bytes of a blob as the work tree would have them at `path` (relative to the crmf
 * root; smudged); one that cannot be read compares as an empty, invalid file. */
static void blob_bytes(git_buf *out, hist *h, const git_oid *id, const char *path)
{
	git_blob *b = NULL;
	char *gp;

	memset(out, 0, sizeof(*out));
	if (git_blob_lookup(&b, h->c->repo, id) < 0) {
		git_error_clear();
		return;
	}
	gp = xasprintf("%s%s", h->c->prefix, path);
	if (crmf_gitfilter_smudge(out, h->c->repo, b, gp) < 0) {
		git_error_clear();
		git_buf_dispose(out);
		memset(out, 0, sizeof(*out));
	}
	free(gp);
	git_blob_free(b);
}

/* The field-level lines between two blobs; `was` NULL for a file created. */
static void blob_changes(lines *l, hist *h, const located *was, const located *now,
			 const char *field)
{
	git_buf a = GIT_BUF_INIT, b = GIT_BUF_INIT;
	crmf_change *v = NULL;
	size_t n = 0;

	if (was)
		blob_bytes(&a, h, &was->blob, was->path);
	blob_bytes(&b, h, &now->blob, now->path);
	crmf_diff_bytes(&v, &n, was ? was->path : NULL, was ? (a.ptr ? a.ptr : "") : NULL, a.size,
			now->path, b.ptr ? b.ptr : "", b.size, field);
	for (size_t i = 0; i < n; i++) {
		line_add(l, v[i].text);
		v[i].text = NULL;
	}
	crmf_diff_free(v, n);
	git_buf_dispose(&a);
	git_buf_dispose(&b);
}

/* The lines of one commit that changed the customer from `was` to `now`; with `field`, only
 * those about it (a move or removal is about no field). */
static void describe(lines *l, hist *h, const located *was, const located *now, const char *field)
{
	if (!was->found) {
		if (!field)
			line_add(l, xstrdup("+ created (new customer)"));
		else /* with a field, creation is where the field got its first value */
			blob_changes(l, h, NULL, now, field);
		return;
	}
	if (!now->found) {
		if (!field)
			line_add(l, xstrdup("- removed from the repository"));
		return;
	}
	if (!field && strcmp(was->path, now->path) != 0)
		line_add(l, xasprintf("moved %s → %s", was->path, now->path));
	if (!git_oid_equal(&was->blob, &now->blob))
		blob_changes(l, h, was, now, field);
}

static bool valid_id(const char *id)
{
	if (!id || !*id || *id == '.')
		return false;
	for (const char *p = id; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20)
			return false;
	return true;
}

typedef struct history_list {
	crmf_history_entry *v;
	size_t n, cap;
} history_list;

/* Keep the commit when it has lines (none are left after a field filter that matched
 * nothing); the entry takes them. */
static void history_add(history_list *hl, const git_commit *commit, const located *was,
			const located *now, lines *l)
{
	const git_signature *sig = git_commit_author(commit);
	const char *sum;
	crmf_history_entry *e;

	if (l->n == 0)
		return;
	if (hl->n == hl->cap) {
		hl->cap = hl->cap ? hl->cap * 2 : 16;
		hl->v = xrealloc(hl->v, hl->cap * sizeof(*hl->v));
	}
	e = &hl->v[hl->n++];
	memset(e, 0, sizeof(*e));
	git_oid_tostr(e->oid, sizeof(e->oid), git_commit_id(commit));
	e->author = xasprintf("%s <%s>", sig->name, sig->email);
	e->time = (long long)git_commit_time(commit);
	e->tz_minutes = git_commit_time_offset(commit);
	sum = git_commit_summary((git_commit *)commit);
	e->subject = xstrdup(sum ? sum : "");
	e->path = xstrdup(now->found ? now->path : was->path);
	e->changes = l->v;
	e->n_changes = l->n;
	memset(l, 0, sizeof(*l));
}

int crmf_history(crmf_history_entry **out, size_t *n, const char *root, const char *id,
		 const char *field)
{
	crmf_git_need();
	repo_ctx c;
	hist h;
	git_revwalk *walk = NULL;
	history_list l = {NULL, 0, 0};
	git_oid oid;
	int e, rc = -1;

	*out = NULL;
	*n = 0;
	if (!valid_id(id))
		return crmf_error_set("invalid customer id '%s'", id ? id : "");
	if (ctx_open(&c, root) < 0)
		return -1;
	memset(&h, 0, sizeof(h));
	h.c = &c;
	h.names[0] = xasprintf("%s.yaml", id);
	h.names[1] = xasprintf("%s.yml", id);
	memo_grow(&h);
	if (git_revwalk_new(&walk, c.repo) < 0 ||
	    git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME) < 0) {
		crmf_error_set("cannot read the history: %s", crmf_git_msg());
		goto done;
	}
	e = git_repository_head_unborn(c.repo);
	if (e == 1) {
		rc = 0; /* no commit yet: no history */
		goto done;
	}
	if (e < 0 || git_revwalk_push_head(walk) < 0) {
		crmf_error_set("cannot read the history: %s", crmf_git_msg());
		goto done;
	}
	while ((e = git_revwalk_next(&oid, walk)) == 0) {
		git_commit *commit = NULL;
		located now = {false, {{0}}, NULL}, was = {false, {{0}}, NULL};
		unsigned np;
		bool same;

		if (git_commit_lookup(&commit, c.repo, &oid) < 0) {
			crmf_error_set("cannot read the history: %s", crmf_git_msg());
			goto done;
		}
		np = git_commit_parentcount(commit);
		if (locate(&now, &h, commit) < 0 ||
		    (np > 0 && locate_parent(&was, &h, commit, 0) < 0))
			goto next_fail;
		same = same_place(&now, &was);
		/* a merge that took the customer from one side unchanged is no change */
		for (unsigned k = 1; k < np && !same; k++) {
			located other = {false, {{0}}, NULL};

			if (locate_parent(&other, &h, commit, k) < 0)
				goto next_fail;
			same = same_place(&now, &other);
			free(other.path);
		}
		if (!same) {
			lines cl = {NULL, 0, 0};

			describe(&cl, &h, &was, &now, field);
			history_add(&l, commit, &was, &now, &cl);
			for (size_t i = 0; i < cl.n; i++)
				free(cl.v[i]);
			free(cl.v);
		}
		free(now.path);
		free(was.path);
		git_commit_free(commit);
		continue;
	next_fail:
		free(now.path);
		free(was.path);
		git_commit_free(commit);
		goto done;
	}
	if (e != GIT_ITEROVER) {
		crmf_error_set("cannot read the history: %s", crmf_git_msg());
		goto done;
	}
	git_error_clear();
	rc = 0;
done:
	if (rc == 0) {
		*out = l.v;
		*n = l.n;
	} else {
		crmf_history_free(l.v, l.n);
	}
	git_revwalk_free(walk);
	for (size_t i = 0; i < h.cap; i++)
		if (h.slots[i].used)
			free(h.slots[i].path);
	free(h.slots);
	free(h.names[0]);
	free(h.names[1]);
	ctx_close(&c);
	return rc;
}

void crmf_history_free(crmf_history_entry *v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		free(v[i].author);
		free(v[i].subject);
		free(v[i].path);
		for (size_t k = 0; k < v[i].n_changes; k++)
			free(v[i].changes[k]);
		free(v[i].changes);
	}
	free(v);
}
