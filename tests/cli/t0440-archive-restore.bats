#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf archive and restore: a move git sees as a rename, in one commit, bytes
# unchanged; several ids in one commit; --stale by rules.archive_after;
# restore back to the original subfolder; refusals.

load helper
bats_require_minimum_version 1.5.0

@test "archive: customers/2024/ID.yaml → archive/ID.yaml, a rename in one commit, bytes unchanged" {
	make_example_repo
	cd repo
	echo notes >notes.txt
	git add notes.txt
	sum=$(sha256sum <customers/2024/C2024005.yaml)
	run crmf archive C2024005
	assert_success
	assert_line 'C2024005: customers/2024/C2024005.yaml → archive/C2024005.yaml'
	assert_line --partial "committed $(git rev-parse --short=7 HEAD) \"crmf: archive C2024005: "
	[ ! -e customers/2024/C2024005.yaml ]
	[ "$(sha256sum <archive/C2024005.yaml)" = "$sum" ]
	run git show -M --name-status --format= HEAD
	assert_output 'R100	customers/2024/C2024005.yaml	archive/C2024005.yaml'
	run git log -1 --format=%b
	assert_line 'Crmf-Action: archive'
	assert_line 'Crmf-Customer: C2024005'
	run git status --porcelain
	assert_output 'A  notes.txt'
	git fsck --strict
	# archived customers are out of the agenda and cannot be archived twice
	run crmf archive C2024005
	assert_failure 2
	assert_output --partial "customer 'C2024005' is archived (archive/C2024005.yaml)"
}

@test "restore: back to the subfolder it came from, history follows both moves" {
	make_example_repo
	cd repo
	crmf archive C2024005
	run crmf restore C2024005
	assert_success
	assert_line 'C2024005: archive/C2024005.yaml → customers/2024/C2024005.yaml'
	run git show -M --name-status --format= HEAD
	assert_output 'R100	archive/C2024005.yaml	customers/2024/C2024005.yaml'
	run git log -1 --format=%s
	assert_output --partial 'crmf: restore C2024005: '
	run git log --follow --format=%s -- customers/2024/C2024005.yaml
	assert_line --index 2 'example data'
	run crmf restore C2024005
	assert_failure 2
	assert_output --partial 'is not archived'
}

@test "restore: a customer archived before crmf knew it goes to customers/ID.yaml" {
	make_example_repo
	cd repo
	run crmf restore C2023008
	assert_success
	assert_line 'C2023008: archive/C2023008.yaml → customers/C2023008.yaml'
}

@test "archive: several ids in one commit" {
	make_example_repo
	cd repo
	run crmf archive C2024005 C2024014
	assert_success
	run git log -1 --format=%s
	assert_output 'crmf: archive 2 customers: C2024005, C2024014'
	run git show -M --name-status --format= HEAD
	assert_line 'R100	customers/2024/C2024005.yaml	archive/C2024005.yaml'
	assert_line 'R100	customers/2024/C2024014.yaml	archive/C2024014.yaml'
	[ "${#lines[@]}" -eq 2 ]
	run git log -1 --format=%b
	assert_line 'Crmf-Customer: C2024005, C2024014'
}

@test "archive --stale: every customer without contact for archive_after (180d), one commit" {
	make_example_repo
	cd repo
	run crmf archive --stale -n --today 2025-06-16
	assert_success
	assert_output - <<'EOF'
C2024005: customers/2024/C2024005.yaml (no contact since 2024-10-15)
C2024014: customers/2024/C2024014.yaml (no contact since 2024-11-14)
C2024016: customers/2024/C2024016.yaml (no contact since 2024-11-20)
C2024019: customers/2024/C2024019.yaml (no contact since 2024-12-11)
EOF
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	run crmf archive --stale --today 2025-06-16
	assert_success
	run git log -1 --format=%s
	assert_output 'crmf: archive 4 customers: C2024005, C2024014, C2024016, C2024019'
	run git log -1 --format=%b
	assert_line 'C2024005: customers/2024/C2024005.yaml → archive/C2024005.yaml (no contact since 2024-10-15)'
	run crmf archive --stale --today 2025-06-16
	assert_success
	assert_output --partial 'no customer is stale'
	run crmf due --today 2025-06-16 --format csv
	refute_output --partial C2024005
}

@test "archive: refusals leave everything as it was" {
	make_example_repo
	cd repo
	before=$(tree_hash .)
	run crmf archive
	assert_failure 2
	run crmf archive C2024005 --stale
	assert_failure 2
	run crmf archive C2099001
	assert_failure 2
	cp archive/C2023008.yaml archive/C2024005.yaml
	before=$(tree_hash .)
	run crmf archive C2024005
	assert_failure 1
	assert_output 'crmf: archive/C2024005.yaml exists already; move it away first'
	[ "$(tree_hash .)" = "$before" ]
	sed -i 's/^stage: .*/stage: won/' customers/2024/C2024014.yaml
	rm archive/C2024005.yaml
	before=$(tree_hash .)
	run crmf archive C2024014
	assert_failure 1
	assert_output --partial "invalid stage 'won'"
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-list --count HEAD)" -eq 1 ]
}
