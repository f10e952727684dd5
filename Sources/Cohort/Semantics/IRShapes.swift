/// Gives every distinct shape of checked IR a small number, spans ignored: two
/// expressions get the same number exactly when they are written alike (`user.plan ==
/// "pro"` here and there), so the linter compares numbers instead of trees. The operands
/// of `and`/`or` are taken as a set, as the order of a chain does not change its value
/// (`and`/`or` absorb an error from either side).
///
/// Hash-consing: a node's shape holds its children's numbers, so numbering a tree costs
/// one visit per node.
package struct IRShapes {
    /// A node with its children replaced by their numbers.
    private enum Shape: Hashable {
        case constant(Value)
        case slot(Int)
        case member(Int, String)
        case index(Int, Int)
        case list([Int])
        case not(Int)
        case negate(Int)
        case binary(BinaryOperator, Int, Int)
        case inSet(Int, Set<Value>)
        case matches(Int, String)
        case logical(LogicalOperator, [Int])
        case call(Builtin, [Int])
        case reference(Int)
    }

    private var numbers: [Shape: Int] = [:]

    package init() {}

    /// The number of an expression's shape, numbering its whole tree.
    package mutating func number(_ ir: IR) -> Int {
        var children: [Int] = []
        ir.forEachChild { children.append(number($0)) }
        return number(ir, children: children)
    }

    /// The number of an expression's shape, given the numbers of its children (in the order
    /// of `IR.children`): a walk that numbers every node numbers each one once.
    package mutating func number(_ ir: IR, children c: [Int]) -> Int {
        let shape: Shape
        switch ir {
        case .constant(let value, _): shape = .constant(value)
        case .slot(let slot, _): shape = .slot(slot)
        case .member(_, let name, _): shape = .member(c[0], name)
        case .index: shape = .index(c[0], c[1])
        case .list: shape = .list(c)
        case .not: shape = .not(c[0])
        case .negate: shape = .negate(c[0])
        case .binary(let op, _, _, _): shape = .binary(op, c[0], c[1])
        case .inSet(_, let set, _): shape = .inSet(c[0], set)
        case .matches(_, let regex, _): shape = .matches(c[0], regex.pattern)
        case .logical(let op, _, _): shape = .logical(op, Self.distinctSorted(c))
        case .call(let builtin, _, _): shape = .call(builtin, c)
        case .reference(let declaration, _): shape = .reference(declaration)
        }
        if let known = numbers[shape] { return known }
        numbers[shape] = numbers.count
        return numbers.count - 1
    }

    /// The numbers in increasing order, each once: the operands of a chain as a set.
    private static func distinctSorted(_ numbers: [Int]) -> [Int] {
        var sorted = numbers.sorted()
        var kept = 0
        for i in sorted.indices where kept == 0 || sorted[kept - 1] != sorted[i] {
            sorted[kept] = sorted[i]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }
}

extension IR {
    /// The direct sub-expressions, in source order.
    package var children: [IR] {
        var children: [IR] = []
        forEachChild { children.append($0) }
        return children
    }

    /// How many direct sub-expressions there are.
    package var childCount: Int {
        var count = 0
        forEachChild { _ in count += 1 }
        return count
    }

    /// Calls `body` with each direct sub-expression, in source order (without collecting
    /// them in an array: the linter visits every node of every compile).
    package func forEachChild(_ body: (IR) -> Void) {
        switch self {
        case .constant, .slot, .reference: break
        case .member(let base, _, _): body(base)
        case .index(let base, let index, _):
            body(base)
            body(index)
        case .list(let items, _): items.forEach(body)
        case .not(let operand, _), .negate(let operand, _), .inSet(let operand, _, _), .matches(let operand, _, _): body(operand)
        case .binary(_, let left, let right, _):
            body(left)
            body(right)
        case .logical(_, let operands, _): operands.forEach(body)
        case .call(_, let arguments, _): arguments.forEach(body)
        }
    }
}
