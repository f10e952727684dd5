/// Why a pattern given to `matches` was refused, and where.
///
/// Every refusal happens when the pattern is compiled, never while matching, so a rule with
/// a bad pattern is a compile error rather than an error value at run time.
package struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one lower-case clause without a trailing period, e.g.
    /// `backreferences are not supported (they need backtracking)`.
    package var message: String
    /// The 0-based offset, in Unicode scalars into the pattern, where the problem starts.
    /// For an unclosed `(` or `[` it is the opening bracket; for a limit on the whole
    /// pattern it is where the limit is crossed (or 0).
    package var offset: Int

    /// Makes an error; callers are the parser and the compiler.
    package init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `message (at offset N)`, for logs and test failures.
    package var description: String { "\(message) (at offset \(offset))" }
}
