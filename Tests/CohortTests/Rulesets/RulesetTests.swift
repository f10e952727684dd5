import Cohort
import Testing

// Rule files (LANGUAGE.md §3): declarations, reasons, errors sending a flag to its
// default, bucket salting through lets and segments, prerequisites, and expressions
// compiled against a ruleset.

/// A fixed `now()`, so nothing depends on the clock.
private let fixedNow = Instant(seconds: 1_800_000_000)

/// A small shop's rule file; the line numbers matter (reasons report them).
private let shop = """
    # A small shop.
    let staff_groups = ["qa", "staff"]
    segment internal = user.email ends_with "@acme.com" or user.group in staff_groups

    flag new_checkout = internal or user.plan == "pro"
    flag payments_v2 = false
    flag always_on = true

    flag checkout_button {
      when internal                serve "green"
      when user.plan == "pro"      serve "blue"
      default "red"
    }
    """

/// The same declarations in another order: uses before declarations, flags first.
private let shopReordered = """
    flag checkout_button {
      when internal                serve "green"
      when user.plan == "pro"      serve "blue"
      default "red"
    }
    flag always_on = true
    flag payments_v2 = false
    flag new_checkout = internal or user.plan == "pro"
    segment internal = user.email ends_with "@acme.com" or user.group in staff_groups
    let staff_groups = ["qa", "staff"]
    """

