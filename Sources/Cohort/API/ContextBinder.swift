import Foundation

/// Binds a `Context` (a dictionary of dictionaries) to a slot table's slots.
///
/// Binding by name is the whole cost of evaluating a `Context`: each path is a hashed
/// lookup of each of its keys, several times what the rule itself costs. So a context
/// remembers what it bound to (`ContextBindings`): the first evaluation against some rules
/// looks the paths up, and every later one against the same rules — the other flags of the
/// request, the same rule again — reads the remembered values.
package final class ContextBinder: Sendable {
    private let paths: [AttributePath]
    /// The distinct roots the paths start from, and for each path the index of its root.
    private let roots: [String]
    private let rootOfPath: [Int]
    /// Names these rules in a context's memory. An object, so its identity is unique for
    /// as long as a memory holds it.
    private let identity = Identity()

    package final class Identity: Sendable {}

    package init(_ table: SlotTable) {
        paths = table.paths
        var roots: [String] = [], index: [String: Int] = [:], rootOfPath: [Int] = []
        for path in table.paths {
            if index[path.root] == nil {
                index[path.root] = roots.count
                roots.append(path.root)
            }
            rootOfPath.append(index[path.root]!)
        }
        self.roots = roots
        self.rootOfPath = rootOfPath
    }

    /// Calls `body` with one value per slot read out of `context`; with `slots`, only
    /// those are read (the rest may be null). Values the context remembers from an earlier
    /// evaluation against these rules are not looked up again.
    package func bind<R>(_ context: Context, slots: [Int]?, _ body: (UnsafeBufferPointer<Value>) -> R) -> R {
        if let values = context.bindings?.remembered(ObjectIdentifier(identity), slots: slots) {
            return values.withUnsafeBufferPointer(body)
        }
        guard let memory = context.bindings else { return bindDirectly(context, slots: slots, body) }
        return lookUp(context, in: memory, slots: slots).withUnsafeBufferPointer(body)
    }

    /// The values of every slot read out of `context`: the remembered ones, or looked up
    /// now (and remembered). For callers that evaluate right after: fetching the values
    /// first, with nothing else live, keeps the fast path free of retains.
    package func values(_ context: Context) -> [Value] {
        if let values = context.bindings?.remembered(ObjectIdentifier(identity), slots: nil) { return values }
        if let memory = context.bindings { return lookUp(context, in: memory, slots: nil) }
        return bindDirectly(context, slots: nil) { Array($0) }
    }

    /// The values when `memory` lacks some: looks them up and remembers them.
    @inline(never)
    private func lookUp(_ context: Context, in memory: ContextBindings, slots: [Int]?) -> [Value] {
        memory.values(for: identity, count: paths.count, slots: slots) { missing, values in
            resolve(missing, from: context, into: values)
        }
    }

    /// `bind` without the context's memory: the values live in a temporary buffer (on the
    /// stack when small), and nothing is allocated.
    private func bindDirectly<R>(_ context: Context, slots: [Int]?, _ body: (UnsafeBufferPointer<Value>) -> R) -> R {
        let n = paths.count
        return withUnsafeTemporaryAllocation(of: Value.self, capacity: max(n, 1)) { buffer in
            let base = buffer.baseAddress!
            base.initialize(repeating: .null, count: n)
            defer { base.destroyEach(count: n) }
            let values = UnsafeMutableBufferPointer(start: base, count: n)
            if let slots {
                resolve(slots.lazy.filter { $0 < n }, from: context, into: values)
            } else {
                resolve(0..<n, from: context, into: values)
            }
            return body(UnsafeBufferPointer(values))
        }
    }

    /// Reads the paths of `slots` out of `context` into `values`, each root looked up once.
    private func resolve(_ slots: some Sequence<Int>, from context: Context, into values: UnsafeMutableBufferPointer<Value>) {
        withUnsafeTemporaryAllocation(of: Value?.self, capacity: max(roots.count, 1)) { rootValues in
            // nil: not looked up yet; .some(.null): the context has no such root.
            let found = rootValues.baseAddress!
            found.initialize(repeating: nil, count: roots.count)
            defer { found.deinitialize(count: roots.count) }
            for i in slots {
                let r = rootOfPath[i]
                if found[r] == nil { found[r] = context.roots[roots[r]] ?? .null }
                values[i] = paths[i].resolve(below: found[r]!)
            }
        }
    }
}

