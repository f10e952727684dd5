/// Completion: what may be typed at the cursor.
extension DocumentAnalysis {
    /// One completion item, in LSP's terms.
    package struct CompletionCandidate: Sendable, Hashable {
        /// LSP `CompletionItemKind`s used.
        package enum Kind {
            static let function = 3, field = 5, variable = 6, `class` = 7, module = 9, value = 12, `enum` = 13,
                keyword = 14, enumMember = 20, constant = 21
        }

        /// What the list shows and inserts (unless `snippet` is given).
        package var label: String
        /// The LSP `CompletionItemKind`.
        package var kind: Int
        /// One line beside the label: a signature, a declaration's first line.
        package var detail: String?
        /// Markdown shown when the item is selected.
        package var documentation: String?
        /// A snippet (`bucket($1)`) to insert instead of the label.
        package var snippet: String?

        /// The LSP `CompletionItem`.
        package var json: Value {
            .members([
                "label": .string(label),
                "kind": .int(kind),
                "detail": detail.map(Value.string),
                "documentation": documentation.map { .object(["kind": .string("markdown"), "value": .string($0)]) },
                "insertText": snippet.map(Value.string),
                "insertTextFormat": snippet == nil ? nil : .int(2),
            ])
        }
    }

    /// The most declarations offered at once; with more, the list says it is incomplete
    /// and the client asks again as the user types.
    package static let maxDeclarationCandidates = 500

    /// Candidates at `offset`, and whether the list is incomplete.
    ///
    /// After `root.` (or `root.a.b.`): the next steps of the attribute paths this file and
    /// the files it uses already read below that path. After `let`, `segment` or `flag`:
    /// nothing (a new name is being typed). Inside a string or a comment: nothing. At the
    /// start of a line in a test: the words of a test line and the roots. Elsewhere:
    /// keywords, context roots, the declarations in scope (this file's but the one being
    /// written, which cannot refer to itself, and those of the files it uses) and the
    /// built-in functions with their signatures (as snippets when the client takes them).
    package func completions(at offset: Int, snippets: Bool, using used: [UsedFile] = []) -> (items: [CompletionCandidate], isIncomplete: Bool) {
        let tokens = tokens(onLineOf: offset)
        // The word being typed, if the cursor is in or right after one.
        var prefix = ""
        var before = tokens.prefix { $0.span.end <= offset }
        if let inside = tokens.first(where: { $0.span.start < offset && offset < $0.span.end }) {
            guard inside.isWord else { return ([], false) }  // inside a string, number or bad token
            prefix = String(source.text(of: SourceSpan(start: inside.span.start, end: offset)))
            before = tokens.prefix { $0.span.end <= inside.span.start }
        } else if let last = before.last, last.isWord, last.span.end == offset {
            prefix = last.text
            before = before.dropLast()
        }
        // In a comment: a '#' or '//' between the last token and the cursor.
        let gapStart = tokens.last { $0.span.end <= offset }?.span.end ?? lineStart(of: offset)
        let gap = source.text(of: SourceSpan(start: gapStart, end: offset))
        if prefix.isEmpty, gap.contains("#") || gap.contains("//") { return ([], false) }

        let inTest = test(containing: offset).map { offset > $0.nameSpan.end } ?? false
        let words = before.map { $0.kind == .identifier ? $0.text : "" }
        if let last = before.last {
            switch last.kind {
            case .dot:
                return (members(after: Array(before), at: offset, using: used), false)
            case .kwLet, .kwSegment, .kwFlag:
                return ([], false)
            case .identifier where inTest && last.text == "reason" && words.first == "expect":
                return (ExpectedReason.allCases.map { CompletionCandidate(label: $0.rawValue, kind: CompletionCandidate.Kind.enumMember, detail: "reason kind") }, false)
            default:
                break
            }
        }

        // Only what the client would show for the typed prefix: fewer bytes per keystroke.
        let wanted = prefix.lowercased()
        func fits(_ label: String) -> Bool { wanted.isEmpty || Self.isSubsequence(wanted, of: label.lowercased()) }
        var items: [CompletionCandidate] = []
        let atLineStart = before.isEmpty
        var keywords: [String]
        if inTest {
            keywords = atLineStart ? Self.testLineWords : Self.expressionWords
            if words.count == 2 && words[0] == "expect" && !words[1].isEmpty { keywords.append("reason") }
        } else {
            keywords = Self.expressionWords + Self.flagBlockWords
            if atLineStart { keywords += Self.declarationWords + Self.testFileWords }
            if before.contains(where: { $0.kind == .kwServe || $0.kind == .kwDefault }) { keywords.append("as") }
        }
        for word in keywords.sorted() where fits(word) {
            items.append(CompletionCandidate(label: word, kind: CompletionCandidate.Kind.keyword,
                                             documentation: Self.keywordDocumentation[word] ?? Self.testWordDocumentation[word]))
        }
        for root in roots.sorted() where fits(root) {
            items.append(CompletionCandidate(label: root, kind: CompletionCandidate.Kind.module, detail: "context root"))
        }
        if inTest && atLineStart { return (items, false) }
        for builtin in Builtin.allCases where fits(builtin.name) {
            let snippet = builtin.arity.upperBound == 0 ? builtin.name + "()" : builtin.name + "($1)"
            items.append(CompletionCandidate(label: builtin.name, kind: CompletionCandidate.Kind.function, detail: builtin.signature,
                                             documentation: builtin.summary, snippet: snippets ? snippet : nil))
        }
        let current = declaration(containing: offset)
        var offered = 0
        var incomplete = false
        var seen = Set<String>()
        scan: for analysis in [self] + used.compactMap(\.analysis) {
            for (i, d) in analysis.declarations.enumerated() where !(analysis.uri == uri && i == current) && seen.insert(d.name).inserted {
                guard fits(d.name) else { continue }
                if offered == Self.maxDeclarationCandidates {
                    incomplete = true
                    break scan
                }
                offered += 1
                items.append(CompletionCandidate(label: d.name, kind: analysis.kind(of: i), detail: analysis.firstLine(of: d)))
            }
        }
        return (items, incomplete)
    }

