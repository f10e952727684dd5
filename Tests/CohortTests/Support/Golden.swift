import Foundation
import Testing

/// Golden-file comparison for text the library renders (disassembly, diagnostics).
///
/// The expected text lives in `Golden/NAME.txt` next to the test file that asks, found
/// through `#filePath`, so the files travel with their tests and read well in review.
/// Set `COHORT_RECORD_GOLDEN=1` to (re)write them from the current output instead of
/// comparing; a mismatch records an issue with a line diff.
enum Golden {
    /// True when the run should record golden files rather than compare with them.
    static var isRecording: Bool {
        ProcessInfo.processInfo.environment["COHORT_RECORD_GOLDEN"] == "1"
    }

    /// The golden file `name` for the test file at `filePath`.
    static func url(_ name: String, filePath: String) -> URL {
        URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()
            .appendingPathComponent("Golden")
            .appendingPathComponent(name + ".txt")
    }

    /// Compares `actual` with the golden file `name`, or records it.
    static func check(
        _ actual: String,
        named name: String,
        filePath: String = #filePath,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let file = url(name, filePath: filePath)
        if isRecording {
            do {
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(actual.utf8).write(to: file, options: .atomic)
            } catch {
                Issue.record("could not record golden file \(file.path): \(error)", sourceLocation: sourceLocation)
            }
            return
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            Issue.record(
                "missing golden file \(file.path); run the tests with COHORT_RECORD_GOLDEN=1 to create it",
                sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected != actual {
            let message = "output differs from golden file Golden/\(name).txt (- golden, + actual; COHORT_RECORD_GOLDEN=1 re-records):\n"
                + lineDiff(expected, actual)
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        }
    }

    /// A unified-style line diff: unchanged lines prefixed by two spaces, removed lines by
    /// `- `, added lines by `+ `. Longest common subsequence; the files are small.
    static func lineDiff(_ old: String, _ new: String) -> String {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append("  " + a[i]); i += 1; j += 1
            } else if i < a.count, j == b.count || lcs[i + 1][j] >= lcs[i][j + 1] {
                out.append("- " + a[i]); i += 1
            } else {
                out.append("+ " + b[j]); j += 1
            }
        }
        // Make invisible differences visible.
        return out.map { $0.replacingOccurrences(of: "\t", with: "→").replacingOccurrences(of: "\u{1B}", with: "␛") }
            .joined(separator: "\n")
    }
}
