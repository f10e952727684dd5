import Cohort
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server over real pipes, as `cohort lsp` runs it: a client that writes a request,
/// waits for the answer and only then writes the next, and the command itself.
@Suite("Language server over pipes")
struct LanguageServerPipeTests {
    /// Reads frames from a file descriptor until one arrives, or nil after `timeout` seconds.
    struct FrameInput {
        let fd: Int32
        var reader = FrameReader()

        mutating func next(timeout: Int32 = 10_000) -> Value? {
            while true {
                if let event = reader.next() {
                    guard case .message(let body) = event else { return nil }
                    return try? JSONReader.parse(body)
                }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, timeout) > 0 else { return nil }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { return nil }
                reader.append(Array(buffer[0..<n]))
            }
        }
    }

    static func send(_ fd: Int32, _ json: String) {
        let frame = Array("Content-Length: \(json.utf8.count)\r\n\r\n\(json)".utf8)
        frame.withUnsafeBytes { _ = write(fd, $0.baseAddress, $0.count) }
    }

    @Test("a client that waits for each answer gets diagnostics, then hover, then a clean exit")
    func interactive() throws {
        var toServer: [Int32] = [0, 0], fromServer: [Int32] = [0, 0]
        try #require(pipe(&toServer) == 0 && pipe(&fromServer) == 0)
        let (serverIn, clientOut, clientIn, serverOut) = (toServer[0], toServer[1], fromServer[0], fromServer[1])
        let done = DispatchSemaphore(value: 0)
        let exitCode = Mutex<Int32>(-1)
        Thread {
            var server = LanguageServer()
            var channel = FileDescriptorChannel(input: serverIn, output: serverOut)
            let code = server.run(over: &channel)
            exitCode.withLock { $0 = code }
            close(serverOut)
            done.signal()
        }.start()
        defer {
            close(clientOut)
            close(clientIn)
            close(serverIn)
        }
        var input = FrameInput(fd: clientIn)
        Self.send(clientOut, #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#)
        #expect(input.next()?.field("id") == .int(1))
        Self.send(clientOut, #"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///p.cohort","version":1,"text":"segment s = user.x == 1\nflag f = s or sx\n"}}}"#)
        let published = input.next()
        #expect(published?.field("method") == .string("textDocument/publishDiagnostics"))
        #expect(published?.field("params")?.field("diagnostics")?.listValue?.first?.field("range") == range(1, 14, 1, 16))
        Self.send(clientOut, #"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///p.cohort"},"position":{"line":1,"character":9}}}"#)
        let hover = input.next()?.field("result")?.field("contents")?.field("value")?.stringValue
        #expect(hover == "```cohort\nsegment s = user.x == 1\n```")
        Self.send(clientOut, #"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#)
        #expect(input.next()?.field("id") == .int(3))
        Self.send(clientOut, #"{"jsonrpc":"2.0","method":"exit"}"#)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(exitCode.withLock { $0 } == 0)
    }

    @Test("cohort lsp runs a session on its standard streams and exits 0 after shutdown and exit")
    func command() throws {
        var client = LSPTestClient()
        client.initialize()
        client.notify("textDocument/didOpen", #"{"textDocument":{"uri":"file:///c.cohort","version":1,"text":"flag f = bucket(user.id) < 2O\n"}}"#)
        client.request("shutdown")
        client.notify("exit")
        let result = try runCohort(["lsp"], stdin: String(decoding: client.batches.joined(), as: UTF8.self))
        #expect(result.status == 0)
        #expect(result.stderr == "")
        let output = ServerOutput(exitCode: result.status, bytes: Array(result.stdout.utf8))
        #expect(output.messages.count == 3)
        let diagnostic = output.publishedDiagnostics.first?.field("diagnostics")?.listValue?.first
        #expect(diagnostic?.field("code") == .string("invalid-number"))
        #expect(diagnostic?.field("range") == range(0, 27, 0, 29))
    }

    @Test("cohort lsp --help and a stray argument")
    func usage() throws {
        let help = try runCohort(["lsp", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("USAGE: cohort lsp"))
        let stray = try runCohort(["lsp", "file.cohort"])
        #expect(stray.status == 2)
        #expect(stray.stderr.contains("lsp takes no arguments"))
        let main = try runCohort(["--help"])
        #expect(main.stdout.contains("cohort lsp"))
    }
}
