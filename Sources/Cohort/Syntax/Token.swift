/// A lexical token: its kind, span, and for literals the decoded value.
package struct Token: Sendable, Hashable {
    /// What kind of token this is.
    package enum Kind: Sendable, Hashable {
        // Literals and names
        case identifier, number, string
        // Punctuation
        case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
        case comma, dot, assign
        case equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
        case plus, minus, star, slash, percent, bang, ampAmp, pipePipe
        // Keywords
        case kwAnd, kwOr, kwNot, kwIn, kwTrue, kwFalse, kwNull
        case kwContains, kwContainsAny, kwContainsAll, kwStartsWith, kwEndsWith, kwMatches
        case kwLet, kwSegment, kwFlag, kwWhen, kwServe, kwDefault
        /// A JSON object given as a test's context (`user {"id": "u-1"}`), scanned whole:
        /// a `{` right after a name that does not follow `flag`. Its text is the raw JSON;
        /// the parser decodes it.
        case json
        /// End of input.
        case end
        /// A lexical error; `diagnostic` says what is wrong (and `text` holds its message).
        case error
    }

    /// The kind.
    package var kind: Kind
    /// Where it is.
    package var span: SourceSpan
    /// Identifier or keyword spelling; decoded contents of a string literal; message of an error.
    package var text: String = ""
    /// Value of a number literal.
    package var number: Double = 0
    /// The problem, for an `.error` token: the lexer finds it, the parser reports it.
    package var diagnostic: Diagnostic?

    /// The keywords, by spelling.
    package static let keywords: [String: Kind] = [
        "and": .kwAnd, "or": .kwOr, "not": .kwNot, "in": .kwIn,
        "true": .kwTrue, "false": .kwFalse, "null": .kwNull,
        "contains": .kwContains, "contains_any": .kwContainsAny, "contains_all": .kwContainsAll,
        "starts_with": .kwStartsWith, "ends_with": .kwEndsWith, "matches": .kwMatches,
        "let": .kwLet, "segment": .kwSegment, "flag": .kwFlag,
        "when": .kwWhen, "serve": .kwServe, "default": .kwDefault,
    ]

    /// The word operators, for "did you mean" on misspellings such as `startsWith`.
    package static let wordOperators = ["contains", "contains_any", "contains_all", "starts_with", "ends_with", "matches", "in"]

    /// True for tokens spelled as a word (identifiers and keywords), which may follow `.`.
    package var isWord: Bool {
        switch kind {
        case .identifier, .kwAnd, .kwOr, .kwNot, .kwIn, .kwTrue, .kwFalse, .kwNull, .kwContains,
            .kwContainsAny, .kwContainsAll, .kwStartsWith, .kwEndsWith, .kwMatches, .kwLet,
            .kwSegment, .kwFlag, .kwWhen, .kwServe, .kwDefault:
            return true
        default:
            return false
        }
    }
}

/// How a punctuation token is written, for messages.
package func spelling(_ kind: Token.Kind) -> String {
    switch kind {
    case .leftParen: "("
    case .rightParen: ")"
    case .leftBracket: "["
    case .rightBracket: "]"
    case .leftBrace: "{"
    case .rightBrace: "}"
    case .comma: ","
    case .dot: "."
    case .assign: "="
    case .equalEqual: "=="
    case .bangEqual: "!="
    case .less: "<"
    case .lessEqual: "<="
    case .greater: ">"
    case .greaterEqual: ">="
    case .plus: "+"
    case .minus: "-"
    case .star: "*"
    case .slash: "/"
    case .percent: "%"
    case .bang: "!"
    case .ampAmp: "&&"
    case .pipePipe: "||"
    case .end: "end of input"
    default: "\(kind)"
    }
}
