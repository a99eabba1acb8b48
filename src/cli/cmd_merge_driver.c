/* SPDX-License-Identifier: MIT */
/* `crmf merge-driver`: git's merge driver protocol around crmf's structural merge. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "crmf/merge.h"
#include "crmf/sync.h"

static int run(int argc, char **argv);

const struct crmf_cmd cmd_merge_driver = {
    .name = "merge-driver",
    .run = run,
    .summary = N_("merge a customer file by its structure (git's merge driver; see crmf setup)"),
    .synopsis = "BASE OURS THEIRS [PATH]",
    .description = N_("The merge driver git runs for customer files once 'crmf setup' (or 'crmf\n"
		   "init') has configured it: git config merge.crmf.driver is\n"
		   "'crmf merge-driver %O %A %B %P' and .gitattributes sends customers/ and\n"
		   "archive/ to it. BASE, OURS and THEIRS are the common ancestor's, our and\n"
		   "their versions of the file; the result is written over OURS. PATH, the\n"
		   "file's path in the work tree, finds crmf.yaml for validation.\n"
		   "\n"
		   "The merge follows the record's structure: follow-ups added on both sides\n"
		   "are all kept, in date order (one copy of an entry added on both sides);\n"
		   "fields, contacts and deals changed on one side each are all taken. The same\n"
		   "field changed to different values is a conflict marked around that field's\n"
		   "lines alone, with both values kept; so is a field changed on one side and\n"
		   "deleted on the other. A merged record that fails validation is a conflict\n"
		   "too. A side that is not valid YAML (say, with leftover conflict markers)\n"
		   "gives markers around the whole files. Lines no one changed keep their\n"
		   "bytes, comments included.\n"),
    .notes = N_("exit status: 0 merged cleanly, 1 conflict (explained on stderr), 2 error\n"),
    .in_order = true,
};

/* Exit status git reads as "could not merge at all" (above 1, per its protocol). */
enum { EXIT_DRIVER_ERROR = 2 };

