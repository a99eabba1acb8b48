/* The crmf program: global options, then dispatch through the command table. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct crmf_cmd *const commands[] = {
#define CMD(name) &cmd_##name,
#include "commands.def"
#undef CMD
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct crmf_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("usage: crmf [-C DIR] COMMAND [ARGS…]\n"
	      "       crmf --help | --version\n"
	      "\n"
	      "Customers as YAML files in a git repository.\n"
	      "\n"
	      "commands:\n",
	      f);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-13s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\noptions:\n"
	      "  -C DIR        run as if crmf was started in DIR\n"
	      "  -h, --help    show this help; `crmf COMMAND --help` for a command\n"
	      "  --version     print the version\n",
	      f);
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

	while (i < argc && argv[i][0] == '-') {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("crmf %s\n", CRMF_VERSION);
			return EXIT_OK;
		} else if (strcmp(a, "-C") == 0 || strncmp(a, "-C", 2) == 0) {
			const char *dir = a[2] ? a + 2 : (i + 1 < argc ? argv[++i] : NULL);

			if (!dir) {
				fputs("crmf: option '-C' needs a directory\n", stderr);
				return EXIT_USAGE;
			}
			if (chdir(dir) != 0) {
				fprintf(stderr, "crmf: cannot change to '%s': %s\n", dir, strerror(errno));
				return EXIT_USAGE;
			}
			i++;
		} else {
			fprintf(stderr, "crmf: unknown option '%s'\n", a);
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
		cmd = find_command(argv[i + 1]);
		if (!cmd) {
			fprintf(stderr, "crmf: unknown command '%s'\n", argv[i + 1]);
			return EXIT_USAGE;
		}
		return cli_help(cmd);
	}
	cmd = find_command(argv[i]);
	if (!cmd) {
		const char *names[N_COMMANDS];
		const char *s;

		for (size_t k = 0; k < N_COMMANDS; k++)
			names[k] = commands[k]->name;
		s = crmf_suggest(argv[i], names, N_COMMANDS);
		if (s)
			fprintf(stderr, "crmf: unknown command '%s'; did you mean '%s'?\n", argv[i], s);
		else
			fprintf(stderr, "crmf: unknown command '%s'; see 'crmf --help'\n", argv[i]);
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
	/* libgit2 starts when first needed (crmf_lib_init would start it now) */
	rc = cmd->run(argc - i, argv + i);
	fflush(stdout);
	if (ferror(stdout)) {
		fputs("crmf: error writing output\n", stderr);
		rc = EXIT_USAGE;
	}
	crmf_lib_shutdown();
	return rc;
}
