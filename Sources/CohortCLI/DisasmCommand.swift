import Cohort

/// `cohort disasm EXPR`
enum DisasmCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.disasm)
            return .success
        }
        do {
            let args = try ArgumentScanner(arguments, valued: ["--rules"], switches: [], command: "disasm")
            let rules = args.value("--rules")
            let positionals = try args.positionals(named: ["EXPR"], optional: rules == nil ? 0 : 1, command: "disasm",
                                                   hint: rules == nil ? " (or --rules FILE)" : "")
            try requireOneStdinReader([("EXPR", positionals.first), ("--rules", rules)])
            var text = positionals.first ?? ""
            if text == "-" {
                do { text = String(decoding: try readInput("-"), as: UTF8.self) } catch {
                    throw UsageError("cannot read standard input: \(error.reason)")
                }
            }
            do throws(CompileError) {
                if args.positionals.isEmpty, let rules {
                    Terminal.out(try loadRuleset(rules).disassembly)
                    return .success
                }
                let rule = if let rules { try loadRuleset(rules).rule(text) } else { try Rule(text) }
                Terminal.out(rule.disassembly)
                return .success
            } catch {
                report(error)
                return .failure
            }
        } catch {
            Terminal.err("cohort disasm: \(describeUsage(error))\n")
            return .usage
        }
    }
}
