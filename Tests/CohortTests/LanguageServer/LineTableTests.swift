import Cohort
import Testing

@Suite("Line table (UTF-16 positions)")
struct LineTableTests {
    @Test("positions count UTF-16 code units: é is one, 🚀 is two")
    func utf16() {
        let text = "é🚀x\nab"
        let table = LineTable(bytes: Array(text.utf8))
        // Bytes: é 0-1, 🚀 2-5, x 6, \n 7, a 8, b 9.
        #expect(table.position(of: 2) == Position(line: 0, character: 1))
        #expect(table.position(of: 6) == Position(line: 0, character: 3))
        #expect(table.position(of: 8) == Position(line: 1, character: 0))
        #expect(table.offset(of: Position(line: 0, character: 3)) == 6)
        #expect(table.offset(of: Position(line: 0, character: 1)) == 2)
        // Inside the surrogate pair: the start of the emoji.
        #expect(table.offset(of: Position(line: 0, character: 2)) == 2)
        // Past the end of a line: the end of that line, not the next one.
        #expect(table.offset(of: Position(line: 0, character: 99)) == 7)
        // Past the last line: the end of the text.
        #expect(table.offset(of: Position(line: 9, character: 0)) == 10)
        #expect(table.wholeRange == TextRange(start: Position(line: 0, character: 0), end: Position(line: 1, character: 2)))
    }

    @Test("lines end at \\n, \\r\\n and a lone \\r, as LSP says")
    func lineBreaks() {
        let table = LineTable(bytes: Array("a\r\nb\rc\nd".utf8))
        #expect(table.lineStarts == [0, 3, 5, 7])
        #expect(table.lineEnd(0) == 1)
        #expect(table.offset(of: Position(line: 0, character: 5)) == 1)
        #expect(table.position(of: 5) == Position(line: 2, character: 0))
    }

    @Test("every offset and position round-trip on mixed text")
    func roundTrip() {
        let text = "flag a = \"żółw 🐢\" # 🚀\r\nlet b = 1\rsegment c = true\n"
        let bytes = Array(text.utf8)
        let table = LineTable(bytes: bytes)
        for offset in 0...bytes.count where offset == bytes.count || bytes[offset] & 0xC0 != 0x80 {
            let position = table.position(of: offset)
            let back = table.offset(of: position)
            // A line break's second byte maps to the start of the next line's position.
            if offset > 0, bytes[offset - 1] == UInt8(ascii: "\r"), offset < bytes.count, bytes[offset] == UInt8(ascii: "\n") { continue }
            #expect(back == offset, "offset \(offset) -> \(position) -> \(back)")
        }
    }
}
