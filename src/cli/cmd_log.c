/* crmf log: append one follow-up to a customer's file and commit it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crmf/fields.h"

static int run(int argc, char **argv);

enum {
	O_METHOD = 256,
	O_SUMMARY,
	O_WITH,
	O_FEEDBACK,
	O_NEXT,
	O_DUE,
	O_DATE,
	O_BY,
	O_AUTHOR,
	O_TODAY
};

static const struct cli_opt options[] = {
    {O_METHOD, 0, "method", "M", "phone, visit, email, meeting, wechat or other"},
    {O_SUMMARY, 0, "summary", "TEXT", "what was discussed, concretely"},
    {O_WITH, 0, "with", "NAME", "who was spoken to"},
    {O_FEEDBACK, 0, "feedback", "TEXT", "the customer's feedback"},
    {O_NEXT, 0, "next", "TEXT", "the next action"},
    {O_DUE, 0, "due", "DATE", "the deadline of --next (YYYY-MM-DD), not before --date"},
    {O_DATE, 0, "date", "DATE", "when: YYYY-MM-DD or 'YYYY-MM-DD HH:MM'; default today"},
    {O_BY, 0, "by", "NAME",
     "who followed up; default the team member matching git's\n"
     "identity (user.email, user.name, or --author)"},
    {O_AUTHOR, 0, "author", "A", "commit as A ('Name <email>') instead of git's identity"},
    {O_TODAY, 0, "today", "DATE", "the date taken for today (YYYY-MM-DD)"},
    {0},
};

const struct crmf_cmd cmd_log = {
    .name = "log",
    .run = run,
    .summary = "append a follow-up to a customer (--method, --summary …), committed",
    .synopsis = "ID --method METHOD --summary TEXT [--with NAME] [--feedback TEXT]\n"
		"    [--next TEXT] [--due DATE] [--date DATE] [--by NAME]\n"
		"    [--author 'NAME <EMAIL>'] [--today DATE]",
    .description = "Append a follow-up to customer ID (its id, or its file's path) and commit it:\n"
		   "  crmf log C2024001 --method phone --summary '确认交付周期可缩短到30天' \\\n"
		   "      --next '发送报价' --due 2025-06-20\n"
		   "The entry goes after the last one under `followups:` (which is created when\n"
		   "absent), indented like the file's other entries, keys in the order of the\n"
		   "format: date, by, method, with, summary, feedback, next, due. Nothing else\n"
		   "in the file changes. The result is validated first (a due date before the\n"
		   "follow-up's date, an unknown method… leave the file untouched). Your own\n"
		   "uncommitted edits of the file stay uncommitted (see 'crmf set --help').\n",
    .opts = options,
    .notes = "exit status: 0 logged and committed, 1 refused (invalid entry, unknown\n"
	     "member, no git identity, merge in progress) or saved but not committed,\n"
	     "2 usage error or unknown customer\n",
};

#define methods crmf_method_values
#define N_METHODS CRMF_N_METHODS

static int check_method(const char *m)
{
	const char *s;

	for (size_t i = 0; i < N_METHODS; i++)
		if (strcmp(m, methods[i]) == 0)
			return 0;
	s = crmf_suggest(m, methods, N_METHODS);
	if (s)
		return cli_usage_error(&cmd_log, "unknown method '%s'; did you mean '%s'?", m, s);
	return cli_usage_error(&cmd_log,
			       "unknown method '%s'; use phone, visit, email, meeting, wechat or "
			       "other",
			       m);
}

/* The follow-up, to append to each version of the file. */
struct entry {
	const crmf_edit_field *f;
	size_t nf;
};

