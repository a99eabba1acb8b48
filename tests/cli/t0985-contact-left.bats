#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# contacts[].left: a contact who left the company, set with crmf set, stays
# in the file and its history, leaves the card's table and the primary slot.

load helper
bats_require_minimum_version 1.5.0

@test "contacts[].left: set by path, kept in the file, out of the card and the primary slot" {
	make_example_repo
	cd repo
	export GIT_AUTHOR_NAME=张伟 GIT_AUTHOR_EMAIL=zhang.wei@qiming.example.cn
	export GIT_COMMITTER_NAME=张伟 GIT_COMMITTER_EMAIL=zhang.wei@qiming.example.cn
	f=customers/2024/C2024001.yaml
	run crmf set C2024001 'contacts[1].left=2025-06-01' --today 2025-06-16
	assert_success
	assert_line 'C2024001: + contacts[1].left: 2025-06-01'
	run git show --format= HEAD -- "$f"
	assert_line '+    left: 2025-06-01'
	run crmf show C2024001 --today 2025-06-16
	assert_success
	assert_line '  left: 顾晓东 (2025-06-01)'
	refute_line --regexp '^ +顾晓东 '
	assert_line --regexp '^  \*  周建国 '
	# the primary contact leaves: nobody is primary any more
	run crmf set C2024001 'contacts[0].left=2025-06-02' --today 2025-06-16
	assert_success
	run crmf show C2024001 --today 2025-06-16
	assert_line '  left: 周建国 (2025-06-02) 顾晓东 (2025-06-01)'
	refute_output --partial '*  '
	grep -q '^    primary: true' "$f"
	run crmf check "$f"
	assert_success
	# a date it is
	run crmf set C2024001 'contacts[2].left=soon' --today 2025-06-16
	assert_failure
	run crmf history C2024001 --field contacts
	assert_line --partial 'contacts[1].left: 2025-06-01'
}

@test "contacts[].left: out of list's contact columns, --sort and --count-by; --where still sees them" {
	make_example_repo
	cd repo
	export GIT_AUTHOR_NAME=张伟 GIT_AUTHOR_EMAIL=zhang.wei@qiming.example.cn
	export GIT_COMMITTER_NAME=张伟 GIT_COMMITTER_EMAIL=zhang.wei@qiming.example.cn
	crmf set C2024001 'contacts[1].left=2025-06-01' --today 2025-06-16 >/dev/null
	run crmf list --where 'id = C2024001' --columns id,contacts.name --today 2025-06-16
	assert_success
	assert_line --regexp '^C2024001 +周建国, 沈丽$'
	run crmf list --where 'contacts.name = 顾晓东' --columns id --today 2025-06-16
	assert_line 'C2024001'
	run crmf list --where 'id = C2024001' --count-by contacts.name --today 2025-06-16
	refute_output --partial '顾晓东'
	grep -q '顾晓东' customers/2024/C2024001.yaml
}
