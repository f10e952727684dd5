import Cohort
import Foundation
import Testing

/// The JSON-RPC side: life cycle, errors, cancellation, and bytes that are not messages.
@Suite("Language server protocol")
struct LanguageServerProtocolTests {
    static let uri = "file:///rules/a.cohort"

    static func open(_ client: inout LSPTestClient, _ text: String, version: Int = 1) {
        client.notify("textDocument/didOpen", #"{"textDocument":{"uri":"\#(uri)","languageId":"cohort","version":\#(version),"text":\#(jsonString(text))}}"#)
    }

    static func change(_ client: inout LSPTestClient, _ text: String, version: Int) {
        client.notify("textDocument/didChange", #"{"textDocument":{"uri":"\#(uri)","version":\#(version)},"contentChanges":[{"text":\#(jsonString(text))}]}"#)
    }

    static func errorCode(_ output: ServerOutput, _ id: Int) -> Int? {
        output.response(id)?.field("error")?.field("code")?.intValue
    }

    @Test("an unknown method gets MethodNotFound; an unknown notification gets nothing")
    func unknownMethod() {
        var client = LSPTestClient()
        client.initialize()
        let id = client.request("textDocument/semanticTokens/full", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#)
        client.notify("workspace/didChangeWatchedFiles", "{}")
        client.notify("$/setTrace", #"{"value":"off"}"#)
        let output = client.run()
        #expect(Self.errorCode(output, id) == -32601)
        #expect(output.messages.count == 2)  // initialize's answer and this one
    }

    @Test("requests before initialize get ServerNotInitialized; after shutdown, InvalidRequest")
    func lifeCycle() {
        var client = LSPTestClient()
        let early = client.request("textDocument/hover", #"{"textDocument":{"uri":"\#(Self.uri)"},"position":{"line":0,"character":0}}"#)
        client.initialize()
        let again = client.request("initialize", #"{"capabilities":{}}"#)
        let shutdown = client.request("shutdown")
        let late = client.request("textDocument/documentSymbol", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#)
        client.notify("exit")
        let output = client.run()
        #expect(Self.errorCode(output, early) == -32002)
        #expect(Self.errorCode(output, again) == -32600)
        #expect(output.response(shutdown)?.field("result") == .null)
        #expect(Self.errorCode(output, late) == -32600)
        #expect(output.exitCode == 0)
    }

    @Test("exit without shutdown exits 1; the end of input exits 0 after shutdown and 1 before it")
    func exitCodes() {
        var exitOnly = LSPTestClient()
        exitOnly.initialize()
        exitOnly.notify("exit")
        #expect(exitOnly.run().exitCode == 1)

        var endAfterShutdown = LSPTestClient()
        endAfterShutdown.initialize()
        endAfterShutdown.request("shutdown")
        #expect(endAfterShutdown.run().exitCode == 0)

        var endEarly = LSPTestClient()
        endEarly.initialize()
        #expect(endEarly.run().exitCode == 1)
    }

    @Test("nothing after exit is read")
    func stopsAtExit() {
        var client = LSPTestClient()
        client.initialize()
        client.request("shutdown")
        client.notify("exit")
        client.request("shutdown")
        let output = client.run()
        #expect(output.messages.count == 2)
        #expect(output.exitCode == 0)
    }

    @Test("bytes that are not JSON get ParseError; JSON that is not a message gets InvalidRequest; the session goes on",
          arguments: [
            ("{not json", -32700, nil as Int?),
            ("", -32700, nil),
            (#"{"jsonrpc":"2.0","id":7,"method":"x""#, -32700, nil),
            ("[]", -32600, nil),
            (#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#, -32600, nil),
            (#""hello""#, -32600, nil),
            (#"{"jsonrpc":"1.0","id":7,"method":"shutdown"}"#, -32600, 7),
            (#"{"id":7,"method":"shutdown"}"#, -32600, 7),
            (#"{"jsonrpc":"2.0","id":7,"method":42}"#, -32600, 7),
            (#"{"jsonrpc":"2.0","id":{"a":1},"method":"shutdown"}"#, -32600, nil),
            (#"{"jsonrpc":"2.0","id":7,"method":"shutdown","params":"x"}"#, -32600, 7),
            (#"{"jsonrpc":"2.0","id":7}"#, -32600, 7),
          ])
    func invalidMessages(_ body: String, _ code: Int, _ id: Int?) {
        var client = LSPTestClient()
        client.initialize()
        client.send(body)
        let after = client.request("textDocument/documentSymbol", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#)
        let output = client.run()
        let messages = output.messages
        #expect(messages.count == 3)
        if messages.count == 3 {
            #expect(messages[1].field("error")?.field("code") == .int(code))
            #expect(messages[1].field("id") == (id.map { .int($0) } ?? .null))
        }
        #expect(output.response(after)?.field("result") == .null)  // no such document open
    }

    @Test("a malformed frame gets ParseError and the frames after it are answered")
    func malformedFrame() {
        var client = LSPTestClient()
        client.initialize()
        client.sendRaw(Array("Content-Length: lots\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":99,\"method\":\"shutdown\"}".utf8))
        let after = client.request("shutdown")
        let output = client.run()
        #expect(output.messages.count == 3)
        #expect(output.messages.dropFirst().first?.field("error")?.field("code") == .int(-32700))
        #expect(output.response(after)?.field("result") == .null)
        #expect(output.response(99) == nil)
    }

    @Test("parameters of the wrong shape get InvalidParams")
    func invalidParams() {
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, "flag a = true\n")
        let noPosition = client.request("textDocument/hover", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#)
        let noDocument = client.request("textDocument/definition", #"{"position":{"line":0,"character":0}}"#)
        let negative = client.request("textDocument/completion", #"{"textDocument":{"uri":"\#(Self.uri)"},"position":{"line":-1,"character":0}}"#)
        let output = client.run()
        #expect(Self.errorCode(output, noPosition) == -32602)
        #expect(Self.errorCode(output, noDocument) == -32602)
        #expect(Self.errorCode(output, negative) == -32602)
    }

    @Test("a request cancelled before the server reached it gets RequestCancelled")
    func cancellation() {
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, "flag a = true\n")
        client.wait()
        client.waitsBetweenMessages = false
        let cancelled = client.request("textDocument/documentSymbol", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#)
        client.notify("$/cancelRequest", #"{"id":\#(cancelled)}"#)
        let kept = client.request("textDocument/documentSymbol", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#)
        client.notify("$/cancelRequest", #"{"id":12345}"#)  // unknown: ignored
        let output = client.run()
        #expect(Self.errorCode(output, cancelled) == -32800)
        #expect(output.result(kept)?.listValue?.count == 1)
    }

    @Test("changes that arrive together are analysed once: only the last version's diagnostics are published")
    func coalescedChanges() {
        var client = LSPTestClient()
        client.initialize()
        client.wait()
        client.waitsBetweenMessages = false
        Self.open(&client, "flag a = tru\n")
        Self.change(&client, "flag a = tr\n", version: 2)
        Self.change(&client, "flag a = t\n", version: 3)
        Self.change(&client, "flag a = true\n", version: 4)
        let output = client.run()
        let published = output.publishedDiagnostics
        #expect(published.count == 1)
        #expect(published.first?.field("version") == .int(4))
        #expect(published.first?.field("diagnostics") == .list([]))
    }

    @Test("a request that comes with a change is answered first; the diagnostics follow once nothing waits")
    func requestsBeforeDiagnostics() throws {
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, "segment paying = user.plan == \"pro\"\nflag a = paying\n")
        client.wait()
        client.waitsBetweenMessages = false
        Self.change(&client, "segment paying = user.plan == \"pro\"\nflag a = pay\n", version: 2)
        let completion = client.request("textDocument/completion", #"{"textDocument":{"uri":"\#(Self.uri)"},"position":{"line":1,"character":12}}"#)
        let output = client.run()
        let messages = output.messages
        let answered = try #require(messages.firstIndex { $0.field("id") == .int(completion) })
        let published = try #require(messages.lastIndex { $0.field("method") == .string("textDocument/publishDiagnostics") })
        #expect(answered < published)
        #expect(output.result(completion)?.field("items")?.listValue?.map { $0.field("label") } == [.string("paying")])
        #expect(messages[published].field("params")?.field("version") == .int(2))
        let codes = messages[published].field("params")?.field("diagnostics")?.listValue?.compactMap { $0.field("code")?.stringValue }
        #expect(codes?.contains("unknown-name") == true)
    }

    @Test("a client that never pauses still gets diagnostics, after a bounded number of messages")
    func noStarvation() {
        var client = LSPTestClient()
        client.initialize()
        client.wait()
        client.waitsBetweenMessages = false
        Self.open(&client, "flag a = nope\n")
        let ids = (0..<40).map { _ in client.request("textDocument/documentSymbol", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#) }
        let output = client.run()
        let messages = output.messages
        let published = messages.firstIndex { $0.field("method") == .string("textDocument/publishDiagnostics") }
        let last = messages.firstIndex { $0.field("id") == .int(ids.last!) }
        #expect(published != nil && last != nil && published! < last!)
    }

    @Test("diagnostics still owed when shutdown comes are published before it is answered")
    func publishBeforeShutdown() {
        var client = LSPTestClient()
        client.initialize()
        client.wait()
        client.waitsBetweenMessages = false
        Self.open(&client, "flag a = nope\n")
        let shutdown = client.request("shutdown")
        client.notify("exit")
        let output = client.run()
        let messages = output.messages
        #expect(messages.count == 3)
        #expect(messages.dropFirst().first?.field("method") == .string("textDocument/publishDiagnostics"))
        #expect(messages.last?.field("id") == .int(shutdown))
        #expect(output.exitCode == 0)
    }

    @Test("closing a document clears its diagnostics")
    func close() {
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, "flag a = nope\n")
        client.notify("textDocument/didClose", #"{"textDocument":{"uri":"\#(Self.uri)"}}"#)
        let output = client.run()
        let published = output.publishedDiagnostics
        #expect(published.count == 2)
        #expect(published.first?.field("diagnostics")?.listValue?.count == 1)
        #expect(published.last?.field("diagnostics") == .list([]))
    }

    @Test("diagnostics are those of cohort check: warnings and their codes, notes as related information")
    func sameAsCheck() throws {
        let text = "let unused_list = [1, 2]\nflag a = true\nflag a = false\n"
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, text)
        let output = client.run()
        let published = try #require(output.publishedDiagnostics.first?.field("diagnostics")?.listValue)
        var compiler = RuleFileCompiler(source: SourceFile(name: "a.cohort", text: text), options: CompileOptions())
        compiler.compile()
        #expect(published.count == compiler.diagnostics.count)
        #expect(published.compactMap { $0.field("code")?.stringValue } == compiler.diagnostics.map(\.code))
        let duplicate = try #require(published.first { $0.field("code") == .string("duplicate") })
        #expect(duplicate.field("relatedInformation")?.listValue?.first?.field("location")?.field("range") == range(1, 5, 1, 6))
        let unused = try #require(published.first { $0.field("code") == .string("unused") })
        #expect(unused.field("severity") == .int(2))
        #expect(unused.field("tags") == .list([.int(1)]))
    }

    @Test("random bytes and mangled messages never crash the server; every answer is a well-formed frame")
    func fuzz() {
        var random = SplitMix64(seed: 1917)
        let valid = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
            #"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.cohort","version":1,"text":"flag a = user.x ==\n"}}}"#,
            #"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.cohort","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":5},"end":{"line":9,"character":99}},"text":"é"}]}}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.cohort"},"position":{"line":0,"character":3}}}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"textDocument/completion","params":{"textDocument":{"uri":"file:///a.cohort"},"position":{"line":0,"character":14}}}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"textDocument/formatting","params":{"textDocument":{"uri":"file:///a.cohort"}}}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///a.cohort"}}}"#,
        ]
        for _ in 0..<150 {
            var client = LSPTestClient()
            for _ in 0..<(1 + random.below(8)) {
                var body = Array(valid[random.below(valid.count)].utf8)
                switch random.below(4) {
                case 0:
                    for _ in 0..<(1 + random.below(4)) { body[random.below(body.count)] = UInt8(truncatingIfNeeded: random.next()) }
                case 1:
                    body = Array(body.prefix(random.below(body.count)))
                case 2:
                    client.sendRaw((0..<random.below(50)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
                default:
                    break
                }
                client.send(String(decoding: body, as: UTF8.self))
            }
            let output = client.run(chunkSize: 1 + random.below(100))
            #expect(output.exitCode == 1)  // no exit came
            _ = output.messages  // records an issue for any frame that is not JSON
        }
    }
}
