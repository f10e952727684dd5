import Foundation

/// A growable byte buffer for a chunk's output: appending is a bounds check and a copy.
///
/// `[UInt8].append(contentsOf:)` checks uniqueness and capacity and goes through generic
/// code on every call; a result line is a dozen appends, so that overhead was a sizeable
/// part of writing a record. One writer per chunk, owned by one thread.
final class ByteWriter {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deallocate()
    }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    private func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    /// Makes room for `total` bytes in all, so that appending up to there never copies.
    func ensureCapacity(_ total: Int) {
        if total > capacity { reallocate(total) }
    }

    private func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        reallocate(size)
    }

    private func reallocate(_ size: Int) {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        copyShortBytes(source, count: bytes.count, to: base + count)
        count += bytes.count
    }

    /// Appends a short string given by its words between double quotes, when it is a JSON
    /// string with nothing to escape (ASCII, no control character, quote or backslash);
    /// false, writing nothing, otherwise (or when the words are not a small string's).
    @inline(__always)
    func appendQuotedPlain(_ words: StringWords) -> Bool {
        guard words.isSmall, StringWords.layoutVerified else { return false }
        let n = Int(truncatingIfNeeded: words.high >> 56) & 0xF
        // The bytes past the string (and its count byte) read as 'A', which needs nothing.
        let fill: UInt64 = 0x4141_4141_4141_4141
        let lowValid: UInt64 = n >= 8 ? ~0 : (1 &<< (8 &* UInt64(n))) &- 1
        let highValid: UInt64 = n <= 8 ? 0 : (1 &<< (8 &* UInt64(n - 8))) &- 1
        let low = (words.low & lowValid) | (fill & ~lowValid), high = (words.high & highValid) | (fill & ~highValid)
        guard JSONParser.specialBytes(low) | JSONParser.specialBytes(high) == 0 else { return false }
        reserve(18)
        let to = UnsafeMutableRawPointer(base + count)
        to.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        to.storeBytes(of: words.low, toByteOffset: 1, as: UInt64.self)
        to.storeBytes(of: words.high, toByteOffset: 9, as: UInt64.self)
        to.storeBytes(of: UInt8(ascii: "\""), toByteOffset: n + 1, as: UInt8.self)
        count += n + 2
        return true
    }

    /// Appends `bytes` between double quotes: a JSON string with nothing to escape.
    @inline(__always)
    func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count + 2)
        base[count] = UInt8(ascii: "\"")
        if let source = bytes.baseAddress { copyShortBytes(UnsafeRawPointer(source), count: bytes.count, to: base + count + 1) }
        base[count + 1 + bytes.count] = UInt8(ascii: "\"")
        count += bytes.count + 2
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(UnsafeRawBufferPointer(bytes))
    }

    @inline(__always)
    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    @inline(__always)
    func append(byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    func append(_ text: String) {
        withUTF8Bytes(text) { append($0) }
    }

    /// Everything written, as an array.
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Everything written, handed over without a copy (a chunk's output is a megabyte);
    /// the writer starts again, empty.
    func take() -> Data {
        let data = Data(bytesNoCopy: base, count: count, deallocator: .custom { pointer, _ in
            pointer.assumingMemoryBound(to: UInt8.self).deallocate()
        })
        capacity = 64
        base = .allocate(capacity: capacity)
        count = 0
        return data
    }
}
