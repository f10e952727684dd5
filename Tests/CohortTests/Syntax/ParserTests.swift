import Cohort
import Testing

/// Parses `text` as a standalone expression: the tree, or nil and the diagnostics.
private func parse(_ text: String, limits: Limits = Limits()) -> (expr: Expr?, diagnostics: [Diagnostic]) {
    var parser = Parser(SourceFile(name: "<test>", text: text), limits: limits)
    let expr = parser.parseStandaloneExpression()
    return (expr, parser.diagnostics)
}

/// The tree as a fully parenthesised S-expression, so precedence is visible:
/// `a or b and c` → `(or a (and b c))`.
private func sexpr(_ expr: Expr) -> String {
    switch expr.kind {
    case .literal(let value):
        switch value {
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
        case .string(let s): return "\"\(s)\""
        default: return value.jsonText
        }
    case .list(let items): return "[" + items.map(sexpr).joined(separator: " ") + "]"
    case .name(let name): return name
    case .member(let base, let name): return "(. \(sexpr(base)) \(name))"
    case .index(let base, let index): return "([] \(sexpr(base)) \(sexpr(index)))"
    case .call(let name, let args): return "(" + ([name + "()"] + args.map(sexpr)).joined(separator: " ") + ")"
    case .unary(let op, let operand): return "(\(op.rawValue) \(sexpr(operand)))"
    case .binary(let op, let l, let r): return "(\(op.rawValue) \(sexpr(l)) \(sexpr(r)))"
    case .logical(let op, let operands): return "(" + ([op.rawValue] + operands.map(sexpr)).joined(separator: " ") + ")"
    }
}

/// The S-expression of `text`, or the first diagnostic's message prefixed by `error: `.
private func tree(_ text: String) -> String {
    let (expr, diagnostics) = parse(text)
    if let expr { return sexpr(expr) }
    return "error: " + (diagnostics.first?.message ?? "(no diagnostic)")
}

@Suite("Parser")
struct ParserTests {
    @Test("precedence and associativity", arguments: [
        ("not a == b", "(not (== a b))"),
        ("-2 * 3", "(* -2 3)"),
        ("-x * 3", "(* (- x) 3)"),
        ("- -x", "(- (- x))"),
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c and d", "(or (and a b) (and c d))"),
        ("a or b or c", "(or a b c)"),
        ("a and b and c", "(and a b c)"),
        ("(a or b) and c", "(and (or a b) c)"),
        ("!a && b || c", "(or (and (not a) b) c)"),
        ("not not a", "(not (not a))"),
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("8 / 4 % 3 * 2", "(* (% (/ 8 4) 3) 2)"),
        ("a + b == c * d", "(== (+ a b) (* c d))"),
        ("a == b and c != d", "(and (== a b) (!= c d))"),
        ("x not in y", "(not in x y)"),
        ("not x in y", "(not (in x y))"),
        ("x in [1, 2] or y contains \"z\"", "(or (in x [1 2]) (contains y \"z\"))"),
        ("a.b[0].c", "(. ([] (. a b) 0) c)"),
        ("-a.b", "(- (. a b))"),
        ("user[\"first-name\"]", "([] user \"first-name\")"),
        ("lower(a.b) == \"x\"", "(== (lower() (. a b)) \"x\")"),
        ("bucket(user.id, \"s\", 10) < 5", "(< (bucket() (. user id) \"s\" 10) 5)"),
        ("now()", "(now())"),
        ("a contains_any [1] and b contains_all []", "(and (contains_any a [1]) (contains_all b []))"),
        ("a starts_with \"x\" or a ends_with \"y\" or a matches \"z\"", "(or (starts_with a \"x\") (ends_with a \"y\") (matches a \"z\"))"),
        ("a == (not b)", "(== a (not b))"),
        ("(((1)))", "1"),
    ])
    func precedence(source: String, expected: String) {
        #expect(tree(source) == expected)
    }

    @Test("any word is a member name after a dot", arguments: [
        "in", "default", "not", "and", "true", "null", "contains", "let", "flag", "when", "serve", "matches",
    ])
    func memberNames(word: String) {
        #expect(tree("user.\(word)") == "(. user \(word))")
        #expect(tree("user.\(word) == 1") == "(== (. user \(word)) 1)")
    }

