import Cohort
import Foundation
import Testing

/// Cohort's, not Foundation's.
private typealias Formatter = Cohort.Formatter

// `cohort fmt`'s formatter: the output parses back to the same tree, formatting twice
// changes nothing, comments survive, and the canonical layout looks as documented
// (docs/rule-files.md, "Formatting").

/// Parses a rule file; the declarations, or nil and the diagnostics' messages.
private func parseFile(_ text: String) -> ([Declaration]?, String) {
    var parser = Parser(SourceFile(name: "<fmt>", text: text))
    let declarations = parser.parseRuleFile()
    if parser.diagnostics.isEmpty { return (declarations, "") }
    return (nil, parser.diagnostics.map(\.message).joined(separator: "; "))
}

/// Parses a standalone expression.
private func parseExpression(_ text: String) -> Expr? {
    var parser = Parser(SourceFile(name: "<fmt>", text: text))
    let expr = parser.parseStandaloneExpression()
    return parser.diagnostics.isEmpty ? expr : nil
}

/// Formats source text, or gives the rendered diagnostics as the error text.
private func fmt(_ text: String, width: Int = Formatter.defaultWidth) -> String {
    do {
        return try Formatter(width: width).format(SourceFile(name: "t.cohort", text: text))
    } catch {
        return "error: " + error.rendered(color: false)
    }
}

/// The comments of a source text, in order: whatever the lexer skips between tokens.
private func comments(_ text: String) -> [String] {
    let source = SourceFile(name: "<c>", text: text)
    var lexer = Lexer(source)
    let bytes = source.bytes
    var found: [String] = []
    var gapStart = 0
    for token in lexer.tokenize() {
        var i = gapStart
        while i < token.span.start {
            if bytes[i] == UInt8(ascii: "#") || (bytes[i] == UInt8(ascii: "/") && bytes[i + 1] == UInt8(ascii: "/")) {
                var end = i
                while end < token.span.start, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var text = String(decoding: bytes[i..<end], as: UTF8.self)
                while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
                found.append(text)
                i = end
            } else {
                i += 1
            }
        }
        gapStart = token.span.end
    }
    return found
}

// MARK: - Random syntax trees

/// A generator of random syntax trees of every kind the parser can produce.
private struct TreeGenerator {
    var rng: SplitMix64
    private let span = SourceSpan(start: 0, end: 0)

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    mutating func chance(_ n: Int) -> Bool { rng.below(n) == 0 }

    private static let names = ["user", "device", "org", "a", "b", "x1", "_y", "internal", "staff_groups", "notin", "ins"]
    private static let members = ["id", "age", "tags", "in", "default", "not", "and", "or", "true", "null", "let", "flag",
                                  "when", "serve", "contains", "matches", "x_1", "_"]
    private static let functions = ["bucket", "lower", "upper", "len", "now", "semver", "f", "exists"]
    private static let specialScalars: [Unicode.Scalar] = [
        "\"", "'", "\\", "\n", "\r", "\t", "\u{0}", "\u{1B}", "\u{7F}", "\u{85}", "\u{A0}", "\u{AD}", "\u{200B}",
        "\u{200C}", "\u{200D}", "\u{202E}", "\u{2066}", "\u{2028}", "\u{2029}", "\u{3000}", "\u{FEFF}", "\u{E000}",
        "\u{301}", "\u{20DD}", "\u{FE0F}", "é", "e", " ", "#", "/", "{", "}", "😀", "👨", "\u{10FFFF}", "\u{FFFF}", "a", "1",
    ]

