#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The structural merge driver with the real git: a bare repository as the
# remote, two clones set up with `crmf setup`, and plain `git pull`.

load helper

# libgit2 1.5.1 leaks PCRE2 match data whenever a config regex does not match
# (remote lookups run one over every config entry); fixed upstream in libgit2
# PR #6382. Sanitized builds ignore that leak, and only that one.
printf 'leak:libpcre2-8.so\n' >"${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp"
export LSAN_OPTIONS="suppressions=${BATS_TMPDIR:-/tmp}/crmf-libgit2-lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

# One customer, with comments in several places: they must survive every merge.
write_customer() {
	cat >"$1" <<'EOF'
# 云启: our first customer in Hangzhou — this comment must survive
id: C2024001
name: 杭州云启科技有限公司
industry: IT服务/云计算
size: 50-200
source: 展会            # 2024 杭州展会
created: 2024-01-15
owner: zhang.wei
stage: intent
potential: medium

contacts:
  - name: 张伟
    title: 采购总监
    phone: "+86 138 0013 8000"
    primary: true       # 拍板人
need:
  type: 采购产品A
  description: 降低生产成本20%
followups:
  - date: 2024-02-01
    by: zhang.wei
    method: phone
    summary: 客户对方案A交付周期有疑问
EOF
}

# $TMP/remote.git seeded with crmf.yaml, .gitattributes and the customer;
# clones $TMP/a and $TMP/b, each set up with crmf setup.
make_team() {
	git config --global pull.rebase false
	mkdir seed
	printf 'version: 1\n' >seed/crmf.yaml
	mkdir seed/customers
	write_customer seed/customers/C2024001.yaml
	git -C seed init -q
	crmf -C seed setup >/dev/null
	git -C seed add -A
	git -C seed commit -qm seed
	git clone -q --bare seed remote.git
	git clone -q remote.git a
	git clone -q remote.git b
	crmf -C a setup >/dev/null
	crmf -C b setup >/dev/null
}

# Append a follow-up: $1 file, $2 date, $3 by, $4 method, $5 summary.
add_followup() {
	printf '  - date: %s\n    by: %s\n    method: %s\n    summary: %s\n' "$2" "$3" "$4" "$5" >>"$1"
}

F=customers/C2024001.yaml

@test "t0500 setup: .gitattributes covers every depth; config names the driver; idempotent" {
	make_team
	cd a
	[ "$(git check-attr merge -- customers/C1.yaml | cut -d' ' -f3)" = crmf ]
	[ "$(git check-attr merge -- customers/2024/C1.yaml | cut -d' ' -f3)" = crmf ]
	[ "$(git check-attr merge -- archive/2023/q4/C1.yaml | cut -d' ' -f3)" = crmf ]
	[ "$(git check-attr merge -- archive/C1.yml | cut -d' ' -f3)" = crmf ]
	[ "$(git check-attr merge -- crmf.yaml | cut -d' ' -f3)" = unspecified ]
	[ "$(git check-attr merge -- notes/C1.yaml | cut -d' ' -f3)" = unspecified ]
	[ "$(git config merge.crmf.driver)" = "$CRMF merge-driver %O %A %B %P" ]
	[ -n "$(git config merge.crmf.name)" ]
	cp .gitattributes "$TMP/attr.before"
	run crmf setup
	assert_success
	assert_line --index 0 "$TMP/a/.gitattributes already sends customer files to crmf's merge"
	assert_line --index 1 "already set: git config merge.crmf.driver \"$CRMF merge-driver %O %A %B %P\""
	cmp .gitattributes "$TMP/attr.before"
	[ -z "$(git status --porcelain)" ]
}

