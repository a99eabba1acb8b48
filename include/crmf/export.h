/* SPDX-License-Identifier: MIT */
/* Customers out to spreadsheets and address books: rows of typed cells, .xlsx, vCard, masks. */
#ifndef CRMF_EXPORT_H
#define CRMF_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "crmf/check.h"
#include "crmf/crypt.h"
#include "crmf/date.h"
#include "crmf/schema.h"

/*
 * The data half of `crmf export` (issue 14). The caller chooses the
 * customers (--where, --archived); this module flattens them into sheets of
 * typed cells that `crmf import` reads back, writes those sheets as an .xlsx
 * workbook, and writes vCards of the contacts.
 *
 * The sheets (headers are names the default import mapping knows, see
 * crmf/import.h and crmf/import_sheets.h):
 *
 *   客户      one row per customer: 客户编号, 客户名称, 所属行业, 企业规模, 客户来源,
 *             建档日期, 负责人, 合作阶段, 合作潜力, 意向等级, 标签, the custom fields
 *             of crmf.yaml (by name), the primary contact (联系人, 职位, 联系方式,
 *             电子邮箱; else the first), the need (需求类型, 需求描述, 预算,
 *             期望合作时间), the latest deal (签约金额(元), 合作起始日期, 合同到期日)
 *             and the newest follow-up (最近跟进日期, 跟进人, 跟进方式, 跟进内容,
 *             下次跟进计划: its due date, a space, its next action)
 *   联系人    every contact, in file order: 客户编号, 客户名称, 联系人, 职位, 联系方式,
 *             电子邮箱, 主要联系人 (是, or empty)
 *   合同      every deal: 客户编号, 客户名称, 签约金额(元), 合作起始日期, 合同到期日
 *   跟进记录  every follow-up, in file order: 客户编号, 客户名称, 跟进日期, 跟进人,
 *             跟进方式, 沟通对象, 跟进内容, 客户反馈, 下一步, 截止日期
 *
 * Values: stage, potential, grade and method as their crmf.yaml labels
 * (意向期; the canonical value when none is given), which import maps back;
 * owner and by as member ids; tags joined with 、. Dates are date cells
 * (a follow-up at a time a date-time cell), amounts and custom numbers
 * numbers, everything else (phones included) text. A value that is not of
 * its type (a file with errors) is exported as the text written.
 */

typedef enum {
	CRMF_XCELL_EMPTY = 0,
	CRMF_XCELL_TEXT,
	CRMF_XCELL_NUMBER,
	CRMF_XCELL_DATE, /* `day`, and `minute` (-1: a date without time) */
} crmf_xcell_type;

/** One cell. `text` is what CSV shows ("2025-06-09 16:00", "1200000"), NULL when empty. */
typedef struct crmf_xcell {
	crmf_xcell_type type;
	char *text;
	double number;
	crmf_day day;
	int minute;
} crmf_xcell;

/** The kind of a column: how wide it is, how a spreadsheet formats it. */
typedef enum {
	CRMF_XCOL_TEXT = 0,
	CRMF_XCOL_LONG, /* long text: descriptions, summaries */
	CRMF_XCOL_NUMBER,
	CRMF_XCOL_DATE,
} crmf_xcol_kind;

typedef struct crmf_xsheet {
	const char *name;
	size_t n_cols;
	const char **headers;	/* n_cols names (static or owned by the export) */
	crmf_xcol_kind *kinds;	/* n_cols */
	size_t n_rows;		/* data rows, below the header */
	crmf_xcell *cells;	/* n_rows * n_cols, row after row */
} crmf_xsheet;

/** The four sheets above, in that order. */
enum { CRMF_XSHEET_CUSTOMERS, CRMF_XSHEET_CONTACTS, CRMF_XSHEET_DEALS, CRMF_XSHEET_FOLLOWUPS,
       CRMF_XSHEETS };

typedef struct crmf_export {
	crmf_xsheet sheets[CRMF_XSHEETS];
} crmf_export;

/** Which customers an export takes: active ones, archived ones, or both. */
typedef enum { CRMF_EXPORT_ACTIVE, CRMF_EXPORT_ARCHIVED, CRMF_EXPORT_ALL } crmf_export_which;

/**
 * The customers of `v` (`n` of them, e.g. a scan's) that an export takes:
 * those `which` names and `keep` accepts (NULL: every one; `--where` in the
 * CLI), in id order (then path), into *out: a malloc'ed array of pointers
 * into `v` (free the array only). Returns how many.
 */
size_t crmf_export_select(crmf_customer ***out, crmf_customer *const *v, size_t n,
			  crmf_export_which which,
			  bool (*keep)(void *ctx, const crmf_customer *c), void *ctx);

/** Mask phones and emails in every value exported (crmf_export_mask_*). */
#define CRMF_EXPORT_REDACT 1u

/**
 * Flatten the `n` customers of `v` (documents kept: a scan in
 * CRMF_SCAN_DOCS mode) in that order with the configuration `cfg`. Always
 * succeeds; free with crmf_export_free. The customers must outlive nothing:
 * every text is copied.
 */
crmf_export *crmf_export_build(const crmf_customer *const *v, size_t n, const crmf_config *cfg,
			       unsigned flags);

/** crmf_export_build with the keys of the confidential fields (crmf.yaml
 * confidential:, `crypt` may be NULL): their values decrypted when the keys
 * open them, else CRMF_CRYPT_MASK (always with CRMF_EXPORT_REDACT). */
crmf_export *crmf_export_build_crypt(const crmf_customer *const *v, size_t n,
				     const crmf_config *cfg, const crmf_crypt *crypt,
				     unsigned flags);

/** Free an export; NULL is a no-op. */
void crmf_export_free(crmf_export *x);

/**
 * Write `x` as an .xlsx workbook at `fspath` (through libxlsxwriter): one
 * worksheet per sheet, the header row bold and frozen, an autofilter over
 * the data, date cells formatted yyyy-mm-dd (yyyy-mm-dd hh:mm with a time),
 * numbers #,##0.00, text cells as text (a phone is never a number).
 * `fspath` is written directly: the caller writes to a temporary file and
 * renames it. 0, or -1 with crmf_error_last().
 */
int crmf_export_xlsx(const crmf_export *x, const char *fspath);

/**
 * The contacts of the `n` customers as vCard 4.0 (RFC 6350), one card per
 * contact: FN, ORG (the company), TITLE, TEL, EMAIL, NOTE (the customer's
 * id and name), text escaped (\\ \, \; \n), lines ending in CRLF and
 * folded at 75 octets without splitting a character. Malloc'ed,
 * NUL-terminated, its length in *len.
 */
char *crmf_export_vcard(const crmf_customer *const *v, size_t n, unsigned flags, size_t *len);

/** crmf_export_vcard with confidential values as crmf_export_build_crypt
 * exports them (a masked one is left off the card). */
char *crmf_export_vcard_crypt(const crmf_customer *const *v, size_t n, const crmf_config *cfg,
			      const crmf_crypt *crypt, unsigned flags, size_t *len);

/** A phone with its middle digits masked: "+86 136 1512 0087" gives
 * "+86 136****0087", "13805742236" "138****2236". Malloc'ed. */
char *crmf_export_mask_phone(const char *phone);

/** An email with its local part masked: "zhangwei@example.cn" gives
 * "z***@example.cn". Malloc'ed. */
char *crmf_export_mask_email(const char *email);

#endif
