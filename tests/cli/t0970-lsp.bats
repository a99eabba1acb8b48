#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# crmf lsp: a scripted LSP client over pipes (tests/cli/data/lsp_client.py,
# its own framing) asserts the diagnostics against crmf check's, their UTF-16
# positions, completion, hover, code actions, the protocol's edges, and a
# thousand random edits answered with well-formed messages only.

load helper

# lsp_py: run the Python script on stdin with the client importable; $CRMF,
# $REPO and $TODAY in its environment.
lsp_py() {
	PYTHONPATH="$CRMF_SRC/tests/cli/data" CRMF="$CRMF" REPO="$TMP/repo" TODAY=2025-06-16 \
		/usr/bin/python3 - "$@"
}

# The start of every script: a server on the example repository, initialized.
PRELUDE='
import json, os, random, sys
from lsp_client import Client, crmf_check_json, utf16_len
crmf, repo, today = os.environ["CRMF"], os.environ["REPO"], os.environ["TODAY"]
def path(rel): return os.path.join(repo, rel)
def uri(rel): return "file://" + path(rel)
def read(rel):
    with open(path(rel), encoding="utf-8", newline="") as f: return f.read()
def write(rel, text):
    with open(path(rel), "w", encoding="utf-8", newline="") as f: f.write(text)
def pos_to_crmf(text, p):
    """LSP position (UTF-16) -> crmf line, column (characters), both 1-based."""
    line = text.split("\n")[p["line"]]
    units, col = 0, 1
    for ch in line:
        if units >= p["character"]: break
        units += utf16_len(ch); col += 1
    assert units == p["character"], (line, p)
    return p["line"] + 1, col
def as_check(text, diags):
    return sorted((*pos_to_crmf(text, d["range"]["start"]), "error" if d["severity"] == 1 else "warning",
                   d["code"], d["message"]) for d in diags)
c = Client([crmf, "lsp", "--today", today], cwd=repo)
init = c.initialize(repo)
assert init["result"]["capabilities"]["hoverProvider"] is True, init
'

@test "lsp: diagnostics are crmf check's, at UTF-16 positions (CRLF, Chinese, emoji); a fix clears them" {
	make_example_repo
	run lsp_py <<<"$PRELUDE"'
rel = "customers/2025/C2025001.yaml"
good = read(rel)
assert "\r\n" in good
c.open(uri(rel), good)
d = c.wait_diagnostics(uri(rel))
assert d["diagnostics"] == [] and d["version"] == 1, d
bad = good.replace("stage: intent", "stage: intnet").replace("tags: [技术型客户, 服务需求]", "tags: [😀客户, 😀客户]")
c.change(uri(rel), bad, 2)
d = c.wait_diagnostics(uri(rel))
assert d["version"] == 2
enum = [x for x in d["diagnostics"] if x["code"] == "invalid-enum"][0]
stage_line = bad.split("\r\n").index("stage: intnet")
assert enum["range"] == {"start": {"line": stage_line, "character": 7}, "end": {"line": stage_line, "character": 13}}, enum
assert enum["severity"] == 1 and enum["message"] == "invalid stage '"'"'intnet'"'"'; did you mean '"'"'intent'"'"'?", enum
tag = [x for x in d["diagnostics"] if x["code"] == "duplicate-tag"][0]
# "tags: [😀客户, " is 7 + 2 (the emoji: two UTF-16 units) + 2 + 2 units
assert tag["range"]["start"]["character"] == 13, tag
assert tag["range"]["end"]["character"] == 17, tag
write(rel, bad)
assert as_check(bad, d["diagnostics"]) == crmf_check_json(crmf, repo, rel, today), (as_check(bad, d["diagnostics"]), crmf_check_json(crmf, repo, rel, today))
write(rel, good)
c.change(uri(rel), good, 3)
d = c.wait_diagnostics(uri(rel))
assert d["diagnostics"] == [] and d["version"] == 3, d
# crmf.yaml is checked too
c.open(uri("crmf.yaml"), read("crmf.yaml").replace("version: 1", "version: 7", 1))
d = c.wait_diagnostics(uri("crmf.yaml"))
assert [x["code"] for x in d["diagnostics"]] == ["config-version"], d
# a file that is no customer file gets no diagnostics
c.open(uri("README.md"), "stage: intnet\n")
assert c.wait_diagnostics(uri("README.md"))["diagnostics"] == []
print("ok")
'
	assert_success
	assert_output ok
}

