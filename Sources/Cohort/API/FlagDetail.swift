/// A flag's evaluation as a service reports it: the value, the variant, the reason and any
/// error, shaped so that an OpenFeature provider is a thin mapping (docs/openfeature.md).
///
/// The typed getters (`Ruleset.bool(_:in:default:)` …) never throw: a flag that does not
/// exist, or that serves another type than asked, gives the caller's default, and the
/// detail says why (`errorCode`).
public struct FlagDetail: Sendable, Hashable, Encodable {
    /// The flag's name.
    public var flag: String
    /// The value served: the flag's own (its default after an error), or the caller's
    /// default when the flag does not exist or serves another type than asked.
    public var value: Value
    /// The arm that served: its `as NAME`, else `rule-N` (N the 0-based `when` index) or
    /// `default`; nil when the flag does not exist.
    public var variant: String?
    /// Why: `static`, `match`, `split`, `default` or `error`.
    public var reason: Reason.Kind
    /// The 0-based index of the `when` that served, for `match` and `split`.
    public var ruleIndex: Int?
    /// The source line of that `when`, or of the failing sub-expression for an error.
    public var line: Int?
    /// What went wrong, when something did.
    public var errorCode: FlagErrorCode?
    /// The error's message, for a person.
    public var errorMessage: String?
    /// The evaluation error, with its kind, span and attribute path, when the flag's rule
    /// failed (`errorCode` `general`).
    public var error: EvaluationError?

    /// A detail with every part given.
    public init(flag: String, value: Value, variant: String?, reason: Reason.Kind, ruleIndex: Int? = nil, line: Int? = nil,
                errorCode: FlagErrorCode? = nil, errorMessage: String? = nil, error: EvaluationError? = nil) {
        self.flag = flag
        self.value = value
        self.variant = variant
        self.reason = reason
        self.ruleIndex = ruleIndex
        self.line = line
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.error = error
    }

    private enum CodingKeys: String, CodingKey {
        case flag, value, variant, reason, ruleIndex, line, errorCode, errorMessage
    }

    /// Encodes the detail as JSON-shaped data (the value as JSON; versions and times as
    /// their canonical strings); absent parts are left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(flag, forKey: .flag)
        try container.encode(JSONFragment(value), forKey: .value)
        try container.encodeIfPresent(variant, forKey: .variant)
        try container.encode(reason.rawValue, forKey: .reason)
        try container.encodeIfPresent(ruleIndex, forKey: .ruleIndex)
        try container.encodeIfPresent(line, forKey: .line)
        try container.encodeIfPresent(errorCode, forKey: .errorCode)
        try container.encodeIfPresent(errorMessage, forKey: .errorMessage)
    }
}

/// Why a flag's evaluation did not give the flag's own value, in OpenFeature's terms.
public enum FlagErrorCode: String, Sendable, Hashable, Codable {
    /// No flag of that name: the caller's default is served.
    case flagNotFound
    /// The flag serves another type than the getter asked for: the caller's default.
    case typeMismatch
    /// The context could not be read (invalid JSON).
    case parseError
    /// The flag's rule failed (an error value): the flag's default is served.
    case general
}

/// Every flag's evaluation for one context, for a front end (like LaunchDarkly's
/// `allFlagsState`): encodes as `{"flags": {"<flag>": {"value": …, "variant": …, "reason":
/// …}}}`.
public struct FlagsState: Sendable, Hashable, Encodable {
    /// Each flag's detail, in declaration order.
    public var details: [FlagDetail]

    /// The detail of one flag.
    public subscript(flag: String) -> FlagDetail? { details.first { $0.flag == flag } }

    /// The values alone, by flag.
    public var values: [String: Value] { Dictionary(details.map { ($0.flag, $0.value) }, uniquingKeysWith: { first, _ in first }) }

    public init(details: [FlagDetail]) {
        self.details = details
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes `{"flags": {"<flag>": <detail without its name>, ...}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        var flags = container.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: "flags"))
        for detail in details {
            var entry = flags.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: detail.flag))
            try entry.encode(JSONFragment(detail.value), forKey: Key(stringValue: "value"))
            try entry.encodeIfPresent(detail.variant, forKey: Key(stringValue: "variant"))
            try entry.encode(detail.reason.rawValue, forKey: Key(stringValue: "reason"))
            try entry.encodeIfPresent(detail.ruleIndex, forKey: Key(stringValue: "ruleIndex"))
            try entry.encodeIfPresent(detail.errorCode, forKey: Key(stringValue: "errorCode"))
            try entry.encodeIfPresent(detail.errorMessage, forKey: Key(stringValue: "errorMessage"))
        }
    }
}

/// A `Value` encoded as the JSON it is (null, booleans, numbers, strings, lists, objects;
/// versions and times as their canonical strings), through any `Encoder`.
package struct JSONFragment: Encodable {
    package let value: Value
    package init(_ value: Value) { self.value = value }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    package func encode(to encoder: any Encoder) throws {
        switch value {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .number(let x):
            var c = encoder.singleValueContainer()
            try c.encode(x)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .version, .time:
            var c = encoder.singleValueContainer()
            try c.encode(value.canonicalText)
        case .list(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(JSONFragment(item)) }
        case .object(let fields):
            var c = encoder.container(keyedBy: Key.self)
            for (key, item) in fields.sorted(by: { $0.key < $1.key }) { try c.encode(JSONFragment(item), forKey: Key(stringValue: key)) }
        }
    }
}
