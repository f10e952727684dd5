import Cohort
import Testing

/// What an operator application should give.
enum OperatorOutcome: Sendable, Equatable, CustomStringConvertible {
    /// A value.
    case value(Value)
    /// An error: an error value at run time; a compile error when the operands are constants.
    case error

    var description: String {
        switch self {
        case .value(let v): v.jsonText
        case .error: "error"
        }
    }
}

/// One row of an operator table: `a op b` should give `expected`.
struct OperatorCase: Sendable, CustomTestStringConvertible {
    var op: String
    var a: Value
    var b: Value
    var expected: OperatorOutcome
    /// False when the constant form legitimately differs (a string literal compared with a
    /// version or time is converted at compile time; a run-time string is not).
    var folds = true

    var testDescription: String { "\(literal(a) ?? a.jsonText) \(op) \(literal(b) ?? b.jsonText) → \(expected)" }
}

private func row(_ a: Value, _ op: String, _ b: Value, _ expected: Value) -> OperatorCase {
    OperatorCase(op: op, a: a, b: b, expected: .value(expected))
}

private func fails(_ a: Value, _ op: String, _ b: Value) -> OperatorCase {
    OperatorCase(op: op, a: a, b: b, expected: .error)
}

// MARK: Values that need a constructor

/// A version value; an unparseable text becomes a marker string so the table still loads
/// (and the row fails) instead of crashing the test run.
private func v(_ text: String) -> Value {
    Version(text).map(Value.version) ?? .string("<invalid version \(text)>")
}

/// Seconds since the epoch, as a time value.
private func t(_ seconds: Int64) -> Value {
    .time(Instant(seconds: seconds))
}

/// 2026-01-01T00:00:00Z and a day later.
private let newYear = t(1_767_225_600)
private let dayAfter = t(1_767_312_000)
private let newYearPlusMinute = t(1_767_225_660)

/// Source text for a value, or nil when it has no literal form (objects).
private func literal(_ value: Value) -> String? {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let n):
        let text = n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
        return "(\(text))"
    case .string(let s):
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    case .list(let items):
        var parts: [String] = []
        for item in items {
            guard let text = literal(item) else { return nil }
            parts.append(text)
        }
        return "[" + parts.joined(separator: ", ") + "]"
    case .object: return nil
    case .version(let version): return "semver(\"\(Value.version(version).canonicalText)\")"
    case .time(let time): return "time(\"\(Value.time(time).canonicalText)\")"
    }
}

/// The operator tables, by family.
enum OperatorTable {
    static let arithmetic: [OperatorCase] = [
        row(1, "+", 2, 3), row(0.1, "+", 0.2, 0.30000000000000004), row(-1, "+", 1, 0),
        row("ab", "+", "cd", "abcd"), row("", "+", "", ""), row("é", "+", "\u{301}", "é\u{301}"),
        fails("a", "+", 1), fails(1, "+", "a"), fails(nil, "+", 1), fails(1, "+", nil), fails(true, "+", 1),
        fails([1], "+", [2]), fails(1e308, "+", 1e308),
        row(newYear, "+", 60, newYearPlusMinute), row(60, "+", newYear, newYearPlusMinute),
        row(newYear, "+", 86_400, dayAfter), fails(newYear, "+", newYear), fails(v("1.0.0"), "+", 1),
        row(5, "-", 7, -2), row(0.3, "-", 0.1, 0.19999999999999998), fails("a", "-", "b"), fails(nil, "-", 1),
        row(dayAfter, "-", newYear, 86_400), row(newYear, "-", dayAfter, -86_400),
        row(newYearPlusMinute, "-", 60, newYear), fails(60, "-", newYear), fails(-1e308, "-", 1e308),
        row(6, "*", 7, 42), row(-2, "*", 3, -6), row(0.5, "*", 0.5, 0.25), fails("a", "*", 2), fails(1e308, "*", 10),
        row(7, "/", 2, 3.5), row(-9, "/", 3, -3), row(1, "/", 3, 0.3333333333333333),
        fails(1, "/", 0), fails(0, "/", 0), fails(-1, "/", 0), fails(1, "/", nil), fails("6", "/", 2),
        row(7, "%", 3, 1), row(-7, "%", 3, -1), row(7, "%", -3, 1), row(-7, "%", -3, -1), row(5.5, "%", 2, 1.5),
        row(6, "%", 3, 0), fails(1, "%", 0), fails(nil, "%", 2),
    ]

