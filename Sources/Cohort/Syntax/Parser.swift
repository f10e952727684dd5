/// A recursive-descent parser with precedence levels, for expressions and rule files.
///
/// Precedence, lowest first: `or`, `and`, `not`, comparison/membership (non-associative),
/// `+ -`, `* / %`, prefix `-`, postfix `.name [index] f(args)`.
package struct Parser {
    private var tokens: [Token]
    private var current = 0
    /// How deeply the parser itself is nested (brackets, calls, prefix operators): bounds
    /// its recursion.
    private var depth = 0
    /// The height of the tree the last expression function returned (a leaf is 1). Left-
    /// associative chains are parsed by loops, not recursion, so `depth` alone does not
    /// bound the tree: `(x).a.a * 1 * 1 + 1 + 1` nests three chains in one level. Every
    /// later stage walks the tree recursively, so its height is bounded too.
    private var height = 0
    private let limits: Limits
    private let source: SourceFile
    /// Diagnostics found so far.
    package private(set) var diagnostics: [Diagnostic] = []

    /// Thrown internally to unwind to the nearest recovery point once an error was reported.
    private struct Bail: Error {}

    package init(_ source: SourceFile, limits: Limits = Limits()) {
        var lexer = Lexer(source, limits: limits)
        self.tokens = lexer.tokenize()
        self.limits = limits
        self.source = source
    }

    // MARK: Entry points

    /// Parses a single expression that must span the whole source.
    package mutating func parseStandaloneExpression() -> Expr? {
        do {
            let expr = try expression()
            if peek.kind != .end {
                report(unexpected: peek, expected: "end of expression")
                return nil
            }
            return expr
        } catch {
            return nil
        }
    }

    /// Parses a rule file and returns its declarations (`let`, `segment`, `flag`); its
    /// `use` lines and `test` blocks are parsed and checked for syntax, then left out.
    package mutating func parseRuleFile() -> [Declaration] {
        parseFile().declarations
    }

    /// Parses a whole `.cohort` file: declarations, `use` lines and `test` blocks. Recovers
    /// at the next `let`, `segment`, `flag`, `use` or `test` after an error so every bad
    /// item is reported.
    package mutating func parseFile() -> RuleFile {
        var items: [RuleFile.Item] = []
        while peek.kind != .end {
            do {
                if isTestFileWord("use") {
                    items.append(.use(try useDirective()))
                } else if isTestFileWord("test") {
                    items.append(.test(try testBlock()))
                } else {
                    items.append(.declaration(try declaration()))
                }
            } catch {
                // Skip to the next item (without skipping one the failed item stopped at,
                // so the next item is still parsed).
                if !startsItem { advance() }
                while peek.kind != .end && !startsItem { advance() }
            }
        }
        return RuleFile(items: items)
    }

    /// True when the next token starts a top-level item.
    private var startsItem: Bool {
        [.kwLet, .kwSegment, .kwFlag].contains(peek.kind) || isTestFileWord("use") || isTestFileWord("test")
    }

    /// True when the next tokens are `word "..."`: `use` and `test` are keywords only
    /// there, at the start of an item, so `user.test` and a `let` named `use` still work.
    private func isTestFileWord(_ word: String) -> Bool {
        peek.kind == .identifier && peek.text == word && peekAt(1).kind == .string
    }

    // MARK: Declarations

    private mutating func declaration() throws(Bail) -> Declaration {
        let start = peek
        let kind: Declaration.Kind
        switch start.kind {
        case .kwLet: kind = .let
        case .kwSegment: kind = .segment
        case .kwFlag: kind = .flag
        default:
            if start.kind == .kwWhen || start.kind == .kwServe || start.kind == .kwDefault {
                try fail(.armKeywordOutsideFlag(start.text, start.span))
            }
            if start.kind == .identifier && start.text == "expect" {
                try fail(.expectOutsideTest(start.span))
            }
            if start.kind == .identifier && (start.text == "test" || start.text == "use") {
                advance()
                report(unexpected: peek, expected: start.text == "test" ? "the test's name in quotes after 'test'" : "a path in quotes after 'use'")
                throw Bail()
            }
            report(unexpected: start, expected: "a declaration (let, segment or flag)")
            throw Bail()
        }
        advance()
        let nameToken = peek
        guard nameToken.kind == .identifier else {
            if nameToken.isWord {
                advance()  // so recovery does not read the reserved word as a new declaration
                try fail(.reservedName(nameToken.text, nameToken.span))
            }
            report(unexpected: nameToken, expected: "a name after '\(start.text)'")
            throw Bail()
        }
        advance()
        var declaration = Declaration(kind: kind, name: nameToken.text, nameSpan: nameToken.span, span: start.span)
        if kind == .flag, peek.kind == .leftBrace {
            advance()
            var variants: [String: SourceSpan] = [:]
            while peek.kind == .kwWhen {
                let whenToken = advance()
                let condition = try expression()
                try expect(.kwServe, "'serve' after the condition of 'when'")
                let value = try expression()
                let variant = try variantName(in: declaration.name, seen: &variants)
                declaration.arms.append(.init(condition: condition, value: value,
                                              span: whenToken.span.union(variant?.span ?? value.span), variant: variant))
            }
            guard peek.kind == .kwDefault else {
                if peek.kind == .rightBrace {
                    try fail(.missingDefault(flag: declaration.name, peek.span))
                }
                report(unexpected: peek, expected: "'when' or 'default' in flag block")
                throw Bail()
            }
            advance()
            declaration.defaultValue = try expression()
            declaration.defaultVariant = try variantName(in: declaration.name, seen: &variants)
            if peek.kind == .kwWhen {
                try fail(.whenAfterDefault(peek.span))
            }
            let close = try expect(.rightBrace, "'}' to close the flag block")
            declaration.span = start.span.union(close.span)
        } else {
            try expect(.assign, kind == .flag ? "'=' or '{' after the flag name" : "'=' after the name")
            let expr = try expression()
            declaration.expression = expr
            declaration.span = start.span.union(expr.span)
        }
        return declaration
    }

    /// `as NAME` after a served value or default, if present. A name used twice in one
    /// flag is reported (parsing goes on).
    private mutating func variantName(in flag: String, seen: inout [String: SourceSpan]) throws(Bail) -> Declaration.Variant? {
        guard peek.kind == .identifier, peek.text == "as" else { return nil }
        advance()
        let name = peek
        guard name.kind == .identifier else {
            if name.isWord {
                advance()
                try fail(.reservedName(name.text, name.span))
            }
            report(unexpected: name, expected: "a variant name after 'as'")
            throw Bail()
        }
        advance()
        if let first = seen[name.text] {
            diagnostics.append(.duplicateVariant(name.text, flag: flag, name.span, first: first))
        } else {
            seen[name.text] = name.span
        }
        return Declaration.Variant(name: name.text, span: name.span)
    }

    // MARK: Tests

    /// `use "PATH"`.
    private mutating func useDirective() throws(Bail) -> UseDirective {
        let keyword = advance()
        let path = advance()
        return UseDirective(path: path.text, pathSpan: path.span, span: keyword.span.union(path.span))
    }

    /// `test "NAME" { statement... }`.
    private mutating func testBlock() throws(Bail) -> TestBlock {
        let keyword = advance()
        let name = advance()
        var test = TestBlock(name: name.text, nameSpan: name.span, span: keyword.span.union(name.span))
        try expect(.leftBrace, "'{' to open the test block")
        while peek.kind != .rightBrace {
            test.statements.append(try testStatement())
        }
        test.span = keyword.span.union(advance().span)
        return test
    }

    /// One line of a test block.
    private mutating func testStatement() throws(Bail) -> TestBlock.Statement {
        let first = peek
        guard first.kind == .identifier else {
            if first.kind == .end {
                report(unexpected: first, expected: "'}' to close the test block")
            } else if first.kind == .kwLet || first.kind == .kwSegment || first.kind == .kwFlag {
                advance()  // so recovery does not read it as a declaration of the file
                try fail(.declarationInTest(first.text, first.span))
            } else {
                report(unexpected: first, expected: Self.statementExpectation)
            }
            throw Bail()
        }
        let second = peekAt(1)
        switch first.text {
        case "expect":
            advance()
            let expr = try expression()
            guard peek.kind == .identifier, peek.text == "reason" else {
                return .expect(expr, span: first.span.union(expr.span))
            }
            let reasonWord = advance()
            guard case .name(let flag) = expr.kind else {
                try fail(.reasonWithoutFlag(expr.span.union(reasonWord.span)))
            }
            let kindToken = peek
            let kinds = ExpectedReason.allCases.map(\.rawValue)
            guard kindToken.isWord, let kind = ExpectedReason(rawValue: kindToken.text) else {
                if kindToken.isWord {
                    advance()
                    try fail(.unknownReasonKind(kindToken.text, suggestion: Suggestion.closest(to: kindToken.text, among: kinds), kindToken.span))
                }
                report(unexpected: kindToken, expected: "a reason kind after 'reason' (\(kinds.joined(separator: ", ")))")
                throw Bail()
            }
            advance()
            return .expectReason(flag: flag, flagSpan: expr.span, kind: kind, kindSpan: kindToken.span,
                                 span: first.span.union(kindToken.span))
        case "now" where second.kind == .string, "salt" where second.kind == .string:
            advance()
            advance()
            let span = first.span.union(second.span)
            return first.text == "now" ? .now(second.text, valueSpan: second.span, span: span) : .salt(second.text, valueSpan: second.span, span: span)
        default:
            guard second.kind == .json else {
                if second.kind == .error {
                    advance()
                    try fail(lexicalError(second))
                }
                if first.text == "now" || first.text == "salt" {
                    advance()
                    report(unexpected: second, expected: first.text == "now" ? "a time in quotes after 'now'" : "a salt in quotes after 'salt'")
                } else {
                    report(unexpected: first, expected: Self.statementExpectation)
                }
                throw Bail()
            }
            advance()
            advance()
            let value: Value
            do {
                value = try JSONReader.parse(second.text, maxDepth: limits.maxNestingDepth)
            } catch {
                // Point at the offending byte inside the object, not at its start.
                let at = second.span.start + min(error.offset, second.span.end - second.span.start)
                try fail(.invalidJSON(error.message, SourceSpan(start: at, end: min(at + 1, second.span.end))))
            }
            guard case .object(let fields) = value else {
                try fail(.invalidJSON("a context line needs a JSON object", second.span))
            }
            return .context(TestBlock.ContextLine(
                root: first.text == "context" ? nil : first.text, rootSpan: first.span,
                json: second.text, jsonSpan: second.span, fields: fields))
        }
    }

    private static let statementExpectation = "a line of a test block (ROOT {json}, context {json}, now \"TIME\", salt \"S\", expect ...) or '}'"

    // MARK: Expressions

    private mutating func expression() throws(Bail) -> Expr {
        try logical(.or)
    }

    private mutating func logical(_ op: LogicalOperator) throws(Bail) -> Expr {
        let first = op == .or ? try logical(.and) : try negation()
        var operands = [first]
        var tallest = height
        while op == .or ? (peek.kind == .kwOr || peek.kind == .pipePipe) : (peek.kind == .kwAnd || peek.kind == .ampAmp) {
            advance()
            operands.append(op == .or ? try logical(.and) : try negation())
            tallest = max(tallest, height)
        }
        if operands.count == 1 { return first }
        return try node(Expr(.logical(op, operands), first.span.union(operands.last!.span)), over: tallest)
    }

    private mutating func negation() throws(Bail) -> Expr {
        if peek.kind == .kwNot || peek.kind == .bang {
            let op = advance()
            try enter(op.span)
            defer { depth -= 1 }
            let operand = try negation()
            return try node(Expr(.unary(.not, operand), op.span.union(operand.span)), over: height)
        }
        return try comparison()
    }

    private mutating func comparison() throws(Bail) -> Expr {
        let left = try additive()
        let leftHeight = height
        guard let op = comparisonOperator() else {
            try rejectMisspelledOperator()
            return left
        }
        let right = try additive()
        if let again = comparisonOperatorPeek() {
            try fail(.chainedComparison(again))
        }
        return try node(Expr(.binary(op, left, right), left.span.union(right.span)), over: max(leftHeight, height))
    }

    /// Consumes a comparison/membership operator if one is next.
    private mutating func comparisonOperator() -> BinaryOperator? {
        let op: BinaryOperator
        switch peek.kind {
        case .equalEqual: op = .equal
        case .bangEqual: op = .notEqual
        case .less: op = .less
        case .lessEqual: op = .lessEqual
        case .greater: op = .greater
        case .greaterEqual: op = .greaterEqual
        case .kwIn: op = .in
        case .kwContains: op = .contains
        case .kwContainsAny: op = .containsAny
        case .kwContainsAll: op = .containsAll
        case .kwStartsWith: op = .startsWith
        case .kwEndsWith: op = .endsWith
        case .kwMatches: op = .matches
        case .kwNot where peekAt(1).kind == .kwIn:
            advance()
            op = .notIn
        default: return nil
        }
        advance()
        return op
    }

    private func comparisonOperatorPeek() -> SourceSpan? {
        switch peek.kind {
        case .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual, .kwIn, .kwContains,
            .kwContainsAny, .kwContainsAll, .kwStartsWith, .kwEndsWith, .kwMatches:
            return peek.span
        case .kwNot where peekAt(1).kind == .kwIn:
            return peek.span
        default:
            return nil
        }
    }

    /// `a startsWith b`: an identifier where an operator belongs is most likely a misspelt
    /// word operator; say which one.
    private mutating func rejectMisspelledOperator() throws(Bail) {
        // `as NAME` after a served value and `reason KIND` after an expected flag are
        // followed up by the caller.
        guard peek.kind == .identifier, peek.text != "as", peek.text != "reason" else { return }
        if peek.text == "is" || peek.text == "equals" {
            try fail(.unknownOperator(peek.text, suggestion: "==", peek.span))
        }
        if let suggestion = Suggestion.closest(to: peek.text, among: Token.wordOperators) {
            try fail(.unknownOperator(peek.text, suggestion: suggestion, peek.span))
        }
    }

    private mutating func additive() throws(Bail) -> Expr {
        var left = try multiplicative()
        while peek.kind == .plus || peek.kind == .minus {
            let leftHeight = height
            let op: BinaryOperator = advance().kind == .plus ? .add : .subtract
            let right = try multiplicative()
            left = try node(Expr(.binary(op, left, right), left.span.union(right.span)), over: max(leftHeight, height))
        }
        return left
    }

    private mutating func multiplicative() throws(Bail) -> Expr {
        var left = try prefix()
        while peek.kind == .star || peek.kind == .slash || peek.kind == .percent {
            let leftHeight = height
            let kind = advance().kind
            let op: BinaryOperator = kind == .star ? .multiply : kind == .slash ? .divide : .remainder
            let right = try prefix()
            left = try node(Expr(.binary(op, left, right), left.span.union(right.span)), over: max(leftHeight, height))
        }
        return left
    }

    private mutating func prefix() throws(Bail) -> Expr {
        if peek.kind == .minus {
            let op = advance()
            try enter(op.span)
            defer { depth -= 1 }
            let operand = try prefix()
            // Fold `-` into number literals so `-3.5` is a literal, as users read it.
            if case .literal(.number(let n)) = operand.kind {
                return leaf(Expr(.literal(.number(-n)), op.span.union(operand.span)))
            }
            return try node(Expr(.unary(.negate, operand), op.span.union(operand.span)), over: height)
        }
        if peek.kind == .kwNot || peek.kind == .bang {
            try fail(.misplacedNot(peek.kind == .bang ? "!" : "not", peek.span))
        }
        return try postfix()
    }

    private mutating func postfix() throws(Bail) -> Expr {
        var expr = try primary()
        while true {
            switch peek.kind {
            case .dot:
                advance()
                let name = peek
                guard name.isWord else {
                    report(unexpected: name, expected: "a member name after '.'")
                    throw Bail()
                }
                advance()
                if case .literal(.number) = expr.kind {
                    // `1.e3` or `5.x` reads as a member of a number, which is always null:
                    // surely not what was meant.
                    let exponent = name.text.first.map { $0 == "e" || $0 == "E" } == true && name.text.dropFirst().allSatisfy(\.isNumber)
                    try fail(.numberMember(looksLikeExponent: exponent, expr.span.union(name.span)))
                }
                expr = try node(Expr(.member(expr, name: name.text), expr.span.union(name.span)), over: height)
            case .leftBracket:
                let baseHeight = height
                let open = advance()
                try enter(open.span)
                let index = try expression()
                depth -= 1
                let close = try expect(.rightBracket, "']' to close the index")
                expr = try node(Expr(.index(expr, index), expr.span.union(close.span)), over: max(baseHeight, height))
            case .leftParen:
                try fail(.callOfNonFunction(peek.span))
            default:
                return expr
            }
        }
    }

    private mutating func primary() throws(Bail) -> Expr {
        let token = peek
        switch token.kind {
        case .number:
            advance()
            return leaf(Expr(.literal(.number(token.number)), token.span))
        case .string:
            advance()
            return leaf(Expr(.literal(.string(token.text)), token.span))
        case .kwTrue, .kwFalse:
            advance()
            return leaf(Expr(.literal(.bool(token.kind == .kwTrue)), token.span))
        case .kwNull:
            advance()
            return leaf(Expr(.literal(.null), token.span))
        case .identifier:
            advance()
            if peek.kind == .leftParen {
                let open = advance()
                try enter(open.span)
                defer { depth -= 1 }
                let (arguments, close) = try sequence(closing: .rightParen, what: "')' or ',' in the argument list")
                return try node(Expr(.call(token.text, arguments), token.span.union(close.span)), over: height)
            }
            return leaf(Expr(.name(token.text), token.span))
        case .leftParen:
            let open = advance()
            try enter(open.span)
            defer { depth -= 1 }
            let inner = try expression()
            let close = try expect(.rightParen, "')' to close '('")
            return Expr(inner.kind, open.span.union(close.span))
        case .leftBracket:
            let open = advance()
            try enter(open.span)
            defer { depth -= 1 }
            let (elements, close) = try sequence(closing: .rightBracket, what: "']' or ',' in the list")
            return try node(Expr(.list(elements), open.span.union(close.span)), over: height)
        case .error:
            try fail(lexicalError(token))
        default:
            if token.isWord && token.kind != .kwNot {
                try fail(.reservedWordAsName(token.text, token.span))
            }
            report(unexpected: token, expected: "an expression")
            throw Bail()
        }
    }

    /// A comma-separated list of expressions with an optional trailing comma. Leaves the
    /// height of the tallest item (0 for none) in `height`.
    private mutating func sequence(closing: Token.Kind, what: String) throws(Bail) -> ([Expr], Token) {
        var items: [Expr] = []
        var tallest = 0
        while peek.kind != closing {
            items.append(try expression())
            tallest = max(tallest, height)
            if items.count > limits.maxListLiteralCount {
                try fail(.listTooLong(limit: limits.maxListLiteralCount, items.last!.span))
            }
            if peek.kind == .comma {
                advance()
            } else if peek.kind != closing {
                report(unexpected: peek, expected: what)
                throw Bail()
            }
        }
        height = tallest
        return (items, advance())
    }

    // MARK: Helpers

    private var peek: Token { tokens[current] }
    /// The token `ahead` places from the current one (negative: behind it), clamped to the
    /// token list.
    private func peekAt(_ ahead: Int) -> Token { tokens[min(max(current + ahead, 0), tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[current]
        if current < tokens.count - 1 { current += 1 }
        return token
    }

    @discardableResult
    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(Bail) -> Token {
        guard peek.kind == kind else {
            report(unexpected: peek, expected: what)
            throw Bail()
        }
        return advance()
    }

    private mutating func enter(_ span: SourceSpan) throws(Bail) {
        depth += 1
        if depth > limits.maxNestingDepth {
            try fail(.nestedTooDeep(limit: limits.maxNestingDepth, span))
        }
    }

    /// A leaf of the tree: height 1.
    private mutating func leaf(_ expr: Expr) -> Expr {
        height = 1
        return expr
    }

    /// A node whose tallest child has height `childHeight`. A tree taller than the nesting
    /// limit is refused here, as it is built, so no stage ever holds one.
    private mutating func node(_ expr: Expr, over childHeight: Int) throws(Bail) -> Expr {
        height = childHeight + 1
        if height > limits.maxNestingDepth {
            try fail(.nestedTooDeep(limit: limits.maxNestingDepth, expr.span))
        }
        return expr
    }

    private mutating func report(unexpected token: Token, expected: String) {
        if token.kind == .error {
            diagnostics.append(lexicalError(token))
        } else if token.kind == .assign, endsOperand(peekAt(-1)), startsOperand(peekAt(1)) {
            // `a = b` between two operands: a comparison was meant.
            diagnostics.append(.singleEquals(token.span))
        } else {
            diagnostics.append(.unexpectedToken(describe(token), expected: expected, token.span))
        }
    }

    /// The diagnostic of an error token. An unknown escape such as `\.` in a string is
    /// most often a regular-expression escape: right after `matches` the string is a
    /// pattern for sure, elsewhere it may become one (through a `let`), so the message says so
    /// when the escaped character means something in a pattern.
    private func lexicalError(_ token: Token) -> Diagnostic {
        let diagnostic = token.diagnostic ?? .unexpectedCharacter(token.text, token.span)
        guard diagnostic.code == DiagnosticCode.invalidEscape.rawValue else { return diagnostic }
        let escape = source.text(of: token.span)
        guard escape.count == 2, let escaped = escape.last, escaped != "u" else { return diagnostic }
        let isPattern = peekAt(-1).kind == .kwMatches
        guard isPattern || "./dDwWsSbB()[]{}+*?|^$-".contains(escaped) else { return diagnostic }
        return .invalidEscapeInPattern(diagnostic, shown: String(escaped), isPattern: isPattern)
    }

    /// True for a token that can end an operand (`x`, `1`, `"a"`, `)`, `]`, `true`).
    private func endsOperand(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .number, .string, .rightParen, .rightBracket, .kwTrue, .kwFalse, .kwNull: true
        default: false
        }
    }

    /// True for a token that can start an operand.
    private func startsOperand(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .number, .string, .leftParen, .leftBracket, .minus, .kwTrue, .kwFalse, .kwNull, .kwNot, .bang: true
        default: false
        }
    }

    /// Reports a diagnostic and unwinds to the nearest recovery point.
    private mutating func fail(_ diagnostic: Diagnostic) throws(Bail) -> Never {
        diagnostics.append(diagnostic)
        throw Bail()
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .end: return "end of input"
        case .number, .string: return "'\(source.text(of: token.span))'"
        case .identifier: return "'\(token.text)'"
        case .json: return "a JSON object"
        default: return token.isWord ? "'\(token.text)'" : "'\(spelling(token.kind))'"
        }
    }
}
