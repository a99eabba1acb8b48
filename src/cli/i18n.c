/* SPDX-License-Identifier: MIT */
/* The language of messages: gettext's domain "crmf", its catalogue found where installed or next to the build. */
#include <ctype.h>
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

/* The catalogue of the locale LC_MESSAGES names, bound; the library told its language. */
static void bind_catalogue(void)
{
	const char *env = getenv("CRMF_LOCALEDIR");
	char lang[32];

	textdomain("crmf");
	bindtextdomain("crmf", env && *env ? env : CRMF_LOCALEDIR);
	bind_textdomain_codeset("crmf", "UTF-8");
	if (catalogue_language(lang, sizeof(lang)) ||
	    (!(env && *env) && bind_beside_program(lang, sizeof(lang))))
		crmf_translate_set(lang);
	else
		cli_i18n_off();
}

void cli_i18n_init(void)
{
	const char *loc;

	/* LC_MESSAGES alone: the catalogues' UTF-8 is written as it is (as every
	 * other text crmf prints), and LC_CTYPE, LC_NUMERIC (JSON's '.'), LC_TIME
	 * and LC_COLLATE stay C, as they were before translations */
	loc = setlocale(LC_MESSAGES, "");
	if (!loc || strcmp(loc, "C") == 0 || strcmp(loc, "POSIX") == 0 ||
	    strncmp(loc, "C.", 2) == 0) {
		cli_i18n_off();
		return;
	}
	bind_catalogue();
}

void cli_i18n_tag(const char *tag)
{
	char ll[8], cc[8], name[32], language[40];
	size_t n = 0, m = 0;

	if (!tag || !*tag) {
		cli_i18n_init();
		return;
	}
	/* "zh-cn", "zh-CN", "zh_CN.UTF-8": language and region */
	while (n + 1 < sizeof(ll) && isalpha((unsigned char)tag[n])) {
		ll[n] = (char)tolower((unsigned char)tag[n]);
		n++;
	}
	ll[n] = '\0';
	if (tag[n] == '-' || tag[n] == '_')
		for (const char *p = tag + n + 1; m + 1 < sizeof(cc) && isalnum((unsigned char)*p); p++)
			cc[m++] = (char)toupper((unsigned char)*p);
	cc[m] = '\0';
	if (n == 0 || strcmp(ll, "en") == 0) {
		cli_i18n_off();
		return;
	}
	/* a Chinese client without a region (or with a script, zh-Hans) reads zh_CN */
	if (strcmp(ll, "zh") == 0 && (m != 2 || strcmp(cc, "HANS") == 0))
		snprintf(cc, sizeof(cc), "CN");
	snprintf(name, sizeof(name), "%s%s%s.UTF-8", ll, *cc ? "_" : "", cc);
	/* gettext takes LANGUAGE over the locale's name; the locale itself may not be
	 * generated on this system, C.UTF-8 then (LANGUAGE is ignored under C alone) */
	snprintf(language, sizeof(language), "%s%s%s:%s", ll, *cc ? "_" : "", cc, ll);
	setenv("LANGUAGE", language, 1);
	if (!setlocale(LC_MESSAGES, name) && !setlocale(LC_MESSAGES, "C.UTF-8")) {
		cli_i18n_off();
		return;
	}
	bind_catalogue();
}

void cli_i18n_off(void)
{
	setlocale(LC_MESSAGES, "C");
	crmf_translate_set(NULL);
}
