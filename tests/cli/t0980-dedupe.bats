#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf dedupe: planted Chinese duplicates (name variants, phones written four
# ways, one company under two owners, an archived twin, a shared company mail
# domain) are all found among 1,000 distinct generated companies, none of
# which pairs with another; precision and recall are printed. Then the
# output formats, the scopes, --min-score and the example repository's pair.

load helper
bats_require_minimum_version 1.5.0

# customers/ and archive/ of a repository in $TMP/repo: the planted groups
# (their ids in $TMP/planted, one group per line) and $1 generated companies.
seed_repo() {
	crmf init -q repo >/dev/null 2>&1 || crmf init repo >/dev/null
	python3 - "$1" <<'EOF'
import os, random, sys

n_generated = int(sys.argv[1])
os.chdir("repo")
os.makedirs("archive", exist_ok=True)

def write(cid, name, owner, contacts, archived=False):
    lines = [f"id: {cid}", f"name: {name}", "industry: 制造业/机械制造", "size: 50-200",
             "source: 展会", "created: 2025-01-02", f"owner: {owner}", "stage: lead",
             "need:", "  type: 设备联网", "  description: 想了解设备联网和能耗采集", "contacts:"]
    for i, (who, phone, email) in enumerate(contacts):
        lines.append(f"  - name: {who}")
        if phone:
            lines.append(f'    phone: "{phone}"')
        if email:
            lines.append(f"    email: {email}")
        if i == 0:
            lines.append("    primary: true")
    folder = "archive" if archived else "customers"
    with open(f"{folder}/{cid}.yaml", "w") as f:
        f.write("\n".join(lines) + "\n")

planted = [
    # one company written three ways, two owners
    [("C2025001", "云启科技", "zhang.wei", [("张伟", "13900000001", "zw@yunqi-tech.cn")]),
     ("C2025002", "云启科技（杭州）有限公司", "zhang.wei", [("陈静", "13900000002", None)]),
     ("C2025003", "杭州云启科技有限公司", "li.na", [("周杰", "13900000003", "zj@qq.com")])],
    # one phone written four ways, names unlike each other
    [("C2025004", "宁波海纳电子有限公司", "wang.fang", [("赵磊", "0574-8765 4321", None)]),
     ("C2025005", "ＨＡＩＮＡ　Ｅｌｅｃｔｒｏｎｉｃｓ", "wang.fang", [("赵磊", "+86 574 87654321", None)]),
     ("C2025006", "甬城电子器件厂", "chen.hao", [("孙丽", "(0574) 8765-4321 转 12", None)]),
     ("C2025007", "海纳宁波办事处", "chen.hao", [("孙丽", "0086 574 8765 4321", None)])],
    # one company under two owners
    [("C2025008", "深圳市华瑞达物流有限公司", "zhang.wei", [("黄敏", "13900000008", None)]),
     ("C2025009", "华瑞达物流（深圳）", "li.na", [("黄敏", "13900000009", None)])],
    # a shared company mail domain and a contact of the same name
    [("C2025010", "Bright Star Trading Co., Ltd.", "wang.fang", [("刘洋", None, "ly@brightstar.com.cn")]),
     ("C2025011", "明星进出口", "chen.hao", [("刘洋", None, "sales@brightstar.com.cn")])],
    # an archived twin
    [("C2024012", "北京智远软件有限公司", "li.na", [("吴刚", "010-6543 2100", None)], True),
     ("C2025013", "智远软件", "zhang.wei", [("郑洁", "13900000013", None)])],
]
with open("../planted", "w") as f:
    for group in planted:
        for c in group:
            write(*c)
        f.write(" ".join(c[0] for c in group) + "\n")

# distinct companies: distinct cores, phones and company domains; public mail
# domains and common contact names shared freely
rng = random.Random(15)
chars = "瑞达恒拓启明信博远泰宏鑫源盛嘉诚德峰弘晟锐鼎坤昊晨凯丰辰星航宇联邦汇通力图尚优佳"
cities = ["杭州", "苏州市", "上海", "宁波", "广州市", "成都", "浙江省", "江苏", ""]
trades = ["科技", "贸易", "电子", "机械", "物流", "信息技术", "实业", "网络", "软件", ""]
forms = ["有限公司", "股份有限公司", "有限责任公司", "集团", ""]
people = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇"]
public = ["qq.com", "163.com", "126.com", "gmail.com", "foxmail.com", "sina.com", "139.com"]
used = {"云启", "海纳", "华瑞达", "明星", "智远", "甬城"}
# one in ten shares its brand with an earlier one, but in another city and
# another trade (杭州瑞达科技, 成都瑞达贸易): not the same company
brands = []
i = 0
while i < n_generated:
    city, trade, form = rng.choice(cities), rng.choice(trades), rng.choice(forms)
    if brands and rng.random() < 0.1:
        core, city0, trade0 = rng.choice(brands)
        city = rng.choice([c for c in cities if c and c.rstrip("省市") != city0.rstrip("省市")
                           and (c in ("浙江省", "江苏")) == (city0 in ("浙江省", "江苏"))])
        trade = rng.choice([t for t in trades if t and t != trade0])
    else:
        core = "".join(rng.sample(chars, rng.choice([2, 2, 3])))
        if core in used:
            continue
        used.add(core)
        if city and trade:
            brands.append((core, city, trade))
    name = f"{core}{trade}（{city}）{form}" if city and rng.random() < 0.2 else f"{city}{core}{trade}{form}"
    domain = f"g{i}.com.cn" if rng.random() < 0.5 else rng.choice(public)
    write(f"C2026{i:04d}", name, rng.choice(["zhang.wei", "li.na", "wang.fang"]),
          [(rng.choice(people), f"1370000{i:04d}", f"u{i}@{domain}")])
    i += 1
EOF
	git -C repo add -A && git -C repo commit -qm seed
}

