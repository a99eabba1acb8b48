/* SPDX-License-Identifier: MIT */
/* Unit tests of repository.c and change.c: the repository handle and every operation of a
 * change, each in a real temporary git repository made from examples/. */
#include "repo_helpers.h"

#include <unistd.h>

#include "crmf/change.h"
#include "crmf/repository.h"

static char src[4096];		     /* the source tree: examples/ is copied from there */
static const crmf_day TODAY = 20255; /* 2025-06-16 */

/* A fresh crmf repository `name` holding examples/ (crmf.yaml, customers, archive),
 * committed; its path into `dir`. */
static char *example(char *dir, const char *name)
{
	fresh(dir, name);
	sh("cp -r '%s/examples/crmf.yaml' '%s/examples/customers' '%s/examples/archive' '%s/'", src,
	   src, src, dir);
	sh("cd '%s' && git init -q && git add -A && git commit -qm 'example data'", dir);
	return dir;
}

/* The file of `rel` in `dir`, as a string (a static buffer). */
static const char *file(const char *dir, const char *rel)
{
	static char buf[65536];
	char path[4096];
	FILE *f;
	size_t n;

	fmt(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Whether the report holds an item of `kind` whose text (or diagnostic message) has `what`. */
static bool reported(const crmf_change_tx *tx, crmf_report_kind kind, const char *what)
{
	const crmf_report_item *v;
	size_t n = crmf_change_report(&v, tx);

	for (size_t i = 0; i < n; i++) {
		const char *t = kind == CRMF_REPORT_DIAG ? v[i].diag.message : v[i].text;

		if (v[i].kind == kind && t && strstr(t, what))
			return true;
	}
	return false;
}

/* Open `dir` and a change of it as of TODAY. */
static void begin(crmf_repository **r, crmf_change_tx **tx, const char *dir)
{
	assert_int_equal(crmf_repository_open(r, dir), 0);
	assert_int_equal(crmf_change_open(tx, *r, NULL, TODAY), 0);
}

static void end(crmf_repository *r, crmf_change_tx *tx)
{
	crmf_change_free(tx);
	crmf_repository_close(r);
}

static void test_repository_open(void **state)
{
	char dir[4096], sub[4096];
	crmf_repository *r = NULL;
	const crmf_config *cfg, *again;
	const crmf_identity *id;
	char *me = NULL, *why = NULL;

	(void)state;
	example(dir, "open");
	fmt(sub, sizeof(sub), "%s/customers/2024", dir);
	assert_int_equal(crmf_repository_open(&r, sub), 0);
	assert_string_equal(crmf_repository_root(r), dir);
	assert_int_equal(crmf_repository_config(&cfg, r), 0);
	assert_int_equal(crmf_repository_config(&again, r), 0);
	assert_ptr_equal(cfg, again); /* loaded once */
	assert_string_equal(cfg->id_format, "C{yyyy}{seq:3}");
	assert_false(crmf_repository_config_invalid(r));
	assert_int_equal(crmf_repository_identity(&id, r), 0);
	assert_string_equal(id->email, "author@example.com");
	/* the team has no such member; --author names one */
	assert_int_not_equal(crmf_repository_me(&me, &why, r, NULL), 0);
	assert_non_null(strstr(why, "matches no member of the team"));
	free(why);
	assert_int_equal(crmf_repository_me(&me, &why, r, "Li Na <li.na@qiming.example.cn>"), 0);
	assert_string_equal(me, "li.na");
	free(me);
	crmf_repository_close(r);
	crmf_repository_close(NULL);
}

static void test_repository_defaults_and_errors(void **state)
{
	char dir[4096], none[4096];
	crmf_repository *r = NULL;
	const crmf_config *cfg;

	(void)state;
	fresh(dir, "defaults");
	sh("cd '%s' && git init -q && mkdir customers && printf 'version: [\\n' > crmf.yaml", dir);
	assert_int_equal(crmf_repository_open(&r, dir), 0);
	assert_int_equal(crmf_repository_config(&cfg, r), 0);
	assert_non_null(cfg);
	assert_true(crmf_repository_config_invalid(r));
	assert_true(crmf_repository_config_diags(r)->errors > 0);
	crmf_repository_close(r);
	/* crmf.yaml as a link is refused */
	sh("cd '%s' && rm crmf.yaml && ln -s elsewhere.yaml crmf.yaml", dir);
	assert_int_equal(crmf_repository_open(&r, dir), 0);
	assert_int_equal(crmf_repository_config(&cfg, r), -1);
	assert_non_null(strstr(crmf_error_last(), "a symbolic link"));
	crmf_repository_close(r);
	fresh(none, "nogit");
	assert_int_equal(crmf_repository_open(&r, none), -1);
	assert_null(r);
}

static void test_find(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;

	(void)state;
	example(dir, "find");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_string_equal(crmf_change_path(tx), "customers/2024/C2024001.yaml");
	assert_string_equal(crmf_change_id(tx), "C2024001");
	assert_int_equal(crmf_change_find(tx, "c2024003", CRMF_IN_CUSTOMERS), 0);
	assert_string_equal(crmf_change_id(tx), "C2024003");
	assert_int_equal(crmf_change_find(tx, "customers/2024/C2024005.yaml", CRMF_IN_CUSTOMERS),
			 0);
	assert_string_equal(crmf_change_id(tx), "C2024005");
	assert_int_equal(crmf_change_find(tx, "C2024O01", CRMF_IN_CUSTOMERS), CRMF_CHANGE_UNKNOWN);
	assert_string_equal(crmf_change_suggestion(tx), "C2024001");
	assert_true(reported(tx, CRMF_REPORT_ERROR, "did you mean 'C2024001'?"));
	crmf_change_report_clear(tx);
	assert_int_equal(crmf_change_find(tx, "C2023008", CRMF_IN_CUSTOMERS), CRMF_CHANGE_UNKNOWN);
	assert_true(reported(tx, CRMF_REPORT_ERROR, "is archived (archive/C2023008.yaml)"));
	assert_int_equal(crmf_change_find(tx, "C2023008", CRMF_IN_ARCHIVE), 0);
	end(r, tx);
}

static void test_log(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	const char *f;

	(void)state;
	example(dir, "log");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_lock(tx), 0);
	assert_int_equal(crmf_change_load(tx), 0);
	assert_int_equal(
	    crmf_change_log(tx, &(crmf_log_entry){.date = "2025-06-16",
						  .by = "li.na",
						  .method = "phone",
						  .summary = "确认交付周期可缩短到30天",
						  .next = "发送报价",
						  .due = "2025-06-20"}),
	    0);
	assert_int_equal(crmf_change_commit(tx), 0);
	assert_true(reported(tx, CRMF_REPORT_SAID, "C2024001: + follow-up 2025-06-16 phone"));
	assert_int_equal(strlen(crmf_change_oid(tx)), 40);
	assert_null(crmf_change_not_committed(tx));
	assert_string_equal(crmf_change_subject(tx),
			    "crmf: log C2024001: phone 2025-06-16 确认交付周期可缩短到30天");
	f = file(dir, "customers/2024/C2024001.yaml");
	assert_non_null(strstr(f, "    due: 2025-06-20\n"));
	assert_string_equal(out("cd '%s' && git log -1 --format=%%B", dir),
			    "crmf: log C2024001: phone 2025-06-16 确认交付周期可缩短到30天||"
			    "Crmf-Action: log|Crmf-Customer: C2024001");
	assert_string_equal(out("cd '%s' && git status --porcelain", dir), "");
	end(r, tx);
}

static void test_log_invalid_refused(void **state)
{
	char dir[4096], before[65536];
	crmf_repository *r;
	crmf_change_tx *tx;

	(void)state;
	example(dir, "loginvalid");
	fmt(before, sizeof(before), "%s", file(dir, "customers/2024/C2024001.yaml"));
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_load(tx), 0);
	assert_int_equal(crmf_change_log(tx, &(crmf_log_entry){.date = "2025-06-16",
							       .by = "li.na",
							       .method = "phone",
							       .summary = "报价",
							       .next = "回访",
							       .due = "2025-06-01"}),
			 0);
	assert_int_equal(crmf_change_commit(tx), CRMF_CHANGE_REFUSED);
	assert_true(reported(tx, CRMF_REPORT_DIAG, "before"));
	assert_true(reported(tx, CRMF_REPORT_ERROR,
			     "nothing changed: customers/2024/C2024001.yaml "
			     "would not be valid"));
	assert_null(crmf_change_oid(tx));
	assert_string_equal(file(dir, "customers/2024/C2024001.yaml"), before);
	end(r, tx);
}

