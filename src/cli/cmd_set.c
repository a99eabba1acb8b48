/* crmf set: change values of one customer in place, every other byte of its file kept. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv);

static const struct cli_opt options[] = {
    {'u', 0, "unset", "KEY", "remove the optional field or item KEY (repeatable)"},
    {'a', 0, "author", "A", "commit as A ('Name <email>') instead of git's identity"},
    {'t', 0, "today", "DATE", "the date against which future dates are judged"},
    {0},
};

const struct crmf_cmd cmd_set = {
    .name = "set",
    .run = run,
    .summary = "change values of a customer in place (stage=negotiation …), committed",
    .synopsis = "ID KEY=VALUE… [--unset KEY]… [--author 'NAME <EMAIL>'] [--today DATE]",
    .description = "Change values of customer ID (its id, or its file's path) in place and\n"
		   "commit the change. KEY is a field, or a path into the file:\n"
		   "  crmf set C2024001 stage=negotiation potential=high\n"
		   "  crmf set C2024001 'contacts[0].phone=+86 138 0013 8000' need.budget=80万\n"
		   "A key that is absent is added to its mapping; values are quoted where\n"
		   "another YAML reader would take them for a number, a date or a boolean.\n"
		   "Everything else in the file stays byte for byte: comments, order, quoting,\n"
		   "indentation, line ends. The result is validated first: when it would be\n"
		   "invalid, the problems are printed and the file is left untouched. The\n"
		   "commit message names each change (`stage: intent → negotiation`).\n"
		   "\n"
		   "Your own uncommitted edits of the file stay out of the commit: the change\n"
		   "is made on the committed version and committed, and on your edit in the\n"
		   "work tree (and in the index when it was staged). When your edit touches\n"
		   "what is set, or the file was never committed, nothing changes: run 'crmf\n"
		   "commit' or 'git stash' first.\n"
		   "\n"
		   "KEY= with no value is refused: to remove an optional field, use --unset.\n"
		   "Lists and mappings are changed item by item (contacts[1].email=…), or\n"
		   "with 'crmf edit'. The id cannot be changed: it is the file's name.\n",
    .opts = options,
    .notes = "exit status: 0 changed and committed (or nothing to change), 1 refused\n"
	     "(invalid result, no git identity, merge in progress) or saved but not\n"
	     "committed, 2 usage error or unknown customer\n",
    .opt_width = 16,
};

struct assign {
	const char *key; /* points into argv, NUL at the '=' */
	const char *value;
	bool unset;
};

/* The commit subject's summary: the changes when they are short, else the fields. */
static char *summary(const cli_lines *lines, const cli_lines *keys)
{
	char *s = cli_lines_join(lines, ", ");

	if (strlen(s) <= 100)
		return s;
	free(s);
	return cli_lines_join(keys, ", ");
}

static int edit_all(crmf_edit *e, const crmf_doc *doc, const struct assign *v, size_t n,
		    const crmf_config *cfg)
{
	for (size_t i = 0; i < n; i++) {
		crmf_edit_target t;

		for (size_t k = 0; k < i; k++)
			if (strcmp(v[k].key, v[i].key) == 0) {
				cli_error("'%s' is given twice", v[i].key);
				return -1;
			}
		if (strcmp(v[i].key, "id") == 0) {
			cli_error("the id cannot be changed: it is the file's name");
			return -1;
		}
		if (crmf_edit_find(&t, doc, v[i].key) != 0) {
			cli_error("cannot %s '%s': %s", v[i].unset ? "unset" : "set", v[i].key,
				  crmf_error_last());
			return -1;
		}
		if (v[i].unset) {
			if (!t.node)
				continue; /* already absent */
			if (crmf_edit_delete(e, v[i].key) != 0) {
				cli_error("cannot unset '%s': %s", v[i].key, crmf_error_last());
				return -1;
			}
			continue;
		}
		if (t.node && t.node->type != CRMF_NODE_SCALAR) {
			cli_error("'%s' is a %s; set its items one by one (like "
				  "'contacts[0].phone=…') or use 'crmf edit'",
				  v[i].key, t.node->type == CRMF_NODE_MAPPING ? "mapping" : "list");
			return -1;
		}
		if (t.node && !crmf_node_is_null(t.node) && strcmp(t.node->value, v[i].value) == 0)
			continue; /* already so */
		if (crmf_edit_set(e, v[i].key, v[i].value,
				  cli_value_flags(cfg, v[i].key, v[i].value)) != 0) {
			cli_error("cannot set '%s': %s", v[i].key, crmf_error_last());
			return -1;
		}
	}
	return 0;
}

/* The assignments, to make on each version of the file. */
struct assigns {
	const struct assign *v;
	size_t n;
	const crmf_config *cfg;
};

static int assign_all(crmf_edit **out, const crmf_doc *doc, void *ctx)
{
	const struct assigns *a = ctx;

	if (crmf_edit_new(out, doc) == 0 && edit_all(*out, doc, a->v, a->n, a->cfg) == 0)
		return 0;
	crmf_edit_free(*out);
	*out = NULL;
	return -1;
}

