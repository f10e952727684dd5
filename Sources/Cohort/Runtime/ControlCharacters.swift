extension String {
    /// The text with every control character (C0, DEL and C1: U+0000–U+001F, U+007F–U+009F)
    /// written as an escape (`\n`, `\t`, `\r`, `\u{1B}`), for text shown to a person on a
    /// terminal: a record's value quoted in a message must not move the cursor, change
    /// colours or retitle the window. JSON output needs none of this (it escapes them).
    package var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.isControlCharacter) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.isControlCharacter:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Unicode.Scalar {
    /// C0, DEL or C1.
    fileprivate var isControlCharacter: Bool {
        value < 0x20 || (value >= 0x7F && value <= 0x9F)
    }
}
