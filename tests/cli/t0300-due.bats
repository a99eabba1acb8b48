#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf due: the agenda of examples/ on 2025-06-16 equals the expected files
# (checked row by row against examples/EXPECTED.md and FORMAT.md's rules);
# --within, --owner, --mine, --overdue and csv; alignment by display width;
# files with errors; colour only on a terminal.

load helper
bats_require_minimum_version 1.5.0

EX="$CRMF_SRC/examples"
FIX="$CRMF_SRC/tests/fixtures"
unset COLUMNS

# The ids of the agenda, one line, comma-separated, from csv output in $output.
ids() {
	printf '%s\n' "$output" | tail -n +2 | cut -d, -f3 | tr -d '\r' | paste -sd,
}

# check_alignment TABLE CSV HEADER=csvfield…: in every data line of TABLE the
# value of the csv row starts at the display column where HEADER starts (a
# CJK character counts two columns), preceded by a space.
check_alignment() {
	python3 - "$@" <<'EOF'
import csv, sys, unicodedata
table, csvfile, *pairs = sys.argv[1:]
def text_at(line, start):
    col = 0
    for i, ch in enumerate(line):
        if col == start:
            return line[i:]
        if col > start:
            return None  # start falls inside a wide character
        col += 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in 'WF' else 1
    return '' if col == start else None
lines = open(table, encoding='utf-8').read().split('\n')
rows = list(csv.DictReader(open(csvfile, encoding='utf-8', newline='')))
bad = 0
for pair in pairs:
    head, key = pair.split('=')
    start = lines[0].index(head)  # the header is ASCII
    for n, (line, row) in enumerate(zip(lines[1:], rows), 2):
        got = text_at(line, start)
        want = row[key]
        ok = got is not None and got.startswith(want) and got[len(want):len(want) + 1] in ('', ' ')
        if start:
            ok = ok and (text_at(line, start - 1) or '')[:1] == ' '
        if not ok:
            print(f'line {n}: {head} should start at display column {start} with {want!r}: {line!r}')
            bad += 1
sys.exit(1 if bad else 0)
EOF
}

@test "t0300 due: the agenda of examples/ on 2025-06-16 is the expected table" {
	run "$CRMF" -C "$EX" due --today 2025-06-16
	assert_success
	diff -u "$FIX/examples-due-2025-06-16.txt" <(printf '%s\n' "$output")
}

@test "t0300 due: --format json is the expected array and parses" {
	run "$CRMF" -C "$EX" due --today 2025-06-16 --format json
	assert_success
	diff -u "$FIX/examples-due-2025-06-16.json" <(printf '%s\n' "$output")
	printf '%s\n' "$output" | python3 -m json.tool >/dev/null
	# the keys the issue asks for; overdue_days is 0 when not overdue
	printf '%s\n' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 23, len(v)
for o in v:
    for k in ("id", "name", "owner", "due", "overdue_days", "kind", "reason", "potential", "stage", "path"):
        assert k in o, (k, o)
    assert o["kind"] in ("next-action", "cadence", "first-contact"), o
    assert (o["overdue_days"] > 0) == (o["due"] < "2025-06-16"), o
    assert (o["next"] is not None) == (o["kind"] == "next-action"), o
assert [o["id"] for o in v][:3] == ["C2024016", "C2024019", "C2024013"]
'
}

@test "t0300 due: the expected files agree with examples/EXPECTED.md row by row" {
	# EXPECTED.md was computed by hand from FORMAT.md's rules; the fixture
	# must say the same due date, overdue days, id, owner, potential, stage
	# and kind, and its reason must name the same next action or cadence.
	python3 - "$EX/EXPECTED.md" "$FIX/examples-due-2025-06-16.json" <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding='utf-8').read()
section = text.split('## `crmf due')[1].split('\n## ')[0]
expected = [[c.strip() for c in line.strip().strip('|').split('|')]
            for line in section.splitlines() if re.match(r'\| \d{4}-\d\d-\d\d', line)]
got = json.load(open(sys.argv[2], encoding='utf-8'))
assert len(expected) == len(got) == 23, (len(expected), len(got))
for e, g in zip(expected, got):
    due, over, id_, name, owner, pot, stage, kind, action = e
    assert (g['due'], g['overdue_days'], g['id'], g['name'], g['owner'], g['potential'] or '—', g['stage'], g['kind']) == \
        (due, int(over), id_, name, owner, pot, stage, kind), (e, g)
    if kind == 'next-action':
        assert g['next'] == action, (e, g)
    elif kind == 'cadence':
        p, every = action.split(' every ')
        assert g['reason'] == f'cadence: {p} potential, every {every}', (e, g)
    else:
        assert g['reason'] == 'first contact: ' + action, (e, g)
