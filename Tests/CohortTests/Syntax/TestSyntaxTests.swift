import Cohort
import Testing

/// Cohort's, not Foundation's.
private typealias Formatter = Cohort.Formatter

// The syntax of rule unit tests and named variants (LANGUAGE.md §5, CLI.md `cohort test`):
// `use "PATH"`, `test "NAME" { ... }` with context lines, `now`, `salt`, `expect EXPR` and
// `expect FLAG reason KIND`; `serve VALUE as NAME` and `default VALUE as NAME`.

/// Parses a whole file: the tree and the diagnostics' messages.
private func parse(_ text: String) -> (RuleFile, [Diagnostic]) {
    var parser = Parser(SourceFile(name: "t.cohort", text: text))
    let file = parser.parseFile()
    return (file, parser.diagnostics)
}

/// The first diagnostic of `text` as `line:col: message`, or "ok".
private func firstProblem(_ text: String) -> String {
    let source = SourceFile(name: "t.cohort", text: text)
    var parser = Parser(source)
    _ = parser.parseFile()
    guard let first = parser.diagnostics.first else { return "ok" }
    return "\(source.location(of: first.span.start)): \(first.message)"
}

/// Formats source text, or gives the rendered diagnostics prefixed by `error: `.
private func fmt(_ text: String, width: Int = Formatter.defaultWidth) -> String {
    do {
        return try Formatter(width: width).format(SourceFile(name: "t.cohort", text: text))
    } catch {
        return "error: " + error.rendered(color: false)
    }
}

/// The kinds of `text`'s tokens, without the final `.end`.
private func kinds(_ text: String) -> [Token.Kind] {
    var lexer = Lexer(SourceFile(name: "<test>", text: text))
    return lexer.tokenize().dropLast().map(\.kind)
}

/// A readable dump of a parsed file, one item or line per line: what the golden file of
/// the parser shows.
private func dump(_ file: RuleFile, _ source: SourceFile) -> String {
    func at(_ span: SourceSpan) -> String { "\(source.location(of: span.start))" }
    var out = ""
    for item in file.items {
        switch item {
        case .use(let use):
            out += "\(at(use.span)) use \(use.path.debugDescription)\n"
        case .declaration(let d):
            out += "\(at(d.span)) \(d.kind.rawValue) \(d.name)\n"
            for (k, arm) in d.arms.enumerated() {
                out += "  \(at(arm.span)) when[\(k)] \(Formatter().format(arm.condition)) serve \(Formatter().format(arm.value))"
                    + (arm.variant.map { " as \($0.name) @\(at($0.span))" } ?? "") + "\n"
            }
            if let value = d.defaultValue {
                out += "  default \(Formatter().format(value))" + (d.defaultVariant.map { " as \($0.name) @\(at($0.span))" } ?? "") + "\n"
            }
        case .test(let test):
            out += "\(at(test.span)) test \(test.name.debugDescription) (\(test.statements.count) lines)\n"
            for statement in test.statements {
                switch statement {
                case .context(let line):
                    let fields = line.fields.keys.sorted().map { "\($0)=\(line.fields[$0]!.jsonText)" }.joined(separator: " ")
                    out += "  \(at(line.span)) \(line.root.map { "root \($0)" } ?? "whole context") {\(fields)}\n"
                case .now(let time, _, let span):
                    out += "  \(at(span)) now \(time)\n"
                case .salt(let salt, _, let span):
                    out += "  \(at(span)) salt \(salt.debugDescription)\n"
                case .expect(let expr, let span):
                    out += "  \(at(span)) expect \(Formatter().format(expr)) @\(at(expr.span))\n"
                case .expectReason(let flag, let flagSpan, let kind, let kindSpan, let span):
                    out += "  \(at(span)) expect \(flag) @\(at(flagSpan)) reason \(kind.rawValue) @\(at(kindSpan))\n"
                }
            }
        }
    }
    return out
}

@Suite("Test-file syntax and named variants")
struct TestSyntaxTests {
    // MARK: Lexer

    @Test("a '{' right after a name is a JSON object token; after 'flag NAME' it is a brace")
    func jsonTokens() {
        #expect(kinds(#"user {"id": "u-1"}"#) == [.identifier, .json])
        #expect(kinds(#"context {"user": {"id": "}"}} x"#) == [.identifier, .json, .identifier])
        #expect(kinds("flag f { default 1 }") == [.kwFlag, .identifier, .leftBrace, .kwDefault, .number, .rightBrace])
        #expect(kinds(#"test "t" { }"#) == [.identifier, .string, .leftBrace, .rightBrace])
        // Spread over lines, with braces and quotes inside strings.
        #expect(kinds("user {\n  \"a\": \"{\\\"\",\n  \"b\": {}\n}\nexpect") == [.identifier, .json, .identifier])
    }

