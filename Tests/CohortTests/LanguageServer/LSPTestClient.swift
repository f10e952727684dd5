import Cohort
import Testing

/// A scripted LSP client for tests: it writes the client's side of a session as frames,
/// runs a `LanguageServer` over them in memory, and reads back what the server wrote.
struct LSPTestClient {
    /// The bytes the client sends, in batches: each batch reaches the server when it
    /// waits for input (see `MemoryChannel`).
    private(set) var batches: [[UInt8]] = []
    /// True (the default): the client waits for the server after each message, as an
    /// editor does between keystrokes. False: messages go out back to back, in one batch,
    /// so the server sees later ones (a cancellation, a newer change) before it answers.
    var waitsBetweenMessages = true
    /// The client's messages, for the transcript.
    private(set) var sent: [String] = []
    private var nextID = 0

    /// Adds a request and returns its id.
    @discardableResult
    mutating func request(_ method: String, _ params: String = "null") -> Int {
        nextID += 1
        send(#"{"jsonrpc":"2.0","id":\#(nextID),"method":"\#(method)","params":\#(params)}"#)
        return nextID
    }

    /// Adds a notification.
    mutating func notify(_ method: String, _ params: String = "null") {
        send(#"{"jsonrpc":"2.0","method":"\#(method)","params":\#(params)}"#)
    }

    /// Adds a message given as JSON text, framed.
    mutating func send(_ json: String) {
        let body = Array(json.utf8)
        append(Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body)
        sent.append(json)
    }

    /// Adds bytes as they are, frame or not.
    mutating func sendRaw(_ bytes: [UInt8]) {
        append(bytes)
        sent.append("(raw) " + String(decoding: bytes, as: UTF8.self).debugDescription)
    }

    private mutating func append(_ bytes: [UInt8]) {
        if waitsBetweenMessages || batches.isEmpty { batches.append([]) }
        batches[batches.count - 1] += bytes
    }

    /// Starts a new batch: what follows reaches the server after it has handled what came before.
    mutating func wait() {
        batches.append([])
    }

    /// The usual opening: `initialize` and `initialized`.
    mutating func initialize(_ capabilities: String = "{}") {
        request("initialize", #"{"processId":null,"rootUri":null,"capabilities":\#(capabilities)}"#)
        notify("initialized", "{}")
    }

    /// Runs a fresh server over everything sent, delivered in chunks of `chunkSize` bytes.
    func run(chunkSize: Int? = nil, options: CompileOptions = CompileOptions()) -> ServerOutput {
        var server = LanguageServer(options: options)
        var channel = MemoryChannel(batches: batches, chunkSize: chunkSize)
        let code = server.run(over: &channel)
        return ServerOutput(exitCode: code, bytes: channel.written)
    }
}

/// What a server wrote, read back as messages.
struct ServerOutput {
    var exitCode: Int32
    var bytes: [UInt8]

    /// Every frame, parsed. A frame that is not JSON is recorded as an issue.
    var messages: [Value] {
        var reader = FrameReader()
        reader.append(bytes)
        var out: [Value] = []
        while let event = reader.next() {
            guard case .message(let body) = event, let json = try? JSONReader.parse(body) else {
                Issue.record("the server wrote a frame that is not JSON: \(event)")
                continue
            }
            out.append(json)
        }
        if let rest = reader.finish() { Issue.record("the server's output ends inside a frame: \(rest)") }
        return out
    }

    /// The response to request `id`.
    func response(_ id: Int) -> Value? {
        messages.first { $0.field("id") == .int(id) }
    }

    /// The result of request `id`.
    func result(_ id: Int) -> Value? { response(id)?.field("result") }

    /// Every `publishDiagnostics`, in order.
    var publishedDiagnostics: [Value] {
        messages.filter { $0.field("method") == .string("textDocument/publishDiagnostics") }.compactMap { $0.field("params") }
    }

    /// The transcript: one line per message, in order.
    var transcript: String {
        messages.map { "<- " + $0.jsonText + "\n" }.joined()
    }
}

/// JSON text as a string literal inside JSON (for document texts in params).
func jsonString(_ text: String) -> String {
    Value.string(text).jsonText
}

/// A range as LSP writes it.
func range(_ startLine: Int, _ startCharacter: Int, _ endLine: Int, _ endCharacter: Int) -> Value {
    TextRange(start: Position(line: startLine, character: startCharacter), end: Position(line: endLine, character: endCharacter)).json
}
