# SPDX-License-Identifier: MIT
"""A scripted LSP client over pipes for the tests of `crmf lsp` (and bench/run.sh).

The framing is written here (Content-Length headers, JSON bodies): no
library. Every message the server sends is checked to be well-formed
JSON-RPC 2.0 as it is read; a malformed one raises.
"""
import json
import os
import select
import subprocess
import time


class Malformed(Exception):
    pass


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


class Client:
    def __init__(self, argv, cwd=None, stderr=None):
        self.p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=stderr if stderr is not None else subprocess.DEVNULL)
        self.buf = b""
        self.next_id = 1
        self.received = []  # every message read, in order
        self.pending = []   # notifications read while waiting for a response

    # -- writing
    def send_raw(self, body):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def send(self, msg):
        self.send_raw(json.dumps(msg, ensure_ascii=False).encode("utf-8", "surrogateescape"))

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request_async(self, method, params):
        i = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        return i

    def request(self, method, params, timeout=30):
        i = self.request_async(method, params)
        return self.wait_response(i, timeout)

    # -- reading
    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no message from the server")
        r, _, _ = select.select([self.p.stdout], [], [], left)
        if not r:
            raise TimeoutError("no message from the server")
        chunk = os.read(self.p.stdout.fileno(), 1 << 20)
        if not chunk:
            raise EOFError("the server closed its output")
        self.buf += chunk

    def read(self, timeout=30):
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            self._fill(deadline)
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        length = None
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
            elif name.strip().lower() != b"content-type":
                raise Malformed("unexpected header %r" % line)
        if length is None:
            raise Malformed("no Content-Length in %r" % head)
        self.buf = rest
        while len(self.buf) < length:
            self._fill(deadline)
        body, self.buf = self.buf[:length], self.buf[length:]
        msg = json.loads(body.decode("utf-8"))
        check_jsonrpc(msg)
        self.received.append(msg)
        return msg

    def wait_response(self, i, timeout=30):
        while True:
            m = self.read(timeout)
            if m.get("id") == i and "method" not in m:
                if "error" in m:
                    return m
                return m
            self.pending.append(m)

    def wait_diagnostics(self, uri, timeout=30):
        for k, m in enumerate(self.pending):
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                del self.pending[k]
                return m["params"]
        while True:
            m = self.read(timeout)
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                return m["params"]
            self.pending.append(m)

    # -- a session
    def initialize(self, root, locale=None):
        params = {"processId": os.getpid(), "rootUri": "file://" + root, "capabilities": {}}
        if locale is not None:
            params["locale"] = locale
        r = self.request("initialize", params)
        self.notify("initialized", {})
        return r

    def open(self, uri, text, version=1):
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": version, "text": text}})

    def change(self, uri, text, version):
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": text}]})

    def close(self, timeout=10):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        return self.p.wait(timeout)


def check_jsonrpc(m):
    if not isinstance(m, dict) or m.get("jsonrpc") != "2.0":
        raise Malformed("not JSON-RPC 2.0: %r" % (m,))
    if "method" in m:
        if not isinstance(m["method"], str):
            raise Malformed("method not a string: %r" % (m,))
        if "params" in m and not isinstance(m["params"], (dict, list)):
            raise Malformed("bad params: %r" % (m,))
        if m["method"] == "textDocument/publishDiagnostics":
            for d in m["params"]["diagnostics"]:
                for end in ("start", "end"):
                    p = d["range"][end]
                    if not (isinstance(p["line"], int) and isinstance(p["character"], int)
                            and p["line"] >= 0 and p["character"] >= 0):
                        raise Malformed("bad position: %r" % (d,))
                if d["severity"] not in (1, 2) or not isinstance(d["message"], str):
                    raise Malformed("bad diagnostic: %r" % (d,))
        return
    if "id" not in m or ("result" in m) == ("error" in m):
        raise Malformed("a response needs an id and one of result, error: %r" % (m,))
    if "error" in m:
        e = m["error"]
        if not isinstance(e, dict) or not isinstance(e.get("code"), int) or \
                not isinstance(e.get("message"), str):
            raise Malformed("bad error: %r" % (m,))


def crmf_check_json(crmf, repo, rel, today):
    """What `crmf check --format json FILE` says of a file: (line, column, severity, rule, message)."""
    out = subprocess.run([crmf, "-C", repo, "check", "--format", "json", "--today", today, rel],
                         capture_output=True, text=True)
    return sorted((d["line"], d["column"], d["severity"], d["rule"], d["message"])
                  for d in json.loads(out.stdout)["diagnostics"])
