import Cohort
import Testing

/// What a built-in call should give.
enum BuiltinOutcome: Sendable, Equatable, CustomStringConvertible {
    /// A value.
    case value(Value)
    /// An error value at run time.
    case runtimeError
    /// A compile error (the arguments are constants, or of a type that can never work).
    case compileError

    var description: String {
        switch self {
        case .value(let v): v.jsonText
        case .runtimeError: "error value"
        case .compileError: "compile error"
        }
    }
}

/// One row of a built-in table: `source` evaluated with `user` bound, the given default
/// salt, and `now()` = 2026-01-01T00:00:00Z.
struct BuiltinCase: Sendable, CustomTestStringConvertible {
    var source: String
    var user: Value = [:]
    var salt = ""
    var expected: BuiltinOutcome

    var testDescription: String {
        var text = source
        if user != [:] { text += " with user \(user.jsonText)" }
        if !salt.isEmpty { text += " salted \(salt)" }
        return text + " → \(expected)"
    }
}

private func row(_ source: String, _ expected: Value, user: Value = [:], salt: String = "") -> BuiltinCase {
    BuiltinCase(source: source, user: user, salt: salt, expected: .value(expected))
}

private func runtimeError(_ source: String, user: Value = [:], salt: String = "") -> BuiltinCase {
    BuiltinCase(source: source, user: user, salt: salt, expected: .runtimeError)
}

private func compileError(_ source: String) -> BuiltinCase {
    BuiltinCase(source: source, expected: .compileError)
}

/// 2026-01-01T00:00:00Z, the `now()` of these tests.
private let now = Instant(seconds: 1_767_225_600)

private func evaluate(_ row: BuiltinCase) -> BuiltinOutcome {
    guard let rule = try? Rule(row.source) else { return .compileError }
    switch rule.evaluate(["user": row.user], now: now, salt: row.salt) {
    case .success(let value): return .value(value)
    case .failure: return .runtimeError
    }
}

/// The tables, one per family of functions.
enum BuiltinTable {
    /// `bucket`: murmur3_x86_32(salt + ":" + key) % buckets. The vectors match Unleash's
    /// `normalizedHash - 1` for the same group id.
    static let bucket: [BuiltinCase] = [
        row("bucket(\"u-42\")", 94),
        row("bucket(\"u-42\")", 3, salt: "new_checkout"),
        row("bucket(\"1001\")", 14, salt: "new_checkout"),
        row("bucket(1001)", 14, salt: "new_checkout"),
        row("bucket(1001.0)", 14, salt: "new_checkout"),
        row("bucket(1_001)", 14, salt: "new_checkout"),
        row("bucket(user.id)", 3, user: ["id": "u-42"], salt: "new_checkout"),
        row("bucket(user.n)", 14, user: ["n": 1001], salt: "new_checkout"),
        row("bucket(\"u-42\", \"new_checkout\")", 3),
        row("bucket(\"u-42\", \"new_checkout\")", 3, salt: "ignored when a salt is given"),
        row("bucket(\"alice@example.com\", \"checkout_button\")", 73),
        row("bucket(user.email, user.flag)", 73, user: ["email": "alice@example.com", "flag": "checkout_button"]),
        row("bucket(\"u-42\", \"new_checkout\", 10000)", 403),
        row("bucket(user.id, \"new_checkout\", user.n)", 403, user: ["id": "u-42", "n": 10000]),
        row("bucket(\"u-42\", \"new_checkout\", 1)", 0),
        row("bucket(\"u-42\", \"new_checkout\", 100) == bucket(\"u-42\", \"new_checkout\")", true),
        // A 20% rollout that grows to 40% keeps everyone who was in.
        row("bucket(\"u-42\", \"new_checkout\") < 20 and bucket(\"u-42\", \"new_checkout\") < 40", true),
        runtimeError("bucket(user.b)", user: ["b": true]),
        runtimeError("bucket(user.missing)"),
        runtimeError("bucket(user.tags)", user: ["tags": ["a"]]),
        runtimeError("bucket(\"k\", user.n)", user: ["n": 1]),
        runtimeError("bucket(\"k\", user.missing)"),
        runtimeError("bucket(\"k\", \"s\", user.n)", user: ["n": 0]),
        runtimeError("bucket(\"k\", \"s\", user.n)", user: ["n": 1.5]),
        runtimeError("bucket(\"k\", \"s\", user.n)", user: ["n": -10]),
        runtimeError("bucket(\"k\", \"s\", user.n)", user: ["n": 4_294_967_297]),
        runtimeError("bucket(\"k\", \"s\", user.n)", user: ["n": "10"]),
        compileError("bucket(true)"),
        compileError("bucket(null)"),
        compileError("bucket(\"k\", 1)"),
        compileError("bucket(\"k\", \"s\", 0)"),
        compileError("bucket(\"k\", \"s\", 1.5)"),
        compileError("bucket(\"k\", \"s\", 4294967297)"),
        compileError("bucket(\"k\", \"s\", -1)"),
    ]

