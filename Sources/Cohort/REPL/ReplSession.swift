import Foundation

/// The REPL's brain: takes one input (an expression or a `:command`) and returns the text to
/// show. No terminal code here, so scripted sessions and tests drive it directly.
package struct ReplSession {
    /// The context rules are evaluated against; `user` is the current user.
    package private(set) var context = Context(["user": .object([:])])
    package private(set) var ruleset: Ruleset?
    package private(set) var users: [Value] = []
    package private(set) var now: Instant?
    package private(set) var salt = ""
    /// ANSI colours in output.
    package var color: Bool
    /// Set by `:quit`.
    package private(set) var finished = false

    package init(color: Bool = false) {
        self.color = color
    }

    /// The help text.
    package static let help = """
    Type an expression to evaluate it for the current user, or a command:
      :user {json}             set the current user
      :set user.plan = "pro"   set one attribute (any path; the value is an expression)
      :context                 show the current context
      :load FILE               load users (JSONL, JSON array or CSV) to see how many match
      :rules FILE              load a rule file; its lets, segments and flags become names
      :flags                   every flag of the rule file for the current user, with reasons
      :explain EXPR            the evaluation as a tree: each part's value, segments and
                               flags opened up, the deciding tests marked; :explain FLAG
                               shows a flag's reason and each when tried
      :disasm EXPR             the bytecode
      :ast EXPR                the syntax tree
      :now TIME                fix now() (RFC 3339 or a date); ':now' alone goes back to the clock
      :salt S                  the default salt of bucket(key)
      :help                    this text
      :quit                    leave (Ctrl-D too)
    An open bracket continues the input on the next line.
    """

    /// The commands, for completion and did-you-mean.
    package static let commands = [
        ":help", ":user", ":set", ":context", ":load", ":rules", ":flags", ":explain", ":disasm", ":ast", ":now", ":salt", ":quit",
    ]

    // MARK: Input

    /// The lines of an input that is still open (an unclosed bracket), waiting for more.
    package private(set) var pending = ""

    /// The prompt for the next line: `cohort> `, or `   ...> ` while an input is open.
    package var prompt: String { pending.isEmpty ? "cohort> " : "   ...> " }

    /// Takes one line typed or read. Returns what to print, or nil when the input goes on
    /// with the next line (an open bracket; see `needsContinuation`).
    package mutating func feedLine(_ line: String, clock: Instant = .now) -> String? {
        pending += pending.isEmpty ? line : "\n" + line
        if Self.needsContinuation(pending) { return nil }
        defer { pending = "" }
        return handle(pending, clock: clock)
    }

    /// Ctrl-C: forgets an open input.
    package mutating func discardPending() {
        pending = ""
    }

    /// End of input: handles what is still open, so its error shows.
    package mutating func finishPending(clock: Instant = .now) -> String {
        guard !pending.isEmpty else { return "" }
        defer { pending = "" }
        return handle(pending, clock: clock)
    }

    /// True when `text` has an open bracket, so the REPL should read a continuation line.
    ///
    /// Only expressions and the commands that take one (or JSON) continue; file names and
    /// times never do. A string cannot span lines, so an unterminated string ends the input
    /// at once and is reported, instead of leaving the bracket open for ever.
    package static func needsContinuation(_ text: String) -> Bool {
        var body = Substring(text)
        if text.hasPrefix(":") {
            let name = text.prefix { !$0.isWhitespace }
            guard [":user", ":set", ":explain", ":disasm", ":ast"].contains(name) else { return false }
            body = text.dropFirst(name.count)
        }
        var lexer = Lexer(SourceFile(name: "<input>", text: String(body)))
        var depth = 0
        for token in lexer.tokenize() {
            switch token.kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            case .error where token.text.hasPrefix("unterminated string"): return false
            default: break
            }
        }
        return depth > 0
    }

    /// Handles one complete input and returns what to print (ending in a newline, or empty).
    package mutating func handle(_ input: String, clock: Instant = .now) -> String {
        let line = input.trimmingSpaces()
        if line.isEmpty { return "" }
        if line.hasPrefix(":") { return command(line, clock: clock) }
        return evaluate(line, clock: clock)
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m" + text + "\u{1B}[0m" : text
    }

    // MARK: Expressions

    private func compile(_ text: String) throws(CompileError) -> Rule {
        var options = CompileOptions()
        options.sourceName = "<input>"
        options.roots.formUnion(context.roots.keys)
        if let ruleset { return try ruleset.rule(text, options: options) }
        return try Rule(text, options: options)
    }

    private func evaluate(_ text: String, clock: Instant) -> String {
        let rule: Rule
        do {
            rule = try compile(text)
        } catch {
            return error.rendered(color: color)
        }
        let time = now ?? clock
        var out: String
        let result = rule.evaluate(context, now: time, salt: salt)
        switch result {
        case .success(let value):
            out = paint(value.jsonText, "1")
        case .failure(let error):
            out = DiagnosticRenderer(source: rule.source, color: color).render(error.diagnostic)
            out.removeLast()
        }
        if let note = share(of: rule, currentUser: result, now: time) {
            // After a value on the same line; after an error's caret on a line of its own.
            out += (result.isSuccess ? "   " : "\n") + paint("· " + note, "2")
        }
        return out + "\n"
    }

    /// How many loaded users the rule matches, e.g. `7 of 40 loaded users match (17.5%), 1 error`.
    /// Nil without loaded users, and for an expression that is not a condition (no user,
    /// loaded or current, gets true or false, and none gets an error), such as `bucket(user.id)`.
    private func share(of rule: Rule, currentUser: Result<Value, EvaluationError>, now time: Instant) -> String? {
        guard !users.isEmpty else { return nil }
        var matched = 0, errors = 0
        var condition = false
        if case .success(.bool) = currentUser { condition = true }
        for user in users {
            var c = context
            c.roots["user"] = user
            switch rule.evaluate(c, now: time, salt: salt) {
            case .success(.bool(let b)): condition = true; if b { matched += 1 }
            case .success: break
            case .failure: errors += 1
            }
        }
        let errorNote = Self.count(errors, "error")
        let loaded = Self.count(users.count, "loaded user")
        guard condition else {
            return errors == 0 ? nil : "\(errorNote) among \(loaded)"
        }
        let percent = NumberText.canonical((Double(matched) / Double(users.count) * 1000).rounded() / 10)
        var note = "\(grouped(matched)) of \(loaded) \(matched == 1 ? "matches" : "match") (\(percent)%)"
        if errors > 0 { note += ", " + errorNote }
        return note
    }

    // MARK: Commands

    private mutating func command(_ line: String, clock: Instant) -> String {
        let name = String(line.prefix { !$0.isWhitespace })
        let rest = String(line.dropFirst(name.count)).trimmingSpaces()
        switch name {
        case ":help", ":h", ":?":
            return Self.help + "\n"
        case ":quit", ":q", ":exit":
            finished = true
            return ""
        case ":user":
            guard !rest.isEmpty else { return problem(":user needs a JSON object, e.g. :user {\"id\": \"u-42\"}") }
            do {
                let value = try Context(json: "{\"user\":" + rest + "\n}")["user"]
                guard case .object = value else { return problem(":user needs a JSON object, e.g. :user {\"id\": \"u-42\"}") }
                context.roots["user"] = value
                return "user = \(value.jsonText)\n"
            } catch {
                return problem(":user: invalid JSON: \(error.message.escapingControlCharacters)")
            }
        case ":set":
            return set(rest, clock: clock)
        case ":context":
            return Value.object(context.roots).jsonText + "\n"
        case ":load":
            guard !rest.isEmpty else { return problem(":load needs a file of users, e.g. :load users.jsonl") }
            do { return try loadUsers(from: rest) } catch { return shown(error, of: ":load") }
        case ":rules":
            guard !rest.isEmpty else { return problem(":rules needs a rule file, e.g. :rules flags.cohort") }
            do { return try loadRules(from: rest) } catch { return shown(error, of: ":rules") }
        case ":flags":
            guard let ruleset else { return problem(":flags needs a rule file; load one with :rules FILE") }
            var out = ""
            let width = ruleset.flagNames.map(\.count).max() ?? 0
            for result in ruleset.evaluateAll(in: context, now: now ?? clock) {
                let pad = String(repeating: " ", count: width - result.flag.count)
                let flag = ruleset.flagPosition(result.flag).map { ruleset.flagPrograms[$0] }
                out += "\(result.flag)\(pad)  \(paint(result.value.jsonText, "1"))  " + paint("(\(Self.describe(result.reason, of: flag)))", "2") + "\n"
            }
            return out
        case ":explain":
            guard !rest.isEmpty else { return problem(":explain needs an expression, e.g. :explain user.plan == \"pro\"") }
            return explain(rest, clock: clock)
        case ":disasm":
            guard !rest.isEmpty else { return problem(":disasm needs an expression, e.g. :disasm user.plan == \"pro\"") }
            do { return try compile(rest).disassembly } catch { return error.rendered(color: color) }
        case ":ast":
            guard !rest.isEmpty else { return problem(":ast needs an expression, e.g. :ast 1 + 2 * 3") }
            let source = SourceFile(name: "<input>", text: rest)
            var parser = Parser(source)
            guard let expr = parser.parseStandaloneExpression() else {
                return CompileError(diagnostics: parser.diagnostics, source: source).rendered(color: color)
            }
            return ASTPrinter.render(expr)
        case ":now":
            do { return try setNow(rest) } catch { return shown(error, of: ":now") }
        case ":salt":
            salt = rest
            return "salt = \"\(rest)\"\n"
        default:
            let hint = Suggestion.closest(to: name, among: Self.commands).map { "; did you mean \($0)?" } ?? "; try :help"
            return problem("unknown command \(name)\(hint)")
        }
    }

    private func problem(_ message: String) -> String {
        paint("error:", "1;31") + " " + message + "\n"
    }

    /// Why `:rules`, `:load` or `:now` (or the same option at start-up) did nothing.
    package enum Failure: Error, Equatable {
        /// A one-line message, e.g. `cannot read 'x.cohort': no such file`.
        case message(String)
        /// Diagnostics already rendered (a rule file with errors).
        case diagnostics(String)
    }

    /// A failure as the command's error: `error: :rules: cannot read 'x': no such file`.
    private func shown(_ failure: Failure, of command: String) -> String {
        switch failure {
        case .message(let message): problem("\(command): \(message)")
        case .diagnostics(let text): text
        }
    }

    /// `:rules FILE` (and `cohort repl FILE`): compiles a rule file, whose names become
    /// usable. Returns the warnings and a `loaded N flags` line; on a failure the previous
    /// rule file stays.
    package mutating func loadRules(from path: String) throws(Failure) -> String {
        var options = CompileOptions()
        options.roots.formUnion(context.roots.keys)
        let bytes: [UInt8]
        do {
            bytes = try FileReader.sourceContents(ofFile: path, maxBytes: options.limits.maxSourceBytes)
        } catch {
            throw .message("cannot read rule file \(error)")
        }
        do {
            let loaded = try Ruleset(SourceFile(name: path, data: bytes), options: options)
            ruleset = loaded
            var out = DiagnosticRenderer(source: loaded.source, color: color).render(loaded.warnings)
            out += "loaded \(Self.count(loaded.flagNames.count, "flag")) from \(path): \(loaded.flagNames.joined(separator: ", "))\n"
            return out
        } catch {
            throw .diagnostics(error.rendered(color: color))
        }
    }

    /// `:load FILE` (and `--users FILE`): reads users, listing up to five unreadable records.
    package mutating func loadUsers(from path: String) throws(Failure) -> String {
        let bytes: [UInt8]
        do { bytes = try FileReader.contents(ofFile: path) } catch { throw .message("cannot read \(error)") }
        let (records, problems) = RecordDecoder.readAll(bytes, format: RecordFormat.inferred(fromPath: path))
        users = records
        var out = "loaded \(Self.count(records.count, "user")) from \(path)\n"
        for p in problems.prefix(5) { out += "  line \(p.line): \(p.message.escapingControlCharacters)\n" }
        if problems.count > 5 { out += "  … \(Self.count(problems.count - 5, "more unreadable record"))\n" }
        return out
    }

    /// `:now TIME` (and `--now TIME`); empty text goes back to the clock.
    package mutating func setNow(_ text: String) throws(Failure) -> String {
        if text.isEmpty {
            now = nil
            return "now() follows the clock\n"
        }
        guard let t = Instant(timestamp: text) ?? Instant(date: text) else {
            throw .message("'\(text)' is not an RFC 3339 time (2026-12-01T09:00:00Z) or a date (2026-12-01)")
        }
        now = t
        return "now() = \(t)\n"
    }

    /// `1 user`, `40 users`, `1,000 users`.
    static func count(_ n: Int, _ noun: String) -> String {
        "\(grouped(n)) \(noun)\(n == 1 ? "" : "s")"
    }

    /// `:set user.plan = "pro"`: assigns the value of an expression to a path of the context.
    private mutating func set(_ text: String, clock: Instant) -> String {
        let usage = ":set needs PATH = VALUE, e.g. :set user.plan = \"pro\""
        guard let eq = text.firstIndex(of: "=") else { return problem(usage) }
        let pathText = String(text[..<eq]).trimmingSpaces()
        let valueText = String(text[text.index(after: eq)...]).trimmingSpaces()
        let path = pathText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !pathText.isEmpty, path.allSatisfy(Self.isIdentifier) else {
            return problem(":set needs a path of names like user.plan, not '\(pathText)'")
        }
        guard !valueText.isEmpty else { return problem(usage) }
        let rule: Rule
        do { rule = try compile(valueText) } catch { return error.rendered(color: color) }
        let value: Value
        switch rule.evaluate(context, now: now ?? clock, salt: salt) {
        case .success(let v): value = v
        case .failure(let error): return DiagnosticRenderer(source: rule.source, color: color).render(error.diagnostic)
        }
        let root = path[0]
        context.roots[root] = assign(value, at: path.dropFirst(), in: context.roots[root] ?? .null)
        return "\(pathText) = \(value.jsonText)\n"
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) }
    }

    private func assign(_ value: Value, at path: ArraySlice<String>, in base: Value) -> Value {
        guard let key = path.first else { return value }
        var fields: [String: Value] = [:]
        if case .object(let existing) = base { fields = existing }
        fields[key] = assign(value, at: path.dropFirst(), in: fields[key] ?? .null)
        return .object(fields)
    }

    /// `:explain EXPR`: the evaluation as a tree (`Rule.explain`): every sub-expression with
    /// its value, the rule file's segments, lets and flags opened up where they are used,
    /// the tests that decided the outcome marked, an error where it arose. `:explain FLAG`
    /// (a flag of the loaded file, by name) shows the flag's reason, as `:flags` words it,
    /// over its tree: each `when` tried, and what was served.
    private func explain(_ text: String, clock: Instant) -> String {
        let rule: Rule
        do { rule = try compile(text) } catch { return error.rendered(color: color) }
        let time = now ?? clock
        if let ruleset, ruleset.flagPosition(text) != nil, let (evaluation, explanation) = ruleset.explain(text, in: context, now: time) {
            let flag = ruleset.flagPosition(text).map { ruleset.flagPrograms[$0] }
            return paint("reason: " + Self.describe(evaluation.reason, of: flag), "2") + "\n" + explanation.rendered(color: color)
        }
        return rule.explain(context, now: time, salt: salt).rendered(color: color)
    }

    // MARK: Completion

    /// Candidates for Tab after `prefix`: commands, keywords, functions, declared names,
    /// and attribute paths seen in the context and the loaded users (keys that are names;
    /// `user["first-name"]` is not offered).
    package func completions(for prefix: String) -> [String] {
        if prefix.hasPrefix(":") { return Self.commands.filter { $0.hasPrefix(prefix) }.sorted() }
        let ruleFileWords: Set<String> = ["let", "segment", "flag", "when", "serve", "default"]
        var words = Set(Token.keywords.keys).subtracting(ruleFileWords)
        words.formUnion(Builtin.allCases.map { $0.name + "(" })
        words.formUnion(context.roots.keys)
        words.formUnion(CompileOptions.defaultRoots)
        if let ruleset { words.formUnion(ruleset.compiler.checked.map(\.declaration.name)) }
        func collect(_ value: Value, _ path: String, depth: Int) {
            guard depth < 6, case .object(let fields) = value else { return }
            for (key, inner) in fields where Self.isIdentifier(key) {
                let p = path + "." + key
                words.insert(p)
                collect(inner, p, depth: depth + 1)
            }
        }
        for (root, value) in context.roots { collect(value, root, depth: 0) }
        for user in users.prefix(200) { collect(user, "user", depth: 0) }
        return words.filter { $0.hasPrefix(prefix) }.sorted()
    }
}

