import Cohort
import Foundation

/// `cohort gen users --count N [--seed S] [--format jsonl|json|csv]`: reproducible test users.
enum GenCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.gen)
            return .success
        }
        do {
            let args = try ArgumentScanner(arguments, valued: ["--count", "--seed", "--format"], switches: [])
            guard args.positionals == ["users"] else { throw UsageError("gen knows one kind: 'cohort gen users --count N'") }
            guard let count = Int(args.value("--count") ?? "1000"), count >= 0 else { throw UsageError("--count must be a whole number") }
            guard let seed = UInt64(args.value("--seed") ?? "1") else { throw UsageError("--seed must be a whole number") }
            let format = args.value("--format") ?? "jsonl"
            guard ["jsonl", "json", "csv"].contains(format) else { throw UsageError("--format must be jsonl, json or csv") }
            var generator = UserGenerator(seed: seed)
            var out = format == "csv" ? UserGenerator.csvHeader : format == "json" ? "[\n" : ""
            for i in 0..<count {
                let user = generator.nextUser(index: i)
                switch format {
                case "csv": out += UserGenerator.csvRow(user)
                case "json": out += user.jsonText + (i + 1 < count ? ",\n" : "\n")
                default: out += user.jsonText + "\n"
                }
                if out.utf8.count > 1 << 20 {
                    Terminal.out(out)
                    out = ""
                }
            }
            if format == "json" { out += "]\n" }
            Terminal.out(out)
            return .success
        } catch {
            Terminal.err("cohort gen: \(describeUsage(error))\n")
            return .usage
        }
    }
}
