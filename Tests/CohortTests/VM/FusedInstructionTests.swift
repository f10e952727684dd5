@testable import Cohort
import Testing

/// The decoded tests (`test` instructions: comparisons with constants, membership, `not`,
/// `exists`, rollouts, version gates, scheduled releases) are an optimisation only: each
/// must give exactly what the unfused sequence gives — the same value, or the same error
/// message at the same place.
/// `[user.x][0]` reads the same attribute through a computed list, which is never fused.
@Suite("Fused instructions")
struct FusedInstructionTests {
    /// Attribute values of every kind, including ones that make the operators fail.
    static let values: [Value] = [
        .null, true, false, 0, 17, 18, 18.5, -1, "", "18", "abc", "free", "pro", "u-42", "x@acme.com", "@acme.com",
        "é", ["a", "b"], ["x": 1], .version(Version("1.2.3")!), .time(Instant(seconds: 0)),
    ]

    static let constants = [#"18"#, #""free""#, #""@acme.com""#, "null", "true", #""ab""#]

    /// The outcome as comparable text: the value, or the error's message and caret column.
    private func outcome(_ rule: Rule, _ value: Value) -> String {
        switch rule.evaluate(["user": ["x": value]]) {
        case .success(let v): "value \(v.jsonText)"
        case .failure(let e): "error \(e.message) at \(e.location.column)"
        }
    }

    private func fusedAndPlain(_ op: String, _ constant: String) throws -> (fused: Rule, plain: Rule) {
        // Both sources put the operator at the same column, so error carets compare equal.
        (try Rule("user.x \(op) \(constant)"), try Rule("[user.x][0] \(op) \(constant)"))
    }

    @Test("attribute op constant equals the unfused comparison", arguments: ["==", "!=", "<", "<=", ">", ">=", "contains", "starts_with", "ends_with"])
    func slotOperatorConstant(op: String) throws {
        var compiled = 0
        for constant in Self.constants {
            // The checker rejects some pairs outright (`user.x contains 18`): then both forms
            // are rejected; every operator keeps several pairs to compare.
            guard let (fused, plain) = try? fusedAndPlain(op, constant) else {
                #expect((try? Rule("user.x \(op) \(constant)")) == nil && (try? Rule("[user.x][0] \(op) \(constant)")) == nil,
                        "user.x \(op) \(constant): one form compiles and the other does not")
                continue
            }
            compiled += 1
            #expect(fused.program.isSingleTest, "user.x \(op) \(constant) should compile to one test")
            for value in Self.values {
                let a = outcome(fused, value), b = outcome(plain, value)
                // The caret of the plain form starts at `[`, the fused one at `u`: compare messages.
                #expect(a.split(separator: " at ").first == b.split(separator: " at ").first,
                        "user.x \(op) \(constant) with x = \(value.jsonText)")
            }
        }
        #expect(compiled >= 3, "too few constants compile with \(op) to show anything")
    }

    @Test("not attr equals not over a computed value, errors included")
    func slotNot() throws {
        let fused = try Rule("not user.x"), plain = try Rule("not [user.x][0]")
        #expect(fused.program.code == [.test(0)] && fused.program.tests == [.not(slot: 0)])
        for value in Self.values {
            let a = outcome(fused, value), b = outcome(plain, value)
            #expect(a.split(separator: " at ").first == b.split(separator: " at ").first, "not \(value.jsonText)")
            if case .failure(let e) = fused.evaluate(["user": ["x": value]]) { #expect(e.location.column == 1) }
        }
    }

    @Test("exists(attr) equals exists over a computed value, and guards a chain")
    func slotExists() throws {
        let fused = try Rule("exists(user.x)"), plain = try Rule("exists([user.x][0])")
        #expect(fused.program.code == [.test(0)] && fused.program.tests == [.exists(slot: 0)])
        for value in Self.values {
            #expect(outcome(fused, value) == outcome(plain, value), "exists(\(value.jsonText))")
        }
        #expect(try fused.evaluate([:]).get() == false)
        // The guard of the shipped examples: a missing attribute is quietly false.
        let guarded = try Rule("exists(user.x) and bucket(user.x) < 10")
        #expect(guarded.program.chain == ChainShape(decider: false, count: 2))
        #expect(try guarded.evaluate([:]).get() == false)
        for i in 0..<200 {
            let context: Context = ["user": ["x": .string("r-\(i)")]]
            #expect(try guarded.evaluate(context).get() == Rule("exists([user.x][0]) and bucket([user.x][0]) < 10").evaluate(context).get())
        }
    }

    @Test("slot in set equals membership in the list, for strings, numbers and mixed lists")
    func slotInSet() throws {
        let lists = [#"["qa", "beta"]"#, #"["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]"#, "[1, 2, 18]",
                     #"[null, true, "18", 18]"#, #"["é", ""]"#]
        for list in lists {
            let fused = try Rule("user.x in \(list)"), plain = try Rule("[user.x][0] in \(list)")
            for value in Self.values + ["a", "k", "qa", "beta", "b", 2] {
                #expect(outcome(fused, value) == outcome(plain, value), "x = \(value.jsonText) in \(list)")
            }
        }
    }

    @Test("a large string set finds every member and nothing else")
    func largeSet() throws {
        let ids = (0..<5_000).map { "u-\($0 * 3)" }
        let rule = try Rule("user.x in [" + ids.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        for i in 0..<15_000 {
            #expect(rule.matches(["user": ["x": .string("u-\(i)")]]) == (i % 3 == 0))
        }
        #expect(!rule.matches(["user": ["x": 0]]))
    }

    @Test("bucket(attr) < n equals the unfused call, with the default salt, a given salt and a flag's salt")
    func bucketLess() throws {
        for (fusedText, plainText) in [("bucket(user.x) < 37", "bucket([user.x][0]) < 37"),
                                       (#"bucket(user.x, "exp") < 50"#, #"bucket([user.x][0], "exp") < 50"#)] {
            let fused = try Rule(fusedText), plain = try Rule(plainText)
            #expect(fused.program.tests.contains { $0.isBucket })
            for i in 0..<500 {
                let value: Value = i % 2 == 0 ? .string("user-\(i)") : .number(Double(i))
                for salt in ["", "flag-a"] {
                    #expect(try fused.evaluate(["user": ["x": value]], salt: salt).get() ==
                            plain.evaluate(["user": ["x": value]], salt: salt).get())
                }
            }
            // A key that is neither a string nor a number is the same error, under the call.
            for value in [Value.null, true, ["a"]] {
                let a = outcome(fused, value), b = outcome(plain, value)
                #expect(a.hasPrefix("error") && a.split(separator: " at ").first == b.split(separator: " at ").first)
            }
        }
        // In a rule file the flag's name is the salt; fused and unfused agree there too.
        let rules = try Ruleset(source: """
            flag fused = bucket(user.x) < 40
            flag plain = bucket([user.x][0]) < 40
            flag fused_salted = bucket(user.x, "fused") < 40
            """)
        var agreeing = 0
        for i in 0..<400 {
            let context: Context = ["user": ["x": .string("id-\(i)")]]
            let fused = rules.evaluate("fused", in: context)?.value
            let fusedSalted = rules.evaluate("fused_salted", in: context)?.value
            #expect(fused == fusedSalted, "the default salt of flag 'fused' is its name")
            if fused == rules.evaluate("plain", in: context)?.value { agreeing += 1 }
        }
        // Different flags hash differently: agreement near 40%·40% + 60%·60%, never all.
        #expect(agreeing < 400)
    }

    @Test("and/or chains: every combination of false, true, null and an error gives the unfused result")
    func chains() throws {
        // Operands as attributes (fused links) and as computed values (nothing fused).
        let operands: [(Value, String)] = [(false, "false"), (true, "true"), (.null, "null"), ("s", "\"s\"")]
        for op in ["and", "or"] {
            for a in operands {
                for b in operands {
                    for c in operands {
                        let context: Context = ["user": ["a": a.0, "b": b.0, "c": c.0]]
                        let chain = try Rule("user.a \(op) user.b \(op) user.c")
                        let nested = try Rule("([user.a][0] \(op) [user.b][0]) \(op) [user.c][0]")
                        let x = chain.evaluate(context), y = nested.evaluate(context)
                        switch (x, y) {
                        case let (.success(l), .success(r)): #expect(l == r, "\(a.1) \(op) \(b.1) \(op) \(c.1)")
                        case let (.failure(l), .failure(r)): #expect(l.message == r.message, "\(a.1) \(op) \(b.1) \(op) \(c.1)")
                        default: Issue.record("\(a.1) \(op) \(b.1) \(op) \(c.1): \(x) vs \(y)")
                        }
                    }
                }
            }
        }
    }
}

@Suite("Fused instructions: now")
struct FusedNowTests {
    @Test("now() op time(\"…\") equals the unfused comparison, at, before and after the instant",
          arguments: ["==", "!=", "<", "<=", ">", ">="])
    func nowCompare(op: String) throws {
        let launch = "2026-12-01T09:00:00Z"
        let fused = try Rule(#"now() \#(op) time("\#(launch)")"#)
        let plain = try Rule(#"[now()][0] \#(op) time("\#(launch)")"#)
        #expect(fused.program.isSingleTest, "now() \(op) time(…) should be one test")
        #expect(fused.program.tests.first.map { if case .now = $0 { true } else { false } } == true)
        let at = try #require(Instant(timestamp: launch))
        for offset: Int64 in [-86_400, -1, 0, 1, 86_400] {
            let now = Instant(seconds: at.seconds + offset)
            #expect(try fused.evaluate([:], now: now).get() == plain.evaluate([:], now: now).get(), "now \(offset) s from launch, \(op)")
        }
        // A nanosecond either side of the instant.
        for now in [Instant(seconds: at.seconds - 1, nanoseconds: 999_999_999), Instant(seconds: at.seconds, nanoseconds: 1)] {
            #expect(try fused.evaluate([:], now: now).get() == plain.evaluate([:], now: now).get(), "now \(now), \(op)")
        }
        // In a chain with an attribute test, as scheduled releases are written.
        let chain = try Rule(#"now() \#(op) time("\#(launch)") and user.country in ["KR", "JP"]"#)
        #expect(chain.program.code.first == .chain(0, end: UInt32(chain.program.code.count)))
        for country: Value in ["KR", "FR", .null] {
            for offset: Int64 in [-1, 0, 1] {
                let now = Instant(seconds: at.seconds + offset)
                let context: Context = ["user": ["country": country]]
                let unfused = try Rule(#"[now()][0] \#(op) time("\#(launch)") and [user.country][0] in ["KR", "JP"]"#)
                #expect(chain.evaluate(context, now: now).map(\.jsonText) == unfused.evaluate(context, now: now).map(\.jsonText))
            }
        }
    }
}

@Suite("Fused instructions: semver")
struct FusedSemverTests {
    @Test("semver(attr) op \"version\" equals the unfused comparison, errors included", arguments: ["==", "!=", "<", "<=", ">", ">="])
    func semverCompare(op: String) throws {
        let fused = try Rule(#"semver(user.v) \#(op) "5.2.0""#)
        let plain = try Rule(#"semver([user.v][0]) \#(op) "5.2.0""#)
        #expect(fused.program.isSingleTest, "semver(user.v) \(op) \"5.2.0\" should be one test")
        // Pre-releases and build metadata, valid and not: the quick path checks them without
        // building them, and must accept and order exactly what the full parser does.
        let values: [Value] = ["5.2.0", "5.2.0-beta.1", "5.2.0+build.7", "5.10.0", "5.1.99", "v5.2", "6", "05.2.0", "", "x",
                               "5.3.0-beta.1", "5.1.0-rc.1", "5.2.0-0", "5.2.0-alpha-1", "5.2.0-x.7.z.92", "5.2.0-beta+exp.sha.5114f85",
                               "5.2.0+build.007", "5.2.0-", "5.2.0-01", "5.2.0-beta..1", "5.2.0+", "5.2.0+ab_c", "5.2.0-beta.", "5.2.0-é",
                               "5.2-rc.1", "v6.0.0-rc.1+b", "5.2.0--", "5.2.0-0a.00a",
                               5, .null, true, .version(Version("5.2.0-rc.1")!)]
        for value in values {
            let a = fused.evaluate(["user": ["v": value]]), b = plain.evaluate(["user": ["v": value]])
            switch (a, b) {
            case let (.success(l), .success(r)): #expect(l == r, "\(value.jsonText)")
            case let (.failure(l), .failure(r)):
                #expect(l.message == r.message, "\(value.jsonText)")
                #expect(l.location.column == 1 && r.location.column == 1, "the caret is under the call")
            default: Issue.record("\(value.jsonText): \(a) vs \(b)")
            }
        }
    }
}
