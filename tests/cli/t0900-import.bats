#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf import: a seed-003 style sheet (written by openpyxl, not by crmf) into the
# example repository in one commit that git revert undoes; bad cells reported at
# their cells with nothing changed; a GBK CSV; re-import changes nothing;
# --dry-run writes nothing; a row of an existing id updates that customer by
# minimal edits (re-import); duplicates among the new rows; numbered contacts;
# progress on a terminal only.

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
	assert_line '0 created, 0 updated, 3 unchanged, 0 skipped'
	assert_line 'nothing to import: no row creates or changes a customer'
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

# A CSV of header line $1 and data lines $2…, in file $F (default up.csv).
csv() {
	local f=${F:-up.csv}
	printf '%s\n' "$@" >"$f"
}

@test "import: a row of an existing id updates only what the sheet changes, comments kept" {
	make_example_repo
	cd repo
	f=customers/2024/C2024001.yaml
	cp "$f" before.yaml
	# 客户名称, 所属行业 empty: the file's values stay; stage, a tag, a contact, a
	# follow-up and the expiry of the deal signed 2025-04-22 are new
	csv '客户编号,客户名称,所属行业,合作阶段,标签,联系人,职位,电话,联系人2,电话2,最近跟进日期,跟进内容,跟进人,签约金额(万元),合作起始日期,合同到期日' \
		'C2024001,,,合同谈判,标杆客户、新厂区,顾晓东,,,王强,13700001111,2025-06-20,电话确认二期验收会定于6月28日,zhang.wei,42,2025-04-22,2027-04-21'
	head=$(git rev-parse HEAD)
	run crmf import up.csv --dry-run --today 2025-06-21
	assert_success
	assert_line 'C2024001: would update customers/2024/C2024001.yaml (row 2)'
	assert_line '  stage: customer → negotiation'
	assert_line '  deals[2].expires: 2026-04-21 → 2027-04-21'
	assert_line '  + tags: 新厂区'
	assert_line '  + contact 王强 (13700001111)'
	assert_line '  + follow-up 2025-06-20 zhang.wei: 电话确认二期验收会定于6月28日'
	refute_output --partial 'name:'
	refute_output --partial 'industry:'
	assert_line 'dry run, nothing written: 0 created, 1 updated, 0 unchanged, 0 skipped'
	cmp "$f" before.yaml
	run crmf import up.csv --today 2025-06-21
	assert_success
	assert_line 'C2024001: updated customers/2024/C2024001.yaml (row 2)'
	assert_line --partial 'import 1 customer from up.csv (0 created, 1 updated)'
	[ "$(git rev-parse HEAD~1)" = "$head" ]
	[ "$(git show --name-only --format= HEAD)" = "$f" ]
	git log -1 --format=%B | grep -qx '  stage: customer → negotiation'
	# every line removed is a line changed; comments, order and the rest are the same bytes
	diff before.yaml "$f" >d.txt || true
	[ "$(grep -c '^<' d.txt)" -eq 3 ]
	grep -qx '< stage: customer' d.txt
	grep -qx '< tags: \[品质优先, 制造业, 标杆客户\]' d.txt
	grep -qx '<     expires: 2026-04-21' d.txt
	grep -qx '> stage: negotiation' d.txt
	grep -qx '> tags: \[品质优先, 制造业, 标杆客户, 新厂区\]' d.txt
	[ "$(grep -c '#' "$f")" -eq "$(grep -c '#' before.yaml)" ]
	grep -q '^  - name: 王强$' "$f"
	run crmf check --today 2025-06-21 "$f"
	assert_success
	# the same file again: nothing changes, and it says so
	head=$(git rev-parse HEAD)
	cp "$f" after.yaml
	run crmf import up.csv --today 2025-06-21
	assert_success
	assert_line 'C2024001: unchanged (row 2)'
	assert_line 'nothing to import: no row creates or changes a customer'
	[ "$(git rev-parse HEAD)" = "$head" ]
	cmp "$f" after.yaml
	[ "$(grep -c '电话确认二期验收会' "$f")" -eq 1 ]
}

@test "import: --no-update skips existing ids; a probable duplicate of a customer is an error" {
	make_example_repo
	cd repo
	make_xlsx ids.xlsx 2=1=C2024001
	head=$(git rev-parse HEAD)
	run crmf import ids.xlsx --no-update --today 2025-06-16
	assert_success
	assert_line --regexp '^C2024001: exists, skipped \(row 2; [0-9]+ changes not made\)$'
	git diff --quiet "$head" HEAD -- customers/2024/C2024001.yaml
	name=$(sed -n 's/^name: //p' customers/2024/C2024001.yaml)
	make_xlsx dup.xlsx "2=2=$name"
	head=$(git rev-parse HEAD)
	run crmf import dup.xlsx --today 2025-06-16
	assert_failure 1
	assert_output --partial 'dup.xlsx:客户信息表!B2: error: probable duplicate of C2024001'
	[ "$(git rev-parse HEAD)" = "$head" ]
	run crmf import dup.xlsx --allow-duplicates --today 2025-06-16
	assert_success
	assert_output --partial 'dup.xlsx:客户信息表!B2: warning: probable duplicate of C2024001'
}

