/* SPDX-License-Identifier: MIT */
/* Diagnostics as data: every problem crmf finds, with where and why. */
#ifndef CRMF_DIAG_H
#define CRMF_DIAG_H

#include <stddef.h>

typedef enum {
	CRMF_SEV_ERROR = 0,
	CRMF_SEV_WARNING = 1,
} crmf_severity;

/*
 * Every rule a diagnostic can name, with its name as printed: the one table of
 * them (X(ENUM_SUFFIX, "name")), in the byte order of the names, so that
 * comparing two rules compares their names.
 */
#define CRMF_RULES(X) \
	X(BAD_ENCRYPTED, "bad-encrypted") \
	X(COMPLEX_KEY, "complex-key") \
	X(CONFIG_DUPLICATE, "config-duplicate") \
	X(CONFIG_MISSING, "config-missing") \
	X(CONFIG_TYPE, "config-type") \
	X(CONFIG_UNKNOWN_KEY, "config-unknown-key") \
	X(CONFIG_VALUE, "config-value") \
	X(CONFIG_VERSION, "config-version") \
	X(CONFLICT_MARKER, "conflict-marker") \
	X(CONTACT_REACH, "contact-reach") \
	X(CONTROL_CHAR, "control-char") \
	X(DUE_BEFORE_DATE, "due-before-date") \
	X(DUE_WITHOUT_NEXT, "due-without-next") \
	X(DUPLICATE_ID, "duplicate-id") \
	X(DUPLICATE_KEY, "duplicate-key") \
	X(DUPLICATE_TAG, "duplicate-tag") \
	X(EMPTY_FILE, "empty-file") \
	X(EMPTY_VALUE, "empty-value") \
	X(EXPIRES_BEFORE_SIGNED, "expires-before-signed") \
	X(FILE_TOO_LARGE, "file-too-large") \
	X(FOLLOWUP_FUTURE, "followup-future") \
	X(FUTURE_DATE, "future-date") \
	X(ID_FILENAME, "id-filename") \
	X(IMPORT_COLUMN, "import-column") \
	X(IMPORT_DEAL, "import-deal") \
	X(IMPORT_NEXT_PLAN, "import-next-plan") \
	X(INVALID_BOOL, "invalid-bool") \
	X(INVALID_DATE, "invalid-date") \
	X(INVALID_EMAIL, "invalid-email") \
	X(INVALID_ENUM, "invalid-enum") \
	X(INVALID_ID, "invalid-id") \
	X(INVALID_INDUSTRY, "invalid-industry") \
	X(INVALID_NUMBER, "invalid-number") \
	X(INVALID_PHONE, "invalid-phone") \
	X(INVALID_UTF8, "invalid-utf8") \
	X(MISSING_FIELD, "missing-field") \
	X(MISSING_POTENTIAL, "missing-potential") \
	X(MULTIPLE_DOCUMENTS, "multiple-documents") \
	X(MULTIPLE_PRIMARY, "multiple-primary") \
	X(NESTED_REPOSITORY, "nested-repository") \
	X(NO_SUCH_FILE, "no-such-file") \
	X(NOT_CUSTOMER_FILE, "not-customer-file") \
	X(NOT_REGULAR_FILE, "not-regular-file") \
	X(OUTSIDE_REPOSITORY, "outside-repository") \
	X(PLAIN_CONFIDENTIAL, "plain-confidential") \
	X(PROBABLE_DUPLICATE, "probable-duplicate") \
	X(READ_ERROR, "read-error") \
	X(ROOT_NOT_MAPPING, "root-not-mapping") \
	X(SHARED_EMAIL, "shared-email") \
	X(SHARED_PHONE, "shared-phone") \
	X(SYMLINK, "symlink") \
	X(TAB_INDENT, "tab-indent") \
	X(UNKNOWN_FIELD, "unknown-field") \
	X(UNKNOWN_MEMBER, "unknown-member") \
	X(VAGUE_SUMMARY, "vague-summary") \
	X(WRONG_TYPE, "wrong-type") \
	X(YAML_ALIAS, "yaml-alias") \
	X(YAML_ANCHOR, "yaml-anchor") \
	X(YAML_DEPTH, "yaml-depth") \
	X(YAML_SYNTAX, "yaml-syntax") \
	X(YAML_TAG, "yaml-tag")

