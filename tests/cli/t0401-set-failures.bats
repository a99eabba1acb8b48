#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# When a change cannot be committed: a held index.lock (also one taken while
# the editor is open), a merge in progress, a missing identity and a lock held
# by another crmf refuse before anything is written; a repository without
# commits (unborn branch) works. (A commit that fails after the file was
# written leaves it saved whole, "saved, not committed": t0660 sweeps that.)

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

@test "index.lock taken while the editor is open: nothing changed, the edit kept in its copy" {
	make_example_repo
	cd repo
	f=customers/2024/C2024004.yaml
	head=$(git rev-parse HEAD)
	before=$(tree_hash .)
	# another git starts while the user edits
	printf '#!/bin/sh\nsed -i -e "s/^stage: customer$/stage: at-risk/" "$1"\ntouch "%s/repo/.git/index.lock"\n' \
		"$TMP" >"$TMP/editor.sh"
	chmod +x "$TMP/editor.sh"
	mkdir "$TMP/t"
	EDITOR="$TMP/editor.sh" TMPDIR="$TMP/t" run crmf edit C2024004
	assert_failure 1
	assert_line --index 0 "crmf: index.lock is held by another git process ('.git/index.lock'); when no git is running, remove it, then run the command again; nothing changed"
	assert_line --index 1 --partial "crmf: nothing changed; your edit is kept in $TMP/t/crmf-C2024004-"
	[ "$(git rev-parse HEAD)" = "$head" ]
	rm .git/index.lock
	[ "$(tree_hash .)" = "$before" ]
	grep -q '^stage: at-risk$' "$TMP"/t/crmf-C2024004-*.yaml
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
