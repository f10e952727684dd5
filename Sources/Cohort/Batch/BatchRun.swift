#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole `cohort batch` run: reads the input in chunks, evaluates them on all cores
/// (`ChunkPipeline`), writes the results in input order to standard output or to a file
/// replaced atomically (`OutputFile`), and tallies the summary.
///
/// The library never prints: what a person should see while the run goes on comes back
/// through `notice` (a line for stderr) and `progress` (a progress line to draw); the
/// caller renders the summary and maps the `Ending` to an exit status.
package struct BatchRun {
    /// What an unreadable record does to the run (`--on-error`).
    package enum ErrorMode: String, Sendable, CaseIterable {
        /// It is reported at its place in the output and in the summary; the run goes on
        /// and ends with a failure status.
        case `continue`
        /// It stops the run at the end of its chunk.
        case fail
        /// As `continue`, but the run's status is success: for engine tasks, whose job
        /// fails when a task exits non-zero.
        case skip
    }

    /// How a run ended.
    package enum Ending: Sendable, Equatable {
        /// Every record was read (some perhaps unreadable); output and summary are written.
        case completed
        /// `--on-error fail` stopped at an unreadable record (in the summary's samples).
        case stoppedAtUnreadable
        /// The input, the output or the summary file failed: the message says which and why.
        case failed(String)
        /// The run was refused before it started (a usage problem): the message says why.
        case refused(String)
    }

    /// What a run did.
    package struct Result: Sendable {
        package var summary: BatchSummary
        package var ending: Ending
    }

    /// The rules and the options that shape each record's result.
    package var evaluator: BatchEvaluator
    /// The input file; "-" is standard input.
    package var inputPath: String
    package var inputFormat: RecordFormat
    /// The output file; nil or "-" is standard output.
    package var outputPath: String?
    /// Where the summary is written as JSON, if anywhere.
    package var summaryPath: String?
    /// The rule file, which the output may not replace.
    package var rulesPath: String?
    /// Threads evaluating chunks.
    package var jobs = 1
    /// Bytes read per chunk.
    package var chunkBytes = 1 << 20
    /// The longest record accepted (`--max-record-bytes`).
    package var maxRecordBytes = 64 << 20
    package var onError: ErrorMode = .continue
    /// Added to every line number reported (`--line-offset`): the input is a part of a
    /// larger file that starts this many lines later.
    package var lineOffset = 0
    /// How many flag results (records × flags written) a chunk holds at most, whatever
    /// the size of its records: what bounds a chunk's output when records are tiny and
    /// every flag errs.
    package var flagResultsPerChunk = 1 << 16
    /// The widest a `--format table` row may be (a terminal's width), if limited.
    package var tableWidth: Int?

    /// The default limit of one record.
    package static let defaultMaxRecordBytes = 64 << 20

    package init(evaluator: BatchEvaluator, inputPath: String, inputFormat: RecordFormat) {
        self.evaluator = evaluator
        self.inputPath = inputPath
        self.inputFormat = inputFormat
    }

    /// Runs the batch. `notice` receives lines for a person (unreadable records of a CSV
    /// or table output, warnings); `progress`, when given, a progress line about ten
    /// times a second (to draw over the last one).
    package func run(notice: (String) -> Void, progress: ((String) -> Void)? = nil) -> Result {
        var summary = evaluator.makeSummary()
        BatchRun.keepLargeBuffersInHeap()

        // The input.
        let input: Int32
        if inputPath == "-" {
            input = 0
        } else {
            input = open(inputPath, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else {
                return Result(summary: summary, ending: .failed("cannot read input '\(inputPath)': \(Self.describe(errno: errno))"))
            }
        }
        defer { if input != 0 { close(input) } }
        var inputInfo = stat()
        var totalBytes: Int?
        if fstat(input, &inputInfo) == 0 {
            if inputInfo.st_mode & S_IFMT == S_IFDIR {
                return Result(summary: summary, ending: .failed("cannot read input '\(inputPath)': is a directory"))
            }
            if inputInfo.st_mode & S_IFMT == S_IFREG { totalBytes = Int(inputInfo.st_size) }
        }

        // The output and the summary file may not replace the input or the rules.
        var protected: [(FileIdentity, String)] = []
        if let identity = FileIdentity(descriptor: input), inputInfo.st_mode & S_IFMT == S_IFREG {
            protected.append((identity, "the input"))
        }
        if let rulesPath, rulesPath != "-", let identity = FileIdentity(path: rulesPath) { protected.append((identity, "the rule file")) }
        for (path, what) in [(outputPath, "--output"), (summaryPath, "--summary-file")] {
            guard let path, path != "-", let identity = FileIdentity(path: path) else { continue }
            if let clash = protected.first(where: { $0.0 == identity }) {
                return Result(summary: summary, ending: .refused("\(what) '\(path)' is \(clash.1); it would be replaced"))
            }
            if what == "--output" { protected.append((identity, "the --output file")) }
        }

        let output: OutputFile
        do throws(OutputFileError) {
            if let outputPath { output = try OutputFile(path: outputPath) } else { output = .standardOutput() }
        } catch {
            return Result(summary: summary, ending: .failed(error.message))
        }

        let reader = ChunkReader(descriptor: input, format: inputFormat, chunkBytes: chunkBytes, maxRecordBytes: maxRecordBytes,
                                 maxRecordsPerChunk: max(1, flagResultsPerChunk / max(1, evaluator.flagPositions.count)),
                                 firstLine: 1 + lineOffset)
        let meter = progress.map { ProgressLine(total: totalBytes, draw: $0) }
        var writeError: OutputFileError?
        var stopped = false
        var reportedOnStderr = 0
        let evaluator = self.evaluator
        let format = inputFormat
        // A table's columns are sized from its first rows: the header waits for them.
        var table = evaluator.options.output == .table ? TableLayout(header: evaluator.header ?? "", maxWidth: tableWidth) : nil
        do throws(OutputFileError) {
            if table == nil, let header = evaluator.header { try output.write(header) }
        } catch {
            writeError = error
        }

        let ending = writeError != nil ? .stopped : ChunkPipeline.run(reader, jobs: jobs, process: { chunk in
            chunk.bytes.withUnsafeBytes { buffer in
                evaluator.processBytes(buffer, records: chunk.records, format: format, csvHeader: chunk.csvHeader)
            }
        }, consume: { result, bytesRead in
            let (text, part) = result
            do throws(OutputFileError) {
                if table != nil {
                    try output.write(table!.render(String(decoding: text, as: UTF8.self)))
                } else {
                    try text.withUnsafeBytes { b in Swift.Result { () throws(OutputFileError) in try output.write(b) } }.get()
                }
            } catch {
                writeError = error
                return false
            }
            if evaluator.options.output != .jsonl {
                // CSV and table rows have no place for a message.
                for sample in part.unreadableSamples where reportedOnStderr < 20 {
                    notice("line \(sample.line): \(sample.message)")
                    reportedOnStderr += 1
                }
            }
            if summary.recordsRead == 0, part.evaluated > 0, part.idsFound == 0 {
                // Every record would get a null id: --id names nothing these records have.
                notice("warning: none of the first \(part.evaluated) records has an id at '\(evaluator.options.idPath)' (--id PATH names it); their ids are null")
            }
            summary.merge(part, samples: evaluator.options.errorSamples)
            meter?.update(bytes: bytesRead, records: summary.recordsRead)
            if onError == .fail && part.unreadable > 0 {
                stopped = true
                return false
            }
            return true
        })
        meter?.finish()

        if let writeError {
            output.abandon()
            return Result(summary: summary, ending: .failed(writeError.message))
        }
        switch ending {
        case .inputFailed(let error):
            output.abandon()
            return Result(summary: summary, ending: .failed(error.message))
        case .stopped where stopped:
            output.abandon()
            return Result(summary: summary, ending: .stoppedAtUnreadable)
        case .stopped, .completed:
            break
        }
        do throws(OutputFileError) {
            if table != nil { try output.write(table!.finish()) }
            try output.commit()
        } catch {
            return Result(summary: summary, ending: .failed(error.message))
        }
        if let summaryPath {
            do throws(OutputFileError) {
                let file = try OutputFile(path: summaryPath)
                try file.write(summary.json)
                try file.commit()
            } catch {
                return Result(summary: summary, ending: .failed(error.message))
            }
        }
        return Result(summary: summary, ending: .completed)
    }

    /// A system error as the messages say it.
    private static func describe(errno code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES: "permission denied"
        case EISDIR: "is a directory"
        default: String(cString: strerror(code))
        }
    }

    /// Chunk buffers (input and output) are a megabyte or more each. By default glibc maps
    /// every allocation that large afresh and unmaps it when freed, so each chunk costs a
    /// page fault per 4 KiB in the kernel; raised thresholds keep them in the heap, reused
    /// from chunk to chunk (measured: a third of the system time, ~10% of the wall time of
    /// a million-record run). Memory stays bounded by the chunks in flight. Buffers of
    /// 8 MiB and more — a long record's, doubling as it arrives — are still mapped, so
    /// they go back to the system when freed instead of staying in the heap.
    package static func keepLargeBuffersInHeap() {
        #if canImport(Glibc)
        // `mallopt` is glibc's (malloc.h, which Swift's Glibc module leaves out): looked up
        // by name, and skipped where the C library has none (musl).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 8 << 20)
        _ = mallopt(trimThreshold, 512 << 20)
        #endif
    }
}
