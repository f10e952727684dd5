@testable import Cohort
import Testing

/// The interactive REPL's screen logic (`ReplTerminal`): batches of bytes in, text to write
/// out. The cost of a paste is bounded by counting redraws and output bytes, not by timing.
@Suite("REPL terminal: drawing and pasting")
struct ReplTerminalTests {
    /// Feeds `bytes` as `read` would hand them over, `chunk` bytes at a time.
    private func receive(_ terminal: inout ReplTerminal, _ bytes: [UInt8], chunk: Int) -> String {
        var out = ""
        var start = 0
        while start < bytes.count {
            out += terminal.receive(bytes[start..<min(start + chunk, bytes.count)])
            start += chunk
        }
        return out
    }

    @Test("a 100 KB paste: one insertion and one redraw per read, each redraw one terminal row")
    func longPaste() {
        let text = String(repeating: #"user.plan in ["pro", "enterprise"] and "#, count: 2_600) + "true"
        #expect(text.utf8.count > 100_000)
        var terminal = ReplTerminal(session: ReplSession())
        terminal.width = 80
        _ = terminal.start()
        let chunk = 4096
        let reads = (text.utf8.count + chunk - 1) / chunk
        let before = terminal.redraws
        let out = receive(&terminal, Array(text.utf8), chunk: chunk)
        #expect(terminal.editor.text == text)
        #expect(terminal.redraws - before == reads, "one redraw per read, not one per character")
        // Each redraw writes the prompt, at most a row of text and a few control sequences.
        #expect(out.utf8.count <= reads * (80 + 32), "\(out.utf8.count) bytes written")
        #expect(!out.contains("\n"), "a long line scrolls sideways, it never wraps")
    }

    @Test("a paste in the middle of a long line is one insertion too")
    func pasteInTheMiddle() {
        var terminal = ReplTerminal(session: ReplSession())
        let line = String(repeating: "a", count: 50_000)
        _ = receive(&terminal, Array(line.utf8), chunk: 1 << 16)
        _ = terminal.receive([0x01])  // Ctrl-A
        _ = terminal.receive(Array(String(repeating: "b", count: 50_000).utf8))
        #expect(terminal.editor.text == String(repeating: "b", count: 50_000) + line)
        #expect(terminal.editor.cursor == 50_000)
    }

    @Test("a bracketed paste: tabs are spaces, control keys are ignored, lines still run")
    func bracketedPaste() {
        var terminal = ReplTerminal(session: ReplSession())
        _ = terminal.start()
        let out = terminal.receive(Array("\u{1B}[200~1 +\t2\u{04}\r\n3\u{1B}[201~".utf8))
        #expect(out.contains("cohort> 1 + 2\u{1B}[K\r\n3\n"), "the first line ran: \(out)")
        #expect(terminal.editor.text == "3")
        #expect(!terminal.editor.pasting)
        #expect(!terminal.finished, "a pasted Ctrl-D does not leave")
        _ = terminal.receive([0x09])  // after the paste, Tab completes again (nothing here)
        #expect(terminal.editor.text == "3")
    }

    @Test("keys in one read are all handled; the line is drawn once at the end")
    func oneDrawPerRead() {
        var terminal = ReplTerminal(session: ReplSession())
        _ = terminal.start()
        let before = terminal.redraws
        let out = terminal.receive(Array("1 + 1\r2 * 3".utf8))
        #expect(out.hasPrefix("\rcohort> 1 + 1\u{1B}[K\r\n2\n"), "\(out.debugDescription)")
        #expect(out.hasSuffix("\rcohort> 2 * 3\u{1B}[K"))
        #expect(terminal.redraws - before == 1)
        #expect(terminal.historyChanged)
        #expect(terminal.editor.history == ["1 + 1"])
    }

    @Test("a line wider than the terminal shows the part around the cursor")
    func scrollsSideways() {
        var terminal = ReplTerminal(session: ReplSession())
        terminal.width = 20
        let out = terminal.receive(Array(String(repeating: "x", count: 40).utf8) + [0x01] + Array("ab".utf8))
        // Room for 20 - 8 (prompt) - 1 = 11 columns: the cursor at 2, the rest after it.
        #expect(out.hasSuffix("\rcohort> abxxxxxxxxx\u{1B}[K\u{1B}[9D"), "\(out.debugDescription)")
    }

    @Test("Ctrl-C moves past what is on screen, marks the line and clears it")
    func cancel() {
        var terminal = ReplTerminal(session: ReplSession())
        _ = terminal.receive(Array("abcd".utf8) + [0x02, 0x02])  // two left
        let out = terminal.receive([0x03])
        #expect(out.hasPrefix("\u{1B}[2C^C\r\n"), "\(out.debugDescription)")
        #expect(terminal.editor.text == "")
    }

    @Test(":quit and Ctrl-D finish")
    func finishing() {
        var quit = ReplTerminal(session: ReplSession())
        _ = quit.receive(Array(":quit\r1\r".utf8))
        #expect(quit.finished)
        #expect(quit.editor.history == [":quit"], "nothing after :quit is read")
        var ctrlD = ReplTerminal(session: ReplSession())
        _ = ctrlD.receive([0x04])
        #expect(ctrlD.finished)
    }
}
