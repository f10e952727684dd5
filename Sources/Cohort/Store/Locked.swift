import Foundation

/// State shared between threads, reached only through `withLock`.
///
/// An `NSLock`, which is a `pthread_mutex_t` on every platform: ThreadSanitizer intercepts
/// pthread mutexes and so sees the order they impose. (`Synchronization.Mutex` is a futex
/// on Linux, which ThreadSanitizer cannot see: the store's tests reported every access
/// under it as a race. It also needs macOS 15, and this package sets no minimum.)
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
