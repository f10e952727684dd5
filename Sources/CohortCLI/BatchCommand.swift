import Cohort
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cohort batch RULES INPUT [options]`: every flag for every record, streamed in chunks,
/// evaluated on all cores, written in input order.
enum BatchCommand {
    /// Bytes read per chunk. Up to `3 × jobs` chunks (input and output) are in memory at once.
    static let chunkBytes = 1 << 20
    /// A single record may not exceed this (documented limit).
    static let defaultMaxRecordBytes = 64 << 20

    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.batch)
            return .success
        }
        keepLargeBuffersInHeap()
        let args: ArgumentScanner
        let options: BatchOptions
        let jobs: Int
        let inputFormat: RecordFormat
        let maxRecordBytes: Int
        do {
            args = try ArgumentScanner(arguments, valued: [
                "--format", "--summary-file", "--flags", "--now", "--id", "--as", "--jobs", "--output", "--on-error", "--input-format",
                "--max-record-bytes",
            ], switches: ["--summary", "--context-records", "--no-progress"])
            guard args.positionals.count == 2 else { throw UsageError("batch needs RULES and INPUT (use - for stdin)") }
            var o = BatchOptions(now: try parseNow(args.value("--now")))
            if let format = args.value("--format") {
                guard let f = BatchOutputFormat(rawValue: format) else { throw UsageError("--format must be jsonl, csv or table") }
                o.output = f
            }
            if let flags = args.value("--flags") {
                o.flags = flags.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            }
            if let root = args.value("--as") { o.recordRoot = root }
            if let id = args.value("--id") { o.idPath = id }
            o.contextRecords = args.has("--context-records")
            options = o
            if let j = args.value("--jobs") {
                guard let n = Int(j), n >= 1, n <= 256 else { throw UsageError("--jobs must be a number from 1 to 256") }
                jobs = n
            } else {
                jobs = ProcessInfo.processInfo.activeProcessorCount
            }
            if let f = args.value("--input-format") {
                guard let format = RecordFormat(rawValue: f) else { throw UsageError("--input-format must be jsonl, json or csv") }
                inputFormat = format
            } else {
                inputFormat = RecordFormat.inferred(fromPath: args.positionals[1])
            }
            if let m = args.value("--max-record-bytes") {
                guard let n = Int(m), n >= 1 else { throw UsageError("--max-record-bytes must be a positive number of bytes") }
                maxRecordBytes = n
            } else {
                maxRecordBytes = defaultMaxRecordBytes
            }
            if let mode = args.value("--on-error"), mode != "fail", mode != "continue" {
                throw UsageError("--on-error must be continue (the default) or fail")
            }
        } catch {
            Terminal.err("cohort batch: \(describeUsage(error))\n")
            return .usage
        }

        // Rules: every record is bound to one root (or to the roots of a context record).
        var compileOptions = CompileOptions()
        compileOptions.roots.insert(options.recordRoot)
        let ruleset: Ruleset
        do {
            ruleset = try loadRuleset(args.positionals[0], options: compileOptions)
        } catch {
            report(error)
            return .failure
        }
        let evaluator: BatchEvaluator
        do {
            evaluator = try BatchEvaluator(ruleset: ruleset, options: options)
        } catch {
            Terminal.err("cohort batch: \(error.message)\n")
            return .usage
        }

        // Input.
        let inputPath = args.positionals[1]
        let input: FileHandle
        var totalBytes: Int?
        if inputPath == "-" {
            input = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: inputPath, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let handle = FileHandle(forReadingAtPath: inputPath) else {
                Terminal.err("cohort batch: cannot read input '\(inputPath)': no such file or not readable\n")
                return .failure
            }
            input = handle
            totalBytes = (try? FileManager.default.attributesOfItem(atPath: inputPath)[.size] as? Int) ?? nil
        }

        // Output: stdout, or a temporary file renamed into place at the end.
        let outputPath = args.value("--output")
        let output: OutputSink
        do {
            output = try OutputSink(path: outputPath)
        } catch {
            Terminal.err("cohort batch: \(describeUsage(error))\n")
            return .usage
        }

        let failFast = args.value("--on-error") == "fail"
        let progress = Progress(enabled: !args.has("--no-progress") && isatty(2) == 1, total: totalBytes)
        if let header = evaluator.header { output.write(header) }

        var summary = evaluator.makeSummary()
        var splitter = RecordSplitter(format: inputFormat)
        var carry: [UInt8] = []
        var csvHeader: CSVHeader?
        var needHeader = inputFormat == .csv
        var atEnd = false
        var bytesRead = 0
        var stopped = false
        var reportedOnStderr = 0

        // Chunks are evaluated on `jobs` worker threads as soon as they are read; this
        // thread reads, and writes results in input order as they come back. At most
        // `3 × jobs` chunks are in flight, which bounds memory.
        let workers = OrderedWorkers<(chunk: Chunk, header: CSVHeader?), (Data, BatchSummary)>(count: jobs) { job in
            job.chunk.bytes.withUnsafeBytes { buffer in
                evaluator.processBytes(buffer, records: job.chunk.records, format: inputFormat, csvHeader: job.header)
            }
        }
        defer { workers.close() }
        let maxInFlight = 3 * jobs

        /// Writes one chunk's output and merges its summary. Returns true when an unreadable
        /// record stops the run (`--on-error fail`): nothing after that chunk is written.
        func write(_ result: (Data, BatchSummary)) -> Bool {
            let (text, part) = result
            output.write(text)
            if options.output != .jsonl {
                for sample in part.unreadableSamples where reportedOnStderr < 20 {
                    Terminal.err("cohort batch: line \(sample.line): \(sample.message)\n")
                    reportedOnStderr += 1
                }
            }
            summary.merge(part, samples: options.errorSamples)
            progress.update(bytes: bytesRead, records: summary.recordsRead)
            return failFast && part.unreadable > 0
        }

        /// Ends the run on an input problem: chunks in flight are dropped, never written,
        /// and a file output is abandoned.
        func stopEarly(_ message: String) -> ExitStatus {
            Terminal.err(message)
            workers.close()
            output.abandon()
            return .failure
        }

        while !stopped && !atEnd {
            // The bytes left over from the last chunk (a partial record), then the next
            // read, straight into the buffer the chunk will own: no intermediate copies.
            let read = readMore(input.fileDescriptor, after: &carry, count: chunkBytes)
            if read < 0 {
                return stopEarly("cohort batch: cannot read '\(inputPath)': \(String(cString: strerror(errno)))\n")
            }
            if read == 0 { atEnd = true } else { bytesRead += read }
            let (records, consumed) = carry.withUnsafeBytes { splitter.split($0, final: atEnd) }
            // A record over the limit stops the run: a complete one found here, or a
            // partial one already longer than the limit (so it is never buffered whole).
            // A partial record may end in the `\r` of a CRLF whose `\n` is still to come;
            // a complete record's length does not count it, so neither does this.
            let partial = carry.count - (carry.last == UInt8(ascii: "\r") ? 1 : 0)
            let tooLong = records.first { $0.end - $0.start > maxRecordBytes }?.line
                ?? (consumed == 0 && records.isEmpty && partial > maxRecordBytes ? splitter.line : nil)
            if let line = tooLong {
                return stopEarly("cohort batch: line \(line): a record is larger than \(describeSize(maxRecordBytes)) (limit; --max-record-bytes)\n")
            }
            if consumed == 0 && records.isEmpty { continue }
            // The chunk keeps the whole buffer (its records all lie in the first
            // `consumed` bytes); only the partial record after them is copied forward.
            let rest = Array(carry[consumed...])
            var chunk = Chunk(bytes: carry, records: records)
            carry = rest
            if needHeader, !chunk.records.isEmpty {
                let first = chunk.records.removeFirst()
                do throws(RecordError) {
                    csvHeader = try chunk.bytes.withUnsafeBytes { b in
                        Result { () throws(RecordError) in try CSVHeader(UnsafeRawBufferPointer(rebasing: b[first.start..<first.end])) }
                    }.get()
                } catch {
                    return stopEarly("cohort batch: line \(first.line): invalid CSV header: \(error.message)\n")
                }
                needHeader = false
            }
            workers.submit((chunk, csvHeader))
            // Write what is done; wait for the oldest chunk only when too many are in flight.
            while !stopped, let result = workers.next(wait: workers.inFlight >= maxInFlight) {
                if write(result) { stopped = true }
            }
        }
        // The chunks still in flight; after a stop (--on-error fail) they are dropped.
        while !stopped, let result = workers.next(wait: true) {
            if write(result) { stopped = true }
        }
        progress.finish()

        if stopped {
            let first = summary.unreadableSamples.first
            Terminal.err("cohort batch: stopped at line \(first?.line ?? 0): \(first?.message ?? "unreadable record") (--on-error fail)\n")
            output.abandon()
            return .failure
        }
        guard output.commit() else {
            Terminal.err("cohort batch: cannot write output '\(outputPath ?? "-")'\n")
            return .failure
        }
        if args.has("--summary") {
            Terminal.err(summary.rendered())
        }
        if let path = args.value("--summary-file") {
            guard FileManager.default.createFile(atPath: path, contents: Data(summary.json.utf8)) else {
                Terminal.err("cohort batch: cannot write summary file '\(path)'\n")
                return .failure
            }
        }
        if summary.unreadable > 0 && options.output == .jsonl, let first = summary.unreadableSamples.first {
            // The records are in the output at their places; the exit status needs a reason.
            Terminal.err("cohort batch: \(summary.unreadable) unreadable record(s), first at line \(first.line): \(first.message)\n")
        } else if summary.unreadable > 0 && options.output != .jsonl && reportedOnStderr < summary.unreadable {
            Terminal.err("cohort batch: \(summary.unreadable) unreadable record(s) in all\n")
        }
        return summary.unreadable > 0 ? .failure : .success
    }

    /// Chunk buffers (input and output) are a megabyte or more each. By default glibc maps
    /// every allocation that large afresh and unmaps it when freed, so each chunk costs a
    /// page fault per 4 KiB in the kernel; raised thresholds keep them in the heap, reused
    /// from chunk to chunk (measured: a third of the system time, ~10% of the wall time of
    /// a million-record run). Memory stays bounded by the chunks in flight.
    static func keepLargeBuffersInHeap() {
        #if canImport(Glibc)
        // `mallopt` is glibc's (malloc.h, which Swift's Glibc module leaves out): looked up
        // by name, and skipped where the C library has none (musl).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 512 << 20)
        #endif
    }

    /// Appends up to `count` bytes read from `descriptor` to `buffer`; returns how many were
    /// read (0 at the end of the input, -1 on a read error, which also ends the input).
    static func readMore(_ descriptor: Int32, after buffer: inout [UInt8], count: Int) -> Int {
        let start = buffer.count
        var got = 0
        var failed = false
        buffer = Array(unsafeUninitializedCapacity: start + count) { storage, initialized in
            buffer.withUnsafeBufferPointer { old in
                if start > 0 { storage.baseAddress!.initialize(from: old.baseAddress!, count: start) }
            }
            // Fill the chunk: a pipe hands out at most 64 KiB per read.
            while got < count {
                let n = read(descriptor, storage.baseAddress! + start + got, count - got)
                if n > 0 {
                    got += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    if n < 0 && got == 0 { failed = true }
                    break
                }
            }
            initialized = start + got
        }
        return failed ? -1 : got
    }

    /// A run of complete records and the bytes they lie in.
    struct Chunk: Sendable {
        var bytes: [UInt8]
        var records: [RecordSpan]
    }
}

/// Where results go: stdout, or a file written atomically (a temporary file in the same
/// directory, renamed over the target only when the run succeeds).
final class OutputSink {
    private let handle: FileHandle
    private let finalPath: String?
    private let temporaryPath: String?
    private var pending = Data()

    init(path: String?) throws {
        guard let path, path != "-" else {
            handle = FileHandle.standardOutput
            finalPath = nil
            temporaryPath = nil
            return
        }
        if let direct = try Self.directHandle(path) {
            handle = direct
            finalPath = nil
            temporaryPath = nil
            return
        }
        // A symbolic link is followed: the file it points to is replaced (or created), not
        // the link.
        let target = followSymbolicLinks(path)
        let directory = (target as NSString).deletingLastPathComponent
        let temp = (directory.isEmpty ? "." : directory) + "/.\((target as NSString).lastPathComponent).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temp, contents: nil), let h = FileHandle(forWritingAtPath: temp) else {
            throw UsageError("cannot create output file '\(path)'")
        }
        handle = h
        finalPath = target
        temporaryPath = temp
    }

    /// A handle for outputs that are written in place rather than replaced by a rename, or
    /// nil for a regular file (or a name that does not exist yet).
    private static func directHandle(_ path: String) throws -> FileHandle? {
        // A name for a descriptor this process already has open (`/dev/stdout`,
        // `/dev/fd/3`, `/proc/self/fd/3`) is written through that descriptor, so a
        // redirection such as `>> log` keeps appending. Opening the name again would start
        // at offset 0, and renaming over it would replace the file it points to.
        if let fd = openDescriptor(named: path) { return FileHandle(fileDescriptor: fd, closeOnDealloc: false) }
        // A device, pipe or socket (`--output /dev/null`, a FIFO): written to directly.
        // Renaming a temporary file over it would replace the device itself.
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG else { return nil }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw UsageError("cannot open output '\(path)' for writing") }
        return handle
    }

    /// The descriptor a path names when it is one of this process's open descriptors.
    private static func openDescriptor(named path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let fd = Int32(path.dropFirst(prefix.count)), fd >= 0, fcntl(fd, F_GETFD) != -1 { return fd }
            }
            return nil
        }
    }


    func write(_ text: String) {
        pending.append(contentsOf: text.utf8)
        if pending.count >= 1 << 20 { flush() }
    }

    func write(_ bytes: Data) {
        if pending.isEmpty && bytes.count >= 1 << 19 {
            // A whole chunk's output: straight to the file, without another copy.
            handle.write(bytes)
            return
        }
        pending.append(bytes)
        if pending.count >= 1 << 20 { flush() }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        handle.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Finishes the output; for a file, renames it into place.
    func commit() -> Bool {
        flush()
        guard let temporaryPath, let finalPath else { return true }
        try? handle.close()
        return rename(temporaryPath, finalPath) == 0
    }

    /// Discards a partial file output (stdout cannot be taken back).
    func abandon() {
        flush()
        guard let temporaryPath else { return }
        try? handle.close()
        unlink(temporaryPath)
    }
}

/// A progress line on stderr: bytes, records per second, ETA. Only on a terminal.
final class Progress {
    private let enabled: Bool
    private let total: Int?
    private let start = Date()
    private var lastDraw = Date.distantPast

    init(enabled: Bool, total: Int?) {
        self.enabled = enabled
        self.total = total
    }

    func update(bytes: Int, records: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        let rate = Double(records) / elapsed
        var line = "\r"
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let filled = Int(fraction * 24)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 24 - filled) + "] "
            line += "\(Int(fraction * 100))% \(megabytes(bytes))/\(megabytes(total))"
            if fraction > 0 { line += "  ETA \(Int((elapsed / fraction - elapsed).rounded()))s" }
        } else {
            line += "\(megabytes(bytes)) read"
        }
        line += "  \(Int(rate)) records/s\u{1B}[K"
        Terminal.err(line)
    }

    func finish() {
        if enabled && lastDraw != .distantPast { Terminal.err("\r\u{1B}[K") }
    }

    private func megabytes(_ n: Int) -> String {
        String(format: "%.1f MB", Double(n) / 1_000_000)
    }
}

/// A byte count as the limit messages print it: whole MiB as `64 MiB`, else bytes.
func describeSize(_ bytes: Int) -> String {
    bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
}
