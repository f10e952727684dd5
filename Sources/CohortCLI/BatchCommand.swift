import Cohort
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cohort batch RULES INPUT [options]`: parses the options, compiles the rules, and runs
/// the library's `BatchRun` (streamed in chunks, evaluated on all cores, written in input
/// order); maps how it ended to messages and an exit status.
enum BatchCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.batch)
            return .success
        }
        let args: ArgumentScanner
        let options: BatchOptions
        let jobs: Int
        let inputFormat: RecordFormat
        let maxRecordBytes: Int
        let onError: BatchRun.ErrorMode
        var lineOffset = 0
        var maxErrorRate: Double?
        do {
            args = try ArgumentScanner(arguments, valued: [
                "--format", "--summary-file", "--flags", "--now", "--id", "--as", "--jobs", "--output", "--on-error", "--input-format",
                "--max-record-bytes", "--line-offset", "--max-error-rate",
            ], switches: ["--summary", "--context-records", "--no-progress", "--reasons"])
            guard args.positionals.count >= 2 else { throw UsageError("batch needs RULES and INPUT (use - for stdin)") }
            guard args.positionals.count == 2 else {
                throw UsageError("unexpected extra argument '\(args.positionals[2])': batch takes one RULES file and one INPUT (use - for stdin)")
            }
            try requireOneStdinReader([("RULES", args.positionals[0]), ("INPUT", args.positionals[1])])
            var o = BatchOptions(now: try parseNow(args.value("--now")))
            if let format = args.value("--format") {
                guard let f = BatchOutputFormat(rawValue: format) else { throw UsageError("--format must be jsonl, csv or table") }
                o.output = f
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
            o.reasons = args.has("--reasons")
            do throws(BatchError) {
                try o.validate()
            } catch {
                throw UsageError(error.message)
            }
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
                maxRecordBytes = BatchRun.defaultMaxRecordBytes
            }
            if let mode = args.value("--on-error") {
                guard let m = BatchRun.ErrorMode(rawValue: mode) else {
                    throw UsageError("--on-error must be continue (the default), fail or skip")
                }
                onError = m
            } else {
                onError = .continue
            }
            if let text = args.value("--line-offset") {
                guard let n = Int(text), n >= 0 else { throw UsageError("--line-offset must be a number of lines, 0 or more") }
                lineOffset = n
            }
            if let text = args.value("--max-error-rate") {
                let number = text.hasSuffix("%") ? String(text.dropLast()) : text
                guard let pct = Double(number), pct.isFinite, pct >= 0, pct <= 100 else {
                    throw UsageError("--max-error-rate must be a percentage from 0 to 100")
                }
                maxErrorRate = pct
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

        var run = BatchRun(evaluator: evaluator, inputPath: args.positionals[1], inputFormat: inputFormat)
        run.outputPath = args.value("--output")
        run.summaryPath = args.value("--summary-file")
        run.rulesPath = args.positionals[0]
        run.jobs = jobs
        run.maxRecordBytes = maxRecordBytes
        run.onError = onError
        run.lineOffset = lineOffset
        if options.output == .table, run.outputPath == nil || run.outputPath == "-" { run.tableWidth = terminalColumns(1) }

        // now(): without --now each run (each partition of a distributed job) takes its
        // own start time. Engine tasks (--on-error skip, --line-offset) must fix it.
        if evaluator.readsNow && args.value("--now") == nil {
            if onError == .skip || args.value("--line-offset") != nil {
                Terminal.err("cohort batch: the rules read now(): a partitioned run (--on-error skip, --line-offset) needs --now, or each part would use its own start time\n")
                return .usage
            }
            Terminal.err("cohort batch: warning: the rules read now() and --now is not given; every record uses \(options.now), the start of this run\n")
        }

        let showsProgress = !args.has("--no-progress") && isatty(2) == 1
        let result = run.run(notice: { Terminal.err("cohort batch: \($0.escapingControlCharacters)\n") },
                             progress: showsProgress ? { Terminal.err($0) } : nil)
        return finish(result, options: options, onError: onError, maxErrorRate: maxErrorRate, showSummary: args.has("--summary"))
    }

    /// The columns of the terminal `fd` is, if it is one.
    private static func terminalColumns(_ fd: Int32) -> Int? {
        guard isatty(fd) == 1 else { return nil }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Reports how the run ended on stderr, and its exit status.
    private static func finish(_ result: BatchRun.Result, options: BatchOptions, onError: BatchRun.ErrorMode,
                               maxErrorRate: Double?, showSummary: Bool) -> ExitStatus {
        let summary = result.summary
        switch result.ending {
        case .refused(let message):
            Terminal.err("cohort batch: \(message)\n")
            return .usage
        case .failed(let message):
            Terminal.err("cohort batch: \(message)\n")
            return .failure
        case .stoppedAtUnreadable:
            let first = summary.unreadableSamples.first
            let message = first?.message.escapingControlCharacters ?? "unreadable record"
            Terminal.err("cohort batch: stopped at input line \(first?.line ?? 0): \(message) (--on-error fail)\n")
            return .failure
        case .completed:
            break
        }
        if showSummary {
            Terminal.err(summary.rendered())
        }
        if summary.unreadable > 0 && options.output == .jsonl, let first = summary.unreadableSamples.first {
            // The records are in the output at their places; the exit status needs a reason.
            let what = onError == .skip ? "skipped (--on-error skip)" : "first at input line \(first.line): \(first.message.escapingControlCharacters)"
            Terminal.err("cohort batch: \(summary.unreadable) unreadable record(s), \(what)\n")
        } else if summary.unreadable > 20 && options.output != .jsonl {
            Terminal.err("cohort batch: \(summary.unreadable) unreadable record(s) in all\n")
        }
        var status: ExitStatus = summary.unreadable > 0 && onError != .skip ? .failure : .success
        if let maxErrorRate {
            for flag in summary.flags where flag.evaluated > 0 {
                let rate = Double(flag.errors) / Double(flag.evaluated) * 100
                guard rate > maxErrorRate else { continue }
                let shown = (rate * 10).rounded() / 10
                Terminal.err("cohort batch: flag \(flag.name) erred for \(shown)% of records (\(flag.errors) of \(flag.evaluated)), more than --max-error-rate \(maxErrorRate.formatted)%\n")
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