static void test_set_unset_and_nothing(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	crmf_assign set[] = {{"stage", "negotiation", false}, {"grade", NULL, true}};
	crmf_assign same[] = {{"stage", "negotiation", false}};

	(void)state;
	example(dir, "set");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024003", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_lock(tx), 0);
	assert_int_equal(crmf_change_load(tx), 0);
	assert_int_equal(crmf_change_set(tx, set, 2), 0);
	assert_int_equal(crmf_change_commit(tx), 0);
	assert_non_null(strstr(crmf_change_subject(tx), "crmf: set C2024003: stage: "));
	assert_non_null(strstr(crmf_change_subject(tx), "- grade: "));
	assert_non_null(strstr(file(dir, "customers/2024/C2024003.yaml"), "stage: negotiation"));
	assert_null(strstr(file(dir, "customers/2024/C2024003.yaml"), "\ngrade:"));
	assert_string_equal(out("cd '%s' && git log -1 --format='%%(trailers)'", dir),
			    "Crmf-Action: set|Crmf-Customer: C2024003");
	end(r, tx);
	/* the same value again: nothing to do */
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024003", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_load(tx), 0);
	assert_int_equal(crmf_change_set(tx, same, 1), CRMF_CHANGE_NOTHING);
	end(r, tx);
}

