#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf report: figures of a period from the files and the git history,
# checked against a scenario built with dated commits over three months
# whose figures are worked out by hand below.

load helper

load report_scenario

json() {
	/usr/bin/python3 -c "import json, sys; r = json.load(sys.stdin); print($1)"
}

@test "report: May's pipeline, value and plan from history, as worked out by hand" {
	scenario
	run crmf report --since 2025-05-01 --until 2025-05-31 --today 2025-06-30 --format json
	assert_success
	r=$output
	# stage changes in May: intent→negotiation, lead→lost, negotiation→customer
	run json 'sorted(r["pipeline"]["transitions"].items())' <<<"$r"
	assert_output "[('intent→negotiation', 1), ('lead→lost', 1), ('negotiation→customer', 1)]"
	# steps: of the one lead (C2025002) none moved on; C2025001 went both further steps
	run json '[(s["from"], s["in_from"], s["moved"]) for s in r["pipeline"]["steps"]]' <<<"$r"
	assert_output "[('lead', 1, 0), ('intent', 1, 1), ('negotiation', 1, 1)]"
	# days spent: lead 04-01 → 05-05 (34), intent 04-10 → 05-05 (25), negotiation 05-05 → 05-20 (15)
	run json 'r["pipeline"]["median_days_in_stage"]' <<<"$r"
	assert_output "{'lead': 34.0, 'intent': 25.0, 'negotiation': 15.0}"
	run json '(r["value"]["deals"], r["value"]["amount"], r["value"]["by_month"], r["value"]["churned"], r["value"]["churn_rate"])' <<<"$r"
	assert_output "(1, 500000.0, {'2025-05': {'count': 1, 'amount': 500000.0}}, 1, None)"
	# activity: one follow-up (b's email), its next action due 05-20 still open
	run json '(r["activity"]["followups"], r["activity"]["followups_by_method"], r["activity"]["next_actions_due"], r["activity"]["still_open"], r["activity"]["new_customers"])' <<<"$r"
	assert_output "(1, {'email': 1}, 1, 1, 0)"
	run json '(r["owners"]["a"]["followups"], r["owners"]["b"]["followups"])' <<<"$r"
	assert_output "(0, 1)"
}

@test "report: April and June activity; plan adherence; per owner; the terminal fits 80 columns" {
	scenario
	run crmf report --since 2025-04-01 --until 2025-04-30 --today 2025-06-30 --format json
	r=$output
	run json '(r["activity"]["followups"], r["activity"]["done_on_time"], r["activity"]["plan_adherence"], r["activity"]["new_customers"], r["activity"]["new_by_source"])' <<<"$r"
	assert_output "(2, 1, 1, 2, {'官网': 1, '展会': 1})"
	run json 'r["pipeline"]["transitions"]' <<<"$r"
	assert_output "{'new→lead': 2, 'lead→intent': 1}"
	run crmf report --since 2025-06-01 --until 2025-06-30 --today 2025-06-30 --format json
	r=$output
	run json '(r["activity"]["done_late"], r["activity"]["plan_adherence"], r["owners"]["b"]["new_customers"], r["shares"]["stage"])' <<<"$r"
	assert_output "(1, 0, 1, {'customer': 1, 'lead': 1, 'lost': 1})"
	run crmf report --month --today 2025-06-30
	assert_success
	assert_output --partial 'crmf report 2025-06-01 to 2025-06-30, the team'
	# display columns: a Chinese character takes two
	/usr/bin/python3 -c '
import sys, unicodedata
w = max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in l) for l in sys.stdin.read().splitlines())
sys.exit(w > 80)' <<<"$output"
	run crmf report --week --today 2025-06-30 --owner b --format json
	run json '(r["since"], r["owner"])' <<<"$output"
	assert_output "('2025-06-30', 'b')"
}

