import Cohort
import Testing

/// `--format table`: columns sized to the header and the first chunk, narrowed to fit a
/// terminal, later rows cut to the widths.
@Suite("Batch: table layout")
struct TableLayoutTests {
    private let sep = String(TableLayout.cellSeparator)

    private func row(_ cells: String...) -> String { cells.joined(separator: sep) + "\n" }

    @Test("columns as wide as their widest cell; later, longer cells are cut with …")
    func contentWidths() {
        var table = TableLayout(header: row("id", "flag"), maxWidth: nil)
        let first = table.render(row("u-1", "a much longer value") + row("u-22", "x"))
        #expect(first == """
            id    flag
            ----  -------------------
            u-1   a much longer value
            u-22  x

            """)
        #expect(table.render(row("u-333333", "y")) == "u-3…  y\n")
        #expect(table.finish() == "")
    }

    @Test("on a terminal the widest columns are narrowed until a row fits")
    func terminalWidth() {
        var table = TableLayout(header: row("id", "note", "other"), maxWidth: 30)
        let text = table.render(row("u-1", String(repeating: "n", count: 40), String(repeating: "o", count: 20)))
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 30 }, "\(lines)")
        #expect(lines[2].hasPrefix("u-1  nnnn"))
        #expect(lines[2].contains("…"))
    }

    @Test("no rows: the header alone, sized to itself")
    func headerOnly() {
        var table = TableLayout(header: row("id", "f"), maxWidth: nil)
        #expect(table.finish() == "id  f\n--  -\n")
    }
}
