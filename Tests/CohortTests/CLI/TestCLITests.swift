import Foundation
import Testing

// `cohort test [PATH...] [--run PATTERN] [--format text|json|junit] [--coverage]` (CLI.md)
// run as a process: exit codes, the fixed text forms, and the other verbs that read test
// files (`check`, `fmt`).

private let rules = """
    segment internal = user.group in ["qa", "staff"]
    flag new_checkout = internal or bucket(user.id) < 20
    flag checkout_button {
      when internal               serve "green"
      when bucket(user.id) < 50   serve "blue"
      default "red"
    }
    """

private let passing = """
    use "rules.cohort"
    test "QA sees the new checkout first" {
      user {"id": "u-1", "group": "qa"}
      expect new_checkout
      expect checkout_button == "green"
    }
    """

private let failing = """
    use "rules.cohort"
    test "a broken expectation" {
      user {"id": "u-1", "group": "qa"}
      expect checkout_button == "blue"
    }
    """

@Suite("cohort test")
struct TestCLITests {
    /// A scratch directory holding the rule file and the given test files.
    private func directory(_ files: [String: String]) throws -> ScratchDirectory {
        let scratch = try ScratchDirectory()
        try scratch.write("rules.cohort", rules)
        for (name, text) in files { try scratch.write(name, text) }
        return scratch
    }

    @Test("the shipped examples pass, with 100% coverage of examples/flags.cohort")
    func examples() throws {
        let result = try runCohort(["test", PackagePaths.root.appendingPathComponent("examples").path, "--coverage"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last?.hasSuffix(" passed, 0 failed") == true)
        #expect(lines.contains { $0.hasSuffix("examples/flags.cohort: 100.0% covered (21 of 21 arms, segments and flag values)") })
        #expect(lines.allSatisfy { $0.hasPrefix("PASS ") || $0.contains("covered") || $0.hasSuffix("failed") })
    }

    @Test("all passing: exit 0 and exactly 'N passed, 0 failed' last")
    func passes() throws {
        let scratch = try directory(["a.test.cohort": passing])
        defer { scratch.remove() }
        let result = try runCohort(["test", scratch.url.path])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("\n1 passed, 0 failed\n"))
        #expect(result.stdout.hasPrefix("PASS "))
        #expect(result.stdout.contains("a.test.cohort:2 QA sees the new checkout first\n"))
    }

    @Test("a broken expectation fails with exit 1 and a readable failure: the values it names and the flag's evaluation tree")
    func fails() throws {
        let scratch = try directory(["a.test.cohort": passing, "b.test.cohort": failing])
        defer { scratch.remove() }
        let result = try runCohort(["test", scratch.url.path])
        #expect(result.status == 1)
        let text = result.stdout.replacingOccurrences(of: scratch.url.path + "/", with: "")
        #expect(text == """
            PASS a.test.cohort:2 QA sees the new checkout first
            FAIL b.test.cohort:2 a broken expectation
            b.test.cohort:4:10: expected checkout_button == "blue"
              got false
              checkout_button = "green"  (match, rule 0, line 4, variant rule-0)
                flag checkout_button → "green"
                ├─ when 0: segment internal → true
                │  └─ user.group in ["qa", "staff"] → true  ◀ decided
                │     └─ user.group → "qa"
                ├─ serve: "green"
                └─ when 1: bucket(user.id) < 50 → not evaluated
            1 passed, 1 failed

            """)
    }

    @Test("--run PATTERN runs the tests whose name contains it")
    func run() throws {
        let scratch = try directory(["a.test.cohort": passing, "b.test.cohort": failing])
        defer { scratch.remove() }
        let result = try runCohort(["test", scratch.url.path, "--run", "QA"])
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("\n1 passed, 0 failed\n"))
        let none = try runCohort(["test", scratch.url.path, "--run", "nothing like this"])
        #expect(none.status == 0)
        #expect(none.stdout == "0 passed, 0 failed\n")
        #expect(none.stderr.contains("no tests whose name contains 'nothing like this'"))
    }

    @Test("a file that does not compile: exit 1, ERROR on stdout, the diagnostics on stderr")
    func compileError() throws {
        let scratch = try directory(["a.test.cohort": passing, "c.test.cohort": "use \"rules.cohort\"\ntest \"x\" {\n  expect new_chekout\n}\n"])
        defer { scratch.remove() }
        let result = try runCohort(["test", scratch.url.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("ERROR \(scratch.url.path)/c.test.cohort: does not compile (1 error)\n"))
        #expect(result.stdout.hasSuffix("\n1 passed, 0 failed\n"))
        #expect(result.stderr.contains("c.test.cohort:3:10: error: unknown name 'new_chekout'; did you mean 'new_checkout'?"))
    }

    @Test("--format json: one JSON object per test line")
    func json() throws {
        let scratch = try directory(["a.test.cohort": passing, "b.test.cohort": failing])
        defer { scratch.remove() }
        let result = try runCohort(["test", scratch.url.path, "--format", "json"])
        #expect(result.status == 1)
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.map { $0["status"] as? String } == ["pass", "fail"])
        #expect(objects.map { $0["name"] as? String } == ["QA sees the new checkout first", "a broken expectation"])
    }

    @Test("--format junit: JUnit XML on stdout")
    func junit() throws {
        let scratch = try directory(["b.test.cohort": failing])
        defer { scratch.remove() }
        let result = try runCohort(["test", scratch.url.path, "--format", "junit", "--coverage"])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        #expect(result.stdout.contains(#"<failure message="expected checkout_button == &quot;blue&quot;" type="expectation">"#))
        // Coverage goes to stderr, so stdout stays XML.
        #expect(result.stderr.contains("% covered"))
    }

    @Test("usage errors exit 2", arguments: [["--format", "xml"], ["--frmat", "json"], ["-"], ["--run"]])
    func usage(_ args: [String]) throws {
        let result = try runCohort(["test"] + args)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("cohort test: "))
    }

    @Test("--help describes the command")
    func help() throws {
        let result = try runCohort(["test", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("USAGE: cohort test [PATH...] [--run PATTERN] [--format text|json|junit] [--coverage]"))
    }

    @Test("cohort check compiles test files: unknown names with did-you-mean, counts the tests when fine")
    func check() throws {
        let scratch = try directory(["a.test.cohort": passing, "c.test.cohort": "use \"rules.cohort\"\ntest \"x\" {\n  usr {\"id\": 1}\n  expect new_checkout\n}\n"])
        defer { scratch.remove() }
        let good = try runCohort(["check", scratch.path("a.test.cohort")])
        #expect(good.status == 0)
        #expect(good.stderr.hasSuffix("a.test.cohort: ok, 0 flags, 1 test\n"))
        let bad = try runCohort(["check", scratch.path("c.test.cohort")])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("c.test.cohort:3:3: error: unknown context root 'usr'; did you mean 'user'?"))
        let json = try runCohort(["check", scratch.path("a.test.cohort"), scratch.path("rules.cohort")])
        #expect(json.status == 0)
    }

    @Test("cohort fmt keeps the shipped test file as it is")
    func fmt() throws {
        let result = try runCohort(["fmt", "--check", PackagePaths.example("flags.test.cohort")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
