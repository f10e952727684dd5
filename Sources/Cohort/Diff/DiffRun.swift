#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole `cohort diff` run: reads the input once in chunks, compares the two rule files
/// over each chunk on all cores (`ChunkPipeline`), merges the partial reports in input
/// order, and writes the records whose values change to the changes file (`--changes`),
/// replaced atomically (`OutputFile`).
///
/// The library never prints: lines for a person come back through `notice`, a progress
/// line through `progress`; the caller renders the report and maps the ending to an exit
/// status.
package struct DiffRun {
    /// How a run ended.
    package enum Ending: Sendable, Equatable {
        /// Every record was read (some perhaps unreadable); the changes file is written.
        case completed
        /// `--on-error fail` stopped at an unreadable record (the report's first sample).
        case stoppedAtUnreadable
        /// The input or the changes file failed: the message says which and why.
        case failed(String)
        /// The run was refused before it started (a usage problem): the message says why.
        case refused(String)
    }

    /// What a run found, and how it ended.
    package struct Result: Sendable {
        package var report: DiffReport
        package var ending: Ending
    }

    /// The two rule files and the options that shape each record's comparison.
    package var evaluator: DiffEvaluator
    /// The input file; "-" is standard input.
    package var inputPath: String
    package var inputFormat: RecordFormat
    /// Where the changed records are written as JSON Lines, if anywhere ("-": stdout).
    package var changesPath: String?
    /// The rule files as given (those on disk may not be replaced by the changes file).
    package var rulePaths: [String] = []
    /// Threads comparing chunks.
    package var jobs = 1
    /// Bytes read per chunk.
    package var chunkBytes = 1 << 20
    /// The longest record accepted (`--max-record-bytes`).
    package var maxRecordBytes = BatchRun.defaultMaxRecordBytes
    package var onError: BatchRun.ErrorMode = .continue
    /// Added to every line number reported (`--line-offset`).
    package var lineOffset = 0
    /// How many flag comparisons (records × flags) a chunk holds at most: what bounds a
    /// chunk's changes when records are tiny.
    package var flagResultsPerChunk = 1 << 16

    package init(evaluator: DiffEvaluator, inputPath: String, inputFormat: RecordFormat) {
        self.evaluator = evaluator
        self.inputPath = inputPath
        self.inputFormat = inputFormat
    }

    /// Runs the comparison. `notice` receives lines for a person (each of the first
    /// unreadable records with its line); `progress`, when given, a progress line about
    /// ten times a second.
    package func run(notice: (String) -> Void, progress: ((String) -> Void)? = nil) -> Result {
        var report = evaluator.makeReport()
        BatchRun.keepLargeBuffersInHeap()

        let input: Int32
        if inputPath == "-" {
            input = 0
        } else {
            input = open(inputPath, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else {
                let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
                return Result(report: report, ending: .failed("cannot read input '\(inputPath)': \(reason)"))
            }
        }
        defer { if input != 0 { close(input) } }
        var inputInfo = stat()
        var totalBytes: Int?
        if fstat(input, &inputInfo) == 0 {
            if inputInfo.st_mode & S_IFMT == S_IFDIR {
                return Result(report: report, ending: .failed("cannot read input '\(inputPath)': is a directory"))
            }
            if inputInfo.st_mode & S_IFMT == S_IFREG { totalBytes = Int(inputInfo.st_size) }
        }

        // The changes file may not replace the input or a rule file.
        var changes: OutputFile?
        if let changesPath {
            if changesPath != "-", let identity = FileIdentity(path: changesPath) {
                var protected: [(FileIdentity, String)] = []
                if inputInfo.st_mode & S_IFMT == S_IFREG, let input = FileIdentity(descriptor: input) { protected.append((input, "the input")) }
                for path in rulePaths where path != "-" {
                    if let rules = FileIdentity(path: path) { protected.append((rules, "the rule file '\(path)'")) }
                }
                if let clash = protected.first(where: { $0.0 == identity }) {
                    return Result(report: report, ending: .refused("--changes '\(changesPath)' is \(clash.1); it would be replaced"))
                }
            }
            do throws(OutputFileError) {
                changes = try OutputFile(path: changesPath)
            } catch {
                return Result(report: report, ending: .failed(error.message))
            }
        }

        let reader = ChunkReader(descriptor: input, format: inputFormat, chunkBytes: chunkBytes, maxRecordBytes: maxRecordBytes,
                                 maxRecordsPerChunk: max(1, flagResultsPerChunk / max(1, evaluator.flagNames.count)),
                                 firstLine: 1 + lineOffset)
        let meter = progress.map { ProgressLine(total: totalBytes, draw: $0) }
        var writeError: OutputFileError?
        var stopped = false
        var noticed = 0
        let evaluator = self.evaluator
        let format = inputFormat
        let writesChanges = changes != nil
        let ending = ChunkPipeline.run(reader, jobs: jobs, process: { chunk in
            chunk.bytes.withUnsafeBytes { buffer in
                evaluator.process(buffer, records: chunk.records, format: format, csvHeader: chunk.csvHeader, writesChanges: writesChanges)
            }
        }, consume: { result, bytesRead in
            let (part, lines) = result
            if let changes, !lines.isEmpty {
                do throws(OutputFileError) {
                    try changes.write(lines)
                } catch {
                    writeError = error
                    return false
                }
            }
            for sample in part.unreadableSamples where noticed < DiffReport.maxUnreadableSamples {
                notice("line \(sample.line): \(sample.message)")
                noticed += 1
            }
            report.merge(part)
            meter?.update(bytes: bytesRead, records: report.records + report.unreadable)
            if onError == .fail && part.unreadable > 0 {
                stopped = true
                return false
            }
            return true
        })
        meter?.finish()

        if let writeError {
            changes?.abandon()
            return Result(report: report, ending: .failed(writeError.message))
        }
        switch ending {
        case .inputFailed(let error):
            changes?.abandon()
            return Result(report: report, ending: .failed(error.message))
        case .stopped where stopped:
            changes?.abandon()
            return Result(report: report, ending: .stoppedAtUnreadable)
        case .stopped, .completed:
            break
        }
        do throws(OutputFileError) {
            try changes?.commit()
        } catch {
            return Result(report: report, ending: .failed(error.message))
        }
        return Result(report: report, ending: .completed)
    }
}
