/// Prints rule files and standalone expressions in one canonical layout (`cohort fmt`).
///
/// The layout, in short (docs/rule-files.md, "Formatting", has the full list):
///
/// - one declaration per line; a blank line between declarations is kept (several become
///   one), other blank lines go; the file ends with exactly one newline;
/// - one space around binary operators and after commas; `&&`, `||` and `!` are written
///   `and`, `or` and `not`; parentheses only where the syntax tree needs them;
/// - strings in double quotes with canonical escapes; numbers keep their spelling
///   (`1_000_000`, `2.5e-1`);
/// - flag blocks one arm per line, indented two spaces, with the `serve` of every short
///   condition in the file lined up in one column;
/// - a line longer than `width` is broken: `and`/`or` chains one operand per line, lists
///   and argument lists one element per line with a trailing comma. A list written with a
///   trailing comma stays one element per line;
/// - comments are kept. A comment at the end of a line or on a line of its own stays next
///   to the same declaration, `when` arm, list element or `and`/`or` operand; a comment
///   anywhere else inside a declaration moves to the line above it. Trailing comments on
///   consecutive lines are aligned.
///
/// The output parses back to the same syntax tree with the same comments, and formatting
/// it again changes nothing; `format(_:)` checks the first before it returns.
package struct Formatter: Sendable {
    /// The width lines are kept to, when they can be broken (default 120).
    package static let defaultWidth = 120
    /// Conditions up to this wide take part in the file's `serve` column; longer ones are
    /// followed by `serve` directly.
    package static let alignedConditionWidth = 40

    /// The line width.
    package var width: Int

    /// A formatter for lines of at most `width` columns.
    package init(width: Int = Formatter.defaultWidth) {
        self.width = width
    }

    // MARK: Entry points

    /// Formats source text: a rule file, or, when the text does not start with a
    /// declaration and is one, a standalone expression. Throws the parser's diagnostics
    /// when the text does not parse.
    package func format(_ source: SourceFile, limits: Limits = Limits()) throws(CompileError) -> String {
        if source.bytes.count > limits.maxSourceBytes {
            throw CompileError(diagnostics: [.sourceTooLarge(limit: limits.maxSourceBytes)], source: source)
        }
        let parsed = try Self.parse(source, limits: limits)
        var builder = DocBuilder(source: source, limits: limits)
        let text: String
        switch parsed {
        case .ruleFile(let file):
            text = render(builder.alignedRuleFile(file))
        case .expression(let expr):
            text = render(builder.standalone(expr))
        }
        try verify(text, against: parsed, source: source, commentCount: builder.commentCount, limits: limits)
        return text
    }

    /// Formats declarations made in code (or parsed), without comments.
    package func format(_ declarations: [Declaration]) -> String {
        format(RuleFile(items: declarations.map { .declaration($0) }))
    }

    /// Formats a file made in code (or parsed): declarations, `use` lines and tests,
    /// without comments.
    package func format(_ file: RuleFile) -> String {
        var builder = DocBuilder(source: nil, limits: Limits())
        return render(builder.alignedRuleFile(file))
    }

    /// Formats one expression, without comments and without a final newline.
    package func format(_ expression: Expr) -> String {
        var builder = DocBuilder(source: nil, limits: Limits())
        var text = render(builder.standalone(expression))
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    // MARK: Steps

    /// What a source holds.
    private enum Parsed {
        case ruleFile(RuleFile)
        case expression(Expr)
    }

    /// Parses a rule file; if that fails and the text does not begin with a declaration
    /// keyword, tries a standalone expression. The rule file's diagnostics win otherwise.
    private static func parse(_ source: SourceFile, limits: Limits) throws(CompileError) -> Parsed {
        var parser = Parser(source, limits: limits)
        let file = parser.parseFile()
        if parser.diagnostics.isEmpty {
            return .ruleFile(file)
        }
        var lexer = Lexer(source, limits: limits)
        let tokens = lexer.tokenize()
        let declarationKeywords: [Token.Kind] = [.kwLet, .kwSegment, .kwFlag, .kwWhen, .kwServe, .kwDefault]
        // A file that starts with `use`, `test` or `expect`, or holds `use "..."` or
        // `test "..."`, is a test file, not an expression.
        let startsTestItem = tokens.indices.contains { i in
            tokens[i].kind == .identifier && i + 1 < tokens.count
                && ((["use", "test"].contains(tokens[i].text) && tokens[i + 1].kind == .string)
                    || (i == 0 && ["use", "test", "expect"].contains(tokens[i].text)))
        }
        if let first = tokens.first, first.kind != .end, !declarationKeywords.contains(first.kind), !startsTestItem {
            var expressionParser = Parser(source, limits: limits)
            if let expr = expressionParser.parseStandaloneExpression(), expressionParser.diagnostics.isEmpty {
                return .expression(expr)
            }
            // Text without any declaration keyword was meant as an expression: its own
            // diagnostics say more than "expected a declaration".
            if !tokens.contains(where: { declarationKeywords.contains($0.kind) }), !expressionParser.diagnostics.isEmpty {
                throw CompileError(diagnostics: expressionParser.diagnostics, source: source)
            }
        }
        throw CompileError(diagnostics: parser.diagnostics, source: source)
    }

    /// Lays a document out in lines and joins them: trailing comments aligned, trailing
    /// whitespace removed, exactly one final newline (none for an empty file).
    private func render(_ doc: Doc) -> String {
        var printer = Printer(width: width)
        var lines = printer.print(doc)
        // Trailing comments on consecutive lines line up, two spaces after the longest code.
        var i = 0
        while i < lines.count {
            guard lines[i].comment != nil else {
                i += 1
                continue
            }
            var j = i
            var column = 0
            while j < lines.count, lines[j].comment != nil {
                column = max(column, lines[j].code.count)
                j += 1
            }
            for k in i..<j {
                lines[k].code += String(repeating: " ", count: column + 2 - lines[k].code.count) + lines[k].comment!
                lines[k].comment = nil
            }
            i = j
        }
        while let last = lines.last, last.code.isEmpty { lines.removeLast() }
        return lines.map { $0.code + "\n" }.joined()
    }

    /// The safety net: the output must parse to the same tree and hold the same comments.
    /// A difference is a bug in the formatter; the caller gets an error, never a changed
    /// program.
    private func verify(_ text: String, against parsed: Parsed, source: SourceFile, commentCount: Int, limits: Limits) throws(CompileError) {
        let output = SourceFile(name: source.name, text: text)
        var problem: String?
        do {
            let reparsed = try Self.parse(output, limits: limits)
            switch (parsed, reparsed) {
            case (.ruleFile(let a), .ruleFile(let b)):
                if a.items.count != b.items.count || !zip(a.items, b.items).allSatisfy({ $0.sameShape(as: $1) }) {
                    problem = "the declarations changed"
                }
            case (.expression(let a), .expression(let b)):
                if !a.sameShape(as: b) { problem = "the expression changed" }
            default:
                problem = "the kind of source changed"
            }
        } catch {
            problem = "the output does not parse (\(error.diagnostics.first?.message ?? "?"))"
        }
        if problem == nil, DocBuilder(source: output, limits: limits).commentCount != commentCount {
            problem = "comments were lost"
        }
        if let problem {
            throw CompileError(diagnostics: [.unsafeFormat(problem)], source: source)
        }
    }
}

// MARK: - Documents

/// A layout document, in the style of Wadler's "prettier printer": text, places where a
/// line may break, and groups that break all their lines or none.
private indirect enum Doc {
    /// Text without line breaks.
    case text(String)
    /// A space, or a line break when the enclosing group breaks.
    case line
    /// Nothing, or a line break when the enclosing group breaks.
    case softLine
    /// Always a line break; the enclosing groups break too.
    case hardLine
    /// A comment printed at the end of the current line; the enclosing groups break.
    case lineSuffix(String)
    /// Text printed only when the enclosing group breaks (the trailing comma of a list).
    case ifBreak(String)
    /// Contents laid out flat when they fit, else broken. `forced`: it cannot be flat.
    case group(Doc, forced: Bool)
    /// Contents always laid out flat (they hold no forced break).
    case flat(Doc)
    /// Contents indented two more spaces after each line break.
    case indent(Doc)
    /// A sequence.
    case concat([Doc])

    /// A group, forced to break when it holds a hard line or a comment.
    static func group(_ docs: [Doc], forceBreak: Bool = false) -> Doc {
        let inner = Doc.concat(docs)
        return .group(inner, forced: forceBreak || inner.hasForcedBreak)
    }

    /// True when the document cannot be printed flat.
    var hasForcedBreak: Bool {
        switch self {
        case .text, .line, .softLine, .ifBreak: false
        case .hardLine, .lineSuffix: true
        case .group(_, let forced): forced
        case .indent(let doc), .flat(let doc): doc.hasForcedBreak
        case .concat(let docs): docs.contains { $0.hasForcedBreak }
        }
    }

    /// The width printed flat, or nil when it must break.
    var flatWidth: Int? {
        switch self {
        case .text(let s): s.count
        case .line: 1
        case .softLine, .ifBreak: 0
        case .hardLine, .lineSuffix: nil
        case .group(let doc, let forced): forced ? nil : doc.flatWidth
        case .indent(let doc), .flat(let doc): doc.flatWidth
        case .concat(let docs):
            docs.reduce(0 as Int?) { sum, doc in
                guard let sum, let w = doc.flatWidth else { return nil }
                return sum + w
            }
        }
    }
}

/// One printed line: its code and the comment at its end.
private struct PrintedLine {
    var code: String
    var comment: String?
}

/// Lays a document out within a width.
private struct Printer {
    let width: Int
    private var lines: [PrintedLine] = []
    private var current = ""
    private var column = 0
    private var suffix: [String] = []

    init(width: Int) {
        self.width = width
    }

    private typealias Command = (indent: Int, flat: Bool, doc: Doc)

    mutating func print(_ doc: Doc) -> [PrintedLine] {
        var stack: [Command] = [(0, false, doc)]
        while let (indent, flat, doc) = stack.popLast() {
            switch doc {
            case .text(let s):
                current += s
                column += s.count
            case .concat(let docs):
                for d in docs.reversed() { stack.append((indent, flat, d)) }
            case .indent(let d):
                stack.append((indent + 2, flat, d))
            case .flat(let d):
                stack.append((indent, true, d))
            case .group(let d, let forced):
                let asFlat = flat || (!forced && fits(d, rest: stack, budget: width - column))
                stack.append((indent, asFlat, d))
            case .line:
                if flat {
                    current += " "
                    column += 1
                } else {
                    newline(indent)
                }
            case .softLine:
                if !flat { newline(indent) }
            case .hardLine:
                newline(indent)
            case .lineSuffix(let comment):
                suffix.append(comment)
            case .ifBreak(let s):
                if !flat {
                    current += s
                    column += s.count
                }
            }
        }
        newline(0)
        return lines
    }

    private mutating func newline(_ indent: Int) {
        var code = current
        while let last = code.unicodeScalars.last, last == " " || last == "\t" { code.unicodeScalars.removeLast() }
        // Only one comment can end a line; the builder never asks for two, but should it,
        // they are joined rather than lost.
        lines.append(PrintedLine(code: code, comment: suffix.isEmpty ? nil : suffix.joined(separator: "  ")))
        suffix.removeAll()
        current = String(repeating: " ", count: indent)
        column = indent
    }

    /// Whether `doc`, flat, and what follows it up to the next possible line break fit in
    /// `budget` columns.
    private func fits(_ doc: Doc, rest: [Command], budget: Int) -> Bool {
        var budget = budget
        var queue: [(flat: Bool, doc: Doc)] = [(true, doc)]
        var restIndex = rest.count - 1
        while budget >= 0 {
            guard let (flat, doc) = queue.popLast() else {
                guard restIndex >= 0 else { return true }
                queue.append((rest[restIndex].flat, rest[restIndex].doc))
                restIndex -= 1
                continue
            }
            switch doc {
            case .text(let s): budget -= s.count
            case .concat(let docs): for d in docs.reversed() { queue.append((flat, d)) }
            case .indent(let d): queue.append((flat, d))
            case .flat(let d): queue.append((true, d))
            case .group(let d, let forced): queue.append((forced ? false : flat, d))
            case .line:
                if !flat { return true }
                budget -= 1
            case .softLine:
                if !flat { return true }
            case .hardLine: return true
            case .lineSuffix: break
            case .ifBreak(let s): if !flat { budget -= s.count }
            }
        }
        return false
    }
}

// MARK: - From syntax trees to documents

/// A comment of the source.
private struct Comment {
    /// `# ...` or `// ...`, without trailing whitespace.
    var text: String
    /// Byte offset of its `#` or `/`.
    var start: Int
    /// True when code precedes it on its line.
    var trailing: Bool
    /// True when a blank line separates it from what comes before.
    var blankBefore: Bool
}

/// Builds the document of a syntax tree, placing the source's comments.
private struct DocBuilder {
    private let source: SourceFile?
    private let bytes: [UInt8]
    private let tokens: [Token]
    /// Token index by the byte offset where the token ends.
    private let tokenEndingAt: [Int: Int]
    private var comments: [Comment] = []
    /// The first comment not placed yet.
    private var nextComment = 0
    /// Where `serve` goes, counted from the start of the condition.
    private var alignColumn = 0
    /// The widths of the conditions that take part in the alignment, as found.
    private var alignedWidths: [Int] = []

    /// The number of comments in the source.
    var commentCount: Int { comments.count }

    init(source: SourceFile?, limits: Limits, keepComments: Bool = true) {
        self.source = source
        self.bytes = source?.bytes ?? []
        if let source {
            var lexer = Lexer(source, limits: limits)
            tokens = lexer.tokenize()
        } else {
            tokens = []
        }
        var ends: [Int: Int] = [:]
        for (i, token) in tokens.enumerated() where token.kind != .end { ends[token.span.end] = i }
        tokenEndingAt = ends
        if keepComments { comments = scanComments() }
    }

    // MARK: Comments

    /// The comments in the gaps between tokens (the lexer skips them).
    private func scanComments() -> [Comment] {
        var found: [Comment] = []
        var gapStart = 0
        for token in tokens {
            var i = gapStart
            while i < token.span.start {
                let c = bytes[i]
                if c == UInt8(ascii: "#") || (c == UInt8(ascii: "/") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/")) {
                    var end = i
                    while end < token.span.start, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                    var textEnd = end
                    while textEnd > i, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(bytes[textEnd - 1]) { textEnd -= 1 }
                    found.append(Comment(
                        text: String(decoding: bytes[i..<textEnd], as: UTF8.self),
                        start: i, trailing: !startsLine(i), blankBefore: blankLineBefore(i)))
                    i = end
                } else {
                    i += 1
                }
            }
            gapStart = token.span.end
        }
        return found
    }

    /// True when only spaces and tabs stand between the start of the line and `offset`.
    private func startsLine(_ offset: Int) -> Bool {
        var i = offset - 1
        while i >= 0, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: "\t") || bytes[i] == UInt8(ascii: "\r") { i -= 1 }
        return i < 0 || bytes[i] == UInt8(ascii: "\n")
    }

    /// True when the whitespace before `offset` holds an empty line (and something comes
    /// before it).
    private func blankLineBefore(_ offset: Int) -> Bool {
        var i = min(offset, bytes.count) - 1
        var newlines = 0
        while i >= 0, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")].contains(bytes[i]) {
            if bytes[i] == UInt8(ascii: "\n") { newlines += 1 }
            i -= 1
        }
        return i >= 0 && newlines >= 2
    }

    /// Takes the comments not placed yet that start before `offset`.
    private mutating func take(before offset: Int) -> [Comment] {
        var taken: [Comment] = []
        while nextComment < comments.count, comments[nextComment].start < offset {
            taken.append(comments[nextComment])
            nextComment += 1
        }
        return taken
    }

    /// Takes the next comment if it directly follows `offset` on the same line.
    private mutating func takeTrailing(after offset: Int) -> Comment? {
        guard nextComment < comments.count else { return nil }
        let comment = comments[nextComment]
        guard comment.trailing, comment.start >= offset,
              bytes[offset..<comment.start].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else { return nil }
        nextComment += 1
        return comment
    }

    /// The comments before `offset`, split at a break between two items: the first, when
    /// it trailed code, stays at the end of the line before the break; the others get
    /// lines of their own.
    private mutating func between(before offset: Int) -> (suffix: Comment?, own: [Comment]) {
        var pending = take(before: offset)
        if let first = pending.first, first.trailing {
            pending.removeFirst()
            return (first, pending)
        }
        return (nil, pending)
    }

    // MARK: Files

    /// A rule file, with the `serve` of every short condition in one column: three
    /// spaces after the widest. A first run finds the conditions that are short and
    /// printed flat (comments may force one to break); the second lays out the file.
    mutating func alignedRuleFile(_ file: RuleFile) -> Doc {
        var probe = self
        _ = probe.ruleFile(file)
        alignColumn = (probe.alignedWidths.max() ?? 0) + 3
        return ruleFile(file)
    }

    /// A rule file: declarations, `use` lines and tests, with the comments around them.
    private mutating func ruleFile(_ file: RuleFile) -> Doc {
        var docs: [Doc] = []
        var first = true
        func blank(_ wanted: Bool) {
            if wanted && !first { docs.append(.hardLine) }
        }
        for item in file.items {
            let span = item.span
            for comment in take(before: span.start) {
                blank(comment.blankBefore)
                docs += [.text(comment.text), .hardLine]
                first = false
            }
            let body: Doc
            switch item {
            case .declaration(let declaration): body = self.declaration(declaration)
            case .use(let use): body = .text("use " + DocBuilder.quoted(use.path))
            case .test(let test): body = testBlock(test)
            }
            let moved = take(before: span.end)
            let trailing = takeTrailing(after: span.end)
            blank(blankLineBefore(span.start))
            for comment in moved { docs += [.text(comment.text), .hardLine] }
            docs.append(body)
            if let trailing { docs.append(.lineSuffix(trailing.text)) }
            docs.append(.hardLine)
            first = false
        }
        for comment in take(before: Int.max) {
            blank(comment.blankBefore)
            docs += [.text(comment.text), .hardLine]
            first = false
        }
        return .concat(docs)
    }

    /// A standalone expression with the comments around it.
    mutating func standalone(_ expr: Expr) -> Doc {
        var docs: [Doc] = []
        var first = true
        for comment in take(before: expr.span.start) {
            if comment.blankBefore && !first { docs.append(.hardLine) }
            docs += [.text(comment.text), .hardLine]
            first = false
        }
        let body = expression(expr)
        let moved = take(before: expr.span.end)
        let trailing = takeTrailing(after: expr.span.end)
        if blankLineBefore(expr.span.start) && !first { docs.append(.hardLine) }
        for comment in moved { docs += [.text(comment.text), .hardLine] }
        docs.append(body)
        if let trailing { docs.append(.lineSuffix(trailing.text)) }
        docs.append(.hardLine)
        for comment in take(before: Int.max) {
            if comment.blankBefore { docs.append(.hardLine) }
            docs += [.text(comment.text), .hardLine]
        }
        return .concat(docs)
    }

    // MARK: Declarations

    private mutating func declaration(_ d: Declaration) -> Doc {
        if let expr = d.expression {
            return .concat([.text("\(d.kind.rawValue) \(d.name) = "), expression(expr)])
        }
        // A flag block: one line per arm, the default last.
        var inner: [Doc] = []
        var firstLine = true
        /// Comments before an item of the block: the first may end the line above.
        func leading(_ offset: Int, _ builder: inout DocBuilder) {
            let (suffix, own) = builder.between(before: offset)
            if let suffix { inner.append(.lineSuffix(suffix.text)) }
            for comment in own {
                if comment.blankBefore && !firstLine { inner.append(.hardLine) }
                inner += [.hardLine, .text(comment.text)]
                firstLine = false
            }
        }
        for arm in d.arms {
            leading(arm.span.start, &self)
            let body = self.arm(arm)
            let moved = take(before: arm.span.end)
            if blankLineBefore(arm.span.start) && !firstLine { inner.append(.hardLine) }
            for comment in moved { inner += [.hardLine, .text(comment.text)] }
            inner += [.hardLine, body]
            firstLine = false
        }
        if let value = d.defaultValue {
            let keyword = defaultKeywordOffset(before: value.span.start)
            leading(keyword, &self)
            let body = Doc.concat([.text("default "), expression(value), .text(d.defaultVariant.map { " as " + $0.name } ?? "")])
            let moved = take(before: d.defaultVariant?.span.end ?? value.span.end)
            if blankLineBefore(keyword) && !firstLine { inner.append(.hardLine) }
            for comment in moved { inner += [.hardLine, .text(comment.text)] }
            inner += [.hardLine, body]
            firstLine = false
        }
        // Comments before the closing brace.
        let (suffix, own) = between(before: d.span.end)
        if let suffix { inner.append(.lineSuffix(suffix.text)) }
        for comment in own { inner += [.hardLine, .text(comment.text)] }
        return .concat([.text("flag \(d.name) {"), .indent(.concat(inner)), .hardLine, .text("}")])
    }

    /// `when COND serve VALUE`, with `serve` in the file's column when COND is short.
    private mutating func arm(_ arm: Declaration.Arm) -> Doc {
        let condition = expression(arm.condition)
        let value = Doc.concat([expression(arm.value), .text(arm.variant.map { " as " + $0.name } ?? "")])
        if let w = condition.flatWidth, w <= Formatter.alignedConditionWidth {
            alignedWidths.append(w)
            // Always flat: were it to break, a list in it would keep its trailing comma
            // and the next run would see a different condition.
            return .concat([.text("when "), .flat(condition), .text(String(repeating: " ", count: max(1, alignColumn - w))), .text("serve "), value])
        }
        return .group([.text("when "), condition, .line, .text("serve "), value])
    }

    // MARK: Tests

    /// `test "NAME" {`, one statement per line indented two spaces, `}`; comments and
    /// single blank lines between statements kept, as in a flag block.
    private mutating func testBlock(_ test: TestBlock) -> Doc {
        var inner: [Doc] = []
        var firstLine = true
        for statement in test.statements {
            let (suffix, own) = between(before: statement.span.start)
            if let suffix { inner.append(.lineSuffix(suffix.text)) }
            for comment in own {
                if comment.blankBefore && !firstLine { inner.append(.hardLine) }
                inner += [.hardLine, .text(comment.text)]
                firstLine = false
            }
            let body = self.statement(statement)
            let moved = take(before: statement.span.end)
            if blankLineBefore(statement.span.start) && !firstLine { inner.append(.hardLine) }
            for comment in moved { inner += [.hardLine, .text(comment.text)] }
            inner += [.hardLine, body]
            firstLine = false
        }
        let (suffix, own) = between(before: test.span.end)
        if let suffix { inner.append(.lineSuffix(suffix.text)) }
        for comment in own { inner += [.hardLine, .text(comment.text)] }
        let head = "test \(DocBuilder.quoted(test.name)) {"
        if inner.isEmpty { return .text(head + "}") }
        return .concat([.text(head), .indent(.concat(inner)), .hardLine, .text("}")])
    }

    /// One line of a test block.
    private mutating func statement(_ statement: TestBlock.Statement) -> Doc {
        switch statement {
        case .context(let line):
            return .concat([.text((line.root ?? "context") + " "), JSONLayout(line.json).doc])
        case .now(let time, _, _):
            return .text("now " + DocBuilder.quoted(time))
        case .salt(let salt, _, _):
            return .text("salt " + DocBuilder.quoted(salt))
        case .expect(let expr, _):
            return .concat([.text("expect "), expression(expr)])
        case .expectReason(let flag, _, let kind, _, _):
            return .text("expect \(flag) reason \(kind.rawValue)")
        }
    }

    /// The offset of the `default` keyword of a flag block, found from its value.
    private func defaultKeywordOffset(before valueStart: Int) -> Int {
        var i = valueStart - 1
        while i >= 0, source != nil {
            if let index = tokenEndingAt[i], tokens[index].kind == .kwDefault { return tokens[index].span.start }
            i -= 1
        }
        return valueStart
    }

    // MARK: Expressions

    /// Binding strength: an operand whose level is below what its place needs gets
    /// parentheses. 1 or, 2 and, 3 not, 4 comparison, 5 + -, 6 * / %, 7 prefix -
    /// (and negative number literals), 8 postfix, 9 primaries.
    private static func level(_ expr: Expr) -> Int {
        switch expr.kind {
        case .literal(.number(let n)): n.sign == .minus ? 7 : 9
        case .literal, .list, .name, .call: 9
        case .member, .index: 8
        case .unary(.negate, _): 7
        case .unary(.not, _): 3
        case .binary(let op, _, _):
            switch op {
            case .multiply, .divide, .remainder: 6
            case .add, .subtract: 5
            default: 4
            }
        case .logical(.and, _): 2
        case .logical(.or, _): 1
        }
    }

    /// The document of an expression.
    mutating func expression(_ expr: Expr) -> Doc {
        operand(expr, needs: 0)
    }

    /// An expression in a place that needs at least `needs` (see `level`).
    private mutating func operand(_ expr: Expr, needs: Int) -> Doc {
        if Self.level(expr) < needs {
            return .group([.text("("), .indent(.concat([.softLine, operand(expr, needs: 0)])), .softLine, .text(")")])
        }
        switch expr.kind {
        case .literal(let value):
            return .text(literal(value, span: expr.span))
        case .list(let items):
            return sequence(open: "[", close: "]", items, end: expr.span.end, forceBreak: hasTrailingComma(expr.span))
        case .name(let name):
            return .text(name)
        case .call(let name, let arguments):
            return sequence(open: name + "(", close: ")", arguments, end: expr.span.end, forceBreak: false)
        case .member(let base, let name):
            return .concat([operand(base, needs: 8), .text("." + name)])
        case .index(let base, let index):
            let base = operand(base, needs: 8)
            return .concat([base, .group([.text("["), .indent(.concat([.softLine, operand(index, needs: 0)])), .softLine, .text("]")])])
        case .unary(.not, let inner):
            return .concat([.text("not "), operand(inner, needs: 3)])
        case .unary(.negate, let inner):
            // `- -x`, not `--x`: keep the two signs apart.
            let spaced: Bool
            switch inner.kind {
            case .unary(.negate, _): spaced = true
            case .literal(.number(let n)): spaced = n.sign == .minus
            default: spaced = false
            }
            return .concat([.text(spaced ? "- " : "-"), operand(inner, needs: 7)])
        case .binary(let op, let left, let right):
            let (l, r): (Int, Int)
            switch op {
            case .multiply, .divide, .remainder: (l, r) = (6, 7)
            case .add, .subtract: (l, r) = (5, 6)
            default: (l, r) = (5, 5)
            }
            return .concat([operand(left, needs: l), .text(" \(op.rawValue) "), operand(right, needs: r)])
        case .logical(let op, let operands):
            let needs = op == .or ? 2 : 3
            // The first operand first: comments are placed in source order.
            guard let head = operands.first else { return .text("") }
            let first = operand(head, needs: needs)
            var rest: [Doc] = []
            for item in operands.dropFirst() {
                let (suffix, own) = between(before: item.span.start)
                if let suffix { rest.append(.lineSuffix(suffix.text)) }
                rest.append(.line)
                for comment in own { rest += [.text(comment.text), .hardLine] }
                rest += [.text(op.rawValue + " "), operand(item, needs: needs)]
            }
            return .group([first, .indent(.concat(rest))])
        }
    }

    /// `[a, b]` or `f(a, b)`: flat when it fits, else one item per line with a trailing
    /// comma.
    private mutating func sequence(open: String, close: String, _ items: [Expr], end: Int, forceBreak: Bool) -> Doc {
        var inner: [Doc] = []
        for (i, item) in items.enumerated() {
            let (suffix, own) = between(before: item.span.start)
            if i > 0 { inner.append(.text(",")) }
            if let suffix { inner.append(.lineSuffix(suffix.text)) }
            inner.append(i == 0 ? .softLine : .line)
            for comment in own { inner += [.text(comment.text), .hardLine] }
            inner.append(operand(item, needs: 0))
        }
        let (suffix, own) = between(before: end)
        if !items.isEmpty { inner.append(.ifBreak(",")) }
        if let suffix { inner.append(.lineSuffix(suffix.text)) }
        for comment in own { inner += [.hardLine, .text(comment.text)] }
        return .group([.text(open), .indent(.concat(inner)), .softLine, .text(close)], forceBreak: forceBreak)
    }

    /// True when the list ending at `span.end` was written with a comma before its `]`.
    private func hasTrailingComma(_ span: SourceSpan) -> Bool {
        guard source != nil, var index = tokenEndingAt[span.end] else { return false }
        while index > 0, tokens[index].kind == .rightParen { index -= 1 }
        return tokens[index].kind == .rightBracket && index > 0 && tokens[index - 1].kind == .comma
    }

    // MARK: Literals

    private func literal(_ value: Value, span: SourceSpan) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return number(n, span: span)
        case .string(let s): return Self.quoted(s)
        case .list(let items): return "[" + items.map { literal($0, span: SourceSpan(start: 0, end: 0)) }.joined(separator: ", ") + "]"
        case .version(let v): return "semver(" + Self.quoted(v.description) + ")"
        case .time(let t): return "time(" + Self.quoted(t.description) + ")"
        case .object: return "null"  // not a literal; the parser never makes one
        }
    }

    /// A number as the source spelt it (`1_000`, `2.5e-1`), else in canonical text.
    private func number(_ n: Double, span: SourceSpan) -> String {
        let sign = n.sign == .minus ? "-" : ""
        if let source, span.end > span.start {
            // The literal's span may include a folded `-` and parentheses: `-(3)`.
            var text = Substring(source.text(of: span))
            let skipped: Set<Character> = ["-", "(", ")", " ", "\t", "\r", "\n"]
            while let c = text.first, skipped.contains(c) { text.removeFirst() }
            while let c = text.last, skipped.contains(c) && c != "-" { text.removeLast() }
            let allowed = Set("0123456789_.eE+-")
            if let first = text.first, first.isASCII, first.isNumber, text.allSatisfy({ allowed.contains($0) }),
               let value = Double(String(text.filter { $0 != "_" })), value == n.magnitude {
                return sign + text
            }
        }
        if n == 0 { return sign + "0" }
        return NumberText.canonical(n)
    }

    /// A string in double quotes with canonical escapes: `\"`, `\\`, `\n`, `\r`, `\t`, and
    /// `\u{...}` for characters that would be invisible or misleading in source: controls,
    /// format characters such as bidirectional overrides (not the zero-width joiners of
    /// emoji and scripts), separators other than the space, private-use characters, and a
    /// combining mark that would otherwise sit on the quote, an escape, a space or
    /// punctuation before it.
    static func quoted(_ s: String) -> String {
        var out = "\""
        // True when a combining mark here would sit on a quote, an escape, or ASCII that
        // is not a letter or digit, and so is written as an escape.
        var markNeedsEscape = true
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if needsEscape(scalar, markNeedsEscape: markNeedsEscape) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                    markNeedsEscape = scalar.isASCII && !(scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
                    continue
                }
            }
            markNeedsEscape = true
        }
        return out + "\""
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, markNeedsEscape: Bool) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate:
            return true
        case .format:
            return scalar.value != 0x200C && scalar.value != 0x200D
        case .spaceSeparator:
            return scalar != " "
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return markNeedsEscape
        default:
            return false
        }
    }
}

