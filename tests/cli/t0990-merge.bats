#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf merge KEEP DROP…: duplicates made one customer in one commit that
# git revert undoes byte for byte; conflicts settled, never guessed.

load helper
bats_require_minimum_version 1.5.0

# The example team with three records of one company (云启科技): KEEP with
# comments, DROP with a follow-up KEEP has too (an exact repeat), one phone
# written another way, and a third record under another owner.
seed() {
	make_example_repo
	cd repo
	export GIT_AUTHOR_NAME=张伟 GIT_AUTHOR_EMAIL=zhang.wei@qiming.example.cn
	export GIT_COMMITTER_NAME=张伟 GIT_COMMITTER_EMAIL=zhang.wei@qiming.example.cn
	cat >customers/C2025101.yaml <<'YAML'
# 杭州云启：老客户，2024年签约。 Keep this comment.
id: C2025101
name: 杭州云启科技有限公司
industry: IT服务/云计算
size: 50-200
source: 展会
created: 2025-01-06
owner: zhang.wei
stage: intent        # 意向期 / a comment on the stage
potential: high
region: 华东
tags: [云计算, 品质优先]
contacts:
  - name: 王磊
    title: CTO
    phone: "+86 138 0571 2233"
    primary: true
need:
  type: 私有云迁移
  description: 三十台物理服务器迁到私有云，希望年底前完成
followups:
  - date: 2025-01-08
    by: zhang.wei
    method: phone
    with: 王磊
    summary: 首次电话，了解服务器规模和迁移时间表
  # the visit of March
  - date: 2025-03-02
    by: zhang.wei
    method: visit
    with: 王磊
    summary: 上门交流迁移方案，客户关心停机窗口
YAML
	cat >customers/C2025102.yaml <<'YAML'
id: C2025102
name: 云启科技（杭州）有限公司
industry: IT服务/云计算
size: 50-200
source: 展会
created: 2025-01-06
owner: zhang.wei
stage: intent
region: 华东
tags: [云计算, 展会客户]
contacts:
  - name: 王磊
    phone: 138-0571-2233
    email: wanglei@yunqi.example.cn
  - name: 赵敏
    title: 采购经理
    email: zhaomin@yunqi.example.cn
need:
  type: 私有云迁移
  description: 三十台物理服务器迁到私有云，希望年底前完成
  budget: 80万
followups:
  - date: 2025-03-02
    by: zhang.wei
    method: visit
    with: 王磊
    summary: 上门交流迁移方案，客户关心停机窗口
  - date: 2025-02-10
    by: zhang.wei
    method: wechat
    with: 赵敏
    summary: 赵敏索要报价模板和资质文件
  - date: 2025-03-02
    by: zhang.wei
    method: email
    with: 赵敏
    summary: 发送报价单初稿，等待采购审核
YAML
	cat >customers/C2025103.yaml <<'YAML'
id: C2025103
name: 云启科技
industry: IT服务/云计算
size: 50-200
source: 官网
created: 2025-04-01
owner: li.na
stage: lead
region: 华东
contacts:
  - name: 王磊
    phone: "0086 13805712233"
need:
  type: 私有云迁移
  description: 官网留言咨询私有云
followups:
  - date: 2025-04-02
    by: li.na
    method: phone
    with: 王磊
    summary: 回电确认需求，客户说已在和张伟沟通
YAML
	git add -A && git commit -qm "seed: three records of 云启科技"
}

count_followups() {
	grep -c '^  - date:' "$1"
}

