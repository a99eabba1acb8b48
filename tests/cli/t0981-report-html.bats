#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf report --html: one self-contained page, opened in a real headless
# Chromium: no script, nothing fetched, the charts' figures in the DOM, a
# screenshot taken; and HTML Tidy finds no error in it.

load helper
load report_scenario

chromium_run() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$TMP/chromium" --enable-logging=stderr --v=0 "$@"
}

@test "report --html: the page in Chromium: charts with the scenario's figures, no console error, no request" {
	scenario
	run crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --html "$TMP/report.html"
	assert_success
	assert_output --partial 'crmf report 2025-04-01 to 2025-06-30'
	# self-contained: no script, no external resource
	! grep -Eiq '<script|<link|src=|@import|url\(' "$TMP/report.html"
	[ "$(grep -o 'https\?://[^"]*' "$TMP/report.html" | sort -u)" = "http://www.w3.org/2000/svg" ]
	grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$TMP/report.html"
	chromium_run --dump-dom "file://$TMP/report.html" >"$TMP/dom.html" 2>"$TMP/console.log"
	! grep -E 'CONSOLE|Refused to|net::ERR' "$TMP/console.log"
	run /usr/bin/python3 - "$TMP/dom.html" <<'PY'
import sys
from html.parser import HTMLParser

bars = {}
class P(HTMLParser):
    figure = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "figure":
            self.figure = a.get("id")
        if tag == "g" and a.get("class") == "bar":
            bars.setdefault(self.figure, {})[a["data-key"]] = float(a["data-value"])
P().feed(open(sys.argv[1], encoding="utf-8").read())
print("funnel", sorted((k, int(v)) for k, v in bars["funnel"].items() if v))
print("deals", bars["deals-by-month"])
print("weeks", sorted(bars["followups-per-week"].items()))
print("methods", sorted(bars["followups-by-method"].items()))
PY
	assert_success
	assert_line "funnel [('customer', 1), ('lead', 1), ('lost', 1)]"
	assert_line "deals {'2025-05': 500000.0}"
	assert_line "weeks [('2025-W14', 2.0), ('2025-W19', 1.0), ('2025-W23', 1.0), ('2025-W24', 1.0)]"
	assert_line "methods [('email', 1.0), ('phone', 1.0), ('visit', 2.0), ('wechat', 1.0)]"
	chromium_run --window-size=1000,2400 --screenshot="$TMP/report.png" "file://$TMP/report.html" 2>/dev/null
	# a PNG of the page's size, not a blank one
	run /usr/bin/python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", b[16:24])
print(w, h, len(b) > 30000)' "$TMP/report.png"
	assert_output '1000 2400 True'
}

@test "report --html -: the page on standard output; HTML Tidy finds no error" {
	scenario
	crmf report --since 2025-04-01 --until 2025-06-30 --today 2025-06-30 --html - >"$TMP/p.html"
	head -1 "$TMP/p.html" | grep -q '<!DOCTYPE html>'
	grep -q '<html lang="zh-CN">' "$TMP/p.html"
	grep -q '流失' "$TMP/p.html" || grep -q 'lost' "$TMP/p.html"
	run tidy -q -e "$TMP/p.html"
	[ "$status" -le 1 ] # 0 clean, 1 warnings only, 2 errors
	refute_output --partial 'Error:'
	run crmf report --html "$TMP/no/such/dir/p.html"
	assert_failure 2
	assert_output --partial 'cannot write'
}

@test "report --html: Chinese whatever the locale (the same page under C and zh_CN): goals, statuses and owners named in Chinese" {
	make_example_repo
	cd "$TMP/repo"
	LC_ALL=C "$CRMF" report --month --today 2025-06-16 --html "$TMP/c.html"
	env -u LC_ALL LANG=zh_CN.UTF-8 "$CRMF" report --month --today 2025-06-16 --html "$TMP/zh.html"
	cmp "$TMP/c.html" "$TMP/zh.html"
	grep -q '<td>新增客户 new_customers</td><td>本季度 quarter</td>' "$TMP/c.html"
	grep -q 'data-status="behind">.*<td>落后 behind</td></tr>$' "$TMP/c.html"
	grep -q 'data-status="met">.*<td>已达成 met</td></tr>$' "$TMP/c.html"
	grep -q '<tr><td>张伟 zhang.wei</td>' "$TMP/c.html"
	# the chart of overdue customers names the owners the same way (its data-key the id)
	grep -q '<g class="bar" data-key="zhang.wei" data-value="4"><text[^>]*>张伟 zhang.wei</text>' "$TMP/c.html"
	grep -q '<h2>销售漏斗 Pipeline</h2>' "$TMP/c.html"
}