static void test_set_keeps_user_edits(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	crmf_assign set[] = {{"potential", "low", false}};

	(void)state;
	example(dir, "useredit");
	/* an uncommitted edit of the user's elsewhere in the file */
	sh("cd '%s' && sed -i 's/^region: .*/region: 华南/' customers/2024/C2024001.yaml", dir);
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_lock(tx), 0);
	assert_int_equal(crmf_change_load(tx), 0);
	assert_int_equal(crmf_change_set(tx, set, 1), 0);
	assert_int_equal(crmf_change_commit(tx), 0);
	/* the commit holds the change alone; the user's edit stays in the work tree */
	assert_string_equal(out("cd '%s' && git show HEAD:customers/2024/C2024001.yaml | grep "
				"'^region:'",
				dir),
			    "region: 华东");
	assert_string_equal(out("cd '%s' && git diff --stat | tail -1", dir),
			    " 1 file changed, 1 insertion(+), 1 deletion(-)");
	assert_non_null(strstr(file(dir, "customers/2024/C2024001.yaml"), "potential: low"));
	end(r, tx);
}

static void test_set_invalid_and_id(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	crmf_assign bad[] = {{"stage", "negotiating", false}};
	crmf_assign id[] = {{"id", "C1", false}};

	(void)state;
	example(dir, "setbad");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024003", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_load(tx), 0);
	assert_int_equal(crmf_change_set(tx, id, 1), CRMF_CHANGE_REFUSED);
	assert_true(reported(tx, CRMF_REPORT_ERROR, "the id cannot be changed"));
	assert_int_equal(crmf_change_set(tx, bad, 1), 0);
	assert_int_equal(crmf_change_commit(tx), CRMF_CHANGE_REFUSED);
	assert_true(reported(tx, CRMF_REPORT_DIAG, "negotiating"));
	assert_false(crmf_change_written(tx));
	end(r, tx);
}

