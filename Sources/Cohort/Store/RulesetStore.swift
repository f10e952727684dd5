import Foundation

/// The rules a service serves from: one current ``Ruleset``, swapped atomically when the
/// rules are reloaded, readable from any number of threads meanwhile.
///
/// ```swift
/// let store = try RulesetStore(contentsOfFile: "flags.cohort")
/// store.startWatching(file: "flags.cohort", every: .seconds(2))
///
/// // Per request: one snapshot, so every flag of the request comes from the same rules.
/// let rules = store.ruleset
/// let showNewCheckout = rules.bool("new_checkout", in: context, default: false)
///
/// // Elsewhere: log what each reload changed.
/// Task {
///     for await change in store.changes { logger.info("flags reloaded: \(change)") }
/// }
/// ```
///
/// A reload that does not compile — a typo saved mid-edit, a half-written file — keeps
/// the rules that were serving and returns (and sends on ``failures``) every diagnostic.
/// Reloads run one at a time, in the order they are called; reading ``ruleset`` never waits
/// for a compile, only for the swap of one reference.
public final class RulesetStore: Sendable {
    /// The options every reload compiles with.
    public let options: CompileOptions

    private struct State: Sendable {
        var ruleset: Ruleset
        var fingerprints: [(name: String, fingerprint: Ruleset.FlagFingerprint)]
        var lastFailure: CompileError?
        var changeSubscribers: [Int: AsyncStream<RulesetChange>.Continuation] = [:]
        var failureSubscribers: [Int: AsyncStream<CompileError>.Continuation] = [:]
        var nextSubscriber = 0
        var watcher: Task<Void, Never>?
    }

    /// The current rules and everything else that changes; held only for short reads and
    /// writes, never while compiling.
    private let state: Locked<State>
    /// Held for the whole of a reload (read, compile, swap, announce), so reloads happen in
    /// call order and changes are announced in the order of the swaps.
    private let reloading = Locked<Int>(0)

    /// A store serving `ruleset`; later reloads compile with `options`.
    public init(_ ruleset: Ruleset, options: CompileOptions = CompileOptions()) {
        self.options = options
        state = Locked(State(ruleset: ruleset, fingerprints: ruleset.flagFingerprints))
    }

    /// A store serving the rules of a file.
    /// - Throws: ``CompileError`` when the file cannot be read or does not compile.
    public convenience init(contentsOfFile path: String, options: CompileOptions = CompileOptions()) throws(CompileError) {
        self.init(try Ruleset(contentsOfFile: path, options: options), options: options)
    }

    deinit {
        state.withLock { state in
            state.watcher?.cancel()
            for continuation in state.changeSubscribers.values { continuation.finish() }
            for continuation in state.failureSubscribers.values { continuation.finish() }
        }
    }

    // MARK: Reading

    /// The rules serving now: a snapshot that stays valid (and unchanged) however many
    /// reloads follow. Take it once per request so its flags agree with each other.
    public var ruleset: Ruleset {
        state.withLock { $0.ruleset }
    }

    /// The error of the last reload when it failed, nil once a reload succeeds: for a health
    /// check that reports a broken rule file still being ignored.
    public var lastFailure: CompileError? {
        state.withLock { $0.lastFailure }
    }

    // MARK: Reloading

    /// Compiles `text` and, when it compiles, serves it from now on.
    /// - Parameters:
    ///   - text: the rule file's text.
    ///   - file: the name diagnostics and evaluation errors give the source.
    /// - Returns: the change; ``ReloadResult/unchanged`` when the text and name are those
    ///   already serving; or the compile error, with the old rules still serving.
    @discardableResult
    public func reload(source text: String, file: String = "<rules>") -> ReloadResult {
        reload(SourceFile(name: file, text: text))
    }

    /// Reads and compiles a rule file and, when it compiles, serves it from now on. A file
    /// that cannot be read, is not UTF-8 or does not compile leaves the old rules serving.
    @discardableResult
    public func reload(from path: String) -> ReloadResult {
        // Read as `Ruleset(contentsOfFile:)` reads: the same size limit, the same reasons.
        let source: SourceFile
        do throws(CompileError) {
            let data: [UInt8]
            do throws(FileReadError) {
                data = try FileReader.sourceContents(ofFile: path, maxBytes: options.limits.maxSourceBytes)
            } catch {
                throw CompileError(diagnostics: [.unreadableRuleFile(path, reason: error.reason)], source: SourceFile(name: path, text: ""))
            }
            source = try SourceFile(name: path, data: data)
        } catch {
            return reloading.withLock { _ in fail(error) }
        }
        return reload(source)
    }

    /// Serves `ruleset` from now on (rules compiled elsewhere, say fetched from a server).
    @discardableResult
    public func replace(with ruleset: Ruleset) -> RulesetChange {
        reloading.withLock { _ in swap(in: ruleset) }
    }

