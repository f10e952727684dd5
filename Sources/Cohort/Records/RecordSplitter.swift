import Foundation

/// The layout of a batch input.
package enum RecordFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (blank lines are skipped).
    case jsonl
    /// One JSON array of objects.
    case json
    /// RFC 4180 CSV with a header row; `name:number`, `name:bool`, `name:list` type a column.
    case csv

    /// The format a file name implies: `.json` → JSON array, `.csv` → CSV, anything else JSON Lines.
    package static func inferred(fromPath path: String) -> RecordFormat {
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

    package init(start: Int, end: Int, line: Int, framingError: String? = nil) {
        self.start = start
        self.end = end
        self.line = line
        self.framingError = framingError
    }
}

/// Cuts a stream of bytes into records, incrementally: feed it buffers and it returns the
/// complete records in each, and how many bytes it consumed; the rest is kept by the caller
/// and passed again, with more input after it. A quote-aware scan, so a CSV field or JSON
/// string with a newline or comma inside does not split a record.
///
/// A record still incomplete at the end of a buffer is not scanned again from its start:
/// the splitter remembers how far it got (and the scanner's state there), so a record of
/// any length costs time linear in its length, however many reads it takes to arrive.
/// A UTF-8 byte-order mark at the very start of the input is skipped.
package struct RecordSplitter: Sendable {
    package let format: RecordFormat
    /// The 1-based line of the next unconsumed byte.
    package private(set) var line: Int
    /// A CSV row whose quoted field runs over line ends is taken back to its first line
    /// (and reported) once it is longer than this; see `splitCSV`.
    package var maxRecordBytes = Int.max
    /// True until the first bytes have been seen (a byte-order mark may start them).
    private var atInputStart = true
    /// Bytes at the start of the next buffer (after what was consumed) already scanned as
    /// part of an incomplete record, and the scanner's state at that point.
    private var resume = 0
    private var csvState = CSVScan()
    private var arrayScan = ArrayScan()
    private var arrayState: ArrayState = .beforeOpen
    /// The number of fields of a CSV input's header row (its first record), once seen.
    private var csvColumns: Int?
    private enum ArrayState { case beforeOpen, inArray, afterClose, broken }

    /// - Parameter firstLine: the line number of the input's first line (1, or more when
    ///   the input is a part of a larger file: `--line-offset`).
    package init(format: RecordFormat, firstLine: Int = 1) {
        self.format = format
        self.line = firstLine
    }

    /// Splits `buffer`; with `final`, the end of input closes the last record. At most
    /// `limit` records are returned; `consumed` then ends after the last of them.
    package mutating func split(_ buffer: UnsafeRawBufferPointer, final: Bool, limit: Int = .max) -> (records: [RecordSpan], consumed: Int) {
        if atInputStart {
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            let seen = min(buffer.count, 3)
            let isBOMPrefix = (0..<seen).allSatisfy { buffer[$0] == bom[$0] }
            if isBOMPrefix && seen < 3 && !final { return ([], 0) }
            atInputStart = false
            if isBOMPrefix && seen == 3 {
                var (records, consumed) = split(UnsafeRawBufferPointer(rebasing: buffer[3...]), final: final, limit: limit)
                for i in records.indices {
                    records[i].start += 3
                    records[i].end += 3
                }
                return (records, consumed + 3)
            }
        }
        let limit = max(limit, 1)
        switch format {
        case .jsonl: return splitLines(buffer, final: final, limit: limit)
        case .csv: return splitCSV(buffer, final: final, limit: limit)
        case .json: return splitArray(buffer, final: final, limit: limit)
        }
    }

    private mutating func splitLines(_ b: UnsafeRawBufferPointer, final: Bool, limit: Int) -> ([RecordSpan], Int) {
        var records: [RecordSpan] = []
        var start = 0
        let n = b.count
        // The first record's first `resume` bytes were scanned in an earlier call: no
        // newline there.
        var searchFrom = min(resume, n)
        resume = 0
        // libc's `memchr` finds each newline many bytes at a time; a record is ~200 bytes.
        while searchFrom < n, records.count < limit,
              let found = memchr(b.baseAddress! + searchFrom, Int32(UInt8(ascii: "\n")), n - searchFrom) {
            let i = b.baseAddress!.distance(to: UnsafeRawPointer(found))
            appendLine(b, start, i, &records)
            line += 1
            start = i + 1
            searchFrom = start
        }
        if records.count < limit {
            if final && start < n {
                appendLine(b, start, n, &records)
                start = n
            } else {
                resume = n - start
            }
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

    /// The CSV scanner's state inside a row (RFC 4180).
    private struct CSVScan {
        /// At the first byte of a field: only there does a `"` open a quoted field.
        var fieldStart = true
        var inQuotes = false
        /// A `"` inside a quoted field was the last byte: the next one tells whether it was
        /// an escaped quote (`""`) or the closing one.
        var quotePending = false
        /// Right after a closing quote: only `,` or the line end may follow.
        var afterClose = false
        /// Fields completed so far in the row.
        var fields = 0
        /// Line ends inside the row so far (inside quoted fields).
        var newlines = 0
        /// Offset, from the row's start, of its first line end inside a quoted field: where
        /// the row is cut when that quote turns out not to be a real multi-line field.
        var fallbackCut: Int?
    }

    /// RFC 4180: a `"` opens a quoted field only at the start of a field; inside one, `""`
    /// is a quote and a lone `"` closes it, after which only `,` or the end of the line
    /// may follow. A quote anywhere else is an ordinary byte (the row is then reported
    /// unreadable by the decoder, and ends at its line end like any other).
    ///
    /// A quoted field may hold line ends, but a stray quote at the start of a field would
    /// otherwise swallow the rest of the file. So a row whose quoted field runs over a
    /// line end is kept only when the field closes properly and the row then has as many
    /// fields as the header; otherwise — a closing quote followed by something else, the
    /// wrong number of fields, the end of the input inside the quotes, or more than
    /// `maxRecordBytes` — the row is cut at its first line end (the decoder reports it as
    /// an unterminated quoted field) and the rows after it are read as rows.
    private mutating func splitCSV(_ b: UnsafeRawBufferPointer, final: Bool, limit: Int) -> ([RecordSpan], Int) {
        var records: [RecordSpan] = []
        let n = b.count
        var start = 0
        // The row at `start` was scanned up to `resume` in an earlier call.
        var i = min(resume, n)
        var s = resume > 0 ? csvState : CSVScan()
        resume = 0

        /// Ends the row at `end` (exclusive; a `\r` before it is dropped).
        func emit(_ end: Int) {
            var e = end
            if e > start, b[e - 1] == UInt8(ascii: "\r") { e -= 1 }
            if e > start {
                records.append(RecordSpan(start: start, end: e, line: line))
                if csvColumns == nil { csvColumns = s.fields }
            }
        }
        /// Cuts the row at its first line end inside quotes, and rescans from the line after.
        func cutAtFallback() {
            let cut = start + s.fallbackCut!
            s.fields = 0  // not a real row: the field count must not become the header's
            let saved = csvColumns
            emit(cut)
            if saved == nil, csvColumns != nil { csvColumns = nil }
            line += 1
            start = cut + 1
            i = start
            s = CSVScan()
        }

        while i < n && records.count < limit {
            let c = b[i]
            if s.inQuotes {
                if s.quotePending {
                    s.quotePending = false
                    if c == UInt8(ascii: "\"") {
                        i += 1
                        continue
                    }
                    s.inQuotes = false
                    s.afterClose = true
                    // `c` is the first byte after the closing quote: handled below.
                } else {
                    if c == UInt8(ascii: "\"") {
                        s.quotePending = true
                    } else if c == UInt8(ascii: "\n") {
                        if s.fallbackCut == nil { s.fallbackCut = i - start }
                        s.newlines += 1
                    }
                    if s.fallbackCut != nil, i - start > maxRecordBytes {
                        cutAtFallback()
                        continue
                    }
                    i += 1
                    continue
                }
            }
            if s.afterClose, c != UInt8(ascii: ","), c != UInt8(ascii: "\n"), c != UInt8(ascii: "\r") {
                if s.fallbackCut != nil {
                    cutAtFallback()
                    continue
                }
                // Not a well-formed field; the row still ends at its line end.
                s.afterClose = false
            }
            switch c {
            case UInt8(ascii: "\""):
                if s.fieldStart {
                    s.inQuotes = true
                }
                s.fieldStart = false
                s.afterClose = false
            case UInt8(ascii: ","):
                s.fields += 1
                s.fieldStart = true
                s.afterClose = false
            case UInt8(ascii: "\n"):
                s.fields += 1
                if s.fallbackCut != nil, let columns = csvColumns, s.fields != columns {
                    cutAtFallback()
                    continue
                }
                emit(i)
                line += 1 + s.newlines
                start = i + 1
                s = CSVScan()
            case UInt8(ascii: "\r"):
                break
            default:
                s.fieldStart = false
                s.afterClose = false
            }
            i += 1
        }
        if records.count < limit && start < n {
            if final {
                if s.quotePending {
                    // The input ends with the closing quote.
                    s.inQuotes = false
                }
                if s.inQuotes && s.fallbackCut != nil {
                    cutAtFallback()
                    // The rest is rows again, all complete now that the input has ended.
                    return finishAfterCut(b, from: start, records: records, limit: limit)
                }
                s.fields += 1
                if s.fallbackCut != nil, let columns = csvColumns, s.fields != columns, !s.inQuotes {
                    cutAtFallback()
                    return finishAfterCut(b, from: start, records: records, limit: limit)
                }
                emit(n)
                line += s.newlines
                start = n
            } else {
                resume = i - start
                csvState = s
            }
        }
        return (records, start)
    }

    /// After a row was cut at the end of the input: the rest of the input, split as rows.
    private mutating func finishAfterCut(_ b: UnsafeRawBufferPointer, from start: Int, records: [RecordSpan], limit: Int) -> ([RecordSpan], Int) {
        let (more, consumed) = splitCSV(UnsafeRawBufferPointer(rebasing: b[start...]), final: true, limit: limit - records.count)
        return (records + more.map { RecordSpan(start: $0.start + start, end: $0.end + start, line: $0.line, framingError: $0.framingError) },
                start + consumed)
    }

    /// The JSON array scanner's state inside one element.
    private struct ArrayScan {
        var depth = 0
        var inString = false
        var escaped = false
        var newlines = 0
    }

    private mutating func splitArray(_ b: UnsafeRawBufferPointer, final: Bool, limit: Int) -> ([RecordSpan], Int) {
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
                if records.count >= limit { return (records, consumed) }
                // An element resumed from an earlier call starts at the buffer's start.
                let resumed = resume > 0
                if !resumed { skipSpace() }
                // The whitespace is counted in `line` now, so it must be consumed too: were
                // it passed again with the next buffer, its newlines would be counted twice.
                consumed = i
                let start = i, startLine = line
                // Scan one element to the comma or bracket that ends it at depth 0.
                var scan = resumed ? arrayScan : ArrayScan()
                var end = -1
                var k = start + min(resume, n - start)
                resume = 0
                while k < n {
                    let c = b[k]
                    if c == UInt8(ascii: "\n") { scan.newlines += 1 }
                    if scan.inString {
                        if scan.escaped {
                            scan.escaped = false
                        } else if c == UInt8(ascii: "\\") {
                            scan.escaped = true
                        } else if c == UInt8(ascii: "\"") {
                            scan.inString = false
                        }
                    } else if c == UInt8(ascii: "\"") {
                        scan.inString = true
                    } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        scan.depth += 1
                    } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        if scan.depth == 0 { end = k; break }
                        scan.depth -= 1
                    } else if c == UInt8(ascii: ","), scan.depth == 0 {
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
                    resume = n - start
                    arrayScan = scan
                    return (records, consumed)
                }
                var e = end
                while e > start, isJSONSpace(b[e - 1]) { e -= 1 }
                let closing = b[end] == UInt8(ascii: "]")
                if e > start || !closing {
                    records.append(RecordSpan(start: start, end: e, line: startLine))
                }
                line = startLine + scan.newlines
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
