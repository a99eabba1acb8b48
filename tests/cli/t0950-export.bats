#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf export: the example repository out as .xlsx (read by openpyxl, not by
# crmf) and back in through crmf import into an empty repository with the same
# customers; Excel-safe CSV; JSON as crmf list prints it; vCards read by
# python3-vobject; --where, --redact, -o, and the record sheets' errors on import.

load helper
bats_require_minimum_version 1.5.0

PY=/usr/bin/python3
TODAY=2025-06-16

# The JSON of `crmf show` for every customer of the repository in $1, one file
# per id under $2; the path (where import files it) left out.
show_all() {
	mkdir -p "$2"
	for id in $(cd "$1" && crmf list --format csv --columns id --today $TODAY | tail -n +2 | tr -d '\r'); do
		(cd "$1" && crmf show "$id" --format json --today $TODAY) >"$2/$id.json"
	done
}

@test "export: xlsx of the example repository, imported into an empty repository, gives the same customers" {
	make_example_repo
	cd repo
	run crmf export -o "$TMP/all.xlsx" --today $TODAY
	assert_success
	[ -s "$TMP/all.xlsx" ]
	mkdir "$TMP/empty" && cd "$TMP/empty"
	git init -q
	run crmf init
	assert_success
	# the team's settings travel with crmf.yaml, not in the workbook
	cp "$TMP/repo/crmf.yaml" crmf.yaml
	git add crmf.yaml && git commit -qm settings
	run crmf import "$TMP/all.xlsx" --today $TODAY
	assert_success
	assert_line --partial 'import 28 customers from all.xlsx'
	refute_output --partial 'not imported'
	run crmf check --today $TODAY
	assert_success
	show_all "$TMP/repo" "$TMP/a"
	show_all "$TMP/empty" "$TMP/b"
	[ "$(ls "$TMP/a" | wc -l)" -eq 28 ]
	run "$PY" - "$TMP/a" "$TMP/b" <<'PY'
import json, os, sys
a, b = sys.argv[1], sys.argv[2]
assert sorted(os.listdir(a)) == sorted(os.listdir(b)), (os.listdir(a), os.listdir(b))
def norm(v):
    # a block scalar's final line break is YAML's, not the text's: a cell has none
    if isinstance(v, str):
        return v.rstrip("\n")
    if isinstance(v, list):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items() if k != "path"}
    return v
n = 0
for f in sorted(os.listdir(a)):
    x = norm(json.load(open(os.path.join(a, f))))
    y = norm(json.load(open(os.path.join(b, f))))
    assert x == y, (f, [(k, x.get(k), y.get(k)) for k in set(x) | set(y) if x.get(k) != y.get(k)])
    n += len(x.get("followups") or [])
print("followups", n)
PY
	assert_success
	assert_output --regexp 'followups [1-9][0-9]+'
	# the same workbook again changes nothing
	head=$(git rev-parse HEAD)
	run crmf import "$TMP/all.xlsx" --today $TODAY
	assert_success
	assert_line --partial '0 created, 0 updated, 28 unchanged'
	[ "$(git rev-parse HEAD)" = "$head" ]
}

@test "export: the workbook as openpyxl reads it: date cells, numbers, phones as text, frozen header, autofilter" {
	make_example_repo
	cd repo
	crmf export --format xlsx --today $TODAY >"$TMP/out.xlsx"
	run "$PY" - "$TMP/out.xlsx" <<'PY'
import datetime, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["客户", "联系人", "合同", "跟进记录"], wb.sheetnames
for ws in wb.worksheets:
    assert ws.freeze_panes == "A2", (ws.title, ws.freeze_panes)
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), (ws.title, ws.auto_filter.ref)
    assert all(c.font.b for c in ws[1]), ws.title
def col(ws, name):
    hdr = [c.value for c in ws[1]]
    return hdr.index(name) + 1
ws = wb["客户"]
rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
assert len(rows) == 28 and "C2024002" in rows, len(rows)
r = rows["C2024002"]
created = ws.cell(r, col(ws, "建档日期"))
assert created.is_date and created.value.date() == datetime.date(2024, 3, 25), created.value
assert "yy" in created.number_format
phone = ws.cell(r, col(ws, "联系方式"))
assert phone.data_type == "s" and phone.value == "+86 136 1512 0087", (phone.data_type, phone.value)
amount = ws.cell(r, col(ws, "签约金额(元)"))
assert amount.data_type == "n" and amount.value == 1200000, amount.value
assert ws.cell(r, col(ws, "合作阶段")).value == "合作期"
assert ws.cell(r, col(ws, "标签")).value == "品质优先、服务需求、年度框架"
# every phone of every sheet is a string
for s in ("客户", "联系人"):
    w = wb[s]
    c = col(w, "联系方式")
    for rr in range(2, w.max_row + 1):
        v = w.cell(rr, c)
        assert v.value is None or v.data_type == "s", (s, rr, v.value)