static int run(int argc, char **argv)
{
	cli_args args;
	const char *author = NULL, *today_arg = NULL, *arg;
	struct assign *v = calloc((size_t)argc + 1, sizeof(*v));
	size_t n = 0;
	cli_change ch = {0};
	crmf_customer *old = NULL, *nc = NULL;
	crmf_diags before;
	crmf_edit *e = NULL;
	crmf_doc *nd = NULL;
	cli_lines lines = {0}, keys = {0}, say = {0};
	char *rel = NULL, *id = NULL, *sum = NULL, *body = NULL, *subject = NULL, *said = NULL;
	crmf_day today;
	int c, rc = EXIT_USAGE;

	if (!v)
		abort();
	crmf_diags_init(&before);
	cli_args_init(&args, &cmd_set, argc, argv);
	while ((c = cli_args_next(&args)) > 0) {
		switch (c) {
		case 'u':
			if (!args.arg[0]) {
				rc = cli_usage_error(&cmd_set, "--unset needs a key");
				goto done;
			}
			v[n].key = args.arg;
			v[n++].unset = true;
			break;
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
	if (args.ind >= argc) {
		rc = cli_usage_error(&cmd_set, "which customer? give its id");
		goto done;
	}
	arg = argv[args.ind++];
	for (; args.ind < argc; args.ind++) {
		char *a = argv[args.ind], *eq = strchr(a, '=');

		if (!eq || eq == a) {
			rc = cli_usage_error(&cmd_set, "'%s' is no KEY=VALUE", a);
			goto done;
		}
		*eq = '\0';
		if (!eq[1]) {
			rc = cli_usage_error(&cmd_set,
					     "no value for '%s'; write %s=VALUE, or --unset %s to "
					     "remove an optional field",
					     a, a, a);
			goto done;
		}
		v[n].key = a;
		v[n++].value = eq + 1;
	}
	if (n == 0) {
		rc = cli_usage_error(&cmd_set, "nothing to set: give KEY=VALUE or --unset KEY");
		goto done;
	}
	if (cli_check_arg(&cmd_set, "the customer id", arg) != EXIT_OK ||
	    cli_check_arg(&cmd_set, "--author", author) != EXIT_OK ||
	    cli_check_arg(&cmd_set, "--today", today_arg) != EXIT_OK)
		goto done;
	for (size_t i = 0; i < n; i++)
		if (cli_check_assign(&cmd_set, v[i].key, v[i].value) != EXIT_OK)
			goto done;
	if (cli_today(&today, today_arg))
		goto done;
	rc = cli_change_begin(&ch, author, today);
	if (rc != EXIT_OK)
		goto done;
	rc = EXIT_USAGE;
	rel = cli_find_customer(ch.root, arg, CLI_IN_CUSTOMERS | CLI_IN_ARCHIVE);
	if (!rel)
		goto done;
	id = cli_path_id(rel);
	rc = cli_change_lock(&ch);
	if (rc != EXIT_OK)
		goto done;
	rc = EXIT_FOUND;
	if (cli_load(&old, &before, &ch, rel) != 0)
		goto done;
	if (crmf_edit_new(&e, old->doc) != 0 || edit_all(e, old->doc, v, n, ch.cfg) != 0)
		goto done;
	if (crmf_edit_count(e) == 0) {
		printf("nothing to change: %s already has %s\n", id,
		       n == 1 ? "that value" : "those values");
		rc = EXIT_OK;
		goto done;
	}
	if (crmf_edit_finish(&nd, e, NULL) != 0) {
		cli_error("cannot change %s: %s; nothing changed", rel, crmf_error_last());
		goto done;
	}
	if (cli_validate(&nc, &ch, rel, nd->src, nd->len, &before) != 0) {
		cli_error("nothing changed: %s would not be valid%s", rel,
			  old->errors ? " (it has errors already: fix them with 'crmf edit')" : "");
		goto done;
	}
	cli_describe_changes(&lines, &keys, old->doc, nc->doc);
	if (lines.n == 0)
		cli_lines_add(&lines, "comments or layout changed");
	sum = summary(&lines, &keys);
	if (asprintf(&subject, "crmf: set %s: %s", id, sum) < 0)
		abort();
	body = lines.n > 1 || strcmp(sum, lines.v[0]) != 0 ? cli_lines_join(&lines, "\n") : NULL;
	for (size_t i = 0; i < lines.n; i++)
		cli_lines_add(&say, "%s: %s\n", id, lines.v[i]);
	said = cli_lines_join(&say, "");
	rc = cli_save_change(
	    &ch, rel, old->doc, nc->doc, assign_all, &(struct assigns){v, n, ch.cfg}, said,
	    &(crmf_commit_opts){.subject = subject, .body = body, .action = "set", .customer = id});
done:
	cli_lines_release(&say);
	free(said);
	cli_lines_release(&lines);
	cli_lines_release(&keys);
	free(subject);
	free(body);
	free(sum);
	crmf_customer_free(nc);
	crmf_doc_free(nd);
	crmf_edit_free(e);
	crmf_customer_free(old);
	crmf_diags_release(&before);
	free(id);
	free(rel);
	free(v);
	cli_change_end(&ch);
	return rc;
}