static void test_check_new_warnings_only(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	char *buf = NULL;
	size_t len = 0;
	const crmf_report_item *v;

	(void)state;
	example(dir, "check");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_edit_begin(tx, &buf, &len), 0);
	crmf_change_report_clear(tx);
	/* the file as it is: valid, and no warning is new */
	assert_int_equal(crmf_change_check(tx, buf, len), 0);
	assert_int_equal(crmf_change_report(&v, tx), 0);
	/* an error is always said */
	assert_int_equal(crmf_change_check(tx, "id: C2024001\n", 13), CRMF_CHANGE_REFUSED);
	assert_true(crmf_change_report(&v, tx) > 0);
	assert_int_equal(v[0].kind, CRMF_REPORT_DIAG);
	free(buf);
	end(r, tx);
}

static void test_replace(void **state)
{
	char dir[4096], copy[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	char *buf = NULL, *p;
	size_t len = 0;

	(void)state;
	example(dir, "replace");
	fmt(copy, sizeof(copy), "%s/edited-copy.yaml", base);
	put(base, "edited-copy.yaml", "kept\n");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_edit_begin(tx, &buf, &len), 0);
	p = strstr(buf, "region: 华东");
	assert_non_null(p);
	memcpy(p, "region: 华南", strlen("region: 华南"));
	assert_int_equal(crmf_change_check(tx, buf, len), 0);
	assert_int_equal(crmf_change_replace(tx, buf, len, copy), 0);
	assert_string_equal(crmf_change_subject(tx), "crmf: edit C2024001: region");
	assert_true(reported(tx, CRMF_REPORT_SAID, "C2024001: region: 华东 → 华南"));
	assert_int_equal(access(copy, F_OK), -1); /* removed once written */
	assert_string_equal(out("cd '%s' && git log -1 --format=%%s", dir),
			    "crmf: edit C2024001: region");
	free(buf);
	end(r, tx);
}

static void test_replace_changed_meanwhile(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	example(dir, "meanwhile");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_edit_begin(tx, &buf, &len), 0);
	sh("cd '%s' && echo '# another change' >> customers/2024/C2024001.yaml", dir);
	assert_int_equal(crmf_change_replace(tx, buf, len, "/tmp/the-copy.yaml"),
			 CRMF_CHANGE_REFUSED);
	assert_true(reported(tx, CRMF_REPORT_ERROR,
			     "customers/2024/C2024001.yaml changed while you were editing it; "
			     "nothing written, your edit is kept in /tmp/the-copy.yaml"));
	free(buf);
	end(r, tx);
}

static void test_new(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	crmf_assign v[] = {{"industry", "IT服务/云计算", false},
			   {"size", "50-200", false},
			   {"region", "华东", false},
			   {"source", "展会", false},
			   {"contacts[0].name", "张伟", false},
			   {"contacts[0].phone", "13800138000", false},
			   {"need.type", "采购产品A", false},
			   {"need.description", "降低生产成本20%", false}};
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	example(dir, "new");
	assert_int_equal(crmf_repository_open(&r, dir), 0);
	assert_int_equal(crmf_change_open(&tx, r, "Li Na <li.na@qiming.example.cn>", TODAY), 0);
	assert_int_equal(crmf_change_new(tx, "杭州云启科技有限公司", v, 8, NULL, &buf, &len), 0);
	assert_null(crmf_change_new_owner_why(tx));
	assert_string_equal(crmf_change_id(tx), "C2025010");
	assert_string_equal(crmf_change_path(tx), "customers/2025/C2025010.yaml");
	assert_non_null(strstr(buf, "owner: li.na"));
	assert_int_equal(crmf_change_check(tx, buf, len), 0);
	/* another crmf takes the id meanwhile: the next is taken */
	put(dir, "customers/2025/C2025010.yaml", "id: C2025010\n");
	assert_int_equal(crmf_change_new_commit(tx, buf, len), 0);
	assert_string_equal(crmf_change_id(tx), "C2025011");
	assert_string_equal(crmf_change_subject(tx), "crmf: new C2025011: 杭州云启科技有限公司");
	assert_true(
	    reported(tx, CRMF_REPORT_SAID, "C2025011: created customers/2025/C2025011.yaml"));
	assert_non_null(strstr(file(dir, "customers/2025/C2025011.yaml"), "id: C2025011"));
	assert_string_equal(out("cd '%s' && git log -1 --format='%%an:%%(trailers)'", dir),
			    "Li Na:Crmf-Action: new|Crmf-Customer: C2025011");
	free(buf);
	end(r, tx);
}

