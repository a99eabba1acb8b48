/* SPDX-License-Identifier: MIT */
/* What the commands share: the repository and the report of a change, arguments, paths, files. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "cli.h"

static void *xrealloc_or_die(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

crmf_repository *cli_repository(void)
{
	crmf_repository *r = NULL;

	if (crmf_repository_open(&r, ".") != 0) {
		cli_error("%s", crmf_error_last());
		return NULL;
	}
	return r;
}

/* the keys of confidential fields, for what this command prints: one per process */
static struct {
	crmf_crypt *c;
	const crmf_config *cfg; /* NULL: nothing is confidential */
	bool redact;
} out_crypt;

void cli_crypt_begin(crmf_repository *r, const crmf_config *cfg, bool redact)
{
	char *why = NULL;
	const char *env = getenv("CRMF_REDACT");

	if (!cfg || !cfg->has_confidential || out_crypt.cfg)
		return;
	out_crypt.cfg = cfg;
	out_crypt.redact = redact || (env && *env && strcmp(env, "0") != 0);
	if (crmf_keys_open(&out_crypt.c, r, NULL, &why) != 0) {
		cli_error("%s; confidential values are masked", why);
		free(why);
	}
	crmf_crypt_set_redact(out_crypt.c, out_crypt.redact);
}

const crmf_crypt *cli_crypt(void)
{
	return out_crypt.c;
}

char *cli_reveal(const char *id, const char *field, const char *v)
{
	if (!out_crypt.cfg || !v)
		return NULL;
	if (out_crypt.redact && crmf_config_confidential(out_crypt.cfg, field))
		return strdup(CRMF_CRYPT_MASK);
	return crmf_crypt_reveal(out_crypt.c, out_crypt.cfg, id, field, v);
}

bool cli_confidential(const char *field, size_t len)
{
	char buf[128];

	if (!out_crypt.cfg || len >= sizeof(buf))
		return false;
	memcpy(buf, field, len);
	buf[len] = 0;
	return crmf_config_confidential(out_crypt.cfg, buf);
}

void cli_change_print(crmf_change_tx *tx)
{
	const crmf_report_item *v;
	size_t n = crmf_change_report(&v, tx);

	for (size_t i = 0; i < n; i++) {
		switch (v[i].kind) {
		case CRMF_REPORT_DIAG:
			cli_print_diag(stderr, &v[i].diag);
			break;
		case CRMF_REPORT_ERROR:
			cli_error("%s", v[i].text);
			break;
		case CRMF_REPORT_NOTE:
			fprintf(stderr, "%s\n", v[i].text);
			break;
		case CRMF_REPORT_SAID:
			printf("%s\n", v[i].text);
			break;
		}
	}
	crmf_change_report_clear(tx);
}

int cli_change_exit(crmf_change_tx *tx, int rc)
{
	const char *why = crmf_change_not_committed(tx), *oid = crmf_change_oid(tx);

	cli_change_print(tx);
	if (why) {
		cli_error("saved, not committed: %s", why);
		if (!strstr(why, "crmf commit"))
			fprintf(stderr,
				_("the change is written; once that is fixed, run 'crmf commit' "
				"to commit it\n"));
	} else if (oid && !oid[0]) {
		printf(_("nothing to commit: committed already as it is\n"));
	} else if (oid) {
		printf(_("committed %.7s \"%s\"\n"), oid, crmf_change_subject(tx));
	}
	return rc == 0 || rc == CRMF_CHANGE_NOTHING ? EXIT_OK
	       : rc == CRMF_CHANGE_UNKNOWN	    ? EXIT_USAGE
						    : EXIT_FOUND;
}

char *cli_path(const char *root, const char *rel)
{
	size_t a = strlen(root), b = strlen(rel);
	char *p = xrealloc_or_die(NULL, a + b + 2);

	memcpy(p, root, a);
	p[a] = '/';
	memcpy(p + a + 1, rel, b + 1);
	return p;
}

char *cli_path_id(const char *rel)
{
	return crmf_change_path_id(rel);
}

int cli_check_arg(const struct crmf_cmd *cmd, const char *what, const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t chars = 1;

	if (!s)
		return EXIT_OK;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);

		if (n <= 0)
			return cli_usage_error(
			    cmd,
			    "%s is not valid UTF-8 (byte 0x%02X at character %zu); "
			    "write it in UTF-8",
			    what, (unsigned)*p, chars);
		if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
			return cli_usage_error(
			    cmd,
			    "%s holds control character U+%04X%s at character %zu; write it on one "
			    "line without control characters (text on several lines: 'crmf edit')",
			    what, (unsigned)c,
			    c == '\n'	? " (line feed)"
			    : c == '\r' ? " (carriage return)"
			    : c == '\t' ? " (tab)"
					: "",
			    chars);
		p += n;
		chars++;
	}
	return EXIT_OK;
}

int cli_check_assign(const struct crmf_cmd *cmd, const char *key, const char *value)
{
	char *what;
	int rc = cli_check_arg(cmd, "a KEY of KEY=VALUE", key);

	if (rc != EXIT_OK || !value)
		return rc;
	if (asprintf(&what, _("the value of '%s'"), key) < 0)
		abort();
	rc = cli_check_arg(cmd, what, value);
	free(what);
	return rc;
}


int cli_where(crmf_expr **out, crmf_repository *repo, const char *text, crmf_day today)
{
	const crmf_config *cfg;
	char err[256];
	int col = 0;
	const unsigned char *p = (const unsigned char *)text;
	int chars = 1;
	char *prefix;

	*out = NULL;
	if (!text)
		return EXIT_OK;
	if (crmf_repository_config(&cfg, repo) != 0) {
		cli_error("%s", crmf_error_last());
		return EXIT_USAGE;
	}
	if (crmf_where_compile(out, cfg, text, today, err, sizeof(err), &col) == 0)
		return EXIT_OK;
	/* as crmf list says it: the message, the expression, a caret under the column */
	while (*p && chars < col) {
		p++;
		while ((*p & 0xc0) == 0x80)
			p++;
		chars++;
	}
	prefix = xrealloc_or_die(NULL, (size_t)((const char *)p - text) + 1);
	memcpy(prefix, text, (size_t)((const char *)p - text));
	prefix[(const char *)p - text] = '\0';
	cli_error("invalid --where expression: %s", err);
	fprintf(stderr, "  %s\n  %*s^\n", text, cli_display_width(prefix), "");
	free(prefix);
	return EXIT_USAGE;
}

void cli_keep_freed_memory(void)
{
#ifdef __GLIBC__
	/*
	 * A walk of history (a first report, a history whose index is built)
	 * reads a version of a large folder's tree per commit (hundreds of KB
	 * each). glibc would map each such buffer afresh and give freed memory
	 * back at once, a page fault per page every time: memory freed is kept
	 * for the next instead (for a command that ends when it is done).
	 */
	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
