import Cohort
import Testing

/// The rendered diagnostics (no colour) of a rule that must not compile.
private func rendered(_ text: String, options: CompileOptions = CompileOptions(),
                      sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
    do {
        _ = try Rule(text, options: options)
        Issue.record("expected a compile error for: \(text)", sourceLocation: sourceLocation)
        return ""
    } catch {
        return error.rendered(color: false)
    }
}

/// Options with a small nesting limit, so the limit diagnostic fits on a line.
private let shallow: CompileOptions = {
    var options = CompileOptions()
    options.limits.maxNestingDepth = 3
    return options
}()

/// A file name other than `<expr>`.
private let named: CompileOptions = {
    var options = CompileOptions()
    options.sourceName = "flags.cohort"
    return options
}()

/// Compile-error cases pinned by golden files in `Golden/`: one per kind of error, plus
/// the layout cases (tabs, long lines, several lines, non-ASCII text).
private let compileCases: [(name: String, source: String, options: CompileOptions)] = [
    ("unknown-name", #"usr.id == "u-42""#, CompileOptions()),
    ("unknown-function", "user.plan == \"pro\"\n  and buckt(user.id) < 20", CompileOptions()),
    ("bad-escape", #"user.name == "a\qb""#, CompileOptions()),
    ("unterminated-string", #"user.name == "abc"#, CompileOptions()),
    ("raw-newline-in-string", "user.name == \"abc\ndef\"", CompileOptions()),
    ("chained-comparison", "18 <= user.age < 65", CompileOptions()),
    ("type-mismatch", "(user.a < user.b) * 2", CompileOptions()),
    ("arity", #"lower(user.email, "x") == "a""#, CompileOptions()),
    ("invalid-regex", #"user.email matches "([a-z]+@acme\\.com""#, CompileOptions()),
    ("invalid-regex-position", #"user.code matches "^[A-Z]{2}-([0-9]+""#, CompileOptions()),
    ("invalid-literal", #"semver(user.app_version) >= "2.0.x""#, CompileOptions()),
    ("constant-fails", "user.n > 1 / 0", CompileOptions()),
    ("limit", "((((1))))", shallow),
    ("several-errors", "usr.a == 1 or devise.b == 2", named),
    ("tabs", "\t\tuser.a == 1 and\n\t\tusr.b == 2", CompileOptions()),
    ("long-line", "user.id in [" + (0..<60).map { "\"user-\($0)\"" }.joined(separator: ", ") + "] and usr.x == 1", CompileOptions()),
    ("long-line-start", "usr.x == 1 and user.id in [" + (0..<60).map { "\"user-\($0)\"" }.joined(separator: ", ") + "]", CompileOptions()),
    ("non-ascii", #""café ☕" == user.drink and lowr(user.name) == "é""#, CompileOptions()),
    ("end-of-input", "user.a == 1 or\n", CompileOptions()),
]

@Suite("Diagnostic rendering")
struct RenderingTests {
    @Test("compile errors render as golden", arguments: compileCases.map(\.name))
    func compileErrors(name: String) throws {
        let entry = try #require(compileCases.first { $0.name == name })
        Golden.check(rendered(entry.source, options: entry.options), named: name)
    }

    @Test("invalid UTF-8 is reported at the first bad byte")
    func invalidUTF8() throws {
        // `user.name == "` then 0xFF, then `"`.
        let data = Array("user.name == \"ok\" or user.name == \"".utf8) + [0xFF] + Array("\"".utf8)
        let error = #expect(throws: CompileError.self) { try SourceFile(name: "bad.cohort", data: data) }
        #expect(error?.diagnostics.map(\.code) == ["invalid-utf8"])
        #expect(error?.diagnostics.first?.span.start == data.count - 2)
        Golden.check(error?.rendered(color: false) ?? "", named: "invalid-utf8")
    }

    @Test("a run-time error value renders with a caret under the failing part")
    func runtimeError() throws {
        let rule = try Rule(#"user.country == "NO" or user.age >= 18"#)
        let error = #expect(throws: EvaluationError.self) {
            try rule.evaluate(["user": ["country": "SE", "age": "eighteen"]]).get()
        }
        let text = error.map { CompileError(diagnostics: [$0.diagnostic], source: rule.source).rendered(color: false) }
        Golden.check(text ?? "", named: "runtime-error")
    }

    @Test("the first line is file:line:col: error: message")
    func headerLine() {
        let text = rendered("user.a == 1 or\n  usr.b == 2", options: named)
        #expect(text.hasPrefix("flags.cohort:2:3: error: unknown name 'usr'; did you mean 'user'?\n"))
    }

    @Test("the caret underlines the whole span")
    func caretWidth() {
        let lines = rendered(#"usr.id == "u-42""#).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4)
        #expect(lines[1] == #"1 | usr.id == "u-42""#)
        #expect(lines[2] == "  | ^~~")
    }

    @Test("tabs before the error are expanded so the caret lines up")
    func tabs() {
        let lines = rendered("\tusr.id == 1").split(separator: "\n")
        #expect(lines.count == 3)
        #expect(!lines[1].contains("\t"))
        let sourceLine = lines[1].dropFirst(4), caretLine = lines[2].dropFirst(4)
        #expect(sourceLine.firstIndex(of: "u").map { sourceLine.distance(from: sourceLine.startIndex, to: $0) }
            == caretLine.firstIndex(of: "^").map { caretLine.distance(from: caretLine.startIndex, to: $0) })
    }

    @Test("long lines are cut around the span")
    func longLines() throws {
        let source = "user.id in [" + (0..<60).map { "\"user-\($0)\"" }.joined(separator: ", ") + "] and usr.x == 1"
        let lines = rendered(source).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].count < 140)
        #expect(lines[1].contains("usr.x == 1"))
        #expect(lines[1].contains("…"))
        let caret = try #require(lines[2].firstIndex(of: "^"))
        let usr = try #require(lines[1].range(of: "usr.x")?.lowerBound)
        #expect(lines[2].distance(from: lines[2].startIndex, to: caret) == lines[1].distance(from: lines[1].startIndex, to: usr))
    }

    @Test("colour only when asked for")
    func colour() throws {
        let error = try #require(#expect(throws: CompileError.self) { try Rule("usr.id == 1") })
        let coloured = error.rendered(color: true)
        let plain = error.rendered(color: false)
        #expect(coloured.contains("\u{1B}["))
        #expect(!plain.contains("\u{1B}"))
        #expect(error.description == plain)
        // Stripping the escapes from the coloured text gives the plain text.
        var stripped = ""
        var inEscape = false
        for scalar in coloured.unicodeScalars {
            if scalar == "\u{1B}" { inEscape = true; continue }
            if inEscape { if scalar == "m" { inEscape = false }; continue }
            stripped.unicodeScalars.append(scalar)
        }
        #expect(stripped == plain)
    }

    @Test("every diagnostic of a golden case is rendered")
    func everyDiagnosticRendered() throws {
        let error = try #require(#expect(throws: CompileError.self) { try Rule("usr.a == 1 or devise.b == 2 or buckt(1) < 2") })
        let text = error.rendered(color: false)
        #expect(error.diagnostics.count == 3)
        #expect(text.components(separatedBy: ": error: ").count - 1 == 3)
    }
}
