#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf commit: the customer files changed by hand (edited, new, deleted,
# moved), validated against the whole repository, committed with a message
# summarising each customer field by field; refused while any is invalid;
# nothing else staged swept in.

load helper
bats_require_minimum_version 1.5.0

@test "commit: hand edits to two customers, one commit, a line per change" {
	make_example_repo
	cd repo
	sed -i 's/^stage: customer$/stage: at-risk/' customers/2024/C2024004.yaml
	sed -i 's/^potential: high$/potential: medium/' customers/2025/C2025003.yaml 2>/dev/null || true
	sed -i 's/^potential: medium$/potential: high/' customers/2025/C2025003.yaml
	echo notes >notes.txt
	git add notes.txt
	run crmf commit
	assert_success
	assert_line 'C2024004: stage: customer → at-risk'
	assert_line 'C2025003: potential: medium → high'
	run git log -1 --format='%s%n%b'
	assert_output - <<'EOF'
crmf: commit 2 customers: C2024004, C2025003
C2024004: stage: customer → at-risk
C2025003: potential: medium → high

Crmf-Action: commit
Crmf-Customer: C2024004, C2025003
EOF
	run git show --name-status --format= HEAD
	assert_output - <<'EOF'
M	customers/2024/C2024004.yaml
M	customers/2025/C2025003.yaml
EOF
	run git status --porcelain
	assert_output 'A  notes.txt'
	git fsck --strict
	run crmf commit
	assert_success
	assert_output --partial 'nothing to commit'
}

@test "commit -m: the message's first line; a follow-up added by hand is named" {
	make_example_repo
	cd repo
	cat >>customers/2024/C2024004.yaml <<'EOF'
    -   date: 2025-06-16
        by: li.na
        method: phone
        summary: 确认续费9折方案
EOF
	run crmf commit -m '周一电话记录'
	assert_success
	run git log -1 --format='%s%n%b'
	assert_output - <<'EOF'
周一电话记录
C2024004: + follow-up 2025-06-16 phone

Crmf-Action: commit
Crmf-Customer: C2024004
EOF
}

@test "commit: new, deleted and moved files" {
	make_example_repo
	cd repo
	sed 's/C2024004/C2025010/' customers/2024/C2024004.yaml >customers/2025/C2025010.yaml
	git rm -q customers/2024/C2024019.yaml
	mv customers/2024/C2024016.yaml archive/
	run crmf commit
	assert_success
	assert_line 'C2024016: moved customers/2024/C2024016.yaml → archive/C2024016.yaml'
	assert_line 'C2024019: deleted, customers/2024/C2024019.yaml'
	assert_line 'C2025010: new, customers/2025/C2025010.yaml'
	run git show -M --name-status --format= HEAD
	assert_output - <<'EOF'
R100	customers/2024/C2024016.yaml	archive/C2024016.yaml
D	customers/2024/C2024019.yaml
A	customers/2025/C2025010.yaml
EOF
	run git status --porcelain
	assert_output ''
}

@test "commit: refused while a changed file is invalid; nothing committed" {
	make_example_repo
	cd repo
	sed -i 's/^stage: customer$/stage: at-risk/' customers/2024/C2024004.yaml
	sed -i 's/^stage: negotiation$/stage: won/' customers/2025/C2025003.yaml
	run crmf commit
	assert_failure 1
	assert_output --partial "customers/2025/C2025003.yaml:10:8: error: invalid stage 'won'"
	assert_output --partial 'nothing committed: 1 file has errors'
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	# a copy under another name duplicates an id: refused too
	sed -i 's/^stage: won$/stage: negotiation/' customers/2025/C2025003.yaml
	cp customers/2024/C2024004.yaml customers/C2024004.yaml
	run crmf commit
	assert_failure 1
	assert_output --partial 'C2024004'
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	rm customers/C2024004.yaml
	run crmf commit
	assert_success
}

@test "commit: a comment-only edit is said the way crmf history says it" {
	make_example_repo
	cd repo
	sed -i 's/^stage: customer$/stage: customer   # 续费谈判中/' customers/2024/C2024004.yaml
	run crmf commit
	assert_success
	assert_line 'C2024004: comments or layout changed'
	run git log -1 --format=%b
	assert_line --index 0 'C2024004: comments or layout changed'
	run crmf history C2024004
	assert_success
	assert_line --index 2 '      comments or layout changed'
}
