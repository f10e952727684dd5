/// A problem found in source text, by any stage of the pipeline.
///
/// Every message is written in one place, `Diagnostic+Catalogue.swift`, so the wording stays
/// in one voice and each kind has a stable `code` (all of them are listed, with an example
/// and how to fix it, in `docs/diagnostics.md`). A diagnostic carries what an editor needs
/// to show it: the span, secondary places (`notes`) and edits that resolve it (`fixIts`).
public struct Diagnostic: Sendable, Hashable {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable {
        /// The source cannot be compiled.
        case error
        /// The source compiles, but probably does not do what its author meant.
        case warning
    }

    /// A secondary message, optionally pointing at another place (e.g. the first declaration).
    public struct Note: Sendable, Hashable {
        /// What the note says.
        public var message: String
        /// Where it points, if anywhere.
        public var span: SourceSpan?

        /// Creates a note.
        public init(message: String, span: SourceSpan? = nil) {
            self.message = message
            self.span = span
        }
    }

    /// Error or warning.
    public var severity: Severity
    /// A stable identifier of the kind of problem, e.g. `unknown-name`.
    public var code: String
    /// One-line description.
    public var message: String
    /// Where the problem is.
    public var span: SourceSpan
    /// Further explanation.
    public var notes: [Note]
    /// Edits that resolve the problem, for an editor to offer (empty when there is no
    /// mechanical fix).
    public var fixIts: [FixIt]

    /// Creates a diagnostic.
    public init(severity: Severity, code: String, message: String, span: SourceSpan, notes: [Note] = [], fixIts: [FixIt] = []) {
        self.severity = severity
        self.code = code
        self.message = message
        self.span = span
        self.notes = notes
        self.fixIts = fixIts
    }
}

/// The error thrown when source text does not compile: every diagnostic found, and the
/// source they point into (so they can be rendered with `file:line:col` and a caret).
public struct CompileError: Error, Sendable, CustomStringConvertible {
    /// All diagnostics, errors and warnings, in source order.
    public var diagnostics: [Diagnostic]
    /// The source the spans refer to.
    public var source: SourceFile

    /// Creates a compile error.
    public init(diagnostics: [Diagnostic], source: SourceFile) {
        self.diagnostics = diagnostics
        self.source = source
    }

    /// The diagnostics rendered as text, without colour.
    public var description: String { rendered(color: false) }

    /// The diagnostics rendered for a terminal (`color: true`) or a log.
    public func rendered(color: Bool) -> String {
        DiagnosticRenderer(source: source, color: color).render(diagnostics)
    }
}
