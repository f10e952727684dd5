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

/// An error value inside an evaluation: what failed, and where in the source.
package struct RuntimeFault: Sendable, Hashable {
    package var message: String
    package var span: SourceSpan
}

extension Value {
    /// The boolean this value is, or nil for any other value.
    @inline(__always)
    var plainBoolean: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