fu = wb["跟进记录"]
dates = [fu.cell(rr, col(fu, "跟进日期")) for rr in range(2, fu.max_row + 1)]
assert all(d.is_date for d in dates)
timed = [d for d in dates if d.value.hour or d.value.minute]
assert timed and "hh:mm" in timed[0].number_format, [d.number_format for d in timed[:1]]
ct = wb["联系人"]
who = [ct.cell(rr, col(ct, "联系人")).value for rr in range(2, ct.max_row + 1) if ct.cell(rr, 1).value == "C2024002"]
assert who == ["吴海燕", "钱伟"], who
print("ok")
PY
	assert_success
	assert_output ok
}

@test "export: a workbook is not written to a terminal; -o writes the file atomically" {
	make_example_repo
	cd repo
	run script -qec "$CRMF export" /dev/null
	assert_failure 2
	assert_output --partial 'not for a terminal'
	echo old >out.csv
	ln -s out.csv link.csv
	run crmf export -o link.csv
	assert_success
	[ -L link.csv ]
	head -c 3 out.csv | od -An -tx1 | grep -q 'ef bb bf'
	[ -z "$(find . -name '*.tmp*' -o -name '.crmf-*')" ]
	run crmf export -o "$TMP/nodir/x.json"
	assert_failure 2
	[ ! -e "$TMP/nodir" ]
	run crmf export --format pdf
	assert_failure 2
	assert_output --partial "unknown format 'pdf'"
}

@test "export: csv for Excel: BOM, quoting, formulas defused, one row per customer" {
	make_example_repo
	cd repo
	crmf export --format csv --where 'stage != lost' --today $TODAY >out.csv
	head -c 3 out.csv | od -An -tx1 | grep -q 'ef bb bf'
	n=$(crmf list --where 'stage != lost' --format csv --columns id --today $TODAY | tail -n +2 | wc -l)
	run "$PY" - out.csv "$n" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
assert rows[0][:3] == ["客户编号", "客户名称", "所属行业"], rows[0]
assert len(rows) - 1 == int(sys.argv[2]), (len(rows), sys.argv[2])
by = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
assert by["C2024002"]["联系方式"] == "'+86 136 1512 0087", by["C2024002"]["联系方式"]
assert "\n" in by["C2024002"]["需求描述"]
for r in rows[1:]:
    for c in r:
        assert not c or c[0] not in "=+-@", c
print("ok")
PY
	assert_success
	assert_output ok
	grep -q $'\r$' out.csv
	# and it imports back: the defusing apostrophe is not part of the phone
	mkdir "$TMP/empty" && cd "$TMP/empty" && git init -q
	cp "$TMP/repo/crmf.yaml" . && git add . && git commit -qm settings
	run crmf import "$TMP/repo/out.csv" --today $TODAY
	assert_success
	refute_output --partial 'not imported'
	run crmf show C2024002 --format json --today $TODAY
	assert_output --partial '"phone": "+86 136 1512 0087"'
}

@test "export: json is the array crmf list --format json prints" {
	make_example_repo
	cd repo
	run crmf export --format json --where 'owner = li.na' --today $TODAY
	assert_success
	expected=$(crmf list --format json --where 'owner = li.na' --today $TODAY)
	[ "$output" = "$expected" ]
	run crmf export --format json --all --where 'id = C2023008' --today $TODAY
	assert_output --partial '"archived": true'
	run crmf export --format json --where 'id = nobody' --today $TODAY
	assert_success
	assert_output '[]'
}

@test "export: --where errors as crmf list reports them" {
	make_example_repo
	cd repo
	run crmf export --format csv --where 'stgae = intent'
	assert_failure 2
	assert_output --partial "unknown field 'stgae'; did you mean 'stage'?"
	assert_output --partial '  stgae = intent'
	run crmf export --format csv --where 'stage = intnet'
	assert_failure 2
	assert_output --partial 'intnet'
}

@test "export: vcf is vCard 4.0 that python3-vobject reads, CRLF, folded at 75 octets, escaped" {
	make_example_repo
	cd repo
	cat >>customers/2024/C2024002.yaml <<'EOF'
EOF
	sed -i 's/^    title: 质量部经理$/    title: "质量部经理, 兼任; 信息化负责人（智能制造事业部数字化转型专项工作组）"/' customers/2024/C2024002.yaml
	crmf export --format vcf --where 'id = C2024002' >out.vcf
	run "$PY" - out.vcf <<'PY'
import sys
import vobject
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\r\n")
assert lines[-1] == b"" and b"\n" not in b"".join(lines), "CRLF only"
assert all(len(l) <= 75 for l in lines), max(len(l) for l in lines)
assert any(l.startswith(b" ") for l in lines), "a long line is folded"
for l in lines:
    l.decode("utf-8")  # never split inside a character
cards = list(vobject.readComponents(raw.decode("utf-8")))
assert len(cards) == 2, len(cards)
a, b = cards
assert a.version.value == "4.0"
assert a.fn.value == "吴海燕" and a.tel.value == "+86 136 1512 0087", (a.fn.value, a.tel.value)
assert a.email.value == "wuhaiyan@ruifeng.example.cn"
assert "C2024002" in a.note.value
assert b.title.value == "质量部经理, 兼任; 信息化负责人（智能制造事业部数字化转型专项工作组）", b.title.value
assert b"\\, \xe5\x85\xbc\xe4\xbb\xbb\\;" in raw
print("ok")
PY
	assert_success
	assert_output ok
}

