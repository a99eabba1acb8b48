/* SPDX-License-Identifier: MIT */
/* What every crmf subcommand shares: the command table entry and the helpers of output.c. */
#ifndef CRMF_CLI_H
#define CRMF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "crmf/commit.h"
#include "crmf/crmf.h"
#include "i18n.h"

/* Exit codes of every command. */
enum { EXIT_OK = 0, EXIT_FOUND = 1, EXIT_USAGE = 2 };

/**
 * One option of a command, a row of its table (which ends with a row whose
 * id is 0). The parser (args.c) accepts `--name`, `--name=VALUE`, `--name
 * VALUE`, an unambiguous prefix of the name, and `-x` (grouped `-xy`, `-xVALUE`)
 * for the letter; -h and --help are implied in every table.
 */
struct cli_opt {
	int id;		  /* what cli_args_next returns for it (> 0) */
	char letter;	  /* the short form -x, or 0 */
	const char *name; /* the long form, without the dashes */
	const char *arg;  /* its value as the help names it ("DATE"); NULL for a flag */
	const char *help; /* one or more lines ("\n" between); NULL keeps it out of the help */
};

/**
 * One subcommand: cmd_<name>.c defines `const struct crmf_cmd cmd_<name>`.
 * Its options and the texts below make `crmf CMD --help` (cli_help):
 *
 *     usage: crmf NAME <first line of synopsis>
 *            crmf NAME <next form>
 *                      <a synopsis line that starts with a blank continues a form>
 *
 *     <description>
 *
 *     options:
 *       --name ARG  help
 *       -h, --help  show this help
 *
 *     <notes>
 */
struct crmf_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;		   /* one line for `crmf --help` */
	const char *synopsis;		   /* its operands and options, one line per form */
	const char *description;	   /* paragraphs (may be NULL) */
	const struct cli_opt *opts;	   /* may be NULL: no option but -h */
	const char *notes;		   /* after the options: more paragraphs, the exit status */
	int opt_width;			   /* the options' column; 0: the longest option plus two */
	bool in_order;			   /* options end at the first operand (no permutation) */
	bool machine;			   /* its output is read by programs: never translated */
};

#define CMD(name) extern const struct crmf_cmd cmd_##name;
#include "commands.def"
#undef CMD

/**
 * A command's arguments being parsed, GNU-style: options may come before,
 * between and after operands (unless the command is in_order), `--` ends
 * them. Used as
 *
 *     cli_args args;
 *     cli_args_init(&args, &cmd_x, argc, argv);
 *     while ((c = cli_args_next(&args)) > 0)
 *             switch (c) { case 't': today = args.arg; break; … }
 *     if (c < 0)
 *             return args.status;
 *     operands: argv[args.ind] … argv[argc - 1]
 *
 * argv is reordered as getopt does: the options first, then the operands in
 * their order.
 */
typedef struct cli_args {
	const char *arg; /* the value of the option just returned; NULL for a flag */
	int ind;	 /* at the end: the first operand's index in argv */
	int status;	 /* after -1: the exit code (EXIT_OK after the help, else EXIT_USAGE) */
	/* private */
	const struct crmf_cmd *cmd;
	int argc, pos;
	char **argv;
	const char *group; /* the rest of a group of short options (-qn) */
} cli_args;

/** The command table of commands.def, *n entries in its order. */
const struct crmf_cmd *const *cli_commands(size_t *n);

/** The command called `name`, or NULL. */
const struct crmf_cmd *cli_find_command(const char *name);

/** `crmf __complete WORD…`: the completions of the last WORD (see complete.c). */
int cli_complete(int argc, char **argv);

/* Keep memory freed for reuse (glibc): for a command that walks history once and ends. */
void cli_keep_freed_memory(void);

/** Write the scdoc source of the man page crmf-CMD(1), generated from the table. */
void cli_scdoc_write(FILE *f, const struct crmf_cmd *cmd);

/** Write the scdoc source of crmf(1): the commands, files, environment. */
void cli_scdoc_main(FILE *f);

/** Write the JSON Schema of a customer file under `cfg` (crmf schema). */
void cli_schema_write(FILE *f, const crmf_config *cfg);

struct crmf_report;
/** Write the report as one self-contained HTML page (crmf report --html). */
void cli_report_html(FILE *f, const struct crmf_report *rep, const crmf_config *cfg);
/** A goal's metric ("new_customers") named in Chinese ("新增客户"), "" when unknown:
 * the web page's names, the terminal report's under a Chinese locale. */
const char *cli_goal_metric_zh(const char *metric);

/** Start parsing argv[1…argc-1] for `cmd`. */
void cli_args_init(cli_args *args, const struct crmf_cmd *cmd, int argc, char **argv);

/**
 * The id of the next option (its value in args->arg), 0 when there is none
 * left (the operands are argv[args->ind…]), -1 when parsing stopped: the help
 * was printed for -h or --help, or a usage error (an unknown or ambiguous
 * option, a value missing or not wanted) was; return args->status then.
 */
