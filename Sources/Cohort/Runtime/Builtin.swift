import Foundation

/// The built-in functions.
package enum Builtin: UInt8, Sendable, Hashable, CaseIterable {
    case bucket, lower, upper, trim, len, semver, time, date, now, days, hours, minutes, number, string, exists

    /// How the function is spelled in rules.
    package var name: String {
        switch self {
        case .bucket: "bucket"
        case .lower: "lower"
        case .upper: "upper"
        case .trim: "trim"
        case .len: "len"
        case .semver: "semver"
        case .time: "time"
        case .date: "date"
        case .now: "now"
        case .days: "days"
        case .hours: "hours"
        case .minutes: "minutes"
        case .number: "number"
        case .string: "string"
        case .exists: "exists"
        }
    }

    /// Looks a function up by name.
    package static let byName: [String: Builtin] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    /// The accepted numbers of arguments.
    package var arity: ClosedRange<Int> {
        switch self {
        case .bucket: 1...3
        case .now: 0...0
        default: 1...1
        }
    }

    /// Arity in words, for diagnostics.
    package var arityText: String {
        switch self {
        case .bucket: "1 to 3 arguments (key, salt, buckets)"
        case .now: "no arguments"
        default: "1 argument"
        }
    }

    /// The types each parameter accepts (nil: any type).
    package func accepts(argument: Int) -> Set<ValueKind>? {
        switch self {
        case .bucket: argument == 0 ? [.string, .number] : argument == 1 ? [.string] : [.number]
        case .lower, .upper, .trim: [.string]
        case .len: [.string, .list, .object]
        case .semver: [.string, .version]
        case .time, .date: [.string, .time]
        case .days, .hours, .minutes: [.number]
        case .number: [.string, .number]
        case .string, .exists, .now: nil
        }
    }

    /// The type of the result.
    package var resultKind: ValueKind {
        switch self {
        case .bucket, .len, .days, .hours, .minutes, .number: .number
        case .lower, .upper, .trim, .string: .string
        case .semver: .version
        case .time, .date, .now: .time
        case .exists: .bool
        }
    }

    /// True when the result depends only on the arguments, so calls on constants fold.
    /// (`now()` depends on the evaluation; `bucket(key)` on the evaluation's default salt.)
    package func isPure(argumentCount: Int) -> Bool {
        switch self {
        case .now: false
        case .bucket: argumentCount >= 2
        default: true
        }
    }

    // MARK: Evaluation

    /// Applies the function to evaluated arguments. `bucket` with one argument is passed the
    /// default salt as its second argument by the caller.
    package func apply(_ args: UnsafeBufferPointer<Value>, now: Instant) throws(Fault) -> Value {
        switch self {
        case .bucket:
            let buckets: Value = args.count > 2 ? args[2] : .number(100)
            return try Builtin.bucket(args[0], salt: args.count > 1 ? args[1] : .string(""), buckets: buckets)
        case .lower: return .string(try string(args[0]).lowercased())
        case .upper: return .string(try string(args[0]).uppercased())
        case .trim:
            let s = try string(args[0])
            let scalars = s.unicodeScalars
            guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return .string("") }
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
            return .string(String(scalars[first...last]))
        case .len:
            switch args[0] {
            case .string(let s): return .number(Double(s.count))
            case .list(let items): return .number(Double(items.count))
            case .object(let fields): return .number(Double(fields.count))
            default: throw Fault.operand("len()", "argument", expected: "a string, list or object", got: args[0])
            }
        case .semver:
            if case .version = args[0] { return args[0] }
            return .version(try Builtin.version(of: args[0]))
        case .time, .date:
            switch args[0] {
            case .time: return args[0]
            case .string(let s):
                let parsed = self == .time ? Instant(timestamp: s) : Instant(date: s)
                guard let t = parsed else {
                    throw Fault(self == .time
                        ? "'\(s)' is not a valid RFC 3339 time (e.g. 2026-12-01T09:00:00Z)"
                        : "'\(s)' is not a valid date (YYYY-MM-DD)", kind: .invalidTime)
                }
                return .time(t)
            default: throw Fault.operand("\(name)()", "argument", expected: "a string", got: args[0])
            }
        case .now: return .time(now)
        case .days, .hours, .minutes:
            guard case .number(let n) = args[0] else {
                throw Fault.operand("\(name)()", "argument", expected: "a number", got: args[0])
            }
            let unit: Double = self == .days ? 86_400 : self == .hours ? 3_600 : 60
            return try Operations.finite(n * unit, "\(name)()")
        case .number:
            switch args[0] {
            case .number: return args[0]
            case .string(let s):
                guard let n = NumberText.parseJSON(Substring(s)) else { throw Fault("'\(s)' is not a number", kind: .invalidNumber) }
                return .number(n)
            default: throw Fault.operand("number()", "argument", expected: "a string or number", got: args[0])
            }
        case .string: return .string(args[0].canonicalText)
        case .exists: return .bool(!args[0].isNull)
        }
    }

    private func string(_ value: Value) throws(Fault) -> String {
        guard case .string(let s) = value else { throw Fault.operand("\(name)()", "argument", expected: "a string", got: value) }
        return s
    }

    /// `semver(value)` as a plain `Version`, for callers that compare it without boxing it
    /// into a `Value`.
    @inline(__always)
    package static func version(of value: Value) throws(Fault) -> Version {
        switch value {
        case .version(let v): return v
        case .string(let s):
            guard let v = Version(s) else { throw Fault("'\(s)' is not a valid semantic version", kind: .invalidVersion) }
            return v
        default: throw Fault.operand("semver()", "argument", expected: "a string", got: value)
        }
    }

    /// `bucket(key, salt, buckets)`: murmur3_x86_32 of `salt:key`, seed 0, modulo `buckets`.
    /// Allocation-free for string keys and integral number keys.
    @inline(__always)
    package static func bucket(_ key: Value, salt: Value, buckets: Value) throws(Fault) -> Value {
        guard case .string(let saltText) = salt else {
            throw Fault.operand("bucket()", "salt", expected: "a string", got: salt)
        }
        guard case .number(let count) = buckets, count >= 1, count <= 4_294_967_296, count.rounded(.towardZero) == count else {
            throw Fault("bucket() needs a positive whole number of buckets up to 2^32")
        }
        guard let index = withShortUTF8Bytes(saltText, { bucketIndex(of: key, salt: $0, buckets: UInt64(count)) }) else {
            throw bucketKeyFault(key)
        }
        return .number(Double(index))
    }

    /// The bucket of `key` under `salt` (UTF-8 bytes), a number key hashed as its canonical
    /// text; nil for a key that is neither a string nor a number. `bucket(...)` and the
    /// exact meaning of a rollout test go through here.
    package static func bucketIndex(of key: Value, salt: UnsafeBufferPointer<UInt8>, buckets: UInt64) -> UInt64? {
        switch key {
        case .string(let s):
            withShortUTF8Bytes(s) { bucketIndex(ofKey: $0, salt: salt, buckets: buckets) }
        case .number(let n):
            NumberText.withCanonicalUTF8(n) { bucketIndex(ofKey: $0.assumingMemoryBound(to: UInt8.self), salt: salt, buckets: buckets) }
        default:
            nil
        }
    }

    /// The one bucket routine: murmur3_x86_32 of `salt:key` (UTF-8 bytes), seed 0, modulo
    /// `buckets`. Out of line, and given bytes rather than strings: inlined, its stack buffer
    /// for the joined bytes would be set up on every run of a program with a rollout test,
    /// taken or not, and a string argument would be retained for the call.
    @inline(never)
    package static func bucketIndex(ofKey key: UnsafeBufferPointer<UInt8>, salt: UnsafeBufferPointer<UInt8>, buckets: UInt64) -> UInt64 {
        UInt64(saltedHash(salt: salt, key: key)) % buckets
    }

    /// `bucketIndex(ofKey:salt:buckets:)` for a key that is a small string, given by its
    /// words: the rollout test's common case, its bytes copied out here rather than in the
    /// VM's frame (where they would cost a stack buffer on every run).
    @inline(never)
    package static func bucketIndex(ofSmallKey key: StringWords, salt: UnsafeBufferPointer<UInt8>, buckets: UInt64) -> UInt64 {
        key.withSmallUTF8 { UInt64(saltedHash(salt: salt, key: $0)) % buckets }
    }

    /// The fault of a bucket key that is neither a string nor a number.
    package static func bucketKeyFault(_ key: Value) -> Fault {
        Fault.operand("bucket()", "key", expected: "a string or number", got: key)
    }
}
