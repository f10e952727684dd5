import Cohort
import Foundation
import Testing

/// A timestamp that parses, the instant it names, and how that instant prints.
struct TimestampCase: Sendable, CustomTestStringConvertible {
    var text: String
    var seconds: Int64
    var nanoseconds: Int32 = 0
    var printed: String

    var testDescription: String { "\(text) → \(printed)" }
}

@Suite("Instant")
struct InstantTests {
    static let timestamps: [TimestampCase] = [
        TimestampCase(text: "1970-01-01T00:00:00Z", seconds: 0, printed: "1970-01-01T00:00:00Z"),
        TimestampCase(text: "2026-12-01T09:00:00Z", seconds: 1_796_115_600, printed: "2026-12-01T09:00:00Z"),
        // Lower-case t and z.
        TimestampCase(text: "2026-12-01t09:00:00z", seconds: 1_796_115_600, printed: "2026-12-01T09:00:00Z"),
        // Offsets are converted to UTC.
        TimestampCase(text: "2026-12-01T10:30:00+01:30", seconds: 1_796_115_600, printed: "2026-12-01T09:00:00Z"),
        TimestampCase(text: "2026-12-01T04:00:00-05:00", seconds: 1_796_115_600, printed: "2026-12-01T09:00:00Z"),
        TimestampCase(text: "2026-12-01T09:00:00-00:00", seconds: 1_796_115_600, printed: "2026-12-01T09:00:00Z"),
        TimestampCase(text: "2026-12-31T23:30:00-01:00", seconds: 1_798_763_400, printed: "2027-01-01T00:30:00Z"),
        TimestampCase(text: "2027-01-01T00:30:00+23:59", seconds: 1_798_677_060, printed: "2026-12-31T00:31:00Z"),
        // Fractions print only when non-zero, trailing zeros trimmed.
        TimestampCase(text: "2026-12-01T09:00:00.5Z", seconds: 1_796_115_600, nanoseconds: 500_000_000,
                      printed: "2026-12-01T09:00:00.5Z"),
        TimestampCase(text: "2026-12-01T09:00:00.000Z", seconds: 1_796_115_600, printed: "2026-12-01T09:00:00Z"),
        TimestampCase(text: "2026-12-01T09:00:00.120Z", seconds: 1_796_115_600, nanoseconds: 120_000_000,
                      printed: "2026-12-01T09:00:00.12Z"),
        TimestampCase(text: "2026-12-01T09:00:00.000000001Z", seconds: 1_796_115_600, nanoseconds: 1,
                      printed: "2026-12-01T09:00:00.000000001Z"),
        TimestampCase(text: "2026-12-01T09:00:00.123456789+02:00", seconds: 1_796_108_400, nanoseconds: 123_456_789,
                      printed: "2026-12-01T07:00:00.123456789Z"),
        // More than nine digits: truncated to nanoseconds, never rounded up.
        TimestampCase(text: "2026-12-01T09:00:00.9999999999Z", seconds: 1_796_115_600, nanoseconds: 999_999_999,
                      printed: "2026-12-01T09:00:00.999999999Z"),
        // Leap days.
        TimestampCase(text: "2028-02-29T00:00:00Z", seconds: 1_835_395_200, printed: "2028-02-29T00:00:00Z"),
        TimestampCase(text: "2000-02-29T12:00:00Z", seconds: 951_825_600, printed: "2000-02-29T12:00:00Z"),
        // Before the epoch.
        TimestampCase(text: "1969-12-31T23:59:59.9Z", seconds: -1, nanoseconds: 900_000_000,
                      printed: "1969-12-31T23:59:59.9Z"),
        // The ends of the range.
        TimestampCase(text: "0000-01-01T00:00:00Z", seconds: -62_167_219_200, printed: "0000-01-01T00:00:00Z"),
        TimestampCase(text: "9999-12-31T23:59:59.999999999Z", seconds: 253_402_300_799, nanoseconds: 999_999_999,
                      printed: "9999-12-31T23:59:59.999999999Z"),
    ]

