import Cohort
import Foundation
import Testing

// The static warnings of `Linter` (docs/diagnostics.md): for each code, a rule file written
// as a user would get it wrong, pinned by a golden file in `Golden/lint-CODE.txt` that
// holds the source, the rendered text, the JSON of `cohort check --format json` and each
// fix-it applied (COHORT_RECORD_GOLDEN=1 re-records). Then the other side: rules that
// must stay quiet, the shipped examples first.

/// Compiles `text` as a rule file and returns every diagnostic (errors and warnings).
private func diagnostics(_ text: String, name: String = "flags.cohort") -> (SourceFile, [Diagnostic]) {
    let source = SourceFile(name: name, text: text)
    var compiler = RuleFileCompiler(source: source, options: CompileOptions())
    compiler.compile()
    return (source, compiler.diagnostics)
}

/// The golden text of a case: the source, the text and JSON renderings, and every fix-it
/// with the source it leaves.
private func report(_ text: String) -> String {
    let (source, found) = diagnostics(text)
    var out = "== source\n" + text + "== text\n" + DiagnosticRenderer(source: source, color: false).render(found)
    out += "== json\n" + LocatedDiagnostic.jsonArray(found.map { LocatedDiagnostic($0, in: source) })
    for diagnostic in found {
        for fixIt in diagnostic.fixIts {
            let at = source.location(of: diagnostic.span.start)
            out += "== fix-it \(at) \(diagnostic.code): \(fixIt.message)\n" + fixIt.applied(to: text)
        }
    }
    return out
}

/// One rule file per warning code, each mistake as a user would make it.
private let cases: [(code: String, source: String)] = [
    ("unused", """
        let launch_percent = 20
        segment internal = user.group == "qa"
        segment beta = user.group == "beta"
        flag new_checkout = beta

        """),
    ("unreachable", """
        flag checkout_button {
          when user.group == "qa"       serve "green"
          when bucket(user.id) < 100    serve "blue"
          when user.plan == "pro"       serve "gold"
          when user.plan == "free"      serve "grey"
          default "red"
        }
        flag banner {
          when true                     serve "winter"
          when user.country == "KR"     serve "seollal"
          default "none"
        }

        """),
    ("shadowed-arm", """
        segment internal = user.email ends_with "@acme.com" or user.group in ["qa", "staff"]
        flag checkout_button {
          when bucket(user.id) < 60                  serve "blue"
          when bucket(user.id) < 40                  serve "green"  # never: < 60 took them
          default "red"
        }
        flag plan_badge {
          when user.plan in ["pro", "enterprise"]    serve "paid"
          when user.plan == "pro"                    serve "pro"
          when user.age >= 18                        serve "adult"
          when user.age >= 21 and user.country == "US" serve "us-adult"
          when semver(user.app_version) >= "5.0.0"   serve "new"
          when semver(user.app_version) >= "6.0.0"   serve "newest"
          default "none"
        }
        flag staff_banner {
          when internal                              serve "staff"
          when user.group == "qa"                    serve "qa"
          when internal                              serve "again"
          default "none"
        }

        """),
    ("contradiction", """
        segment paying = user.plan in ["pro", "enterprise"]
        flag impossible = user.plan == "free" and user.plan == "pro"
        flag no_age = user.age < 5 and user.age > 10
        flag nobody = user.country in []
        flag free_payers = paying and user.plan == "free"

        """),
    ("tautology", """
        flag everyone = user.country != "KR" or user.country != "JP"
        flag all_ages = user.age < 18 or user.age >= 18
        flag anyone = user.country not in []
        flag either = user.beta or not user.beta

        """),
    ("redundant-condition", """
        segment paying = user.plan in ["pro", "enterprise"]
        flag pro_or_paying = user.plan == "pro" or paying
        flag adults = user.age >= 21 and user.age >= 18
        flag twice = user.country == "KR" or user.country == "KR"

        """),
    ("version-as-string", """
        flag offline_mode = user.app_version >= "5.2.0"
        flag old_app = "4.0" > user.app_version

        """),
    ("time-as-string", """
        flag early_signups = user.signup_at < "2024-01-01T00:00:00Z"
        flag recent = user.last_seen >= "2026-11-01"

        """),
    ("duplicate-element", """
        let staff_groups = ["qa", "staff", "qa"]
        flag launch = user.country in ["KR", "JP", "US", "JP"] or user.group in staff_groups

        """),
    ("constant-flag", """
        flag always_on = 2 > 1
        flag off = not true
        flag fixed {
          when false serve "blue"
          default "red"
        }

        """),
    ("shared-bucket", """
        flag rollout_a = bucket(user.id, "launch") < 20
        flag rollout_b = bucket(user.id, "launch") < 50
        flag new_checkout = bucket(user.id) < 20
        flag copy = bucket(user.id, "new_checkout") < 10

        """),
    ("mixed-types", """
        flag upload_limit {
          when user.plan == "pro" serve 100
          default "none"
        }

        """),
]

