/// One test of an attribute (or of the time, or a prerequisite flag), decoded when the
/// program is compiled: the one specialised form of Cohort's bytecode.
///
/// Targeting rules are mostly chains of such tests: a number against a bound, an attribute
/// against a string, membership in a list, `not`, an affix, `exists`, a percentage
/// rollout, an app-version gate, a scheduled release. The compiler emits each as one
/// `test` instruction naming its entry in `Program.tests`, with its constant already
/// unpacked here (a `Double`, a short string's two words, a version's three numbers, an
/// instant), so the VM answers the plain case inline without reading or copying a
/// `Value` — the idea of Lua's `OP_EQK` and `OP_LTI` operand forms. An `all_of`/`any_of`
/// chain is an entry too, followed by its operands' entries, so the VM's one walker runs a
/// chain from this table alone.
///
/// Each test also has an exact meaning for any value (`value(of:…)`), the general
/// operation it stands for: the VM falls back to it for anything the inline answer does not
/// cover (another type, a missing attribute, a long string), and the compiler's plain form
/// (`CompileOptions.fusesTests = false`) is the reference the differential tests compare.
package enum DecodedTest: Sendable, Hashable {
    // MARK: Numbers
    /// `slot < bound`; inline for a number attribute.
    case less(slot: UInt32, Double)
    /// `slot <= bound`
    case lessEqual(slot: UInt32, Double)
    /// `slot > bound`
    case greater(slot: UInt32, Double)
    /// `slot >= bound`
    case greaterEqual(slot: UInt32, Double)
    /// `slot == bound`: never an error.
    case numberEquals(slot: UInt32, Double)
    /// `slot != bound`: never an error.
    case numberNotEquals(slot: UInt32, Double)

    // MARK: Equality
    /// `slot == c` for a string constant `c` of at most 15 bytes (a Swift small string), by
    /// its two words; never an error.
    case stringEquals(slot: UInt32, StringWords)
    /// `slot != c` for a small string constant.
    case stringNotEquals(slot: UInt32, StringWords)
    /// `slot == true` / `slot == false`.
    case boolEquals(slot: UInt32, Bool)
    /// `slot == constants[k]` for any other constant (a long string, null, a list…).
    case equals(slot: UInt32, constant: UInt32)
    /// `slot != constants[k]`
    case notEquals(slot: UInt32, constant: UInt32)
    /// `slot op constants[k]` for an order comparison with a constant that is not a number
    /// (strings by scalar values, and the like).
    case compare(slot: UInt32, Comparison, constant: UInt32)

    // MARK: Membership and strings
    /// `slot in sets[k]`: never an error.
    case inSet(slot: UInt32, set: UInt32)
    /// `slot contains constants[k]`
    case contains(slot: UInt32, constant: UInt32)
    /// `slot starts_with constants[k]` (`prefix`) or `slot ends_with constants[k]`; inline
    /// by bytes for a string attribute.
    case affix(slot: UInt32, constant: UInt32, prefix: Bool)

    // MARK: Booleans and presence
    /// `not slot`; inline for a boolean attribute.
    case not(slot: UInt32)
    /// `exists(slot)`: never an error.
    case exists(slot: UInt32)

    // MARK: Rollouts, versions, time
    /// `bucket(slot, salt) < bound` with 100 buckets: the percentage rollout. `salt` is the
    /// constant holding the salt, or `DecodedTest.defaultSalt` for the evaluation's default salt.
    case bucketLess(slot: UInt32, salt: UInt32, bound: Double)
    /// `semver(slot) op constants[k]` for a version constant `k`: the app-version gate.
    /// When the constant has no pre-release part (`Program.constantReleases[k]`), an
    /// attribute that is a plain `x.y.z` is compared by its three numbers, without building
    /// a version.
    case semver(slot: UInt32, Comparison, constant: UInt32)
    /// `now() op t` for a time constant: the scheduled release. Never an error.
    case now(Comparison, Instant)

    // MARK: Rule files and chains
    /// The value prerequisite flag `flags[k]` serves (usually a boolean).
    case flag(UInt32)
    /// `all_of` (`decider` false) or `any_of` (true) of the `count` tests that follow, which
    /// take `length` entries with their own nested chains' entries.
    case chain(decider: Bool, count: UInt32, length: UInt32)

    /// The `salt` of `bucketLess` that stands for the evaluation's default salt.
    package static let defaultSalt = UInt32.max

    /// The attribute slot the test reads; nil for `now`, `flag` and `chain`.
    package var slot: UInt32? {
        switch self {
        case .less(let s, _), .lessEqual(let s, _), .greater(let s, _), .greaterEqual(let s, _), .numberEquals(let s, _),
            .numberNotEquals(let s, _), .stringEquals(let s, _), .stringNotEquals(let s, _), .boolEquals(let s, _),
            .equals(let s, _), .notEquals(let s, _), .compare(let s, _, _), .inSet(let s, _), .contains(let s, _),
            .affix(let s, _, _), .not(let s), .exists(let s), .bucketLess(let s, _, _), .semver(let s, _, _):
            s
        case .now, .flag, .chain:
            nil
        }
    }

    /// True for the percentage-rollout test: a user it decides got the arm by the hash
    /// (the `split` reason).
    package var isBucket: Bool {
        if case .bucketLess = self { return true }
        return false
    }

    /// The value of this attribute test when its attribute holds `value` (null when
    /// missing), or its fault: the general operation the test stands for, which its inline
    /// answers must equal. Not for `now`, `flag` or `chain`, which the VM answers from the
    /// evaluation (nil here).
    ///
    /// - Parameters:
    ///   - constants: the program's constants.
    ///   - sets: the program's constant sets.
    ///   - defaultSalt: the evaluation's default `bucket` salt.
    package func value(of value: Value, constants: UnsafeBufferPointer<Value>, sets: UnsafeBufferPointer<Unmanaged<ConstantSet>>,
                       defaultSalt: UnsafeBufferPointer<UInt8>) throws(Fault) -> Value? {
        switch self {
        case .less(_, let x): return .bool(try Comparison.less.apply(value, .number(x)))
        case .lessEqual(_, let x): return .bool(try Comparison.lessEqual.apply(value, .number(x)))
        case .greater(_, let x): return .bool(try Comparison.greater.apply(value, .number(x)))
        case .greaterEqual(_, let x): return .bool(try Comparison.greaterEqual.apply(value, .number(x)))
        case .numberEquals(_, let x): return .bool(value == .number(x))
        case .numberNotEquals(_, let x): return .bool(value != .number(x))
        case .stringEquals(_, let words): return .bool(value == .string(words.string))
        case .stringNotEquals(_, let words): return .bool(value != .string(words.string))
        case .boolEquals(_, let b): return .bool(value == .bool(b))
        case .equals(_, let k): return .bool(value == constants[Int(k)])
        case .notEquals(_, let k): return .bool(value != constants[Int(k)])
        case .compare(_, let op, let k): return .bool(try op.apply(value, constants[Int(k)]))
        case .inSet(_, let k): return .bool(sets[Int(k)]._withUnsafeGuaranteedRef { $0.contains(value) })
        case .contains(_, let k): return .bool(try Operations.contains(value, constants[Int(k)]))
        case .affix(_, let k, let prefix): return .bool(try Operations.affix(value, constants[Int(k)], prefix: prefix))
        case .not: return try Operations.not(value)
        case .exists: return .bool(!value.isNull)
        case .bucketLess(_, let salt, let bound):
            let index: UInt64?
            if salt == DecodedTest.defaultSalt {
                index = Builtin.bucketIndex(of: value, salt: defaultSalt, buckets: 100)
            } else if case .string(let text) = constants[Int(salt)] {
                index = withShortUTF8Bytes(text) { Builtin.bucketIndex(of: value, salt: $0, buckets: 100) }
            } else {
                index = nil
            }
            guard let index else { throw Builtin.bucketKeyFault(value) }
            return .bool(Double(index) < bound)
        case .semver(_, let op, let k):
            guard case .version(let bound) = constants[Int(k)] else { return nil }
            return .bool(op.holds(order: Version.compare(try Builtin.version(of: value), bound)))
        case .now, .flag, .chain:
            return nil
        }
    }
}
