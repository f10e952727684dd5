import Foundation

/// A Language Server Protocol 3.17 server for `.cohort` files, as a state machine: each
/// message from the client goes in, the messages to send back come out. It never prints
/// and never touches a stream; `LanguageServer+Transport.swift` runs it over stdio.
///
/// It offers: diagnostics on open and on every change (the same as `cohort check`, with
/// their codes), hover, go to definition, completion, document symbols and formatting
/// (the `cohort fmt` layout). Positions are UTF-16, LSP's default.
package struct LanguageServer: Sendable {
    /// Where the server is in the protocol's life cycle.
    private enum State {
        /// Waiting for `initialize`.
        case starting
        /// Serving.
        case running
        /// `shutdown` was answered; only `exit` is expected.
        case shutDown
    }

    /// The options rule files are compiled with (the roots names may start from, the limits).
    package let options: CompileOptions
    private var state = State.starting
    var documents: [String: TextDocument] = [:]
    /// The latest analysis of each open document (it may be of an older version).
    private var analyses: [String: DocumentAnalysis] = [:]
    /// Rule files read from disk for test files' `use` lines, with what they were read at.
    private var filesOnDisk: [String: (modified: Date, size: Int, analysis: DocumentAnalysis)] = [:]
    /// Rule files compiled for test files' diagnostics, by path, with the version or file
    /// modification they were compiled at.
    var rulesForTests: [String: (key: String, rules: Result<RulesUnderTest, CompileError>)] = [:]
    /// Whether the client takes snippets in completion items.
    private var clientTakesSnippets = false
    /// Set by `exit`: 0 after a `shutdown`, 1 without one (as LSP specifies).
    package private(set) var exitCode: Int32?

    /// True once `shutdown` has been answered.
    package var hasShutDown: Bool { state == .shutDown }

    /// A server compiling with `options`.
    package init(options: CompileOptions = CompileOptions()) {
        self.options = options
    }

    // MARK: Messages

    /// Handles one message and returns the messages to send: a response to a request (and
    /// only to a request), and any notifications such as `publishDiagnostics`.
    ///
    /// - Parameter publishesDiagnostics: false when a later change to the same document is
    ///   already waiting, so the diagnostics of this version would be stale on arrival.
    package mutating func handle(_ message: IncomingMessage, publishesDiagnostics: Bool = true) -> [Value] {
        switch message {
        case .response:
            return []
        case .invalid(let id, let error):
            return [Self.errorResponse(id: id, error)]
        case .notification(let method, let params):
            return notification(method, params, publishesDiagnostics: publishesDiagnostics)
        case .request(let id, let method, let params):
            do throws(JSONRPCError) {
                let (result, extra) = try request(method, params)
                return [Self.response(id: id, result: result)] + extra
            } catch {
                return [Self.errorResponse(id: id, error)]
            }
        }
    }

    /// The answer to a request the client cancelled before the server reached it.
    package static func cancelledResponse(id: Value) -> Value {
        errorResponse(id: id, JSONRPCError(code: JSONRPCError.requestCancelledCode, message: "the request was cancelled"))
    }

    private mutating func request(_ method: String, _ params: Value) throws(JSONRPCError) -> (Value, [Value]) {
        switch state {
        case .starting where method != "initialize":
            throw JSONRPCError(code: JSONRPCError.serverNotInitializedCode, message: "the server has not been initialized; send 'initialize' first")
        case .running where method == "initialize":
            throw .invalidRequest("the server is already initialized")
        case .shutDown:
            throw .invalidRequest("the server is shutting down; only 'exit' is accepted")
        default:
            break
        }
        switch method {
        case "initialize":
            state = .running
            clientTakesSnippets = params.field("capabilities")?.field("textDocument")?.field("completion")?
                .field("completionItem")?.field("snippetSupport") == .bool(true)
            return (Self.initializeResult, [])
        case "shutdown":
            state = .shutDown
            return (.null, [])
        case "textDocument/hover":
            return (try hover(params), [])
        case "textDocument/definition":
            return (try definition(params), [])
        case "textDocument/completion":
            return (try completion(params), [])
        case "textDocument/documentSymbol":
            return (try analysis(params).map { .list($0.documentSymbols()) } ?? .null, [])
        case "textDocument/formatting":
            return (try formatting(params), [])
        default:
            throw .methodNotFound(method)
        }
    }

    private mutating func notification(_ method: String, _ params: Value, publishesDiagnostics: Bool) -> [Value] {
        if method == "exit" {
            exitCode = state == .shutDown ? 0 : 1
            return []
        }
        // Before `initialize` notifications are dropped, as LSP specifies; after
        // `shutdown` nothing more is done.
        guard state == .running else { return [] }
        switch method {
        case "textDocument/didOpen":
            guard let item = params.field("textDocument"), let uri = item.field("uri")?.stringValue,
                  let text = item.field("text")?.stringValue else { return [] }
            documents[uri] = TextDocument(uri: uri, version: item.field("version")?.intValue ?? 0, text: text)
            analyses[uri] = nil
            return publishesDiagnostics ? diagnostics(uri) + dependentDiagnostics(uri) : []
        case "textDocument/didChange":
            guard let uri = params.field("textDocument")?.field("uri")?.stringValue, var document = documents[uri],
                  let changes = params.field("contentChanges")?.listValue else { return [] }
            let version = params.field("textDocument")?.field("version")?.intValue ?? document.version + 1
            do throws(JSONRPCError) {
                try document.apply(changes: changes, version: version)
            } catch {
                // A notification has no answer; the text stays as it was and the client's
                // log says why.
                return [Self.logMessage("cohort lsp: ignored a change to \(uri): \(error.message)")]
            }
            documents[uri] = document
            return publishesDiagnostics ? diagnostics(uri) + dependentDiagnostics(uri) : []
        case "textDocument/didClose":
            guard let uri = params.field("textDocument")?.field("uri")?.stringValue,
                  documents.removeValue(forKey: uri) != nil else { return [] }
            analyses[uri] = nil
            // Test files that use it now read it from disk.
            return [Self.notification("textDocument/publishDiagnostics", .object(["uri": .string(uri), "diagnostics": .list([])]))]
                + dependentDiagnostics(uri)
        default:
            // `initialized`, `didSave`, `$/cancelRequest` (handled while reading), `$/setTrace`,
            // and anything unknown: a notification needs no answer.
            return []
        }
    }

    // MARK: Documents

    /// The analysis of the current version of a document, made now if it is out of date.
    /// A request is answered from a parse (`checked: false`) when the current version has
    /// not been checked yet: while the user types, a completion need not wait for the
    /// whole file to be checked and compiled.
    private mutating func currentAnalysis(_ uri: String, checked: Bool = false) -> DocumentAnalysis? {
        guard let document = documents[uri] else { return nil }
        if let analysis = analyses[uri], analysis.version == document.version, analysis.isChecked || !checked { return analysis }
        let analysis = DocumentAnalysis(document, options: options, checks: checked)
        analyses[uri] = analysis
        return analysis
    }

    /// The rule files a document's `use` lines name: the open document of that path, or
    /// the file on disk (analysed again only when it changes).
    private mutating func usedFiles(of analysis: DocumentAnalysis) -> [UsedFile] {
        analysis.uses.map { use in
            let path = TestFileCompiler.resolve(use.path, relativeTo: analysis.source.name)
            if let open = openDocument(atPath: path) {
                return UsedFile(directive: use, uri: open, analysis: currentAnalysis(open))
            }
            let uri = DocumentURI.uri(ofPath: path)
            return UsedFile(directive: use, uri: uri, analysis: analysisOnDisk(path: path, uri: uri))
        }
    }

    /// The analysis of a file that is not open, from disk; cached until its modification
    /// time or size changes.
    private mutating func analysisOnDisk(path: String, uri: String) -> DocumentAnalysis? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date, let size = attributes[.size] as? Int else { return nil }
        if let cached = filesOnDisk[path], cached.modified == modified, cached.size == size { return cached.analysis }
        guard size <= options.limits.maxSourceBytes, let data = FileManager.default.contents(atPath: path) else { return nil }
        let analysis = DocumentAnalysis(TextDocument(uri: uri, version: 0, text: String(decoding: data, as: UTF8.self)), options: options)
        filesOnDisk[path] = (modified, size, analysis)
        return analysis
    }

    /// The analysis of the document a request names, and the byte offset of its `position`.
    private mutating func analysis(_ params: Value) throws(JSONRPCError) -> DocumentAnalysis? {
        guard let uri = params.field("textDocument")?.field("uri")?.stringValue else {
            throw .invalidParams("the request needs 'textDocument.uri'")
        }
        return currentAnalysis(uri)
    }

    private mutating func analysisAndOffset(_ params: Value) throws(JSONRPCError) -> (DocumentAnalysis, Int)? {
        guard let analysis = try analysis(params) else { return nil }
        guard let position = Position(json: params.field("position")) else {
            throw .invalidParams("the request needs a 'position' with 'line' and 'character'")
        }
        return (analysis, analysis.lines.offset(of: position))
    }

    /// `textDocument/publishDiagnostics` for a document's current version.
    private mutating func diagnostics(_ uri: String) -> [Value] {
        guard let analysis = currentAnalysis(uri, checked: true) else { return [] }
        let items = checkDiagnostics(analysis)
        return [Self.notification("textDocument/publishDiagnostics", .object([
            "uri": .string(uri), "version": .int(analysis.version), "diagnostics": .list(items),
        ]))]
    }

    /// `publishDiagnostics` for an open document, and again for the open test files that
    /// use it; nothing for a document that is no longer open or a server not running.
    package mutating func publishDiagnostics(_ uri: String) -> [Value] {
        guard state == .running, documents[uri] != nil else { return [] }
        return diagnostics(uri) + dependentDiagnostics(uri)
    }

    /// Diagnostics again for the open test files that use the document `uri`: their
    /// problems depend on its text.
    private mutating func dependentDiagnostics(_ uri: String) -> [Value] {
        guard let path = DocumentURI.path(of: uri).map(TestFileCompiler.normalize) else { return [] }
        var out: [Value] = []
        for other in documents.keys.sorted() where other != uri {
            guard let analysis = currentAnalysis(other), let use = analysis.uses.first,
                  TestFileCompiler.resolve(use.path, relativeTo: analysis.source.name) == path else { continue }
            out += diagnostics(other)
        }
        return out
    }

    static func diagnosticJSON(_ diagnostic: Diagnostic, uri: String, lines: LineTable) -> Value {
        var message = diagnostic.message
        var related: [Value] = []
        for note in diagnostic.notes {
            if let span = note.span {
                related.append(.object([
                    "location": .object(["uri": .string(uri), "range": lines.range(of: span).json]),
                    "message": .string(note.message),
                ]))
            } else {
                message += "\nnote: " + note.message
            }
        }
        return .members([
            "range": lines.range(of: diagnostic.span).json,
            "severity": .int(diagnostic.severity == .error ? 1 : 2),
            "code": .string(diagnostic.code),
            "source": .string("cohort"),
            "message": .string(message),
            "relatedInformation": related.isEmpty ? nil : .list(related),
            // Editors fade code that is never used or never reached rather than underlining it.
            "tags": Self.unnecessaryCodes.contains(diagnostic.code) ? .list([.int(1)]) : nil,
        ])
    }

    /// The codes of warnings about code that has no effect, tagged `Unnecessary` (1).
    static let unnecessaryCodes: Set<String> = ["unused", "unreachable", "shadowed-arm"]

    /// The URI of the open document at a path.
    func openDocument(atPath path: String) -> String? {
        let wanted = TestFileCompiler.normalize(path)
        return documents.keys.sorted().first { DocumentURI.path(of: $0).map(TestFileCompiler.normalize) == wanted }
    }

    // MARK: Requests

    private mutating func hover(_ params: Value) throws(JSONRPCError) -> Value {
        guard let (analysis, offset) = try analysisAndOffset(params),
              let (markdown, span) = analysis.hover(at: offset, using: usedFiles(of: analysis)) else { return .null }
        return .object([
            "contents": .object(["kind": .string("markdown"), "value": .string(markdown)]),
            "range": analysis.lines.range(of: span).json,
        ])
    }

    private mutating func definition(_ params: Value) throws(JSONRPCError) -> Value {
        guard let (analysis, offset) = try analysisAndOffset(params),
              let (target, span) = analysis.definition(at: offset, using: usedFiles(of: analysis)) else { return .null }
        return .object(["uri": .string(target.uri), "range": target.lines.range(of: span).json])
    }

    private mutating func completion(_ params: Value) throws(JSONRPCError) -> Value {
        guard let (analysis, offset) = try analysisAndOffset(params) else { return .null }
        let (items, incomplete) = analysis.completions(at: offset, snippets: clientTakesSnippets, using: usedFiles(of: analysis))
        return .object(["isIncomplete": .bool(incomplete), "items": .list(items.map(\.json))])
    }

    /// The edits that turn the document into the `cohort fmt` layout: one edit replacing
    /// the lines that differ, or none when it is already formatted.
    private mutating func formatting(_ params: Value) throws(JSONRPCError) -> Value {
        guard let uri = params.field("textDocument")?.field("uri")?.stringValue else {
            throw .invalidParams("the request needs 'textDocument.uri'")
        }
        guard let document = documents[uri] else { return .null }
        let source = SourceFile(name: DocumentURI.displayName(uri), text: document.text)
        let formatted: String
        do {
            formatted = try Formatter().format(source, limits: options.limits)
        } catch {
            let first = error.diagnostics.first.map { d in
                let at = source.location(of: d.span.start)
                return " (\(at.line):\(at.column): \(d.message))"
            } ?? ""
            throw JSONRPCError(code: JSONRPCError.requestFailedCode, message: "cannot format a file that does not parse\(first)")
        }
        guard let edit = Self.minimalEdit(from: document.lines, to: Array(formatted.utf8)) else { return .list([]) }
        return .list([edit])
    }

    /// One `TextEdit` replacing only the lines between the common first and last lines of
    /// the two texts, so the editor keeps the cursor and folds elsewhere; nil when equal.
    private static func minimalEdit(from old: LineTable, to new: [UInt8]) -> Value? {
        let a = old.bytes
        guard a != new else { return nil }
        // Common prefix, cut back to a line start.
        var prefix = 0
        while prefix < a.count, prefix < new.count, a[prefix] == new[prefix] { prefix += 1 }
        while prefix > 0, a[prefix - 1] != UInt8(ascii: "\n") { prefix -= 1 }
        // Common suffix not overlapping the prefix, cut forward to just after a line break.
        var suffix = 0
        while suffix < a.count - prefix, suffix < new.count - prefix, a[a.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        while suffix > 0, suffix < a.count, a[a.count - suffix - 1] != UInt8(ascii: "\n") { suffix -= 1 }
        let range = TextRange(start: old.position(of: prefix), end: old.position(of: a.count - suffix))
        let text = String(decoding: new[prefix..<(new.count - suffix)], as: UTF8.self)
        return .object(["range": range.json, "newText": .string(text)])
    }

    // MARK: JSON-RPC

    /// What the server can do, as `initialize` answers.
    package static let initializeResult: Value = .object([
        "capabilities": .object([
            "positionEncoding": .string("utf-16"),
            // 2: incremental. A change may still send the whole text.
            "textDocumentSync": .object(["openClose": .bool(true), "change": .int(2)]),
            "hoverProvider": .bool(true),
            "definitionProvider": .bool(true),
            "completionProvider": .object(["triggerCharacters": .list([.string(".")]), "resolveProvider": .bool(false)]),
            "documentSymbolProvider": .bool(true),
            "documentFormattingProvider": .bool(true),
        ]),
        "serverInfo": .object(["name": .string("cohort"), "version": .string(CohortVersion.current)]),
    ])

    /// A response carrying `result`.
    package static func response(id: Value, result: Value) -> Value {
        .object(["jsonrpc": .string("2.0"), "id": id, "result": result])
    }

    /// A response carrying `error`.
    package static func errorResponse(id: Value, _ error: JSONRPCError) -> Value {
        .object(["jsonrpc": .string("2.0"), "id": id, "error": error.json])
    }

    /// A notification from the server.
    package static func notification(_ method: String, _ params: Value) -> Value {
        .object(["jsonrpc": .string("2.0"), "method": .string(method), "params": params])
    }

    /// `window/logMessage` at the "warning" level.
    package static func logMessage(_ text: String) -> Value {
        notification("window/logMessage", .object(["type": .int(2), "message": .string(text)]))
    }
}
