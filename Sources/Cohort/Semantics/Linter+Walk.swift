/// The walk over checked IR: numbers every node's shape, builds its `LintCondition`, and
/// checks each `and`/`or`, `in []` and string ordering on the way up.
extension Linter {
    /// A node after the walk: its shape number and its condition (any non-boolean node is
    /// an opaque condition; it is never asked as one).
    struct Node {
        var shape: Int
        var condition: LintCondition
    }

    /// A `bucket(...)` call in a flag's own expressions.
    struct BucketUse {
        var flag: String
        /// The key's shape number and the salt (the flag's name when none is given).
        var key: Int
        var salt: String
        var span: SourceSpan
        /// The salt argument when it is written as a string literal (for the fix-it).
        var saltSpan: SourceSpan?
        /// What the flag asks of the bucket, when the call is tested against a constant.
        var constraint: LintAtom.Constraint? = nil
    }

    /// Walks `ir`, reporting what it finds (`report: false` when expanding a reference:
    /// the referenced declaration reports for itself).
    mutating func walk(_ ir: IR, report: Bool = true, underNot: Bool = false) -> Node {
        // Sized up front: grown one append at a time, each array would be allocated twice.
        var children: [Node] = [], childShapes: [Int] = []
        children.reserveCapacity(ir.childCount)
        childShapes.reserveCapacity(ir.childCount)
        let isNot = if case .not = ir { true } else { false }
        ir.forEachChild { child in
            let node = walk(child, report: report, underNot: isNot)
            children.append(node)
            childShapes.append(node.shape)
        }
        let shape = shapes.number(ir, children: childShapes)
        let condition = self.condition(of: ir, shape: shape, children: children)
        if report {
            inspect(ir, children: children, condition: condition, underNot: underNot)
        }
        return Node(shape: shape, condition: condition)
    }

    /// The condition of a node whose children are done.
    private mutating func condition(of ir: IR, shape: Int, children: [Node]) -> LintCondition {
        switch ir {
        case .constant(.bool(let b), _):
            return .constant(b)
        case .not:
            return children[0].condition.negated
        case .logical(let op, _, _):
            var parts: [LintCondition] = []
            for child in children {
                switch (op, child.condition) {
                case (.and, .all(let inner)), (.or, .any(let inner)): parts += inner
                default: parts.append(child.condition)
                }
            }
            return op == .and ? .all(parts) : .any(parts)
        case .inSet(let subject, let values, _):
            return .atom(LintAtom(subject: children[0].shape, constraint: .among(values), domain: domain(of: subject)))
        case .matches(let subject, let regex, _):
            let test = LintAtom.Test(op: .matches, constant: .string(regex.pattern), regex: regex)
            return .atom(LintAtom(subject: children[0].shape, constraint: .test(test, negated: false), domain: domain(of: subject)))
        case .binary(let op, let left, let right, _):
            if let atom = atom(op, left, right, children) { return .atom(atom) }
        case .reference(let index, _):
            if let expanded = expansion(of: index) { return expanded }
        default:
            break
        }
        return .opaque(shape: shape, negated: false)
    }

    /// `subject OP constant` (or the mirror) as an atom.
    private func atom(_ op: BinaryOperator, _ left: IR, _ right: IR, _ children: [Node]) -> LintAtom? {
        switch (left.constantValue, right.constantValue) {
        case (nil, let constant?):
            return makeAtom(op, left, children[0].shape, constant)
        case (let constant?, nil):
            // `5 < x` is `x > 5`; other operators read the other way round have no mirror.
            let mirrored: BinaryOperator
            switch op {
            case .equal, .notEqual: mirrored = op
            case .less: mirrored = .greater
            case .lessEqual: mirrored = .greaterEqual
            case .greater: mirrored = .less
            case .greaterEqual: mirrored = .lessEqual
            default: return nil
            }
            return makeAtom(mirrored, right, children[1].shape, constant)
        default:
            return nil
        }
    }

    private func makeAtom(_ op: BinaryOperator, _ subject: IR, _ shape: Int, _ constant: Value) -> LintAtom? {
        let constraint: LintAtom.Constraint
        switch op {
        case .equal: constraint = .among([constant])
        case .notEqual: constraint = .outside([constant])
        case .less, .lessEqual, .greater, .greaterEqual:
            switch constant.kind {
            case .number, .string, .version, .time: break
            default: return nil
            }
            let bound = Interval.Bound(value: constant, inclusive: op == .lessEqual || op == .greaterEqual)
            constraint = .range(op == .less || op == .lessEqual ? Interval(lower: nil, upper: bound) : Interval(lower: bound, upper: nil))
        case .in:
            guard case .list(let items) = constant else { return nil }
            constraint = .among(Set(items))
        case .notIn:
            guard case .list(let items) = constant else { return nil }
            constraint = .outside(Set(items))
        case .contains, .containsAny, .containsAll, .startsWith, .endsWith:
            constraint = .test(LintAtom.Test(op: op, constant: constant, regex: nil), negated: false)
        default:
            return nil
        }
        return LintAtom(subject: shape, constraint: constraint, domain: domain(of: subject))
    }