    @Test("a JSON object that is never closed is an error at its brace, and lexing goes on")
    func unclosedJSON() {
        var lexer = Lexer(SourceFile(name: "<test>", text: "user {\"a\": 1\nexpect x"))
        let tokens = lexer.tokenize()
        #expect(tokens[1].kind == .error)
        #expect(tokens[1].span == SourceSpan(start: 5, end: 6))
        #expect(tokens.map(\.kind).contains(.string))
    }

    // MARK: Parser

    @Test("a test file parses into use lines and test blocks (golden)")
    func parseGolden() {
        let text = """
            use "flags.cohort"

            test "QA sees the new checkout first" {
              now "2026-12-01T10:00:00Z"
              user {"id": "u-1", "group": "qa", "tags": ["a", {"b": null}], "n": 1e3}
              device {}
              expect new_checkout
              expect checkout_button == "green"
              expect not express_pay
              expect checkout_button reason match
              expect payments_v2 reason static
              expect express_pay reason default
            }

            test 'whole context' {
              context {
                "user": {"id": "u-2"},
                "request": {"id": "r-1"}
              }
              salt "wave-1"
              expect search_v2_traffic reason split
              expect broken reason error
            }

            flag colour {
              when user.group == "qa" serve "green" as staff
              when bucket(user.id) < 50 serve "blue"
              default "red" as control
            }
            """
        let source = SourceFile(name: "t.cohort", text: text)
        var parser = Parser(source)
        let file = parser.parseFile()
        #expect(parser.diagnostics.isEmpty, "\(parser.diagnostics.map(\.message))")
        Golden.check(dump(file, source), named: "test-file-parse")
    }

    @Test("test, expect and use are keywords only where a test file needs them")
    func contextualWords() {
        // A let named expect, test or use; members named test; roots compared in tests.
        let text = """
            let expect = 18
            let test = ["a"]
            let use = user.test
            segment adults = user.age >= expect and use == true and user.use in test
            flag f { when user.test serve 1 as test default 0 as use }
            test "uses them" {
              user {"test": true}
              expect expect == 18
              expect user.test
              expect test == ["a"] and use
            }
            """
        let (file, diagnostics) = parse(text)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
        #expect(file.declarations.map(\.name) == ["expect", "test", "use", "adults", "f"])
        #expect(file.tests.count == 1)
        #expect(file.tests.first?.statements.count == 4)
        // The rule file compiles: tests are left out of it.
        #expect(throws: Never.self) { try Ruleset(source: text) }
    }

    @Test("a rule file with inline tests compiles as the rules alone")
    func inlineTestsCompile() throws {
        let rules = try Ruleset(source: """
            flag a = user.plan == "pro"
            test "pro" {
              user {"plan": "pro"}
              expect a
            }
            flag b = false
            """)
        #expect(rules.flagNames == ["a", "b"])
    }

