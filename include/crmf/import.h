/* SPDX-License-Identifier: MIT */
/* Spreadsheet rows to customer files: the column mapping, each row typed, rendered and checked. */
#ifndef CRMF_IMPORT_H
#define CRMF_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/doc.h"
#include "crmf/schema.h"
#include "crmf/sheet.h"
#include "crmf/text.h"

/*
 * The reading half of `crmf import` (issue 14): a sheet (crmf/sheet.h) and a
 * mapping give, for every data row, the bytes of a new customer file that
 * passes the checks of `crmf check`, or diagnostics located at the row's
 * cells. Nothing here touches a repository: ids still to allocate, ids
 * already in the repository, probable duplicates of existing customers and
 * the commit are the caller's.
 *
 * The default mapping knows the column names of the seed templates (客户信息
 * 基础表, 客户信息表) in Chinese and English; headers are compared after
 * folding full-width characters and ASCII case and dropping spaces, a
 * leading or trailing '*' and a trailing colon:
 *
 *   客户编号 编号 ID                      id
 *   客户名称 客户全称 公司名称 Name Company   name
 *   所属行业 行业 Industry                 industry
 *   企业规模 规模 Size                     size ("50人以下" is <50, "200人以上" >200,
 *                                          "50-200人" 50-200 when crmf.yaml lists them)
 *   客户来源 来源 Source                   source (or the one listed source the text holds:
 *                                          "展会参展" is 展会)
 *   建档日期 创建日期 Created               created (absent: the day of the import)
 *   负责人 客户经理 Owner                   owner (a team member by id, name or email;
 *                                          absent: the row's 跟进人)
 *   合作阶段 需求阶段 阶段 Stage            stage: 初次接触 lead, 需求沟通 intent, 方案提交
 *                                          intent, 合同谈判 negotiation, 合作中 customer,
 *                                          暂停合作 at-risk, and the labels 潜在期…流失
 *   客户类型 Customer type                  stage when 合作阶段 is empty: 潜在客户 lead,
 *                                          意向客户 intent, 成交客户 customer; 流失客户
 *                                          is always lost; neither: lead
 *   合作潜力 潜力 Potential                 potential (高 中 低, 高潜力…)
 *   意向等级 等级 Grade                     grade (A B C, A级…)
 *   标签 Tags                              tags (split at , ， ; ； 、 and line breaks)
 *   联系人 职位/职务 联系方式/电话/手机      the contact's name, title, phone,
 *   电子邮箱/邮箱                           email
 *   联系人2 职位2 电话2 邮箱2 … (up to 9)   more contacts (also "电话(2)", phone2; a
 *                                          numbered contact without a name is the first
 *                                          contact's other number, under that name);
 *                                          "张三/李四" in 联系人 with as many phones or
 *                                          emails ("138…/139…") in theirs: two contacts
 *   需求类型 需求描述 预算 期望合作时间      need.type, description, budget, timeline
 *   签约金额(万元)                          a deal's amount, times 10,000 (签约金额,
 *                                          金额, Amount: as written, in currency units)
 *   合作起始日期 签约日期 / 合同到期日       the deal's signed / expires
 *   最近跟进日期 跟进内容 跟进人 跟进方式     a follow-up: date, summary, by, method
 *   沟通对象 客户反馈                       (absent method: guessed from the summary,
 *                                          电话 phone, 拜访 visit…, else other)
 *   下次跟进计划 下一步 Next                 the follow-up's next action; a leading date
 *                                          ("2023-10-20电话确认") is its due date
 *   备注 Notes                             a comment line '# 备注: …' at the file's end
 *
 * and the field paths themselves ("contacts.phone", "need.type") and the
 * names of crmf.yaml's custom fields. Cell values: '-', '—', '/', 'N/A',
 * '无' and '暂无' are empty; dates are date cells or text as 2023-10-15,
 * 2023/10/15, 2023.10.15 or 2023年10月15日; numbers typed as numbers come
 * out as their digits (phones: 13906711234). A value that cannot be typed is
 * written as it is, so that the check names it at its cell.
 *
 * A mapping override (`import:` in crmf.yaml, or a file given to import):
 *
 *   import:
 *     sheet: 客户信息表          # which sheet, by name or 1-based number
 *     header_row: 2             # else the row among the first 20 naming most columns
 *     columns:                  # header -> field path, "skip", or {field:, scale:}
 *       手机: contacts.phone
 *       合同额(万元): {field: deals.amount, scale: 10000}
 *       内部编号: skip
 *     values:                   # field -> {value in the sheet: value stored}
 *       stage: {洽谈中: negotiation}
 *       source: {展会参展: 展会}
 *     constants:                # values of fields the sheet lacks (used when a row's is empty)
 *       size: 50-200
 *       need.type: 采购
 *
 * Pseudo-fields a column may name besides the field paths: customer_type
 * (客户类型), next_plan (下次跟进计划), note (备注). Contacts after the first
 * are contacts[1].phone, contacts[2].name… (0-based, as crmf's paths; at most 9).
 */

