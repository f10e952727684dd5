/// A rule whose evaluation produced an error value: an operation on the wrong types, a
/// missing attribute where a value was needed, division by zero, an invalid version at run
/// time. It carries the span of the failing sub-expression, what kind of failure it was and,
/// where the failing test read one directly, the attribute involved.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, for a person.
    public var message: String
    /// What kind of failure it was, for a program.
    public var kind: Kind
    /// The attribute path the failing test read (`user.email`), when it read one directly
    /// (a comparison, membership, affix, rollout or version test of an attribute); nil for
    /// a failure inside a computed expression.
    public var path: String?
    /// The failing sub-expression.
    public var span: SourceSpan
    /// Where the span starts, as `line:col`.
    public var location: SourceLocation
    /// The name of the source the span is in (a rule file's path, or `<expr>`).
    public var file: String

    /// The kinds of run-time failure. There are no run-time limits: every limit is applied
    /// when rules are compiled.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// An operand was null, in practice a missing attribute (`user.age < 18` without `age`).
        case missingAttribute
        /// An operand of the wrong type (`user.age < 18` with `age` a string).
        case typeMismatch
        /// A string that is not a valid semantic version (`semver(user.app_version)`).
        case invalidVersion
        /// A string that is not a valid RFC 3339 time or date (`time(user.signup_at)`).
        case invalidTime
        /// A string that is not a number (`number(user.score)`).
        case invalidNumber
        /// Division or remainder by zero, an overflow, a time out of range.
        case arithmetic
        /// Anything else (a bucket count out of range).
        case other
    }

    /// The error of `fault` in `source`; `paths` names the attribute slots.
    package init(_ fault: RuntimeFault, source: SourceFile, paths: [AttributePath] = []) {
        self.init(message: fault.message, kind: Kind(rawValue: fault.kind.rawValue) ?? .other,
                  path: fault.slot.flatMap { $0 < paths.count ? paths[$0].description : nil }, span: fault.span, source: source)
    }

    /// An error with every part given (an error moved to another source keeps its kind).
    package init(message: String, kind: Kind, path: String?, span: SourceSpan, source: SourceFile) {
        self.message = message
        self.kind = kind
        self.path = path
        self.span = span
        location = source.location(of: span.start)
        file = source.name
    }

    public var description: String { "\(location): \(message)" }

    /// The error as a diagnostic, for rendering with a caret under the failing part.
    public var diagnostic: Diagnostic {
        .evaluationError(message, span)
    }
}
