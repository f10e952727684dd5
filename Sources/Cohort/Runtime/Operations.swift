import Foundation

/// The operators on values, shared by the VM and the compiler's constant folder so that a
/// folded constant and a run-time result can never disagree.
package enum Operations {
    // MARK: Arithmetic

    @inline(__always)
    static func finite(_ x: Double, _ op: String) throws(Fault) -> Value {
        guard x.isFinite else { throw Fault("'\(op)' overflowed (the result is not a finite number)", kind: .arithmetic) }
        return .number(x)
    }

    package static func add(_ a: Value, _ b: Value) throws(Fault) -> Value {
        switch (a, b) {
        case let (.number(x), .number(y)): return try finite(x + y, "+")
        case let (.string(x), .string(y)): return .string(x + y)
        case let (.time(t), .number(s)), let (.number(s), .time(t)):
            guard let r = t.adding(seconds: s) else { throw Fault("time is out of range after '+'", kind: .arithmetic) }
            return .time(r)
        default: throw Fault.operands("+", a, b)
        }
    }

    package static func subtract(_ a: Value, _ b: Value) throws(Fault) -> Value {
        switch (a, b) {
        case let (.number(x), .number(y)): return try finite(x - y, "-")
        case let (.time(x), .time(y)): return .number(x.seconds(since: y))
        case let (.time(t), .number(s)):
            guard let r = t.adding(seconds: -s) else { throw Fault("time is out of range after '-'", kind: .arithmetic) }
            return .time(r)
        default: throw Fault.operands("-", a, b)
        }
    }

    package static func multiply(_ a: Value, _ b: Value) throws(Fault) -> Value {
        guard case let .number(x) = a, case let .number(y) = b else { throw Fault.operands("*", a, b) }
        return try finite(x * y, "*")
    }

    package static func divide(_ a: Value, _ b: Value) throws(Fault) -> Value {
        guard case let .number(x) = a, case let .number(y) = b else { throw Fault.operands("/", a, b) }
        guard y != 0 else { throw Fault("division by zero", kind: .arithmetic) }
        return try finite(x / y, "/")
    }

    package static func remainder(_ a: Value, _ b: Value) throws(Fault) -> Value {
        guard case let .number(x) = a, case let .number(y) = b else { throw Fault.operands("%", a, b) }
        guard y != 0 else { throw Fault("remainder by zero", kind: .arithmetic) }
        // truncatingRemainder keeps the sign of the dividend, as the language specifies.
        return try finite(x.truncatingRemainder(dividingBy: y), "%")
    }

    package static func negate(_ a: Value) throws(Fault) -> Value {
        guard case let .number(x) = a else { throw Fault.operand("'-'", "right", expected: "a number", got: a) }
        return .number(-x)
    }

    package static func not(_ a: Value) throws(Fault) -> Value {
        guard case let .bool(b) = a else { throw Fault.operand("'not'", "right", expected: "a boolean", got: a) }
        return .bool(!b)
    }

    // MARK: Ordering

    /// Compares two values of the same orderable type: negative, zero or positive.
    /// Anything else is a fault naming the operator and the operands in source order.
    @inline(__always)
    package static func order(_ a: Value, _ b: Value, _ op: String) throws(Fault) -> Int {
        // Numbers and strings without building the tuple `(a, b)`, which copies both.
        if case .number(let x) = a, case .number(let y) = b { return x < y ? -1 : x > y ? 1 : 0 }
        if case .string(let x) = a, case .string(let y) = b { return scalarLess(x, y) ? -1 : scalarEqual(x, y) ? 0 : 1 }
        switch (a, b) {
        case let (.number(x), .number(y)): return x < y ? -1 : x > y ? 1 : 0
        case let (.string(x), .string(y)): return scalarLess(x, y) ? -1 : scalarEqual(x, y) ? 0 : 1
        case let (.version(x), .version(y)): return x < y ? -1 : x == y ? 0 : 1
        case let (.time(x), .time(y)): return x < y ? -1 : x == y ? 0 : 1
        default: throw Fault.operands(op, a, b)
        }
    }

    // MARK: Membership and strings

    package static func inList(_ a: Value, _ list: Value) throws(Fault) -> Bool {
        guard case let .list(items) = list else { throw Fault.operand("'in'", "right", expected: "a list", got: list) }
        return items.contains(a)
    }

    package static func contains(_ a: Value, _ b: Value) throws(Fault) -> Bool {
        switch a {
        case .string(let s):
            guard case .string(let t) = b else { throw Fault.operand("'contains'", "right", expected: "a string", got: b) }
            return scalarContains(s, t)
        case .list(let items):
            return items.contains(b)
        default:
            throw Fault.operand("'contains'", "left", expected: "a string or a list", got: a)
        }
    }

    package static func containsSome(_ a: Value, _ b: Value, all: Bool) throws(Fault) -> Bool {
        let op = all ? "'contains_all'" : "'contains_any'"
        guard case let .list(wanted) = b else { throw Fault.operand(op, "right", expected: "a list", got: b) }
        switch a {
        case .string(let s):
            for item in wanted {
                guard case .string(let t) = item else {
                    throw Fault("\(op) on a string needs a list of strings on the right, but it holds a \(item.typeName)", kind: .typeMismatch)
                }
                if scalarContains(s, t) != all { return !all }
            }
            return all
        case .list(let items):
            // Scanning `items` for each wanted element is quadratic: two lists of 100,000
            // from a record would take a minute. Past a small size, hash one side once.
            if items.count > 8 && wanted.count > 8 {
                let present = Set(items)
                for item in wanted where present.contains(item) != all { return !all }
                return all
            }
            for item in wanted where items.contains(item) != all { return !all }
            return all
        default:
            throw Fault.operand(op, "left", expected: "a string or a list", got: a)
        }
    }

    package static func affix(_ a: Value, _ b: Value, prefix: Bool) throws(Fault) -> Bool {
        let op = prefix ? "'starts_with'" : "'ends_with'"
        guard case let .string(s) = a else { throw Fault.operand(op, "left", expected: "a string", got: a) }
        guard case let .string(t) = b else { throw Fault.operand(op, "right", expected: "a string", got: b) }
        return scalarAffix(s, t, prefix: prefix)
    }

    // MARK: Access

    /// `base.name`: null unless `base` is an object holding `name`.
    @inline(__always)
    package static func member(_ base: Value, _ name: String) -> Value {
        guard case let .object(fields) = base else { return .null }
        return fields[name] ?? .null
    }

    /// `base[index]`: a list by a non-negative integral index, an object by a string key;
    /// anything else (including out of range) is null.
    package static func index(_ base: Value, _ index: Value) -> Value {
        switch (base, index) {
        case let (.list(items), .number(n)):
            guard n >= 0, n < Double(items.count), n.rounded(.towardZero) == n else { return .null }
            return items[Int(n)]
        case let (.object(fields), .string(key)):
            return fields[key] ?? .null
        default:
            return .null
        }
    }
}

