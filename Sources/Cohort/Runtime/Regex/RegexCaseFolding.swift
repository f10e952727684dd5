/// Which scalars `(?i)` treats as the same letter.
///
/// Two scalars are equivalent when a chain of single-scalar lowercase, uppercase or
/// titlecase mappings links them, so `k`, `K` and the Kelvin sign `K` (U+212A) form one
/// class, as do `s`, `S` and `ſ`, and `σ`, `ς`, `Σ`. This is close to Unicode's simple case
/// folding. Mappings to several scalars (`ß` → `SS`) are not used, so `(?i)ß` does not match
/// `ss`. The dotless `ı` (U+0131) is kept apart from `i`/`I`, as case folding keeps it.
///
/// The table is built once per process, the first time a `(?i)` pattern is compiled, from
/// the standard library's Unicode properties (a few milliseconds). Matching never consults
/// it: parsing turns every case-insensitive literal and class into a plain scalar set.
enum RegexCaseFolding {
    /// The equivalence classes with more than one member.
    private struct Table: Sendable {
        /// Every scalar in some class, sorted, so a range's cased scalars are a slice.
        var scalars: [UInt32] = []
        /// The class of each scalar in `scalars`, as an index into `classes`.
        var classOf: [UInt32: Int] = [:]
        /// The classes, each sorted.
        var classes: [[UInt32]] = []
    }

    /// Built lazily (and thread-safely) on first use, as every global `let` is.
    private static let table = buildTable()

    /// The scalars equivalent to `value`, itself included; just `[value]` for a scalar
    /// without case.
    static func equivalents(of value: UInt32) -> [UInt32] {
        guard let index = table.classOf[value] else { return [value] }
        return table.classes[index]
    }

    /// `set` with every scalar's equivalents added: `[a-c]` becomes `[a-cA-C]`.
    static func closure(of set: RegexScalarSet) -> RegexScalarSet {
        let table = self.table
        var added: [ClosedRange<UInt32>] = []
        for range in set.ranges {
            // Binary search for the first cased scalar in the range, then walk the slice:
            // cost follows the cased scalars in the range, not the range's width.
            var low = 0, high = table.scalars.count
            while low < high {
                let mid = (low + high) / 2
                if table.scalars[mid] < range.lowerBound { low = mid + 1 } else { high = mid }
            }
            var i = low
            while i < table.scalars.count, table.scalars[i] <= range.upperBound {
                for member in table.classes[table.classOf[table.scalars[i]]!] {
                    added.append(member...member)
                }
                i += 1
            }
        }
        if added.isEmpty { return set }
        var result = set
        result.formUnion(RegexScalarSet(added))
        return result
    }

    /// Unites each scalar that changes under case mapping with its single-scalar mappings.
    private static func buildTable() -> Table {
        var parent: [UInt32: UInt32] = [:]
        func root(_ value: UInt32) -> UInt32 {
            var value = value
            while let up = parent[value], up != value { value = up }
            return value
        }
        func unite(_ a: UInt32, _ b: UInt32) {
            if parent[a] == nil { parent[a] = a }
            if parent[b] == nil { parent[b] = b }
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        func single(_ mapping: String) -> UInt32? {
            var scalars = mapping.unicodeScalars.makeIterator()
            guard let first = scalars.next(), scalars.next() == nil else { return nil }
            return first.value
        }
        // Every cased scalar lies below U+20000 (the last is U+1E943 in Unicode 15), which
        // keeps the scan to planes 0 and 1.
        for value in UInt32(0)..<0x20000 {
            guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseMapped else { continue }
            // Case folding maps `I` to `i`, not to the Turkish dotless `ı`, whose uppercase is `I`.
            if value == 0x131 { continue }
            let properties = scalar.properties
            for mapping in [properties.lowercaseMapping, properties.uppercaseMapping, properties.titlecaseMapping] {
                if let other = single(mapping), other != value, other != 0x131 { unite(value, other) }
            }
        }
        var members: [UInt32: [UInt32]] = [:]
        for value in parent.keys { members[root(value), default: []].append(value) }
        var table = Table()
        for group in members.values where group.count > 1 {
            let index = table.classes.count
            table.classes.append(group.sorted())
            for value in group {
                table.classOf[value] = index
                table.scalars.append(value)
            }
        }
        table.scalars.sort()
        return table
    }
}