int cli_args_next(cli_args *args);

/** Write `crmf CMD --help` to `f`. */
void cli_help_write(FILE *f, const struct crmf_cmd *cmd);

/** Print the command's usage to stdout (for --help) and return EXIT_OK. */
int cli_help(const struct crmf_cmd *cmd);

/** Print "crmf: <message>" and "see 'crmf CMD --help'" to stderr; return EXIT_USAGE. */
int cli_usage_error(const struct crmf_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Print "crmf: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Parse --today's argument (or take the local date when NULL); EXIT_OK or EXIT_USAGE. */
int cli_today(crmf_day *out, const char *arg);

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_TSV, FMT_ICS } cli_format;

/** Parse a --format value among those allowed (bit mask of 1 << cli_format). */
int cli_parse_format(cli_format *out, const char *arg, unsigned allowed);

/** Print diagnostics as `path:line:col: severity: message [rule]` (text) or a JSON array. */
void cli_print_diags(FILE *f, const crmf_diags *d, cli_format fmt);

/** Print one diagnostic as cli_print_diags does in text: every command's
 * diagnostics go through these two. */
void cli_print_diag(FILE *f, const crmf_diag *d);

/** An iCalendar content line "NAME:VALUE" (or "NAME;PARAMS:VALUE"), folded at
 * 75 octets between characters and ended with CRLF (RFC 5545 3.1). */
void cli_ics_line(FILE *f, const char *name, const char *value);

/** `s` as an iCalendar TEXT value: backslash, ';', ',' and line breaks
 * escaped (RFC 5545 3.3.11), malloc'ed. */
char *cli_ics_text(const char *s);

/** Write `s` as a JSON string literal (with the quotes). */
void cli_json_string(FILE *f, const char *s);

/** True when colour should be used on `f` (a terminal, NO_COLOR unset). */
bool cli_color(FILE *f);

/** How many files have at least one error among `d` (sorted by path). */
size_t cli_files_with_errors(const crmf_diags *d);

/** One customer as a JSON object: every stored field plus the computed ones
 * (defined in cmd_list.c, used by show too). */
void cli_customer_json(FILE *f, const crmf_config *cfg, const crmf_customer *c,
		       const crmf_class *k);

/** cli_customer_json with contacts' phones and emails masked (crmf export --redact). */
void cli_customer_json_redacted(FILE *f, const crmf_config *cfg, const crmf_customer *c,
				const crmf_class *k);

/** --where EXPR of list and export, checked against the fields of `cfg`
 * (defined in cmd_list.c): 0, or -1 after printing the error with a caret
 * under its column and a suggestion for an unknown field. */
int cli_where_parse(crmf_expr **out, const crmf_config *cfg, const char *text, crmf_day today);

/** Whether customer `c`, classified on `today`, matches `where`. */
bool cli_where_match(const crmf_expr *where, const crmf_customer *c, const crmf_config *cfg,
		     crmf_day today);

/** crmf followups: crmf list's machinery with one row per follow-up
 * (cmd_list.c); `cmd` gives the options and help. */
int cli_followups_run(const struct crmf_cmd *cmd, int argc, char **argv);

/** A table of text cells; row 0 holds the headers. */
typedef struct cli_table cli_table;

/** A table with `ncols` columns and these headers. */
cli_table *cli_table_new(size_t ncols, const char *const *headers);

/** Append a row of `ncols` cells (copied; NULL prints as empty). */
void cli_table_add(cli_table *t, const char *const *cells);

/** Where a row function puts its row (see cli_table_fill). */
typedef struct cli_row_sink cli_row_sink;

/** Makes row `i` of a cli_table_fill and hands its cells to cli_row_put,
 * once; called from several threads at once. */
typedef void cli_row_fn(void *ctx, size_t i, cli_row_sink *sink);

/** Append `n` rows made by `fn` (rows 0..n-1 in order, made in parallel when
 * there are many). */
void cli_table_fill(cli_table *t, size_t n, cli_row_fn *fn, void *ctx);

/** The cells of the row being made (copied, as with cli_table_add). */
void cli_row_put(cli_row_sink *sink, const char *const *cells);

/** The same, but cell c is not copied when bit c of `borrowed` is set: it
 * must outlive the table. */
void cli_row_put_borrowed(cli_row_sink *sink, const char *const *cells, unsigned long borrowed);

/** Right-align a column (numbers). */
void cli_table_align_right(cli_table *t, size_t col);

/** Cap a column's display width; longer cells are cut with "…". */
void cli_table_limit(cli_table *t, size_t col, int width);

/** Let a column give way first when the table is wider than the terminal
 * (names and descriptions, down to 12 columns), before the last column. */
void cli_table_shrink_first(cli_table *t, size_t col);

/** Leave a column out when the last column would otherwise be cut below 30
 * columns on a narrow terminal: order 1 first, then 2, …; 0 (the default) never. */
void cli_table_drop_first(cli_table *t, size_t col, int order);