@test "dedupe: every planted duplicate found, no pair among 1,000 distinct companies" {
	seed_repo 1000
	cd repo
	run crmf dedupe --format json
	assert_failure 1
	echo "$output" >../out.json
	run python3 - ../out.json ../planted <<'EOF'
import itertools, json, sys
d = json.load(open(sys.argv[1]))
groups = [line.split() for line in open(sys.argv[2])]
planted = {frozenset(p) for g in groups for p in itertools.combinations(g, 2)}
found = {frozenset((p["a"]["id"], p["b"]["id"])) for p in d["pairs"]}
true = found & planted
precision = len(true) / len(found) if found else 1.0
recall = len(true) / len(planted)
print(f"customers {d['customers']}, compared {d['compared']}, found {len(found)}, "
      f"planted {len(planted)}: precision {precision:.3f} recall {recall:.3f}")
for p in sorted(planted - found, key=sorted):
    print("missed", *sorted(p))
for p in sorted(found - planted, key=sorted):
    print("false", *sorted(p))
# every planted group is one group of the output
out = [set(g["ids"]) for g in d["groups"]]
for g in groups:
    if set(g) not in out:
        print("group not found", *g)
EOF
	echo "# $output" >&3
	assert_success
	assert_line --index 0 --regexp 'customers 1013, compared [0-9]+, found 12, planted 12: precision 1.000 recall 1.000'
	refute_output --partial missed
	refute_output --partial false
	refute_output --partial 'group not found'
	# linear-ish: far fewer comparisons than pairs
	[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["compared"] < 5000)' ../out.json)" = True ]
}

@test "dedupe: the table, its evidence, scopes and --min-score" {
	seed_repo 0
	cd repo
	run crmf dedupe
	assert_failure 1
	assert_line --index 0 --regexp '^GROUP +SCORE +IDS +NAMES +EVIDENCE$'
	assert_line --regexp '^ +[0-9] +0\.8[0-9] +C2025001 C2025003 +云启科技 / 杭州云启科技有限公司 +name 云启科技; owners zhang.wei / li.na$'
	assert_line --partial 'C2025004 C2025006  宁波海纳电子有限公司 / 甬城电子器件厂'
	assert_line --partial 'phone 0574-8765 4321 = (0574) 8765-4321 转 12'
	assert_line --partial 'domain brightstar.com.cn; contact 刘洋'
	assert_line --partial 'C2024012 C2025013'
	assert_line '12 probable duplicate pairs in 5 groups among 13 customers'
	run crmf dedupe --active
	assert_failure 1
	refute_output --partial C2024012
	assert_line '11 probable duplicate pairs in 4 groups among 12 customers'
	run crmf dedupe --archived
	assert_success
	assert_output '0 probable duplicate pairs in 0 groups among 1 customers'
	run crmf dedupe --min-score 0.83
	assert_failure 1
	assert_line --partial 'C2025008 C2025009'
	refute_output --partial brightstar
	run crmf dedupe --min-score 2
	assert_failure 2
	assert_output --partial -- "--min-score wants a number from 0 to 1, not '2'"
	run crmf dedupe --format json --min-score 0.99
	assert_success
	assert_output '{"customers": 13, "compared": 12,
 "groups": [],
 "pairs": []}'
}

@test "dedupe: the example repository's duplicate, json evidence" {
	cd "$CRMF_SRC/examples"
	run crmf dedupe --format json
	assert_failure 1
	python3 -c 'import json,sys; json.loads(sys.argv[1])' "$output"
	assert_output --partial '"ids": ["C2024003", "C2025007"]'
	assert_output --partial '{"kind": "name", "weight": 0.80, "a": "杭州恒拓机械有限公司", "b": "杭州恒拓机械", "key": "恒拓机械", "note": null}'
	run crmf dedupe --help
	assert_success
	assert_line --index 0 --partial 'usage: crmf dedupe [--min-score S]'
}

@test "check: its probable-duplicate warning normalises names as dedupe does, cached alike" {
	seed_repo 0
	cd repo
	sed -e 's/^id: .*/id: C2025014/' -e 's/^name: .*/name: 广州华瑞达物流有限公司/' \
		-e 's/13900000008/13900000014/' customers/C2025008.yaml >customers/C2025014.yaml
	for run in cold warm; do
		run crmf check
		assert_success
		assert_line "customers/C2025002.yaml:2:7: warning: company name '云启科技（杭州）有限公司' is the same as that of customer 'C2025001' (customers/C2025001.yaml); merge the two files if they are one company [probable-duplicate]"
		assert_line --partial "customers/C2025003.yaml:2:7: warning: company name '杭州云启科技有限公司' is the same as that of customer 'C2025001'"
		assert_line --partial "customers/C2025009.yaml:2:7: warning: company name '华瑞达物流（深圳）' is the same as that of customer 'C2025008'"
		assert_line --partial "customers/C2025013.yaml:2:7: warning: company name '智远软件' is the same as that of customer 'C2024012' (archive/C2024012.yaml)"
		# 深圳 and 广州: two companies, for check as for dedupe
		refute_line --partial "company name '广州华瑞达物流有限公司'"
		assert_line '15 files checked: 0 errors, 7 warnings'
	done
	run crmf dedupe --format json --min-score 0
	assert_line --partial '"a": "深圳市华瑞达物流有限公司", "b": "广州华瑞达物流有限公司", "key": "华瑞达物流", "note": "cities differ: 深圳 / 广州"}'
}
