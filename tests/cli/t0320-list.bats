#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf list: rows of stored and computed fields; --where (valid, and invalid
# with a caret under the column), --sort, --columns, --count-by; json that
# parses and is typed by the schema; alignment by display width.

load helper
bats_require_minimum_version 1.5.0

EX="$CRMF_SRC/examples"
unset COLUMNS

# The first cell of every data row of csv/tsv output in $output, comma-separated.
firsts() {
	printf '%s\n' "$output" | tail -n +2 | cut -d, -f1 | cut -f1 | tr -d '\r' | paste -sd,
}

@test "t0320 list: one row per customer with the default columns and labels" {
	run "$CRMF" -C "$EX" list --today 2025-06-16
	assert_success
	[ "${#lines[@]}" = 29 ]
	assert_line --index 0 --regexp '^ID +NAME +OWNER +STAGE +POTENTIAL +GRADE +QUADRANT +LAST_CONTACT +NEXT_DUE$'
	assert_line --index 1 --regexp '^C2024001  宁波甬达汽车零部件有限公司 +zhang.wei  合作期 +高潜力 +A类 +核心客户 +2025-06-12 +2025-06-15$'
	# lost: no next_due, an empty last cell
	assert_line --index 5 --regexp '^C2024005  北京博思云科技有限公司 +chen.hao +流失 +低潜力 +C类 +待观察客户 +2024-10-15 *$'
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv
	[ "${lines[0]}" = $'id,name,owner,stage,potential,grade,quadrant,last_contact,next_due\r' ]
	[ "${lines[11]}" = $'C2024011,青岛海纳食品有限公司,li.na,customer,low,,develop,2025-05-26,2025-06-25\r' ]
	run "$CRMF" -C "$EX" list --archived --format csv
	[ "$(firsts)" = C2023008,C2023015 ]
	run "$CRMF" -C "$EX" list --all --format csv
	[ "${#lines[@]}" = 31 ]
	run "$CRMF" -C "$EX" list --all --archived
	assert_failure 2
}

@test "t0320 list: --where selects by stored, nested and computed fields" {
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv \
		--where 'stage in (intent, negotiation) and potential = high'
	assert_success
	[ "$(firsts)" = C2024008,C2024015,C2025001 ]
	# dormant since 2025-03-18 and the lost ones not touched since
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv --where 'last_contact < today - 90d'
	[ "$(firsts)" = C2024003,C2024005,C2024007,C2024013,C2024014,C2024016,C2024019 ]
	# nested fields match any element
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv --where 'contacts.email ~ yongda.example'
	[ "$(firsts)" = C2024001 ]
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv --where 'followups.by = liu.yang and owner != liu.yang'
	[ "$(firsts)" = C2024001,C2024002,C2024003,C2024004,C2024007,C2024009,C2024011,C2024012,C2024017,C2025004 ]
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv --where 'quadrant = core and overdue_days > 0'
	[ "$(firsts)" = C2024001,C2024012,C2025004 ]
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv --where 'name ~ 苏州'
	[ "$(firsts)" = C2024002,C2025006 ]
	run "$CRMF" -C "$EX" list --today 2025-06-16 --where 'name ~ 没有这家'
	assert_success
	assert_output "no customers"
}

