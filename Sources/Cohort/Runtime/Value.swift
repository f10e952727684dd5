import Foundation

/// A value in a Cohort rule or evaluation context.
///
/// Values are immutable and `Sendable`. Strings compare by Unicode scalar values with no
/// normalisation, so `"é"` (one scalar) and `"e\u{301}"` (two scalars) are different
/// strings — unlike Swift's own `String ==`.
public enum Value: Sendable {
    /// `null`, and also what a missing attribute reads as.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An IEEE-754 double; integers are exact up to 2^53.
    case number(Double)
    /// A string of Unicode scalars.
    case string(String)
    /// A heterogeneous list.
    case list([Value])
    /// A JSON-like object, reached in rules with `.name` or `["name"]`.
    case object([String: Value])
    /// A semantic version, from `semver(...)`.
    ///
    /// Boxed (`indirect`): a version is five words, and keeping it out of line keeps every
    /// other value — and every VM stack cell — small.
    indirect case version(Version)
    /// An instant in time, from `time(...)`, `date(...)` or `now()`.
    case time(Instant)
}

extension Value {
    /// The name of this value's type as rules and diagnostics spell it.
    public var typeName: String { kind.name }

    /// The static kind of this value.
    package var kind: ValueKind {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .list: .list
        case .object: .object
        case .version: .version
        case .time: .time
        }
    }

    /// `true` for `.null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

/// The type of a value, as the checker reasons about it.
package enum ValueKind: UInt8, Sendable, Hashable, CaseIterable {
    case null, bool, number, string, list, object, version, time

    package var name: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .list: "list"
        case .object: "object"
        case .version: "version"
        case .time: "time"
        }
    }
}

// MARK: - Equality and hashing by Unicode scalars

extension Value: Equatable {
    /// Cohort's `==`: values of different types are unequal; strings compare by scalars;
    /// versions by SemVer precedence (build metadata ignored).
    public static func == (lhs: Value, rhs: Value) -> Bool {
        // The hot kinds first, matched one side at a time: switching over the tuple
        // `(lhs, rhs)` would copy (and retain) both operands.
        if case .string(let a) = lhs {
            if case .string(let b) = rhs { return scalarEqual(a, b) }
            return false
        }
        if case .number(let a) = lhs {
            if case .number(let b) = rhs { return a == b }
            return false
        }
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return scalarEqual(a, b)
        case let (.list(a), .list(b)):
            guard a.count == b.count else { return false }
            for i in a.indices where a[i] != b[i] { return false }
            return true
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        case let (.version(a), .version(b)): return a == b
        case let (.time(a), .time(b)): return a == b
        default: return false
        }
    }
}

extension Value: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        switch self {
        case .null: break
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n == 0 ? 0 : n)  // -0 == 0
        case .string(let s): hashScalars(s, into: &hasher)
        case .list(let items):
            hasher.combine(items.count)
            for item in items { item.hash(into: &hasher) }
        case .object(let fields):
            // Order-independent: combine per-entry hashes commutatively.
            var sum = 0
            for (key, value) in fields {
                var h = Hasher()
                hashScalars(key, into: &h)
                value.hash(into: &h)
                sum &+= h.finalize()
            }
            hasher.combine(fields.count)
            hasher.combine(sum)
        case .version(let v): hasher.combine(v)
        case .time(let t): hasher.combine(t)
        }
    }
}

/// Calls `body` with the UTF-8 bytes of `s`, in place when the string is stored contiguously
/// (native and small strings always are), so hot paths neither copy nor retain it.
@inline(__always)
package func withUTF8Bytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
    var copy = s
    return copy.withUTF8(body)
}

/// `withUTF8Bytes` for a string that is usually short (an id, a constant such as
/// "@acme.com"): a small string's bytes are read from its words.
@inline(__always)
package func withShortUTF8Bytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    let words = StringWords(s)
    if words.isSmall { return words.withSmallUTF8 { body($0) } }
    return withUTF8Bytes(s, body)
}

/// Copies `n` bytes from `source` to `target` (which do not overlap). The byte strings of
/// rules and results are a few to a few dozen bytes (a salt and key to hash, a piece of a
/// result line), for which a call to `memcpy` costs more than the copy: up to 32 bytes are
/// moved as two or four overlapping words.
@inline(__always)
package func copyShortBytes(_ source: UnsafeRawPointer, count n: Int, to target: UnsafeMutablePointer<UInt8>) {
    let to = UnsafeMutableRawPointer(target)
    switch n {
    case 8...16:
        let a = source.loadUnaligned(as: UInt64.self), b = source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        to.storeBytes(of: a, as: UInt64.self)
        to.storeBytes(of: b, toByteOffset: n - 8, as: UInt64.self)
    case 17...32:
        let a = source.loadUnaligned(as: UInt64.self), b = source.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        let c = source.loadUnaligned(fromByteOffset: n - 16, as: UInt64.self)
        let d = source.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        to.storeBytes(of: a, as: UInt64.self)
        to.storeBytes(of: b, toByteOffset: 8, as: UInt64.self)
        to.storeBytes(of: c, toByteOffset: n - 16, as: UInt64.self)
        to.storeBytes(of: d, toByteOffset: n - 8, as: UInt64.self)
    case 4..<8:
        let a = source.loadUnaligned(as: UInt32.self), b = source.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
        to.storeBytes(of: a, as: UInt32.self)
        to.storeBytes(of: b, toByteOffset: n - 4, as: UInt32.self)
    case 0..<4:
        for i in 0..<n { to.storeBytes(of: source.load(fromByteOffset: i, as: UInt8.self), toByteOffset: i, as: UInt8.self) }
    default:
        to.copyMemory(from: source, byteCount: n)
    }
}

