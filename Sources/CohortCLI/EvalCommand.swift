import Cohort

/// `cohort eval EXPR [--user JSON | --context JSON] [--now TIME] [--salt S]`
enum EvalCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.eval)
            return .success
        }
        do {
            let args = try ArgumentScanner(arguments, valued: ["--user", "--context", "--now", "--salt", "--rules"], switches: [])
            guard args.positionals.count == 1 else {
                throw UsageError(args.positionals.isEmpty ? "eval needs an expression" : "eval takes one expression; quote it")
            }
            if args.value("--user") != nil && args.value("--context") != nil {
                throw UsageError("give either --user or --context, not both")
            }
            let expression = try textArgument(args.positionals[0])
            var context = Context()
            var options = CompileOptions()
            if let user = args.value("--user") {
                context = try parseContext("--user", try textArgument(user), wrapAs: "user")
            } else if let whole = args.value("--context") {
                context = try parseContext("--context", try textArgument(whole), wrapAs: nil)
                options.roots.formUnion(context.roots.keys)
            }
            let now = try parseNow(args.value("--now"))
            let rule: Rule
            do {
                if let path = args.value("--rules") {
                    rule = try loadRuleset(path, options: options).rule(expression, options: options)
                } else {
                    rule = try Rule(expression, options: options)
                }
            } catch {
                report(error)
                return .failure
            }
            switch rule.evaluate(context, now: now, salt: args.value("--salt") ?? "") {
            case .success(let value):
                Terminal.out(value.jsonText + "\n")
                return .success
            case .failure(let error):
                report(CompileError(diagnostics: [error.diagnostic], source: rule.source))
                return .failure
            }
        } catch {
            Terminal.err("cohort eval: \(describeUsage(error))\n")
            return .usage
        }
    }

    /// `-` reads the argument from stdin.
    private static func textArgument(_ text: String) throws(UsageError) -> String {
        text == "-" ? String(decoding: try readInput("-"), as: UTF8.self) : text
    }

    private static func parseContext(_ option: String, _ json: String, wrapAs root: String?) throws(UsageError) -> Context {
        do {
            if let root {
                let value = try Context(json: "{\"v\":" + json + "\n}")["v"]
                guard case .object = value else { throw UsageError("\(option) must be a JSON object, not a \(value.typeName)") }
                return Context(user: value, as: root)
            }
            return try Context(json: json)
        } catch let error as ContextError {
            throw UsageError("\(option) is not valid JSON: \(error.message)")
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError("\(option): \(error)")
        }
    }
}
