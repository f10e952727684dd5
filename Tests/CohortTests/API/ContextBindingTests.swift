import Dispatch
@testable import Cohort
import Testing

/// A context remembers what it bound to: evaluating it again against the same rules reads
/// the remembered values, and nothing a caller can do makes a remembered value stale.
@Suite("Context: remembered bindings")
struct ContextBindingTests {
    private let rule = try! Rule(#"user.group in ["qa", "beta"] or bucket(user.id) < 20"#)
    private let rules = try! Ruleset(source: """
        flag by_plan = user.plan == "pro"
        flag by_country = user.country in ["KR", "JP"]
        flag both = by_plan and device.os == "ios"
        """, file: "r.cohort")

    /// Whether u-1 is in the first 20 buckets, worked out by a rule of its own.
    private var inRollout: Bool { try! Rule("bucket(user.id) < 20").matches(["user": ["id": "u-1"]]) }

    private func remembered(_ context: Context) -> Int {
        context.bindings?.rememberedCount ?? -1
    }

    @Test("the first evaluation binds, later ones read the same values and give the same answers")
    func remembers() {
        let qa: Context = ["user": ["id": "u-1", "group": "qa"]]
        #expect(remembered(qa) == 0)
        #expect(rule.matches(qa))
        #expect(remembered(qa) == 1)
        for _ in 0..<3 { #expect(rule.matches(qa)) }
        #expect(remembered(qa) == 1)
        let other: Context = ["user": ["id": "u-1", "group": "none"]]
        #expect(rule.matches(other) == (inRollout))
    }

    @Test("changing a context forgets what it bound: the next evaluation sees the change")
    func mutationForgets() {
        var context: Context = ["user": ["id": "u-1", "group": "qa"]]
        #expect(rule.matches(context))
        context["user"] = ["id": "u-1", "group": "none"]
        #expect(remembered(context) == 0)
        let expected = inRollout
        #expect(rule.matches(context) == expected)
        context.roots["user"] = ["id": "u-1", "group": "beta"]
        #expect(rule.matches(context))
    }

    @Test("a changed copy does not disturb the original, which keeps its answer")
    func copies() {
        let original: Context = ["user": ["id": "u-1", "group": "qa"]]
        #expect(rule.matches(original))
        var copy = original
        copy["user"] = ["id": "u-1", "group": "none", "plan": "pro"]
        #expect(rule.matches(original))
        #expect(rules.bool("by_plan", in: copy, default: false))
        #expect(!rules.bool("by_plan", in: original, default: true))
    }

    @Test("flag by flag: each evaluation binds what that flag reads, and later flags see their own attributes")
    func flagByFlag() throws {
        let context: Context = ["user": ["plan": "pro", "country": "JP"], "device": ["os": "ios"]]
        #expect(rules.bool("by_plan", in: context, default: false))
        #expect(rules.bool("by_country", in: context, default: false))
        #expect(rules.bool("both", in: context, default: false))
        #expect(rules.evaluateAll(in: context).map(\.value) == [true, true, true])
        #expect(rules.detail("both", in: context).value == true)
        // The same answers from a context that was never evaluated before.
        let fresh: Context = ["user": ["plan": "pro", "country": "JP"], "device": ["os": "ios"]]
        #expect(rules.evaluateAll(in: fresh).map(\.value) == [true, true, true])
    }

    @Test("a context evaluated against more rules than it remembers still gives every answer")
    func manyRules() throws {
        let context: Context = ["user": ["n": 7]]
        let many = try (0..<10).map { try Rule("user.n > \($0)") }
        for _ in 0..<2 {
            for (k, rule) in many.enumerated() { #expect(rule.matches(context) == (7 > k)) }
        }
        #expect(remembered(context) == 4)
    }

    @Test("contexts made for one record (batch) remember nothing")
    func unremembered() {
        let context = Context(unremembered: ["user": ["group": "qa"]])
        #expect(context.bindings == nil)
        #expect(rule.matches(context))
    }

    @Test("one context evaluated from many threads at once: every answer right")
    func concurrent() throws {
        // Fresh contexts, so first bindings race; more rules than a context remembers, so
        // forgetting races with reading too.
        let thresholds = try (0..<6).map { try Rule("user.n > \($0 * 2)") }
        let wrong = Locked(0)
        for round in 0..<8 {
            let context: Context = ["user": ["plan": "pro", "country": "KR", "id": "u-7", "group": "beta", "n": .number(Double(round))],
                                    "device": ["os": "ios"]]
            DispatchQueue.concurrentPerform(iterations: 48) { i in
                let ok = switch i % 4 {
                case 0: rules.bool("by_country", in: context, default: false)
                case 1: rules.bool("both", in: context, default: false)
                case 2: rule.matches(context)
                default: thresholds[i % 6].matches(context) == (round > (i % 6) * 2)
                }
                if !ok { wrong.withLock { $0 += 1 } }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
    }
}
