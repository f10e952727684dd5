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

extension LintAtom {
    /// An atom with no known domain.
    init(subject: Int, constraint: Constraint) {
        self.init(subject: subject, constraint: constraint, domain: nil)
    }
}
