import Cohort

/// `cohort disasm EXPR`
enum DisasmCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.disasm)
            return .success
        }
        do {
            let args = try ArgumentScanner(arguments, valued: ["--rules"], switches: [])
            guard args.positionals.count == 1 else { throw UsageError("disasm needs one expression") }
            let text = args.positionals[0] == "-" ? String(decoding: try readInput("-"), as: UTF8.self) : args.positionals[0]
            do {
                Terminal.out(try Rule(text).disassembly)
                return .success
            } catch {
                report(error)
                return .failure
            }
        } catch {
            Terminal.err("cohort disasm: \((error as? UsageError)?.message ?? "\(error)")\n")
            return .usage
        }
    }
}
