import Cohort
import Testing

// Numbers at their edges, end to end: what the JSON and CSV readers make of values a double
// cannot hold, what rules do with them, and how results print. docs/language.md, "Numbers:
// precision and printing", states each behaviour tested here.

/// Evaluates `rule` against a context given as JSON: the result as `cohort eval` prints it,
/// `error: MESSAGE` for an error value, `compile error: MESSAGE`, or `bad context: MESSAGE`.
private func eval(_ rule: String, _ context: String = "{}") -> String {
    let parsed: Context
    do {
        parsed = try Context(json: context)
    } catch {
        return "bad context: \(error.message)"
    }
    do {
        switch try Rule(rule).evaluate(parsed, now: Instant(seconds: 1_767_225_600)) {
        case .success(let value): return value.jsonText
        case .failure(let error): return "error: \(error.message)"
        }
    } catch {
        return "compile error: \(error.diagnostics.first?.message ?? "?")"
    }
}

/// Reads one JSON number the way every context and record is read.
private func readNumber(_ text: String) -> Result<Double, JSONSyntaxError> {
    Result { () throws(JSONSyntaxError) in
        guard case .number(let n) = try JSONReader.parse(text) else { return .nan }
        return n
    }
}

@Suite("Number edge cases")
struct NumberEdgeCaseTests {
    // MARK: Reading JSON

    @Test("JSON numbers beyond a double's range are an error, never infinity", arguments: [
        "1e999", "-1e999", "1E400", "1e99999999999", "-1e99999999999", "1.7976931348623159e308",
        "1" + String(repeating: "0", count: 309), "-" + "1" + String(repeating: "0", count: 400) + ".5",
    ])
    func overflowIsAnError(text: String) {
        guard case .failure(let error) = readNumber(text) else {
            Issue.record("\(text.prefix(30)) was read")
            return
        }
        #expect(error.message == "number out of range")
        #expect(error.column == 1)
        // In a context or a batch record, the whole document is refused with that message.
        #expect(eval("user.n", "{\"user\": {\"n\": \(text)}}") == "bad context: number out of range")
    }

    @Test("JSON numbers read as the nearest double", arguments: [
        ("-0", -0.0),
        ("-0.0", -0.0),
        ("0e99999999999", 0),
        ("1e-400", 0),                                      // underflows to zero
        ("-1e-400", -0.0),
        ("1e-99999999999", 0),
        ("5e-324", .leastNonzeroMagnitude),                 // the smallest subnormal
        ("2.4703282292062328e-324", .leastNonzeroMagnitude),  // just above half of it rounds up
        ("2.4703282292062327e-324", 0),                     // just below half rounds to zero
        ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ("1.7976931348623158e308", .greatestFiniteMagnitude),  // rounds down to the largest finite
        ("9007199254740993", 9_007_199_254_740_992),          // 2^53 + 1: ties to even
        ("9007199254740995", 9_007_199_254_740_996),
        ("123456789012345678901234567890", 1.2345678901234568e29),
        ("0.1", 0.1),
        ("1" + String(repeating: "0", count: 308), 1e308),
    ])
    func nearestDouble(text: String, expected: Double) throws {
        let n = try readNumber(text).get()
        #expect(n.bitPattern == expected.bitPattern, "\(text.prefix(30)) read as \(n)")
    }

