/// A `.cohort` file as written: its declarations, `use` lines and `test` blocks, in source
/// order. A rule file holds declarations; a test file holds a `use` and tests; a file may
/// hold both (its tests then test its own declarations).
package struct RuleFile: Sendable, Hashable {
    /// One top-level item.
    package enum Item: Sendable, Hashable {
        case declaration(Declaration)
        case use(UseDirective)
        case test(TestBlock)

        /// The whole item.
        package var span: SourceSpan {
            switch self {
            case .declaration(let d): d.span
            case .use(let u): u.span
            case .test(let t): t.span
            }
        }
    }

    /// The items, in source order.
    package var items: [Item]

    package init(items: [Item]) {
        self.items = items
    }

    /// The `let`, `segment` and `flag` declarations, in source order.
    package var declarations: [Declaration] {
        items.compactMap { if case .declaration(let d) = $0 { d } else { nil } }
    }

    /// The `use` lines, in source order.
    package var uses: [UseDirective] {
        items.compactMap { if case .use(let u) = $0 { u } else { nil } }
    }

    /// The `test` blocks, in source order.
    package var tests: [TestBlock] {
        items.compactMap { if case .test(let t) = $0 { t } else { nil } }
    }
}

/// `use "PATH"`: the rule file a test file's tests run against, relative to the test file.
package struct UseDirective: Sendable, Hashable {
    /// The path as written (decoded string literal).
    package var path: String
    /// The span of the path's string literal.
    package var pathSpan: SourceSpan
    /// `use` through the path.
    package var span: SourceSpan

    package init(path: String, pathSpan: SourceSpan, span: SourceSpan) {
        self.path = path
        self.pathSpan = pathSpan
        self.span = span
    }
}
