import Cohort

/// `cohort eval EXPR [--user JSON | --context JSON] [--rules FILE] [--now TIME] [--salt S] [--explain]`
///
/// Three steps: read the command line into a `Request` (usage errors, exit 2), compile
/// (exit 1 on errors), evaluate and print. A bare flag name with `--rules` is evaluated as
/// that flag, with its reason. `--explain` adds the evaluation tree on stderr.
enum EvalCommand {
    /// What the command line asks for.
    struct Request {
        var expression: String
        var context = Context()
        var options = CompileOptions()
        var now: Instant
        var salt: String
        var rulesPath: String?
        /// `--explain`: the evaluation tree on stderr, after the reason.
        var explain = false

        init(_ arguments: [String]) throws(UsageError) {
            let args = try ArgumentScanner(arguments, valued: ["--user", "--context", "--now", "--salt", "--rules"],
                                           switches: ["--explain"], command: "eval")
            let positionals = try args.positionals(named: ["EXPR"], command: "eval",
                                                   hint: " (quote the expression: cohort eval 'user.plan == \"pro\"')")
            if args.value("--user") != nil && args.value("--context") != nil {
                throw UsageError("give either --user or --context, not both")
            }
            try requireOneStdinReader([
                ("EXPR", positionals[0]), ("--user", args.value("--user")), ("--context", args.value("--context")),
                ("--rules", args.value("--rules")),
            ])
            expression = try Self.textArgument(positionals[0])
            if let user = args.value("--user") {
                context = try Self.parseContext("--user", try Self.textArgument(user), wrapAs: "user")
            } else if let whole = args.value("--context") {
                context = try Self.parseContext("--context", try Self.textArgument(whole), wrapAs: nil)
                options.roots.formUnion(context.roots.keys)
            }
            now = try parseNow(args.value("--now"))
            salt = args.value("--salt") ?? ""
            rulesPath = args.value("--rules")
            explain = args.has("--explain")
        }

        /// `-` reads the argument from stdin.
        private static func textArgument(_ text: String) throws(UsageError) -> String {
            guard text == "-" else { return text }
            do {
                return String(decoding: try readInput("-"), as: UTF8.self)
            } catch {
                throw UsageError("cannot read standard input: \(error.reason)")
            }
        }

        private static func parseContext(_ option: String, _ json: String, wrapAs root: String?) throws(UsageError) -> Context {
            // An empty value has nothing to parse: say so, rather than report a brace the
            // user never typed (the object is read inside one of ours).
            if json.allSatisfy(\.isWhitespace) {
                throw UsageError("\(option) is empty; give a JSON object, e.g. \(option) '{\"id\":\"u-42\"}'")
            }
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

    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.eval)
            return .success
        }
        let request: Request
        do {
            request = try Request(arguments)
        } catch {
            Terminal.err("cohort eval: \(error.message)\n")
            return .usage
        }
        do throws(CompileError) {
            guard let path = request.rulesPath else {
                return evaluate(try Rule(request.expression, options: request.options), request)
            }
            let ruleset = try loadRuleset(path, options: request.options)
            if let flag = flagName(request.expression, in: ruleset) {
                return evaluate(flag: flag, in: ruleset, request)
            }
            return evaluate(try ruleset.rule(request.expression, options: request.options), request)
        } catch {
            report(error)
            return .failure
        }
    }

    /// Prints the value; an error value is a diagnostic with a caret, exit 1. With
    /// `--explain`, the tree follows on stderr (coloured as diagnostics are: on a terminal,
    /// never with `NO_COLOR`).
    private static func evaluate(_ rule: Rule, _ request: Request) -> ExitStatus {
        let status: ExitStatus
        switch rule.evaluate(request.context, now: request.now, salt: request.salt) {
        case .success(let value):
            Terminal.out(value.jsonText + "\n")
            status = .success
        case .failure(let error):
            report(CompileError(diagnostics: [error.diagnostic], source: rule.source))
            status = .failure
        }
        if request.explain {
            Terminal.err(rule.explain(request.context, now: request.now, salt: request.salt).rendered(color: Terminal.stderrColor))
        }
        return status
    }

    /// The flag an expression names when it is nothing but a flag's name.
    private static func flagName(_ expression: String, in ruleset: Ruleset) -> String? {
        let name = expression.trimmingSpaces()
        return ruleset.flagPosition(name) == nil ? nil : name
    }

    /// A flag by name: its value on stdout, its reason on stderr. A flag that served its
    /// default because of an error exits 1, like any error value.
    /// With `--explain`, the flag's evaluation tree follows its reason (and its error).
    private static func evaluate(flag: String, in ruleset: Ruleset, _ request: Request) -> ExitStatus {
        let explained = request.explain ? ruleset.explain(flag, in: request.context, now: request.now) : nil
        guard let evaluation = explained?.evaluation ?? ruleset.evaluate(flag, in: request.context, now: request.now) else { return .failure }
        Terminal.out(evaluation.value.jsonText + "\n")
        Terminal.err(describe(evaluation.reason) + "\n")
        var status = ExitStatus.success
        if case .error(let error) = evaluation.reason {
            report(CompileError(diagnostics: [error.diagnostic], source: ruleset.source))
            status = .failure
        }
        if let explained { Terminal.err(explained.explanation.rendered(color: Terminal.stderrColor)) }
        return status
    }

    /// The reason line of `eval FLAG --rules FILE`: `reason: match, rule 0, line 59`,
    /// `reason: default`, `reason: static`, or `reason: error (the default was served)`
    /// followed by the error's diagnostic. The one place that words a reason for `eval`.
    static func describe(_ reason: Reason) -> String {
        switch reason {
        case .error: "reason: error (the default was served)"
        default: "reason: \(reason)"
        }
    }
}
