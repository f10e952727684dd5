import Cohort
import Testing

/// The diagnostics of a rule that must not compile (empty, with an issue, if it compiles).
private func diagnostics(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [Diagnostic] {
    do {
        _ = try Rule(text)
        Issue.record("expected a compile error for: \(text)", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.diagnostics
    }
}

/// 2026-06-01T00:00:00Z, the `now` of these tests.
private let june2026 = Instant(seconds: 1_780_272_000)

@Suite("Checker")
struct CheckerTests {
    // MARK: Names and functions

    @Test("unknown names and functions suggest the closest known one", arguments: [
        ("usr.id == \"u-42\"", "unknown-name", "unknown name 'usr'; did you mean 'user'?"),
        ("devise.os == \"ios\"", "unknown-name", "unknown name 'devise'; did you mean 'device'?"),
        ("user.a == 1 or ogr.id == 2", "unknown-name", "unknown name 'ogr'; did you mean 'org'?"),
        ("buckt(user.id) < 20", "unknown-function", "unknown function 'buckt'; did you mean 'bucket'?"),
        ("lowr(user.email) == \"a\"", "unknown-function", "unknown function 'lowr'; did you mean 'lower'?"),
        ("semvr(user.v) > semver(\"1.0.0\")", "unknown-function", "unknown function 'semvr'; did you mean 'semver'?"),
        ("exist(user.x)", "unknown-function", "unknown function 'exist'; did you mean 'exists'?"),
    ])
    func unknownWithSuggestion(source: String, code: String, message: String) {
        let found = diagnostics(source)
        #expect(found.count == 1)
        #expect(found.first?.code == code)
        #expect(found.first?.message == message)
    }

    @Test("a misspelt word operator used as a function suggests the operator")
    func operatorAsFunction() {
        let found = diagnostics("startsWith(user.email, \"admin\")")
        #expect(found.first?.code == "unknown-function")
        #expect(found.first?.message.contains("'starts_with'") == true)
        #expect(found.first?.span == SourceSpan(start: 0, end: 31))
        let infix = diagnostics("user.email startsWith \"admin\"")
        #expect(infix.first?.message.contains("'starts_with'") == true)
    }

    @Test("an unknown name far from every candidate has no suggestion")
    func noSuggestion() {
        let found = diagnostics("xyzzy == 1")
        #expect(found.first?.message == "unknown name 'xyzzy'")
        #expect(found.first?.span == SourceSpan(start: 0, end: 5))
        #expect(diagnostics("frobnicate(1)").first?.message == "unknown function 'frobnicate'")
    }

    @Test("several errors are reported at once")
    func severalErrors() {
        let found = diagnostics("usr.a == 1 or devise.b == 2 or buckt(user.id) < 3")
        #expect(found.map(\.code) == ["unknown-name", "unknown-name", "unknown-function"])
        #expect(found.map(\.span.start) == [0, 14, 31])
    }

    @Test("functions are not values, and roots are not functions")
    func functionsAndRoots() {
        #expect(diagnostics("bucket == 1").first?.message.contains("is a function") == true)
        #expect(diagnostics("user(1)").first?.message.contains("is not a function") == true)
    }

    @Test("extra roots can be allowed")
    func extraRoots() throws {
        #expect(diagnostics("tenant.id == 1").first?.code == "unknown-name")
        let rule = try Rule("tenant.id == 1", options: CompileOptions(addingRoots: ["tenant"]))
        #expect(rule.matches(["tenant": ["id": 1]]))
        // Every default root is a name, and an absent root is null.
        for root in ["user", "device", "org", "account", "request", "session", "app", "env"] {
            #expect(try Rule("\(root) == null").matches([:]), "\(root)")
        }
    }

    // MARK: Arity

    @Test("wrong argument counts are compile errors", arguments: [
        "bucket()", "bucket(1, \"s\", 10, 4)", "lower()", "lower(\"a\", \"b\")", "upper()", "trim()", "len()",
        "len(\"a\", \"b\")", "semver()", "time()", "date()", "now(1)", "days()", "hours(1, 2)", "minutes()",
        "number()", "string()", "string(1, 2)", "exists()", "exists(user.a, user.b)",
    ])
    func arity(source: String) {
        let found = diagnostics(source)
        #expect(found.map(\.code) == ["arity"], "\(source)")
        #expect(found.first?.span == SourceSpan(start: 0, end: source.utf8.count))
    }

    @Test("the arity message says what was expected")
    func arityMessage() {
        #expect(diagnostics("bucket()").first?.message == "bucket() takes 1 to 3 arguments (key, salt, buckets), but none were given")
        #expect(diagnostics("now(1)").first?.message == "now() takes no arguments, but 1 was given")
        #expect(diagnostics("lower(\"a\", \"b\")").first?.message == "lower() takes 1 argument, but 2 were given")
    }

    // MARK: Definite type mismatches

    @Test("operators that can never work are compile errors", arguments: [
        ("\"a\" < 1", "type-mismatch"),
        ("(user.a < user.b) * 2", "type-mismatch"),
        ("exists(user.x) + 1", "type-mismatch"),
        ("\"a\" + 1", "type-mismatch"),
        ("1 + \"a\"", "type-mismatch"),
        ("(user.a == 1) + 1", "type-mismatch"),
        ("lower(user.x) * 2", "type-mismatch"),
        ("-lower(user.x)", "type-mismatch"),
        ("-\"a\"", "type-mismatch"),
        ("not 1", "type-mismatch"),
        ("not \"a\"", "type-mismatch"),
        ("1 and true", "type-mismatch"),
        ("user.a or \"yes\"", "type-mismatch"),
        ("true < false", "type-mismatch"),
        ("null < 1", "type-mismatch"),
        ("[1] < [2]", "type-mismatch"),
        ("len(user.tags) < \"3\"", "type-mismatch"),
        ("semver(user.v) < 2", "type-mismatch"),
        ("now() > 5", "type-mismatch"),
        ("\"x\" in \"xyz\"", "type-mismatch"),
        ("user.x in \"xyz\"", "type-mismatch"),
        ("5 contains 1", "type-mismatch"),
        ("user.s contains_any \"a\"", "type-mismatch"),
        ("user.s starts_with 1", "type-mismatch"),
        ("len(user.s) ends_with \"1\"", "type-mismatch"),
        ("1 matches \"a\"", "type-mismatch"),
        ("user.s matches user.pattern", "regex-not-constant"),
        ("lower(1)", "type-mismatch"),
        ("len(1)", "type-mismatch"),
        ("days(\"1\")", "type-mismatch"),
        ("semver(1)", "type-mismatch"),
        ("time(1)", "type-mismatch"),
        ("bucket(true)", "type-mismatch"),
        ("bucket(user.id, 1)", "type-mismatch"),
        ("bucket(user.id, \"s\", \"10\")", "type-mismatch"),
        ("now() - 1 - now() - now()", "type-mismatch"),
    ])
    func definiteMismatch(source: String, code: String) {
        let found = diagnostics(source)
        #expect(found.map(\.code) == [code], "\(source)")
    }

    @Test("constant expressions that always fail are compile errors", arguments: [
        "1/0", "1 % 0", "number(\"x\")", "semver(\"banana\")", "time(\"yesterday\")", "date(\"2026-02-30\")",
        "bucket(\"k\", \"s\", 0)", "bucket(\"k\", \"s\", 1.5)", "1e308 * 10", "days(1e304)",
        "[1, 2][0] / 0",
    ])
    func constantFailures(source: String) {
        let found = diagnostics(source)
        #expect(found.map(\.code) == ["constant-error"], "\(source)")
        #expect(found.first?.message.hasPrefix("this constant expression always fails: ") == true)
    }

    @Test("a division by zero points at the division")
    func divisionByZeroSpan() {
        let found = diagnostics("user.a == 1 or 2 + 1/0 > 1")
        #expect(found.first?.span == SourceSpan(start: 19, end: 22))
    }

    @Test("what may work at run time compiles", arguments: [
        "user.age < 18", "user.a + 1", "user.a + user.b", "lower(user.email) == \"x\"", "user.x and true",
        "not user.x", "-user.n", "user.a in user.b", "user.a contains user.b", "semver(user.v) > semver(user.w)",
        "\"a\" == 1", "null == null", "user.tags[user.i]", "len(user.x) > 2", "bucket(user.id) < user.pct",
        "time(user.t) + days(1) > now()", "user.s matches \"^a\"", "string(user.x) == \"1\"",
    ])
    func compiles(source: String) throws {
        _ = try Rule(source)
    }

    // MARK: Literal conversion

    @Test("a string literal compared with a version is converted")
    func versionLiteralConversion() throws {
        let rule = try Rule("semver(user.v) >= \"2.0.0\"")
        #expect(rule.matches(["user": ["v": "2.1.0"]]))
        #expect(rule.matches(["user": ["v": "v2.0.0"]]))
        #expect(!rule.matches(["user": ["v": "1.9.9"]]))
        // On the left too, and with missing parts.
        let left = try Rule("\"2.0\" < semver(user.v)")
        #expect(left.matches(["user": ["v": "2.0.1"]]))
        #expect(!left.matches(["user": ["v": "2.0.0"]]))
        let equal = try Rule("semver(user.v) == \"v5.2\"")
        #expect(equal.matches(["user": ["v": "5.2.0"]]))
    }

    @Test("an invalid version or time literal is a compile error", arguments: [
        "semver(user.v) >= \"banana\"", "semver(user.v) == \"1.02.3\"", "\"\" < semver(user.v)",
        "now() < \"not a time\"", "time(user.t) == \"2026-13-01\"", "now() > \"2026-01-01T25:00:00Z\"",
    ])
    func invalidLiteral(source: String) {
        #expect(diagnostics(source).map(\.code) == ["invalid-literal"], "\(source)")
    }

    @Test("a string literal compared with a time is converted; a date means midnight UTC")
    func timeLiteralConversion() throws {
        let rule = try Rule("now() > \"2026-01-01\"")
        #expect(try rule.evaluate([:], now: june2026).get() == true)
        #expect(try rule.evaluate([:], now: Instant(seconds: 1_767_225_600)).get() == false)  // exactly midnight
        let stamp = try Rule("now() >= \"2026-06-01T00:00:00Z\"")
        #expect(try stamp.evaluate([:], now: june2026).get() == true)
        let signup = try Rule("time(user.signup) < \"2026-01-01T00:00:00Z\"")
        #expect(signup.matches(["user": ["signup": "2025-12-31T23:59:59Z"]]))
        #expect(!signup.matches(["user": ["signup": "2026-01-01T00:00:00Z"]]))
    }

    @Test("strings inside lists and strings from the context are not converted")
    func noConversion() throws {
        let inList = try Rule("semver(user.v) in [\"1.0.0\"]")
        #expect(try inList.evaluate(["user": ["v": "1.0.0"]]).get() == false)
        let runtime = try Rule("semver(user.v) > user.w")
        let result = runtime.evaluate(["user": ["v": "1.0.0", "w": "0.9.0"]])
        #expect(throws: EvaluationError.self) { try result.get() }
        // Equality with a run-time string is simply false.
        #expect(try Rule("semver(user.v) == user.w").evaluate(["user": ["v": "1.0.0", "w": "1.0.0"]]).get() == false)
    }

    // MARK: Constant folding

    @Test("constant sub-expressions fold to one constant", arguments: [
        ("1 + 2 * 3", Value.number(7)),
        ("(1 + 2) * 3", 9),
        ("10 % 3", 1),
        ("-(3)", -3),
        ("\"ab\" + \"cd\"", "abcd"),
        ("lower(\"ABC\") == \"abc\"", true),
        ("len([1, 2, 3])", 3),
        ("1 in [1, 2]", true),
        ("[1, 2][0]", 1),
        ("[1, 2][5]", nil),
        ("not true", false),
        ("\"a\" == 1", false),
        ("exists(null)", false),
        ("string(42)", "42"),
        ("days(1)", 86_400),
        ("[1, \"a\", [true]]", [1, "a", [true]]),
        ("false and user.x", false),
        ("user.x and false", false),
        ("true or user.x", true),
        ("user.x == 1 or true", true),
        ("true and true and not false", true),
        ("semver(\"1.2.3\") < semver(\"1.10.0\")", true),
        ("bucket(\"u-42\", \"new_checkout\")", 3),
        ("1 + 1 == 2 and \"qa\" in [\"qa\", \"beta\"]", true),
    ] as [(String, Value)])
    func folding(source: String, expected: Value) throws {
        let rule = try Rule(source)
        #expect(rule.program.constantValue == expected, "\(source)")
        #expect(rule.program.code.count == 1)
        #expect(try rule.evaluate([:]).get() == expected)
    }

    @Test("what depends on the evaluation does not fold", arguments: [
        "now()", "bucket(\"u-42\")", "user.x", "user.x == 1", "now() > time(\"2026-01-01T00:00:00Z\")",
        "true and user.x", "user.x or false",
    ])
    func noFolding(source: String) throws {
        #expect(try Rule(source).program.constantValue == nil, "\(source)")
    }

    @Test("dropping a neutral constant keeps a run-time boolean check")
    func neutralConstants() throws {
        // `true and user.x` must still reject a non-boolean x at run time.
        let rule = try Rule("true and user.x")
        #expect(try rule.evaluate(["user": ["x": true]]).get() == true)
        #expect(throws: EvaluationError.self) { try rule.evaluate(["user": ["x": 1]]).get() }
        // With a statically boolean operand, `and true` folds away entirely.
        let comparison = try Rule("user.n > 1 and true")
        #expect(!comparison.disassembly.contains("and_test"))
        #expect(try comparison.evaluate(["user": ["n": 2]]).get() == true)
    }

    @Test("converted literals become version and time constants")
    func convertedConstants() throws {
        let version = try Rule("semver(user.v) >= \"2.0.0\"")
        #expect(version.program.constants.contains { if case .version = $0 { true } else { false } })
        let time = try Rule("now() > \"2026-01-01\"")
        #expect(time.program.tests == [.now(.greater, Instant(timestamp: "2026-01-01T00:00:00Z")!)])
        // Where the comparison is not a test, the converted literal is a constant.
        let computed = try Rule("now() - days(1) > \"2026-01-01\"")
        #expect(computed.program.constants.contains { if case .time = $0 { true } else { false } })
    }
}
