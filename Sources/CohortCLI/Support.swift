import Cohort
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Exit codes: 0 success, 1 a rule/input problem, 2 a usage problem.
enum ExitStatus: Int32 {
    case success = 0
    case failure = 1
    case usage = 2
}

/// A usage problem: bad flags or arguments. Exits 2.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Standard streams and colour decisions.
enum Terminal {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Colour only on a terminal, and never when `NO_COLOR` is set (to anything non-empty).
    static func colorEnabled(fd: Int32) -> Bool {
        if let noColor = ProcessInfo.processInfo.environment["NO_COLOR"], !noColor.isEmpty { return false }
        if ProcessInfo.processInfo.environment["TERM"] == "dumb" { return false }
        return isatty(fd) == 1
    }

    static var stderrColor: Bool { colorEnabled(fd: 2) }
}

/// A tiny argument scanner: positional arguments and `--name value` / `--name=value` options.
struct ArgumentScanner {
    private(set) var positionals: [String] = []
    private var options: [String: [String]] = [:]
    private(set) var flags: Set<String> = []

    /// - Parameters:
    ///   - valued: option names that take a value.
    ///   - switches: option names without a value.
    init(_ arguments: [String], valued: Set<String>, switches: Set<String>) throws(UsageError) {
        var i = 0
        var onlyPositionals = false
        while i < arguments.count {
            let arg = arguments[i]
            i += 1
            if onlyPositionals || arg == "-" || !arg.hasPrefix("-") {
                positionals.append(arg)
                continue
            }
            if arg == "--" {
                onlyPositionals = true
                continue
            }
            var name = arg
            var inlineValue: String?
            if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                name = String(arg[..<eq])
                inlineValue = String(arg[arg.index(after: eq)...])
            }
            if valued.contains(name) {
                if let inlineValue {
                    options[name, default: []].append(inlineValue)
                } else {
                    guard i < arguments.count else { throw UsageError("option \(name) needs a value") }
                    options[name, default: []].append(arguments[i])
                    i += 1
                }
            } else if switches.contains(name), inlineValue == nil {
                flags.insert(name)
            } else {
                throw UsageError("unknown option '\(name)'")
            }
        }
    }

    func value(_ name: String) -> String? { options[name]?.last }
    func has(_ name: String) -> Bool { flags.contains(name) }
}

/// Reads a file, or stdin for `-`, as bytes.
func readInput(_ path: String) throws(UsageError) -> [UInt8] {
    if path == "-" {
        return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw UsageError("'\(path)' is a directory, not a file")
        }
        throw UsageError("cannot read '\(path)': no such file or not readable")
    }
    return [UInt8](data)
}

/// Parses `--now`: an RFC 3339 time or a date.
func parseNow(_ text: String?) throws(UsageError) -> Instant {
    guard let text else { return .now }
    guard let instant = Instant(timestamp: text) ?? Instant(date: text) else {
        throw UsageError("--now: '\(text)' is not an RFC 3339 time (e.g. 2026-12-01T09:00:00Z) or a date (2026-12-01)")
    }
    return instant
}

/// Prints a compile error's diagnostics to stderr.
func report(_ error: CompileError) {
    Terminal.err(error.rendered(color: Terminal.stderrColor))
}

/// The message of a usage problem.
func describeUsage(_ error: any Error) -> String {
    (error as? UsageError)?.message ?? "\(error)"
}

/// The path a chain of symbolic links ends at, also when its end does not exist yet
/// (a dangling link names the file to create). At most 40 links, as the kernel allows.
func followSymbolicLinks(_ path: String) -> String {
    var current = path
    for _ in 0..<40 {
        guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { break }
        current = destination.hasPrefix("/")
            ? destination
            : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
    }
    return current
}
