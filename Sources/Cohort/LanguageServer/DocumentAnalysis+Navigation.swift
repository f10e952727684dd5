/// Go to definition and the outline (document symbols).
extension DocumentAnalysis {
    /// The declaration the bare name at `offset` refers to: a let, segment or flag.
    package func definition(at offset: Int) -> Declaration? {
        let tokens = tokens(onLineOf: offset)
        guard let i = Self.tokenIndex(at: offset, in: tokens), tokens[i].kind == .identifier else { return nil }
        if i >= 1, tokens[i - 1].kind == .dot { return nil }  // a member name, not a declaration
        if i + 1 < tokens.count, tokens[i + 1].kind == .leftParen { return nil }  // a function
        return declaration(named: tokens[i].text).map { declarations[$0] }
    }

    /// LSP `SymbolKind`s used in the outline.
    package enum SymbolKind {
        static let `class` = 5, `enum` = 10, variable = 13, constant = 14, boolean = 17, enumMember = 22
    }

    /// The outline: one `DocumentSymbol` per declaration, in source order; a flag block's
    /// `when` arms and `default` are its children.
    package func documentSymbols() -> [Value] {
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
                            name: "when " + brief(arm.condition.span), detail: "serve " + brief(arm.value.span),
                            kind: SymbolKind.enumMember, span: arm.span, selection: arm.condition.span))
                    }
                    if let value = d.defaultValue {
                        children.append(symbol(name: "default", detail: brief(value.span), kind: SymbolKind.enumMember,
                                               span: value.span, selection: value.span))
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
