@testable import Cohort
import Testing

/// The decoded tests (`Program.tests`): programs that are one test or a chain of them are
/// answered by the VM's walker from the tests, inline for the common cases. It is an
/// optimisation only: every rule must give, for every value, exactly the value or error the
/// same rule gives with nothing fused.
@Suite("Decoded tests")
struct DecodedTestTests {
    /// The kind of a test, for comparing with a table.
    private static func kind(_ test: DecodedTest) -> String {
        switch test {
        case .less: "less"
        case .lessEqual: "lessEqual"
        case .greater: "greater"
        case .greaterEqual: "greaterEqual"
        case .numberEquals: "numberEquals"
        case .numberNotEquals: "numberNotEquals"
        case .stringEquals: "stringEquals"
        case .stringNotEquals: "stringNotEquals"
        case .boolEquals: "boolEquals"
        case .equals: "equals"
        case .notEquals: "notEquals"
        case .compare(_, let op, _): "compare \(op.symbol)"
        case .inSet: "inSet"
        case .contains: "contains"
        case .not: "not"
        case .exists: "exists"
        case .affix(_, _, let prefix): prefix ? "prefix" : "suffix"
        case .bucketLess(_, let salt, _): salt == DecodedTest.defaultSalt ? "bucket" : "bucketWithSalt"
        case .semver: "semver"
        case .now: "now"
        case .flag: "flag"
        case .chain(let decider, let count, let length): "chain(\(decider ? "any" : "all"), \(count), \(length))"
        }
    }

    private static func kinds(_ text: String) throws -> [String] {
        let program = try Rule(text).program
        return program.tests.map { test in
            // A version gate says whether its bound has the release numbers of the quick path.
            if case .semver(_, _, let k) = test { return program.constantReleases[Int(k)] == nil ? "semver" : "semver release" }
            return kind(test)
        }
    }