/// The errors that come with a hint and a fix-it: `=` for `==`, and a regular-expression
/// escape written straight into a string.
private let hints: [(code: String, source: String)] = [
    ("single-equals", """
        flag adults = user.age = 18
        flag pro {
          when user.plan = "pro" serve true
          default false
        }

        """),
    ("invalid-escape", """
        flag staff = user.email matches "@acme\\.com$"
        let digits = "^\\d+$"

        """),
]

/// Rules that use the language as meant: none may get a warning.
private let quiet: [(name: String, source: String)] = [
    ("a percentage split over arms", """
        flag colour {
          when bucket(user.id) < 10 serve "a"
          when bucket(user.id) < 20 serve "b"
          when bucket(user.id) < 100 serve "c"
          default "d"
        }

        """),
    ("narrow before wide", """
        flag plan_badge {
          when user.plan == "pro" serve "pro"
          when user.plan in ["pro", "enterprise"] serve "paid"
          when semver(user.app_version) >= "6.0.0" serve "newest"
          when semver(user.app_version) >= "5.0.0" serve "new"
          when user.age >= 21 and user.country == "US" serve "us"
          when user.age >= 18 serve "adult"
          default "none"
        }

        """),
    ("ranges and guards", """
        flag working_age = user.age >= 18 and user.age < 67
        flag has_request = exists(request.id) and bucket(request.id) < 10
        flag seasons = now() >= time("2026-12-01T09:00:00Z") and now() < time("2027-01-01T00:00:00Z")
        flag named = user.plan == "pro" or user.plan == "enterprise"
        flag not_kr = user.country != "KR" and user.country != "JP"

        """),
    ("an A/B split across two flags on one salt", """
        flag exp_a = bucket(user.id, "exp") < 50
        flag exp_b = bucket(user.id, "exp") >= 50

        """),
    ("constants written as constants, and switches kept in a let", """
        let launch_ready = true
        flag dark_mode = false
        flag payments_v2 = true
        flag launch = launch_ready
        flag fallback { default "red" }

        """),
    ("versions and times compared as versions and times", """
        flag offline = semver(user.app_version) >= "5.2.0"
        flag early = time(user.signup_at) < "2024-01-01"
        flag codes = user.code >= "A10" and user.tier > "5"

        """),
]