    static let strings: [BuiltinCase] = [
        row("lower(\"ÀB c\")", "àb c"), row("lower(user.email)", "ada@acme.com", user: ["email": "Ada@ACME.com"]),
        row("upper(\"straße\")", "STRASSE"), row("upper(\"abc\")", "ABC"), row("lower(\"\")", ""),
        row("lower(user.email) == \"ada@acme.com\"", true, user: ["email": "ADA@acme.com"]),
        runtimeError("lower(user.missing)"), runtimeError("lower(user.n)", user: ["n": 1]),
        runtimeError("upper(user.tags)", user: ["tags": ["a"]]),
        compileError("lower(1)"), compileError("upper(null)"),
        row("trim(\"  a b  \")", "a b"), row("trim(\"\\t\\n x \\r\")", "x"), row("trim(\"   \")", ""), row("trim(\"\")", ""),
        row("trim(\"\u{00A0}\u{2003}x\u{3000}\u{2028}\")", "x"), row("trim(\"\u{0085}x y\u{000B}\")", "x y"),
        row("trim(\"\u{200B}x\")", "\u{200B}x"),  // a zero-width space is not whitespace
        row("trim(user.s)", "padded", user: ["s": "  padded\n"]),
        runtimeError("trim(user.missing)"), compileError("trim(1)"),
        row("len(\"abc\")", 3), row("len(\"\")", 0), row("len(\"é\")", 1), row("len(\"e\u{301}\")", 1),
        row("len(\"e\\u{301}\")", 1), row("len(\"🇳🇴🇸🇪\")", 2), row("len(\"👨‍👩‍👧\")", 1), row("len(\"a😀b\")", 3),
        row("len(\"\\r\\n\")", 1),
        row("len([1, 2, 3])", 3), row("len([])", 0), row("len([[1, 2]])", 1),
        row("len(user.tags)", 2, user: ["tags": ["a", "b"]]),
        row("len(user.obj)", 2, user: ["obj": ["a": 1, "b": 2]]), row("len(user.name)", 3, user: ["name": "Ada"]),
        runtimeError("len(user.missing)"), runtimeError("len(user.n)", user: ["n": 5]), compileError("len(1)"),
        compileError("len(true)"),
    ]

    static let versions: [BuiltinCase] = [
        row("string(semver(\"v5.2\"))", "5.2.0"), row("string(semver(\"V1\"))", "1.0.0"),
        row("string(semver(\"1.2.3-rc.1+build.5\"))", "1.2.3-rc.1+build.5"),
        row("semver(\"1.2.3\") == semver(\"v1.2.3\")", true), row("semver(\"5.2\") == semver(\"5.2.0\")", true),
        row("semver(\"1.0.0+a\") == semver(\"1.0.0+b\")", true),
        row("semver(\"1.0.0-alpha\") < semver(\"1.0.0\")", true),
        row("semver(\"1.0.0-alpha.1\") < semver(\"1.0.0-alpha.beta\")", true),
        row("semver(\"1.0.0-2\") < semver(\"1.0.0-10\")", true),
        row("semver(\"1.2.3\") < semver(\"1.10.0\")", true),
        row("semver(semver(\"1.2.3\")) == semver(\"1.2.3\")", true),
        row("semver(user.v) >= semver(\"2.0.0\")", true, user: ["v": "v2.1"]),
        row("string(semver(\"18446744073709551615.0.0\"))", "18446744073709551615.0.0"),
        runtimeError("semver(user.v)", user: ["v": "banana"]), runtimeError("semver(user.v)", user: ["v": 1]),
        runtimeError("semver(user.missing)"),
        compileError("semver(\"banana\")"), compileError("semver(\"01.2.3\")"), compileError("semver(\"1.2.3.4\")"),
        compileError("semver(\" 1.2.3\")"), compileError("semver(\"1.2.3 \")"), compileError("semver(\"\")"),
        compileError("semver(\"18446744073709551616.0.0\")"), compileError("semver(\"1.0.0-\")"),
        compileError("semver(\"1.0.0-01\")"), compileError("semver(1)"),
    ]

