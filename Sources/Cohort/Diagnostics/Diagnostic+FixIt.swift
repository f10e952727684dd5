extension Diagnostic {
    /// A change to the source that resolves a diagnostic: what it does, in a few words
    /// ("replace '=' with '=='"), and the edits. An editor offers it as a quick fix; the
    /// text renderer shows its message as a `help:` line.
    public struct FixIt: Sendable, Hashable {
        /// What applying it does, e.g. `wrap in semver(...)`.
        public var message: String
        /// The edits, in source order and not overlapping.
        public var edits: [Edit]

        /// Creates a fix-it.
        public init(message: String, edits: [Edit]) {
            self.message = message
            self.edits = edits
        }

        /// A fix-it made of one replacement.
        package static func replace(_ span: SourceSpan, with replacement: String, _ message: String) -> FixIt {
            FixIt(message: message, edits: [Edit(span: span, replacement: replacement)])
        }

        /// The text with this fix-it's edits applied (spans are UTF-8 offsets into `text`).
        package func applied(to text: String) -> String {
            var bytes = Array(text.utf8)
            for edit in edits.sorted(by: { $0.span.start > $1.span.start }) {
                let start = min(edit.span.start, bytes.count), end = min(max(edit.span.end, start), bytes.count)
                bytes.replaceSubrange(start..<end, with: Array(edit.replacement.utf8))
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// One edit of a fix-it: the bytes of `span` replaced by `replacement` (an empty span
    /// inserts, an empty replacement deletes).
    public struct Edit: Sendable, Hashable {
        /// The source range replaced.
        public var span: SourceSpan
        /// The new text.
        public var replacement: String

        /// Creates an edit.
        public init(span: SourceSpan, replacement: String) {
            self.span = span
            self.replacement = replacement
        }
    }
}
