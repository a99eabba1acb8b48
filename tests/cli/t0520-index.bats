#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The git index after crmf log and crmf set (written without libgit2 reading
# it): git finds nothing to do, the untracked cache is kept, and a commit made
# afterwards by git itself in another folder still has crmf's change (the
# cache-tree of crmf's folder was invalidated, not left naming the old tree).

load helper
bats_require_minimum_version 1.5.0

# Every file dated in the past and the index rewritten: no entry is racily
# clean, so crmf takes its fast path, and the untracked cache is there to
# show it (libgit2 would drop it).
settle() {
	find . -path ./.git -prune -o -type f -exec touch -d @1700000000 {} +
	git update-index --refresh >/dev/null
	git config core.untrackedCache true
	git status --porcelain >/dev/null
	LC_ALL=C grep -qa UNTR .git/index
}

# git's own commit of a change in customers/2024, then the tree it made.
commit_by_hand() {
	echo '# reviewed' >>customers/2024/C2024003.yaml
	git add customers/2024/C2024003.yaml
	git commit -qm 'by hand'
	run git show --name-only --format= HEAD
	assert_output customers/2024/C2024003.yaml
}

@test "index: crmf log, then git commits another folder: crmf's change stays" {
	make_example_repo
	cd repo
	echo scratch >notes.txt
	settle
	f=customers/2025/C2025002.yaml
	run crmf log C2025002 --method phone --summary '确认了下周的现场演示安排' --date 2025-06-16 --by li.na
	assert_success
	LC_ALL=C grep -qa UNTR .git/index
	git fsck --strict --no-dangling
	run git status --porcelain
	assert_output '?? notes.txt'
	git diff --cached --quiet
	git diff-files --quiet
	assert_equal "$(git ls-files -s "$f" | cut -c8-47)" "$(git hash-object "$f")"
	logged=$(git rev-parse HEAD:"$f")
	commit_by_hand
	assert_equal "$(git rev-parse HEAD:"$f")" "$logged"
	assert_equal "$(git rev-parse HEAD:"$f")" "$(git hash-object "$f")"
	run git status --porcelain
	assert_output '?? notes.txt'
}

@test "index: crmf set, then git commits another folder: crmf's change stays" {
	make_example_repo
	cd repo
	settle
	f=customers/2025/C2025003.yaml
	run crmf set C2025003 potential=high
	assert_success
	LC_ALL=C grep -qa UNTR .git/index
	git fsck --strict --no-dangling
	run git status --porcelain
	assert_output ''
	git diff --cached --quiet
	set_id=$(git rev-parse HEAD:"$f")
	commit_by_hand
	assert_equal "$(git rev-parse HEAD:"$f")" "$set_id"
	run git diff HEAD --stat
	assert_output ''
	# and once more on top: a second crmf change after git's commit
	settle
	run crmf log C2025003 --method email --summary '发送了报价单和付款条件' --date 2025-06-17 --by li.na
	assert_success
	LC_ALL=C grep -qa UNTR .git/index
	git fsck --strict --no-dangling
	commit_by_hand
	assert_equal "$(git rev-parse HEAD:"$f")" "$(git hash-object "$f")"
	run git status --porcelain
	assert_output ''
}
