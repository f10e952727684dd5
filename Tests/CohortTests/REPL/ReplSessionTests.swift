@testable import Cohort
import Foundation
import Testing

/// The clock the scripted sessions run on, so `now()` without `:now` is deterministic too.
private let clock = Instant(timestamp: "2026-11-30T12:00:00Z")!

/// The examples directory; inputs write it `$EXAMPLES`, and transcripts show it so.
private let examples = PackagePaths.root.appendingPathComponent("examples").path

/// Runs `inputs` through a session line by line, as `cohort repl` does with stdin not a
/// terminal, and returns the transcript: each line after the prompt it was typed at, then
/// what the REPL printed. The end of the inputs is the end of input.
func replTranscript(_ inputs: [String], color: Bool = false) -> String {
    var session = ReplSession(color: color)
    var out = ""
    for input in inputs {
        out += session.prompt + input + "\n"
        if let printed = session.feedLine(input.replacingOccurrences(of: "$EXAMPLES", with: examples), clock: clock) {
            out += printed
        }
        if session.finished {
            out += "[session finished]\n"
            return out.replacingOccurrences(of: examples, with: "$EXAMPLES")
        }
    }
    out += "[end of input]\n" + session.finishPending(clock: clock)
    return out.replacingOccurrences(of: examples, with: "$EXAMPLES")
}

/// Scripted sessions whose transcripts are pinned in `Golden/session-NAME.txt`; between
/// them they use every command. Re-record with `COHORT_RECORD_GOLDEN=1`, then read the diff.
private let sessions: [(name: String, inputs: [String])] = [
    ("basics", [
        ":help",
        "1 + 2 * 3",
        #""Zürich" + "!""#,
        #"[1, "a", null, true]"#,
        "now()",
        ":now 2026-12-01T09:30:00Z",
        #"now() >= time("2026-12-01T09:00:00Z")"#,
        ":now 2026-12-01",
        "now()",
        ":now",
        "now()",
        ":context",
        #":user {"id": "u-42", "group": "qa", "email": "kim@acme.com", "plan": "free", "address": {"city": "Seoul"}}"#,
        #"user.group in ["qa", "beta"] or bucket(user.id) < 20"#,
        #":set user.plan = "pro""#,
        #":set user.address.zip = "04524""#,
        ":set user.age = 30 + 4",
        #":set user.tags = ["beta", "mobile"]"#,
        #":set device.os = "ios""#,
        ":context",
        #"device.os == "ios" and user.age >= 18"#,
        "bucket(user.id)",
        ":salt new_checkout",
        "bucket(user.id)",
        ":salt",
        "bucket(user.id)",
        #":explain user.plan in ["pro", "enterprise"] and (user.age < 18 or user.address.city == "Seoul")"#,
        #":ast user.group in ["qa", "beta"] or not exists(user.tags[0])"#,
        ":disasm 1 + 2",
        ":quit",
        "1 + 1",
    ]),
    ("users-jsonl", [
        "user.country == \"KR\"",
        ":load $EXAMPLES/users.jsonl",
        #"user.plan in ["pro", "enterprise"]"#,
        #"user.country == "KR""#,
        #"user.age >= 30 and "desktop" in user.tags"#,
        "user.age > 30",
        #":user {"id": "u-42", "age": 41}"#,
        "user.age > 30",
        #"semver(user.app_version) >= "5.2.0""#,
        #"lower(user.email) ends_with "@acme.com""#,
        "len(user.tags)",
        "user.nope > 1",
        "user.gr",
    ]),
    ("users-csv", [
        ":load $EXAMPLES/users.csv",
        "user.age > 30",
        #""desktop" in user.tags"#,
        "user.beta_opt_out",
        #"lower(user.email) ends_with "@acme.com""#,
        #":user {"id": "u-42", "age": 29, "tags": ["desktop"]}"#,
        #"user.age < 30 and "desktop" in user.tags"#,
    ]),
    ("rules", [
        ":flags",
        ":rules $EXAMPLES/flags.cohort",
        ":flags",
        #":user {"id": "u-1001", "email": "ana.kim@acme.com", "group": "staff", "plan": "enterprise", "country": "KR", "app_version": "5.3.0"}"#,
        ":flags",
        "internal",
        "paying and not internal",
        "staff_groups",
        "new_checkout",
        "checkout_button",
        ":now 2026-12-01T08:59:59Z",
        "winter_sale_banner",
        ":now 2026-12-01T09:00:00Z",
        "winter_sale_banner",
        ":load $EXAMPLES/users.jsonl",
        "internal",
        "new_checkout",
        "checkout_button == \"blue\"",
        ":explain internal and paying",
        ":explain express_pay",
        #":set user.group = "beta""#,
        #":set user.email = "ana@example.com""#,
        ":set user.beta_opt_out = false",
        "beta_testers and not internal",
        ":flags",
        ":explain checkout_button",
        ":set user.email = null",
        ":explain checkout_button",
        ":explain checkout_button == \"red\" or express_pay",
    ]),
    ("errors", [
        #"usr.id == "u-42""#,
        "user.plan ==",
        "1 < 2 < 3",
        "lower(user.email)",
        "bucket()",
        #""abc"#,
        ":frobnicate",
        ":lod users.jsonl",
        ":user",
        ":user [1, 2]",
        #":user {"id": }"#,
        ":set user.plan",
        ":set user..x = 1",
        ":set user.x = 1 +",
        ":set user.x = lower(user.missing)",
        ":now tomorrow",
        ":load",
        ":load $EXAMPLES/missing.jsonl",
        ":rules",
        ":rules $EXAMPLES/missing.cohort",
        ":flags",
        ":explain",
        #":explain user.age < 18 and user.plan == "pro""#,
        ":ast",
        ":ast 1 +",
        ":disasm",
        ":disasm usr",
    ]),
    ("continuation", [
        "user.group in [",
        #"  "qa","#,
        #"  "beta","#,
        "]",
        "(1 +",
        " 2) * 3",
        #":user {"id": "u-7","#,
        #"  "plan": "pro"}"#,
        "user.plan",
        ":set user.tags = [",
        #"  "a", "b"]"#,
        ":explain [",
        "  1, 2] contains 2",
        #"["a", "b"#,
        "len([1, 2, 3  # a comment: ] does not close",
        "])",
        "( ) )",
        "bucket(user.id",
    ]),
]

