import Foundation

/// Reads a file as it was at a git revision: what `cohort diff @REV NEW INPUT` compares
/// the new file against (`@origin/main`, `@HEAD~1`, `@v1.4`).
///
/// The file is named by the path of the new file, relative to the repository that file is
/// in: git runs in the file's directory and reads `REV:./NAME` (`git show`), so the path
/// means the same from any working directory and in any subdirectory of the repository.
package enum GitRevision {
    /// Why a file could not be read at a revision.
    package struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, for people: git's own message when git ran.
        package var message: String
        package init(_ message: String) { self.message = message }
        package var description: String { message }
    }

    /// The name an old file read at `revision` is shown under (`flags.cohort@HEAD~1`), in
    /// diagnostics and reports.
    package static func displayName(_ path: String, at revision: String) -> String {
        "\(path)@\(revision)"
    }

    /// The bytes of `path` at `revision`, read with `git show`. Throws when git is not
    /// installed, the file is not in a git repository, or the revision or the file at that
    /// revision does not exist; the message says which, in git's words where git ran.
    package static func read(_ path: String, at revision: String, environment: [String: String]? = nil) throws(ReadError) -> [UInt8] {
        guard !revision.isEmpty else {
            throw ReadError("'@' needs a git revision after it (@HEAD, @origin/main, @HEAD~1)")
        }
        guard !revision.hasPrefix("-"), !revision.contains(":") else {
            throw ReadError("'\(revision)' is not a git revision (@HEAD, @origin/main, @HEAD~1)")
        }
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let git = findExecutable("git", path: environment["PATH"]) else {
            throw ReadError("reading \(displayName(path, at: revision)) needs git, and no 'git' was found on PATH")
        }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReadError("cannot read \(displayName(path, at: revision)): no directory '\(directory)'")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: git)
        process.arguments = ["-C", directory, "show", "\(revision):./\(url.lastPathComponent)"]
        var childEnvironment = environment
        childEnvironment["GIT_TERMINAL_PROMPT"] = "0"
        // git's messages in English, which this message quotes.
        childEnvironment["LC_ALL"] = "C"
        process.environment = childEnvironment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ReadError("cannot run \(git): \(error.localizedDescription)")
        }
        // git's messages are short: its stderr is read once stdout is done.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self)
                .split(separator: "\n").map { $0.hasPrefix("fatal: ") ? String($0.dropFirst(7)) : String($0) }
                .joined(separator: "; ")
            // A revision a shallow clone lacks (CI checkouts fetch one commit by default).
            let hint = text.contains("invalid object name") || text.contains("unknown revision")
                ? " (not fetched? a CI checkout may need the whole history, e.g. fetch-depth: 0)" : ""
            throw ReadError("cannot read \(displayName(path, at: revision)) with git show: \(text.isEmpty ? "git failed" : text)\(hint)")
        }
        return [UInt8](data)
    }

    /// The first executable called `name` in the colon-separated directories of `path`.
    private static func findExecutable(_ name: String, path: String?) -> String? {
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
