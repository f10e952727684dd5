import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pseudo-terminal pair, so a test can run `cohort repl` as a person would (stdin and
/// stdout a terminal: raw mode, prompt, line editing) and inspect the terminal's settings.
final class PseudoTerminal {
    /// The side the test reads and writes, as a terminal emulator does.
    let master: Int32
    /// The side given to the program as its terminal.
    let slave: Int32

    init() throws {
        // Linux: the multiplexer hands out a new pair; unlock it and ask for its number
        // (what posix_openpt, unlockpt and ptsname do, which Swift's Glibc module leaves out).
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw POSIXError(.EIO) }
        var unlock: Int32 = 0
        var number: UInt32 = 0
        let setLock: UInt = 0x4004_5431, getNumber: UInt = 0x8004_5430  // TIOCSPTLCK, TIOCGPTN
        guard ioctl(master, setLock, &unlock) == 0, ioctl(master, getNumber, &number) == 0 else { throw POSIXError(.EIO) }
        slave = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw POSIXError(.EIO) }
    }

    deinit {
        close(master)
        close(slave)
    }

    /// The terminal's current settings (echo, canonical mode...).
    var settings: termios {
        var t = termios()
        tcgetattr(slave, &t)
        return t
    }

    /// Whether the terminal echoes and reads whole lines, as a shell expects.
    var isCooked: Bool {
        let flags = settings.c_lflag
        return flags & tcflag_t(ECHO) != 0 && flags & tcflag_t(ICANON) != 0
    }

    /// Runs `cohort` with the terminal as its stdin, stdout and stderr.
    func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        guard let executable = CLIRunner.executable else { throw CLIRunnerError.executableNotFound }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm"
        // On a terminal, Swift's crash backtracer waits 30 s for a key: a crash should fail fast.
        env["SWIFT_BACKTRACE"] = "interactive=no"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Reads what the program wrote until `text` appears or `timeout` seconds pass.
    /// Returns everything read.
    func read(until text: String, timeout: Double = 30) -> String {
        var seen: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if String(decoding: seen, as: UTF8.self).contains(text) { break }
            var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = Glibc.read(master, &buffer, buffer.count)
            if n <= 0 { break }
            seen += buffer[..<n]
        }
        return String(decoding: seen, as: UTF8.self)
    }

    /// Waits up to `timeout` seconds for `process` to end; kills it (SIGKILL) and returns
    /// false if it does not, so a REPL that ignores its signal fails the test instead of
    /// hanging every build queued behind it.
    func waitForExit(_ process: Process, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    /// Sends a long `text` (a paste) while reading what the program writes meanwhile, as a
    /// terminal emulator does: the terminal's buffers are a few kilobytes, so writing it all
    /// first would block once the program blocks writing its echo. Gives up after `timeout`
    /// seconds. Returns what was read.
    func paste(_ text: String, timeout: Double = 60) -> (sent: Bool, output: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        var seen: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = Date().addingTimeInterval(timeout)
        while sent < bytes.count, Date() < deadline {
            var pollers = [pollfd(fd: master, events: Int16(POLLIN | POLLOUT), revents: 0)]
            guard poll(&pollers, 1, 100) > 0 else { continue }
            if pollers[0].revents & Int16(POLLIN) != 0 {
                let n = Glibc.read(master, &buffer, buffer.count)
                if n > 0 { seen += buffer[..<n] }
            }
            if pollers[0].revents & Int16(POLLOUT) != 0 {
                let n = bytes[sent...].withUnsafeBytes { write(master, $0.baseAddress!, min($0.count, 1024)) }
                if n > 0 { sent += n }
            }
        }
        return (sent == bytes.count, String(decoding: seen, as: UTF8.self))
    }

    /// Types `text` (as a terminal sends keys).
    func type(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress!, $0.count) }
    }
}
