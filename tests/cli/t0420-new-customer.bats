#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf new: the next id of id_format (archive/ counts, the year's own
# sequence), the layout the repository uses, the repository's template before
# the built-in one, placeholders filled outside comments, KEY=VALUE applied,
# missing fields refused without writing, the editor with --edit, and
# concurrent runs that never pick the same id.

load helper
bats_require_minimum_version 1.5.0

# The edited copies go to a temporary folder of the test's own.
eval "helper_$(declare -f setup)"
setup() {
	helper_setup
	export TMPDIR="$TMP/tmp"
	mkdir -p "$TMPDIR"
}

# Everything the example repository requires of a new customer.
FIELDS=(industry=IT服务/云计算 size=50-200 source=展会 region=华东 'contacts[0].name=张伟'
	'contacts[0].phone=13800138000' need.type=运维监控平台 need.description=私有云故障要5分钟内告警)

@test "new: next id of the year, year folder, committed alone with its name in the subject" {
	make_example_repo
	cd repo
	echo notes >notes.txt
	git add notes.txt
	run crmf new 杭州云启科技有限公司 "${FIELDS[@]}" --owner li.na --today 2025-06-16
	assert_success
	assert_line 'C2025010: created customers/2025/C2025010.yaml'
	assert_line "committed $(git rev-parse --short=7 HEAD) \"crmf: new C2025010: 杭州云启科技有限公司\""
	f=customers/2025/C2025010.yaml
	run git log -1 --format='%s%n%b'
	assert_output - <<'EOF'
crmf: new C2025010: 杭州云启科技有限公司
Crmf-Action: new
Crmf-Customer: C2025010
EOF
	run git show --name-status --format= HEAD
	assert_output "A	$f"
	run git status --porcelain
	assert_output 'A  notes.txt'
	run grep -E '^(id|name|created|owner|stage|industry|region):' "$f"
	assert_output - <<'EOF'
id: C2025010                    # 客户编号，必须与文件名一致 / equals the file name
name: 杭州云启科技有限公司      # 客户全称 / full legal name
industry: IT服务/云计算                       # 所属行业，“一级/二级” / "sector/sub-sector", e.g. 制造业/汽车零部件
created: 2025-06-16             # 建档日期 / record created, YYYY-MM-DD
owner: li.na                    # 负责人，唯一 / the one owner
stage: lead                     # 需求阶段 / stage: lead 潜在期 | intent 意向期 | negotiation 成交期
region: 华东
EOF
	# the comments that explain the placeholders keep them
	grep -q '^#   {{id}}       ' "$f"
	run grep -A1 '^contacts:' "$f"
	assert_line --index 1 --partial '  - name: 张伟'
	grep -q '^    phone: "13800138000"' "$f"
	crmf check "$f"
	git fsck --strict
}

@test "new: a new year starts at 1; ids in archive/ count; owner from git's identity" {
	make_example_repo
	cd repo
	git config user.email chen.hao@qiming.example.cn
	run crmf new 成都新客户有限公司 "${FIELDS[@]}" --today 2026-01-05
	assert_success
	assert_line 'C2026001: created customers/2026/C2026001.yaml'
	grep -q '^owner: chen.hao ' customers/2026/C2026001.yaml
	# C2023015 is archived: 2023 continues at 16
	run crmf new 旧年客户有限公司 "${FIELDS[@]}" --today 2023-12-30
	assert_success
	assert_line 'C2023016: created customers/2023/C2023016.yaml'
}

@test "new: a flat customers/ folder gets flat files; {seq:N} width and other placeholders" {
	mkdir repo
	cd repo
	git init -q
	sed 's/^id_format: .*/id_format: "K{yy}{mm}-{seq:4}"/' "$CRMF_SRC/examples/crmf.yaml" >crmf.yaml
	mkdir customers
	sed 's/^id: C2024004/id: K2506-0007/' "$CRMF_SRC/examples/customers/2024/C2024004.yaml" \
		>customers/K2506-0007.yaml
	git add -A
	git commit -qm init
	run crmf new 新客户有限公司 "${FIELDS[@]}" --owner li.na --today 2025-06-16
	assert_success
	assert_line 'K2506-0008: created customers/K2506-0008.yaml'
	run crmf new 下月客户有限公司 "${FIELDS[@]}" --owner li.na --today 2025-07-01
	assert_success
	assert_line 'K2507-0001: created customers/K2507-0001.yaml'
}

