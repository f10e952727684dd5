@testable import Cohort
import Testing

// `Rule.explain` (Rule+Explanation.swift), what `cohort eval EXPR --explain` and the REPL's
// `:explain` print: the root's outcome is the rule's own evaluation, for plain expressions
// and for expressions over a rule file's declarations, errors included.

private let fixedNow = Instant(timestamp: "2026-12-02T00:00:00Z")!

@Suite("Rule.explain")
struct RuleExplanationTests {
    static let expressions = [
        #"user.plan == "pro" or bucket(user.id) < 20"#,
        "user.age >= 18 and user.plan in [\"pro\", \"enterprise\"]",
        "user.age >= 18 or user.plan == \"pro\"",
        "not (user.age < 30) and exists(user.email)",
        "user.tags contains \"vip\" or lower(user.country) == \"kr\"",
        "user.age + 1",
    ]
    static let ruleExpressions = [
        "internal and paying",
        "new_checkout and not express_pay",
        "checkout_button == \"red\" or express_pay",
        "beta_testers or bucket(user.id) < 50",
    ]

    /// The root's outcome as `evaluate` would give it.
    private func outcome(_ result: Result<Value, EvaluationError>) -> Explanation.Outcome {
        switch result {
        case .success(let value): .value(value)
        case .failure(let error): .error(error.message)
        }
    }

    @Test("the root's outcome is evaluate's, for generated users, with and without a rule file")
    func rootIsEvaluation() throws {
        let ruleset = try Ruleset(contentsOfFile: PackagePaths.example("flags.cohort"))
        var rules = try Self.expressions.map { try Rule($0) }
        rules += try (Self.expressions + Self.ruleExpressions).map { try ruleset.rule($0) }
        var generator = UserGenerator(seed: 9)
        var kinds: Set<String> = []
        for i in 0..<150 {
            let context = Context(user: generator.nextUser(index: i))
            for rule in rules {
                let explanation = rule.explain(context, now: fixedNow)
                let expected = outcome(rule.evaluate(context, now: fixedNow))
                #expect(explanation.outcome == expected, "\(rule.source.text): \(explanation.rendered)")
                if case .error = expected { kinds.insert("error") } else { kinds.insert("value") }
            }
        }
        #expect(kinds == ["error", "value"], "both values and errors were compared")
    }

    @Test("a rule over a rule file opens its segments and flags up; a plain rule has none to open")
    func opensDeclarations() throws {
        let ruleset = try Ruleset(contentsOfFile: PackagePaths.example("flags.cohort"))
        let user: Context = ["user": ["id": "u-42", "group": "qa", "email": "kim@acme.com", "plan": "pro"]]
        let tree = try ruleset.rule("new_checkout and paying").explain(user, now: fixedNow)
        let labels = tree.allNodes.compactMap(\.label)
        #expect(labels.contains("flag new_checkout"))
        #expect(labels.contains("segment paying"))
        #expect(labels.contains("segment internal"))
        #expect(tree.allNodes.contains { $0.isDeciding })
        let plain = try Rule(#"user.plan == "pro""#).explain(user, now: fixedNow)
        #expect(plain.allNodes.allSatisfy { $0.label == nil })
        #expect(plain.rendered == "user.plan == \"pro\" → true  ◀ decided\n└─ user.plan → \"pro\"\n")
    }
}
