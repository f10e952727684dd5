import Cohort
import Testing

@Suite("NumberText")
struct NumberTextTests {
    /// A number and its canonical text.
    static let canonical: [(Double, String)] = [
        (0, "0"),
        (-0.0, "0"),
        (42, "42"),
        (-7, "-7"),
        (1_000_000_000_000_000, "1000000000000000"),
        (9_007_199_254_740_991, "9007199254740991"),       // 2^53 - 1: the largest plain-digit integer
        (-9_007_199_254_740_991, "-9007199254740991"),
        (9_007_199_254_740_992, "9.007199254740992e+15"),  // 2^53
        (-9_007_199_254_740_992, "-9.007199254740992e+15"),
        (9_007_199_254_740_994, "9.007199254740994e+15"),
        (1e16, "1e+16"),
        (1.8e16, "1.8e+16"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (0.1, "0.1"),
        (2.5, "2.5"),
        (1.5, "1.5"),
        (-3.5, "-3.5"),
        (123_456.789, "123456.789"),
        (0.30000000000000004, "0.30000000000000004"),
        (0.0001, "0.0001"),
        (1e-5, "1e-5"),
        (1e-7, "1e-7"),
        (-1e-7, "-1e-7"),
        (2.5e-10, "2.5e-10"),
        (4_503_599_627_370_495.5, "4503599627370495.5"),
        (Double.leastNonzeroMagnitude, "5e-324"),
        (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (Double.nan, "NaN"),
        (Double.infinity, "Infinity"),
        (-Double.infinity, "-Infinity"),
    ]

    @Test("canonical text", arguments: canonical)
    func canonicalText(value: Double, expected: String) {
        #expect(NumberText.canonical(value) == expected)
        #expect(NumberText.withCanonicalUTF8(value) { String(decoding: $0, as: UTF8.self) } == expected)
    }

    @Test("canonical text reads back as the same number", arguments: canonical.filter { $0.0.isFinite })
    func roundTrip(value: Double, text: String) throws {
        let back = try #require(NumberText.parseJSON(Substring(text)))
        #expect(back == value)
    }

    @Test("integers print as digits up to 2^53, with an exponent from there")
    func integerBoundary() {
        var x = 1.0
        for _ in 0..<60 {
            let text = NumberText.canonical(x)
            if x < 9_007_199_254_740_992 {
                #expect(text == String(Int64(x)))
            } else {
                #expect(text.contains("e+"), "\(text)")
            }
            #expect(NumberText.parseJSON(Substring(text)) == x)
            x *= 2
        }
    }

    /// JSON number text and the double it means.
    static let parsed: [(String, Double)] = [
        ("0", 0), ("-0", -0.0), ("42", 42), ("-7", -7), ("0.1", 0.1), ("2.5e-1", 0.25), ("1E3", 1000),
        ("1e+3", 1000), ("1e-3", 0.001), ("-0.0", -0.0), ("0e0", 0), ("10.50", 10.5),
        ("123456.789", 123_456.789), ("9007199254740993", 9_007_199_254_740_992),  // rounds to even
        ("0.30000000000000004", 0.30000000000000004), ("1.7976931348623157e308", .greatestFiniteMagnitude),
        ("5e-324", .leastNonzeroMagnitude), ("1e-400", 0), ("123456789012345678901234567890", 1.2345678901234568e29),
        ("0.000000000000000000000000000001", 1e-30), ("1e22", 1e22), ("1e23", 1e23),
    ]

    @Test("parses JSON numbers", arguments: parsed)
    func parsesJSON(text: String, expected: Double) throws {
        let value = try #require(NumberText.parseJSON(Substring(text)))
        #expect(value == expected)
        #expect(value.sign == expected.sign)
        let fromBytes = Array(text.utf8).withUnsafeBytes { NumberText.parseJSON(utf8: $0) }
        #expect(fromBytes == expected)
    }

    @Test("rejects anything that is not a JSON number", arguments: [
        "", "-", "+1", ".5", "5.", "-.5", "01", "-01", "00", "1e", "1e+", "1E-", "1.e5", "1.5e", " 1", "1 ",
        "1_000", "0x10", "1,5", "NaN", "Infinity", "-Infinity", "inf", "1e5.5", "--1", "1-", "١", "1e999",
        "-1e999", "1.8e308",
    ])
    func rejectsNonJSON(text: String) {
        #expect(NumberText.parseJSON(Substring(text)) == nil)
        #expect(Array(text.utf8).withUnsafeBytes { NumberText.parseJSON(utf8: $0) } == nil)
    }

    @Test("parses a substring in place")
    func parsesSlice() {
        let line = "id,42.5,x"
        let parts = line.split(separator: ",")
        #expect(NumberText.parseJSON(parts[1]) == 42.5)
        #expect(NumberText.parseJSON(parts[2]) == nil)
    }
}