// MARK: - JSON objects of tests

/// The layout of a test's JSON object: `{"id": "u-1", "tags": ["a", "b"]}` on one line when
/// it fits, else one member per line, nested objects and arrays the same way. An object
/// written with a line break after its `{` stays one member per line, even when it would
/// fit (as a list with a trailing comma does in rules). Keys keep
/// their order, and strings and numbers their spelling (`"\u00e9"`, `1e3`), so the object
/// means exactly what was written. The text was checked by the parser; anything it cannot
/// read is kept as written.
private struct JSONLayout {
    /// A JSON value as written.
    private indirect enum Node {
        /// A string, number, `true`, `false` or `null`, spelt as in the source.
        case atom(String)
        case array([Node])
        /// `broken`: written with a line break after the `{`.
        case object([(key: String, value: Node)], broken: Bool)
    }

    private let bytes: [UInt8]
    private var position = 0

    /// The layout of `json`, one JSON value.
    init(_ json: String) {
        bytes = Array(json.utf8)
    }

    /// The document of the value.
    var doc: Doc {
        var reader = self
        guard let node = reader.value(), reader.atEnd else {
            return .text(String(decoding: bytes, as: UTF8.self))
        }
        return Self.doc(node)
    }

    private static func doc(_ node: Node) -> Doc {
        switch node {
        case .atom(let text):
            return .text(text)
        case .array(let items):
            return sequence("[", "]", items.map { doc($0) })
        case .object(let members, let broken):
            return sequence("{", "}", members.map { .concat([.text($0.key + ": "), doc($0.value)]) }, forceBreak: broken)
        }
    }