    @Test("timestamps parse to UTC and print as RFC 3339", arguments: timestamps)
    func parsesTimestamp(_ row: TimestampCase) throws {
        let instant = try #require(Instant(timestamp: row.text))
        #expect(instant.seconds == row.seconds)
        #expect(instant.nanoseconds == row.nanoseconds)
        #expect(instant.description == row.printed)
        #expect(Instant(timestamp: row.printed) == instant)
    }

    @Test("invalid timestamps are rejected", arguments: [
        "", "2026-12-01", "2026-12-01T09:00:00", "2026-12-01T09:00Z", "2026-12-01 09:00:00Z",
        "2026-12-01T09:00:60Z", "2026-12-31T23:59:60Z",                 // no leap seconds
        "2026-02-29T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "1900-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-12-00T00:00:00Z", "2026-12-32T00:00:00Z",
        "2026-12-01T24:00:00Z", "2026-12-01T09:60:00Z",
        "2026-12-01T09:00:00.Z", "2026-12-01T09:00:00,5Z", "2026-12-01T09:00:00+0100", "2026-12-01T09:00:00+01",
        "2026-12-01T09:00:00+24:00", "2026-12-01T09:00:00+01:60", "2026-12-01T09:00:00UTC",
        " 2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z ", "2026-12-1T09:00:00Z", "26-12-01T09:00:00Z",
        "12026-12-01T09:00:00Z", "-2026-12-01T09:00:00Z", "2026-12-01T9:00:00Z", "2026-12-01X09:00:00Z",
        // Valid text whose UTC instant leaves years 0000-9999.
        "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01",
    ])
    func rejectsTimestamp(text: String) {
        #expect(Instant(timestamp: text) == nil)
    }

    static let dates: [(String, Int64)] = [
        ("1970-01-01", 0),
        ("2026-12-01", 1_796_083_200),
        ("2028-02-29", 1_835_395_200),
        ("2000-02-29", 951_782_400),
        ("1969-12-31", -86_400),
        ("0000-01-01", -62_167_219_200),
        ("9999-12-31", 253_402_214_400),
    ]

    @Test("dates are midnight UTC", arguments: dates)
    func parsesDate(text: String, seconds: Int64) throws {
        let instant = try #require(Instant(date: text))
        #expect(instant == Instant(seconds: seconds))
        #expect(instant.description == text + "T00:00:00Z")
    }

    @Test("invalid dates are rejected", arguments: [
        "", "2026-02-29", "1900-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-06-31",
        "2026-12-1", "2026-12-01T00:00:00Z", " 2026-12-01", "2026-12-01 ", "2026/12/01", "20261201",
    ])
    func rejectsDate(text: String) {
        #expect(Instant(date: text) == nil)
    }

    /// (seconds, nanoseconds) given, and the normalised pair expected.
    static let unnormalised: [(Int64, Int32, Int64, Int32)] = [
        (5, -1, 4, 999_999_999),
        (0, 1_500_000_000, 1, 500_000_000),
        (0, -1_000_000_000, -1, 0),
        (-3, 999_999_999, -3, 999_999_999),
        (.max, 1_000_000_000, .max, 0),  // a carry past Int64.max saturates
    ]

    @Test("nanoseconds are normalised into range", arguments: unnormalised)
    func normalises(seconds: Int64, nanoseconds: Int32, expectedSeconds: Int64, expectedNanoseconds: Int32) {
        let instant = Instant(seconds: seconds, nanoseconds: nanoseconds)
        #expect(instant.seconds == expectedSeconds)
        #expect(instant.nanoseconds == expectedNanoseconds)
    }

    /// 2026-12-01T09:00:00Z.
    static let base = Instant(seconds: 1_796_115_600)

