import Cohort
import Testing

@Suite("MurmurHash3")
struct MurmurHash3Tests {
    /// Published MurmurHash3 x86_32 vectors (text, seed, hash).
    static let reference: [(String, UInt32, UInt32)] = [
        ("", 0, 0),
        ("", 1, 0x514E_28B7),
        ("", 0xFFFF_FFFF, 0x81F1_6F39),
        ("a", 0, 0x3C25_69B2),
        ("ab", 0, 0x9BBF_D75F),
        ("abc", 0, 0xB3DD_93FA),
        ("abcd", 0, 0x43ED_676A),
        ("hello", 0, 0x248B_FA47),
        ("Hello, world!", 1234, 0xFAF6_CDB3),
        ("The quick brown fox jumps over the lazy dog", 0, 0x2E4F_F723),
        ("The quick brown fox jumps over the lazy dog", 0x9747_B28C, 0x2FA8_26CD),
    ]

    @Test("matches the reference implementation", arguments: reference)
    func referenceVectors(text: String, seed: UInt32, expected: UInt32) {
        #expect(MurmurHash3.hash(Array(text.utf8), seed: seed) == expected)
        var hasher = MurmurHash3(seed: seed)
        hasher.combine(utf8: text)
        #expect(hasher.finalize() == expected)
    }

    /// `salt:key` strings and their bucket out of `buckets` (the design's vectors, equal to
    /// Unleash's `normalizedHash - 1`).
    static let buckets: [(String, String, UInt64, UInt64)] = [
        ("", "u-42", 100, 94),
        ("new_checkout", "u-42", 100, 3),
        ("new_checkout", "1001", 100, 14),
        ("checkout_button", "alice@example.com", 100, 73),
        ("new_checkout", "u-42", 10_000, 403),
        ("new_checkout", "u-42", 1, 0),
    ]

    @Test("bucket vectors", arguments: buckets)
    func bucketVectors(salt: String, key: String, count: UInt64, expected: UInt64) {
        #expect(withShortUTF8Bytes(salt) { Builtin.bucketIndex(of: .string(key), salt: $0, buckets: count) } == expected)
        // The same as hashing the joined string at once.
        #expect(UInt64(MurmurHash3.hash(Array((salt + ":" + key).utf8))) % count == expected)
    }

    @Test("a bucket count of zero is a fault, never a division by zero")
    func zeroBuckets() {
        #expect(throws: Fault.self) { try Builtin.bucket("u-42", salt: "s", buckets: 0) }
    }

    @Test("streaming with the input split anywhere gives the same hash", arguments: [
        "", "a", "abcd", "abcdefg", "new_checkout:u-42", "The quick brown fox jumps over the lazy dog",
        "ünïcödé — 😀 and more", String(repeating: "0123456789", count: 7),
    ])
    func streamingSplits(text: String) {
        let bytes = Array(text.utf8)
        for seed: UInt32 in [0, 1, 0x9747_B28C] {
            let whole = MurmurHash3.hash(bytes, seed: seed)
            for split in 0...bytes.count {
                var hasher = MurmurHash3(seed: seed)
                bytes[..<split].withUnsafeBytes { hasher.combine($0) }
                bytes[split...].withUnsafeBytes { hasher.combine($0) }
                #expect(hasher.finalize() == whole, "split at \(split), seed \(seed)")
            }
            // Split into three, with a single byte in the middle fed on its own.
            for split in 0..<bytes.count {
                var hasher = MurmurHash3(seed: seed)
                bytes[..<split].withUnsafeBytes { hasher.combine($0) }
                hasher.combine(byte: bytes[split])
                bytes[(split + 1)...].withUnsafeBytes { hasher.combine($0) }
                #expect(hasher.finalize() == whole, "byte at \(split), seed \(seed)")
            }
            // Byte by byte.
            var hasher = MurmurHash3(seed: seed)
            for byte in bytes { hasher.combine(byte: byte) }
            #expect(hasher.finalize() == whole)
        }
    }

    @Test("finalize leaves the hasher usable")
    func finalizeIsNonDestructive() {
        var hasher = MurmurHash3()
        hasher.combine(utf8: "new_checkout")
        _ = hasher.finalize()
        hasher.combine(utf8: ":u-42")
        #expect(UInt64(hasher.finalize()) % 100 == 3)
    }

    @Test("an empty buffer changes nothing")
    func emptyBuffer() {
        var hasher = MurmurHash3()
        hasher.combine(utf8: "ab")
        hasher.combine(UnsafeRawBufferPointer(start: nil, count: 0))
        hasher.combine(utf8: "")
        hasher.combine(utf8: "c")
        #expect(hasher.finalize() == 0xB3DD_93FA)
    }
}
