/// JSON text that could not be read as a ``Value``: invalid syntax, invalid UTF-8, a number
/// out of range, or nesting deeper than 512 levels.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for a person (`expected ',' or '}' after an object member, found ']'`).
    public var message: String
    /// 1-based line in the JSON text.
    public var line: Int
    /// 1-based column in the JSON text, counted in Unicode scalars.
    public var column: Int

    /// An error at a line and column of the JSON text.
    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    package init(_ error: JSONSyntaxError) {
        self.init(message: error.message, line: error.line, column: error.column)
    }

    /// `line:column: message`.
    public var description: String { "\(line):\(column): \(message)" }
}
