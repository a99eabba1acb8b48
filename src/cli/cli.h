/* What every crmf subcommand shares: the command table entry and the helpers of output.c. */
#ifndef CRMF_CLI_H
#define CRMF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "crmf/commit.h"
#include "crmf/crmf.h"

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

/** Find the repository from the current directory; on failure print why and return NULL. */
char *cli_repo_root(void);

/** Parse --today's argument (or take the local date when NULL); EXIT_OK or EXIT_USAGE. */
int cli_today(crmf_day *out, const char *arg);

typedef enum { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_TSV } cli_format;

/** Parse a --format value among those allowed (bit mask of 1 << cli_format). */
int cli_parse_format(cli_format *out, const char *arg, unsigned allowed);

/** Print diagnostics as `path:line:col: severity: message [rule]` (text) or a JSON array. */
void cli_print_diags(FILE *f, const crmf_diags *d, cli_format fmt);

/** Print one diagnostic as cli_print_diags does in text: every command's
 * diagnostics go through these two. */
void cli_print_diag(FILE *f, const crmf_diag *d);

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

/* ---- changing customer files (change.c) ---- */

/** How long a command waits for another crmf to finish changing the repository. */
#define CLI_LOCK_TIMEOUT_MS 60000

/** A command that changes the repository: found, checked, locked, committed. */
typedef struct cli_change {
	char *root;          /* the crmf root (owned) */
	const char *author;  /* --author, or NULL for git's identity */
	crmf_config *cfg;    /* crmf.yaml, defaults when absent (owned) */
	crmf_day today;
	crmf_lock *lock;     /* held from cli_change_lock to cli_change_end */
} cli_change;

/**
 * Find the repository, check before anything is written that a commit can be
 * made (crmf_commit_preflight) and load crmf.yaml. Prints why not and returns
 * the exit code (EXIT_USAGE outside a repository, EXIT_FOUND when no commit
 * can be made); EXIT_OK when ready. Release with cli_change_end in any case.
 */
int cli_change_begin(cli_change *ch, const char *author, crmf_day today);

/** Take the repository's lock (waiting for another crmf); EXIT_OK or EXIT_FOUND, printed. */
int cli_change_lock(cli_change *ch);

/** Release the lock and everything cli_change_begin acquired. */
void cli_change_end(cli_change *ch);

/**
 * The user as crmf.yaml names them, malloc'ed: the team member matching
 * --author, else git's identity; without a team, the identity's email's local
 * part, else its name. NULL when there is none, with the reason and the fix in
 * *why (malloc'ed).
 */
char *cli_me(const cli_change *ch, char **why);

enum { CLI_IN_CUSTOMERS = 1, CLI_IN_ARCHIVE = 2 };

/**
 * The file of the customer `arg` names, relative to the root, malloc'ed: `arg`
 * is an id (the file name without .yaml) or a file path, looked up under
 * customers/ and/or archive/ as `where` says. NULL with the reason printed
 * (and a suggestion when an id is close).
 */
char *cli_find_customer(const char *root, const char *arg, unsigned where);

/** Read a whole file (stopping well past CRMF_DOC_MAX_SIZE), malloc'ed and
 * NUL-terminated; -1 with errno on failure. */
int cli_read_file(char **out, size_t *len, const char *path);

/** `root`/`rel`, malloc'ed. */
char *cli_path(const char *root, const char *rel);

/** The id a customer file's name stands for: its last component without
 * .yaml/.yml, malloc'ed. */
char *cli_path_id(const char *rel);

/**
 * Read, parse and check the customer file `rel` as it is now: *out the
 * customer (its errors in `diags`, not printed; c->errors counts them). When
 * the file cannot be read or parsed into a mapping, prints why and returns -1.
 */
int cli_load(crmf_customer **out, crmf_diags *diags, const cli_change *ch, const char *rel);

/**
 * Validate `len` bytes of `buf` as the customer file `rel`. With no error: 0,
 * *out the customer (may be NULL when not wanted), and the warnings that
 * `before` (the file's earlier diagnostics, may be NULL) did not have printed
 * to stderr. With errors: -1, the diagnostics printed to stderr.
 */
int cli_validate(crmf_customer **out, const cli_change *ch, const char *rel, const char *buf,
		 size_t len, const crmf_diags *before);

/** How to write `value` at `path` (e.g. "followups[-1].due"): CRMF_EDIT_RAW
 * when the schema types the field as a date, number or boolean and the value
 * is one, else CRMF_EDIT_TEXT (quoted when YAML 1.1 would misread it). */
unsigned cli_value_flags(const crmf_config *cfg, const char *path, const char *value);