EOF
}

@test "t0300 due: --within sets the horizon, inclusive" {
	# C2024011 is due 2025-06-25: 9 days after today
	run "$CRMF" -C "$EX" due --today 2025-06-16 --within 8d --format csv
	assert_success
	[ "$(printf '%s\n' "$output" | grep -c C2024011)" = 0 ]
	run "$CRMF" -C "$EX" due --today 2025-06-16 --within 9d --format csv
	assert_success
	assert_line --partial "2025-06-25,0,C2024011,"
	# 2w is 14 days: C2025005 (2025-07-10) is still out, 24d takes it in
	run "$CRMF" -C "$EX" due --today 2025-06-16 --within 2w --format csv
	[ "$(printf '%s\n' "$output" | grep -c C2025005)" = 0 ]
	run "$CRMF" -C "$EX" due --today 2025-06-16 --within 24d --format csv
	assert_line --partial ",C2025005,"
	# 0: overdue and today only
	run "$CRMF" -C "$EX" due --today 2025-06-16 --within 0
	assert_success
	[ "${#lines[@]}" = 17 ] # header, 15 rows, summary (the empty line is not counted)
	assert_line --index 16 "13 overdue, 2 due today"
	run "$CRMF" -C "$EX" due --today 2025-06-16 --within 3x
	assert_failure 2
	assert_output --partial "invalid duration '3x' for --within"
}

@test "t0300 due: --owner by id, name or email; an unknown one gets a suggestion" {
	local want=C2024019,C2024013,C2025007,C2024010,C2025002,C2024018,C2025009
	run "$CRMF" -C "$EX" due --today 2025-06-16 --owner chen.hao --format csv
	assert_success
	[ "$(ids)" = "$want" ]
	run "$CRMF" -C "$EX" due --today 2025-06-16 --owner 陈浩 --format csv
	[ "$(ids)" = "$want" ]
	run "$CRMF" -C "$EX" due --today 2025-06-16 --owner chen.hao@qiming.example.cn --format csv
	[ "$(ids)" = "$want" ]
	run "$CRMF" -C "$EX" due --today 2025-06-16 --owner chen.hoa
	assert_failure 2
	assert_output "crmf: 'chen.hoa' is not in the team of crmf.yaml; did you mean 'chen.hao'?"
	run "$CRMF" -C "$EX" due --owner chen.hao --mine
	assert_failure 2
}

@test "t0300 due: --mine is the team member of git's user.email or user.name" {
	make_example_repo
	cd "$TMP/repo"
	git config user.email li.na@qiming.example.cn
	run "$CRMF" due --today 2025-06-16 --mine --format csv
	assert_success
	[ "$(ids)" = C2024016,C2025006,C2025001,C2024002,C2024004 ]
	# the author git would record wins over the config
	GIT_AUTHOR_EMAIL=liu.yang@qiming.example.cn run "$CRMF" due --today 2025-06-16 --mine --format csv
	[ "$(ids)" = C2024006,C2024015,C2025003 ]
	# a name alone is enough, and so is the id as the email's local part
	git config user.email someone@elsewhere.example
	git config user.name 王芳
	run "$CRMF" due --today 2025-06-16 --mine --format csv
	[ "$(ids)" = C2024003,C2025008,C2024008,C2024017 ]
	git config user.name "Somebody"
	git config user.email zhang.wei@home.example
	run "$CRMF" due --today 2025-06-16 --mine --format csv
	[ "$(ids)" = C2024007,C2024012,C2025004,C2024001 ]
	git config user.email nobody@elsewhere.example
	run "$CRMF" due --today 2025-06-16 --mine
	assert_failure 2
	assert_output --partial "your git identity 'Somebody <nobody@elsewhere.example>' matches no member of the team"
}

@test "t0300 due: --overdue keeps the 13 overdue rows" {
	run "$CRMF" -C "$EX" due --today 2025-06-16 --overdue --format json
	assert_success
	printf '%s\n' "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 13 and all(o["overdue_days"] > 0 for o in v), v'
	run "$CRMF" -C "$EX" due --today 2025-06-16 --overdue
	assert_line --index 0 --regexp '^DUE +OVERDUE +ID +NAME +OWNER +POTENTIAL +STAGE +REASON$'
	assert_line --index 14 "13 overdue, 0 due today"
	# nothing overdue for liu.yang
	run "$CRMF" -C "$EX" due --today 2025-06-16 --overdue --owner liu.yang
	assert_success
	assert_output "nothing overdue"
	run "$CRMF" -C "$EX" due --today 2025-06-16 --overdue --owner liu.yang --format json
	assert_output "[]"
}

