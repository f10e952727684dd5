import Cohort
import Testing

/// Scans `text` into tokens (the last is always `.end`).
private func tokens(_ text: String) -> [Token] {
    var lexer = Lexer(SourceFile(name: "<test>", text: text))
    return lexer.tokenize()
}

/// The token kinds of `text`, without the final `.end`.
private func kinds(_ text: String) -> [Token.Kind] {
    tokens(text).dropLast().map(\.kind)
}

/// The single token `text` scans to (besides `.end`), or nil when there are several.
private func single(_ text: String) -> Token? {
    let all = tokens(text)
    return all.count == 2 ? all[0] : nil
}

@Suite("Lexer")
struct LexerTests {
    @Test("punctuation and symbolic operators")
    func punctuation() {
        #expect(kinds("( ) [ ] { } , . =") == [.leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace, .rightBrace, .comma, .dot, .assign])
        #expect(kinds("== != < <= > >=") == [.equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual])
        #expect(kinds("+ - * / % ! && ||") == [.plus, .minus, .star, .slash, .percent, .bang, .ampAmp, .pipePipe])
        // Longest match, with no whitespace needed.
        #expect(kinds("a<=b") == [.identifier, .lessEqual, .identifier])
        #expect(kinds("!a!=b") == [.bang, .identifier, .bangEqual, .identifier])
    }

