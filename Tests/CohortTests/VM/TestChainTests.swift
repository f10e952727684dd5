@testable import Cohort
import Testing
import Foundation

/// `all_of`/`any_of`: the fast path of an `and`/`or` chain of attribute tests. It is an
/// optimisation only: for every input the chain must give what the same chain gives with
/// nothing fused (the same value, or the same error message), and it must be emitted exactly
/// where every operand is one attribute test.
@Suite("Chains of attribute tests")
struct TestChainTests {
    /// The value, or the error's message.
    private func outcome(_ rule: Rule, _ context: Context) -> String {
        switch rule.evaluate(context) {
        case .success(let v): "value \(v.jsonText)"
        case .failure(let e): "error \(e.message)"
        }
    }

    private func hasChain(_ rule: Rule) -> Bool {
        rule.program.code.contains { instruction in
            switch instruction {
            case .chain: true
            default: false
            }
        }
    }

    /// `[user.x][0]` reads the attribute through a computed list, which is never fused.
    private func unfused(_ text: String) -> String {
        text.replacingOccurrences(of: "user.a", with: "[user.a][0]").replacingOccurrences(of: "user.b", with: "[user.b][0]")
            .replacingOccurrences(of: "user.c", with: "[user.c][0]")
    }

    /// Checks that `fused` and `plain` give the same value or error for every combination
    /// of `values` (or a missing attribute) as `user.a`, `user.b` and `user.c`.
    private func expectSameOutcomes(_ fused: Rule, _ plain: Rule, _ text: String,
                                    sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for a in Self.values {
            for b in Self.values {
                for c in Self.values {
                    var user: [String: Value] = [:]
                    user["a"] = a
                    user["b"] = b
                    user["c"] = c
                    let context: Context = ["user": .object(user)]
                    #expect(outcome(fused, context) == outcome(plain, context),
                            "\(text) with a=\(a?.jsonText ?? "missing") b=\(b?.jsonText ?? "missing") c=\(c?.jsonText ?? "missing")",
                            sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// Values of every kind for each attribute, including ones that make a test fail.
    static let values: [Value?] = [nil, .null, true, false, 0, 18, 17.5, "", "qa", "beta", "x", "u-1", "5.2.0", "4.0.0", "v?", ["qa"]]

    static let chains = [
        "user.a == 18 and user.b != \"x\" and not user.c",
        "user.a == 18 or user.b != \"x\" or not user.c",
        "user.a in [\"qa\", \"beta\"] or bucket(user.b) < 50 or semver(user.c) >= \"5.0.0\"",
        "user.a in [\"qa\", \"beta\"] and bucket(user.b) < 50 and semver(user.c) >= \"5.0.0\"",
        "user.a >= 18 and user.b ends_with \"a\" and user.c starts_with \"u-\"",
        "user.a < 18 or user.b contains \"et\" or user.c == \"qa\"",
    ]

    @Test("every combination of values gives the unfused chain's value or error", arguments: chains)
    func matchesUnfused(text: String) throws {
        let fused = try Rule(text), plain = try Rule(unfused(text))
        #expect(hasChain(fused), "\(text) should compile to a chain")
        #expect(!hasChain(plain))
        expectSameOutcomes(fused, plain, text)
    }

    @Test("the chain prefixes its plain code and jumps past it")
    func layout() throws {
        let rule = try Rule(#"user.a == 1 and user.b != "x" and not user.c"#)
        // The chain's entry comes first in the tests, its operands after it; the plain
        // chain follows the prefix, its jumps and test indices moved past it.
        #expect(rule.program.code == [.chain(0, end: 8), .test(1), .andTest(target: 8), .test(2), .andCombine, .andTest(target: 8),
                                      .test(3), .andCombine])
        #expect(rule.program.tests.first == .chain(decider: false, count: 3, length: 3))
        let either = try Rule(#"user.a == 1 or user.b == 2"#)
        #expect(either.program.code.first == .chain(0, end: 5))
        #expect(either.program.tests.first == .chain(decider: true, count: 2, length: 2))
    }

    @Test("whole-program tests and chains are answered before the interpreter; errors still reach it")
    func shapes() throws {
        #expect(try Rule(#"user.a == 1"#).program.isSingleTest)
        #expect(try Rule(#"bucket(user.id) < 20"#).program.isSingleTest)
        #expect(try Rule(#"user.a == 1 and user.b != "x" and not user.c"#).program.chain == ChainShape(decider: false, count: 3))
        #expect(try Rule(#"user.a == 1 or user.b == 2"#).program.chain == ChainShape(decider: true, count: 2))
        #expect(try Rule(#"(user.a == 1 or user.b == 2) and user.c"#).program.shape == .general)
        #expect(try Rule("user.a").program.shape == .attribute)
        #expect(try Rule("user.a + 1").program.shape == .general)
        // A test that fails, alone or in a chain, gives the interpreter's error.
        let alone = try Rule(#"not user.c"#), chained = try Rule(#"user.a == 1 and not user.c"#)
        let context: Context = ["user": ["a": 1, "c": "yes"]]
        guard case .failure(let e1) = alone.evaluate(context), case .failure(let e2) = chained.evaluate(context) else {
            Issue.record("not of a string should be an error")
            return
        }
        #expect(e1.message == e2.message)
        #expect(e2.location.column == 17, "the caret is under `not user.c`")
    }

    @Test("a chain with an operand that is not one attribute test has no prefix",
          arguments: ["user.a == 1 and (user.b or user.c)", "user.a == 1 and user.b", "user.a + 1 > 2 or user.b == 1",
                      "user.a == 1 and user.b == 2 or user.c == 3"])
    func notEveryChain(text: String) throws {
        let rule = try Rule(text)
        if text.hasSuffix("or user.c == 3") {
            // `(a and b) or c`: the inner `and` is a chain of tests, and the outer `or` a
            // chain of that chain and a test.
            #expect(rule.program.tests.filter { if case .chain(false, _, _) = $0 { true } else { false } }.count == 1)
            #expect(rule.program.code.first == .chain(0, end: UInt32(rule.program.code.count)))
            #expect(rule.program.chain == ChainShape(decider: true, count: 2))
        } else {
            #expect(!hasChain(rule))
        }
    }

    @Test("nested chains: each chain of tests gets its own prefix, and values agree")
    func nested() throws {
        let text = #"(user.a == "qa" or user.a == "beta") and (user.b != "x" or not user.c)"#
        let fused = try Rule(text), plain = try Rule(unfused(text))
        #expect(fused.program.tests.filter { if case .chain(true, _, _) = $0 { true } else { false } }.count == 2)
        #expect(fused.program.chain == ChainShape(decider: false, count: 2), "the outer `and` chains the two chains")
        expectSameOutcomes(fused, plain, text)
    }

    /// A chain whose value is then compared is not the program's value, nor an operand of
    /// the enclosing chain: a regression test for `all_of` (only `any_of` was checked to end
    /// where its operand or the program ends).
    @Test("a chain inside a larger operand is not taken for the operand's value",
          arguments: [
              "(user.a == 18 and not user.c) == false",
              "(user.a == 18 or not user.c) == false",
              "(user.a == 18 and not user.c) == false or user.b == \"x\"",
              "(user.a == 18 or not user.c) != true and user.b == \"x\"",
              "user.b == \"x\" or (user.a == 18 and not user.c) == false",
          ])
    func chainInsideComparison(text: String) throws {
        let fused = try Rule(text), plain = try Rule(unfused(text))
        if text.hasPrefix("(") && text.hasSuffix("false") {
            #expect(fused.program.shape == .general, "the program's value is the comparison, not the chain")
        }
        expectSameOutcomes(fused, plain, text)
        let both: Context = ["user": ["a": 18, "c": false, "b": "y"]]
        #expect(outcome(fused, both) == outcome(plain, both))
        if text == "(user.a == 18 and not user.c) == false" { #expect(outcome(fused, both) == "value false") }
    }

    @Test("chains nested three deep agree with the unfused form")
    func deeplyNested() throws {
        let text = #"((user.a == "qa" or user.b == "x") and not user.c) or (user.a != "beta" and (user.b ends_with "y" or user.c == true))"#
        let fused = try Rule(text), plain = try Rule(unfused(text))
        #expect(fused.program.chain == ChainShape(decider: true, count: 2))
        expectSameOutcomes(fused, plain, text)
    }

    /// A prerequisite flag is a chain operand: the chain reads the value batch evaluation
    /// remembered for the record, and without one (a single evaluation) its ordinary code
    /// evaluates the prerequisite. BatchDifferentialTests compares the two ways on records.
    @Test("a prerequisite flag is an operand of a chain")
    func prerequisiteOperand() throws {
        let rules = try Ruleset(source: """
            flag adult = user.age >= 18
            flag both = adult and user.plan == "pro"
            flag either = user.plan == "pro" or adult
            """)
        for name in ["both", "either"] {
            let position = try #require(rules.flagPosition(name))
            let program = try #require(rules.flagPrograms[position].arms.first?.condition)
            #expect(program.chain == ChainShape(decider: name == "either", count: 2), "\(name)")
        }
        let cases: [(Value, Value, Bool, Bool)] = [(20, "pro", true, true), (20, "free", false, true), (10, "pro", false, true),
                                                   (10, "free", false, false), ("x", "pro", false, true), ("x", "free", false, false)]
        for (age, plan, both, either) in cases {
            let context: Context = ["user": ["age": age, "plan": plan]]
            #expect(rules.evaluate("both", in: context)?.value == .bool(both), "both for \(age), \(plan)")
            #expect(rules.evaluate("either", in: context)?.value == .bool(either), "either for \(age), \(plan)")
        }
    }

    @Test("in a rule file: flags and segments made of chains serve what the unfused rules serve")
    func ruleFile() throws {
        let rules = try Ruleset(source: """
            segment internal = user.email ends_with "@acme.com" or user.group in ["qa", "staff"]
            flag fused = internal or bucket(user.id) < 30
            flag plain = [user.email][0] ends_with "@acme.com" or [user.group][0] in ["qa", "staff"] or bucket([user.id][0], "fused") < 30
            """)
        for i in 0..<300 {
            let group: Value = i % 7 == 0 ? "qa" : i % 11 == 0 ? 5 : "none"
            let email: Value = i % 5 == 0 ? .string("p\(i)@acme.com") : i % 13 == 0 ? .null : .string("p\(i)@x.org")
            let context: Context = ["user": ["id": .string("u-\(i)"), "group": group, "email": email]]
            let fused = rules.evaluate("fused", in: context), plain = rules.evaluate("plain", in: context)
            #expect(fused?.value == plain?.value, "user \(i)")
            #expect(fused.map { "\($0.reason)".hasPrefix("error") } == plain.map { "\($0.reason)".hasPrefix("error") }, "user \(i)")
        }
    }
}
