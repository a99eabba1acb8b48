/* Diagnostics as data: every problem crmf finds, with where and why. */
#ifndef CRMF_DIAG_H
#define CRMF_DIAG_H

#include <stddef.h>

typedef enum {
	CRMF_SEV_ERROR = 0,
	CRMF_SEV_WARNING = 1,
} crmf_severity;

/** One diagnostic. `line` and `column` are 1-based; 0 means "no position". */
typedef struct crmf_diag {
	char *path;      /* owned; may be NULL for repository-level problems */
	int line;
	int column;      /* in characters (code points), 1-based */
	crmf_severity severity;
	const char *rule; /* static string, e.g. "duplicate-key" */
	char *message;   /* owned; lower-case, no full stop */
} crmf_diag;

/** A growable list of diagnostics; the list owns every string in it. */
typedef struct crmf_diags {
	crmf_diag *v;
	size_t n, cap;
	size_t errors, warnings;
} crmf_diags;

/** Initialise an empty list. */
void crmf_diags_init(crmf_diags *d);

/** Free every diagnostic and the list storage; the list is empty after. */
void crmf_diags_release(crmf_diags *d);

/** Append a diagnostic; `fmt` is printf-style. Aborts on out of memory. */
void crmf_diags_add(crmf_diags *d, crmf_severity sev, const char *path, int line,
		    int column, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/** Move every diagnostic of `src` to the end of `dst`; `src` is left empty. */
void crmf_diags_move(crmf_diags *dst, crmf_diags *src);

/** Sort by path, line, column (stable for equal positions). */
void crmf_diags_sort(crmf_diags *d);

/** The severity as a word: "error" or "warning". */
const char *crmf_severity_name(crmf_severity sev);

/** The message of the last failed library call in this thread ("" if none). */
const char *crmf_error_last(void);

/** Set the thread's last error message (printf-style); returns -1. */
int crmf_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