@test "t0320 list: a malformed --where shows the expression with a caret, exit 2" {
	run --separate-stderr "$CRMF" -C "$EX" list --where 'stage = (intent'
	assert_failure 2
	[ -z "$output" ]
	[ "${stderr_lines[1]}" = "  stage = (intent" ]
	[ "${stderr_lines[2]}" = "          ^" ]
	# an unknown field, after Chinese text: the caret counts display columns
	run --separate-stderr "$CRMF" -C "$EX" list --where 'name ~ 恒拓 and stgae = intent'
	assert_failure 2
	[ "$stderr" = "crmf: invalid --where expression: unknown field 'stgae'; did you mean 'stage'?
  name ~ 恒拓 and stgae = intent
                  ^" ]
	# the text ended too early: the caret is one past the end
	run --separate-stderr "$CRMF" -C "$EX" list --where 'name ~ 恒拓 and'
	assert_failure 2
	[ "${stderr_lines[2]}" = "                 ^" ]
}

@test "t0320 list: --sort by several keys, descending, ties by id" {
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv --columns id,last_contact --sort -last_contact
	assert_success
	[ "${lines[1]}" = $'C2024015,2025-06-15\r' ]
	[ "${lines[2]}" = $'C2025009,2025-06-15\r' ]
	[ "${lines[28]}" = $'C2024005,2024-10-15\r' ]
	# enumerated fields sort by rank (potential: low < medium < high); missing values last
	run "$CRMF" -C "$EX" list --format csv --columns id,potential --sort -potential,-id
	[ "$(firsts | cut -d, -f1-7)" = C2025004,C2025001,C2024015,C2024012,C2024008,C2024006,C2024001 ]
	[ "$(firsts | rev | cut -d, -f1-3 | rev)" = C2025008,C2025007,C2025005 ]
	# numbers sort as numbers
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format csv --columns id,value_sum --sort -value_sum
	[ "${lines[1]}" = $'C2025004,1600000\r' ]
	[ "${lines[2]}" = $'C2024007,1350000\r' ]
	run "$CRMF" -C "$EX" list --sort id,-stgae
	assert_failure 2
	assert_output "crmf: unknown field 'stgae' in --sort; did you mean 'stage'?"
}

@test "t0320 list: --columns takes stored, nested, custom and computed fields" {
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format tsv --columns id,need.type,contacts.email,region,activity --where 'id = C2024004'
	assert_success
	[ "${lines[0]}" = $'id\tneed.type\tcontacts.email\tregion\tactivity' ]
	[ "${lines[1]}" = $'C2024004\t门店管理SaaS\tlujiayi@weidaofang.example.cn, geqiang@weidaofang.example.cn\t华东\tactive' ]
	run "$CRMF" -C "$EX" list --columns id,stauts
	assert_failure 2
	run "$CRMF" -C "$EX" list --columns id,contacts
	assert_failure 2
	assert_output "crmf: 'contacts' in --columns is a record, not a value; name one of its fields, e.g. 'contacts.name'"
}

@test "t0320 list: json parses, holds every stored field typed by the schema, and the computed ones" {
	run "$CRMF" -C "$EX" list --today 2025-06-16 --format json
	assert_success
	printf '%s\n' "$output" | python3 -m json.tool >/dev/null
	printf '%s\n' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 28
by = {o["id"]: o for o in v}
c = by["C2024001"]
for k in ("name", "industry", "size", "source", "created", "owner", "stage", "potential", "grade",
          "region", "tags", "contacts", "need", "deals", "followups",
          "last_contact", "activity", "value", "quadrant", "next_due", "overdue_days", "kind", "reason"):
    assert k in c, k
assert list(c)[:3] == ["id", "name", "industry"]
assert c["deals"][0]["amount"] == 380000 and isinstance(c["deals"][0]["amount"], int)
assert c["contacts"][0]["primary"] is True
assert c["contacts"][1]["phone"] == "13805742236"          # a string, as the schema says
assert c["followups"][3]["date"] == "2024-04-16 14:00"
assert (c["last_contact"], c["activity"], c["value"], c["quadrant"], c["next_due"]) == \
       ("2025-06-12", "active", "high", "core", "2025-06-15")
assert c["value_sum"] == 1070000 and c["overdue_days"] == 1 and c["kind"] == "cadence"
lost = by["C2024005"]
assert lost["next_due"] is None and lost["kind"] is None and lost["activity"] == "lost"
assert by["C2024002"]["need"]["description"].count("\n") == 2   # a literal block
'
	run "$CRMF" -C "$EX" list --format json --where 'id = none'
	assert_output "[]"
}

@test "t0320 list: --count-by a stored or computed field, labels in tables" {
	run "$CRMF" -C "$EX" list --today 2025-06-16 --count-by stage
	assert_success
	[ "$output" = "STAGE       COUNT
潜在期          6
意向期          5
成交期          4
合作期          8
流失预警期      2
流失            3" ]
	run "$CRMF" -C "$EX" list --today 2025-06-16 --count-by quadrant --format csv
	[ "$output" = $'quadrant,count\r\ncore,5\r\nwin-back,3\r\ndevelop,15\r\nwatch,5\r' ]
	run "$CRMF" -C "$EX" list --today 2025-06-16 --count-by kind --format json
	[ "$output" = '[
 {"kind": "next-action", "count": 12},
 {"kind": "first-contact", "count": 3},
 {"kind": "cadence", "count": 10},
 {"kind": null, "count": 3}
]' ]
	run "$CRMF" -C "$EX" list --count-by potential --format csv
	[ "$output" = $'potential,count\r\nhigh,7\r\nmedium,12\r\nlow,6\r\n,3\r' ]
	# every tag counts; the biggest first
	run "$CRMF" -C "$EX" list --count-by tags --format csv
	[ "${lines[1]}" = $'价格敏感,7\r' ]
	run "$CRMF" -C "$EX" list --count-by stage --columns id
	assert_failure 2
	run "$CRMF" -C "$EX" list --count-by stgae
	assert_failure 2
	assert_output "crmf: unknown field 'stgae' in --count-by; did you mean 'stage'?"
}

@test "t0320 list: columns line up by display width" {
	"$CRMF" -C "$EX" list --today 2025-06-16 >table.txt
	"$CRMF" -C "$EX" list --today 2025-06-16 --format csv >rows.csv
	python3 - <<'EOF'
import csv, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in 'WF' else 1 for c in s)
lines = open('table.txt', encoding='utf-8').read().splitlines()
rows = list(csv.reader(open('rows.csv', encoding='utf-8', newline='')))[1:]
starts = {h: lines[0].index(h) for h in ('ID', 'NAME', 'OWNER', 'LAST_CONTACT')}
for line, row in zip(lines[1:], rows):
    for head, value in (('NAME', row[1]), ('OWNER', row[2]), ('LAST_CONTACT', row[7])):
        i = line.index(value)
        assert width(line[:i]) == starts[head], (head, line)
EOF
}
