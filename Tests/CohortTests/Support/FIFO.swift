import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A named pipe in a scratch directory, fed from a background thread: a rule file that
/// can only be read as a stream, as `<(cat f.cohort)` or `/dev/fd/N` give one.
struct FIFO {
    /// The pipe's path.
    let path: String

    /// Makes the pipe and starts writing `text` to it as soon as a reader opens it. If no
    /// reader comes within `timeout` seconds the writer gives up (so a test that fails
    /// never hangs on it).
    init(in scratch: ScratchDirectory, named name: String, text: String, timeout: Double = 30) throws {
        path = scratch.path(name)
        guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let path = path
        let bytes = Array(text.utf8)
        Thread.detachNewThread {
            let deadline = Date().addingTimeInterval(timeout)
            var fd: Int32 = -1
            // A non-blocking open for writing fails (ENXIO) until a reader has the pipe open.
            while fd < 0 && Date() < deadline {
                fd = open(path, O_WRONLY | O_NONBLOCK)
                if fd < 0 { usleep(2_000) }
            }
            guard fd >= 0 else { return }
            // Blocking writes from here: the reader takes the bytes as it goes.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                written += n
            }
            close(fd)
        }
    }
}