@Suite("Lint: the static warnings")
struct LintTests {
    @Test("each warning renders as its golden file (source, text, JSON, fix-its)", arguments: cases.map(\.code))
    func golden(code: String) throws {
        let entry = try #require(cases.first { $0.code == code })
        let (_, found) = diagnostics(entry.source)
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { $0.code == code && $0.severity == .warning }, "\(found.map { "\($0.code): \($0.message)" })")
        Golden.check(report(entry.source), named: "lint-\(code)")
    }

    @Test("the errors with a hint render as their golden file (source, text, JSON, fix-its)", arguments: hints.map(\.code))
    func hintGolden(code: String) throws {
        let entry = try #require(hints.first { $0.code == code })
        let (_, found) = diagnostics(entry.source)
        #expect(found.count == 2 && found.allSatisfy { $0.code == code && $0.severity == .error && !$0.fixIts.isEmpty },
                "\(found.map { "\($0.code): \($0.message)" })")
        Golden.check(report(entry.source), named: "hint-\(code)")
        // Each fix-it removes its error.
        for diagnostic in found {
            let fixed = try #require(diagnostic.fixIts.first).applied(to: entry.source)
            #expect(diagnostics(fixed).1.filter { $0.code == code }.count < found.count, "\(fixed)")
        }
    }

    @Test("every fix-it makes its warning go away and leaves a file that compiles", arguments: cases.map(\.code))
    func fixIts(code: String) throws {
        let entry = try #require(cases.first { $0.code == code })
        let (_, found) = diagnostics(entry.source)
        for diagnostic in found {
            for fixIt in diagnostic.fixIts {
                let fixed = fixIt.applied(to: entry.source)
                let (_, after) = diagnostics(fixed)
                #expect(!after.contains { $0.severity == .error }, "\(fixIt.message):\n\(fixed)")
                #expect(after.filter { $0.code == code }.count < found.filter { $0.code == code }.count,
                        "\(fixIt.message) left the warning:\n\(fixed)")
            }
        }
    }

    @Test("rules that mean what they say get no warning", arguments: quiet.map(\.name))
    func quietRules(name: String) throws {
        let entry = try #require(quiet.first { $0.name == name })
        let (source, found) = diagnostics(entry.source)
        #expect(found.isEmpty, "\(DiagnosticRenderer(source: source, color: false).render(found))")
    }

    @Test("the shipped examples compile with no warning")
    func examples() throws {
        let directory = URL(fileURLWithPath: PackagePaths.example("flags.cohort")).deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".cohort") }
        #expect(!files.isEmpty)
        for file in files {
            let ruleset = try Ruleset(contentsOfFile: directory.appendingPathComponent(file).path)
            #expect(ruleset.warnings.isEmpty, "\(file): \(ruleset.warnings.map(\.message))")
        }
    }

    @Test("a file with every mistake gets every warning in one run")
    func everyMistake() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/every-mistake.cohort")
        let text = try String(contentsOf: url, encoding: .utf8)
        let (source, found) = diagnostics(text, name: "every-mistake.cohort")
        let warningCodes: [DiagnosticCode] = [
            .unreachable, .shadowedArm, .contradiction, .tautology, .redundantCondition, .versionAsString, .timeAsString,
            .duplicateElement, .unused, .constantFlag, .sharedBucket, .mixedTypes,
        ]
        #expect(Set(found.filter { $0.severity == .warning }.map(\.code)) == Set(warningCodes.map(\.rawValue)))
        // Each form of each mistake, by line: a let and a segment nothing uses; '==' twice,
        // '<' against '>' and an empty list; '!=' twice and '<' with '>='; a version, a
        // timestamp and a date as strings; an arm after an always-true one, and arms an
        // earlier arm covers by a larger set, a larger bucket, a number and a version
        // interval, and the same condition.
        let expected: [(line: Int, code: DiagnosticCode)] = [
            (3, .duplicateElement), (4, .unused), (8, .versionAsString), (9, .timeAsString), (10, .contradiction),
            (11, .tautology), (12, .redundantCondition), (13, .constantFlag), (15, .sharedBucket), (18, .mixedTypes),
            (25, .shadowedArm), (27, .unreachable), (32, .unused), (33, .contradiction), (34, .contradiction),
            (35, .tautology), (36, .timeAsString), (39, .shadowedArm), (41, .shadowedArm), (43, .shadowedArm),
            (45, .shadowedArm), (47, .shadowedArm),
        ]
        let warnings = found.filter { $0.severity == .warning }.map { (source.location(of: $0.span.start).line, $0.code) }
        #expect(warnings.map { "\($0.0) \($0.1)" } == expected.map { "\($0.line) \($0.code.rawValue)" })
        // The two errors with a hint: '==' for '=', and a doubled backslash in a pattern.
        #expect(found.filter { $0.severity == .error }.map(\.code) == ["single-equals", "invalid-escape"])
        #expect(found.filter { $0.severity == .error }.allSatisfy { !$0.fixIts.isEmpty })
        Golden.check(DiagnosticRenderer(source: source, color: false).render(found), named: "every-mistake")
    }

    @Test("warnings point at what they are about", arguments: [
        ("flag f = user.app_version >= \"5.2.0\"", "version-as-string", "user.app_version >= \"5.2.0\""),
        ("flag f = user.x == 1 and user.x == 2", "contradiction", "user.x == 1 and user.x == 2"),
        ("flag f = user.x == 1 or user.x in [1, 2]", "redundant-condition", "user.x == 1"),
        ("let l = [1, 2, 1]\nflag f = user.x in l", "duplicate-element", "1"),
        ("flag f { when user.x < 5 serve 1 when user.x < 3 serve 2 default 0 }", "shadowed-arm", "user.x < 3"),
    ])
    func spans(source: String, code: String, text: String) throws {
        let (file, found) = diagnostics(source)
        let diagnostic = try #require(found.first { $0.code == code }, "\(found.map(\.message))")
        #expect(file.text(of: diagnostic.span) == text)
    }

    @Test("the arm warnings name the earlier arm, and moving the arm up is offered")
    func shadowedArmNotes() throws {
        let text = "flag f {\n  when user.x < 5 serve 1\n  when user.x < 3 serve 2  # small\n  default 0\n}\n"
        let (source, found) = diagnostics(text)
        let diagnostic = try #require(found.first)
        #expect(diagnostic.message.contains("line 2"))
        #expect(diagnostic.notes.first.flatMap(\.span).map(source.text(of:)) == "user.x < 5")
        #expect(diagnostic.fixIts.first?.applied(to: text) == "flag f {\n  when user.x < 3 serve 2  # small\n  when user.x < 5 serve 1\n  default 0\n}\n")
    }

    @Test("a file of many flags and long chains is linted in bounded time", .timeLimit(.minutes(1)))
    func largeFiles() throws {
        let chain = (0..<5_000).map { "user.id == \"u-\($0)\"" }.joined(separator: " or ")
        let arms = (0..<2_000).map { "  when user.n == \($0) serve \($0)" }.joined(separator: "\n")
        let flags = (0..<2_000).map { "flag f\($0) = bucket(user.id, \"s\($0 % 7)\") < \($0 % 100)" }.joined(separator: "\n")
        let (_, found) = diagnostics("flag big = \(chain)\nflag many {\n\(arms)\n  default 0\n}\n\(flags)\n")
        #expect(!found.contains { $0.severity == .error })
        #expect(found.contains { $0.code == "shared-bucket" })
    }
}

