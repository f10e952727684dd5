#!/usr/bin/env python3
"""Writes editors/cohort.sublime-syntax from editors/cohort.tmLanguage.json.

Sublime Text and `bat` (through syntect) read `.sublime-syntax` files; VS Code and
GitHub-style highlighters read the TextMate JSON. One grammar is written by hand (the
JSON); this script derives the other: a `match` rule stays a match, a `begin`/`end`
rule pushes a context whose first rule pops at the `end` (so the end wins a tie, as in
TextMate), and `include` stays an include. Regexes are written as JSON strings, which
YAML reads unchanged, so a test can check that every regex of the JSON grammar is in
the derived file.

  editors/make-sublime-syntax.py           rewrite editors/cohort.sublime-syntax
  editors/make-sublime-syntax.py --check   exit 1 when it is out of date
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GRAMMAR = os.path.join(HERE, "cohort.tmLanguage.json")
OUTPUT = os.path.join(HERE, "cohort.sublime-syntax")


def q(text):
    return json.dumps(text, ensure_ascii=False)


def captures(rule, key, indent):
    """Group 0 becomes the match's `scope`; the other groups its `captures`."""
    groups = dict(rule.get(key) or {})
    lines = []
    if "0" in groups:
        lines.append(f"{indent}scope: {groups.pop('0')['name']}")
    if groups:
        lines.append(f"{indent}captures:")
        for group in sorted(groups, key=int):
            lines.append(f"{indent}  {group}: {groups[group]['name']}")
    return lines


def rules(patterns, indent, contexts):
    out = []
    for rule in patterns:
        if "include" in rule:
            name = rule["include"]
            out.append(f"{indent}- include: {'main' if name == '$self' else name.lstrip('#')}")
        elif "match" in rule:
            out.append(f"{indent}- match: {q(rule['match'])}")
            if "name" in rule:
                out.append(f"{indent}  scope: {rule['name']}")
            out += captures(rule, "captures", indent + "  ")
        else:
            out.append(f"{indent}- match: {q(rule['begin'])}")
            out += captures(rule, "beginCaptures" if "beginCaptures" in rule else "captures", indent + "  ")
            out.append(f"{indent}  push:")
            inner = indent + "    "
            if "name" in rule:
                out.append(f"{inner}- meta_scope: {rule['name']}")
            out.append(f"{inner}- match: {q(rule['end'])}")
            out += captures(rule, "endCaptures" if "endCaptures" in rule else "captures", inner + "  ")
            out.append(f"{inner}  pop: true")
            out += rules(rule.get("patterns", []), inner, contexts)
    return out


def render():
    grammar = json.load(open(GRAMMAR, encoding="utf-8"))
    lines = [
        "%YAML 1.2",
        "---",
        "# Generated from cohort.tmLanguage.json by make-sublime-syntax.py: edit the JSON, then run it.",
        f"name: {grammar['name']}",
        f"scope: {grammar['scopeName']}",
        "file_extensions: [" + ", ".join(grammar["fileTypes"]) + "]",
        "contexts:",
        "  main:",
    ]
    lines += rules(grammar["patterns"], "    ", None)
    for name, entry in grammar["repository"].items():
        lines.append(f"  {name}:")
        patterns = entry["patterns"] if "patterns" in entry and "match" not in entry and "begin" not in entry else [entry]
        lines += rules(patterns, "    ", None)
    return "\n".join(lines) + "\n"


def main():
    text = render()
    if "--check" in sys.argv:
        current = open(OUTPUT, encoding="utf-8").read() if os.path.exists(OUTPUT) else ""
        if current != text:
            print("editors/cohort.sublime-syntax is out of date: run editors/make-sublime-syntax.py", file=sys.stderr)
            sys.exit(1)
        return
    open(OUTPUT, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main()
