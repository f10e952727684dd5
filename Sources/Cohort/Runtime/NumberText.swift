/// Numbers to and from text, the one way Cohort spells them everywhere: `string(x)`, JSON
/// output, `bucket` keys, `number(s)` and CSV cells.
package enum NumberText {
    /// 2^53: below it every integer is exact, so integral values print as plain digits.
    private static let exactIntegerLimit = 9_007_199_254_740_992.0

    /// Canonical text of a number.
    ///
    /// - `-0` prints as `0`; integral values with `|x| < 2^53` as plain digits (`42`, `-7`,
    ///   `1000000000000000`).
    /// - Everything else in the shortest text that reads back as the same double, as Swift's
    ///   `description` gives it (`0.1`, `2.5`, `123456.789`), but with the exponent written
    ///   without leading zeros and always signed: `1e+16`, `1e-7`, `9.007199254740992e+15`.
    /// - NaN and infinities never reach here from a rule (they are error values) but print
    ///   as `NaN`, `Infinity`, `-Infinity` instead of trapping.
    package static func canonical(_ x: Double) -> String {
        if let integer = exactInteger(x) { return String(integer) }
        return shortestText(x)
    }

    /// Calls `body` with the UTF-8 bytes of `canonical(x)`. Integral values below 2^53 (the
    /// usual `bucket` key) are formatted into stack memory, with no allocation.
    package static func withCanonicalUTF8<R>(_ x: Double, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let integer = exactInteger(x) {
            // "-9007199254740991" is 17 bytes.
            return withUnsafeTemporaryAllocation(byteCount: 20, alignment: 1) { buffer in
                var start = buffer.count
                var magnitude = integer.magnitude
                repeat {
                    start -= 1
                    buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                if integer < 0 {
                    start -= 1
                    buffer[start] = UInt8(ascii: "-")
                }
                return body(UnsafeRawBufferPointer(rebasing: buffer[start...]))
            }
        }
        var text = shortestText(x)
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// `x` as an integer when it is integral and below 2^53 in magnitude (`-0` gives 0).
    @inline(__always)
    private static func exactInteger(_ x: Double) -> Int64? {
        guard x.magnitude < exactIntegerLimit, x.rounded(.towardZero) == x else { return nil }
        return Int64(x)
    }

    /// Swift's shortest round-trip `description`, with its exponent normalised (`1e-07` →
    /// `1e-7`) and the non-finite values named as JavaScript does.
    private static func shortestText(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Infinity" : "Infinity" }
        let text = x.description
        let utf8 = text.utf8
        guard let e = utf8.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else {
            // Swift prints integral values up to 2^53 itself as decimals ("9007199254740992.0");
            // only ±2^53 get here that way, and big integers are written with an exponent.
            return text.hasSuffix(".0") ? scientific(integralDecimal: text.dropLast(2)) : text
        }
        var rest = utf8[utf8.index(after: e)...]
        var sign = "+"
        if let first = rest.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            if first == UInt8(ascii: "-") { sign = "-" }
            rest = rest.dropFirst()
        }
        // Keep at least one digit: an exponent of zero would be "0", though Swift never emits it.
        while rest.count > 1, rest.first == UInt8(ascii: "0") { rest = rest.dropFirst() }
        return String(text[..<e]) + "e" + sign + String(Substring(rest))
    }

    /// `"-9007199254740992"` → `"-9.007199254740992e+15"`: the same digits with an exponent.
    private static func scientific(integralDecimal text: Substring) -> String {
        var digits = text
        var sign = ""
        if digits.first == "-" {
            sign = "-"
            digits = digits.dropFirst()
        }
        let exponent = digits.count - 1
        var fraction = digits.dropFirst()
        while fraction.last == "0" { fraction = fraction.dropLast() }
        return sign + String(digits.prefix(1)) + (fraction.isEmpty ? "" : "." + fraction) + "e+" + String(exponent)
    }

    // MARK: Parsing

    /// Parses JSON number syntax only, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
    /// with no surrounding whitespace. Returns nil for anything else (`.5`, `5.`, `01`, `+1`,
    /// `1e`, `-`, ` 1`) and for a number too large for a double (`1e999`); one too small
    /// becomes 0 (or -0), as in every JSON reader.
    package static func parseJSON(_ text: Substring) -> Double? {
        var text = text
        return text.withUTF8 { parseJSON(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `parseJSON(_:)` over UTF-8 bytes.
    package static func parseJSON(utf8 bytes: UnsafeRawBufferPointer) -> Double? {
        let count = bytes.count
        var i = 0
        var negative = false
        if i < count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }

        // Up to 2^53 the significand is exact, which the fast path below needs.
        var significand: UInt64 = 0
        var exact = true
        @inline(__always) func accumulate(_ d: UInt8) {
            if significand <= 900_719_925_474_098 {
                significand = significand * 10 + UInt64(d)
            } else {
                exact = false
            }
        }

        // Integer part: 0, or a non-zero digit and more digits.
        guard i < count, let first = digit(bytes[i]) else { return nil }
        i += 1
        if first != 0 {
            accumulate(first)
            while i < count, let d = digit(bytes[i]) {
                accumulate(d)
                i += 1
            }
        }

        // Fraction: a dot and at least one digit.
        var fractionDigits = 0
        if i < count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < count, let d = digit(bytes[i]) {
                accumulate(d)
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { return nil }
        }

        // Exponent: e or E, an optional sign, at least one digit.
        var exponent = 0
        if i < count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var exponentNegative = false
            if i < count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let start = i
            while i < count, let d = digit(bytes[i]) {
                // Clamped: anything this large over- or underflows anyway; strtod decides.
                exponent = min(exponent * 10 + Int(d), 1_000_000)
                i += 1
            }
            guard i > start else { return nil }
            if exponentNegative { exponent = -exponent }
        }
        guard i == count else { return nil }

        // Fast path (Clinger): an exact significand times or over an exact power of ten is
        // one correctly rounded operation, so the result is correctly rounded.
        if exact {
            let scale = exponent - fractionDigits
            var value: Double?
            if significand == 0 {
                value = 0
            } else if scale >= 0, scale < powersOfTen.count {
                value = Double(significand) * powersOfTen[scale]
            } else if scale < 0, -scale < powersOfTen.count {
                value = Double(significand) / powersOfTen[-scale]
            }
            if let value { return negative ? -value : value }
        }

        // Slow path: the syntax is JSON's, which strtod reads the same way, correctly rounded.
        guard let value = Double(String(decoding: bytes, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    /// 10^0 ... 10^22, every power of ten a double holds exactly.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always)
    private static func digit(_ b: UInt8) -> UInt8? {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") ? b - UInt8(ascii: "0") : nil
    }
}
