/// A boolean condition in the form the linter reasons about: tests of one subject (an
/// attribute, `bucket(user.id)`, `semver(...)`) against constants, other booleans kept
/// whole, and `and`/`or`/`not` between them (`not` pushed down to the tests).
///
/// The reasoning is sound but deliberately incomplete: it answers "yes" only when it is
/// sure, so every warning built on it is a real mistake. It follows the language's
/// semantics of errors: an ordering test (`<`) holds only for values of its bound's kind
/// (others are errors), `==`/`!=`/`in` never err, and `and`/`or` absorb an error when the
/// other side decides (so De Morgan's laws hold and an operand order does not matter).
package enum LintCondition: Sendable {
    /// `true` or `false`.
    case constant(Bool)
    /// A test of one subject against constants (boxed: an atom is large, and only this
    /// case needs a box, so the others cost no allocation).
    indirect case atom(LintAtom)
    /// Any other boolean, by its shape number (`IRShapes`): equal numbers, equal values.
    case opaque(shape: Int, negated: Bool)
    /// `and`: every part holds.
    case all([LintCondition])
    /// `or`: some part holds.
    case any([LintCondition])

    /// The negation, pushed down to the tests.
    package var negated: LintCondition {
        switch self {
        case .constant(let b): .constant(!b)
        case .atom(let atom): atom.negated
        case .opaque(let shape, let negated): .opaque(shape: shape, negated: !negated)
        case .all(let parts): .any(parts.map(\.negated))
        case .any(let parts): .all(parts.map(\.negated))
        }
    }

    /// The atom, when this is one.
    package var atom: LintAtom? {
        if case .atom(let atom) = self { return atom }
        return nil
    }
}
