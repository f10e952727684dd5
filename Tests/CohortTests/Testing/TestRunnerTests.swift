import Cohort
import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

// Rule unit tests (`cohort test`, CLI.md): compiling test files against the rule file they
// use, running their expectations, the text, JSON Lines and JUnit outputs, and coverage.

/// A rule file with a bit of everything: segments, a boolean flag, a flag block with named
/// and unnamed arms, a constant flag, a prerequisite, and a segment that can fail.
private let shopRules = """
    let staff_groups = ["qa", "staff"]
    segment internal = user.group in staff_groups
    segment adults = user.age >= 18
    segment paying = user.plan in ["pro", "enterprise"]

    flag new_checkout = internal or bucket(user.id) < 20
    flag dark_mode = false

    flag checkout_button {
      when internal               serve "green" as staff
      when bucket(user.id) < 50   serve "blue"
      default "red" as control
    }

    flag express_pay {
      when new_checkout and paying   serve true
      default false
    }

    flag adult_content = adults
    """

/// Tests of it: three pass, two fail (one with an error inside the rule file's segment).
private let shopTests = """
    use "shop.cohort"

    test "QA sees the new checkout first" {
      now "2026-12-01T10:00:00Z"
      user {"id": "u-1", "group": "qa", "plan": "free", "age": 30}
      expect new_checkout
      expect checkout_button == "green"
      expect checkout_button reason match
      expect not express_pay
    }

    test "a broken expectation" {
      user {"id": "u-2001", "group": "none", "plan": "pro", "age": 40}
      expect checkout_button == "blue" and internal
      expect express_pay reason match
      expect adult_content
      expect user.plan == "free" or bucket(user.id, "new_checkout") < 20
    }

    test "an error in a segment points into the rule file" {
      user {"id": "u-3", "age": "x"}
      expect adults
      expect adult_content reason error
    }

    test "kill switch" {
      user {"id": "u-4"}
      expect not dark_mode
      expect dark_mode reason static
    }
    """

/// Writes the rule and test files to a scratch directory and runs them.
private func runShop(tests: String = shopTests, coverage: Bool = true, pattern: String? = nil,
                     extraFiles: [String: String] = [:]) throws -> (TestRun, ScratchDirectory) {
    let scratch = try ScratchDirectory()
    try scratch.write("shop.cohort", shopRules)
    try scratch.write("shop.test.cohort", tests)
    for (name, text) in extraFiles { try scratch.write(name, text) }
    var options = TestRunner.Options()
    options.now = Instant(timestamp: "2026-11-01T00:00:00Z")!
    options.measuresTime = false
    options.collectsCoverage = coverage
    options.pattern = pattern
    let files = TestDiscovery.testFiles(in: [scratch.url.path])
    return (TestRunner(options: options).run(files), scratch)
}

/// Output with the scratch directory taken out of paths, for golden files.
private func portable(_ text: String, _ scratch: ScratchDirectory) -> String {
    text.replacingOccurrences(of: TestFileCompiler.normalize(scratch.url.path) + "/", with: "")
}

/// Compiles a test file against `shopRules` in memory: the problems, rendered.
private func problems(_ tests: String) -> String {
    let rules = try! Ruleset(source: shopRules, file: "shop.cohort")
    let outcome = TestFileCompiler.compile(source: SourceFile(name: "t.test.cohort", text: tests)) { _ in
        .success(RulesUnderTest(path: "shop.cohort", ruleset: rules))
    }
    return outcome.problems.map { $0.rendered(color: false) }.joined()
}

@Suite("Rule unit tests")
struct TestRunnerTests {
    // MARK: Outputs

    @Test("text output: PASS/FAIL lines, failed expectations with the values they name, the last line (golden)")
    func textOutput() throws {
        let (run, scratch) = try runShop()
        defer { scratch.remove() }
        #expect(run.passed == 2 && run.failed == 2)
        #expect(!run.succeeded)
        let text = TestReport.text(run, coverage: false)
        #expect(text.hasSuffix("\n") && text.split(separator: "\n").last == "2 passed, 2 failed")
        Golden.check(portable(text, scratch), named: "run-text")
    }

