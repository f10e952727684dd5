/// A boolean condition in the form the linter reasons about: tests of one subject (an
/// attribute, `bucket(user.id)`, `semver(...)`) against constants, other booleans kept
/// whole, and `and`/`or`/`not` between them (`not` pushed down to the tests).
///
/// The reasoning is sound but deliberately incomplete: it answers "yes" only when it is
/// sure, so every warning built on it is a real mistake. It follows the language's
/// semantics of errors: an ordering test (`<`) holds only for values of its bound's kind
/// (others are errors), `==`/`!=`/`in` never err, and `and`/`or` absorb an error when the
/// other side decides (so De Morgan's laws hold and an operand order does not matter).
package indirect enum LintCondition: Sendable {
    /// `true` or `false`.
    case constant(Bool)
    /// A test of one subject against constants.
    case atom(LintAtom)
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

/// A test of one subject: `subject == c`, `subject in [...]`, `subject < c`, `subject
/// starts_with c`, ...
package struct LintAtom: Sendable {
    /// The shape number of the tested expression.
    package var subject: Int
    /// What the subject must satisfy.
    package var constraint: Constraint
    /// The values the subject can take when it is not an error, when known (`bucket(k)` is
    /// a whole number in `0 ..< 100`).
    package var domain: Interval?

    /// What an atom requires of its subject.
    package enum Constraint: Sendable {
        /// One of these values (`==`, `in`).
        case among(Set<Value>)
        /// None of these values (`!=`, `not in`).
        case outside(Set<Value>)
        /// A value of the bounds' kind between them (`<`, `<=`, `>`, `>=`).
        case range(Interval)
        /// Any other operator with a constant right side (`starts_with "x"`, `matches`),
        /// possibly negated.
        case test(Test, negated: Bool)
    }

    /// A test by an operator other than equality and order.
    package struct Test: Sendable {
        package var op: BinaryOperator
        package var constant: Value
        /// For `matches`, the compiled pattern.
        package var regex: RegexPattern?

        /// The test's result for a subject value; nil when it is an error.
        func holds(for value: Value) -> Bool? {
            if let regex {
                guard case .string(let text) = value else { return nil }
                return regex.matches(text)
            }
            guard case .bool(let b)? = try? Operations.binary(op, value, constant) else { return nil }
            return b
        }

        /// True when the two are the same test.
        func same(as other: Test) -> Bool {
            op == other.op && constant == other.constant && regex?.pattern == other.regex?.pattern
        }
    }

    /// The negation.
    var negated: LintCondition {
        switch constraint {
        case .among(let values): return .atom(LintAtom(subject: subject, constraint: .outside(values), domain: domain))
        case .outside(let values): return .atom(LintAtom(subject: subject, constraint: .among(values), domain: domain))
        case .test(let test, let negated): return .atom(LintAtom(subject: subject, constraint: .test(test, negated: !negated), domain: domain))
        case .range(let interval):
            // Outside a range, among values of its kind (others stay errors).
            let parts = interval.complement.map { LintCondition.atom(LintAtom(subject: subject, constraint: .range($0), domain: domain)) }
            return parts.count == 1 ? parts[0] : .any(parts)
        }
    }

    /// The atom's result for one subject value; nil when it is an error.
    func holds(for value: Value) -> Bool? {
        switch constraint {
        case .among(let values): values.contains(value)
        case .outside(let values): !values.contains(value)
        case .range(let interval): interval.contains(value)
        case .test(let test, let negated): test.holds(for: value).map { $0 != negated }
        }
    }
}

/// The values of one kind between two bounds (either may be open-ended).
package struct Interval: Sendable {
    /// A bound: its value, and whether the value itself is inside.
    package struct Bound: Sendable {
        package var value: Value
        package var inclusive: Bool

        package init(value: Value, inclusive: Bool) {
            self.value = value
            self.inclusive = inclusive
        }
    }

    package var lower: Bound?
    package var upper: Bound?

    package init(lower: Bound?, upper: Bound?) {
        self.lower = lower
        self.upper = upper
    }

    /// The kind of the bounds' values (both have the same kind).
    package var kind: ValueKind? { (lower ?? upper)?.value.kind }

    /// True when `value` lies inside; nil when comparing it is an error (another kind).
    package func contains(_ value: Value) -> Bool? {
        if let lower {
            guard let order = Interval.order(value, lower.value) else { return nil }
            if order < 0 || (order == 0 && !lower.inclusive) { return false }
        }
        if let upper {
            guard let order = Interval.order(value, upper.value) else { return nil }
            if order > 0 || (order == 0 && !upper.inclusive) { return false }
        }
        return true
    }

    /// True when no value lies inside (`x > 5 and x < 3` merged).
    package var isEmpty: Bool {
        guard let lower, let upper, let order = Interval.order(lower.value, upper.value) else { return false }
        return order > 0 || (order == 0 && !(lower.inclusive && upper.inclusive))
    }

    /// Every value of this interval is inside `other` (same kind).
    package func isSubset(of other: Interval) -> Bool {
        guard kind == other.kind else { return false }
        if let bound = other.lower {
            guard let mine = lower, let order = Interval.order(mine.value, bound.value) else { return false }
            if order < 0 || (order == 0 && mine.inclusive && !bound.inclusive) { return false }
        }
        if let bound = other.upper {
            guard let mine = upper, let order = Interval.order(mine.value, bound.value) else { return false }
            if order > 0 || (order == 0 && mine.inclusive && !bound.inclusive) { return false }
        }
        return true
    }

    /// The common part of two intervals; nil when their kinds differ (nothing in common).
    package func intersection(_ other: Interval) -> Interval? {
        guard kind == other.kind else { return nil }
        var result = self
        if let bound = other.lower {
            if let mine = lower, let order = Interval.order(mine.value, bound.value) {
                if order < 0 || (order == 0 && !bound.inclusive) { result.lower = bound }
            } else {
                result.lower = bound
            }
        }
        if let bound = other.upper {
            if let mine = upper, let order = Interval.order(mine.value, bound.value) {
                if order > 0 || (order == 0 && !bound.inclusive) { result.upper = bound }
            } else {
                result.upper = bound
            }
        }
        return result
    }

    /// True when the two together hold every value of their kind (`x < 5` and `x >= 5`).
    package func coversKind(with other: Interval) -> Bool {
        guard kind == other.kind else { return false }
        for (below, above) in [(self, other), (other, self)] where below.lower == nil && above.upper == nil {
            guard let top = below.upper else { return true }
            guard let bottom = above.lower else { return true }
            guard let order = Interval.order(bottom.value, top.value) else { return false }
            if order < 0 || (order == 0 && (bottom.inclusive || top.inclusive)) { return true }
        }
        return (lower == nil && upper == nil) || (other.lower == nil && other.upper == nil)
    }

    /// The values of the same kind outside: one or two intervals (none for the whole kind).
    package var complement: [Interval] {
        var parts: [Interval] = []
        if let lower { parts.append(Interval(lower: nil, upper: Bound(value: lower.value, inclusive: !lower.inclusive))) }
        if let upper { parts.append(Interval(lower: Bound(value: upper.value, inclusive: !upper.inclusive), upper: nil)) }
        return parts
    }

    /// `a` compared with `b` by the language's order; nil for values that do not compare.
    static func order(_ a: Value, _ b: Value) -> Int? {
        try? Operations.order(a, b, "<")
    }
}
