#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf import of many rows (its blobs written as one pack, the files in one
# batch): the commit holds what `git add` stores for the same files, with a
# clean/smudge filter attributed or none; git status is clean, the index
# agrees with HEAD, what the user had staged stays staged and out of the
# commit, and no temporary file is left.

load helper
bats_require_minimum_version 1.5.0

printf 'leak:libpcre2-8.so\n' >"${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp"
export LSAN_OPTIONS="suppressions=${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

ROT='tr A-Za-z N-ZA-Mn-za-m'

# rows.csv: $1 new customers in the columns of the benchmark's sheet.
make_rows() {
	awk -v n="$1" 'BEGIN {
		printf "\xef\xbb\xbf客户名称,联系人,联系方式,电子邮箱,所属行业,合作阶段,企业规模,客户来源,需求类型,需求描述,合作潜力,region,最近跟进日期,跟进内容,跟进人\n"
		for (i = 1; i <= n; i++)
			printf "华东%d号精密制造有限公司,联系人%d,139%08d,buyer%d@example.cn,制造业/机械制造,需求沟通,50-200,展会,采购产品A,产线改造第%d期,中,华东,2025-06-10,电话沟通报价与交付周期 %d,li.na\n", i, i, i, i, i, i
	}' >"$TMP/rows.csv"
}

# Every file HEAD added is stored as `git add` stores it (through the
# filters), the index agrees with HEAD for them, and git status is clean.
stored_as_git_adds() {
	local f n=0
	for f in $(git diff-tree --no-commit-id --name-only -r HEAD); do
		n=$((n + 1))
		if [ "$(git rev-parse "HEAD:$f")" != "$(git hash-object --path="$f" "$f")" ]; then
			echo "HEAD:$f is not what git add stores"
			return 1
		fi
	done
	[ "$n" -eq "$1" ]
	git diff --cached --quiet HEAD -- customers
	run git status --porcelain
	assert_output "${2:-}"
	git fsck --no-progress --strict
}

@test "t0905 import: 40 rows without filters, committed as git add commits them, from one pack" {
	make_example_repo
	cd repo
	make_rows 40
	packs=$(find .git/objects/pack -name '*.pack' | wc -l)
	run crmf import "$TMP/rows.csv" --today 2025-06-16
	assert_success
	assert_line --partial 'import 40 customers from rows.csv (40 created, 0 updated)'
	stored_as_git_adds 40
	[ "$(find .git/objects/pack -name '*.pack' | wc -l)" -eq $((packs + 1)) ]
	# the same files added by git to a copy of the repository before the import give the same tree
	git clone -q . "$TMP/copy"
	git -C "$TMP/copy" reset -q --hard HEAD~1
	cp -r customers "$TMP/copy/"
	git -C "$TMP/copy" add -A
	[ "$(git -C "$TMP/copy" write-tree)" = "$(git rev-parse HEAD^{tree})" ]
	# nothing left in crmf's temporary folder
	[ -z "$(ls -A .git/crmf/tmp 2>/dev/null)" ]
}

@test "t0905 import: 40 rows through a clean/smudge filter: git add's blobs, the work tree plain" {
	make_example_repo
	cd repo
	git config filter.rot.clean "$ROT"
	git config filter.rot.smudge "$ROT"
	git config filter.rot.required true
	printf 'customers/2025/C20250[1-9]*.yaml filter=rot\n' >.gitattributes
	git add .gitattributes
	git commit -qm "filter"
	make_rows 40
	run crmf import "$TMP/rows.csv" --today 2025-06-16
	assert_success
	stored_as_git_adds 40
	f=$(git diff-tree --no-commit-id --name-only -r HEAD | head -1)
	grep -q '^stage:' "$f"
	! git cat-file blob "HEAD:$f" | grep -q '^stage:'
	git cat-file blob "HEAD:$f" | $ROT | cmp - "$f"
}

@test "t0905 import: a filter named only in info/attributes is applied too" {
	make_example_repo
	cd repo
	git config filter.rot.clean "$ROT"
	git config filter.rot.smudge "$ROT"
	mkdir -p .git/info
	printf 'customers/2025/C20250[1-9]*.yaml filter=rot\n' >.git/info/attributes
	make_rows 20
	run crmf import "$TMP/rows.csv" --today 2025-06-16
	assert_success
	stored_as_git_adds 20
	f=$(git diff-tree --no-commit-id --name-only -r HEAD | head -1)
	! git cat-file blob "HEAD:$f" | grep -q '^stage:'
}

@test "t0905 import: what the user staged stays staged and out of the commit" {
	make_example_repo
	cd repo
	printf '# notes\n' >notes.md
	git add notes.md
	make_rows 30
	run crmf import "$TMP/rows.csv" --today 2025-06-16
	assert_success
	! git show --name-only --format= HEAD | grep -q notes.md
	stored_as_git_adds 30 'A  notes.md'
}
