/* SPDX-License-Identifier: MIT */
/* Unit tests of the CLI's argument parser and help writer (src/cli/args.c, linked alone). */
#include "unit.h"

#include <unistd.h>

#include "cli.h"

static const struct cli_opt opts[] = {
    {'f', 0, "format", "FMT", "text (default) or json"},
    {'t', 0, "today", "DATE", "the date taken for today"},
    {'s', 0, "strict", NULL, "treat warnings as errors"},
    {'S', 0, "staged", NULL, "check the index"},
    {'q', 'q', "quiet", NULL, "print nothing but the problems"},
    {'m', 'm', "message", "MSG", "the commit's first line,\nnot more"},
    {'x', 0, "hidden", NULL, NULL},
    {0},
};

static const struct crmf_cmd cmd = {
    .name = "demo",
    .summary = "a command to test with",
    .synopsis = "[--format text|json] [-q] [PATH…]\n"
		"--staged [--today DATE]\n"
		"    [--strict]",
    .description = "Does nothing.\n"
		   "\n"
		   "  Really.\n",
    .opts = opts,
    .notes = "exit status: 0 always\n",
};

static const struct crmf_cmd plain = {
    .name = "plain",
    .synopsis = "A B",
    .opt_width = 14,
    .in_order = true,
};

/* What parsing `words` (after the command's name) gave. */
struct result {
	char got[256];	/* "id=value " per option, "id " for a flag */
	char rest[256]; /* the operands, each followed by "|" */
	int end;	/* cli_args_next's last return */
	int status;
	char out[4096], err[1024]; /* what was printed */
};

/* Run `fn` with stdout and stderr sent to buffers. */
static void captured(struct result *r, void (*fn)(struct result *, const struct crmf_cmd *,
						    char **, int),
		     const struct crmf_cmd *c, char **argv, int argc)
{
	FILE *o = tmpfile(), *e = tmpfile();
	int so, se;
	size_t n;

	assert_non_null(o);
	assert_non_null(e);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fileno(o), 1);
	dup2(fileno(e), 2);
	fn(r, c, argv, argc);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	rewind(o);
	rewind(e);
	n = fread(r->out, 1, sizeof(r->out) - 1, o);
	r->out[n] = 0;
	n = fread(r->err, 1, sizeof(r->err) - 1, e);
	r->err[n] = 0;
	fclose(o);
	fclose(e);
}

static void do_parse(struct result *r, const struct crmf_cmd *c, char **argv, int argc)
{
	cli_args args;
	int k;

	cli_args_init(&args, c, argc, argv);
	while ((k = cli_args_next(&args)) > 0) {
		size_t len = strlen(r->got);

		snprintf(r->got + len, sizeof(r->got) - len, args.arg ? "%c=%s " : "%c ", k,
			 args.arg);
	}
	r->end = k;
	r->status = args.status;
	if (k == 0)
		for (int i = args.ind; i < argc; i++) {
			strcat(r->rest, argv[i]);
			strcat(r->rest, "|");
		}
}

/* Parse the NULL-terminated `words` for `c`. */
static void parse(struct result *r, const struct crmf_cmd *c, const char *const *words)
{
	char *argv[32];
	int argc = 0;

	memset(r, 0, sizeof(*r));
	argv[argc++] = (char *)c->name;
	while (*words)
		argv[argc++] = (char *)*words++;
	argv[argc] = NULL;
	captured(r, do_parse, c, argv, argc);
}

#define PARSE(r, c, ...) parse((r), (c), (const char *const[]){__VA_ARGS__, NULL})

static void test_permutation(void **state)
{
	struct result r;

	(void)state;
	PARSE(&r, &cmd, "a", "--format", "json", "b", "-q", "--today=2025-01-01", "c");
	assert_int_equal(r.end, 0);
	assert_string_equal(r.got, "f=json q t=2025-01-01 ");
	assert_string_equal(r.rest, "a|b|c|");
	assert_string_equal(r.err, "");
	/* '--' ends the options; '-' is an operand */
	PARSE(&r, &cmd, "-", "--strict", "--", "--format", "-q");
	assert_int_equal(r.end, 0);
	assert_string_equal(r.got, "s ");
	assert_string_equal(r.rest, "-|--format|-q|");
	/* a value is the next word, whatever it looks like */
	PARSE(&r, &cmd, "--format", "--strict", "-m", "-q", "x");
	assert_string_equal(r.got, "f=--strict m=-q ");
	assert_string_equal(r.rest, "x|");
	/* grouped letters, a letter's value in the same word */
	PARSE(&r, &cmd, "-qmhello", "-qq", "-m", "");
	assert_string_equal(r.got, "q m=hello q q m= ");
	assert_string_equal(r.rest, "");
	/* options not listed in the help are options all the same */
	PARSE(&r, &cmd, "--hidden");
	assert_string_equal(r.got, "x ");
}