    @Test("keywords, word operators and identifiers")
    func words() {
        #expect(kinds("and or not in true false null") == [.kwAnd, .kwOr, .kwNot, .kwIn, .kwTrue, .kwFalse, .kwNull])
        #expect(kinds("contains contains_any contains_all starts_with ends_with matches")
            == [.kwContains, .kwContainsAny, .kwContainsAll, .kwStartsWith, .kwEndsWith, .kwMatches])
        #expect(kinds("let segment flag when serve default") == [.kwLet, .kwSegment, .kwFlag, .kwWhen, .kwServe, .kwDefault])
        // Identifiers: [A-Za-z_][A-Za-z0-9_]*; a keyword prefix does not make a keyword.
        for word in ["user", "_x", "A9_b", "android", "nothing", "contains_anything", "inx", "True", "NULL"] {
            let token = single(word)
            #expect(token?.kind == .identifier, "\(word)")
            #expect(token?.text == word)
        }
    }

    @Test("tokens carry UTF-8 byte spans")
    func spans() {
        let all = tokens(#"user.id == "u-42""#)
        #expect(all.map(\.kind) == [.identifier, .dot, .identifier, .equalEqual, .string, .end])
        #expect(all.map(\.span) == [
            SourceSpan(start: 0, end: 4), SourceSpan(start: 4, end: 5), SourceSpan(start: 5, end: 7),
            SourceSpan(start: 8, end: 10), SourceSpan(start: 11, end: 17), SourceSpan(start: 17, end: 17),
        ])
        // "é" is two bytes, "😀" four: spans count bytes, not characters.
        let wide = tokens("\"é😀\" == x")
        #expect(wide[0].span == SourceSpan(start: 0, end: 8))
        #expect(wide[1].span == SourceSpan(start: 9, end: 11))
        #expect(wide[2].span == SourceSpan(start: 12, end: 13))
    }

    @Test("whitespace and newlines are insignificant")
    func whitespace() {
        #expect(kinds(" \t\r\n user \n\t.\r\n id ") == [.identifier, .dot, .identifier])
        #expect(kinds("") == [])
        #expect(kinds("   \n\t ") == [])
    }

    @Test("comments run from # or // to the end of the line")
    func comments() {
        #expect(kinds("# a comment") == [])
        #expect(kinds("// a comment") == [])
        #expect(kinds("1 # one\n+ 2 // two\n") == [.number, .plus, .number])
        #expect(kinds("user.id // == 1\n== 2") == [.identifier, .dot, .identifier, .equalEqual, .number])
        // A single slash is division, and # inside a string is text.
        #expect(kinds("4 / 2") == [.number, .slash, .number])
        #expect(single(##""# not a comment""##)?.text == "# not a comment")
        #expect(single(#""// nor this""#)?.text == "// nor this")
    }

    @Test("valid number literals", arguments: [
        ("0", 0.0), ("42", 42), ("1_000", 1000), ("1_000_000", 1_000_000), ("3.25", 3.25),
        ("1e3", 1000), ("1E3", 1000), ("1e+2", 100), ("2.5e-1", 0.25), ("1_0.5_0", 10.5), ("0.5", 0.5),
        ("9007199254740993", 9007199254740992),
    ])
    func validNumbers(text: String, value: Double) {
        let token = single(text)
        #expect(token?.kind == .number)
        #expect(token?.number == value)
        #expect(token?.span == SourceSpan(start: 0, end: text.utf8.count))
    }

    @Test("malformed number literals are lexical errors", arguments: [
        "1__0", "1_", "1_e3", "1e", "1e+", "1E-", "12abc", "1.5x", "1e999",
    ])
    func invalidNumbers(text: String) {
        #expect(tokens(text).contains { $0.kind == .error }, "\(text)")
    }

    @Test("a leading or trailing dot is not part of a number")
    func dotsAroundNumbers() {
        // `.5` and `5.` are not numbers; the parser turns the stray dot into an error.
        #expect(kinds(".5") == [.dot, .number])
        #expect(kinds("5.") == [.number, .dot])
        #expect(kinds("5.x") == [.number, .dot, .identifier])
    }

    @Test("string escapes decode", arguments: [
        (#""plain""#, "plain"),
        (#"'single'"#, "single"),
        (#""a\"b""#, "a\"b"),
        (#"'it\'s'"#, "it's"),
        (#"'say "hi"'"#, "say \"hi\""),
        (#""it's""#, "it's"),
        (#""back\\slash""#, "back\\slash"),
        (#""line\nbreak""#, "line\nbreak"),
        (#""cr\r""#, "cr\r"),
        (#""tab\t""#, "tab\t"),
        (#""\u{41}\u{e9}""#, "Aé"),
        (#""\u{1F600}""#, "😀"),
        (#""\u{0}""#, "\u{0}"),
        (#""""#, ""),
        ("\"é\u{301}\"", "é\u{301}"),
    ])
    func escapes(source: String, decoded: String) {
        let token = single(source)
        #expect(token?.kind == .string, "\(source)")
        // Compare scalars: Swift's String == would equate canonically equivalent text.
        #expect(token.map { Array($0.text.unicodeScalars) } == Array(decoded.unicodeScalars))
    }

    @Test("invalid escapes are errors pointing at the escape", arguments: [
        (#""ab\qc""#, 3, 5),
        (#""\x41""#, 1, 3),
        (#""\0""#, 1, 3),
        (#""\u0041""#, 1, 3),
    ])
    func invalidEscapes(source: String, start: Int, end: Int) {
        let error = tokens(source).first { $0.kind == .error }
        #expect(error?.span == SourceSpan(start: start, end: end), "\(source)")
        #expect(error?.text.contains("escape") == true)
    }

    @Test("malformed unicode escapes are errors", arguments: [
        #""\u{}""#, #""\u{110000}""#, #""\u{D800}""#, #""\u{1234567}""#, #""\u{12""#, #""\u{zz}""#,
    ])
    func invalidUnicodeEscapes(source: String) {
        #expect(tokens(source).contains { $0.kind == .error }, "\(source)")
    }

    @Test("a raw line break or the end of input inside a string is an error", arguments: [
        "\"line\nbreak\"", "'line\r\nbreak'", "\"unterminated", "'",
    ])
    func unterminatedStrings(source: String) {
        let error = tokens(source).first { $0.kind == .error }
        #expect(error != nil, "\(source)")
        #expect(error?.text.contains("unterminated") == true)
        #expect(error?.span.start == 0)
    }

    @Test("lexing resumes after a bad escape")
    func resumesAfterBadEscape() {
        #expect(kinds(#""a\qb" == x"#) == [.error, .equalEqual, .identifier])
    }

    @Test("unexpected characters are errors spanning one character", arguments: [
        ("@", 1), ("$", 1), ("&", 1), ("|", 1), ("é", 2), ("😀", 4), ("\u{7}", 1), ("~", 1), (";", 1),
    ])
    func unexpectedCharacters(source: String, length: Int) {
        let all = tokens(source)
        #expect(all.map(\.kind) == [.error, .end])
        #expect(all[0].span == SourceSpan(start: 0, end: length))
    }

    @Test("a lone & or | suggests the operator")
    func loneAmpersand() {
        #expect(single("&")?.text.contains("&&") == true)
        #expect(single("|")?.text.contains("||") == true)
    }
}
