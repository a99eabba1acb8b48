#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf followups: one row per follow-up with its customer's fields. Counting
# by `by` counts follow-ups, not customers (issue 13 item 6: list --count-by
# followups.by said 5 and 6 where zhang.wei logged 1 and liu.yang 4); --where
# on the follow-up's fields and the customer's, labels as input, errors with
# a suggestion; weeks and months; archived customers only when asked; json,
# csv, Excel CSV, and tables laid out to the terminal.

load helper
bats_require_minimum_version 1.5.0

EX="$CRMF_SRC/examples"
unset COLUMNS

# The example team's week before 2025-06-16 (its follow-ups dated 2025-06-09
# to 2025-06-15): what each person logged.
@test "t0325 followups: --count-by by counts what each person logged, list counts customers" {
	run "$CRMF" -C "$EX" followups --today 2025-06-16 --where 'date >= today - 7d' --count-by by --format csv
	assert_success
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = \
		"by,count zhang.wei,1 li.na,2 wang.fang,1 chen.hao,1 liu.yang,4 zhou.min,0" ]
	# the same question put to list counts the customers those people ever followed up
	run "$CRMF" -C "$EX" list --today 2025-06-16 --where 'followups.date >= today - 7d' \
		--count-by followups.by --format csv
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = \
		"followups.by,count zhang.wei,5 li.na,2 wang.fang,1 chen.hao,1 liu.yang,6 zhou.min,0" ]
	# every follow-up of the active customers is one row
	run "$CRMF" -C "$EX" followups --format csv
	[ "${#lines[@]}" = 128 ]
	run "$CRMF" -C "$EX" followups --count-by method --format json
	assert_success
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert sum(x["count"] for x in d) == 127, d; assert [x["method"] for x in d][:6] == ["phone","visit","email","meeting","wechat","other"], d' "$output"
}

@test "t0325 followups: one row per follow-up, oldest first, with the customer's fields" {
	run "$CRMF" -C "$EX" followups --today 2025-06-16 --where 'date >= 2025-06-13' --format csv
	assert_success
	[ "${lines[0]}" = $'date,by,method,id,name,owner,stage,next,due,summary\r' ]
	[ "${#lines[@]}" = 4 ]
	assert_line --index 1 --regexp '^2025-06-13 09:30,liu.yang,visit,C2024006,广州汇鲜连锁超市有限公司,liu.yang,customer,准备会员营销模块演示,2025-06-25,'
	assert_line --index 3 --regexp '^2025-06-15 20:10,liu.yang,wechat,C2024015,'
	# follow-up fields and customer fields together; followups.by is this follow-up's by
	run "$CRMF" -C "$EX" followups --today 2025-06-16 --format csv --columns date,id,by \
		--where 'followups.by = liu.yang and owner != liu.yang and date >= 2025-06-01'
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = "date,id,by 2025-06-11,C2025004,liu.yang" ]
	# --sort, ties by date then customer
	run "$CRMF" -C "$EX" followups --where 'date >= 2025-06-12' --sort -date --columns date --format csv
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = \
		"date 2025-06-15 20:10 2025-06-14 11:00 2025-06-13 09:30 2025-06-12 17:00 2025-06-12 10:30" ]
	run "$CRMF" -C "$EX" followups --where 'name ~ 没有这家'
	assert_success
	assert_output "no follow-ups"
}

@test "t0325 followups: --where takes labels as input, errors say where and suggest" {
	make_example_repo
	printf '  method: {phone: 电话, visit: 拜访, email: 邮件, meeting: 会议, wechat: 微信, other: 其他}\n' >>"$TMP/repo/crmf.yaml"
	cd "$TMP/repo"
	run "$CRMF" followups --where 'method = 电话 and by = li.na' --format csv --columns method
	assert_success
	[ "${#lines[@]}" -gt 1 ]
	refute_output --partial visit
	run "$CRMF" followups --where 'method = 电话 and by = li.na' --columns method,by
	assert_line --index 1 --regexp '^电话 +li.na$'
	run "$CRMF" followups --where 'method = 拜访' --count-by method
	assert_line --regexp '^拜访 +[1-9][0-9]*$'
	assert_line --regexp '^电话 +0$'
	run --separate-stderr "$CRMF" followups --where 'metod = phone'
	assert_failure 2
	[ "$stderr" = "crmf: invalid --where expression: unknown field 'metod'; did you mean 'method'?
  metod = phone
  ^" ]
	run --separate-stderr "$CRMF" followups --where 'date >= today - 7d and method = phon'
	assert_failure 2
	[[ "$stderr" == *"invalid method 'phon'; did you mean 'phone'?"* ]]
	run --separate-stderr "$CRMF" followups --count-by wek
	assert_failure 2
	[[ "$stderr" == *"unknown field 'wek' in --count-by; did you mean 'week'?"* ]]
	run --separate-stderr "$CRMF" followups --where 'stage = intnet'
	assert_failure 2
	[[ "$stderr" == *"did you mean 'intent'?"* ]]
}

@test "t0325 followups: weeks by ISO 8601, months, in time order" {
	run "$CRMF" -C "$EX" followups --where 'date >= 2025-05-26' --count-by week --format csv
	assert_success
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = "week,count 2025-W22,6 2025-W23,5 2025-W24,9" ]
	# 2025-06-15 is a Sunday: week 24; 2025-06-16 a Monday: week 25
	run "$CRMF" -C "$EX" followups --where 'week = 2025-W24' --format csv --columns date
	[ "${lines[1]}" = $'2025-06-09\r' ]
	[ "${lines[-1]}" = $'2025-06-15 20:10\r' ]
	run "$CRMF" -C "$EX" followups --count-by month --where 'date >= 2025-04-01' --format csv
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = "month,count 2025-04,8 2025-05,15 2025-06,14" ]
}

