/// The static typing rules: which operand types an operator accepts and what it yields.
/// The checker uses them to reject operators that can never work; the VM enforces the
/// same rules at run time through `Operations`.
package enum Typing {
    /// The result type of `a op b` for operand types `a` and `b`, or nil when the operator
    /// cannot take them.
    package static func result(_ op: BinaryOperator, _ a: ValueKind, _ b: ValueKind) -> ValueKind? {
        switch op {
        case .add:
            switch (a, b) {
            case (.number, .number): return .number
            case (.string, .string): return .string
            case (.time, .number), (.number, .time): return .time
            default: return nil
            }
        case .subtract:
            switch (a, b) {
            case (.number, .number), (.time, .time): return .number
            case (.time, .number): return .time
            default: return nil
            }
        case .multiply, .divide, .remainder:
            return a == .number && b == .number ? .number : nil
        case .less, .lessEqual, .greater, .greaterEqual:
            guard a == b else { return nil }
            switch a {
            case .number, .string, .version, .time: return .bool
            default: return nil
            }
        case .equal, .notEqual:
            return .bool
        case .in, .notIn:
            return b == .list ? .bool : nil
        case .contains:
            return (a == .string && b == .string) || a == .list ? .bool : nil
        case .containsAny, .containsAll:
            return (a == .string || a == .list) && b == .list ? .bool : nil
        case .startsWith, .endsWith, .matches:
            return a == .string && b == .string ? .bool : nil
        }
    }

    /// The outcome of typing an operator application where either side may be unknown.
    package enum Outcome: Equatable {
        /// Always fails (the catalogue's `operandTypes` says why).
        case never
        /// Works for some run-time types; the result type if it is always the same.
        case maybe(ValueKind?)
    }

    /// Types `a op b` where nil means "not known until run time".
    /// (The checker types every operator it meets: this allocates nothing.)
    package static func check(_ op: BinaryOperator, _ a: ValueKind?, _ b: ValueKind?) -> Outcome {
        // The result kinds over every pair of operand kinds possible: none, one, or several.
        var first: ValueKind?
        var several = false
        forEachKind(a) { l in
            forEachKind(b) { r in
                guard let k = result(op, l, r) else { return }
                if first == nil { first = k } else if k != first { several = true }
            }
        }
        guard let first else { return .never }
        return .maybe(several ? nil : first)
    }

    /// Calls `body` with `kind`, or with every kind when it is not known.
    private static func forEachKind(_ kind: ValueKind?, _ body: (ValueKind) -> Void) {
        if let kind {
            body(kind)
        } else {
            ValueKind.allCases.forEach(body)
        }
    }
}

extension Operations {
    /// Applies a binary operator (other than `and`/`or`) to two values.
    package static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws(Fault) -> Value {
        switch op {
        case .add: return try add(a, b)
        case .subtract: return try subtract(a, b)
        case .multiply: return try multiply(a, b)
        case .divide: return try divide(a, b)
        case .remainder: return try remainder(a, b)
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return .bool(try op.comparison!.apply(a, b))
        case .in: return .bool(try inList(a, b))
        case .notIn: return .bool(!(try inList(a, b)))
        case .contains: return .bool(try contains(a, b))
        case .containsAny: return .bool(try containsSome(a, b, all: false))
        case .containsAll: return .bool(try containsSome(a, b, all: true))
        case .startsWith: return .bool(try affix(a, b, prefix: true))
        case .endsWith: return .bool(try affix(a, b, prefix: false))
        case .matches:
            guard case .string(let pattern) = b else { throw Fault.operand("'matches'", "right", expected: "a string", got: b) }
            guard case .string(let text) = a else { throw Fault.operand("'matches'", "left", expected: "a string", got: a) }
            do {
                return .bool(try RegexPattern(pattern).matches(text))
            } catch {
                throw Fault("invalid regular expression: \(error.message)")
            }
        }
    }
}

extension BinaryOperator {
    /// The bytecode's comparison for `==` `!=` `<` `<=` `>` `>=`; nil for other operators.
    package var comparison: Comparison? {
        switch self {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessEqual: .lessEqual
        case .greater: .greater
        case .greaterEqual: .greaterEqual
        default: nil
        }
    }
}
