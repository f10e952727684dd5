import Cohort

/// `cohort check FILE...`: compiles rule files and prints every diagnostic.
enum CheckCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.check)
            return .success
        }
        do {
            let args = try ArgumentScanner(arguments, valued: [], switches: ["--quiet"])
            guard !args.positionals.isEmpty else { throw UsageError("check needs at least one rule file") }
            var failed = false
            for path in args.positionals {
                do {
                    let ruleset = try loadRuleset(path)
                    if !ruleset.warnings.isEmpty {
                        report(CompileError(diagnostics: ruleset.warnings, source: ruleset.source))
                    }
                    // Test blocks compile like rules (docs/testing.md).
                    let tests = path == "-" ? nil : TestFileCompiler.check(path: path)
                    tests?.problems.forEach(report)
                    if tests?.failed == true {
                        failed = true
                        continue
                    }
                    if !args.has("--quiet") {
                        let n = ruleset.flagNames.count
                        let testCount = tests.map { ", \($0.testCount) test\($0.testCount == 1 ? "" : "s")" } ?? ""
                        Terminal.err("\(ruleset.source.name): ok, \(n) flag\(n == 1 ? "" : "s")\(testCount)\(ruleset.warnings.isEmpty ? "" : ", \(ruleset.warnings.count) warning\(ruleset.warnings.count == 1 ? "" : "s")")\n")
                    }
                } catch {
                    report(error)
                    failed = true
                }
            }
            return failed ? .failure : .success
        } catch {
            Terminal.err("cohort check: \(describeUsage(error))\n")
            return .usage
        }
    }
}

/// Loads a rule file, `-` meaning stdin.
func loadRuleset(_ path: String, options: CompileOptions = CompileOptions()) throws(CompileError) -> Ruleset {
    if path == "-" {
        let bytes = (try? readInput("-")) ?? []
        return try Ruleset(source: String(decoding: bytes, as: UTF8.self), file: "<stdin>", options: options)
    }
    return try Ruleset(contentsOfFile: path, options: options)
}
