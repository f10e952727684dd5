extension Rule {
    /// The evaluation as a tree (`cohort eval EXPR --explain`, the REPL's `:explain`): each
    /// sub-expression with its value, the lets, segments and flags of the rule file it was
    /// compiled against (`Ruleset.rule`) opened up where it names them, the tests that
    /// decided a boolean outcome marked, and errors shown where they arose. The root's
    /// outcome is what `evaluate` gives for the same arguments.
    ///
    /// ```swift
    /// let rule = try Rule(#"user.plan == "pro" or bucket(user.id) < 20"#)
    /// print(rule.explain(["user": ["id": "u-42", "plan": "free"]]).rendered)
    /// // user.plan == "pro" or bucket(user.id) < 20 → false
    /// // ├─ user.plan == "pro" → false  ◀ decided
    /// // │  └─ user.plan → "free"
    /// // └─ bucket(user.id) < 20 → false  ◀ decided
    /// //    └─ bucket(user.id) → 94
    /// //       └─ user.id → "u-42"
    /// ```
    public func explain(_ context: Context, now: Instant? = nil, salt: String = "") -> Explanation {
        let now = now ?? .now
        let whole = SourceSpan(start: 0, end: source.bytes.count)
        guard let ir = compiled.ir else {
            // Built from bytecode alone: the tree is its value.
            let outcome: Explanation.Outcome
            switch evaluate(context, now: now, salt: salt) {
            case .success(let value): outcome = .value(value)
            case .failure(let error): outcome = .error(error.message)
            }
            return Explanation(text: Explainer.snippet(source, whole), outcome: outcome,
                               location: "\(source.name):\(source.location(of: 0))")
        }
        let ruleset = compiled.declaringRules as? Ruleset
        return compiled.binder.bind(context, slots: nil) { slots in
            var explainer = Explainer(rules: ruleset?.compiler, flags: ruleset?.flagPrograms ?? [], slots: slots, now: now)
            var traced = explainer.trace(ir, source: source, salt: salt)
            if traced.cell.plainBoolean != nil { traced.markDeciding() }
            return traced.tree
        }
    }
}