    static let times: [BuiltinCase] = [
        row("string(time(\"2026-12-01T09:00:00Z\"))", "2026-12-01T09:00:00Z"),
        row("string(time(\"2026-12-01t09:00:00z\"))", "2026-12-01T09:00:00Z"),
        row("string(time(\"2026-12-01T10:30:00+01:30\"))", "2026-12-01T09:00:00Z"),
        row("string(time(\"2026-12-01T09:00:00.500Z\"))", "2026-12-01T09:00:00.5Z"),
        row("string(time(\"2026-12-01T09:00:00.000Z\"))", "2026-12-01T09:00:00Z"),
        row("string(date(\"2026-12-01\"))", "2026-12-01T00:00:00Z"),
        row("string(date(\"2024-02-29\"))", "2024-02-29T00:00:00Z"),
        row("time(\"2026-12-01T09:00:00Z\") - date(\"2026-12-01\")", 32_400),
        row("time(\"2026-12-01T09:00:00Z\") == time(\"2026-12-01T10:00:00+01:00\")", true),
        row("time(time(\"2026-12-01T09:00:00Z\")) == time(\"2026-12-01T09:00:00Z\")", true),
        row("time(user.t) < time(\"2027-01-01T00:00:00Z\")", true, user: ["t": "2026-12-01T09:00:00Z"]),
        row("date(user.d) == date(\"2026-12-01\")", true, user: ["d": "2026-12-01"]),
        runtimeError("time(user.t)", user: ["t": "yesterday"]), runtimeError("time(user.t)", user: ["t": "2026-12-01"]),
        runtimeError("date(user.d)", user: ["d": "2026-12-01T09:00:00Z"]), runtimeError("time(user.missing)"),
        runtimeError("time(user.n)", user: ["n": 0]),
        compileError("time(\"2026-12-01T09:00:60Z\")"), compileError("time(\"2026-02-30T00:00:00Z\")"),
        compileError("time(\"2026-12-01\")"), compileError("date(\"2026-12-01T09:00:00Z\")"),
        compileError("date(\"2025-02-29\")"), compileError("date(\"2026-1-1\")"), compileError("time(\"\")"),
        compileError("time(1)"),
        // now(): the caller's instant, fixed for the evaluation.
        row("now()", .time(now)), row("string(now())", "2026-01-01T00:00:00Z"),
        row("now() - date(\"2025-12-31\")", 86_400), row("now() > \"2025-06-01\"", true), row("now() == now()", true),
        row("now() - time(user.signup_at) < days(30)", true, user: ["signup_at": "2025-12-15T00:00:00Z"]),
        row("now() - time(user.signup_at) < days(30)", false, user: ["signup_at": "2025-11-01T00:00:00Z"]),
        row("days(1)", 86_400), row("hours(2)", 7_200), row("minutes(1.5)", 90), row("days(0)", 0), row("hours(-1)", -3_600),
        row("days(user.n)", 172_800, user: ["n": 2]),
        runtimeError("days(user.s)", user: ["s": "1"]), runtimeError("hours(user.missing)"),
        runtimeError("minutes(user.n)", user: ["n": 1e307]),
        compileError("days(\"1\")"), compileError("days(1e304)"),
    ]

    static let conversions: [BuiltinCase] = [
        row("number(\"42\")", 42), row("number(\"-3.5\")", -3.5), row("number(\"1e3\")", 1000), row("number(\"1E-2\")", 0.01),
        row("number(\"0\")", 0), row("number(\"-0\")", 0), row("number(\"0.5\")", 0.5), row("number(5)", 5),
        row("number(user.s)", 12, user: ["s": "12"]), row("number(user.n)", 7, user: ["n": 7]),
        runtimeError("number(user.s)", user: ["s": "x"]), runtimeError("number(user.b)", user: ["b": true]),
        runtimeError("number(user.missing)"), runtimeError("number(user.s)", user: ["s": "1_000"]),
        compileError("number(\"x\")"), compileError("number(\"1_000\")"), compileError("number(\" 1\")"),
        compileError("number(\"1 \")"), compileError("number(\"+1\")"), compileError("number(\".5\")"),
        compileError("number(\"5.\")"), compileError("number(\"0x10\")"), compileError("number(\"01\")"),
        compileError("number(\"NaN\")"), compileError("number(\"Infinity\")"), compileError("number(\"\")"),
        compileError("number(\"1e400\")"), compileError("number(true)"),
        row("string(42)", "42"), row("string(-0)", "0"), row("string(0.1)", "0.1"), row("string(1.5)", "1.5"),
        row("string(-1.5)", "-1.5"), row("string(100)", "100"), row("string(123456789)", "123456789"),
        row("string(1e16)", "1e+16"), row("string(0.1 + 0.2)", "0.30000000000000004"),
        row("string(true)", "true"), row("string(false)", "false"), row("string(null)", "null"),
        row("string(\"x\")", "x"), row("string(\"\")", ""),
        row("string([1, \"a\", null, true])", "[1,\"a\",null,true]"), row("string([])", "[]"),
        row("string([\"a\\\"b\", \"\\n\"])", "[\"a\\\"b\",\"\\n\"]"),
        row("string(user.obj)", "{\"a\":[true],\"b\":1}", user: ["obj": ["b": 1, "a": [true]]]),
        row("string(user.missing)", "null"), row("string(user.n)", "1001", user: ["n": 1001]),
        row("string(semver(\"v1.2.3\"))", "1.2.3"),
        row("string(time(\"2026-12-01T09:00:00Z\"))", "2026-12-01T09:00:00Z"),
        row("string(user.n) == \"42\"", true, user: ["n": 42.0]),
        row("exists(user.x)", true, user: ["x": 0]), row("exists(user.x)", false, user: ["x": nil]),
        row("exists(user.x)", false), row("exists(\"\")", true), row("exists(null)", false),
    ]
}

