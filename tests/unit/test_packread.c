/* SPDX-License-Identifier: MIT */
/* Unit tests of packread.c: every object of packs written by the real git, read as libgit2 reads it. */
#include "repo_helpers.h"

#include <git2.h>

#include "crmf/store.h"
#include "packread.h"

/*
 * A repository whose history git packs with deep delta chains: a folder of
 * 300 files, one changed per commit for 120 commits (its tree a delta of the
 * last one's), then `git repack` with chains up to 50 deep.
 */
static void make_repo(char *d, const char *name, const char *repack)
{
	fmt(d, 4096, "%s/%s", base, name);
	sh("git init -q -b main '%s'", d);
	sh("cd '%s' && mkdir -p customers/2025 && for i in $(seq 100 399); do "
	   "printf 'id: C2025%%s\\nname: 第%%s号公司\\nstage: lead\\n' $i $i "
	   ">customers/2025/C2025$i.yaml; done && git add -A && git commit -qm first && "
	   "for i in $(seq 100 219); do printf 'stage: intent\\n' >>customers/2025/C2025$i.yaml && "
	   "git commit -qam \"c$i\"; done && %s",
	   d, repack);
}

/* Each object of the repository at `d`, compared: *n_read read by the reader, of *n_all. */
typedef struct cmp_ctx {
	git_odb *odb;
	crmf_packs *packs;
	size_t n_all, n_read, n_bad;
} cmp_ctx;

static int compare_one(const git_oid *id, void *arg)
{
	cmp_ctx *x = arg;
	git_odb_object *o = NULL;
	crmf_packed *p;

	x->n_all++;
	if (git_odb_read(&o, x->odb, id) < 0) {
		x->n_bad++;
		return 0;
	}
	p = crmf_packs_read(x->packs, id->id);
	if (p) {
		x->n_read++;
		if (p->type != (int)git_odb_object_type(o) || p->len != git_odb_object_size(o) ||
		    memcmp(p->data, git_odb_object_data(o), p->len) != 0 || p->data[p->len] != '\0')
			x->n_bad++;
		crmf_packed_release(p);
		/* again: from the cache this time */
		p = crmf_packs_read(x->packs, id->id);
		if (!p || p->len != git_odb_object_size(o) ||
		    memcmp(p->data, git_odb_object_data(o), p->len) != 0)
			x->n_bad++;
		crmf_packed_release(p);
	}
	git_odb_object_free(o);
	return 0;
}

static void compare_all(const char *d, cmp_ctx *x)
{
	git_repository *repo = NULL;
	char objects[4200];

	memset(x, 0, sizeof(*x));
	assert_int_equal(git_repository_open(&repo, d), 0);
	assert_int_equal(git_repository_odb(&x->odb, repo), 0);
	fmt(objects, sizeof(objects), "%s/.git/objects", d);
	x->packs = crmf_packs_open(objects);
	assert_non_null(x->packs);
	assert_int_equal(git_odb_foreach(x->odb, compare_one, x), 0);
	crmf_packs_close(x->packs);
	git_odb_free(x->odb);
	git_repository_free(repo);
}

/* Deep chains, offset deltas: every object read whole and the same. */
static void test_deep_chains(void **state)
{
	char d[4096];
	cmp_ctx x;
	int depth;

	(void)state;
	make_repo(d, "deep", "git repack -q -adf --depth=50 --window=50");
	/* the test is worth something only if git did make long chains */
	depth = atoi(out("cd '%s' && git verify-pack -v .git/objects/pack/*.idx | "
			 "awk 'NF >= 7 { if ($6 > m) m = $6 } END { print m + 0 }'",
			 d));
	assert_true(depth >= 15);
	compare_all(d, &x);
	assert_true(x.n_all > 600);
	assert_int_equal(x.n_read, x.n_all);
	assert_int_equal(x.n_bad, 0);
}

/* Reference deltas (a pack written without --delta-base-offset, as old
 * clients fetch them) and loose objects beside the pack: what is loose is
 * not the reader's, the rest is read. */
