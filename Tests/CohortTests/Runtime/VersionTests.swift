import Cohort
import Testing

@Suite("Version")
struct VersionTests {
    /// Text that parses, and its canonical form.
    static let valid: [(String, String)] = [
        ("1.2.3", "1.2.3"),
        ("v5.2", "5.2.0"),
        ("V1", "1.0.0"),
        ("0.0.0", "0.0.0"),
        ("10.20.30", "10.20.30"),
        ("1.0.0-alpha", "1.0.0-alpha"),
        ("1.0.0-alpha.1", "1.0.0-alpha.1"),
        ("1.0.0-0.3.7", "1.0.0-0.3.7"),
        ("1.0.0-x.7.z.92", "1.0.0-x.7.z.92"),
        ("1.0.0-x-y-z.--", "1.0.0-x-y-z.--"),
        ("1.0.0-0A.is.legal", "1.0.0-0A.is.legal"),
        ("1.0.0-alpha+001", "1.0.0-alpha+001"),  // leading zeros are fine in build metadata
        ("1.0.0+20130313144700", "1.0.0+20130313144700"),
        ("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta+exp.sha.5114f85"),
        ("1.2.3-rc.1+build.5", "1.2.3-rc.1+build.5"),
        ("5.2-beta", "5.2.0-beta"),
        ("1+build", "1.0.0+build"),
        ("1-2", "1.0.0-2"),
        ("18446744073709551615.18446744073709551615.18446744073709551615",
         "18446744073709551615.18446744073709551615.18446744073709551615"),
        // Numeric pre-release identifiers are not limited to 64 bits.
        ("1.0.0-99999999999999999999999", "1.0.0-99999999999999999999999"),
    ]

    @Test("valid versions parse and print canonically", arguments: valid)
    func parsesValid(text: String, canonical: String) throws {
        let version = try #require(Version(text))
        #expect(version.description == canonical)
        // The canonical text reads back as the same version, build included.
        let again = try #require(Version(canonical))
        #expect(again == version)
        #expect(again.build == version.build)
    }

    /// Text and the version it stands for, part by part.
    static let partCases: [(String, Version)] = [
        ("v5.2", Version(major: 5, minor: 2, patch: 0)),
        ("1.2.3-rc.1+build.5", Version(major: 1, minor: 2, patch: 3, prerelease: ["rc", "1"], build: ["build", "5"])),
        ("0.1.0+x", Version(major: 0, minor: 1, patch: 0, build: ["x"])),
    ]

    @Test("parts are split out", arguments: partCases)
    func parts(text: String, expected: Version) throws {
        let version = try #require(Version(text))
        #expect(version.major == expected.major)
        #expect(version.minor == expected.minor)
        #expect(version.patch == expected.patch)
        #expect(version.prerelease == expected.prerelease)
        #expect(version.build == expected.build)
    }

    @Test("invalid versions are rejected", arguments: [
        "", "v", "V", "vv1.0.0", "x1.0.0",
        "01.2.3", "1.02.3", "1.2.03", "00.0.0",                  // leading zeros
        "1.0.0-01", "1.0.0-alpha.01", "1.0.0-00",                 // leading zero in a numeric pre-release identifier
        " 1.0.0", "1.0.0 ", "1.0 .0", "1.0.0-be ta", "1.0.0\n",   // whitespace anywhere
        "1.", "1.2.", ".1.2", "1..2", "1.2.3.4",
        "1.0.0-", "1.0.0+", "1.0.0-+b", "1.0.0-a..b", "1.0.0-a.", "1.0.0+a..b", "1.0.0+.a",  // empty identifiers
        "1.0.0-alpha_1", "1.0.0+b@1", "1.0.0-é", "1.0.0-α",     // characters outside [0-9A-Za-z-]
        "18446744073709551616.0.0", "0.18446744073709551616.0", "0.0.99999999999999999999",  // beyond UInt64
        "-1.0.0", "+1.0.0", "1.0.0+a+b", "a.b.c", "1.x.3",
    ])
    func rejectsInvalid(text: String) {
        #expect(Version(text) == nil)
    }

    /// SemVer 2.0.0 §11's example, in ascending precedence, with a few more around it.
    static let ascending = [
        "0.9.9", "1.0.0-0", "1.0.0-2", "1.0.0-10", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
        "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1-a", "1.0.1",
        "1.2.0", "1.10.0", "2.0.0", "18446744073709551615.0.0",
    ]

    @Test("precedence follows SemVer 2.0.0", arguments: ascending.indices)
    func precedence(index: Int) throws {
        let versions = try Self.ascending.map { try #require(Version($0)) }
        for other in versions.indices {
            #expect((versions[index] < versions[other]) == (index < other),
                    "\(versions[index]) < \(versions[other])")
            #expect((versions[index] == versions[other]) == (index == other),
                    "\(versions[index]) == \(versions[other])")
        }
    }

    @Test("pre-release identifier rules", arguments: [
        ("1.0.0-2", "1.0.0-10"),            // numeric identifiers compare numerically
        ("1.0.0-10", "1.0.0-9a"),           // numeric below alphanumeric
        ("1.0.0-B", "1.0.0-a"),             // ASCII order: upper case first
        ("1.0.0-a.b", "1.0.0-a-b"),         // "a" is a prefix of "a-b", so it is lower
        ("1.0.0-alpha", "1.0.0-alpha.0"),   // more fields rank higher when the rest are equal
        ("1.0.0-rc.1", "1.0.0"),            // a pre-release ranks below its release
        ("1.0.0-99999999999999999999", "1.0.0-100000000000000000000"),
    ])
    func identifierOrder(lower: String, higher: String) throws {
        let a = try #require(Version(lower)), b = try #require(Version(higher))
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
    }

    @Test("build metadata is ignored by ==, < and hash", arguments: [
        ("1.0.0+a", "1.0.0+b"),
        ("1.0.0", "1.0.0+build.7"),
        ("v1.0.0-rc.1+x", "1.0.0-rc.1+y.z"),
        ("5.2", "5.2.0"),
    ])
    func buildIgnored(left: String, right: String) throws {
        let a = try #require(Version(left)), b = try #require(Version(right))
        #expect(a == b)
        #expect(!(a < b) && !(b < a))
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
    }

    @Test("the memberwise initialiser prints canonically")
    func memberwise() {
        let version = Version(major: 2, minor: 3, patch: 4, prerelease: ["beta", "1"], build: ["sha", "abc"])
        #expect(version.description == "2.3.4-beta.1+sha.abc")
        #expect(version == Version("v2.3.4-beta.1"))
        #expect(Version(major: 1, minor: 0, patch: 0).description == "1.0.0")
    }
}