@test "lsp: cross-file checks against the repository: duplicate phone, id, name; only the later file is told" {
	make_example_repo
	phone=$(awk '/phone:/ {sub(/^ *phone: */, ""); print; exit}' repo/customers/2024/C2024001.yaml)
	[ -n "$phone" ]
	PHONE=$phone run lsp_py <<<"$PRELUDE"'
phone = os.environ["PHONE"]
rel = "customers/2025/C2025001.yaml"
good = read(rel)
c.open(uri(rel), good)
assert c.wait_diagnostics(uri(rel))["diagnostics"] == []
bad = good.replace("phone: 15068123390", "phone: " + phone)
c.change(uri(rel), bad, 2)
d = c.wait_diagnostics(uri(rel))["diagnostics"]
assert [(x["code"], x["severity"]) for x in d] == [("shared-phone", 2)], d
assert "customer '"'"'C2024001'"'"' (customers/2024/C2024001.yaml)" in d[0]["message"], d
write(rel, bad)
assert as_check(bad, d) == crmf_check_json(crmf, repo, rel, today)
# a duplicate id: an error, as crmf check says it
bad2 = bad.replace("id: C2025001", "id: C2024002")
c.change(uri(rel), bad2, 3)
d = c.wait_diagnostics(uri(rel))["diagnostics"]
assert "duplicate-id" in [x["code"] for x in d], d
write(rel, bad2)
assert as_check(bad2, d) == crmf_check_json(crmf, repo, rel, today)
# the earlier file of a pair is not told (crmf check reports the later one)
first = "customers/2024/C2024001.yaml"
c.open(uri(first), read(first))
assert c.wait_diagnostics(uri(first))["diagnostics"] == []
assert crmf_check_json(crmf, repo, first, today) == []
# the buffer, not the disk: C2025001 back to its good content in the editor
c.change(uri(rel), good, 4)
assert c.wait_diagnostics(uri(rel))["diagnostics"] == []
# and another buffer sees the editor content: C2025002 takes C2025001s phone
other = "customers/2025/C2025002.yaml"
text = read(other)
line = [l for l in text.splitlines() if "phone:" in l][0]
text2 = text.replace(line, line.split("phone:")[0] + "phone: 15068123390", 1)
c.open(uri(other), text2)
d = c.wait_diagnostics(uri(other))["diagnostics"]
assert [x["code"] for x in d] == ["shared-phone"] and "C2025001" in d[0]["message"], d
# C2025001 gives the phone up: C2025002, open too, is told at once
c.change(uri(rel), good.replace("phone: 15068123390", "phone: 13900001111"), 5)
while c.wait_diagnostics(uri(rel))["version"] != 5:
    pass
assert c.wait_diagnostics(uri(other))["diagnostics"] == []
print("ok")
'
	assert_success
	assert_output ok
}

