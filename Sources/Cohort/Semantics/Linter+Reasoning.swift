/// What the linter can prove about conditions: one implies another, two exclude each
/// other, two cover everything, one always or never holds. Every answer "true" is a proof;
/// "false" means "not proven" (and so does running out of `budget`).
extension Linter {
    /// The largest set of values tried one by one (`x in [...]` implies ...).
    private static let maxValuesTried = 1_000

    /// Spends one step of reasoning; false once the budget is gone.
    private mutating func step() -> Bool {
        budget -= 1
        return budget > 0
    }

    /// `b` implies `a`: whenever `b` is true, `a` is true.
    mutating func implies(_ b: LintCondition, _ a: LintCondition) -> Bool {
        guard step() else { return false }
        if case .constant(true) = a { return true }
        if case .constant(false) = b { return true }
        if case .all(let parts) = a {
            for part in parts where !implies(b, part) { return false }
            return true
        }
        if case .any(let parts) = b {
            for part in parts where !implies(part, a) { return false }
            return true
        }
        if case .all(let parts) = b {
            for part in parts where implies(part, a) { return true }
            // `x in [...] and ...`: every value the conjunction allows makes `a` true.
            for case .atom(let atom) in parts where valuesImply(atom, a) { return true }
            return false
        }
        if case .any(let parts) = a {
            for part in parts where implies(b, part) { return true }
            if case .atom(let atom) = b { return valuesImply(atom, a) }
            return false
        }
        switch (b, a) {
        case let (.opaque(x, m), .opaque(y, n)):
            return x == y && m == n
        case let (.atom(x), .atom(y)):
            return x.subject == y.subject && constraint(x.constraint, implies: y.constraint)
        default:
            return false
        }
    }

    /// `b` is `subject in S`, and `a` is sure to be true for each value of S.
    private mutating func valuesImply(_ b: LintAtom, _ a: LintCondition) -> Bool {
        guard case .among(let values) = b.constraint, !values.isEmpty, values.count <= Self.maxValuesTried else { return false }
        for value in values where !isTrue(a, when: b.subject, is: value) { return false }
        return true
    }

    /// `a` is sure to be true when the subject numbered `subject` has `value`.
    private mutating func isTrue(_ a: LintCondition, when subject: Int, is value: Value) -> Bool {
        guard step() else { return false }
        switch a {
        case .constant(let b): return b
        case .atom(let atom): return atom.subject == subject && atom.holds(for: value) == true
        case .opaque: return false
        case .all(let parts):
            for part in parts where !isTrue(part, when: subject, is: value) { return false }
            return true
        case .any(let parts):
            for part in parts where isTrue(part, when: subject, is: value) { return true }
            return false
        }
    }

    /// Whenever constraint `b` holds, so does `a` (on the same subject).
    private func constraint(_ b: LintAtom.Constraint, implies a: LintAtom.Constraint) -> Bool {
        switch (b, a) {
        case let (.among(values), _):
            guard values.count <= Self.maxValuesTried else { return false }
            let atom = LintAtom(subject: 0, constraint: a, domain: nil)
            return values.allSatisfy { atom.holds(for: $0) == true }
        case let (.outside(excluded), .outside(required)):
            return required.isSubset(of: excluded)
        case let (.range(inner), .range(outer)):
            return inner.isSubset(of: outer)
        case let (.range(interval), .outside(excluded)):
            // A value inside the range is of its kind and none of the excluded values.
            return excluded.allSatisfy { interval.contains($0) != true }
        case let (.test(x, m), .test(y, n)):
            if x.same(as: y) { return m == n }
            guard !m, !n, case .string(let written) = x.constant else { return false }
            // `starts_with "abc"` implies `starts_with "ab"` and `contains "bc"`; likewise
            // for `ends_with`. (`contains` itself is left out: on a list it tests elements.)
            switch (x.op, y.op) {
            case (.startsWith, .startsWith), (.startsWith, .contains), (.endsWith, .endsWith), (.endsWith, .contains):
                return y.holds(for: .string(written)) == true
            default:
                return false
            }
        default:
            return false
        }
    }

    /// `a` and `b` can never both be true.
    mutating func excludes(_ a: LintCondition, _ b: LintCondition) -> Bool {
        guard step() else { return false }
        switch (a, b) {
        case (.constant(false), _), (_, .constant(false)):
            return true
        case (.all(let parts), _):
            for part in parts where excludes(part, b) { return true }
            return false
        case (_, .all(let parts)):
            for part in parts where excludes(a, part) { return true }
            return false
        case (.any(let parts), _):
            for part in parts where !excludes(part, b) { return false }
            return true
        case (_, .any(let parts)):
            for part in parts where !excludes(a, part) { return false }
            return true
        case let (.opaque(x, m), .opaque(y, n)):
            return x == y && m != n
        case let (.atom(x), .atom(y)):
            return x.subject == y.subject && constraints(x.constraint, exclude: y.constraint)
        default:
            return false
        }
    }

