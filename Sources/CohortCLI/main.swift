import Cohort

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The `cohort` command: parses arguments, calls the library, maps outcomes to exit codes.
// One file per subcommand.

let arguments = Array(CommandLine.arguments.dropFirst())
let status: ExitStatus

switch arguments.first {
case nil, "-h", "--help", "help":
    Terminal.out(Usage.main)
    status = arguments.isEmpty ? .usage : .success
case "--version", "-V":
    Terminal.out("cohort \(CohortVersion.current)\n")
    status = .success
case "eval":
    status = EvalCommand.run(Array(arguments.dropFirst()))
case "batch":
    status = BatchCommand.run(Array(arguments.dropFirst()))
case "repl":
    status = ReplCommand.run(Array(arguments.dropFirst()))
case "gen":
    status = GenCommand.run(Array(arguments.dropFirst()))
case "check":
    status = CheckCommand.run(Array(arguments.dropFirst()))
case "fmt":
    status = FmtCommand.run(Array(arguments.dropFirst()))
case "test":
    status = TestCommand.run(Array(arguments.dropFirst()))
case "disasm":
    status = DisasmCommand.run(Array(arguments.dropFirst()))
case "lsp":
    status = LspCommand.run(Array(arguments.dropFirst()))
default:
    Terminal.err(Usage.unknownCommand(arguments[0]))
    status = .usage
}
exit(status.rawValue)
