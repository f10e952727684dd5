#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a batch run writes: standard output, a file replaced atomically, or a device,
/// pipe or socket written in place.
///
/// A regular file (or a name that does not exist yet) is written to a temporary file
/// beside it, `.NAME.tmp-PID`, renamed over it only when the run succeeds, so a failed or
/// interrupted run never leaves a half-written file under that name. The temporary file
/// is removed on failure, and on SIGINT, SIGTERM, SIGHUP and SIGPIPE (see
/// `TemporaryFiles`). A symbolic link is followed: the file it points to is replaced, the
/// link stays. An existing file keeps its permission bits. A device, FIFO or socket is
/// written directly: renaming over it would replace the device itself. Every write error
/// (a full disk, a closed pipe) is thrown with its reason; nothing traps.
package final class OutputFile {
    /// The name the user gave (for messages).
    package let name: String
    private var descriptor: Int32
    /// True when this object opened `descriptor` (and so closes it).
    private let ownsDescriptor: Bool
    private let finalPath: String?
    private let temporaryPath: String?
    private var pending: [UInt8] = []
    private var finished = false

    /// Standard output.
    package static func standardOutput() -> OutputFile {
        OutputFile(name: "-", descriptor: 1, owns: false, finalPath: nil, temporaryPath: nil)
    }

    private init(name: String, descriptor: Int32, owns: Bool, finalPath: String?, temporaryPath: String?) {
        self.name = name
        self.descriptor = descriptor
        ownsDescriptor = owns
        self.finalPath = finalPath
        self.temporaryPath = temporaryPath
    }

    /// Opens `path` for writing as described above ("-" is standard output).
    package convenience init(path: String) throws(OutputFileError) {
        if path == "-" {
            self.init(name: path, descriptor: 1, owns: false, finalPath: nil, temporaryPath: nil)
            return
        }
        // A name for a descriptor this process already has open (`/dev/stdout`,
        // `/dev/fd/3`, `/proc/self/fd/3`) is written through that descriptor, so a
        // redirection such as `>> log` keeps appending. Opening the name again would start
        // at offset 0, and renaming over it would replace the file it points to.
        if let fd = Self.openDescriptor(named: path) {
            self.init(name: path, descriptor: fd, owns: false, finalPath: nil, temporaryPath: nil)
            return
        }
        var info = stat()
        if stat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { throw OutputFileError(path: path, reason: "is a directory") }
            if kind != S_IFREG {
                // A device, pipe or socket (`/dev/null`, a FIFO): written to directly.
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
                self.init(name: path, descriptor: fd, owns: true, finalPath: nil, temporaryPath: nil)
                return
            }
        }
        // A symbolic link is followed: the file it points to is replaced (or created).
        let target = symbolicLinkTarget(of: path)
        let slash = target.lastIndex(of: "/")
        let directory = slash.map { target[..<$0].isEmpty ? "/" : String(target[..<$0]) } ?? "."
        let base = slash.map { String(target[target.index(after: $0)...]) } ?? target
        let temporary = (directory == "/" ? "" : directory) + "/.\(base).tmp-\(getpid())"
        // The permission bits of the file replaced; a new file gets the usual 0666 & ~umask.
        var existing = stat()
        let keptMode: mode_t? = stat(target, &existing) == 0 ? existing.st_mode & 0o7777 : nil
        unlink(temporary)  // a leftover of an earlier run with the same process id
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, keptMode ?? 0o666)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "no such directory" : String(cString: strerror(errno))
            throw OutputFileError(path: path, reason: reason)
        }
        if let keptMode { _ = fchmod(fd, keptMode) }
        TemporaryFiles.register(temporary)
        self.init(name: path, descriptor: fd, owns: true, finalPath: target, temporaryPath: temporary)
    }

    deinit {
        if !finished { abandon() }
    }

    /// The device and inode written to, to tell whether it is the same file as an input.
    package var identity: FileIdentity? {
        if let finalPath { return FileIdentity(path: finalPath) }
        return FileIdentity(descriptor: descriptor)
    }

    /// Appends bytes; they reach the file in blocks of about 1 MiB.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(OutputFileError) {
        if pending.isEmpty && bytes.count >= 1 << 19 {
            // A whole chunk's output: straight to the file, without another copy.
            try writeAll(bytes)
            return
        }
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 20 { try flush() }
    }

    /// Appends bytes.
    package func write(_ bytes: [UInt8]) throws(OutputFileError) {
        try bytes.withUnsafeBytes { b in Result { () throws(OutputFileError) in try write(b) } }.get()
    }

    /// Appends text as UTF-8.
    package func write(_ text: String) throws(OutputFileError) {
        try write(Array(text.utf8))
    }

    /// Writes what is buffered.
    package func flush() throws(OutputFileError) {
        guard !pending.isEmpty else { return }
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        try bytes.withUnsafeBytes { b in Result { () throws(OutputFileError) in try writeAll(b) } }.get()
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(OutputFileError) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc_write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw OutputFileError(path: name, reason: n < 0 ? String(cString: strerror(errno)) : "nothing was written")
            }
        }
    }

    /// Finishes the output; a file is renamed into place. On an error the temporary file
    /// is removed and the error thrown.
    package func commit() throws(OutputFileError) {
        do throws(OutputFileError) {
            try flush()
        } catch {
            abandon()
            throw error
        }
        finished = true
        guard let temporaryPath, let finalPath else { return }
        // A file system can report a failed write only when the file is closed (NFS).
        if close(descriptor) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
            throw OutputFileError(path: name, reason: reason)
        }
        descriptor = -1
        if rename(temporaryPath, finalPath) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
            throw OutputFileError(path: name, reason: reason)
        }
        TemporaryFiles.unregister(temporaryPath)
    }

    /// Discards a file output (its temporary file is removed); what went to standard
    /// output or a device cannot be taken back, and is flushed as far as it goes.
    package func abandon() {
        finished = true
        if temporaryPath == nil { try? flush() }
        pending = []
        if ownsDescriptor && descriptor >= 0 { close(descriptor) }
        descriptor = -1
        if let temporaryPath {
            unlink(temporaryPath)
            TemporaryFiles.unregister(temporaryPath)
        }
    }

    /// The descriptor a path names when it is one of this process's open descriptors.
    private static func openDescriptor(named path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let fd = Int32(path.dropFirst(prefix.count)), fd >= 0, fcntl(fd, F_GETFD) != -1 { return fd }
            }
            return nil
        }
    }
}

/// `write(2)`, named apart from the methods above.
@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// An output that cannot be opened or written.
package struct OutputFileError: Error, Sendable, Equatable {
    /// The name given for the output.
    package var path: String
    /// Why, as the system says it ("No space left on device", "is a directory").
    package var reason: String

    package var message: String { "cannot write '\(path)': \(reason)" }
}

/// A file's device and inode: two names for one file have the same identity.
package struct FileIdentity: Sendable, Hashable {
    package var device: UInt64
    package var inode: UInt64

    /// The identity of the file `path` names (links followed); nil when there is none.
    package init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// The identity of an open descriptor's file.
    package init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// The path a chain of symbolic links ends at, also when its end does not exist yet
/// (a dangling link names the file to create). At most 40 links, as the kernel allows.
package func symbolicLinkTarget(of path: String) -> String {
    var current = path
    for _ in 0..<40 {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(current, &buffer, buffer.count - 1)
        guard n > 0 else { break }
        let destination = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if destination.hasPrefix("/") {
            current = destination
        } else {
            let directory = current.lastIndex(of: "/").map { String(current[...$0]) } ?? ""
            current = directory + destination
        }
    }
    return current
}