@test "t0500 setup: keeps existing .gitattributes lines and adds only the missing ones" {
	git init -q repo && cd repo
	printf 'version: 1\n' >crmf.yaml
	printf '*.png binary\ncustomers/**/*.yaml merge=crmf' >.gitattributes
	run crmf setup --command /opt/crmf
	assert_success
	assert_line --index 0 --partial "wrote $TMP/repo/.gitattributes"
	assert_line --index 1 'set git config merge.crmf.driver "/opt/crmf merge-driver %O %A %B %P"'
	[ "$(cat .gitattributes)" = "$(printf '%s\n' '*.png binary' 'customers/**/*.yaml merge=crmf' \
		"# crmf: merge customer files by their structure (see 'crmf setup --help')" \
		'customers/**/*.yml merge=crmf' 'archive/**/*.yaml merge=crmf' 'archive/**/*.yml merge=crmf')" ]
}

@test "t0500 init: writes .gitattributes and the merge driver's config" {
	run crmf init repo
	assert_success
	assert_output --partial "git pull merges customer files with crmf"
	[ "$(git -C repo config merge.crmf.driver)" = "$CRMF merge-driver %O %A %B %P" ]
	grep -qx 'customers/\*\*/\*.yaml merge=crmf' repo/.gitattributes
}

@test "t0500 git pull: follow-ups logged in both clones are all kept, in date order" {
	make_team
	add_followup a/$F 2024-02-10 zhang.wei visit 上门演示方案A，客户认可交付计划
	git -C a commit -qam "a: visit"
	git -C a push -q
	add_followup b/$F 2024-02-08 li.na email 发送汽车行业案例两份
	git -C b commit -qam "b: email"
	cd b
	run git pull --no-edit
	assert_success
	refute_output --partial CONFLICT
	write_customer "$TMP/expected"
	add_followup "$TMP/expected" 2024-02-08 li.na email 发送汽车行业案例两份
	add_followup "$TMP/expected" 2024-02-10 zhang.wei visit 上门演示方案A，客户认可交付计划
	cmp $F "$TMP/expected"
	[ "$(git rev-list --merges --count HEAD)" = 1 ]
	[ -z "$(git status --porcelain)" ]
	run crmf check
	assert_success
}

@test "t0500 git pull: different fields changed in each clone are all applied" {
	make_team
	sed -i 's/^stage: intent$/stage: negotiation/' a/$F
	git -C a commit -qam "a: stage"
	git -C a push -q
	sed -i -e 's/^potential: medium$/potential: high   # 新厂区/' \
		-e 's/"+86 138 0013 8000"/"+86 139 0000 1111"/' b/$F
	git -C b commit -qam "b: potential, phone"
	cd b
	run git pull --no-edit
	assert_success
	write_customer "$TMP/expected"
	sed -i -e 's/^stage: intent$/stage: negotiation/' -e 's/^potential: medium$/potential: high   # 新厂区/' \
		-e 's/"+86 138 0013 8000"/"+86 139 0000 1111"/' "$TMP/expected"
	cmp $F "$TMP/expected"
	run crmf check
	assert_success
}

@test "t0500 git pull: the same field changed to different values conflicts on that field alone" {
	make_team
	sed -i 's/^stage: intent$/stage: negotiation/' a/$F
	git -C a commit -qam "a: stage"
	git -C a push -q
	sed -i 's/^stage: intent$/stage: customer     # 合同已签/' b/$F
	add_followup b/$F 2024-02-08 li.na email 发送汽车行业案例两份
	git -C b commit -qam "b: stage"
	cd b
	cp $F "$TMP/before"
	before=$(git rev-parse HEAD)
	run git pull --no-edit
	assert_failure
	assert_output --partial "CONFLICT (content): Merge conflict in $F"
	assert_output --partial "crmf: $F:9: 'stage' changed on both sides: ours 'customer', theirs 'negotiation'"
	# both values, between markers around the stage line only; the rest merged
	write_customer "$TMP/expected"
	sed -i 's/^stage: intent$/<<<<<<< ours\nstage: customer     # 合同已签\n=======\nstage: negotiation\n>>>>>>> theirs/' "$TMP/expected"
	add_followup "$TMP/expected" 2024-02-08 li.na email 发送汽车行业案例两份
	cmp $F "$TMP/expected"
	[ "$(git status --porcelain)" = "UU $F" ]
	run crmf check $F
	assert_failure
	assert_output --partial "[conflict-marker]"
	run git merge --abort
	assert_success
	cmp $F "$TMP/before"
	[ "$(git rev-parse HEAD)" = "$before" ]
	[ -z "$(git status --porcelain)" ]
}

