/// Everything a run of `cohort test` found: per test file its results or the reasons it
/// did not compile, and per rule file what the tests covered.
package struct TestRun: Sendable {
    /// One test file's part of the run.
    package struct File: Sendable {
        /// The test file, as shown.
        package var path: String
        /// Its tests' results, in source order (those the run's pattern selects).
        package var results: [TestResult]
        /// Its errors and warnings (and those of the rule file it uses), by source.
        package var problems: [CompileError]
        /// True when it compiled, so its tests ran.
        package var compiled: Bool
    }

    /// The test files, in the order they ran.
    package var files: [File] = []
    /// What the tests covered, per rule file, in the order the rule files were first used.
    package var coverage: [Coverage] = []

    /// Every result, in order.
    package var results: [TestResult] { files.flatMap(\.results) }
    /// How many tests passed.
    package var passed: Int { results.count { $0.passed } }
    /// How many tests failed.
    package var failed: Int { results.count { !$0.passed } }
    /// How many test files did not compile.
    package var uncompiled: Int { files.count { !$0.compiled } }
    /// True when every test passed and every file compiled: exit status 0.
    package var succeeded: Bool { failed == 0 && uncompiled == 0 }
}
