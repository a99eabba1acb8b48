/* SPDX-License-Identifier: MIT */
/* Everything the commands print goes through here: diagnostics, errors, JSON strings (usage: args.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("crmf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_today(crmf_day *out, const char *arg)
{
	if (!arg) {
		*out = crmf_date_today();
		return EXIT_OK;
	}
	if (crmf_date_parse(out, arg, strlen(arg)) != 0) {
		cli_error("invalid date '%s' for --today; write YYYY-MM-DD", arg);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static const char *const format_names[] = {"table", "json", "csv", "tsv", "ics"};

int cli_parse_format(cli_format *out, const char *arg, unsigned allowed)
{
	for (unsigned i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++) {
		if (!(allowed & (1u << i)))
			continue;
		if (strcmp(arg, format_names[i]) == 0 || (i == FMT_TEXT && strcmp(arg, "text") == 0)) {
			*out = (cli_format)i;
			/* every message of a run for a program stays English */
			if (i != FMT_TEXT)
				cli_i18n_off();
			return EXIT_OK;
		}
	}
	fprintf(stderr, _("crmf: unknown format '%s'; use one of:"), arg);
	for (unsigned i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (allowed & (1u << i))
			fprintf(stderr, " %s", format_names[i]);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

bool cli_color(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (nc && nc[0])
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fileno(f));
}

void cli_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* crmf_severity_name's words, for the translation of the text printed */
static const char *const severity_words[] = {N_("error"), N_("warning")};

static void print_diag_text(FILE *f, const crmf_diag *d, bool color)
{
	const char *sev_color = d->severity == CRMF_SEV_ERROR ? "\033[1;31m" : "\033[1;33m";

	if (color)
		fputs("\033[1m", f);
	if (d->path) {
		fputs(d->path, f);
		if (d->line > 0)
			fprintf(f, ":%d:%d", d->line, d->column);
		fputs(": ", f);
	}
	if (color)
		fprintf(f, "\033[0m%s", sev_color);
	fputs(_(severity_words[d->severity == CRMF_SEV_ERROR ? 0 : 1]), f);
	if (color)
		fputs("\033[0m", f);
	fprintf(f, ": %s [%s]\n", d->message, d->rule);
}

void cli_print_diags(FILE *f, const crmf_diags *d, cli_format fmt)
{
	if (fmt == FMT_JSON) {
		fputs("[", f);
		for (size_t i = 0; i < d->n; i++) {
			const crmf_diag *x = &d->v[i];

			fputs(i ? ",\n " : "\n ", f);
			fputs("{\"path\": ", f);
			if (x->path)
				cli_json_string(f, x->path);
			else
				fputs("null", f);
			fprintf(f, ", \"line\": %d, \"column\": %d, \"severity\": \"%s\", \"rule\": ",
				x->line, x->column, crmf_severity_name(x->severity));
			cli_json_string(f, x->rule);
			fputs(", \"message\": ", f);
			cli_json_string(f, x->message);
			fputs("}", f);
		}
		fputs(d->n ? "\n]\n" : "]\n", f);
		return;
	}
	bool color = cli_color(f);

	for (size_t i = 0; i < d->n; i++)
		print_diag_text(f, &d->v[i], color);
}

void cli_print_diag(FILE *f, const crmf_diag *d)
{
	print_diag_text(f, d, cli_color(f));
}

size_t cli_files_with_errors(const crmf_diags *d)
{
	const char *last = NULL;
	size_t n = 0;

	/* diagnostics are sorted by path */
	for (size_t i = 0; i < d->n; i++) {
		const char *p = d->v[i].path ? d->v[i].path : "";

		if (d->v[i].severity != CRMF_SEV_ERROR)
			continue;
		if (!last || strcmp(last, p) != 0)
			n++;
		last = p;
	}
	return n;
}