    static let comparison: [OperatorCase] = [
        // Numbers
        row(1, "<", 2, true), row(2, "<", 1, false), row(2, "<", 2, false), row(2, "<=", 2, true),
        row(3, ">", 2, true), row(2, ">=", 3, false), row(-0.5, "<", 0, true),
        // Strings, by Unicode scalar values
        row("a", "<", "b", true), row("B", "<", "a", true), row("z", "<", "é", true), row("ab", "<", "abc", true),
        row("", "<", "a", true), row("b", ">=", "b", true), row("10", "<", "9", true),
        // Versions, by SemVer precedence
        row(v("1.2.3"), "<", v("1.10.0"), true), row(v("2.0.0"), ">", v("1.99.99"), true),
        row(v("1.0.0-alpha"), "<", v("1.0.0"), true), row(v("1.0.0-alpha.1"), "<", v("1.0.0-alpha.beta"), true),
        row(v("1.0.0-rc.1"), ">=", v("1.0.0-beta.11"), true), row(v("1.0.0+a"), "<=", v("1.0.0+b"), true),
        // Times
        row(newYear, "<", dayAfter, true), row(dayAfter, "<=", newYear, false), row(newYear, ">=", newYear, true),
        // Across types, or with null: an error value
        fails(1, "<", "2"), fails("1", ">", 0), fails(nil, "<", 1), fails(1, "<", nil), fails(nil, "<=", nil),
        fails(true, "<", false), fails([1], "<", [2]), fails(newYear, ">", 0),
        OperatorCase(op: "<", a: v("1.0.0"), b: "2.0.0", expected: .error, folds: false),
        fails(v("1.0.0"), "<", newYear),
        // Equality: any two values, never an error
        row(1, "==", 1, true), row(1, "==", 2, false), row(1, "==", "1", false), row(nil, "==", nil, true),
        row(nil, "==", false, false), row(0, "==", false, false), row("", "==", nil, false),
        row(-0.0, "==", 0, true), row("é", "==", "e\u{301}", false), row("a", "==", "a", true),
        row([1, "a", nil], "==", [1, "a", nil], true), row([1, 2], "==", [2, 1], false), row([], "==", [], true),
        row(["a": 1, "b": [true]], "==", ["b": [true], "a": 1], true), row(["a": 1], "==", ["a": 2], false),
        row(v("1.0.0+a"), "==", v("1.0.0+b"), true), row(v("1.0.0"), "==", v("1.0.1"), false),
        row(newYear, "==", newYear, true), row(newYear, "==", dayAfter, false),
        OperatorCase(op: "==", a: v("1.0.0"), b: "1.0.0", expected: .value(false), folds: false),
        row(1, "!=", 1, false), row(1, "!=", "1", true), row(nil, "!=", nil, false), row(nil, "!=", 0, true),
        row([1], "!=", [1], false),
        OperatorCase(op: "!=", a: newYear, b: "2026-01-01T00:00:00Z", expected: .value(true), folds: false),
    ]

