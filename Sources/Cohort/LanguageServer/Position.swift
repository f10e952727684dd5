/// A position as the Language Server Protocol counts it: a 0-based line and a 0-based
/// offset in UTF-16 code units within that line.
package struct Position: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0-based line.
    package var line: Int
    /// 0-based UTF-16 code unit offset within the line.
    package var character: Int

    /// The position at `character` UTF-16 units into 0-based `line`.
    package init(line: Int, character: Int) {
        self.line = line
        self.character = character
    }

    /// Reads `{"line": L, "character": C}`; nil when either is missing or negative.
    package init?(json: Value?) {
        guard let line = json?.field("line")?.intValue, let character = json?.field("character")?.intValue,
              line >= 0, character >= 0 else { return nil }
        self.init(line: line, character: character)
    }

    /// `{"line": L, "character": C}`.
    package var json: Value { .object(["line": .int(line), "character": .int(character)]) }

    /// `line:character`, both 0-based.
    package var description: String { "\(line):\(character)" }

    /// Earlier in the text.
    package static func < (a: Position, b: Position) -> Bool { (a.line, a.character) < (b.line, b.character) }
}
