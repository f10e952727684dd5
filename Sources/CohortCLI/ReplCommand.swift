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
        let interactive = isatty(0) == 1 && isatty(1) == 1
        var session = ReplSession(color: interactive && Terminal.colorEnabled(fd: 1))
        let loaded: String
        do {
            loaded = try start(&session, arguments)
        } catch {
            // Nothing has started: the problem is the command line's, exit 2.
            switch error {
            case .usage(let problem): Terminal.err("cohort repl: \(problem.message)\n")
            case .diagnostics(let text): Terminal.err(text)
            }
            return .usage
        }
        if interactive {
            Terminal.out("cohort \(CohortVersion.current) — type an expression, :help for commands, Ctrl-D to leave\n")
        }
        Terminal.out(loaded)
        return interactive ? runInteractive(session) : runScripted(&session)
    }

    /// Does what the options ask before the first prompt (`--now`, the rule file, `--users`,
    /// `--salt`) and returns what that prints. Any failure stops the REPL before it starts.
    /// Why the REPL did not start.
    private enum StartProblem: Error {
        /// A message for `cohort repl: ...`.
        case usage(UsageError)
        /// A rule file's diagnostics, rendered.
        case diagnostics(String)
    }

    /// Does what the options ask before the first prompt (`--now`, the rule file, `--users`,
    /// `--salt`) and returns what that prints. Any failure stops the REPL before it starts.
    private static func start(_ session: inout ReplSession, _ arguments: [String]) throws(StartProblem) -> String {
        let args: ArgumentScanner
        let rules: String?
        do {
            args = try ArgumentScanner(arguments, valued: ["--users", "--now", "--salt"], switches: [], command: "repl")
            rules = try args.positionals(named: ["RULES"], optional: 1, command: "repl").first
        } catch {
            throw .usage(error)
        }
        for (name, value) in [("RULES", rules), ("--users", args.value("--users"))] where value == "-" {
            throw .usage(UsageError("\(name) cannot be '-': the REPL reads its input from stdin; give a file (a pipe such as <(...) works too)"))
        }
        var out = ""
        func step(_ option: String, _ action: (inout ReplSession) throws(ReplSession.Failure) -> String) throws(StartProblem) {
            do {
                out += try action(&session)
            } catch {
                switch error {
                case .message(let message): throw .usage(UsageError(option + message))
                case .diagnostics(let text): throw .diagnostics(text)
                }
            }
        }
        // A bad time is found before any file is read; its line prints after theirs.
        if let now = args.value("--now") { try step("--now: ") { s throws(ReplSession.Failure) in try s.setNow(now) } }
        let nowLine = out
        out = ""
        if let rules { try step("") { s throws(ReplSession.Failure) in try s.loadRules(from: rules) } }
        if let users = args.value("--users") { try step("--users: ") { s throws(ReplSession.Failure) in try s.loadUsers(from: users) } }
        out += nowLine
        if let salt = args.value("--salt") { out += session.handle(":salt \(salt)") }
        return out
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

    private static func runInteractive(_ session: ReplSession) -> ExitStatus {
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
        TerminalRestorer.install(original)
        tcsetattr(0, TCSADRAIN, &raw)
        Terminal.out(ReplTerminal.bracketedPasteOn)
        defer {
            Terminal.out(ReplTerminal.bracketedPasteOff)
            tcsetattr(0, TCSADRAIN, &original)
        }

        let saved = historyPath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?.split(separator: "\n").map(String.init) ?? []
        var terminal = ReplTerminal(session: session, history: Array(saved.suffix(LineEditor.historyLimit)))
        terminal.width = terminalWidth()
        Terminal.out(terminal.start())
        // A paste arrives in large reads; each is handled, and the line drawn, as one batch.
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        while !terminal.finished {
            let n = read(0, &bytes, bytes.count)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            terminal.width = terminalWidth()
            Terminal.out(terminal.receive(bytes[..<n]))
            if terminal.historyChanged {
                saveHistory(terminal.editor.history)
                terminal.historyChanged = false
            }
        }
        return .success
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

/// Puts the terminal back as it was when the REPL is killed (SIGTERM, SIGHUP, SIGINT,
/// SIGQUIT), as leaving with Ctrl-D does: otherwise the shell is left without echo. The
/// handler restores the saved settings, turns bracketed paste off, and dies of the same
/// signal with its default action, so the parent sees how the REPL ended.
///
/// The handler may interrupt anything, malloc included, so it makes only async-signal-safe
/// calls and runs no generic Swift code: an unspecialised generic call can instantiate type
/// metadata, which allocates (seen as a heap abort on SIGHUP in a debug build). It reads
/// fixed memory written before it is installed, and the kernel resets the signal to its
/// default action as the handler starts (SA_RESETHAND).
enum TerminalRestorer {
    /// The terminal settings to restore.
    nonisolated(unsafe) private static let saved = UnsafeMutablePointer<termios>.allocate(capacity: 1)
    /// `ESC [?2004l`, bracketed paste off.
    nonisolated(unsafe) private static let pasteOff: UnsafeMutablePointer<UInt8> = {
        let bytes: [UInt8] = [0x1B, 0x5B, 0x3F, 0x32, 0x30, 0x30, 0x34, 0x6C]
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        pointer.initialize(from: bytes, count: bytes.count)
        return pointer
    }()

    static func install(_ settings: termios) {
        saved.initialize(to: settings)
        _ = pasteOff
        var handled = sigset_t()
        sigemptyset(&handled)
        for number in [SIGTERM, SIGHUP, SIGINT, SIGQUIT] {
            var action = sigaction()
            var previous = sigaction()
            setHandler(&action) { number in
                _ = tcsetattr(0, TCSANOW, TerminalRestorer.saved)
                _ = write(1, TerminalRestorer.pasteOff, 8)
                _ = raise(number)  // delivered, with the default action, when the handler returns
            }
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)  // 0x8000_0000 on Linux
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, &previous)
            // A signal ignored on purpose (`nohup` ignores SIGHUP) stays ignored.
            if isIgnored(previous) { sigaction(number, &previous, nil) }
            sigaddset(&handled, number)
        }
        // A parent may have left these blocked (they then never arrive, and the terminal is
        // never restored); the REPL wants them delivered.
        _ = pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }

    /// Sets the handler field of `action`, whose name differs between Glibc and Darwin.
    private static func setHandler(_ action: inout sigaction, _ handler: @escaping @convention(c) (Int32) -> Void) {
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
    }

    /// Whether `action` ignores its signal.
    private static func isIgnored(_ action: sigaction) -> Bool {
        #if canImport(Glibc)
        let handler = action.__sigaction_handler.sa_handler
        #else
        let handler = action.__sigaction_u.__sa_handler
        #endif
        return address(of: handler) == address(of: SIG_IGN)
    }

    /// A handler's address, to compare with `SIG_IGN` (function pointers are not Equatable).
    private static func address(of handler: (@convention(c) (Int32) -> Void)?) -> Int {
        handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
    }
}
