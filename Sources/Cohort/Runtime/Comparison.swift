/// The six comparisons by equality and order: what bytecode carries where the syntax has a
/// `BinaryOperator` (the compiler maps one to the other, so the runtime and the bytecode
/// never name a syntax type).
package enum Comparison: UInt8, Sendable, Hashable, CaseIterable {
    case equal, notEqual, less, lessEqual, greater, greaterEqual

    /// The operator as written in rules.
    package var symbol: String {
        switch self {
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        }
    }

    /// True for `<`, `<=`, `>`, `>=`: the comparisons that need an order (and fault on
    /// operands of different types), where `==` and `!=` never fault.
    package var ordersOperands: Bool { self != .equal && self != .notEqual }

    /// Whether the comparison holds between two operands whose order is negative, zero or
    /// positive.
    @inline(__always)
    package func holds(order: Int) -> Bool {
        switch self {
        case .equal: order == 0
        case .notEqual: order != 0
        case .less: order < 0
        case .lessEqual: order <= 0
        case .greater: order > 0
        case .greaterEqual: order >= 0
        }
    }

    /// `a op b`: equality never faults; an order across types (or with null) does.
    package func apply(_ a: Value, _ b: Value) throws(Fault) -> Bool {
        switch self {
        case .equal: a == b
        case .notEqual: a != b
        default: holds(order: try Operations.order(a, b, symbol))
        }
    }
}
