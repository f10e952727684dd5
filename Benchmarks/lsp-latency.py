#!/usr/bin/env python3
"""Time per change of `cohort lsp` on large rule files, through the real command.

For each document it opens the file, then sends keystrokes as an editor does (one
incremental `didChange` each, inserting or deleting one character in a flag in the
middle of the file, alternately breaking and fixing a name) and measures the time
from sending the change to receiving the `publishDiagnostics` of that version: parse,
check and compile of the whole file, UTF-16 ranges, and the JSON both ways. It also
times a hover and a completion after each, a completion sent together with a keystroke
(answered before that keystroke's diagnostics), and a full-text change.

Documents:
  10k-flags   10,000 flags (a quarter each: rollout, version gate, flag block, time
              window), 200 segments: 20,202 lines, 764 KB
  1M-lines    the same flags with 99 comment lines after each: 1,010,202 lines, 2.7 MB

  Benchmarks/lsp-latency.py [path/to/cohort] [--keystrokes N]
  (default .build/release/cohort; build it with swift build -c release --product cohort)

Prints the median, 90th percentile and maximum of each measurement, in milliseconds.
"""
import json
import os
import random
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = [a for a in sys.argv[1:] if not a.startswith("--")]
COHORT = args[0] if args else os.path.join(ROOT, ".build", "release", "cohort")
KEYSTROKES = int(sys.argv[sys.argv.index("--keystrokes") + 1]) if "--keystrokes" in sys.argv else 40


def rule_file(flags=10_000, comment_lines=0):
    r = random.Random(1)
    out = ["# generated: %d flags" % flags, 'let staff_groups = ["qa", "staff"]']
    for s in range(200):
        out.append(f'segment seg_{s} = user.plan in ["pro", "enterprise"] and user.country == "C{s}" or user.group in staff_groups')
    for i in range(flags):
        seg = f"seg_{r.randrange(200)}"
        kind = i % 4
        if kind == 0:
            out.append(f"flag f_{i} = {seg} or bucket(user.id) < {r.randrange(100)}")
        elif kind == 1:
            out.append(f'flag f_{i} = semver(user.app_version) >= "5.{r.randrange(9)}.0" and {seg}')
        elif kind == 2:
            out.append(f'flag f_{i} {{\n  when {seg} serve "green"\n  when bucket(user.id) < 50 serve "blue"\n  default "red"\n}}')
        else:
            out.append(f'flag f_{i} = user.email ends_with "@acme.com" and now() >= time("2026-12-01T09:00:00Z")')
        out.extend(["#"] * comment_lines)
    return "\n".join(out) + "\n"


class Server:
    def __init__(self):
        self.process = subprocess.Popen([COHORT, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = 0
        while True:
            line = self.process.stdout.readline().strip()
            if not line:
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                return message

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, version):
        while True:
            message = self.receive()
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"].get("version") == version:
                return message["params"]["diagnostics"]

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.process.wait(timeout=30)


def summary(name, seconds):
    ms = sorted(s * 1000 for s in seconds)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    print(f"  {name:<34} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   max {ms[-1]:7.1f} ms   ({len(ms)} runs)")


def measure(label, text):
    lines = text.count("\n")
    print(f"{label}: {lines:,} lines, {len(text.encode()):,} bytes")
    uri = "file:///bench/" + label + ".cohort"
    server = Server()
    server.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    server.notify("initialized", {})
    start = time.perf_counter()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "cohort", "version": 1, "text": text}})
    found = server.diagnostics(1)
    summary("open (first diagnostics)", [time.perf_counter() - start])
    assert found == [], found[:3]

    # The keystrokes: in the middle flag's name where it is used, `seg_N` -> `seg_Nx` and back.
    text_lines = text.split("\n")
    middle = next(i for i in range(len(text_lines) // 2, len(text_lines)) if text_lines[i].startswith("flag f_") and " or bucket" in text_lines[i])
    column = text_lines[middle].index(" or bucket")
    version, keystrokes, hovers, completions = 1, [], [], []
    for k in range(KEYSTROKES):
        version += 1
        at = {"line": middle, "character": column}
        change = {"range": {"start": at, "end": at}, "text": "x"} if k % 2 == 0 else \
            {"range": {"start": at, "end": {"line": middle, "character": column + 1}}, "text": ""}
        start = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        found = server.diagnostics(version)
        keystrokes.append(time.perf_counter() - start)
        assert len(found) == (1 if k % 2 == 0 else 0), found
        start = time.perf_counter()
        server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": middle, "character": column - 2}})
        hovers.append(time.perf_counter() - start)
        start = time.perf_counter()
        server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": middle, "character": column - 2}})
        completions.append(time.perf_counter() - start)
    summary("keystroke -> diagnostics", keystrokes)
    summary("hover", hovers)
    summary("completion", completions)

    # A keystroke and a completion sent together, as an editor does while the user types:
    # the completion is answered from a parse of the new text, before the diagnostics.
    typed = []
    for k in range(KEYSTROKES // 2):
        version += 1
        at = {"line": middle, "character": column}
        change = {"range": {"start": at, "end": at}, "text": "x"} if k % 2 == 0 else \
            {"range": {"start": at, "end": {"line": middle, "character": column + 1}}, "text": ""}
        start = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": middle, "character": column - 2}})
        typed.append(time.perf_counter() - start)
        server.diagnostics(version)
    summary("keystroke + completion -> completion", typed)

    full = []
    for k in range(5):
        version += 1
        start = time.perf_counter()
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})
        server.diagnostics(version)
        full.append(time.perf_counter() - start)
    summary("full-text change -> diagnostics", full)
    server.close()


def main():
    if not os.access(COHORT, os.X_OK):
        sys.exit(f"{COHORT} is not built: swift build -c release --product cohort")
    print(f"cohort lsp: {COHORT}; {os.cpu_count()} cores")
    measure("10k-flags", rule_file())
    measure("1M-lines", rule_file(comment_lines=99))


if __name__ == "__main__":
    main()
