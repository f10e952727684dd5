/// Turns pattern text into a `RegexNode`, refusing every construct that a linear-time
/// engine cannot match (backreferences, look-around, possessive and atomic forms) or that
/// is ambiguous between regex dialects (nested classes, stray braces), each with the offset
/// where it starts.
///
/// A recursive-descent parser over the pattern's Unicode scalars:
///
///     alternation   = concatenation ("|" concatenation)*
///     concatenation = (atom quantifier?)*
///     quantifier    = ("*" | "+" | "?" | "{" n "}" | "{" n ",}" | "{" n "," m "}") "?"?
///     atom          = literal | "." | class | escape | "^" | "$" | "(" ["?:"] alternation ")"
struct RegexParser {
    /// The pattern.
    private let scalars: [Unicode.Scalar]
    /// The next scalar to read.
    private var index: Int
    /// Whether the pattern starts with `(?i)`.
    private let caseInsensitive: Bool
    /// How many groups enclose the current position.
    private var depth = 0

    /// Parses a whole pattern; a leading `(?i)` makes it case-insensitive.
    static func parse(_ pattern: String) throws(RegexSyntaxError) -> RegexNode {
        let length = pattern.unicodeScalars.count
        if length > RegexPattern.maxPatternLength {
            throw RegexSyntaxError(
                "the pattern is \(length) Unicode scalars long, above the limit of \(RegexPattern.maxPatternLength)",
                at: RegexPattern.maxPatternLength)
        }
        let scalars = Array(pattern.unicodeScalars)
        let flag = scalars.starts(with: "(?i)".unicodeScalars)
        var parser = RegexParser(scalars: scalars, index: flag ? 4 : 0, caseInsensitive: flag)
        let node = try parser.parseAlternation()
        // `parseAlternation` stops only at the end or at a `)` it has no group for.
        if parser.index < scalars.count {
            throw RegexSyntaxError("unbalanced parenthesis: this ')' has no matching '('", at: parser.index)
        }
        return node
    }

    private init(scalars: [Unicode.Scalar], index: Int, caseInsensitive: Bool) {
        self.scalars = scalars
        self.index = index
        self.caseInsensitive = caseInsensitive
    }

    /// The scalar at `index`, or nil at the end.
    private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    /// The scalar `distance` places after `index`, or nil past the end.
    private func peek(_ distance: Int) -> Unicode.Scalar? {
        index + distance < scalars.count ? scalars[index + distance] : nil
    }

    // MARK: - Structure