@test "merge: follow-ups by date, repeats once, contacts united, one commit that revert undoes" {
	seed
	cp customers/C2025101.yaml "$TMP/keep.orig"
	cp customers/C2025102.yaml "$TMP/drop.orig"
	k=$(count_followups customers/C2025101.yaml) d=$(count_followups customers/C2025102.yaml)
	run crmf merge C2025101 C2025102 --take C2025101:name --today 2025-06-16
	assert_success
	# 2 + 3 − 1 exact repeat
	[ "$(count_followups customers/C2025101.yaml)" -eq $((k + d - 1)) ]
	# in date order, KEEP's first on the same day
	run grep -E '^  - date:|^    method:' customers/C2025101.yaml
	assert_output "$(printf '%s\n' '  - date: 2025-01-08' '    method: phone' \
		'  - date: 2025-02-10' '    method: wechat' '  - date: 2025-03-02' \
		'    method: visit' '  - date: 2025-03-02' '    method: email')"
	# comments of KEEP kept
	grep -q '^# 杭州云启：老客户，2024年签约。 Keep this comment.$' customers/C2025101.yaml
	grep -q '^stage: intent        # 意向期 / a comment on the stage$' customers/C2025101.yaml
	grep -q '^  # the visit of March$' customers/C2025101.yaml
	# 王磊 is one contact (the same phone written another way), his email filled in
	[ "$(grep -c 'name: 王磊' customers/C2025101.yaml)" -eq 1 ]
	grep -q 'email: wanglei@yunqi.example.cn' customers/C2025101.yaml
	grep -q 'name: 赵敏' customers/C2025101.yaml
	grep -q '^tags: \[云计算, 品质优先, 展会客户\]$' customers/C2025101.yaml
	grep -q '^  budget: 80万$' customers/C2025101.yaml
	grep -q '^merged: \[C2025102\]$' customers/C2025101.yaml
	[ ! -e customers/C2025102.yaml ]
	run crmf check --today 2025-06-16
	assert_success
	run crmf check customers/C2025101.yaml --today 2025-06-16
	assert_success
	refute_output --partial 'C2025101.yaml:'
	run git show --stat --format= HEAD
	assert_line --partial 'customers/C2025101.yaml'
	assert_line --partial 'customers/C2025102.yaml'
	[ "$(git show --name-only --format= HEAD | wc -l)" -eq 2 ]
	git log -1 --format=%B | grep -q '^Crmf-Action: merge$'
	[ -z "$(git status --porcelain)" ]
	git revert --no-edit HEAD >/dev/null
	cmp customers/C2025101.yaml "$TMP/keep.orig"
	cmp customers/C2025102.yaml "$TMP/drop.orig"
}

@test "merge: what the user staged stays out of the commit" {
	seed
	echo "notes" >notes.txt
	git add notes.txt
	run crmf merge C2025101 C2025102 --take C2025101:name --today 2025-06-16
	assert_success
	[ "$(git show --name-only --format= HEAD | wc -l)" -eq 2 ]
	run git status --porcelain
	assert_output 'A  notes.txt'
}

@test "merge: a conflict is listed, exits 1 and changes nothing; --take, --set, --edit settle it" {
	seed
	before=$(tree_hash .)
	head=$(git rev-parse HEAD)
	run crmf merge C2025101 C2025103 --today 2025-06-16
	assert_failure 1
	assert_output --partial "conflict: name: C2025101 has '杭州云启科技有限公司', C2025103 has '云启科技'"
	assert_output --partial "conflict: owner: C2025101 has 'zhang.wei', C2025103 has 'li.na'"
	assert_output --partial "conflict: stage: C2025101 has 'intent', C2025103 has 'lead'"
	assert_output --partial 'nothing changed'
	[ "$(tree_hash .)" = "$before" ]
	[ "$(git rev-parse HEAD)" = "$head" ]
	# settled: KEEP's values, but the source from C2025103 and the stage set
	run crmf merge C2025101 C2025103 --take C2025101 --take C2025103:source \
		--set stage=negotiation --today 2025-06-16
	assert_success
	grep -q '^source: 官网$' customers/C2025101.yaml
	grep -q '^stage: negotiation        # 意向期 / a comment on the stage$' customers/C2025101.yaml
	grep -q '^owner: zhang.wei$' customers/C2025101.yaml
	run crmf check --today 2025-06-16
	assert_success
}