@test "lsp: completion of enum values with labels, team members, keys of the mapping at the cursor" {
	make_example_repo
	run lsp_py <<<"$PRELUDE"'
rel = "customers/2025/C2025001.yaml"
text = read(rel).replace("stage: intent", "stage: ")
c.open(uri(rel), text)
c.wait_diagnostics(uri(rel))
lines = text.split("\r\n")
def complete(line, ch):
    r = c.request("textDocument/completion", {"textDocument": {"uri": uri(rel)}, "position": {"line": line, "character": ch}})
    return {i["label"]: i.get("detail") for i in r["result"]["items"]}
got = complete(lines.index("stage: "), 7)
assert list(got) == ["lead", "intent", "negotiation", "customer", "at-risk", "lost"], got
assert got["intent"] == "意向期" and got["lead"] == "潜在期", got
owner = lines.index("owner: li.na")
got = complete(owner, 7)
assert "li.na" in got and got["zhang.wei"] == "张伟", got
meth = [i for i, l in enumerate(lines) if l.strip() == "method: phone"][0]
got = complete(meth, len(lines[meth]))
assert "visit" in got and "wechat" in got, got
# keys: in a follow-up entry, and at the top level (custom fields of crmf.yaml too)
got = complete(meth, 4)
assert {"date", "by", "method", "summary", "next", "due"} <= set(got) and "stage" not in got, got
text2 = text.replace("tags: [", "sta\r\ntags: [")
c.change(uri(rel), text2, 2)
c.wait_diagnostics(uri(rel))
lines = text2.split("\r\n")
got = complete(lines.index("sta"), 3)
assert "stage" in got and "region" in got and "method" not in got, got
print("ok")
'
	assert_success
	assert_output ok
}

@test "lsp: hover shows the classification and next due date, a key its names; a code action fixes a misspelt value" {
	make_example_repo
	run lsp_py <<<"$PRELUDE"'
rel = "customers/2025/C2025001.yaml"
text = read(rel)
c.open(uri(rel), text)
c.wait_diagnostics(uri(rel))
lines = text.split("\r\n")
r = c.request("textDocument/hover", {"textDocument": {"uri": uri(rel)}, "position": {"line": lines.index("id: C2025001"), "character": 6}})
v = r["result"]["contents"]["value"]
assert "next due: 2025-06-13" in v and "overdue by 3 days" in v and "quadrant:" in v, v
r = c.request("textDocument/hover", {"textDocument": {"uri": uri(rel)}, "position": {"line": lines.index("stage: intent"), "character": 2}})
v = r["result"]["contents"]["value"]
assert "需求阶段" in v and "Stage" in v, v
bad = text.replace("method: visit", "method: vist", 1)
c.change(uri(rel), bad, 2)
d = c.wait_diagnostics(uri(rel))["diagnostics"]
assert [x["code"] for x in d] == ["invalid-enum"], d
r = c.request("textDocument/codeAction", {"textDocument": {"uri": uri(rel)}, "range": d[0]["range"], "context": {"diagnostics": d}})
acts = r["result"]
assert len(acts) == 1 and acts[0]["kind"] == "quickfix", acts
edit = acts[0]["edit"]["changes"][uri(rel)][0]
assert edit["newText"] == "visit" and edit["range"] == d[0]["range"], edit
# apply it as an editor would: the file is clean again
l = edit["range"]["start"]["line"]
blines = bad.split("\n")
s, e = edit["range"]["start"]["character"], edit["range"]["end"]["character"]
blines[l] = blines[l][:s] + edit["newText"] + blines[l][e:]
fixed = "\n".join(blines)
assert fixed == text
c.change(uri(rel), fixed, 3)
assert c.wait_diagnostics(uri(rel))["diagnostics"] == []
print("ok")
'
	assert_success
	assert_output ok
}

