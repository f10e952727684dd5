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

/// Compares two strings by their Unicode scalars (equivalently, their UTF-8 bytes).
@inline(__always)
package func scalarEqual(_ a: String, _ b: String) -> Bool {
    withUTF8Bytes(a) { pa in
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
