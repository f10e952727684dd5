#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The progress line of a batch run: bytes read (with a bar and the time left when the
/// input's size is known) and records per second, redrawn at most ten times a second.
/// The text goes to `draw`, which writes it to a terminal; each line starts with `\r`
/// and ends by clearing the rest of the line.
package final class ProgressLine {
    private let total: Int?
    private let draw: (String) -> Void
    private let start = ProgressLine.seconds()
    private var lastDraw: Double?

    package init(total: Int?, draw: @escaping (String) -> Void) {
        self.total = total
        self.draw = draw
    }

    package func update(bytes: Int, records: Int) {
        let now = Self.seconds()
        if let lastDraw, now - lastDraw <= 0.1 { return }
        lastDraw = now
        let elapsed = max(now - start, 0.001)
        let rate = Double(records) / elapsed
        var line = "\r"
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let filled = Int(fraction * 24)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 24 - filled) + "] "
            line += "\(Int(fraction * 100))% \(Self.megabytes(bytes))/\(Self.megabytes(total))"
            if fraction > 0 { line += "  ETA \(Int((elapsed / fraction - elapsed).rounded()))s" }
        } else {
            line += "\(Self.megabytes(bytes)) read"
        }
        line += "  \(Int(rate)) records/s\u{1B}[K"
        draw(line)
    }

    /// Clears the line, if one was drawn.
    package func finish() {
        if lastDraw != nil { draw("\r\u{1B}[K") }
    }

    private static func megabytes(_ n: Int) -> String {
        let tenths = (Double(n) / 100_000).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) MB"
    }

    private static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