/** A rule: CRMF_RULE_<NAME>, or CRMF_RULE_OTHER for a name not in CRMF_RULES. */
typedef enum crmf_rule {
	CRMF_RULE_OTHER = 0,
#define CRMF_RULE_ENUM_(e, name) CRMF_RULE_##e,
	CRMF_RULES(CRMF_RULE_ENUM_)
#undef CRMF_RULE_ENUM_
	CRMF_RULE_COUNT
} crmf_rule;

/** The rule's name ("duplicate-key"); NULL for CRMF_RULE_OTHER or out of range. */
const char *crmf_rule_name(crmf_rule r);

/** The rule named `name` (NULL allowed); CRMF_RULE_OTHER when none is. */
crmf_rule crmf_rule_from_name(const char *name);

/** One diagnostic. `line` and `column` are 1-based; 0 means "no position". */
typedef struct crmf_diag {
	char *path;      /* owned; may be NULL for repository-level problems */
	int line;
	int column;      /* in characters (code points), 1-based */
	crmf_severity severity;
	crmf_rule rule_id; /* what `rule` names; compare this, not the name */
	const char *rule; /* its name, e.g. "duplicate-key": static, or the name given
			   * to crmf_diags_add when it is CRMF_RULE_OTHER */
	char *message;   /* owned; lower-case, no full stop */
} crmf_diag;

/** A growable list of diagnostics; the list owns every string in it. */
typedef struct crmf_diags {
	crmf_diag *v;
	size_t n, cap;
	size_t errors, warnings;
} crmf_diags;

/** Order by rule as strcmp orders their names (by crmf_rule when both are
 * known, as the table is sorted): 0 when both name the same rule. */
int crmf_diag_rule_cmp(const crmf_diag *a, const crmf_diag *b);

/** Initialise an empty list. */
void crmf_diags_init(crmf_diags *d);

/** Free every diagnostic and the list storage; the list is empty after. */
void crmf_diags_release(crmf_diags *d);

/** Append a diagnostic; `fmt` is printf-style. `rule` is a rule's name (its
 * crmf_rule is looked up). Aborts on out of memory. */
void crmf_diags_add(crmf_diags *d, crmf_severity sev, const char *path, int line,
		    int column, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/** Move every diagnostic of `src` to the end of `dst`; `src` is left empty. */
void crmf_diags_move(crmf_diags *dst, crmf_diags *src);

/** Sort by path, line, column (stable for equal positions). */
void crmf_diags_sort(crmf_diags *d);

/** The severity as a word: "error" or "warning". */
const char *crmf_severity_name(crmf_severity sev);

/**
 * The language of the messages: with `lang` (a catalogue's language, "zh_CN"),
 * crmf_diags_add and crmf_error_set format the translation of their format
 * (gettext's domain "crmf", as the program bound it) from now on, in every
 * thread; with NULL (the default) the English format as given. A program sets
 * it once, before any other call, and only for output read by people: JSON and
 * the other machine formats stay English. The cache of a translated scan is a
 * file of its own per language, so both kinds of run keep theirs.
 */
void crmf_translate_set(const char *lang);

/** The language set by crmf_translate_set, or NULL when messages are English. */
const char *crmf_translate_lang(void);

/** The translation of `msgid` when a language is set, else `msgid` itself:
 * for a message the library formats itself before it becomes a diagnostic. */
const char *crmf_tr(const char *msgid) __attribute__((format_arg(1)));

/** The message of the last failed library call in this thread ("" if none). */
const char *crmf_error_last(void);

/** Set the thread's last error message (printf-style); returns -1. */
int crmf_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
