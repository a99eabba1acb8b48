/* SPDX-License-Identifier: MIT */
/* The crmf program: global options, then dispatch through the command table. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
	size_t n;
	const struct crmf_cmd *const *commands = cli_commands(&n);

	fprintf(f, "%s crmf [-C DIR] [--redact] [--key FILE] COMMAND [ARGS…]\n", _("usage:"));
	fputs("       crmf --help | --version\n\n", f);
	fprintf(f, "%s\n\n%s\n", _("Customers as YAML files in a git repository."), _("commands:"));
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-13s %s\n", commands[i]->name, _(commands[i]->summary));
	fprintf(f, "\n%s\n", _("options:"));
	fprintf(f, "  -C DIR        %s\n", _("run as if crmf was started in DIR"));
	fprintf(f, "  --redact      %s\n", _("mask confidential values in every output, even with a key"));
	fprintf(f, "  --key FILE    %s\n", _("your private key for confidential values (crmf keys)"));
	fprintf(f, "  -h, --help    %s\n", _("show this help; `crmf COMMAND --help` for a command"));
	fprintf(f, "  --version     %s\n", _("print the version"));
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	const struct crmf_cmd *cmd;
	int i = 1, rc;

	/* a long agenda into a pipe or file: 64 KB per write, not 4 KB (a
	 * terminal stays line-buffered) */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	/* freed memory stays with the process until it exits: glibc would give
	 * back every 128 KB freed at the top of a heap, and the scan's threads
	 * would fault it in again (a quarter more CPU for a check of 10,000
	 * files; libgit2's start used to raise the threshold as a side effect) */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);

	/* what the completion scripts and the man pages' build ask (not for people) */
	if (argc > 1 && strcmp(argv[1], "__complete") == 0)
		return cli_complete(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "__scdoc") == 0) {
		cli_scdoc_main(stdout);
		return EXIT_OK;
	}
	if (argc == 3 && strcmp(argv[1], "__scdoc") == 0) {
		cmd = cli_find_command(argv[2]);
		if (!cmd)
			return EXIT_USAGE;
		cli_scdoc_write(stdout, cmd);
		return EXIT_OK;
	}
	cli_i18n_init();
	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("crmf %s\n", CRMF_VERSION);
			return EXIT_OK;
		} else if (strcmp(a, "--redact") == 0) {
			/* read where the commands print confidential values (cli_crypt_begin) */
			setenv("CRMF_REDACT", "1", 1);
			i++;
		} else if (strcmp(a, "--key") == 0 || strncmp(a, "--key=", 6) == 0) {
			const char *file = a[5] ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);

			if (!file || !*file) {
				fputs("crmf: option '--key' needs a file\n", stderr);
				return EXIT_USAGE;
			}
			setenv("CRMF_KEY", file, 1);
			i++;
		} else if (strcmp(a, "-C") == 0 || strncmp(a, "-C", 2) == 0) {
			const char *dir = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);

			if (!dir) {
				fputs(_("crmf: option '-C' needs a directory\n"), stderr);
				return EXIT_USAGE;
			}
			if (chdir(dir) != 0) {
				fprintf(stderr, _("crmf: cannot change to '%s': %s\n"), dir, strerror(errno));
				return EXIT_USAGE;
			}
			i++;
		} else {
			fprintf(stderr, _("crmf: unknown option '%s'\n"), a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0) {
		if (i + 1 >= argc) {
			usage(stdout);
			return EXIT_OK;
		}
		cmd = cli_find_command(argv[i + 1]);
		if (!cmd) {
			fprintf(stderr, _("crmf: unknown command '%s'\n"), argv[i + 1]);
			return EXIT_USAGE;
		}
		return cli_help(cmd);
	}
	cmd = cli_find_command(argv[i]);
	if (!cmd) {
		size_t n;
		const struct crmf_cmd *const *commands = cli_commands(&n);
		const char *names[64];
		const char *s;

		for (size_t k = 0; k < n && k < 64; k++)
			names[k] = commands[k]->name;
		s = crmf_suggest(argv[i], names, n < 64 ? n : 64);
		if (s)
			fprintf(stderr, _("crmf: unknown command '%s'; did you mean '%s'?\n"), argv[i], s);
		else
			fprintf(stderr, _("crmf: unknown command '%s'; see 'crmf --help'\n"), argv[i]);
		return EXIT_USAGE;
	}
	/* -h or --help anywhere before '--' wins over everything else (cli_args_next
	 * meets them too, but only where an option can be) */
	for (int k = i + 1; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0)
			break;
		if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0)
			return cli_help(cmd);
	}
	if (cmd->machine)
		cli_i18n_off();
	/* libgit2 starts when first needed (crmf_lib_init would start it now) */
	rc = cmd->run(argc - i, argv + i);
	fflush(stdout);
	if (ferror(stdout)) {
		fputs(_("crmf: error writing output\n"), stderr);
		rc = EXIT_USAGE;
	}
	crmf_lib_shutdown();
	return rc;
}
