import Cohort

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The `cohort` command: parses arguments, calls the library, maps outcomes to exit codes.
// One file per subcommand.

let arguments = Array(CommandLine.arguments.dropFirst())

/// Every subcommand by name: a new verb is one line here (and its help in `Usage`).
let commands: [String: ([String]) -> ExitStatus] = [
    "eval": EvalCommand.run,
    "batch": BatchCommand.run,
    "diff": DiffCommand.run,
    "repl": ReplCommand.run,
    "gen": GenCommand.run,
    "check": CheckCommand.run,
    "fmt": FmtCommand.run,
    "test": TestCommand.run,
    "disasm": DisasmCommand.run,
    "lsp": LspCommand.run,
]

let status: ExitStatus
switch arguments.first {
case nil, "-h", "--help", "help":
    Terminal.out(Usage.main)
    status = arguments.isEmpty ? .usage : .success
case "--version", "-V":
    Terminal.out("cohort \(CohortVersion.current)\n")
    status = .success
case let verb?:
    if let run = commands[verb] {
        status = run(Array(arguments.dropFirst()))
    } else {
        Terminal.err(Usage.unknownCommand(verb, among: commands.keys))
        status = .usage
    }
}
exit(status.rawValue)