    mutating func number() -> Double {
        switch rng.below(10) {
        case 0: return Double(rng.below(1000))
        case 1: return -Double(rng.below(1000))
        case 2: return [0.0, -0.0][rng.below(2)]
        case 3: return Double(rng.below(100_000)) / 100
        case 4: return -Double(rng.below(100_000)) / 1000
        case 5: return [1e300, -1e300, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1.7976931348623157e308, 2.2250738585072014e-308, 1e16, 1e21, 1e-7][rng.below(9)]
        case 6: return [9_007_199_254_740_992, 9_007_199_254_740_994, -9_007_199_254_740_992, 123_456_789_012_345_683_968][rng.below(4)]
        case 7: return 0.1 * Double(rng.below(50))
        default:
            // Any finite double, from its bits.
            while true {
                let x = Double(bitPattern: rng.next())
                if x.isFinite { return x }
            }
        }
    }

    mutating func string() -> String {
        var s = ""
        for _ in 0..<rng.below(8) {
            if chance(2) {
                s.unicodeScalars.append(Self.specialScalars[rng.below(Self.specialScalars.count)])
            } else if chance(3) {
                // Any scalar, surrogates excluded.
                var v = UInt32(rng.below(0x11_0000))
                if (0xD800...0xDFFF).contains(v) { v = 0x41 }
                s.unicodeScalars.append(Unicode.Scalar(v)!)
            } else {
                s.unicodeScalars.append(Unicode.Scalar(UInt8(0x20 + rng.below(0x5F))))
            }
        }
        return s
    }

    mutating func literal() -> Expr {
        switch rng.below(5) {
        case 0: return Expr(.literal(.null), span)
        case 1: return Expr(.literal(.bool(chance(2))), span)
        case 2, 3: return Expr(.literal(.number(number())), span)
        default: return Expr(.literal(.string(string())), span)
        }
    }

    /// A random expression at most `depth` levels deep.
    mutating func expression(_ depth: Int) -> Expr {
        if depth <= 0 || chance(4) {
            return chance(2) ? literal() : Expr(.name(rng.pick(Self.names)), span)
        }
        let d = depth - 1
        switch rng.below(10) {
        case 0:
            return Expr(.list((0..<rng.below(4)).map { _ in expression(d) }), span)
        case 1:
            // A member of a number literal (`5.x`, `1.e3`) is a syntax error, so never take one.
            var base = expression(d)
            while case .literal(.number) = base.kind { base = expression(d) }
            return Expr(.member(base, name: rng.pick(Self.members)), span)
        case 2:
            return Expr(.index(expression(d), expression(d)), span)
        case 3:
            return Expr(.call(rng.pick(Self.functions), (0..<rng.below(4)).map { _ in expression(d) }), span)
        case 4:
            if chance(2) { return Expr(.unary(.not, expression(d)), span) }
            // The parser folds `-` into a number literal, so never negate one.
            var operand = expression(d)
            while case .literal(.number) = operand.kind { operand = expression(d) }
            return Expr(.unary(.negate, operand), span)
        case 5, 6, 7:
            let op = BinaryOperator.allCases[rng.below(BinaryOperator.allCases.count)]
            return Expr(.binary(op, expression(d), expression(d)), span)
        default:
            let op: LogicalOperator = chance(2) ? .and : .or
            return Expr(.logical(op, (0..<(2 + rng.below(3))).map { _ in expression(d) }), span)
        }
    }

    /// A random rule file of one to four declarations.
    mutating func ruleFile() -> [Declaration] {
        (0..<(1 + rng.below(4))).map { i in
            let name = "d\(i)"
            switch rng.below(4) {
            case 0: return Declaration(kind: .let, name: name, nameSpan: span, span: span, expression: expression(4))
            case 1: return Declaration(kind: .segment, name: name, nameSpan: span, span: span, expression: expression(4))
            case 2: return Declaration(kind: .flag, name: name, nameSpan: span, span: span, expression: expression(4))
            default:
                // Some arms and defaults named (`as v1`), as experiments name their variants.
                let arms = (0..<rng.below(4)).map { k in
                    Declaration.Arm(condition: expression(3), value: expression(2), span: span,
                                    variant: chance(3) ? Declaration.Variant(name: "v\(k)", span: span) : nil)
                }
                return Declaration(kind: .flag, name: name, nameSpan: span, span: span, arms: arms, defaultValue: expression(2),
                                   defaultVariant: chance(3) ? Declaration.Variant(name: "control", span: span) : nil)
            }
        }
    }
}