    @Test("a failed expectation that reads attributes, functions or lets shows its own tree; a flag it opens gets no second tree")
    func expectationTrees() throws {
        let (run, scratch) = try runShop(tests: """
            use "shop.cohort"
            test "t" {
              user {"id": "u-2001", "group": "none", "plan": "pro"}
              expect user.group == "qa" or new_checkout
              expect not paying
              expect staff_groups == ["qa"]
            }
            """, coverage: false)
        defer { scratch.remove() }
        let failures = try #require(run.files.first?.results.first?.failures)
        #expect(failures.count == 3)
        // The attribute's value and the flag's evaluation, opened in place, once.
        let first = TestReport.failureText(failures[0], file: "t")
        #expect(first.contains("""
              got false
                user.group == "qa" or new_checkout → false
                ├─ user.group == "qa" → false  ◀ decided
                │  └─ user.group → "none"
                └─ flag new_checkout → false  ◀ decided
            """), "\(first)")
        #expect(first.hasSuffix("  new_checkout = false  (default, variant default)\n"), "\(first)")
        #expect(first.components(separatedBy: "internal or bucket(user.id) < 20").count == 2, "\(first)")
        // Segments only: their values say it all, no tree.
        #expect(failures[1].tree == nil)
        #expect(TestReport.failureText(failures[1], file: "t") == "t:5:10: expected not paying\n  got false\n  paying = true  (segment)\n")
        // A constant (the let is folded): one node says no more than the value.
        #expect(failures[2].tree == nil)
    }

    @Test("coverage: every arm, default, segment and boolean flag value no test reached, and the share (golden)")
    func coverageOutput() throws {
        let (run, scratch) = try runShop()
        defer { scratch.remove() }
        Golden.check(portable(TestReport.coverageText(run), scratch), named: "coverage")
        let coverage = try #require(run.coverage.first)
        // No test user is in the blue half of checkout_button.
        let missed = coverage.misses.map { "\($0.item.line): \($0.item.label): \($0.message)" }
        #expect(missed.contains("11: when bucket(user.id) < 50: never matched by a test"))
        #expect(coverage.totals.covered < coverage.totals.total)
    }

    @Test("--run selects tests by name; coverage counts only the tests that ran")
    func pattern() throws {
        let (run, scratch) = try runShop(pattern: "kill")
        defer { scratch.remove() }
        #expect(run.results.map(\.name) == ["kill switch"])
        #expect(run.succeeded)
        let coverage = try #require(run.coverage.first)
        #expect(coverage.misses.contains { $0.item.label == "segment internal" && $0.message == "never reached by a test" })
        #expect(!coverage.misses.contains { $0.item.label == "flag dark_mode" })
    }

    @Test("JSON Lines: one object per test, and the coverage objects (golden)")
    func jsonOutput() throws {
        let (run, scratch) = try runShop()
        defer { scratch.remove() }
        let json = TestReport.json(run, coverage: true)
        Golden.check(portable(json, scratch), named: "run-json")
        // Every line is a JSON object.
        for line in json.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            #expect(object is [String: Any], "\(line)")
        }
    }

    @Test("JUnit XML: a suite per file, a case per test, failures with the text report (golden)")
    func junitOutput() throws {
        let (run, scratch) = try runShop(extraFiles: ["broken.test.cohort": "use \"shop.cohort\"\ntest \"x\" { expect nope }\n"])
        defer { scratch.remove() }
        let xml = TestReport.junit(run)
        Golden.check(portable(xml, scratch), named: "run-junit")
        #expect(xml.contains(#"<testsuites name="cohort test" tests="5" failures="2" errors="1""#))
        // Well-formed XML.
        let parser = XMLParser(data: Data(xml.utf8))
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
    }

    @Test("XML escaping keeps markup out and characters XML cannot hold replaced")
    func xmlEscaping() {
        #expect(TestReport.escaped(#"a < b & "c" > 'd'"#) == "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;")
        #expect(TestReport.escaped("tab\tnl\nbell\u{7}") == "tab\tnl\nbell\u{FFFD}")
    }

    @Test("the share is rounded down, so only full coverage shows 100.0%")
    func percent() {
        #expect(TestReport.percent(1) == "100.0%")
        #expect(TestReport.percent(0.9999) == "99.9%")
        #expect(TestReport.percent(2.0 / 3) == "66.6%")
        #expect(TestReport.percent(0) == "0.0%")
    }

    // MARK: Evaluation

    @Test("an error value inside a segment is reported at its place in the rule file; one in the expectation at the test file")
    func errorPlaces() throws {
        let (run, scratch) = try runShop(tests: """
            use "shop.cohort"
            test "errors" {
              user {"id": "u-3", "age": "x"}
              expect adults
              expect user.age > 1
            }
            """)
        defer { scratch.remove() }
        let failures = try #require(run.results.first).failures
        guard failures.count == 2, case .error(let inRules) = failures[0].got, case .error(let inTest) = failures[1].got else {
            Issue.record("\(failures)")
            return
        }
        #expect(inRules.file.hasSuffix("shop.cohort"))
        #expect(inRules.location == SourceLocation(line: 3, column: 18))
        #expect(inTest.file.hasSuffix("shop.test.cohort"))
        #expect(inTest.location == SourceLocation(line: 5, column: 10))
    }

    @Test("salt sets the bucket salt of expressions outside a flag; a flag keeps its own")
    func salt() throws {
        let (run, scratch) = try runShop(tests: """
            use "shop.cohort"
            test "salted" {
              user {"id": "u-2001"}
              salt "new_checkout"
              expect bucket(user.id) == bucket(user.id, "new_checkout")
              expect bucket(user.id, "checkout_button") != bucket(user.id)
            }
            test "unsalted" {
              user {"id": "u-2001"}
              expect bucket(user.id) == bucket(user.id, "")
            }
            """)
        defer { scratch.remove() }
        #expect(run.failed == 0 && run.passed == 2, "\(TestReport.text(run, coverage: false))")
    }

    @Test("now: a test's line wins; otherwise the run's time")
    func now() throws {
        let tests = """
            use "shop.cohort"
            test "pinned" {
              now "2026-12-01T10:00:00Z"
              user {"id": "u-1"}
              expect now() == time("2026-12-01T10:00:00Z")
            }
            test "the run's" {
              user {"id": "u-1"}
              expect now() == time("2026-11-01T00:00:00Z")
            }
            """
        let (run, scratch) = try runShop(tests: tests)
        defer { scratch.remove() }
        #expect(run.failed == 0 && run.passed == 2, "\(TestReport.text(run, coverage: false))")
    }

    @Test("a whole context, and roots other than user")
    func contexts() throws {
        let (run, scratch) = try runShop(tests: """
            use "shop.cohort"
            test "context" {
              context {"user": {"id": "u-1", "group": "qa"}, "device": {"os": "ios"}}
              expect internal and device.os == "ios"
            }
            test "device" {
              device {"os": "android"}
              expect device.os == "android" and user == null
            }
            """)
        defer { scratch.remove() }
        #expect(run.failed == 0 && run.passed == 2, "\(TestReport.text(run, coverage: false))")
    }

    @Test("a rule file with inline tests tests its own declarations")
    func inlineTests() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("inline.cohort", """
            segment adults = user.age >= 18
            test "adults" {
              user {"age": 30}
              expect adults
            }
            test "minors" {
              user {"age": 3}
              expect adults
            }
            """)
        var options = TestRunner.Options()
        options.measuresTime = false
        let run = TestRunner(options: options).run([path])
        #expect(run.results.map(\.passed) == [true, false])
        #expect(run.coverage.first?.path == path)
    }

    @Test("coverage: a segment an 'or' decided before is not reached; one that is a whole condition is")
    func segmentReach() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write("r.cohort", """
            segment staff = user.group == "staff"
            segment beta = user.group == "beta"
            flag early = staff or beta
            flag gated = staff
            """)
        let path = try scratch.write("r.test.cohort", """
            use "r.cohort"
            test "staff" {
              user {"group": "staff"}
              expect early and gated
            }
            test "nobody" {
              user {"group": "none"}
              expect not early and not gated
            }
            """)
        var options = TestRunner.Options()
        options.collectsCoverage = true
        let run = TestRunner(options: options).run([path])
        #expect(run.succeeded)
        let missed = try #require(run.coverage.first).misses.map { "\($0.item.label): \($0.message)" }
        // beta was reached only for the user outside staff, where it was false.
        #expect(missed == ["segment beta: never true in a test"])
    }

    @Test("a rule file used by several test files compiles once and their coverage adds up")
    func sharedRules() throws {
        let (run, scratch) = try runShop(extraFiles: ["more.test.cohort": """
            use "./shop.cohort"
            test "blue" {
              user {"id": "u-2002", "group": "none"}
              expect checkout_button == "blue"
            }
            """])
        defer { scratch.remove() }
        #expect(run.files.count == 2)
        #expect(run.coverage.count == 1)
        #expect(!(run.coverage.first?.misses.contains { $0.item.label == "when bucket(user.id) < 50" } ?? true))
    }

    // MARK: Compiling tests

    @Test("tests compile like rules: names, roots, reasons, JSON, order and duplicates are checked (golden)")
    func compileErrors() {
        let text = problems("""
            use "shop.cohort"
            test "typos" {
              usr {"id": "u-1"}
              user {"id": "u-1"}
              now "2026-13-01"
              expect new_chekout
              expect checkout_button
              expect internal reason match
              expect nope reason default
            }
            test "order" {
              expect true
              salt "x"
            }
            test "order" {
              user {"a": 1}
              context {"user": {"b": 2}}
            }
            """)
        Golden.check(text, named: "compile-errors")
        #expect(text.contains("did you mean 'user'?"))
        #expect(text.contains("did you mean 'new_checkout'?"))
    }

    @Test("a test file that declares rules, or uses two files, or a file that is missing, is an error")
    func fileErrors() throws {
        #expect(problems("use \"shop.cohort\"\nlet x = 1\n").contains("error: 'x' is declared in a test file that uses 'shop.cohort'"))
        #expect(problems("use \"shop.cohort\"\nuse \"other.cohort\"\n").contains("a test file uses one rule file; this is a second 'use'"))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("t.test.cohort", "use \"missing.cohort\"\ntest \"t\" { expect true }\n")
        let outcome = TestFileCompiler.compile(path: path)
        #expect(outcome.failed)
        #expect(outcome.problems.first?.rendered(color: false).contains("cannot read the rule file 'missing.cohort'") == true)
    }

    @Test("a test name is one line of text, not blank: the output shows one line per test")
    func testNames() {
        let text = problems(#"""
            use "shop.cohort"
            test "" { expect true }
            test "  " { expect true }
            test "two\nlines" { expect true }
            test "a\ttab" { expect true }
            test "QA sees é ✓" { expect true }
            """#)
        #expect(text.components(separatedBy: "error: a test needs a name").count - 1 == 2)
        #expect(text.components(separatedBy: "error: a test name is one line of text").count - 1 == 2)
        #expect(text.contains("t.test.cohort:4:6: error: a test name is one line of text"))
        #expect(!text.contains(":6:6:"))
    }

    @Test("use must name a rule file: a test file (one with a use of its own), or the file itself, is an error")
    func usesTestFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write("flags.cohort", "flag f = true\n")
        try scratch.write("flags.test.cohort", "use \"flags.cohort\"\ntest \"t\" { expect f }\n")
        let other = try scratch.write("other.test.cohort", "use \"flags.test.cohort\"\ntest \"t\" { expect f }\n")
        let outcome = TestFileCompiler.compile(path: other)
        #expect(outcome.failed)
        let text = outcome.problems.map { $0.rendered(color: false) }.joined()
        #expect(text.hasSuffix("other.test.cohort:1:5: error: 'flags.test.cohort' is a test file (it uses 'flags.cohort'); name the rule file it tests\n1 | use \"flags.test.cohort\"\n  |     ^~~~~~~~~~~~~~~~~~~\n"), "\(text)")
        let itself = try scratch.write("self.test.cohort", "use \"./self.test.cohort\"\ntest \"t\" { expect true }\n")
        let selfOutcome = TestFileCompiler.compile(path: itself)
        #expect(selfOutcome.failed)
        #expect(selfOutcome.problems.map { $0.rendered(color: false) }.joined().contains("error: a test file cannot use itself; name the rule file it tests"))
        // The rule file and its test file still pass.
        #expect(!TestFileCompiler.compile(path: scratch.path("flags.test.cohort")).failed)
    }

    @Test("errors of the rule file a test file uses are reported against the rule file")
    func brokenRules() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write("bad.cohort", "flag a = usr.id == 1\n")
        let path = try scratch.write("bad.test.cohort", "use \"bad.cohort\"\ntest \"t\" { expect a }\n")
        let outcome = TestFileCompiler.compile(path: path)
        #expect(outcome.failed)
        #expect(outcome.problems.map { $0.source.name.hasSuffix("bad.cohort") } == [true])
    }

    @Test("discovery: directories searched recursively for files holding tests, hidden ones skipped, sorted")
    func discovery() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path("sub/deeper"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path(".hidden"), withIntermediateDirectories: true)
        try scratch.write("rules.cohort", "flag a = true\n")
        try scratch.write("b.test.cohort", "use \"rules.cohort\"\n")
        try scratch.write("sub/deeper/a.cohort", "flag x = true\ntest \"t\" { expect x }\n")
        try scratch.write("sub/notes.txt", "test \"t\" {}\n")
        try scratch.write(".hidden/h.cohort", "test \"t\" {}\n")
        try scratch.write("broken.cohort", "test \"t\" { user {\n")
        let found = TestDiscovery.testFiles(in: [scratch.url.path]).map { portable($0, scratch) }
        #expect(found == ["b.test.cohort", "broken.cohort", "sub/deeper/a.cohort"])
        // A file given by name is taken as it is, once.
        let named = TestDiscovery.testFiles(in: [scratch.path("rules.cohort"), scratch.path("./rules.cohort")])
        #expect(named.count == 1)
    }

    @Test("paths in use lines are relative to the test file", arguments: [
        ("flags.cohort", "examples/flags.test.cohort", "examples/flags.cohort"),
        ("../rules/flags.cohort", "tests/a.test.cohort", "rules/flags.cohort"),
        ("./flags.cohort", "a.test.cohort", "flags.cohort"),
        ("/abs/flags.cohort", "x/a.test.cohort", "/abs/flags.cohort"),
        ("../flags.cohort", "a.test.cohort", "../flags.cohort"),
    ])
    func resolve(use: String, testFile: String, expected: String) {
        #expect(TestFileCompiler.resolve(use, relativeTo: testFile) == expected)
    }

    // MARK: The shipped examples

    @Test("examples/flags.test.cohort passes and covers every item of examples/flags.cohort")
    func shippedExamples() throws {
        var options = TestRunner.Options()
        options.collectsCoverage = true
        let files = TestDiscovery.testFiles(in: [PackagePaths.root.appendingPathComponent("examples").path])
        #expect(files.contains { $0.hasSuffix("examples/flags.test.cohort") })
        let run = TestRunner(options: options).run(files)
        #expect(run.succeeded, "\(TestReport.text(run, coverage: true))")
        #expect(run.passed >= 10)
        let coverage = try #require(run.coverage.first { $0.path.hasSuffix("examples/flags.cohort") })
        #expect(coverage.misses.isEmpty, "\(TestReport.coverageText(run))")
        #expect(coverage.share == 1)
        // Every flag of the file is evaluated by some test.
        let rules = try Ruleset(contentsOfFile: PackagePaths.example("flags.cohort"))
        #expect(Set(rules.flagNames).isSubset(of: coverage.evaluated))
    }
}