    private static func sequence(_ open: String, _ close: String, _ items: [Doc], forceBreak: Bool = false) -> Doc {
        guard !items.isEmpty else { return .text(open + close) }
        var inner: [Doc] = []
        for (i, item) in items.enumerated() {
            if i > 0 { inner += [.text(","), .line] } else { inner.append(.softLine) }
            inner.append(item)
        }
        return .group([.text(open), .indent(.concat(inner)), .softLine, .text(close)], forceBreak: forceBreak)
    }

    private var atEnd: Bool {
        mutating get {
            skipWhitespace()
            return position == bytes.count
        }
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func value() -> Node? {
        skipWhitespace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var members: [(key: String, value: Node)] = []
            let afterBrace = position
            skipWhitespace()
            let broken = bytes[afterBrace..<position].contains(UInt8(ascii: "\n"))
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object([], broken: false)
            }
            while true {
                skipWhitespace()
                guard let key = string() else { return nil }
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
                position += 1
                guard let item = value() else { return nil }
                members.append((key, item))
                skipWhitespace()
                guard position < bytes.count else { return nil }
                position += 1
                if bytes[position - 1] == UInt8(ascii: "}") { return .object(members, broken: broken) }
                if bytes[position - 1] != UInt8(ascii: ",") { return nil }
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [Node] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array([])
            }
            while true {
                guard let item = value() else { return nil }
                items.append(item)
                skipWhitespace()
                guard position < bytes.count else { return nil }
                position += 1
                if bytes[position - 1] == UInt8(ascii: "]") { return .array(items) }
                if bytes[position - 1] != UInt8(ascii: ",") { return nil }
            }
        case UInt8(ascii: "\""):
            return string().map { .atom($0) }
        default:
            let start = position
            while position < bytes.count, !Set<UInt8>([0x20, 0x09, 0x0A, 0x0D, 0x2C, 0x5D, 0x7D]).contains(bytes[position]) {
                position += 1
            }
            return position > start ? .atom(String(decoding: bytes[start..<position], as: UTF8.self)) : nil
        }
    }

    /// A string literal, quotes and escapes as written.
    private mutating func string() -> String? {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let start = position
        position += 1
        while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
            position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard position < bytes.count else { return nil }
        position += 1
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }
}

