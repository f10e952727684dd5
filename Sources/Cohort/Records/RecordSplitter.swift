import Foundation

/// The layout of a batch input.
public enum RecordFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (blank lines are skipped).
    case jsonl
    /// One JSON array of objects.
    case json
    /// RFC 4180 CSV with a header row; `name:number`, `name:bool`, `name:list` type a column.
    case csv

    /// The format a file name implies: `.json` → JSON array, `.csv` → CSV, anything else JSON Lines.
    public static func inferred(fromPath path: String) -> RecordFormat {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") { return .csv }
        return .jsonl
    }
}

/// Where one record lies in a buffer, and the 1-based input line it starts on.
package struct RecordSpan: Sendable, Hashable {
    package var start: Int
    package var end: Int
    package var line: Int
    /// Set when the input's framing is broken here (e.g. a JSON array that is not one); the
    /// record is then reported as unreadable with this message.
    package var framingError: String?
}

/// Cuts a stream of bytes into records, incrementally: feed it buffers and it returns the
/// complete records in each, and how many bytes it consumed; the rest is kept by the caller
/// and passed again with more input. A quote-aware scan, so a CSV field or JSON string with a
/// newline or comma inside does not split a record.
package struct RecordSplitter: Sendable {
    package let format: RecordFormat
    /// The 1-based line of the next unconsumed byte.
    package private(set) var line = 1
    private var arrayState: ArrayState = .beforeOpen
    private enum ArrayState { case beforeOpen, inArray, afterClose, broken }

    package init(format: RecordFormat) {
        self.format = format
    }

    /// Splits `buffer`; with `final`, the end of input closes the last record.
    package mutating func split(_ buffer: UnsafeRawBufferPointer, final: Bool) -> (records: [RecordSpan], consumed: Int) {
        switch format {
        case .jsonl: return splitLines(buffer, final: final)
        case .csv: return splitCSV(buffer, final: final)
        case .json: return splitArray(buffer, final: final)
        }
    }

    private mutating func splitLines(_ b: UnsafeRawBufferPointer, final: Bool) -> ([RecordSpan], Int) {
        var records: [RecordSpan] = []
        var start = 0
        let n = b.count
        // libc's `memchr` finds each newline many bytes at a time; a record is ~200 bytes.
        while start < n, let found = memchr(b.baseAddress! + start, Int32(UInt8(ascii: "\n")), n - start) {
            let i = b.baseAddress!.distance(to: UnsafeRawPointer(found))
            appendLine(b, start, i, &records)
            line += 1
            start = i + 1
        }
        if final && start < n {
            appendLine(b, start, n, &records)
            start = n
        }
        return (records, start)
    }

    private func appendLine(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ records: inout [RecordSpan]) {
        var e = end
        if e > start, b[e - 1] == UInt8(ascii: "\r") { e -= 1 }
        var blank = true
        for k in start..<e where !isJSONSpace(b[k]) {
            blank = false
            break
        }
        if !blank { records.append(RecordSpan(start: start, end: e, line: line)) }
    }

    private mutating func splitCSV(_ b: UnsafeRawBufferPointer, final: Bool) -> ([RecordSpan], Int) {
        var records: [RecordSpan] = []
        var start = 0, startLine = line
        var inQuotes = false
        var i = 0
        let n = b.count
        var lineHere = line
        while i < n {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                inQuotes.toggle()
            } else if c == UInt8(ascii: "\n") {
                lineHere += 1
                if !inQuotes {
                    var e = i
                    if e > start, b[e - 1] == UInt8(ascii: "\r") { e -= 1 }
                    if e > start { records.append(RecordSpan(start: start, end: e, line: startLine)) }
                    start = i + 1
                    startLine = lineHere
                }
            }
            i += 1
        }
        if final && start < n {
            var e = n
            if b[e - 1] == UInt8(ascii: "\r") { e -= 1 }
            if e > start { records.append(RecordSpan(start: start, end: e, line: startLine)) }
            start = n
        }
        line = startLine
        if final { line = lineHere }
        return (records, start)
    }

    private mutating func splitArray(_ b: UnsafeRawBufferPointer, final: Bool) -> ([RecordSpan], Int) {
        var records: [RecordSpan] = []
        let n = b.count
        var i = 0
        var consumed = 0
        func skipSpace() {
            while i < n, isJSONSpace(b[i]) {
                if b[i] == UInt8(ascii: "\n") { line += 1 }
                i += 1
            }
        }
        while true {
            switch arrayState {
            case .broken:
                return (records, n)
            case .afterClose:
                skipSpace()
                consumed = i
                if i < n {
                    records.append(RecordSpan(start: i, end: n, line: line, framingError: "unexpected data after the JSON array"))
                    arrayState = .broken
                    return (records, n)
                }
                return (records, consumed)
            case .beforeOpen:
                skipSpace()
                consumed = i
                guard i < n else {
                    if final { records.append(RecordSpan(start: 0, end: 0, line: line, framingError: "empty input: expected a JSON array of records")) }
                    return (records, consumed)
                }
                guard b[i] == UInt8(ascii: "[") else {
                    records.append(RecordSpan(start: i, end: n, line: line, framingError: "a .json input must be a JSON array of records (use .jsonl for JSON Lines)"))
                    arrayState = .broken
                    return (records, n)
                }
                i += 1
                consumed = i
                arrayState = .inArray
                skipSpace()
                if i < n, b[i] == UInt8(ascii: "]") {
                    i += 1
                    consumed = i
                    arrayState = .afterClose
                    continue
                }
            case .inArray:
                skipSpace()
                // The whitespace is counted in `line` now, so it must be consumed too: were
                // it passed again with the next buffer, its newlines would be counted twice.
                consumed = i
                let start = i, startLine = line
                // Scan one element to the comma or bracket that ends it at depth 0.
                var depth = 0, inString = false, escaped = false
                var newlines = 0
                var end = -1
                var k = i
                while k < n {
                    let c = b[k]
                    if c == UInt8(ascii: "\n") { newlines += 1 }
                    if inString {
                        if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inString = false }
                    } else if c == UInt8(ascii: "\"") {
                        inString = true
                    } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        depth += 1
                    } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        if depth == 0 { end = k; break }
                        depth -= 1
                    } else if c == UInt8(ascii: ","), depth == 0 {
                        end = k
                        break
                    }
                    k += 1
                }
                if end < 0 {
                    if final {
                        records.append(RecordSpan(start: start, end: n, line: startLine, framingError: "unterminated JSON array (missing ']')"))
                        arrayState = .broken
                        return (records, n)
                    }
                    line = startLine
                    return (records, consumed)
                }
                var e = end
                while e > start, isJSONSpace(b[e - 1]) { e -= 1 }
                let closing = b[end] == UInt8(ascii: "]")
                if e > start || !closing {
                    records.append(RecordSpan(start: start, end: e, line: startLine))
                }
                line = startLine + newlines
                i = end + 1
                consumed = i
                if closing { arrayState = .afterClose }
            }
        }
    }
}

@inline(__always) package func isJSONSpace(_ c: UInt8) -> Bool {
    c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
}
