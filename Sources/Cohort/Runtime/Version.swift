/// A Semantic Versioning 2.0.0 version.
///
/// Equality, hashing and ordering follow SemVer precedence, so build metadata is ignored:
/// `1.0.0+a == 1.0.0+b`, and the two hash alike. `description` still prints the build.
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The major, minor and patch numbers.
    public let major: UInt64, minor: UInt64, patch: UInt64
    /// The dot-separated pre-release identifiers (`["beta", "2"]` for `-beta.2`); empty for a release.
    public let prerelease: [String]
    /// The dot-separated build identifiers (`["sha", "5114f85"]` for `+sha.5114f85`).
    public let build: [String]

    /// Parses a version: an optional leading `v`/`V`, then `MAJOR[.MINOR[.PATCH]]` (missing
    /// parts are 0, so `5.2` is `5.2.0`), an optional `-prerelease` and an optional `+build`.
    ///
    /// Returns nil for leading zeros in a numeric part or a numeric pre-release identifier
    /// (`01.2.3`, `1.0.0-01`), whitespace anywhere, empty identifiers, characters outside
    /// `[0-9A-Za-z-]` in identifiers, and major/minor/patch beyond `UInt64`. Numeric
    /// pre-release identifiers may be longer than 64 bits: they compare by length, then
    /// digits, which is numeric order because they have no leading zeros. Build identifiers
    /// may have leading zeros (SemVer allows `+001`).
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Version.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Makes a version from its parts. The identifiers are taken as given (not validated):
    /// callers building versions by hand should pass what `init?(_:)` would accept.
    public init(major: UInt64, minor: UInt64, patch: UInt64, prerelease: [String] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    /// Canonical text `MAJOR.MINOR.PATCH[-pre][+build]`, without a leading `v`.
    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }
}

// MARK: - Precedence

extension Version {
    /// SemVer precedence; build metadata takes no part.
    public static func == (lhs: Version, rhs: Version) -> Bool {
        // Numeric identifiers have no leading zeros, so textual equality is numeric equality.
        lhs.major == rhs.major && lhs.minor == rhs.minor && lhs.patch == rhs.patch
            && lhs.prerelease == rhs.prerelease
    }

    /// Hashes what `==` compares (not the build), so equal versions hash alike.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }

