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

    /// Parses a rule file: a sequence of declarations. Recovers at the next `let`,
    /// `segment` or `flag` after an error so every bad declaration is reported.
    package mutating func parseRuleFile() -> [Declaration] {
        var declarations: [Declaration] = []
        while peek.kind != .end {
            do {
                declarations.append(try declaration())
            } catch {
                // Skip to the next declaration keyword (without skipping one the failed
                // declaration stopped at, so the next declaration is still parsed).
                if ![.kwLet, .kwSegment, .kwFlag].contains(peek.kind) { advance() }
                while ![.end, .kwLet, .kwSegment, .kwFlag].contains(peek.kind) { advance() }
            }
        }
        return declarations
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
                try fail(.syntax("'\(start.text)' belongs inside a flag block: flag NAME { when ... serve ... default ... }", start.span))
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
            while peek.kind == .kwWhen {
                let whenToken = advance()
                let condition = try expression()
                try expect(.kwServe, "'serve' after the condition of 'when'")
                let value = try expression()
                declaration.arms.append(.init(condition: condition, value: value, span: whenToken.span.union(value.span)))
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
            if peek.kind == .kwWhen {
                try fail(.syntax("'when' after 'default': the default must come last in a flag block", peek.span))
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
            try fail(.syntax("comparison operators cannot be chained; combine them with 'and'", again))
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
        guard peek.kind == .identifier else { return }
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
            try fail(.syntax("'\(peek.kind == .bang ? "!" : "not")' cannot appear here; put the negated operand in parentheses: (not x)", peek.span))
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
                    try fail(.syntax(exponent
                        ? "a number has no members; write an exponent without the '.', e.g. 1e3 or 1.0e3"
                        : "a number has no members", expr.span.union(name.span)))
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
                try fail(.syntax("only built-in functions can be called", peek.span))
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
            try fail(.lexical(token.text, token.span))
        default:
            if token.isWord && token.kind != .kwNot {
                try fail(.syntax("'\(token.text)' is a reserved word and cannot be used as a name here", token.span))
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
                try fail(.limit("a list or argument list has more than \(limits.maxListLiteralCount) elements (limit)", items.last!.span))
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
    private func peekAt(_ ahead: Int) -> Token { tokens[min(current + ahead, tokens.count - 1)] }

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
            try fail(.limit("expression is nested more than \(limits.maxNestingDepth) levels deep (limit)", span))
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
            try fail(.limit("expression is nested more than \(limits.maxNestingDepth) levels deep (limit)", expr.span))
        }
        return expr
    }

    private mutating func report(unexpected token: Token, expected: String) {
        if token.kind == .error {
            diagnostics.append(.lexical(token.text, token.span))
        } else {
            diagnostics.append(.unexpectedToken(describe(token), expected: expected, token.span))
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
        default: return token.isWord ? "'\(token.text)'" : "'\(spelling(token.kind))'"
        }
    }
}
