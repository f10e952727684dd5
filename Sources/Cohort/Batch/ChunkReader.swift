#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A run of complete records and the bytes they lie in: the unit of work of a batch run.
package struct RecordChunk: Sendable {
    /// The buffer the records lie in (shared with the other chunks cut from it).
    package var bytes: [UInt8]
    /// The records, in input order; their offsets index `bytes`.
    package var records: [RecordSpan]
    /// A CSV input's header row, read from the first record of the input.
    package var csvHeader: CSVHeader?

    package init(bytes: [UInt8], records: [RecordSpan], csvHeader: CSVHeader? = nil) {
        self.bytes = bytes
        self.records = records
        self.csvHeader = csvHeader
    }
}

/// Why reading a batch input stopped before its end.
package enum ChunkReadError: Error, Sendable, Equatable {
    /// `read` failed: errno's message.
    case readFailed(String)
    /// A record longer than the limit, at this line (complete, or still growing).
    case recordTooLarge(line: Int, limit: Int)
    /// The first row of a CSV input is not a header.
    case invalidCSVHeader(line: Int, message: String)

    /// The message for people.
    package var message: String {
        switch self {
        case .readFailed(let reason): "cannot read the input: \(reason)"
        case .recordTooLarge(let line, let limit): "line \(line): a record is larger than \(describeSize(limit)) (limit; --max-record-bytes)"
        case .invalidCSVHeader(let line, let message): "line \(line): invalid CSV header: \(message)"
        }
    }
}

/// Reads a batch input from a file descriptor and cuts it into chunks of whole records.
///
/// Each read fills a buffer of about `chunkBytes`; the records complete in it become
/// chunks (at most `maxRecordsPerChunk` records each, all sharing the buffer), and the
/// partial record at its end is carried into the next buffer. A record longer than a
/// buffer is read into a buffer that doubles, and the splitter scans only its new bytes,
/// so a long record costs time and copying linear in its length; one longer than
/// `maxRecordBytes` stops the input as soon as that many bytes of it have been read.
package struct ChunkReader {
    private let descriptor: Int32
    package let format: RecordFormat
    private let chunkBytes: Int
    private let maxRecordBytes: Int
    private let maxRecordsPerChunk: Int
    private var splitter: RecordSplitter
    /// The current buffer; `buffer[scanned...]` is not yet in any chunk.
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var atEnd = false
    private var csvHeader: CSVHeader?
    private var needHeader: Bool
    /// Bytes read from the descriptor so far.
    package private(set) var bytesRead = 0

    /// - Parameters:
    ///   - descriptor: read until its end; not closed.
    ///   - firstLine: the line number of the input's first line (`--line-offset` + 1).
    package init(descriptor: Int32, format: RecordFormat, chunkBytes: Int = 1 << 20, maxRecordBytes: Int = 64 << 20,
                 maxRecordsPerChunk: Int = .max, firstLine: Int = 1) {
        self.descriptor = descriptor
        self.format = format
        self.chunkBytes = max(chunkBytes, 1)
        self.maxRecordBytes = maxRecordBytes
        self.maxRecordsPerChunk = max(maxRecordsPerChunk, 1)
        splitter = RecordSplitter(format: format, firstLine: firstLine)
        splitter.maxRecordBytes = maxRecordBytes
        needHeader = format == .csv
    }

    /// The next chunk, or nil at the end of the input.
    package mutating func next() throws(ChunkReadError) -> RecordChunk? {
        while true {
            if scanned < buffer.count || atEnd {
                let limit = needHeader && maxRecordsPerChunk < .max ? maxRecordsPerChunk + 1 : maxRecordsPerChunk
                let found = buffer.withUnsafeBytes { all in
                    splitter.split(UnsafeRawBufferPointer(rebasing: all[scanned...]), final: atEnd, limit: limit)
                }
                let offset = scanned
                var records = found.records
                if offset > 0 {
                    for i in records.indices {
                        records[i].start += offset
                        records[i].end += offset
                    }
                }
                // A record over the limit stops the input: a complete one found here, or a
                // partial one already longer than the limit (so it is never buffered whole).
                // A partial record may end in the `\r` of a CRLF whose `\n` is still to come;
                // a complete record's length does not count it, so neither does this.
                if let long = records.first(where: { $0.end - $0.start > maxRecordBytes }) {
                    throw .recordTooLarge(line: long.line, limit: maxRecordBytes)
                }
                scanned += found.consumed
                if records.isEmpty {
                    // At the end, the splitter takes every byte that is left.
                    if atEnd { if found.consumed == 0 || scanned >= buffer.count { return nil } else { continue } }
                    let partial = buffer.count - scanned - (buffer.last == UInt8(ascii: "\r") ? 1 : 0)
                    if partial > maxRecordBytes { throw .recordTooLarge(line: splitter.line, limit: maxRecordBytes) }
                } else {
                    if needHeader {
                        let first = records.removeFirst()
                        do throws(RecordError) {
                            csvHeader = try buffer.withUnsafeBytes { b in
                                Result { () throws(RecordError) in try CSVHeader(UnsafeRawBufferPointer(rebasing: b[first.start..<first.end])) }
                            }.get()
                        } catch {
                            throw .invalidCSVHeader(line: first.line, message: error.message)
                        }
                        needHeader = false
                        if records.isEmpty { continue }
                    }
                    return RecordChunk(bytes: buffer, records: records, csvHeader: csvHeader)
                }
            }
            try readMore()
        }
    }

    /// Starts a new buffer with the unconsumed bytes of the last one and reads after them:
    /// about `chunkBytes`, or as many bytes as are carried when a long record is growing
    /// (so its buffer doubles), but never more than its limit needs to be seen.
    private mutating func readMore() throws(ChunkReadError) {
        let carried = buffer.count - scanned
        let count: Int
        if carried < chunkBytes {
            count = chunkBytes
        } else if 4 * carried > maxRecordBytes {
            // Near the limit: straight to the bytes the limit needs seen (one past it, and a
            // `\r`), rather than doubling past it and copying once more.
            count = max(chunkBytes, maxRecordBytes + 2 - carried)
        } else {
            count = carried
        }
        var got = 0
        var failure: Int32 = 0
        var endOfInput = false
        let old = buffer, start = scanned
        buffer = Array(unsafeUninitializedCapacity: carried + count) { storage, initialized in
            old.withUnsafeBufferPointer { old in
                if carried > 0 { storage.baseAddress!.initialize(from: old.baseAddress! + start, count: carried) }
            }
            // Fill the chunk: a pipe hands out at most 64 KiB per read.
            while got < count {
                let n = read(descriptor, storage.baseAddress! + carried + got, count - got)
                if n > 0 {
                    got += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    if n < 0 { failure = errno } else { endOfInput = true }
                    break
                }
            }
            initialized = carried + got
        }
        scanned = 0
        bytesRead += got
        // A failed read after some bytes: they are used, and the next read reports it.
        if failure != 0 && got == 0 { throw .readFailed(String(cString: strerror(failure))) }
        if endOfInput { atEnd = true }
    }
}

/// A byte count as the limit messages print it: whole MiB as `64 MiB`, else bytes.
package func describeSize(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
}
