#!/usr/bin/env bats
# crmf import: a seed-003 style sheet (written by openpyxl, not by crmf) into the
# example repository in one commit that git revert undoes; bad cells reported at
# their cells with nothing changed; a GBK CSV; re-import changes nothing;
# --dry-run writes nothing; an id already in the repository.

load helper
bats_require_minimum_version 1.5.0

SHEET="$CRMF_SRC/examples/import/客户信息表.csv"

# An xlsx of the example sheet's rows (sheet 客户信息表), phones typed as numbers,
# dates as date cells; extra rows as "col=value|col=value" arguments replace cells of row 2.
make_xlsx() {
	/usr/bin/python3 - "$SHEET" "$1" "${@:2}" <<'PY'
import csv, datetime, sys
import openpyxl
src, out, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = list(csv.reader(open(src, encoding="utf-8-sig")))
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "客户信息表"
ws.append(rows[0])
for r in rows[1:]:
    cells = []
    for h, v in zip(rows[0], r):
        if h == "联系方式" and v.isdigit():
            v = int(v)
        elif len(v) == 10 and v[4] == "-" and h.endswith(("日期", "到期日")):
            v = datetime.date.fromisoformat(v)
        cells.append(v)
    ws.append(cells)
for e in edits:
    row, col, val = e.split("=", 2)
    ws.cell(row=int(row), column=int(col), value=val)
wb.save(out)
PY
}

@test "import: a workbook of seed-003 columns, one commit, check passes, git revert removes all" {
	make_example_repo
	cd repo
	make_xlsx team.xlsx
	before=$(git rev-parse HEAD)
	run crmf import team.xlsx --today 2025-06-16
	assert_success
	assert_line 'C2025010: created customers/2025/C2025010.yaml (row 2)'
	assert_line --partial 'import 3 customers from team.xlsx'
	[ "$(git rev-parse HEAD~1)" = "$before" ]
	[ "$(git show --name-only --format= HEAD | wc -l)" -eq 3 ]
	grep -q 'phone: "13912345678"\|phone: 13912345678\|phone: '"'"'13912345678' customers/2025/C2025010.yaml
	run crmf check --today 2025-06-16
	assert_success
	git revert --no-edit HEAD >/dev/null
	[ ! -e customers/2025/C2025010.yaml ]
	[ "$(git rev-parse HEAD^{tree})" = "$(git rev-parse "$before^{tree}")" ]
}

@test "import: bad cells are each reported at their cell, nothing changed" {
	make_example_repo
	cd repo
	make_xlsx bad.xlsx 2=6=x@@y 3=7=不存在的行业
	tree=$(git rev-parse HEAD^{tree}) head=$(git rev-parse HEAD)
	run crmf import bad.xlsx --today 2025-06-16
	assert_failure 1
	assert_output --partial 'bad.xlsx:客户信息表!F2: error:'
	assert_output --partial 'bad.xlsx:客户信息表!G3: error:'
	assert_output --partial 'nothing imported'
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ "$(git rev-parse HEAD^{tree})" = "$tree" ]
	[ -z "$(git status --porcelain -- customers)" ]
}

@test "import: a GBK CSV; importing it again changes nothing" {
	make_example_repo
	cd repo
	tail -c +4 "$SHEET" | iconv -f UTF-8 -t GBK >gbk.csv
	run crmf import gbk.csv --today 2025-06-16
	assert_success
	assert_line --partial 'import 3 customers from gbk.csv'
	head=$(git rev-parse HEAD)
	run crmf import gbk.csv --today 2025-06-16
	assert_success
	assert_line 'C2025010: unchanged (row 2)'
	assert_line --partial '0 created, 3 unchanged'
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ -z "$(git status --porcelain -- customers)" ]
}

@test "import: --dry-run says what it would do and writes nothing" {
	make_example_repo
	cd repo
	head=$(git rev-parse HEAD)
	run crmf import "$SHEET" --dry-run --today 2025-06-16
	assert_success
	assert_line 'C2025010: would create customers/2025/C2025010.yaml (row 2)'
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ ! -e customers/2025/C2025010.yaml ]
}

@test "import: an id already in the repository is not overwritten; a probable duplicate is an error" {
	make_example_repo
	cd repo
	make_xlsx ids.xlsx 2=1=C2024001
	head=$(git rev-parse HEAD)
	run crmf import ids.xlsx --today 2025-06-16
	assert_success
	assert_line 'C2024001: exists, not updated (row 2)'
	assert_output --partial "ids.xlsx:客户信息表!A2: warning: 'C2024001' exists"
	git diff --quiet "$head" HEAD -- customers/2024/C2024001.yaml
	run crmf import ids.xlsx --no-update --today 2025-06-16
	assert_line 'C2024001: exists, skipped (row 2)'
	name=$(sed -n 's/^name: //p' customers/2024/C2024001.yaml)
	make_xlsx dup.xlsx "2=2=$name"
	head=$(git rev-parse HEAD)
	run crmf import dup.xlsx --today 2025-06-16
	assert_failure 1
	assert_output --partial 'dup.xlsx:客户信息表!B2: error: probable duplicate of C2024001'
	[ "$(git rev-parse HEAD)" = "$head" ]
}

@test "import: crmf.yaml's import: section is checked at its lines" {
	make_example_repo
	cd repo
	printf 'import:\n  colums: {}\n' >>crmf.yaml
	run crmf check crmf.yaml
	assert_failure
	assert_output --partial "unknown key 'colums' in 'import'"
}
