#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf history: the audit trail of one customer from git, newest first, with
# field-level lines, across archive moves, --field and json.

load helper
bats_require_minimum_version 1.5.0

setup_history() {
	make_example_repo
	cd repo
	crmf set C2024004 stage=at-risk >/dev/null
	crmf log C2024004 --method phone --summary '确认续费9折方案' --by li.na --date 2025-06-16 >/dev/null
	crmf archive C2024004 --author 'Li Na <li.na@qiming.example.cn>' >/dev/null
}

@test "history: every commit, newest first, with its changes, across the archive move" {
	setup_history
	run crmf history C2024004
	assert_success
	ids=($(git log --format=%h --abbrev=7))
	assert_line --index 0 --regexp "^${ids[0]}  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} [+-][0-9]{4}  Li Na <li.na@qiming.example.cn>$"
	assert_line --index 1 '    crmf: archive C2024004: 上海味道坊餐饮管理有限公司'
	assert_line --index 2 '      moved customers/2024/C2024004.yaml → archive/C2024004.yaml'
	assert_line '    crmf: log C2024004: phone 2025-06-16 确认续费9折方案'
	assert_line '      + follow-up 2025-06-16 phone'
	assert_line '    crmf: set C2024004: stage: customer → at-risk'
	assert_line '      stage: customer → at-risk'
	assert_line '    example data'
	assert_line --regexp "^${ids[1]}  .*Test User <test@example.com>  \(customers/2024/C2024004.yaml\)$"
}

@test "history --field stage; --format json" {
	setup_history
	run crmf history C2024004 --field stage
	assert_success
	refute_output --partial 'follow-up'
	assert_line '      stage: customer → at-risk'
	run crmf history C2024004 --format json
	assert_success
	printf '%s' "$output" | python3 -c '
import json, sys
h = json.load(sys.stdin)
assert [e["subject"].split(":")[0:2] for e in h][:3] == [["crmf", " archive C2024004"], ["crmf", " log C2024004"], ["crmf", " set C2024004"]], h
assert h[2]["changes"] == ["stage: customer → at-risk"]
assert h[0]["path"] == "archive/C2024004.yaml" and len(h[0]["commit"]) == 40
'
}

@test "history: unknown customer exits 1; usage errors exit 2" {
	make_example_repo
	cd repo
	run crmf history C2099001
	assert_failure 1
	assert_output --partial "no commit touches customer 'C2099001'"
	run crmf history
	assert_failure 2
	run crmf history C1 C2
	assert_failure 2
}
