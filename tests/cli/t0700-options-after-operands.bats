#!/usr/bin/env bats
# Options may follow operands in every command (GNU-style), and '--' ends the
# options: what follows is an operand even when it starts with '-'.

load helper

@test "options after operands: show, check, due, list, init, sync" {
	make_example_repo
	cd repo
	run crmf show C2024001 --format json --today 2025-06-16
	assert_success
	assert_output --partial '"id": "C2024001"'
	run crmf check customers/2024/C2024001.yaml --format json
	assert_success
	assert_line --index 0 '{"files_checked": 1, "errors": 0, "warnings": 0, "diagnostics": []'
	run crmf due --owner li.na --format csv --today 2025-06-16
	assert_success
	assert_line --index 0 --partial 'due,overdue_days,id,name,owner,potential,stage,kind,reason,path'
	run crmf list --count-by owner --where 'stage = customer'
	assert_success
	assert_line --index 0 --regexp '^OWNER +COUNT$'
	run crmf sync nosuchremote --help
	assert_success
	assert_output --partial 'usage: crmf sync'
	cd "$TMP"
	run crmf init team2 --help
	assert_success
	assert_output --partial 'usage: crmf init'
}

@test "options after operands: '--' ends the options" {
	make_example_repo
	cd repo
	run crmf check -- --format
	assert_failure 2
	assert_output --partial "cannot read '--format'"
	run crmf show -- --today
	assert_failure
	refute_output --partial 'option'
}
