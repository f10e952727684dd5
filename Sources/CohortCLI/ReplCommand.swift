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
        if interactive {
            Terminal.out("cohort \(CohortVersion.current) — type an expression, :help for commands, Ctrl-D to leave\n")
        }
        if let rules = args.positionals.first { Terminal.out(session.handle(":rules \(rules)")) }
        if let users = args.value("--users") { Terminal.out(session.handle(":load \(users)")) }
        if let now = args.value("--now") { Terminal.out(session.handle(":now \(now)")) }
        if let salt = args.value("--salt") { Terminal.out(session.handle(":salt \(salt)")) }
        return interactive ? runInteractive(&session) : runScripted(&session)
    }

    /// One input per line; lines continue while brackets are open. Plain output.
    private static func runScripted(_ session: inout ReplSession) -> ExitStatus {
        while let line = readLine(strippingNewline: true) {
            guard let out = session.feedLine(line) else { continue }
            Terminal.out(out)
            if session.finished { return .success }
        }
        Terminal.out(session.finishPending())
        return .success
    }

    /// `~/.cohort_history`; none without a HOME.
    private static var historyPath: String? {
        guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.cohort_history"
    }

    private static func runInteractive(_ session: inout ReplSession) -> ExitStatus {
        var original = termios()
        tcgetattr(0, &original)
        var raw = original
        // Keys one by one, no echo, Ctrl-C/Ctrl-Z/Ctrl-S as bytes. Output processing (OPOST)
        // stays on, so "\n" still starts a new line. TCSADRAIN keeps keys typed ahead.
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(0, TCSADRAIN, &raw)
        defer { tcsetattr(0, TCSADRAIN, &original) }

        let saved = historyPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?.split(separator: "\n").map(String.init) ?? []
        let start = session
        var editor = LineEditor(history: Array(saved.suffix(LineEditor.historyLimit))) { start.completions(for: $0) }
        draw(editor, prompt: session.prompt)
        while true {
            var byte: UInt8 = 0
            let n = read(0, &byte, 1)
            if n < 0, errno == EINTR { continue }
            guard n == 1 else { break }
            let after = LineEditor.columns(String(editor.buffer[editor.cursor...]))
            switch editor.feed(byte) {
            case .none: continue
            case .redraw: draw(editor, prompt: session.prompt)
            case .clearScreen:
                Terminal.out("\u{1B}[H\u{1B}[2J")
                draw(editor, prompt: session.prompt)
            case .showCandidates(let candidates):
                Terminal.out("\r\n" + candidates.joined(separator: "  ") + "\r\n")
                draw(editor, prompt: session.prompt)
            case .cancel:
                // The editor has cleared the line; move past what was on screen, then mark it.
                Terminal.out((after > 0 ? "\u{1B}[\(after)C" : "") + "^C\r\n")
                session.discardPending()
                draw(editor, prompt: session.prompt)
            case .endOfInput:
                Terminal.out("\r\n" + session.finishPending())
                return .success
            case .submit(let line):
                // Show the line as entered (also after a Ctrl-R search), then the output.
                Terminal.out("\r" + session.prompt + line + "\u{1B}[K\r\n")
                editor.remember(line)
                saveHistory(editor.history)
                if let out = session.feedLine(line) {
                    Terminal.out(out)
                    if session.finished { return .success }
                    let current = session
                    editor.completer = { current.completions(for: $0) }
                }
                draw(editor, prompt: session.prompt)
            }
        }
        return .success
    }

    /// Redraws the line being edited: prompt, text, cursor. A line wider than the terminal
    /// scrolls sideways to keep the cursor in view.
    private static func draw(_ editor: LineEditor, prompt: String) {
        if let search = editor.search {
            let label = (search.failing ? "(failing reverse-i-search)`" : "(reverse-i-search)`") + search.query + "': "
            // A match wider than the terminal would wrap, and "\r" only returns to the last row:
            // show the part of it around the query.
            var match = Substring(editor.searchMatch ?? "")
            let room = terminalWidth() - LineEditor.columns(label) - 1
            if LineEditor.columns(match) > room, let found = match.range(of: search.query) {
                let skip = max(0, match.distance(from: match.startIndex, to: found.lowerBound) - room / 4)
                match = match.dropFirst(skip)
            }
            while !match.isEmpty, LineEditor.columns(match) > room { match = match.dropLast() }
            Terminal.out("\r" + label + match + "\u{1B}[K")
            return
        }
        var before = editor.buffer[..<editor.cursor]
        var after = editor.buffer[editor.cursor...]
        let room = max(0, terminalWidth() - LineEditor.columns(prompt) - 1)
        while LineEditor.columns(String(before)) + LineEditor.columns(String(after)) > room {
            // Drop text far from the cursor first: keep up to half the room before it.
            if LineEditor.columns(String(before)) > room / 2 {
                before = before.dropFirst()
            } else if !after.isEmpty {
                after = after.dropLast()
            } else {
                before = before.dropFirst()
            }
        }
        let back = LineEditor.columns(String(after))
        Terminal.out("\r" + prompt + String(before) + String(after) + "\u{1B}[K" + (back > 0 ? "\u{1B}[\(back)D" : ""))
    }

    private static func terminalWidth() -> Int {
        #if canImport(Glibc)
        let request = UInt(TIOCGWINSZ)
        #else
        let request: UInt = 0x4008_7468  // TIOCGWINSZ on Darwin
        #endif
        var size = winsize()
        guard ioctl(1, request, &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func saveHistory(_ history: [String]) {
        guard let historyPath else { return }
        let text = history.suffix(LineEditor.historyLimit).joined(separator: "\n") + "\n"
        _ = FileManager.default.createFile(atPath: historyPath, contents: Data(text.utf8))
    }
}