// MARK: - Comparing trees

extension RuleFile.Item {
    /// Equal apart from source spans and the spelling of JSON objects.
    fileprivate func sameShape(as other: RuleFile.Item) -> Bool {
        switch (self, other) {
        case let (.declaration(a), .declaration(b)): return a.sameShape(as: b)
        case let (.use(a), .use(b)): return a.path.unicodeScalars.elementsEqual(b.path.unicodeScalars)
        case let (.test(a), .test(b)):
            return a.name.unicodeScalars.elementsEqual(b.name.unicodeScalars) && a.statements.count == b.statements.count
                && zip(a.statements, b.statements).allSatisfy { $0.sameShape(as: $1) }
        default: return false
        }
    }
}

extension TestBlock.Statement {
    /// Equal apart from source spans and the spelling of JSON objects.
    fileprivate func sameShape(as other: TestBlock.Statement) -> Bool {
        switch (self, other) {
        case let (.context(a), .context(b)): return a.root == b.root && a.fields == b.fields
        case let (.now(a, _, _), .now(b, _, _)), let (.salt(a, _, _), .salt(b, _, _)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case let (.expect(a, _), .expect(b, _)): return a.sameShape(as: b)
        case let (.expectReason(f, _, k, _, _), .expectReason(g, _, l, _, _)): return f == g && k == l
        default: return false
        }
    }
}

extension Declaration {
    /// Equal apart from source spans.
    fileprivate func sameShape(as other: Declaration) -> Bool {
        guard kind == other.kind, name == other.name, arms.count == other.arms.count,
              defaultVariant?.name == other.defaultVariant?.name,
              zip(arms, other.arms).allSatisfy({ $0.variant?.name == $1.variant?.name }) else { return false }
        switch (expression, other.expression) {
        case (nil, nil): break
        case let (a?, b?): if !a.sameShape(as: b) { return false }
        default: return false
        }
        switch (defaultValue, other.defaultValue) {
        case (nil, nil): break
        case let (a?, b?): if !a.sameShape(as: b) { return false }
        default: return false
        }
        return zip(arms, other.arms).allSatisfy { $0.condition.sameShape(as: $1.condition) && $0.value.sameShape(as: $1.value) }
    }
}

extension Expr {
    /// Equal apart from source spans; numbers compared bit for bit (`-0` is not `0`),
    /// strings scalar by scalar.
    fileprivate func sameShape(as other: Expr) -> Bool {
        func same(_ a: [Expr], _ b: [Expr]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { $0.sameShape(as: $1) }
        }
        switch (kind, other.kind) {
        case let (.literal(.number(a)), .literal(.number(b))): return a.bitPattern == b.bitPattern
        case let (.literal(.string(a)), .literal(.string(b))): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case let (.literal(a), .literal(b)): return a == b
        case let (.list(a), .list(b)): return same(a, b)
        case let (.name(a), .name(b)): return a == b
        case let (.member(a, x), .member(b, y)): return x == y && a.sameShape(as: b)
        case let (.index(a, i), .index(b, j)): return a.sameShape(as: b) && i.sameShape(as: j)
        case let (.call(f, a), .call(g, b)): return f == g && same(a, b)
        case let (.unary(p, a), .unary(q, b)): return p == q && a.sameShape(as: b)
        case let (.binary(p, a, x), .binary(q, b, y)): return p == q && a.sameShape(as: b) && x.sameShape(as: y)
        case let (.logical(p, a), .logical(q, b)): return p == q && same(a, b)
        default: return false
        }
    }
}