    private static let expressionWords = ["and", "or", "not", "in", "true", "false", "null", "contains", "contains_any", "contains_all",
                                          "starts_with", "ends_with", "matches"]
    private static let flagBlockWords = ["when", "serve", "default"]
    private static let declarationWords = ["let", "segment", "flag"]
    private static let testFileWords = ["use", "test"]
    private static let testLineWords = ["expect", "now", "salt", "context"]

    /// The next steps below the attribute path that `tokens` end with (the last token is the dot).
    private func members(after tokens: [Token], at offset: Int, using used: [UsedFile]) -> [CompletionCandidate] {
        guard tokens.count >= 2, let (base, _) = attributePath(endingAt: tokens.count - 2, in: tokens) else { return [] }
        var seen = Set<String>()
        var items: [CompletionCandidate] = []
        let paths = attributePaths(excluding: offset) + used.flatMap { $0.analysis?.attributePaths() ?? [] }
        for path in paths where path.root == base.root && path.components.count > base.components.count
            && Array(path.components.prefix(base.components.count)) == base.components {
            guard case .key(let name) = path.components[base.components.count], Self.isName(name),
                  seen.insert(name).inserted else { continue }
            var shown = base
            shown.components.append(.key(name))
            items.append(CompletionCandidate(label: name, kind: CompletionCandidate.Kind.field,
                                             detail: shown.description + " (used in this file)"))
        }
        return items
    }

    fileprivate func kind(of index: Int) -> Int {
        let d = declarations[index]
        switch d.kind {
        case .let: return constants[index] == nil ? CompletionCandidate.Kind.variable : CompletionCandidate.Kind.constant
        case .segment: return CompletionCandidate.Kind.class
        case .flag: return d.expression == nil ? CompletionCandidate.Kind.enum : CompletionCandidate.Kind.value
        }
    }

    /// The first line of a declaration, cut to 80 characters.
    fileprivate func firstLine(of declaration: Declaration) -> String {
        let text = source.text(of: declaration.span).prefix { $0 != "\n" && $0 != "\r" }
        return text.count > 80 ? String(text.prefix(79)) + "…" : String(text)
    }

    private func lineStart(of offset: Int) -> Int {
        source.lineStarts[sourceLine(of: offset)]
    }

    /// True when the characters of `needle` appear in `haystack` in order, the first one
    /// first: how editors filter completions, so nothing the client would show is left out.
    private static func isSubsequence(_ needle: String, of haystack: String) -> Bool {
        guard let first = needle.first, haystack.first == first else { return needle.isEmpty }
        var rest = haystack.dropFirst()[...]
        for c in needle.dropFirst() {
            guard let i = rest.firstIndex(of: c) else { return false }
            rest = rest[rest.index(after: i)...]
        }
        return true
    }

    /// True for keys written as `.name` (not `["first-name"]`).
    private static func isName(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
