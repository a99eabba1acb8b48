/* SPDX-License-Identifier: MIT */
/* The man page of each command, crmf-CMD(1), written as scdoc source from the command table (make man). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* `n` bytes of text with scdoc's markup characters escaped */
static void text(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '*' || s[i] == '_' || s[i] == '\\')
			fputc('\\', f);
		fputc(s[i], f);
	}
}

/* Paragraphs of the help: lines that start with blanks (examples) become
 * literal blocks, the others text, escaped. */
static void paragraphs(FILE *f, const char *p)
{
	bool literal = false;

	while (*p) {
		size_t n = strcspn(p, "\n");
		bool indented = n > 0 && p[0] == ' ';

		if (indented && !literal)
			fputs("```\n", f);
		else if (!indented && literal)
			fputs("```\n", f);
		literal = indented;
		if (indented)
			fprintf(f, "%.*s\n", (int)n, p);
		else {
			const char *next = p + n + (p[n] == '\n');

			if (*p == '-' || *p == '.')
				fputc('\\', f); /* not a list item */
			text(f, p, n);
			/* scdoc passes a line's leading '.' to roff as a request,
			 * escaped or not: the text is filled anyway, so such a line
			 * joins this one */
			fputc(*next == '.' ? ' ' : '\n', f);
		}
		p += n + (p[n] == '\n');
	}
	if (literal)
		fputs("```\n", f);
}

void cli_scdoc_write(FILE *f, const struct crmf_cmd *cmd)
{
	const char *p = cmd->synopsis ? cmd->synopsis : "";

	fprintf(f, "crmf-%s(1)\n\n# NAME\n\ncrmf-%s - ", cmd->name, cmd->name);
	text(f, cmd->summary, strlen(cmd->summary));
	fputs("\n\n# SYNOPSIS\n\n", f);
	/* each form of the synopsis a line of its own, its continuations joined */
	do {
		size_t n = strcspn(p, "\n");
		size_t b = strspn(p, " \t");

		if (b == 0) {
			if (p != cmd->synopsis)
				fputs("\n\n", f);
			fprintf(f, "*crmf %s* ", cmd->name);
			text(f, p, n);
		} else {
			fputc(' ', f);
			text(f, p + b, n - b);
		}
		p += n + (p[n] == '\n');
	} while (*p);
	fputs("\n\n", f);
	if (cmd->description) {
		fputs("# DESCRIPTION\n\n", f);
		paragraphs(f, cmd->description);
		fputc('\n', f);
	}
	fputs("# OPTIONS\n\n", f);
	for (const struct cli_opt *o = cmd->opts; o && o->id; o++) {
		if (!o->help)
			continue;
		if (o->letter)
			fprintf(f, "*-%c*, ", o->letter);
		fputs("*--", f);
		text(f, o->name, strlen(o->name));
		fputc('*', f);
		if (o->arg) {
			fputs(" _", f);
			text(f, o->arg, strlen(o->arg));
			fputc('_', f);
		}
		fputc('\n', f);
		for (const char *h = o->help; *h;) {
			size_t n = strcspn(h, "\n");

			const char *next = h + n + (h[n] == '\n');

			fputc('\t', f);
			if (*h == '-' || *h == '.')
				fputc('\\', f);
			text(f, h, n);
			/* as in paragraphs: a line starting with '.' joins this one */
			while (*next == '.') {
				size_t m = strcspn(next, "\n");

				fputc(' ', f);
				text(f, next, m);
				next += m + (next[m] == '\n');
			}
			fputc('\n', f);
			h = next;
		}
		fputc('\n', f);
	}
	fputs("*-h*, *--help*\n\tshow this help\n\n", f);
	if (cmd->notes) {
		fputs("# NOTES\n\n", f);
		paragraphs(f, cmd->notes);
		fputc('\n', f);
	}
	fputs("# SEE ALSO\n\n*crmf*(1), *crmf-format*(5), *crmf.yaml*(5)\n", f);
}

void cli_scdoc_main(FILE *f)
{
	size_t n;
	const struct crmf_cmd *const *cmds = cli_commands(&n);

	fputs("crmf(1)\n\n# NAME\n\ncrmf - customers as YAML files in a git repository\n\n"
	      "# SYNOPSIS\n\n*crmf* [-C _DIR_] _COMMAND_ [_ARGS_...]\n\n*crmf* --help | --version\n\n"
	      "# DESCRIPTION\n\n"
	      "A customer-relationship manager for teams who keep their customers in plain\n"
	      "text: each customer is a YAML file under *customers/* of a git repository,\n"
	      "edited by hand or through crmf. crmf validates the files (file:line:column\n"
	      "for every problem), computes each customer's classification (activity,\n"
	      "value, quadrant, next due date), lists the follow-ups that are due, and\n"
	      "commits every change it makes, so the history is the audit trail. The\n"
	      "files' format is *crmf-format*(5); the team's settings, *crmf.yaml*(5).\n\n"
	      "# OPTIONS\n\n*-C* _DIR_\n\trun as if crmf was started in _DIR_\n\n"
	      "*-h*, *--help*\n\tshow the help; *crmf* _COMMAND_ *--help* for a command\n\n"
	      "*--version*\n\tprint the version\n\n# COMMANDS\n\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "*crmf-%s*(1)\n\t", cmds[i]->name);
		text(f, cmds[i]->summary, strlen(cmds[i]->summary));
		fputs("\n\n", f);
	}
	fputs("# FILES\n\n"
	      "*crmf.yaml*\n\tthe team's settings at the repository's root (*crmf.yaml*(5))\n\n"
	      "*customers/*, *archive/*\n\tone YAML file per customer, at any depth "
	      "(*crmf-format*(5))\n\n"
	      "*.git/crmf/*\n\tthe validation cache and crmf's lock; safe to delete\n\n"
	      "# ENVIRONMENT\n\n"
	      "*VISUAL*, *EDITOR*\n\tthe editor of *crmf edit* and *crmf new --edit*\n\n"
	      "*GIT\\_AUTHOR\\_NAME*, *GIT\\_AUTHOR\\_EMAIL*\n\twho commits, as for git "
	      "(else git's user.name and user.email); *--mine* matches them against the team\n\n"
	      "*NO\\_COLOR*\n\tno colour in the output, as on a pipe\n\n"
	      "*COLUMNS*\n\tthe width tables fit, when the terminal does not tell\n\n"
	      "# EXIT STATUS\n\n"
	      "0 success; 1 the command's check failed (errors found, customers left out, "
	      "a merge with conflicts); 2 a usage or repository error.\n\n"
	      "# SEE ALSO\n\n*crmf-format*(5), *crmf.yaml*(5), *git*(1)\n",
	      f);
}
