#if canImport(Darwin)
import Foundation
#else
import Synchronization
#endif

/// State shared between threads, reached only through `withLock`.
///
/// `Synchronization.Mutex` where it can be used without an availability check (Linux,
/// Windows, Android: the toolchain ships the module with the runtime); on Apple platforms,
/// where `Mutex` needs macOS 15 / iOS 18 and this package sets no minimum, an `NSLock`.
/// Both are plain mutexes, which ThreadSanitizer understands.
#if canImport(Darwin)
package final class Locked<State: Sendable>: @unchecked Sendable {
    // @unchecked: `state` is read and written only while `lock` is held.
    private let lock = NSLock()
    private var state: State

    package init(_ state: State) {
        self.state = state
    }

    /// Runs `body` with the state, holding the lock. `body` must not call back into this lock.
    package func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
#else
package final class Locked<State: Sendable>: Sendable {
    private let mutex: Mutex<State>

    package init(_ state: State) {
        mutex = Mutex(state)
    }

    /// Runs `body` with the state, holding the lock. `body` must not call back into this lock.
    package func withLock<R: Sendable>(_ body: (inout State) throws -> R) rethrows -> R {
        try mutex.withLock { state in try body(&state) }
    }
}
#endif
