import Cohort

/// `cohort test [PATH...] [--run PATTERN] [--format text|json|junit] [--coverage] [--now TIME]`:
/// runs rule unit tests.
enum TestCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.test)
            return .success
        }
        var options = TestRunner.Options()
        let format: String
        let paths: [String]
        do {
            let args = try ArgumentScanner(arguments, valued: ["--run", "--format", "--now"], switches: ["--coverage"])
            format = args.value("--format") ?? "text"
            guard ["text", "json", "junit"].contains(format) else {
                throw UsageError("--format must be text, json or junit, not '\(format)'")
            }
            if args.positionals.contains("-") { throw UsageError("test reads files and directories, not stdin") }
            paths = args.positionals.isEmpty ? ["."] : args.positionals
            options.pattern = args.value("--run")
            options.now = try parseNow(args.value("--now"))
            options.collectsCoverage = args.has("--coverage")
        } catch {
            Terminal.err("cohort test: \(describeUsage(error))\n")
            return .usage
        }

        let files = TestDiscovery.testFiles(in: paths)
        let run = TestRunner(options: options).run(files)
        for file in run.files {
            for problem in file.problems { report(problem) }
        }
        switch format {
        case "json":
            Terminal.out(TestReport.json(run, coverage: options.collectsCoverage))
        case "junit":
            Terminal.out(TestReport.junit(run))
            if options.collectsCoverage { Terminal.err(TestReport.coverageText(run)) }
        default:
            Terminal.out(TestReport.text(run, coverage: options.collectsCoverage, color: Terminal.colorEnabled(fd: 1)))
        }
        if files.isEmpty {
            Terminal.err("cohort test: no test files found in \(paths.joined(separator: ", ")) (a test file holds 'use \"...\"' or 'test \"...\" { }')\n")
        } else if run.results.isEmpty && run.uncompiled == 0 {
            Terminal.err("cohort test: no tests" + (options.pattern.map { " whose name contains '\($0)'" } ?? "") + "\n")
        }
        return run.succeeded ? .success : .failure
    }
}
