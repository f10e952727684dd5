/// Hover: what the name or word under the cursor is.
extension DocumentAnalysis {
    /// Markdown describing what is at `offset`, and the span it describes; nil over
    /// punctuation, literals, comments and unknown names.
    ///
    /// - a `let`: its declaration and, when it folds to a constant, that value;
    /// - a segment or flag: its declaration and the `#` comment above it;
    /// - a function: its signature and a one-line summary;
    /// - an attribute path: the path and the context root it reads;
    /// - a keyword or word operator, or a word of a test file: what it does.
    ///
    /// Names not declared here are looked up in the files `used` (a test file's rule files).
    package func hover(at offset: Int, using used: [UsedFile] = []) -> (markdown: String, span: SourceSpan)? {
        let tokens = tokens(onLineOf: offset)
        guard let i = Self.tokenIndex(at: offset, in: tokens) else { return nil }
        let token = tokens[i]
        if token.isWord, i >= 1, tokens[i - 1].kind == .dot {
            guard let (path, root) = attributePath(endingAt: i, in: tokens) else { return nil }
            return (attributeHover(path), tokens[root].span.union(token.span))
        }
        if token.kind == .identifier {
            let isCall = i + 1 < tokens.count && tokens[i + 1].kind == .leftParen
            if !isCall, let (analysis, d) = resolve(token.text, using: used) {
                var text = analysis.declarationHover(d)
                if analysis.uri != uri { text += "\n\nDeclared in `\(DocumentURI.displayName(analysis.uri).split(separator: "/").last ?? "")`." }
                return (text, token.span)
            }
            if let builtin = Builtin.byName[token.text] {
                return (code(builtin.signature) + "\n\n" + builtin.summary, token.span)
            }
            if !isCall, roots.contains(token.text) {
                return (code(token.text) + "\n\nContext root: the `\(token.text)` object of the evaluation context (null when the context has none).", token.span)
            }
            if let text = Self.testWordDocumentation[token.text] {
                return (text, token.span)
            }
            return nil
        }
        if token.isWord, let text = Self.keywordDocumentation[token.text] {
            return (text, token.span)
        }
        return nil
    }

    // MARK: Pieces

    private func attributeHover(_ path: AttributePath) -> String {
        code(path.description) + "\n\nAttribute path, read from the context root `\(path.root)`; null when the context does not have it."
    }

    /// A declaration's text, its value when it is a constant `let`, and its comment.
    package func declarationHover(_ index: Int) -> String {
        let d = declarations[index]
        var text = source.text(of: d.span)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 12 { text = lines.prefix(11).joined(separator: "\n") + "\n  …" }
        var out = code(text)
        if d.kind == .let, let value = constants[index], let expression = d.expression {
            let literal = Self.literal(value)
            if literal != source.text(of: expression.span) { out += "\n\nValue: `\(literal)`" }
        }
        if let comment = documentation(of: d) { out += "\n\n" + comment }
        return out
    }

    /// The comment lines right above a declaration (no blank line between), without their
    /// markers and ruler lines (`# -----`), and a comment at the end of its first line.
    package func documentation(of declaration: Declaration) -> String? {
        let first = source.location(of: declaration.span.start).line
        var above: [String] = []
        var line = first - 1
        while line >= 1, let comment = Self.commentText(source.lineText(line)) {
            above.append(comment)
            line -= 1
        }
        var paragraphs = [above.reversed().filter { !$0.isEmpty }.joined(separator: "\n")]
        // A trailing comment: what follows the last token on the declaration's first line.
        let tokens = tokens(onLineOf: declaration.span.start)
        if let last = tokens.last {
            let rest = source.text(of: SourceSpan(start: last.span.end, end: source.lineStarts.count > first ? source.lineStarts[first] : source.bytes.count))
            if let trailing = Self.commentText(rest) { paragraphs.append(trailing) }
        }
        let text = paragraphs.filter { !$0.isEmpty }.joined(separator: "\n\n")
        return text.isEmpty ? nil : text
    }

