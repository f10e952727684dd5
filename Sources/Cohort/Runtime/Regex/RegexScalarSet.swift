/// A set of Unicode scalar values, kept as sorted, disjoint, non-adjacent closed ranges.
///
/// Character classes (`[a-z]`, `\d`, `.`) and case-insensitive literals all become one of
/// these at parse time, so the matcher only ever asks "is this scalar in the set?".
struct RegexScalarSet: Sendable, Hashable {
    /// The ranges, normalised: sorted by `lowerBound`, none overlapping or touching.
    private(set) var ranges: [ClosedRange<UInt32>]

    /// The largest scalar value; complements are taken over `0...maxScalar`.
    static let maxScalar: UInt32 = 0x10FFFF

    /// The empty set.
    init() { ranges = [] }

    /// The set of the given ranges, which may overlap and come in any order.
    init(_ ranges: [ClosedRange<UInt32>]) {
        self.ranges = ranges
        normalize()
    }

    /// A set of the given scalar values.
    init(scalars: some Sequence<UInt32>) {
        self.init(scalars.map { $0...$0 })
    }

    /// Whether `value` is in the set (binary search).
    func contains(_ value: UInt32) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            if ranges[mid].upperBound < value {
                low = mid + 1
            } else if ranges[mid].lowerBound > value {
                high = mid
            } else {
                return true
            }
        }
        return false
    }

    /// The only member, when the set holds exactly one scalar (so it compiles to a plain
    /// scalar comparison).
    var singleScalar: UInt32? {
        ranges.count == 1 && ranges[0].lowerBound == ranges[0].upperBound ? ranges[0].lowerBound : nil
    }

    /// Adds every member of `other`.
    mutating func formUnion(_ other: RegexScalarSet) {
        ranges += other.ranges
        normalize()
    }

    /// Every scalar value (`0...0x10FFFF`) not in this set. Surrogate code points end up in
    /// the complement too; they never occur in a Swift string, so that is harmless.
    func inverted() -> RegexScalarSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            if range.upperBound == Self.maxScalar { return RegexScalarSet(normalized: result) }
            next = range.upperBound + 1
        }
        result.append(next...Self.maxScalar)
        return RegexScalarSet(normalized: result)
    }

    /// Adopts ranges already in normal form.
    private init(normalized ranges: [ClosedRange<UInt32>]) { self.ranges = ranges }

    /// Sorts and merges overlapping or touching ranges.
    private mutating func normalize() {
        guard ranges.count > 1 else { return }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        merged.reserveCapacity(ranges.count)
        for range in ranges {
            // `last.upperBound + 1` cannot overflow: scalars stop at 0x10FFFF.
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        ranges = merged
    }
}

// MARK: - The shorthand classes

extension RegexScalarSet {
    /// `\d`: the ASCII digits `[0-9]`. ASCII only, so `\d` never accepts other scripts' digits.
    static let digit = RegexScalarSet([0x30...0x39])
    /// `\w`: `[A-Za-z0-9_]`, ASCII only (the same set decides `\b`).
    static let word = RegexScalarSet([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// `\s`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
    static let space = RegexScalarSet([0x09...0x0D, 0x20...0x20])
    /// `.`: every scalar except `\n`.
    static let anyButNewline = RegexScalarSet([0x0A...0x0A]).inverted()

    /// Whether `value` is a `\w` scalar; used by `\b` and `\B` on the hot path.
    @inline(__always)
    static func isWord(_ value: UInt32) -> Bool {
        switch value {
        case 0x30...0x39, 0x41...0x5A, 0x5F, 0x61...0x7A: true
        default: false
        }
    }
}
