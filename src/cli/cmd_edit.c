/* crmf edit: open a customer's file in the user's editor, validate the result, commit it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'a', 0, "author", "A", "commit as A ('Name <email>') instead of git's identity"},
    {'t', 0, "today", "DATE", "the date against which future dates are judged"},
    {0},
};

const struct crmf_cmd cmd_edit = {
    .name = "edit",
    .run = run,
    .summary = "edit a customer in $EDITOR: validated, then committed",
    .synopsis = "ID [--author 'NAME <EMAIL>'] [--today DATE]",
    .description = "Open a copy of customer ID's file (ID: its id, or its file's path) in\n"
		   "$VISUAL, else $EDITOR, else vi. When the editor exits:\n"
		   "  - unchanged: nothing happens;\n"
		   "  - invalid: the problems are printed with the real file's name, and you\n"
		   "    choose to (e)dit again or (a)bort; on abort (and always when standard\n"
		   "    input is no terminal) the file is left as it was and the path of your\n"
		   "    edited copy is printed, so that nothing you typed is lost;\n"
		   "  - valid: the file is replaced and committed, with a message listing the\n"
		   "    fields that changed.\n"
		   "The repository is not locked while the editor is open; if the file changed\n"
		   "meanwhile (another crmf command), your copy is kept and nothing is written.\n"
		   "The editor shows the file as it is in the work tree: uncommitted changes of\n"
		   "yours in it (a note says so) are committed with your edit, as by\n"
		   "'git commit FILE'.\n",
    .opts = options,
    .notes = "exit status: 0 saved and committed, or no changes; 1 aborted, refused or\n"
	     "saved but not committed; 2 usage error or unknown customer\n",
    .opt_width = 16,
};

static int run(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL, *today_arg = NULL;
	cli_change ch = {0};
	crmf_customer *nc = NULL;
	crmf_doc *od = NULL, *hd = NULL;
	crmf_diags before;
	crmf_versions ver = {0};
	cli_lines lines = {0}, keys = {0};
	char *rel = NULL, *id = NULL, *fspath = NULL, *buf = NULL, *now = NULL, *copy = NULL;
	char *subject = NULL, *body = NULL, *fields = NULL;
	size_t len = 0, now_len = 0;
	crmf_day today;
	int c, rc = EXIT_USAGE;

	crmf_diags_init(&before);
	cli_args_init(&args, &cmd_edit, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'a':
			author = args.arg;
			break;
		case 't':
			today_arg = args.arg;
			break;
		}
	}
	if (c < 0) {
		rc = args.status;
		goto done;
	}
	if (args.ind + 1 != argc) {
		rc = cli_usage_error(&cmd_edit, args.ind == argc ? "which customer? give its id"
								 : "one customer at a time");
		goto done;
	}
	if (cli_today(&today, today_arg))
		goto done;
	rc = cli_change_begin(&ch, author, today);
	if (rc != EXIT_OK)
		goto done;
	rc = EXIT_USAGE;
	rel = cli_find_customer(ch.root, argv[args.ind], CLI_IN_CUSTOMERS | CLI_IN_ARCHIVE);
	if (!rel)
		goto done;
	rc = EXIT_FOUND;
	id = cli_path_id(rel);
	fspath = cli_path(ch.root, rel);
	if (cli_read_file(&buf, &len, fspath) != 0) {
		cli_error("cannot read %s: %s", rel, strerror(errno));
		goto done;
	}
	/* the file's earlier problems, so that only new warnings are shown */
	crmf_doc_parse(&od, rel, buf, len, &before);
	if (od && od->root) {
		crmf_customer *oc = NULL;
		crmf_doc *copy_doc = NULL;
		crmf_diags scratch;

		/* the customer takes its document: check a second parse, keep od */
		crmf_diags_init(&scratch);
		crmf_doc_parse(&copy_doc, rel, buf, len, &scratch);
		crmf_diags_release(&scratch);
		crmf_check_customer(&oc, copy_doc, rel, ch.cfg, today, &before);
		crmf_customer_free(oc);
	}
	/* the editor shows the file as the user has it: say that it is more than HEAD's */
	if (crmf_read_versions(&ver, ch.root, rel) == 0 && ver.state != CRMF_FILE_CLEAN)
		fprintf(stderr,
			"note: %s has uncommitted changes; the editor shows them and they are "
			"committed with your edit ('git diff HEAD -- %s' shows them)\n",
			rel, rel);
	switch (cli_edit_loop(&nc, &copy, &ch, rel, buf, len, true, &before)) {
	case CLI_EDIT_UNCHANGED:
		printf("no changes\n");
		rc = EXIT_OK;
		goto done;
	case CLI_EDIT_ABORTED:
		goto done;
	}
	if (cli_change_lock(&ch) != EXIT_OK) {
		cli_error("nothing changed; your edit is kept in %s", copy);
		goto done;
	}
	if (cli_read_file(&now, &now_len, fspath) != 0 || now_len != len ||
	    memcmp(now, buf, len) != 0) {
		cli_error(
		    "%s changed while you were editing it; nothing written, your edit is kept "
		    "in %s",
		    rel, copy);
		goto done;
	}
	/* the message names everything the commit holds: from HEAD's version */
	if (ver.head) {
		crmf_diags scratch;

		crmf_diags_init(&scratch);
		crmf_doc_parse(&hd, rel, ver.head, ver.head_len, &scratch);
		crmf_diags_release(&scratch);
	}
	cli_describe_changes(&lines, &keys, hd && hd->root ? hd : od, nc->doc);
	fields = keys.n ? cli_lines_join(&keys, ", ") : strdup("comments and layout");
	if (asprintf(&subject, "crmf: edit %s: %s", id, fields) < 0)
		abort();
	body = lines.n ? cli_lines_join(&lines, "\n") : NULL;
	for (size_t i = 0; i < lines.n; i++)
		printf("%s: %s\n", id, lines.v[i]);
	if (crmf_store_check_path(ch.root, rel) != 0 ||
	    crmf_write_atomic(fspath, nc->doc->src, nc->doc->len) != 0) {
		cli_error("cannot write %s: %s; nothing changed, your edit is kept in %s", rel,
			  crmf_error_last(), copy);
		goto done;
	}
	unlink(copy);
	rc = cli_change_commit(
	    &ch, &(crmf_commit_path){rel, false}, 1,
	    &(crmf_commit_opts){
		.subject = subject, .body = body, .action = "edit", .customer = id});
done:
	cli_lines_release(&lines);
	cli_lines_release(&keys);
	free(fields);
	free(subject);
	free(body);
	crmf_customer_free(nc);
	crmf_doc_free(od);
	crmf_doc_free(hd);
	crmf_versions_release(&ver);
	crmf_diags_release(&before);
	free(copy);
	free(now);
	free(buf);
	free(fspath);
	free(id);
	free(rel);
	cli_change_end(&ch);
	return rc;
}
