import Cohort
import Foundation
import Testing

/// The examples written into `grammar/cohort.ebnf`, so the formal grammar and the parser
/// cannot drift apart: every example there must parse with no diagnostics.
///
/// Format, one per line: `(* example: EXPRESSION *)`; and for rule files a block that
/// opens with a line starting `(* example-file:` and closes with a line that is `*)`.
enum GrammarExamples {
    /// `grammar/cohort.ebnf`, found from this file: Tests/CohortTests/Syntax → package root.
    static func grammarURL(filePath: String = #filePath) -> URL {
        URL(fileURLWithPath: filePath)
            .deletingLastPathComponent()  // Syntax
            .deletingLastPathComponent()  // CohortTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .appendingPathComponent("grammar")
            .appendingPathComponent("cohort.ebnf")
    }

    /// The grammar's text; empty when it cannot be read (the count tests then fail).
    static let text: String = (try? String(contentsOf: grammarURL(), encoding: .utf8)) ?? ""

    /// An example with the 1-based line it starts on in the grammar file, for messages.
    struct Example: Sendable, CustomTestStringConvertible {
        var line: Int
        var text: String
        var testDescription: String { "line \(line): \(text.count > 60 ? String(text.prefix(57)) + "..." : text)" }
    }

    /// Pulls the examples out of the grammar text.
    static func extract(from text: String) -> (expressions: [Example], files: [Example]) {
        let expressionOpen = "(* example:"
        let fileOpen = "(* example-file:"
        let close = "*)"
        var expressions: [Example] = []
        var files: [Example] = []
        var openFile: (line: Int, lines: [String])?
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        for (i, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var file = openFile {
                if trimmed == close {
                    files.append(Example(line: file.line, text: file.lines.joined(separator: "\n") + "\n"))
                    openFile = nil
                } else {
                    file.lines.append(line)
                    openFile = file
                }
            } else if trimmed.hasPrefix(fileOpen) {
                // Anything after the opening marker on its own line is part of the file.
                let rest = trimmed.dropFirst(fileOpen.count).trimmingCharacters(in: .whitespaces)
                openFile = (i + 1, rest.isEmpty ? [] : [rest])
            } else if trimmed.hasPrefix(expressionOpen), trimmed.hasSuffix(close) {
                let body = trimmed.dropFirst(expressionOpen.count).dropLast(close.count)
                expressions.append(Example(line: i + 1, text: body.trimmingCharacters(in: .whitespaces)))
            }
        }
        // An unclosed block is kept, so it fails to be counted rather than vanishing.
        if let file = openFile {
            files.append(Example(line: file.line, text: "(* unclosed example-file block *)"))
        }
        return (expressions, files)
    }

    static let all = extract(from: text)
}

@Suite("Grammar examples")
struct GrammarExamplesTests {
    @Test("the grammar file is found and holds enough examples")
    func extraction() {
        #expect(!GrammarExamples.text.isEmpty, "cannot read \(GrammarExamples.grammarURL().path)")
        #expect(GrammarExamples.all.expressions.count >= 25)
        #expect(GrammarExamples.all.files.count >= 6)
        // The test-file forms (section 4) and named variants have examples too.
        #expect(GrammarExamples.all.files.contains { $0.text.contains("test \"") && $0.text.contains("use \"") })
        #expect(GrammarExamples.all.files.contains { $0.text.contains(" as ") })
        #expect(GrammarExamples.all.expressions.allSatisfy { !$0.text.isEmpty })
    }

    @Test("the extractor reads both example forms")
    func extractorUnderstandsTheFormat() {
        let sample = """
            (* a comment that mentions (* example: not_this *) mid-line *)
              (* example: a == 1 *)
            (* example-file:
            flag f = true
              # indented comment
            *)
            """
        let (expressions, files) = GrammarExamples.extract(from: sample)
        #expect(expressions.map(\.text) == ["a == 1"])
        #expect(expressions.map(\.line) == [2])
        #expect(files.map(\.text) == ["flag f = true\n  # indented comment\n"])
        #expect(files.map(\.line) == [3])
    }

    @Test("every expression example parses without diagnostics", arguments: GrammarExamples.all.expressions)
    func expressionParses(_ example: GrammarExamples.Example) {
        var parser = Parser(SourceFile(name: "grammar", text: example.text))
        let expr = parser.parseStandaloneExpression()
        #expect(expr != nil, "grammar line \(example.line) does not parse: \(example.text)")
        #expect(parser.diagnostics.isEmpty, "grammar line \(example.line): \(parser.diagnostics.map(\.message))")
    }

    @Test("every rule-file example parses without diagnostics", arguments: GrammarExamples.all.files)
    func ruleFileParses(_ example: GrammarExamples.Example) {
        var parser = Parser(SourceFile(name: "grammar", text: example.text))
        let file = parser.parseFile()
        #expect(!file.items.isEmpty, "rule-file example at grammar line \(example.line) has no declarations or tests")
        #expect(parser.diagnostics.isEmpty, "rule-file example at grammar line \(example.line): \(parser.diagnostics.map(\.message))")
    }

    @Test("a broken example is caught", arguments: ["a < b < c", "a == not b", "user.f(1)", "1__0", "[,]"])
    func brokenExamplesFail(_ text: String) {
        // Guards the guard: the checks above would pass vacuously if the parser accepted anything.
        var parser = Parser(SourceFile(name: "grammar", text: text))
        #expect(parser.parseStandaloneExpression() == nil)
        #expect(!parser.diagnostics.isEmpty)
    }
}
