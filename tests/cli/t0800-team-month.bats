#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Issue 13, a team's first month: what a new team met, each as a test that
# failed before. Next actions answered by a later follow-up; tables that fit
# the terminal by cutting names first.

load helper
bats_require_minimum_version 1.5.0
EX="$CRMF_SRC/examples"

@test "t0800 a later follow-up answers the earlier next action in due, show and list" {
	make_example_repo
	cd repo
	crmf log C2024004 --method phone --summary 客户要报价 --next 发送报价单 --due 2025-06-18 \
		--date 2025-06-16 --by li.na >/dev/null
	run crmf due --today 2025-06-20 --format csv
	assert_line --partial 'C2024004,上海味道坊餐饮管理有限公司,li.na,low,customer,next-action,发送报价单 (next action)'
	crmf log C2024004 --method email --summary 已发送报价单 --date 2025-06-17 --by li.na >/dev/null
	# days later the quotation is no longer overdue: the cadence applies again
	run crmf due --today 2025-06-20 --within 30d --format csv
	refute_output --partial '发送报价单'
	assert_line --partial 'C2024004,上海味道坊餐饮管理有限公司,li.na,low,customer,cadence,"cadence: low potential, every 30d"'
	run crmf show C2024004 --today 2025-06-20
	refute_line --partial '发送报价单 (next action)'
	assert_line --regexp '^next due +2025-07-17'
	run crmf list --today 2025-06-20 --where 'id = C2024004' --columns id,next_due,kind,reason --format csv
	assert_output $'id,next_due,kind,reason\r\nC2024004,2025-07-17,cadence,"cadence: low potential, every 30d"\r'
}

@test "t0800 the cache gives the same answer as a fresh check" {
	make_example_repo
	cd repo
	crmf log C2024004 --method phone --summary 客户要报价 --next 发送报价单 --due 2025-06-18 \
		--date 2025-06-16 --by li.na >/dev/null
	crmf log C2024004 --method email --summary 已发送报价单 --date 2025-06-16 --by li.na >/dev/null
	crmf due --today 2025-06-20 --within 30d --format csv >warm1.csv
	crmf due --today 2025-06-20 --within 30d --format csv >warm2.csv
	crmf due --today 2025-06-20 --within 30d --format csv --no-cache >cold.csv
	cmp warm2.csv cold.csv
	cmp warm1.csv cold.csv
	! grep -q 发送报价单 cold.csv
}

@test "t0800 at 80 columns the agenda cuts names before the reason" {
	COLUMNS=80 crmf -C "$EX" due --today 2025-06-16 >due80.txt
	grep -q '重庆渝工机…   chen.hao   春节后电话确认预算' due80.txt
	COLUMNS=80 crmf -C "$EX" list --today 2025-06-16 >list80.txt
	# the dates of the last column are whole
	grep -q 'C2024001  .*2025-06-1[0-9]$' list80.txt
}

@test "t0800 check of a folder without customer files says why and exits 2" {
	make_example_repo
	cd repo
	mkdir -p docs customers/2026
	echo '# notes' >docs/readme.md
	run --separate-stderr crmf check docs
	assert_failure 2
	assert_line "docs: error: 'docs' holds no customer file (*.yaml); customers live under customers/ and archive/ [not-customer-file]"
	run --separate-stderr crmf check customers/2026
	assert_failure 2
	assert_line --partial "'customers/2026' holds no customer file (*.yaml) [not-customer-file]"
	run crmf check customers/2024
	assert_success
}

@test "t0800 a customer without potential stays on the agenda, and check says to judge it" {
	make_example_repo
	cd repo
	f=customers/2024/C2024016.yaml
	sed -i '/^potential:/d' "$f"
	git commit -qam "potential unknown"
	run crmf show C2024016 --today 2025-06-16
	refute_line --partial 'no rule applies'
	assert_line --regexp '^why +cadence: potential not judged yet, every 14d$'
	run crmf due --today 2025-06-16 --within 60d --format csv
	assert_line --partial ',C2024016,合肥科创软件有限公司,li.na,,lead,cadence,"cadence: potential not judged yet, every 14d"'
	run crmf check "$f"
	assert_success
	assert_line --regexp "^$f:[0-9]+:1: warning: potential is not set although the customer has been contacted; judge it \(high, medium or low\): until then the unjudged cadence \(every 14d\) applies \[missing-potential\]$"
	# a planned next action still comes first (C2025005 waits for July's budget)
	run crmf show C2025005 --today 2025-06-16
	assert_line --regexp '^why +7月预算会后电话确认是否立项 \(next action\)$'
}

@test "t0800 --excel: a CSV Chinese Excel opens right, with no formula to run" {
	make_example_repo
	cd repo
	# a name that a spreadsheet would run as a formula
	sed -i 's/^name: 上海味道坊餐饮管理有限公司$/name: "=HYPERLINK(\\"http:\/\/x\\")"/' customers/2024/C2024004.yaml
	git commit -qam formula
	crmf list --excel --columns id,name,contacts.phone >x.csv
	head -c 3 x.csv | od -An -tx1 | grep -q 'ef bb bf'
	python3 - <<'PY'
import csv
rows = list(csv.reader(open("x.csv", encoding="utf-8-sig", newline="")))
assert rows[0] == ["id", "name", "contacts.phone"], rows[0]
byid = {r[0]: r for r in rows[1:]}
assert byid["C2024004"][1] == "'=HYPERLINK(\"http://x\")", byid["C2024004"]
assert byid["C2024002"][2] == "'+86 136 1512 0087", byid["C2024002"]
assert byid["C2024001"][1] == "宁波甬达汽车零部件有限公司"
PY
	# the plain CSV keeps the values as they are, for programs
	crmf list --format csv --columns id,name >plain.csv
	grep -q '^C2024004,"=HYPERLINK(""http://x"")"' plain.csv
	head -c 3 plain.csv | od -An -tx1 | grep -qv 'ef bb bf'
	crmf due --today 2025-06-16 --excel >due.csv
	head -c 3 due.csv | od -An -tx1 | grep -q 'ef bb bf'
	run --separate-stderr crmf due --excel --format json
	assert_failure 2
	assert_equal "$stderr" "crmf: --excel writes CSV; leave out --format or say csv
see 'crmf due --help'"
}

@test "t0800 --wide prints every column whole on a narrow terminal" {
	COLUMNS=60 crmf -C "$EX" due --today 2025-06-16 --wide >wide.txt
	grep -q '乌鲁木齐天山能源装备有限公司  *chen.hao   低潜力     潜在期      first contact: grade C within 7d$' wide.txt
	grep -q 'POTENTIAL' wide.txt
	COLUMNS=60 crmf -C "$EX" list --wide >lw.txt
	grep -q 'QUADRANT' lw.txt
}