static int append(crmf_edit **out, const crmf_doc *doc, void *ctx)
{
	const struct entry *x = ctx;

	if (crmf_edit_new(out, doc) == 0 &&
	    crmf_edit_append(*out, doc->root, "followups", x->f, x->nf) == 0)
		return 0;
	crmf_edit_free(*out);
	*out = NULL;
	return -1;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *method = NULL, *summary = NULL, *with = NULL, *feedback = NULL, *next = NULL,
		   *due = NULL, *date = NULL, *by_arg = NULL, *author = NULL, *today_arg = NULL;
	cli_change ch = {0};
	crmf_customer *old = NULL, *nc = NULL;
	crmf_diags before;
	crmf_edit *e = NULL;
	crmf_doc *nd = NULL;
	crmf_edit_field f[8];
	char *rel = NULL, *id = NULL, *by = NULL, *cut = NULL, *subject = NULL, *say = NULL;
	char today_buf[11];
	crmf_day today, day;
	size_t nf = 0;
	int c, minute, rc = EXIT_USAGE;

	crmf_diags_init(&before);
	cli_args_init(&args, &cmd_log, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case O_METHOD:
			method = args.arg;
			break;
		case O_SUMMARY:
			summary = args.arg;
			break;
		case O_WITH:
			with = args.arg;
			break;
		case O_FEEDBACK:
			feedback = args.arg;
			break;
		case O_NEXT:
			next = args.arg;
			break;
		case O_DUE:
			due = args.arg;
			break;
		case O_DATE:
			date = args.arg;
			break;
		case O_BY:
			by_arg = args.arg;
			break;
		case O_AUTHOR:
			author = args.arg;
			break;
		case O_TODAY:
			today_arg = args.arg;
			break;
		}
	}
	if (c < 0) {
		rc = args.status;
		goto done;
	}
	{
		const char *const vals[] = {method, summary,  with,    feedback,  next,
					    due,    date,     by_arg,  author,    today_arg};
		static const char *const names[] = {"--method", "--summary", "--with",   "--feedback",
						    "--next",   "--due",     "--date",   "--by",
						    "--author", "--today"};

		for (size_t i = 0; i < sizeof(vals) / sizeof(*vals); i++)
			if (cli_check_arg(&cmd_log, names[i], vals[i]) != EXIT_OK)
				goto done;
		for (int i = args.ind; i < argc; i++)
			if (cli_check_arg(&cmd_log, "the customer id", argv[i]) != EXIT_OK)
				goto done;
	}
	if (args.ind >= argc) {
		rc = cli_usage_error(&cmd_log, "which customer? give its id");
		goto done;
	}
	if (args.ind + 1 < argc) {
		rc = cli_usage_error(&cmd_log,
				     "one customer at a time ('%s' is one too many); "
				     "quote a summary with spaces",
				     argv[args.ind + 1]);
		goto done;
	}
	if (!method || !summary || !*summary) {
		rc = cli_usage_error(&cmd_log, "give --method and --summary");
		goto done;
	}
	if (check_method(method))
		goto done;
	if (date && crmf_datetime_parse(&day, &minute, date, strlen(date)) != 0) {
		rc = cli_usage_error(&cmd_log,
				     "invalid date '%s' for --date; write YYYY-MM-DD or "
				     "'YYYY-MM-DD HH:MM'",
				     date);
		goto done;
	}
	if (due && crmf_date_parse(&day, due, strlen(due)) != 0) {
		rc =
		    cli_usage_error(&cmd_log, "invalid date '%s' for --due; write YYYY-MM-DD", due);
		goto done;
	}
	if (due && !next) {
		rc = cli_usage_error(&cmd_log, "--due is the deadline of the next action: give "
					       "--next too");
		goto done;
	}
	if (cli_today(&today, today_arg))
		goto done;
	if (!date) {
		crmf_date_format(today, today_buf);
		date = today_buf;
	}
	rc = cli_change_begin(&ch, author, today);
	if (rc != EXIT_OK)
		goto done;
	rc = EXIT_USAGE;
	rel = cli_find_customer(ch.root, argv[args.ind], CLI_IN_CUSTOMERS | CLI_IN_ARCHIVE);
	if (!rel)
		goto done;
	id = cli_path_id(rel);
	rc = EXIT_FOUND;
	if (by_arg) {
		const crmf_member *m = crmf_config_member(ch.cfg, by_arg);

		by = strdup(m ? m->id : by_arg);
	} else {
		char *why = NULL;

		by = cli_me(&ch, &why);
		if (!by) {
			cli_error("who followed up? give --by NAME: %s", why);
			free(why);
			goto done;
		}
	}
	rc = cli_change_lock(&ch);
	if (rc != EXIT_OK)
		goto done;
	rc = EXIT_FOUND;
	if (cli_load(&old, &before, &ch, rel) != 0)
		goto done;
	f[nf++] = (crmf_edit_field){"date", date, cli_value_flags(ch.cfg, "followups.date", date)};
	f[nf++] = (crmf_edit_field){"by", by, CRMF_EDIT_TEXT};
	f[nf++] = (crmf_edit_field){"method", method, CRMF_EDIT_TEXT};
	if (with)
		f[nf++] = (crmf_edit_field){"with", with, CRMF_EDIT_TEXT};
	f[nf++] = (crmf_edit_field){"summary", summary, CRMF_EDIT_TEXT};
	if (feedback)
		f[nf++] = (crmf_edit_field){"feedback", feedback, CRMF_EDIT_TEXT};
	if (next)
		f[nf++] = (crmf_edit_field){"next", next, CRMF_EDIT_TEXT};
	if (due)
		f[nf++] =
		    (crmf_edit_field){"due", due, cli_value_flags(ch.cfg, "followups.due", due)};
	if (append(&e, old->doc, &(struct entry){f, nf}) != 0 ||
	    crmf_edit_finish(&nd, e, NULL) != 0) {
		cli_error("cannot add the follow-up to %s: %s; nothing changed", rel,
			  crmf_error_last());
		goto done;
	}
	if (cli_validate(&nc, &ch, rel, nd->src, nd->len, &before) != 0) {
		cli_error("nothing changed: %s would not be valid%s", rel,
			  old->errors ? " (it has errors already: fix them with 'crmf edit')" : "");
		goto done;
	}
	cut = cli_cut(summary, 50);
	if (asprintf(&subject, "crmf: log %s: %s %s %s", id, method, date, cut) < 0)
		abort();
	if (asprintf(&say, "%s: + follow-up %s %s\n", id, date, method) < 0)
		abort();
	rc = cli_save_change(&ch, rel, old->doc, nc->doc, append, &(struct entry){f, nf}, say,
			     &(crmf_commit_opts){.subject = subject,
						 .body = strcmp(cut, summary) ? summary : NULL,
						 .action = "log",
						 .customer = id});
done:
	free(say);
	free(subject);
	free(cut);
	crmf_customer_free(nc);
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_customer_free(old);
	crmf_diags_release(&before);
	free(by);
	free(id);
	free(rel);
	cli_change_end(&ch);
	return rc;
}
