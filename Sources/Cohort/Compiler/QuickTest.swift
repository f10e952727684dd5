/// An operand of a program that is one attribute test or one chain of them, decoded when
/// the program is built for the VM's quick path (`Program.quickOperands`).
///
/// The commonest tests of targeting rules — a number against a bound, an attribute against
/// a short string, membership in a list, `not`, an affix, `exists`, a percentage rollout, an
/// app-version gate, a scheduled release — carry their constant already unpacked (a
/// `Double`, a short string's two words, the set, the affix's or salt's bytes, a version's
/// three numbers, an instant), so the VM answers them inline, without decoding an
/// instruction or reading and copying the constant's value. Each answers only the plain
/// case it is made for (a number attribute for a numeric bound, a string key for a rollout,
/// `5.2.0` for a version gate); anything else — a missing attribute, another type, any
/// other test — gives no quick answer, and the VM runs the operand's instruction instead,
/// which works out the exact outcome.
package enum QuickTest {
    /// `slot < bound`, `<=`, `>`, `>=`, `==`, `!=` for a number attribute.
    case less(slot: UInt32, Double)
    case lessEqual(slot: UInt32, Double)
    case greater(slot: UInt32, Double)
    case greaterEqual(slot: UInt32, Double)
    case numberEqual(slot: UInt32, Double)
    case numberNotEqual(slot: UInt32, Double)
    /// `slot == c` / `slot != c` for a string constant `c` of at most 15 bytes (Swift's small
    /// strings), by its words.
    case stringEqual(slot: UInt32, StringWords)
    case stringNotEqual(slot: UInt32, StringWords)
    /// `slot == true` / `slot == false`.
    case boolEqual(slot: UInt32, Bool)
    /// `slot in [...]`: never anything but a boolean.
    case inSet(slot: UInt32, Unmanaged<ConstantSet>)
    /// `not slot` for a boolean attribute.
    case not(slot: UInt32)
    /// `exists(slot)`: never anything but a boolean.
    case exists(slot: UInt32)
    /// `slot starts_with c` (`prefix`) or `slot ends_with c` for a string attribute; the
    /// bytes of `c` belong to the program.
    case affix(slot: UInt32, UnsafeBufferPointer<UInt8>, prefix: Bool)
    /// `bucket(slot, salt) < bound` for a string key: the salt's bytes belong to the
    /// program; nil is the evaluation's default salt.
    case bucketLess(slot: UInt32, salt: UnsafeBufferPointer<UInt8>?, Double)
    /// `semver(slot) op v` for a constant release version `v` (no pre-release), when the
    /// attribute is a release version and nothing more (`5.2.0`), by its three numbers: the
    /// app-version gate, without building a version.
    case semver(slot: UInt32, BinaryOperator, (UInt64, UInt64, UInt64))
    /// `now() op t`: the scheduled release.
    case now(BinaryOperator, Instant)
    /// A nested chain (a segment's `or` inside a flag's `and`): `all_of` (`decider` false) or
    /// `any_of` of the `count` operands that follow, which take `length` entries with their
    /// own nested chains' operands.
    case chain(decider: Bool, count: Int, length: Int)
    /// Any other operand (a prerequisite flag, a string compared with a constant over 15
    /// bytes or ordered, `contains`, a pre-release version constant): always its instruction.
    case instruction

    /// The quick form of the attribute test `instruction`, whose constants are `constants`
    /// and sets `sets`. `stringBytes` keeps a copy of a constant string's bytes (an affix, a
    /// salt) alive for the program's lifetime and returns it.
    static func decode(_ instruction: Instruction, constants: [Value], sets: [ConstantSet],
                       stringBytes: (String) -> UnsafeBufferPointer<UInt8>) -> QuickTest {
        switch instruction {
        case .slotOperatorConstant(let op, let s, let k):
            switch (op, constants[Int(k)]) {
            case (.less, .number(let x)): return .less(slot: s, x)
            case (.lessEqual, .number(let x)): return .lessEqual(slot: s, x)
            case (.greater, .number(let x)): return .greater(slot: s, x)
            case (.greaterEqual, .number(let x)): return .greaterEqual(slot: s, x)
            case (.notEqual, .number(let x)): return .numberNotEqual(slot: s, x)
            case (.notEqual, .string(let c)) where StringWords(c).isSmall: return .stringNotEqual(slot: s, StringWords(c))
            case (.startsWith, .string(let c)): return .affix(slot: s, stringBytes(c), prefix: true)
            case (.endsWith, .string(let c)): return .affix(slot: s, stringBytes(c), prefix: false)
            default: return .instruction
            }
        case .slotEqualsConstant(let s, let k):
            switch constants[Int(k)] {
            case .string(let c) where StringWords(c).isSmall: return .stringEqual(slot: s, StringWords(c))
            case .bool(let b): return .boolEqual(slot: s, b)
            case .number(let x): return .numberEqual(slot: s, x)
            default: return .instruction
            }
        case .slotInSet(let s, let k): return .inSet(slot: s, Unmanaged.passUnretained(sets[Int(k)]))
        case .bucketLess(let s, let saltOperand, let k):
            guard case .number(let bound) = constants[Int(k)] else { return .instruction }
            if saltOperand == Instruction.defaultSaltOperand { return .bucketLess(slot: s, salt: nil, bound) }
            guard case .string(let salt) = constants[Int(saltOperand)] else { return .instruction }
            return .bucketLess(slot: s, salt: stringBytes(salt), bound)
        case .semverCompare(let op, let s, let k):
            guard case .version(let v) = constants[Int(k)], v.prerelease.isEmpty, Instruction.isOrderComparison(op) else {
                return .instruction
            }
            return .semver(slot: s, op, (v.major, v.minor, v.patch))
        case .nowCompare(let op, let k):
            guard case .time(let t) = constants[Int(k)], Instruction.isOrderComparison(op) else { return .instruction }
            return .now(op, t)
        case .slotNot(let s): return .not(slot: s)
        case .slotExists(let s): return .exists(slot: s)
        default: return .instruction
        }
    }
}

/// One operand of a program's quick path: its quick test, and the position of its
/// instruction (an attribute test, or a nested chain's `all_of`/`any_of`) in the code.
package struct QuickOperand {
    package var test: QuickTest
    package var pc: Int

    /// The `count` operands of the chain of tests in `code` (whose constants and sets are
    /// `constants` and `sets`) that starts at `first`, in order, each nested chain's operands
    /// after it. A single test is a chain of one. `stringBytes` as for `QuickTest.decode`.
    static func operands(of code: [Instruction], from first: Int, count: Int, constants: [Value], sets: [ConstantSet],
                         stringBytes: (String) -> UnsafeBufferPointer<UInt8>) -> [QuickOperand] {
        var operands: [QuickOperand] = []
        func append(chainFrom first: Int, count: Int) {
            var at = first
            for _ in 0..<count {
                switch code[at] {
                case .allOf(let n, let end), .anyOf(let n, let end):
                    let index = operands.count
                    operands.append(QuickOperand(test: .instruction, pc: at))
                    append(chainFrom: at + 1, count: Int(n))
                    operands[index].test = .chain(decider: code[at].decidesOn, count: Int(n), length: operands.count - index - 1)
                    at = Int(end) + 1
                default:
                    operands.append(QuickOperand(test: QuickTest.decode(code[at], constants: constants, sets: sets, stringBytes: stringBytes),
                                                 pc: at))
                    at += 2
                }
            }
        }
        append(chainFrom: first, count: count)
        return operands
    }
}