static void test_ref_deltas_and_loose(void **state)
{
	char d[4096], e[4096];
	cmp_ctx x;

	(void)state;
	make_repo(d, "src", "true");
	fmt(e, sizeof(e), "%s/refs", base);
	sh("git init -q -b main '%s' && git -C '%s' rev-list --objects --all | "
	   "git -C '%s' pack-objects -q --window=20 --depth=20 '%s/.git/objects/pack/pack' >/dev/null && "
	   "git -C '%s' update-ref refs/heads/main \"$(git -C '%s' rev-parse HEAD)\" && "
	   "git -C '%s' reset -q --hard",
	   e, d, d, e, e, d, e);
	/* the pack holds reference deltas */
	assert_true(atoi(out("cd '%s' && git verify-pack -v .git/objects/pack/*.idx | "
			     "awk 'NF >= 7' | wc -l",
			     e)) > 50);
	sh("cd '%s' && printf 'loose\\n' >loose.txt && git add loose.txt && git commit -qm loose", e);
	compare_all(e, &x);
	assert_true(x.n_all > 600);
	assert_int_equal(x.n_read, x.n_all - 3); /* the loose blob, tree and commit */
	assert_int_equal(x.n_bad, 0);
}

/* A damaged pack or index: nothing read wrong, nothing crashes. */
static void test_damaged(void **state)
{
	char d[4096], objects[4200];
	crmf_packs *ps;
	cmp_ctx x;
	git_repository *repo = NULL;
	git_oid head;
	git_commit *c = NULL;
	crmf_packed *p;
	size_t ok = 0, n = 0;
	long size;

	(void)state;
	make_repo(d, "damaged", "git repack -q -adf --depth=50 --window=50");
	compare_all(d, &x);
	assert_int_equal(x.n_bad, 0);
	/* bytes in the middle of the pack changed: objects read are still right or not read */
	size = atol(out("stat -c %%s '%s'/.git/objects/pack/*.pack", d));
	assert_true(size > 4096);
	sh("cd '%s'/.git/objects/pack && chmod u+w *.pack && "
	   "printf '\\377\\377\\377\\377\\377\\377\\377\\377' | "
	   "dd of=\"$(ls *.pack)\" bs=1 seek=%ld conv=notrunc 2>/dev/null",
	   d, size / 2);
	fmt(objects, sizeof(objects), "%s/.git/objects", d);
	ps = crmf_packs_open(objects);
	assert_non_null(ps);
	assert_int_equal(git_repository_open(&repo, d), 0);
	assert_int_equal(git_reference_name_to_id(&head, repo, "HEAD"), 0);
	/* every commit's tree through the reader: the damaged ones refused */
	for (int k = 0; k < 121; k++) {
		assert_int_equal(git_commit_lookup(&c, repo, &head), 0);
		p = crmf_packs_read(ps, git_commit_tree_id(c)->id);
		n++;
		if (p) {
			git_odb *odb = NULL;
			git_odb_object *o = NULL;

			assert_int_equal(git_repository_odb(&odb, repo), 0);
			if (git_odb_read(&o, odb, git_commit_tree_id(c)) == 0) {
				assert_int_equal(p->len, git_odb_object_size(o));
				assert_memory_equal(p->data, git_odb_object_data(o), p->len);
				ok++;
			}
			git_odb_object_free(o);
			git_odb_free(odb);
			crmf_packed_release(p);
		}
		if (git_commit_parentcount(c) == 0) {
			git_commit_free(c);
			break;
		}
		head = *git_commit_parent_id(c, 0);
		git_commit_free(c);
	}
	assert_true(n > 100);
	crmf_packs_close(ps);
	git_repository_free(repo);
	/* an index cut short, one of another version: the pack is not used */
	sh("cd '%s'/.git/objects/pack && chmod u+w *.idx && truncate -s 1000 *.idx", d);
	assert_null(crmf_packs_open(objects));
	sh("cd '%s'/.git/objects/pack && rm *.idx && printf '\\377tOc\\0\\0\\0\\3' >x.idx", d);
	assert_null(crmf_packs_open(objects));
	(void)ok;
}

static int setup_all(void **state)
{
	(void)state;
	return repo_setup("packread", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_deep_chains),
	    cmocka_unit_test(test_ref_deltas_and_loose),
	    cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests_name("packread", tests, setup_all, repo_teardown);
}
