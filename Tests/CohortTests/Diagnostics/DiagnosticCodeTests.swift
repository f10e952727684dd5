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

/// The diagnostics of a documented example, each as its code and its text form: a rule file named `flags.cohort`; a test file (one that starts with `use`)
/// named `checkout.test.cohort` beside the shipped `examples/flags.cohort`; or, with
/// `records`, a rule file checked against them as `cohort check --users users.jsonl`.
private func compile(_ example: String, records: String? = nil) throws -> [(code: String, text: String)] {
    func rendered(_ diagnostics: [Diagnostic], in source: SourceFile) -> [(code: String, text: String)] {
        diagnostics.map { ($0.code, DiagnosticRenderer(source: source, color: false).render($0)) }
    }
    if let records {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("users.jsonl", records)
        let ruleset = try Ruleset(source: example, file: "flags.cohort")
        var options = RecordCheck.Options()
        options.recordsName = "users.jsonl"
        let check = RecordCheck(ruleset: ruleset, options: options)
        let (rules, located) = check.findings(try check.run(path: path, format: .jsonl, jobs: 1))
        // The records file's own problems print as the CLI prints them: no column, no caret.
        return rendered(ruleset.warnings + rules, in: ruleset.source)
            + located.map { ($0.code, "\($0.file):\($0.line): \($0.severity.rawValue): \($0.message)\n") }
    }
    guard example.hasPrefix("use ") else {
        let source = SourceFile(name: "flags.cohort", text: example)
        var compiler = RuleFileCompiler(source: source, options: CompileOptions())
        compiler.compile()
        return rendered(compiler.diagnostics, in: source)
    }
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    try scratch.write("flags.cohort", String(contentsOfFile: PackagePaths.example("flags.cohort"), encoding: .utf8))
    let path = try scratch.write("checkout.test.cohort", example)
    let problems = TestFileCompiler.check(path: path)?.problems ?? []
    return problems.flatMap { problem in
        rendered(problem.diagnostics, in: SourceFile(name: "checkout.test.cohort", text: problem.source.text))
    }
}

@Suite("Diagnostic codes")
struct DiagnosticCodeTests {
    @Test("docs/diagnostics.md has a section for every code, and no other")
    func documented() throws {
        let documented = try sections().map(\.code)
        #expect(documented.count == Set(documented).count, "a code is documented twice")
        #expect(Set(documented) == Set(DiagnosticCode.allCases.map(\.rawValue)))
        // Each with an example of what it prints and how to fix it.
        for (code, body) in try sections() {
            #expect(fenced("text", in: body) != nil, "\(code) has no example output")
            #expect(body.contains("\n**Fix:** "), "\(code) does not say how to fix it")
        }
    }

    @Test("each documented example gives its code, and prints exactly what the page shows")
    func examples() throws {
        var checked = 0
        var withRecords: Set<String> = []
        for (code, body) in try sections() {
            guard let example = fenced("cohort", in: body) else { continue }
            let records = fenced("jsonl", in: body).map { $0 + "\n" }
            if records != nil { withRecords.insert(code) }
            let found = try compile(example + "\n", records: records)
            #expect(found.contains { $0.code == code }, "\(code): \(found.map(\.code))")
            let shown = try #require(fenced("text", in: body), "\(code)")
            #expect(found.map(\.text).joined() == shown + "\n", "\(code)")
            checked += 1
        }
        #expect(checked >= 50)
        // Every warning of --users has an example with its records.
        let recordCodes: [DiagnosticCode] = [.unknownAttribute, .attributeType, .unreachedArm, .sameValue, .flagErrors, .unreadableRecord]
        #expect(withRecords == Set(recordCodes.map(\.rawValue)))
    }

    @Test("codes are kebab-case words")
    func spelling() {
        for code in DiagnosticCode.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "-" || $0.isNumber }, "\(code.rawValue)")
        }
    }
}
