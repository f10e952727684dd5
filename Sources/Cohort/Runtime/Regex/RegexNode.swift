/// The syntax tree of a parsed pattern.
///
/// Only what decides *whether* the text matches survives parsing: groups are dissolved into
/// their contents (there are no captures), lazy quantifiers become greedy ones (a yes/no
/// answer cannot tell them apart), and `(?i)` has already turned literals and classes into
/// case-closed scalar sets.
indirect enum RegexNode: Sendable, Equatable {
    /// Matches the empty string: an empty pattern, branch or group.
    case empty
    /// One scalar, by value.
    case scalar(UInt32)
    /// One scalar from a set: a class, a shorthand such as `\d`, `.`, or a case-insensitive
    /// letter.
    case set(RegexScalarSet)
    /// A zero-width test of the position: `^`, `$`, `\b`, `\B`.
    case assertion(RegexAssertion)
    /// The items one after another; never nested directly inside another `concatenation`.
    case concatenation([RegexNode])
    /// Any one of the branches.
    case alternation([RegexNode])
    /// `body` at least `min` and at most `max` (nil: no limit) times. `offset` is where the
    /// quantifier starts in the pattern, for the error when the program grows too large.
    case repetition(RegexNode, min: Int, max: Int?, offset: Int)
}

/// A zero-width assertion about the current position.
enum RegexAssertion: UInt8, Sendable, Equatable {
    /// `^`: the start of the text (there is no multi-line mode).
    case startOfText
    /// `$`: the very end of the text. Unlike many engines, not before a final `\n`.
    case endOfText
    /// `\b`: between a `\w` scalar and a non-`\w` scalar or an end of the text.
    case wordBoundary
    /// `\B`: anywhere `\b` does not hold.
    case notWordBoundary
}
