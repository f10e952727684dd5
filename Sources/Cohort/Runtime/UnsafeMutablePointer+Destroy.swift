extension UnsafeMutablePointer {
    /// Deinitializes `count` values one at a time. `deinitialize(count:)` with a count known
    /// only at run time calls the runtime's generic array destroy, which goes through the
    /// type's value witnesses for every element: several times the cost of the specialised
    /// destroy this loop compiles to, for the handful of values of one evaluation.
    @inline(__always)
    package func destroyEach(count: Int) {
        for i in 0..<count { _ = (self + i).move() }
    }
}

extension UnsafeMutableBufferPointer<Value> {
    /// Stores `value` at `i`. Over a null (which owns nothing) the value is written without
    /// destroying the old one first: binding fills fresh, null slots, and assigning would
    /// call the enum's outlined destroy for every one of them.
    @inline(__always)
    package func overwrite(_ i: Int, with value: consuming Value) {
        if case .null = self[i] {
            (baseAddress! + i).initialize(to: value)
        } else {
            self[i] = value
        }
    }
}
