import Cohort
import Testing

/// The context of these tests: `user.f` is false, `user.t` true, `user.n` the number 1,
/// `user.s` a string, and `user.age` a string (so `user.age < 18` is an error value).
private let context: Context = [
    "user": [
        "f": false, "t": true, "n": 1, "s": "text", "age": "twelve",
        "id": "u-42", "tags": ["a", "b"], "address": ["city": "Oslo", "zip": nil],
        "first-name": "Ada", "in": "kw", "default": "d", "nested": [[1, 2], [3]], "key": "city",
        "neg": -1, "half": 0.5, "one": 1.0, "empty": [], "nothing": nil, "obj": ["x": 1],
    ],
]

/// What a rule gives in `context`: its value, or its error value.
private func run(_ source: String, _ context: Context = context) throws -> Result<Value, EvaluationError> {
    try Rule(source).evaluate(context)
}

/// An expression that fails at run time with "division by zero", and whose static type is
/// unknown (so the checker accepts it under every operator).
private let E = "[user.n / 0][0]"

@Suite("Error values")
struct ErrorValueTests {
    // MARK: Absorption

    @Test("and/or absorb an error when the other side decides", arguments: [
        // `E` is `user.age < 18`, an ordering between a string and a number.
        ("false and E", false), ("E and false", false), ("true or E", true), ("E or true", true),
        ("user.f and E", false), ("E and user.f", false), ("user.t or E", true), ("E or user.t", true),
        ("user.t and E and user.f", false), ("user.f or E or user.t", true),
        ("E and user.t and user.f", false), ("E or user.f or user.t", true),
    ])
    func absorption(template: String, expected: Bool) throws {
        let source = template.replacingOccurrences(of: "E", with: "user.age < 18")
        #expect(try run(source).get() == .bool(expected), "\(source)")
    }

    @Test("otherwise the error propagates", arguments: [
        "E and true", "true and E", "E or false", "false or E", "not E", "!E", "E and user.t", "user.t and E",
        "E or user.f", "user.f or E", "user.t and E and user.t", "user.f or E or user.f", "E and E", "E or E",
        "not not E",
    ])
    func propagation(template: String) throws {
        let source = template.replacingOccurrences(of: "E", with: "user.age < 18")
        let error = #expect(throws: EvaluationError.self, "\(source)") { try run(source).get() }
        // The error is the comparison's, pointing at it.
        #expect(error.map { spanText(source, $0.span) } == "user.age < 18", "\(source)")
    }

    @Test("the first of two errors is the one reported")
    func firstErrorWins() throws {
        let source = "user.age < 18 and user.s > 1"
        let error = #expect(throws: EvaluationError.self) { try run(source).get() }
        #expect(error?.span == SourceSpan(start: 0, end: 13))
        let or = #expect(throws: EvaluationError.self) { try run("user.s > 1 or user.age < 18").get() }
        #expect(or?.span == SourceSpan(start: 0, end: 10))
    }

    @Test("and/or/not take booleans only, at run time too", arguments: [
        "user.n and true", "true and user.n", "user.t and user.n", "user.s or false", "false or user.s",
        "user.f or user.n", "not user.n", "!user.s", "not user.missing", "user.missing and true",
        "user.t and user.missing", "user.tags or user.f",
    ])
    func nonBooleanOperands(source: String) throws {
        #expect(throws: EvaluationError.self, "\(source)") { try run(source).get() }
    }

    @Test("a short circuit never looks at the other side")
    func shortCircuit() throws {
        #expect(try run("user.f and user.n").get() == false)
        #expect(try run("user.t or user.n").get() == true)
        #expect(try run("user.f and user.n / 0 > 1").get() == false)
    }

    // MARK: Spans

    @Test("an error points at the failing sub-expression")
    func errorLocation() throws {
        let rule = try Rule("user.id == \"u-1\" or lower(user.email) == \"x\"")
        let error = #expect(throws: EvaluationError.self) { try rule.evaluate(context).get() }
        #expect(error?.location == Cohort.SourceLocation(line: 1, column: 21))
        #expect(error.map { rule.source.text(of: $0.span) } == "lower(user.email)")
        #expect(error?.message.contains("null") == true)
    }

    @Test("an error on a later line reports its line and column")
    func errorOnLaterLine() throws {
        let rule = try Rule("user.id == \"u-1\" or\n  user.n / 0 > 1")
        let error = #expect(throws: EvaluationError.self) { try rule.evaluate(context).get() }
        #expect(error?.location == Cohort.SourceLocation(line: 2, column: 3))
        #expect(error.map { rule.source.text(of: $0.span) } == "user.n / 0")
        #expect(error?.message == "division by zero")
        #expect(error?.description == "2:3: division by zero")
    }

    @Test("columns count characters, not bytes")
    func columnsInScalars() throws {
        // "é" is one character but two bytes: the error starts at byte 18, column 18.
        let rule = try Rule("\"é\" == user.s or user.age > 1")
        let error = #expect(throws: EvaluationError.self) { try rule.evaluate(context).get() }
        #expect(error?.location == Cohort.SourceLocation(line: 1, column: 18))
        #expect(error?.span == SourceSpan(start: 18, end: 30))
    }

