import Cohort
import Testing

/// The shared seeded generator (Support/SplitMix64.swift).
private typealias JSONTestRandom = SplitMix64

/// Parses, or returns the error: keeps the tables below one line per case.
private func read(_ text: String, maxDepth: Int = 512) -> Result<Value, JSONSyntaxError> {
    Result { () throws(JSONSyntaxError) in try JSONReader.parse(text, maxDepth: maxDepth) }
}

private func read(_ bytes: [UInt8], maxDepth: Int = 512) -> Result<Value, JSONSyntaxError> {
    Result { () throws(JSONSyntaxError) in try JSONReader.parse(bytes, maxDepth: maxDepth) }
}

/// The properties every error must have, whatever the input: an offset inside it, only
/// valid UTF-8 before it (everything before an error was accepted), and a line and column
/// that agree with the offset.
private func checkPosition(_ error: JSONSyntaxError, in bytes: [UInt8], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(error.offset >= 0 && error.offset <= bytes.count, "offset \(error.offset) outside \(bytes.count) bytes", sourceLocation: sourceLocation)
    guard error.offset >= 0 && error.offset <= bytes.count else { return }
    let before = bytes[..<error.offset]
    guard let prefix = String(validating: before, as: UTF8.self) else {
        Issue.record("invalid UTF-8 before the error at \(error.offset): \(error.message)", sourceLocation: sourceLocation)
        return
    }
    // Split scalars, not Characters: "\r\n" is one Character but its "\n" ends the line.
    let lines = prefix.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(error.line == lines.count, "line of \(error.message)", sourceLocation: sourceLocation)
    #expect(error.column == lines.last!.count + 1, "column of \(error.message)", sourceLocation: sourceLocation)
    #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
}

@Suite("JSON reader")
struct JSONReaderTests {
    // MARK: - Valid documents

    @Test("reads every kind of JSON value", arguments: [
        ("null", Value.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number(0)),
        ("-12.5e1", .number(-125)),
        ("\"\"", .string("")),
        ("\"héllo wörld 😀\"", .string("héllo wörld 😀")),
        ("[]", .list([])),
        ("{}", .object([:])),
        ("[1, \"a\", null, [true], {\"k\": false}]", .list([1, "a", nil, [true], ["k": false]])),
        ("{\"user\": {\"id\": \"u-42\", \"age\": 37, \"tags\": [\"qa\", \"beta\"], \"plan\": null}}",
         .object(["user": ["id": "u-42", "age": 37, "tags": ["qa", "beta"], "plan": nil]])),
        (" \t\r\n [ 1 , 2 ] \r\n\t ", .list([1, 2])),
        ("{\"a\":{\"b\":{\"c\":[[[]]]}}}", .object(["a": ["b": ["c": [[[]]]]]])),
        ("{\"\": 1}", .object(["": 1])),
    ])
    func valid(_ text: String, _ expected: Value) throws {
        #expect(try JSONReader.parse(text) == expected)
    }

