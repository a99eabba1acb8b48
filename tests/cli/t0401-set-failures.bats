#!/usr/bin/env bats
# When a change cannot be committed: a held index.lock, a merge in progress, a
# missing identity and a lock held by another crmf refuse before anything is
# written; an index.lock taken meanwhile leaves the file fully written and
# says "saved, not committed" (exit 1) until 'crmf commit'; a repository
# without commits (unborn branch) works.

load helper
bats_require_minimum_version 1.5.0

@test "set with index.lock held: refused before writing, nothing changed; the same command later commits" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	head=$(git rev-parse HEAD)
	before=$(tree_hash .)
	touch .git/index.lock
	run crmf set C2024004 stage=at-risk
	assert_failure 1
	assert_output "crmf: index.lock is held by another git process ('.git/index.lock'); when no git is running, remove it, then run the command again; nothing changed"
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ "$(tree_hash .)" = "$before" ]
	rm .git/index.lock
	run crmf set C2024004 stage=at-risk
	assert_success
	run git status --porcelain
	assert_output ''
}

@test "log with index.lock held: refused, the file untouched" {
	make_example_repo
	cd repo
	cp customers/2024/C2024004.yaml "$TMP/before"
	touch .git/index.lock
	run crmf log C2024004 --method phone --summary '确认续费折扣方案，客户同意按9折续签' --by li.na --date 2025-06-16
	assert_failure 1
	assert_output --partial 'nothing changed'
	cmp customers/2024/C2024004.yaml "$TMP/before"
}

@test "index.lock taken while the editor is open: saved, not committed, exit 1; crmf commit finishes it" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	head=$(git rev-parse HEAD)
	# another git starts while the user edits
	printf '#!/bin/sh
sed -i -e "s/^stage: customer$/stage: at-risk/" "$1"
touch "%s/repo/.git/index.lock"
' \
		"$TMP" >"$TMP/editor.sh"
	chmod +x "$TMP/editor.sh"
	EDITOR="$TMP/editor.sh" TMPDIR="$TMP" run crmf edit C2024004
	assert_failure 1
	assert_output --partial 'crmf: saved, not committed: '
	assert_output --partial 'index.lock'
	assert_output --partial "crmf commit"
	[ "$(git rev-parse HEAD)" = "$head" ]
	# fully written: the whole file is the edited one, and valid
	grep -q '^stage: at-risk$' "$f"
	[ "$(wc -l <"$f")" -eq "$(git show HEAD:$f | wc -l)" ]
	ls customers/2024 | grep -v '^C20240[0-9][0-9].yaml$' && false
	rm .git/index.lock
	crmf check "$f"
	run crmf commit
	assert_success
	assert_line 'C2024004: stage: customer → at-risk'
	run git log -1 --format=%s
	assert_output 'crmf: commit C2024004: stage'
	run git status --porcelain
	assert_output ''
	git fsck --strict
}

@test "merge in progress: refused before writing, file untouched" {
	make_example_repo
	cd repo
	git rev-parse HEAD >.git/MERGE_HEAD
	before=$(tree_hash .)
	run crmf set C2024004 stage=at-risk
	assert_failure 1
	assert_output --partial 'a merge is in progress'
	run crmf log C2024004 --method phone --summary '电话确认续费意向' --by li.na
	assert_failure 1
	assert_output --partial 'a merge is in progress'
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-list --count HEAD)" -eq 1 ]
}

@test "rebase in progress: refused" {
	make_example_repo
	cd repo
	mkdir .git/rebase-merge
	run crmf set C2024004 stage=at-risk
	assert_failure 1
	assert_output --partial 'rebase'
	git diff --quiet
}

@test "no git identity: a message saying how to set it, nothing written; --author works" {
	make_example_repo
	cd repo
	rm "$HOME/.gitconfig"
	before=$(tree_hash .)
	run crmf set C2024004 stage=at-risk
	assert_failure 1
	assert_output --partial 'no git identity'
	assert_output --partial 'user.email'
	assert_output --partial '--author'
	[ "$(tree_hash .)" = "$before" ]
	run crmf set C2024004 stage=at-risk --author 'Li Na <li.na@qiming.example.cn>'
	assert_success
	run git log -1 --format='%an|%ae|%s'
	assert_output 'Li Na|li.na@qiming.example.cn|crmf: set C2024004: stage: customer → at-risk'
}

@test "an unborn branch: crmf commit makes the first commit, then set works" {
	mkdir repo
	cd repo
	git init -q
	cp "$CRMF_SRC/examples/crmf.yaml" .
	mkdir -p customers
	cp "$CRMF_SRC/examples/customers/2024/C2024004.yaml" customers/
	run crmf commit -m 'first customers'
	assert_success
	run git log --format=%s
	assert_output 'first customers'
	run git show --name-status --format= HEAD
	assert_output 'A	customers/C2024004.yaml' # crmf.yaml is not a customer file
	run crmf set C2024004 potential=high
	assert_success
	[ "$(git rev-list --count HEAD)" -eq 2 ]
	git fsck --strict
}

@test "another crmf holding the lock: the change waits for it" {
	make_example_repo
	cd repo
	command -v flock >/dev/null || skip "flock(1) not installed"
	lock=.git/crmf.lock # see crmf_lock_acquire
	flock "$lock" sleep 2 &
	sleep 0.3
	start=$(date +%s)
	run crmf set C2024004 stage=at-risk
	assert_success
	[ $(($(date +%s) - start)) -ge 1 ]
	wait
}
