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

    /// `cohort check`, `cohort batch`...: how messages that are not diagnostics begin.
    static var commandPrefix: String {
        let verb = CommandLine.arguments.dropFirst().first
        return verb.map { "cohort " + $0 } ?? "cohort"
    }
}

/// A tiny argument scanner: positional arguments and `--name value` / `--name=value` options.
struct ArgumentScanner {
    private(set) var positionals: [String] = []
    private var options: [String: [String]] = [:]
    private(set) var flags: Set<String> = []

    /// - Parameters:
    ///   - valued: option names that take a value; each may be given once.
    ///   - switches: option names without a value.
    ///   - command: the subcommand, for the example in the hint about `--`.
    init(_ arguments: [String], valued: Set<String>, switches: Set<String>, command: String? = nil) throws(UsageError) {
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
                // A second value would silently replace the first: say so instead.
                if options[name] != nil { throw UsageError("option \(name) is given twice; give it once") }
                if let inlineValue {
                    options[name, default: []].append(inlineValue)
                } else {
                    guard i < arguments.count else { throw UsageError("option \(name) needs a value") }
                    options[name, default: []].append(arguments[i])
                    i += 1
                }
            } else if switches.contains(name), inlineValue == nil {
                flags.insert(name)
            } else if valued.contains(arg) || switches.contains(name) {
                throw UsageError("option \(name) takes no value")
            } else {
                throw Self.unknownOption(name, known: valued.union(switches), command: command)
            }
        }
    }

    /// `unknown option '--user'; did you mean '--users'?` for what looks like an option; for
    /// anything else (`-7 % 3`, an expression), how to pass an argument that starts with `-`.
    private static func unknownOption(_ name: String, known: Set<String>, command: String?) -> UsageError {
        let looksLikeOption = name.count > 1 && name.dropFirst(name.hasPrefix("--") ? 2 : 1).allSatisfy { $0.isLetter || $0 == "-" }
        if looksLikeOption {
            let hint = Suggestion.closest(to: name, among: known).map { "; did you mean '\($0)'?" } ?? ""
            return UsageError("unknown option '\(name)'\(hint)")
        }
        let example = "cohort \(command ?? "COMMAND") -- '\(name)'"
        return UsageError("unknown option '\(name)'; an argument that starts with '-' goes after '--': \(example)")
    }

    func value(_ name: String) -> String? { options[name]?.last }
    func has(_ name: String) -> Bool { flags.contains(name) }
}

extension ArgumentScanner {
    /// The positional arguments, which must be exactly `names` (`["RULES", "INPUT"]`), the
    /// last `optional` of them optional. Too few: `batch needs RULES and INPUT`; too many:
    /// the extra ones are named.
    func positionals(named names: [String], optional: Int = 0, command: String, hint: String = "") throws(UsageError) -> [String] {
        let required = names.count - optional
        let list = names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
        if positionals.count < required {
            throw UsageError("\(command) needs \(names.prefix(required).count == 1 ? names[0] : list)\(hint)")
        }
        if positionals.count > names.count {
            let extra = positionals.dropFirst(names.count).map { "'\($0)'" }.joined(separator: ", ")
            let takes = names.isEmpty ? "no arguments" : optional == names.count ? "at most \(list)" : list
            throw UsageError("unexpected argument\(positionals.count - names.count == 1 ? "" : "s") \(extra): \(command) takes \(takes)\(hint)")
        }
        return positionals
    }
}

/// Refuses a command line where two inputs read standard input (`eval - --user -`): the
/// first would take it all and the second would find it empty. `inputs` pairs each input's
/// name (`EXPR`, `--user`) with what was given for it.
func requireOneStdinReader(_ inputs: [(name: String, value: String?)]) throws(UsageError) {
    let readers = inputs.filter { $0.value == "-" }.map(\.name)
    guard readers.count > 1 else { return }
    if Set(readers).count == 1 {
        throw UsageError("'-' (standard input) is given \(readers.count) times; it can be read only once")
    }
    let names = readers.dropLast().joined(separator: ", ") + " and " + readers.last!
    throw UsageError("\(names) \(readers.count == 2 ? "both" : "all") read standard input ('-'); only one input can")
}

/// Reads a file, or stdin for `-`, as bytes: as a stream, so pipes, FIFOs and `<(…)` work.
func readInput(_ path: String) throws(FileReadError) -> [UInt8] {
    if path == "-" { return try FileReader.readAll(0, name: "<stdin>") }
    return try FileReader.contents(ofFile: path)
}

/// Opens an input file (or stdin for `-`) to be read as a stream. Fails with the reason:
/// "no such file", "is a directory", "permission denied".
func openInput(_ path: String) throws(FileReadError) -> FileHandle {
    if path == "-" { return FileHandle.standardInput }
    return FileHandle(fileDescriptor: try FileReader.open(path), closeOnDealloc: true)
}

/// Loads a rule file, `-` meaning stdin. A file that cannot be read is a `CompileError`
/// with one `io` diagnostic, which `report` prints without a source line.
func loadRuleset(_ path: String, options: CompileOptions = CompileOptions()) throws(CompileError) -> Ruleset {
    guard path == "-" else { return try Ruleset(contentsOfFile: path, options: options) }
    let name = "<stdin>"
    let bytes: [UInt8]
    do {
        bytes = try FileReader.sourceContents(0, name: name, maxBytes: options.limits.maxSourceBytes)
    } catch {
        throw CompileError(diagnostics: [.unreadableRuleFile(name, reason: error.reason)], source: SourceFile(name: name, text: ""))
    }
    return try Ruleset(source: String(decoding: bytes, as: UTF8.self), file: name, options: options)
}

/// Parses `--now`: an RFC 3339 time or a date.
func parseNow(_ text: String?) throws(UsageError) -> Instant {
    guard let text else { return .now }
    guard let instant = Instant(timestamp: text) ?? Instant(date: text) else {
        throw UsageError("--now: '\(text)' is not an RFC 3339 time (e.g. 2026-12-01T09:00:00Z) or a date (2026-12-01)")
    }
    return instant
}

/// Prints a compile error's diagnostics to stderr. A file that could not be read has no
/// line to show: its one `io` diagnostic prints as `cohort check: cannot read rule file
/// 'x': no such file`, without a source line or caret.
func report(_ error: CompileError) {
    if error.source.text.isEmpty, error.diagnostics.count == 1, error.diagnostics[0].code == DiagnosticCode.io.rawValue {
        Terminal.err("\(Terminal.commandPrefix): \(error.diagnostics[0].message)\n")
        return
    }
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
