#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Messages in the user's language (gettext, po/zh_CN.po): Chinese under
# LANG=zh_CN.UTF-8, English under C and in every machine format, whatever LANG says.
load helper

# a repository with the example team and every broken file of examples/broken
broken_repo() {
	make_example_repo
	mkdir -p "$TMP/repo/customers/broken"
	cp "$CRMF_SRC"/examples/broken/*.yaml "$TMP/repo/customers/broken/"
	git -C "$TMP/repo" add -A
	git -C "$TMP/repo" commit -qm broken
	cd "$TMP/repo"
}

zh() {
	env -u LC_ALL -u LANGUAGE LANG=zh_CN.UTF-8 "$CRMF" "$@"
}

@test "every message of the sources has a zh_CN translation, its printf conversions intact" {
	# lists each msgid without a translation (tools/po.sh check) and fails then
	run sh "$CRMF_SRC/tools/po.sh" check
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# the check fails when it should: a message without its translation is named
	cp -r "$CRMF_SRC/po" "$CRMF_SRC/src" "$CRMF_SRC/tools" "$TMP/"
	sed -i 's/_("no customers")/_("no customers at all")/' "$TMP/src/cli/cmd_list.c"
	run sh "$TMP/tools/po.sh" check
	assert_failure
	assert_output --partial 'msgid "no customers at all"'
	assert_output --partial '1 message(s) untranslated'
	# and when a translation's conversions differ from the message's
	sed -i 's/^msgstr "没有客户匹配 .%s.；.crmf list. 会列出所有客户"$/msgstr "没有客户匹配 %d"/' "$TMP/po/zh_CN.po"
	grep -q '^msgstr "没有客户匹配 %d"$' "$TMP/po/zh_CN.po"
	sed -i 's/_("no customers at all")/_("no customers")/' "$TMP/src/cli/cmd_list.c"
	run sh "$TMP/tools/po.sh" check
	assert_failure
	assert_output --partial 'format specifications'
}

@test "the check covers the library's messages: crmf_tr, N_() and the helpers that translate their argument" {
	cp -r "$CRMF_SRC/po" "$CRMF_SRC/src" "$CRMF_SRC/tools" "$TMP/"
	sed -i 's/crmf_tr("no assignment rule matches")/crmf_tr("no assignment rule matched")/' "$TMP/src/lib/assign.c"
	sed -i 's/N_("a mapping")/N_("a mapping of keys")/' "$TMP/src/lib/import_map.c"
	sed -i 's/" like {per: month, target: 20}"/" like {per: week, target: 5}"/' "$TMP/src/lib/goals.c"
	sed -i 's/ws_fail(s, "a shared string that does not exist")/ws_fail(s, "a shared string not there")/' "$TMP/src/lib/sheet_xlsx.c"
	sed -i 's/crmf_tr("+ created (new customer)")/crmf_tr("+ created")/' "$TMP/src/lib/history.c"
	run sh "$TMP/tools/po.sh" check
	assert_failure
	assert_output --partial '5 message(s) untranslated'
	assert_output --partial 'msgid "no assignment rule matched"'
	assert_output --partial 'msgid "a mapping of keys"'
	assert_output --partial 'msgid " like {per: week, target: 5}"'
	assert_output --partial 'msgid "a shared string not there"'
	assert_output --partial 'msgid "+ created"'
}

@test "LANG=zh_CN.UTF-8: check speaks Chinese at the same file:line:column with the same rule names" {
	locale -a | grep -qi '^zh_CN\.utf-\?8$' # tools/deps.sh generates it
	broken_repo
	run crmf check
	assert_failure
	en=$output
	run zh check
	assert_failure
	cn=$output
	# the same diagnostics: positions and [rule] untouched, the words translated
	[ "$(grep -o '^[^ ]*:[0-9]*:[0-9]*: ' <<<"$en")" = "$(grep -o '^[^ ]*:[0-9]*:[0-9]*: ' <<<"$cn")" ]
	[ "$(grep -o '\[[a-z0-9-]*\]$' <<<"$en")" = "$(grep -o '\[[a-z0-9-]*\]$' <<<"$cn")" ]
	[ "$(grep -c . <<<"$en")" -eq "$(grep -c . <<<"$cn")" ]
	grep -q "customers/broken/bad-enum.yaml:11:8: 错误: 无效的 stage 'intnet'；你是不是指 'intent'？ \[invalid-enum\]" <<<"$cn"
	grep -q "customers/broken/duplicate-key.yaml:.*: 错误: 重复的键 .*\[duplicate-key\]" <<<"$cn"
	grep -q "重复的编号 'C2025040'：也是 .* 的编号" <<<"$cn" # a cross-file finding
	grep -q '^已检查 [0-9]* 个文件：[0-9]* 个错误，[0-9]* 个警告$' <<<"$cn"
	grep -q ': error: ' <<<"$en"
	! grep -q '[一-龥]：\|错误' <<<"$(grep -o '^[^ ]*: [a-z]*: ' <<<"$en")"
	# the second run reads the cache: Chinese still, and English still for C
	run zh check
	[ "$output" = "$cn" ]
	run crmf check
	[ "$output" = "$en" ]
	run zh check --no-cache
	[ "$output" = "$cn" ]
}

@test "LANG=zh_CN.UTF-8: --help, usage errors and the agenda's headings are Chinese" {
	make_example_repo
	cd "$TMP/repo"
	run zh --help
	assert_success
	assert_output --partial '命令：'
	assert_output --partial '  due           待办：已逾期、今天到期和即将到期的跟进'
	run zh due --help
	assert_output --partial '用法： crmf due [--today DATE]'
	assert_output --partial '选项：'
	assert_output --partial '  --today DATE        计划所依据的日期'
	run zh due --today 2025-06-16
	assert_success
	[[ "${lines[0]}" == "到期 "*"逾期"*"编号"*"名称"*"负责人"*"潜力"*"阶段"*"原因" ]]
	assert_output --partial '跟进周期：潜力 low，每 30 天'
	assert_output --partial '（下一步行动）'
	assert_output --partial '个逾期'
	run zh due --within 3x
	assert_failure 2
	assert_output --partial "crmf: --within 的时长 '3x' 无效"
	run zh show C2024001 --today 2025-06-16
	assert_success
	assert_output --partial '联系人'
	run zh frobnicate
	assert_output "crmf: 未知命令 'frobnicate'；参见 'crmf --help'"
}

@test "LC_ALL=C, LANG=C.UTF-8 and a locale without a catalogue print today's English" {
	broken_repo
	run env -u LC_ALL LANG=C.UTF-8 "$CRMF" check
	c_utf8=$output
	run env LC_ALL=C "$CRMF" check
	[ "$output" = "$c_utf8" ]
	# LC_ALL wins over LANG, as everywhere
	run env LC_ALL=C LANG=zh_CN.UTF-8 "$CRMF" check
	[ "$output" = "$c_utf8" ]
	run env -u LC_ALL LANG=en_US.UTF-8 "$CRMF" check
	[ "$output" = "$c_utf8" ]
	grep -q "bad-enum.yaml:11:8: error: invalid stage 'intnet'; did you mean 'intent'? \[invalid-enum\]" <<<"$c_utf8"
	run env LC_ALL=C "$CRMF" --help
	assert_output --partial 'the agenda: follow-ups overdue, due today and due soon'
}

@test "--format json, csv, tsv and ics, schema, completion and the man pages' source are the same bytes under zh_CN and C" {
	broken_repo
	for args in "check --format json" "due --today 2025-06-16 --format json" \
		"due --today 2025-06-16 --format csv" "due --today 2025-06-16 --format ics" \
		"list --format json --today 2025-06-16" "list --format tsv --today 2025-06-16" \
		"list --format csv --count-by stage" "followups --format json" \
		"show C2024001 --format json --today 2025-06-16" "history C2024001 --format json" \
		"report --format json --today 2025-06-16" "dedupe --format json" \
		"assign --format csv" "schema" "completion bash" "__scdoc due" "__complete due --"; do
		# (an iCalendar feed is stamped with the time it is made)
		# shellcheck disable=SC2086
		en=$("$CRMF" $args 2>&1 | grep -v '^DTSTAMP:' | md5sum)
		# shellcheck disable=SC2086
		cn=$(zh $args 2>&1 | grep -v '^DTSTAMP:' | md5sum)
		[ "$en" = "$cn" ] || { echo "crmf $args differs under zh_CN"; false; }
	done
	# and the JSON's messages and reasons are the English ones
	zh due --today 2025-06-16 --format json | grep -q '"reason": "cadence: low potential, every 30d"'
	zh check --format json | grep -q '"message": "invalid stage '"'"'intnet'"'"'; did you mean '"'"'intent'"'"'?"'
}

@test "a change's report is Chinese, its commit message English" {
	make_example_repo
	cd "$TMP/repo"
	run zh log C2024001 --method phone --summary '确认二期验收时间' --date 2025-06-16
	assert_failure
	assert_output --partial '你的 git 身份（Test User <test@example.com>）与 crmf.yaml 团队中的任何成员都不符'
	run zh log C2024001 --method phone --summary '确认二期验收时间' --date 2025-06-16 --by zhang.wei
	assert_success
	assert_output --partial '注意：下一步行动'
	run git log -1 --format=%s
	assert_output --partial 'crmf: log C2024001: phone 2025-06-16'
	run zh set C2024001 stage=bogus
	assert_failure
	assert_output --partial '无效的 stage'
	assert_output --partial '[invalid-enum]'
}

@test "zh_CN: history's field lines and the 'committed' line are Chinese; commit messages and history --format json stay English" {
	make_example_repo
	cd "$TMP/repo"
	run zh set C2024001 potential=low --author 'Zhang Wei <zhang.wei@qiming.example.cn>'
	assert_success
	assert_output --partial 'C2024001: potential：'
	assert_output --regexp '已提交 [0-9a-f]{7} "crmf: set C2024001: potential: [a-z]+ → low"'
	# the commit holds English words only, as a C run would write them
	run git log -1 --format=%B
	assert_output --partial 'crmf: set C2024001: potential: '
	! grep -q '[一-龥]\|：' <<<"$output"
	run zh history C2024001
	assert_success
	assert_output --partial '+ 创建（新客户）'
	assert_line --regexp '^      potential：[a-z]+ → low$'
	run crmf history C2024001
	assert_output --partial '+ created (new customer)'
	assert_line --regexp '^      potential: [a-z]+ → low$'
	[ "$(zh history C2024001 --format json)" = "$(crmf history C2024001 --format json)" ]
	# a follow-up logged: the report's line, then a follow-up in history
	run zh log C2024001 --method phone --summary '回访' --date 2025-06-16 --by zhang.wei --author 'Zhang Wei <zhang.wei@qiming.example.cn>'
	assert_success
	assert_output --partial 'C2024001：+ 跟进 2025-06-16 phone'
	run zh history C2024001 --field followups
	assert_output --partial '+ 跟进 2025-06-16 phone'
	# the diagnostics of crmf.yaml name what they expect in Chinese too
	sed -i 's/^currency: .*/currency: [CNY]/' crmf.yaml
	run zh check
	assert_failure
	assert_output --partial "'currency' 必须是货币代码，例如 CNY，而不是列表"
}