/// Compiles rule-file text, recording the rendered diagnostics as the issue when it fails.
private func compile(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Ruleset {
    do {
        return try Ruleset(source: text, file: "test.cohort")
    } catch {
        Issue.record("rule file did not compile:\n\(error.rendered(color: false))", sourceLocation: sourceLocation)
        throw error
    }
}

/// `count` reproducible users from `UserGenerator`, as contexts.
private func generatedUsers(_ count: Int, seed: UInt64 = 7) -> [Context] {
    var generator = UserGenerator(seed: seed)
    return (0..<count).map { Context(user: generator.nextUser(index: $0)) }
}

/// The value of a standalone expression (with an explicit salt), or nil when it errs.
private func value(of expression: String, in context: Context, salt: String = "") throws -> Value? {
    try? Rule(expression).evaluate(context, now: fixedNow, salt: salt).get()
}

/// The reason without its details, to compare reasons across files with other line numbers.
private func shape(_ reason: Reason) -> String {
    "\(reason.kind) \(reason.rule.map(String.init) ?? "")"
}

/// The error inside a reason, or nil.
private func failure(of reason: Reason) -> EvaluationError? {
    if case .error(let e) = reason { return e }
    return nil
}

@Suite("Rule files: declarations and reasons")
struct RulesetDeclarationTests {
    /// (user, flag, served value, reason) for the shop file.
    static let shopCases: [(name: String, user: Value, flag: String, value: Value, reason: Reason)] = [
        ("staff by group, boolean flag", ["group": "qa", "email": "a@x.com"], "new_checkout", true, .match(rule: 0, line: 5)),
        ("staff by email, first when", ["email": "ana@acme.com", "group": "none"], "checkout_button", "green", .match(rule: 0, line: 10)),
        ("pro customer, second when", ["email": "b@gmail.com", "group": "none", "plan": "pro"], "checkout_button", "blue", .match(rule: 1, line: 11)),
        ("pro customer, boolean flag", ["email": "b@gmail.com", "group": "none", "plan": "pro"], "new_checkout", true, .match(rule: 0, line: 5)),
        ("free customer, block default", ["email": "c@gmail.com", "group": "none", "plan": "free"], "checkout_button", "red", .default),
        ("free customer, boolean flag false", ["email": "c@gmail.com", "group": "none", "plan": "free"], "new_checkout", false, .default),
        ("kill switch off", ["email": "ana@acme.com", "group": "qa"], "payments_v2", false, .static),
        ("always on", [:], "always_on", true, .static),
    ]

    @Test("each declaration form serves the right value with the right reason", arguments: RulesetDeclarationTests.shopCases.map(\.name))
    func shopFile(name: String) throws {
        let entry = try #require(Self.shopCases.first { $0.name == name })
        let ruleset = try compile(shop)
        let result = try #require(ruleset.evaluate(entry.flag, in: Context(user: entry.user), now: fixedNow))
        #expect(result.flag == entry.flag)
        #expect(result.value == entry.value)
        #expect(result.reason == entry.reason)
    }

    /// A flag whose conditions up to the serving one are constants is answered without
    /// running them (`FlagProgram.fixedArm`): it must serve what running them would.
    @Test("flags with constant conditions serve the arm running them would, and only those are fixed")
    func constantConditions() throws {
        let ruleset = try Ruleset(source: """
            flag off = false
            flag on = true
            flag second {
              when false serve "a"
              when true serve "b"
              default "c"
            }
            flag then_attribute {
              when false serve "a"
              when user.plan == "pro" serve "b"
              default "c"
            }
            """)
        let fixed = ["off", "on", "second", "then_attribute"].map { ruleset.flagPrograms[ruleset.flagPosition($0)!].fixedArm }
        #expect(fixed == [-1, 0, 1, nil])
        for plan: Value in ["pro", "free", .null] {
            let context = Context(user: ["plan": plan])
            #expect(ruleset.evaluate("off", in: context, now: fixedNow)?.value == false)
            #expect(ruleset.evaluate("on", in: context, now: fixedNow)?.value == true)
            let second = try #require(ruleset.evaluate("second", in: context, now: fixedNow))
            #expect(second.value == "b")
            // Nothing of the context decides it: a static flag.
            #expect(second.reason == .static)
            #expect(ruleset.evaluate("then_attribute", in: context, now: fixedNow)?.value == (plan == "pro" ? "b" : "c"))
        }
    }

    @Test("the shop file compiles without warnings")
    func noWarnings() throws {
        let ruleset = try compile(shop)
        #expect(ruleset.warnings.isEmpty, "\(ruleset.warnings.map(\.message))")
    }

    @Test("flagNames lists flags only, in declaration order")
    func flagNamesOrder() throws {
        #expect(try compile(shop).flagNames == ["new_checkout", "payments_v2", "always_on", "checkout_button"])
        #expect(try compile(shopReordered).flagNames == ["checkout_button", "always_on", "payments_v2", "new_checkout"])
        // A flag declared before the prerequisite it uses keeps its place.
        let prerequisiteFirst = try compile("""
            flag z = m and user.a == 1
            let unused_but_used = 3
            flag a = unused_but_used == 3
            flag m = true
            """)
        #expect(prerequisiteFirst.flagNames == ["z", "a", "m"])
    }

    @Test("declarations may come in any order: the reordered file gives the same answers")
    func anyOrder() throws {
        let ordered = try compile(shop)
        let reordered = try compile(shopReordered)
        var contexts = generatedUsers(300)
        contexts += [Context(user: [:]), Context(user: ["plan": "pro"]), Context(user: ["group": "staff"])]
        for context in contexts {
            for flag in ordered.flagNames {
                let a = try #require(ordered.evaluate(flag, in: context, now: fixedNow))
                let b = try #require(reordered.evaluate(flag, in: context, now: fixedNow))
                #expect(a.value == b.value, "\(flag) for \(context.roots)")
                #expect(shape(a.reason) == shape(b.reason), "\(flag) for \(context.roots)")
            }
        }
    }

    @Test("the reordered file reports the lines where its whens now are")
    func reorderedLines() throws {
        let ruleset = try compile(shopReordered)
        let pro = Context(user: ["email": "b@gmail.com", "group": "none", "plan": "pro"])
        #expect(ruleset.evaluate("checkout_button", in: pro, now: fixedNow)?.reason == .match(rule: 1, line: 3))
        #expect(ruleset.evaluate("new_checkout", in: pro, now: fixedNow)?.reason == .match(rule: 0, line: 8))
    }

    @Test("a when's line is its own line, past comments and blank lines")
    func linesPastComments() throws {
        let ruleset = try compile("""
            # header comment

            flag tier {
              # the best customers first

              when user.plan == "enterprise" serve 3   // trailing comment
              when user.plan == "pro"
                serve 2
              when
                user.plan == "team"
                serve 1
              default 0
            }
            """)
        let cases: [(plan: Value, value: Value, reason: Reason)] = [
            ("enterprise", 3, .match(rule: 0, line: 6)),
            ("pro", 2, .match(rule: 1, line: 7)),
            ("team", 1, .match(rule: 2, line: 9)),
            ("free", 0, .default),
        ]
        for c in cases {
            let result = ruleset.evaluate("tier", in: Context(user: ["plan": c.plan]), now: fixedNow)
            #expect(result?.value == c.value, "\(c.plan)")
            #expect(result?.reason == c.reason, "\(c.plan)")
        }
    }

    @Test("lets name any value; segments and flags use them by bare name")
    func letsOfEveryKind() throws {
        let ruleset = try compile("""
            let limit = 18
            let greeting = "hi " + "there"
            let regions = ["KR", "JP"]
            segment adult = user.age >= limit
            segment asia = user.country in regions
            flag greet { when adult and asia serve greeting default "" }
            flag served_limit { when true serve limit default 0 }
            """)
        let adultInKorea = Context(user: ["age": 30, "country": "KR"])
        #expect(ruleset.evaluate("greet", in: adultInKorea, now: fixedNow)?.value == "hi there")
        #expect(ruleset.evaluate("greet", in: Context(user: ["age": 12, "country": "KR"]), now: fixedNow)?.value == "")
        #expect(ruleset.evaluate("served_limit", in: adultInKorea, now: fixedNow)?.value == 18)
        #expect(try ruleset.rule("regions").evaluate(Context(), now: fixedNow).get() == ["KR", "JP"])
    }

    @Test("evaluate returns nil for a name that is not a flag")
    func unknownFlag() throws {
        let ruleset = try compile(shop)
        #expect(ruleset.evaluate("checkout", in: Context(), now: fixedNow) == nil)
        #expect(ruleset.evaluate("internal", in: Context(), now: fixedNow) == nil, "a segment is not a flag")
        #expect(ruleset.evaluate("staff_groups", in: Context(), now: fixedNow) == nil, "a let is not a flag")
    }

    @Test("evaluateAll equals evaluating each flag on its own")
    func evaluateAllMatchesEach() throws {
        let ruleset = try compile(shop + "\n" + """
            flag rollout = bucket(user.id) < 30
            flag tiers {
              when bucket(user.id) < 10 serve "a"
              when user.age >= 40 serve "b"
              default "c"
            }
            """)
        var contexts = generatedUsers(300)
        contexts.append(Context())
        for context in contexts {
            let all = ruleset.evaluateAll(in: context, now: fixedNow)
            let each = ruleset.flagNames.compactMap { ruleset.evaluate($0, in: context, now: fixedNow) }
            #expect(all == each)
            #expect(all.map(\.flag) == ruleset.flagNames)
        }
    }
}

@Suite("Rule files: errors send a flag to its default")
struct RulesetErrorTests {
    @Test("an error in the first when serves the default with the error; it never falls through")
    func errorInFirstWhen() throws {
        let ruleset = try compile(shop)
        // No email: `internal` fails (`ends_with` on null); the second when would match.
        let result = try #require(ruleset.evaluate("checkout_button", in: Context(user: ["plan": "pro"]), now: fixedNow))
        #expect(result.value == "red")
        let e = try #require(failure(of: result.reason))
        #expect(e.message == "'ends_with' needs a string on the left, but it is null (a missing attribute?)")
        // The failing sub-expression lies in the segment, on line 3.
        #expect(e.location == Cohort.SourceLocation(line: 3, column: 20))
        #expect(ruleset.source.text(of: e.span) == #"user.email ends_with "@acme.com""#)
    }

    @Test("an error in a later when also serves the default, not a later arm")
    func errorInLaterWhen() throws {
        let ruleset = try compile("""
            flag age_band {
              when user.vip == true serve "vip"
              when user.age < 18 serve "minor"
              when true serve "everyone"
              default "unknown"
            }
            """)
        let result = try #require(ruleset.evaluate("age_band", in: Context(user: ["age": "twelve"]), now: fixedNow))
        #expect(result.value == "unknown")
        let e = try #require(failure(of: result.reason))
        #expect(e.message == "cannot apply '<' to string and number")
        #expect(e.location == Cohort.SourceLocation(line: 3, column: 8))
        #expect(ruleset.source.text(of: e.span) == "user.age < 18")
        // Without the error, the arms behave normally.
        #expect(ruleset.evaluate("age_band", in: Context(user: ["age": 12]), now: fixedNow)?.reason == .match(rule: 1, line: 3))
        #expect(ruleset.evaluate("age_band", in: Context(user: ["age": 30]), now: fixedNow)?.reason == .match(rule: 2, line: 4))
        #expect(ruleset.evaluate("age_band", in: Context(user: ["vip": true, "age": "x"]), now: fixedNow)?.reason == .match(rule: 0, line: 2))
    }

    @Test("a condition that is not a boolean at run time is an error, not a false")
    func nonBooleanCondition() throws {
        let ruleset = try compile("""
            flag f {
              when user.enabled serve "on"
              when true serve "fallthrough"
              default "off"
            }
            flag g = user.enabled
            """)
        let f = try #require(ruleset.evaluate("f", in: Context(user: ["enabled": "yes"]), now: fixedNow))
        #expect(f.value == "off")
        #expect(failure(of: f.reason)?.location.line == 2)
        let g = try #require(ruleset.evaluate("g", in: Context(user: ["enabled": 1]), now: fixedNow))
        #expect(g.value == false)
        #expect(failure(of: g.reason) != nil)
        // null is not a boolean either.
        #expect(failure(of: ruleset.evaluate("g", in: Context(), now: fixedNow)!.reason) != nil)
        #expect(ruleset.evaluate("g", in: Context(user: ["enabled": true]), now: fixedNow)?.reason == .match(rule: 0, line: 6))
    }

    @Test("a boolean flag whose expression fails serves false with the error")
    func booleanFlagError() throws {
        let ruleset = try compile("flag adult = user.age >= 18\n")
        let missing = try #require(ruleset.evaluate("adult", in: Context(user: ["id": "u-1"]), now: fixedNow))
        #expect(missing.value == false)
        let e = try #require(failure(of: missing.reason))
        #expect(e.message == "cannot apply '>=' to null and number (a missing attribute?)")
        #expect(e.location == Cohort.SourceLocation(line: 1, column: 14))
        #expect(ruleset.evaluate("adult", in: Context(user: ["age": 12]), now: fixedNow)?.reason == .default)
        #expect(ruleset.evaluate("adult", in: Context(user: ["age": 12]), now: fixedNow)?.value == false)
    }

    @Test("a failing serve value serves the default with the error")
    func failingServe() throws {
        let ruleset = try compile("""
            flag score {
              when user.plan == "pro" serve user.points * 2
              when true serve 1
              default 0
            }
            """)
        let bad = try #require(ruleset.evaluate("score", in: Context(user: ["plan": "pro", "points": "many"]), now: fixedNow))
        #expect(bad.value == 0)
        let e = try #require(failure(of: bad.reason))
        #expect(e.message == "cannot apply '*' to string and number")
        #expect(e.location == Cohort.SourceLocation(line: 2, column: 33))
        let good = ruleset.evaluate("score", in: Context(user: ["plan": "pro", "points": 21]), now: fixedNow)
        #expect(good?.value == 42)
        #expect(good?.reason == .match(rule: 0, line: 2))
        #expect(ruleset.evaluate("score", in: Context(user: ["plan": "free"]), now: fixedNow)?.reason == .match(rule: 1, line: 3))
    }

    @Test("a serve may evaluate to null, which is served (not an error)")
    func nullServe() throws {
        let ruleset = try compile("flag nick { when true serve user.nickname default \"none\" }\n")
        let result = ruleset.evaluate("nick", in: Context(user: [:]), now: fixedNow)
        #expect(result?.value == .null)
        // The condition is constant but the served value reads the context: not static.
        #expect(result?.reason == .match(rule: 0, line: 1))
    }

    @Test("and/or absorb an error when the other side decides (the flag matches)")
    func absorbedErrors() throws {
        let ruleset = try compile(shop)
        // Email missing, but the group decides `internal`: true, no error.
        let result = ruleset.evaluate("checkout_button", in: Context(user: ["group": "staff"]), now: fixedNow)
        #expect(result?.value == "green")
        #expect(result?.reason == .match(rule: 0, line: 10))
        // new_checkout = internal or plan == "pro": the error is absorbed by the true side.
        #expect(ruleset.evaluate("new_checkout", in: Context(user: ["plan": "pro"]), now: fixedNow)?.reason == .match(rule: 0, line: 5))
        // ... but not by a false one.
        let free = try #require(ruleset.evaluate("new_checkout", in: Context(user: ["plan": "free"]), now: fixedNow))
        #expect(free.value == false)
        #expect(failure(of: free.reason) != nil)
    }
}

@Suite("Rule files: bucket salting and prerequisites")
struct RulesetSaltTests {
    static let salted = """
        segment half = bucket(user.id) < 50
        let slot = bucket(user.id)
        flag a = half
        flag b = half
        flag tiers {
          when slot < 30 serve "low"
          when slot < 70 serve "mid"
          default "high"
        }
        flag explicit = bucket(user.id, "fixed") < 50
        """

    @Test("bucket in a segment or let salts with the flag being evaluated")
    func saltThroughSegmentsAndLets() throws {
        let ruleset = try compile(Self.salted)
        let referenceA = try Rule(#"bucket(user.id, "a") < 50"#)
        let referenceB = try Rule(#"bucket(user.id, "b") < 50"#)
        let tiersSlot = try Rule(#"bucket(user.id, "tiers")"#)
        let fixed = try Rule(#"bucket(user.id, "fixed") < 50"#)
        let unsalted = try Rule("bucket(user.id) < 50")
        for context in generatedUsers(2_000) {
            let a = try #require(ruleset.evaluate("a", in: context, now: fixedNow))
            let b = try #require(ruleset.evaluate("b", in: context, now: fixedNow))
            #expect(a.value == (try referenceA.evaluate(context, now: fixedNow).get()))
            #expect(b.value == (try referenceB.evaluate(context, now: fixedNow).get()))
            // The same as a standalone rule evaluated with the flag's name as the salt.
            #expect(a.value == (try unsalted.evaluate(context, now: fixedNow, salt: "a").get()))
            let slot = try tiersSlot.evaluate(context, now: fixedNow).get()
            guard case .number(let n) = slot else {
                Issue.record("bucket gave \(slot)")
                continue
            }
            let tier: Value = n < 30 ? "low" : n < 70 ? "mid" : "high"
            #expect(ruleset.evaluate("tiers", in: context, now: fixedNow)?.value == tier)
            // An explicit salt is not replaced by the flag's name.
            #expect(ruleset.evaluate("explicit", in: context, now: fixedNow)?.value == (try fixed.evaluate(context, now: fixedNow).get()))
        }
    }

    @Test("flags sharing a segment are bucketed independently (different salts)")
    func independentRollouts() throws {
        let ruleset = try compile(Self.salted)
        var differ = 0
        var inA = 0
        let users = generatedUsers(2_000)
        for context in users {
            let a = ruleset.evaluate("a", in: context, now: fixedNow)?.value
            let b = ruleset.evaluate("b", in: context, now: fixedNow)?.value
            if a != b { differ += 1 }
            if a == true { inA += 1 }
        }
        // Two independent 50% rollouts disagree for about half of the users.
        #expect(differ > users.count / 4, "a and b disagree for \(differ) of \(users.count) users")
        #expect(inA > users.count * 2 / 5 && inA < users.count * 3 / 5, "a is on for \(inA) of \(users.count) users")
    }

    static let prerequisites = """
        flag base = bucket(user.id) < 30
        flag dependent = base and user.plan == "pro"
        flag gated {
          when base serve "on"
          default "off"
        }
        flag adult = user.age >= 18
        flag kids_menu = not adult
        flag tier {
          when user.age >= 65 serve "senior"
          default "standard"
        }
        flag standard_tier = tier == "standard"
        """

    @Test("a prerequisite flag is computed with its own salt")
    func prerequisiteSalt() throws {
        let ruleset = try compile(Self.prerequisites)
        let base = try Rule(#"bucket(user.id, "base") < 30"#)
        let pro = try Rule(#"user.plan == "pro""#)
        for context in generatedUsers(1_000) {
            let expected = try base.evaluate(context, now: fixedNow).get()
            #expect(ruleset.evaluate("base", in: context, now: fixedNow)?.value == expected)
            let isPro = try pro.evaluate(context, now: fixedNow).get() == true
            #expect(ruleset.evaluate("dependent", in: context, now: fixedNow)?.value == .bool(expected == true && isPro))
            #expect(ruleset.evaluate("gated", in: context, now: fixedNow)?.value == (expected == true ? "on" : "off"))
        }
    }

    @Test("a prerequisite's salt is not the using flag's salt")
    func prerequisiteSaltDiffers() throws {
        // If `gated` evaluated `base` with its own salt, it would follow bucket(id, "gated").
        let ruleset = try compile(Self.prerequisites)
        let withWrongSalt = try Rule(#"bucket(user.id, "gated") < 30"#)
        var differ = 0
        for context in generatedUsers(1_000) {
            let gated = ruleset.evaluate("gated", in: context, now: fixedNow)?.value == "on"
            if gated != (try withWrongSalt.evaluate(context, now: fixedNow).get() == true) { differ += 1 }
        }
        #expect(differ > 100, "only \(differ) of 1000 users distinguish the salts")
    }

    @Test("a prerequisite that errs gives its default, and the user sees no error")
    func prerequisiteDefault() throws {
        let ruleset = try compile(Self.prerequisites)
        let noAge = Context(user: ["id": "u-1"])
        #expect(failure(of: ruleset.evaluate("adult", in: noAge, now: fixedNow)!.reason) != nil)
        let kids = ruleset.evaluate("kids_menu", in: noAge, now: fixedNow)
        #expect(kids?.value == true)
        #expect(kids?.reason == .match(rule: 0, line: 8))
        #expect(failure(of: ruleset.evaluate("tier", in: noAge, now: fixedNow)!.reason) != nil)
        let standard = ruleset.evaluate("standard_tier", in: noAge, now: fixedNow)
        #expect(standard?.value == true)
        #expect(standard?.reason == .match(rule: 0, line: 13))
        // And normally the prerequisites' served values flow through.
        #expect(ruleset.evaluate("standard_tier", in: Context(user: ["age": 70]), now: fixedNow)?.value == false)
        #expect(ruleset.evaluate("kids_menu", in: Context(user: ["age": 10]), now: fixedNow)?.value == true)
        #expect(ruleset.evaluate("kids_menu", in: Context(user: ["age": 30]), now: fixedNow)?.value == false)
    }
}

@Suite("Rule files: expressions compiled against a ruleset")
struct RulesetRuleTests {
    @Test("rule(_:) can use lets and segments by name")
    func usesDeclarations() throws {
        let ruleset = try compile(shop)
        let rule = try ruleset.rule(#"internal and user.plan == "pro""#)
        #expect(try rule.evaluate(Context(user: ["group": "qa", "plan": "pro"]), now: fixedNow).get() == true)
        #expect(try rule.evaluate(Context(user: ["group": "qa", "plan": "free"]), now: fixedNow).get() == false)
        #expect(try rule.evaluate(Context(user: ["email": "x@acme.com", "plan": "pro"]), now: fixedNow).get() == true)
        #expect(try ruleset.rule(#""qa" in staff_groups"#).evaluate(Context(), now: fixedNow).get() == true)
    }

    @Test("an error inside a segment used by name points at the name in the expression, not into the rule file")
    func errorSpanOfInlinedDeclaration() throws {
        let ruleset = try Ruleset(source: """
            # a comment line, so the segment's spans are far from the expression's
            segment internal = user.email ends_with "@acme.com"
            """)
        let rule = try ruleset.rule("true and internal")
        guard case .failure(let error) = rule.evaluate(Context(user: ["id": "x"]), now: fixedNow) else {
            Issue.record("a missing email must be an error value")
            return
        }
        #expect(error.message.contains("'ends_with' needs a string on the left"))
        #expect(error.location.line == 1 && error.location.column == 10)
        #expect(rule.source.text(of: error.span) == "internal")
        // Inside the rule file itself, spans still point into the segment.
        let flagged = try Ruleset(source: "segment internal = user.email ends_with \"@acme.com\"\nflag f = internal")
        guard case .error(let inFile)? = flagged.evaluate("f", in: Context(user: ["id": "x"]), now: fixedNow)?.reason else {
            Issue.record("the flag must report the error")
            return
        }
        #expect(inFile.location.line == 1 && inFile.location.column == 20)
    }

    @Test("a bare flag name evaluates that flag, with its own salt, whatever the caller's salt")
    func bareFlagName() throws {
        let ruleset = try compile(RulesetSaltTests.salted + "\n" + shop)
        for flag in ["a", "tiers", "checkout_button", "new_checkout"] {
            let rule = try ruleset.rule(flag)
            for context in generatedUsers(300) {
                let expected = ruleset.evaluate(flag, in: context, now: fixedNow)?.value
                #expect(try rule.evaluate(context, now: fixedNow, salt: "someone-else").get() == expected, "\(flag)")
                #expect(try rule.evaluate(context, now: fixedNow).get() == expected, "\(flag)")
            }
        }
        // A flag that errs gives its default through a bare name, not an error.
        #expect(try ruleset.rule("checkout_button").evaluate(Context(user: ["plan": "pro"]), now: fixedNow).get() == "red")
    }

    @Test("a segment used in rule(_:) salts with the caller's salt")
    func segmentUsesCallerSalt() throws {
        let ruleset = try compile(RulesetSaltTests.salted)
        let rule = try ruleset.rule("half")
        for context in generatedUsers(500) {
            #expect(try rule.evaluate(context, now: fixedNow, salt: "a").get() == ruleset.evaluate("a", in: context, now: fixedNow)?.value)
            #expect(try rule.evaluate(context, now: fixedNow, salt: "b").get() == ruleset.evaluate("b", in: context, now: fixedNow)?.value)
        }
    }

    @Test("rule(_:) reports unknown names with a did-you-mean among the declarations")
    func unknownNameInRule() throws {
        let ruleset = try compile(shop)
        do {
            _ = try ruleset.rule("internl and true")
            Issue.record("expected a compile error")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["unknown name 'internl'; did you mean 'internal'?"])
        }
    }
}