@test "import: an update that would make the file invalid, or of a file with uncommitted edits, is refused" {
	make_example_repo
	cd repo
	csv '客户编号,联系人,电子邮箱' 'C2024001,新人,x@@y'
	run crmf import up.csv --today 2025-06-21
	assert_failure 1
	assert_output --partial "up.csv!C2: error: invalid email 'x@@y'"
	echo '# mine' >>customers/2024/C2024002.yaml
	csv '客户编号,合作阶段' 'C2024002,合同谈判'
	run crmf import up.csv --today 2025-06-21
	assert_failure 1
	assert_output --partial "up.csv!A2: error: 'C2024002' has uncommitted changes"
	# a new id must give every required field
	csv '客户编号,合作阶段' 'X1,合同谈判'
	run crmf import up.csv --today 2025-06-21
	assert_failure 1
	assert_output --partial "missing required field"
}

@test "import: new rows that duplicate each other: an error at the later row naming the earlier" {
	make_example_repo
	cd repo
	csv '客户名称,联系人,电话,所属行业,企业规模,客户来源,需求类型,需求描述,region,负责人' \
		'甲公司,张三,13700000001,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei' \
		'乙公司,李四,13700000002,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei' \
		'丙公司,王五,137 0000 0001,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei' \
		'甲公司,赵六,13700000009,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei'
	head=$(git rev-parse HEAD)
	run crmf import up.csv --today 2025-06-21
	assert_failure 1
	assert_line --partial 'up.csv!C4: error: probable duplicate of row 2 (the same phone)'
	assert_line --partial 'up.csv!A5: error: probable duplicate of row 2 (the same company name)'
	refute_output --partial 'up.csv!C2'
	refute_output --partial 'row 3'
	[ "$(git rev-parse HEAD)" = "$head" ]
	run crmf import up.csv --allow-duplicates --today 2025-06-21
	assert_success
	assert_line --partial 'up.csv!C4: warning: probable duplicate of row 2'
	assert_line --partial '4 created'
}

@test "import: numbered contact columns, and '张三/李四' with as many phones, give several contacts" {
	make_example_repo
	cd repo
	csv '客户名称,联系人,电话,联系人2,职位2,电话2,邮箱(3),联系人3,所属行业,企业规模,客户来源,需求类型,需求描述,region,负责人' \
		'甲公司,张三,13700000001,李四,经理,13700000002,wangwu@example.cn,王五,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei' \
		'乙公司,赵六/钱七,13700000011/13700000012,,,,,,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei'
	run crmf import up.csv --today 2025-06-21
	assert_success
	a=customers/2025/C2025010.yaml b=customers/2025/C2025011.yaml
	[ "$(grep -c '^  - name:' "$a")" -eq 3 ]
	grep -A2 -x '  - name: 李四' "$a" | grep -qx '    title: 经理'
	grep -A1 -x '  - name: 王五' "$a" | grep -qx '    email: wangwu@example.cn'
	[ "$(grep -c '^  - name:' "$b")" -eq 2 ]
	grep -A1 -x '  - name: 钱七' "$b" | grep -q '13700000012'
	# in --map: contacts[1].phone
	printf 'import:\n  columns:\n    备用手机: contacts[1].phone\n    备用联系人: contacts[1].name\n' >map.yaml
	csv '客户名称,联系人,电话,备用联系人,备用手机,所属行业,企业规模,客户来源,需求类型,需求描述,region,负责人' \
		'丁公司,孙八,13700000021,周九,13700000022,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei'
	run crmf import up.csv --map map.yaml --today 2025-06-21
	assert_success
	grep -A1 -x '  - name: 周九' customers/2025/C2025012.yaml | grep -q '13700000022'
}

@test "import: progress on a terminal for a large file, none otherwise or with --quiet" {
	command -v script >/dev/null || skip "no script(1)"
	make_example_repo
	cd repo
	awk 'BEGIN { print "客户名称,联系人,电话,所属行业,企业规模,客户来源,需求类型,需求描述,region,负责人"
		for (i = 1; i <= 2500; i++)
			printf "公司%d,联系人%d,137%08d,IT服务/云计算,<50,官网,采购,采购系统,华东,zhang.wei\n", i, i, i }' >big.csv
	run crmf import big.csv --dry-run --today 2025-06-21
	assert_success
	refute_output --partial 'import: checking rows'
	script -qec "$CRMF import big.csv --dry-run --today 2025-06-21 >out.txt" /dev/null >tty.txt
	grep -q 'import: checking rows 2500/2500' tty.txt
	grep -q 'import: comparing with the repository 2500/2500' tty.txt
	! grep -q 'import:' out.txt
	grep -q '2500 created' out.txt
	script -qec "$CRMF import big.csv --today 2025-06-21 >out.txt" /dev/null >tty.txt
	grep -q 'import: writing files 2500/2500' tty.txt
	grep -q 'import: committing, done' tty.txt
	git reset -q --hard HEAD~1
	script -qec "$CRMF import big.csv --quiet --dry-run --today 2025-06-21 >out.txt" /dev/null >tty.txt
	! grep -q 'import:' tty.txt
	! grep -q 'would create' out.txt
}

@test "import: crmf.yaml's import: section is checked at its lines" {
	make_example_repo
	cd repo
	printf 'import:\n  colums: {}\n' >>crmf.yaml
	run crmf check crmf.yaml
	assert_failure
	assert_output --partial "unknown key 'colums' in 'import'"
}
