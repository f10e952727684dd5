import Cohort

// Comparing syntax trees while ignoring where they came from: the formatter moves every
// span, so the tests compare shapes. Numbers are compared bit for bit (`-0` is not `0`),
// strings scalar by scalar (`"é"` is not `"e\u{301}"`), which is stricter than `Value ==`.

extension Expr {
    /// Equal apart from source spans.
    func hasSameShape(as other: Expr) -> Bool {
        firstDifference(from: other) == nil
    }

    /// A description of the first place where the two trees differ, or nil.
    func firstDifference(from other: Expr) -> String? {
        func items(_ a: [Expr], _ b: [Expr], _ what: String) -> String? {
            guard a.count == b.count else { return "\(what): \(a.count) items vs \(b.count)" }
            for (x, y) in zip(a, b) {
                if let difference = x.firstDifference(from: y) { return difference }
            }
            return nil
        }
        switch (kind, other.kind) {
        case let (.literal(a), .literal(b)):
            switch (a, b) {
            case let (.number(x), .number(y)):
                return x.bitPattern == y.bitPattern ? nil : "number \(x) vs \(y)"
            case let (.string(x), .string(y)):
                return x.unicodeScalars.elementsEqual(y.unicodeScalars) ? nil : "string \(x.debugDescription) vs \(y.debugDescription)"
            case (.null, .null): return nil
            case let (.bool(x), .bool(y)): return x == y ? nil : "bool \(x) vs \(y)"
            default: return "literal \(a) vs \(b)"
            }
        case let (.list(a), .list(b)): return items(a, b, "list")
        case let (.name(a), .name(b)): return a == b ? nil : "name \(a) vs \(b)"
        case let (.member(a, x), .member(b, y)):
            return x == y ? a.firstDifference(from: b) : "member .\(x) vs .\(y)"
        case let (.index(a, i), .index(b, j)):
            return a.firstDifference(from: b) ?? i.firstDifference(from: j)
        case let (.call(f, a), .call(g, b)):
            return f == g ? items(a, b, "call \(f)") : "call \(f) vs \(g)"
        case let (.unary(p, a), .unary(q, b)):
            return p == q ? a.firstDifference(from: b) : "unary \(p) vs \(q)"
        case let (.binary(p, a, x), .binary(q, b, y)):
            return p == q ? (a.firstDifference(from: b) ?? x.firstDifference(from: y)) : "binary \(p.rawValue) vs \(q.rawValue)"
        case let (.logical(p, a), .logical(q, b)):
            return p == q ? items(a, b, p.rawValue) : "logical \(p) vs \(q)"
        default:
            return "\(kind) vs \(other.kind)"
        }
    }
}

extension Declaration {
    /// A description of the first place where the two declarations differ, or nil.
    func firstDifference(from other: Declaration) -> String? {
        guard kind == other.kind, name == other.name else { return "\(kind) \(name) vs \(other.kind) \(other.name)" }
        func optional(_ a: Expr?, _ b: Expr?, _ what: String) -> String? {
            switch (a, b) {
            case (nil, nil): return nil
            case let (x?, y?): return x.firstDifference(from: y).map { "\(name) \(what): \($0)" }
            default: return "\(name) \(what): present in one only"
            }
        }
        if let difference = optional(expression, other.expression, "expression") { return difference }
        if defaultVariant?.name != other.defaultVariant?.name {
            return "\(name) default variant: \(defaultVariant?.name ?? "none") vs \(other.defaultVariant?.name ?? "none")"
        }
        if let difference = optional(defaultValue, other.defaultValue, "default") { return difference }
        guard arms.count == other.arms.count else { return "\(name): \(arms.count) arms vs \(other.arms.count)" }
        for (k, (a, b)) in zip(arms, other.arms).enumerated() {
            if let difference = a.condition.firstDifference(from: b.condition) ?? a.value.firstDifference(from: b.value) {
                return "\(name) arm \(k): \(difference)"
            }
            if a.variant?.name != b.variant?.name {
                return "\(name) arm \(k): variant \(a.variant?.name ?? "none") vs \(b.variant?.name ?? "none")"
            }
        }
        return nil
    }
}

/// The first difference between two rule files, or nil when they have the same shape.
func firstDifference(_ a: [Declaration], _ b: [Declaration]) -> String? {
    guard a.count == b.count else { return "\(a.count) declarations vs \(b.count)" }
    for (x, y) in zip(a, b) {
        if let difference = x.firstDifference(from: y) { return difference }
    }
    return nil
}

extension TestBlock.Statement {
    /// A description of the difference between two test lines, or nil.
    func firstDifference(from other: TestBlock.Statement) -> String? {
        switch (self, other) {
        case let (.context(a), .context(b)):
            return a.root == b.root && a.fields == b.fields ? nil : "context \(a.root ?? "context") vs \(b.root ?? "context")"
        case let (.now(a, _, _), .now(b, _, _)), let (.salt(a, _, _), .salt(b, _, _)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars) ? nil : "\(a.debugDescription) vs \(b.debugDescription)"
        case let (.expect(a, _), .expect(b, _)):
            return a.firstDifference(from: b)
        case let (.expectReason(f, _, k, _, _), .expectReason(g, _, l, _, _)):
            return f == g && k == l ? nil : "expect \(f) reason \(k) vs \(g) reason \(l)"
        default:
            return "\(self) vs \(other)"
        }
    }
}

/// The first difference between two parsed files (declarations, `use` lines and tests),
/// or nil when they have the same shape.
func firstDifference(_ a: RuleFile, _ b: RuleFile) -> String? {
    guard a.items.count == b.items.count else { return "\(a.items.count) items vs \(b.items.count)" }
    for (x, y) in zip(a.items, b.items) {
        switch (x, y) {
        case let (.declaration(p), .declaration(q)):
            if let difference = p.firstDifference(from: q) { return difference }
        case let (.use(p), .use(q)):
            if p.path != q.path { return "use \(p.path) vs \(q.path)" }
        case let (.test(p), .test(q)):
            guard p.name == q.name, p.statements.count == q.statements.count else {
                return "test \(p.name) (\(p.statements.count) lines) vs \(q.name) (\(q.statements.count) lines)"
            }
            for (s, t) in zip(p.statements, q.statements) {
                if let difference = s.firstDifference(from: t) { return "test \(p.name): \(difference)" }
            }
        default:
            return "\(x) vs \(y)"
        }
    }
    return nil
}
