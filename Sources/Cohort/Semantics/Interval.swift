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
