/// A failure inside an operation: the message of an error value. The VM attaches the span
/// of the instruction that failed.
package struct Fault: Error, Sendable, Hashable {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    /// The operand has the wrong type for the operator.
    /// A flag condition that is not a boolean at run time (a missing attribute is null,
    /// not false).
    package static func nonBooleanCondition(_ value: Value, booleanFlag: Bool) -> Fault {
        let got = value.isNull ? "null" : "a " + value.typeName
        return Fault(booleanFlag ? "the expression of a boolean flag must be a boolean, but it is \(got)"
                         : "the condition of 'when' must be a boolean, but it is \(got)")
    }

    package static func operand(_ op: String, _ side: String, expected: String, got value: Value) -> Fault {
        // An operator's operand is "on the left"; a function's is "as its argument".
        let place = side == "argument" ? "as its argument" : "on the \(side)"
        if value.isNull {
            return Fault("\(op) needs \(expected) \(place), but it is null (a missing attribute?)")
        }
        return Fault("\(op) needs \(expected) \(place), but it is a \(value.typeName)")
    }

    /// Two operands of types the operator cannot combine.
    package static func operands(_ op: String, _ a: Value, _ b: Value) -> Fault {
        if a.isNull || b.isNull {
            return Fault("cannot apply '\(op)' to \(a.typeName) and \(b.typeName) (a missing attribute?)")
        }
        return Fault("cannot apply '\(op)' to \(a.typeName) and \(b.typeName)")
    }
}