    static let additions: [(Double, String)] = [
        (0, "2026-12-01T09:00:00Z"),
        (0.5, "2026-12-01T09:00:00.5Z"),
        (-0.5, "2026-12-01T08:59:59.5Z"),
        (0.1, "2026-12-01T09:00:00.1Z"),
        (-1e-9, "2026-12-01T08:59:59.999999999Z"),
        (86_400, "2026-12-02T09:00:00Z"),
        (30 * 86_400, "2026-12-31T09:00:00Z"),
        (-1_796_115_600, "1970-01-01T00:00:00Z"),
        (1.5e-10, "2026-12-01T09:00:00Z"),  // below a nanosecond rounds away
    ]

    @Test("adding seconds", arguments: additions)
    func adding(seconds: Double, printed: String) throws {
        let result = try #require(Self.base.adding(seconds: seconds))
        #expect(result.description == printed)
    }

    @Test("adding fails outside years 0000-9999 or for non-finite amounts", arguments: [
        Double.nan, .infinity, -.infinity, 1e300, -1e300, 1e12, -1e12,
        253_402_300_800 - 1_796_115_600,    // 10000-01-01T00:00:00Z
        -62_167_219_201 - 1_796_115_600,    // one second before 0000-01-01
    ])
    func addingOutOfRange(seconds: Double) {
        #expect(Self.base.adding(seconds: seconds) == nil)
    }

    @Test("the last and first representable instants can be reached")
    func addingToTheEnds() throws {
        let last = try #require(Instant(timestamp: "9999-12-31T23:59:59Z"))
        #expect(last.adding(seconds: 0.5)?.description == "9999-12-31T23:59:59.5Z")
        #expect(last.adding(seconds: 1) == nil)
        let first = try #require(Instant(date: "0000-01-01"))
        #expect(first.adding(seconds: -1e-9) == nil)
        #expect(first.adding(seconds: 0) == first)
    }

    @Test("differences are in seconds")
    func difference() throws {
        let later = try #require(Self.base.adding(seconds: 1.5))
        #expect(later.seconds(since: Self.base) == 1.5)
        #expect(Self.base.seconds(since: later) == -1.5)
        let day = try #require(Instant(date: "2026-12-02"))
        let before = try #require(Instant(date: "2026-12-01"))
        #expect(day.seconds(since: before) == 86_400)
        let a = Instant(seconds: 10, nanoseconds: 100_000_000), b = Instant(seconds: 9, nanoseconds: 900_000_000)
        #expect(abs(a.seconds(since: b) - 0.2) < 1e-12)
    }

    @Test("instants order by time")
    func ordering() throws {
        let a = try #require(Instant(timestamp: "2026-12-01T09:00:00Z"))
        let b = try #require(Instant(timestamp: "2026-12-01T09:00:00.000000001Z"))
        let c = try #require(Instant(timestamp: "2026-12-01T10:00:00+01:00"))
        #expect(a < b)
        #expect(!(b < a))
        #expect(a == c)
        #expect(a.hashValue == c.hashValue)
        #expect(Instant(seconds: -1, nanoseconds: 999_999_999) < Instant(seconds: 0))
    }

    @Test("Foundation dates convert to the nearest nanosecond")
    func fromDate() {
        #expect(Instant(Date(timeIntervalSince1970: 0)) == Instant(seconds: 0))
        #expect(Instant(Date(timeIntervalSince1970: 1_796_115_600.5)) == Instant(seconds: 1_796_115_600, nanoseconds: 500_000_000))
        #expect(Instant(Date(timeIntervalSince1970: -0.25)) == Instant(seconds: -1, nanoseconds: 750_000_000))
        let now = Instant.now
        #expect(abs(now.seconds - Int64(Date().timeIntervalSince1970)) <= 2)
    }

    @Test("instants outside years 0000-9999 still print, without trapping")
    func extremeDescriptions() {
        #expect(Instant(seconds: 253_402_300_800).description == "10000-01-01T00:00:00Z")
        #expect(Instant(seconds: -62_167_219_201).description == "-0001-12-31T23:59:59Z")
        #expect(!Instant(seconds: .min).description.isEmpty)
        #expect(!Instant(seconds: .max, nanoseconds: 999_999_999).description.isEmpty)
    }
}
