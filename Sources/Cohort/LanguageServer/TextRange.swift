/// A range between two positions, end exclusive: LSP's `Range`.
package struct TextRange: Sendable, Hashable, CustomStringConvertible {
    /// Where the range starts.
    package var start: Position
    /// Where it ends (exclusive).
    package var end: Position

    /// The range from `start` to `end`.
    package init(start: Position, end: Position) {
        self.start = start
        self.end = end
    }

    /// Reads `{"start": …, "end": …}`.
    package init?(json: Value?) {
        guard let start = Position(json: json?.field("start")), let end = Position(json: json?.field("end")) else { return nil }
        self.init(start: start, end: end)
    }

    /// `{"start": …, "end": …}`.
    package var json: Value { .object(["start": start.json, "end": end.json]) }

    /// `start-end`.
    package var description: String { "\(start)-\(end)" }
}