static void test_in_order(void **state)
{
	struct result r;

	(void)state;
	PARSE(&r, &plain, "-x", "a");
	assert_int_equal(r.end, -1);
	assert_int_equal(r.status, EXIT_USAGE);
	assert_string_equal(r.err, "crmf: unknown option '-x'\nsee 'crmf plain --help'\n");
	PARSE(&r, &plain, "a", "-x", "--b");
	assert_int_equal(r.end, 0);
	assert_string_equal(r.rest, "a|-x|--b|");
	PARSE(&r, &plain, "--", "-a", "b");
	assert_int_equal(r.end, 0);
	assert_string_equal(r.rest, "-a|b|");
}

static void test_prefixes(void **state)
{
	struct result r;

	(void)state;
	PARSE(&r, &cmd, "--form", "json", "--str", "--mess=m");
	assert_int_equal(r.end, 0);
	assert_string_equal(r.got, "f=json s m=m ");
	PARSE(&r, &cmd, "--st");
	assert_int_equal(r.end, -1);
	assert_int_equal(r.status, EXIT_USAGE);
	assert_string_equal(r.err, "crmf: option '--st' is ambiguous; possibilities: '--strict' "
				   "'--staged'\nsee 'crmf demo --help'\n");
}

static void test_errors(void **state)
{
	static const struct {
		const char *words[3], *err;
	} cases[] = {
	    {{"--bogus", "a"}, "unknown option '--bogus'"},
	    {{"--bogus=1"}, "unknown option '--bogus'"},
	    {{"-qz"}, "unknown option '-z'"},
	    {{"a", "--format"}, "option '--format' requires an argument"},
	    {{"-m"}, "option '-m' requires an argument"},
	    {{"--form"}, "option '--format' requires an argument"},
	    {{"--strict=yes"}, "option '--strict' doesn't allow an argument"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r;
		char want[256];

		parse(&r, &cmd, cases[i].words);
		snprintf(want, sizeof(want), "crmf: %s\nsee 'crmf demo --help'\n", cases[i].err);
		assert_int_equal(r.end, -1);
		assert_int_equal(r.status, EXIT_USAGE);
		assert_string_equal(r.err, want);
		assert_string_equal(r.out, "");
	}
}

static void test_help(void **state)
{
	static const char want[] = "usage: crmf demo [--format text|json] [-q] [PATH…]\n"
				   "       crmf demo --staged [--today DATE]\n"
				   "                 [--strict]\n"
				   "\n"
				   "Does nothing.\n"
				   "\n"
				   "  Really.\n"
				   "\n"
				   "options:\n"
				   "  --format FMT       text (default) or json\n"
				   "  --today DATE       the date taken for today\n"
				   "  --strict           treat warnings as errors\n"
				   "  --staged           check the index\n"
				   "  -q, --quiet        print nothing but the problems\n"
				   "  -m, --message MSG  the commit's first line,\n"
				   "                     not more\n"
				   "  -h, --help         show this help\n"
				   "\n"
				   "exit status: 0 always\n";
	static const char want_plain[] = "usage: crmf plain A B\n"
					 "\n"
					 "options:\n"
					 "  -h, --help    show this help\n";
	const char *const forms[][3] = {{"--help"}, {"a", "-h"}, {"-qh", "--bogus"}, {"--he"}};
	struct result r;

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		parse(&r, &cmd, forms[i]);
		assert_int_equal(r.end, -1);
		assert_int_equal(r.status, EXIT_OK);
		assert_string_equal(r.out, want);
		assert_string_equal(r.err, "");
	}
	PARSE(&r, &plain, "--help");
	assert_int_equal(r.status, EXIT_OK);
	assert_string_equal(r.out, want_plain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_permutation), cmocka_unit_test(test_in_order),
	    cmocka_unit_test(test_prefixes),    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
