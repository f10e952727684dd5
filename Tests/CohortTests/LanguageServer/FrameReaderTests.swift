import Cohort
import Testing

@Suite("Frame reader")
struct FrameReaderTests {
    static func frame(_ body: String) -> [UInt8] {
        Array("Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    /// Everything the reader finds in `bytes`, fed in chunks of `chunkSize`, then the end.
    static func events(_ bytes: [UInt8], chunkSize: Int = .max) -> [FrameReader.Event] {
        var reader = FrameReader()
        var out: [FrameReader.Event] = []
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + max(1, min(chunkSize, bytes.count)))
            reader.append(Array(bytes[i..<end]))
            i = end
            while let event = reader.next() { out.append(event) }
        }
        if let last = reader.finish() { out.append(last) }
        return out
    }

    static func message(_ text: String) -> FrameReader.Event { .message(Array(text.utf8)) }

    @Test("frames back to back, in any chunking, give the same bodies")
    func chunking() {
        let bytes = Self.frame(#"{"a":1}"#) + Self.frame(#"{"b":"é🚀"}"#) + Self.frame("{}")
        let expected = [Self.message(#"{"a":1}"#), Self.message(#"{"b":"é🚀"}"#), Self.message("{}")]
        for size in [1, 2, 3, 7, 16, 1000] {
            #expect(Self.events(bytes, chunkSize: size) == expected, "chunks of \(size)")
        }
    }

    @Test("Content-Type and unknown headers are ignored; header names are case-insensitive; \\n\\n is tolerated")
    func headers() {
        let bytes = Array("Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: 2\r\nX-Other: 1\r\n\r\n{}".utf8)
            + Array("CONTENT-LENGTH:  2 \n\n[]".utf8)
        #expect(Self.events(bytes) == [Self.message("{}"), Self.message("[]")])
    }

    @Test("a malformed header is reported once and the next frame is still read", arguments: [
        ("no length", "Content-Type: x\r\n\r\n", "a message header without Content-Length"),
        ("not a number", "Content-Length: ten\r\n\r\n", "Content-Length 'ten' is not a number of bytes"),
        ("negative", "Content-Length: -5\r\n\r\n", "Content-Length '-5' is not a number of bytes"),
        ("no colon", "hello there\r\n\r\n", "malformed message header line 'hello there': expected 'Name: value'"),
        ("two lengths", "Content-Length: 2\r\nContent-Length: 3\r\n\r\n", "the header gives two different Content-Lengths (2 and 3)"),
        ("too large", "Content-Length: 999999999999\r\n\r\n", "a message of 999999999999 bytes is larger than 67108864 bytes (limit)"),
    ])
    func malformed(_ name: String, _ header: String, _ problem: String) {
        let events = Self.events(Array(header.utf8) + Self.frame(#"{"ok":true}"#))
        #expect(events == [.malformed(problem), Self.message(#"{"ok":true}"#)])
    }

    @Test("a body with a bad header is skipped up to the next Content-Length, even with no line break before it")
    func resynchronizes() {
        let bytes = Array("Content-Length: x\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\":\"lost\"}".utf8) + Self.frame("{}")
        #expect(Self.events(bytes) == [.malformed("Content-Length 'x' is not a number of bytes"), Self.message("{}")])
    }

    @Test("a header that never ends is refused after 8 KiB instead of buffered without end")
    func endlessHeader() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 20_000) + Self.frame("{}")
        let events = Self.events(bytes, chunkSize: 4096)
        #expect(events.first == .malformed("a message header longer than 8192 bytes (limit) has no empty line after it"))
        #expect(events.last == Self.message("{}"))
    }

    @Test("input that ends inside a frame is reported")
    func truncated() {
        #expect(Self.events(Array("Content-Length: 10\r\n\r\n{\"a\"".utf8)) == [.malformed("input ended inside a message: 4 of its 10 bytes arrived")])
        #expect(Self.events(Array("Content-Len".utf8)) == [.malformed("input ended inside a message header")])
        #expect(Self.events(Array("\r\n\r\n".utf8)) == [])
    }

    @Test("random bytes never crash the reader, never make it loop, and every byte is accounted for")
    func fuzz() {
        var random = SplitMix64(seed: 19)
        let pieces: [[UInt8]] = [
            Array("Content-Length: ".utf8), Array("\r\n".utf8), Array("\r\n\r\n".utf8), Array("12".utf8), Array(":".utf8),
            Array("{}".utf8), Array("content-length:3\n\n".utf8), [0], [0xFF], [0xC3], Array("999999999".utf8),
        ]
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<random.below(40) {
                if random.below(3) == 0 {
                    bytes += (0..<random.below(30)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                } else {
                    bytes += pieces[random.below(pieces.count)]
                }
            }
            let events = Self.events(bytes, chunkSize: 1 + random.below(64))
            // Each event consumes at least one byte, so there can be no more events than bytes.
            #expect(events.count <= bytes.count + 1)
            for case .message(let body) in events { #expect(body.count <= bytes.count) }
        }
    }
}
