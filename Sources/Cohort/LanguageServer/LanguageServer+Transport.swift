/// Running the server over a byte stream: framing, read-ahead, cancellation.
extension LanguageServer {
    /// Serves a client until `exit` or the end of input, and returns the exit code: 0
    /// after `shutdown` and `exit`, 1 otherwise (LSP's rule).
    ///
    /// The server handles one message at a time, but before each one it reads whatever
    /// else has already arrived. That is what makes `$/cancelRequest` work in a server
    /// without threads (a request whose cancellation is already waiting is answered with
    /// `RequestCancelled` instead of being worked on), and it keeps typing cheap: the
    /// diagnostics of a changed document are published once nothing else is waiting, so a
    /// burst of keystrokes is checked once, for its last version, and a completion that
    /// follows a keystroke is answered first (from a parse of the new text) instead of
    /// after the whole file has been checked. What is still unpublished when `shutdown`
    /// comes is published before it is answered.
    package mutating func run(over channel: inout some ByteChannel) -> Int32 {
        var reader = FrameReader()
        var queue: [IncomingMessage] = []
        var head = 0
        var ended = false
        // Documents changed since their diagnostics were last published, in order, and how
        // many messages have been handled since the first of them.
        var unpublished: [String] = []
        var deferred = 0

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
            // Before calling it idle, see whether more has arrived.
            if head == queue.count, !unpublished.isEmpty, !ended { take(channel.readAvailable()) }
            // Idle, a client that never pauses, or a shutdown: publish what changed.
            let shuttingDown = head < queue.count && queue[head].method == "shutdown"
            if !unpublished.isEmpty && (head == queue.count || deferred >= Self.maxDeferredMessages || shuttingDown) {
                for uri in unpublished {
                    for reply in publishDiagnostics(uri) { channel.write(Self.frame(reply)) }
                }
                unpublished.removeAll()
                deferred = 0
                continue
            }
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
            let replies: [Value]
            switch message {
            case .request(let id, _, _) where queue[head...].contains(where: { Self.isCancellation($0, of: id) }):
                replies = [Self.cancelledResponse(id: id)]
            case .notification("textDocument/didOpen", let params), .notification("textDocument/didChange", let params):
                replies = handle(message, publishesDiagnostics: false)
                if let uri = params.field("textDocument")?.field("uri")?.stringValue, !unpublished.contains(uri) {
                    unpublished.append(uri)
                }
            default:
                replies = handle(message)
            }
            for reply in replies { channel.write(Self.frame(reply)) }
            if !unpublished.isEmpty { deferred += 1 }
        }
        return exitCode ?? (hasShutDown ? 0 : 1)
    }

    /// How many messages may be handled before the diagnostics of a change are published
    /// even though more messages are waiting.
    static let maxDeferredMessages = 16

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
