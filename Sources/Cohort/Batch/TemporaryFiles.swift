#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The temporary files this process is writing (an `--output` or `--summary-file` before
/// its rename), removed if a signal ends the process first.
///
/// SIGINT, SIGTERM, SIGHUP and SIGPIPE get a handler that unlinks every registered file,
/// restores the signal's default action and raises it again, so the process still ends
/// as the signal says (a shell sees "killed by SIGINT"). A signal the process was started
/// with ignored (`nohup`, a background job) stays ignored. SIGKILL cannot be caught: a
/// run killed that way leaves its `.NAME.tmp-PID` file, which `find DIR -name '.*.tmp-*'`
/// finds.
package enum TemporaryFiles {
    /// At most this many at once (a batch run has two: the output and the summary file).
    private static let capacity = 8
    /// The paths as C strings, written before a handler can read them. Read by the signal
    /// handler, which may only call async-signal-safe functions: `unlink`, `signal`, `raise`.
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        slots.initialize(repeating: nil, count: capacity)
        return slots
    }()
    nonisolated(unsafe) private static var handlersInstalled = false
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGPIPE]

    /// Removes `path` if a signal ends the process before `unregister(path)`.
    package static func register(_ path: String) {
        installHandlers()
        let copy = strdup(path)
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = copy
            return
        }
        free(copy)
    }

    /// Stops watching `path` (it was renamed or removed).
    package static func unregister(_ path: String) {
        for i in 0..<capacity {
            if let p = slots[i], String(cString: p) == path {
                slots[i] = nil
                free(p)
            }
        }
    }

    private static func installHandlers() {
        guard !handlersInstalled else { return }
        handlersInstalled = true
        for sig in signals {
            let previous = signal(sig, removeAndReraise)
            // A signal ignored by whoever started the process stays ignored.
            if unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { signal(sig, SIG_IGN) }
        }
    }

    /// The handler: async-signal-safe calls only.
    private static let removeAndReraise: @convention(c) (Int32) -> Void = { sig in
        for i in 0..<TemporaryFiles.capacity {
            if let p = TemporaryFiles.slots[i] { unlink(p) }
        }
        signal(sig, SIG_DFL)
        raise(sig)
    }
}
