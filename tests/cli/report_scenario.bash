# SPDX-License-Identifier: MIT
# The scenario of crmf report's tests (t0980, t0981): dated commits over three months.

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

