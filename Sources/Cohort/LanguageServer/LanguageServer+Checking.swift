import Foundation

/// The diagnostics of a document: what `cohort check` reports for the same text.
///
/// `cohort check` compiles the file as rules; when that finds no error and the file holds
/// tests (a `use` line or a `test` block), it compiles the tests too, against the rule
/// file they use, and reports the tests' problems and the rule file's errors. Here the
/// rule file is the open document of that path when there is one, so a test file's
/// diagnostics follow edits to its rule file before they are saved.
extension LanguageServer {
    /// Every diagnostic of an analysed document, as LSP `Diagnostic`s.
    mutating func checkDiagnostics(_ analysis: DocumentAnalysis) -> [Value] {
        var items = analysis.diagnostics.map { Self.diagnosticJSON($0, uri: analysis.uri, lines: analysis.lines) }
        guard !analysis.diagnostics.contains(where: { $0.severity == .error }), holdsTests(analysis) else { return items }
        let loaded = analysis.uses.first.map { use in
            rulesUnderTest(at: TestFileCompiler.resolve(use.path, relativeTo: analysis.source.name))
        }
        let outcome = TestFileCompiler.compile(source: analysis.source, options: options) { path in
            loaded ?? TestFileCompiler.defaultLoader(path, options: options)
        }
        for problem in outcome.problems {
            if problem.source.name == analysis.source.name {
                items += problem.diagnostics.map { Self.diagnosticJSON($0, uri: analysis.uri, lines: analysis.lines) }
            } else if let use = analysis.uses.first {
                // The rule file's errors (as `cohort check` prints them, not its warnings)
                // are in another document: one diagnostic on the `use` path points at them.
                let errors = problem.diagnostics.filter { $0.severity == .error }
                guard let first = errors.first else { continue }
                let rulesURI = DocumentURI.uri(ofPath: problem.source.name)
                let rulesLines = LineTable(bytes: problem.source.bytes)
                let at = problem.source.location(of: first.span.start)
                let summary = Diagnostic.usedRulesDoNotCompile(use.path, line: at.line, column: at.column, firstError: first.message,
                                                               more: errors.count - 1, code: first.code, use.pathSpan)
                var item = Self.diagnosticJSON(summary, uri: analysis.uri, lines: analysis.lines)
                if case .object(var fields) = item {
                    fields["relatedInformation"] = .list(errors.map { error in
                        .object([
                            "location": .object(["uri": .string(rulesURI), "range": rulesLines.range(of: error.span).json]),
                            "message": .string(error.message),
                        ])
                    })
                    item = .object(fields)
                }
                items.append(item)
            }
        }
        return items
    }

    /// True when `cohort check` would compile the file's tests: it has a `use` line or a
    /// `test` block. Asked only of a file without errors, whose parse lost nothing.
    private func holdsTests(_ analysis: DocumentAnalysis) -> Bool {
        !analysis.uses.isEmpty || !analysis.tests.isEmpty
    }

    /// The rules at `path` for a test file: the open document of that path, else the file
    /// on disk, compiled once per version or modification.
    private mutating func rulesUnderTest(at path: String) -> Result<RulesUnderTest, CompileError> {
        let key: String
        let source: () throws(CompileError) -> SourceFile
        if let uri = openDocument(atPath: path), let document = documents[uri] {
            key = "open \(document.version)"
            source = { SourceFile(name: path, text: document.text) }
        } else {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            key = "disk \(modified) \(attributes?[.size] as? Int ?? -1)"
            source = { () throws(CompileError) in try TestFileCompiler.read(path) }
        }
        if let cached = rulesForTests[path], cached.key == key { return cached.rules }
        let rules: Result<RulesUnderTest, CompileError>
        do {
            let ruleSource = try source()
            rules = .success(RulesUnderTest(path: path, ruleset: try Ruleset(ruleSource, options: options), options: options))
        } catch {
            rules = .failure(error)
        }
        rulesForTests[path] = (key, rules)
        return rules
    }
}