    @Test("syntax errors in test files", arguments: [
        (#"test "x" { user {"id": "u-1",} }"#, "1:30: invalid JSON in a test's context: trailing comma before '}'"),
        ("test \"x\" {\n  user {\n    \"id\": u-1\n  }\n}", "3:11: invalid JSON in a test's context: expected a JSON value, found 'u'"),
        (#"test "x" { user {"a": 1 }"#, "1:26: expected '}' to close the test block, found end of input"),
        ("test \"x\" { user {\"a\": {\"b\": 1}\n", "1:17: this '{' of a JSON object is never closed with '}'"),
        ("expect a", "1:1: 'expect' belongs inside a test block: test \"NAME\" { ... expect ... }"),
        (#"test "x" { expect a reason matched }"#, "1:28: unknown reason kind 'matched'; the kinds are static, match, split, default and error (did you mean 'match'?)"),
        (#"test "x" { expect a.b reason match }"#, "1:19: 'reason' follows a flag's name: expect FLAG reason KIND"),
        (#"test "x" { expect a reason }"#, "1:28: expected a reason kind after 'reason' (static, match, split, default, error), found '}'"),
        (#"test "x" { let a = 1 }"#, "1:12: 'let' cannot appear inside a test block; declare it in the rule file, or close the test with '}' first"),
        (#"test "x" { now 5 }"#, "1:16: expected a time in quotes after 'now', found '5'"),
        (#"test "x" { user [1] }"#, "1:12: expected a line of a test block (ROOT {json}, context {json}, now \"TIME\", salt \"S\", expect ...) or '}', found 'user'"),
        (#"test "x" { expect }"#, "1:19: expected an expression, found '}'"),
        ("test x { }", "1:6: expected the test's name in quotes after 'test', found 'x'"),
        ("use flags", "1:5: expected a path in quotes after 'use', found 'flags'"),
        (#"test "x" expect a"#, "1:10: expected '{' to open the test block, found 'expect'"),
        (#"flag f { when a serve 1 as x when b serve 2 as x default 0 }"#, "1:48: variant name 'x' is used twice in flag 'f'"),
        (#"flag f { when a serve 1 default 0 as default }"#, "1:38: 'default' is a reserved word and cannot be declared"),
        (#"flag f { when a serve 1 as 5 default 0 }"#, "1:28: expected a variant name after 'as', found '5'"),
        (#"let x = user {"a": 1}"#, "1:14: expected a declaration (let, segment or flag), found a JSON object"),
    ])
    func syntaxErrors(text: String, expected: String) {
        #expect(firstProblem(text) == expected)
    }

    @Test("after an error, parsing resumes at the next test, use or declaration")
    func recovery() {
        let (file, diagnostics) = parse("""
            test "a" { user {"x": } expect true }
            test "b" { expect true }
            let y = 1 +
            flag w = 1
            use "f.cohort"
            test "c" { let q = 1 }
            flag z = true
            """)
        #expect(diagnostics.count == 3, "\(diagnostics.map(\.message))")
        #expect(file.tests.map(\.name) == ["b"])
        #expect(file.uses.map(\.path) == ["f.cohort"])
        #expect(file.declarations.map(\.name) == ["w", "z"])
    }

    @Test("named variants are kept on arms and the default; the arm's span covers its name")
    func variants() throws {
        let text = "flag f {\n  when a serve 1 as one\n  when b serve 2\n  default 0 as none\n}"
        let (file, diagnostics) = parse(text)
        #expect(diagnostics.isEmpty)
        let flag = try #require(file.declarations.first)
        #expect(flag.arms.map { $0.variant?.name } == ["one", nil])
        #expect(flag.defaultVariant?.name == "none")
        #expect(flag.arms[0].span.end == text.utf8.count - "\n  when b serve 2\n  default 0 as none\n}".utf8.count)
    }

    // MARK: Formatter

    @Test("a test file in the canonical layout (golden), and formatting it again changes nothing")
    func formatGolden() {
        let messy = """
            use   'flags.cohort'   # the rules
            # first
            test "QA sees the new checkout first" {   # on the brace
              now   "2026-12-01T10:00:00Z"
                user {"id":"u-1","group":"qa",   "email":"qa@acme.com","plan":"free", "tags": ["a",{"b":[]}], "n": 1e3}


              expect new_checkout
              expect checkout_button=="green"   // green
              # before the last
              expect not   express_pay
              expect checkout_button   reason   match
              # before the brace
            }
            test "a long context breaks one member per line" { context {
                 "user": {"id": "u-2"},
                 "device": {"os": "ios", "very_long_key_name_number_one": "value value value value", "another_long_key": "another long value string"}
              }
              salt 'abc' expect user.test == null
              expect user.plan == "pro" and user.country in ["KR", "JP", "US"] and bucket(user.id, "a-long-salt-for-this-flag", 1000) < 250
            }
            test "empty" {}
            flag f { when user.x == 1 serve "a" as arm_a
             default "b" as control }
            let expect = 3
            """
        let once = fmt(messy)
        Golden.check(once, named: "test-file-format")
        #expect(fmt(once) == once)
        // The same at a narrow width: everything breaks, nothing changes meaning.
        let narrow = fmt(messy, width: 40)
        #expect(!narrow.hasPrefix("error"), "\(narrow)")
        #expect(fmt(narrow, width: 40) == narrow)
        let (a, _) = parse(messy)
        let (b, _) = parse(narrow)
        #expect(firstDifference(a, b) == nil)
    }

    @Test("a JSON object written with a line break after '{' stays one member per line; one written flat stays flat")
    func jsonBreaks() {
        #expect(fmt("test \"t\" {\n  user {\n  \"a\": 1, \"b\": {\"c\": 2}}\n}\n") == """
            test "t" {
              user {
                "a": 1,
                "b": {"c": 2}
              }
            }

            """)
        #expect(fmt("test \"t\" {\n  user {\"a\": 1,\n \"b\": 2}\n}\n") == "test \"t\" {\n  user {\"a\": 1, \"b\": 2}\n}\n")
    }

    @Test("a test file with a syntax error is reported as one, not read as an expression")
    func formatErrors() {
        #expect(fmt("test x { }").hasPrefix("error: t.cohort:1:6: error: expected the test's name in quotes after 'test'"))
        #expect(fmt("use \"a\" expect a").hasPrefix("error: t.cohort:1:9: error: 'expect' belongs inside a test block"))
        #expect(fmt(#"test "x" { user {"a": 1,} }"#).hasPrefix("error: t.cohort:1:25: error: invalid JSON"))
    }

    @Test("random test files: the formatter keeps their meaning and is idempotent")
    func randomTestFiles() {
        var rng = SplitMix64(seed: 0x7E57)
        let roots = ["user", "device", "context", "org"]
        let atoms = ["1", "-2.5e3", "true", "null", "\"s\"", "\"\\u00e9\\n\"", "[]", "{}"]
        func json(_ depth: Int) -> String {
            if depth == 0 || rng.below(3) == 0 { return rng.pick(atoms) }
            if rng.below(2) == 0 {
                return "[" + (0..<rng.below(4)).map { _ in json(depth - 1) }.joined(separator: ",") + "]"
            }
            return "{" + (0..<rng.below(5)).map { i in "\"k\(i)\" :\(json(depth - 1))" }.joined(separator: ", ") + "}"
        }
        let expressions = ["a", "user.test == 1", "not f", "bucket(user.id) < 20 or g", "x in [1, 2,]", "expect"]
        for round in 0..<500 {
            var text = rng.below(2) == 0 ? "use \"r.cohort\"\n" : ""
            for t in 0..<(1 + rng.below(3)) {
                text += "test \"t\(t)\" {\n"
                for _ in 0..<rng.below(6) {
                    switch rng.below(6) {
                    case 0: text += "  \(rng.pick(roots)) {" + (0..<rng.below(6)).map { i in "\"a\(i)\": \(json(3))" }.joined(separator: ", ") + "}\n"
                    case 1: text += "  now \"2026-12-01T10:00:00Z\"\n"
                    case 2: text += "  salt 's'  # salt\n"
                    case 3: text += "  expect f reason \(rng.pick(ExpectedReason.allCases.map(\.rawValue)))\n"
                    default: text += "  expect \(rng.pick(expressions))\n"
                    }
                }
                text += "}\n"
            }
            if rng.below(2) == 0 { text += "flag f { when a serve 1 as x default 2 as y }\n" }
            let width = [120, 50, 20][round % 3]
            let once = fmt(text, width: width)
            guard !once.hasPrefix("error") else {
                Issue.record("round \(round): \(once)\n\(text)")
                return
            }
            let (a, problems) = parse(text)
            let (b, _) = parse(once)
            #expect(problems.isEmpty)
            if let difference = firstDifference(a, b) {
                Issue.record("round \(round): the tree changed: \(difference)\n\(text)\n---\n\(once)")
                return
            }
            if fmt(once, width: width) != once {
                Issue.record("round \(round): not idempotent:\n\(once)")
                return
            }
        }
    }

    @Test("comments anywhere between the tokens of a test file are all kept, and the result is stable")
    func commentsInTestFiles() {
        let text = fmt("""
            use "r.cohort"
            test "t" {
              context {"user": {"id": "u-1"}}
              now "2026-12-01T10:00:00Z"
              salt "s"
              expect a and (b or c)
              expect f reason match
            }
            flag f { when a serve 1 as one default 2 as two }
            """)
        var lexer = Lexer(SourceFile(name: "<s>", text: text))
        let tokens = lexer.tokenize()
        let bytes = Array(text.utf8)
        // After each token in turn, a comment at the end of the line or on a line of its own.
        for (i, token) in tokens.enumerated() where token.kind != .end {
            for own in [false, true] {
                let comment = "# c\(i)"
                let inserted = String(decoding: bytes[..<token.span.end], as: UTF8.self) + (own ? "\n\(comment)\n" : "  \(comment)\n")
                    + String(decoding: bytes[token.span.end...], as: UTF8.self)
                let once = fmt(inserted)
                guard !once.hasPrefix("error") else {
                    Issue.record("after token \(i): \(once)\n\(inserted)")
                    continue
                }
                #expect(once.contains(comment), "after token \(i):\n\(inserted)\n---\n\(once)")
                #expect(fmt(once) == once, "after token \(i): not stable:\n\(once)")
                let (a, _) = parse(inserted)
                let (b, _) = parse(once)
                #expect(firstDifference(a, b) == nil, "after token \(i)")
            }
        }
    }

    @Test("formatting a file made in code prints tests and variants")
    func formatFromTree() {
        let (file, _) = parse(#"use "r.cohort" test "t" { user {"b": 1, "a": 2} expect a reason match } flag f { when a serve 1 as x default 0 as y }"#)
        #expect(Formatter().format(file) == """
            use "r.cohort"
            test "t" {
              user {"b": 1, "a": 2}
              expect a reason match
            }
            flag f {
              when a   serve 1 as x
              default 0 as y
            }

            """)
    }
}
