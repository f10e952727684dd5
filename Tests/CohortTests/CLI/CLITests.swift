import Cohort
import Foundation
import Testing

/// The design-card rule.
private let designCard = #"user.group in ["qa", "beta"] or bucket(user.id) < 20"#

/// Runs `cohort`, failing the test (not crashing) when the executable is missing.
private func cohort(_ args: String..., stdin: String? = nil, environment: [String: String] = [:]) throws -> CLIResult {
    try runCohort(args, stdin: stdin, environment: environment)
}

@Suite("cohort command")
struct CLITests {
    @Test("eval prints true or false for the design-card rule")
    func evalDesignCard() throws {
        let yes = try cohort("eval", designCard, "--user", #"{"id":"u-42","group":"qa"}"#)
        #expect(yes.status == 0)
        #expect(yes.stdout == "true\n")
        #expect(yes.stderr == "")
        let no = try cohort("eval", designCard, "--user", #"{"id":"u-42","group":"x"}"#)
        #expect(no.status == 0)
        #expect(no.stdout == "false\n")
        let salted = try cohort("eval", designCard, "--user", #"{"id":"u-42","group":"x"}"#, "--salt", "new_checkout")
        #expect(salted.stdout == "true\n")
    }

    @Test("eval prints one line of JSON", arguments: [
        ("42", "42"), ("0 - 3.5", "-3.5"), ("0.1 + 0.2", "0.30000000000000004"), ("1e16", "1e+16"),
        (#""blue""#, #""blue""#), (#"'say "hi"\n'"#, #""say \"hi\"\n""#), (#"["a","b"]"#, #"["a","b"]"#),
        (#"["a", 1, null, [true]]"#, #"["a",1,null,[true]]"#), ("[]", "[]"), ("null", "null"), ("user.missing", "null"),
        ("true", "true"), (#"semver("v1.2")"#, #""1.2.0""#), (#"time("2026-12-01T09:00:00Z")"#, #""2026-12-01T09:00:00Z""#),
        (#"date("2026-12-01")"#, #""2026-12-01T00:00:00Z""#), (#"bucket("u-42", "new_checkout")"#, "3"),
    ])
    func evalOutputs(expression: String, output: String) throws {
        let result = try cohort("eval", expression)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == output + "\n")
    }

    @Test("an expression starting with '-' is passed after '--'")
    func evalDashDash() throws {
        let result = try cohort("eval", "--", "-3.5")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "-3.5\n")
    }

    @Test("eval prints objects from the context as compact JSON with sorted keys")
    func evalObject() throws {
        let result = try cohort("eval", "user", "--user", #"{"b": 1, "a": ["x", {"d": null, "c": true}]}"#)
        #expect(result.stdout == #"{"a":["x",{"c":true,"d":null}],"b":1}"# + "\n")
    }

    @Test("--context binds each key as a root; --now fixes now()")
    func evalContextAndNow() throws {
        let context = try cohort("eval", "tenant.plan == \"pro\" and user.id == \"u-1\"", "--context", #"{"user":{"id":"u-1"},"tenant":{"plan":"pro"}}"#)
        #expect(context.status == 0, "\(context.stderr)")
        #expect(context.stdout == "true\n")
        let now = try cohort("eval", "now()", "--now", "2026-12-01T09:00:00Z")
        #expect(now.stdout == #""2026-12-01T09:00:00Z""# + "\n")
        let date = try cohort("eval", "string(now())", "--now", "2026-12-01")
        #expect(date.stdout == #""2026-12-01T00:00:00Z""# + "\n")
    }

    @Test("'-' reads the expression or the user from stdin")
    func evalStdin() throws {
        let expression = try cohort("eval", "-", stdin: "1 +\n  1\n")
        #expect(expression.stdout == "2\n")
        let user = try cohort("eval", "user.id", "--user", "-", stdin: #"{"id": "from-stdin"}"#)
        #expect(user.stdout == #""from-stdin""# + "\n")
    }

    @Test("a compile error: exit 1, the diagnostic with a caret on stderr")
    func evalCompileError() throws {
        let result = try cohort("eval", "usr.id == \"u-42\"")
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            <expr>:1:1: error: unknown name 'usr'; did you mean 'user'?
            1 | usr.id == "u-42"
              | ^~~

            """)
    }

    @Test("an error value: exit 1, the diagnostic pointing at the failing part")
    func evalErrorValue() throws {
        let result = try cohort("eval", #"user.group == "qa" or user.age >= 18"#, "--user", #"{"age": "eighteen"}"#)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("<expr>:1:23: error: ") == true)
        // The caret sits under `user.age >= 18` (column 23, 14 characters).
        #expect(lines.last.map(String.init) == "  | " + String(repeating: " ", count: 22) + "^" + String(repeating: "~", count: 13))
    }

    @Test("usage errors exit 2", arguments: [
        [], ["frobnicate"], ["eval"], ["eval", "1", "2"], ["eval", "1", "--bogus"], ["eval", "1", "--user"],
        ["eval", "1", "--user", "not json"], ["eval", "1", "--user", "[1]"], ["eval", "1", "--user", "{}", "--context", "{}"],
        ["eval", "1", "--context", "[]"], ["eval", "1", "--now", "yesterday"],
        ["disasm"], ["disasm", "1", "2"], ["disasm", "1", "--bogus"],
    ])
    func usageErrors(args: [String]) throws {
        let result = try runCohort(args)
        #expect(result.status == 2, "\(args): \(result.stderr)")
        #expect(result.stdout.isEmpty || args.isEmpty, "\(args)")
        #expect(!result.stderr.isEmpty || args.isEmpty, "\(args)")
    }

    @Test("--version prints the library version")
    func version() throws {
        for flag in ["--version", "-V"] {
            let result = try cohort(flag)
            #expect(result.status == 0)
            #expect(result.stdout == "cohort \(CohortVersion.current)\n")
        }
    }

    @Test("--help describes every command")
    func help() throws {
        let result = try cohort("--help")
        #expect(result.status == 0)
        for word in ["USAGE:", "eval", "check", "batch", "disasm", "NO_COLOR"] {
            #expect(result.stdout.contains(word), "\(word)")
        }
        let eval = try cohort("eval", "--help")
        #expect(eval.status == 0)
        #expect(eval.stdout.contains("--user"))
        let disasm = try cohort("disasm", "--help")
        #expect(disasm.status == 0)
    }

    @Test("disasm prints the bytecode")
    func disasm() throws {
        let result = try cohort("disasm", designCard)
        #expect(result.status == 0)
        #expect(result.stdout == (try Rule(designCard).disassembly))
        #expect(result.stdout.contains("chain           t0"))
        #expect(result.stdout.contains("or_test"))
        let error = try cohort("disasm", "usr.id")
        #expect(error.status == 1)
        #expect(error.stderr.contains("did you mean 'user'?"))
    }

    @Test("no colour when stderr is not a terminal, or with NO_COLOR")
    func noColour() throws {
        let plain = try cohort("eval", "usr.id")
        #expect(plain.status == 1)
        #expect(!plain.stderr.contains("\u{1B}"))
        let noColor = try cohort("eval", "usr.id", environment: ["NO_COLOR": "1"])
        #expect(!noColor.stderr.contains("\u{1B}"))
        #expect(noColor.stderr == plain.stderr)
        let forced = try cohort("eval", "user.age < 1", "--user", #"{"age":"x"}"#, environment: ["NO_COLOR": "1", "TERM": "xterm-256color"])
        #expect(!forced.stderr.contains("\u{1B}"))
    }
}
