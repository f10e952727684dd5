/// A JSON syntax error with its position.
///
/// The position is where the offending token starts: the unexpected byte for a structural
/// error (a missing `,` or `:`), the first byte of the token for a malformed token (the `t`
/// of `tru`, the `"` of an unterminated string, the `\` of a bad escape, the first byte of a
/// bad number), the lead byte of an invalid UTF-8 sequence.
package struct JSONSyntaxError: Error, Sendable, Equatable {
    /// What is wrong, e.g. `expected ',' or '}' after an object member, found '"'`.
    package var message: String
    /// 0-based byte offset into the input.
    package var offset: Int
    /// 1-based line; lines are separated by `\n` (a `\r` before it is part of the break).
    package var line: Int
    /// 1-based column, counted in Unicode scalars from the start of the line.
    package var column: Int

    /// Makes an error with an explicit position.
    package init(message: String, offset: Int, line: Int, column: Int) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
    }
}

/// Reads RFC 8259 JSON into `Value`s.
///
/// Strict: no comments, trailing commas, single quotes, `NaN`/`Infinity`, leading zeros or
/// `+` in numbers; invalid UTF-8 anywhere, raw control characters in strings and unpaired
/// UTF-16 surrogate escapes are errors. Any byte sequence either parses or throws — the
/// reader never traps, and nesting is bounded by `maxDepth` (it is iterative, so even a huge
/// `maxDepth` cannot overflow the stack while parsing).
///
/// Decisions worth knowing:
/// - Numbers become `Double`, correctly rounded (round-half-to-even), so integers are exact
///   only up to 2^53: `9007199254740993` (2^53+1) reads as `9007199254740992`. A number
///   whose magnitude overflows to infinity (`1e999`) is the error "number out of range";
///   one that underflows reads as (signed) zero; `-0` reads as `-0.0` (which `==` 0).
/// - Duplicate keys in an object: the last one wins, as in most JSON readers. Keys go into
///   a Swift `[String: Value]`, which compares keys by canonical equivalence, so two keys
///   that differ only in Unicode normalisation (`"é"` vs `"e\u0301"`) also collide.
/// - A string may hold `\u0000`; it becomes a U+0000 scalar.
package enum JSONReader {
    /// Parses exactly one JSON value from UTF-8 bytes. Whitespace may surround it; anything
    /// after it is the error "unexpected data after the JSON value".
    /// - Parameter maxDepth: the most arrays/objects that may be open at once. Parsing itself
    ///   is iterative and safe at any depth, but a `Value` is destroyed, compared and hashed
    ///   recursively, so a value tens of thousands of levels deep can exhaust a thread's
    ///   stack later; keep this in the hundreds. The default, 512, is deeper than any real
    ///   record needs.
    package static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 512) throws(JSONSyntaxError) -> Value {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONSyntaxError(message: "empty input", offset: 0, line: 1, column: 1)
        }
        var parser = JSONParser(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth)
        do {
            return try parser.parseDocument()
        } catch {
            // Internal errors carry only the offset; line and column are worked out here,
            // once, so the hot path never tracks lines.
            throw located(error, in: bytes)
        }
    }

    /// Parses exactly one JSON value from a string (its UTF-8 encoding).
    package static func parse(_ text: String, maxDepth: Int = 512) throws(JSONSyntaxError) -> Value {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONSyntaxError) in try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth) }
        }
        return try result.get()
    }

    /// Parses exactly one JSON value from UTF-8 bytes.
    package static func parse(_ data: [UInt8], maxDepth: Int = 512) throws(JSONSyntaxError) -> Value {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(JSONSyntaxError) in try parse(bytes, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    /// Fills in the line and column of an error from its byte offset.
    private static func located(_ error: JSONSyntaxError, in bytes: UnsafeRawBufferPointer) -> JSONSyntaxError {
        var error = error
        let offset = min(max(error.offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lineStart = i + 1
        }
        // Scalars start at every byte that is not a UTF-8 continuation byte. The bytes before
        // an error were all accepted, so they are valid UTF-8 and this count is exact.
        var column = 1
        for i in lineStart..<offset where bytes[i] & 0xC0 != 0x80 {
            column += 1
        }
        error.offset = offset
        error.line = line
        error.column = column
        return error
    }
}

/// The parser's state: a cursor over the bytes and the explicit stack that replaces
/// recursion. Open containers keep their finished elements on one shared `values` stack
/// (and objects their keys on `keys`); closing a container moves its slice out into an
/// exactly-sized array or dictionary, so no container grows element by element.
struct JSONParser {
    var base: UnsafePointer<UInt8>
    var end: Int
    let maxDepth: Int
    var pos = 0
    /// Containers open around the value being parsed, for `maxDepth` (the record binder
    /// parses values found inside objects it walked itself).
    var enclosingDepth = 0

    /// An open array or object: where its elements (and keys) start on the shared stacks.
    struct Frame {
        var isObject: Bool
        var valueStart: Int
        var keyStart: Int
    }

    var frames: [Frame] = []
    var values: [Value] = []
    var keys: [String] = []
    /// Reused buffer for strings that contain escapes.
    var scratch: [UInt8] = []
    /// `StringWords.layoutVerified`, read once here rather than through its lazy global on
    /// every string.
    let smallStrings = StringWords.layoutVerified

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.end = count
        self.maxDepth = maxDepth
    }

    /// Points the parser at another input, keeping its buffers' capacity.
    mutating func reset(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        end = count
        pos = 0
        enclosingDepth = 0
        // The stacks are empty after every value that parsed, so only a failed parse left
        // anything to clear; checking first spares the record binder three calls per record.
        if !frames.isEmpty { frames.removeAll(keepingCapacity: true) }
        if !values.isEmpty { values.removeAll(keepingCapacity: true) }
        if !keys.isEmpty { keys.removeAll(keepingCapacity: true) }
    }

    // MARK: - Structure

    mutating func parseDocument() throws(JSONSyntaxError) -> Value {
        skipWhitespace()
        guard pos < end else { throw failure("empty input", at: pos) }
        let value = try parseValue()
        skipWhitespace()
        if pos < end { throw unexpected(nil, at: pos) }
        return value
    }

    /// Parses one value starting at `pos` (at its first byte) and leaves `pos` after it.
    mutating func parseValue() throws(JSONSyntaxError) -> Value {
        var value: Value
        parsing: while true {
            // Here `pos` is at the first byte of a value (whitespace already skipped).
            guard pos < end else { throw unexpected("expected a JSON value", at: pos) }
            switch base[pos] {
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = .number(try parseNumber())
            case UInt8(ascii: "{"):
                try checkDepth()
                pos += 1
                skipWhitespace()
                if pos < end, base[pos] == UInt8(ascii: "}") {
                    pos += 1
                    value = .object([:])
                } else {
                    frames.append(Frame(isObject: true, valueStart: values.count, keyStart: keys.count))
                    try parseKey(afterComma: false)
                    continue parsing
                }
            case UInt8(ascii: "["):
                try checkDepth()
                pos += 1
                skipWhitespace()
                if pos < end, base[pos] == UInt8(ascii: "]") {
                    pos += 1
                    value = .list([])
                } else {
                    frames.append(Frame(isObject: false, valueStart: values.count, keyStart: keys.count))
                    continue parsing
                }
            case UInt8(ascii: "t"):
                try literal("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                value = .null
            default:
                throw unexpected("expected a JSON value", at: pos)
            }

            // A value is complete: hand it to the innermost open container, closing
            // containers for as long as their closing bracket follows.
            while let frame = frames.last {
                values.append(value)
                skipWhitespace()
                guard pos < end else {
                    throw unexpected(frame.isObject ? "expected ',' or '}' after an object member" : "expected ',' or ']' after a list element", at: pos)
                }
                let byte = base[pos]
                if frame.isObject {
                    if byte == UInt8(ascii: ",") {
                        pos += 1
                        skipWhitespace()
                        try parseKey(afterComma: true)
                        continue parsing
                    }
                    guard byte == UInt8(ascii: "}") else {
                        throw unexpected("expected ',' or '}' after an object member", at: pos)
                    }
                    pos += 1
                    value = .object(closeObject(frame))
                } else {
                    if byte == UInt8(ascii: ",") {
                        pos += 1
                        skipWhitespace()
                        if pos < end, base[pos] == UInt8(ascii: "]") { throw failure("trailing comma before ']'", at: pos) }
                        continue parsing
                    }
                    guard byte == UInt8(ascii: "]") else {
                        throw unexpected("expected ',' or ']' after a list element", at: pos)
                    }
                    pos += 1
                    value = .list(closeList(frame))
                }
                frames.removeLast()
            }
            break parsing
        }
        return value
    }

    /// Reads `"key"` and the `:` after it, leaving `pos` at the member's value.
    @inline(__always)
    mutating func parseKey(afterComma: Bool) throws(JSONSyntaxError) {
        guard pos < end, base[pos] == UInt8(ascii: "\"") else {
            if afterComma, pos < end, base[pos] == UInt8(ascii: "}") { throw failure("trailing comma before '}'", at: pos) }
            throw unexpected(afterComma ? "expected a string key after ','" : "expected a string key or '}'", at: pos)
        }
        keys.append(try parseString())
        skipWhitespace()
        guard pos < end, base[pos] == UInt8(ascii: ":") else {
            throw unexpected("expected ':' after an object key", at: pos)
        }
        pos += 1
        skipWhitespace()
    }

    mutating func checkDepth() throws(JSONSyntaxError) {
        if frames.count + enclosingDepth >= maxDepth { throw failure("nesting deeper than \(maxDepth) levels", at: pos) }
        if frames.capacity == 0 {
            // One allocation each up front instead of regrowing 1, 2, 4, 8, 16 for every
            // record: a typical record is one object of a dozen or two members.
            frames.reserveCapacity(8)
            values.reserveCapacity(32)
            keys.reserveCapacity(32)
        }
    }

    mutating func closeList(_ frame: Frame) -> [Value] {
        let items = Array(values[frame.valueStart...])
        values.removeSubrange(frame.valueStart...)
        return items
    }

    mutating func closeObject(_ frame: Frame) -> [String: Value] {
        let count = values.count - frame.valueStart
        var fields = [String: Value](minimumCapacity: count)
        for i in 0..<count {
            // Later duplicates overwrite earlier ones: the last key wins.
            fields[keys[frame.keyStart + i]] = values[frame.valueStart + i]
        }
        values.removeSubrange(frame.valueStart...)
        keys.removeSubrange(frame.keyStart...)
        return fields
    }

    @inline(__always)
    mutating func skipWhitespace() {
        // Compact JSON (the usual export) has none: one comparison says so.
        if pos < end && base[pos] > 0x20 { return }
        while pos < end {
            let byte = base[pos]
            // ' ' is by far the most common; the others are \t \n \r.
            guard byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D else { return }
            pos += 1
        }
    }

    /// Matches `true`, `false` or `null`, which must not run on into more letters. The
    /// caller has matched the first byte.
    @inline(__always)
    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        assert(count == 4 || count == 5, "a JSON literal")
        // Every literal is four or five bytes, so its last four bytes (with the first byte,
        // already matched) are all of it: one 4-byte compare instead of a byte loop.
        guard end - pos >= count,
              UnsafeRawPointer(base + pos + count - 4).loadUnaligned(as: UInt32.self)
                == UnsafeRawPointer(word.utf8Start + count - 4).loadUnaligned(as: UInt32.self)
        else {
            throw unexpected("expected a JSON value", at: pos)
        }
        guard pos + count == end || !Self.isWordByte(base[pos + count]) else {
            throw unexpected("expected a JSON value", at: pos)
        }
        pos += count
    }

    // MARK: - Strings

    /// Reads a string starting at its opening quote. Strings without escapes — nearly all
    /// of them — are validated in place and built straight from the byte slice.
    @inline(__always)
    mutating func parseString() throws(JSONSyntaxError) -> String {
        let open = pos
        // Most strings are plain ASCII: when the first byte that needs a look is the closing
        // quote, the bytes are already known valid and become the string as they are.
        let stop = plainRunEnd(from: open + 1)
        if stop < end, base[stop] == UInt8(ascii: "\"") {
            pos = stop + 1
            return asciiString(base + open + 1, count: stop - open - 1, readable: end - open - 1)
        }
        return try parseOtherString(open: open)
    }

    /// `parseString` for a string with escapes, non-ASCII bytes or an error in it, kept out
    /// of line so that the plain case inlines small.
    @inline(never)
    mutating func parseOtherString(open: Int) throws(JSONSyntaxError) -> String {
        pos = open
        if let firstEscape = try scanString() {
            return try parseEscapedString(open: open, firstEscape: firstEscape)
        }
        return String(decoding: UnsafeBufferPointer(start: base + open + 1, count: pos - open - 2), as: UTF8.self)
    }

    /// Checks the string whose opening quote is at `pos` — escapes, control characters,
    /// UTF-8 — and moves `pos` past its closing quote, building nothing. Returns the offset
    /// of its first escape, or nil when it has none (its bytes are then its text). The
    /// record binder skips unused members with this.
    mutating func scanString() throws(JSONSyntaxError) -> Int? {
        let open = pos
        var p = pos + 1
        var firstEscape: Int?
        while p < end {
            // Jump over plain ASCII (eight bytes at a time) to the next byte that needs a look.
            p = plainRunEnd(from: p)
            guard p < end else { break }
            let byte = base[p]
            if byte == UInt8(ascii: "\"") {
                pos = p + 1
                return firstEscape
            }
            if byte == UInt8(ascii: "\\") {
                if firstEscape == nil { firstEscape = p }
                scratch.removeAll(keepingCapacity: true)
                p = try decodeEscape(at: p)
                continue
            }
            if byte < 0x20 { throw Self.controlCharacter(byte, at: p) }
            if byte < 0x80 { p += 1 } else { p += try validateUTF8(at: p) }
        }
        throw failure("unterminated string", at: open)
    }

    /// The slow path: copies runs of plain bytes and decoded escapes into `scratch`.
    mutating func parseEscapedString(open: Int, firstEscape: Int) throws(JSONSyntaxError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var runStart = open + 1
        var p = firstEscape
        while p < end {
            let byte = base[p]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if p > runStart { scratch.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: p - runStart)) }
                if byte == UInt8(ascii: "\"") {
                    pos = p + 1
                    return String(decoding: scratch, as: UTF8.self)
                }
                p = try decodeEscape(at: p)
                runStart = p
            } else if byte < 0x20 {
                throw Self.controlCharacter(byte, at: p)
            } else if byte < 0x80 {
                p += 1
            } else {
                p += try validateUTF8(at: p)
            }
        }
        throw failure("unterminated string", at: open)
    }

    /// Decodes the escape whose `\` is at `p` into `scratch`; returns the offset after it.
    mutating func decodeEscape(at p: Int) throws(JSONSyntaxError) -> Int {
        guard p + 1 < end else { throw failure("unterminated string", at: p) }
        let simple: UInt8
        switch base[p + 1] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let unit = try hex4(at: p)
            var scalar = UInt32(unit)
            var next = p + 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed at once by a `\u` low surrogate.
                guard next + 1 < end, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                    throw Self.loneSurrogate(unit, at: p)
                }
                let low = try hex4(at: next)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw Self.loneSurrogate(unit, at: p) }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                next += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw Self.loneSurrogate(unit, at: p)
            }
            appendUTF8(scalar)
            return next
        default:
            let escaped = base[p + 1]
            if escaped >= 0x80, validUTF8Length(at: p + 1) == nil {
                throw invalidUTF8(at: p + 1)
            }
            throw failure("invalid escape '\\\(Self.describeScalar(at: p + 1, base: base, end: end))' in a string", at: p)
        }
        scratch.append(simple)
        return p + 2
    }

    /// The UTF-16 unit of the `\uXXXX` escape whose `\` is at `p`.
    func hex4(at p: Int) throws(JSONSyntaxError) -> UInt16 {
        guard end - p >= 6 else { throw failure("invalid \\u escape (expected 4 hex digits)", at: p) }
        var unit: UInt16 = 0
        for i in 2..<6 {
            let c = base[p + i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c &- UInt8(ascii: "A") &+ 10
            default: throw failure("invalid \\u escape (expected 4 hex digits)", at: p)
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: - UTF-8

    /// The length of the valid multi-byte UTF-8 sequence whose lead byte (≥ 0x80) is at `p`,
    /// or throws an error at `p` naming what is wrong.
    @inline(__always)
    func validateUTF8(at p: Int) throws(JSONSyntaxError) -> Int {
        guard let length = validUTF8Length(at: p) else { throw invalidUTF8(at: p) }
        return length
    }

    /// The length of the valid multi-byte sequence at `p`, or `nil`. Follows the Unicode
    /// table of well-formed sequences (3.9, table 3-7): no overlongs, no encoded
    /// surrogates, nothing above U+10FFFF.
    func validUTF8Length(at p: Int) -> Int? {
        let lead = base[p]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // allowed range of the second byte
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xED: length = 3; high = 0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; low = 0x90
        case 0xF4: length = 4; high = 0x8F
        case 0xF1...0xF3: length = 4
        default: return nil
        }
        guard end - p >= length else { return nil }
        let second = base[p + 1]
        guard second >= low && second <= high else { return nil }
        for i in 2..<length where base[p + i] & 0xC0 != 0x80 { return nil }
        return length
    }

    /// The error for the invalid UTF-8 sequence whose first byte is at `p`.
    func invalidUTF8(at p: Int) -> JSONSyntaxError {
        let lead = base[p]
        let reason: String
        switch lead {
        case 0x80...0xBF, 0xC0, 0xC1, 0xF5...0xFF:
            return failure("invalid UTF-8 byte \(Self.hex(lead))", at: p)
        default:
            if p + 1 >= end || base[p + 1] & 0xC0 != 0x80 {
                reason = "truncated sequence"
            } else {
                let second = base[p + 1]
                switch lead {
                case 0xE0 where second < 0xA0, 0xF0 where second < 0x90: reason = "overlong encoding"
                case 0xED where second > 0x9F: reason = "encoded surrogate"
                case 0xF4 where second > 0x8F: reason = "above U+10FFFF"
                default: reason = "truncated sequence"
                }
            }
        }
        return failure("invalid UTF-8 sequence starting with byte \(Self.hex(lead)) (\(reason))", at: p)
    }

    // MARK: - Numbers

    /// Exact powers of ten: 10^22 is the largest that a `Double` holds exactly.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Reads a number in JSON syntax. Syntax is checked here; the value comes from an
    /// exact fast path when one applies, and otherwise from the standard library's
    /// correctly rounded `Double(_: String)`.
    mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = pos
        var p = pos
        let negative = base[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        var mantissa: UInt64 = 0
        var significantDigits = 0  // digits from the first non-zero one; > 19 may overflow `mantissa`
        var exponent = 0

        guard p < end, Self.isDigit(base[p]) else { throw badNumber("expected a digit after '-'", start, p) }
        if base[p] == UInt8(ascii: "0") {
            p += 1
            if p < end, Self.isDigit(base[p]) { throw badNumber("leading zeros are not allowed", start, p) }
        } else {
            while p < end, Self.isDigit(base[p]) {
                mantissa = mantissa &* 10 &+ UInt64(base[p] &- UInt8(ascii: "0"))
                significantDigits += 1
                p += 1
            }
        }
        if p < end, base[p] == UInt8(ascii: ".") {
            p += 1
            guard p < end, Self.isDigit(base[p]) else { throw badNumber("expected a digit after the decimal point", start, p) }
            while p < end, Self.isDigit(base[p]) {
                mantissa = mantissa &* 10 &+ UInt64(base[p] &- UInt8(ascii: "0"))
                if mantissa != 0 { significantDigits += 1 }
                exponent -= 1
                p += 1
            }
        }
        if p < end, base[p] | 0x20 == UInt8(ascii: "e") {
            p += 1
            var negativeExponent = false
            if p < end, base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-") {
                negativeExponent = base[p] == UInt8(ascii: "-")
                p += 1
            }
            guard p < end, Self.isDigit(base[p]) else { throw badNumber("expected a digit in the exponent", start, p) }
            var written = 0
            while p < end, Self.isDigit(base[p]) {
                // Saturate: beyond this the value is 0 or infinite anyway, and the slow
                // path below works that out from the text.
                if written < 1_000_000 { written = written * 10 + Int(base[p] &- UInt8(ascii: "0")) }
                p += 1
            }
            exponent += negativeExponent ? -written : written
        }
        pos = p

        // Clinger's fast path: when the digits fit in 53 bits and the power of ten is
        // exact, one IEEE multiplication or division rounds correctly.
        if significantDigits <= 19 && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / Self.powersOfTen[-exponent] : value * Self.powersOfTen[exponent]
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: p - start), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw failure("number out of range", at: start) }
        return value
    }

    /// An error for the malformed number starting at `start`, quoting the run of
    /// number-like bytes there (`1.e5`, not just `1.`).
    func badNumber(_ reason: String, _ start: Int, _ p: Int) -> JSONSyntaxError {
        var q = p
        while q < end, Self.isDigit(base[q]) || base[q] == UInt8(ascii: ".") || base[q] | 0x20 == UInt8(ascii: "e")
            || base[q] == UInt8(ascii: "+") || base[q] == UInt8(ascii: "-")
        {
            q += 1
        }
        return failure("invalid number '\(Self.excerpt(from: start, to: q, base: base))': \(reason)", at: start)
    }

    // MARK: - Errors

    /// An error at an offset; the line and column are filled in by `JSONReader.parse`.
    func failure(_ message: String, at offset: Int) -> JSONSyntaxError {
        JSONSyntaxError(message: message, offset: offset, line: 0, column: 0)
    }

    /// "<expectation>, found <what is at p>" — or, if the byte at `p` starts invalid UTF-8,
    /// that error instead. With no expectation, the error for trailing data.
    func unexpected(_ expectation: String?, at p: Int) -> JSONSyntaxError {
        if p < end, base[p] >= 0x80, validUTF8Length(at: p) == nil { return invalidUTF8(at: p) }
        guard let expectation else { return failure("unexpected data after the JSON value", at: p) }
        return failure("\(expectation), found \(describe(at: p))", at: p)
    }

    /// A short description of the token at `p`, for "found …".
    func describe(at p: Int) -> String {
        guard p < end else { return "end of input" }
        let byte = base[p]
        if Self.isWordByte(byte) {
            var q = p
            while q < end, Self.isWordByte(base[q]), q - p <= 24 { q += 1 }
            return "'\(Self.excerpt(from: p, to: q, base: base))'"
        }
        if byte < 0x20 || byte == 0x7F { return "control character U+\(Self.hex4Digits(UInt32(byte)))" }
        return "'\(Self.describeScalar(at: p, base: base, end: end))'"
    }

    static func controlCharacter(_ byte: UInt8, at p: Int) -> JSONSyntaxError {
        JSONSyntaxError(message: "unescaped control character U+\(hex4Digits(UInt32(byte))) in a string", offset: p, line: 0, column: 0)
    }

    static func loneSurrogate(_ unit: UInt16, at p: Int) -> JSONSyntaxError {
        JSONSyntaxError(message: "lone surrogate \\u\(hex4Digits(UInt32(unit)))", offset: p, line: 0, column: 0)
    }

    /// The (valid) scalar at `p` as text, or its byte in hex if it is not valid UTF-8.
    static func describeScalar(at p: Int, base: UnsafePointer<UInt8>, end: Int) -> String {
        guard p < end else { return "" }
        if base[p] < 0x20 || base[p] == 0x7F { return "U+" + hex4Digits(UInt32(base[p])) }
        var decoder = UTF8()
        var iterator = UnsafeBufferPointer(start: base + p, count: min(4, end - p)).makeIterator()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return String(Character(scalar)) }
        return hex(base[p])
    }

    /// The bytes `start..<end` as text, cut to 24 bytes.
    static func excerpt(from start: Int, to end: Int, base: UnsafePointer<UInt8>) -> String {
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: min(end - start, 24)), as: UTF8.self)
        return end - start > 24 ? text + "…" : text
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 0x10 ? "0x0" + digits : "0x" + digits
    }

    static func hex4Digits(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Flags the bytes of `word` (eight input bytes, loaded little-endian so the first byte
    /// is the lowest) that are a `"`, a `\`, below 0x20 or above 0x7F: such a byte gets its
    /// high bit set in the result. Zero means all eight are plain ASCII.
    ///
    /// The "has a byte less than n" trick: subtracting n from every byte borrows into a
    /// byte's high bit when the byte is below n. A borrow can only start at such a byte and
    /// only runs upwards, so a higher byte may be flagged wrongly, but never one below the
    /// first true hit: the lowest flag is exact, which is all the callers use
    /// (`trailingZeroBitCount / 8` is the first byte that needs a look). A `"` or `\`
    /// becomes a zero byte after XOR, found with n = 1.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let control = (word &- ones &* 0x20) & ~word
        let quotes = (quote &- ones) & ~quote
        let backslashes = (backslash &- ones) & ~backslash
        return (word | control | quotes | backslashes) & highs
    }

    /// The offset of the first byte at or after `p` that is a `"`, a `\`, a control or a
    /// non-ASCII byte, or `end` if there is none. Looks at eight bytes at a time, and never
    /// reads at or past `end`.
    @inline(__always)
    func plainRunEnd(from p: Int) -> Int {
        var p = p
        while end - p >= 8 {
            let flags = Self.specialBytes(Self.word(at: base + p))
            if flags != 0 { return p + flags.trailingZeroBitCount >> 3 }
            p += 8
        }
        // Fewer than eight bytes remain before the end of the input: byte by byte. (Only
        // the last few bytes of a record come here.)
        while p < end {
            let byte = base[p]
            if byte < 0x20 || byte >= 0x80 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return p }
            p += 1
        }
        return end
    }

    /// The string of `count` bytes at `start`, which the caller has checked are plain ASCII
    /// (no byte is above 0x7F). `readable` bytes from `start` may be read (at least `count`).
    @inline(__always)
    func asciiString(_ start: UnsafePointer<UInt8>, count: Int, readable: Int) -> String {
        if count <= 15, smallStrings {
            // A short string is two words and no allocation. Laying them out here costs a
            // few instructions; the standard library's initializers would copy the bytes
            // through a closure and check them for UTF-8 once more.
            let low = count >= 8 ? Self.word(at: start) : Self.word(at: start, count: count, readable: readable)
            let high = count > 8 ? Self.word(at: start + 8, count: count - 8, readable: readable - 8) : 0
            return StringWords(ascii: low, high, count: count).string
        }
        return Self.largeASCIIString(start, count: count)
    }

    /// `asciiString` for strings that need storage of their own.
    @inline(never)
    static func largeASCIIString(_ start: UnsafePointer<UInt8>, count: Int) -> String {
        guard count > 0 else { return "" }
        return String(unsafeUninitializedCapacity: count) { buffer in
            buffer.baseAddress!.initialize(from: start, count: count)
            return count
        }
    }

    /// The eight bytes at `p` as a word, first byte lowest. The caller vouches that all
    /// eight may be read.
    @inline(__always)
    static func word(at p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The `count` (< 8) bytes at `p` as a word, first byte lowest, zero above them. Reads
    /// only the `readable` (≥ `count`) bytes from `p` that the caller vouches for.
    @inline(__always)
    static func word(at p: UnsafePointer<UInt8>, count: Int, readable: Int) -> UInt64 {
        if readable >= 8 {
            // One load, with the bytes past `count` masked off.
            return word(at: p) & ((1 &<< (8 &* UInt64(count))) &- 1)
        }
        // Near the end of the input: byte by byte, never past it.
        var word: UInt64 = 0
        for i in 0..<count { word |= UInt64(p[i]) &<< (8 &* UInt64(i)) }
        return word
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Letters, digits and `_`: the bytes that make a word like `tru` or `NaN`.
    @inline(__always)
    static func isWordByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || isDigit(byte) || byte == UInt8(ascii: "_")
    }
}