@test "zh_CN: a re-import's change lines are Chinese, its commit body English" {
	make_example_repo
	cd "$TMP/repo"
	printf '%s\n' '客户编号,客户名称,合作阶段,标签,联系人2,电话2,最近跟进日期,跟进内容,跟进人,签约金额(万元),合作起始日期,合同到期日' \
		'C2024001,,合同谈判,新厂区,王强,13700001111,2025-06-20,电话确认验收,zhang.wei,30,2025-06-01,2026-05-31' >up.csv
	run zh import up.csv --today 2025-06-21 --author 'Zhang Wei <zhang.wei@qiming.example.cn>'
	assert_success
	assert_line '  stage：customer → negotiation'
	assert_line '  + tags：新厂区'
	assert_line '  + 联系人 王强（13700001111）'
	assert_line '  + 跟进 2025-06-20 zhang.wei：电话确认验收'
	assert_line --regexp '^  \+ 合同 [0-9.]+，签订于 2025-06-01$'
	# the commit's body: the English lines, as a C run writes them
	run git log -1 --format=%b
	assert_line '  stage: customer → negotiation'
	assert_line '  + contact 王强 (13700001111)'
	assert_line '  + follow-up 2025-06-20 zhang.wei: 电话确认验收'
	assert_line --regexp '^  \+ deal [0-9.]+ signed 2025-06-01$'
	if grep -q '：\|联系人\|跟进 \|合同' <<<"$output"; then false; fi
	# under C the user's lines are the English ones
	git reset -q --hard HEAD~1
	run env LC_ALL=C "$CRMF" import up.csv --today 2025-06-21 --dry-run
	assert_line '  + contact 王强 (13700001111)'
	assert_line '  stage: customer → negotiation'
}

@test "zh_CN: the report's pipeline names stages by their labels, goals in Chinese; C and JSON unchanged" {
	make_example_repo
	cd "$TMP/repo"
	run zh report --today 2025-06-16
	assert_success
	assert_line --regexp '^  潜在期 +→ 意向期 +[0-9]+ / [0-9]+ '
	assert_line --regexp '^  新增客户 +季度 '
	refute_output --partial 'lead        →'
	refute_output --partial 'new_customers'
	run env LC_ALL=C "$CRMF" report --today 2025-06-16
	assert_line --regexp '^  lead        → intent      +[0-9]+ of [0-9]+ '
	assert_line --regexp '^  new_customers     quarter '
	refute_output --partial '潜在期      →'
	[ "$(zh report --today 2025-06-16 --format json)" = "$(env LC_ALL=C "$CRMF" report --today 2025-06-16 --format json)" ]
}