/// True when the `count` bytes at `a` and `b` are equal. Inlined word-at-a-time compare:
/// the strings of targeting rules (ids, countries, plans) are short, and a call into libc's
/// `memcmp` costs more than comparing them.
@inline(__always)
package func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < count {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

/// The two words of a `String` value, read without retaining it.
///
/// Swift keeps a string of up to 15 UTF-8 bytes inline ("small"): its bytes, little-endian,
/// then a discriminator byte holding the count and an ASCII flag, unused bytes zero. That
/// pattern is a function of the bytes alone, so two small strings are equal exactly when
/// their words are, which makes the short strings of targeting rules (countries, plans,
/// groups, ids) compare in two instructions. The layout is part of the standard library's
/// ABI on 64-bit little-endian platforms (its inlinable code, compiled into every client,
/// reads it); `smallLayoutMatches` checks it against real strings, and a test runs that
/// check. Elsewhere no string counts as small and comparisons take the byte path.
package struct StringWords: Hashable, Sendable {
    package var low: UInt64
    package var high: UInt64

    @inline(__always)
    package init(_ s: String) {
        (low, high) = unsafeBitCast(s, to: (UInt64, UInt64).self)
    }

    /// The small-string words of `count` (at most 15) ASCII bytes held in `low` and
    /// `high`, first byte lowest, zero above them.
    @inline(__always)
    package init(ascii low: UInt64, _ high: UInt64, count: Int) {
        self.low = low
        self.high = high | (0xE0 | UInt64(count)) << 56
    }

    /// The string these words are: only for the words of a small string, and only where
    /// `layoutVerified`. Written over an empty string (which owns no storage) rather than
    /// bit-cast, which would retain the result as if it might own storage.
    @inline(__always)
    package var string: String {
        var string = ""
        withUnsafeMutableBytes(of: &string) { bytes in
            bytes.storeBytes(of: low, toByteOffset: 0, as: UInt64.self)
            bytes.storeBytes(of: high, toByteOffset: 8, as: UInt64.self)
        }
        return string
    }

    /// The small-string words of `bytes` (at most 15), as Swift lays them out.
    package init(smallUTF8 bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= 15)
        var words: (UInt64, UInt64) = (0, 0)
        var ascii = true
        withUnsafeMutableBytes(of: &words) { raw in
            for (i, byte) in bytes.enumerated() {
                raw[i] = byte
                if byte >= 0x80 { ascii = false }
            }
        }
        low = UInt64(littleEndian: words.0)
        high = UInt64(littleEndian: words.1) | (UInt64(ascii ? 0xE0 : 0xA0) | UInt64(bytes.count)) << 56
    }

    /// Calls `body` with the bytes of the small string these are the words of.
    @inline(__always)
    package func withSmallUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var words = self
        let count = Int(truncatingIfNeeded: high >> 56) & 0xF
        return withUnsafeBytes(of: &words) { raw in
            body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
        }
    }

    #if _pointerBitWidth(_64) && _endian(little)
    /// True on platforms with the small-string layout described above.
    package static let usesSmallLayout = true
    #else
    package static let usesSmallLayout = false
    #endif

    /// True when these are the words of a small string.
    @inline(__always)
    package var isSmall: Bool {
        StringWords.usesSmallLayout && high & (1 << 61) != 0
    }

    /// True when strings of every small length, ASCII and not, have the words
    /// `init(smallUTF8:)` gives, and back: the layout this type assumes is the one in use.
    package static func smallLayoutMatches() -> Bool {
        guard usesSmallLayout, MemoryLayout<String>.size == 16 else { return false }
        let ascii = Array("0123456789abcde".utf8)
        let texts = (0...15).map { String(decoding: ascii[..<$0], as: UTF8.self) } + ["é", "ünïcødé", "日本語です"]
        for text in texts {
            let utf8 = Array(text.utf8)
            let expected = utf8.withUnsafeBytes { StringWords(smallUTF8: $0) }
            let actual = StringWords(String(decoding: utf8, as: UTF8.self))
            guard actual == expected, actual.isSmall, expected.string == text else { return false }
        }
        return !StringWords(String(repeating: "x", count: 16)).isSmall
    }

    /// `smallLayoutMatches()`, worked out once: code that builds strings from words checks
    /// it (reading words only relies on `usesSmallLayout`, which a test checks).
    package static let layoutVerified = smallLayoutMatches()
}

/// Compares two strings by their Unicode scalars (equivalently, their UTF-8 bytes).
@inline(__always)
package func scalarEqual(_ a: String, _ b: String) -> Bool {
    let x = StringWords(a), y = StringWords(b)
    // The same words are the same string; two small strings with different words differ.
    if x == y { return true }
    if x.isSmall && y.isSmall { return false }
    return withUTF8Bytes(a) { pa in
        withUTF8Bytes(b) { pb in
            pa.count == pb.count && (pa.count == 0 || bytesEqual(pa.baseAddress!, pb.baseAddress!, count: pa.count))
        }
    }
}

/// Orders two strings by their Unicode scalar values (UTF-8 byte order is the same order).
@inline(__always)
package func scalarLess(_ a: String, _ b: String) -> Bool {
    withUTF8Bytes(a) { pa in
        withUTF8Bytes(b) { pb in
            let n = min(pa.count, pb.count)
            let c = n == 0 ? 0 : memcmp(pa.baseAddress!, pb.baseAddress!, n)
            return c != 0 ? c < 0 : pa.count < pb.count
        }
    }
}

@inline(__always)
package func hashScalars(_ s: String, into hasher: inout Hasher) {
    withUTF8Bytes(s) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
}

// MARK: - Literals, so contexts can be written as Swift dictionary literals

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        var fields: [String: Value] = [:]
        for (key, value) in elements { fields[key] = value }
        self = .object(fields)
    }
}
