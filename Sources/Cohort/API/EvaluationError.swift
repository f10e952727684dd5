/// A rule whose evaluation produced an error value: an operation on the wrong types, a
/// missing attribute where a value was needed, division by zero, an invalid version at run
/// time. It carries the span of the failing sub-expression.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed.
    public var message: String
    /// The failing sub-expression.
    public var span: SourceSpan
    /// Where the span starts, as `line:col`.
    public var location: SourceLocation
    /// The name of the source the span is in (a rule file's path, or `<expr>`).
    public var file: String

    package init(_ fault: RuntimeFault, source: SourceFile) {
        message = fault.message
        span = fault.span
        location = source.location(of: fault.span.start)
        file = source.name
    }

    public var description: String { "\(location): \(message)" }

    /// The error as a diagnostic, for rendering with a caret under the failing part.
    public var diagnostic: Diagnostic {
        .evaluationError(message, span)
    }
}