@test "t0325 followups: archived customers only with --archived or --all, as list" {
	run "$CRMF" -C "$EX" followups --archived --format csv --columns id
	assert_success
	[ "$(printf '%s\n' "$output" | tail -n +2 | tr -d '\r' | sort -u | paste -sd,)" = C2023008,C2023015 ]
	run "$CRMF" -C "$EX" followups --format csv --columns id
	refute_output --partial C2023008
	run "$CRMF" -C "$EX" followups --all --format csv --columns id
	[ "${#lines[@]}" = 133 ]
	run "$CRMF" -C "$EX" followups --all --archived
	assert_failure 2
}

@test "t0325 followups: json typed, csv for Excel, tables to the terminal's width" {
	run "$CRMF" -C "$EX" followups --today 2025-06-16 --where 'id = C2024002 and date >= 2025-06-01' --format json
	assert_success
	python3 - "$output" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
assert len(d) == 1, d
r = d[0]
assert list(r) == ["date", "by", "method", "with", "summary", "feedback", "next", "due", "id", "name",
                   "owner", "stage", "potential", "quadrant", "path", "archived"], list(r)
assert r["date"] == "2025-06-09 16:00" and r["by"] == "li.na" and r["feedback"] == "预算7月审批，价格基本接受", r
assert r["archived"] is False and r["stage"] == "customer" and r["quadrant"] == "core", r
EOF
	# --columns with a field of several values: an array
	run "$CRMF" -C "$EX" followups --where 'id = C2024002' --format json --columns date,tags
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert isinstance(d[0]["tags"], list) and d[0]["date"] == "2024-03-27", d[0]' "$output"
	# Excel: a byte-order mark, a cell starting with + or = quoted as text
	make_example_repo
	cd "$TMP/repo"
	"$CRMF" log C2024002 --method phone --summary '=1+2 报价公式' --date 2025-06-16 --by li.na --today 2025-06-16 >/dev/null
	run "$CRMF" followups --excel --where 'date = 2025-06-16' --columns id,summary
	assert_success
	[ "${output:0:1}" = $'\xef\xbb\xbf' ] || [ "$(printf '%s' "$output" | head -c3 | od -An -tx1 | tr -d ' ')" = efbbbf ]
	assert_line --index 1 $'C2024002,"\'=1+2 报价公式"\r'
	run "$CRMF" followups --format csv --where 'date = 2025-06-16' --columns id,summary
	assert_line --index 1 $'C2024002,=1+2 报价公式\r'
	# 80 columns: stage, owner, next and due give way; the summary keeps the rest
	run env COLUMNS=80 "$CRMF" followups --where 'date >= 2025-06-12 and date <= 2025-06-15'
	assert_line --index 0 --regexp '^DATE +BY +METHOD +ID +NAME +SUMMARY$'
	for l in "${lines[@]}"; do [ "$(printf '%s' "$l" | wc -L)" -le 80 ]; done
	run env COLUMNS=80 "$CRMF" followups --wide --where 'date >= 2025-06-12 and date <= 2025-06-15'
	assert_line --index 0 --regexp '^DATE +BY +METHOD +ID +NAME +OWNER +STAGE +NEXT +DUE +SUMMARY$'
	assert_output --partial 宁波甬达汽车零部件有限公司
}

# A week of the team logged with crmf log: the per-person counts of that week
# equal what each logged, whichever customers (their own or others') it was on.
@test "t0325 followups: a week logged by the team is counted per person as logged" {
	make_example_repo
	cd "$TMP/repo"
	declare -A logged=([zhang.wei]=1 [li.na]=3 [wang.fang]=0 [chen.hao]=2 [liu.yang]=4)
	ids=(C2024001 C2024002 C2024006 C2024009 C2024011 C2024012)
	k=0
	for who in zhang.wei li.na wang.fang chen.hao liu.yang; do
		for ((i = 0; i < logged[$who]; i++)); do
			day=$(printf '2025-06-%02d' $((16 + k % 5)))
			# liu.yang logs four times on two customers: four follow-ups, two customers
			id=${ids[$((k % 6))]}
			if [ "$who" = liu.yang ]; then id=${ids[$((i % 2))]}; fi
			"$CRMF" log "$id" --by "$who" --method phone --date "$day" --today 2025-06-20 \
				--summary "第$((k + 1))次电话：确认交付排期和验收人员" >/dev/null
			k=$((k + 1))
		done
	done
	run "$CRMF" followups --today 2025-06-20 --where 'date >= 2025-06-16' --count-by by --format csv
	assert_success
	[ "$(printf '%s\n' "$output" | tr -d '\r' | paste -sd' ')" = \
		"by,count zhang.wei,1 li.na,3 wang.fang,0 chen.hao,2 liu.yang,4 zhou.min,0" ]
	run "$CRMF" followups --today 2025-06-20 --where 'week = 2025-W25' --count-by method --format csv
	assert_line --index 1 $'phone,10\r'
}
