/// Runs rule unit tests (`cohort test`): compiles each test file against the rule file it
/// uses (each rule file once), evaluates every expectation for its test's context, and
/// records what the tests covered.
package struct TestRunner: Sendable {
    /// What to run and how.
    package struct Options: Sendable {
        /// Run only the tests whose name contains this (`--run`); nil runs all.
        package var pattern: String?
        /// `now()` for tests without a `now` line: by default, when the run starts.
        package var now: Instant = .now
        /// How rules and expectations are compiled.
        package var compileOptions = CompileOptions()
        /// Record coverage (`--coverage`): a few more evaluations per test.
        package var collectsCoverage = false
        /// Measure each test's time; off gives 0 everywhere (for reproducible output).
        package var measuresTime = true
        /// Explains a flag's evaluation as text (its evaluation tree), for failures; nil
        /// leaves trees out. By default, `Ruleset.explain`'s tree.
        package var explain: Explain? = { rules, flag, context, now in
            rules.ruleset.explain(flag, in: context, now: now)?.explanation.rendered
        }

        package init() {}
    }

    package var options: Options

    package init(options: Options = Options()) {
        self.options = options
    }

    /// Runs the test files at `paths`, in order.
    package func run(_ paths: [String]) -> TestRun {
        var run = TestRun()
        var loaded: [String: Result<RulesUnderTest, CompileError>] = [:]
        var coverage: [String: Coverage] = [:]
        var coverageOrder: [String] = []
        let compileOptions = options.compileOptions
        for path in paths {
            let outcome = TestFileCompiler.compile(path: path, options: compileOptions) { rulesPath in
                if let known = loaded[rulesPath] { return known }
                let result = TestFileCompiler.defaultLoader(rulesPath, options: compileOptions)
                loaded[rulesPath] = result
                return result
            }
            guard let file = outcome.file else {
                run.files.append(TestRun.File(path: path, results: [], problems: outcome.problems, compiled: false))
                continue
            }
            let rulesPath = file.rules.path
            if coverage[rulesPath] == nil {
                coverage[rulesPath] = Coverage(file.rules)
                coverageOrder.append(rulesPath)
            }
            let results = self.run(file, coverage: &coverage[rulesPath]!)
            run.files.append(TestRun.File(path: path, results: results, problems: outcome.problems, compiled: true))
        }
        run.coverage = coverageOrder.map { coverage[$0]! }
        return run
    }

    /// Runs the tests of one compiled file, adding what they reach to `coverage`.
    package func run(_ file: TestFile, coverage: inout Coverage) -> [TestResult] {
        var results: [TestResult] = []
        for test in file.cases {
            if let pattern = options.pattern, !test.name.contains(pattern) { continue }
            let clock = ContinuousClock()
            let start = clock.now
            var evaluation = CaseEvaluation(file: file, test: test, now: test.now ?? options.now)
            var failures: [TestResult.Failure] = []
            for expectation in test.expectations {
                if let failure = evaluation.check(expectation, explain: options.explain) { failures.append(failure) }
            }
            if options.collectsCoverage { evaluation.record(into: &coverage) }
            let elapsed = clock.now - start
            let seconds = options.measuresTime
                ? Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18 : 0
            results.append(TestResult(file: file.path, line: test.line, name: test.name, failures: failures,
                                      expectationCount: test.expectations.count, seconds: seconds))
        }
        return results
    }
}

/// One test's evaluations: each flag evaluated at most once (evaluation is a pure function
/// of the context, the time and the flag, so once is as good as every time).
private struct CaseEvaluation {
    let file: TestFile
    let test: TestFile.Case
    let now: Instant
    private var flags: [String: FlagEvaluation] = [:]

    init(file: TestFile, test: TestFile.Case, now: Instant) {
        self.file = file
        self.test = test
        self.now = now
    }

    var rules: RulesUnderTest { file.rules }

    mutating func evaluate(flag: String) -> FlagEvaluation? {
        if let known = flags[flag] { return known }
        let result = rules.ruleset.evaluate(flag, in: test.context, now: now)
        flags[flag] = result
        return result
    }

    /// The arm that served a flag's evaluation (-1 the default, also after an error).
    func arm(of evaluation: FlagEvaluation) -> Int {
        switch evaluation.reason {
        case .match(let rule, _), .split(let rule, _): rule
        case .static: rules.flag(evaluation.flag)?.fixedArm ?? -1
        case .default, .error: -1
        }
    }

    /// A segment's value for this test, `bucket` salted with `salt`.
    func segment(_ name: String, salt: String) -> Result<Value, EvaluationError>? {
        rules.segmentRules[name].map { $0.evaluate(test.context, now: now, salt: salt) }
    }

