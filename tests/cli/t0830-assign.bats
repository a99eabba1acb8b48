#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Issue 13, items 2 and 3: handing customers over selectively (reassign
# --where, set --where) and assigning owners by crmf.yaml's rules (new without
# an owner, crmf assign). Open customers in the example on 2025-06-16:
# zhang.wei 4, li.na 6, wang.fang 4, chen.hao 8, liu.yang 3.

load helper
bats_require_minimum_version 1.5.0

NEW_FIELDS=(size=50-200 source=展会 'contacts[0].name=赵强' need.type=设备联网
	need.description=车间设备数据采集)

@test "t0830 reassign --where hands over only the matching customers, in one commit" {
	make_example_repo
	cd repo
	head=$(git rev-parse HEAD)
	run crmf reassign wang.fang li.na --where 'region = 华南'
	assert_success
	assert_line 'C2024008: owner wang.fang -> li.na'
	assert_line 'C2025008: owner wang.fang -> li.na'
	refute_output --partial 'C2024003'
	[ "$(git rev-list --count "$head"..HEAD)" -eq 1 ]
	git log -1 --format=%B >../msg.txt
	grep -q '^crmf: reassign wang.fang -> li.na: 3 customers$' ../msg.txt
	grep -qx C2024017 ../msg.txt
	grep -q '^owner: wang.fang$' customers/2024/C2024003.yaml
	# a misspelt field: list's error and suggestion, nothing changed
	before=$(git rev-parse HEAD)
	run crmf reassign wang.fang li.na --where 'regoin = 华东'
	assert_failure 2
	assert_output --partial "invalid --where expression: unknown field 'regoin'; did you mean 'region'?"
	run crmf reassign wang.fang li.na --where 'region = 华中'
	assert_failure 2
	assert_output --partial "invalid region '华中'"
	# nothing of hers matches
	run crmf reassign wang.fang li.na --where 'region = 华北'
	assert_failure 1
	assert_output --partial 'wang.fang owns no customer under customers/ that matches --where'
	[ "$(git rev-parse HEAD)" = "$before" ]
	[ -z "$(git status --porcelain)" ]
}

@test "t0830 set --where sets the values on every matching customer, one commit listing them" {
	make_example_repo
	cd repo
	head=$(git rev-parse HEAD)
	run crmf set --where 'owner = chen.hao and stage = lead' potential=medium --dry-run
	assert_success
	assert_line 'C2025005: + potential: medium'
	assert_line 'C2025009: potential: low → medium'
	assert_line 'dry run: nothing written'
	[ "$(git rev-parse HEAD)" = "$head" ]
	[ -z "$(git status --porcelain)" ]
	run crmf set --where 'owner = chen.hao and stage = lead' potential=中潜力
	assert_success
	assert_line 'C2025007: + potential: medium'
	assert_output --partial 'committed'
	[ "$(git rev-list --count "$head"..HEAD)" -eq 1 ]
	git log -1 --format=%B >../msg.txt
	grep -q '^crmf: set 3 customers: potential=medium$' ../msg.txt
	for id in C2025005 C2025007 C2025009; do grep -qx "$id" ../msg.txt; done
	grep -q '^Crmf-Customer: C2025005, C2025007, C2025009$' ../msg.txt
	[ "$(git diff --name-only "$head" HEAD | wc -l)" -eq 3 ]
	# again: nothing to change
	run crmf set --where 'owner = chen.hao and stage = lead' potential=medium
	assert_success
	assert_line 'nothing to change: all 4 matching customers have that value already'
	[ "$(git rev-list --count "$head"..HEAD)" -eq 1 ]
}

@test "t0830 set --where: no match, an invalid value or a dirty file change nothing" {
	make_example_repo
	cd repo
	before=$(tree_hash .)
	run crmf set --where 'owner = chen.hao and region = 华南' stage=intent
	assert_failure 1
	assert_output --partial 'no customer matches --where; nothing changed'
	run crmf set --where 'stauts = lead' stage=intent
	assert_failure 2
	assert_output --partial "unknown field 'stauts'; did you mean 'stage'?"
	run crmf set --where 'owner = chen.hao' stage=won
	assert_failure 1
	assert_output --partial "invalid stage 'won'"
	assert_output --partial 'would not be valid'
	run crmf set --where 'owner = chen.hao' owner=zhou.min
	assert_failure 1
	assert_output --partial 'zhou.min cannot be the owner: they left the team on 2024-12-31'
	echo '# mine' >>customers/2025/C2025009.yaml
	before=$(tree_hash .)
	run crmf set --where 'owner = chen.hao and stage = lead' potential=medium
	assert_failure 1
	assert_output --partial 'customers/2025/C2025009.yaml has uncommitted changes'
	[ "$(tree_hash .)" = "$before" ]
	run crmf set --where 'owner = chen.hao' C2025009 potential=medium
	assert_failure 2
	assert_output --partial "'C2025009' is no KEY=VALUE (with --where, give no id)"
	run crmf set C2025009 potential=medium --dry-run
	assert_failure 2
	assert_output --partial '--dry-run goes with --where'
}