@test "new: the repository's templates/customer.yaml wins over the built-in one" {
	make_example_repo
	cd repo
	cp -r "$CRMF_SRC/examples/templates" .
	git add templates
	git commit -qm templates
	run crmf new 杭州云启科技有限公司 "${FIELDS[@]}" --owner li.na --today 2025-06-16
	assert_success
	f=customers/2025/C2025010.yaml
	run head -2 "$f"
	assert_line --index 1 "# Our team's template for \`crmf new\`: the generic one plus the required \`region\`."
	grep -q '^region: 华东 *# 大区，必填' "$f"
}

@test "new: missing required fields without a terminal: diagnostics, exit 1, nothing written" {
	make_example_repo
	cd repo
	before=$(tree_hash .)
	run crmf new 杭州云启科技有限公司 industry=IT服务/云计算 --today 2025-06-16 </dev/null
	assert_failure 1
	assert_output --partial "customers/2025/C2025010.yaml:19:1: error: missing required field 'size'"
	assert_output --partial 'no owner: give --owner NAME'
	assert_output --partial 'nothing written'
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-list --count HEAD)" -eq 1 ]
	run crmf new 某公司 stage=won "${FIELDS[@]}" --owner li.na </dev/null
	assert_failure 1
	assert_output --partial "invalid stage 'won'"
	run crmf new 某公司 id=X1 --owner li.na
	assert_failure 1
	assert_output --partial 'id_format'
	run crmf new
	assert_failure 2
	run crmf new a=b
	assert_failure 2
	[ "$(tree_hash .)" = "$before" ]
}

@test "new --edit: the editor fills the file; the result is validated and committed" {
	make_example_repo
	cd repo
	cat >"$TMP/fill.sh" <<'EOF'
#!/bin/sh
sed -i -e 's/^industry:  /industry: 制造业\/电子制造/' -e 's/^size:  /size: 50-200/' \
	-e 's/^source:  /source: 官网/' -e 's/^  - name:  /  - name: 王工/' \
	-e 's/^    phone:  /    phone: 13912345678/' -e 's/^  type:  /  type: MES/' \
	-e 's/^  description:  /  description: 贴片线要追溯到每块板/' -e '$a region: 华南' "$1"
EOF
	chmod +x "$TMP/fill.sh"
	EDITOR="$TMP/fill.sh" run crmf new 深圳华芯电子有限公司 --edit --owner wang.fang --today 2025-06-16 </dev/null
	assert_success
	assert_line 'C2025010: created customers/2025/C2025010.yaml'
	grep -q '^industry: 制造业/电子制造' customers/2025/C2025010.yaml
	[ -z "$(ls "${TMPDIR:-/tmp}"/crmf-C2025010-* 2>/dev/null)" ]
	# an editor leaving it invalid: aborted, the copy kept, nothing written
	EDITOR=true run crmf new 深圳另一家有限公司 --edit --owner wang.fang --today 2025-06-16 </dev/null
	assert_failure 1
	assert_output --partial "customers/2025/C2025011.yaml:18:1: error: missing required field 'industry'"
	assert_output --regexp 'your edit is kept in .*/crmf-C2025011-.*\.yaml'
	copy=$(printf '%s\n' "$output" | sed -n 's/.*your edit is kept in //p')
	grep -q '^name: 深圳另一家有限公司' "$copy"
	rm -f "$copy"
	[ ! -e customers/2025/C2025011.yaml ]
}

@test "new: five at once get five different ids and five commits" {
	make_example_repo
	cd repo
	for i in 1 2 3 4 5; do
		crmf new "并发测试${i}有限公司" "${FIELDS[@]}" "contacts[0].email=c$i@example.cn" --owner li.na \
			--today 2025-06-16 >"$TMP/out$i" 2>&1 &
	done
	wait
	cat "$TMP"/out*
	run ls customers/2025
	for id in 10 11 12 13 14; do
		assert_line "C20250$id.yaml"
	done
	[ "$(git log --format=%s | grep -c '^crmf: new C20250')" -eq 5 ]
	run git status --porcelain
	assert_output ''
	run crmf check
	assert_success
}

@test "new: owner=NAME works like --owner, with no identity complaint" {
	make_example_repo
	cd repo
	run crmf new 杭州云启科技有限公司 "${FIELDS[@]}" owner=wang.fang --today 2025-06-16
	assert_success
	refute_output --partial "no owner"
	grep -q '^owner: wang.fang ' customers/2025/C2025010.yaml
}