/// What a context has bound to: for each of the last few rules or rulesets it was
/// evaluated against, the values of their slots looked up so far. Shared by the copies of
/// one `Context`; a context changed gets a new one.
///
/// The entries live in the object's own tail (a `ManagedBuffer`), reached through
/// pointers, so a lookup that finds its values costs a lock, a few compares and one
/// retain — no exclusivity checks, no array of entries.
///
/// Thread-safe: the header's count and the entries are read and written only while the
/// header's lock is held. (`ManagedBuffer` is marked never `Sendable`, so the compiler
/// cannot be told; `Context` holds it `nonisolated(unsafe)` for that reason.)
package final class ContextBindings: ManagedBuffer<ContextBindings.Header, ContextBindings.Entry> {
    package struct Header {
        /// Unmanaged, so taking it costs no retain and release (`deinit` releases it).
        /// Never changes: read without the lock, to take it.
        let lock = Unmanaged.passRetained(NSLock())
        /// Written only with the lock held, and only through its own address.
        var count = 0
    }

    package struct Entry {
        /// `rules` by identity, compared without touching its reference count.
        let id: ObjectIdentifier
        /// Holds the identity so it cannot be reused while remembered.
        let rules: ContextBinder.Identity
        var values: [Value]
        var looked: [Bool]
        /// True when every slot has been looked up.
        var complete: Bool
    }

    /// How many rules a context remembers: a service evaluates a request's context against
    /// its one ruleset, a test or a tool against a few rules in turn.
    private static let capacity = 4

    package static func make() -> ContextBindings {
        unsafeDowncast(create(minimumCapacity: capacity) { _ in Header() }, to: ContextBindings.self)
    }

    deinit {
        withUnsafeMutablePointers { header, entries in
            entries.deinitialize(count: header.pointee.count)
            header.pointee.lock.release()
        }
    }

    /// How many rules' bindings are remembered (for tests).
    package var rememberedCount: Int {
        withUnsafeMutablePointerToHeader { header in
            header.pointee.lock._withUnsafeGuaranteedRef { $0.lock() }
            defer { header.pointee.lock._withUnsafeGuaranteedRef { $0.unlock() } }
            return header.pointee.count
        }
    }

    /// The remembered values of the rules `id` names when `slots` (every slot when nil)
    /// have all been looked up; nil otherwise. The common case: no closure, no allocation.
    fileprivate func remembered(_ id: ObjectIdentifier, slots: [Int]?) -> [Value]? {
        withUnsafeMutablePointers { header, entries in
            header.pointee.lock._withUnsafeGuaranteedRef { $0.lock() }
            defer { header.pointee.lock._withUnsafeGuaranteedRef { $0.unlock() } }
            guard let e = Self.index(of: id, header, entries), Self.hasLooked(up: slots, entries + e) else { return nil }
            return entries[e].values
        }
    }

    /// Where the entry of the rules `id` names is, if remembered. With the lock held.
    @inline(__always)
    private static func index(of id: ObjectIdentifier, _ header: UnsafeMutablePointer<Header>,
                              _ entries: UnsafeMutablePointer<Entry>) -> Int? {
        for e in 0..<header.pointee.count where entries[e].id == id { return e }
        return nil
    }

    /// Whether `entry` has `slots` (every slot when nil) looked up. With the lock held.
    @inline(__always)
    private static func hasLooked(up slots: [Int]?, _ entry: UnsafeMutablePointer<Entry>) -> Bool {
        if entry.pointee.complete { return true }
        guard let slots else { return false }
        let count = entry.pointee.looked.count
        return entry.pointee.looked.withUnsafeBufferPointer { looked in slots.allSatisfy { $0 >= count || looked[$0] } }
    }

    /// The values of `rules`' slots (`count` of them), with at least `slots` (every slot
    /// when nil) looked up: `resolve` is called with the ones not looked up before.
    fileprivate func values(
        for rules: ContextBinder.Identity, count: Int, slots: [Int]?,
        resolve: (_ missing: [Int], _ into: UnsafeMutableBufferPointer<Value>) -> Void
    ) -> [Value] {
        let id = ObjectIdentifier(rules)
        return withUnsafeMutablePointers { header, entries in
            header.pointee.lock._withUnsafeGuaranteedRef { $0.lock() }
            defer { header.pointee.lock._withUnsafeGuaranteedRef { $0.unlock() } }
            let e: Int
            if let found = Self.index(of: id, header, entries) {
                if Self.hasLooked(up: slots, entries + found) { return entries[found].values }
                e = found
            } else {
                // The count is written through its own address: an assignment to
                // `header.pointee.count` is an access to the whole header, lock included,
                // which threads read without the lock to take it (a race to ThreadSanitizer).
                let remembered = header.pointer(to: \.count)!
                if remembered.pointee == Self.capacity {
                    // Forget the oldest.
                    entries.deinitialize(count: 1)
                    entries.moveInitialize(from: entries + 1, count: Self.capacity - 1)
                    remembered.pointee -= 1
                }
                e = remembered.pointee
                (entries + e).initialize(to: Entry(id: id, rules: rules, values: Array(repeating: .null, count: count),
                                                   looked: Array(repeating: false, count: count), complete: false))
                remembered.pointee += 1
            }
            let missing = (slots ?? Array(0..<count)).filter { $0 < count && !entries[e].looked[$0] }
            entries[e].values.withUnsafeMutableBufferPointer { resolve(missing, $0) }
            for i in missing { entries[e].looked[i] = true }
            if slots == nil || !entries[e].looked.contains(false) { entries[e].complete = true }
            return entries[e].values
        }
    }
}
