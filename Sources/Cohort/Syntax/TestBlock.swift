/// `test "NAME" { ... }`: a rule unit test. Its lines give a context (`user {...}`,
/// `context {...}`), optionally `now` and `salt`, and the expectations that must hold.
package struct TestBlock: Sendable, Hashable {
    /// One line of a test block.
    package enum Statement: Sendable, Hashable {
        /// `ROOT {json object}` (root set) or `context {json object}` (root nil: the whole
        /// context).
        case context(ContextLine)
        /// `now "TIME"`: the value of `now()`.
        case now(String, valueSpan: SourceSpan, span: SourceSpan)
        /// `salt "S"`: the default `bucket` salt of expressions evaluated outside a flag.
        case salt(String, valueSpan: SourceSpan, span: SourceSpan)
        /// `expect EXPR`: EXPR must be `true`.
        case expect(Expr, span: SourceSpan)
        /// `expect FLAG reason KIND`: the flag's evaluation must have this reason kind.
        case expectReason(flag: String, flagSpan: SourceSpan, kind: ExpectedReason, kindSpan: SourceSpan, span: SourceSpan)

        /// The whole line.
        package var span: SourceSpan {
            switch self {
            case .context(let line): line.span
            case .now(_, _, let span), .salt(_, _, let span), .expect(_, let span): span
            case .expectReason(_, _, _, _, let span): span
            }
        }

        /// True for `expect` lines.
        package var isExpectation: Bool {
            switch self {
            case .expect, .expectReason: true
            default: false
            }
        }
    }

    /// `ROOT {json}` or `context {json}`.
    package struct ContextLine: Sendable, Hashable {
        /// The root the object is bound to; nil for `context {...}`, the whole context.
        package var root: String?
        /// The span of `ROOT` or `context`.
        package var rootSpan: SourceSpan
        /// The JSON object as written.
        package var json: String
        /// The span of the JSON object.
        package var jsonSpan: SourceSpan
        /// The decoded object's fields.
        package var fields: [String: Value]

        /// The whole line.
        package var span: SourceSpan { rootSpan.union(jsonSpan) }

        package init(root: String?, rootSpan: SourceSpan, json: String, jsonSpan: SourceSpan, fields: [String: Value]) {
            self.root = root
            self.rootSpan = rootSpan
            self.json = json
            self.jsonSpan = jsonSpan
            self.fields = fields
        }
    }

    /// The test's name.
    package var name: String
    /// The span of the name's string literal.
    package var nameSpan: SourceSpan
    /// `test` through the closing `}`.
    package var span: SourceSpan
    /// The lines, in source order.
    package var statements: [Statement]

    package init(name: String, nameSpan: SourceSpan, span: SourceSpan, statements: [Statement] = []) {
        self.name = name
        self.nameSpan = nameSpan
        self.span = span
        self.statements = statements
    }
}

/// The reason kinds `expect FLAG reason KIND` may name: the five words of CLI.md,
/// "Reasons, one vocabulary everywhere".
package enum ExpectedReason: String, Sendable, Hashable, CaseIterable {
    case `static`, match, split, `default`, error
}
