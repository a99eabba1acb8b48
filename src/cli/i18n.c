/* SPDX-License-Identifier: MIT */
/* The language of messages: gettext's domain "crmf", its catalogue found where installed or next to the build. */
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef CRMF_LOCALEDIR
#define CRMF_LOCALEDIR "/usr/local/share/locale"
#endif

/* The language of the catalogue gettext found ("zh_CN"), from its header;
 * false when there is none for this locale. */
static bool catalogue_language(char *out, size_t size)
{
	static const char header[] = ""; /* gettext's key of the catalogue's header */
	const char *h = gettext(header), *p = strstr(h, "Language: ");
	size_t n;

	if (!*h)
		return false;
	if (!p)
		return snprintf(out, size, "%s", "xx") > 0;
	p += strlen("Language: ");
	n = strcspn(p, "\n");
	snprintf(out, size, "%.*s", (int)n, p);
	return n > 0;
}

/* The catalogues of an uninstalled build: build/locale beside ./crmf, or
 * above build/<cc>/crmf */
static bool bind_beside_program(char *lang, size_t size)
{
	static const char *const rel[] = {"build/locale", "../locale"};
	char exe[PATH_MAX], dir[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", exe, rel[i]);
		if (access(dir, X_OK) != 0)
			continue;
		bindtextdomain("crmf", dir);
		if (catalogue_language(lang, size))
			return true;
	}
	return false;
}

void cli_i18n_init(void)
{
	const char *env = getenv("CRMF_LOCALEDIR");
	const char *loc;
	char lang[32];

	/* LC_MESSAGES alone: the catalogues' UTF-8 is written as it is (as every
	 * other text crmf prints), and LC_CTYPE, LC_NUMERIC (JSON's '.'), LC_TIME
	 * and LC_COLLATE stay C, as they were before translations */
	loc = setlocale(LC_MESSAGES, "");
	if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0 ||
	    strncmp(loc, "C.", 2) == 0) {
		cli_i18n_off();
		return;
	}
	textdomain("crmf");
	bindtextdomain("crmf", env && *env ? env : CRMF_LOCALEDIR);
	bind_textdomain_codeset("crmf", "UTF-8");
	if (catalogue_language(lang, sizeof(lang)) ||
	    (!(env && *env) && bind_beside_program(lang, sizeof(lang))))
		crmf_translate_set(lang);
	else
		cli_i18n_off();
}

void cli_i18n_off(void)
{
	setlocale(LC_MESSAGES, "C");
	crmf_translate_set(NULL);
}
