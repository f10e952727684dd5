/// A compiled test file: the rules its tests run against and every test, ready to run.
///
/// Made by `TestFileCompiler`, which reports what does not compile as diagnostics.
package struct TestFile: Sendable {
    /// One `test "NAME" { ... }` block, compiled.
    package struct Case: Sendable {
        /// The test's name.
        package var name: String
        /// The 1-based line of its `test`.
        package var line: Int
        /// The context its lines give.
        package var context: Context
        /// Its `now`, if it has one (otherwise the run's time).
        package var now: Instant?
        /// Its `salt` (default empty): the `bucket` salt of expressions outside a flag.
        package var salt: String
        /// Its expectations, in order.
        package var expectations: [Expectation]
    }

    /// One `expect` line, compiled.
    package struct Expectation: Sendable {
        /// What is checked.
        package enum Check: Sendable {
            /// `expect EXPR`: the compiled EXPR must evaluate to `true`.
            case holds(Rule)
            /// `expect FLAG reason KIND`: the flag's reason must be of this kind.
            case reason(flag: String, kind: Reason.Kind)
        }

        /// What is checked.
        package var check: Check
        /// The expectation as written, on one line: `checkout_button == "green"`,
        /// `express_pay reason default`.
        package var text: String
        /// Where it starts in the test file: its expression, or its flag.
        package var location: SourceLocation
        /// The flags and segments it reaches (through lets and segments), in order of first
        /// use; their values are shown when it fails.
        package var uses: RulesUnderTest.Uses
        /// For `expect EXPR` reading more than flags and segments (an attribute, a function,
        /// a let): EXPR checked with its spans in the test file, so a failure can show its
        /// evaluation tree (`Explainer.trace`) with the values the rules' names do not say.
        package var explainable: IR? = nil
    }

    /// The path the test file is shown under.
    package var path: String
    /// The test file's source.
    package var source: SourceFile
    /// The rules its tests run against.
    package var rules: RulesUnderTest
    /// The tests, in source order.
    package var cases: [Case]
    /// Warnings found while compiling the tests (a test that expects nothing).
    package var warnings: [Diagnostic]
    /// How far the spans of expectations were moved when they were compiled: past the end
    /// of the rule file, so an error value tells by its offset which file it is in.
    package var spanShift: Int

    /// The `spanShift` of expectations compiled against `rules`.
    package static func spanShift(for rules: RulesUnderTest) -> Int {
        rules.ruleset.source.bytes.count + 1
    }

    /// An error value of an expectation, pointed at the file it really is in: the test file
    /// (the expectation itself) or the rule file (a `let` or segment it uses).
    package func relocated(_ error: EvaluationError) -> EvaluationError {
        let inTestFile = error.span.start >= spanShift
        let span = inTestFile ? SourceSpan(start: error.span.start - spanShift, end: error.span.end - spanShift) : error.span
        return EvaluationError(message: error.message, kind: error.kind, path: error.path, span: span,
                               source: inTestFile ? source : rules.ruleset.source)
    }
}
