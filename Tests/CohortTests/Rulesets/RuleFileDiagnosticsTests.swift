import Cohort
import Testing

// Diagnostics of rule files, pinned by golden files in `Golden/` next to this file
// (COHORT_RECORD_GOLDEN=1 re-records them). Errors render through
// `CompileError.rendered(color: false)`; warnings, from a file that compiles, through
// `DiagnosticRenderer`.

/// What a case's file must do.
private enum Outcome {
    /// It must not compile; the golden file holds every diagnostic.
    case fails
    /// It must compile; the golden file holds its warnings.
    case warns
}

/// One rule file per kind of problem, written as a user would get it wrong.
private let cases: [(name: String, outcome: Outcome, source: String)] = [
    ("unknown-name", .fails, """
        let staff_groups = ["qa", "staff"]
        segment internal = user.email ends_with "@acme.com" or user.group in staff_groups
        flag new_checkout = internl or bucket(user.id) < 20
        flag checkout_button {
          when internal serve "green"
          default "red"
        }

        """),
    ("duplicate", .fails, """
        segment internal = user.group == "qa"
        flag new_checkout = internal
        segment internal = user.group == "staff"

        """),
    ("cycle", .fails, """
        flag a = b and user.country == "KR"
        flag b = a or user.plan == "pro"

        """),
    ("segment-not-boolean", .fails, """
        segment paying = ["pro", "enterprise"]
        flag offline_mode = paying

        """),
    ("missing-default", .fails, """
        flag checkout_button {
          when user.plan == "pro" serve "blue"
        }

        """),
    ("unreachable-when", .warns, """
        flag checkout_button {
          when true serve "green"
          when user.plan == "pro" serve "blue"
          default "red"
        }

        """),
    ("unused", .warns, """
        let staff_groups = ["qa", "staff"]
        let launch_percent = 20
        segment internal = user.group in staff_groups
        flag dark_mode = false

        """),
    ("mixed-serve-types", .warns, """
        flag upload_limit {
          when user.plan == "pro" serve 100
          when user.plan == "team" serve "unlimited"
          default 10
        }

        """),
    ("when-after-default", .fails, """
        flag checkout_button {
          when user.plan == "pro" serve "blue"
          default "red"
          when user.plan == "team" serve "green"
        }

        """),
    ("reserved-names", .fails, """
        let user = 1
        let bucket = 1
        flag default = true
        flag fine = true

        """),
    ("recovery", .fails, """
        flag a = usr.plan == "pro"
        flag b = user.age = 18
        flag c = bukcet(user.id) < 20
        flag ok = true

        """),
]

/// The rendered diagnostics of `source` as the case's outcome expects them.
private func rendered(_ source: String, _ outcome: Outcome, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
    do {
        let ruleset = try Ruleset(source: source, file: "flags.cohort")
        if outcome == .fails {
            Issue.record("expected a compile error", sourceLocation: sourceLocation)
        }
        #expect(!ruleset.warnings.isEmpty, "expected warnings", sourceLocation: sourceLocation)
        #expect(ruleset.warnings.allSatisfy { $0.severity == .warning }, sourceLocation: sourceLocation)
        return DiagnosticRenderer(source: ruleset.source, color: false).render(ruleset.warnings)
    } catch {
        if outcome == .warns {
            Issue.record("expected the file to compile with warnings:\n\(error.rendered(color: false))", sourceLocation: sourceLocation)
        }
        return error.rendered(color: false)
    }
}

