/* SPDX-License-Identifier: MIT */
/* Diagnostics as data, and the thread's last error message. */
#include "crmf/diag.h"

#include <libintl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* the names of CRMF_RULES, indexed by crmf_rule, sorted */
static const char *const rule_names[CRMF_RULE_COUNT] = {
    [CRMF_RULE_OTHER] = NULL,
#define RULE_NAME(e, name) [CRMF_RULE_##e] = name,
    CRMF_RULES(RULE_NAME)
#undef RULE_NAME
};

const char *crmf_rule_name(crmf_rule r)
{
	return (unsigned)r < CRMF_RULE_COUNT ? rule_names[r] : NULL;
}

crmf_rule crmf_rule_from_name(const char *name)
{
	size_t lo = 1, hi = CRMF_RULE_COUNT; /* a binary search of [lo, hi) */

	while (name && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, rule_names[mid]);

		if (c == 0)
			return (crmf_rule)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return CRMF_RULE_OTHER;
}

int crmf_diag_rule_cmp(const crmf_diag *a, const crmf_diag *b)
{
	if (a->rule_id && b->rule_id)
		return a->rule_id < b->rule_id ? -1 : a->rule_id > b->rule_id;
	return strcmp(a->rule ? a->rule : "", b->rule ? b->rule : "");
}

/* set once by the program before any scan's threads start */
static char translate_lang[32];

void crmf_translate_set(const char *lang)
{
	snprintf(translate_lang, sizeof(translate_lang), "%s", lang ? lang : "");
}

const char *crmf_translate_lang(void)
{
	return translate_lang[0] ? translate_lang : NULL;
}

/* set in a thread while it writes text for git (commit messages): English there */
static _Thread_local bool tr_english;

bool tr_english_begin(void)
{
	bool was = tr_english;

	tr_english = true;
	return was;
}

void tr_english_end(bool was)
{
	tr_english = was;
}

const char *crmf_tr(const char *msgid)
{
	/* "" is gettext's key of the catalogue's header, never a message */
	return translate_lang[0] && !tr_english && msgid[0] ? dgettext("crmf", msgid) : msgid;
}

void crmf_diags_init(crmf_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void crmf_diags_release(crmf_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].message);
	}
	free(d->v);
	crmf_diags_init(d);
}

static void push(crmf_diags *d, const crmf_diag *x)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n++] = *x;
	if (x->severity == CRMF_SEV_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void crmf_diags_add(crmf_diags *d, crmf_severity sev, const char *path, int line,
		    int column, const char *rule, const char *fmt, ...)
{
	crmf_diag x = {0};
	va_list ap;

	if (translate_lang[0] && !tr_english)
		fmt = dgettext("crmf", fmt);
	va_start(ap, fmt);
	x.message = xvasprintf(fmt, ap);
	va_end(ap);
	x.path = path ? xstrdup(path) : NULL;
	x.line = line;
	x.column = column;
	x.severity = sev;
	x.rule_id = crmf_rule_from_name(rule);
	x.rule = x.rule_id ? rule_names[x.rule_id] : rule;
	push(d, &x);
}

void crmf_diags_move(crmf_diags *dst, crmf_diags *src)
{
	for (size_t i = 0; i < src->n; i++)
		push(dst, &src->v[i]);
	free(src->v);
	crmf_diags_init(src);
}

static int cmp_diag(const void *pa, const void *pb)
{
	const crmf_diag *a = pa, *b = pb;
	int c = strcmp(a->path ? a->path : "", b->path ? b->path : "");

	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->column != b->column)
		return a->column < b->column ? -1 : 1;
	return 0;
}

struct item {
	crmf_diag d;
	size_t i;
};

static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = cmp_diag(&a->d, &b->d);

	if (c)
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

void crmf_diags_sort(crmf_diags *d)
{
	/* qsort is not stable: sort (position, original index) pairs instead */
	size_t n = d->n;
	struct item *tmp;

	if (n < 2)
		return;
	tmp = xmalloc(n * sizeof(*tmp));
	for (size_t i = 0; i < n; i++) {
		tmp[i].d = d->v[i];
		tmp[i].i = i;
	}
	qsort(tmp, n, sizeof(*tmp), cmp_item);
	for (size_t i = 0; i < n; i++)
		d->v[i] = tmp[i].d;
	free(tmp);
}

const char *crmf_severity_name(crmf_severity sev)
{
	return sev == CRMF_SEV_ERROR ? "error" : "warning";
}

static _Thread_local char last_error[1024];

const char *crmf_error_last(void)
{
	return last_error;
}

int crmf_error_set(const char *fmt, ...)
{
	va_list ap;

	if (translate_lang[0] && !tr_english)
		fmt = dgettext("crmf", fmt);
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return -1;
}