/** --wide: no column limits and no fitting to the terminal's width. */
void cli_table_wide(cli_table *t, bool wide);

/** --excel: CSV for spreadsheets: a UTF-8 byte-order mark, and every cell a
 * spreadsheet would read as a formula (= + - @ tab CR first) quoted with a
 * leading apostrophe. */
void cli_table_excel(cli_table *t, bool excel);

/** Number of data rows. */
size_t cli_table_rows(const cli_table *t);

/** Print as an aligned table (FMT_TEXT), CSV (RFC 4180) or TSV. */
void cli_table_print(FILE *f, const cli_table *t, cli_format fmt);

/** Free a table; NULL is a no-op. */
void cli_table_free(cli_table *t);

/** Columns a UTF-8 string takes on a terminal (CJK characters take two). */
int cli_display_width(const char *s);

/* ---- what the commands share (common.c) ---- */

/** Open the repository of the current directory; on failure print why and return NULL. */
crmf_repository *cli_repository(void);

/**
 * Confidential fields in what a command prints (doc/privacy.md): when `cfg`
 * has `confidential:`, the keys of `r` are opened once (--key / $CRMF_KEY,
 * else the user's key folder; a key that cannot be used is a warning) and
 * cli_reveal gives what to print. `redact` (the command's --redact, or the
 * global one: $CRMF_REDACT) masks every confidential value. Without
 * `confidential:` nothing is opened and cli_reveal returns NULL at once.
 */
void cli_crypt_begin(crmf_repository *r, const crmf_config *cfg, bool redact);

/** The keys cli_crypt_begin opened (NULL: none, or nothing confidential). */
const crmf_crypt *cli_crypt(void);

/** What to print for the value `v` of `field` ("contacts.phone", a custom
 * field) of customer `id`: NULL to print `v` itself, else a malloc'ed
 * string (the plain value, or the mask). */
char *cli_reveal(const char *id, const char *field, const char *v);

/** Whether `len` bytes of `field` name a confidential field (after cli_crypt_begin). */
bool cli_confidential(const char *field, size_t len);

/** Print what a change reported and forget it: diagnostics and errors ("crmf: …") to
 * stderr, notes as they are, what it did to stdout; in its order. */
void cli_change_print(crmf_change_tx *tx);

/**
 * The exit code of a change's step that returned `rc` (0, CRMF_CHANGE_*), once its report
 * is printed, and after a commit its outcome: `committed <short id> "<subject>"` (or that
 * it was committed already), or "saved, not committed: <reason>" and what to do.
 */
int cli_change_exit(crmf_change_tx *tx, int rc);

/**
 * Compile --where's `text` (NULL: *out NULL, EXIT_OK) against the
 * repository's crmf.yaml as `crmf list --where` does; on an error print it as
 * list does (the message with its suggestion, the expression, a caret) and
 * return EXIT_USAGE.
 */
int cli_where(crmf_expr **out, crmf_repository *repo, const char *text, crmf_day today);

/** `root`/`rel`, malloc'ed. */
char *cli_path(const char *root, const char *rel);

/** The id a customer file's name stands for (crmf_change_path_id). */
char *cli_path_id(const char *rel);

/**
 * Is `s`, the value of `what` on the command line ("--summary", "the name"),
 * one line of valid UTF-8 without control characters (C0 with tab and line
 * breaks, DEL, C1)? EXIT_OK, or EXIT_USAGE after saying what is wrong and
 * where; NULL is fine. Such values go into files and commit subjects, where
 * a line break would start a fake paragraph or trailer; text on several
 * lines is written with 'crmf edit'.
 */
int cli_check_arg(const struct crmf_cmd *cmd, const char *what, const char *s);

/** cli_check_arg of the key and of the value of a KEY=VALUE argument. */
int cli_check_assign(const struct crmf_cmd *cmd, const char *key, const char *value);

/* ---- the editor (editor.c) ---- */

/** What cli_edit_loop ended with. */
enum { CLI_EDIT_DONE, CLI_EDIT_UNCHANGED, CLI_EDIT_ABORTED };

/**
 * Let the user edit `len` bytes of `buf` as the customer file of the change
 * `tx`: a copy in a temporary file opened with $VISUAL, else $EDITOR, else vi
 * (run by sh with the path), until it is valid (crmf_change_check) or the user
 * gives up. Unchanged (and `unchanged_ok`): CLI_EDIT_UNCHANGED, the copy
 * removed. Valid: CLI_EDIT_DONE with *out the edited bytes (*out_len) and
 * *copy the temporary file's path (both malloc'ed; the file stays until the
 * edit is saved). Invalid: the diagnostics, then "(e)dit again or (a)bort?"
 * when standard input is a terminal; on abort (always when it is not)
 * CLI_EDIT_ABORTED with the copy kept and its path printed.
 */
int cli_edit_loop(char **out, size_t *out_len, char **copy, crmf_change_tx *tx, const char *buf,
		  size_t len, bool unchanged_ok);

#endif