/**
 * Commit `paths` with `o` (author taken from ch). Success: prints
 * `committed <short id> "<subject>"` (or that it was committed already) and
 * returns EXIT_OK. Failure: prints
 * "saved, not committed: <reason>" and what to do, returns EXIT_FOUND.
 */
int cli_change_commit(const cli_change *ch, const crmf_commit_path *paths, size_t n,
		      const crmf_commit_opts *o);

/** cli_change_commit, path i committed as content[i] says (see crmf_commit_paths_as). */
int cli_change_commit_as(const cli_change *ch, const crmf_commit_path *paths,
			 const crmf_commit_content *content, size_t n, const crmf_commit_opts *o);

/**
 * How `rel` stands against git (crmf_read_versions into *v; release it in any
 * case). -1, printed, when crmf cannot change it apart from the user's own
 * edits: not committed yet, in conflict, or unreadable; else 0 (CLEAN or
 * CHANGED).
 */
int cli_versions(crmf_versions *v, const cli_change *ch, const char *rel);

/** Makes crmf's change on a version of a customer file: *out the edit of
 * `doc` (not finished); -1 (may print) when it cannot be made there. */
typedef int cli_redo_fn(crmf_edit **out, const crmf_doc *doc, void *ctx);

/**
 * Save and commit crmf's change of the customer file `rel` from `was` (the
 * work tree's document, as loaded) to `now` (validated), the user's own
 * uncommitted edits kept out of the commit: when the file, the index and
 * HEAD agree, as cli_save_commit. When the user changed the file (staged or
 * not), `redo` makes the change again on the committed version, which is
 * committed (its errors refuse); `now` goes to the work tree and the index
 * gets the change made on its staged version (or the committed one when
 * nothing was staged), so that the user's edit stays where it was. Where
 * the change does not read the same on each version, or the user's edit
 * would read otherwise after it (they touch), refuses with nothing changed.
 * A file not committed yet, or in conflict, is refused too. `say` (may be
 * NULL) goes to stdout once the change is decided, before it is written.
 * Returns the exit code, everything printed.
 */
int cli_save_change(const cli_change *ch, const char *rel, const crmf_doc *was,
		    const crmf_doc *now, cli_redo_fn *redo, void *ctx, const char *say,
		    const crmf_commit_opts *o);

/**
 * Write `len` bytes of `buf` to the customer file `rel` atomically, then
 * commit it as cli_change_commit does. When the write fails the file is
 * untouched: prints why ("nothing changed") and returns EXIT_FOUND.
 */
int cli_save_commit(const cli_change *ch, const char *rel, const char *buf, size_t len,
		    const crmf_commit_opts *o);

/** A growable list of malloc'ed strings. */
typedef struct cli_lines {
	char **v;
	size_t n, cap;
} cli_lines;

void cli_lines_add(cli_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Add `s` unless the list holds it already. */
void cli_lines_add_once(cli_lines *l, const char *s);
/** The strings joined by `sep`, malloc'ed ("" for none). */
char *cli_lines_join(const cli_lines *l, const char *sep);
void cli_lines_release(cli_lines *l);

/**
 * What changed between two versions of a customer file (either may be NULL),
 * as crmf_diff_docs says it, for a commit message: the lines go to `lines`
 * (at most 60, then "… and N more changes"); the top-level fields that
 * changed, each once, to `keys` (may be NULL).
 */
void cli_describe_changes(cli_lines *lines, cli_lines *keys, const crmf_doc *a,
			  const crmf_doc *b);

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

/** `s` cut to at most `max` characters on one line (line breaks become spaces),
 * with "…" when cut; malloc'ed. */
char *cli_cut(const char *s, size_t max);

/** What cli_edit_loop ended with. */
enum { CLI_EDIT_DONE, CLI_EDIT_UNCHANGED, CLI_EDIT_ABORTED };

/**
 * Let the user edit `len` bytes of `buf` as the customer file `rel`: a copy
 * in a temporary file opened with $VISUAL, else $EDITOR, else vi (run by sh
 * with the path), until it is valid or the user gives up. Unchanged (and
 * `unchanged_ok`): CLI_EDIT_UNCHANGED, the copy removed. Valid: CLI_EDIT_DONE
 * with *out the checked customer and *copy the temporary file's path
 * (malloc'ed; the caller removes the file once the edit is saved). Invalid:
 * the diagnostics under `rel`, then "(e)dit again or (a)bort?" when standard
 * input is a terminal; on abort (always when it is not) CLI_EDIT_ABORTED with
 * the copy kept and its path printed. `before` as for cli_validate.
 */
int cli_edit_loop(crmf_customer **out, char **copy, const cli_change *ch, const char *rel,
		  const char *buf, size_t len, bool unchanged_ok, const crmf_diags *before);

#endif