@test "report: the change index is built once, extended by new commits, rebuilt when damaged, truncated or stale" {
	scenario
	crmf report --today 2025-06-30 >/dev/null
	[ -s .git/crmf/changes ]
	[ "$(head -c 15 .git/crmf/changes)" = "crmf-changes 3" ]
	cp .git/crmf/changes ../index.before
	at 2025-06-20 set C2025003 stage=intent
	json=$(crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json)
	# extended by the new commit: its stage change counted
	run json 'r["pipeline"]["transitions"]["lead→intent"]' <<<"$json"
	assert_output 2
	[ "$(stat -c %s .git/crmf/changes)" -gt "$(stat -c %s ../index.before)" ]
	cp .git/crmf/changes ../index.good
	# extending the index of the last commit but one gives what a walk of all history gives
	rm .git/crmf/changes
	crmf report --today 2025-06-30 >/dev/null
	cmp .git/crmf/changes ../index.good
	cp ../index.before .git/crmf/changes
	crmf report --today 2025-06-30 >/dev/null
	cmp .git/crmf/changes ../index.good
	# a byte changed, the file cut short or emptied, an index of the old text
	# format: each is ignored and the index rebuilt, with the same figures
	for damage in 'printf X | dd of=.git/crmf/changes bs=1 seek=120 conv=notrunc 2>/dev/null' \
		'truncate -s 200 .git/crmf/changes' 'truncate -s 0 .git/crmf/changes' \
		'printf "crmf-changes 1\nhead %s\nend 0 0\n" "$(git rev-parse HEAD)" >.git/crmf/changes'; do
		cp ../index.good .git/crmf/changes
		eval "$damage"
		! cmp -s .git/crmf/changes ../index.good
		run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
		assert_success
		assert_output "$json"
		cmp .git/crmf/changes ../index.good
	done
	# HEAD read as git stores it: packed refs, a detached HEAD
	git pack-refs --all
	[ ! -e .git/refs/heads/main ]
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_output "$json"
	git checkout -q --detach
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_output "$json"
	git checkout -q main
	# stale: the last commit rewritten (the index's HEAD is no ancestor of the new
	# one): rebuilt, the stage change now on the rewritten commit's day
	GIT_COMMITTER_DATE=2025-06-25T10:00:00+08:00 git commit -q --amend --no-edit \
		--date 2025-06-25T10:00:00+08:00
	run crmf report --since 2025-06-21 --until 2025-06-30 --today 2025-06-30 --format json
	run json 'r["pipeline"]["transitions"]' <<<"$output"
	assert_output "{'lead→intent': 1}"
	cp .git/crmf/changes ../index.stale
	rm .git/crmf/changes
	crmf report --today 2025-06-30 >/dev/null
	cmp .git/crmf/changes ../index.stale
	run crmf report --since 2025-06-01 --week
	assert_failure 2
	run crmf report --format xml
	assert_failure 2
}

@test "report: the fields of history taken from the files as they are, or read from git, give the same index" {
	scenario
	# a version only a YAML parse reads (a quoted stage), committed; an owner
	# changed in the work tree and not committed; a file as an older commit had it
	grep -q '^stage: lead ' customers/C2025003.yaml
	sed -i 's/^stage: lead /stage: "lead"/' customers/C2025003.yaml
	at 2025-06-13 commit -m quoted
	grep -q '^owner: b ' customers/C2025002.yaml
	sed -i 's/^owner: b /owner: a /' customers/C2025002.yaml
	git show HEAD~5:customers/C2025001.yaml >customers/C2025001.yaml
	! git diff --quiet HEAD -- customers/C2025001.yaml
	# a first report takes the fields of the versions the files still are from
	# the files (without a validation cache, and with one); crmf history,
	# which builds the index without reading the files, reads every version
	# from git
	rm -f .git/crmf/changes .git/crmf/cache
	crmf report --today 2025-06-30 >/dev/null
	cp .git/crmf/changes ../index.parsed
	[ -s .git/crmf/cache ]
	rm .git/crmf/changes
	crmf report --today 2025-06-30 >/dev/null
	cmp .git/crmf/changes ../index.parsed
	rm .git/crmf/changes
	crmf history C2025001 >/dev/null
	cmp .git/crmf/changes ../index.parsed
	# the uncommitted owner is no change of history
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_success
	run json 'r["pipeline"]["transitions"]' <<<"$output"
	assert_output "{'new→lead': 3, 'intent→negotiation': 1, 'lead→intent': 1, 'lead→lost': 1, 'negotiation→customer': 1}"
}

@test "report: commits of hundreds of files, their versions read from loose objects, packs or the files, give the same index" {
	make_example_repo
	cd repo
	# 300 customers added in one commit (git writes loose objects), then all
	# moved to another stage in another: the walk reads hundreds of versions
	# of one commit at once
	for i in $(seq 101 400); do
		sed -e "s/^id: C2025001/id: C2025$i/" -e "s/^name: .*/name: 第${i}号公司/" \
			customers/2025/C2025001.yaml >"customers/2025/C2025$i.yaml"
	done
	git add -A
	GIT_AUTHOR_DATE=2025-06-01T10:00:00+08:00 GIT_COMMITTER_DATE=2025-06-01T10:00:00+08:00 \
		git commit -qm "300 customers"
	sed -i 's/^stage: intent/stage: negotiation/' customers/2025/C2025[1-4][0-9][0-9].yaml
	git add -A
	GIT_AUTHOR_DATE=2025-06-02T10:00:00+08:00 GIT_COMMITTER_DATE=2025-06-02T10:00:00+08:00 \
		git commit -qm "all to negotiation"
	[ "$(find .git/objects -type f -path '*/objects/??/*' | wc -l)" -gt 600 ]
	rm -f .git/crmf/changes .git/crmf/cache
	crmf report --today 2025-06-30 >/dev/null
	cp .git/crmf/changes ../index.parsed
	run crmf report --since 2025-06-01 --until 2025-06-30 --today 2025-06-30 --format json
	run json 'r["pipeline"]["transitions"]["intent→negotiation"]' <<<"$output"
	assert_output 300
	# every version from git (crmf history does not read the files): loose
	# objects, then packed ones; and a report again, its versions from the files
	rm .git/crmf/changes
	crmf history C2025101 >/dev/null
	cmp .git/crmf/changes ../index.parsed
	git gc -q
	[ "$(find .git/objects -type f -path '*/objects/??/*' | wc -l)" -eq 0 ]
	rm .git/crmf/changes
	crmf history C2025101 >/dev/null
	cmp .git/crmf/changes ../index.parsed
	rm .git/crmf/changes
	crmf report --today 2025-06-30 >/dev/null
	cmp .git/crmf/changes ../index.parsed
}