static void test_archive_and_restore(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	const crmf_move *m;
	size_t n;

	(void)state;
	example(dir, "archive");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_lock(tx), 0);
	assert_int_equal(crmf_change_archive(tx, "C2024001"), 0);
	m = crmf_change_moves(tx, &n);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].to, "archive/C2024001.yaml");
	assert_int_equal(crmf_change_move(tx), 0);
	assert_string_equal(crmf_change_subject(tx),
			    "crmf: archive C2024001: 宁波甬达汽车零部件有限公司");
	assert_non_null(file(dir, "archive/C2024001.yaml"));
	assert_null(file(dir, "customers/2024/C2024001.yaml"));
	end(r, tx);
	/* back to where it was */
	assert_int_equal(crmf_repository_open(&r, dir), 0);
	assert_int_equal(crmf_change_open(&tx, r, NULL, TODAY), 0);
	assert_int_equal(crmf_change_restore(tx, "C2024001"), 0);
	m = crmf_change_moves(tx, &n);
	assert_string_equal(m[0].to, "customers/2024/C2024001.yaml");
	assert_int_equal(crmf_change_move(tx), 0);
	assert_non_null(file(dir, "customers/2024/C2024001.yaml"));
	assert_string_equal(out("cd '%s' && git status --porcelain", dir), "");
	end(r, tx);
	/* twice: refused as a wrong request */
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_archive(tx, "C2024001"), 0);
	assert_int_equal(crmf_change_archive(tx, "C2024001"), 0);
	assert_int_equal(crmf_change_move(tx), CRMF_CHANGE_UNKNOWN);
	assert_true(reported(tx, CRMF_REPORT_ERROR, "'C2024001' is given twice"));
	end(r, tx);
}

static void test_archive_stale(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	const crmf_move *m;
	size_t n;

	(void)state;
	example(dir, "stale");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_archive_stale(tx), 0);
	m = crmf_change_moves(tx, &n);
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(strstr(m[i].why, "no contact since "));
		assert_int_equal(strncmp(m[i].to, "archive/", 8), 0);
	}
	end(r, tx);
}

static void test_not_committed(void **state)
{
	char dir[4096];
	crmf_repository *r;
	crmf_change_tx *tx;
	crmf_assign set[] = {{"region", "华南", false}};

	(void)state;
	example(dir, "notcommitted");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_find(tx, "C2024001", CRMF_IN_CUSTOMERS), 0);
	assert_int_equal(crmf_change_lock(tx), 0);
	assert_int_equal(crmf_change_load(tx), 0);
	assert_int_equal(crmf_change_set(tx, set, 1), 0);
	/* another git takes the index meanwhile */
	sh("touch '%s/.git/index.lock'", dir);
	assert_int_equal(crmf_change_commit(tx), CRMF_CHANGE_REFUSED);
	assert_true(crmf_change_written(tx));
	assert_non_null(crmf_change_not_committed(tx));
	assert_non_null(strstr(crmf_change_not_committed(tx), "index.lock"));
	assert_null(crmf_change_oid(tx));
	assert_non_null(strstr(file(dir, "customers/2024/C2024001.yaml"), "region: 华南"));
	end(r, tx);
}

