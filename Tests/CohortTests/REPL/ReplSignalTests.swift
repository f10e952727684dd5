import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cohort repl` on a real (pseudo-)terminal: killed by a signal, it puts the terminal back
/// as it found it, as leaving with Ctrl-D does.
@Suite("cohort repl on a terminal", .serialized)
struct ReplSignalTests {
    /// `cohort repl` on a fresh pseudo-terminal (an empty home, no colour), past its first
    /// prompt: `body` gets the terminal, the process and what the REPL printed up to the
    /// prompt. The REPL is stopped if `body` leaves it running, and the home removed.
    private func withREPL(_ body: (PseudoTerminal, Process, _ banner: String) throws -> Void) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let tty = try PseudoTerminal()
        #expect(tty.isCooked, "a fresh terminal echoes")
        let process = try tty.launch(["repl"], environment: ["HOME": scratch.url.path, "NO_COLOR": "1"])
        defer { if process.isRunning { process.terminate() } }
        try body(tty, process, tty.read(until: "cohort> "))
    }

    @Test("SIGTERM, SIGHUP and SIGINT restore echo and line mode; the REPL dies of the signal",
          arguments: [SIGTERM, SIGHUP, SIGINT])
    func signalRestoresTerminal(signal: Int32) throws {
        try withREPL { tty, process, banner in
            #expect(banner.contains("cohort> "), "\(banner.debugDescription)")
            #expect(!tty.isCooked, "raw mode while the REPL runs")
            tty.type("1 + 1\r")
            #expect(tty.read(until: "2").contains("2"))

            kill(process.processIdentifier, signal)
            try #require(tty.waitForExit(process), "the REPL ended within 10 s of the signal")
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(process.terminationStatus == signal)
            #expect(tty.isCooked, "echo and line mode are back")
            #expect(tty.read(until: "\u{1B}[?2004l", timeout: 5).contains("\u{1B}[?2004l"), "bracketed paste is off again")
        }
    }

    @Test("a 100 KB bracketed paste on a real terminal is answered in seconds (1,000 characters took 59 s)")
    func largePaste() throws {
        try withREPL { tty, process, _ in
            let started = Date()
            let line = "40" + String(repeating: " ", count: 100_000) + "+ 2"
            let (sent, echoed) = tty.paste("\u{1B}[200~" + line + "\u{1B}[201~\r", timeout: 60)
            #expect(sent, "the whole paste was read within 60 s")
            let answer = echoed + tty.read(until: "42\r\n", timeout: 30)
            let seconds = Date().timeIntervalSince(started)
            #expect(answer.contains("42\r\n"), "the sum is printed")
            #expect(seconds < 20, "\(seconds) s for the paste and its answer")
            tty.type("\u{04}")
            try #require(tty.waitForExit(process), "the REPL ended within 10 s of Ctrl-D")
            #expect(process.terminationStatus == 0)
        }
    }

    @Test("Ctrl-D restores the terminal and exits 0")
    func ctrlD() throws {
        try withREPL { tty, process, _ in
            tty.type("\u{04}")
            try #require(tty.waitForExit(process), "the REPL ended within 10 s of Ctrl-D")
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
            #expect(tty.isCooked)
        }
    }
}