@test "report: the figures follow every edit through the validation cache, and a damaged or stale cache changes nothing" {
	scenario
	# the facts cache crmf 0.2 kept beside it is removed
	printf 'CRMFCAC2' >.git/crmf/facts
	fresh=$(crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json)
	[ -s .git/crmf/cache ]
	[ ! -e .git/crmf/facts ]
	# a follow-up written by hand (no crmf, no commit) counts at once
	f=customers/C2025001.yaml
	grep -q '^followups:$' "$f"
	sed -i 's/^followups:$/followups:\n  - date: 2025-06-10\n    by: b\n    method: visit\n    summary: 上门拜访，确认二期需求/' "$f"
	run crmf check "$f"
	assert_success
	after=$(crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json)
	n0=$(json 'r["activity"]["followups"]' <<<"$fresh")
	n1=$(json 'r["activity"]["followups"]' <<<"$after")
	[ "$n1" -eq $((n0 + 1)) ]
	# one written by hand and never checked counts too, and the report
	# leaves the validation cache as crmf check would
	sed -i 's/^followups:$/followups:\n  - date: 2025-06-11\n    by: b\n    method: phone\n    summary: 电话确认二期需求的预算和时间/' "$f"
	after=$(crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json)
	n2=$(json 'r["activity"]["followups"]' <<<"$after")
	[ "$n2" -eq $((n1 + 1)) ]
	cp .git/crmf/cache ../cache.report
	crmf check --today 2025-06-30 >/dev/null
	cmp .git/crmf/cache ../cache.report
	# the same figures from the cache as without it
	rm .git/crmf/cache
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_output "$after"
	# a damaged cache is ignored and rewritten
	printf 'garbage' | dd of=.git/crmf/cache bs=1 seek=200 conv=notrunc 2>/dev/null
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_output "$after"
	truncate -s 10 .git/crmf/cache
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_output "$after"
	# a file removed by hand is gone from the figures
	git rm -qf "$f"
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_success
	[ "$output" != "$after" ]
	rm .git/crmf/cache
	run2=$(crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json)
	assert_equal "$output" "$run2"
}

@test "report: goals of crmf.yaml over their own period, with their status" {
	scenario
	cat >>crmf.yaml <<'YAML'
goals:
  new_customers: {per: quarter, target: 3}
  deal_amount: {per: quarter, target: 1000000}
  churn_rate: {per: month, max: 5%}
  followups: {per: month, min: 2}
YAML
	git commit -qam goals
	run crmf report --since 2025-06-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_success
	# Q2: three customers created (met), 500000 signed of 1000000 with the quarter over
	# (behind); June: nobody turned lost (met), two follow-ups logged (met)
	run json '[(g["metric"], g["since"], g["until"], g["value"], g["status"]) for g in r["goals"]]' <<<"$output"
	assert_output "[('new_customers', '2025-04-01', '2025-06-30', 3, 'met'), ('deal_amount', '2025-04-01', '2025-06-30', 500000, 'behind'), ('churn_rate', '2025-06-01', '2025-06-30', 0, 'met'), ('followups', '2025-06-01', '2025-06-30', 2, 'met')]"
	run crmf report --today 2025-05-10 --month
	assert_output --regexp 'deal_amount +quarter +0 of +1,000,000 +44% of the quarter gone  behind'
	sed -i 's/churn_rate: {per: month, max: 5%}/churn_rate: {per: fortnight, max: 5%}/' crmf.yaml
	run crmf check crmf.yaml
	assert_failure
	assert_output --partial "invalid period 'fortnight' for 'goals.churn_rate'; use week, month, quarter or year [config-value]"
}