    /// The values a subject can take: `bucket(k)` and `bucket(k, s)` a whole number below
    /// 100, `bucket(k, s, n)` below `n`.
    private func domain(of subject: IR) -> Interval? {
        guard case .call(.bucket, let arguments, _) = subject else { return nil }
        var count = 100.0
        if arguments.count == 3 {
            guard case .constant(.number(let n), _) = arguments[2] else { return nil }
            count = n
        }
        return Interval(lower: .init(value: .number(0), inclusive: true), upper: .init(value: .number(count - 1), inclusive: true))
    }

    /// What a reference to a `let` or `segment` holds, as a condition (worked out once);
    /// nil for a flag (a prerequisite is a value of its own) or a declaration not linted.
    private mutating func expansion(of index: Int) -> LintCondition? {
        if let known = referenced[index] { return known }
        guard entries.indices.contains(index), entries[index].declaration.kind != .flag, entries[index].ok,
              let expression = entries[index].expression, !expanding.contains(index) else { return nil }
        expanding.insert(index)
        let condition = walk(expression, report: false).condition
        expanding.remove(index)
        referenced[index] = condition
        return condition
    }

    // MARK: Checks on the way up

    /// `condition` is the node's own (for a test of a constant, its atom).
    private mutating func inspect(_ ir: IR, children: [Node], condition: LintCondition, underNot: Bool) {
        switch ir {
        case .logical(let op, let operands, let span):
            checkLogical(op, operands, children.map(\.condition), span: span)
        case .inSet(_, let values, let span) where values.isEmpty:
            // `x not in []` is compiled as `not (x in [])`: reported once, at the `not`.
            if !underNot { diagnostics.append(.emptyList(text(span), alwaysTrue: false, span)) }
        case .not(.inSet(_, let values, _), let span) where values.isEmpty:
            diagnostics.append(.emptyList(text(span), alwaysTrue: true, span))
        case .binary(let op, let left, let right, let span):
            checkStringOrder(op, left, right, span: span)
            if let tested = condition.atom?.constraint {
                noteBucketTest(left, tested)
                noteBucketTest(right, tested)
            }
        case .inSet(let subject, let values, _):
            noteBucketTest(subject, .among(values))
        case .call(.bucket, let arguments, let span):
            if let flag = currentFlag { recordBucket(arguments, key: children[0].shape, span: span, flag: flag) }
        default:
            break
        }
    }

    /// `version-as-string`, `time-as-string`: `user.app_version >= "5.2.0"` compares
    /// strings character by character ("10.0.0" < "9.0.0").
    private mutating func checkStringOrder(_ op: BinaryOperator, _ left: IR, _ right: IR, span: SourceSpan) {
        guard op.comparison?.ordersOperands == true else { return }
        let attribute: SourceSpan, text: String
        switch (left, right) {
        case (.slot(_, let s), .constant(.string(let t), _)), (.constant(.string(let t), _), .slot(_, let s)):
            attribute = s
            text = t
        default:
            return
        }
        let name = source.text(of: attribute)
        if Instant(timestamp: text) != nil || Instant(date: text) != nil {
            diagnostics.append(.timeAsString(op.rawValue, attribute: name, constant: text, isDate: Instant(timestamp: text) == nil,
                                             span, attributeSpan: attribute))
        } else if let first = text.unicodeScalars.first, ("0"..."9").contains(first) || first == "v" || first == "V",
                  text.contains("."), Version(text) != nil {
            diagnostics.append(.versionAsString(op.rawValue, attribute: name, constant: text, span, attributeSpan: attribute))
        }
    }

    /// Notes a `bucket` call of the flag being walked; `key` is its first argument's shape.
    private mutating func recordBucket(_ arguments: [IR], key: Int, span: SourceSpan, flag: String) {
        let salt: String, saltSpan: SourceSpan?
        if arguments.count >= 2 {
            guard case .constant(.string(let s), let written) = arguments[1] else { return }
            salt = s
            let quote = source.text(of: written).first
            saltSpan = quote == "\"" || quote == "'" ? written : nil
        } else {
            salt = flag
            saltSpan = nil
        }
        bucketUses.append(BucketUse(flag: flag, key: key, salt: salt, span: span, saltSpan: saltSpan))
    }

    /// When `ir` is a `bucket` call just recorded, notes what its parent tests it against.
    private mutating func noteBucketTest(_ ir: IR, _ tested: LintAtom.Constraint) {
        guard currentFlag != nil, case .call(.bucket, _, let span) = ir,
              let k = bucketUses.lastIndex(where: { $0.span == span }) else { return }
        bucketUses[k].constraint = tested
    }
}