@test "export: --redact masks phones and emails in every format" {
	make_example_repo
	cd repo
	for f in csv json vcf xlsx; do
		crmf export --format $f --redact --where 'id = C2024002' >out.$f
	done
	! grep -q '1512 0087\|wuhaiyan@' out.csv out.json out.vcf
	grep -q '+86 136\*\*\*\*0087' out.csv
	grep -q '"phone": "+86 136\*\*\*\*0087"' out.json
	grep -q '"email": "w\*\*\*@ruifeng.example.cn"' out.json
	grep -q 'TEL;TYPE=work:+86 136\*\*\*\*0087' out.vcf
	run "$PY" - out.xlsx <<'PY'
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
vals = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
assert not any("1512 0087" in v or "wuhaiyan@" in v or "qianwei@" in v for v in vals)
assert "q***@ruifeng.example.cn" in vals and "+86 136****0087" in vals
print("ok")
PY
	assert_output ok
}

@test "import: a record sheet's problems are reported at their cells, nothing imported" {
	make_example_repo
	cd repo
	crmf export --where 'id = C2024002' >"$TMP/one.xlsx"
	"$PY" - "$TMP/one.xlsx" <<'PY'
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
fu = wb["跟进记录"]
fu.cell(3, 1).value = "C9999999"        # a customer not in the sheet
fu.cell(4, 4).value = "nobody"          # an unknown member
ct = wb["联系人"]
ct.cell(3, 7).value = "是"              # a second primary contact
wb.save(sys.argv[1])
PY
	mkdir "$TMP/empty" && cd "$TMP/empty" && git init -q
	cp "$TMP/repo/crmf.yaml" . && git add . && git commit -qm settings
	run crmf import "$TMP/one.xlsx" --today $TODAY
	assert_failure 1
	assert_output --partial "one.xlsx:跟进记录!A3: error: customer 'C9999999' is not in the sheet imported"
	assert_output --partial 'one.xlsx:跟进记录!D4: error:'
	assert_output --partial 'one.xlsx:联系人!G3: error:'
	assert_output --partial 'nothing imported'
	[ ! -d customers ] || [ -z "$(ls customers)" ]
}

# Each call of KIND made to fail in turn while `crmf export -o $1` replaces
# "old": the file is then old or whole, and nothing is left beside it.
fault_sweep() {
	local out=$1 fmt=$2 kind n total rc
	# a preloaded library before the sanitizer runtime is fine for this shim
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	rm -f "$TMP/count"
	echo old >"$out"
	CRMF_FAULT_COUNT="$TMP/count" LD_PRELOAD="$SHIM" "$CRMF" export --format "$fmt" -o "$out" --today $TODAY
	cp "$out" "$TMP/good"
	[ -s "$TMP/count" ]
	while read -r kind total; do
		for n in $(seq 1 "$total"); do
			echo old >"$out"
			rc=0
			CRMF_FAULT_CALL=$kind CRMF_FAULT_NTH=$n CRMF_FAULT_ERRNO=EIO LD_PRELOAD="$SHIM" \
				"$CRMF" export --format "$fmt" -o "$out" --today $TODAY 2>"$TMP/err" || rc=$?
			if [ "$(cat "$out")" = old ]; then
				[ $rc -ne 0 ] || { echo "$kind #$n: exit 0 and the old file"; return 1; }
				[ -s "$TMP/err" ] || { echo "$kind #$n: no message"; return 1; }
			elif [ "$fmt" = xlsx ]; then
				"$PY" -c 'import sys, zipfile; assert zipfile.ZipFile(sys.argv[1]).testzip() is None' "$out" ||
					{ echo "$kind #$n: a broken workbook"; return 1; }
			else
				cmp -s "$out" "$TMP/good" || { echo "$kind #$n: a mix"; return 1; }
			fi
			[ "$(ls -A "$(dirname "$out")" | wc -l)" -eq 1 ] ||
				{ echo "$kind #$n: left $(ls -A "$(dirname "$out")")"; return 1; }
		done
	done <"$TMP/count"
}

@test "export: -o FILE with each write, fsync, rename… failing in turn: the old file or the whole new one" {
	SHIM=${CRMF_FAULTSHIM:-}
	if [ -z "$SHIM" ] || [ ! -f "$SHIM" ]; then
		SHIM="$TMP/faultshim.so"
		cc -O2 -fPIC -shared -o "$SHIM" "$CRMF_SRC/tests/faults/faultshim.c" -ldl
	fi
	make_example_repo
	cd repo
	export TMPDIR="$TMP/tmp"
	mkdir -p "$TMPDIR" "$TMP/out"
	run fault_sweep "$TMP/out/all.csv" csv
	assert_success
	rm -f "$TMP/out/"*
	run fault_sweep "$TMP/out/all.xlsx" xlsx
	assert_success
}
