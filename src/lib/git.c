/* SPDX-License-Identifier: MIT */
/* libgit2 for the rest of libcrmf: its start, opening a repository as git would (ownership, safe.directory), signatures. */
#include "git_private.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "crmf/diag.h"
#include "crmf/store.h"
#include "gitfilter.h"
#include "util.h"

static const char OWNER_FMT[] =
    N_("repository '%s' is owned by another user; git refuses to work in "
       "it: run git config --global --add safe.directory %s if you trust it");

/* libgit2 is started the first time it is needed: check, due and list do not need it. */
static pthread_once_t git_once = PTHREAD_ONCE_INIT;
static atomic_bool git_started;

/*
 * The system's CA certificates, loaded only for a command that talks to a
 * remote (crmf_git_need_tls). Debian's libgit2, built on mbedTLS, parses the
 * whole bundle (/etc/ssl/certs/ca-certificates.crt) in git_libgit2_init: 8 ms
 * at the start of every command, more than a warm check of 1,000 customers.
 * libgit2 is linked in (Makefile), its calls to the two mbedTLS functions that
 * load certificates wrapped (ld --wrap) by the two below: until TLS is wanted
 * they note the location and load nothing; afterwards they call the real
 * ones. A connection made without the certificates fails verification, it
 * is never left unverified (crmf sets no certificate callback).
 */
static atomic_bool tls_wanted;
static pthread_mutex_t ca_lock = PTHREAD_MUTEX_INITIALIZER;
static char *ca_file, *ca_dir; /* the locations noted while TLS was not wanted */

typedef int ca_loader(void *chain, const char *where);

static int load_ca(ca_loader *real, void *chain, const char *where, char **note)
{
	if (!atomic_load(&tls_wanted)) {
		pthread_mutex_lock(&ca_lock);
		free(*note);
		*note = where ? xstrdup(where) : NULL;
		pthread_mutex_unlock(&ca_lock);
		return 0;
	}
	return real(chain, where);
}

/* mbedTLS's own (the chain is an mbedtls_x509_crt) */
int __real_mbedtls_x509_crt_parse_file(void *chain, const char *path);
int __real_mbedtls_x509_crt_parse_path(void *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path);
int __wrap_mbedtls_x509_crt_parse_path(void *chain, const char *path);

int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path)
{
	return load_ca(__real_mbedtls_x509_crt_parse_file, chain, path, &ca_file);
}

int __wrap_mbedtls_x509_crt_parse_path(void *chain, const char *path)
{
	return load_ca(__real_mbedtls_x509_crt_parse_path, chain, path, &ca_dir);
}

bool crmf_git_ca_deferred(void)
{
	bool noted;

	pthread_mutex_lock(&ca_lock);
	noted = ca_file || ca_dir;
	pthread_mutex_unlock(&ca_lock);
	return noted;
}

static void start_git(void)
{
	git_libgit2_init();
	/* libgit2's safe.directory is not git's: crmf_git_open decides as git does */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	crmf_gitfilter_register();
	atomic_store(&git_started, true);
}

void crmf_git_need(void)
{
	pthread_once(&git_once, start_git);
}

void crmf_git_need_tls(void)
{
	char *file, *dir;

	atomic_store(&tls_wanted, true);
	crmf_git_need();
	/* started earlier without them: load what libgit2 asked for then */
	pthread_mutex_lock(&ca_lock);
	file = ca_file;
	dir = ca_dir;
	ca_file = ca_dir = NULL;
	pthread_mutex_unlock(&ca_lock);
	/* failing, as libgit2's own start does: the connection fails verification */
	if ((file || dir) && git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, dir) < 0)
		git_error_clear();
	free(file);
	free(dir);
}

void crmf_lib_init(void)
{
	crmf_git_need();
}

void crmf_lib_shutdown(void)
{
	if (atomic_load(&git_started))
		git_libgit2_shutdown();
}

const char *crmf_git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : crmf_tr("unknown libgit2 error");
}

/* --- opening a repository --- */

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

/* --- signatures --- */

/* "+0800", "+08:00", "-0530" or "Z" at `s`: minutes east of UTC; false when not one. */
static bool parse_tz(const char *s, int *minutes)
{
	int h, m;

	if (s[0] == 'Z' && s[1] == '\0') {
		*minutes = 0;
		return true;
	}
	if ((s[0] != '+' && s[0] != '-') || strlen(s) < 5)
		return false;
	if (sscanf(s + 1, "%2d:%2d", &h, &m) == 2 && strlen(s) == 6)
		;
	else if (sscanf(s + 1, "%2d%2d", &h, &m) == 2 && strlen(s) == 5)
		;
	else
		return false;
	if (h > 14 || m > 59)
		return false;
	*minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	return true;
}

/* A date as git takes it in GIT_AUTHOR_DATE: "@1750041000 +0800" (git's own), or ISO 8601
 * "2025-06-16T10:30:00+08:00" / "2025-06-16 10:30:00 +0800" (seconds and zone optional: local
 * time without a zone). */
static bool parse_git_date(const char *v, git_time_t *when, int *offset)
{
	char *end;
	struct tm tm;
	int n = 0, tz;

	while (*v == ' ')
		v++;
	if (*v == '@' || (*v >= '0' && *v <= '9' && !strchr(v, '-') && !strchr(v, ':'))) {
		long long t = strtoll(v + (*v == '@'), &end, 10);

		while (*end == ' ')
			end++;
		if (end == v + (*v == '@') || (*end && !parse_tz(end, &tz)))
			return false;
		*when = (git_time_t)t;
		*offset = *end ? tz : 0;
		return true;
	}
	memset(&tm, 0, sizeof(tm));
	if (sscanf(v, "%4d-%2d-%2d%*1[T ]%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &n) < 5 || n == 0)
		return false;
	v += n;
	if (*v == ':') {
		int k = 0;

		if (sscanf(v, ":%2d%n", &tm.tm_sec, &k) < 1 || k != 3)
			return false;
		v += k;
	}
	while (*v == ' ')
		v++;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	if (*v) {
		if (!parse_tz(v, &tz))
			return false;
		*when = (git_time_t)timegm(&tm) - (git_time_t)tz * 60;
		*offset = tz;
	} else {
		struct tm local;
		time_t t;

		tm.tm_isdst = -1;
		t = mktime(&tm);
		localtime_r(&t, &local);
		*when = (git_time_t)t;
		*offset = (int)(local.tm_gmtoff / 60);
	}
	return true;
}

int crmf_git_signature(git_signature **out, const char *name, const char *email,
		       const char *date_env)
{
	const char *date = date_env ? getenv(date_env) : NULL;
	git_time_t when;
	int offset, e;

	*out = NULL;
	if (date && *date) {
		if (!parse_git_date(date, &when, &offset))
			return crmf_error_set("invalid %s '%s': give it as '2025-06-16T10:30:00+08:00' "
					      "or '@1750041000 +0800'",
					      date_env, date);
		e = git_signature_new(out, name, email, when, offset);
	} else {
		e = git_signature_now(out, name, email);
	}
	if (e < 0)
		return crmf_error_set("invalid git identity '%s <%s>': %s", name, email,
				      crmf_git_msg());
	return 0;
}
