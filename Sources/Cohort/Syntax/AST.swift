/// An expression as written: the parser's output, before names are resolved.
package struct Expr: Sendable, Hashable {
    /// The shape of the expression.
    package indirect enum Kind: Sendable, Hashable {
        /// `null`, `true`, `42`, `"qa"`.
        case literal(Value)
        /// `[a, b]`.
        case list([Expr])
        /// A bare name: a context root (`user`) or a declaration of the rule file.
        case name(String)
        /// `base.name`.
        case member(Expr, name: String)
        /// `base[index]`.
        case index(Expr, Expr)
        /// `f(args)`, where `f` is a built-in function.
        case call(String, [Expr])
        /// A prefix operator.
        case unary(UnaryOperator, Expr)
        /// A binary operator other than `and`/`or`.
        case binary(BinaryOperator, Expr, Expr)
        /// A chain of `and`s or of `or`s, kept flat so long chains do not nest deeply.
        case logical(LogicalOperator, [Expr])
    }

    /// The shape.
    package var kind: Kind
    /// The source span of the whole expression.
    package var span: SourceSpan

    package init(_ kind: Kind, _ span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// `not`/`!` and `-`.
package enum UnaryOperator: String, Sendable, Hashable {
    case not = "not"
    case negate = "-"
}

/// `and`/`&&` and `or`/`||`.
package enum LogicalOperator: String, Sendable, Hashable {
    case and, or
}

/// The binary operators, spelled as in source.
package enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case `in` = "in", notIn = "not in"
    case contains = "contains", containsAny = "contains_any", containsAll = "contains_all"
    case startsWith = "starts_with", endsWith = "ends_with", matches = "matches"

    /// True for the non-associative comparison and membership level.
    package var isComparison: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .remainder: false
        default: true
        }
    }
}

// MARK: - Rule files

/// A declaration of a rule file.
package struct Declaration: Sendable, Hashable {
    /// What is declared.
    package enum Kind: String, Sendable, Hashable {
        case `let`, segment, flag
    }
    /// A `when COND serve VALUE [as NAME]` arm of a flag block.
    package struct Arm: Sendable, Hashable {
        package var condition: Expr
        package var value: Expr
        /// Span of the `when` keyword through the served value (and its `as NAME`).
        package var span: SourceSpan
        /// The arm's variant name (`as NAME`), if it has one.
        package var variant: Variant?

        package init(condition: Expr, value: Expr, span: SourceSpan, variant: Variant? = nil) {
            self.condition = condition
            self.value = value
            self.span = span
            self.variant = variant
        }
    }

    /// `as NAME` after a served value or a default: the name an evaluation reports as its
    /// variant (LANGUAGE.md §5).
    package struct Variant: Sendable, Hashable {
        package var name: String
        /// The span of `NAME`.
        package var span: SourceSpan

        package init(name: String, span: SourceSpan) {
            self.name = name
            self.span = span
        }
    }

    package var kind: Kind
    package var name: String
    package var nameSpan: SourceSpan
    /// The whole declaration.
    package var span: SourceSpan
    /// `let`/`segment`/`flag NAME = expr`: the expression. Nil for a flag block.
    package var expression: Expr?
    /// A flag block's arms.
    package var arms: [Arm] = []
    /// A flag block's default value.
    package var defaultValue: Expr?
    /// The default's variant name (`default VALUE as NAME`), if it has one.
    package var defaultVariant: Variant?

    package init(kind: Kind, name: String, nameSpan: SourceSpan, span: SourceSpan, expression: Expr? = nil,
                 arms: [Arm] = [], defaultValue: Expr? = nil, defaultVariant: Variant? = nil) {
        self.kind = kind
        self.name = name
        self.nameSpan = nameSpan
        self.span = span
        self.expression = expression
        self.arms = arms
        self.defaultValue = defaultValue
        self.defaultVariant = defaultVariant
    }
}