@Suite("Built-in functions")
struct BuiltinTests {
    @Test("bucket", arguments: BuiltinTable.bucket)
    func bucket(row: BuiltinCase) {
        #expect(evaluate(row) == row.expected)
    }

    @Test("lower, upper, trim, len", arguments: BuiltinTable.strings)
    func strings(row: BuiltinCase) {
        #expect(evaluate(row) == row.expected)
    }

    @Test("semver", arguments: BuiltinTable.versions)
    func versions(row: BuiltinCase) {
        #expect(evaluate(row) == row.expected)
    }

    @Test("time, date, now, days, hours, minutes", arguments: BuiltinTable.times)
    func times(row: BuiltinCase) {
        #expect(evaluate(row) == row.expected)
    }

    @Test("number, string, exists", arguments: BuiltinTable.conversions)
    func conversions(row: BuiltinCase) {
        #expect(evaluate(row) == row.expected)
    }

    @Test("bucket spreads keys over 0 ..< buckets")
    func bucketRange() throws {
        let rule = try Rule("bucket(user.id, \"spread\", user.buckets)")
        for buckets in [1, 2, 7, 100, 1000] {
            var seen = Set<Double>()
            for i in 0..<500 {
                let result = try rule.evaluate(["user": ["id": .string("user-\(i)"), "buckets": .number(Double(buckets))]]).get()
                guard case .number(let n) = result else {
                    Issue.record("bucket gave \(result)")
                    return
                }
                #expect(n >= 0 && n < Double(buckets) && n.rounded() == n)
                seen.insert(n)
            }
            // 500 keys reach most of a small number of buckets.
            if buckets <= 100 { #expect(seen.count > buckets / 2, "\(buckets) buckets: \(seen.count) seen") }
        }
    }

    @Test("a flag's salt keeps rollouts independent")
    func saltsAreIndependent() throws {
        let rule = try Rule("bucket(user.id)")
        var same = 0
        for i in 0..<200 {
            let context: Context = ["user": ["id": .string("user-\(i)")]]
            let a = try rule.evaluate(context, salt: "flag_a").get()
            let b = try rule.evaluate(context, salt: "flag_b").get()
            if a == b { same += 1 }
        }
        // Independent buckets agree about 1% of the time.
        #expect(same < 20)
    }

    @Test("bucket with a default salt is not folded, so the caller's salt applies")
    func bucketDefaultSaltNotFolded() throws {
        let rule = try Rule("bucket(\"u-42\")")
        #expect(rule.program.constantValue == nil)
        #expect(rule.disassembly.contains("default_salt"))
    }

    @Test("now() is fixed for one evaluation and supplied by the caller")
    func nowIsTheCallers() throws {
        let rule = try Rule("now()")
        #expect(try rule.evaluate([:], now: now).get() == .time(now))
        let later = Instant(seconds: 1_767_225_600 + 3_600)
        #expect(try rule.evaluate([:], now: later).get() == .time(later))
        #expect(try Rule("now() - now()").evaluate([:], now: later).get() == 0)
    }

    @Test("every built-in is covered by a table")
    func everyBuiltinCovered() {
        let sources = (BuiltinTable.bucket + BuiltinTable.strings + BuiltinTable.versions + BuiltinTable.times
            + BuiltinTable.conversions).map(\.source)
        for name in ["bucket", "lower", "upper", "trim", "len", "semver", "time", "date", "now", "days", "hours",
                     "minutes", "number", "string", "exists"] {
            #expect(sources.contains { $0.contains(name + "(") }, "\(name)")
        }
    }
}