/// Inserts comments at random places between tokens: at the end of a line, or on a line
/// of their own. Returns the new text and the comments, in order.
private func sprinkleComments(_ text: String, _ rng: inout SplitMix64) -> (String, [String]) {
    let source = SourceFile(name: "<s>", text: text)
    var lexer = Lexer(source)
    let tokens = lexer.tokenize()
    var out = ""
    var added: [String] = []
    var position = 0
    let bytes = source.bytes
    for token in tokens {
        out += String(decoding: bytes[position..<token.span.end], as: UTF8.self)
        position = token.span.end
        if token.kind != .end, rng.below(6) == 0 {
            let comment = (rng.below(2) == 0 ? "# c" : "// c") + String(added.count)
            added.append(comment)
            out += rng.below(2) == 0 ? "  \(comment)\n" : "\n\(comment)\n"
        }
    }
    out += String(decoding: bytes[position...], as: UTF8.self)
    return (out, added)
}

@Suite("Formatter")
struct FormatterTests {
    // MARK: Properties

    @Test("10,000 random rule files: parse(format(tree)) == tree, and formatting is idempotent")
    func roundTrip() {
        var generator = TreeGenerator(seed: 0xF0_4D47)
        var broken = 0
        for round in 0..<PropertyScale.count(2_500) {
            let width = [120, 120, 60, 30][round % 4]
            let formatter = Formatter(width: width)
            let tree = generator.ruleFile()
            let text = formatter.format(tree)
            let (parsed, errors) = parseFile(text)
            guard let parsed else {
                Issue.record("round \(round): the output does not parse: \(errors)\n\(text)")
                return
            }
            if let difference = firstDifference(tree, parsed) {
                Issue.record("round \(round): the tree changed: \(difference)\n\(text)")
                return
            }
            let again = fmt(text, width: width)
            if again != text {
                Issue.record("round \(round): not idempotent (width \(width)):\n\(text)\n--- became ---\n\(again)")
                return
            }
            if text.contains(",\n") { broken += 1 }
        }
        // The narrow widths made some lists and calls break.
        #expect(broken > 500)
    }

    @Test("random expressions: the same, formatted alone")
    func expressionRoundTrip() {
        var generator = TreeGenerator(seed: 17)
        for round in 0..<3_000 {
            let expr = generator.expression(6)
            let text = Formatter(width: [120, 40][round % 2]).format(expr)
            guard let parsed = parseExpression(text) else {
                Issue.record("round \(round): does not parse: \(text)")
                return
            }
            if let difference = expr.firstDifference(from: parsed) {
                Issue.record("round \(round): the tree changed: \(difference)\n\(text)")
                return
            }
        }
    }

    @Test("comments inserted anywhere between tokens are all kept, and the result is stable")
    func commentsSurvive() {
        var generator = TreeGenerator(seed: 99)
        var rng = SplitMix64(seed: 0xC0_33E7)
        var total = 0
        for round in 0..<PropertyScale.count(600) {
            let tree = generator.ruleFile()
            let (text, added) = sprinkleComments(Formatter().format(tree), &rng)
            total += added.count
            let once = fmt(text)
            guard !once.hasPrefix("error:") else {
                Issue.record("round \(round): \(once)\n\(text)")
                return
            }
            // Comments may move (to the line above a declaration), never disappear.
            #expect(comments(once).sorted() == added.sorted(), "round \(round):\n\(text)\n---\n\(once)")
            let (parsed, _) = parseFile(once)
            #expect(parsed.map { firstDifference(tree, $0) } == .some(nil), "round \(round): tree changed\n\(once)")
            let twice = fmt(once)
            if twice != once {
                Issue.record("round \(round): not idempotent:\n\(text)\n--- once ---\n\(once)\n--- twice ---\n\(twice)")
                return
            }
        }
        #expect(total > PropertyScale.count(300))
    }

