import Cohort
import Foundation
import Testing

// `cohort eval NAME --rules FILE --explain` and `cohort eval EXPR --explain` (CLI.md) run as
// a process over the shipped rules: the value on stdout; on stderr the reason, the error's
// diagnostic, and the tree with every sub-expression's value, segments, lets and
// prerequisite flags opened up in place, the deciding tests marked and an error shown
// where it arose. One golden transcript holds every case.

private let rulesPath = PackagePaths.example("flags.cohort")
private let nowText = "2026-12-02T00:00:00Z"
/// QA staff on the pro plan: targeted by `internal`, paying.
private let qaUser = #"{"id":"u-42","group":"qa","email":"kim@acme.com","plan":"pro"}"#
/// No email: the `internal` segment cannot be decided.
private let noEmail = #"{"id":"u-1"}"#
/// Bucket 3 of checkout_button and not internal: a split.
private let bucketed = #"{"id":"u-1002","email":"x@example.com","group":"none","plan":"free"}"#

/// One run as golden text: the command, its exit status, stdout and stderr, with the
/// examples' directory written as `examples/`.
private func transcript(_ arguments: [String]) throws -> (text: String, status: Int32) {
    let result = try runCohort(["eval"] + arguments + ["--now", nowText])
    let root = URL(fileURLWithPath: rulesPath).deletingLastPathComponent().path + "/"
    func clean(_ text: String) -> String { text.replacingOccurrences(of: root, with: "examples/") }
    let shown = arguments.map { $0 == rulesPath ? "examples/flags.cohort" : ($0.contains(" ") || $0.contains("{") ? "'\($0)'" : $0) }
    return ("$ cohort eval " + shown.joined(separator: " ") + "\n(exit \(result.status))\n--- stdout\n" + clean(result.stdout)
            + "--- stderr\n" + clean(result.stderr) + "\n", result.status)
}

@Suite("cohort eval --explain")
struct EvalExplainCLITests {
    @Test("flags, rule expressions and plain expressions explained, as golden text")
    func golden() throws {
        let cases: [([String], Int32)] = [
            // A prerequisite flag and two segments opened up in place.
            (["express_pay", "--rules", rulesPath, "--user", qaUser, "--explain"], 0),
            // A rollout decided it: reason split, the bucket comparison marked.
            (["checkout_button", "--rules", rulesPath, "--user", bucketed, "--explain"], 0),
            // A kill switch: static.
            (["payments_v2", "--rules", rulesPath, "--user", qaUser, "--explain"], 0),
            // An error: the default on stdout, exit 1, the diagnostic, the error where it arose.
            (["checkout_button", "--rules", rulesPath, "--user", noEmail, "--explain"], 1),
            // An expression over the file's declarations: the flag opened up where it is used.
            (["new_checkout and paying", "--rules", rulesPath, "--user", qaUser, "--explain"], 0),
            // A plain expression: every part with its value; `or` decided by its first operand.
            (["user.plan == \"pro\" or bucket(user.id) < 20", "--user", qaUser, "--explain"], 0),
            // A plain expression that fails: exit 1, the error at the part that failed.
            (["user.age >= 18 or user.plan == \"pro\"", "--user", noEmail, "--explain"], 1),
        ]
        var text = ""
        for (arguments, status) in cases {
            let run = try transcript(arguments)
            #expect(run.status == status, "\(arguments): \(run.text)")
            text += run.text
        }
        Golden.check(text, named: "eval-explain")
    }

    @Test("without --explain there is no tree; the value and reason are the same")
    func withoutExplain() throws {
        for user in [qaUser, noEmail, bucketed] {
            let plain = try runCohort(["eval", "checkout_button", "--rules", rulesPath, "--user", user, "--now", nowText])
            let explained = try runCohort(["eval", "checkout_button", "--rules", rulesPath, "--user", user, "--now", nowText, "--explain"])
            #expect(plain.stdout == explained.stdout)
            #expect(plain.status == explained.status)
            #expect(!plain.stderr.contains("→"))
            #expect(explained.stderr.hasPrefix(plain.stderr), "the reason (and error) come first, then the tree")
            #expect(explained.stderr.contains("flag checkout_button → "))
        }
    }

    @Test("the tree's deciding test and the reason agree: split marks a bucket comparison, match a targeting test")
    func decidingAgreesWithReason() throws {
        var generator = UserGenerator(seed: 3)
        let ruleset = try Ruleset(contentsOfFile: rulesPath)
        let now = try #require(Instant(timestamp: nowText))
        for i in 0..<40 {
            let user = generator.nextUser(index: i)
            for flag in ["new_checkout", "checkout_button", "express_pay"] {
                let (evaluation, explanation) = try #require(ruleset.explain(flag, in: Context(user: user), now: now))
                let decided = explanation.allNodes.filter(\.isDeciding).map(\.text)
                switch evaluation.reason {
                case .split: #expect(decided.contains { $0.hasPrefix("bucket(") }, "\(flag) \(user.jsonText): \(decided)")
                case .match: #expect(!decided.isEmpty && !decided.allSatisfy { $0.hasPrefix("bucket(") }, "\(flag) \(user.jsonText): \(decided)")
                default: break
                }
            }
        }
    }

    @Test("on a terminal the tree is coloured as diagnostics are; never with NO_COLOR, never through a pipe",
          arguments: [("a flag", ["express_pay", "--rules", rulesPath]), ("an expression", ["user.plan == \"pro\""])])
    func colourOnTerminal(_ what: String, _ arguments: [String]) throws {
        let run = arguments + ["--user", qaUser, "--now", nowText, "--explain"]
        for noColor in [false, true] {
            let tty = try PseudoTerminal()
            // Empty is unset (no-color.org); the test runner may have set it for the suite.
            let process = try tty.launch(["eval"] + run, environment: ["NO_COLOR": noColor ? "1" : ""])
            // The tree's last line names the plan test, for the flag (through `paying`) and
            // the expression alike.
            let shown = tty.read(until: "\"pro\"", timeout: 20) + tty.read(until: "\u{0}", timeout: 1)
            #expect(tty.waitForExit(process), "\(what): eval did not exit")
            #expect(shown.contains("\u{1B}[") == !noColor, "\(what), NO_COLOR \(noColor): \(shown.debugDescription)")
        }
        let piped = try runCohort(["eval"] + run)
        #expect(!piped.stderr.contains("\u{1B}["), "\(what) through a pipe: \(piped.stderr.debugDescription)")
        #expect(piped.stderr.contains("\"pro\""))
    }
}