    @Test("a CSV number column and number() read the same way")
    func csvAndNumberFunction() throws {
        let header = try "id,n:number".utf8CString.withUnsafeBytes { try CSVHeader(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
        func row(_ text: String) -> String {
            Array(text.utf8).withUnsafeBytes { bytes -> String in
                do throws(RecordError) {
                    return try CSVRecord.object(bytes, header: header).jsonText
                } catch {
                    return "error: \(error.message)"
                }
            }
        }
        #expect(row("u1,-0") == #"{"id":"u1","n":0}"#)
        #expect(row("u1,1e-400") == #"{"id":"u1","n":0}"#)
        #expect(row("u1,9007199254740993") == #"{"id":"u1","n":9.007199254740992e+15}"#)
        #expect(row("u1,1e999") == "error: column 'n' is typed number, but '1e999' is not a number")
        #expect(row("u1,NaN") == "error: column 'n' is typed number, but 'NaN' is not a number")
        #expect(row("u1,Infinity") == "error: column 'n' is typed number, but 'Infinity' is not a number")

        #expect(eval("number(user.s)", #"{"user": {"s": "1e999"}}"#) == "error: '1e999' is not a number")
        #expect(eval("number(user.s)", #"{"user": {"s": "-Infinity"}}"#) == "error: '-Infinity' is not a number")
        #expect(eval("number(user.s)", #"{"user": {"s": "NaN"}}"#) == "error: 'NaN' is not a number")
        #expect(eval("number(user.s)", #"{"user": {"s": "1e-400"}}"#) == "0")
        #expect(eval("number(user.s)", #"{"user": {"s": "-0"}}"#) == "0")
        #expect(eval("number(\"1e999\")") == "compile error: this constant expression always fails: '1e999' is not a number")
    }

    @Test("JSON cannot spell NaN or infinity, and the reader refuses the usual extensions", arguments: [
        "NaN", "nan", "Infinity", "-Infinity", "inf", "+1", "1.", ".5", "01", "0x10", "1e", "--1",
    ])
    func noNonFiniteSpellings(text: String) {
        guard case .failure = readNumber(text) else {
            Issue.record("\(text) was read")
            return
        }
    }

    // MARK: Rules

    @Test("arithmetic never produces infinity or NaN: an error value, or a compile error for constants", arguments: [
        ("user.big * 10", "error: '*' overflowed (the result is not a finite number)"),
        ("user.big + user.big", "error: '+' overflowed (the result is not a finite number)"),
        ("-user.big - user.big", "error: '-' overflowed (the result is not a finite number)"),
        ("1 / user.tiny", "error: '/' overflowed (the result is not a finite number)"),
        ("user.n / 0", "error: division by zero"),
        ("user.zero / user.zero", "error: division by zero"),      // 0/0 would be NaN
        ("user.n / user.negzero", "error: division by zero"),      // so is -0
        ("user.n % 0", "error: remainder by zero"),
        ("user.n % user.negzero", "error: remainder by zero"),
        ("days(user.big)", "error: 'days()' overflowed (the result is not a finite number)"),
        ("now() + user.big", "error: time is out of range after '+'"),
        ("1 / 0", "compile error: this constant expression always fails: division by zero"),
        ("0 / 0", "compile error: this constant expression always fails: division by zero"),
        ("1e308 * 10", "compile error: this constant expression always fails: '*' overflowed (the result is not a finite number)"),
        ("1e999", "compile error: number literal is out of range"),
        ("-1e999", "compile error: number literal is out of range"),
    ])
    func noNonFiniteResults(rule: String, expected: String) {
        #expect(eval(rule, #"{"user": {"big": 1e308, "tiny": 5e-324, "n": 1, "zero": 0, "negzero": -0}}"#) == expected)
    }

    @Test("underflow is silent: results too small for a double are zero", arguments: [
        ("user.tiny / 3", "0"),
        ("user.tiny * 1e-10", "0"),
        ("1e-400", "0"),
        ("1e-400 == 0", "true"),
        ("string(user.tiny * 10)", "\"5e-323\""),
    ])
    func underflow(rule: String, expected: String) {
        #expect(eval(rule, #"{"user": {"tiny": 5e-324}}"#) == expected)
    }

    @Test("-0 cannot be told from 0: equal, printed as 0, the same bucket, the same index", arguments: [
        ("-0", "0"),
        ("-0 == 0", "true"),
        ("-0 < 0", "false"),
        ("string(-0)", "\"0\""),
        ("[-0]", "[0]"),
        ("user.negzero", "0"),
        ("user.negzero == 0", "true"),
        ("string(user.negzero)", "\"0\""),
        ("string(user.zero / -1)", "\"0\""),
        ("string(-user.zero)", "\"0\""),
        ("0 in [user.negzero]", "true"),
        ("bucket(user.negzero, \"s\") == bucket(0, \"s\")", "true"),
        ("bucket(-0, \"s\") == bucket(\"0\", \"s\")", "true"),
        ("[\"a\", \"b\"][user.negzero]", "\"a\""),
        ("[\"a\", \"b\"][-0]", "\"a\""),
        ("string(minutes(-0))", "\"0\""),
        ("number(\"-0\")", "0"),
    ])
    func negativeZero(rule: String, expected: String) {
        #expect(eval(rule, #"{"user": {"zero": 0, "negzero": -0}}"#) == expected)
    }

    @Test("integers beyond 2^53 lose precision on the way in, in rules and in JSON alike", arguments: [
        ("9007199254740993 == 9007199254740992", "true"),
        ("user.id == 9007199254740993", "true"),
        ("user.id == 9007199254740992", "true"),
        ("user.id", "9.007199254740992e+15"),
        ("string(user.id)", "\"9.007199254740992e+15\""),
        ("user.sid == \"9007199254740993\"", "true"),   // as a string it stays exact
        ("string(9007199254740991)", "\"9007199254740991\""),
        ("string(-9007199254740991)", "\"-9007199254740991\""),
    ])
    func beyondTwoToThe53(rule: String, expected: String) {
        #expect(eval(rule, #"{"user": {"id": 9007199254740993, "sid": "9007199254740993"}}"#) == expected)
    }

    @Test("output text of large, small and fractional numbers", arguments: [
        ("1e15", "1000000000000000"),
        ("1e16", "1e+16"),
        ("123456789012345680000", "1.2345678901234568e+20"),
        ("1e21", "1e+21"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("-1.7976931348623157e308", "-1.7976931348623157e+308"),
        ("5e-324", "5e-324"),
        ("0.1 + 0.2", "0.30000000000000004"),
        ("100.0", "100"),
        ("1e2", "100"),
        ("-1.5e-7", "-1.5e-7"),
        ("0.0001", "0.0001"),
        ("0.000001", "1e-6"),
        ("1_000_000", "1000000"),
    ])
    func printing(rule: String, expected: String) {
        #expect(eval(rule) == expected)
        #expect(eval("string(\(rule))") == "\"\(expected)\"")
    }

    @Test("indexes: -0 is 0; huge, fractional and tiny indexes find nothing", arguments: [
        ("user.t[user.negzero]", "\"a\""),
        ("user.t[1e308]", "null"),
        ("user.t[9007199254740993]", "null"),
        ("user.t[5e-324]", "null"),
        ("user.t[0.5]", "null"),
        ("user.t[-1]", "null"),
    ])
    func indexes(rule: String, expected: String) {
        #expect(eval(rule, #"{"user": {"t": ["a", "b"], "negzero": -0}}"#) == expected)
    }

    @Test("time arithmetic keeps whole nanoseconds; less than that is no change")
    func subNanosecond() {
        #expect(eval("string(date(\"2026-01-01\") + 0.0000000001)") == "\"2026-01-01T00:00:00Z\"")
        #expect(eval("string(date(\"2026-01-01\") + 0.000000001)") == "\"2026-01-01T00:00:00.000000001Z\"")
    }
}