    @Test("trailing commas are allowed in lists and calls")
    func trailingCommas() {
        #expect(tree("[1, 2, 3,]") == "[1 2 3]")
        #expect(tree("[\n  \"a\",\n  \"b\",\n]") == "[\"a\" \"b\"]")
        #expect(tree("bucket(user.id, \"s\",)") == "(bucket() (. user id) \"s\")")
        #expect(tree("[]") == "[]")
        #expect(tree("now()") == "(now())")
    }

    @Test("syntax errors", arguments: [
        "a < b < c", "a == b == c", "a in b in c", "a < b == c", "x not in y in z", "a == not b", "a + not b",
        "1 +", "(1", "[1, 2", "f(1,,2)", "[,]", "[1,,]", "(,)", "a b", "1 2", "user.", "user.1", "user[", "user[]",
        ")", "]", "x = 1", "user.id()", "1()", "", "   ", "# only a comment", ".5", "5.", "1__0", "1_", "a &",
        "not", "-", "a and", "or b", "in", "true false", "a.b.", "(a))", "a ? b : c", "user.id == 'x",
    ])
    func syntaxErrors(source: String) {
        let (expr, diagnostics) = parse(source)
        #expect(expr == nil, "\(source)")
        #expect(!diagnostics.isEmpty, "\(source)")
        for diagnostic in diagnostics {
            #expect(diagnostic.severity == .error)
            #expect(diagnostic.span.start >= 0 && diagnostic.span.end <= source.utf8.count)
        }
    }

    @Test("a member of a number literal is an error, with a hint for an exponent written with a dot", arguments: [
        ("1.e3", "a number has no members; write an exponent without the '.', e.g. 1e3 or 1.0e3", 0, 4),
        ("x + 2.E10", "a number has no members; write an exponent without the '.', e.g. 1e3 or 1.0e3", 4, 9),
        ("5.x", "a number has no members", 0, 3),
        ("(1.5).id", "a number has no members", 0, 8),
        ("-3.x", "a number has no members", 1, 4),
    ])
    func memberOfNumber(source: String, message: String, start: Int, end: Int) {
        let (expr, diagnostics) = parse(source)
        #expect(expr == nil)
        #expect(diagnostics.map(\.message) == [message])
        #expect(diagnostics.first?.span == SourceSpan(start: start, end: end))
    }

    @Test("members of other literals and of names stay valid (null when absent)", arguments: ["\"s\".x", "[1].x", "null.x", "true.x", "user.e3", "5[0]"])
    func otherMembers(source: String) {
        #expect(parse(source).expr != nil, "\(source)")
    }

