/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the unit tests that work in temporary git repositories: formatted paths, shell
 * commands and their output, files and directories under this run's temporary base directory,
 * and the group setup and teardown that make that directory and a HOME with an empty git
 * configuration and a git identity. Header-only: each test file that includes it gets its own
 * copy of the functions and of base and home.
 */
#ifndef CRMF_REPO_HELPERS_H
#define CRMF_REPO_HELPERS_H

#include "unit.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

static char base[4096]; /* realpath of this run's temporary directory */
static char home[4096]; /* HOME and XDG_CONFIG_HOME of this run: base/home */

/* snprintf that fails the test on truncation instead of warning about it at compile time. */
static inline void fmt(char *buf, size_t size, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static inline void fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		fail_msg("path too long");
}

/* A fresh directory under base for one test, its absolute path written to `out` (4096 bytes). */
static inline char *fresh(char *out, const char *name)
{
	fmt(out, 4096, "%s/%s", base, name);
	assert_int_equal(mkdir(out, 0777), 0);
	return out;
}

/* Run a shell command; the test fails unless it exits with 0. */
static inline void sh(const char *f, ...) __attribute__((format(printf, 1, 2)));
static inline void sh(const char *f, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, f);
	vsnprintf(cmd, sizeof(cmd), f, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* Everything a shell command prints, lines joined with '|', no final newline; the
 * buffers take turns, so that two results can be compared. */
static inline char *out(const char *f, ...) __attribute__((format(printf, 1, 2)));
static inline char *out(const char *f, ...)
{
	static char bufs[4][16384];
	static unsigned turn;
	char *buf = bufs[turn++ % 4];
	char cmd[8192];
	va_list ap;
	size_t n;
	FILE *p;

	va_start(ap, f);
	vsnprintf(cmd, sizeof(cmd), f, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, sizeof(bufs[0]) - 1, p);
	pclose(p);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n')
			buf[i] = '|';
	return buf;
}

/* Write `text` to dir/rel, making the directories of rel that are missing. */
static inline void put(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	FILE *f;

	fmt(path, sizeof(path), "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			fail_msg("mkdir '%s': %s", path, strerror(errno));
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Set the git identity of the tests in the environment, or take it away. */
static inline void set_identity(bool on)
{
	if (on) {
		setenv("GIT_AUTHOR_NAME", "Unit Author", 1);
		setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
		setenv("GIT_COMMITTER_NAME", "Unit Committer", 1);
		setenv("GIT_COMMITTER_EMAIL", "committer@example.com", 1);
	} else {
		unsetenv("GIT_AUTHOR_NAME");
		unsetenv("GIT_AUTHOR_EMAIL");
		unsetenv("GIT_COMMITTER_NAME");
		unsetenv("GIT_COMMITTER_EMAIL");
	}
}

/*
 * The setup of a test group: base becomes a new directory /tmp/crmf-test-<group>.XXXXXX, and
 * base/home a HOME with a known, empty git configuration for libgit2 and the git commands
 * alike; the git identity is set, GIT_DIR and GIT_WORK_TREE are unset, and so are the
 * variables named in `unset` (a NULL-terminated list, or NULL); then the library starts.
 */
static inline int repo_setup(const char *group, const char *const *unset)
{
	char tmpl[256];
	char *p;

	fmt(tmpl, sizeof(tmpl), "/tmp/crmf-test-%s.XXXXXX", group);
	if (!mkdtemp(tmpl))
		return -1;
	p = realpath(tmpl, NULL);
	fmt(base, sizeof(base), "%s", p);
	free(p);
	fmt(home, sizeof(home), "%s/home", base);
	mkdir(home, 0777);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	set_identity(true);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	for (; unset && *unset; unset++)
		unsetenv(*unset);
	crmf_lib_init();
	return 0;
}

/* The teardown of a test group made by repo_setup: the library stops, base is removed. */
static inline int repo_teardown(void **state)
{
	char cmd[8192];

	(void)state;
	crmf_lib_shutdown();
	fmt(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
