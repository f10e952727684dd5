import Cohort
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cohort diff OLD NEW INPUT [options]`: parses the options, compiles both rule files (OLD
/// may be `@REV`: NEW's path at a git revision), runs the library's `DiffRun`, prints the
/// report, and maps how it ended to an exit status.
enum DiffCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.diff)
            return .success
        }
        let args: ArgumentScanner
        let options: BatchOptions
        var jobs = ProcessInfo.processInfo.activeProcessorCount
        var inputFormat: RecordFormat
        var maxRecordBytes = BatchRun.defaultMaxRecordBytes
        var onError: BatchRun.ErrorMode = .continue
        var lineOffset = 0
        var maxChange: Double?
        var json = false
        do {
            args = try ArgumentScanner(arguments, valued: [
                "--format", "--changes", "--max-change", "--flags", "--now", "--id", "--as", "--jobs", "--on-error",
                "--input-format", "--max-record-bytes", "--line-offset",
            ], switches: ["--context-records", "--no-progress", "--reasons"])
            guard args.positionals.count >= 3 else {
                throw UsageError("diff needs OLD, NEW and INPUT (OLD may be @REV: NEW at a git revision; INPUT - is stdin)")
            }
            guard args.positionals.count == 3 else {
                throw UsageError("unexpected extra argument '\(args.positionals[3])': diff takes OLD, NEW and one INPUT")
            }
            let (oldPath, newPath, inputPath) = (args.positionals[0], args.positionals[1], args.positionals[2])
            if [oldPath, newPath, inputPath].filter({ $0 == "-" }).count > 1 {
                throw UsageError("only one of OLD, NEW and INPUT can be - (stdin)")
            }
            if oldPath.hasPrefix("@"), newPath == "-" {
                throw UsageError("OLD \(oldPath) reads NEW's path at a git revision: NEW must be a file, not -")
            }
            var o = BatchOptions(now: try parseNow(args.value("--now")))
            if let format = args.value("--format") {
                guard format == "text" || format == "json" else { throw UsageError("--format must be text or json") }
                json = format == "json"
            }
            if let flags = args.value("--flags") {
                o.flags = flags.isEmpty ? [] : flags.split(separator: ",", omittingEmptySubsequences: false).map {
                    String($0).trimmingCharacters(in: .whitespaces)
                }
            }
            if let root = args.value("--as") {
                guard !args.has("--context-records") else {
                    throw UsageError("--as and --context-records do not go together: with --context-records each record's keys are the roots")
                }
                o.recordRoot = root
            }
            if let id = args.value("--id") { o.idPath = id }
            o.contextRecords = args.has("--context-records")
            do throws(BatchError) {
                try o.validate()
            } catch {
                throw UsageError(error.message)
            }
            options = o
            if let j = args.value("--jobs") {
                guard let n = Int(j), n >= 1, n <= 256 else { throw UsageError("--jobs must be a number from 1 to 256") }
                jobs = n
            }
            if let f = args.value("--input-format") {
                guard let format = RecordFormat(rawValue: f) else { throw UsageError("--input-format must be jsonl, json or csv") }
                inputFormat = format
            } else {
                inputFormat = RecordFormat.inferred(fromPath: inputPath)
            }
            if let m = args.value("--max-record-bytes") {
                guard let n = Int(m), n >= 1 else { throw UsageError("--max-record-bytes must be a positive number of bytes") }
                maxRecordBytes = n
            }
            if let mode = args.value("--on-error") {
                guard let m = BatchRun.ErrorMode(rawValue: mode) else {
                    throw UsageError("--on-error must be continue (the default), fail or skip")
                }
                onError = m
            }
            if let text = args.value("--line-offset") {
                guard let n = Int(text), n >= 0 else { throw UsageError("--line-offset must be a number of lines, 0 or more") }
                lineOffset = n
            }
            if args.has("--reasons"), args.value("--changes") == nil {
                throw UsageError("--reasons adds each change's reasons to the --changes lines: give --changes FILE too")
            }
            if let text = args.value("--max-change") {
                let number = text.hasSuffix("%") ? String(text.dropLast()) : text
                guard let pct = Double(number), pct.isFinite, pct >= 0, pct <= 100 else {
                    throw UsageError("--max-change must be a percentage from 0 to 100")
                }
                maxChange = pct
            }
        } catch {
            Terminal.err("cohort diff: \(describeUsage(error))\n")
            return .usage
        }
        let (oldPath, newPath, inputPath) = (args.positionals[0], args.positionals[1], args.positionals[2])

        // Both rule files: every record is bound to one root (or to the roots of a context record).
        var compileOptions = CompileOptions()
        compileOptions.roots.insert(options.recordRoot)
        let old: Ruleset, new: Ruleset
        do throws(CompileError) {
            new = try loadRuleset(newPath, options: compileOptions)
            if oldPath.hasPrefix("@") {
                let revision = String(oldPath.dropFirst())
                let bytes: [UInt8]
                do throws(GitRevision.ReadError) {
                    bytes = try GitRevision.read(newPath, at: revision)
                } catch {
                    Terminal.err("cohort diff: \(error.message.escapingControlCharacters)\n")
                    return .failure
                }
                let source = try SourceFile(name: GitRevision.displayName(newPath, at: revision), data: bytes)
                old = try Ruleset(source, options: compileOptions)
            } else {
                old = try loadRuleset(oldPath, options: compileOptions)
            }
        } catch {
            report(error)
            return .failure
        }
        var evaluator: DiffEvaluator
        do {
            evaluator = try DiffEvaluator(old: old, new: new, options: options)
            evaluator.writesReasons = args.has("--reasons")
        } catch {
            Terminal.err("cohort diff: \(error.message)\n")
            return .usage
        }
        if evaluator.readsNow && args.value("--now") == nil {
            if onError == .skip || args.value("--line-offset") != nil {
                Terminal.err("cohort diff: the rules read now(): a partitioned run (--on-error skip, --line-offset) needs --now, or each part would use its own start time\n")
                return .usage
            }
            Terminal.err("cohort diff: warning: the rules read now() and --now is not given; every record uses \(options.now), the start of this run\n")
        }

        var run = DiffRun(evaluator: evaluator, inputPath: inputPath, inputFormat: inputFormat)
        run.changesPath = args.value("--changes")
        run.rulePaths = oldPath.hasPrefix("@") ? [newPath] : [oldPath, newPath]
        run.jobs = jobs
        run.maxRecordBytes = maxRecordBytes
        run.onError = onError
        run.lineOffset = lineOffset
        let showsProgress = !args.has("--no-progress") && isatty(2) == 1
        let result = run.run(notice: { Terminal.err("cohort diff: \($0.escapingControlCharacters)\n") },
                             progress: showsProgress ? { Terminal.err($0) } : nil)

        let report = result.report
        switch result.ending {
        case .refused(let message):
            Terminal.err("cohort diff: \(message)\n")
            return .usage
        case .failed(let message):
            Terminal.err("cohort diff: \(message)\n")
            return .failure
        case .stoppedAtUnreadable:
            let first = report.unreadableSamples.first
            let message = first?.message.escapingControlCharacters ?? "unreadable record"
            Terminal.err("cohort diff: stopped at input line \(first?.line ?? 0): \(message) (--on-error fail)\n")
            return .failure
        case .completed:
            break
        }
        // With the changes on stdout, the report goes to stderr.
        let text = json ? report.json : report.text
        if run.changesPath == "-" { Terminal.err(text) } else { Terminal.out(text) }

        var status: ExitStatus = report.unreadable > 0 && onError != .skip ? .failure : .success
        if let maxChange {
            for flag in report.flags(changingMoreThan: maxChange) {
                Terminal.err("cohort diff: flag \(flag.name.escapingControlCharacters) changes for \(DiffReport.percent(flag.share(of: report.records))) of records (\(flag.changed) of \(report.records)), more than --max-change \(maxChange.formatted)%\n")
                status = .failure
            }
        }
        return status
    }
}

extension Double {
    /// `5` for 5.0, `2.5` for 2.5.
    fileprivate var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
