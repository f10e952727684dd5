/// A diagnostic with its place resolved to a file, lines and columns: the form machines
/// read (`cohort check --format json` and `--format github`, CI, editors).
///
/// Lines and columns are 1-based, columns count Unicode scalars, and the end is exclusive
/// (the position just after the span), as `docs/diagnostics.md` and the CLI contract say.
public struct LocatedDiagnostic: Sendable, Hashable {
    /// The file, as the diagnostic names it (`flags.cohort`, `<stdin>`).
    public var file: String
    /// The line where the span starts.
    public var line: Int
    /// The column where the span starts.
    public var column: Int
    /// The line of the position just after the span.
    public var endLine: Int
    /// The column just after the span (exclusive).
    public var endColumn: Int
    /// Error or warning.
    public var severity: Diagnostic.Severity
    /// The stable code (`unknown-name`, `shadowed-arm`, ...).
    public var code: String
    /// The one-line message.
    public var message: String
    /// The notes, each as `file:line:col: message` when it points somewhere.
    public var notes: [String]

    /// Resolves a diagnostic's span in the source it points into.
    public init(_ diagnostic: Diagnostic, in source: SourceFile) {
        let start = source.location(of: diagnostic.span.start)
        let end = source.location(of: diagnostic.span.end)
        self.init(file: source.name, line: start.line, column: start.column, endLine: end.line, endColumn: end.column,
                  severity: diagnostic.severity, code: diagnostic.code, message: diagnostic.message,
                  notes: diagnostic.notes.map { note in
                      note.span.map { "\(source.name):\(source.location(of: $0.start)): \(note.message)" } ?? note.message
                  })
    }

    /// A diagnostic about a file Cohort holds no source of (a line of a records file).
    public init(file: String, line: Int, column: Int, endLine: Int, endColumn: Int, severity: Diagnostic.Severity,
                code: String, message: String, notes: [String] = []) {
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
        self.severity = severity
        self.code = code
        self.message = message
        self.notes = notes
    }

    /// The JSON object of the CLI contract: `file`, `line`, `column`, `end_line`,
    /// `end_column`, `severity`, `code`, `message`, in that order, and nothing else (the
    /// notes are for the text form).
    public var json: String {
        var out = "{\"file\":"
        writeJSONString(file, to: &out)
        out += ",\"line\":\(line),\"column\":\(column),\"end_line\":\(endLine),\"end_column\":\(endColumn)"
        out += ",\"severity\":\"\(severity.rawValue)\",\"code\":"
        writeJSONString(code, to: &out)
        out += ",\"message\":"
        writeJSONString(message, to: &out)
        return out + "}"
    }

    /// Several diagnostics as one JSON array, one object per line, ending in a newline.
    public static func jsonArray(_ diagnostics: [LocatedDiagnostic]) -> String {
        diagnostics.isEmpty ? "[]\n" : "[\n" + diagnostics.map { "  " + $0.json }.joined(separator: ",\n") + "\n]\n"
    }

    /// A GitHub Actions workflow command that annotates the file in a pull request:
    /// `::warning file=F,line=L,col=C::message`, ending in a newline. The code leads the
    /// message in brackets, and the notes follow it on lines of their own; properties and
    /// message are escaped as the runner expects.
    public var githubAnnotation: String {
        let text = (["[\(code)] \(message)"] + notes.map { "note: \($0)" }).joined(separator: "\n")
        return "::\(severity.rawValue) file=\(Self.escapeProperty(file)),line=\(line),col=\(column)::\(Self.escapeData(text))\n"
    }

    /// `%`, CR and LF, percent-encoded as in a workflow command's message.
    private static func escapeData(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A property value also escapes `:` and `,`, which end it.
    private static func escapeProperty(_ text: String) -> String {
        var out = ""
        for scalar in escapeData(text).unicodeScalars {
            switch scalar {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