    // MARK: Propagation through every operator

    @Test("an error propagates through every operator", arguments: [
        "E + 1", "1 + E", "E - 1", "E * 2", "E / 2", "E % 2", "-E", "E == 1", "1 == E", "E != null", "E == null",
        "E < 1", "1 >= E", "E in [1]", "E not in [1]", "1 in E", "E in user.tags", "[E]", "[1, E]", "[E] == [1]",
        "E contains \"a\"", "user.tags contains E", "E contains_any [\"a\"]", "user.tags contains_all [E]",
        "E starts_with \"a\"", "\"a\" ends_with E", "E matches \"a\"", "E.x", "E[0]", "user.tags[E]", "user.obj[E]",
        "lower(E)", "upper(E)", "trim(E)", "len(E)", "string(E)", "exists(E)", "number(E)", "semver(E)", "time(E)",
        "date(E)", "days(E)", "hours(E)", "minutes(E)", "bucket(E)", "bucket(\"k\", E)", "bucket(\"k\", \"s\", E)",
        "E and true", "E or false", "not E", "E + user.s * 2", "user.tags[E] == user.s",
    ])
    func everyOperator(template: String) throws {
        let source = template.replacingOccurrences(of: "E", with: E)
        let rule = try Rule(source)
        let error = #expect(throws: EvaluationError.self, "\(source)") { try rule.evaluate(context).get() }
        #expect(error?.message == "division by zero", "\(source)")
        #expect(error.map { rule.source.text(of: $0.span) } == "user.n / 0", "\(source)")
    }

    // MARK: exists

    @Test("exists(path) is true when the path resolves to a non-null value", arguments: [
        ("exists(user.id)", true), ("exists(user.f)", true), ("exists(user.empty)", true), ("exists(user.n)", true),
        ("exists(user.missing)", false), ("exists(user.nothing)", false), ("exists(user.address.zip)", false),
        ("exists(user.address.city)", true), ("exists(user.id.x)", false), ("exists(user.tags[5])", false),
        ("exists(device)", false), ("exists(device.os)", false), ("exists(user)", true),
        ("not exists(user.missing)", true), ("user.missing != null", false), ("user.id != null", true),
    ])
    func exists(source: String, expected: Bool) throws {
        #expect(try run(source).get() == .bool(expected), "\(source)")
    }

    @Test("equality never errors on a missing attribute")
    func equalityOnMissing() throws {
        #expect(try run("user.plan == \"pro\"").get() == false)
        #expect(try run("user.plan != \"pro\"").get() == true)
        #expect(try run("user.plan == null").get() == true)
        #expect(try run("device.os == \"ios\"").get() == false)
    }

    // MARK: Paths

    @Test("paths resolve or are null", arguments: [
        ("user.tags[0]", Value.string("a")), ("user.tags[1]", "b"), ("user.tags[2]", nil), ("user.tags[-1]", nil),
        ("user.tags[0.5]", nil), ("user.tags[1.0]", "b"), ("user.tags[1e300]", nil), ("user.tags[\"0\"]", nil),
        ("user.tags[user.n]", "b"), ("user.tags[user.neg]", nil), ("user.tags[user.half]", nil),
        ("user.tags[user.one]", "b"), ("user.tags[user.missing]", nil), ("user.tags[user.s]", nil),
        ("user.address.city", "Oslo"), ("user.address[\"city\"]", "Oslo"), ("user[\"address\"][\"city\"]", "Oslo"),
        ("user.address[user.key]", "Oslo"), ("user.address[0]", nil), ("user.address.zip", nil),
        ("user[\"first-name\"]", "Ada"), ("user.missing", nil), ("user.missing.deeper", nil), ("user.missing[0]", nil),
        ("user.id.length", nil), ("user.id[0]", nil), ("user.n.x", nil), ("user.n[0]", nil), ("user.f.x", nil),
        ("user.tags.x", nil), ("device.os", nil), ("device[\"os\"]", nil), ("user.in", "kw"), ("user.default", "d"),
        ("user.nested[0][1]", 2), ("user.nested[1][0]", 3), ("user.nested[1][5]", nil), ("user.nested[0].x", nil),
        ("[1, 2][0]", 1), ("[1, 2][1]", 2), ("[1, 2][2]", nil), ("[1, 2][-1]", nil), ("[\"a\", \"b\"][user.n]", "b"),
        ("[user.s, user.id][1]", "u-42"), ("[[1, 2], [3]][0][1]", 2), ("\"abc\"[0]", nil), ("null[0]", nil),
        ("null.x", nil), ("(user.address).city", "Oslo"), ("[user.address][0].city", "Oslo"),
    ] as [(String, Value)])
    func paths(source: String, expected: Value) throws {
        #expect(try run(source).get() == expected, "\(source)")
    }

    @Test("a rule can read the whole context root")
    func wholeRoot() throws {
        let root = try run("user").get()
        #expect(root == context["user"])
    }
}

/// The text of `span` in `source`.
private func spanText(_ source: String, _ span: SourceSpan) -> String {
    SourceFile(name: "", text: source).text(of: span)
}
