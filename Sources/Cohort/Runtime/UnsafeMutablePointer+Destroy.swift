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