    private func reload(_ source: SourceFile) -> ReloadResult {
        reloading.withLock { _ in
            let serving = state.withLock { $0.ruleset.source }
            if serving.name == source.name && serving.text.utf8.elementsEqual(source.text.utf8) {
                state.withLock { $0.lastFailure = nil }
                return .unchanged
            }
            let ruleset: Ruleset
            do throws(CompileError) {
                ruleset = try Ruleset(source, options: options)
            } catch {
                return fail(error)
            }
            return .reloaded(swap(in: ruleset))
        }
    }

    /// Swaps in `ruleset` and announces the change. Called holding `reloading`.
    private func swap(in ruleset: Ruleset) -> RulesetChange {
        let fingerprints = ruleset.flagFingerprints
        let (change, subscribers) = state.withLock { state in
            let change = RulesetChange(from: state.fingerprints, to: fingerprints)
            state.ruleset = ruleset
            state.fingerprints = fingerprints
            state.lastFailure = nil
            return (change, Array(state.changeSubscribers.values))
        }
        // Outside the state lock: a stream ended meanwhile takes it to unsubscribe.
        for subscriber in subscribers { subscriber.yield(change) }
        return change
    }

    /// Records and announces a failed reload. Called holding `reloading`.
    private func fail(_ error: CompileError) -> ReloadResult {
        let subscribers = state.withLock { state in
            state.lastFailure = error
            return Array(state.failureSubscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(error) }
        return .failed(error)
    }

    // MARK: Notifications

    /// The changes of every successful reload from now on, in order: which flags were
    /// added, removed or changed (``RulesetChange``; a reload that changed no flag, only
    /// comments or layout, sends an empty change).
    ///
    /// Each access makes a new stream for one consumer, which receives every change made
    /// after it was created and ends when the store is deallocated or the consuming task is
    /// cancelled. Changes wait in the stream until read: none is dropped.
    public var changes: AsyncStream<RulesetChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: RulesetChange.self, bufferingPolicy: .unbounded)
        let id = state.withLock { state in
            state.nextSubscriber += 1
            state.changeSubscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.changeSubscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// The errors of every failed reload from now on, in order — including those of the
    /// file watcher, which has no caller to return them to. The old rules kept serving each
    /// time. One stream per access, as with ``changes``.
    public var failures: AsyncStream<CompileError> {
        let (stream, continuation) = AsyncStream.makeStream(of: CompileError.self, bufferingPolicy: .unbounded)
        let id = state.withLock { state in
            state.nextSubscriber += 1
            state.failureSubscribers[state.nextSubscriber] = continuation
            return state.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.failureSubscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: Watching a file

    /// Polls `path` every `interval` and reloads it when it changed: its size, modification
    /// time, or the file the path leads to (a rename over it, a symlink swapped, as
    /// Kubernetes does for a mounted ConfigMap). A change is loaded once the file has stayed
    /// the same for one more interval, so a file written in place is not read half-written
    /// (replacing the file by a rename is still the safer way to publish rules).
    ///
    /// Before returning, reloads the file once, so the store serves what is on disk now;
    /// the result says whether it compiled (the serving rules stay when it does not). Each change is sent on ``changes``, each failure on ``failures``;
    /// a file that disappears keeps the rules serving, and is reloaded when it comes back.
    ///
    /// Polling needs no file-system notification API and costs one `stat` per interval, on
    /// a background task. Starting again replaces the previous watch; the watch ends with
    /// ``stopWatching()`` or when the store is deallocated.
    @discardableResult
    public func startWatching(file path: String, every interval: Duration = .seconds(1)) -> ReloadResult {
        // The signature of the file loaded, taken before reading it: a write meanwhile is
        // seen as a change at the first poll.
        let signature = FileSignature(path: path)
        // The text may differ from the rules serving already.
        let initial = reload(from: path)
        let task = Task.detached(priority: .utility) { [weak self] in
            // The signature of the file last loaded, and of the file at the previous poll.
            var loaded = signature
            var previous = signature
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                let now = FileSignature(path: path)
                // A file still being written in place (truncated, then filled) would load
                // half of it: reload once it has stayed the same for a whole interval.
                defer { previous = now }
                guard now == previous, now != loaded else { continue }
                loaded = now
                guard let store = self else { return }
                // Absent: one failure is reported; the next signature seen reloads.
                store.reload(from: path)
            }
        }
        let previous = state.withLock { state in
            defer { state.watcher = task }
            return state.watcher
        }
        previous?.cancel()
        return initial
    }

    /// Stops watching the file, if a watch is running. Reloads already started finish.
    public func stopWatching() {
        let previous = state.withLock { state in
            defer { state.watcher = nil }
            return state.watcher
        }
        previous?.cancel()
    }

    /// True while a file is being watched.
    public var isWatching: Bool {
        state.withLock { $0.watcher != nil }
    }
}
