#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Issue 13, a team's first month: members who leave (left: DATE) and the
# handover of their customers; logging on archived customers; duplicates at
# creation; keeping a next action open.

load helper
bats_require_minimum_version 1.5.0

# wang.fang's last day was 2025-06-30
wang_fang_left() {
	sed -i 's/^    email: wang.fang@qiming.example.cn$/&\n    left: 2025-06-30/' crmf.yaml
	grep -q 'left: 2025-06-30' crmf.yaml
	git commit -qam 'wang.fang left'
}

@test "t0810 a member who left: history stays valid, check warns about their active customers" {
	make_example_repo
	cd repo
	wang_fang_left
	run --separate-stderr crmf check --today 2025-07-10
	assert_success
	refute_output --partial ': error:'
	# 6 about customers, 2 about the assignment rules of crmf.yaml that name her
	assert_line '31 files checked: 0 errors, 8 warnings'
	[ "$(grep -c '^crmf.yaml:.*\[config-member-left\]$' <<<"$output")" -eq 2 ]
	assert_line --partial "C2024003.yaml:9:8: warning: owned by wang.fang, who left on 2025-06-30; hand them over: crmf reassign wang.fang TO [owner-left]"
	# the lost customer C2024014 needs no handover
	refute_line --partial 'C2024014.yaml:9'
	[ "$(grep -c '\[owner-left\]' <<<"$output")" -eq 4 ]
	# before the last day, no warning
	run --separate-stderr crmf check --today 2025-06-30
	refute_output --partial 'owner-left'
}

@test "t0810 a member who left stays on the agenda through their customers" {
	make_example_repo
	cd repo
	crmf due --today 2025-07-10 --format csv >before.csv
	wang_fang_left
	run --separate-stderr crmf due --today 2025-07-10 --format csv
	assert_success
	[ -z "$stderr" ]
	[ "$output" = "$(cat before.csv)" ]
	grep -q ',wang.fang,' before.csv
}

@test "t0810 nothing new is assigned to or logged by a member who left" {
	make_example_repo
	cd repo
	wang_fang_left
	run crmf set C2024004 owner=wang.fang
	assert_failure
	assert_output --partial "wang.fang cannot be the owner: they left the team on 2025-06-30"
	run crmf new 杭州新客户科技有限公司 owner=wang.fang industry=制造业/电子制造 \
		size=50-200 source=展会
	assert_failure
	assert_output --partial "wang.fang cannot be the owner: they left the team on 2025-06-30"
	run crmf log C2024003 --method phone --summary 电话确认网关问题已修复 \
		--date 2025-07-02 --by wang.fang
	assert_failure
	assert_output --partial "wang.fang cannot be the author of a follow-up: they left the team on 2025-06-30"
	# what they did before they left can still be recorded
	run crmf log C2024003 --method phone --summary 电话确认网关问题已修复 \
		--date 2025-06-28 --by wang.fang
	assert_success
	# the handover of one customer
	run crmf set C2024003 owner=li.na
	assert_success
	# a follow-up written by hand, dated after they left, is an error
	sed -i 's/^  - date: 2025-06-28$/  - date: 2025-07-02/' customers/2024/C2024003.yaml
	run crmf check --today 2025-07-10 customers/2024/C2024003.yaml
	assert_failure
	assert_output --partial "error: follow-up by 'wang.fang' dated after they left on 2025-06-30; write who followed up [member-left]"
}

@test "t0810 log on an archived customer says it is off the agenda and how to restore it" {
	make_example_repo
	cd repo
	run crmf log C2023008 --method phone --summary 老客户来电询问新版本价格 --date 2025-06-16 --by li.na
	assert_success
	assert_line "note: C2023008 is archived and off the agenda; to follow it up again: crmf restore C2023008"
	grep -q 老客户来电询问新版本价格 archive/C2023008.yaml
	# an active customer gets no such note
	run crmf log C2024004 --method phone --summary 确认门店数量和上线时间 --date 2025-06-16 --by li.na
	assert_success
	refute_output --partial 'archived'
}

@test "t0810 log --keep-next keeps the open next action; without it the log says it is answered" {
	make_example_repo
	cd repo
	crmf log C2024004 --method phone --summary 客户要报价 --next 发送报价单 --due 2025-06-18 \
		--date 2025-06-16 --by li.na >/dev/null
	run crmf log C2024004 --method wechat --summary 客户询问交付周期，已答复30天 --keep-next \
		--date 2025-06-17 --by li.na
	assert_success
	refute_output --partial 'answered'
	tail -n 2 customers/2024/C2024004.yaml >last.txt
	grep -q 'next: 发送报价单$' last.txt
	grep -q 'due: 2025-06-18$' last.txt
	run crmf due --today 2025-06-20 --format csv
	assert_line --partial 'C2024004,上海味道坊餐饮管理有限公司,li.na,low,customer,next-action,发送报价单 (next action)'
	run crmf log C2024004 --method email --summary 已发送报价单 --date 2025-06-18 --by li.na
	assert_success
	assert_line "note: the next action '发送报价单' is now answered (use --keep-next to keep it open)"
	run crmf log C2024004 --method email --summary 已发送报价单 --keep-next --date 2025-06-18 --by li.na
	assert_failure
	assert_output --partial "C2024004 has no open next action to keep; nothing changed"
	run crmf log C2024004 --method email --summary 已发送报价单 --keep-next --next 再次跟进 --by li.na
	assert_failure 2
	assert_output --partial "give --next or --keep-next, not both"
}

