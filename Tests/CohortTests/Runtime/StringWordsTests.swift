@testable import Cohort
import Testing

/// Short strings compare and hash through their two words (`StringWords`); long strings,
/// and short strings Swift happens to store out of line, through their bytes. Both paths
/// must agree everywhere strings meet: `==`, constant sets, `bucket`.
@Suite("String words")
struct StringWordsTests {
    /// `text` stored out of line, as a native string with spare capacity is, even when it
    /// would fit inline.
    private func outOfLine(_ text: String) -> String {
        var s = String()
        s.reserveCapacity(64)
        s.append(text)
        return s
    }

    @Test("the small-string layout is the one assumed")
    func layout() {
        #expect(StringWords.smallLayoutMatches())
        #expect(StringWords("qa").isSmall)
        #expect(!StringWords(String(repeating: "q", count: 16)).isSmall)
        #expect(!StringWords(outOfLine("qa")).isSmall, "a reserved string is stored out of line")
    }

    static let texts = ["", "a", "qa", "beta", "KR", "u-100007", "abcdefghijklmn", "abcdefghijklmno", "abcdefghijklmnop",
                        "é", "e\u{301}", "ünïcødé", "x@acme.com", "ana.kim@acme.com"]

    @Test("equality agrees between inline, out-of-line and long strings")
    func equality() {
        for x in Self.texts {
            for y in Self.texts {
                let expected = Array(x.utf8) == Array(y.utf8)
                for (a, b) in [(x, y), (outOfLine(x), y), (x, outOfLine(y)), (outOfLine(x), outOfLine(y))] {
                    #expect(scalarEqual(a, b) == expected, "\(x) vs \(y)")
                    #expect((Value.string(a) == .string(b)) == expected)
                }
            }
        }
        // Canonically equivalent but different scalars: unequal, as documented.
        #expect(!scalarEqual("é", "e\u{301}"))
    }

    @Test("constant sets find inline and out-of-line keys, scanned and hashed", arguments: [3, 9, 200])
    func constantSets(size: Int) {
        var members = Set<Value>(Self.texts.map { .string($0) })
        for i in 0..<size { members.insert(.string("m-\(i)")) }
        members.insert(5)
        let set = ConstantSet(members)
        for text in Self.texts + (0..<size).map { "m-\($0)" } {
            #expect(set.contains(.string(text)), "\(text)")
            #expect(set.contains(.string(outOfLine(text))), "\(text) out of line")
        }
        for text in ["b", "m-", "m-\(size)", "abcdefghijklmnoq", "É", "qa "] {
            #expect(!set.contains(.string(text)), "\(text)")
            #expect(!set.contains(.string(outOfLine(text))), "\(text) out of line")
        }
        #expect(set.contains(5))
        #expect(!set.contains("5"))
    }

    @Test("bucket hashes the same for inline, out-of-line and long keys and salts")
    func bucket() throws {
        let long = String(repeating: "salt-", count: 30)  // salt + key over the 128-byte buffer
        for salt in ["", "new_checkout", long] {
            for key in Self.texts + [String(repeating: "k", count: 200)] {
                var hasher = MurmurHash3()
                hasher.combine(utf8: salt + ":" + key)
                let expected = UInt64(hasher.finalize()) % 100
                for (k, s) in [(key, salt), (outOfLine(key), outOfLine(salt)), (outOfLine(key), salt), (key, outOfLine(salt))] {
                    #expect(withUTF8Bytes(s) { Builtin.bucketIndex(of: .string(k), salt: $0, buckets: 100) } == expected, "\(salt):\(key)")
                    #expect(try Builtin.bucket(.string(k), salt: .string(s), buckets: 100) == .number(Double(expected)))
                }
            }
        }
    }
}
