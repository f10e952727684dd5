@testable import Cohort
import Testing

/// The output buffer of a batch chunk: pieces of every length are copied exactly (lengths
/// up to 32 take the word-copy paths, longer ones `memcpy`), and growing keeps what was written.
@Suite("Byte writer")
struct ByteWriterTests {
    @Test("pieces of every length from 0 to 80 bytes are appended exactly, quoted or not")
    func everyLength() {
        let writer = ByteWriter(capacity: 1)
        var expected: [UInt8] = []
        for n in 0...80 {
            let piece = (0..<n).map { UInt8(truncatingIfNeeded: 65 + (n * 7 + $0) % 58) }
            piece.withUnsafeBytes { writer.append($0) }
            expected += piece
            piece.withUnsafeBufferPointer { writer.appendQuoted($0) }
            expected += [34] + piece + [34]
            writer.append(byte: 10)
            expected.append(10)
            #expect(writer.bytes == expected, "after a piece of \(n) bytes")
        }
        #expect(writer.count == expected.count)
    }

    @Test("strings and arrays go in as their UTF-8 bytes")
    func text() {
        let writer = ByteWriter(capacity: 4)
        writer.append("héllo, ")
        writer.append(Array("wörld".utf8))
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "héllo, wörld")
    }

    @Test("short strings are written from their words when nothing needs escaping, and refused otherwise")
    func quotedWords() {
        let plain = (0...15).map { String("abcdefghij-_.@1".prefix($0)) }
        let special = ["a\"b", "back\\slash", "tab\there", "\u{1}", "é", "line\n", "0123456789abcd\""]
        for text in plain + special + [String(repeating: "x", count: 16)] {
            let writer = ByteWriter(capacity: 1)
            writer.append(byte: UInt8(ascii: "["))
            let written = writer.appendQuotedPlain(StringWords(text))
            let expectWritten = StringWords.layoutVerified && text.utf8.count <= 15 && plain.contains(text)
            #expect(written == expectWritten, "\(text.debugDescription)")
            #expect(writer.bytes == [UInt8(ascii: "[")] + (written ? Array("\"\(text)\"".utf8) : []), "\(text.debugDescription)")
        }
    }
}