@test "t0300 due: --format csv has a header, canonical values and RFC 4180 quoting" {
	run "$CRMF" -C "$EX" due --today 2025-06-16 --format csv
	assert_success
	[ "${#lines[@]}" = 24 ]
	[ "${lines[0]}" = $'due,overdue_days,id,name,owner,potential,stage,kind,reason,path\r' ]
	[ "${lines[1]}" = $'2024-12-20,178,C2024016,合肥科创软件有限公司,li.na,low,lead,cadence,"cadence: low potential, every 30d",customers/2024/C2024016.yaml\r' ]
	[ "${lines[6]}" = $'2025-05-22,25,C2025007,杭州恒拓机械,chen.hao,,lead,first-contact,first contact: grade B within 2d,customers/2025/C2025007.yaml\r' ]
	[ "${lines[14]}" = $'2025-06-16,0,C2024006,广州汇鲜连锁超市有限公司,liu.yang,high,customer,cadence,"cadence: high potential, every 3d",customers/2024/C2024006.yaml\r' ]
	run "$CRMF" -C "$EX" due --format tsv
	assert_failure 2
}

@test "t0300 due: columns line up by display width with Chinese names and labels" {
	"$CRMF" -C "$EX" due --today 2025-06-16 >table.txt
	"$CRMF" -C "$EX" due --today 2025-06-16 --format csv >rows.csv
	check_alignment table.txt rows.csv DUE=due ID=id NAME=name OWNER=owner
	# labels, not canonical values, in the table
	grep -q '  意向期  ' table.txt
	! grep -q ' intent ' table.txt
	# a narrow terminal cuts names first (without splitting a character),
	# then leaves out potential, then cuts the reason, and fits its width
	COLUMNS=100 "$CRMF" -C "$EX" due --today 2025-06-16 >narrow.txt
	python3 -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' narrow.txt
	grep -q '深圳讯联电…   wang.fang' narrow.txt
	! grep -q POTENTIAL narrow.txt
	grep -q '^DUE .*STAGE  *REASON$' narrow.txt
	check_alignment narrow.txt rows.csv DUE=due ID=id OWNER=owner
	python3 -c '
import sys, unicodedata
for l in open(sys.argv[1], encoding="utf-8"):
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l.rstrip("\n"))
    assert w <= 100, (w, l)' narrow.txt
	# at 80 columns the reason still has 20 columns and more
	COLUMNS=80 "$CRMF" -C "$EX" due --today 2025-06-16 >n80.txt
	grep -q '春节后电话确认预算' n80.txt
	! grep -q STAGE n80.txt
}

@test "t0300 due: files with errors are reported; the others still make the agenda" {
	make_example_repo
	cp "$EX/broken/bad-date.yaml" "$EX/broken/unknown-field.yaml" "$TMP/repo/customers/"
	cd "$TMP/repo"
	run --separate-stderr "$CRMF" due --today 2025-06-16 --format csv
	# bad-date.yaml has an impossible `created`: its due date is unknown
	assert_failure 1
	[ "$stderr" = "crmf: 2 files have errors; run 'crmf check'
crmf: left out, their due date depends on fields with errors: customers/bad-date.yaml" ]
	# unknown-field.yaml's error is in a field the due date does not use
	assert_line --partial "2025-03-19,89,unknown-field,"
	[ "${#lines[@]}" = 25 ]
}

@test "t0300 due: an empty agenda says so" {
	mkdir -p empty/customers
	cd empty
	git init -q
	run "$CRMF" due --today 2025-06-16
	assert_success
	assert_output "nothing due by 2025-06-23"
	run "$CRMF" due --today 2025-06-16 --format json
	assert_output "[]"
	run "$CRMF" due --today 2025-06-16 --format csv
	assert_output $'due,overdue_days,id,name,owner,potential,stage,kind,reason,path\r'
}

@test "t0300 due: colour on a terminal only, never with NO_COLOR" {
	script -qec "env -u NO_COLOR TERM=xterm '$CRMF' -C '$EX' due --today 2025-06-16" /dev/null >tty.txt
	grep -q $'\033\\[31m2024-12-20' tty.txt
	grep -q $'\033\\[1m2025-06-16' tty.txt
	script -qec "env NO_COLOR=1 TERM=xterm '$CRMF' -C '$EX' due --today 2025-06-16" /dev/null >tty.txt
	! grep -q $'\033' tty.txt
	env -u NO_COLOR "$CRMF" -C "$EX" due --today 2025-06-16 >pipe.txt
	! grep -q $'\033' pipe.txt
}
