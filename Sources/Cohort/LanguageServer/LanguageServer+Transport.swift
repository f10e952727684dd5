/// Running the server over a byte stream: framing, read-ahead, cancellation.
extension LanguageServer {
    /// Serves a client until `exit` or the end of input, and returns the exit code: 0
    /// after `shutdown` and `exit`, 1 otherwise (LSP's rule).
    ///
    /// The server handles one message at a time, but before each one it reads whatever
    /// else has already arrived. That is what makes `$/cancelRequest` work in a server
    /// without threads (a request whose cancellation is already waiting is answered with
    /// `RequestCancelled` instead of being worked on), and it lets a burst of keystrokes
    /// cost one analysis: a change with a newer change to the same document behind it is
    /// applied without publishing diagnostics that would be stale on arrival.
    package mutating func run(over channel: inout some ByteChannel) -> Int32 {
        var reader = FrameReader()
        var queue: [IncomingMessage] = []
        var head = 0
        var ended = false

        func take(_ bytes: [UInt8]?) {
            guard let bytes else {
                ended = true
                if let event = reader.finish() { queue.append(Self.message(from: event)) }
                return
            }
            reader.append(bytes)
            while let event = reader.next() { queue.append(Self.message(from: event)) }
        }

        while exitCode == nil {
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
                if ended { break }
                take(channel.read())
                continue
            }
            if !ended { take(channel.readAvailable()) }
            let message = queue[head]
            head += 1
            let waiting = queue[head...]
            var replies: [Value]
            switch message {
            case .request(let id, _, _) where waiting.contains(where: { Self.isCancellation($0, of: id) }):
                replies = [Self.cancelledResponse(id: id)]
            case .notification("textDocument/didOpen", let params), .notification("textDocument/didChange", let params):
                let uri = params.field("textDocument")?.field("uri")
                let superseded = waiting.contains { later in
                    guard case .notification(let method, let laterParams) = later,
                          method == "textDocument/didChange" || method == "textDocument/didClose" else { return false }
                    return laterParams.field("textDocument")?.field("uri") == uri
                }
                replies = handle(message, publishesDiagnostics: !superseded)
            default:
                replies = handle(message)
            }
            for reply in replies { channel.write(Self.frame(reply)) }
        }
        return exitCode ?? (hasShutDown ? 0 : 1)
    }

    /// A message as it goes on the wire: `Content-Length`, an empty line, compact JSON.
    package static func frame(_ message: Value) -> [UInt8] {
        let body = Array(message.jsonText.utf8)
        return Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body
    }

    private static func message(from event: FrameReader.Event) -> IncomingMessage {
        switch event {
        case .message(let body): IncomingMessage(body: body)
        case .malformed(let problem): .invalid(id: .null, error: .parseError("malformed message frame: \(problem)"))
        }
    }

    private static func isCancellation(_ message: IncomingMessage, of id: Value) -> Bool {
        guard case .notification("$/cancelRequest", let params) = message else { return false }
        return params.field("id") == id
    }
}
