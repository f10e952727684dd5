import Foundation

/// Compiles a test file: finds the rules it uses, builds each test's context, and compiles
/// its expectations against the rules' declarations, as `cohort check` and `cohort test`
/// do. Every problem is a diagnostic with the file, line and column it is at.
package enum TestFileCompiler {
    /// What compiling a test file gave.
    package struct Outcome: Sendable {
        /// The compiled file; nil when anything failed to compile.
        package var file: TestFile?
        /// Errors and warnings, grouped by the source they point into (the test file, or
        /// the rule file it uses).
        package var problems: [CompileError]
        /// How many `test` blocks the file holds.
        package var testCount = 0
        /// True when a problem is an error.
        package var failed: Bool { problems.contains { $0.diagnostics.contains { $0.severity == .error } } }
    }

    /// Loads the rule file at a path (as the test file names it, resolved): the rules, or
    /// the errors of the rule file. `TestRunner` keeps one per path, so a rule file used by
    /// several test files compiles once.
    package typealias RulesLoader = (String) -> Result<RulesUnderTest, CompileError>

    /// Reads and compiles the test file at `path`. A file without `use` tests its own
    /// declarations.
    package static func compile(path: String, options: CompileOptions = CompileOptions(),
                                rules loader: RulesLoader? = nil) -> Outcome {
        let source: SourceFile
        do {
            source = try read(path)
        } catch {
            return Outcome(file: nil, problems: [error])
        }
        return compile(source: source, options: options, rules: loader ?? { defaultLoader($0, options: options) })
    }

    /// Compiles a test file's source; `source.name` is its path.
    package static func compile(source: SourceFile, options: CompileOptions = CompileOptions(), rules loader: RulesLoader) -> Outcome {
        var problems: [CompileError] = []
        var diagnostics: [Diagnostic] = []
        if source.bytes.count > options.limits.maxSourceBytes {
            diagnostics.append(.testFileTooLarge(limit: options.limits.maxSourceBytes))
            return Outcome(file: nil, problems: [CompileError(diagnostics: diagnostics, source: source)])
        }
        var parser = Parser(source, limits: options.limits)
        let syntax = parser.parseFile()
        diagnostics += parser.diagnostics

        // The rules: the file named by `use`, or this file itself.
        let uses = syntax.uses
        for extra in uses.dropFirst() {
            diagnostics.append(.secondUse(extra.span, first: uses[0].span))
        }
        if let use = uses.first, let declaration = syntax.declarations.first {
            diagnostics.append(.declarationInTestFile(declaration.name, rulesPath: use.path, declaration.nameSpan))
        }
        var rules: RulesUnderTest?
        if !diagnostics.contains(where: { $0.severity == .error }) {
            if let use = uses.first {
                let rulesPath = resolve(use.path, relativeTo: source.name)
                switch loader(rulesPath) {
                case .success(let loaded) where loaded.usedPath != nil:
                    // A test file declares nothing, so there would be nothing to test.
                    let itself = rulesPath == normalize(source.name)
                    diagnostics.append(.usesTestFile(use.path, itUses: itself ? nil : loaded.usedPath, use.pathSpan))
                case .success(let loaded):
                    rules = loaded
                case .failure(let error):
                    if error.diagnostics.contains(where: { $0.code == "io" }) {
                        diagnostics.append(.unreadableRules(use.path, resolved: rulesPath, use.pathSpan))
                    } else {
                        problems.append(error)
                    }
                }
            } else {
                // No `use`: the file tests its own declarations (its syntax errors, if any,
                // are reported above).
                do {
                    rules = RulesUnderTest(path: source.name, ruleset: try Ruleset(source, options: options), options: options)
                } catch {
                    diagnostics += error.diagnostics.filter { !parser.diagnostics.contains($0) }
                }
            }
        }

        var cases: [TestFile.Case] = []
        var warnings: [Diagnostic] = []
        if let rules {
            var compiler = CaseCompiler(source: source, rules: rules, options: options)
            var firstByName: [String: SourceSpan] = [:]
            for test in syntax.tests {
                // A name is what PASS/FAIL lines, --run and JUnit show: one line, not blank.
                let blank = test.name.allSatisfy { $0 == " " }
                if blank || test.name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    compiler.diagnostics.append(.invalidTestName(empty: blank, test.nameSpan))
                }
                if let first = firstByName[test.name] {
                    compiler.diagnostics.append(.duplicateTest(test.name, test.nameSpan, first: first))
                } else {
                    firstByName[test.name] = test.nameSpan
                }
                if let compiled = compiler.compile(test) { cases.append(compiled) }
            }
            diagnostics += compiler.diagnostics
            warnings = compiler.diagnostics.filter { $0.severity == .warning }
        }
        diagnostics.sort { ($0.span.start, $0.severity == .error ? 0 : 1) < ($1.span.start, $1.severity == .error ? 0 : 1) }
        if !diagnostics.isEmpty { problems.insert(CompileError(diagnostics: diagnostics, source: source), at: 0) }
        let failed = problems.contains { $0.diagnostics.contains { $0.severity == .error } }
        guard !failed, let rules else { return Outcome(file: nil, problems: problems, testCount: syntax.tests.count) }
        let file = TestFile(path: source.name, source: source, rules: rules, cases: cases, warnings: warnings,
                            spanShift: TestFile.spanShift(for: rules))
        return Outcome(file: file, problems: problems, testCount: syntax.tests.count)
    }

    /// What `cohort check` reports of a file's tests: their problems and those of the rule
    /// file they use (its errors, not its warnings: checking it shows those), and how many
    /// tests there are. Nil for a file that holds no tests and no `use`.
    package static func check(path: String, options: CompileOptions = CompileOptions()) -> Outcome? {
        guard let source = try? read(path), holdsTests(source) else { return nil }
        var outcome = compile(source: source, options: options) { defaultLoader($0, options: options) }
        outcome.problems = outcome.problems.compactMap { problem in
            guard problem.source.name != source.name else { return problem }
            let errors = problem.diagnostics.filter { $0.severity == .error }
            return errors.isEmpty ? nil : CompileError(diagnostics: errors, source: problem.source)
        }
        return outcome
    }

    /// True when a source holds a `use` line or a `test` block: the files `cohort test`
    /// runs and `cohort check` compiles as tests. Looks at the tokens only, so a test file
    /// with syntax errors is still found (and its errors reported).
    package static func holdsTests(_ source: SourceFile) -> Bool {
        var lexer = Lexer(source)
        var previous: Token?
        while true {
            let token = lexer.next()
            if token.kind == .end { return false }
            if token.kind == .string, let previous, previous.kind == .identifier, previous.text == "test" || previous.text == "use" {
                return true
            }
            previous = token
        }
    }

    /// Reads a file as a source named by its path; unreadable files and invalid UTF-8 are
    /// diagnostics.
    package static func read(_ path: String) throws(CompileError) -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CompileError(diagnostics: [.unreadableTestFile(path)], source: SourceFile(name: path, text: ""))
        }
        return try SourceFile(name: path, data: [UInt8](data))
    }

    /// Compiles a rule file for tests.
    package static func defaultLoader(_ path: String, options: CompileOptions) -> Result<RulesUnderTest, CompileError> {
        do {
            let source = try read(path)
            return .success(RulesUnderTest(path: path, ruleset: try Ruleset(source, options: options), options: options))
        } catch {
            return .failure(error)
        }
    }

    /// `path` as written in a `use` line of the file at `base`: relative to that file's
    /// directory, with `.` and `..` steps taken out (`examples/./flags.cohort` →
    /// `examples/flags.cohort`).
    package static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        let directory = (base as NSString).deletingLastPathComponent
        return normalize(directory.isEmpty ? path : directory + "/" + path)
    }

    /// Removes `.` steps, and `..` steps after a named directory; keeps a leading `/`.
    package static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute, parts.isEmpty { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

/// Compiles the tests of one file against its rules.
private struct CaseCompiler {
    let source: SourceFile
    let rules: RulesUnderTest
    let options: CompileOptions
    /// Expectations are compiled with every span moved past the end of the rule file, so
    /// an error value points into the test file (at or past `shift`) or into a `let` or
    /// segment of the rule file (before it), never ambiguously.
    let shift: Int
    /// The test file's text after `shift` spaces, for the checker (which reads literals'
    /// text through spans).
    let shiftedSource: SourceFile
    var diagnostics: [Diagnostic] = []

    init(source: SourceFile, rules: RulesUnderTest, options: CompileOptions) {
        self.source = source
        self.rules = rules
        self.options = options
        shift = TestFile.spanShift(for: rules)
        shiftedSource = SourceFile(name: source.name, text: String(repeating: " ", count: shift) + source.text)
    }

    mutating func compile(_ test: TestBlock) -> TestFile.Case? {
        let before = diagnostics.count
        var roots: [String: Value] = [:]
        var givenAt: [String: SourceSpan] = [:]
        var now: Instant?
        var nowSpan: SourceSpan?
        var salt: String?
        var saltSpan: SourceSpan?
        var expectations: [TestFile.Expectation] = []
        var firstExpectation: SourceSpan?

        for statement in test.statements {
            if let firstExpectation, !statement.isExpectation {
                diagnostics.append(.setupAfterExpect(statement.span, firstExpect: firstExpectation))
                continue
            }
            switch statement {
            case .context(let line):
                var given: [(String, Value, SourceSpan)] = []
                if let root = line.root {
                    guard options.roots.contains(root) else {
                        let suggestion = Suggestion.closest(to: root, among: options.roots.union(["context"]))
                        diagnostics.append(.unknownRoot(root, suggestion: suggestion, line.rootSpan))
                        continue
                    }
                    given = [(root, .object(line.fields), line.rootSpan)]
                } else {
                    given = line.fields.keys.sorted().map { ($0, line.fields[$0]!, line.rootSpan) }
                }
                for (root, value, span) in given {
                    if let first = givenAt[root] {
                        diagnostics.append(.givenTwice("'\(root)'", span, first: first))
                    } else {
                        givenAt[root] = span
                        roots[root] = value
                    }
                }
            case .now(let text, let valueSpan, let span):
                if let nowSpan {
                    diagnostics.append(.givenTwice("'now'", span, first: nowSpan))
                } else if let instant = Instant(timestamp: text) ?? Instant(date: text) {
                    now = instant
                    nowSpan = span
                } else {
                    diagnostics.append(.invalidTimeLiteral(text, valueSpan))
                }
            case .salt(let text, _, let span):
                if let saltSpan {
                    diagnostics.append(.givenTwice("'salt'", span, first: saltSpan))
                } else {
                    salt = text
                    saltSpan = span
                }
            case .expect(let expr, let span):
                firstExpectation = firstExpectation ?? span
                if let expectation = compile(expect: expr) { expectations.append(expectation) }
            case .expectReason(let flag, let flagSpan, let kind, _, let span):
                firstExpectation = firstExpectation ?? span
                guard rules.flag(flag) != nil else {
                    if let declaration = rules.declarations[flag] {
                        diagnostics.append(.reasonOfNonFlag(flag, kind: declaration.kind.rawValue, flagSpan))
                    } else {
                        let suggestion = Suggestion.closest(to: flag, among: rules.ruleset.flagNames)
                        diagnostics.append(.unknownFlag(flag, suggestion: suggestion, flagSpan))
                    }
                    continue
                }
                expectations.append(TestFile.Expectation(
                    check: .reason(flag: flag, kind: Reason.Kind(rawValue: kind.rawValue)!),
                    text: "\(flag) reason \(kind.rawValue)",
                    location: source.location(of: flagSpan.start),
                    uses: RulesUnderTest.Uses(segments: [], flags: [flag])))
            }
        }
        if firstExpectation == nil {
            diagnostics.append(.emptyTest(test.name, test.nameSpan))
        }
        guard !diagnostics[before...].contains(where: { $0.severity == .error }) else { return nil }
        return TestFile.Case(name: test.name, line: source.location(of: test.span.start).line, context: Context(roots),
                             now: now, salt: salt ?? "", expectations: expectations)
    }

    /// Compiles `expect EXPR` against the rules' declarations, as `Ruleset.rule` compiles
    /// an expression, with the spans moved by `shift` (see there). Unlike there, the
    /// declarations' own spans are kept, so an error inside a segment points into the rule
    /// file, as it does when a flag uses the segment.
    private mutating func compile(expect expr: Expr) -> TestFile.Expectation? {
        let ruleset = rules.ruleset
        let moved = expr.moved(by: shift)
        var checker = Checker(source: shiftedSource, roots: options.roots, declarations: ruleset.compiler.declarationInfos,
                              slots: ruleset.slotTable)
        let typed = checker.check(moved)
        var found = checker.diagnostics
        if found.isEmpty, let kind = typed.kind, kind != .bool {
            found.append(.expectationNotBoolean(found: kind.name, moved.span))
        }
        guard found.isEmpty else {
            diagnostics += found.map { $0.moved(by: -shift) }
            return nil
        }
        let compiler = ruleset.compiler
        let program: Program
        do throws(Compiler.Failure) {
            program = try Compiler.compile(typed.ir, salt: .runtime, limits: options.limits, declarationsAreForeign: false,
                                           fuses: options.fusesTests, expand: { compiler.expansion($0, $1) })
        } catch {
            diagnostics.append(error.diagnostic(options.limits, at: expr.span))
            return nil
        }
        // The tree a failure shows: checked again in the test file's own spans (the
        // shifted ones would put line 1 thousands of columns to the right). Same
        // expression, same slots, in the same order.
        var explainable: IR?
        if readsMoreThanNames(expr) {
            var plain = Checker(source: source, roots: options.roots, declarations: ruleset.compiler.declarationInfos,
                                slots: ruleset.slotTable)
            let checked = plain.check(expr)
            if plain.diagnostics.isEmpty { explainable = checked.ir }
        }
        return TestFile.Expectation(
            check: .holds(Rule(source: shiftedSource, program: program, slotTable: checker.slots)),
            text: source.text(of: expr.span).split(whereSeparator: \.isWhitespace).joined(separator: " "),
            location: source.location(of: expr.span.start),
            uses: rules.uses(of: expr),
            explainable: explainable)
    }

    /// True when an expectation reads something whose value a failure would not otherwise
    /// show: an attribute, a function call, a let. One of flags, segments and constants
    /// alone (`checkout_button == "green"`, `internal and not paying`) is explained by
    /// their values and the flags' own trees.
    private func readsMoreThanNames(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .literal: false
        case .name(let name): rules.declarations[name].map { $0.kind == .let } ?? true
        case .member, .index, .call: true
        case .list(let items): items.contains(where: readsMoreThanNames)
        case .unary(_, let operand): readsMoreThanNames(operand)
        case .binary(_, let left, let right): readsMoreThanNames(left) || readsMoreThanNames(right)
        case .logical(_, let operands): operands.contains(where: readsMoreThanNames)
        }
    }
}

