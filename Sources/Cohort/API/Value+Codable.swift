/// `Value` is `Codable` in JSON's shape, so results can go straight into an API response
/// and values can be read from any `Decoder`.
///
/// Encoding writes `null`, booleans, numbers, strings, arrays and objects as themselves;
/// a version or a time becomes its canonical string (`"2.4.0"`, `"2026-03-01T00:00:00Z"`),
/// as ``Value/jsonText`` writes it, and a non-finite number becomes `null`. Object keys are
/// written in Unicode scalar order, so the output does not depend on dictionary order.
///
/// Decoding reads JSON's kinds: a string stays a string even when it spells a version or a
/// time (rules read those with `semver(...)` and `time(...)`), so a version or time does not
/// come back as itself — everything else round-trips exactly.
extension Value: Codable {
    /// Encodes the value as JSON would hold it.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        case .bool(let bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        case .number(let number):
            var container = encoder.singleValueContainer()
            if number.isFinite { try container.encode(number) } else { try container.encodeNil() }
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .version(let version):
            var container = encoder.singleValueContainer()
            try container.encode(version.description)
        case .time(let instant):
            var container = encoder.singleValueContainer()
            try container.encode(instant.description)
        case .list(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .object(let fields):
            var container = encoder.container(keyedBy: FieldKey.self)
            for key in fields.keys.sorted(by: scalarLess) {
                try container.encode(fields[key]!, forKey: FieldKey(key))
            }
        }
    }

    /// Decodes `null`, a boolean, a number, a string, an array or an object (with any keys).
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: FieldKey.self) {
            var fields: [String: Value] = [:]
            fields.reserveCapacity(container.allKeys.count)
            for key in container.allKeys { fields[key.stringValue] = try container.decode(Value.self, forKey: key) }
            self = .object(fields)
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items: [Value] = []
            if let count = container.count { items.reserveCapacity(count) }
            while !container.isAtEnd { items.append(try container.decode(Value.self)) }
            self = .list(items)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            // Before numbers: a decoder that would read `true` as 1 must not win.
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected null, a boolean, a number, a string, an array or an object")
        }
    }

    /// An object key: any string.
    private struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { stringValue = String(intValue) }
    }
}
