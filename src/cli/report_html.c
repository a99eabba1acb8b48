/* SPDX-License-Identifier: MIT */
/* crmf report --html: one self-contained page (inline CSS and SVG, no script, nothing from the network). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crmf/report.h"

/* text for HTML (and SVG): & < > " escaped */
static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char *label(const crmf_config *cfg, const char *field, const char *v)
{
	return crmf_config_label(cfg, field, v);
}

/* The page is Chinese whatever the locale (a document the team shares, its labels
 * from crmf.yaml), with the English word beside each heading: the goals' metrics
 * and statuses are named here so (their data- attributes keep the English keys). */
const char *cli_goal_metric_zh(const char *metric)
{
	static const char *const names[][2] = {
	    {"new_customers", "新增客户"}, {"followups", "跟进次数"},
	    {"customers_touched", "触达客户"}, {"deals", "签约数"},
	    {"deal_amount", "签约金额"},	   {"churn_rate", "流失率"},
	    {"plan_adherence", "计划完成率"}, {"overdue", "逾期客户"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(metric, names[i][0]) == 0)
			return names[i][1];
	return "";
}

static const char *goal_status_zh(const char *status)
{
	static const char *const names[][2] = {
	    {"no data", "无数据"}, {"met", "已达成"},	   {"missed", "未达成"},
	    {"behind", "落后"},    {"on track", "进度正常"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(status, names[i][0]) == 0)
			return names[i][1];
	return "";
}

/* An owner as the team knows them: the member's name from crmf.yaml, then the id. */
static void owner_cell(FILE *f, const crmf_config *cfg, const char *id)
{
	const crmf_member *m = cfg ? crmf_config_member(cfg, id) : NULL;

	if (m && m->name && strcmp(m->name, id) != 0) {
		esc(f, m->name);
		fputc(' ', f);
	}
	esc(f, id);
}

/* A chart of horizontal bars: one row per item, its label, its bar and its number; each
 * bar a <g class="bar" data-key data-value> so that the figures can be read from the DOM. */
static void hbars(FILE *f, const char *id, const char *title, const crmf_counts *c,
		  const crmf_config *cfg, const char *field, bool amounts)
{
	double max = 0;
	int row = 26, h = (int)c->n * row + 10;

	for (size_t i = 0; i < c->n; i++) {
		double v = amounts ? c->v[i].amount : (double)c->v[i].n;

		max = v > max ? v : max;
	}
	fprintf(f, "<figure id=\"%s\"><figcaption>", id);
	esc(f, title);
	fprintf(f, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 %d\" "
		   "width=\"640\" height=\"%d\" role=\"img\">\n",
		h, h);
	if (!c->n)
		fputs("<text x=\"0\" y=\"18\" class=\"none\">—</text>\n", f);
	for (size_t i = 0; i < c->n; i++) {
		double v = amounts ? c->v[i].amount : (double)c->v[i].n;
		double w = max > 0 ? v / max * 400 : 0;
		int y = (int)i * row + 4;

		fputs("<g class=\"bar\" data-key=\"", f);
		esc(f, c->v[i].key);
		fprintf(f, "\" data-value=\"%.15g\"><text x=\"150\" y=\"%d\" text-anchor=\"end\">", v,
			y + 15);
		if (field && strcmp(field, "owner") == 0)
			owner_cell(f, cfg, c->v[i].key);
		else
			esc(f, field ? label(cfg, field, c->v[i].key) : c->v[i].key);
		fprintf(f, "</text><rect x=\"160\" y=\"%d\" width=\"%.1f\" height=\"18\" rx=\"3\"/>"
			   "<text x=\"%.1f\" y=\"%d\" class=\"num\">%.15g</text></g>\n",
			y, w < 1 && v > 0 ? 1.0 : w, 166 + w, y + 15, v);
	}
	fputs("</svg></figure>\n", f);
}

/* A column chart (weeks, months): one column per item, labels under them. */
static void columns(FILE *f, const char *id, const char *title, const crmf_counts *c,
		    bool amounts)
{
	double max = 0;
	int col = c->n > 12 ? 640 / (int)c->n : 50, h = c->n ? 220 : 30;

	for (size_t i = 0; i < c->n; i++) {
		double v = amounts ? c->v[i].amount : (double)c->v[i].n;

		max = v > max ? v : max;
	}
	fprintf(f, "<figure id=\"%s\"><figcaption>", id);
	esc(f, title);
	fprintf(f, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		   "width=\"%d\" height=\"%d\" role=\"img\">\n",
		(int)c->n * col + 20, h, (int)c->n * col + 20, h);
	if (!c->n)
		fputs("<text x=\"0\" y=\"18\" class=\"none\">—</text>\n", f);
	for (size_t i = 0; i < c->n; i++) {
		double v = amounts ? c->v[i].amount : (double)c->v[i].n;
		double bh = max > 0 ? v / max * 150 : 0;
		int x = (int)i * col + 10;

		fputs("<g class=\"bar\" data-key=\"", f);
		esc(f, c->v[i].key);
		fprintf(f, "\" data-value=\"%.15g\"><rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
			   "rx=\"2\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\" class=\"num\">%.15g"
			   "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">",
			v, x + 4, 180 - bh, col - 8, bh, x + col / 2, 174 - bh, v, x + col / 2, 198);
		esc(f, c->v[i].key);
		fputs("</text></g>\n", f);
	}
	fputs("</svg></figure>\n", f);
}

static void stat(FILE *f, const char *name, const char *fmt, double v)
{
	fputs("<div class=\"stat\"><span>", f);
	esc(f, name);
	fputs("</span><b>", f);
	if (v < 0)
		fputs("—", f);
	else
		fprintf(f, fmt, v);
	fputs("</b></div>\n", f);
}

static const char css[] =
    "body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',"
    "'WenQuanYi Micro Hei',sans-serif;margin:24px;color:#222}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:1px solid #ccc;"
    "padding-bottom:4px;margin-top:28px}\n"
    ".stats{display:flex;flex-wrap:wrap;gap:10px}.stat{border:1px solid #ddd;border-radius:6px;"
    "padding:8px 12px;min-width:120px}\n"
    ".stat span{display:block;font-size:12px;color:#666}.stat b{font-size:20px}\n"
    "figure{margin:12px 0;break-inside:avoid}figcaption{font-weight:bold;margin-bottom:6px}\n"
    "svg text{font-size:12px;fill:#333}svg rect{fill:#3b7dd8}svg .num{fill:#222}\n"
    "svg .axis{font-size:10px}table{border-collapse:collapse;font-size:13px}\n"
    "td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th:first-child,"
    "td:first-child{text-align:left}\n"
    "@page{size:A4;margin:15mm}@media print{body{margin:0}h2{break-after:avoid}}\n";

void cli_report_html(FILE *f, const crmf_report *rep, const crmf_config *cfg)
{
	char since[11], until[11];
	crmf_counts overdue = {0};
	crmf_count ov[64];

	crmf_date_format(rep->since, since);
	crmf_date_format(rep->until, until);
	fputs("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; img-src data:\">\n<title>",
	      f);
	fprintf(f, "客户报告 %s – %s", since, until);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
	fprintf(f, "<h1>客户报告 %s – %s</h1>\n<p>", since, until);
	if (rep->owner)
		owner_cell(f, cfg, rep->owner);
	else
		fputs("全团队", f);
	fputs("</p>\n<h2>活动 Activity</h2>\n<div class=\"stats\">\n", f);
	stat(f, "跟进次数 follow-ups", "%.0f", (double)rep->team.followups);
	stat(f, "触达客户 customers touched", "%.0f", (double)rep->team.touched);
	stat(f, "新增客户 new customers", "%.0f", (double)rep->team.new_customers);
	stat(f, "计划完成率 plan adherence", "%.0f%%",
	     rep->team.adherence < 0 ? -1 : rep->team.adherence * 100);
	stat(f, "期末逾期 overdue at end", "%.0f", (double)rep->team.overdue_at_end);
	fputs("</div>\n", f);
	columns(f, "followups-per-week", "每周跟进 Follow-ups per week", &rep->team.by_week, false);
	hbars(f, "followups-by-method", "跟进方式 Follow-ups by method", &rep->team.by_method, cfg,
	      "method", false);
	/* overdue by owner */
	overdue.v = ov;
	for (size_t i = 0; i < rep->n_owners && i < 64; i++)
		ov[overdue.n++] = (crmf_count){rep->owners[i].owner, rep->owners[i].a.overdue_at_end, 0};
	hbars(f, "overdue-by-owner", "逾期客户（按负责人） Overdue by owner", &overdue, cfg, "owner",
	      false);
	if (rep->n_owners) {
		fputs("<table id=\"owners\"><tr><th>负责人</th><th>跟进</th><th>触达</th><th>新增</th>"
		      "<th>计划</th><th>按时</th><th>延迟</th><th>未完成</th><th>逾期</th></tr>\n",
		      f);
		for (size_t i = 0; i < rep->n_owners; i++) {
			const crmf_report_activity *a = &rep->owners[i].a;

			fputs("<tr><td>", f);
			owner_cell(f, cfg, rep->owners[i].owner);
			fprintf(f, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td>"
				   "<td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
				a->followups, a->touched, a->new_customers, a->planned, a->on_time,
				a->late, a->open, a->overdue_at_end);
		}
		fputs("</table>\n", f);
	}
	fputs("<h2>销售漏斗 Pipeline</h2>\n<div class=\"stats\">\n", f);
	for (int s = 0; s < 3; s++) {
		char name[128];

		snprintf(name, sizeof(name), "%s → %s", label(cfg, "stage", rep->steps[s].from),
			 label(cfg, "stage", rep->steps[s].to));
		stat(f, name, "%.0f%%", rep->steps[s].rate < 0 ? -1 : rep->steps[s].rate * 100);
	}
	fputs("</div>\n", f);
	hbars(f, "funnel", "漏斗 Funnel", &rep->funnel, cfg, "stage", false);
	fputs("<h2>价值 Value</h2>\n<div class=\"stats\">\n", f);
	stat(f, "签约数 deals", "%.0f", (double)rep->deals);
	stat(f, "签约金额 amount", "%.0f", rep->deal_amount);
	stat(f, "复购客户 repurchases", "%.0f", (double)rep->repurchases);
	stat(f, "流失客户 churned", "%.0f", (double)rep->churned);
	stat(f, "流失率 churn rate", "%.1f%%", rep->churn_rate < 0 ? -1 : rep->churn_rate * 100);
	stat(f, "转为沉睡 turned dormant", "%.0f", (double)rep->turned_dormant);
	stat(f, "潜力客户激活 win-back activated", "%.0f", (double)rep->winback_activated);
	fputs("</div>\n", f);
	columns(f, "deals-by-month", "每月签约金额 Deals by month", &rep->deals_by_month, true);
	if (rep->n_goals) {
		static const char *const per[] = {"本周 week", "本月 month", "本季度 quarter", "本年 year"};

		fputs("<h2>目标 Goals</h2>\n<table id=\"goals\"><tr><th>目标 goal</th><th>周期 period</th>"
		      "<th>完成 value</th><th>目标值 target</th><th>进度 progress</th><th>状态 status</th></tr>\n",
		      f);
		for (size_t i = 0; i < rep->n_goals; i++) {
			const crmf_report_goal *g = &rep->goals[i];
			bool rate = strcmp(g->goal->metric, "churn_rate") == 0 ||
				    strcmp(g->goal->metric, "plan_adherence") == 0;
			double frac = g->goal->value > 0 && g->value > 0 ? g->value / g->goal->value : 0;

			const char *zh = cli_goal_metric_zh(g->goal->metric);

			fprintf(f, "<tr class=\"goal\" data-metric=\"%s\" data-value=\"%.15g\" "
				   "data-status=\"%s\"><td>%s%s%s</td><td>%s</td>",
				g->goal->metric, g->value, g->status, zh, *zh ? " " : "", g->goal->metric,
				per[g->goal->per]);
			if (rate)
				fprintf(f, "<td>%.1f%%</td><td>%s %.1f%%</td>", g->value < 0 ? 0 : g->value * 100,
					g->goal->is_max ? "≤" : "≥", g->goal->value * 100);
			else
				fprintf(f, "<td>%.15g</td><td>%s %.15g</td>", g->value, g->goal->is_max ? "≤" : "≥",
					g->goal->value);
			fprintf(f, "<td><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"12\">"
				   "<rect x=\"0\" y=\"0\" width=\"120\" height=\"12\" style=\"fill:#e4e4e4\"/>"
				   "<rect x=\"0\" y=\"0\" width=\"%.1f\" height=\"12\"/></svg></td><td>%s%s%s</td></tr>\n",
				(frac > 1 ? 1 : frac) * 120, goal_status_zh(g->status),
				*goal_status_zh(g->status) ? " " : "", g->status);
		}
		fputs("</table>\n", f);
	}
	fputs("<h2>客户构成 Shares</h2>\n", f);
	hbars(f, "stage-shares", "需求阶段 Stage", &rep->shares[CRMF_SHARE_STAGE], cfg, "stage", false);
	hbars(f, "quadrant-shares", "客户象限 Quadrant", &rep->shares[CRMF_SHARE_QUADRANT], cfg,
	      "quadrant", false);
	hbars(f, "potential-shares", "合作潜力 Potential", &rep->shares[CRMF_SHARE_POTENTIAL], cfg,
	      "potential", false);
	fputs("<p class=\"foot\">crmf " CRMF_VERSION "</p>\n</body>\n</html>\n", f);
}
