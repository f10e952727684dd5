/// Reading and building the JSON of protocol messages. JSON-RPC messages are read into
/// the library's `Value` by `JSONReader` and written back with `Value.jsonText`, which
/// sorts object keys, so everything the server writes is deterministic.
extension Value {
    /// The member `key` of an object; nil for a missing member or a value that is not an object.
    package func field(_ key: String) -> Value? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    /// The string, when this is one.
    package var stringValue: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }

    /// The number as an `Int`, when this is a whole number that fits in 53 bits (JSON's exact range).
    package var intValue: Int? {
        guard case .number(let n) = self, n.rounded(.towardZero) == n, abs(n) <= 9_007_199_254_740_992 else { return nil }
        return Int(n)
    }

    /// The elements, when this is a list.
    package var listValue: [Value]? {
        guard case .list(let items) = self else { return nil }
        return items
    }

    /// A JSON number from an `Int`.
    package static func int(_ n: Int) -> Value { .number(Double(n)) }

    /// A JSON object from key-value pairs, leaving out the nil ones (LSP's optional members).
    package static func members(_ pairs: KeyValuePairs<String, Value?>) -> Value {
        var fields: [String: Value] = [:]
        for (key, value) in pairs {
            if let value { fields[key] = value }
        }
        return .object(fields)
    }
}
