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
      :user {json}          set the current user
      :set user.plan = "pro"  set one attribute (any path; the value is an expression)
      :context              show the current context
      :load FILE            load users (JSONL, JSON array or CSV) to see how many match
      :rules FILE           load a rule file; its lets, segments and flags become names
      :flags                every flag of the rule file for the current user, with reasons
      :explain EXPR         the expression as a tree with the value of every part
      :disasm EXPR          the bytecode
      :ast EXPR             the syntax tree
      :now TIME             fix now() (RFC 3339 or a date); ':now' alone goes back to the clock
      :salt S               the default salt of bucket(key)
      :help                 this text
      :quit                 leave (Ctrl-D too)
    """

    // MARK: Input

    /// True when `text` has an open bracket, so the REPL should read a continuation line.
    package static func needsContinuation(_ text: String) -> Bool {
        var lexer = Lexer(SourceFile(name: "<input>", text: text))
        var depth = 0
        for token in lexer.tokenize() {
            switch token.kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            default: break
            }
        }
        return depth > 0
    }

    /// Handles one input and returns what to print (ending in a newline, or empty).
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
        switch rule.evaluate(context, now: time, salt: salt) {
        case .success(let value):
            out = paint(value.jsonText, "1")
        case .failure(let error):
            out = DiagnosticRenderer(source: rule.source, color: color).render(error.diagnostic)
            out.removeLast()
        }
        if !users.isEmpty {
            var matched = 0, errors = 0
            for user in users {
                var c = context
                c.roots["user"] = user
                switch rule.evaluate(c, now: time, salt: salt) {
                case .success(.bool(true)): matched += 1
                case .success: break
                case .failure: errors += 1
                }
            }
            let share = NumberText.canonical((Double(matched) / Double(users.count) * 1000).rounded() / 10)
            var note = "\(grouped(matched)) of \(grouped(users.count)) loaded users match (\(share)%)"
            if errors > 0 { note += ", \(grouped(errors)) error\(errors == 1 ? "" : "s")" }
            out += "   " + paint("· " + note, "2")
        }
        return out + "\n"
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
            do {
                let value = try Context(json: "{\"user\":" + rest + "\n}")["user"]
                guard case .object = value else { return problem(":user needs a JSON object, e.g. :user {\"id\": \"u-42\"}") }
                context.roots["user"] = value
                return "user = \(value.jsonText)\n"
            } catch {
                return problem(":user: invalid JSON: \(error.message)")
            }
        case ":set":
            return set(rest, clock: clock)
        case ":context":
            return Value.object(context.roots).jsonText + "\n"
        case ":load":
            guard !rest.isEmpty, let data = FileManager.default.contents(atPath: rest) else { return problem(":load: cannot read '\(rest)'") }
            let (records, problems) = RecordDecoder.readAll([UInt8](data), format: RecordFormat.inferred(fromPath: rest))
            users = records
            var out = "loaded \(grouped(records.count)) users from \(rest)\n"
            for p in problems.prefix(5) { out += "  line \(p.line): \(p.message)\n" }
            if problems.count > 5 { out += "  … \(problems.count - 5) more unreadable records\n" }
            return out
        case ":rules":
            do {
                var options = CompileOptions()
                options.roots.formUnion(context.roots.keys)
                let loaded = try Ruleset(contentsOfFile: rest, options: options)
                ruleset = loaded
                var out = DiagnosticRenderer(source: loaded.source, color: color).render(loaded.warnings)
                out += "loaded \(loaded.flagNames.count) flags from \(rest): \(loaded.flagNames.joined(separator: ", "))\n"
                return out
            } catch {
                return error.rendered(color: color)
            }
        case ":flags":
            guard let ruleset else { return problem(":flags needs a rule file; load one with :rules FILE") }
            var out = ""
            let width = ruleset.flagNames.map(\.count).max() ?? 0
            for result in ruleset.evaluateAll(in: context, now: now ?? clock) {
                let pad = String(repeating: " ", count: width - result.flag.count)
                out += "\(result.flag)\(pad)  \(paint(result.value.jsonText, "1"))  " + paint("(\(result.reason))", "2") + "\n"
            }
            return out
        case ":explain":
            return explain(rest, clock: clock)
        case ":disasm":
            do { return try compile(rest).disassembly } catch { return error.rendered(color: color) }
        case ":ast":
            let source = SourceFile(name: "<input>", text: rest)
            var parser = Parser(source)
            guard let expr = parser.parseStandaloneExpression() else {
                return CompileError(diagnostics: parser.diagnostics, source: source).rendered(color: color)
            }
            return ASTPrinter.render(expr)
        case ":now":
            if rest.isEmpty {
                now = nil
                return "now() follows the clock\n"
            }
            guard let t = Instant(timestamp: rest) ?? Instant(date: rest) else {
                return problem(":now needs an RFC 3339 time (2026-12-01T09:00:00Z) or a date (2026-12-01)")
            }
            now = t
            return "now() = \(t)\n"
        case ":salt":
            salt = rest
            return "salt = \"\(rest)\"\n"
        default:
            let commands = [":help", ":user", ":set", ":context", ":load", ":rules", ":flags", ":explain", ":disasm", ":ast", ":now", ":salt", ":quit"]
            let hint = Suggestion.closest(to: name, among: commands).map { "; did you mean \($0)?" } ?? "; try :help"
            return problem("unknown command \(name)\(hint)")
        }
    }

    private func problem(_ message: String) -> String {
        paint("error:", "1;31") + " " + message + "\n"
    }

    /// `:set user.plan = "pro"`: assigns the value of an expression to a path of the context.
    private mutating func set(_ text: String, clock: Instant) -> String {
        guard let eq = text.firstIndex(of: "=") else { return problem(":set needs PATH = VALUE, e.g. :set user.plan = \"pro\"") }
        let path = text[..<eq].trimmingCharacters(in: .whitespaces).split(separator: ".").map(String.init)
        let valueText = String(text[text.index(after: eq)...])
        guard let root = path.first, !root.isEmpty, path.allSatisfy({ !$0.isEmpty }) else { return problem(":set needs a path like user.plan") }
        let value: Value
        do {
            switch try compile(valueText).evaluate(context, now: now ?? clock, salt: salt) {
            case .success(let v): value = v
            case .failure(let error): return problem(":set: \(error.message)")
            }
        } catch {
            return error.rendered(color: color)
        }
        context.roots[root] = assign(value, at: path.dropFirst(), in: context.roots[root] ?? .null)
        return "\(path.joined(separator: ".")) = \(value.jsonText)\n"
    }

    private func assign(_ value: Value, at path: ArraySlice<String>, in base: Value) -> Value {
        guard let key = path.first else { return value }
        var fields: [String: Value] = [:]
        if case .object(let existing) = base { fields = existing }
        fields[key] = assign(value, at: path.dropFirst(), in: fields[key] ?? .null)
        return .object(fields)
    }

    /// `:explain EXPR`: every sub-expression with its value, as a tree.
    private func explain(_ text: String, clock: Instant) -> String {
        let source = SourceFile(name: "<input>", text: text)
        var parser = Parser(source)
        guard let expr = parser.parseStandaloneExpression() else {
            return CompileError(diagnostics: parser.diagnostics, source: source).rendered(color: color)
        }
        do { _ = try compile(text) } catch { return error.rendered(color: color) }
        var out = ""
        func valueText(_ node: Expr) -> String {
            let part = source.text(of: node.span)
            guard let rule = try? compile(part) else { return "?" }
            switch rule.evaluate(context, now: now ?? clock, salt: salt) {
            case .success(let v): return paint(v.jsonText, "1")
            case .failure(let e): return paint("error: \(e.message)", "31")
            }
        }
        func walk(_ node: Expr, prefix: String, childPrefix: String) {
            out += prefix + source.text(of: node.span) + "  " + paint("→", "2") + " " + valueText(node) + "\n"
            let children = ASTPrinter.children(node)
            for (i, child) in children.enumerated() {
                let last = i == children.count - 1
                walk(child, prefix: childPrefix + (last ? "└─ " : "├─ "), childPrefix: childPrefix + (last ? "   " : "│  "))
            }
        }
        walk(expr, prefix: "", childPrefix: "")
        return out
    }

    // MARK: Completion

    /// Candidates for Tab after `prefix`: commands, keywords, functions, declared names,
    /// and attribute paths seen in the current and loaded users.
    package func completions(for prefix: String) -> [String] {
        if prefix.hasPrefix(":") {
            return [":help", ":user", ":set", ":context", ":load", ":rules", ":flags", ":explain", ":disasm", ":ast", ":now", ":salt", ":quit"]
        }
        var words = Set(Token.keywords.keys).union(Builtin.allCases.map { $0.name + "(" }).union(context.roots.keys)
        words.formUnion(CompileOptions.defaultRoots)
        if let ruleset { words.formUnion(ruleset.compiler.checked.map(\.declaration.name)) }
        var paths = Set<String>()
        func collect(_ value: Value, _ path: String, depth: Int) {
            guard depth < 6, case .object(let fields) = value else { return }
            for (key, inner) in fields {
                let p = path + "." + key
                paths.insert(p)
                collect(inner, p, depth: depth + 1)
            }
        }
        for (root, value) in context.roots { collect(value, root, depth: 0) }
        for user in users.prefix(200) { collect(user, "user", depth: 0) }
        words.formUnion(paths)
        return words.filter { $0.hasPrefix(prefix) }.sorted()
    }
}

/// Prints syntax trees for `:ast` and walks them for `:explain`.
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
