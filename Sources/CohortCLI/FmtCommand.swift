import Cohort
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cohort fmt FILE... [--check | --write]`: prints rule files in the canonical layout.
enum FmtCommand {
    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(Usage.fmt)
            return .success
        }
        let args: ArgumentScanner
        do {
            args = try ArgumentScanner(arguments, valued: [], switches: ["--check", "--write", "-w"], command: "fmt")
            guard !args.positionals.isEmpty else { throw UsageError("fmt needs at least one file ('-' reads stdin)") }
            try requireOneStdinReader(args.positionals.map { ("FILE", $0) })
            if args.has("--check") && (args.has("--write") || args.has("-w")) {
                throw UsageError("--check and --write cannot be used together")
            }
            if args.has("--write") || args.has("-w"), args.positionals.contains("-") {
                throw UsageError("--write cannot rewrite standard input; leave it out to print the result")
            }
        } catch {
            Terminal.err("cohort fmt: \(describeUsage(error))\n")
            return .usage
        }
        let check = args.has("--check")
        let write = args.has("--write") || args.has("-w")
        var failed = false
        for path in args.positionals {
            let bytes: [UInt8]
            do {
                bytes = try readInput(path)
            } catch {
                Terminal.err("cohort fmt: cannot read \(error)\n")
                failed = true
                continue
            }
            let formatted: String
            do {
                let source = try SourceFile(name: path == "-" ? "<stdin>" : path, data: bytes)
                formatted = try Cohort.Formatter().format(source)
            } catch {
                report(error)
                failed = true
                continue
            }
            let unchanged = Array(formatted.utf8) == bytes
            if check {
                if !unchanged {
                    Terminal.out((path == "-" ? "<stdin>" : path) + "\n")
                    failed = true
                }
            } else if write {
                if !unchanged, let problem = replaceAtomically(path, with: formatted) {
                    Terminal.err("cohort fmt: cannot write '\(path)': \(problem)\n")
                    failed = true
                }
            } else {
                Terminal.out(formatted)
            }
        }
        return failed ? .failure : .success
    }

    /// Writes `text` to a temporary file beside `path` with the same permissions, then
    /// renames it over `path`, so a reader sees the old file or the new one, never half
    /// of either. A symbolic link is followed: the file it points to is replaced.
    /// Returns a description of what went wrong, or nil.
    private static func replaceAtomically(_ path: String, with text: String) -> String? {
        let target = followSymbolicLinks(path)
        var info = stat()
        guard stat(target, &info) == 0 else { return String(cString: strerror(errno)) }
        let directory = (target as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((target as NSString).lastPathComponent).fmt-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, info.st_mode & 0o7777)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        var bytes = Array(text.utf8)
        var written = 0
        let ok = bytes.withUnsafeMutableBytes { buffer -> Bool in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        // open() applied the umask; give the new file exactly the old one's mode.
        _ = fchmod(fd, info.st_mode & 0o7777)
        let synced = fsync(fd) == 0
        close(fd)
        guard ok, synced, rename(temporary, target) == 0 else {
            let problem = String(cString: strerror(errno))
            unlink(temporary)
            return problem
        }
        return nil
    }
}