extension Expr {
    /// The same expression with every span moved by `offset` bytes.
    fileprivate func moved(by offset: Int) -> Expr {
        let span = SourceSpan(start: self.span.start + offset, end: self.span.end + offset)
        switch kind {
        case .literal, .name: return Expr(kind, span)
        case .list(let items): return Expr(.list(items.map { $0.moved(by: offset) }), span)
        case .member(let base, let name): return Expr(.member(base.moved(by: offset), name: name), span)
        case .index(let base, let index): return Expr(.index(base.moved(by: offset), index.moved(by: offset)), span)
        case .call(let name, let arguments): return Expr(.call(name, arguments.map { $0.moved(by: offset) }), span)
        case .unary(let op, let operand): return Expr(.unary(op, operand.moved(by: offset)), span)
        case .binary(let op, let left, let right): return Expr(.binary(op, left.moved(by: offset), right.moved(by: offset)), span)
        case .logical(let op, let operands): return Expr(.logical(op, operands.map { $0.moved(by: offset) }), span)
        }
    }
}

extension Diagnostic {
    /// The same diagnostic with its spans (and its notes') moved by `offset` bytes.
    fileprivate func moved(by offset: Int) -> Diagnostic {
        func move(_ span: SourceSpan) -> SourceSpan {
            SourceSpan(start: max(0, span.start + offset), end: max(0, span.end + offset))
        }
        var copy = self
        copy.span = move(span)
        copy.notes = notes.map { Note(message: $0.message, span: $0.span.map(move)) }
        return copy
    }
}