    /// SemVer 2.0.0 precedence (§11).
    public static func < (lhs: Version, rhs: Version) -> Bool {
        compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1 as `lhs` has lower, equal or higher precedence than `rhs`.
    package static func compare(_ lhs: Version, _ rhs: Version) -> Int {
        if lhs.major != rhs.major { return lhs.major < rhs.major ? -1 : 1 }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor ? -1 : 1 }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch ? -1 : 1 }
        // A pre-release ranks below the release it precedes.
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false): break
        }
        for (a, b) in zip(lhs.prerelease, rhs.prerelease) {
            let order = compareIdentifiers(a, b)
            if order != 0 { return order }
        }
        // All shared identifiers are equal: the longer list ranks higher.
        if lhs.prerelease.count == rhs.prerelease.count { return 0 }
        return lhs.prerelease.count < rhs.prerelease.count ? -1 : 1
    }

    /// Orders two pre-release identifiers: numeric ones numerically, alphanumeric ones by
    /// ASCII, and numeric below alphanumeric.
    private static func compareIdentifiers(_ a: String, _ b: String) -> Int {
        let aNumeric = isNumeric(a), bNumeric = isNumeric(b)
        switch (aNumeric, bNumeric) {
        case (true, false): return -1
        case (false, true): return 1
        case (true, true):
            // No leading zeros, so a shorter digit string is a smaller number; equal lengths
            // compare digit by digit. Works for identifiers of any length.
            let aCount = a.utf8.count, bCount = b.utf8.count
            if aCount != bCount { return aCount < bCount ? -1 : 1 }
            fallthrough
        case (false, false):
            if a.utf8.elementsEqual(b.utf8) { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        }
    }

    private static func isNumeric(_ identifier: String) -> Bool {
        identifier.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

// MARK: - Parsing

extension Version {
    /// Parses the whole of `bytes` or returns nil; see `init?(_:)` for the grammar.
    private static func parse(_ bytes: UnsafeRawBufferPointer) -> Version? {
        var i = 0
        let end = bytes.count
        guard let core = parseCore(bytes, &i) else { return nil }
        var prerelease: [String] = []
        if i < end, bytes[i] == UInt8(ascii: "-") {
            i += 1
            guard let ids = parseIdentifiers(bytes, &i, numericLeadingZerosAllowed: false) else { return nil }
            prerelease = ids
        }
        var build: [String] = []
        if i < end, bytes[i] == UInt8(ascii: "+") {
            i += 1
            guard let ids = parseIdentifiers(bytes, &i, numericLeadingZerosAllowed: true) else { return nil }
            build = ids
        }
        // Anything left over (a fourth part, whitespace, a stray character) is invalid.
        guard i == end else { return nil }
        return Version(major: core.0, minor: core.1, patch: core.2, prerelease: prerelease, build: build)
    }

    /// The major, minor and patch numbers of `bytes`, and whether it has a pre-release part,
    /// for exactly the strings `init?(_:)` accepts (`5.2.0`, `v5.2`, `5.3.0-beta.1+build.7`):
    /// the pre-release and build parts are checked but not built, so an app-version gate
    /// against a release compares without allocating. Nil when `bytes` is not a version.
    @inline(__always)
    package static func releaseNumbers(_ bytes: UnsafeRawBufferPointer) -> ReleaseNumbers? {
        var i = 0
        let end = bytes.count
        guard let core = parseCore(bytes, &i) else { return nil }
        var numbers = ReleaseNumbers(core)
        if i < end, bytes[i] == UInt8(ascii: "-") {
            i += 1
            guard scanIdentifiers(bytes, &i, numericLeadingZerosAllowed: false, { _ in }) else { return nil }
            numbers.isPrerelease = true
        }
        if i < end, bytes[i] == UInt8(ascii: "+") {
            i += 1
            guard scanIdentifiers(bytes, &i, numericLeadingZerosAllowed: true, { _ in }) else { return nil }
        }
        guard i == end else { return nil }
        return numbers
    }

    /// `releaseNumbers` of a small string, given by its words: out of line, so the copy of
    /// its bytes is made in this frame rather than the caller's.
    @inline(never)
    package static func releaseNumbers(small words: StringWords) -> ReleaseNumbers? {
        words.withSmallUTF8 { releaseNumbers(UnsafeRawBufferPointer($0)) }
    }

    /// Reads an optional `v`/`V` and `MAJOR[.MINOR[.PATCH]]` (missing parts are 0).
    @inline(__always)
    private static func parseCore(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) -> (UInt64, UInt64, UInt64)? {
        let end = bytes.count
        if i < end, bytes[i] == UInt8(ascii: "v") || bytes[i] == UInt8(ascii: "V") { i += 1 }
        var core: (UInt64, UInt64, UInt64) = (0, 0, 0)
        for part in 0..<3 {
            if part > 0 {
                guard i < end, bytes[i] == UInt8(ascii: ".") else { break }
                i += 1
            }
            guard let n = parseNumber(bytes, &i) else { return nil }
            switch part {
            case 0: core.0 = n
            case 1: core.1 = n
            default: core.2 = n
            }
        }
        return core
    }

    /// Reads `0|[1-9][0-9]*` that fits in a `UInt64`.
    private static func parseNumber(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) -> UInt64? {
        let start = i
        var value: UInt64 = 0
        while i < bytes.count, let digit = digitValue(bytes[i]) {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            guard !o1, !o2 else { return nil }
            value = sum
            i += 1
        }
        let length = i - start
        guard length > 0, !(length > 1 && bytes[start] == UInt8(ascii: "0")) else { return nil }
        return value
    }

    /// Reads dot-separated, non-empty `[0-9A-Za-z-]+` identifiers up to a `+` or the end.
    private static func parseIdentifiers(
        _ bytes: UnsafeRawBufferPointer, _ i: inout Int, numericLeadingZerosAllowed: Bool
    ) -> [String]? {
        var identifiers: [String] = []
        let valid = scanIdentifiers(bytes, &i, numericLeadingZerosAllowed: numericLeadingZerosAllowed) { range in
            identifiers.append(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        }
        return valid ? identifiers : nil
    }

    /// Reads dot-separated, non-empty `[0-9A-Za-z-]+` identifiers up to a `+` or the end,
    /// calling `each` with the range of each one; false when they are not valid.
    @inline(__always)
    private static func scanIdentifiers(
        _ bytes: UnsafeRawBufferPointer, _ i: inout Int, numericLeadingZerosAllowed: Bool, _ each: (Range<Int>) -> Void
    ) -> Bool {
        while true {
            let start = i
            var numeric = true
            while i < bytes.count {
                let b = bytes[i]
                if digitValue(b) != nil {
                } else if isIdentifierLetter(b) {
                    numeric = false
                } else {
                    break
                }
                i += 1
            }
            let length = i - start
            guard length > 0 else { return false }
            if numeric, !numericLeadingZerosAllowed, length > 1, bytes[start] == UInt8(ascii: "0") { return false }
            each(start..<i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: ".") else { return true }
            i += 1
        }
    }

    @inline(__always)
    private static func digitValue(_ b: UInt8) -> UInt8? {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") ? b - UInt8(ascii: "0") : nil
    }

    /// `[A-Za-z-]`: the non-digit characters SemVer allows in an identifier.
    @inline(__always)
    private static func isIdentifierLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "-")
    }
}

/// The three numbers of a version and whether it is a pre-release, as the quick app-version
/// gate compares a user's version with a release (`semver(user.app_version) >= "5.2.0"`).
package struct ReleaseNumbers: Sendable, Hashable {
    package var major: UInt64
    package var minor: UInt64
    package var patch: UInt64
    /// True for `5.3.0-beta.1`: it orders before `5.3.0`, and its identifiers are not kept.
    package var isPrerelease = false

    package init(_ numbers: (UInt64, UInt64, UInt64)) {
        (major, minor, patch) = numbers
    }

    /// Negative, zero or positive as `self` orders before, with or after `release`, which
    /// must be a release (not a pre-release): SemVer precedence, build metadata ignored.
    @inline(__always)
    package func order(_ release: ReleaseNumbers) -> Int {
        if major != release.major { return major < release.major ? -1 : 1 }
        if minor != release.minor { return minor < release.minor ? -1 : 1 }
        if patch != release.patch { return patch < release.patch ? -1 : 1 }
        // The same numbers: a pre-release comes before its release.
        return isPrerelease ? -1 : 0
    }
}
