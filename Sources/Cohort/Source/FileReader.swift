#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read: its path and the reason in a few words ("no such file",
/// "is a directory", "permission denied"), for messages such as
/// `cannot read rule file 'flags.cohort': no such file`.
public struct FileReadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path as given.
    public var path: String
    /// The reason, lower case, without a trailing period.
    public var reason: String

    /// Makes an error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The reason for an `errno` value: the three everyone meets in their own words, the
    /// system's text for the rest.
    package init(path: String, errno code: Int32) {
        let reason: String
        switch code {
        case ENOENT: reason = "no such file"
        case ENOTDIR: reason = "no such file (a part of the path is not a directory)"
        case EISDIR: reason = "is a directory"
        case EACCES, EPERM: reason = "permission denied"
        default:
            let text = String(cString: strerror(code))
            reason = text.prefix(1).lowercased() + text.dropFirst()
        }
        self.init(path: path, reason: reason)
    }

    /// `'PATH': REASON`.
    public var description: String { "'\(path)': \(reason)" }
}

/// Reads files as streams: a regular file, a pipe, a FIFO, a terminal, `/dev/stdin`,
/// `/dev/fd/N` or a process substitution (`<(…)`) are all read the same way, with `read(2)`
/// until the end, rather than by asking for the file's size first (a pipe has none).
package enum FileReader {
    /// Opens `path` for reading. A directory is refused here ("is a directory"), since on
    /// Linux `open` accepts one and only `read` fails.
    package static func open(_ path: String) throws(FileReadError) -> Int32 {
        var descriptor: Int32
        repeat {
            descriptor = openReadOnly(path)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw FileReadError(path: path, errno: errno) }
        var info = stat()
        if fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            close(descriptor)
            throw FileReadError(path: path, errno: EISDIR)
        }
        return descriptor
    }

    /// The whole contents of the file at `path`, read as a stream. At most `limit` bytes are
    /// read (an endless stream such as `/dev/zero` ends there); callers that bound their
    /// input pass one more than their limit, so that a longer input still reports the limit.
    package static func contents(ofFile path: String, limit: Int = Int.max) throws(FileReadError) -> [UInt8] {
        let descriptor = try open(path)
        defer { close(descriptor) }
        return try readAll(descriptor, name: path, limit: limit)
    }

    /// The contents of a source file (a rule file), read as a stream. A file longer than
    /// `maxBytes` is read only a little past the limit, and a UTF-8 sequence cut off at the
    /// end of what was read is dropped, so that it still fails the size limit (a
    /// diagnostic that names the limit), not the UTF-8 check.
    package static func sourceContents(ofFile path: String, maxBytes: Int) throws(FileReadError) -> [UInt8] {
        let descriptor = try open(path)
        defer { close(descriptor) }
        return try sourceContents(descriptor, name: path, maxBytes: maxBytes)
    }

    /// `sourceContents(ofFile:maxBytes:)` for an open descriptor (standard input for `-`).
    package static func sourceContents(_ descriptor: Int32, name: String, maxBytes: Int) throws(FileReadError) -> [UInt8] {
        var bytes = try readAll(descriptor, name: name, limit: maxBytes > Int.max - 4 ? Int.max : maxBytes + 4)
        if bytes.count > maxBytes {
            var end = bytes.count
            while end > 0, bytes[end - 1] & 0xC0 == 0x80 { end -= 1 }
            if end > 0, bytes[end - 1] >= 0xC0 { end -= 1 }
            bytes.removeSubrange(end...)
            // Past the limit the text is never compiled, only measured: keep it longer
            // than the limit when the dropped scalar straddled it.
            if bytes.count <= maxBytes { bytes.append(UInt8(ascii: " ")) }
        }
        return bytes
    }

    /// Everything left to read on an open descriptor (standard input for `-`), up to `limit`
    /// bytes. `name` is the path errors mention.
    package static func readAll(_ descriptor: Int32, name: String, limit: Int = Int.max) throws(FileReadError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = 64 << 10
        while bytes.count < limit {
            let want = min(chunk, limit - bytes.count)
            let start = bytes.count
            var got = 0
            var failure: Int32 = 0
            bytes.append(contentsOf: repeatElement(0, count: want))
            bytes.withUnsafeMutableBytes { buffer in
                while true {
                    let n = read(descriptor, buffer.baseAddress! + start, want)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failure = errno } else { got = n }
                    break
                }
            }
            bytes.removeLast(want - got)
            if failure != 0 { throw FileReadError(path: name, errno: failure) }
            if got == 0 { break }
            // Larger reads for larger files: fewer system calls, no more copies.
            chunk = min(chunk * 2, 4 << 20)
        }
        return bytes
    }

    /// `open(2)` read-only, closed on exec.
    private static func openReadOnly(_ path: String) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
        Darwin.open(path, O_RDONLY | O_CLOEXEC)
        #endif
    }
}
