import Foundation

/// Why a records file could not be checked at all.
package struct RecordCheckError: Error, Sendable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

extension RecordCheck {
    /// Reads a whole records file (`-`: standard input) in chunks of about `chunkBytes`,
    /// tallies the chunks on `jobs` threads as they are read (the batch workers), and
    /// merges the tallies in input order.
    package func run(path: String, format: RecordFormat, jobs: Int, chunkBytes: Int = 1 << 20) throws(RecordCheckError) -> RecordTally {
        let input: FileHandle
        if path == "-" {
            input = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let handle = FileHandle(forReadingAtPath: path) else {
                throw RecordCheckError("cannot read '\(path)': no such file or not readable")
            }
            input = handle
        }
        struct Job: Sendable {
            var bytes: [UInt8]
            var records: [RecordSpan]
            var header: CSVHeader?
            var first: Bool
        }
        let check = self
        let workers = OrderedWorkers<Job, RecordTally>(count: max(1, jobs)) { job in
            job.bytes.withUnsafeBytes { buffer in
                check.tally(buffer, records: job.records, format: format, csvHeader: job.header, sampleKeys: job.first)
            }
        }
        defer { workers.close() }
        var total = makeTally()
        var splitter = RecordSplitter(format: format)
        var carry: [UInt8] = []
        var header: CSVHeader?
        var atEnd = false
        var first = true
        while !atEnd {
            let more = input.readData(ofLength: chunkBytes)
            if more.isEmpty { atEnd = true } else { carry.append(contentsOf: more) }
            var (records, consumed) = carry.withUnsafeBytes { splitter.split($0, final: atEnd) }
            if consumed == 0 && records.isEmpty { continue }
            if format == .csv, header == nil, !records.isEmpty {
                let row = records.removeFirst()
                do throws(RecordError) {
                    header = try carry.withUnsafeBytes { b in
                        Result { () throws(RecordError) in try CSVHeader(UnsafeRawBufferPointer(rebasing: b[row.start..<row.end])) }
                    }.get()
                } catch {
                    throw RecordCheckError("line \(row.line): invalid CSV header: \(error.message)")
                }
            }
            workers.submit(Job(bytes: carry, records: records, header: header, first: first))
            first = false
            carry = Array(carry[consumed...])
            while let done = workers.next(wait: workers.inFlight >= 3 * max(1, jobs)) { total.merge(done) }
        }
        while let done = workers.next(wait: true) { total.merge(done) }
        return total
    }
}