@test "t0830 assign rules in crmf.yaml are checked at their line and column" {
	make_example_repo
	cd repo
	run crmf check crmf.yaml
	assert_success
	sed -i 's/^  - when: {source: 招投标}  /  - when: {source: 招投表, regoin: 华东}/' crmf.yaml
	sed -i 's/^    to: \[zhang.wei\]$/    to: [zhang.wie, zhou.min, zhang.wei, zhang.wei]/' crmf.yaml
	sed -i 's/^  - when: {region: \[华北, 西部\]}$/  - when: {region: [华北, 华中], industry: 制造}/' crmf.yaml
	sed -i 's/^    to: \[chen.hao, zhang.wei\]$/&\n  - to: [li.na]\n  - when: {size: "<50"}/' crmf.yaml
	run crmf check crmf.yaml
	assert_failure 1
	line=$(grep -n '招投表' crmf.yaml | cut -d: -f1)
	assert_line "crmf.yaml:$line:20: error: invalid source '招投表' in assign rule 1; did you mean '招投标'? [config-value]"
	assert_line "crmf.yaml:$line:25: error: unknown field 'regoin' in assign rule 1; did you mean 'region'? [config-unknown-key]"
	assert_line "crmf.yaml:$((line + 1)):10: error: unknown team member 'zhang.wie' in assign rule 1; did you mean 'zhang.wei'? [config-value]"
	assert_line "crmf.yaml:$((line + 1)):21: warning: 'zhou.min' left the team on 2024-12-31 and is never chosen; remove them from assign rule 1 [config-member-left]"
	assert_line "crmf.yaml:$((line + 1)):42: error: 'zhang.wei' is named twice in assign rule 1; remove one [config-duplicate]"
	assert_output --partial "error: invalid region '华中' in assign rule 4; did you mean '华东'? [config-value]"
	assert_output --partial "error: invalid industry '制造' in assign rule 4; did you mean '制造业'? [config-value]"
	assert_output --partial "warning: assign rule 6 is never used: rule 5 has no 'when' and takes every customer; move that one last [config-unreachable]"
	assert_output --partial "error: assign rule 6 has no 'to'; add 'to: [member, …]'"
}

@test "t0830 new without an owner is assigned by the rules and says why" {
	make_example_repo
	cd repo
	# 华东 manufacturing: li.na (6 open) or wang.fang (4): wang.fang
	run crmf new 杭州新客户机械有限公司 "${NEW_FIELDS[@]}" industry=制造业/机械制造 region=华东 \
		'contacts[0].phone=13900000001' --today 2025-06-16
	assert_success
	assert_line 'owner: wang.fang (rule 2: region 华东, industry 制造业; 4 open customers, fewest of 2)'
	grep -qE '^owner: wang.fang( |$)' customers/2025/C2025010.yaml
	# now 5: a tie with li.na at 6 after one more, the one written first wins
	run crmf new 宁波新客户机械有限公司 "${NEW_FIELDS[@]}" industry=制造业/电子制造 region=华东 \
		'contacts[0].phone=13900000002' --today 2025-06-16
	assert_line 'owner: wang.fang (rule 2: region 华东, industry 制造业; 5 open customers, fewest of 2)'
	run crmf new 温州新客户机械有限公司 "${NEW_FIELDS[@]}" industry=制造业/电子制造 region=华东 \
		'contacts[0].phone=13900000003' --today 2025-06-16
	assert_line 'owner: li.na (rule 2: region 华东, industry 制造业; 6 open customers, fewest of 2)'
	# a tender goes to the lead, whatever the region
	run crmf new 成都新客户物流有限公司 "${NEW_FIELDS[@]/source=展会/source=招投标}" industry=物流运输/仓储物流 \
		region=西部 'contacts[0].phone=13900000004' --today 2025-06-16
	assert_line 'owner: zhang.wei (rule 1: source 招投标; 4 open customers)'
	# an owner given wins over the rules
	run crmf new 上海新客户软件有限公司 "${NEW_FIELDS[@]}" industry=IT服务/云计算 region=华东 \
		'contacts[0].phone=13900000005' owner=liu.yang --today 2025-06-16
	assert_success
	refute_output --partial 'rule'
	grep -qE '^owner: liu.yang( |$)' customers/2025/C2025014.yaml
}

