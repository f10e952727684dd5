/// The outcome of one test: passed, or the expectations that failed with what the rules
/// gave instead.
package struct TestResult: Sendable {
    /// One expectation that did not hold.
    package struct Failure: Sendable {
        /// Where the expectation is in the test file.
        package var location: SourceLocation
        /// The expectation as written: `checkout_button == "green"`, `express_pay reason match`.
        package var expected: String
        /// What the expectation gave instead.
        package var got: Outcome
        /// The flags and segments the expectation names, with their values for this test.
        package var values: [NamedValue]
        /// The expectation's own evaluation tree, when it reads more than flags and
        /// segments (an attribute, a function, a let); flags it opens up get no tree of
        /// their own under `values`.
        package var tree: String? = nil
    }

    /// What an expectation gave.
    package enum Outcome: Sendable {
        /// `expect EXPR` gave this value (anything but `true`).
        case value(Value)
        /// `expect EXPR` gave an error value.
        case error(EvaluationError)
        /// `expect FLAG reason KIND`: the flag's actual reason.
        case reason(Reason)
    }

    /// A flag's or segment's value in the test.
    package struct NamedValue: Sendable {
        /// `flag` or `segment`.
        package var kind: String
        package var name: String
        /// The value, or the error that was evaluated instead.
        package var value: Result<Value, EvaluationError>
        /// A flag's reason and variant.
        package var reason: Reason?
        package var variant: String?
        /// A flag's evaluation tree (`Ruleset.explain`), for the flags the expectation is
        /// about: those it names that are not already opened up in another's tree.
        package var tree: String?
    }

    /// The test file, as shown.
    package var file: String
    /// The 1-based line of the test's `test`.
    package var line: Int
    /// The test's name.
    package var name: String
    /// The expectations that failed, in order; empty when the test passed.
    package var failures: [Failure]
    /// How many expectations it checked.
    package var expectationCount: Int
    /// How long it took, in seconds (0 when the run does not measure time).
    package var seconds: Double

    /// True when every expectation held.
    package var passed: Bool { failures.isEmpty }
}
