import Cohort
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cohort repl [RULES] [--users FILE]`: an interactive session on a terminal (raw mode,
/// line editing, history, completion), or one input per line when stdin is not a terminal.
enum ReplCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.repl)
            return .success
        }
        let args: ArgumentScanner
        do {
            args = try ArgumentScanner(arguments, valued: ["--users", "--now", "--salt"], switches: [])
            guard args.positionals.count <= 1 else { throw UsageError("repl takes at most one rule file") }
        } catch {
            Terminal.err("cohort repl: \(describeUsage(error))\n")
            return .usage
        }
        let interactive = isatty(0) == 1 && isatty(1) == 1
        var session = ReplSession(color: interactive && Terminal.colorEnabled(fd: 1))
        var startup = ""
        if let rules = args.positionals.first { startup += session.handle(":rules \(rules)") }
        if let users = args.value("--users") { startup += session.handle(":load \(users)") }
        if let now = args.value("--now") { startup += session.handle(":now \(now)") }
        if let salt = args.value("--salt") { startup += session.handle(":salt \(salt)") }
        Terminal.out(startup)
        return interactive ? runInteractive(&session) : runScripted(&session)
    }

    /// One input per line; lines continue while brackets are open. Plain output.
    private static func runScripted(_ session: inout ReplSession) -> ExitStatus {
        var pending = ""
        while let line = readLine(strippingNewline: true) {
            pending += pending.isEmpty ? line : "\n" + line
            if ReplSession.needsContinuation(pending) { continue }
            Terminal.out(session.handle(pending))
            pending = ""
            if session.finished { return .success }
        }
        if !pending.isEmpty { Terminal.out(session.handle(pending)) }
        return .success
    }

    private static var historyPath: String {
        (ProcessInfo.processInfo.environment["HOME"] ?? ".") + "/.cohort_history"
    }

    private static func runInteractive(_ session: inout ReplSession) -> ExitStatus {
        var original = termios()
        tcgetattr(0, &original)
        var raw = original
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        tcsetattr(0, TCSAFLUSH, &raw)
        defer { tcsetattr(0, TCSAFLUSH, &original) }

        let history = (try? String(contentsOfFile: historyPath, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        let completionSession = session
        var editor = LineEditor(history: Array(history.suffix(1000))) { prefix in completionSession.completions(for: prefix) }
        Terminal.out("cohort \(CohortVersion.current) — type an expression, :help for commands, Ctrl-D to leave\n")
        var pending = ""
        var prompt = "cohort> "
        draw(editor, prompt: prompt)
        while true {
            var byte: UInt8 = 0
            guard read(0, &byte, 1) == 1 else { break }
            switch editor.feed(byte) {
            case .none: continue
            case .redraw: draw(editor, prompt: prompt)
            case .clearScreen:
                Terminal.out("\u{1B}[H\u{1B}[2J")
                draw(editor, prompt: prompt)
            case .showCandidates(let candidates):
                Terminal.out("\r\n" + candidates.joined(separator: "  ") + "\r\n")
                draw(editor, prompt: prompt)
            case .cancel:
                pending = ""
                prompt = "cohort> "
                Terminal.out("^C\r\n")
                draw(editor, prompt: prompt)
            case .endOfInput:
                Terminal.out("\r\n")
                saveHistory(editor.history)
                return .success
            case .submit(let line):
                Terminal.out("\r\n")
                editor.remember(line)
                pending += pending.isEmpty ? line : "\n" + line
                if ReplSession.needsContinuation(pending) {
                    prompt = "   ...> "
                    draw(editor, prompt: prompt)
                    continue
                }
                // Output uses \n; in raw mode the terminal needs \r\n.
                tcsetattr(0, TCSAFLUSH, &original)
                Terminal.out(session.handle(pending))
                tcsetattr(0, TCSAFLUSH, &raw)
                pending = ""
                prompt = "cohort> "
                if session.finished {
                    saveHistory(editor.history)
                    return .success
                }
                let updated = session
                let kept = editor.history
                editor = LineEditor(history: kept) { prefix in updated.completions(for: prefix) }
                draw(editor, prompt: prompt)
            }
        }
        saveHistory(editor.history)
        return .success
    }

    private static func draw(_ editor: LineEditor, prompt: String) {
        if let search = editor.search {
            let match = editor.searchMatch ?? ""
            Terminal.out("\r(reverse-i-search)`\(search.query)': \(match)\u{1B}[K")
            return
        }
        let text = editor.text
        let back = editor.buffer.count - editor.cursor
        Terminal.out("\r" + prompt + text + "\u{1B}[K" + (back > 0 ? "\u{1B}[\(back)D" : ""))
    }

    private static func saveHistory(_ history: [String]) {
        let text = history.suffix(1000).joined(separator: "\n") + "\n"
        FileManager.default.createFile(atPath: historyPath, contents: Data(text.utf8))
    }
}
