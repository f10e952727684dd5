/// A checked expression: names resolved to slots and declarations, constants folded,
/// literal conversions done. The compiler turns it into bytecode.
package indirect enum IR: Sendable {
    case constant(Value, SourceSpan)
    /// An attribute path, read from its slot.
    case slot(Int, SourceSpan)
    /// `base.name` on a computed base.
    case member(IR, String, SourceSpan)
    /// `base[index]` with a computed base or index.
    case index(IR, IR, SourceSpan)
    /// A list literal with computed elements.
    case list([IR], SourceSpan)
    case not(IR, SourceSpan)
    case negate(IR, SourceSpan)
    case binary(BinaryOperator, IR, IR, SourceSpan)
    /// `x in [constants]`, compiled to a hashed set.
    case inSet(IR, Set<Value>, SourceSpan)
    /// `x matches "pattern"`, the pattern compiled once.
    case matches(IR, RegexPattern, SourceSpan)
    case logical(LogicalOperator, [IR], SourceSpan)
    /// A built-in call. `bucket` with one argument uses the default salt.
    case call(Builtin, [IR], SourceSpan)
    /// A reference to a declaration of a rule file, inlined by the compiler.
    case reference(Int, SourceSpan)

    /// The source span.
    package var span: SourceSpan {
        switch self {
        case .constant(_, let s), .slot(_, let s), .member(_, _, let s), .index(_, _, let s), .list(_, let s),
            .not(_, let s), .negate(_, let s), .binary(_, _, _, let s), .inSet(_, _, let s), .matches(_, _, let s),
            .logical(_, _, let s), .call(_, _, let s), .reference(_, let s):
            return s
        }
    }

    /// The value, when this is a constant.
    package var constantValue: Value? {
        if case .constant(let v, _) = self { return v }
        return nil
    }
}