/// True when `s` starts (`prefix`) or ends with `t`, by Unicode scalars (UTF-8 bytes).
@inline(__always)
package func scalarAffix(_ s: String, _ t: String, prefix: Bool) -> Bool {
    withUTF8Bytes(s) { sb in
        // The affix is nearly always a short constant ("@acme.com").
        withShortUTF8Bytes(t) { tb in hasAffix(sb, tb, prefix: prefix) }
    }
}

/// `hasAffix` for a subject that is a small string, given by its words: out of line, so
/// the copy of its bytes is made in this frame rather than the VM's.
@inline(never)
package func hasAffix(smallSubject subject: StringWords, _ affix: UnsafeBufferPointer<UInt8>, prefix: Bool) -> Bool {
    subject.withSmallUTF8 { hasAffix($0, affix, prefix: prefix) }
}

/// True when `affix` begins (`prefix`) or ends `bytes`.
@inline(__always)
package func hasAffix(_ bytes: UnsafeBufferPointer<UInt8>, _ affix: UnsafeBufferPointer<UInt8>, prefix: Bool) -> Bool {
    guard affix.count <= bytes.count else { return false }
    let start = prefix ? 0 : bytes.count - affix.count
    return affix.count == 0 || bytesEqual(bytes.baseAddress! + start, affix.baseAddress!, count: affix.count)
}

/// Substring search by Unicode scalars (UTF-8 bytes), not by Swift's canonical equivalence.
package func scalarContains(_ haystack: String, _ needle: String) -> Bool {
    withUTF8Bytes(haystack) { hb in
        withUTF8Bytes(needle) { nb in
            if nb.count == 0 { return true }
            if nb.count > hb.count { return false }
            // Comparing at every position costs up to haystack × needle bytes, fine for the
            // short needles of real rules; a long needle (up to a 64 KiB literal, or a
            // record's string) on a long record string could take hours, so it is searched
            // in linear time instead.
            if nb.count > 64 { return linearSearch(hb, nb) }
            let first = nb[0]
            var i = 0
            let last = hb.count - nb.count
            while i <= last {
                if hb[i] == first, memcmp(hb.baseAddress! + i, nb.baseAddress!, nb.count) == 0 { return true }
                i += 1
            }
            return false
        }
    }
}

/// True when `needle` occurs in `haystack`: Knuth–Morris–Pratt over bytes, at most
/// 2 × (haystack + needle) steps. Byte matching is scalar matching, since UTF-8 is
/// self-synchronising: a valid encoding cannot match in the middle of a scalar.
package func linearSearch(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
    let m = needle.count
    if m == 0 { return true }
    // border[i]: the length of the longest proper prefix of needle[0...i] that is also its suffix.
    var border = [Int](repeating: 0, count: m)
    var k = 0
    for i in 1..<max(m, 1) {
        while k > 0 && needle[i] != needle[k] { k = border[k - 1] }
        if needle[i] == needle[k] { k += 1 }
        border[i] = k
    }
    var matched = 0
    for byte in haystack {
        while matched > 0 && byte != needle[matched] { matched = border[matched - 1] }
        if byte == needle[matched] { matched += 1 }
        if matched == m { return true }
    }
    return false
}