@test "lsp: the client's locale: Chinese diagnostics and hover for zh-CN (a quick fix still), English for en, else the environment's" {
	locale -a | grep -qi '^zh_CN\.utf-\?8$' # tools/deps.sh generates it
	make_example_repo
	# LANG says Chinese, as on a Chinese desktop; the client's locale wins when given
	run env -u LC_ALL LANG=zh_CN.UTF-8 PYTHONPATH="$CRMF_SRC/tests/cli/data" CRMF="$CRMF" REPO="$TMP/repo" /usr/bin/python3 - <<'PY'
import os
from lsp_client import Client
crmf, repo = os.environ["CRMF"], os.environ["REPO"]
rel = "customers/2025/C2025001.yaml"
u = "file://" + os.path.join(repo, rel)
with open(os.path.join(repo, rel), encoding="utf-8", newline="") as f:
    good = f.read()
bad = good.replace("stage: intent", "stage: intnet")
def diagnostics(locale, env=None):
    c = Client([crmf, "lsp", "--today", "2025-06-16"], cwd=repo) if env is None else \
        Client(["env"] + env + [crmf, "lsp", "--today", "2025-06-16"], cwd=repo)
    c.initialize(repo, locale)
    c.open(u, bad)
    d = c.wait_diagnostics(u)["diagnostics"]
    line = bad.split("\r\n").index("stage: intnet")
    hover = c.request("textDocument/hover", {"textDocument": {"uri": u}, "position": {"line": bad.split("\r\n").index("id: C2025001"), "character": 6}})
    act = c.request("textDocument/codeAction", {"textDocument": {"uri": u}, "range": d[0]["range"], "context": {"diagnostics": d}})["result"]
    c.request("shutdown", None)
    c.notify("exit", None)
    c.close()
    enum = [x for x in d if x["code"] == "invalid-enum"]
    assert len(enum) == 1 and enum[0]["range"]["start"] == {"line": line, "character": 7}, d
    assert [a["edit"]["changes"][u][0]["newText"] for a in act] == ["intent"], act
    return enum[0]["message"], hover["result"]["contents"]["value"], act[0]["title"]
msg, hover, title = diagnostics("zh-CN")
assert msg == "无效的 stage 'intnet'；你是不是指 'intent'？", msg
assert "下次跟进：2025-06-13" in hover and "已逾期 3 天" in hover, hover
assert title == "替换为 'intent'", title
assert diagnostics("zh-cn")[0] == msg
msg, hover, title = diagnostics("en")
assert msg == "invalid stage 'intnet'; did you mean 'intent'?", msg
assert "next due: 2025-06-13" in hover and title == "Replace with 'intent'", (hover, title)
# no locale: the environment's language, Chinese under LANG=zh_CN, English under C
assert diagnostics(None)[0] == "无效的 stage 'intnet'；你是不是指 'intent'？"
assert diagnostics(None, ["LC_ALL=C"])[0] == "invalid stage 'intnet'; did you mean 'intent'?"
print("ok")
PY
	assert_success
	assert_output ok
}

@test "lsp: protocol edges: unknown methods, malformed JSON, before initialize, shutdown and exit" {
	make_example_repo
	run lsp_py <<<'
import os
from lsp_client import Client
c = Client([os.environ["CRMF"], "lsp"], cwd=os.environ["REPO"])
r = c.request("textDocument/hover", {})
assert r["error"]["code"] == -32002, r
c.initialize(os.environ["REPO"])
c.notify("workspace/unknownNotification", {})
r = c.request("workspace/unknownRequest", {})
assert r["error"]["code"] == -32601, r
c.send_raw(b"{not json")
r = c.read()
assert r["id"] is None and r["error"]["code"] == -32700, r
c.send_raw(b"[1, 2]")
r = c.read()
assert r["id"] is None and r["error"]["code"] == -32600, r
c.p.stdin.write(b"Content-Length: x\r\n\r\n"); c.p.stdin.flush()
r = c.read()
assert r["error"]["code"] == -32700, r
r = c.request("shutdown", None)
assert r["result"] is None, r
r = c.request("textDocument/hover", {})
assert r["error"]["code"] == -32600, r
c.notify("exit", None)
assert c.close() == 0
c = Client([os.environ["CRMF"], "lsp"], cwd=os.environ["REPO"])
c.initialize(os.environ["REPO"])
c.notify("exit", None)
assert c.close() == 1
print("ok")
'
	assert_success
	assert_output ok
	run crmf lsp --help
	assert_success
	assert_output --partial "usage: crmf lsp"
}

