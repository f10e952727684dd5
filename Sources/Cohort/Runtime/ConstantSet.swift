import Foundation

/// The members of a constant list such as `["qa", "beta"]`, prepared for membership tests
/// at evaluation time (`x in [...]` and the fused `slot_in_set`).
///
/// Strings, by far the most common members (ids, groups, countries), live in a flat
/// open-addressing table keyed by their UTF-8 bytes, so a lookup reads the candidate's bytes
/// in place: no `Hasher`, no retain of the candidate, no allocation. Very small string sets
/// are scanned instead, which beats hashing. Every other member kind goes to a `Set<Value>`.
/// A class, so that the VM hands it around with one reference count rather than four.
package final class ConstantSet: @unchecked Sendable {
    // @unchecked: the raw buffers below are written once in `init` and only read after, so
    // sharing the set between threads is safe. They are raw, not arrays, so that a lookup
    // touches no reference count (arrays held by a class are retained around each use).

    /// Every member, for the disassembler and for non-string lookups.
    package let members: Set<Value>

    /// UTF-8 bytes of all string members, back to back.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    /// Start offset in `bytes` of each string member, then its length: `2 * count` entries.
    private let strings: UnsafeMutableBufferPointer<Int>
    private let stringCount: Int
    /// Open-addressing table of indices into `strings` (`-1` for an empty bucket); its size is
    /// a power of two at least twice the number of strings, so probes stay short. Empty for
    /// small sets, which are scanned.
    private let table: UnsafeMutableBufferPointer<Int32>
    /// True when at least one member is not a string.
    private let hasOtherKinds: Bool
    /// The small-string words (`StringWords`) of every string member of at most 15 bytes:
    /// a candidate Swift stores inline is looked up by its two words, without reading its
    /// bytes out. Empty where the small-string layout is not the assumed one.
    private let smallWords: UnsafeMutableBufferPointer<StringWords>
    private let smallCount: Int
    /// Open-addressing table of indices into `smallWords`, as `table` is for `strings`.
    private let smallTable: UnsafeMutableBufferPointer<Int32>

    /// Sets of up to this many strings are scanned rather than hashed.
    private static let scanLimit = 8

    package init(_ members: Set<Value>) {
        self.members = members
        var allBytes: [UInt8] = []
        var offsets: [Int] = []
        var others = false
        for member in members {
            if case .string(let s) = member {
                offsets.append(allBytes.count)
                offsets.append(s.utf8.count)
                allBytes.append(contentsOf: s.utf8)
            } else {
                others = true
            }
        }
        stringCount = offsets.count / 2
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(allBytes.count, 1))
        _ = bytes.initialize(from: allBytes)
        self.bytes = bytes
        strings = .allocate(capacity: max(offsets.count, 1))
        _ = strings.initialize(from: offsets)
        hasOtherKinds = others
        table = Self.table(count: stringCount) { i in
            Self.hash(UnsafeRawBufferPointer(start: bytes.baseAddress! + offsets[2 * i], count: offsets[2 * i + 1]))
        }
        var small: [StringWords] = []
        if StringWords.usesSmallLayout {
            for i in 0 ..< stringCount where offsets[2 * i + 1] <= 15 {
                small.append(StringWords(smallUTF8: UnsafeRawBufferPointer(start: bytes.baseAddress! + offsets[2 * i], count: offsets[2 * i + 1])))
            }
        }
        smallWords = .allocate(capacity: max(small.count, 1))
        _ = smallWords.initialize(from: small)
        smallCount = small.count
        smallTable = Self.table(count: small.count) { Self.hash(small[$0]) }
    }

    deinit {
        // Found by the `eval` fuzz target's leak checker: every compiled set leaked these.
        bytes.deallocate()
        strings.deallocate()
        table.deallocate()
        smallWords.deallocate()
        smallTable.deallocate()
    }

    /// An open-addressing table of the indices `0 ..< count` placed by `hash`: a power of
    /// two at least twice `count` in size, so probes stay short, with `-1` in empty buckets.
    /// Empty for sets small enough to scan.
    private static func table(count: Int, hash: (Int) -> Int) -> UnsafeMutableBufferPointer<Int32> {
        guard count > scanLimit else { return UnsafeMutableBufferPointer(start: nil, count: 0) }
        var size = 16
        while size < count * 2 { size *= 2 }
        let table = UnsafeMutableBufferPointer<Int32>.allocate(capacity: size)
        table.initialize(repeating: -1)
        for i in 0 ..< count {
            var slot = hash(i) & (size - 1)
            while table[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            table[slot] = Int32(i)
        }
        return table
    }

    /// True when some index in `table` (not empty) has `equal(i)`, probing from `hash()`.
    @inline(__always)
    private static func probe(_ table: UnsafeMutableBufferPointer<Int32>, hash: () -> Int, equal: (Int) -> Bool) -> Bool {
        let mask = table.count - 1
        var slot = hash() & mask
        while true {
            let i = Int(table[slot])
            if i < 0 { return false }
            if equal(i) { return true }
            slot = (slot + 1) & mask
        }
    }

    /// The number of members.
    package var count: Int { members.count }

    /// True when `value` equals a member under Cohort's `==` (strings by scalars).
    @inline(__always)
    package func contains(_ value: Value) -> Bool {
        if case .string(let s) = value {
            let words = StringWords(s)
            if words.isSmall { return containsSmall(words) }
            return stringCount == 0 ? false : withUTF8Bytes(s) { containsUTF8(UnsafeRawBufferPointer($0)) }
        }
        return hasOtherKinds && members.contains(value)
    }

    @inline(__always)
    private func containsUTF8(_ key: UnsafeRawBufferPointer) -> Bool {
        @inline(__always) func equal(_ i: Int) -> Bool {
            let count = strings[2 * i + 1]
            return count == key.count && (count == 0 || bytesEqual(bytes.baseAddress! + strings[2 * i], key.baseAddress!, count: count))
        }
        if table.isEmpty {
            for i in 0 ..< stringCount where equal(i) { return true }
            return false
        }
        return Self.probe(table, hash: { Self.hash(key) }, equal: equal)
    }

    /// True when a member is the small string with these words: only members of at most
    /// 15 bytes can be, and those are all in `smallWords`.
    @inline(__always)
    private func containsSmall(_ words: StringWords) -> Bool {
        if smallTable.isEmpty {
            for i in 0 ..< smallCount where smallWords[i] == words { return true }
            return false
        }
        return Self.probe(smallTable, hash: { Self.hash(words) }, equal: { smallWords[$0] == words })
    }

    @inline(__always)
    private static func hash(_ words: StringWords) -> Int {
        // MurmurHash3's 64-bit finaliser: every input bit reaches the low bits the table
        // uses (ids differ in their last characters, the high bytes of a word).
        var h = words.low ^ (words.high &* 0x9E37_79B9_7F4A_7C15)
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// A fast non-cryptographic hash of bytes, eight at a time. Collisions only cost a probe;
    /// the members are the rule author's constants, not attacker-chosen keys.
    @inline(__always)
    private static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        let m: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h = UInt64(truncatingIfNeeded: key.count) &* m
        var i = 0
        while i + 8 <= key.count {
            let word = key.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* m
            h ^= h >> 29
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < key.count {
            tail |= UInt64(key[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* m
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }
}
