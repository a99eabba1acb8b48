/* SPDX-License-Identifier: MIT */
/* The record sheets of a workbook (联系人, 合同, 跟进记录) read into the customers of an import. */
#ifndef CRMF_IMPORT_SHEETS_H
#define CRMF_IMPORT_SHEETS_H

#include "crmf/date.h"
#include "crmf/diag.h"
#include "crmf/import.h"
#include "crmf/schema.h"
#include "crmf/sheet.h"

/*
 * A customer has several contacts, deals and follow-ups; one row of the
 * customer sheet holds one of each. A workbook written by `crmf export`
 * (crmf/export.h), or made by hand the same way, lists them all in sheets of
 * their own, one row per record, keyed by 客户编号:
 *
 *   联系人 (Contacts)     联系人 职位 联系方式 电子邮箱 主要联系人 (是/否)
 *   合同 (Deals)          签约金额(元) (签约金额(万元): times 10,000) 合作起始日期 合同到期日
 *   跟进记录 (Followups)  跟进日期 跟进人 跟进方式 沟通对象 跟进内容 客户反馈 下一步 截止日期
 *
 * (and the field names: name, title, phone, email, primary, amount, signed,
 * expires, date, by, method, with, summary, feedback, next, due; 客户名称 is
 * for the reader and skipped). When such a sheet lists a customer of the
 * imported sheet, its rows, in their order, are that customer's contacts (or
 * deals, or follow-ups), in place of the ones the customer's own row gives.
 * Values are typed as the import types them: date cells or dates written
 * 2024-03-01, 2024/3/1 (a follow-up's with a time, 2025-06-09 16:00), amounts
 * as numbers, methods by value or crmf.yaml label (电话, 拜访, 邮件, 会议,
 * 微信, 其他 too), people by team id, name or email.
 */

/**
 * Read every record sheet of `wb` other than the imported one into the
 * rows of `imp` (made by crmf_import_sheet from a sheet of `wb`): each row's
 * customer file (row->yaml) gets the records, and is checked again against
 * `cfg` on `today`. Problems go to `diags` at their cells
 * (`team.xlsx:跟进记录!G5: error: …`), counted in the rows' and imp's
 * errors and warnings: a 客户编号 not among the imported customers (or
 * missing), a column not known (warning), and what the check finds in the
 * records. `base` names the file in those places ("team.xlsx"). Returns
 * the number of record sheets read.
 */
int crmf_import_records(crmf_import *imp, const crmf_workbook *wb, const crmf_config *cfg,
			const char *base, crmf_day today, crmf_diags *diags);

#endif
