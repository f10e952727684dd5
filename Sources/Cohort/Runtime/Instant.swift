import Foundation

/// An instant in time, UTC, with nanosecond precision.
///
/// Text goes in and out as RFC 3339 through our own civil-date arithmetic (Howard Hinnant's
/// `days_from_civil` / `civil_from_days`) rather than `DateFormatter`/`Calendar`, which are
/// slow and depend on locale and time-zone settings. Only `init(_: Date)` and `now` touch
/// Foundation.
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z (negative before it).
    public let seconds: Int64
    /// Nanoseconds past `seconds`, in `0 ..< 1_000_000_000`.
    public let nanoseconds: Int32

    /// An instant `seconds` + `nanoseconds` after the epoch. Nanoseconds outside
    /// `0 ..< 1_000_000_000` carry into `seconds` (`(5, -1)` is `(4, 999_999_999)`); a carry
    /// that would overflow `Int64` saturates rather than trapping.
    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        let carry = Int64(nanoseconds).floorDivided(by: Instant.nanosPerSecond)
        let (sum, overflow) = seconds.addingReportingOverflow(carry)
        self.seconds = overflow ? (carry < 0 ? .min : .max) : sum
        self.nanoseconds = Int32(Int64(nanoseconds) - carry * Instant.nanosPerSecond)
    }

    /// The instant a Foundation `Date` stands for, to the nearest nanosecond (a `Date` is a
    /// `Double`, so recent dates carry about a tenth of a microsecond of precision).
    public init(_ date: Date) {
        let t = date.timeIntervalSince1970
        guard t.isFinite else {
            self.init(seconds: t.isNaN ? 0 : (t < 0 ? .min : .max))
            return
        }
        let whole = t.rounded(.down)
        // ±9.2e18 is Int64's range; Date cannot get there in practice, but never trap.
        guard whole > -9.2e18, whole < 9.2e18 else {
            self.init(seconds: whole < 0 ? .min : .max)
            return
        }
        // t - floor(t) is exact in binary floating point.
        let nanos = ((t - whole) * 1e9).rounded()
        self.init(seconds: Int64(whole), nanoseconds: Int32(nanos))
    }

    /// The current time.
    public static var now: Instant { Instant(Date()) }

    /// Orders by time.
    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    static let nanosPerSecond: Int64 = 1_000_000_000
    static let secondsPerDay: Int64 = 86_400
    /// 0000-01-01T00:00:00Z, the earliest instant text can name.
    static let minSeconds: Int64 = -62_167_219_200
    /// 9999-12-31T23:59:59Z, the last whole second text can name.
    static let maxSeconds: Int64 = 253_402_300_799
}

// MARK: - Arithmetic

extension Instant {
    /// `self` plus `s` seconds (`s` may be fractional or negative), rounded to the nearest
    /// nanosecond; nil when `s` is not finite or the result leaves years 0000-9999 (so every
    /// time a rule computes prints as RFC 3339).
    package func adding(seconds s: Double) -> Instant? {
        guard s.isFinite else { return nil }
        let whole = s.rounded(.down)
        // The whole representable span is about 3.2e11 s; anything larger is out of range,
        // and this bound keeps the Int64 conversion below safe.
        guard abs(whole) < 1e12 else { return nil }
        // s - floor(s) is exact; rounding may give 1e9, which the initialiser carries.
        let nanos = Int64(((s - whole) * 1e9).rounded()) + Int64(nanoseconds)
        let (sum, overflow) = seconds.addingReportingOverflow(Int64(whole))
        guard !overflow else { return nil }
        let result = Instant(seconds: sum, nanoseconds: Int32(nanos))
        guard result.seconds >= Instant.minSeconds, result.seconds <= Instant.maxSeconds else { return nil }
        return result
    }

