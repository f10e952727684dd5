/// Canonical text and JSON for values.
extension Value {
    /// The canonical text of `string(x)`: strings as they are, numbers canonical (`42`, `0.1`),
    /// `true`/`false`/`null`, versions without a leading `v`, times as RFC 3339 UTC, lists
    /// and objects as compact JSON.
    public var canonicalText: String {
        switch self {
        case .string(let s): s
        case .number(let n): NumberText.canonical(n)
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .version(let v): v.description
        case .time(let t): t.description
        case .list, .object: jsonText
        }
    }

    /// Compact JSON: versions and times as strings of their canonical text; object keys
    /// sorted by Unicode scalars so output is deterministic.
    public var jsonText: String {
        var out = ""
        writeJSON(to: &out)
        return out
    }

    /// Appends compact JSON to `out`.
    package func writeJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n.isFinite ? NumberText.canonical(n) : "null"
        case .string(let s): writeJSONString(s, to: &out)
        case .version(let v): writeJSONString(v.description, to: &out)
        case .time(let t): writeJSONString(t.description, to: &out)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeJSON(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, key) in fields.keys.sorted(by: scalarLess).enumerated() {
                if i > 0 { out += "," }
                writeJSONString(key, to: &out)
                out += ":"
                fields[key]!.writeJSON(to: &out)
            }
            out += "}"
        }
    }
}

/// Appends a JSON string literal, escaping quotes, backslashes and control characters.
package func writeJSONString(_ s: String, to out: inout String) {
    out += "\""
    var needsEscape = false
    for byte in s.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
        needsEscape = true
        break
    }
    if !needsEscape {
        out += s
    } else {
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
    out += "\""
}

extension Value {
    /// True when both are written as the same JSON text. Stricter than `==`, which is the
    /// language's equality: `1.0.0+a == 1.0.0` (build metadata does not count), and
    /// strings and object keys that differ only by Unicode normalisation are equal.
    package func writesSameJSON(as other: Value) -> Bool {
        switch (self, other) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a.bitPattern == b.bitPattern
        case let (.string(a), .string(b)): a.utf8.elementsEqual(b.utf8)
        case let (.version(a), .version(b)): a == b && a.build == b.build && a.description == b.description
        case let (.time(a), .time(b)): a == b
        case let (.list(a), .list(b)): a.count == b.count && zip(a, b).allSatisfy { $0.writesSameJSON(as: $1) }
        case (.object, .object): jsonText.utf8.elementsEqual(other.jsonText.utf8)
        default: false
        }
    }
}