    /// No value satisfies both constraints.
    private func constraints(_ a: LintAtom.Constraint, exclude b: LintAtom.Constraint) -> Bool {
        switch (a, b) {
        case let (.among(values), other), let (other, .among(values)):
            guard values.count <= Self.maxValuesTried else { return false }
            let atom = LintAtom(subject: 0, constraint: other, domain: nil)
            return values.allSatisfy { atom.holds(for: $0) != true }
        case let (.range(x), .range(y)):
            guard let common = x.intersection(y) else { return true }
            return common.isEmpty
        case let (.test(x, m), .test(y, n)):
            return x.same(as: y) && m != n
        case let (.test(test, false), .range(interval)), let (.range(interval), .test(test, false)):
            // `starts_with`, `ends_with` and `matches` hold only for strings.
            return [.startsWith, .endsWith, .matches].contains(test.op) && interval.kind != .string
        default:
            return false
        }
    }

    /// `a or b` is always true (unless an operand is an error).
    mutating func covers(_ a: LintCondition, _ b: LintCondition) -> Bool {
        guard step() else { return false }
        switch (a, b) {
        case (.constant(true), _), (_, .constant(true)):
            return true
        case (.any(let parts), _):
            for part in parts where covers(part, b) { return true }
            return false
        case (_, .any(let parts)):
            for part in parts where covers(a, part) { return true }
            return false
        case (.all(let parts), _):
            for part in parts where !covers(part, b) { return false }
            return true
        case (_, .all(let parts)):
            for part in parts where !covers(a, part) { return false }
            return true
        case let (.opaque(x, m), .opaque(y, n)):
            return x == y && m != n
        case let (.atom(x), .atom(y)):
            return x.subject == y.subject && constraints(x.constraint, cover: y.constraint)
        default:
            return false
        }
    }

    /// Every value satisfies one of the constraints (or makes one of them an error).
    private func constraints(_ a: LintAtom.Constraint, cover b: LintAtom.Constraint) -> Bool {
        switch (a, b) {
        case let (.outside(x), .outside(y)):
            return x.isDisjoint(with: y)
        case let (.outside(excluded), other), let (other, .outside(excluded)):
            // What the first leaves out, the other takes in.
            guard excluded.count <= Self.maxValuesTried else { return false }
            let atom = LintAtom(subject: 0, constraint: other, domain: nil)
            return excluded.allSatisfy { atom.holds(for: $0) == true }
        case let (.range(x), .range(y)):
            return x.coversKind(with: y)
        case let (.test(x, m), .test(y, n)):
            return x.same(as: y) && m != n
        default:
            return false
        }
    }

    /// `c` is true whenever it is not an error: `true`, `x not in []`, `bucket(k) < 100`,
    /// or an `or` of sides that cover everything.
    mutating func isAlwaysTrue(_ c: LintCondition) -> Bool {
        guard step() else { return false }
        switch c {
        case .constant(let b): return b
        case .opaque: return false
        case .atom(let atom):
            switch atom.constraint {
            case .outside(let values): return values.isEmpty
            case .range(let interval): return atom.domain?.isSubset(of: interval) ?? false
            default: return false
            }
        case .all(let parts):
            for part in parts where !isAlwaysTrue(part) { return false }
            return true
        case .any(let parts):
            for part in parts where isAlwaysTrue(part) { return true }
            for (i, a) in parts.enumerated().prefix(64) {
                for b in parts[(i + 1)...].prefix(64) where covers(a, b) { return true }
            }
            return false
        }
    }

    /// `c` can never be true: `false`, `x in []`, an empty range, or an `and` of sides that
    /// exclude each other.
    mutating func isNeverTrue(_ c: LintCondition) -> Bool {
        guard step() else { return false }
        switch c {
        case .constant(let b): return !b
        case .opaque: return false
        case .atom(let atom):
            switch atom.constraint {
            case .among(let values): return values.isEmpty
            case .range(let interval): return interval.isEmpty
            default: return false
            }
        case .any(let parts):
            for part in parts where !isNeverTrue(part) { return false }
            return true
        case .all(let parts):
            for part in parts where isNeverTrue(part) { return true }
            for (i, a) in parts.enumerated().prefix(64) {
                for b in parts[(i + 1)...].prefix(64) where excludes(a, b) { return true }
            }
            return false
        }
    }
}
