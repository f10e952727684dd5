/// Lays out `--format table` output: columns as wide as their content, two spaces apart.
///
/// The evaluator writes a table's rows as cells separated by `cellSeparator` (control
/// characters in cells are already escaped, so the separator cannot occur in one); the
/// widths come from the header and the first chunk of rows, and later rows are padded or
/// cut (with `…`) to them, so the table streams. With `maxWidth` (a terminal's columns),
/// the widest columns are narrowed until a row fits.
package struct TableLayout {
    /// Separates the cells of a row in the evaluator's output.
    package static let cellSeparator: Character = "\u{1F}"
    /// No column is narrowed below this (or its content, if narrower).
    private static let minimumWidth = 8
    private let header: [String]
    private let maxWidth: Int?
    private var widths: [Int]?

    /// - Parameters:
    ///   - header: the header row, as the evaluator writes it.
    ///   - maxWidth: the widest a row may be, if limited.
    package init(header: String, maxWidth: Int?) {
        self.header = Self.cells(Substring(header.hasSuffix("\n") ? String(header.dropLast()) : header))
        self.maxWidth = maxWidth
    }

    /// The text of a chunk's rows; the first call also writes the header.
    package mutating func render(_ rows: String) -> String {
        let lines = rows.split(separator: "\n").map(Self.cells)
        var out = ""
        if widths == nil {
            fixWidths(rows: lines)
            out += headerText()
        }
        for row in lines { out += line(row) }
        return out
    }

    /// What is still to write at the end: the header, when there were no rows.
    package mutating func finish() -> String {
        guard widths == nil else { return "" }
        fixWidths(rows: [])
        return headerText()
    }

    private func headerText() -> String {
        line(header) + line(widths!.map { String(repeating: "-", count: $0) })
    }

    private mutating func fixWidths(rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        if let maxWidth {
            let floor = widths.map { min($0, Self.minimumWidth) }
            while widths.reduce(0, +) + 2 * (widths.count - 1) > maxWidth {
                guard let widest = widths.indices.filter({ widths[$0] > floor[$0] }).max(by: { widths[$0] < widths[$1] }) else { break }
                widths[widest] -= 1
            }
        }
        self.widths = widths
    }

    private func line(_ cells: [String]) -> String {
        let widths = widths!
        var out = ""
        for (i, width) in widths.enumerated() {
            let cell = i < cells.count ? cells[i] : ""
            let shown = cell.count > width ? String(cell.prefix(max(width - 1, 0))) + "…" : cell
            if i > 0 { out += "  " }
            out += shown
            if i < widths.count - 1 { out += String(repeating: " ", count: width - shown.count) }
        }
        while out.last == " " { out.removeLast() }
        return out + "\n"
    }

    private static func cells(_ row: Substring) -> [String] {
        row.split(separator: cellSeparator, omittingEmptySubsequences: false).map(String.init)
    }
}
