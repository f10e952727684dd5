/// Go to definition and the outline (document symbols).
extension DocumentAnalysis {
    /// The declaration a bare name refers to: in this file first, then in the files it uses.
    package func resolve(_ name: String, using used: [UsedFile]) -> (analysis: DocumentAnalysis, index: Int)? {
        if let i = declaration(named: name) { return (self, i) }
        for file in used {
            if let analysis = file.analysis, let i = analysis.declaration(named: name) { return (analysis, i) }
        }
        return nil
    }

    /// Where the thing at `offset` is declared: the declaration a bare name refers to (in
    /// this file or a used one), or the rule file of a `use` line. The analysis holding it
    /// and the span to show.
    package func definition(at offset: Int, using used: [UsedFile] = []) -> (analysis: DocumentAnalysis, span: SourceSpan)? {
        if let file = used.first(where: { $0.directive.pathSpan.start <= offset && offset < $0.directive.pathSpan.end }) {
            return file.analysis.map { ($0, SourceSpan(start: 0, end: 0)) }
        }
        let tokens = tokens(onLineOf: offset)
        guard let i = Self.tokenIndex(at: offset, in: tokens), tokens[i].kind == .identifier else { return nil }
        if i >= 1, tokens[i - 1].kind == .dot { return nil }  // a member name, not a declaration
        if i + 1 < tokens.count, tokens[i + 1].kind == .leftParen { return nil }  // a function
        return resolve(tokens[i].text, using: used).map { ($0.analysis, $0.analysis.declarations[$0.index].nameSpan) }
    }

    /// LSP `SymbolKind`s used in the outline.
    package enum SymbolKind {
        static let module = 2, `class` = 5, method = 6, `enum` = 10, variable = 13, constant = 14, boolean = 17, enumMember = 22
    }

    /// The outline, in source order: one `DocumentSymbol` per declaration (a flag block's
    /// `when` arms and `default` are its children), `use` line and test.
    package func documentSymbols() -> [Value] {
        var symbols: [(start: Int, symbol: Value)] = declarationSymbols().enumerated().map { (declarations[$0.offset].span.start, $0.element) }
        for use in uses {
            symbols.append((use.span.start, symbol(name: "use \"\(use.path)\"", detail: "rule file", kind: SymbolKind.module,
                                                   span: use.span, selection: use.pathSpan)))
        }
        for test in tests {
            let expectations = test.statements.filter(\.isExpectation).count
            symbols.append((test.span.start, symbol(name: test.name, detail: "test, \(expectations) expect\(expectations == 1 ? "" : "s")",
                                                    kind: SymbolKind.method, span: test.span, selection: test.nameSpan)))
        }
        return symbols.sorted { $0.start < $1.start }.map(\.symbol)
    }

    private func declarationSymbols() -> [Value] {
        declarations.indices.map { i in
            let d = declarations[i]
            let kind: Int
            var detail: String
            var children: [Value] = []
            switch d.kind {
            case .let:
                kind = constants[i] == nil ? SymbolKind.variable : SymbolKind.constant
                detail = "let"
            case .segment:
                kind = SymbolKind.class
                detail = "segment"
            case .flag:
                if d.expression != nil {
                    kind = SymbolKind.boolean
                    detail = "flag (boolean)"
                } else {
                    kind = SymbolKind.enum
                    detail = "flag (\(d.arms.count) when\(d.arms.count == 1 ? "" : "s"))"
                    for arm in d.arms {
                        children.append(symbol(
                            name: "when " + brief(arm.condition.span),
                            detail: "serve " + brief(arm.value.span) + (arm.variant.map { " as " + $0.name } ?? ""),
                            kind: SymbolKind.enumMember, span: arm.span, selection: arm.condition.span))
                    }
                    if let value = d.defaultValue {
                        children.append(symbol(name: "default", detail: brief(value.span) + (d.defaultVariant.map { " as " + $0.name } ?? ""),
                                               kind: SymbolKind.enumMember, span: value.span, selection: value.span))
                    }
                }
            }
            return symbol(name: d.name, detail: detail, kind: kind, span: d.span, selection: d.nameSpan, children: children)
        }
    }

    private func symbol(name: String, detail: String, kind: Int, span: SourceSpan, selection: SourceSpan, children: [Value] = []) -> Value {
        .members([
            "name": .string(name),
            "detail": .string(detail),
            "kind": .int(kind),
            "range": lines.range(of: span).json,
            "selectionRange": lines.range(of: selection).json,
            "children": children.isEmpty ? nil : .list(children),
        ])
    }

    /// Source text on one line, cut to 60 characters.
    private func brief(_ span: SourceSpan) -> String {
        let text = source.text(of: span).split(whereSeparator: \.isNewline).map { $0.drop(while: \.isWhitespace) }.joined(separator: " ")
        return text.count > 60 ? String(text.prefix(59)) + "…" : text
    }
}
