/* What every crmf subcommand shares: the command table entry and the helpers of output.c. */
#ifndef CRMF_CLI_H
#define CRMF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "crmf/crmf.h"

/* Exit codes of every command. */
enum { EXIT_OK = 0, EXIT_FOUND = 1, EXIT_USAGE = 2 };

/** One subcommand: cmd_<name>.c defines `const struct crmf_cmd cmd_<name>`. */
struct crmf_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;               /* one line for `crmf --help` */
	const char *usage;                 /* the synopsis and options, for `crmf CMD --help` */
};

#define CMD(name) extern const struct crmf_cmd cmd_##name;
#include "commands.def"
#undef CMD

/** Print the command's usage to stdout (for --help) and return EXIT_OK. */
int cli_help(const struct crmf_cmd *cmd);

/** Print "crmf: <message>" and "usage: …" hint to stderr; return EXIT_USAGE. */
int cli_usage_error(const struct crmf_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Print "crmf: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Find the repository from the current directory; on failure print why and return NULL. */
char *cli_repo_root(void);

/** Parse --today's argument (or take the local date when NULL); EXIT_OK or EXIT_USAGE. */
int cli_today(crmf_day *out, const char *arg);

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_TSV } cli_format;

/** Parse a --format value among those allowed (bit mask of 1 << cli_format). */
int cli_parse_format(cli_format *out, const char *arg, unsigned allowed);

/** Print diagnostics as `path:line:col: severity: message [rule]` (text) or a JSON array. */
void cli_print_diags(FILE *f, const crmf_diags *d, cli_format fmt);

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

/** A table of text cells; row 0 holds the headers. */
typedef struct cli_table cli_table;

/** A table with `ncols` columns and these headers. */
cli_table *cli_table_new(size_t ncols, const char *const *headers);

/** Append a row of `ncols` cells (copied; NULL prints as empty). */
void cli_table_add(cli_table *t, const char *const *cells);

/** Right-align a column (numbers). */
void cli_table_align_right(cli_table *t, size_t col);

/** Cap a column's display width; longer cells are cut with "…". */
void cli_table_limit(cli_table *t, size_t col, int width);

/** Number of data rows. */
size_t cli_table_rows(const cli_table *t);

/** Print as an aligned table (FMT_TEXT), CSV (RFC 4180) or TSV. */
void cli_table_print(FILE *f, const cli_table *t, cli_format fmt);

/** Free a table; NULL is a no-op. */
void cli_table_free(cli_table *t);

/** Columns a UTF-8 string takes on a terminal (CJK characters take two). */
int cli_display_width(const char *s);

#endif