/* crmf_change_merge on the example's duplicate: conflicts refused, then settled. */
static void test_merge(void **state)
{
	char dir[4096];
	crmf_repository *r = NULL;
	crmf_change_tx *tx = NULL;
	const char *drops[] = {"C2025007"};
	const crmf_combine_take take[] = {{"C2024003", NULL}, {"C2025007", "source"}};
	const crmf_assign set[] = {{"potential", "high", false}};
	crmf_combine_opts o = {0};
	char *merged = NULL, *keep;
	size_t len = 0;

	(void)state;
	example(dir, "merge");
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_merge(tx, "C2024003", drops, 1, &o, &merged, &len),
			 CRMF_CHANGE_REFUSED);
	assert_true(reported(tx, CRMF_REPORT_ERROR, "conflict: stage: C2024003 has 'at-risk'"));
	assert_null(merged);
	end(r, tx);
	/* KEEP named as a DROP, an unknown id */
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_merge(tx, "C2024003", (const char *[]){"C2024003"}, 1, &o,
					   NULL, NULL),
			 CRMF_CHANGE_UNKNOWN);
	end(r, tx);
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_merge(tx, "C2024003", (const char *[]){"C2099999"}, 1, &o,
					   NULL, NULL),
			 CRMF_CHANGE_UNKNOWN);
	end(r, tx);
	/* a dry run: the result, nothing written */
	o.take = take;
	o.n_take = 2;
	o.set = set;
	o.n_set = 1;
	o.dry_run = true;
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_merge(tx, "C2024003", drops, 1, &o, &merged, &len), 0);
	assert_non_null(strstr(merged, "\nsource: 展会\n"));
	assert_non_null(strstr(merged, "\npotential: high\n"));
	assert_non_null(strstr(merged, "  - name: 蒋涛\n"));
	assert_non_null(strstr(merged, "\nmerged: [C2025007]\n"));
	assert_non_null(strstr(merged, "# 杭州恒拓：2024年7月签约"));
	assert_non_null(file(dir, "customers/2025/C2025007.yaml"));
	assert_string_equal(crmf_change_merge_path(tx, 1), "customers/2025/C2025007.yaml");
	end(r, tx);
	/* committed: KEEP is the result, DROP is gone */
	o.dry_run = false;
	begin(&r, &tx, dir);
	assert_int_equal(crmf_change_merge(tx, "C2024003", drops, 1, &o, NULL, NULL), 0);
	assert_non_null(crmf_change_oid(tx));
	keep = strdup(file(dir, "customers/2024/C2024003.yaml"));
	assert_string_equal(keep, merged);
	assert_null(file(dir, "customers/2025/C2025007.yaml"));
	free(keep);
	free(merged);
	end(r, tx);
}

static int setup_all(void **state)
{
	(void)state;
	if (!getcwd(src, sizeof(src)))
		return -1;
	return repo_setup("change", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_repository_open),
	    cmocka_unit_test(test_repository_defaults_and_errors),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_log),
	    cmocka_unit_test(test_log_invalid_refused),
	    cmocka_unit_test(test_set_unset_and_nothing),
	    cmocka_unit_test(test_set_keeps_user_edits),
	    cmocka_unit_test(test_set_invalid_and_id),
	    cmocka_unit_test(test_check_new_warnings_only),
	    cmocka_unit_test(test_replace),
	    cmocka_unit_test(test_replace_changed_meanwhile),
	    cmocka_unit_test(test_new),
	    cmocka_unit_test(test_archive_and_restore),
	    cmocka_unit_test(test_archive_stale),
	    cmocka_unit_test(test_not_committed),
	    cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests_name("change", tests, setup_all, repo_teardown);
}