    @Test("decodes every escape, combining surrogate pairs", arguments: [
        (#""\"""#, "\""),
        (#""\\""#, "\\"),
        (#""\/""#, "/"),
        (#""\b\f\n\r\t""#, "\u{8}\u{C}\n\r\t"),
        (#""\u0041\u00e9\u4E2D""#, "Aé中"),
        (#""\uD83D\uDE00""#, "😀"),
        (#""\ud83d\ude00""#, "😀"),
        (#""x\uDBFF\uDFFFy""#, "x\u{10FFFF}y"),
        (#""\u0000""#, "\u{0}"),
        (#""a\"b\\c/d""#, "a\"b\\c/d"),
        (#""é\n😀\té""#, "é\n😀\té"),
    ])
    func escapes(_ json: String, _ expected: String) throws {
        let value = try JSONReader.parse(json)
        guard case .string(let string) = value else {
            Issue.record("not a string: \(value)")
            return
        }
        #expect(Array(string.unicodeScalars) == Array(expected.unicodeScalars))
    }

    @Test("a duplicate key keeps its last value")
    func duplicateKeys() throws {
        #expect(try JSONReader.parse(#"{"a": 1, "b": 2, "a": 3}"#) == ["a": 3, "b": 2])
        #expect(try JSONReader.parse(#"{"a": {"x": 1}, "a": [2]}"#) == ["a": [2]])
    }

    @Test("the String, [UInt8] and raw-buffer entry points agree")
    func entryPoints() throws {
        let text = #"{"k": ["é", 1.5, true]}"#
        let bytes = Array(text.utf8)
        let fromString = try JSONReader.parse(text)
        let fromArray = try JSONReader.parse(bytes)
        let fromBuffer = try bytes.withUnsafeBytes { buffer in
            try Result { () throws(JSONSyntaxError) in try JSONReader.parse(buffer) }.get()
        }
        #expect(fromString == fromArray)
        #expect(fromArray == fromBuffer)
        #expect(fromString == ["k": ["é", 1.5, true]])
    }

    // MARK: - Numbers

    @Test("numbers convert exactly as Double(String) does", arguments: [
        ("0", 0.0), ("-0", -0.0), ("-0.0", -0.0), ("0e5", 0.0), ("1", 1), ("-1", -1), ("10", 10),
        ("1.5", 1.5), ("0.1", 0.1), ("1e3", 1000), ("1E3", 1000), ("1e+3", 1000), ("1e-3", 0.001),
        ("123.456e-2", 1.23456), ("9007199254740992", 9_007_199_254_740_992),
        // 2^53 + 1 is not a Double: it rounds (half to even) to 2^53.
        ("9007199254740993", 9_007_199_254_740_992),
        ("9007199254740995", 9_007_199_254_740_996),
        ("18446744073709551616", 18_446_744_073_709_551_616),
        ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ("2.2250738585072014e-308", 2.2250738585072014e-308),
        ("5e-324", .leastNonzeroMagnitude),
        ("1e-400", 0), ("-1e-400", -0.0),
        ("0.30000000000000004", 0.30000000000000004),
        ("123456789012345678901234567890", Double("123456789012345678901234567890")!),
        ("1e22", 1e22), ("1e23", 1e23), ("4.35e-22", 4.35e-22),
    ])
    func numbers(_ text: String, _ expected: Double) throws {
        let value = try JSONReader.parse(text)
        guard case .number(let number) = value else {
            Issue.record("not a number: \(value)")
            return
        }
        #expect(number.bitPattern == expected.bitPattern, "\(text) read as \(number)")
    }

    @Test("random numbers in JSON syntax read as Double(String) reads them")
    func randomNumbers() throws {
        var rng = JSONTestRandom(seed: 0x5EED_0001)
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
        }
        for _ in 0..<PropertyScale.count(5_000) {
            var text = Bool.random(using: &rng) ? "-" : ""
            let intDigits = Int.random(in: 1...22, using: &rng)
            let integer = digits(intDigits)
            text += intDigits > 1 ? "\(Int.random(in: 1...9, using: &rng))" + integer.dropFirst() : integer
            if Bool.random(using: &rng) { text += "." + digits(Int.random(in: 1...20, using: &rng)) }
            if Bool.random(using: &rng) {
                text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &rng)!
                text += "\(Int.random(in: 0...330, using: &rng))"
            }
            let expected = Double(text)!
            switch read(text) {
            case .success(.number(let number)):
                #expect(expected.isFinite && number.bitPattern == expected.bitPattern, "\(text) read as \(number), expected \(expected)")
            case .success(let other):
                Issue.record("\(text) read as \(other)")
            case .failure(let error):
                #expect(!expected.isFinite && error.message == "number out of range", "\(text): \(error.message)")
            }
        }
    }

    @Test("rejects numbers outside JSON syntax", arguments: [
        ("01", "invalid number '01': leading zeros are not allowed", 1),
        ("-01", "invalid number '-01': leading zeros are not allowed", 1),
        ("[00]", "invalid number '00': leading zeros are not allowed", 2),
        ("+1", "expected a JSON value, found '+'", 1),
        (".5", "expected a JSON value, found '.'", 1),
        ("-", "invalid number '-': expected a digit after '-'", 1),
        ("-a", "invalid number '-': expected a digit after '-'", 1),
        ("1.", "invalid number '1.': expected a digit after the decimal point", 1),
        ("1.e5", "invalid number '1.e5': expected a digit after the decimal point", 1),
        ("1e", "invalid number '1e': expected a digit in the exponent", 1),
        ("[1e+]", "invalid number '1e+': expected a digit in the exponent", 2),
        ("NaN", "expected a JSON value, found 'NaN'", 1),
        ("Infinity", "expected a JSON value, found 'Infinity'", 1),
        ("-Infinity", "invalid number '-': expected a digit after '-'", 1),
        ("1e999", "number out of range", 1),
        ("[0, -1e999]", "number out of range", 5),
        ("0x10", "unexpected data after the JSON value", 2),
        ("1.5.2", "unexpected data after the JSON value", 4),
    ])
    func badNumbers(_ text: String, _ message: String, _ column: Int) {
        switch read(text) {
        case .success(let value): Issue.record("\(text) read as \(value)")
        case .failure(let error):
            #expect(error.message == message)
            #expect(error.line == 1 && error.column == column)
        }
    }

    // MARK: - Errors and their positions

    @Test("reports what is wrong where the bad token starts", arguments: [
        ("{\n  \"a\": tru\n}", "expected a JSON value, found 'tru'", 2, 8),
        ("", "empty input", 1, 1),
        ("  \n ", "empty input", 2, 2),
        ("{\"a\": 1 \"b\": 2}", "expected ',' or '}' after an object member, found '\"'", 1, 9),
        ("{\"a\": 1", "expected ',' or '}' after an object member, found end of input", 1, 8),
        ("[1 2]", "expected ',' or ']' after a list element, found '2'", 1, 4),
        ("[1,", "expected a JSON value, found end of input", 1, 4),
        ("[1,]", "trailing comma before ']'", 1, 4),
        ("{\"a\": 1,}", "trailing comma before '}'", 1, 9),
        ("{,}", "expected a string key or '}', found ','", 1, 2),
        ("{\"a\": 1, 2}", "expected a string key after ',', found '2'", 1, 10),
        ("{'a': 1}", "expected a string key or '}', found '''", 1, 2),
        ("{\"a\" 1}", "expected ':' after an object key, found '1'", 1, 6),
        ("{\"a\"", "expected ':' after an object key, found end of input", 1, 5),
        ("[1] [2]", "unexpected data after the JSON value", 1, 5),
        ("{} x", "unexpected data after the JSON value", 1, 4),
        ("truex", "expected a JSON value, found 'truex'", 1, 1),
        ("nul", "expected a JSON value, found 'nul'", 1, 1),
        ("True", "expected a JSON value, found 'True'", 1, 1),
        ("[é]", "expected a JSON value, found 'é'", 1, 2),
        ("[\u{1}]", "expected a JSON value, found control character U+0001", 1, 2),
        ("// c\n1", "expected a JSON value, found '/'", 1, 1),
        ("\"abc", "unterminated string", 1, 1),
        ("[\"é\", \"abc\\\"]", "unterminated string", 1, 7),
        ("\"a\nb\"", "unescaped control character U+000A in a string", 1, 3),
        ("\"a\tb\"", "unescaped control character U+0009 in a string", 1, 3),
        ("\"a\\x\"", "invalid escape '\\x' in a string", 1, 3),
        ("\"a\\'\"", "invalid escape '\\'' in a string", 1, 3),
        ("\"\\u12G4\"", "invalid \\u escape (expected 4 hex digits)", 1, 2),
        ("\"\\u12\"", "invalid \\u escape (expected 4 hex digits)", 1, 2),
        ("\"\\uD800\"", "lone surrogate \\uD800", 1, 2),
        ("\"\\uD800x\"", "lone surrogate \\uD800", 1, 2),
        ("\"\\uD800\\n\"", "lone surrogate \\uD800", 1, 2),
        ("\"\\uD800\\uD800\"", "lone surrogate \\uD800", 1, 2),
        ("\"é\\uDC00\"", "lone surrogate \\uDC00", 1, 3),
        ("\"\\uD83D\\u0041\"", "lone surrogate \\uD83D", 1, 2),
        ("[\n  1,\n  😀😀 ]", "expected a JSON value, found '😀'", 3, 3),
        ("{\r\n\"a\":\r\n}", "expected a JSON value, found '}'", 3, 1),
    ])
    func errors(_ text: String, _ message: String, _ line: Int, _ column: Int) {
        switch read(text) {
        case .success(let value): Issue.record("\(text.debugDescription) read as \(value)")
        case .failure(let error):
            #expect(error.message == message)
            #expect(error.line == line)
            #expect(error.column == column)
            checkPosition(error, in: Array(text.utf8))
        }
    }

    // MARK: - UTF-8

    @Test("rejects invalid UTF-8 with the offset of the bad sequence", arguments: [
        ([0x22, 0xFF, 0x22], "invalid UTF-8 byte 0xFF", 1),
        ([0x22, 0x61, 0x80, 0x22], "invalid UTF-8 byte 0x80", 2),
        ([0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 byte 0xC0", 1),
        ([0x22, 0xC3, 0x22], "invalid UTF-8 sequence starting with byte 0xC3 (truncated sequence)", 1),
        ([0x22, 0xC3], "invalid UTF-8 sequence starting with byte 0xC3 (truncated sequence)", 1),
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], "invalid UTF-8 sequence starting with byte 0xE0 (overlong encoding)", 1),
        ([0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], "invalid UTF-8 sequence starting with byte 0xF0 (overlong encoding)", 1),
        ([0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 sequence starting with byte 0xED (encoded surrogate)", 1),
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 sequence starting with byte 0xF4 (above U+10FFFF)", 1),
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], "invalid UTF-8 byte 0xF5", 1),
        ([0x22, 0xE2, 0x82, 0x22], "invalid UTF-8 sequence starting with byte 0xE2 (truncated sequence)", 1),
        ([0x22, 0x5C, 0xFF, 0x22], "invalid UTF-8 byte 0xFF", 2),
        ([0xEF, 0xBB, 0xBF, 0x31], "expected a JSON value, found '\u{FEFF}'", 0),
        ([0x5B, 0xFE, 0x5D], "invalid UTF-8 byte 0xFE", 1),
        ([0x31, 0x20, 0xFF], "invalid UTF-8 byte 0xFF", 2),
        ([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x31, 0xC3, 0x7D], "invalid UTF-8 sequence starting with byte 0xC3 (truncated sequence)", 6),
    ] as [([UInt8], String, Int)])
    func invalidUTF8(_ bytes: [UInt8], _ message: String, _ offset: Int) {
        switch read(bytes) {
        case .success(let value): Issue.record("\(bytes) read as \(value)")
        case .failure(let error):
            #expect(error.message == message)
            #expect(error.offset == offset)
            checkPosition(error, in: bytes)
        }
    }

    @Test("finds a special byte at every position of a long string (the 8-byte fast scan)", arguments: [
        0x00, 0x1F, 0x20, 0x21, 0x22, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xFF,
    ] as [UInt8])
    func specialByteInLongString(_ special: UInt8) {
        for position in 0..<20 {
            var content = Array(repeating: UInt8(ascii: "a"), count: 20)
            content[position] = special
            let bytes = [0x22] + content + [0x22]
            let offset = 1 + position
            switch (special, read(bytes)) {
            case (0x22, .failure(let error)):
                #expect(error.message == "unexpected data after the JSON value" && error.offset == offset + 1)
            case (0x5C, .failure(let error)) where position == 19:
                #expect(error.message == "unterminated string" && error.offset == 0)
            case (0x5C, .failure(let error)):
                #expect(error.message == "invalid escape '\\a' in a string" && error.offset == offset)
            case (0..<0x20, .failure(let error)):
                #expect(error.message.hasPrefix("unescaped control character") && error.offset == offset)
            case (0x80..., .failure(let error)):
                #expect(error.message.hasPrefix("invalid UTF-8") && error.offset == offset)
            case (0x20..<0x80, .success(.string(let string))) where special != 0x22 && special != 0x5C:
                #expect(Array(string.utf8) == content)
            case (_, let result):
                Issue.record("byte \(special) at \(position): \(result)")
            }
        }
    }

    @Test("accepts exactly the well-formed UTF-8 that Swift accepts, for every two-byte pair")
    func everyTwoBytePair() {
        for first in UInt8(0x80)...0xFF {
            for second in UInt8(0x20)...0xFF where second != 0x22 && second != 0x5C {
                checkAgainstSwift([first, second])
                checkAgainstSwift([second, first])
            }
        }
    }

    @Test("accepts exactly the well-formed UTF-8 that Swift accepts, for three- and four-byte sequences")
    func longerSequences() {
        let edges: [UInt8] = [0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2]
        for lead in UInt8(0xE0)...0xF7 {
            for second in UInt8(0x70)...0xC1 {
                for third in edges {
                    checkAgainstSwift([lead, second, third])
                    for fourth in edges { checkAgainstSwift([lead, second, third, fourth]) }
                }
            }
        }
    }

    private func checkAgainstSwift(_ content: [UInt8]) {
        let expected = String(validating: content, as: UTF8.self)
        switch read([0x22] + content + [0x22]) {
        case .success(.string(let string)):
            #expect(expected.map { Array($0.utf8) } == Array(string.utf8), "\(content) accepted")
        case .success(let other):
            Issue.record("\(content) read as \(other)")
        case .failure(let error):
            #expect(expected == nil, "\(content) rejected: \(error.message)")
            #expect(error.message.hasPrefix("invalid UTF-8"), "\(content): \(error.message)")
        }
    }

    // MARK: - Depth

    @Test("nesting up to maxDepth is accepted, one level more is an error")
    func depthLimit() {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect((try? JSONReader.parse(ok)) != nil)
        let objects = String(repeating: "{\"a\":", count: 512) + "1" + String(repeating: "}", count: 512)
        #expect((try? JSONReader.parse(objects)) != nil)

        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONSyntaxError(message: "nesting deeper than 512 levels", offset: 512, line: 1, column: 513)) {
            try JSONReader.parse(deep)
        }
        #expect(throws: JSONSyntaxError(message: "nesting deeper than 3 levels", offset: 8, line: 1, column: 9)) {
            try JSONReader.parse("[{\"a\": [{}]}]", maxDepth: 3)
        }
        #expect(throws: JSONSyntaxError(message: "nesting deeper than 0 levels", offset: 0, line: 1, column: 1)) {
            try JSONReader.parse("[]", maxDepth: 0)
        }
        #expect((try? JSONReader.parse("\"scalars need no depth\"", maxDepth: 0)) == "scalars need no depth")
    }

    @Test("100,000 open brackets are an error, not a stack overflow")
    func hugeNesting() {
        for opener in ["[", "{\"k\":", "[{\"k\":"] {
            let text = String(repeating: opener, count: 100_000)
            switch read(text) {
            case .success: Issue.record("accepted \(opener) × 100,000")
            case .failure(let error): #expect(error.message == "nesting deeper than 512 levels")
            }
        }
        // An explicit, larger limit is honoured. (Kept modest: the parse is iterative, but
        // destroying a `Value` is recursive and test threads may have small stacks.)
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect((try? JSONReader.parse(text, maxDepth: 1000)) != nil)
        #expect((try? JSONReader.parse(text, maxDepth: 999)) == nil)
    }

    // MARK: - Round trips and robustness

    @Test("random values survive writing and reading back")
    func roundTrip() throws {
        var rng = JSONTestRandom(seed: 0x5EED_0002)
        for _ in 0..<2000 {
            let value = randomValue(&rng, depth: 0)
            let text = write(value, &rng)
            let back = try JSONReader.parse(text)
            #expect(back == value, "\(text)")
        }
    }

    @Test("random bytes never crash the reader, and every error position is consistent")
    func randomBytes() {
        var rng = JSONTestRandom(seed: 0x5EED_0003)
        let alphabet = Array("{}[],:\" \n\\-+.0123456789eEtrufalsn".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]
        for round in 0..<PropertyScale.count(5_000) {
            let length = Int.random(in: 0...40, using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                round.isMultiple(of: 2) ? UInt8.random(in: 0...255, using: &rng) : alphabet.randomElement(using: &rng)!
            }
            if case .failure(let error) = read(bytes) { checkPosition(error, in: bytes) }
        }
    }

    @Test("mutated valid JSON never crashes the reader, and every error position is consistent")
    func mutations() {
        var rng = JSONTestRandom(seed: 0x5EED_0004)
        let seeds = [
            #"{"user": {"id": "u-42", "age": 37, "tags": ["qa", "beta"], "score": -1.5e3, "ok": true, "x": null}}"#,
            #"[{"name": "Zoë 😀", "esc": "a\"b\\c\u00e9\uD83D\uDE00\n"}, [], {}, 0, -0.0, 1e-7]"#,
            "{\n  \"a\": [1,\n 2, 3],\r\n  \"b\": \"é\"\n}",
        ].map { Array($0.utf8) }
        let interesting: [UInt8] = Array("{}[],:\"\\ \nu0eE-.".utf8) + [0x00, 0x80, 0xC3, 0xED, 0xF4, 0xFF]
        for _ in 0..<PropertyScale.count(5_000) {
            var bytes = seeds.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0...bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0 where i < bytes.count: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.insert(interesting.randomElement(using: &rng)!, at: i)
                case 2 where i < bytes.count: bytes.remove(at: i)
                case 3: bytes.removeSubrange(i...)
                default:
                    let j = Int.random(in: 0...bytes.count, using: &rng)
                    bytes.insert(contentsOf: bytes[min(i, j)..<max(i, j)], at: j)
                }
            }
            if case .failure(let error) = read(bytes) { checkPosition(error, in: bytes) }
        }
    }
}

// MARK: - A random value generator and writer, for round trips

private func randomValue(_ rng: inout JSONTestRandom, depth: Int) -> Value {
    switch Int.random(in: 0..<(depth < 4 ? 8 : 6), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2:
        var number = Double(bitPattern: rng.next())
        while !number.isFinite { number = Double(bitPattern: rng.next()) }
        return .number(number)
    case 3: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)))
    case 4, 5: return .string(randomString(&rng))
    case 6: return .list((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
    default:
        var fields: [String: Value] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            fields[randomString(&rng)] = randomValue(&rng, depth: depth + 1)
        }
        return .object(fields)
    }
}

private func randomString(_ rng: inout JSONTestRandom) -> String {
    let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0x00...0x1F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
    var scalars = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...12, using: &rng) {
        let pool = Int.random(in: 0..<10, using: &rng) < 5 ? pools[0] : pools.randomElement(using: &rng)!
        scalars.append(Unicode.Scalar(UInt32.random(in: pool, using: &rng))!)
    }
    return String(scalars)
}

/// Writes JSON, escaping at random (short escapes, `\u` escapes with surrogate pairs, or
/// raw UTF-8) so that every decoding path is exercised.
private func write(_ value: Value, _ rng: inout JSONTestRandom) -> String {
    switch value {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .number(let n): return "\(n)"
    case .string(let s): return quote(s, &rng)
    case .list(let items): return "[" + items.map { write($0, &rng) }.joined(separator: ", ") + "]"
    case .object(let fields):
        return "{" + fields.map { quote($0.key, &rng) + ":" + write($0.value, &rng) }.joined(separator: ",\n") + "}"
    case .version, .time: return "null"
    }
}

private func quote(_ string: String, _ rng: inout JSONTestRandom) -> String {
    func escaped(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: Bool.random(using: &rng))
        return "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
    }
    var out = "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += Bool.random(using: &rng) ? "\\\\" : "\\u005C"
        case "\n": out += "\\n"
        case "/": out += Bool.random(using: &rng) ? "\\/" : "/"
        case _ where scalar.value < 0x20 || Int.random(in: 0..<4, using: &rng) == 0:
            out += String(scalar).utf16.map(escaped).joined()
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
