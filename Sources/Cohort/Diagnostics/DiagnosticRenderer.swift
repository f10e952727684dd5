/// Renders diagnostics as `FILE:LINE:COL: error: message`, the source line with a line-number
/// gutter, and a caret/underline under the span. A pure function of its inputs.
public struct DiagnosticRenderer: Sendable {
    /// The source the diagnostics point into.
    public var source: SourceFile
    /// Whether to use ANSI colours (only on a terminal, never with `NO_COLOR`; the caller decides).
    public var color: Bool
    /// Lines longer than this many columns are cut around the span.
    public var maxLineWidth: Int = 120

    /// Creates a renderer.
    public init(source: SourceFile, color: Bool) {
        self.source = source
        self.color = color
    }

    /// Renders several diagnostics, each followed by a newline.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }

    /// Renders one diagnostic, ending in a newline.
    public func render(_ diagnostic: Diagnostic) -> String {
        let location = source.location(of: diagnostic.span.start)
        let severity = diagnostic.severity.rawValue
        let paint = diagnostic.severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;33m"
        var out = style("\(source.name):\(location.line):\(location.column): ", "\u{1B}[1m")
        out += style("\(severity):", paint) + style(" \(diagnostic.message.escapingControlCharacters)", "\u{1B}[1m") + "\n"
        out += excerpt(diagnostic.span, paint: paint)
        for note in diagnostic.notes {
            if let span = note.span {
                let at = source.location(of: span.start)
                out += style("\(source.name):\(at.line):\(at.column): ", "\u{1B}[1m")
                out += style("note:", "\u{1B}[1;36m") + " \(note.message.escapingControlCharacters)\n"
                out += excerpt(span, paint: "\u{1B}[1;36m")
            } else {
                out += style("note:", "\u{1B}[1;36m") + " \(note.message.escapingControlCharacters)\n"
            }
        }
        return out
    }

    /// The source line of a span's start with a caret line under the span.
    private func excerpt(_ span: SourceSpan, paint: String) -> String {
        let start = source.location(of: span.start)
        let endOffset = max(span.start, span.end)
        let end = source.location(of: endOffset)
        let raw = source.lineText(start.line)
        // Expand tabs so the caret lines up; columns are Unicode scalars.
        var scalars: [Unicode.Scalar] = []
        var columnMap: [Int] = []  // scalar column (0-based) -> display column
        for scalar in raw.unicodeScalars {
            columnMap.append(scalars.count)
            if scalar == "\t" {
                repeat { scalars.append(" ") } while scalars.count % 4 != 0
            } else {
                scalars.append(scalar)
            }
        }
        columnMap.append(scalars.count)
        func display(_ column: Int) -> Int { columnMap[min(max(0, column - 1), columnMap.count - 1)] }
        let caretStart = display(start.column)
        let caretEnd = end.line == start.line ? max(caretStart + 1, display(end.column)) : max(caretStart + 1, scalars.count)
        // Cut long lines to a window around the span.
        var windowStart = 0
        if scalars.count > maxLineWidth, caretStart > maxLineWidth / 2 {
            windowStart = min(caretStart - maxLineWidth / 2, max(0, scalars.count - maxLineWidth))
        }
        let windowEnd = min(scalars.count, windowStart + maxLineWidth)
        var line = String(String.UnicodeScalarView(scalars[windowStart..<windowEnd]))
        if windowStart > 0 { line = "…" + line }
        if windowEnd < scalars.count { line += "…" }
        let shift = windowStart > 0 ? 1 : 0
        let from = caretStart - windowStart + shift
        let width = min(caretEnd, windowEnd) - caretStart
        let gutter = String(start.line)
        let pad = String(repeating: " ", count: gutter.count)
        var out = style("\(gutter) | ", "\u{1B}[2m") + line + "\n"
        let marks = "^" + String(repeating: "~", count: max(0, width - 1))
        out += style("\(pad) | ", "\u{1B}[2m") + String(repeating: " ", count: max(0, from)) + style(marks, paint) + "\n"
        return out
    }

    private func style(_ text: String, _ code: String) -> String {
        color ? code + text + "\u{1B}[0m" : text
    }
}