    /// Checks one expectation: nil when it holds, else what failed.
    mutating func check(_ expectation: TestFile.Expectation, explain: TestRunner.Options.Explain?) -> TestResult.Failure? {
        let got: TestResult.Outcome
        var tree: Explanation?
        switch expectation.check {
        case .holds(let rule):
            switch rule.evaluate(test.context, now: now, salt: test.salt) {
            case .success(.bool(true)): return nil
            case .success(let value): got = .value(value)
            case .failure(let error): got = .error(file.relocated(error))
            }
            // (A tree of one node, a constant, says no more than the value.)
            if explain != nil, let ir = expectation.explainable { tree = self.tree(of: ir, rule: rule).nonTrivial }
        case .reason(let flag, let kind):
            guard let evaluation = evaluate(flag: flag) else { return nil }
            if evaluation.reason.kind == kind { return nil }
            got = .reason(evaluation.reason)
        }
        // A tree for each flag named that the expectation's tree or another named flag does
        // not already open up.
        let named = expectation.uses.flags
        var opened = Set(named.flatMap { rules.closure(of: [$0]).dropFirst() })
        for node in tree?.allNodes ?? [] where node.label?.hasPrefix("flag ") == true && !node.children.isEmpty {
            opened.insert(String(node.label!.dropFirst("flag ".count)))
        }
        var values: [TestResult.NamedValue] = []
        for flag in named {
            guard let evaluation = evaluate(flag: flag) else { continue }
            values.append(TestResult.NamedValue(
                kind: "flag", name: flag, value: .success(evaluation.value), reason: evaluation.reason,
                variant: rules.flag(flag)?.variant(servedBy: arm(of: evaluation)),
                tree: opened.contains(flag) ? nil : explain?(rules, flag, test.context, now)))
        }
        for name in expectation.uses.segments {
            guard let value = segment(name, salt: test.salt) else { continue }
            values.append(TestResult.NamedValue(kind: "segment", name: name, value: value, reason: nil, variant: nil, tree: nil))
        }
        return TestResult.Failure(location: expectation.location, expected: expectation.text, got: got, values: values,
                                  tree: tree?.rendered)
    }

    /// The evaluation tree of an expectation (checked in the test file's spans), over the
    /// slots of its compiled `rule` (the rules' slots, then any the expectation adds), the
    /// tests that decided it marked.
    private func tree(of ir: IR, rule: Rule) -> Explanation {
        let ruleset = rules.ruleset
        return rule.compiled.binder.bind(test.context, slots: nil) { slots in
            var explainer = Explainer(rules: ruleset.compiler, flags: ruleset.flagPrograms, slots: slots, now: now)
            var traced = explainer.trace(ir, source: file.source, salt: test.salt)
            if traced.cell.plainBoolean != nil { traced.markDeciding() }
            return traced.tree
        }
    }

    /// The declaration a node of an evaluation tree opens up: labelled `segment NAME` or
    /// `flag NAME`, or, where the node is a whole condition (labelled `when 0`), written as
    /// the bare name.
    private func declaration(at node: Explanation) -> (Declaration.Kind, String)? {
        for prefix in ["segment ", "flag "] where node.label?.hasPrefix(prefix) == true {
            let name = String(node.label!.dropFirst(prefix.count))
            return rules.declarations[name].map { ($0.kind, name) }
        }
        guard let declaration = rules.declarations[node.text], declaration.kind != .let else { return nil }
        return (declaration.kind, node.text)
    }

    /// Records what this test reached (see `Coverage`): the flags its expectations name,
    /// and, from each one's evaluation tree, the segments and prerequisite flags the
    /// evaluation got to (an `and`/`or` decided before them skips them).
    mutating func record(into coverage: inout Coverage) {
        var pending = Array(test.expectations.flatMap(\.uses.flags).reversed())
        var done = Set<String>()
        while let flag = pending.popLast() {
            guard done.insert(flag).inserted, let evaluation = evaluate(flag: flag) else { continue }
            var failed = false
            if case .error = evaluation.reason { failed = true }
            coverage.record(flag: flag, arm: arm(of: evaluation), value: evaluation.value, failed: failed)
            guard let tree = rules.ruleset.explain(flag, in: test.context, now: now)?.explanation else { continue }
            for node in tree.allNodes where node.outcome != .skipped {
                guard let (kind, name) = declaration(at: node) else { continue }
                if kind == .segment {
                    if case .value(let value) = node.outcome {
                        coverage.record(segment: name, value: .success(value))
                    } else {
                        coverage.record(segment: name, value: nil)
                    }
                } else if kind == .flag {
                    pending.append(name)
                }
            }
        }
        // Segments an expectation names itself: evaluated as the expectation does.
        for name in test.expectations.flatMap(\.uses.segments) {
            if let value = segment(name, salt: test.salt) { coverage.record(segment: name, value: value) }
        }
    }
}

extension TestRunner.Options {
    /// See `explain`.
    package typealias Explain = @Sendable (_ rules: RulesUnderTest, _ flag: String, _ context: Context, _ now: Instant) -> String?
}

extension Explanation {
    /// The tree, or nil when it is one node.
    fileprivate var nonTrivial: Explanation? { children.isEmpty ? nil : self }
}