@Suite("Lint: what the reasoning can prove")
struct LintReasoningTests {
    private static func interval(_ lower: Double?, _ lowerIn: Bool, _ upper: Double?, _ upperIn: Bool) -> Interval {
        Interval(lower: lower.map { .init(value: .number($0), inclusive: lowerIn) },
                 upper: upper.map { .init(value: .number($0), inclusive: upperIn) })
    }

    @Test("intervals: subsets, emptiness and covering by their bounds")
    func intervals() {
        let below5 = Self.interval(nil, false, 5, false), atLeast5 = Self.interval(5, true, nil, false)
        let above5 = Self.interval(5, false, nil, false), below10 = Self.interval(nil, false, 10, false)
        #expect(below5.isSubset(of: below10))
        #expect(!below10.isSubset(of: below5))
        #expect(below5.coversKind(with: atLeast5))
        #expect(!below5.coversKind(with: above5))
        #expect(below5.intersection(atLeast5)?.isEmpty == true)
        #expect(below10.intersection(atLeast5)?.isEmpty == false)
        #expect(Self.interval(5, true, 5, true).isEmpty == false)
        #expect(Self.interval(5, true, 5, false).isEmpty == true)
        // A string bound and a number bound have nothing in common.
        #expect(below5.intersection(Interval(lower: .init(value: "a", inclusive: true), upper: nil)) == nil)
    }

    @Test("a value of another kind is outside every interval (an error, not a match)")
    func otherKinds() {
        #expect(Self.interval(nil, false, 5, false).contains("3") == nil)
        #expect(Self.interval(nil, false, 5, false).contains(3) == true)
    }
}