@Suite("REPL session transcripts")
struct ReplTranscriptTests {
    @Test("a scripted session matches its golden transcript", arguments: sessions.map(\.name))
    func golden(name: String) throws {
        let inputs = try #require(sessions.first { $0.name == name }?.inputs)
        Golden.check(replTranscript(inputs), named: "session-" + name)
    }

    @Test("CSV and JSON Lines users with the same data give the same shares")
    func csvMatchesJSONL() {
        let expressions = [
            "user.age > 30", #""desktop" in user.tags"#, "user.beta_opt_out", #"user.plan in ["pro", "enterprise"]"#,
            #"semver(user.app_version) >= "5.2.0""#, #"now() - time(user.signup_at) < days(365)"#,
        ]
        let jsonl = replTranscript([":load $EXAMPLES/users.jsonl"] + expressions).split(separator: "\n").dropFirst(2)
        let csv = replTranscript([":load $EXAMPLES/users.csv"] + expressions).split(separator: "\n").dropFirst(2)
        #expect(Array(jsonl) == Array(csv))
    }
}

@Suite("REPL session")
struct ReplSessionTests {
    @Test("an open bracket continues the input; other inputs do not", arguments: [
        ("[1,", true), ("[1, 2]", false), ("f(", true), ("(1 + 2))(", false), ("[[1], [", true),
        (#":user {"id":"#, true), (":set user.x = [", true), (":explain (", true), (":disasm [", true), (":ast (", true),
        (":load users(1).csv", false), (":rules a[", false), (":now (", false), (":salt [", false), (":frob [", false),
        (#"["abc"#, false), (#"["abc", "de"#, false), ("[1, # ] in a comment", true), (#"["]""#, true), ("", false),
    ])
    func continuation(text: String, continues: Bool) {
        #expect(ReplSession.needsContinuation(text) == continues, "\(text)")
    }

    @Test(":flags gives the reasons of the library: rule counted from 0 as everywhere, and its line")
    func flagReasons() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("tiers.cohort", """
            flag tier {
              when user.plan == "free"  serve "basic"
              when user.plan == "pro"   serve "plus"
              when user.plan == "team"  serve "max"
              default "none"
            }
            flag paying = user.plan != "free"
            """)
        var session = ReplSession()
        _ = session.handle(":rules " + rules, clock: clock)
        _ = session.handle(#":user {"plan": "pro"}"#, clock: clock)
        #expect(session.handle(":flags", clock: clock) == """
            tier    "plus"  (match, rule 1, line 3)
            paying  true  (match, rule 0, line 7)

            """)
        _ = session.handle(#":user {"plan": "gold"}"#, clock: clock)
        #expect(session.handle(":flags", clock: clock) == """
            tier    "none"  (default)
            paying  true  (match, rule 0, line 7)

            """)
    }

    @Test("feedLine collects open lines and the prompt shows it")
    func feedLine() {
        var session = ReplSession()
        #expect(session.prompt == "cohort> ")
        #expect(session.feedLine("[1,", clock: clock) == nil)
        #expect(session.prompt == "   ...> ")
        #expect(session.pending == "[1,")
        #expect(session.feedLine("2]", clock: clock) == "[1,2]\n")
        #expect(session.prompt == "cohort> ")
        #expect(session.feedLine("(", clock: clock) == nil)
        session.discardPending()
        #expect(session.prompt == "cohort> ")
        #expect(session.finishPending(clock: clock) == "")
        #expect(session.feedLine("", clock: clock) == "", "an empty line prints nothing")
        #expect(session.feedLine("   ", clock: clock) == "")
    }

    @Test("command aliases", arguments: [(":h", ":help"), (":?", ":help"), (":q", ":quit"), (":exit", ":quit")])
    func aliases(alias: String, command: String) {
        var a = ReplSession(), b = ReplSession()
        #expect(a.handle(alias, clock: clock) == b.handle(command, clock: clock))
        #expect(a.finished == b.finished)
    }

    @Test(":disasm shows the compiler's disassembly of the expression")
    func disasm() throws {
        var session = ReplSession()
        let expression = #"user.group in ["qa", "beta"] or bucket(user.id) < 20"#
        var options = CompileOptions()
        options.sourceName = "<input>"
        #expect(session.handle(":disasm " + expression, clock: clock) == (try Rule(expression, options: options)).disassembly)
    }

    @Test("with colour, values are bold, errors red and notes dim; without, no escape codes")
    func colour() throws {
        let inputs = [":load $EXAMPLES/users.jsonl", #"user.plan == "pro""#, "usr", ":frob"]
        let plain = replTranscript(inputs)
        #expect(!plain.contains("\u{1B}"))
        let coloured = replTranscript(inputs, color: true)
        #expect(coloured.contains("\u{1B}[1mfalse\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[2m· "))
        #expect(coloured.contains("\u{1B}[1;31merror:\u{1B}[0m unknown command"))
        #expect(coloured.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression) == plain)
    }

    @Test(":set can add a root of its own, which expressions can then use")
    func setNewRoot() {
        var session = ReplSession()
        #expect(session.handle(#":set tenant.plan = "pro""#, clock: clock) == #"tenant.plan = "pro""# + "\n")
        #expect(session.handle(#"tenant.plan == "pro""#, clock: clock) == "true\n")
    }

    @Test("completions: commands, keywords, functions, roots, declared names and attribute paths")
    func completions() throws {
        var session = ReplSession()
        #expect(session.completions(for: ":") == ReplSession.commands.sorted())
        #expect(session.completions(for: ":r") == [":rules"])
        #expect(session.completions(for: "buc") == ["bucket("])
        #expect(session.completions(for: "starts") == ["starts_with"])
        #expect(session.completions(for: "us") == ["user"])
        #expect(session.completions(for: "def").isEmpty, "rule-file words are not offered")
        _ = session.handle(#":user {"group": "qa", "first-name": "Ada", "address": {"city": "Seoul"}}"#, clock: clock)
        #expect(session.completions(for: "user.") == ["user.address", "user.address.city", "user.group"])
        _ = session.handle(":load " + examples + "/users.jsonl", clock: clock)
        #expect(session.completions(for: "user.a") == ["user.address", "user.address.city", "user.age", "user.app_version"])
        _ = session.handle(":rules " + examples + "/flags.cohort", clock: clock)
        #expect(session.completions(for: "pay") == ["paying", "payments_v2"])
        #expect(session.completions(for: "staff") == ["staff_groups"])
    }

    @Test(":rules with errors prints them and keeps the rule file loaded before; a directory cannot be read")
    func rulesWithErrors() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let good = try scratch.write("good.cohort", "flag on = true\n")
        let bad = try scratch.write("bad.cohort", "flag off = usr.id == 1\n")
        var session = ReplSession()
        #expect(session.handle(":rules " + good, clock: clock) == "loaded 1 flag from \(good): on\n")
        #expect(session.handle(":rules " + bad, clock: clock) == """
            \(bad):1:12: error: unknown name 'usr'; did you mean 'user'?
            1 | flag off = usr.id == 1
              |            ^~~

            """)
        #expect(session.handle(":flags", clock: clock) == "on  true  (static)\n")
        #expect(session.handle(":rules " + scratch.url.path, clock: clock)
                == "error: :rules: cannot read rule file '\(scratch.url.path)': is a directory\n")
    }

    @Test(":load lists the first five unreadable records and counts the rest")
    func loadProblems() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let lines = [#"{"id": "u-1", "plan": "pro"}"#] + (1...7).map { "{bad \($0)" } + [#"{"id": "u-2"}"#]
        let file = try scratch.write("users.jsonl", lines.joined(separator: "\n") + "\n")
        var session = ReplSession()
        let out = session.handle(":load " + file, clock: clock).split(separator: "\n")
        #expect(out.first == "loaded 2 users from \(file)")
        #expect(out.count == 7)
        #expect(out[1].hasPrefix("  line 2: "))
        #expect(out[5].hasPrefix("  line 6: "))
        #expect(out.last == "  … 2 more unreadable records")
        #expect(session.handle(#"user.plan == "pro""#, clock: clock) == "false   · 1 of 2 loaded users matches (50%)\n")
    }

    @Test("an expression that is not a condition gets no share line; errors among users are still counted")
    func shareOnlyForConditions() {
        var session = ReplSession()
        _ = session.handle(":load " + examples + "/users.jsonl", clock: clock)
        #expect(session.handle("1 + 1", clock: clock) == "2\n")
        #expect(session.handle("true", clock: clock) == "true   · 40 of 40 loaded users match (100%)\n")
        #expect(session.handle("len(user.email)", clock: clock).hasSuffix("· 1 error among 40 loaded users\n"))
    }
}