@test "merge --edit: both values shown in the editor, checked, then committed" {
	seed
	cat >"$TMP/ed.sh" <<'SH'
#!/bin/sh
# the editor: the notes are there; settle owner and stage by hand
grep -q "^# crmf merge: C2025103 has owner: li.na$" "$1" || exit 3
sed -i 's/^stage: intent /stage: negotiation /' "$1"
SH
	chmod +x "$TMP/ed.sh"
	EDITOR="$TMP/ed.sh" VISUAL= run crmf merge C2025101 C2025103 --edit --today 2025-06-16 </dev/null
	assert_success
	grep -q '^stage: negotiation ' customers/C2025101.yaml
	! grep -q 'crmf merge:' customers/C2025101.yaml
	[ ! -e customers/C2025103.yaml ]
	# an invalid edit is refused, nothing changed
	git reset -q --hard HEAD~1
	printf '#!/bin/sh\nsed -i "s/^stage: intent /stage: intnet /" "$1"\n' >"$TMP/bad.sh"
	chmod +x "$TMP/bad.sh"
	before=$(tree_hash .)
	EDITOR="$TMP/bad.sh" VISUAL= run crmf merge C2025101 C2025103 --edit --today 2025-06-16 </dev/null
	assert_failure
	assert_output --partial "invalid stage 'intnet'"
	[ "$(tree_hash .)" = "$before" ]
}

@test "merge --dry-run: the diff and the removal, nothing changed" {
	seed
	before=$(tree_hash .)
	run crmf merge C2025101 C2025102 --take C2025101:name --dry-run --today 2025-06-16
	assert_success
	assert_line '--- a/customers/C2025101.yaml'
	assert_line '+++ b/customers/C2025101.yaml'
	assert_line '+merged: [C2025102]'
	assert_line '+++ /dev/null'
	assert_line '-id: C2025102'
	[ "$(tree_hash .)" = "$before" ]
}

@test "merge: show DROP finds KEEP, history KEEP holds DROP's commits, writes to DROP refuse" {
	seed
	crmf set C2025102 need.budget=90万 --today 2025-06-16 >/dev/null
	run crmf merge C2025101 C2025102 --take C2025101:name --today 2025-06-16
	assert_success
	run crmf show C2025102 --today 2025-06-16
	assert_success
	assert_output --partial 'C2025102 was merged into C2025101'
	assert_line --regexp '^C2025101 +杭州云启科技有限公司'
	run crmf history C2025101
	assert_success
	assert_output --partial 'crmf: set C2025102: need.budget: 80万 → 90万'
	assert_output --partial 'C2025102: need.budget: 80万 → 90万'
	assert_output --partial 'C2025102: - removed from the repository'
	run crmf log C2025102 --method phone --summary '电话确认迁移时间' --today 2025-06-16
	assert_failure
	assert_output --partial "customer 'C2025102' was merged into C2025101"
}

@test "merge: several DROPs at once, and clear errors" {
	seed
	run crmf merge C2025101 C2025102 C2025103 --take C2025101 --today 2025-06-16
	assert_success
	grep -q '^merged: \[C2025102, C2025103\]$' customers/C2025101.yaml
	[ "$(count_followups customers/C2025101.yaml)" -eq 5 ]
	[ "$(git show --name-only --format= HEAD | wc -l)" -eq 3 ]
	run crmf check --today 2025-06-16
	assert_success
	run crmf merge C2025101 C2099999 --today 2025-06-16
	assert_failure 2
	assert_output --partial "C2099999"
	run crmf merge C2025101 C2025101 --today 2025-06-16
	assert_failure 2
	assert_output --partial 'cannot be merged into itself'
	crmf archive C2024016 >/dev/null
	run crmf merge C2025101 C2024016 --today 2025-06-16
	assert_failure 2
	assert_output --partial "is archived"
	run crmf merge C2025101 --today 2025-06-16
	assert_failure 2
}

