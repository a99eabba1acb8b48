#!/usr/bin/env bats
# crmf report: figures of a period from the files and the git history,
# checked against a scenario built with dated commits over three months
# whose figures are worked out by hand below.

load helper

# at DAY CMD…: run crmf as on DAY at 10:00 in China (the commit's dates, --today)
at() {
	local day=$1
	shift
	GIT_AUTHOR_DATE="${day}T10:00:00+08:00" GIT_COMMITTER_DATE="${day}T10:00:00+08:00" \
		"$CRMF" "$@" --today "$day" >/dev/null
}

contact=('contacts[0].name=张三' 'need.type=ERP' 'need.description=需要一套ERP' size=50-200 industry=IT服务/云计算)

# The scenario (2025), team a and b:
#   04-01  C2025001 (a, 官网) and C2025002 (b, 展会) created as leads
#   04-02  a phones C2025001, next 发报价 due 04-05; 04-04 a visits it (on time)
#   04-10  C2025001 lead → intent
#   05-05  C2025001 intent → negotiation; C2025002 lead → lost
#   05-06  b emails C2025002, next 回访 due 05-20, never answered (open)
#   05-20  C2025001 negotiation → customer, a deal of 500000 signed that day
#   06-02  C2025003 (b, 转介绍) created; 06-03 b wechats it, next 约拜访 due 06-10;
#          06-12 b visits it (late)
scenario() {
	GIT_AUTHOR_DATE="2025-03-31T10:00:00+08:00" GIT_COMMITTER_DATE="2025-03-31T10:00:00+08:00" \
		"$CRMF" init team >/dev/null
	cd team
	at 2025-04-01 new 甲公司 owner=a source=官网 'contacts[0].phone=13800000001' "${contact[@]}"
	at 2025-04-01 new 乙公司 owner=b source=展会 'contacts[0].phone=13800000002' "${contact[@]}"
	at 2025-04-02 log C2025001 --method phone --summary 电话沟通 --by a --next 发报价 --due 2025-04-05
	at 2025-04-04 log C2025001 --method visit --summary 上门拜访 --by a
	at 2025-04-10 set C2025001 stage=intent
	at 2025-05-05 set C2025001 stage=negotiation
	at 2025-05-05 set C2025002 stage=lost
	at 2025-05-06 log C2025002 --method email --summary 邮件 --by b --next 回访 --due 2025-05-20
	at 2025-05-20 set C2025001 stage=customer
	cat >>customers/C2025001.yaml <<'YAML'
deals:
  - amount: 500000
    signed: 2025-05-20
YAML
	at 2025-05-20 commit -m "deal"
	at 2025-06-02 new 丙公司 owner=b source=转介绍 'contacts[0].phone=13800000003' "${contact[@]}"
	at 2025-06-03 log C2025003 --method wechat --summary 微信 --by b --next 约拜访 --due 2025-06-10
	at 2025-06-12 log C2025003 --method visit --summary 拜访 --by b
}

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

@test "report: the change index is built once, extended by new commits, rebuilt when corrupt" {
	scenario
	crmf report --today 2025-06-30 >/dev/null
	[ -s .git/crmf/changes ]
	head -1 .git/crmf/changes | grep -q '^crmf-changes 1$'
	n1=$(grep -c $'\tstage\t' .git/crmf/changes)
	at 2025-06-20 set C2025003 stage=intent
	crmf report --today 2025-06-30 >/dev/null
	[ "$(grep -c $'\tstage\t' .git/crmf/changes)" -eq $((n1 + 1)) ]
	json_before=$(crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json)
	# a corrupt index is rebuilt: the same figures
	sed -i '3s/lead/LEAD/' .git/crmf/changes
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --format json
	assert_output "$json_before"
	head -3 .git/crmf/changes | grep -vq LEAD
	run crmf report --since 2025-06-01 --week
	assert_failure 2
	run crmf report --format xml
	assert_failure 2
}
