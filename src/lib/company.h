/* SPDX-License-Identifier: MIT */
/* Company names as dedupe and check compare them, private to libcrmf (company.c; used by cross.c and dedupe.c). */
#ifndef CRMF_COMPANY_H
#define CRMF_COMPANY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * 云启科技, 云启科技（杭州）有限公司 and 杭州云启科技有限公司 are one company:
 * a name is folded (NFKC, so full-width letters, digits and brackets are
 * half-width; case folded), its punctuation and spaces dropped, a bracketed
 * or leading city or province dropped (remembered as its place), then its
 * legal forms (股份有限公司, 有限责任公司, 有限公司, 集团, 公司, Co., Ltd.,
 * Inc …) dropped from its end. What is left is the name's text; the trade
 * words at its end (科技, 贸易, 信息技术 …) are kept in it but marked, as the
 * text after `core`, so that a comparison can weigh them low.
 */
typedef struct crmf_company {
	char *text;     /* malloc'ed, NUL-terminated; "" for a name of nothing but punctuation */
	size_t len;     /* strlen(text) */
	size_t core;    /* text[0..core): the name without its trailing trade words */
	char place[32]; /* the place the name named, without 省/市 ("杭州"), or "" */
	bool city;      /* the place is a city (a province otherwise) */
} crmf_company;

/** Normalise `name` into `out` (release with crmf_company_release). */
void crmf_company_parse(crmf_company *out, const char *name);

void crmf_company_release(crmf_company *c);

/** Code points in s[0..len) (UTF-8). */
size_t crmf_company_chars(const char *s, size_t len);

#endif
