/// The attribute values of one evaluation, held in the slots a compiled `Rule` or `Ruleset`
/// reads: the fast way to pass a context.
///
/// A `Context` is a dictionary of dictionaries, convenient to build; binding one looks up
/// every attribute path by name on every evaluation. `Attributes` are bound once: set them
/// through keys resolved when the rules were compiled, and evaluating reads them in place,
/// with no lookup and no allocation.
///
/// ```swift
/// let rules = try Ruleset(contentsOfFile: "flags.cohort")
/// let id = rules.attribute("user.id")!, plan = rules.attribute("user.plan")!
/// var attributes = rules.makeAttributes()        // once per thread or request
/// attributes[id] = "u-42"
/// attributes[plan] = "pro"
/// rules.bool("new_checkout", in: attributes, default: false)
/// ```
///
/// Paths the rules do not read have no key: setting the whole `user` object is
/// `attributes.bind(context)` (or `rules.attributes(for:)`), which reads every path the
/// rules read out of a `Context`.
public struct Attributes: Sendable {
    /// The value of each slot of `layout`.
    package var values: [Value]
    /// The slot table these values are for.
    package let layout: AttributeLayout

    package init(layout: AttributeLayout) {
        self.layout = layout
        values = Array(repeating: .null, count: layout.paths.count)
    }

    /// The value at `key` (null when unset). A key of other rules reads null and writes
    /// nothing.
    public subscript(key: AttributeKey) -> Value {
        get { key.layout === layout && key.slot < values.count ? values[key.slot] : .null }
        set {
            guard key.layout === layout, key.slot < values.count else { return }
            values[key.slot] = newValue
        }
    }

    /// The value at the attribute path written as in rules (`user.id`,
    /// `user["first-name"]`), null when the rules do not read that path. Slower than a key:
    /// the path is looked up by name.
    public subscript(path: String) -> Value {
        get { layout.slots[path].map { values[$0] } ?? .null }
        set { if let slot = layout.slots[path] { values[slot] = newValue } }
    }

    /// Reads every path the rules read out of `context`; paths it lacks become null. (The
    /// values the context remembers from evaluations against the same rules are reused.)
    public mutating func bind(_ context: Context) {
        values = layout.binder.values(context)
    }

    /// Sets every attribute to null, keeping the storage (for the next request).
    public mutating func removeAll() {
        for i in values.indices { values[i] = .null }
    }

    /// The attribute paths these attributes hold, as written in rules.
    public var paths: [String] { layout.names }
}

/// An attribute path of a compiled `Rule` or `Ruleset`, resolved to its slot: setting
/// `Attributes` through a key costs an array store.
public struct AttributeKey: Sendable, Hashable, CustomStringConvertible {
    /// The path as written in rules (`user.id`).
    public let path: String
    package let slot: Int
    /// The rules the key belongs to, held (not just their address): a key kept after its
    /// rules are gone can never match other rules that happen to reuse the address.
    package let layout: AttributeLayout

    public var description: String { path }

    /// Equal keys name the same path of the same compiled rules.
    public static func == (a: AttributeKey, b: AttributeKey) -> Bool {
        a.layout === b.layout && a.slot == b.slot && a.path == b.path
    }

    /// Hashes the rules' identity and the slot, as `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(layout))
        hasher.combine(slot)
    }
}

/// The attribute paths of compiled rules and their slots, shared by the rules and every
/// `Attributes` made for them (a class: its identity tells which rules a key belongs to).
package final class AttributeLayout: Sendable {
    /// The path of each slot.
    package let paths: [AttributePath]
    /// `paths` as written in rules.
    package let names: [String]
    /// The slot of each path, by its written form.
    package let slots: [String: Int]
    /// Reads a `Context` into these slots: for the rules' evaluations and for `Attributes.bind`.
    package let binder: ContextBinder

    package init(_ table: SlotTable) {
        paths = table.paths
        names = table.paths.map(\.description)
        slots = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        binder = ContextBinder(table)
    }

    /// The key of the path written `path`, nil when the rules do not read it.
    package func key(_ path: String) -> AttributeKey? {
        slots[path].map { AttributeKey(path: path, slot: $0, layout: self) }
    }
}
