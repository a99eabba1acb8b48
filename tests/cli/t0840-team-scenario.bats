#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Issue 13's scenario, end to end on a fresh repository: a team of five, one
# leaves, her customers handed over with one command, new leads assigned by
# the rules of crmf.yaml, a week of follow-ups, and the per-person counts of
# that week equal to what each logged.

load helper

# at DAY CMD…: crmf as on DAY (commit dates and --today)
at() {
	local day=$1
	shift
	GIT_AUTHOR_DATE="${day}T10:00:00+08:00" GIT_COMMITTER_DATE="${day}T10:00:00+08:00" \
		"$CRMF" "$@" --today "$day"
}

lead() { # DAY NAME PHONE KEY=VALUE…
	local day=$1 name=$2 phone=$3
	shift 3
	at "$day" new "$name" size=50-200 "contacts[0].name=联系人" "contacts[0].phone=$phone" \
		need.type=设备 need.description=产线改造 "$@"
}

@test "team scenario: five members, one leaves, handover, leads by rules, a week counted per person" {
	"$CRMF" init team >/dev/null
	cd team
	cat >crmf.yaml <<'YAML'
version: 1
team:
  - {id: zhang.wei, name: 张伟}
  - {id: li.na, name: 李娜}
  - {id: wang.fang, name: 王芳}
  - {id: chen.hao, name: 陈浩}
  - {id: liu.yang, name: 刘洋}
industries: [制造业/机械制造, IT服务/云计算, 零售业/连锁餐饮]
enums:
  size: ["<50", "50-200", ">200"]
  source: [展会, 官网, 转介绍, 招投标]
assign:
  - when: {source: 招投标}
    to: [zhang.wei]
  - when: {industry: 制造业}
    to: [li.na, wang.fang]
  - to: [chen.hao, liu.yang]
YAML
	git commit -qam "the team"
	# wang.fang's customers, recorded while she is in the team
	lead 2025-06-02 甲机械有限公司 13800000001 industry=制造业/机械制造 source=展会 owner=wang.fang >/dev/null
	lead 2025-06-02 乙机械有限公司 13800000002 industry=制造业/机械制造 source=官网 owner=wang.fang >/dev/null
	lead 2025-06-03 丙餐饮有限公司 13800000003 industry=零售业/连锁餐饮 source=转介绍 owner=wang.fang >/dev/null
	lead 2025-06-03 丁云计算有限公司 13800000004 industry=IT服务/云计算 source=官网 owner=li.na >/dev/null

	# she leaves on 2025-06-30: check names her customers
	sed -i 's/{id: wang.fang, name: 王芳}/{id: wang.fang, name: 王芳, left: 2025-06-30}/' crmf.yaml
	git commit -qam "wang.fang left"
	run at 2025-07-01 check
	assert_output --partial "owned by wang.fang, who left on 2025-06-30"
	[ "$(grep -c 'owner-left' <<<"$output")" -eq 3 ]

	# the handover: one command, one commit naming the three customers
	head=$(git rev-parse HEAD)
	run at 2025-07-01 reassign wang.fang li.na
	assert_success
	[ "$(git rev-list --count "$head"..HEAD)" -eq 1 ]
	[ "$(git log -1 --format=%B | grep -c '^C2025')" -eq 3 ]
	run at 2025-07-01 check
	refute_output --partial 'owner-left'
	[ "$(grep -l '^owner: li.na' customers/*.yaml customers/*/*.yaml 2>/dev/null | wc -l)" -eq 4 ]

	# new leads without an owner go by the rules, never to wang.fang
	run lead 2025-07-02 戊机械有限公司 13800000005 industry=制造业/机械制造 source=展会
	assert_success
	# 制造业: li.na has 4 open customers, wang.fang left: li.na
	assert_output --partial 'owner: li.na (rule 2'
	run lead 2025-07-02 己招标有限公司 13800000006 industry=IT服务/云计算 source=招投标
	assert_output --partial 'owner: zhang.wei (rule 1'
	run lead 2025-07-02 庚餐饮有限公司 13800000007 industry=零售业/连锁餐饮 source=官网
	assert_output --partial 'owner: chen.hao (rule 3'
	run lead 2025-07-02 辛餐饮有限公司 13800000008 industry=零售业/连锁餐饮 source=转介绍
	# chen.hao has one open customer now, liu.yang none: the least loaded
	assert_output --partial 'owner: liu.yang (rule 3'
	! grep -l '^owner: wang.fang' customers/*.yaml customers/*/*.yaml 2>/dev/null | grep -q .

	# a week of follow-ups: zhang.wei 1, li.na 3, chen.hao 2, liu.yang 4
	ids=($(ls customers/*.yaml customers/*/*.yaml 2>/dev/null | xargs -n1 basename | sed 's/\.yaml$//' | sort))
	n=0
	for who in zhang.wei li.na li.na li.na chen.hao chen.hao liu.yang liu.yang liu.yang liu.yang; do
		day=$(printf '2025-07-%02d' $((7 + n % 5)))
		at "$day" log "${ids[$((n % ${#ids[@]}))]}" --method phone --by "$who" \
			--summary "第$((n + 1))次电话：确认需求与报价进度" --date "$day" >/dev/null 2>&1
		n=$((n + 1))
	done
	# an earlier follow-up outside the week does not count
	at 2025-07-03 log "${ids[0]}" --method visit --by liu.yang --summary "上门拜访：了解产线现状" \
		--date 2025-07-03 >/dev/null 2>&1
	run at 2025-07-13 followups --where 'date >= 2025-07-07 and date <= 2025-07-13' \
		--count-by by --format csv
	assert_success
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = \
		"by,count zhang.wei,1 li.na,3 wang.fang,0 chen.hao,2 liu.yang,4" ]
	# what the week's report says of the same people
	run at 2025-07-13 report --since 2025-07-07 --until 2025-07-13 --format json
	assert_success
	run /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin); print({k: v["followups"] for k, v in r["owners"].items()})' <<<"$output"
	assert_output "{'zhang.wei': 1, 'li.na': 3, 'wang.fang': 0, 'chen.hao': 2, 'liu.yang': 4}"
}
