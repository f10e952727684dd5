/// The limits that keep compilation and evaluation bounded. Each one, when exceeded, is
/// reported by a diagnostic that names it.
public struct Limits: Sendable, Hashable {
    /// Largest source text accepted, in bytes (default 8 MiB).
    public var maxSourceBytes = 8 << 20
    /// Deepest nesting of an expression: brackets, calls, unary and binary operators (default 200).
    public var maxNestingDepth = 200
    /// Longest string literal, in bytes after decoding escapes (default 64 KiB).
    public var maxStringLiteralBytes = 64 << 10
    /// Longest number literal, in characters (default 100).
    public var maxNumberLiteralLength = 100
    /// Most elements in one list literal (default 100,000).
    public var maxListLiteralCount = 100_000
    /// Most instructions in one compiled program (default 1,000,000).
    public var maxProgramSize = 1_000_000
    /// Deepest nesting of a rule or flag once the `let`s and `segment`s it uses are inlined
    /// (default 500). Each declaration is within `maxNestingDepth`, but a chain of them
    /// (`let a2 = a1 + 1`, `let a3 = a2 + 1`, ...) adds up; this bounds the whole.
    public var maxInlinedNestingDepth = 500
    /// Longest chain of flags that use other flags as prerequisites (default 64). A
    /// prerequisite is evaluated as its own program, one level deeper each time.
    public var maxPrerequisiteDepth = 64
    /// Most instructions one evaluation of a rule or flag may execute, counting each use of a
    /// prerequisite flag as that flag's own cost (default 10,000,000). Every instruction runs
    /// at most once, but a flag that uses another several times evaluates it each time, so
    /// chains of them could otherwise multiply into years of work.
    public var maxEvaluationCost = 10_000_000

    /// The default limits.
    public init() {}
}
