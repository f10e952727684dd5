/// Turns source bytes into tokens. Never fails: a lexical problem becomes an `.error` token
/// carrying its diagnostic, and the parser reports it.
package struct Lexer {
    private let bytes: [UInt8]
    private var position = 0
    private let limits: Limits
    /// The kinds of the last two tokens scanned (the last one second): a `{` after a name
    /// that does not follow `flag` opens a JSON object (see `Token.Kind.json`).
    private var recentKinds: (Token.Kind, Token.Kind) = (.end, .end)

    /// Creates a lexer over a source.
    package init(_ source: SourceFile, limits: Limits = Limits()) {
        self.bytes = source.bytes
        self.limits = limits
    }

    /// Scans the whole source; the last token is always `.end`.
    package mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8 {
        position + ahead < bytes.count ? bytes[position + ahead] : 0
    }

    /// The next token.
    package mutating func next() -> Token {
        let token = scan()
        recentKinds = (recentKinds.1, token.kind)
        return token
    }

    private mutating func scan() -> Token {
        skipTrivia()
        let start = position
        guard position < bytes.count else { return Token(kind: .end, span: SourceSpan(start: start, end: start)) }
        let c = bytes[position]
        func single(_ kind: Token.Kind, length: Int = 1) -> Token {
            position += length
            return Token(kind: kind, span: SourceSpan(start: start, end: position))
        }
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            while position < bytes.count, isIdentifierByte(bytes[position]) { position += 1 }
            let word = String(decoding: bytes[start..<position], as: UTF8.self)
            return Token(kind: Token.keywords[word] ?? .identifier, span: SourceSpan(start: start, end: position), text: word)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return number()
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return string(quote: c)
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "["): return single(.leftBracket)
        case UInt8(ascii: "]"): return single(.rightBracket)
        case UInt8(ascii: "{"):
            // `user {"id": "u-1"}` in a test, never `flag f {`: nothing else puts a brace
            // right after a name.
            if recentKinds.1 == .identifier && recentKinds.0 != .kwFlag { return jsonObject() }
            return single(.leftBrace)
        case UInt8(ascii: "}"): return single(.rightBrace)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: "."): return single(.dot)
        case UInt8(ascii: "+"): return single(.plus)
        case UInt8(ascii: "-"): return single(.minus)
        case UInt8(ascii: "*"): return single(.star)
        case UInt8(ascii: "/"): return single(.slash)
        case UInt8(ascii: "%"): return single(.percent)
        case UInt8(ascii: "="): return peek(1) == UInt8(ascii: "=") ? single(.equalEqual, length: 2) : single(.assign)
        case UInt8(ascii: "!"): return peek(1) == UInt8(ascii: "=") ? single(.bangEqual, length: 2) : single(.bang)
        case UInt8(ascii: "<"): return peek(1) == UInt8(ascii: "=") ? single(.lessEqual, length: 2) : single(.less)
        case UInt8(ascii: ">"): return peek(1) == UInt8(ascii: "=") ? single(.greaterEqual, length: 2) : single(.greater)
        case UInt8(ascii: "&"):
            if peek(1) == UInt8(ascii: "&") { return single(.ampAmp, length: 2) }
            return error(from: start, length: 1) { .loneOperatorCharacter("&", $0) }
        case UInt8(ascii: "|"):
            if peek(1) == UInt8(ascii: "|") { return single(.pipePipe, length: 2) }
            return error(from: start, length: 1) { .loneOperatorCharacter("|", $0) }
        default:
            let length = scalarLength(at: start)
            let scalar = String(decoding: bytes[start..<min(bytes.count, start + length)], as: UTF8.self)
            let shown = c < 0x20 || c == 0x7F ? "U+" + String(c, radix: 16, uppercase: true) : scalar
            return error(from: start, length: length) { .unexpectedCharacter(shown, $0) }
        }
    }

    /// An error token from `start` over `length` bytes (at least one, so lexing moves on).
    private mutating func error(from start: Int, length: Int, _ diagnostic: (SourceSpan) -> Diagnostic) -> Token {
        position = min(bytes.count, start + max(1, length))
        return Self.errorToken(diagnostic(SourceSpan(start: start, end: position)))
    }

    /// The error token that reports `diagnostic`.
    private static func errorToken(_ diagnostic: Diagnostic) -> Token {
        Token(kind: .error, span: diagnostic.span, text: diagnostic.message, diagnostic: diagnostic)
    }

    private func scalarLength(at offset: Int) -> Int {
        let b = bytes[offset]
        let n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
        return min(n, bytes.count - offset)
    }

    private mutating func skipTrivia() {
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                position += 1
            } else if c == UInt8(ascii: "#") || (c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/")) {
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            } else {
                return
            }
        }
    }

    /// Numbers: digits with single `_` between digits, optional fraction, optional exponent.
    private mutating func number() -> Token {
        let start = position
        var digits: [UInt8] = []
        /// What can be wrong with a group of digits.
        enum DigitProblem {
            case missingDigit, misplacedUnderscore

            func diagnostic(inExponent: Bool, _ span: SourceSpan) -> Diagnostic {
                switch self {
                case .missingDigit: .expectedDigit(inExponent: inExponent, span)
                case .misplacedUnderscore: .misplacedUnderscore(inExponent: inExponent, span)
                }
            }
        }
        func scanDigits(_ lexer: inout Lexer) -> DigitProblem? {
            // Returns the problem, or nil when a digit group was scanned.
            guard lexer.position < lexer.bytes.count, isDigit(lexer.bytes[lexer.position]) else { return .missingDigit }
            while lexer.position < lexer.bytes.count {
                let c = lexer.bytes[lexer.position]
                if isDigit(c) {
                    digits.append(c)
                    lexer.position += 1
                } else if c == UInt8(ascii: "_") {
                    guard isDigit(lexer.peek(1)) else { return .misplacedUnderscore }
                    lexer.position += 1
                } else {
                    break
                }
            }
            return nil
        }
        if let problem = scanDigits(&self) {
            return error(from: start, length: position - start + 1) { problem.diagnostic(inExponent: false, $0) }
        }
        if peek() == UInt8(ascii: "."), isDigit(peek(1)) {
            digits.append(UInt8(ascii: "."))
            position += 1
            if let problem = scanDigits(&self) {
                return error(from: start, length: position - start + 1) { problem.diagnostic(inExponent: false, $0) }
            }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            digits.append(UInt8(ascii: "e"))
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") {
                digits.append(peek())
                position += 1
            }
            if let problem = scanDigits(&self) {
                return error(from: start, length: position - start) { problem.diagnostic(inExponent: true, $0) }
            }
        }
        if position < bytes.count, isIdentifierByte(bytes[position]) {
            while position < bytes.count, isIdentifierByte(bytes[position]) { position += 1 }
            return error(from: start, length: position - start) { .invalidNumberLiteral($0) }
        }
        let span = SourceSpan(start: start, end: position)
        if digits.count > limits.maxNumberLiteralLength {
            return Self.errorToken(.numberTooLong(limit: limits.maxNumberLiteralLength, span))
        }
        guard let value = Double(String(decoding: digits, as: UTF8.self)), value.isFinite else {
            return Self.errorToken(.numberOutOfRange(span))
        }
        return Token(kind: .number, span: span, number: value)
    }

    private mutating func string(quote: UInt8) -> Token {
        let start = position
        position += 1
        var runStart = position
        var decoded = ""
        func flushRun(_ lexer: Lexer, upTo end: Int) {
            if end > runStart { decoded += String(decoding: lexer.bytes[runStart..<end], as: UTF8.self) }
        }
        while true {
            guard position < bytes.count else {
                return Self.errorToken(.unterminatedString(atLineBreak: false, SourceSpan(start: start, end: position)))
            }
            let c = bytes[position]
            if c == quote {
                flushRun(self, upTo: position)
                position += 1
                break
            }
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                return Self.errorToken(.unterminatedString(atLineBreak: true, SourceSpan(start: start, end: position)))
            }
            if c == UInt8(ascii: "\\") {
                flushRun(self, upTo: position)
                let escapeStart = position
                position += 1
                let e = peek()
                position += 1
                switch e {
                case UInt8(ascii: "\""): decoded += "\""
                case UInt8(ascii: "'"): decoded += "'"
                case UInt8(ascii: "\\"): decoded += "\\"
                case UInt8(ascii: "n"): decoded += "\n"
                case UInt8(ascii: "r"): decoded += "\r"
                case UInt8(ascii: "t"): decoded += "\t"
                case UInt8(ascii: "u"):
                    guard peek() == UInt8(ascii: "{") else {
                        return skipString(quote: quote, .invalidUnicodeEscape(detailed: false, SourceSpan(start: escapeStart, end: position)))
                    }
                    position += 1
                    var value: UInt32 = 0
                    var count = 0
                    while position < bytes.count, let digit = hexValue(bytes[position]), count < 8 {
                        value = value * 16 + digit
                        count += 1
                        position += 1
                    }
                    guard peek() == UInt8(ascii: "}"), count >= 1, count <= 6, let scalar = Unicode.Scalar(value) else {
                        return skipString(quote: quote, .invalidUnicodeEscape(detailed: true, SourceSpan(start: escapeStart, end: position)))
                    }
                    position += 1
                    decoded.unicodeScalars.append(scalar)
                default:
                    let shown = e == 0 ? "" : String(decoding: [e], as: UTF8.self)
                    return skipString(quote: quote, .invalidEscape(shown, SourceSpan(start: escapeStart, end: min(position, bytes.count))))
                }
                runStart = position
                continue
            }
            position += 1
        }
        if decoded.utf8.count > limits.maxStringLiteralBytes {
            return Self.errorToken(.stringTooLong(limit: limits.maxStringLiteralBytes, SourceSpan(start: start, end: position)))
        }
        return Token(kind: .string, span: SourceSpan(start: start, end: position), text: decoded)
    }

    /// A JSON object from the `{` at `position` to its matching `}`, braces inside strings
    /// not counted. Its contents are only delimited here; the parser decodes and checks
    /// them, so a mistake inside is reported at its own position. A `{` that is never
    /// closed is an error token on the brace alone, and lexing goes on after it.
    private mutating func jsonObject() -> Token {
        let start = position
        var depth = 0
        var i = position
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\""):
                // A string ends at its closing quote, or at the end of the line (an
                // unterminated string is then the JSON reader's to report).
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\n") {
                    let escaped = bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count && bytes[i + 1] != UInt8(ascii: "\n")
                    i += escaped ? 2 : 1
                }
            case UInt8(ascii: "{"):
                depth += 1
            case UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 {
                    position = i + 1
                    let span = SourceSpan(start: start, end: position)
                    return Token(kind: .json, span: span, text: String(decoding: bytes[start..<position], as: UTF8.self))
                }
            default:
                break
            }
            i += 1
        }
        return error(from: start, length: 1) { .unclosedJSONObject($0) }
    }

    /// After a bad escape, skip to the closing quote so lexing resumes sensibly.
    private mutating func skipString(quote: UInt8, _ diagnostic: Diagnostic) -> Token {
        while position < bytes.count, bytes[position] != quote, bytes[position] != UInt8(ascii: "\n") {
            if bytes[position] == UInt8(ascii: "\\") { position += 1 }
            position += 1
        }
        if position < bytes.count, bytes[position] == quote { position += 1 }
        position = min(position, bytes.count)
        return Self.errorToken(diagnostic)
    }
}

@inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

@inline(__always) private func isIdentifierByte(_ c: UInt8) -> Bool {
    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
        || isDigit(c) || c == UInt8(ascii: "_")
}

private func hexValue(_ c: UInt8) -> UInt32? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
    default: nil
    }
}
