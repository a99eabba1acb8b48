#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Issue 13, input and output a person expects: --where refuses values outside
# a closed set with a suggestion (item 10); labels of crmf.yaml are input too
# (item 9); enums compare and sort by rank, names by pinyin (item 11); phones
# are found however written (item 12).

load helper
bats_require_minimum_version 1.5.0
EX="$CRMF_SRC/examples"

@test "t0820 --where: a value outside a closed set is an error with a suggestion, exit 2" {
	run --separate-stderr crmf -C "$EX" list --where 'stage = intnet'
	assert_failure 2
	[ "${stderr_lines[0]}" = "crmf: invalid --where expression: invalid stage 'intnet'; did you mean 'intent'?" ]
	[ "${stderr_lines[2]}" = '          ^' ]
	run --separate-stderr crmf -C "$EX" list --where 'stauts = lead'
	assert_failure 2
	[[ "$stderr" == *"unknown field 'stauts'; did you mean 'stage'?"* ]]
	run --separate-stderr crmf -C "$EX" list --where 'quadrant in (core, wtach)'
	assert_failure 2
	[[ "$stderr" == *"invalid quadrant 'wtach'; did you mean 'watch'?"* ]]
	run --separate-stderr crmf -C "$EX" list --where 'followups.method = phnoe'
	assert_failure 2
	[[ "$stderr" == *"invalid method 'phnoe'; did you mean 'phone'?"* ]]
	# crmf.yaml's enums and custom enum fields too
	run --separate-stderr crmf -C "$EX" list --where 'region = 华中'
	assert_failure 2
	[[ "$stderr" == *"invalid region '华中'"* ]]
	run --separate-stderr crmf -C "$EX" list --where 'source = 官方'
	assert_failure 2
	# text tests and free text are not judged
	run crmf -C "$EX" list --where 'stage ~ int and name ~ 不存在'
	assert_success
	assert_output 'no customers'
}

@test "t0820 --where takes the labels of crmf.yaml as values" {
	crmf -C "$EX" list --where 'stage = intent' --format csv --columns id >en.csv
	run crmf -C "$EX" list --where 'stage = 意向期' --format csv --columns id
	assert_success
	[ "$output" = "$(cat en.csv)" ]
	[ "${#lines[@]}" -gt 2 ]
	run crmf -C "$EX" list --where 'potential in (高潜力, medium)' --format csv --columns potential
	refute_output --partial low
	assert_line $'high\r'
}

@test "t0820 set, new and log --method take labels; files and json keep English values" {
	make_example_repo
	cd repo
	sed -i 's/^labels:$/labels:\n  method: {phone: 电话, visit: 拜访, email: 邮件, meeting: 会议, wechat: 微信, other: 其他}/' crmf.yaml
	git commit -qam "method labels"
	crmf set C2024004 stage=意向期 potential=高潜力 >/dev/null
	grep -q '^stage: intent$' customers/2024/C2024004.yaml
	grep -q '^potential: high ' customers/2024/C2024004.yaml
	crmf log C2024004 --method 电话 --summary 确认报价细节 --date 2025-06-16 --by li.na >/dev/null
	grep -q 'method: phone$' customers/2024/C2024004.yaml
	git log -1 --format=%s | grep -q 'phone 2025-06-16'
	run crmf log C2024004 --method 电讯 --summary x --by li.na
	assert_failure 2
	assert_output --partial "unknown method '电讯'; did you mean '电话'?"
	crmf new 测试标签公司 stage=潜在期 grade=B类 potential=低潜力 region=华东 owner=li.na \
		industry=IT服务/云计算 size=50-200 source=展会 'contacts[0].name=张伟' \
		'contacts[0].phone=13800138001' need.type=运维监控平台 need.description=私有云告警 \
		--today 2025-06-16 >/dev/null
	f=$(git log -1 --name-only --format= | grep customers/)
	grep -q '^stage: lead ' "$f"
	grep -q '^grade: B$' "$f"
	run crmf list --where 'id = C2024004' --format json --columns stage,potential
	assert_output $'[\n {"stage": "intent", "potential": "high"}\n]'
	run crmf check
	assert_success
}

