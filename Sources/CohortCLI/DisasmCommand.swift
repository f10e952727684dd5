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
            let rules = args.value("--rules")
            guard args.positionals.count == 1 || (rules != nil && args.positionals.isEmpty) else {
                throw UsageError("disasm needs one expression, or --rules FILE")
            }
            let text = args.positionals.first == "-" ? String(decoding: try readInput("-"), as: UTF8.self) : args.positionals.first ?? ""
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