@test "lsp: a thousand random edits (multibyte, invalid UTF-8, huge): only well-formed messages, alive at the end" {
	make_example_repo
	run lsp_py <<<"$PRELUDE"'
rng = random.Random(int(os.environ.get("LSP_SEED", "17")))
rel = "customers/2025/C2025001.yaml"
text = read(rel)
c.open(uri(rel), text)
c.wait_diagnostics(uri(rel))
pieces = ["a", ":", " ", "\n", "\r\n", "- ", "\t", "#", "\"", "'"'"'", "[", "]", "{", "}", "&x", "*x", "!!str",
          "客户", "😀", "\u0301", "\x00", "\x7f", "\udcff", "\udc80\udc80", "\udce4\udcb8", "---\n", "<<<<<<< ", "stage: ", "phone: 1", "\ufeff"]
def upos(t, i):
    """The LSP position of index i of t (a str)."""
    before = t[:i]
    line = before.count("\n")
    return {"line": line, "character": utf16_len(before[before.rfind("\n") + 1:]) if True else 0}
version = 1
for k in range(1000):
    version += 1
    roll = rng.random()
    if roll < 0.6 and text:
        i = rng.randrange(len(text) + 1)
        j = min(len(text), i + rng.choice([0, 0, 1, 2, 5, 40]))
        new = "".join(rng.choice(pieces) for _ in range(rng.choice([0, 1, 1, 2, 3])))
        try:
            rng_start, rng_end = upos(text, i), upos(text, j)
        except UnicodeEncodeError:
            rng_start, rng_end = {"line": 0, "character": 0}, {"line": 0, "character": 0}
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri(rel), "version": version},
            "contentChanges": [{"range": {"start": rng_start, "end": rng_end}, "text": new}]})
        text = text[:i] + new + text[j:]
    elif roll < 0.97:
        i = rng.randrange(len(text) + 1)
        j = min(len(text), i + rng.randrange(200))
        new = "".join(rng.choice(pieces) for _ in range(rng.randrange(6)))
        text = text[:i] + new + text[j:]
        c.change(uri(rel), text, version)
    elif roll < 0.985:
        c.change(uri(rel), "x" * (1 << 21), version)  # over 1 MiB: file-too-large
    else:
        c.change(uri(rel), bytes(rng.randrange(256) for _ in range(3000)).decode("utf-8", "surrogateescape"), version)
    d = c.wait_diagnostics(uri(rel), timeout=60)
    assert d["version"] == version, (d, version)
    if k % 50 == 0:
        line = rng.randrange(40)
        for m in ("textDocument/hover", "textDocument/completion"):
            r = c.request(m, {"textDocument": {"uri": uri(rel)}, "position": {"line": line, "character": rng.randrange(30)}})
            assert "result" in r, r
        r = c.request("textDocument/codeAction", {"textDocument": {"uri": uri(rel)}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                      "context": {"diagnostics": d["diagnostics"]}})
        assert "result" in r, r
r = c.request("textDocument/hover", {"textDocument": {"uri": uri(rel)}, "position": {"line": 0, "character": 0}})
assert "result" in r, r
assert c.p.poll() is None
assert c.request("shutdown", None)["result"] is None
c.notify("exit", None)
assert c.close() == 0
print("ok", len(c.received))
'
	assert_success
	assert_output --regexp '^ok [0-9]+$'
}

@test "lsp: a workspace folder above the crmf repository: the repository of the first file opened" {
	mkdir outer
	git -C outer init -q
	mkdir outer/crm
	cp -r "$CRMF_SRC/examples/crmf.yaml" "$CRMF_SRC/examples/customers" outer/crm/
	run lsp_py <<<'
import os
from lsp_client import Client
outer = os.path.realpath("outer")
c = Client([os.environ["CRMF"], "lsp", "--today", "2025-06-16"], cwd=outer)
c.initialize(outer)
p = outer + "/crm/customers/2025/C2025001.yaml"
text = open(p, encoding="utf-8", newline="").read().replace("stage: intent", "stage: intnet")
c.open("file://" + p, text)
d = c.wait_diagnostics("file://" + p)["diagnostics"]
assert [x["code"] for x in d] == ["invalid-enum"], d
c.request("shutdown", None)
c.notify("exit", None)
assert c.close() == 0
print("ok")
'
	assert_success
	assert_output ok
}
