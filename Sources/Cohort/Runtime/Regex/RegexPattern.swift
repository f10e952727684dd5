/// Which engine runs a search: both give the same answers; they differ in speed.
package enum RegexEngine: Sendable {
    /// The Pike VM for short texts, the lazy DFA for long ones (or large programs).
    case automatic
    /// The Pike VM (an NFA run in lockstep) only.
    case nfa
    /// The lazy DFA, also for short texts (handing over as `automatic` does).
    case dfa
    /// The bitset NFA only, also for short texts.
    case bits
}

/// A compiled regular expression with guaranteed linear-time matching.
///
/// The `matches` operator of Cohort compiles its constant pattern into one of these once,
/// when the rule is compiled. Matching never backtracks: it runs an NFA over the text
/// (`RegexProgram`), so the time is O(pattern × text) for every pattern, and patterns that
/// would need backtracking (backreferences, look-around) are refused at compile time. The
/// supported syntax is described in `docs/regex.md`.
///
/// Immutable and `Sendable`: one pattern can serve many threads at once.
package struct RegexPattern: Sendable, CustomStringConvertible {
    // MARK: Limits

    /// The longest pattern accepted, in Unicode scalars.
    package static let maxPatternLength = 10_000
    /// The largest count in `{m}`, `{m,}` or `{m,n}`.
    package static let maxRepetitionCount = 1_000
    /// The most instructions (NFA states) a compiled pattern may have. Matching costs up to
    /// this many steps per scalar of text, so the limit bounds the worst case.
    package static let maxProgramSize = 20_000
    /// The deepest nesting of groups, which keeps parsing and compiling off deep recursion.
    package static let maxNestingDepth = 100

    /// How `matches` decides: most patterns run the NFA; a pure literal needs only a byte
    /// comparison or search.
    private enum Strategy: Sendable {
        /// The pattern is literal text, optionally after `^` and/or before `$`.
        case literal([UInt8], atStart: Bool, atEnd: Bool)
        /// Everything else.
        case program(RegexProgram)
    }

    private let strategy: Strategy

    /// The pattern as written.
    package let pattern: String

    /// Compiles `pattern`, or explains with an offset why it cannot be compiled.
    package init(_ pattern: String) throws(RegexSyntaxError) {
        let root = try RegexParser.parse(pattern)
        // Compile even when the literal path will be used: it enforces the same limits.
        let program = try RegexProgram(compiling: root)
        self.pattern = pattern
        strategy = Self.literal(root) ?? .program(program)
    }

    /// Search semantics: true when the pattern matches anywhere in `text` (unanchored
    /// unless ^/$). `engine` is for tests that compare the engines.
    package func matches(_ text: String, engine: RegexEngine = .automatic) -> Bool {
        var text = text
        // `withUTF8` gives native strings' bytes in place; only a bridged string is copied.
        return text.withUTF8 { utf8 in
            switch strategy {
            case .literal(let literal, let atStart, let atEnd):
                Self.matchesLiteral(literal, atStart: atStart, atEnd: atEnd, in: utf8)
            case .program(let program):
                program.matches(utf8: utf8, engine: engine)
            }
        }
    }

    /// The pattern as written.
    package var description: String { pattern }

    // MARK: - Literal patterns

    /// The strategy for `abc`, `^abc`, `abc$` or `^abc$` (scalars only, once parsed, so
    /// `a\.b` and `(?:ab)c` count, and so does `(?i)123`, whose scalars have no case).
    private static func literal(_ root: RegexNode) -> Strategy? {
        var items: ArraySlice<RegexNode>
        if case .concatenation(let all) = root { items = all[...] } else if root == .empty { items = [] } else { items = [root] }
        let atStart = items.first == .assertion(.startOfText)
        if atStart { items = items.dropFirst() }
        let atEnd = items.last == .assertion(.endOfText)
        if atEnd { items = items.dropLast() }
        var bytes: [UInt8] = []
        for item in items {
            guard case .scalar(let value) = item, let scalar = Unicode.Scalar(value) else { return nil }
            bytes += String(scalar).utf8
        }
        return .literal(bytes, atStart: atStart, atEnd: atEnd)
    }

    /// Byte comparison or search; comparing UTF-8 bytes is comparing scalars (no Unicode
    /// normalisation, unlike `String ==`).
    private static func matchesLiteral(
        _ literal: [UInt8], atStart: Bool, atEnd: Bool, in text: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        switch (atStart, atEnd) {
        case (true, true):
            return text.elementsEqual(literal)
        case (true, false):
            return text.starts(with: literal)
        case (false, true):
            return text.count >= literal.count && text[(text.count - literal.count)...].elementsEqual(literal)
        case (false, false):
            if literal.isEmpty { return true }
            return literal.withUnsafeBufferPointer { RegexProgram.firstIndex(of: $0, in: text, from: 0) != nil }
        }
    }
}
