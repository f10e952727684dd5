#!/usr/bin/env python3
"""A scripted editor session with `cohort lsp`: the LSP client is this script.

It opens examples/flags.cohort with a planted typo (`payin` for `paying`, and a line
squeezed out of the `cohort fmt` layout), then checks, through the protocol only:

  diagnostics   the typo is reported as unknown-name, with its exact UTF-16 range
  hover         over a segment: its definition line and the comment above it
  definition    from a use of a segment to its declaration
  completion    after `user.`: the attribute paths the file uses; elsewhere: functions
  formatting    the squeezed line comes back in the `cohort fmt` layout
  didChange     fixing the typo publishes an empty list
  test file     examples/flags.test.cohort has no diagnostics, and definition leads from
                a flag in an `expect` into flags.cohort
  shutdown/exit the server exits 0

Usage: editors/lsp-session.py [path/to/cohort]   (default: .build/debug/cohort)
Exits 0 when every check passed, 1 otherwise. Needs only python3.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COHORT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "cohort")
EXAMPLE = os.path.join(ROOT, "examples", "flags.cohort")
URI = "file://" + EXAMPLE

failures = []


def check(what, ok, detail=""):
    print(("ok     " if ok else "FAILED ") + what + (f": {detail}" if detail else ""))
    if not ok:
        failures.append(what)


class Client:
    def __init__(self, command):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.notifications = []

    def send(self, message):
        body = json.dumps(message).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self):
        length = None
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise EOFError("the server closed its output")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode("ascii").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.next_id:
                return message
            self.notifications.append(message)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self):
        """The next publishDiagnostics notification."""
        while True:
            message = self.notifications.pop(0) if self.notifications else self.receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                return message["params"]


def position_of(text, needle, occurrence=1, offset=0):
    """The LSP position (UTF-16) of the occurrence-th `needle` in `text`, plus offset characters."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    index += offset
    before = text[:index]
    line = before.count("\n")
    column = before[before.rfind("\n") + 1:]
    return {"line": line, "character": len(column.encode("utf-16-le")) // 2}


def main():
    original = open(EXAMPLE, encoding="utf-8").read()
    text = original.replace("and paying\n", "and payin\n", 1).replace("flag dark_mode = false", "flag dark_mode=false", 1)
    assert text != original
    client = Client([COHORT, "lsp"])

    reply = client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    capabilities = reply["result"]["capabilities"]
    check("initialize", capabilities.get("hoverProvider") is True and capabilities.get("documentFormattingProvider") is True,
          json.dumps(capabilities, sort_keys=True)[:120] + "…")
    client.notify("initialized", {})

    client.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "cohort", "version": 1, "text": text}})
    published = client.diagnostics()
    found = published["diagnostics"]
    typo = position_of(text, "and payin\n", offset=4)
    expected_range = {"start": typo, "end": {"line": typo["line"], "character": typo["character"] + 5}}
    check("diagnostics: one unknown-name error at the typo",
          len(found) == 1 and found[0]["code"] == "unknown-name" and found[0]["range"] == expected_range and found[0]["severity"] == 1,
          "; ".join(f'{d["range"]["start"]["line"] + 1}:{d["range"]["start"]["character"] + 1} {d["code"]}: {d["message"]}' for d in found))

    hover = client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": position_of(text, "internal or beta_testers", offset=2)})
    value = (hover.get("result") or {}).get("contents", {}).get("value", "")
    check("hover on a segment", "segment internal = user.email ends_with" in value, value.replace("\n", " ⏎ ")[:160])

    definition = client.request("textDocument/definition", {"textDocument": {"uri": URI}, "position": position_of(text, "or beta_testers", offset=5)})
    location = definition.get("result") or {}
    declared = position_of(text, "segment beta_testers", offset=8)
    check("definition of a segment", location.get("uri") == URI and location.get("range", {}).get("start") == declared,
          json.dumps(location))

    # `user.` is typed at the end of the search_v2_traffic line.
    at = position_of(text, "bucket(request.id) < 10", offset=len("bucket(request.id) < 10"))
    typed = text.replace("bucket(request.id) < 10", "bucket(request.id) < 10 and user.", 1)
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": typed}]})
    client.diagnostics()
    at["character"] += len(" and user.")
    completion = client.request("textDocument/completion", {"textDocument": {"uri": URI}, "position": at})
    labels = [item["label"] for item in completion["result"]["items"]]
    check("completion after user.", {"email", "group", "plan", "id", "app_version"} <= set(labels), ", ".join(labels))
    at["character"] -= len("user.")
    completion = client.request("textDocument/completion", {"textDocument": {"uri": URI}, "position": at})
    items = {item["label"]: item for item in completion["result"]["items"]}
    check("completion of names", "bucket" in items and "paying" in items and "user" in items and "and" in items,
          "bucket: " + items.get("bucket", {}).get("detail", "missing"))
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": text}]})
    client.diagnostics()

    formatting = client.request("textDocument/formatting", {"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": True}})
    edits = formatting.get("result") or []
    check("formatting", len(edits) == 1 and edits[0]["newText"] == "flag dark_mode = false\n", json.dumps(edits))

    fixed = position_of(text, "and payin\n", offset=len("and payin"))
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 4}, "contentChanges": [
        {"range": {"start": fixed, "end": fixed}, "text": "g"}]})
    published = client.diagnostics()
    check("didChange fixing the typo clears the diagnostics", published["diagnostics"] == [] and published.get("version") == 4,
          json.dumps(published["diagnostics"]))

    # The example's test file: no diagnostics, and a flag in an `expect` leads into flags.cohort.
    tests_path = os.path.join(ROOT, "examples", "flags.test.cohort")
    tests_uri = "file://" + tests_path
    tests = open(tests_path, encoding="utf-8").read()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": tests_uri, "languageId": "cohort", "version": 1, "text": tests}})
    published = client.diagnostics()
    while published["uri"] != tests_uri:
        published = client.diagnostics()
    check("a test file: no diagnostics", published["diagnostics"] == [], json.dumps(published["diagnostics"])[:200])
    definition = client.request("textDocument/definition", {"textDocument": {"uri": tests_uri}, "position": position_of(tests, "expect new_checkout", offset=8)})
    location = definition.get("result") or {}
    check("definition from a test file into its rule file",
          location.get("uri") == URI and location.get("range", {}).get("start") == position_of(text, "flag new_checkout", offset=5),
          json.dumps(location))

    client.request("shutdown", None)
    client.notify("exit", None)
    code = client.process.wait(timeout=10)
    check("shutdown and exit", code == 0, f"exit code {code}")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
