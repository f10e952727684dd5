import Cohort
import Testing

/// Whole sessions with the server, through in-memory channels: what an editor sends and
/// what it gets back, checked field by field and recorded as a golden transcript.
@Suite("Language server sessions")
struct LanguageServerSessionTests {
    static let uri = "file:///rules/shop.cohort"

    /// Line 4 has non-ASCII text before the error, so its UTF-16 position (47), its scalar
    /// count (46) and its byte offset (52) all differ.
    static let text = """
        # Shop flags — déploiement 🚀

        # Customers who pay.
        segment paying = user.plan in ["pro", "enterprise"]
        flag banner = user.note=="crème brûlée 🍮" and usr.age > 18
        flag upsell {
          when paying serve "gold"
          default "none"
        }

        """

    static func textDocument(_ extra: String = "") -> String {
        #"{"textDocument":{"uri":"\#(uri)"}\#(extra)}"#
    }

    static func at(_ line: Int, _ character: Int) -> String {
        #","position":{"line":\#(line),"character":\#(character)}"#
    }

    @Test("initialize, an error, hover, definition, completion, formatting, a fix, shutdown and exit")
    func fullSession() throws {
        var client = LSPTestClient()
        client.initialize()
        client.notify("textDocument/didOpen", #"{"textDocument":{"uri":"\#(Self.uri)","languageId":"cohort","version":1,"text":\#(jsonString(Self.text))}}"#)
        let hoverSegment = client.request("textDocument/hover", Self.textDocument(Self.at(6, 8)))
        let hoverPath = client.request("textDocument/hover", Self.textDocument(Self.at(4, 20)))
        let definition = client.request("textDocument/definition", Self.textDocument(Self.at(6, 9)))
        let completion = client.request("textDocument/completion", Self.textDocument(Self.at(6, 7)))
        let formatting = client.request("textDocument/formatting", Self.textDocument(#","options":{"tabSize":2,"insertSpaces":true}"#))
        // The fix: `usr` becomes `user`, sent as an incremental edit after its 'us'.
        client.notify("textDocument/didChange", #"{"textDocument":{"uri":"\#(Self.uri)","version":2},"contentChanges":[{"range":{"start":{"line":4,"character":49},"end":{"line":4,"character":49}},"text":"e"}]}"#)
        let shutdown = client.request("shutdown")
        client.notify("exit")
        let output = client.run()

        #expect(output.exitCode == 0)
        let published = output.publishedDiagnostics
        try #require(published.count == 2)
        // The error, exactly where the editor must underline it.
        let diagnostics = try #require(published[0].field("diagnostics")?.listValue)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.field("range") == range(4, 47, 4, 50))
        #expect(diagnostics.first?.field("code") == .string("unknown-name"))
        #expect(diagnostics.first?.field("severity") == .int(1))
        #expect(diagnostics.first?.field("message") == .string("unknown name 'usr'; did you mean 'user'?"))
        #expect(published[0].field("version") == .int(1))
        // After the fix: an empty list, for the new version.
        #expect(published[1].field("diagnostics") == .list([]))
        #expect(published[1].field("version") == .int(2))

        let segment = output.result(hoverSegment)?.field("contents")?.field("value")?.stringValue ?? ""
        #expect(segment == "```cohort\nsegment paying = user.plan in [\"pro\", \"enterprise\"]\n```\n\nCustomers who pay.")
        #expect(output.result(hoverSegment)?.field("range") == range(6, 7, 6, 13))
        let path = output.result(hoverPath)?.field("contents")?.field("value")?.stringValue ?? ""
        #expect(path.hasPrefix("```cohort\nuser.note\n```"))
        #expect(output.result(hoverPath)?.field("range") == range(4, 14, 4, 23))

        #expect(output.result(definition) == .object(["uri": .string(Self.uri), "range": range(3, 8, 3, 14)]))

        let labels = output.result(completion)?.field("items")?.listValue?.compactMap { $0.field("label")?.stringValue } ?? []
        // Everything in scope but the flag being written, which cannot refer to itself.
        #expect(labels.contains("paying") && labels.contains("banner") && !labels.contains("upsell"))
        #expect(labels.contains("bucket") && labels.contains("user") && labels.contains("contains_any"))

        // One edit, from the first line that changes; applied, it gives the `cohort fmt` layout.
        let edits = try #require(output.result(formatting)?.listValue)
        #expect(edits.count == 1)
        #expect(edits.first?.field("range")?.field("start") == Position(line: 4, character: 0).json)
        let formatted = try Formatter().format(SourceFile(name: "shop.cohort", text: Self.text))
        #expect(Self.applying(edits, to: Self.text) == formatted)
        #expect(formatted != Self.text)

        #expect(output.response(shutdown)?.field("result") == .null)
        Golden.check(Self.render(client, output), named: "session")
    }

    @Test("delivered one byte at a time, the session gets the same answers")
    func byteByByte() {
        var client = LSPTestClient()
        client.initialize()
        client.notify("textDocument/didOpen", #"{"textDocument":{"uri":"\#(Self.uri)","languageId":"cohort","version":1,"text":\#(jsonString(Self.text))}}"#)
        client.request("textDocument/hover", Self.textDocument(Self.at(6, 8)))
        client.request("textDocument/documentSymbol", Self.textDocument())
        client.request("shutdown")
        client.notify("exit")
        let whole = client.run()
        let trickled = client.run(chunkSize: 1)
        #expect(whole.exitCode == 0 && trickled.exitCode == 0)
        #expect(whole.bytes == trickled.bytes)
        #expect(whole.messages.count == 5)
    }

    /// The text after a client applies `TextEdit`s (given in order, not overlapping).
    static func applying(_ edits: [Value], to text: String) -> String {
        var bytes = Array(text.utf8)
        for edit in edits.reversed() {
            let lines = LineTable(bytes: bytes)
            guard let range = TextRange(json: edit.field("range")), let newText = edit.field("newText")?.stringValue else { continue }
            bytes.replaceSubrange(lines.offset(of: range.start)..<lines.offset(of: range.end), with: Array(newText.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The client's messages and the server's, as a readable golden file.
    static func render(_ client: LSPTestClient, _ output: ServerOutput) -> String {
        "# client -> server\n" + client.sent.map { "-> " + $0 + "\n" }.joined() + "\n# server -> client\n" + output.transcript
    }
}
