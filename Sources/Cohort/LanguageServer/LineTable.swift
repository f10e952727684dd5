/// Converts between UTF-8 byte offsets (the library's spans) and LSP positions.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, as LSP specifies. Characters are counted in
/// UTF-16 code units, LSP's default and the one encoding every client supports: a scalar
/// outside the Basic Multilingual Plane (an emoji) counts two.
package struct LineTable: Sendable {
    /// The text, as UTF-8.
    package let bytes: [UInt8]
    /// Byte offset where each line starts; the first is 0.
    package let lineStarts: [Int]

    /// The line table of UTF-8 text.
    package init(bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                starts.append(i + 1)
            } else if b == UInt8(ascii: "\r") {
                if i + 1 < n, bytes[i + 1] == UInt8(ascii: "\n") { i += 1 }
                starts.append(i + 1)
            }
            i += 1
        }
        self.lineStarts = starts
    }

    /// The number of lines (an empty text has one).
    package var lineCount: Int { lineStarts.count }

    /// Where the text of 0-based `line` ends: the offset of its line break, or of the end.
    package func lineEnd(_ line: Int) -> Int {
        guard line + 1 < lineStarts.count else { return bytes.count }
        var end = lineStarts[line + 1] - 1
        if end > lineStarts[line], bytes[end] == UInt8(ascii: "\n"), bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return end
    }

    /// The 0-based line holding a byte offset.
    package func line(of offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The position of a byte offset (clamped to the text).
    package func position(of offset: Int) -> Position {
        let offset = min(max(0, offset), bytes.count)
        let line = line(of: offset)
        var units = 0
        var i = lineStarts[line]
        while i < offset {
            let b = bytes[i]
            if b & 0xC0 != 0x80 { units += b >= 0xF0 ? 2 : 1 }
            i += 1
        }
        return Position(line: line, character: units)
    }

    /// The byte offset of a position. A line past the end means the end of the text; a
    /// character past the end of its line means the end of the line (as LSP asks); one
    /// that falls inside a surrogate pair means the start of that scalar.
    package func offset(of position: Position) -> Int {
        guard position.line < lineStarts.count else { return bytes.count }
        let end = lineEnd(position.line)
        var i = lineStarts[position.line]
        var units = 0
        while i < end {
            let b = bytes[i]
            let width = b < 0x80 ? 1 : b >= 0xF0 ? 2 : 1
            if units + width > position.character { break }
            units += width
            i += 1
            while i < end, bytes[i] & 0xC0 == 0x80 { i += 1 }
        }
        return i
    }

    /// The range of a span.
    package func range(of span: SourceSpan) -> TextRange {
        TextRange(start: position(of: span.start), end: position(of: span.end))
    }

    /// The range covering the whole text.
    package var wholeRange: TextRange {
        TextRange(start: Position(line: 0, character: 0), end: position(of: bytes.count))
    }
}
