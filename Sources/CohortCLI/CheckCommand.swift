import Cohort
import Foundation

/// `cohort check FILE... [--format text|json|github] [--werror] [--users FILE]`: compiles
/// rule files, prints every error and warning, and with `--users` adds what a sample of
/// real records shows. Exit 0 without errors, 1 with any (or with a warning under
/// `--werror`), 2 on usage errors.
enum CheckCommand {
    /// How diagnostics are printed.
    enum Format: String {
        /// `FILE:LINE:COL: error|warning: message`, the line and a caret, on stderr.
        case text
        /// One JSON array of every diagnostic on stdout.
        case json
        /// GitHub Actions annotations on stdout.
        case github
    }

    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.check)
            return .success
        }
        let args: ArgumentScanner
        let format: Format
        var records: RecordCheck.Options?
        var recordsPath = "", recordsFormat = RecordFormat.jsonl
        var jobs = ProcessInfo.processInfo.activeProcessorCount
        do {
            args = try ArgumentScanner(arguments, valued: ["--format", "--users", "--as", "--input-format", "--now", "--id", "--jobs"],
                                       switches: ["--quiet", "--werror", "--context-records"])
            guard !args.positionals.isEmpty else { throw UsageError("check needs at least one rule file") }
            try requireOneStdinReader(args.positionals.map { ("FILE", $0) })
            guard let f = Format(rawValue: args.value("--format") ?? "text") else {
                throw UsageError("--format must be text, json or github")
            }
            format = f
            if let path = args.value("--users") {
                if path == "-", args.positionals.contains("-") {
                    throw UsageError("the rules and --users cannot both read standard input ('-')")
                }
                var options = RecordCheck.Options()
                options.recordsName = path == "-" ? "<stdin>" : path
                options.now = try parseNow(args.value("--now"))
                if let root = args.value("--as") { options.recordRoot = root }
                if let id = args.value("--id") { options.idPath = id }
                options.contextRecords = args.has("--context-records")
                records = options
                recordsPath = path
                if let name = args.value("--input-format") {
                    guard let f = RecordFormat(rawValue: name) else { throw UsageError("--input-format must be jsonl, json or csv") }
                    recordsFormat = f
                } else {
                    recordsFormat = RecordFormat.inferred(fromPath: path)
                }
            } else if let option = ["--as", "--input-format", "--now", "--id", "--context-records", "--jobs"].first(where: {
                args.value($0) != nil || args.has($0)
            }) {
                throw UsageError("\(option) goes with --users FILE")
            }
            if let j = args.value("--jobs") {
                guard let n = Int(j), n >= 1, n <= 256 else { throw UsageError("--jobs must be a number from 1 to 256") }
                jobs = n
            }
        } catch {
            Terminal.err("cohort check: \(describeUsage(error))\n")
            return .usage
        }

        var errors = 0, warnings = 0
        var located: [LocatedDiagnostic] = []
        for path in args.positionals {
            var options = CompileOptions()
            if let root = records?.recordRoot { options.roots.insert(root) }
            let ruleset: Ruleset
            do {
                ruleset = try loadRuleset(path, options: options)
            } catch {
                errors += error.diagnostics.filter { $0.severity == .error }.count
                warnings += error.diagnostics.filter { $0.severity == .warning }.count
                emit(error.diagnostics, in: error.source, format: format, into: &located, compileError: error)
                continue
            }
            var found = ruleset.warnings
            var recordProblems: [LocatedDiagnostic] = []
            var evaluated: Int?
            if let options = records {
                do {
                    let check = RecordCheck(ruleset: ruleset, options: options)
                    let tally = try check.run(path: recordsPath, format: recordsFormat, jobs: jobs)
                    let findings = check.findings(tally)
                    found = (found + findings.rules).sorted { $0.span.start < $1.span.start }
                    recordProblems = findings.records
                    evaluated = tally.evaluated
                } catch {
                    Terminal.err("cohort check: --users: \(error.message)\n")
                    return .failure
                }
            }
            warnings += found.count
            errors += recordProblems.filter { $0.severity == .error }.count
            emit(found, in: ruleset.source, format: format, into: &located)
            emit(recordProblems, format: format, into: &located)
            // Test blocks compile like rules (docs/testing.md).
            let tests = path == "-" ? nil : TestFileCompiler.check(path: path, options: options)
            for problem in tests?.problems ?? [] {
                errors += problem.diagnostics.filter { $0.severity == .error }.count
                warnings += problem.diagnostics.filter { $0.severity == .warning }.count
                emit(problem.diagnostics, in: problem.source, format: format, into: &located, compileError: problem)
            }
            if tests?.failed == true { continue }
            if format == .text, !args.has("--quiet") {
                let n = ruleset.flagNames.count
                var line = "\(ruleset.source.name): ok, \(n) flag\(n == 1 ? "" : "s")"
                if let tests { line += ", \(tests.testCount) test\(tests.testCount == 1 ? "" : "s")" }
                if !found.isEmpty { line += ", \(found.count) warning\(found.count == 1 ? "" : "s")" }
                if let evaluated { line += "; \(evaluated) record\(evaluated == 1 ? "" : "s") of \(recordsPathName(recordsPath)) evaluated" }
                Terminal.err(line + "\n")
            }
        }
        if format == .json { Terminal.out(LocatedDiagnostic.jsonArray(located)) }
        return errors > 0 || (args.has("--werror") && warnings > 0) ? .failure : .success
    }

    /// Prints (text, github) or collects (json) the diagnostics of one rule file.
    private static func emit(_ diagnostics: [Diagnostic], in source: SourceFile, format: Format,
                             into located: inout [LocatedDiagnostic], compileError: CompileError? = nil) {
        switch format {
        case .text:
            if let compileError { report(compileError) } else if !diagnostics.isEmpty {
                report(CompileError(diagnostics: diagnostics, source: source))
            }
        case .json:
            located += diagnostics.map { LocatedDiagnostic($0, in: source) }
        case .github:
            Terminal.out(diagnostics.map { LocatedDiagnostic($0, in: source).githubAnnotation }.joined())
        }
    }

    /// Prints or collects diagnostics about a records file (no source line to show).
    private static func emit(_ diagnostics: [LocatedDiagnostic], format: Format, into located: inout [LocatedDiagnostic]) {
        switch format {
        case .text:
            for d in diagnostics { Terminal.err("\(d.file):\(d.line): \(d.severity.rawValue): \(d.message)\n") }
        case .json:
            located += diagnostics
        case .github:
            Terminal.out(diagnostics.map(\.githubAnnotation).joined())
        }
    }

    private static func recordsPathName(_ path: String) -> String {
        path == "-" ? "<stdin>" : path
    }
}
