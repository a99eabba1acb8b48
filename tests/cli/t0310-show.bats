#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf show: a customer by id, file, name or part of a name; ambiguous and
# missing names; the card's fields, classification, follow-ups; json.

load helper
bats_require_minimum_version 1.5.0

EX="$CRMF_SRC/examples"
unset COLUMNS

@test "t0310 show: the card of a customer by id" {
	run "$CRMF" -C "$EX" show --today 2025-06-16 C2024002
	assert_success
	assert_line --index 0 "C2024002  苏州瑞丰精密电子有限公司"
	assert_line --index 1 "file        customers/2024/C2024002.yaml"
	assert_line "owner       li.na (李娜)"
	assert_line "stage       合作期 (customer)"
	assert_line "potential   中潜力 (medium)"
	assert_line "region      华东"
	assert_line "tags        品质优先, 服务需求, 年度框架"
	# a literal block keeps its lines, indented under the value
	assert_line "            SMT线体来料批次靠手工登记，客诉时追溯一次要两天；"
	assert_line "            要求做到从来料到成品的批次级追溯，客诉追溯控制在2小时内。"
	assert_line "            budget: 100万-150万"
	assert_line "classification on 2025-06-16"
	assert_line "activity    活跃 (active), last contact 2025-06-09, 7 days ago"
	assert_line "value       high: 1,200,000 CNY signed in the last 365 days"
	assert_line "quadrant    核心客户 (core)"
	assert_line "next due    2025-06-18, in 2 days"
	assert_line "why         按两期付款调整报价单发给吴总 (next action)"
	assert_line --regexp '^  \*  吴海燕  运营总监 +\+86 136 1512 0087  wuhaiyan@ruifeng.example.cn$'
	assert_line --regexp '^  SIGNED +AMOUNT \(CNY\)  EXPIRES$'
	assert_line --regexp '^  2024-08-30 +1,200,000  2027-08-29$'
}

@test "t0310 show: by part of the name, full name, file, or id in another case" {
	run "$CRMF" -C "$EX" show --today 2025-06-16 C2024002
	local card=$output
	for who in 瑞丰 苏州瑞丰精密电子有限公司 customers/2024/C2024002.yaml c2024002; do
		run "$CRMF" -C "$EX" show --today 2025-06-16 "$who"
		assert_success
		[ "$output" = "$card" ]
	done
	# a full name wins over the longer names that contain it
	run "$CRMF" -C "$EX" show --today 2025-06-16 杭州恒拓机械
	assert_success
	assert_line --index 0 "C2025007  杭州恒拓机械"
}

@test "t0310 show: an ambiguous part lists the candidates, exit 2" {
	run --separate-stderr "$CRMF" -C "$EX" show 恒拓
	assert_failure 2
	[ -z "$output" ]
	[ "$stderr" = "crmf: '恒拓' matches 2 customers; name one by its id:
  ID        NAME                  FILE
  C2024003  杭州恒拓机械有限公司  customers/2024/C2024003.yaml
  C2025007  杭州恒拓机械          customers/2025/C2025007.yaml" ]
}

@test "t0310 show: no match is exit 1, with a suggestion when one is close" {
	run --separate-stderr "$CRMF" -C "$EX" show C2024O01
	assert_failure 1
	[ "$stderr" = "crmf: no customer matches 'C2024O01'; did you mean 'C2024001'?" ]
	run --separate-stderr "$CRMF" -C "$EX" show 不存在的公司
	assert_failure 1
	[ "$stderr" = "crmf: no customer matches '不存在的公司'; 'crmf list' shows them all" ]
	run "$CRMF" -C "$EX" show
	assert_failure 2
	run "$CRMF" -C "$EX" show C2024001 C2024002
	assert_failure 2
}

@test "t0310 show: the latest 5 follow-ups newest first, --all for every one" {
	run "$CRMF" -C "$EX" show --today 2025-06-16 C2024001
	assert_success
	assert_line "follow-ups (latest 5 of 12, newest first; --all shows every one)"
	[ "$(printf '%s\n' "$output" | grep -cE '^  20[0-9-]{8}( [0-9:]{5})?  [a-z]+  by ')" = 5 ]
	assert_line "  2025-06-12 10:30  visit  by zhang.wei, with 周建国、顾晓东"
	assert_line "      next: 提交二期验收报告并约验收会时间, due 2025-06-20"
	# the first one shown is the newest, the 5th is 2024-11-18
	[ "$(printf '%s\n' "$output" | grep -E '^  20[0-9-]{8}.*  by ' | sed -n '1p;5p' | cut -c3-12 | paste -sd,)" = 2025-06-12,2024-11-18 ]
	# due by cadence before its next action, as FORMAT.md says (earliest)
	assert_line "next due    2025-06-15, 1 day overdue"
	assert_line "why         cadence: high potential, every 3d"
	run "$CRMF" -C "$EX" show --today 2025-06-16 --all C2024001
	assert_line "follow-ups (12, newest first)"
	[ "$(printf '%s\n' "$output" | grep -cE '^  20[0-9-]{8}( [0-9:]{5})?  [a-z]+  by ')" = 12 ]
	assert_line "  2024-04-16 14:00  meeting  by zhang.wei, with 周建国、沈丽"
}

@test "t0310 show: lost, archived and first-contact customers say what is due" {
	run "$CRMF" -C "$EX" show --today 2025-06-16 C2023015
	assert_success
	assert_line "file        archive/C2023015.yaml (archived)"
	assert_line "next due    none: archived"
	run "$CRMF" -C "$EX" show --today 2025-06-16 C2024009
	assert_line "next due    none: lost"
	assert_line "quadrant    潜力客户 (win-back)"
	run "$CRMF" -C "$EX" show --today 2025-06-16 C2025008
	assert_line "next due    2025-06-14, 2 days overdue"
	assert_line "why         first contact: grade A within 1d"
	refute_line --partial "potential"
}

@test "t0310 show: --format json is the customer's object of crmf list" {
	run "$CRMF" -C "$EX" show --today 2025-06-16 --format json 瑞丰
	assert_success
	printf '%s\n' "$output" >show.json
	"$CRMF" -C "$EX" list --today 2025-06-16 --format json >list.json
	python3 - <<'EOF'
import json
one = json.load(open('show.json', encoding='utf-8'))
every = {o['id']: o for o in json.load(open('list.json', encoding='utf-8'))}
assert one == every['C2024002'], one
assert one['quadrant'] == 'core' and one['next_due'] == '2025-06-18' and one['kind'] == 'next-action'
assert one['deals'][0]['amount'] == 1200000 and one['contacts'][0]['primary'] is True
EOF
}
