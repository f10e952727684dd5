@testable import Cohort
import Testing

/// The explanation tree (`Ruleset.explain`) and the `split` reason: the explainer must agree
/// with the VM on every outcome, and with the VM's chain walker on which tests decided.
@Suite("Explanations and split reasons")
struct ExplanationTests {
    static let now = Instant(timestamp: "2026-12-02T00:00:00Z")!

    /// A user id in bucket `wanted` (or not) of `bucket(id)` salted with `salt`.
    private func user(inBucketBelow bound: Int, _ inside: Bool, salt: String) -> String {
        var i = 0
        while true {
            let id = "u-\(i)"
            let bucket = withUTF8Bytes(salt) { Builtin.bucketIndex(of: .string(id), salt: $0, buckets: 100)! }
            if (bucket < UInt64(bound)) == inside { return id }
            i += 1
        }
    }

    @Test("a rollout that lets a user in is a split; targeting that lets a user in is a match")
    func splitAndMatch() throws {
        let rules = try Ruleset(source: """
            segment internal = user.email ends_with "@acme.com" or user.group in ["qa"]
            flag rollout = internal or bucket(user.id) < 20
            flag country_rollout = user.country == "KR" and bucket(user.id) < 50
            flag wide = bucket(user.id, "exp", 1000) < 500
            flag top_fifth = bucket(user.id) >= 80
            flag uses = rollout and user.plan == "pro"
            flag arms {
              when internal serve "green"
              when bucket(user.id) < 50 serve "blue"
              default "red"
            }
            """)
        let inRollout = user(inBucketBelow: 20, true, salt: "rollout")
        let staff: Context = ["user": ["id": .string(inRollout), "email": "a@acme.com", "group": "x", "plan": "pro"]]
        let lucky: Context = ["user": ["id": .string(inRollout), "email": "a@x.org", "group": "x", "plan": "pro"]]
        #expect(rules.evaluate("rollout", in: staff, now: Self.now)?.reason == .match(rule: 0, line: 2))
        #expect(rules.evaluate("rollout", in: lucky, now: Self.now)?.reason == .split(rule: 0, line: 2))
        // A prerequisite counts as targeting: its own reason says how it was decided.
        #expect(rules.evaluate("uses", in: lucky, now: Self.now)?.reason == .match(rule: 0, line: 6))
        // `and`: every operand had to hold, the rollout among them.
        let korean = user(inBucketBelow: 50, true, salt: "country_rollout")
        #expect(rules.evaluate("country_rollout", in: ["user": ["id": .string(korean), "country": "KR"]], now: Self.now)?.reason
                == .split(rule: 0, line: 3))
        // Conditions the VM's walker does not run (three-argument bucket, `>=`) are told by the explainer.
        let wide = try #require(rules.evaluate("wide", in: ["user": ["id": "u-3"]], now: Self.now))
        #expect(wide.reason.kind == (wide.value == true ? .split : .default))
        var upperUsers = 0
        for i in 0..<50 {
            let result = try #require(rules.evaluate("top_fifth", in: ["user": ["id": .string("u-\(i)")]], now: Self.now))
            if result.value == true {
                upperUsers += 1
                #expect(result.reason == .split(rule: 0, line: 5))
            } else {
                #expect(result.reason == .default)
            }
        }
        #expect(upperUsers > 0)
        let blue = user(inBucketBelow: 50, true, salt: "arms")
        #expect(rules.evaluate("arms", in: ["user": ["id": .string(blue), "email": "b@x.org"]], now: Self.now)?.reason
                == .split(rule: 1, line: 9))
        #expect(rules.evaluate("arms", in: ["user": ["id": .string(blue), "email": "b@acme.com"]], now: Self.now)?.reason
                == .match(rule: 0, line: 8))
    }

    @Test("an error absorbed before the deciding test: the walker passes it and names the test that decided, as the explainer does")
    func absorbedError() throws {
        let text = """
            flag rollout = not user.opted_out or bucket(user.id) < 20
            flag targeted = user.age >= 18 or user.group == "qa"
            """
        let fused = try Ruleset(source: text)
        var plainOptions = CompileOptions()
        plainOptions.fusesTests = false
        let plain = try Ruleset(source: text, options: plainOptions)
        // `opted_out` missing: `not null` is an error, absorbed by the true rollout test.
        let lucky = user(inBucketBelow: 20, true, salt: "rollout")
        let context: Context = ["user": ["id": .string(lucky)]]
        #expect(fused.evaluate("rollout", in: context, now: Self.now)?.reason == .split(rule: 0, line: 1))
        #expect(plain.evaluate("rollout", in: context, now: Self.now)?.reason == .split(rule: 0, line: 1))
        // Told by the walker itself, not by the explainer it falls back on.
        let walker = fused.attributes(for: context).values.withUnsafeBufferPointer {
            VM.armDecidedByBucket(fused.flagPrograms[0], arm: 0, slots: $0, now: Self.now)
        }
        #expect(walker == true)
        // `age` a string: `"x" >= 18` is an error, absorbed by the group test: targeting.
        let qa: Context = ["user": ["age": "x", "group": "qa"]]
        #expect(fused.evaluate("targeted", in: qa, now: Self.now)?.reason == .match(rule: 0, line: 2))
        #expect(plain.evaluate("targeted", in: qa, now: Self.now)?.reason == .match(rule: 0, line: 2))
        // Nothing decides: the error is the outcome, for both.
        let unlucky = user(inBucketBelow: 20, false, salt: "rollout")
        let none: Context = ["user": ["id": .string(unlucky)]]
        #expect(fused.evaluate("rollout", in: none, now: Self.now)?.reason.kind == .error)
        #expect(plain.evaluate("rollout", in: none, now: Self.now)?.reason.kind == .error)
    }

    @Test("for the shipped flags, the explanation gives the VM's value, and the walker and the explainer agree on split")
    func agreesWithTheVM() throws {
        let path = PackagePaths.example("flags.cohort")
        let rules = try Ruleset(contentsOfFile: path)
        var plainOptions = CompileOptions()
        plainOptions.fusesTests = false
        let plain = try Ruleset(contentsOfFile: path, options: plainOptions)
        var generator = UserGenerator(seed: 9)
        var splits = 0
        for i in 0..<PropertyScale.count(400) {
            let context = Context(user: generator.nextUser(index: i))
            for name in rules.flagNames {
                let (evaluation, explanation) = try #require(rules.explain(name, in: context, now: Self.now))
                switch (explanation.outcome, evaluation.reason) {
                case (.error, .error): break
                case (.value(let v), _): #expect(v == evaluation.value, "\(name) for user \(i)")
                default: Issue.record("\(name) for user \(i): \(explanation.outcome) vs \(evaluation.reason)")
                }
                // Unfused, no condition is a chain of tests, so the explainer tells every split.
                #expect(plain.evaluate(name, in: context, now: Self.now)?.reason == evaluation.reason, "\(name) for user \(i)")
                if evaluation.reason.kind == .split { splits += 1 }
            }
        }
        #expect(splits > 0)
    }

    @Test("the tree shows each sub-expression, opens segments and prerequisites, and marks the deciding test")
    func rendering() throws {
        let rules = try Ruleset(source: """
            let staff = ["qa", "staff"]
            segment internal = user.email ends_with "@acme.com" or user.group in staff
            flag rollout = internal or bucket(user.id) < 20
            flag express { when rollout and user.plan == "pro" serve true default false }
            """, file: "shop.cohort")
        let id = user(inBucketBelow: 20, true, salt: "rollout")
        let context: Context = ["user": ["id": .string(id), "email": "a@x.org", "group": "none", "plan": "pro"]]
        let (evaluation, explanation) = try #require(rules.explain("express", in: context, now: Self.now))
        #expect(evaluation.value == true)
        let text = explanation.rendered
        #expect(text.hasPrefix("flag express → true\n"))
        #expect(text.contains("when 0: rollout and user.plan == \"pro\" → true"))
        #expect(text.contains("flag rollout → true  ◀ decided\n"))
        #expect(!text.contains("\"pro\" → \"pro\""), "constants are not shown as operands")
        #expect(text.contains("segment internal → false"))
        #expect(text.contains("bucket(user.id) < 20 → true  ◀ decided"))
        #expect(text.contains("user.plan == \"pro\" → true  ◀ decided"))
        // A missing attribute: the error is shown where it arose.
        let noEmail: Context = ["user": ["id": "u-1", "group": "none", "plan": "pro"]]
        let failed = try #require(rules.explain("rollout", in: noEmail, now: Self.now)).explanation
        #expect(failed.allNodes.contains { node in
            if case .error(let message) = node.outcome { return node.text.hasPrefix("user.email ends_with") && message.contains("null") }
            return false
        })
        #expect(failed.allNodes.first { $0.text.hasPrefix("user.email ends_with") }?.location == "shop.cohort:2:20")
    }

    @Test("a flag used many times is opened up once")
    func fanOut() throws {
        var text = "flag p0 = user.x == 1\n"
        for level in 1...4 {
            text += "flag p\(level) = " + (0..<6).map { "(p\(level - 1) and user.a\($0) == \($0))" }.joined(separator: " or ") + "\n"
        }
        let rules = try Ruleset(source: text)
        let explanation = try #require(rules.explain("p4", in: ["user": ["x": 1]], now: Self.now)).explanation
        #expect(explanation.allNodes.count < 500)
    }
}