@test "merged: the structural merge driver unites it as a set" {
	seed
	crmf setup >/dev/null
	git checkout -qb other
	crmf merge C2025101 C2025102 --take C2025101:name --today 2025-06-16 >/dev/null
	git checkout -q main
	crmf merge C2025101 C2025103 --take C2025101 --today 2025-06-16 >/dev/null
	git merge -q --no-edit other
	grep -q '^merged: \[C2025103, C2025102\]$' customers/C2025101.yaml
}

@test "new and import warn by dedupe's company key (places, brackets, legal forms)" {
	seed
	run crmf new '云启科技（杭州）有限公司' industry=IT服务/云计算 size=50-200 source=展会 \
		region=华东 'contacts[0].name=钱多' 'contacts[0].email=qd@other.example.cn' \
		need.type=私有云 need.description=咨询 --today 2025-06-16
	assert_output --partial "company name '云启科技（杭州）有限公司' is the same as that of customer"
	# another city: another company
	run crmf new '苏州云启科技有限公司' industry=IT服务/云计算 size=50-200 source=展会 \
		region=华东 'contacts[0].name=钱多' 'contacts[0].email=qd2@other.example.cn' \
		need.type=私有云 need.description=咨询 --today 2025-06-16
	refute_output --partial "C2025101"
	refute_output --partial "C2025102"
}

@test "README: dedupe, then merge of the example's duplicate" {
	make_example_repo
	cd repo
	run crmf dedupe
	assert_line --partial 'C2024003 C2025007  杭州恒拓机械有限公司 / 杭州恒拓机械'
	run crmf merge C2024003 C2025007 --today 2025-06-16
	assert_failure 1
	assert_output --partial "conflict: owner: C2024003 has 'wang.fang', C2025007 has 'chen.hao'"
	run crmf merge C2024003 C2025007 --take C2024003 --set potential=high --today 2025-06-16
	assert_success
	assert_line 'C2024003: + contact 蒋涛 (from C2025007)'
	assert_line 'C2024003: + merged: C2025007'
	run crmf check
	assert_success
	run crmf dedupe
	refute_output --partial 'C2025007'
}

@test "import refuses a row whose name is an existing company's under dedupe's key" {
	make_example_repo
	cd repo
	printf '客户名称,行业,规模,来源,负责人,region,联系人,邮箱,需求类型,需求描述\n浙江杭州恒拓机械股份有限公司,制造业/机械制造,200-1000,展会,chen.hao,华东,孙丽,sunli@other.example.cn,设备联网,新厂房\n' >rows.csv
	run crmf import rows.csv --author 'A <a@example.cn>' --today 2025-06-16
	assert_failure 1
	assert_output --partial 'probable duplicate of C2024003'
	run crmf import rows.csv --allow-duplicates --author 'A <a@example.cn>' --today 2025-06-16
	assert_success
}

@test "merge: an id merged away is never given again by crmf new" {
	seed
	top=$(ls customers/*.yaml customers/*/*.yaml 2>/dev/null | sed -n 's|.*/C2025\([0-9]*\)\.yaml|\1|p' | sort -n | tail -1)
	[ "$top" = 103 ]
	run crmf merge C2025101 C2025103 --take C2025101 --today 2025-06-16
	assert_success
	[ ! -e customers/C2025103.yaml ]
	run crmf new 杭州新客户有限公司 industry=IT服务/云计算 size=50-200 source=展会 region=华东 \
		'contacts[0].name=张伟' 'contacts[0].phone=13800138001' need.type=运维 \
		need.description=告警 potential=high --owner li.na --today 2025-06-17
	assert_success
	assert_line --regexp '^C2025104: created '
	run crmf show C2025103 --today 2025-06-17
	assert_success
	assert_output --partial 'C2025103 was merged into C2025101'
}