typedef struct crmf_import_map crmf_import_map;

/** The phases of an import, for a progress display. */
typedef enum crmf_import_phase {
	CRMF_IMPORT_CHECKING,	/* rows mapped and checked (crmf_import_sheet) */
	CRMF_IMPORT_COMPARING,	/* rows compared with the repository (crmf_change_import) */
	CRMF_IMPORT_WRITING,	/* files written */
	CRMF_IMPORT_COMMITTING, /* the commit (done 0 of 1, then 1 of 1) */
} crmf_import_phase;

/** Told now and then how far a phase is: `done` of `n`, the last call with done == n. */
typedef void crmf_import_progress_fn(void *ctx, crmf_import_phase phase, size_t done, size_t n);

/** The default mapping described above. Free with crmf_import_map_free. */
crmf_import_map *crmf_import_map_new(void);

/**
 * Apply the override `node` (the value of crmf.yaml's `import:`, or the
 * root of a mapping file; NULL or a null node changes nothing) to `map`.
 * Problems go to `diags` at their place in `path` (rules config-unknown-key,
 * config-type, config-value). 0, or -1 when there was an error.
 */
int crmf_import_map_load(crmf_import_map *map, const crmf_node *node, const char *path,
			 crmf_diags *diags);

/** The sheet the override names (NULL: the first one). */
const char *crmf_import_map_sheet(const crmf_import_map *map);

/** Free a mapping; NULL is a no-op. */
void crmf_import_map_free(crmf_import_map *map);

/** Options of crmf_import_sheet; a NULL pointer means all defaults. */
typedef struct crmf_import_options {
	/* What goes before '!' in a cell reference: "team.xlsx:客户信息表" (the
	 * import command's choice); NULL: the sheet's name. */
	const char *where;
	/* Today: the default `created`, and check's "in the future" warnings;
	 * 0 (1970-01-01) means crmf_date_today(). */
	crmf_day today;
	/* The header row; 0: the override's, else found. */
	uint32_t header_row;
	/* Rows checked so far (may be NULL): called from the workers, one at a time. */
	crmf_import_progress_fn *progress;
	void *progress_ctx;
} crmf_import_options;

/** A column of the sheet and what it fills. */
typedef struct crmf_import_column {
	uint32_t col;
	const char *header; /* as written in the header row */
	const char *field;  /* the field path or pseudo-field it fills, or NULL: not imported */
	double scale;	    /* amounts: multiplied by this (10000 for 万元) */
} crmf_import_column;

/** The id placeholder of a row whose id is to be allocated. */
#define CRMF_IMPORT_NEW_ID "import-new"

/** One data row. */
typedef struct crmf_import_row {
	uint32_t row;  /* the sheet's row number */
	char *id;      /* the sheet's id when valid; NULL when one must be allocated */
	char *yaml;    /* the customer file (id: `id`, else CRMF_IMPORT_NEW_ID), NUL-terminated */
	size_t len;
	size_t errors, warnings; /* diagnostics of this row (not counting `held`) */
	/* A row with an id: what it lacks to be a whole customer (rules
	 * missing-field, contact-reach, missing-potential), held back: said
	 * when the id is new, not when it is an existing customer's
	 * (crmf_change_import) */
	crmf_diags held;
	void *priv;    /* the row's typed values, for crmf_import_render */
} crmf_import_row;