    private mutating func parseAlternation() throws(RegexSyntaxError) -> RegexNode {
        var branches = [try parseConcatenation()]
        while peek == "|" {
            index += 1
            branches.append(try parseConcatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func parseConcatenation() throws(RegexSyntaxError) -> RegexNode {
        var items: [RegexNode] = []
        while let c = peek, c != "|", c != ")" {
            let (atom, isAssertion) = try parseAtom()
            switch try parseQuantifier(on: atom, isAssertion: isAssertion) {
            case .empty: break
            case .concatenation(let inner): items += inner
            case let item: items.append(item)
            }
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    /// Wraps `atom` in the quantifier that follows it, if any.
    private mutating func parseQuantifier(on atom: RegexNode, isAssertion: Bool) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek, c == "*" || c == "+" || c == "?" || c == "{" else { return atom }
        let start = index
        if c == "{" && !countAhead() {
            throw RegexSyntaxError(
                "'{' after an item must start a repetition count such as {2}, {2,} or {2,5}; write \\{ for a literal brace",
                at: start)
        }
        if isAssertion {
            throw RegexSyntaxError("nothing to repeat: an anchor matches a position, not text", at: start)
        }
        let (min, max) = try parseCount()
        // A lazy quantifier accepts the same texts as the greedy one; only captures differ.
        if peek == "?" { index += 1 }
        if let next = peek {
            if next == "+" {
                throw RegexSyntaxError("possessive quantifiers are not supported (they need backtracking)", at: index)
            }
            if next == "*" || next == "?" || (next == "{" && countAhead()) {
                throw RegexSyntaxError(
                    "nothing to repeat: a quantifier cannot follow another; wrap the first in (?: )", at: index)
            }
        }
        if min == 1 && max == 1 { return atom }
        return .repetition(atom, min: min, max: max, offset: start)
    }

    /// Reads `*`, `+`, `?` or a well-formed `{...}` (checked by `countAhead`) at `index`.
    private mutating func parseCount() throws(RegexSyntaxError) -> (min: Int, max: Int?) {
        let start = index
        index += 1
        switch scalars[start] {
        case "*": return (0, nil)
        case "+": return (1, nil)
        case "?": return (0, 1)
        default: break
        }
        let low = readNumber()
        var high: (value: Int, text: String)? = low
        if peek == "," {
            index += 1
            high = peek == "}" ? nil : readNumber()
        }
        index += 1  // "}"
        let limit = RegexPattern.maxRepetitionCount
        for count in [low, high ?? low] where count.value > limit {
            throw RegexSyntaxError("repetition count \(count.text) is above the limit of \(limit)", at: start)
        }
        if let high, low.value > high.value {
            throw RegexSyntaxError(
                "repetition range {\(low.text),\(high.text)} has its minimum above its maximum", at: start)
        }
        return (low.value, high?.value)
    }

    /// Whether `{digits}`, `{digits,}` or `{digits,digits}` starts at `index`.
    private func countAhead() -> Bool {
        var i = index + 1
        func digits() -> Bool {
            let first = i
            while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 }
            return i > first
        }
        guard digits() else { return false }
        if i < scalars.count, scalars[i] == "," {
            i += 1
            _ = digits()
        }
        return i < scalars.count && scalars[i] == "}"
    }

    /// Reads decimal digits as written and as a value that saturates, so that
    /// `{99999999999999999999}` reports its limit instead of overflowing.
    private mutating func readNumber() -> (value: Int, text: String) {
        var value = 0
        var text = ""
        while let c = peek, ("0"..."9").contains(c) {
            value = Swift.min(value * 10 + Int(c.value - 0x30), 1_000_000_000)
            text.unicodeScalars.append(c)
            index += 1
        }
        return (value, text)
    }

    // MARK: - Atoms

    /// Parses one atom; the flag tells whether it is an anchor (which cannot be repeated).
    private mutating func parseAtom() throws(RegexSyntaxError) -> (RegexNode, isAssertion: Bool) {
        let start = index
        let c = scalars[index]
        switch c {
        case "(":
            return (try parseGroup(), false)
        case "[":
            return (try parseClass(), false)
        case ".":
            index += 1
            return (.set(.anyButNewline), false)
        case "^":
            index += 1
            return (.assertion(.startOfText), true)
        case "$":
            index += 1
            return (.assertion(.endOfText), true)
        case "\\":
            switch try parseEscape(inClass: false) {
            case .scalar(let value): return (literal(value), false)
            case .set(let set): return (.set(set), false)
            case .assertion(let assertion): return (.assertion(assertion), true)
            }
        case "*", "+", "?":
            throw RegexSyntaxError("nothing to repeat: '\(c)' must follow an item", at: start)
        case "{":
            if countAhead() {
                throw RegexSyntaxError("nothing to repeat: '{' must follow an item", at: start)
            }
            throw RegexSyntaxError("a literal '{' must be escaped as \\{", at: start)
        default:
            // Lone `]` and `}` are literals, as in most dialects.
            index += 1
            return (literal(c.value), false)
        }
    }

    /// A literal scalar; under `(?i)`, the set of its case variants.
    private func literal(_ value: UInt32) -> RegexNode {
        guard caseInsensitive else { return .scalar(value) }
        let variants = RegexCaseFolding.equivalents(of: value)
        return variants.count == 1 ? .scalar(value) : .set(RegexScalarSet(scalars: variants))
    }

    /// Parses `( ... )` or `(?: ... )`, refusing every other `(?` form by name.
    private mutating func parseGroup() throws(RegexSyntaxError) -> RegexNode {
        let open = index
        index += 1
        if peek == "?" {
            switch (peek(1), peek(2)) {
            case (":"?, _):
                index += 2
            case ("="?, _), ("!"?, _):
                throw RegexSyntaxError("look-ahead (?= and (?! is not supported (it needs backtracking)", at: open)
            case ("<"?, "="?), ("<"?, "!"?):
                throw RegexSyntaxError("look-behind (?<= and (?<! is not supported (it needs backtracking)", at: open)
            case ("<"?, _), ("P"?, _), ("'"?, _):
                throw RegexSyntaxError("named groups are not supported; use ( ) or (?: )", at: open)
            case (">"?, _):
                throw RegexSyntaxError("atomic groups (?> are not supported (they need backtracking)", at: open)
            case ("#"?, _):
                throw RegexSyntaxError("comments (?# are not supported", at: open)
            case ("i"?, ")"?):
                throw RegexSyntaxError("(?i) is only allowed at the very start of the pattern", at: open)
            case ("i"?, ":"?):
                throw RegexSyntaxError(
                    "scoped flags (?i: are not supported; put (?i) at the very start of the pattern", at: open)
            case (nil, _), (_, nil):
                throw RegexSyntaxError("unbalanced parenthesis: '(' is never closed", at: open)
            default:
                throw RegexSyntaxError(
                    "inline flags other than (?i) are not supported, and (?i) only at the very start of the pattern",
                    at: open)
            }
        }
        depth += 1
        if depth > RegexPattern.maxNestingDepth {
            throw RegexSyntaxError("groups nest more than \(RegexPattern.maxNestingDepth) deep (limit)", at: open)
        }
        let inner = try parseAlternation()
        guard peek == ")" else {
            throw RegexSyntaxError("unbalanced parenthesis: '(' is never closed", at: open)
        }
        index += 1
        depth -= 1
        return inner
    }

    // MARK: - Classes

    /// Parses `[...]` or `[^...]`.
    ///
    /// `-` between two single scalars is a range; first or last it is literal. Unescaped `[`
    /// inside is refused (ICU reads it as a nested set, PCRE as a literal), and so are `[]`,
    /// a range with a shorthand end (`[\d-z]`) and a `-` straight after a range (`[a-c-e]`).
    private mutating func parseClass() throws(RegexSyntaxError) -> RegexNode {
        let open = index
        index += 1
        var negated = false
        if peek == "^" {
            negated = true
            index += 1
        }
        if peek == "]" {
            throw RegexSyntaxError("empty character class; write \\] for a literal ']'", at: open)
        }
        var literals: [ClosedRange<UInt32>] = []
        var shorthands = RegexScalarSet()
        while true {
            guard let c = peek else {
                throw RegexSyntaxError("unterminated character class: '[' is never closed", at: open)
            }
            if c == "]" {
                index += 1
                break
            }
            let itemStart = index
            let item = try parseClassItem()
            guard isRangeDash() else {
                switch item {
                case .scalar(let value): literals.append(value...value)
                case .set(let set): shorthands.formUnion(set)
                case .assertion: break  // `parseClassItem` refuses `\b` and `\B`
                }
                continue
            }
            guard case .scalar(let low) = item else {
                throw RegexSyntaxError(
                    "a range cannot start with a class shorthand such as \\d; write \\- for a literal '-'",
                    at: itemStart)
            }
            index += 1  // "-"
            let highStart = index
            guard case .scalar(let high) = try parseClassItem() else {
                throw RegexSyntaxError(
                    "a range cannot end with a class shorthand such as \\d; write \\- for a literal '-'",
                    at: highStart)
            }
            guard low <= high else {
                let text = String(String.UnicodeScalarView(scalars[itemStart..<index]))
                throw RegexSyntaxError("bad range \(text): its start is above its end", at: itemStart)
            }
            literals.append(low...high)
            if isRangeDash() {
                throw RegexSyntaxError("a '-' right after a range must be escaped as \\-", at: index)
            }
        }
        var set = RegexScalarSet(literals)
        // Case closure applies before negation, so `(?i)[^a]` refuses both `a` and `A`.
        if caseInsensitive { set = RegexCaseFolding.closure(of: set) }
        set.formUnion(shorthands)
        if negated { set = set.inverted() }
        if let value = set.singleScalar { return .scalar(value) }
        return .set(set)
    }

    /// Whether a range `-` is at `index`: one followed by something other than `]` (a `-`
    /// just before `]` is literal; one at the end of the pattern is left for the
    /// unterminated-class error).
    private func isRangeDash() -> Bool {
        peek == "-" && peek(1) != nil && peek(1) != "]"
    }

    /// One scalar or shorthand inside a class.
    private mutating func parseClassItem() throws(RegexSyntaxError) -> Escape {
        let c = scalars[index]
        if c == "[" {
            throw RegexSyntaxError(
                "'[' inside a character class must be escaped as \\[ (nested classes and [:alpha:] are not supported)",
                at: index)
        }
        if c == "\\" { return try parseEscape(inClass: true) }
        index += 1
        return .scalar(c.value)
    }

    // MARK: - Escapes

    /// What a backslash sequence stands for.
    private enum Escape {
        case scalar(UInt32)
        case set(RegexScalarSet)
        case assertion(RegexAssertion)
    }

    /// Parses `\` and what follows it at `index`.
    private mutating func parseEscape(inClass: Bool) throws(RegexSyntaxError) -> Escape {
        let start = index
        guard let e = peek(1) else {
            throw RegexSyntaxError("the pattern ends with a lone backslash; write \\\\ for a literal one", at: start)
        }
        index += 2
        switch e {
        case "d": return .set(.digit)
        case "D": return .set(RegexScalarSet.digit.inverted())
        case "w": return .set(.word)
        case "W": return .set(RegexScalarSet.word.inverted())
        case "s": return .set(.space)
        case "S": return .set(RegexScalarSet.space.inverted())
        case "n": return .scalar(0x0A)
        case "t": return .scalar(0x09)
        case "r": return .scalar(0x0D)
        case "f": return .scalar(0x0C)
        case "v": return .scalar(0x0B)
        case "b", "B":
            if inClass {
                throw RegexSyntaxError("\\\(e) (a word boundary) cannot be used inside a character class", at: start)
            }
            return .assertion(e == "b" ? .wordBoundary : .notWordBoundary)
        case "1"..."9" where !inClass, "k":
            throw RegexSyntaxError("backreferences are not supported (they need backtracking)", at: start)
        case "A":
            throw RegexSyntaxError("\\A is not supported; use ^, which matches only at the start of the text", at: start)
        case "z", "Z":
            throw RegexSyntaxError("\\\(e) is not supported; use $, which matches only at the very end of the text", at: start)
        case "p", "P":
            throw RegexSyntaxError("Unicode property classes \\\(e){...} are not supported", at: start)
        case "x", "u", "U":
            throw RegexSyntaxError(
                "\\\(e) code escapes are not supported; write the character itself (a Cohort string can spell it \\u{...})",
                at: start)
        case "Q", "E":
            throw RegexSyntaxError("\\Q...\\E quoting is not supported; escape each punctuation character with \\", at: start)
        default:
            // Any ASCII punctuation may be escaped to stand for itself.
            if e.isASCII && (0x21...0x2F ~= e.value || 0x3A...0x40 ~= e.value || 0x5B...0x60 ~= e.value || 0x7B...0x7E ~= e.value) {
                return .scalar(e.value)
            }
            throw RegexSyntaxError("unknown escape \\\(e)", at: start)
        }
    }
}