static int slurp(char **out, size_t *len, const char *path)
{
	if (crmf_doc_read(out, len, path) != 0) {
		cli_error("cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The crmf root holding the work-tree path `path` (git runs drivers at the top of the work
 * tree) and the path relative to it; both NULL when there is none. */
static void locate(char **root, char **rel, const char *path)
{
	char *cwd = realpath(".", NULL), *dir;
	char *abs = NULL;
	size_t n;

	*root = *rel = NULL;
	if (!cwd)
		return;
	abs = path[0] == '/' ? strdup(path) : cli_path(cwd, path);
	dir = strdup(abs);
	if (!dir || !abs)
		abort();
	/* the file's folder may not exist here yet (added on their side) */
	for (;;) {
		struct stat st;
		char *slash = strrchr(dir, '/');

		if (!slash || slash == dir)
			break;
		*slash = '\0';
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			break;
	}
	if (crmf_repo_discover(root, dir) == 0) {
		n = strlen(*root);
		if (strncmp(abs, *root, n) == 0 && abs[n] == '/') {
			*rel = strdup(abs + n + 1);
		} else {
			free(*root);
			*root = NULL;
		}
	}
	free(dir);
	free(abs);
	free(cwd);
}

static crmf_config *load_config(const char *root)
{
	crmf_config *cfg = NULL;
	crmf_doc *doc = NULL;
	crmf_diags d;
	char *path = root ? cli_path(root, "crmf.yaml") : NULL;

	crmf_diags_init(&d);
	if (path && access(path, F_OK) == 0)
		crmf_doc_load(&doc, "crmf.yaml", path, &d);
	crmf_config_load(&cfg, doc && doc->root ? doc : NULL, &d);
	crmf_doc_free(doc);
	crmf_diags_release(&d);
	free(path);
	return cfg;
}

static void explain(const char *path, const crmf_merge_result *r)
{
	if (r->whole_file) {
		cli_error("%s: cannot merge by structure, a side is not valid YAML; both versions "
			  "are in the file between <<<<<<< and >>>>>>> lines",
			  path);
		/* under the side's name: "ours:3:1: error: ..." */
		cli_print_diags(stderr, &r->diags, FMT_TEXT);
	} else if (r->invalid) {
		cli_error(
		    "%s: the merged record is invalid; fix it, check it with crmf check, then "
		    "git add it",
		    path);
		for (size_t i = 0; i < r->diags.n; i++) {
			crmf_diag d = r->diags.v[i];

			d.path = (char *)path; /* as git names the file; only printed */
			cli_print_diag(stderr, &d);
		}
	} else {
		for (size_t i = 0; i < r->n_conflicts; i++) {
			const crmf_merge_conflict *c = &r->conflicts[i];

			fprintf(stderr,
				_("crmf: %s:%d: '%s' changed on both sides: ours '%s', theirs '%s'\n"),
				path, c->line, c->field ? c->field : "?",
				c->ours ? c->ours : "(deleted)",
				c->theirs ? c->theirs : "(deleted)");
		}
		fprintf(stderr,
			_("crmf: %s: keep one version between the <<<<<<< and >>>>>>> lines, delete "
			"the marker lines, run crmf check, then git add it\n"),
			path);
	}
}

/* A side as the work tree would have it; the buffer is replaced. */
static int smudge(char **buf, size_t *len, const char *root, const char *rel)
{
	char *w;
	size_t wl;

	if (crmf_sync_filter(&w, &wl, root, rel, *buf, *len, true) < 0)
		return -1;
	free(*buf);
	*buf = w;
	*len = wl;
	return 0;
}

static int run(int argc, char **argv)
{
	cli_args args;
	char *bases = NULL, *ours = NULL, *theirs = NULL, *root = NULL, *rel = NULL, *stored = NULL;
	size_t bl = 0, ol = 0, tl = 0, sl = 0;
	crmf_config *cfg = NULL;
	crmf_merge_opts mo;
	crmf_merge_result r;
	const char *path;
	int rc = EXIT_DRIVER_ERROR, m;

	/* in_order: git gives the paths, which may start with '-', after the options */
	cli_args_init(&args, &cmd_merge_driver, argc, argv);
	if (cli_args_next(&args) < 0) /* no option but -h */
		return args.status;
	if (argc - args.ind < 3 || argc - args.ind > 4)
		return cli_usage_error(&cmd_merge_driver,
				       "give BASE, OURS, THEIRS and (optionally) PATH");
	path = argc - args.ind == 4 ? argv[args.ind + 3] : argv[args.ind + 1];
	if (slurp(&bases, &bl, argv[args.ind]) < 0 || slurp(&ours, &ol, argv[args.ind + 1]) < 0 ||
	    slurp(&theirs, &tl, argv[args.ind + 2]) < 0)
		goto done;
	if (argc - args.ind == 4)
		locate(&root, &rel, path);
	/* git hands over the stored form (cleaned by filters such as git-crypt) and stores the
	 * result as it is: merge the YAML the work tree has, store it back cleaned */
	if (root && rel &&
	    (smudge(&bases, &bl, root, rel) < 0 || smudge(&ours, &ol, root, rel) < 0 ||
	     smudge(&theirs, &tl, root, rel) < 0)) {
		cli_error("%s: %s", path, crmf_error_last());
		goto done;
	}
	cfg = load_config(root);
	memset(&mo, 0, sizeof(mo));
	mo.cfg = cfg;
	mo.relpath = rel;
	m = crmf_merge_file(&r, bases, bl, ours, ol, theirs, tl, &mo);
	if (m >= 0 && root && rel &&
	    crmf_sync_filter(&stored, &sl, root, rel, r.buf, r.len, false) < 0) {
		cli_error("%s: %s", path, crmf_error_last());
		m = -2;
	}
	if (m == -2) {
		/* said above */
	} else if (m < 0) {
		cli_error("%s: %s", path, crmf_error_last());
	} else if (crmf_write_atomic(argv[args.ind + 1], stored ? stored : r.buf,
				     stored ? sl : r.len) < 0) {
		cli_error("cannot write the merge of '%s': %s", path, crmf_error_last());
	} else {
		if (m == 1)
			explain(path, &r);
		rc = m == 0 ? EXIT_OK : EXIT_FOUND;
	}
	crmf_merge_result_release(&r);
done:
	free(stored);
	crmf_config_free(cfg);
	free(bases);
	free(ours);
	free(theirs);
	free(root);
	free(rel);
	return rc;
}
