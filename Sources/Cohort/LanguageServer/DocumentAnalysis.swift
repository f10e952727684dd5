/// Everything the server knows about one version of a document: the diagnostics
/// `cohort check` would print, and the declarations that hover, definition, completion
/// and the outline are answered from.
///
/// One analysis is one run of the rule-file compiler, the same one `cohort check` runs,
/// so the editor and the command never disagree. Questions about the text under the
/// cursor re-lex only that line: no token spans a line break (strings cannot hold one,
/// comments end at it), so a line always starts on a token boundary.
package struct DocumentAnalysis: Sendable {
    /// The document's URI.
    package let uri: String
    /// The version analysed.
    package let version: Int
    /// The text, with the library's line table (lines end at `\n`).
    package let source: SourceFile
    /// The text, with LSP's line table (lines end at `\n`, `\r\n` or `\r`).
    package let lines: LineTable
    /// Errors and warnings, exactly as `cohort check` reports them.
    package let diagnostics: [Diagnostic]
    /// Every declaration that parsed, in source order.
    package let declarations: [Declaration]
    /// The `use` lines (a test file's rule files), in source order.
    package let uses: [UseDirective]
    /// The `test` blocks, in source order.
    package let tests: [TestBlock]
    /// The spans of the JSON objects of test contexts, in source order: the only tokens
    /// that may span lines.
    private let jsonSpans: [SourceSpan]
    /// The value of each declaration that checking found to be a constant.
    package let constants: [Value?]
    /// The context roots names may start from.
    package let roots: Set<String>
    /// The first declaration of each name (a second one is a diagnostic).
    private let declarationByName: [String: Int]

    /// True when the analysis checked the file: its `diagnostics` and `constants` are
    /// known. False for a parse only, which answers requests while typing goes on.
    package let isChecked: Bool

    /// Analyses a document: the whole of `cohort check` when `checks` is true, else only
    /// a parse (no diagnostics, no constants), several times cheaper.
    package init(_ document: TextDocument, options: CompileOptions, checks: Bool = true) {
        let source = SourceFile(name: DocumentURI.displayName(document.uri), text: document.text)
        let file: RuleFile
        if checks {
            var compiler = RuleFileCompiler(source: source, options: options)
            compiler.compile()
            file = compiler.file
            self.diagnostics = compiler.diagnostics
            self.constants = compiler.checked.map { $0.ok && $0.declaration.kind == .let ? $0.constant : nil }
        } else {
            var parser = Parser(source, limits: options.limits)
            file = source.bytes.count > options.limits.maxSourceBytes ? RuleFile(items: []) : parser.parseFile()
            self.diagnostics = []
            self.constants = Array(repeating: nil, count: file.declarations.count)
        }
        self.isChecked = checks
        self.uri = document.uri
        self.version = document.version
        self.source = source
        self.lines = document.lines
        self.declarations = file.declarations
        self.uses = file.uses
        self.tests = file.tests
        self.jsonSpans = file.tests.flatMap { test in
            test.statements.compactMap { if case .context(let line) = $0 { line.jsonSpan } else { nil } }
        }
        self.roots = options.roots
        var byName: [String: Int] = [:]
        for (i, d) in declarations.enumerated() where byName[d.name] == nil { byName[d.name] = i }
        self.declarationByName = byName
    }

    /// The declaration a bare name refers to.
    package func declaration(named name: String) -> Int? { declarationByName[name] }

    /// The declaration whose text holds `offset`.
    package func declaration(containing offset: Int) -> Int? {
        // Declarations are in source order: binary search on their starts.
        var low = 0, high = declarations.count - 1
        var found: Int?
        while low <= high {
            let mid = (low + high) / 2
            if declarations[mid].span.start <= offset {
                found = mid
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        guard let found, offset <= declarations[found].span.end else { return nil }
        return found
    }

    // MARK: The line under the cursor

    /// The tokens of the library's line holding `offset`, with spans into the whole text.
    /// Empty inside a test's JSON object (its tokens are not the language's); a line that
    /// starts inside one is read from where the object ends.
    package func tokens(onLineOf offset: Int) -> [Token] {
        let offset = min(max(0, offset), source.bytes.count)
        if jsonSpans.contains(where: { $0.start < offset && offset < $0.end }) { return [] }
        let line = sourceLine(of: offset)
        var start = source.lineStarts[line]
        if let json = jsonSpans.first(where: { $0.start < start && start < $0.end }) { start = json.end }
        let end = max(start, line + 1 < source.lineStarts.count ? source.lineStarts[line + 1] - 1 : source.bytes.count)
        var lexer = Lexer(SourceFile(name: source.name, text: String(decoding: source.bytes[start..<end], as: UTF8.self)))
        return lexer.tokenize().dropLast().map { token in
            var shifted = token
            shifted.span = SourceSpan(start: token.span.start + start, end: token.span.end + start)
            return shifted
        }
    }

    /// The 0-based index, in the library's line table, of the line holding `offset`.
    package func sourceLine(of offset: Int) -> Int {
        let starts = source.lineStarts
        var low = 0, high = starts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The test block holding `offset`.
    package func test(containing offset: Int) -> TestBlock? {
        tests.first { $0.span.start <= offset && offset <= $0.span.end }
    }

    /// The index of the token at `offset` in `tokens`: the one containing it, else a word
    /// ending right at it (a cursor just after a name is on that name).
    package static func tokenIndex(at offset: Int, in tokens: [Token]) -> Int? {
        if let i = tokens.firstIndex(where: { $0.span.start <= offset && offset < $0.span.end }) { return i }
        return tokens.lastIndex { $0.span.end == offset && $0.isWord }
    }

    /// The static attribute path that ends with `tokens[index]` (`user.address.city`,
    /// `user["first-name"]`, `user.tags[0]`) and the index of its root token. Nil when the
    /// expression there is not a context root followed by members and constant indexes.
    package func attributePath(endingAt index: Int, in tokens: [Token]) -> (path: AttributePath, rootIndex: Int)? {
        var components: [AttributePath.Component] = []
        var i = index
        while i >= 0 {
            let token = tokens[i]
            if i >= 1, tokens[i - 1].kind == .dot, token.isWord {
                components.append(.key(token.text))
                i -= 2
            } else if token.kind == .rightBracket, i >= 2, tokens[i - 2].kind == .leftBracket {
                let key = tokens[i - 1]
                switch key.kind {
                case .string: components.append(.key(key.text))
                case .number where key.number >= 0 && key.number < 1e15 && key.number.rounded(.towardZero) == key.number:
                    components.append(.index(Int(key.number)))
                default: return nil
                }
                i -= 3
            } else if token.kind == .identifier, roots.contains(token.text), declaration(named: token.text) == nil {
                return (AttributePath(root: token.text, components: components.reversed()), i)
            } else {
                return nil
            }
        }
        return nil
    }

    /// Every static attribute path the file's declarations read, each once, in order of
    /// first use; except where the path's text holds `offset`. That is the path being
    /// typed: `user.` at the end of a line reads the first word of the next line as a
    /// member (`user.flag`), which is no attribute the file uses.
    package func attributePaths(excluding offset: Int = -1) -> [AttributePath] {
        var seen = Set<AttributePath>()
        var paths: [AttributePath] = []
        func visit(_ expr: Expr) {
            if let path = staticPath(expr) {
                let typed = expr.span.start < offset && offset <= expr.span.end
                if !typed, seen.insert(path).inserted { paths.append(path) }
                return
            }
            for child in expr.subexpressions { visit(child) }
        }
        for d in declarations {
            for expr in [d.expression, d.defaultValue].compactMap({ $0 }) + d.arms.flatMap({ [$0.condition, $0.value] }) {
                visit(expr)
            }
        }
        for test in tests {
            for case .expect(let expr, _) in test.statements { visit(expr) }
        }
        return paths
    }

    /// The path an expression reads, when it is a root followed by constant steps.
    private func staticPath(_ expr: Expr) -> AttributePath? {
        switch expr.kind {
        case .name(let name) where roots.contains(name) && declaration(named: name) == nil:
            return AttributePath(root: name)
        case .member(let base, let name):
            guard var path = staticPath(base) else { return nil }
            path.components.append(.key(name))
            return path
        case .index(let base, let index):
            guard var path = staticPath(base) else { return nil }
            switch index.kind {
            case .literal(.string(let key)): path.components.append(.key(key))
            case .literal(.number(let n)) where n >= 0 && n < 1e15 && n.rounded(.towardZero) == n:
                path.components.append(.index(Int(n)))
            default: return nil
            }
            return path
        default:
            return nil
        }
    }
}

extension Expr {
    /// The expressions directly inside this one.
    fileprivate var subexpressions: [Expr] {
        switch kind {
        case .literal, .name: []
        case .list(let items): items
        case .member(let base, _): [base]
        case .index(let base, let index): [base, index]
        case .call(_, let arguments): arguments
        case .unary(_, let operand): [operand]
        case .binary(_, let left, let right): [left, right]
        case .logical(_, let operands): operands
        }
    }
}