@test "t0830 new: members who left are never chosen; no rule or no rules: as before" {
	make_example_repo
	cd repo
	# wang.fang leaves: 华东 manufacturing goes to li.na, whatever the loads
	sed -i 's/^    email: wang.fang@qiming.example.cn$/&\n    left: 2025-06-30/' crmf.yaml
	git config user.email chen.hao@qiming.example.cn
	git commit -qam 'wang.fang left'
	run crmf new 杭州新客户机械有限公司 "${NEW_FIELDS[@]}" industry=制造业/机械制造 region=华东 \
		'contacts[0].phone=13900000001' --today 2025-07-10
	assert_success
	assert_line 'owner: li.na (rule 2: region 华东, industry 制造业; 6 open customers)'
	# 华南 was hers alone: the rule passes, the creator owns it, as without rules
	run crmf new 广州新客户贸易有限公司 "${NEW_FIELDS[@]}" industry=零售业/连锁商超 region=华南 \
		'contacts[0].phone=13900000002' --today 2025-07-10
	assert_success
	assert_output --partial 'note: no assignment rule applies: everyone in rule 3 has left the team; owner: chen.hao'
	grep -qE '^owner: chen.hao( |$)' customers/2025/C2025011.yaml
	# no rule matches 华东 retail
	run crmf new 杭州新客户贸易有限公司 "${NEW_FIELDS[@]}" industry=零售业/连锁商超 region=华东 \
		'contacts[0].phone=13900000003' --today 2025-07-10
	assert_success
	assert_output --partial 'note: no assignment rule matches; owner: chen.hao'
	# without assign rules: the user's member, without a word, as before
	sed -i '/^assign:$/,/^$/d' crmf.yaml
	grep -q '^rules:' crmf.yaml
	! grep -q 'assign:' crmf.yaml
	git commit -qam 'no rules'
	run crmf new 杭州新客户百货有限公司 "${NEW_FIELDS[@]}" industry=零售业/连锁商超 region=华北 \
		'contacts[0].phone=13900000004' --today 2025-07-10
	assert_success
	refute_output --partial 'rule'
	grep -qE '^owner: chen.hao( |$)' customers/2025/C2025013.yaml
}

@test "t0830 assign proposes owners for customers without one, --apply commits them at once" {
	make_example_repo
	cd repo
	run crmf assign
	assert_success
	assert_output 'every customer has an owner in the team; nothing to assign'
	# five of chen.hao's customers lose their owner: chen.hao 3 open, zhang.wei 4
	for id in C2024010 C2024013 C2024019 C2025002 C2025009; do
		sed -i '/^owner: chen.hao$/d' customers/20*/$id.yaml
	done
	git commit -qam 'owners lost'
	run crmf assign --today 2025-06-16
	assert_success
	assert_line --regexp '^C2024010 .* -  +chen.hao +rule 4: region 西部; 3 open customers, fewest of 2$'
	# the batch spreads out: each proposal counts for the next, ties to the first written
	assert_line --regexp '^C2024013 .* chen.hao +rule 4: region 西部; 4 open customers, fewest of 2$'
	assert_line --regexp '^C2024019 .* zhang.wei +rule 4: region 西部; 4 open customers, fewest of 2$'
	assert_line --regexp '^C2025002 .* chen.hao +rule 4: region 华北; 5 open customers, fewest of 2$'
	assert_line --regexp '^C2025009 .* zhang.wei +rule 4: region 西部; 5 open customers, fewest of 2$'
	assert_line "5 customers without an owner in the team, 5 proposed; 'crmf assign --apply' writes them"
	[ -z "$(git status --porcelain)" ]
	run crmf assign --today 2025-06-16 --format json --where 'region = 华北'
	assert_success
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [p["id"] for p in d] == ["C2025002"], d
assert d[0]["owner"] is None and d[0]["proposed"] == "chen.hao" and d[0]["rule"] == 4, d'
	head=$(git rev-parse HEAD)
	run crmf assign --today 2025-06-16 --apply
	assert_success
	assert_line 'C2024019: owner none -> zhang.wei (rule 4: region 西部; 4 open customers, fewest of 2)'
	assert_output --partial 'committed'
	[ "$(git rev-list --count "$head"..HEAD)" -eq 1 ]
	git log -1 --format=%B >../msg.txt
	grep -q '^crmf: assign 5 customers by the rules of crmf.yaml$' ../msg.txt
	grep -q '^C2025009: zhang.wei (rule 4' ../msg.txt
	grep -q '^owner: chen.hao$' customers/2024/C2024010.yaml
	run crmf check
	assert_success
	run crmf assign --apply
	assert_success
	assert_output --partial 'nothing to assign'
	[ "$(git rev-list --count "$head"..HEAD)" -eq 1 ]
}

@test "t0830 assign hands over the open customers of a member who left, never to them" {
	make_example_repo
	cd repo
	sed -i 's/^    email: chen.hao@qiming.example.cn$/&\n    left: 2025-06-30/' crmf.yaml
	git commit -qam 'chen.hao left'
	run crmf assign --today 2025-06-30
	assert_success
	assert_output 'every customer has an owner in the team; nothing to assign'
	run crmf assign --today 2025-07-10 --format csv
	assert_success
	refute_output --regexp ',chen.hao,[^,]*$'
	# his lost customer needs no new owner
	refute_output --partial 'C2024005'
	assert_line --partial 'C2024010,'
	run crmf assign --today 2025-07-10 --apply
	assert_success
	run crmf check --today 2025-07-10
	refute_output --partial '[owner-left]'
	run crmf assign --help
	assert_success
	assert_output --partial 'usage: crmf assign [--where EXPR] [--apply]'
	assert_output --partial '--apply'
	run crmf --help
	assert_output --partial 'assign'
}
