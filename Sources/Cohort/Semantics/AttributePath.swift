/// A path into the context known at compile time, such as `user.address.city` or
/// `user.tags[0]`. Each distinct path gets a slot, so evaluation reads an array element
/// instead of hashing path strings.
package struct AttributePath: Sendable, Hashable, CustomStringConvertible {
    /// One step below the root.
    package enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The context root (`user`, `device`, ...).
    package var root: String
    /// The steps below the root.
    package var components: [Component]

    package init(root: String, components: [Component] = []) {
        self.root = root
        self.components = components
    }

    /// The path as a rule would write it: `user.address.city`, `user["first-name"]`, `user.tags[0]`.
    package var description: String {
        var out = root
        for component in components {
            switch component {
            case .key(let k):
                if isPlainIdentifier(k) { out += "." + k } else {
                    var quoted = ""
                    writeJSONString(k, to: &quoted)
                    out += "[" + quoted + "]"
                }
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// Reads this path out of a context; anything that does not resolve is null.
    package func resolve(in roots: [String: Value]) -> Value {
        guard let value = roots[root] else { return .null }
        return resolve(below: value)
    }

    /// Reads this path's components out of the value of its root.
    package func resolve(below rootValue: Value) -> Value {
        var value = rootValue
        for component in components {
            switch component {
            case .key(let k):
                guard case .object(let fields) = value, let next = fields[k] else { return .null }
                value = next
            case .index(let i):
                guard case .list(let items) = value, i < items.count else { return .null }
                value = items[i]
            }
        }
        return value
    }
}

private func isPlainIdentifier(_ s: String) -> Bool {
    guard let first = s.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else { return false }
    return s.utf8.allSatisfy { c in
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }
}

/// The attribute paths a set of programs reads, each at a fixed slot. One table is shared
/// by every flag of a ruleset so a record is bound once for all of them.
package struct SlotTable: Sendable {
    /// Paths by slot number.
    package private(set) var paths: [AttributePath] = []
    private var slots: [AttributePath: Int] = [:]

    package init() {}

    /// The slot of a path, adding it if new.
    package mutating func slot(for path: AttributePath) -> Int {
        if let slot = slots[path] { return slot }
        paths.append(path)
        slots[path] = paths.count - 1
        return paths.count - 1
    }

    /// The number of slots.
    package var count: Int { paths.count }
}
