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

    /// The default limits.
    public init() {}
}