    static let membership: [OperatorCase] = [
        row(1, "in", [1, 2], true), row(3, "in", [1, 2], false), row("1", "in", [1, 2], false),
        row(nil, "in", [nil], true), row(nil, "in", [1, "a"], false), row(nil, "in", [], false),
        row([1], "in", [[1], [2]], true), row("qa", "in", ["qa", "beta"], true), row(1.0, "in", [1], true),
        row(v("1.0.0"), "in", [v("1.0.0+build")], true), row(newYear, "in", [dayAfter], false),
        row(v("1.0.0"), "in", ["1.0.0"], false),
        fails("a", "in", "abc"), fails(1, "in", nil), fails(nil, "in", nil), fails(1, "in", 1),
        row(3, "not in", [1, 2], true), row(1, "not in", [1, 2], false), row(nil, "not in", [nil], false),
        row(nil, "not in", [], true), fails(1, "not in", "x"), fails(1, "not in", nil),
        // contains: substring of a string, element of a list
        row("hello", "contains", "ell", true), row("hello", "contains", "", true), row("hello", "contains", "x", false),
        row("hello", "contains", "Hello", false), row("café", "contains", "é", true), row("cafe\u{301}", "contains", "é", false),
        row([1, 2], "contains", 2, true), row([1, 2], "contains", "2", false), row(["a"], "contains", nil, false),
        row([nil], "contains", nil, true), row([[1]], "contains", [1], true), row([], "contains", 1, false),
        fails("abc", "contains", 1), fails("abc", "contains", nil), fails(nil, "contains", "a"), fails(5, "contains", 5),
        // contains_any / contains_all: a list on the right
        row([1, 2], "contains_any", [2, 3], true), row([1, 2], "contains_any", [3], false),
        row([1], "contains_any", [], false), row([], "contains_any", [], false), row([], "contains_any", [1], false),
        row("hello", "contains_any", ["xy", "ll"], true), row("hello", "contains_any", ["x"], false),
        row("hello", "contains_any", [], false),
        row([1, 2, 3], "contains_all", [1, 3], true), row([1], "contains_all", [1, 2], false),
        row([1], "contains_all", [], true), row([], "contains_all", [], true), row([], "contains_all", [1], false),
        row("hello", "contains_all", ["he", "lo"], true), row("hello", "contains_all", ["he", "x"], false),
        row("hello", "contains_all", [], true),
        fails([1], "contains_any", 1), fails("hello", "contains_any", "h"), fails(nil, "contains_any", [1]),
        fails("hello", "contains_any", [1]), fails(1, "contains_all", [1]), fails("x", "contains_all", "x"),
        fails([1], "contains_all", nil),
    ]

    static let strings: [OperatorCase] = [
        row("hello", "starts_with", "he", true), row("hello", "starts_with", "", true), row("he", "starts_with", "hello", false),
        row("hello", "starts_with", "lo", false), row("Hello", "starts_with", "he", false), row("", "starts_with", "", true),
        row("éa", "starts_with", "e", false),
        fails(nil, "starts_with", "a"), fails("a", "starts_with", 1), fails([1], "starts_with", "a"),
        fails("a", "starts_with", nil),
        row("hello", "ends_with", "lo", true), row("hello", "ends_with", "", true), row("lo", "ends_with", "hello", false),
        row("hello", "ends_with", "he", false), row("a@acme.com", "ends_with", "@acme.com", true),
        row("cafe\u{301}", "ends_with", "é", false),
        fails(nil, "ends_with", "a"), fails(1, "ends_with", "1"), fails("a", "ends_with", ["a"]),
        // matches: the pattern is always a constant
        row("abc", "matches", "b", true), row("abc", "matches", "^a", true), row("xyz", "matches", "^a", false),
        row("abc", "matches", "^[a-c]+$", true), row("ab\n", "matches", "b$", false), row("ABC", "matches", "(?i)abc", true),
        row("ABC", "matches", "abc", false), row("u-42", "matches", "^u-[0-9]+$", true), row("", "matches", "^$", true),
        fails(1, "matches", "a"), fails(nil, "matches", "a"), fails(["a"], "matches", "a"),
    ]

    static let unary: [OperatorCase] = [
        row(nil, "-", 5, -5), row(nil, "-", -2.5, 2.5), row(nil, "-", 0, 0), fails(nil, "-", "a"), fails(nil, "-", nil),
        fails(nil, "-", true),
        row(nil, "not", true, false), row(nil, "not", false, true), fails(nil, "not", 1), fails(nil, "not", nil),
        fails(nil, "not", "true"), fails(nil, "not", [true]),
    ]
}

/// The forms a binary case is compiled in: both operands from the context (run in the VM),
/// one of them a literal (fused instructions, hashed sets, compiled patterns), or both
/// literals (folded by the compiler).
private enum Form: CaseIterable {
    case bothAttributes, literalRight, literalLeft, constant
}

