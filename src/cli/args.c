/* SPDX-License-Identifier: MIT */
/* Every command's arguments parsed from its option table, and its help written from it. */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

/* -h and --help, implied in every command's table */
static const struct cli_opt help_opt = {'h', 'h', "help", NULL, N_("show this help")};

/* The command's option i, then -h/--help; NULL past the end */
static const struct cli_opt *option_at(const struct crmf_cmd *cmd, size_t i)
{
	size_t n = 0;

	while (cmd->opts && cmd->opts[n].id)
		n++;
	return i < n ? &cmd->opts[i] : i == n ? &help_opt : NULL;
}

int cli_usage_error(const struct crmf_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("crmf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fprintf(stderr, _("\nsee 'crmf %s --help'\n"), cmd->name);
	return EXIT_USAGE;
}

void cli_args_init(cli_args *args, const struct crmf_cmd *cmd, int argc, char **argv)
{
	memset(args, 0, sizeof(*args));
	args->cmd = cmd;
	args->argc = argc;
	args->argv = argv;
	args->ind = args->pos = argc > 0 ? 1 : argc;
}

/* Move the word at args->pos before the operands met so far (argv[ind…pos-1]),
 * keeping their order: the options end up first, as getopt leaves them. */
static const char *take(cli_args *args)
{
	char *w = args->argv[args->pos];

	memmove(args->argv + args->ind + 1, args->argv + args->ind,
		(size_t)(args->pos - args->ind) * sizeof(*args->argv));
	args->argv[args->ind++] = w;
	args->pos++;
	return w;
}

static int stop(cli_args *args, int status)
{
	args->status = status;
	args->group = NULL;
	return -1;
}

static int help(cli_args *args)
{
	return stop(args, cli_help(args->cmd));
}

/* The option `o` was met as `shown`: its value is `value` when given with it
 * (--name=VALUE, -xVALUE), else the next word. */
static int found(cli_args *args, const struct cli_opt *o, const char *shown, const char *value)
{
	if (o == &help_opt)
		return help(args);
	if (!o->arg) {
		if (value)
			return stop(args, cli_usage_error(args->cmd,
							  "option '%s' doesn't allow an argument",
							  shown));
		args->arg = NULL;
		return o->id;
	}
	if (!value) {
		if (args->pos >= args->argc)
			return stop(
			    args,
			    cli_usage_error(args->cmd, "option '%s' requires an argument", shown));
		value = take(args);
	}
	args->arg = value;
	return o->id;
}

static int long_option(cli_args *args, const char *word)
{
	const char *name = word + 2, *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_opt *match = NULL, *o;
	int n_match = 0;
	char shown[256], all[512] = "";

	/* the option of that name, else the one whose name starts so (as getopt_long) */
	for (size_t i = 0; (o = option_at(args->cmd, i)); i++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		match = o;
		if (!o->name[len]) {
			n_match = 1;
			break;
		}
		n_match++;
		snprintf(all + strlen(all), sizeof(all) - strlen(all), " '--%s'", o->name);
	}
	snprintf(shown, sizeof(shown), "--%.*s", (int)len, name);
	if (n_match == 0)
		return stop(args, cli_usage_error(args->cmd, "unknown option '%s'", shown));
	if (n_match > 1)
		return stop(args,
			    cli_usage_error(args->cmd, "option '%s' is ambiguous; possibilities:%s",
					    shown, all));
	snprintf(shown, sizeof(shown), "--%s", match->name);
	return found(args, match, shown, eq ? eq + 1 : NULL);
}

/* The next letter of a group of short options (args->group: what follows the '-') */
static int short_option(cli_args *args)
{
	const struct cli_opt *o;
	char letter = *args->group++;
	char shown[3] = {'-', letter, 0};
	size_t i = 0;

	while ((o = option_at(args->cmd, i++)) && o->letter != letter)
		;
	if (!*args->group)
		args->group = NULL;
	if (!o)
		return stop(args, cli_usage_error(args->cmd, "unknown option '%s'", shown));
	if (o->arg && args->group) { /* -mVALUE */
		const char *value = args->group;

		args->group = NULL;
		return found(args, o, shown, value);
	}
	return found(args, o, shown, NULL);
}

int cli_args_next(cli_args *args)
{
	const char *w;

	if (args->group)
		return short_option(args);
	while (args->pos < args->argc) {
		w = args->argv[args->pos];
		if (w[0] != '-' || !w[1]) { /* an operand ("-" is one too) */
			if (args->cmd->in_order)
				break;
			args->pos++;
			continue;
		}
		take(args);
		if (strcmp(w, "--") == 0)
			break;
		if (w[1] == '-')
			return long_option(args, w);
		args->group = w + 1;
		return short_option(args);
	}
	args->pos = args->argc;
	args->arg = NULL;
	return 0;
}

/* `text`'s lines, each after `first` (the first line) or `indent` spaces */
static void put_lines(FILE *f, const char *text, const char *first, int indent)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		if (p == text)
			fputs(first, f);
		else
			fprintf(f, "%*s", indent, "");
		fprintf(f, "%.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* "-x, --name ARG" in `buf` */
static int option_label(char *buf, size_t size, const struct cli_opt *o)
{
	char letter[5] = "";

	if (o->letter)
		snprintf(letter, sizeof(letter), "-%c, ", o->letter);
	return snprintf(buf, size, "%s--%s%s%s", letter, o->name, o->arg ? " " : "",
			o->arg ? o->arg : "");
}

static void put_option(FILE *f, const struct cli_opt *o, int width)
{
	char label[128];
	int n = option_label(label, sizeof(label), o);

	fprintf(f, "  %-*s%s", width, label, n >= width ? "  " : "");
	put_lines(f, _(o->help), "", width + 2);
}

void cli_help_write(FILE *f, const struct crmf_cmd *cmd)
{
	const char *p = cmd->synopsis ? cmd->synopsis : "";
	/* TRANSLATORS: the label of the usage line, as wide as "usage:" (six
	 * columns); the same label in the program's --help */
	const char *usage = _("usage:");
	int lead = (int)strlen("usage: crmf ") + (int)strlen(cmd->name) + 1;
	int width = cmd->opt_width;
	const struct cli_opt *o;
	bool first = true;

	/* the synopsis: a line that starts with blanks continues the form above */
	do {
		size_t n = strcspn(p, "\n");

		if (*p == ' ' || *p == '\t') {
			size_t b = strspn(p, " \t");

			fprintf(f, "%*s%.*s\n", lead, "", (int)(n - b), p + b);
		} else {
			fprintf(f, "%s crmf %s %.*s\n", first ? usage : "      ", cmd->name,
				(int)n, p);
		}
		first = false;
		p += n + (p[n] == '\n');
	} while (*p);
	if (cmd->description)
		put_lines(f, _(cmd->description), "\n", 0);
	for (size_t i = 0; !cmd->opt_width && (o = option_at(cmd, i)); i++) {
		char label[128];
		int n = option_label(label, sizeof(label), o);

		if (o->help && n + 2 > width)
			width = n + 2;
	}
	fprintf(f, "\n%s\n", _("options:"));
	for (size_t i = 0; (o = option_at(cmd, i)); i++)
		if (o->help)
			put_option(f, o, width);
	if (cmd->notes)
		put_lines(f, _(cmd->notes), "\n", 0);
}

int cli_help(const struct crmf_cmd *cmd)
{
	cli_help_write(stdout, cmd);
	return EXIT_OK;
}