/// The diagnostics of a file that must not compile.
private func diagnostics(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
    do {
        _ = try Ruleset(source: source, file: "flags.cohort")
        Issue.record("expected a compile error", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.diagnostics
    }
}

@Suite("Rule file diagnostics")
struct RuleFileDiagnosticsTests {
    @Test("each kind of rule-file problem renders as its golden file", arguments: cases.map(\.name))
    func golden(name: String) throws {
        let entry = try #require(cases.first { $0.name == name })
        Golden.check(rendered(entry.source, entry.outcome), named: name)
    }

    @Test("an unknown name: file:line:col, did you mean, the line and a caret")
    func unknownNameText() throws {
        let text = rendered(cases[0].source, .fails)
        #expect(text == """
            flags.cohort:3:21: error: unknown name 'internl'; did you mean 'internal'?
            3 | flag new_checkout = internl or bucket(user.id) < 20
              |                     ^~~~~~~

            """)
    }

    @Test("a duplicate points at the second declaration, with a note at the first")
    func duplicatePointsAtBoth() throws {
        let found = diagnostics(cases[1].source)
        let duplicate = try #require(found.first { $0.code == "duplicate" })
        #expect(found.filter { $0.severity == .error }.count == 1)
        #expect(duplicate.message == "'internal' is declared twice")
        let source = SourceFile(name: "flags.cohort", text: cases[1].source)
        #expect(source.location(of: duplicate.span.start) == Cohort.SourceLocation(line: 3, column: 9))
        let note = try #require(duplicate.notes.first)
        #expect(note.message == "first declared here")
        #expect(note.span.map { source.location(of: $0.start) } == Cohort.SourceLocation(line: 1, column: 9))
    }

    @Test("a cycle names its path and is reported once", arguments: [
        ("flag a = b\nflag b = a\n", "a -> b -> a"),
        ("segment s = t\nsegment t = s\nflag f = s\n", "s -> t -> s"),
        ("flag a = b\nsegment b = c\nlet c = a\n", "a -> b -> c -> a"),
        ("segment self_ref = self_ref and true\nflag f = self_ref\n", "self_ref -> self_ref"),
    ])
    func cycles(source: String, path: String) throws {
        let found = diagnostics(source).filter { $0.severity == .error }
        #expect(found.map(\.code) == ["cycle"])
        #expect(found.first?.message == "declarations refer to each other in a cycle: \(path)")
    }

    @Test("warnings do not stop a file from compiling, and the flag still works")
    func warningsCompile() throws {
        let ruleset = try Ruleset(source: cases[5].source, file: "flags.cohort")
        #expect(ruleset.warnings.map(\.code) == ["unreachable"])
        #expect(ruleset.evaluate("checkout_button", in: Context(user: ["plan": "pro"]))?.value == "green")
        let unused = try Ruleset(source: cases[6].source, file: "flags.cohort")
        #expect(unused.warnings.map(\.message) == ["let 'launch_percent' is never used", "segment 'internal' is never used"])
        let mixed = try Ruleset(source: cases[7].source, file: "flags.cohort")
        #expect(mixed.warnings.map(\.message) == ["flag 'upload_limit' serves values of different types (number, string)"])
    }

    @Test("every reserved word is refused as a declaration name", arguments: [
        "user", "device", "request", "bucket", "semver", "now", "lower", "exists",
        "let", "segment", "flag", "when", "serve", "default", "and", "in", "true", "null", "contains",
    ])
    func reservedNames(word: String) throws {
        let found = diagnostics("let \(word) = 1\nflag f = true\n")
        #expect(found.contains { $0.severity == .error }, "'\(word)' was accepted as a name")
        #expect(found.allSatisfy { $0.span.start >= 4 && $0.span.start < 4 + word.utf8.count + 1 },
                "diagnostics: \(found.map(\.message))")
    }

    @Test("recovery: three bad declarations give three errors, one per line")
    func recoveryReportsAll() throws {
        let source = SourceFile(name: "flags.cohort", text: cases[10].source)
        let found = diagnostics(source.text).filter { $0.severity == .error }
        #expect(found.map { source.location(of: $0.span.start).line } == [1, 2, 3])
    }

    @Test("recovery: an expression cut off at the end of a line does not swallow the next declaration")
    func recoveryAfterCutOffExpression() throws {
        let source = SourceFile(name: "flags.cohort", text: """
            flag a = user.plan ==
            flag b = usr.age > 18
            flag c = true

            """)
        let found = diagnostics(source.text).filter { $0.severity == .error }
        #expect(found.count == 2, "\(found.map(\.message))")
        #expect(found.contains { $0.message == "unknown name 'usr'; did you mean 'user'?" && source.location(of: $0.span.start).line == 2 },
                "the declaration on line 2 was not checked: \(found.map(\.message))")
    }

    @Test("an unknown name that is a near-miss of a flag, let or segment suggests it", arguments: [
        ("flag new_checkout = true\nflag f = new_chekout\n", "unknown name 'new_chekout'; did you mean 'new_checkout'?"),
        ("let staff_groups = [\"qa\"]\nflag f = user.group in staf_groups\n", "unknown name 'staf_groups'; did you mean 'staff_groups'?"),
        ("segment paying = user.plan == \"pro\"\nflag f = payng\n", "unknown name 'payng'; did you mean 'paying'?"),
    ])
    func suggestions(source: String, message: String) throws {
        #expect(diagnostics(source).filter { $0.severity == .error }.map(\.message) == [message])
    }

    @Test("a default must be a constant")
    func defaultNotConstant() throws {
        let found = diagnostics("flag f {\n  when user.a == 1 serve 1\n  default user.b\n}\n")
        #expect(found.map(\.code).contains("default-not-constant"))
    }
}
