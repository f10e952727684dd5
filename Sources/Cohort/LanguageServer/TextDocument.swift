/// An open document as the client last described it: its text and version.
///
/// The server accepts both kinds of `didChange`: the whole text (full sync), and edits of
/// a range (incremental sync, which the server asks for: a keystroke in a large file then
/// costs a few bytes on the wire instead of the whole file).
package struct TextDocument: Sendable {
    /// The document's URI, as the client wrote it.
    package let uri: String
    /// The client's version number, increased on every change.
    package private(set) var version: Int
    /// The text, as UTF-8.
    package private(set) var lines: LineTable

    /// A document with its first text.
    package init(uri: String, version: Int, text: String) {
        self.uri = uri
        self.version = version
        self.lines = LineTable(bytes: Array(text.utf8))
    }

    /// The text.
    package var text: String { String(decoding: lines.bytes, as: UTF8.self) }

    /// Applies the `contentChanges` of a `didChange`, in order, and takes the new version.
    package mutating func apply(changes: [Value], version: Int) throws(JSONRPCError) {
        for change in changes {
            guard let text = change.field("text")?.stringValue else {
                throw .invalidParams("a content change needs a 'text'")
            }
            if let rangeJSON = change.field("range") {
                guard let range = TextRange(json: rangeJSON) else {
                    throw .invalidParams("a content change's 'range' needs 'start' and 'end' positions")
                }
                var start = lines.offset(of: range.start), end = lines.offset(of: range.end)
                if end < start { swap(&start, &end) }
                var bytes = lines.bytes
                bytes.replaceSubrange(start..<end, with: Array(text.utf8))
                lines = LineTable(bytes: bytes)
            } else {
                lines = LineTable(bytes: Array(text.utf8))
            }
        }
        self.version = version
    }
}
