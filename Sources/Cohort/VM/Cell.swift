/// A stack cell of the VM: a value, or an error value with the span of what failed.
package enum Cell: Sendable {
    case value(Value)
    /// Boxed (`indirect`): errors are rare, and out of line they keep a cell as small as a value.
    indirect case error(RuntimeFault)
}

/// An error value inside an evaluation: what failed, and where in the source.
package struct RuntimeFault: Sendable, Hashable {
    package var message: String
    package var span: SourceSpan
}
