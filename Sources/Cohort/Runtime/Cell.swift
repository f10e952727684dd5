/// A stack cell of the VM: a value, or an error value with the span of what failed.
package enum Cell: Sendable {
    case value(Value)
    /// Boxed (`indirect`): errors are rare, and out of line they keep a cell as small as a value.
    indirect case error(RuntimeFault)

    /// The boolean this cell holds, or nil for any other value or an error.
    @inline(__always)
    var plainBoolean: Bool? {
        if case .value(.bool(let b)) = self { return b }
        return nil
    }
}

extension Cell {
    /// `a and b` (`decider` false) or `a or b` (true) once both sides were evaluated, `a`
    /// not being the deciding value (a short-circuit would have stopped there): the right
    /// side when it decides (absorbing an error on the left), else the left error, else the
    /// right side, which must be a boolean. `op` and `span` name the operator in errors.
    package static func combine(_ a: Cell, _ b: Cell, decider: Bool, op: String, span: SourceSpan) -> Cell {
        if case .value(.bool(let bv)) = b, bv == decider { return b }
        if case .error = a { return a }
        guard case .value(let av) = a, case .bool = av else {
            if case .value(let av) = a {
                return .error(RuntimeFault(Fault.operand("'\(op)'", "left", expected: "a boolean", got: av), span: span))
            }
            return a
        }
        switch b {
        case .value(.bool), .error: return b
        case .value(let bv):
            return .error(RuntimeFault(Fault.operand("'\(op)'", "right", expected: "a boolean", got: bv), span: span))
        }
    }
}

/// An error value inside an evaluation: what failed, and where in the source.
package struct RuntimeFault: Sendable, Hashable {
    package var message: String
    package var span: SourceSpan
    /// What went wrong.
    package var kind: Fault.Kind
    /// The attribute slot the failing test read, when it read one directly.
    package var slot: Int?

    /// The fault `fault` raised at `span`.
    package init(_ fault: Fault, span: SourceSpan, slot: Int? = nil) {
        (message, self.span, kind, self.slot) = (fault.message, span, fault.kind, slot)
    }
}

extension Value {
    /// The boolean this value is, or nil for any other value.
    @inline(__always)
    var plainBoolean: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
