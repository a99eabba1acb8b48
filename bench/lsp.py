#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""crmf lsp's latency: didOpen of one customer file, then COUNT didChange
(one character typed into a follow-up's summary, as a keystroke does),
each timed from the notification sent to its publishDiagnostics read.

usage: lsp.py CRMF REPO FILE COUNT TODAY
prints: median_ms p90_ms startup_ms diagnostics_of_the_last
"""
import os
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "cli", "data"))
from lsp_client import Client  # noqa: E402

crmf, repo, rel, count, today = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
uri = "file://" + os.path.join(repo, rel)
with open(os.path.join(repo, rel), encoding="utf-8", newline="") as f:
    text = f.read()
t0 = time.monotonic()
c = Client([crmf, "lsp", "--today", today], cwd=repo)
c.initialize(repo)
c.open(uri, text)
c.wait_diagnostics(uri, timeout=600)
startup = (time.monotonic() - t0) * 1e3
at = text.find("summary: ")
at = at + len("summary: ") if at >= 0 else len(text)
times = []
for k in range(count):
    text = text[:at] + "x" + text[at:]
    t = time.monotonic()
    c.change(uri, text, k + 2)
    d = c.wait_diagnostics(uri)
    times.append((time.monotonic() - t) * 1e3)
c.request("shutdown", None)
c.notify("exit", None)
c.close()
times.sort()
print("%.2f %.2f %.0f %d" % (statistics.median(times), times[int(len(times) * 0.9)], startup, len(d["diagnostics"])))
