extension Declaration {
    /// The comment lines right above this declaration in `source` (no blank line between),
    /// without their `#` or `//` markers and without ruler lines (`# -----`): what a person
    /// wrote about it. Nil when there is none.
    package func leadingComment(in source: SourceFile) -> String? {
        var line = source.location(of: span.start).line - 1
        var lines: [String] = []
        while line >= 1, let text = Declaration.commentText(source.lineText(line)) {
            lines.append(text)
            line -= 1
        }
        let text = lines.reversed().filter { !$0.isEmpty }.joined(separator: "\n")
        return text.isEmpty ? nil : text
    }

    /// The text of a line that is a comment, without its marker; "" for a ruler line; nil
    /// when the line is not a comment.
    package static func commentText(_ line: String) -> String? {
        var text = Substring(line).drop(while: \.isWhitespace)
        if text.hasPrefix("#") { text = text.dropFirst() } else if text.hasPrefix("//") { text = text.dropFirst(2) } else { return nil }
        text = text.drop(while: \.isWhitespace)
        while text.last?.isWhitespace == true { text = text.dropLast() }
        if text.allSatisfy({ "-=#*/_~".contains($0) }) { return "" }
        return String(text)
    }
}
