import Foundation
import Testing

/// `cohort repl` with stdin not a terminal: one input per line, plain output.
@Suite("cohort repl, scripted")
struct ReplCLITests {
    private let examples = PackagePaths.root.appendingPathComponent("examples").path

    @Test("a piped session with a rule file, users and a fixed time matches its golden transcript")
    func pipedSession() throws {
        let script = """
            :help
            :user {"id": "u-42", "group": "qa", "email": "kim@acme.com", "plan": "pro"}
            internal
            user.plan in ["pro", "enterprise"]
            :flags
            user.group in [
              "qa",
              "beta"
            ]
            usr.id
            :salt new_checkout
            bucket(user.id)
            now()
            :quit
            this line is never read

            """
        let result = try runCohort(
            ["repl", examples + "/flags.cohort", "--users", examples + "/users.jsonl", "--now", "2026-12-01T09:00:00Z"],
            stdin: script)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(!result.stdout.contains("\u{1B}"), "no colour when stdout is not a terminal")
        #expect(!result.stdout.contains("cohort>"), "no prompt when stdin is not a terminal")
        Golden.check(result.stdout.replacingOccurrences(of: examples, with: "$EXAMPLES"), named: "cli-piped-session")
    }

    @Test("the binary prints what the session prints, line for line")
    func sameAsSession() throws {
        let inputs = [":load $EXAMPLES/users.csv", "user.age > 30", "[1,", "2]", ":explain 1 + 2", ":lod x"]
        let result = try runCohort(["repl"], stdin: inputs.joined(separator: "\n").replacingOccurrences(of: "$EXAMPLES", with: examples) + "\n")
        let transcript = replTranscript(inputs)
        let printed = transcript.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("cohort> ") && !$0.hasPrefix("   ...> ") && $0 != "[end of input]" }
            .joined(separator: "\n")
        #expect(result.stdout.replacingOccurrences(of: examples, with: "$EXAMPLES") == printed)
    }

    @Test("at the end of input an open bracket is reported, and the exit status is 0")
    func openAtEnd() throws {
        let result = try runCohort(["repl"], stdin: "1 + 1\n[1,\n2")
        #expect(result.status == 0)
        #expect(result.stdout == """
            2
            <input>:2:2: error: expected ']' or ',' in the list, found end of input
            2 | 2
              |  ^

            """)
    }

    @Test("NO_COLOR and a pipe both mean plain text")
    func noColour() throws {
        let result = try runCohort(["repl"], stdin: "usr\n", environment: ["NO_COLOR": "1"])
        #expect(!result.stdout.contains("\u{1B}"))
        #expect(result.stdout.hasPrefix("<input>:1:1: error: unknown name 'usr'; did you mean 'user'?"))
    }

    @Test("usage: one rule file at most; --help; a bad option", arguments: [
        (["repl", "a.cohort", "b.cohort"], Int32(2)), (["repl", "--help"], Int32(0)), (["repl", "--bogus"], Int32(2)),
    ])
    func usage(args: [String], status: Int32) throws {
        let result = try runCohort(args, stdin: "")
        #expect(result.status == status)
        if status == 0 { #expect(result.stdout.hasPrefix("USAGE: cohort repl")) } else { #expect(result.stderr.hasPrefix("cohort repl: ")) }
    }

    @Test("a start-up problem ends the REPL before it starts: exit 2, the reason on stderr", arguments: [
        (["repl", "nope.cohort"], "cohort repl: cannot read rule file 'nope.cohort': no such file\n"),
        (["repl", "--users", "nope.jsonl"], "cohort repl: --users: cannot read 'nope.jsonl': no such file\n"),
        (["repl", "--now", "yesterday"],
         "cohort repl: --now: 'yesterday' is not an RFC 3339 time (2026-12-01T09:00:00Z) or a date (2026-12-01)\n"),
    ])
    func startupProblems(arguments: [String], message: String) throws {
        let result = try runCohort(arguments, stdin: "1 + 1\n")
        #expect(result.status == 2)
        #expect(result.stdout == "", "no input is read")
        #expect(result.stderr == message)
    }

    @Test("a rule file with errors at start-up: its diagnostics, exit 2")
    func startupRuleErrors() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let bad = try scratch.write("bad.cohort", "flag off = usr.id == 1\n")
        let result = try runCohort(["repl", bad], stdin: "1 + 1\n")
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            \(bad):1:12: error: unknown name 'usr'; did you mean 'user'?
            1 | flag off = usr.id == 1
              |            ^~~

            """)
    }

    @Test("one user, one flag, one more unreadable record: singular forms")
    func singularForms() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("one.cohort", "flag on = user.plan == \"pro\"\n")
        let users = try scratch.write("users.jsonl", ([#"{"id":"u-1","plan":"pro"}"#] + (1...6).map { "{bad \($0)" }).joined(separator: "\n") + "\n")
        let result = try runCohort(["repl", rules, "--users", users], stdin: "on\n")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "loaded 1 flag from \(rules): on")
        #expect(lines.dropFirst().first == "loaded 1 user from \(users)")
        #expect(lines.contains("  … 1 more unreadable record"))
        #expect(lines.last == "false   · 1 of 1 loaded user matches (100%)", "the current user has no plan")
    }
}