typedef struct crmf_import {
	const crmf_sheet *sheet;
	char *where;
	uint32_t header_row;
	crmf_import_column *columns; /* every non-empty header cell, in column order */
	size_t n_columns;
	crmf_import_row *rows;	     /* every data row with a value in an imported column */
	size_t n_rows;
	size_t errors, warnings;     /* over every row and the header */
	void *priv;
} crmf_import;

/**
 * Map every data row of `sheet` (below the header row) to a customer file
 * with `map` (NULL: the default) and check it as `crmf check` does against
 * `cfg` (the repository's configuration: team, enums, custom fields; NULL:
 * the defaults). Diagnostics go to `diags`, each at its cell as
 * `<where>!F5` with line and column 0, the column's header in brackets at
 * the end of the message: `team.xlsx:客户信息表!F5: error: invalid email
 * 'x@@y'; write it as name@example.com (电子邮箱) [invalid-email]`. A
 * problem of a whole row (a required field no column gives) is at `<where>!5:5`,
 * of the header at its cell. Also reported: no header row found (-1),
 * columns that are not imported (warning, at the header), an id that is not
 * valid (warning; the row gets a new one), an id repeated in the sheet
 * (error), 下次跟进计划 without a follow-up to hold it (error). Returns 0
 * with *out set (also when rows have errors: see errors), or -1 with
 * crmf_error_last() when no header row is found. Free with crmf_import_free;
 * the workbook of `sheet` must outlive the import (the columns' headers are its
 * text). Rows are mapped and checked on every core; `cfg` and `map` are only read.
 */
int crmf_import_sheet(crmf_import **out, const crmf_sheet *sheet, const crmf_import_map *map,
		      const crmf_config *cfg, const crmf_import_options *opt, crmf_diags *diags);

/** The customer file of `row` rendered with the id `id` (the one allocated),
 * malloc'ed and NUL-terminated, its length in *len. The same bytes as
 * row->yaml but for the id. */
char *crmf_import_render(const crmf_import *imp, const crmf_import_row *row, const char *id,
			 size_t *len);

/** What a row changes in an existing customer's file (crmf_import_update). */
typedef struct crmf_import_changes {
	char *buf;	 /* the file edited, malloc'ed and NUL-terminated; NULL: no change */
	size_t len;
	crmf_lines what; /* one line per change: "stage: intent → negotiation",
			    "+ follow-up 2025-06-10 li.na: 电话沟通…", "+ contact 李四";
			    English: a commit's body */
	crmf_lines said; /* the same lines in the run's language, for the user */
} crmf_import_changes;

/**
 * Re-import: the customer file `file` (parsed, the customer of the row's id)
 * updated by `row` where the sheet differs, with minimal-diff edits
 * (crmf/edit.h: comments and every other byte stay). What the row gives:
 * - a scalar field (name, industry, stage…, need.*, custom fields) from a
 *   cell of its own that differs is set; an empty cell, a constant of the
 *   mapping or a default (created, stage lead, owner from 跟进人) changes
 *   nothing, but fills a field the file lacks; members compare as members
 *   (zhang.wei is 张伟), numbers as numbers;
 * - tags (and list fields) the file lacks are added, none removed;
 * - a contact none of the file's has by normalised phone, email or name is
 *   appended (one without a name is the file's first contact); one that
 *   matches gets the title, phone or email it lacks (its values are never
 *   replaced);
 * - a deal: the one signed the same day gets the amount and expiry that
 *   differ, else it is appended;
 * - the follow-up (by the file's owner when the row names no one) is
 *   appended unless the file has one of the same date, by (as a member) and
 *   summary;
 * - 备注 is appended as a comment unless the file holds its lines already.
 * Nothing is ever removed. 0 with *out set (out->buf NULL when nothing
 * changes), or -1 with crmf_error_last() when the file cannot be edited so
 * (a field that is not a scalar, a list that is not one…). The result is
 * parsed again but not checked: that is the caller's. Release with
 * crmf_import_changes_release.
 */
int crmf_import_update(crmf_import_changes *out, const crmf_import *imp,
		       const crmf_import_row *row, const crmf_doc *file);

/** Free what crmf_import_update gave; the struct is zeroed. */
void crmf_import_changes_release(crmf_import_changes *c);

/** Free an import and its rows; NULL is a no-op. */
void crmf_import_free(crmf_import *imp);

#endif
