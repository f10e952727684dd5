import Cohort
import Foundation
import Testing

// docs/diagnostics.md lists every diagnostic code with an example: the list and the code
// agree, and each example, compiled, gives its code with the message the page shows.

/// The page's sections: each `### \`code\`` heading with the text up to the next heading.
private func sections() throws -> [(code: String, body: String)] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/diagnostics.md")
    let text = try String(contentsOf: url, encoding: .utf8)
    return text.components(separatedBy: "\n### `").dropFirst().map { chunk in
        let code = String(chunk.prefix { $0 != "`" })
        let body = chunk.components(separatedBy: "\n## ").first ?? chunk
        return (code, body)
    }
}

/// The contents of the first fenced block of `language` in `body`.
private func fenced(_ language: String, in body: String) -> String? {
    guard let open = body.range(of: "```\(language)\n") else { return nil }
    guard let close = body.range(of: "\n```", range: open.upperBound..<body.endIndex) else { return nil }
    return String(body[open.upperBound..<close.lowerBound])
}

/// The diagnostics of a documented example: a rule file named `flags.cohort`, or a test
/// file (one that starts with `use`) named `checkout.test.cohort` beside the shipped
/// `examples/flags.cohort`.
private func compile(_ example: String) throws -> [(Diagnostic, SourceFile)] {
    guard example.hasPrefix("use ") else {
        let source = SourceFile(name: "flags.cohort", text: example)
        var compiler = RuleFileCompiler(source: source, options: CompileOptions())
        compiler.compile()
        return compiler.diagnostics.map { ($0, source) }
    }
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    try scratch.write("flags.cohort", String(contentsOfFile: PackagePaths.example("flags.cohort"), encoding: .utf8))
    let path = try scratch.write("checkout.test.cohort", example)
    let problems = TestFileCompiler.check(path: path)?.problems ?? []
    return problems.flatMap { problem in
        problem.diagnostics.map { ($0, SourceFile(name: "checkout.test.cohort", text: problem.source.text)) }
    }
}

@Suite("Diagnostic codes")
struct DiagnosticCodeTests {
    @Test("docs/diagnostics.md has a section for every code, and no other")
    func documented() throws {
        let documented = try sections().map(\.code)
        #expect(documented.count == Set(documented).count, "a code is documented twice")
        #expect(Set(documented) == Set(DiagnosticCode.allCases.map(\.rawValue)))
    }

    @Test("each documented example gives its code, with the message the page shows")
    func examples() throws {
        var checked = 0
        for (code, body) in try sections() {
            guard let example = fenced("cohort", in: body) else { continue }
            let found = try compile(example + "\n")
            let (diagnostic, source) = try #require(found.first { $0.0.code == code }, "\(code): \(found.map(\.0.code))")
            let shown = try #require(fenced("text", in: body)?.split(separator: "\n").first.map(String.init), "\(code)")
            let rendered = DiagnosticRenderer(source: source, color: false).render(diagnostic).split(separator: "\n").first.map(String.init)
            #expect(rendered == shown, "\(code)")
            checked += 1
        }
        #expect(checked >= 40)
    }

    @Test("codes are kebab-case words")
    func spelling() {
        for code in DiagnosticCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "-" || $0.isNumber }, "\(code.rawValue)")
        }
    }
}