    /// `self - other` in seconds.
    package func seconds(since other: Instant) -> Double {
        let nanos = Double(Int64(nanoseconds) - Int64(other.nanoseconds)) / 1e9
        let (difference, overflow) = seconds.subtractingReportingOverflow(other.seconds)
        // Only instants built by hand at the ends of Int64 overflow; Double still copes.
        if overflow { return Double(seconds) - Double(other.seconds) + nanos }
        return Double(difference) + nanos
    }
}

// MARK: - Text

extension Instant {
    /// Parses an RFC 3339 timestamp, `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, and converts it
    /// to UTC. `T`/`t` and `Z`/`z` are accepted; a space instead of `T` is not.
    ///
    /// Returns nil for impossible dates (`2026-02-30`, month 13), hour 24, the leap second
    /// `:60` (this clock, like Unix time, has none), offsets beyond `±23:59`, and instants
    /// that fall outside years 0000-9999 once converted to UTC (`0000-01-01T00:00:00+01:00`).
    ///
    /// Fractional seconds may have any number of digits (RFC 3339 sets no limit); digits
    /// past the ninth are truncated, since an instant only holds nanoseconds. Truncation,
    /// not rounding, so a fraction never carries into the next second.
    public init?(timestamp text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Instant.parseTimestamp(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Parses a `YYYY-MM-DD` date as midnight UTC; nil for an impossible date.
    public init?(date text: String) {
        var text = text
        let parsed: Instant? = text.withUTF8 { buffer in
            let bytes = UnsafeRawBufferPointer(buffer)
            var i = 0
            guard let days = Instant.parseDate(bytes, &i), i == bytes.count else { return nil }
            return Instant(seconds: days * Instant.secondsPerDay)
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// RFC 3339 in UTC with `Z`. Fractional seconds are printed only when non-zero, with
    /// trailing zeros trimmed: `2026-12-01T09:00:00Z`, `2026-12-01T09:00:00.5Z`.
    ///
    /// Instants outside years 0000-9999 (only reachable through `init(seconds:)`) print
    /// with a `-` before a negative year and as many year digits as needed.
    public var description: String {
        let days = seconds.floorDivided(by: Instant.secondsPerDay)
        // A remainder, not `seconds - days * 86_400`, which overflows near Int64.min.
        let remainder = seconds % Instant.secondsPerDay
        let secondOfDay = remainder < 0 ? remainder + Instant.secondsPerDay : remainder
        let (year, month, day) = Instant.civil(fromDays: days)
        // Longest: "-292277026596-12-04T15:30:08.123456789Z" is 39 bytes.
        return String(unsafeUninitializedCapacity: 48) { out in
            var n = 0
            func put(_ byte: UInt8) {
                out[n] = byte
                n += 1
            }
            func put(_ value: Int64, width: Int) {
                var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                             UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                    (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                withUnsafeMutableBytes(of: &digits) { buffer in
                    var v = value.magnitude
                    var count = 0
                    repeat {
                        buffer[count] = UInt8(ascii: "0") + UInt8(v % 10)
                        v /= 10
                        count += 1
                    } while v > 0 || count < width
                    while count > 0 {
                        count -= 1
                        put(buffer[count])
                    }
                }
            }
            if year < 0 { put(UInt8(ascii: "-")) }
            put(year, width: 4)
            put(UInt8(ascii: "-"))
            put(Int64(month), width: 2)
            put(UInt8(ascii: "-"))
            put(Int64(day), width: 2)
            put(UInt8(ascii: "T"))
            put(secondOfDay / 3600, width: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay / 60 % 60, width: 2)
            put(UInt8(ascii: ":"))
            put(secondOfDay % 60, width: 2)
            if nanoseconds != 0 {
                var fraction = Int64(nanoseconds)
                var width = 9
                while fraction % 10 == 0 {
                    fraction /= 10
                    width -= 1
                }
                put(UInt8(ascii: "."))
                put(fraction, width: width)
            }
            put(UInt8(ascii: "Z"))
            return n
        }
    }

    /// The parser behind `init?(timestamp:)`: the whole of `bytes` or nil.
    private static func parseTimestamp(_ bytes: UnsafeRawBufferPointer) -> Instant? {
        var i = 0
        guard let days = parseDate(bytes, &i) else { return nil }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") else { return nil }
        i += 1
        guard let hour = twoDigits(bytes, &i), hour < 24,
              expect(UInt8(ascii: ":"), bytes, &i),
              let minute = twoDigits(bytes, &i), minute < 60,
              expect(UInt8(ascii: ":"), bytes, &i),
              let second = twoDigits(bytes, &i), second < 60
        else { return nil }

        var nanos: Int64 = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            var count = 0
            while i < bytes.count, let d = digit(bytes[i]) {
                if count < 9 { nanos = nanos * 10 + Int64(d) }
                count += 1
                i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanos *= 10 }
        }

        var offset: Int64 = 0
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = bytes[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let offsetHour = twoDigits(bytes, &i), offsetHour < 24,
                  expect(UInt8(ascii: ":"), bytes, &i),
                  let offsetMinute = twoDigits(bytes, &i), offsetMinute < 60
            else { return nil }
            offset = sign * (offsetHour * 3600 + offsetMinute * 60)
        default:
            return nil
        }
        guard i == bytes.count else { return nil }

        // Local time minus its offset from UTC is UTC.
        let seconds = days * secondsPerDay + hour * 3600 + minute * 60 + second - offset
        guard seconds >= minSeconds, seconds <= maxSeconds else { return nil }
        return Instant(seconds: seconds, nanoseconds: Int32(nanos))
    }

    /// Reads `YYYY-MM-DD` at `i`, returning days since the epoch; nil for an impossible date.
    private static func parseDate(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) -> Int64? {
        guard let high = twoDigits(bytes, &i), let low = twoDigits(bytes, &i),
              expect(UInt8(ascii: "-"), bytes, &i),
              let month = twoDigits(bytes, &i), (1...12).contains(month),
              expect(UInt8(ascii: "-"), bytes, &i),
              let day = twoDigits(bytes, &i), day >= 1
        else { return nil }
        let year = high * 100 + low
        guard day <= daysInMonth(year: year, month: month) else { return nil }
        return days(fromCivil: year, month, day)
    }

    @inline(__always)
    private static func digit(_ b: UInt8) -> UInt8? {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") ? b - UInt8(ascii: "0") : nil
    }

    /// Reads exactly two digits.
    @inline(__always)
    private static func twoDigits(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) -> Int64? {
        guard i + 1 < bytes.count, let a = digit(bytes[i]), let b = digit(bytes[i + 1]) else { return nil }
        i += 2
        return Int64(a) * 10 + Int64(b)
    }

    @inline(__always)
    private static func expect(_ byte: UInt8, _ bytes: UnsafeRawBufferPointer, _ i: inout Int) -> Bool {
        guard i < bytes.count, bytes[i] == byte else { return false }
        i += 1
        return true
    }
}

// MARK: - Civil calendar (proleptic Gregorian)

extension Instant {
    /// Days in `month` of `year`, with the Gregorian leap-year rule.
    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to `year-month-day` (Hinnant's `days_from_civil`).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        // Count years from March, so the leap day is the last day of the "year".
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400                                        // [0, 399]
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // [0, 365]
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // [0, 146096]
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date `days` after 1970-01-01 (Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097                                                  // [0, 146096]
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // [0, 399]
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)    // [0, 365]
        let mp = (5 * dayOfYear + 2) / 153                                                // [0, 11]
        let day = dayOfYear - (153 * mp + 2) / 5 + 1                                      // [1, 31]
        let month = mp < 10 ? mp + 3 : mp - 9                                             // [1, 12]
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, Int(month), Int(day))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (Swift's `/` truncates toward zero).
    @inline(__always)
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