@test "t0500 git pull: a customer archived in one clone and changed in the other" {
	make_team
	mkdir a/archive
	git -C a mv $F archive/C2024001.yaml
	git -C a commit -qm "archive C2024001"
	git -C a push -q
	sed -i 's/^stage: intent$/stage: at-risk/' b/$F
	git -C b commit -qam "b: at risk"
	cd b
	# git follows the move: the change lands in the archived file, nothing is lost
	run git pull --no-edit
	assert_success
	[ ! -e $F ]
	grep -qx 'stage: at-risk' archive/C2024001.yaml
	grep -q '^# 云启: our first customer' archive/C2024001.yaml
}

@test "t0500 merge-driver: git's protocol on plain files" {
	write_customer base.yaml
	cp base.yaml ours.yaml
	cp base.yaml theirs.yaml
	add_followup ours.yaml 2024-02-10 zhang.wei visit 上门演示方案A
	add_followup theirs.yaml 2024-02-08 li.na email 发送案例
	run crmf merge-driver base.yaml ours.yaml theirs.yaml
	assert_success
	assert_output ""
	write_customer expected
	add_followup expected 2024-02-08 li.na email 发送案例
	add_followup expected 2024-02-10 zhang.wei visit 上门演示方案A
	cmp ours.yaml expected
	cmp theirs.yaml <(cat base.yaml; printf '  - date: 2024-02-08\n    by: li.na\n    method: email\n    summary: 发送案例\n')
	# a side with leftover markers: the whole files between markers, exit 1
	printf '<<<<<<< HEAD\nid: x\n=======\nid: y\n>>>>>>> other\n' >broken.yaml
	cp broken.yaml ours2.yaml
	run crmf merge-driver base.yaml ours2.yaml theirs.yaml customers/C2024001.yaml
	assert_failure 1
	assert_output --partial "cannot merge by structure"
	# why, as every command prints a diagnostic (the side's name for a path)
	assert_line "ours:1:1: error: leftover git conflict marker '<<<<<<<'; resolve the merge conflict and remove the marker lines [conflict-marker]"
	[ "$(head -1 ours2.yaml)" = "<<<<<<< ours" ]
	[ "$(tail -1 ours2.yaml)" = ">>>>>>> theirs" ]
	# unreadable input: exit 2, OURS untouched
	cp ours.yaml keep.yaml
	run crmf merge-driver missing.yaml ours.yaml theirs.yaml
	assert_failure 2
	cmp ours.yaml keep.yaml
}

@test "t0500 merge-driver: an invalid merged record is a conflict, explained" {
	write_customer base.yaml
	sed 's/^    primary: true       # 拍板人$//' base.yaml | grep -v '^$' >b2.yaml
	# each side adds a primary contact: valid alone, two primaries together
	cp b2.yaml ours.yaml
	sed -i 's/^need:$/  - name: 李娜\n    phone: "13900001111"\n    primary: true\nneed:/' ours.yaml
	cp b2.yaml theirs.yaml
	sed -i 's/^need:$/  - name: 王芳\n    email: wf@example.cn\n    primary: true\nneed:/' theirs.yaml
	mkdir -p customers && printf 'version: 1\n' >crmf.yaml && git init -q
	run crmf merge-driver b2.yaml ours.yaml theirs.yaml customers/C2024001.yaml
	assert_failure 1
	assert_output --partial "customers/C2024001.yaml: the merged record is invalid"
	assert_output --partial "[multiple-primary]"
	grep -q '王芳' ours.yaml
	grep -q '李娜' ours.yaml
}
