/// A failure inside an operation: the message of an error value. The VM attaches the span
/// of the instruction that failed.
package struct Fault: Error, Sendable, Hashable {
    package var message: String
    /// What went wrong, for callers that act on it rather than show it.
    package var kind: Kind

    /// The kinds of run-time failure (`EvaluationError.Kind` is the public face).
    package enum Kind: String, Sendable, Hashable {
        /// An operand was null: in practice a missing attribute.
        case missingAttribute
        /// An operand of the wrong type.
        case typeMismatch
        /// A string that is not a valid semantic version.
        case invalidVersion
        /// A string that is not a valid RFC 3339 time or date.
        case invalidTime
        /// A string that is not a number (`number(s)`).
        case invalidNumber
        /// Division by zero, an overflow, a time out of range.
        case arithmetic
        /// Anything else (a bucket count out of range, an invalid pattern).
        case other
    }

    package init(_ message: String, kind: Kind = .other) {
        self.message = message
        self.kind = kind
    }

    /// The operand has the wrong type for the operator.
    /// A flag condition that is not a boolean at run time (a missing attribute is null,
    /// not false).
    package static func nonBooleanCondition(_ value: Value, booleanFlag: Bool) -> Fault {
        let got = value.isNull ? "null" : "a " + value.typeName
        return Fault(booleanFlag ? "the expression of a boolean flag must be a boolean, but it is \(got)"
                         : "the condition of 'when' must be a boolean, but it is \(got)",
                     kind: value.isNull ? .missingAttribute : .typeMismatch)
    }

    package static func operand(_ op: String, _ side: String, expected: String, got value: Value) -> Fault {
        // An operator's operand is "on the left"; a function's is "as its argument".
        let place = side == "argument" ? "as its argument" : "on the \(side)"
        if value.isNull {
            return Fault("\(op) needs \(expected) \(place), but it is null (a missing attribute?)", kind: .missingAttribute)
        }
        return Fault("\(op) needs \(expected) \(place), but it is a \(value.typeName)", kind: .typeMismatch)
    }

    /// Two operands of types the operator cannot combine.
    package static func operands(_ op: String, _ a: Value, _ b: Value) -> Fault {
        if a.isNull || b.isNull {
            return Fault("cannot apply '\(op)' to \(a.typeName) and \(b.typeName) (a missing attribute?)", kind: .missingAttribute)
        }
        return Fault("cannot apply '\(op)' to \(a.typeName) and \(b.typeName)", kind: .typeMismatch)
    }
}
