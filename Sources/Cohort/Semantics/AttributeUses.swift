/// Where checked IR reads each attribute, and what type each use needs: the static half of
/// `cohort check --users`, which then compares it with the types records really hold
/// (`user.age < 18` needs a number; a sample where age is always a string never fits).
package struct AttributeUses: Sendable {
    /// One use of an attribute that only works for some types.
    package struct Use: Sendable {
        /// The attribute's slot.
        package var slot: Int
        /// The attribute as written there.
        package var span: SourceSpan
        /// The operation, as a message names it: `'<'`, `semver()`, `'=='`.
        package var operation: String
        /// The types that can work (or, for `==`/`in`, ever be true).
        package var accepted: Set<ValueKind>
        /// True for `==`, `!=` and `in`, which never fail but never match another type.
        package var isEquality: Bool
    }

    /// The first place each slot is read, in source order.
    package private(set) var firstSpan: [Int: SourceSpan] = [:]
    /// The uses that need particular types.
    package private(set) var uses: [Use] = []

    /// Collects the uses in `expressions` (the checked IR of a rule file's declarations).
    package init(_ expressions: [IR]) {
        for ir in expressions { visit(ir) }
    }

    private mutating func visit(_ ir: IR) {
        switch ir {
        case .slot(let slot, let span):
            if firstSpan[slot].map({ span.start < $0.start }) ?? true { firstSpan[slot] = span }
        case .binary(let op, let left, let right, _):
            for (subject, other, onLeft) in [(left, right, true), (right, left, false)] {
                guard case .slot(let slot, let span) = subject, let constant = other.constantValue, !constant.isNull else { continue }
                if op == .equal || op == .notEqual {
                    add(slot, span, "'\(op.rawValue)' with \(constant.jsonText)", [constant.kind], isEquality: true)
                } else {
                    let accepted = Set(ValueKind.allCases.filter { kind in
                        (onLeft ? Typing.result(op, kind, constant.kind) : Typing.result(op, constant.kind, kind)) != nil
                    })
                    if accepted.count < ValueKind.allCases.count { add(slot, span, "'\(op.rawValue)'", accepted, isEquality: false) }
                }
            }
        case .inSet(.slot(let slot, let span), let values, _):
            let kinds = Set(values.filter { !$0.isNull }.map(\.kind))
            if !kinds.isEmpty { add(slot, span, "'in'", kinds, isEquality: true) }
        case .matches(.slot(let slot, let span), _, _):
            add(slot, span, "'matches'", [.string], isEquality: false)
        case .not(.slot(let slot, let span), _):
            add(slot, span, "'not'", [.bool], isEquality: false)
        case .negate(.slot(let slot, let span), _):
            add(slot, span, "'-'", [.number], isEquality: false)
        case .logical(let op, let operands, _):
            for case .slot(let slot, let span) in operands { add(slot, span, "'\(op.rawValue)'", [.bool], isEquality: false) }
        case .call(let builtin, let arguments, _):
            for (k, argument) in arguments.enumerated() {
                guard case .slot(let slot, let span) = argument, let accepted = builtin.accepts(argument: k) else { continue }
                add(slot, span, "\(builtin.name)()", accepted, isEquality: false)
            }
        default:
            break
        }
        for child in ir.children { visit(child) }
    }

    private mutating func add(_ slot: Int, _ span: SourceSpan, _ operation: String, _ accepted: Set<ValueKind>, isEquality: Bool) {
        uses.append(Use(slot: slot, span: span, operation: operation, accepted: accepted, isEquality: isEquality))
    }
}