    @Test("a chained comparison points at the second operator")
    func chainedComparison() {
        let (_, diagnostics) = parse("a < b < c")
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.code == "chained-comparison")
        #expect(diagnostics.first?.message.contains("cannot be chained") == true)
        #expect(diagnostics.first?.span == SourceSpan(start: 6, end: 7))
    }

    @Test("'a == not b' asks for parentheses")
    func notAfterComparison() {
        let (_, diagnostics) = parse("a == not b")
        #expect(diagnostics.first?.span == SourceSpan(start: 5, end: 8))
        #expect(diagnostics.first?.message.contains("(not x)") == true)
    }

    @Test("a misspelt word operator is reported with a suggestion")
    func misspeltOperator() {
        let (_, diagnostics) = parse("user.email startsWith \"a\"")
        #expect(diagnostics.first?.code == "unknown-operator")
        #expect(diagnostics.first?.message.contains("'starts_with'") == true)
        #expect(diagnostics.first?.span == SourceSpan(start: 11, end: 21))
    }

    @Test("a lexical error is reported by the parser with its span")
    func lexicalErrorsSurface() {
        let (expr, diagnostics) = parse(#"user.name == "a\qb""#)
        #expect(expr == nil)
        #expect(diagnostics.map(\.code) == ["invalid-escape"])
        #expect(diagnostics.first?.span == SourceSpan(start: 15, end: 17))
    }

    @Test("spans cover the whole expression, including parentheses")
    func spans() throws {
        let expr = try #require(parse("  (a + b) * c  ").expr)
        #expect(expr.span == SourceSpan(start: 2, end: 13))
        guard case .binary(_, let left, let right) = expr.kind else {
            Issue.record("expected a binary expression")
            return
        }
        #expect(left.span == SourceSpan(start: 2, end: 9))
        #expect(right.span == SourceSpan(start: 12, end: 13))
        #expect(parse("-3.5").expr?.span == SourceSpan(start: 0, end: 4))
        #expect(parse("f(1, 2)").expr?.span == SourceSpan(start: 0, end: 7))
        #expect(parse("user.tags[0]").expr?.span == SourceSpan(start: 0, end: 12))
    }

    @Test("a negative number literal is folded into the literal")
    func negativeLiterals() {
        #expect(parse("-3.5").expr?.kind == .literal(.number(-3.5)))
        #expect(parse("--3").expr?.kind == .literal(.number(3)))
    }

    // MARK: Limits: deep input is a diagnostic, never a stack overflow.

    @Test("deep nesting gives a limit diagnostic, not a crash", arguments: [
        ("10,000 parentheses", String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)),
        ("10,000 unclosed parentheses", String(repeating: "(", count: 10_000)),
        ("10,000 brackets", String(repeating: "[", count: 10_000) + "1" + String(repeating: "]", count: 10_000)),
        ("10,000 nots", String(repeating: "not ", count: 10_000) + "true"),
        ("10,000 bangs", String(repeating: "!", count: 10_000) + "true"),
        ("10,000 minus signs", String(repeating: "-", count: 10_000) + "1"),
        ("100,000 terms", Array(repeating: "1", count: 100_000).joined(separator: "+")),
        ("100,000 factors", Array(repeating: "2", count: 100_000).joined(separator: " * ")),
        ("10,000 calls", String(repeating: "lower(", count: 10_000) + "\"x\"" + String(repeating: ")", count: 10_000)),
        ("10,000 indexes", "user" + String(repeating: "[0]", count: 10_000)),
        ("10,000 members", "user" + String(repeating: ".a", count: 10_000)),
        ("10,000 nested indexes", "user" + String(repeating: "[user", count: 10_000) + String(repeating: "]", count: 10_000)),
    ])
    func nestingLimit(name: String, source: String) {
        let error = #expect(throws: CompileError.self) { try Rule(source) }
        let codes = error?.diagnostics.map(\.code) ?? []
        #expect(codes.contains("limit"), "\(name): \(codes)")
        #expect(error?.diagnostics.first(where: { $0.code == "limit" })?.message.contains("limit") == true)
        // The limit is configurable; the message names it.
        #expect(error?.diagnostics.first?.message.contains("200") == true)
    }

    @Test("nesting up to the limit is accepted")
    func nestingWithinLimit() throws {
        let source = String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150)
        let rule = try Rule(source)
        #expect(try rule.evaluate([:]).get() == 1)
        var options = CompileOptions()
        options.limits.maxNestingDepth = 3
        #expect(throws: CompileError.self) { try Rule("((((1))))", options: options) }
        #expect(try Rule("((1))", options: options).evaluate([:]).get() == 1)
    }

    @Test("a long flat 'or' chain is not nesting")
    func longLogicalChain() throws {
        let source = (0..<10_000).map { "user.id == \"u-\($0)\"" }.joined(separator: " or ")
        let rule = try Rule(source)
        #expect(rule.matches(["user": ["id": "u-9999"]]))
        #expect(!rule.matches(["user": ["id": "u-10000"]]))
    }

    @Test("a long list literal is fine, one beyond the limit is an error")
    func longList() throws {
        let items = (0..<5_000).map(String.init).joined(separator: ", ")
        let rule = try Rule("user.n in [\(items),]")
        #expect(rule.matches(["user": ["n": 4_999]]))
        var options = CompileOptions()
        options.limits.maxListLiteralCount = 10
        let error = #expect(throws: CompileError.self) { try Rule("[1,2,3,4,5,6,7,8,9,10,11]", options: options) }
        #expect(error?.diagnostics.first?.code == "limit")
    }
}
