/// MurmurHash3 x86_32 (Austin Appleby's public-domain reference), fed incrementally.
///
/// Streaming lets `bucket` hash `salt + ":" + key` piece by piece without building the
/// concatenated string, so a bucket costs no allocation. Feeding the same bytes in any
/// split gives the same hash as hashing them at once.
package struct MurmurHash3: Sendable {
    private static let c1: UInt32 = 0xcc9e_2d51
    private static let c2: UInt32 = 0x1b87_3593

    /// The running hash over every complete 4-byte block so far.
    private var h1: UInt32
    /// Up to three bytes waiting for a complete block, little-endian in the low bits.
    private var tail: UInt32 = 0
    /// How many bytes `tail` holds (0 ... 3).
    private var tailCount: UInt32 = 0
    /// Total bytes fed, modulo 2^32 as in the reference (which mixes in its `int len`).
    private var length: UInt32 = 0

    /// A hasher with no input yet.
    package init(seed: UInt32 = 0) {
        h1 = seed
    }

    /// Feeds `bytes`.
    package mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        guard count > 0 else { return }
        length &+= UInt32(truncatingIfNeeded: count)
        var i = 0
        // Top up a partial block left by an earlier call.
        while tailCount != 0, i < count {
            pushTail(bytes[i])
            i += 1
        }
        // Whole blocks straight from the buffer; the hash reads blocks little-endian.
        while count - i >= 4 {
            mixBlock(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            i += 4
        }
        while i < count {
            pushTail(bytes[i])
            i += 1
        }
    }

    /// Feeds one byte.
    package mutating func combine(byte: UInt8) {
        length &+= 1
        pushTail(byte)
    }

    /// Feeds the UTF-8 of `string`. `withUTF8` on a local copy reads a native string's
    /// storage in place (no allocation); only bridged or non-UTF-8 strings get copied.
    package mutating func combine(utf8 string: String) {
        withUTF8Bytes(string) { combine(UnsafeRawBufferPointer($0)) }
    }

    /// The hash of everything fed so far. The hasher itself is unchanged, so more bytes
    /// may still be fed afterwards.
    package func finalize() -> UInt32 {
        var h = h1
        if tailCount > 0 {
            var k = tail &* Self.c1
            k = Self.rotl(k, 15) &* Self.c2
            h ^= k
        }
        h ^= length
        // fmix32: the final avalanche.
        h ^= h >> 16
        h &*= 0x85eb_ca6b
        h ^= h >> 13
        h &*= 0xc2b2_ae35
        h ^= h >> 16
        return h
    }

    /// The hash of `bytes` in one go.
    package static func hash(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    /// The hash of `bytes` in one go: whole blocks, then the tail, with no streaming state
    /// (the reference algorithm as written; `combine` gives the same for any split).
    @inline(__always)
    package static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var hasher = MurmurHash3(seed: seed)
        let count = bytes.count
        var i = 0
        while count - i >= 4 {
            hasher.mixBlock(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
            i += 4
        }
        var tail: UInt32 = 0
        var shift: UInt32 = 0
        while i < count {
            tail |= UInt32(bytes[i]) << shift
            shift += 8
            i += 1
        }
        hasher.tail = tail
        hasher.tailCount = shift / 8
        hasher.length = UInt32(truncatingIfNeeded: count)
        return hasher.finalize()
    }

    @inline(__always)
    private mutating func pushTail(_ byte: UInt8) {
        tail |= UInt32(byte) << (8 * tailCount)
        tailCount += 1
        if tailCount == 4 {
            mixBlock(tail)
            tail = 0
            tailCount = 0
        }
    }

    @inline(__always)
    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x << n) | (x >> (32 - n))
    }

    @inline(__always)
    private mutating func mixBlock(_ block: UInt32) {
        var k = block &* Self.c1
        k = Self.rotl(k, 15) &* Self.c2
        h1 ^= k
        h1 = Self.rotl(h1, 13)
        h1 = h1 &* 5 &+ 0xe654_6b64
    }
}

/// `saltedHash(salt:key:)` of a key given as a string.
@inline(__always)
package func saltedHash(salt: String, key: String) -> UInt32 {
    withShortUTF8Bytes(key) { key in withShortUTF8Bytes(salt) { saltedHash(salt: $0, key: key) } }
}

/// `murmur3_x86_32(utf8(salt + ":" + key), seed 0)`. Salt and key are short (a flag name,
/// a user id), so they are joined in a buffer on the stack and hashed in one pass: fed piece
/// by piece, every byte after an unaligned piece would go through the one-byte tail.
@inline(__always)
package func saltedHash(salt: UnsafeBufferPointer<UInt8>, key: UnsafeBufferPointer<UInt8>) -> UInt32 {
    let total = salt.count + 1 + key.count
    guard total <= 128 else {
        var hasher = MurmurHash3()
        hasher.combine(UnsafeRawBufferPointer(salt))
        hasher.combine(byte: UInt8(ascii: ":"))
        hasher.combine(UnsafeRawBufferPointer(key))
        return hasher.finalize()
    }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { joined in
        let base = joined.baseAddress!
        if let s = salt.baseAddress { copyShortBytes(s, count: salt.count, to: base) }
        base[salt.count] = UInt8(ascii: ":")
        if let k = key.baseAddress { copyShortBytes(k, count: key.count, to: base + salt.count + 1) }
        return MurmurHash3.hash(UnsafeRawBufferPointer(start: base, count: total))
    }
}
