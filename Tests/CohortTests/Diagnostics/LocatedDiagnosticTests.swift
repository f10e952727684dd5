import Cohort
import Testing

// The machine forms of a diagnostic: 1-based lines and columns in Unicode characters, an
// exclusive end, JSON with exactly the contract's fields, GitHub annotations escaped.

@Suite("LocatedDiagnostic")
struct LocatedDiagnosticTests {
    @Test("lines and columns are 1-based, count characters, and the end is just past the span")
    func positions() throws {
        let source = SourceFile(name: "f.cohort", text: "flag a = true\nflag é = \"☕\" == usr.x\n")
        let start = source.text.utf8.count - "usr.x\n".utf8.count
        let diagnostic = Diagnostic(severity: .error, code: "unknown-name", message: "m", span: SourceSpan(start: start, end: start + 3))
        let located = LocatedDiagnostic(diagnostic, in: source)
        #expect((located.line, located.column, located.endLine, located.endColumn) == (2, 17, 2, 20))
        let empty = LocatedDiagnostic(Diagnostic(severity: .error, code: "limit", message: "m", span: SourceSpan(start: 0, end: 0)), in: source)
        #expect((empty.line, empty.column, empty.endLine, empty.endColumn) == (1, 1, 1, 1))
    }

    @Test("JSON: the eight fields in order, strings escaped")
    func json() {
        let located = LocatedDiagnostic(file: "a \"b\".cohort", line: 1, column: 2, endLine: 3, endColumn: 4, severity: .warning,
                                        code: "unused", message: "let 'x' is \\ never\nused")
        #expect(located.json == #"{"file":"a \"b\".cohort","line":1,"column":2,"end_line":3,"end_column":4,"severity":"warning","code":"unused","message":"let 'x' is \\ never\nused"}"#)
        #expect(LocatedDiagnostic.jsonArray([]) == "[]\n")
        #expect(LocatedDiagnostic.jsonArray([located, located]) == "[\n  \(located.json),\n  \(located.json)\n]\n")
    }

    @Test("GitHub: properties and message escaped as the runner expects, notes on lines of their own")
    func github() {
        let located = LocatedDiagnostic(file: "dir,x/a:b.cohort", line: 7, column: 3, endLine: 7, endColumn: 9, severity: .error,
                                        code: "syntax", message: "100% wrong", notes: ["a.cohort:1:1: first here"])
        #expect(located.githubAnnotation == "::error file=dir%2Cx/a%3Ab.cohort,line=7,col=3::[syntax] 100%25 wrong%0Anote: a.cohort:1:1: first here\n")
    }
}