    /// Each test a rule can hold, and the test it decodes to.
    static let decodings: [(String, String)] = [
        ("user.a < 18", "less"),
        ("user.a <= 18", "lessEqual"),
        ("user.a > 18", "greater"),
        ("user.a >= 18", "greaterEqual"),
        ("user.a != 18", "numberNotEquals"),
        ("user.a == 18", "numberEquals"),
        ("18 == user.a", "numberEquals"),
        (#"user.a == "free""#, "stringEquals"),
        (#"user.a != "free""#, "stringNotEquals"),
        ("user.a == true", "boolEquals"),
        ("user.a == false", "boolEquals"),
        ("user.a != true", "notEquals"),
        ("user.a == null", "equals"),
        (#"user.a in ["qa", "beta"]"#, "inSet"),
        ("not user.a", "not"),
        ("exists(user.a)", "exists"),
        (#"user.a starts_with "u-""#, "prefix"),
        (#"user.a ends_with "@acme.com""#, "suffix"),
        ("bucket(user.a) < 20", "bucket"),
        (#"bucket(user.a, "exp-7") < 20"#, "bucketWithSalt"),
        // Tests without an inline answer: their exact meaning every time.
        (#"user.a == "a constant of more than fifteen bytes""#, "equals"),
        (#"user.a != "a constant of more than fifteen bytes""#, "notEquals"),
        (#"user.a < "m""#, "compare <"),
        (#"user.a >= "m""#, "compare >="),
        (#"user.a contains "x""#, "contains"),
        (#"semver(user.a) >= "5.2.0""#, "semver release"),
        (#"semver(user.a) < "5""#, "semver release"),
        (#"semver(user.a) == "5.2.0+build.7""#, "semver release"),
        (#"semver(user.a) != "5.3.0-beta.1""#, "semver"),
        (#"now() >= time("2026-12-01T09:00:00Z")"#, "now"),
        (#"now() < time("2026-12-01T09:00:00Z")"#, "now"),
    ]

    @Test("each attribute test decodes to its test", arguments: decodings)
    func decodes(text: String, expected: String) throws {
        #expect(try Self.kinds(text) == [expected])
    }

    @Test("a chain's entry comes before its operands, a nested chain's before its own; other programs have none")
    func operandLayout() throws {
        #expect(try Self.kinds(#"user.a == "x" and user.b > 1 and not user.c"#) == ["chain(all, 3, 3)", "stringEquals", "greater", "not"])
        let nested = #"(user.a == "qa" or user.a == "beta") and (user.b != "x" or (not user.c and user.d < 2))"#
        #expect(try Self.kinds(nested) == ["chain(all, 2, 8)", "chain(any, 2, 2)", "stringEquals", "stringEquals",
                                          "chain(any, 2, 4)", "stringNotEquals", "chain(all, 2, 2)", "not", "less"])
        let program = try Rule(nested).program
        #expect(program.chain == ChainShape(decider: false, count: 2))
        #expect(program.quickFirst == 1)
        // Each `test` and `chain` instruction names its own entry, in order.
        let named = program.code.compactMap { instruction -> UInt32? in
            switch instruction {
            case .test(let k), .chain(let k, _): k
            default: nil
            }
        }
        #expect(named == Array(0..<UInt32(program.tests.count)))
        #expect(try Self.kinds("user.a + 1 > 2").isEmpty)
        #expect(try Self.kinds("user.a").isEmpty)
        #expect(try Rule("user.a or user.b").program.chain == nil)
        #expect(try Rule("user.a == 1").program.chain == ChainShape(decider: false, count: 1))
    }

    /// `[user.x][0]` reads the attribute through a computed list, which is never fused.
    private static func unfused(_ text: String) -> String {
        ["a", "b"].reduce(text) { $0.replacingOccurrences(of: "user.\($1)", with: "[user.\($1)][0]") }
    }

    /// The value, or the error's message.
    private static func outcome(_ rule: Rule, _ context: Context) -> String {
        switch rule.evaluate(context, salt: "flag-1") {
        case .success(let v): "value \(v.jsonText)"
        case .failure(let e): "error \(e.message)"
        }
    }

    /// A string of at most 15 bytes kept in heap storage (not Swift's small form), as a
    /// string cut from a longer one can be: equal to a constant, but not by its words.
    static let heapShortString: String = {
        var s = String(repeating: "q", count: 40)
        s.reserveCapacity(64)
        s.removeAll(keepingCapacity: true)
        s.append("free")
        return s
    }()

    /// Values of every kind, with the cases each quick test must leave to its instruction.
    static let values: [Value?] = [
        nil, .null, true, false, 0, 17, 18, 18.5, -1, .number(.nan), .number(.infinity), .number(-.infinity),
        "", "free", "qa", "beta", "x", "u-17", "@acme.com", "ana.1@acme.com", "someone.with.a.long.name@acme.com",
        "someone.with.a.long.name@example.com", "a constant of more than fifteen bytes", "é", "日本語",
        // Versions: releases below, at and above the constants, written every way `semver` reads.
        "5.2.0", "5.1.9", "5.2.1", "5", "5.2", "v5.2.0", "V5.10.0", "4.99.99", "6.0.0", "5.3.0", "5.3.0-beta.1", "5.2.0+build.7",
        "5.2.0-rc.1+b", "05.2.0", "5.2.0.1", "5..0", "18446744073709551615.0.0", "18446744073709551616.0.0", " 5.2.0",
        .string(heapShortString), ["qa"], ["a": 1], .time(Instant(seconds: 0)), .version(Version("5.2.0")!),
    ]

    static let rules: [String] = decodings.map(\.0) + [
        #"user.a == "free" and user.b != "free""#,
        #"user.a in ["qa", "beta"] or bucket(user.b) < 50"#,
        #"not user.a or user.b ends_with "@acme.com""#,
        #"exists(user.a) and user.b >= 18"#,
        #"(user.a == "qa" or user.a < 18) and (user.b starts_with "u-" or user.b == true)"#,
    ]

    @Test("every quick rule gives the unfused rule's value or error for values of every kind", arguments: rules)
    func agreesWithUnfused(text: String) throws {
        #expect(!StringWords(Self.heapShortString).isSmall, "the heap-held short string must not be small")
        let fused = try Rule(text), plain = try Rule(Self.unfused(text))
        #expect(fused.program.chain != nil)
        #expect(plain.program.tests.isEmpty || !text.contains("user."))
        for a in Self.values {
            for b in text.contains("user.b") ? Self.values : [nil] {
                var user: [String: Value] = [:]
                user["a"] = a
                user["b"] = b
                let context: Context = ["user": .object(user)]
                #expect(Self.outcome(fused, context) == Self.outcome(plain, context),
                        "\(text) with a=\(a?.jsonText ?? "missing") b=\(b?.jsonText ?? "missing")")
            }
        }
    }

    @Test("now() against a time constant gives what the unfused comparison gives before, at and after it",
          arguments: ["<", "<=", ">", ">=", "==", "!="])
    func scheduledRelease(op: String) throws {
        let launch = try #require(Instant(timestamp: "2026-12-01T09:00:00Z"))
        let text = "now() \(op) time(\"2026-12-01T09:00:00Z\")"
        let fused = try Rule(text), plain = try Rule("[now()][0] \(op) time(\"2026-12-01T09:00:00Z\")")
        #expect(try Self.kinds(text) == ["now"])
        #expect(plain.program.tests.isEmpty)
        for now in [Instant(seconds: launch.seconds - 1), launch, Instant(seconds: launch.seconds, nanoseconds: 1),
                    Instant(seconds: launch.seconds + 86_400)] {
            let context: Context = [:]
            #expect(try fused.evaluate(context, now: now).get() == plain.evaluate(context, now: now).get(), "\(text) at \(now)")
        }
    }

    /// Options that compile every test as plain instructions.
    private static let unfusedOptions: CompileOptions = {
        var options = CompileOptions()
        options.fusesTests = false
        return options
    }()

    @Test("compiled without fused tests, a rule has no test or chain, and the same value")
    func unfusedOption() throws {
        let text = #"user.a in ["qa", "beta"] or bucket(user.b) < 20 and not user.c"#
        let fused = try Rule(text), plain = try Rule(text, options: Self.unfusedOptions)
        #expect(fused.program.chain == ChainShape(decider: true, count: 2))
        #expect(plain.program.tests.isEmpty)
        #expect(!plain.program.code.contains { instruction in
            switch instruction {
            case .test, .chain: true
            default: false
            }
        })
        for group in ["qa", "x"] {
            let context: Context = ["user": ["a": .string(group), "b": "u-1", "c": false]]
            #expect(try fused.evaluate(context).get() == plain.evaluate(context).get())
        }
    }

    @Test("the shipped flags serve the same to generated users fused and unfused, before and after the scheduled release")
    func shippedFlags() throws {
        let path = PackagePaths.example("flags.cohort")
        let fused = try Ruleset(contentsOfFile: path), plain = try Ruleset(contentsOfFile: path, options: Self.unfusedOptions)
        // Unfused, the only tests left are prerequisite flags (there is no other way to read one).
        #expect(plain.flagPrograms.allSatisfy { $0.arms.allSatisfy { $0.condition.tests.allSatisfy { if case .flag = $0 { true } else { false } } } })
        #expect(fused.flagPrograms.contains { $0.arms.contains { $0.condition.chain != nil } })
        var generator = UserGenerator(seed: 5)
        let times = [Instant(seconds: 1_764_000_000), Instant(timestamp: "2026-12-01T09:00:00Z")!, Instant(seconds: 1_796_000_000)]
        for i in 0..<1500 {
            let context = Context(user: generator.nextUser(index: i))
            let now = times[i % times.count]
            #expect(fused.evaluateAll(in: context, now: now) == plain.evaluateAll(in: context, now: now), "user \(i)")
        }
    }

    @Test("a program that is one attribute gives its value, null when missing")
    func attributeShape() throws {
        let rule = try Rule("user.a")
        #expect(rule.program.shape == .attribute && rule.program.attributeSlot == 0)
        for value in Self.values {
            let context: Context = ["user": .object(value.map { ["a": $0] } ?? [:])]
            let expected: Value = value ?? .null
            let actual = try rule.evaluate(context).get()
            // By kind and text: NaN is not equal to itself.
            #expect(actual.kind == expected.kind && actual.jsonText == expected.jsonText, "\(value?.jsonText ?? "missing")")
        }
        #expect(try rule.evaluate(["user": 5]).get() == .null)
    }
}
