/// Typed views of a value: each is nil when the value is of another kind, so reading a
/// result never traps.
///
/// ```swift
/// let user = try Value(json: #"{"id": "u-42", "seats": 12, "tags": ["beta"]}"#)
/// user["id"]?.stringValue        // "u-42"
/// user["seats"]?.intValue        // 12
/// user["tags"]?[0]?.stringValue  // "beta"
/// user["missing"]                // nil
/// ```
extension Value {
    /// The boolean, for `.bool`.
    public var boolValue: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    /// The string, for `.string`. (A version or a time is not a string: see
    /// ``canonicalText`` for any value as text.)
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The number, for `.number`.
    public var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The number as an `Int`, for a `.number` that is a whole number within `Int`'s range
    /// (`12`, `-3`, `1e3`); nil for `1.5` or `1e300`.
    public var intValue: Int? {
        guard case .number(let number) = self else { return nil }
        return Int(exactly: number)
    }

    /// The elements, for `.list`.
    public var arrayValue: [Value]? {
        if case .list(let items) = self { return items }
        return nil
    }

    /// The fields, for `.object`.
    public var objectValue: [String: Value]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    /// The version, for `.version`.
    public var versionValue: Version? {
        if case .version(let version) = self { return version }
        return nil
    }

    /// The instant, for `.time`.
    public var timeValue: Instant? {
        if case .time(let instant) = self { return instant }
        return nil
    }

    /// The field named `key` of an object; nil when this is not an object or has no such
    /// field (a field holding `null` is `.null`, not nil). Keys match as Swift strings do.
    public subscript(key: String) -> Value? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }

    /// The element at `index` of a list (0-based); nil when this is not a list or the index
    /// is out of range.
    public subscript(index: Int) -> Value? {
        guard case .list(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
