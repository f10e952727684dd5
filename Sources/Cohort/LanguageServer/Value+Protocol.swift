/// Reading and building the JSON of protocol messages. JSON-RPC messages are read into
/// the library's `Value` by `JSONReader` and written back with `Value.jsonText`, which
/// sorts object keys, so everything the server writes is deterministic.
extension Value {
    /// The member `key` of an object; nil for a missing member or a value that is not an object.
    package func field(_ key: String) -> Value? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    // `stringValue` and `intValue` are the public accessors (API/Value+Accessors.swift).

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