NEW_FIELDS=(industry=IT服务/云计算 size=50-200 source=展会 region=华东 'contacts[0].name=赵强'
	need.type=运维监控平台 need.description=私有云故障要5分钟内告警)

@test "t0810 new warns about a probable duplicate and names it; --strict refuses" {
	make_example_repo
	cd repo
	run crmf new 杭州恒拓机械股份有限公司 "${NEW_FIELDS[@]}" 'contacts[0].phone=13900000001' \
		--owner li.na --today 2025-06-16
	assert_success
	assert_output --partial "warning: company name '杭州恒拓机械股份有限公司' is the same as that of customer 'C2024003' (customers/2024/C2024003.yaml)"
	assert_output --partial "committed"
	# the same phone, written another way
	run crmf new 宁波新客户有限公司 "${NEW_FIELDS[@]}" 'contacts[0].phone=+86 137 5712 0418' \
		--owner li.na --today 2025-06-16 --strict
	assert_failure
	assert_output --partial "phone '+86 137 5712 0418' is the same as that of customer 'C2024003' (customers/2024/C2024003.yaml)"
	assert_output --partial "nothing written (--strict)"
	[ -z "$(git status --porcelain)" ]
	# a customer unlike any other: no warning
	run crmf new 宁波新客户有限公司 "${NEW_FIELDS[@]}" 'contacts[0].phone=13900000002' \
		'contacts[0].email=zhao@nbnew.example.cn' --owner li.na --today 2025-06-16 --strict
	assert_success
	refute_output --partial 'warning'
	# its email in capitals
	run crmf new 温州另一客户有限公司 "${NEW_FIELDS[@]}" 'contacts[0].email=ZHAO@NBNEW.EXAMPLE.CN' \
		--owner li.na --today 2025-06-16 --strict
	assert_failure
	assert_output --partial "email 'ZHAO@NBNEW.EXAMPLE.CN' is the same as that of customer"
	# a phone changed by hand since the validation cache last saw the file,
	# and a customer in the archive: both are found
	f=$(grep -l 13900000002 customers/*/*.yaml)
	sed -i 's/13900000002/13900000077/' "$f"
	run crmf new 温州另一客户有限公司 "${NEW_FIELDS[@]}" 'contacts[0].phone=13900000077' \
		--owner li.na --today 2025-06-16 --strict
	assert_failure
	assert_output --partial "phone '13900000077' is the same as that of customer"
	assert_output --partial "($f)"
	git checkout -q -- "$f"
	a=$(ls archive/*.yaml | head -1)
	name=$(sed -n 's/^name: //p' "$a")
	run crmf new "$name" "${NEW_FIELDS[@]}" 'contacts[0].phone=13900000088' --owner li.na \
		--today 2025-06-16 --strict
	assert_failure
	assert_output --partial "company name '$name' is the same as that of customer"
	assert_output --partial "($a)"
}

@test "t0810 reassign hands every active customer of a member who left over in one commit" {
	make_example_repo
	cd repo
	wang_fang_left
	head=$(git rev-parse HEAD)
	run crmf reassign wang.fang li.na
	assert_success
	assert_line 'C2024003: owner wang.fang -> li.na'
	assert_output --partial 'committed'
	# one commit, listing them
	[ "$(git rev-list --count "$head"..HEAD)" -eq 1 ]
	git log -1 --format=%B >../msg.txt
	grep -q "^crmf: reassign wang.fang -> li.na: 5 customers$" ../msg.txt
	for id in C2024003 C2024008 C2024014 C2024017 C2025008; do grep -qx "$id" ../msg.txt; done
	[ "$(git diff --name-only "$head" HEAD | wc -l)" -eq 5 ]
	run crmf check --today 2025-07-10
	refute_output --partial 'owner-left'
	# the followups by wang.fang stay as they were
	grep -q 'by: wang.fang' customers/2024/C2024003.yaml
	# nothing left to hand over; nobody hands over to a member who left
	run crmf reassign wang.fang li.na
	assert_failure
	assert_output --partial 'wang.fang owns no customer under customers/'
	run crmf reassign li.na wang.fang
	assert_failure
	assert_output --partial 'wang.fang cannot be the owner: they left the team on 2025-06-30'
	[ -z "$(git status --porcelain)" ]
}

@test "t0810 reassign changes nothing when one of the files has uncommitted changes" {
	make_example_repo
	cd repo
	echo '# note' >>customers/2024/C2024008.yaml
	before=$(tree_hash .)
	run crmf reassign wang.fang li.na
	assert_failure
	assert_output --partial 'customers/2024/C2024008.yaml has uncommitted changes'
	[ "$(tree_hash .)" = "$before" ]
}