@test "t0820 enums compare and sort by their declared order" {
	run crmf -C "$EX" list --where 'potential >= medium' --format csv --columns potential
	assert_success
	refute_line $'low\r'
	assert_line $'high\r'
	assert_line $'medium\r'
	run crmf -C "$EX" list --where 'potential < medium' --format csv --columns potential
	[ "$(printf '%s\n' "${lines[@]:1}" | sort -u)" = $'low\r' ]
	run crmf -C "$EX" list --where 'stage <= intent' --format csv --columns stage
	[ "$(printf '%s\n' "${lines[@]:1}" | sort -u | tr -d '\r' | tr '\n' ' ')" = 'intent lead ' ]
	run crmf -C "$EX" list --where 'grade > B' --format csv --columns grade
	[ "$(printf '%s\n' "${lines[@]:1}" | sort -u)" = $'A\r' ]
	# -potential lists 高潜力 first, potential 低潜力 first; missing last both ways
	run crmf -C "$EX" list --sort -potential --columns id,potential
	[[ "${lines[1]}" == *高潜力 ]]
	run crmf -C "$EX" list --sort potential --columns id,potential --format csv
	[[ "${lines[1]}" == *,low$'\r' ]]
	[[ "${lines[-1]}" == *,$'\r' ]]
	# stage in its pipeline order
	run crmf -C "$EX" list --sort stage --columns stage --format csv
	[ "$(printf '%s\n' "${lines[@]:1}" | tr -d '\r' | uniq | tr '\n' ' ')" = 'lead intent negotiation customer at-risk lost ' ]
}

@test "t0820 names sort by pinyin; the default order is by id" {
	locale -a | grep -qi '^zh_CN.utf-\?8$' || skip "no zh_CN.UTF-8 locale: run tools/deps.sh"
	run crmf -C "$EX" list --sort name --columns name --format csv
	# 北京 (bei) < 成都 (cheng) < 东莞 (dong) < 广州 (guang) < 杭州 (hang) < 乌鲁木齐 (wu)
	[[ "${lines[1]}" == 北京* ]]
	at() { printf '%s\n' "${lines[@]}" | grep -n "^$1" | head -1 | cut -d: -f1; }
	[ "$(at 北京)" -lt "$(at 成都)" ]
	[ "$(at 成都)" -lt "$(at 东莞)" ]
	[ "$(at 东莞)" -lt "$(at 广州)" ]
	[ "$(at 广州)" -lt "$(at 杭州)" ]
	[ "$(at 杭州)" -lt "$(at 乌鲁木齐)" ]
	[[ "${lines[-1]}" != 北京* ]]
	run crmf -C "$EX" list --columns id --format csv
	[ "$(printf '%s\n' "${lines[@]:1}")" = "$(printf '%s\n' "${lines[@]:1}" | LC_ALL=C sort)" ]
}

@test "t0820 phones are found however written: show and --where" {
	run crmf -C "$EX" show 13805742236
	assert_success
	assert_line --index 0 --partial C2024001
	run crmf -C "$EX" show '+86 139-0574-2210'
	assert_success
	assert_line --index 0 --partial C2024001
	run crmf -C "$EX" list --where 'contacts.phone ~ 13905742210' --columns id --format csv
	assert_output $'id\r\nC2024001\r'
	run crmf -C "$EX" list --where "contacts.phone = '0086 13905742210'" --columns id --format csv
	assert_output $'id\r\nC2024001\r'
	run crmf -C "$EX" list --where 'contacts.phone ~ 0574-2210' --columns id --format csv
	assert_output $'id\r\nC2024001\r'
	run crmf -C "$EX" show 19999999999
	assert_failure 1
}