    // MARK: The canonical layout

    @Test("examples/flags.cohort is already formatted")
    func exampleIsFormatted() throws {
        let text = try String(contentsOfFile: PackagePaths.example("flags.cohort"), encoding: .utf8)
        #expect(fmt(text) == text)
    }

    @Test("every grammar example formats to something that parses the same and is stable")
    func grammarExamples() {
        let (expressions, files) = GrammarExamples.extract(from: GrammarExamples.text)
        #expect(!expressions.isEmpty && !files.isEmpty)
        for example in expressions {
            let once = fmt(example.text)
            #expect(parseExpression(once).flatMap { parsed in parseExpression(example.text).map { $0.hasSameShape(as: parsed) } } == true,
                    "line \(example.line): \(once)")
            #expect(fmt(once) == once, "line \(example.line)")
            #expect(comments(once) == comments(example.text), "line \(example.line)")
        }
        for example in files {
            let once = fmt(example.text)
            let (before, _) = parseFile(example.text)
            let (after, _) = parseFile(once)
            if let before, let after {
                #expect(firstDifference(before, after) == nil, "line \(example.line)")
            } else {
                Issue.record("line \(example.line): \(once)")
            }
            #expect(fmt(once) == once, "line \(example.line)")
            #expect(comments(once).sorted() == comments(example.text).sorted(), "line \(example.line)")
        }
    }

    @Test("spacing, spelling of operators, and only the parentheses the tree needs", arguments: [
        ("user.age>=18&&!user.x", "user.age >= 18 and not user.x\n"),
        ("a||b", "a or b\n"),
        ("(a or b) and c", "(a or b) and c\n"),
        ("a or (b and c)", "a or b and c\n"),
        ("((a or b)) or c", "(a or b) or c\n"),
        ("a or (b or c)", "a or (b or c)\n"),
        ("!(a == b)", "not a == b\n"),
        ("(not a) == b", "(not a) == b\n"),
        ("a == (not b)", "a == (not b)\n"),
        ("not (x in L)", "not x in L\n"),
        ("x not in L", "x not in L\n"),
        ("(a == b) == c", "(a == b) == c\n"),
        ("a == (b == c)", "a == (b == c)\n"),
        ("1 - (2 - 3)", "1 - (2 - 3)\n"),
        ("(1 - 2) - 3", "1 - 2 - 3\n"),
        ("(1 + 2) * 3", "(1 + 2) * 3\n"),
        ("1 + (2 * 3)", "1 + 2 * 3\n"),
        ("a / (b * c)", "a / (b * c)\n"),
        ("-(a + b)", "-(a + b)\n"),
        ("-(-x)", "- -x\n"),
        ("- -3", "3\n"),
        ("-(3)", "-3\n"),
        ("(-3)[0]", "(-3)[0]\n"),
        ("-(not b)", "-(not b)\n"),
        ("-x.y", "-x.y\n"),
        ("(-x).y", "(-x).y\n"),
        ("2 * -3", "2 * -3\n"),
        ("a - -b", "a - -b\n"),
        ("5[0]", "5[0]\n"),
        ("(a + b)[0].c", "(a + b)[0].c\n"),
        ("user . tags [ 0 ]", "user.tags[0]\n"),
        ("f( a , b , )", "f(a, b)\n"),
        ("lower(user.name)[0] == null", "lower(user.name)[0] == null\n"),
        ("[1,2][0]", "[1, 2][0]\n"),
        ("user.default == null and user.in == false", "user.default == null and user.in == false\n"),
    ])
    func expressions(input: String, expected: String) {
        #expect(fmt(input) == expected)
    }

    @Test("literals: numbers keep their spelling, strings get canonical quotes and escapes", arguments: [
        ("1_000_000 + 1E3 + 2.5e-1 + 0.10", "1_000_000 + 1E3 + 2.5e-1 + 0.10\n"),
        ("-0 == 0", "-0 == 0\n"),
        ("-  ( 3.5 )", "-3.5\n"),
        ("'it''s'", "error"),
        ("'say \"hi\"'", "\"say \\\"hi\\\"\"\n"),
        ("\"it's\" == 'it\\'s'", "\"it's\" == \"it's\"\n"),
        ("\"tab\\t nl\\n cr\\r bs\\\\ \\u{41}\"", "\"tab\\t nl\\n cr\\r bs\\\\ A\"\n"),
        ("\"\\u{0}\\u{1B}\\u{7F}\\u{85}\"", "\"\\u{0}\\u{1B}\\u{7F}\\u{85}\"\n"),
        ("\"a\\u{202E}b\\u{2066}c\\u{200B}d\\u{FEFF}\"", "\"a\\u{202E}b\\u{2066}c\\u{200B}d\\u{FEFF}\"\n"),
        ("\"\\u{A0}\\u{3000}\\u{2028}\\u{E000}\"", "\"\\u{A0}\\u{3000}\\u{2028}\\u{E000}\"\n"),
        ("\"😀 é e\\u{301} 👨‍👩‍👧\"", "\"😀 é e\u{301} 👨‍👩‍👧\"\n"),
        ("\"\\u{301}x \\u{301}\"", "\"\\u{301}x \\u{301}\"\n"),
    ])
    func literals(input: String, expected: String) {
        let output = fmt(input)
        if expected == "error" {
            #expect(output.hasPrefix("error:"))
        } else {
            #expect(output == expected)
        }
    }

    @Test("a rule file in the canonical layout")
    func ruleFileLayout() {
        let input = """


            # header

            let min_age=18 let adult_countries=["KR","JP"]
            segment adults = user.age>=min_age && user.country in adult_countries


            flag age_gate { default "off" }
            flag adult_content { when adults serve "on" when user.vip == true serve 'vip' default "off" }
            flag x = a+b


            """
        #expect(fmt(input) == """
            # header

            let min_age = 18
            let adult_countries = ["KR", "JP"]
            segment adults = user.age >= min_age and user.country in adult_countries

            flag age_gate {
              default "off"
            }
            flag adult_content {
              when adults             serve "on"
              when user.vip == true   serve "vip"
              default "off"
            }
            flag x = a + b

            """)
    }

    @Test("the serve column is three spaces after the widest short condition of the file")
    func serveAlignment() {
        let long = "user.plan == \"enterprise\" and user.country in [\"KR\"]"
        let input = "flag a { when x serve 1 default 0 }\nflag b { when \(long) serve 2 when yy serve 3 default 0 }"
        #expect(fmt(input) == """
            flag a {
              when x    serve 1
              default 0
            }
            flag b {
              when \(long) serve 2
              when yy   serve 3
              default 0
            }

            """)
    }

    @Test("long lines break at and/or, in lists and in argument lists")
    func lineBreaking() {
        let input = "flag f = user.country in [\"KR\", \"JP\", \"US\"] and (user.plan == \"pro\" or user.plan == \"enterprise\") and bucket(user.id, \"a-long-salt-for-this-flag\", 1000) < 250"
        #expect(fmt(input, width: 64) == """
            flag f = user.country in ["KR", "JP", "US"]
              and (user.plan == "pro" or user.plan == "enterprise")
              and bucket(user.id, "a-long-salt-for-this-flag", 1000) < 250

            """)
        #expect(fmt(input, width: 50) == """
            flag f = user.country in ["KR", "JP", "US"]
              and (
                user.plan == "pro"
                  or user.plan == "enterprise"
              )
              and bucket(
                user.id,
                "a-long-salt-for-this-flag",
                1000,
              ) < 250

            """)
        let ids = (1...30).map { "\"u-\(1000 + $0)\"" }.joined(separator: ", ")
        let listed = fmt("segment testers = user.id in [\(ids)]")
        #expect(listed.hasPrefix("segment testers = user.id in [\n  \"u-1001\",\n  \"u-1002\",\n"))
        #expect(listed.hasSuffix("  \"u-1030\",\n]\n"))
        #expect(fmt(listed) == listed)
    }

    @Test("a list written with a trailing comma stays one element per line")
    func magicTrailingComma() {
        #expect(fmt("segment paying = user.plan in [\"pro\", \"enterprise\",]") == """
            segment paying = user.plan in [
              "pro",
              "enterprise",
            ]

            """)
        #expect(fmt("segment paying = user.plan in [\"pro\", \"enterprise\"]") == "segment paying = user.plan in [\"pro\", \"enterprise\"]\n")
        // Not for calls: a trailing comma in an argument list is simply dropped.
        #expect(fmt("bucket(user.id, \"new_checkout\",) < 20") == "bucket(user.id, \"new_checkout\") < 20\n")
    }

    @Test("comments stay with their declaration, arm, list element or operand")
    func commentPlacement() {
        let input = """
            # leading
            let a = 1 # trailing
            flag b {    # on the brace
              # before the first arm
              when a == 1 serve "x"   // after an arm
              default "y" # after the default
              # before the brace
            } # after the block
            segment c = user.id in [
              "u-1",   # Ana
              # Ben and Cy
              "u-2", "u-3"
            ]
            segment d = user.x == 1      # one
              or user.y == 2             # two
            flag e = a + # inside an operator
              1
            # at the end
            """
        #expect(fmt(input) == """
            # leading
            let a = 1  # trailing
            flag b {   # on the brace
              # before the first arm
              when a == 1   serve "x"  // after an arm
              default "y"              # after the default
              # before the brace
            }  # after the block
            segment c = user.id in [
              "u-1",  # Ana
              # Ben and Cy
              "u-2",
              "u-3",
            ]
            segment d = user.x == 1  # one
              or user.y == 2         # two
            # inside an operator
            flag e = a + 1
            # at the end

            """)
    }

    @Test("a trailing comment stays with the last declaration of its line")
    func trailingCommentOfSharedLine() {
        #expect(fmt("let a = 1 let b = 2 # about b\n") == "let a = 1\nlet b = 2  # about b\n")
        #expect(fmt("flag x = a or b # why\nflag y = c") == "flag x = a or b  # why\nflag y = c\n")
    }

    @Test("CRLF line ends, tabs and trailing spaces are normalised")
    func whitespace() {
        #expect(fmt("let a = 1   # x  \r\nflag\tb =\ta\r\n") == "let a = 1  # x\nflag b = a\n")
        #expect(fmt("") == "")
        #expect(fmt("\n\n   \n") == "")
        #expect(fmt("# only a comment") == "# only a comment\n")
    }

    @Test("a file holding one expression is formatted as an expression")
    func standaloneExpression() {
        #expect(fmt("# adults\nuser.age>=18 # really\n") == "# adults\nuser.age >= 18  # really\n")
    }

    @Test("syntax errors are reported with file, line, column and caret", arguments: [
        ("flag x = a <\n", "t.cohort:2:1: error: expected an expression, found end of input"),
        ("user.a < b < c", "t.cohort:1:12: error: comparison operators cannot be chained; combine them with 'and'"),
        ("let x = 1\nfoo bar", "t.cohort:2:1: error: expected a declaration (let, segment or flag), found 'foo'"),
        ("let s = \"a\\q\"", "t.cohort:1:11: error: invalid escape '\\q' in string"),
    ])
    func syntaxErrors(input: String, firstLine: String) {
        let output = fmt(input)
        #expect(output.hasPrefix("error: " + firstLine), "\(output)")
    }

    @Test("a source over the size limit is refused with the limit's diagnostic")
    func sizeLimit() throws {
        var limits = Limits()
        limits.maxSourceBytes = 10
        #expect(throws: CompileError.self) { try Formatter().format(SourceFile(name: "big", text: "let a = 1 + 2 + 3"), limits: limits) }
    }
}