    /// The text of a line that is a comment, without the marker; "" for a ruler line; nil
    /// when the line is not a comment.
    private static func commentText(_ line: String) -> String? {
        var text = trimmed(Substring(line))
        if text.hasPrefix("#") { text = text.dropFirst() } else if text.hasPrefix("//") { text = text.dropFirst(2) } else { return nil }
        let trimmed = String(trimmed(text))
        if trimmed.allSatisfy({ "-=#*/_~".contains($0) }) { return "" }
        return trimmed
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }

    private func code(_ text: String) -> String {
        "```cohort\n" + text + "\n```"
    }

    /// A value as a Cohort literal: `["qa", "staff"]`, `"x"`, `semver("1.2.0")`.
    package static func literal(_ value: Value) -> String {
        switch value {
        case .null, .bool, .number: return value.canonicalText
        case .string(let s): return quoted(s)
        case .list(let items): return "[" + items.map(literal).joined(separator: ", ") + "]"
        case .object: return value.jsonText
        case .version(let v): return "semver(\(quoted(v.description)))"
        case .time(let t): return "time(\(quoted(t.description)))"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x7F: out += "\\u{" + String(c.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The words of test files, keywords only where a test needs them.
    package static let testWordDocumentation: [String: String] = [
        "use": "`use \"PATH\"`: the rule file this file's tests run against, relative to this file.",
        "test": "`test \"NAME\" { … }`: a rule unit test: a context, then expectations (`cohort test` runs it).",
        "expect": "`expect EXPR`: EXPR must be true for the test's context. `expect FLAG reason KIND`: the flag's reason must be KIND.",
        "reason": "`expect FLAG reason KIND`: KIND is static, match, split, default or error.",
        "now": "`now \"TIME\"`: the value of now() in this test (RFC 3339).",
        "salt": "`salt \"S\"`: the default bucket salt of expressions evaluated outside a flag in this test.",
        "context": "`context {…}`: the test's whole evaluation context, as a JSON object of roots.",
        "as": "`serve VALUE as NAME`: names the arm; an evaluation reports NAME as its variant.",
    ]

    /// One line on each keyword and word operator.
    package static let keywordDocumentation: [String: String] = [
        "and": "`a and b` (also `&&`): true when both are true. `false and E` is false even when E is an error.",
        "or": "`a or b` (also `||`): true when either is true. `true or E` is true even when E is an error.",
        "not": "`not a` (also `!`): logical negation. `x not in list` is `not (x in list)`.",
        "in": "`x in list`: true when an element of the list `==` x.",
        "true": "The boolean true.",
        "false": "The boolean false.",
        "null": "No value: a missing attribute and JSON null are both null.",
        "contains": "`a contains b`: substring when a is a string, element when a is a list.",
        "contains_any": "`a contains_any [..]`: a contains at least one of the list's elements (substrings when a is a string).",
        "contains_all": "`a contains_all [..]`: a contains every element of the list (substrings when a is a string).",
        "starts_with": "`s starts_with prefix`: string prefix test.",
        "ends_with": "`s ends_with suffix`: string suffix test.",
        "matches": "`s matches \"pattern\"`: regular expression search; the pattern is a constant string (`$` is the end of text, `(?i)` at the start ignores case).",
        "let": "`let NAME = expr`: names a value or an expression.",
        "segment": "`segment NAME = expr`: names an audience; the expression must be boolean.",
        "flag": "`flag NAME = expr` is a boolean flag; `flag NAME { when COND serve VALUE … default VALUE }` serves the value of the first true `when`.",
        "when": "`when COND serve VALUE`: an arm of a flag block; the first arm whose condition is true serves its value.",
        "serve": "`serve VALUE`: what a `when` arm serves; any expression.",
        "default": "`default VALUE`: what a flag block serves when no `when` is true or a condition fails; a constant.",
    ]
}