/// Prints syntax trees for `:ast`.
package enum ASTPrinter {
    package static func render(_ expr: Expr, indent: String = "") -> String {
        var out = indent + label(expr) + "\n"
        for child in children(expr, includingPaths: true) { out += render(child, indent: indent + "  ") }
        return out
    }

    private static func label(_ expr: Expr) -> String {
        switch expr.kind {
        case .literal(let v): return "literal \(v.jsonText)"
        case .list: return "list"
        case .name(let n): return "name \(n)"
        case .member(_, let name): return "member .\(name)"
        case .index: return "index"
        case .call(let f, _): return "call \(f)"
        case .unary(let op, _): return "unary \(op.rawValue)"
        case .binary(let op, _, _): return "binary \(op.rawValue)"
        case .logical(let op, _): return "logical \(op.rawValue)"
        }
    }

    /// The sub-expressions of a node. Attribute paths (`user.address.city`) count as one
    /// leaf for `:explain` unless `includingPaths`.
    package static func children(_ expr: Expr, includingPaths: Bool = false) -> [Expr] {
        switch expr.kind {
        case .literal, .name: return []
        case .list(let items): return items
        case .member(let base, _):
            return includingPaths || !isPath(base) ? [base] : []
        case .index(let base, let index):
            return includingPaths || !isPath(base) ? [base, index] : []
        case .call(_, let args): return args
        case .unary(_, let e): return [e]
        case .binary(_, let l, let r): return [l, r]
        case .logical(_, let es): return es
        }
    }

    private static func isPath(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .name: return true
        case .member(let base, _): return isPath(base)
        case .index(let base, let index):
            if case .literal = index.kind { return isPath(base) }
            return false
        default: return false
        }
    }
}

extension Result {
    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

extension ReplSession {
    /// A reason as a person reads it: the words every face of Cohort uses (`Reason.description`).
    static func describe(_ reason: Reason, of flag: FlagProgram?) -> String {
        reason.description
    }
}