/// Compiles and evaluates one form; nil when the form does not apply to the case.
private func outcome(of row: OperatorCase, as form: Form) -> (source: String, outcome: OperatorOutcome, folded: Bool)? {
    let context: Context = ["user": ["a": row.a, "b": row.b]]
    let source: String
    switch form {
    case .bothAttributes:
        guard row.op != "matches" else { return nil }  // the pattern must be a constant
        source = "user.a \(row.op) user.b"
    case .literalRight:
        guard let b = literal(row.b) else { return nil }
        source = "user.a \(row.op) \(b)"
    case .literalLeft:
        guard row.op != "matches", let a = literal(row.a) else { return nil }
        source = "\(a) \(row.op) user.b"
    case .constant:
        guard row.folds, let a = literal(row.a), let b = literal(row.b) else { return nil }
        source = "\(a) \(row.op) \(b)"
    }
    let rule: Rule
    do {
        rule = try Rule(source)
    } catch {
        return (source, .error, true)
    }
    let folded = rule.program.constantValue != nil
    switch rule.evaluate(context) {
    case .success(let value): return (source, .value(value), folded)
    case .failure: return (source, .error, folded)
    }
}

/// Checks every form of a binary case against its expectation.
private func checkBinary(_ row: OperatorCase) {
    for form in Form.allCases {
        guard let (source, result, folded) = outcome(of: row, as: form) else { continue }
        #expect(result == row.expected, "\(source)")
        if form == .constant, case .value = row.expected {
            // Constant operands fold: the compiled program is the answer itself.
            #expect(folded, "\(source) should fold")
        }
        if form == .bothAttributes {
            #expect(!folded, "\(source) should run in the VM")
        }
    }
}

@Suite("Operators")
struct OperatorTests {
    @Test("arithmetic", arguments: OperatorTable.arithmetic)
    func arithmetic(row: OperatorCase) { checkBinary(row) }

    @Test("comparison and equality", arguments: OperatorTable.comparison)
    func comparison(row: OperatorCase) { checkBinary(row) }

    @Test("membership and contains", arguments: OperatorTable.membership)
    func membership(row: OperatorCase) { checkBinary(row) }

    @Test("starts_with, ends_with, matches", arguments: OperatorTable.strings)
    func strings(row: OperatorCase) { checkBinary(row) }

    @Test("prefix operators", arguments: OperatorTable.unary)
    func unary(row: OperatorCase) {
        // `row.b` is the operand; `row.a` is unused.
        let vm = try? Rule("\(row.op) user.b")
        let vmResult: OperatorOutcome? = vm.map { rule in
            if case .success(let value) = rule.evaluate(["user": ["b": row.b]]) { return .value(value) }
            return .error
        }
        #expect(vmResult == row.expected, "\(row.op) user.b")
        #expect(vm?.program.constantValue == nil)
        if let operand = literal(row.b) {
            let constant: OperatorOutcome
            if let rule = try? Rule("\(row.op) \(operand)"), case .success(let value) = rule.evaluate([:]) {
                constant = .value(value)
                #expect(rule.program.constantValue != nil)
            } else {
                constant = .error
            }
            #expect(constant == row.expected, "\(row.op) \(operand)")
        }
    }

    @Test("not in is exactly not (in)")
    func notInIsNotIn() throws {
        for row in OperatorTable.membership where row.op == "in" {
            let context: Context = ["user": ["a": row.a, "b": row.b]]
            let negated = try Rule("not (user.a in user.b)").evaluate(context)
            let notIn = try Rule("user.a not in user.b").evaluate(context)
            switch (negated, notIn) {
            case let (.success(x), .success(y)): #expect(x == y)
            case (.failure, .failure): break
            default: Issue.record("not (a in b) and a not in b disagree for \(row.testDescription)")
            }
        }
    }

    @Test("the specialised instructions agree with the general ones")
    func fusedInstructions() throws {
        let fused = try Rule("user.plan == \"pro\"")
        #expect(fused.disassembly.contains(#"s0 (user.plan) == "pro" (words)"#))
        let set = try Rule("user.plan in [\"pro\", \"team\"]")
        #expect(set.disassembly.contains("s0 (user.plan) in set0"))
        let general = try Rule("user.plan == user.want")
        for plan: Value in ["pro", "team", "free", nil, 1, ["pro"], "PRO", "pro "] {
            let context: Context = ["user": ["plan": plan, "want": "pro"]]
            #expect(fused.evaluate(context) == general.evaluate(context), "\(plan)")
            let inList = try Rule("user.plan in user.list").evaluate(["user": ["plan": plan, "list": ["pro", "team"]]])
            #expect(set.evaluate(context) == inList, "\(plan)")
        }
    }
}
