/// One bytecode instruction. Operands are indices into the program's tables or absolute
/// jump targets. "Stack" notes read `before → after`, top of stack on the right.
///
/// Every operation propagates an error operand: if an input is an error value, the output is
/// that error (the first one, left to right) — except `and`/`or`, which absorb an error when
/// the other side decides the answer.
package enum Instruction: Sendable, Hashable {
    // MARK: Loads
    /// `→ constants[k]`
    case constant(UInt32)
    /// `→ slots[s]`: the value of a bound attribute path.
    case slot(UInt32)
    /// `→ salt`: the default `bucket` salt of this evaluation.
    case defaultSalt

    // MARK: Access
    /// `object → object.name`, the name being `constants[k]`; null if not an object.
    case member(UInt32)
    /// `container index → container[index]`; null when it does not resolve.
    case index
    /// `v1 … vn → [v1, …, vn]`
    case makeList(UInt32)

    // MARK: Logic
    /// `b → not b`; a non-boolean is an error.
    case not
    /// `a → a`, then jump to `target` if `a` is false; otherwise fall through keeping `a`.
    case andTest(target: UInt32)
    /// `a b → a and b` where `a` is true or an error (absorption applies).
    case andCombine
    /// `a → a`, then jump to `target` if `a` is true; otherwise fall through keeping `a`.
    case orTest(target: UInt32)
    /// `a b → a or b` where `a` is false or an error (absorption applies).
    case orCombine
    /// `a b → a and b` as `and_combine`, then `and_test target`: the link between two middle
    /// operands of a chain, in one dispatch instead of two.
    case andStep(target: UInt32)
    /// `a b → a or b` as `or_combine`, then `or_test target`.
    case orStep(target: UInt32)

    // MARK: Arithmetic
    /// `a → -a`
    case negate
    /// `a b → a + b` (numbers, strings, time ± number)
    case add
    /// `a b → a - b` (numbers, time - time, time - number)
    case subtract
    /// `a b → a * b`
    case multiply
    /// `a b → a / b`; division by zero is an error.
    case divide
    /// `a b → a % b`; sign of the dividend.
    case remainder

    // MARK: Comparison
    /// `a b → a == b`; never an error unless an operand is one.
    case equal
    /// `a b → a != b`
    case notEqual
    /// `a b → a < b`
    case less
    /// `a b → a <= b`
    case lessEqual
    /// `a b → a > b`
    case greater
    /// `a b → a >= b`
    case greaterEqual

    // MARK: Membership and strings
    /// `x list → x in list`
    case inList
    /// `x → x in sets[k]`: membership in a constant list, by hashing.
    case inSet(UInt32)
    /// `a b → a contains b`
    case contains
    /// `a list → a contains_any list`
    case containsAny
    /// `a list → a contains_all list`
    case containsAll
    /// `a b → a starts_with b`
    case startsWith
    /// `a b → a ends_with b`
    case endsWith
    /// `s → s matches regexes[k]`
    case matches(UInt32)

    // MARK: Calls
    /// `a1 … an → f(a1, …, an)`
    case call(Builtin, argumentCount: UInt8)

    // MARK: Rule files
    /// `→ served value of flags[k]`: a prerequisite flag, evaluated with its own salt; an
    /// error inside it yields that flag's default, as when it is evaluated on its own.
    case flag(UInt32)

    // MARK: Specialised (fused common shapes; each equals the sequence in its comment)
    /// `→ slots[s] == constants[k]` (`slot s; constant k; equal`)
    case slotEqualsConstant(slot: UInt32, constant: UInt32)
    /// `→ slots[s] in sets[k]` (`slot s; inSet k`)
    case slotInSet(slot: UInt32, set: UInt32)
    /// `→ slots[s] op constants[k]` (`slot s; constant k; op`) for a comparison other than
    /// `==`, or `contains`/`starts_with`/`ends_with`.
    case slotOperatorConstant(BinaryOperator, slot: UInt32, constant: UInt32)
    /// `→ bucket(slots[s], salt) < constants[bound]` (`slot s; salt; call bucket/2;
    /// constant bound; less`): the percentage-rollout test. The salt is `constants[salt]`, or
    /// the evaluation's default salt when `salt` is `Instruction.defaultSaltOperand`.
    case bucketLess(slot: UInt32, salt: UInt32, bound: UInt32)
    /// `→ semver(slots[s]) op constants[k]` (`slot s; call semver/1; constant k; op`) for a
    /// comparison with a version constant: the release-gate test, without boxing a version.
    case semverCompare(BinaryOperator, slot: UInt32, constant: UInt32)
    /// `→ not slots[s]` (`slot s; not`): the opt-out test.
    case slotNot(UInt32)
    /// `→ exists(slots[s])` (`slot s; call exists/1`): the guard before a test of an
    /// attribute some records lack. Never an error.
    case slotExists(UInt32)
    /// `→ now() op constants[k]` (`call now/0; constant k; op`) for a comparison with a time
    /// constant: the scheduled-release test. Never an error.
    case nowCompare(BinaryOperator, constant: UInt32)

    // MARK: Chains of fused tests
    /// The fast path of an `and` chain whose `count` operands are each one attribute test
    /// (the instructions above) or a chain with its own prefix. The chain's ordinary code
    /// follows this instruction, each operand followed by its link. When every operand run
    /// gives a plain boolean, this pushes the chain's value and jumps to `end`, past that
    /// code: one dispatch for the chain, no stack traffic per operand. Otherwise (an error,
    /// a non-boolean) it falls through, and the ordinary code works out the exact value or
    /// error.
    case allOf(count: UInt32, end: UInt32)
    /// `allOf` for an `or` chain.
    case anyOf(count: UInt32, end: UInt32)
}

extension Instruction {
    /// The `salt` operand of `bucketLess` that stands for the evaluation's default salt.
    package static let defaultSaltOperand = UInt32.max

    /// `==`, `!=`, `<`, `<=`, `>`, `>=`: the comparisons `semverCompare` and `nowCompare`
    /// fuse, which `Operations.holds` decides from the order of the two operands.
    package static func isOrderComparison(_ op: BinaryOperator) -> Bool {
        switch op {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: true
        default: false
        }
    }

    /// This instruction with a jump target at or after `position` moved one further, for an
    /// instruction inserted at `position`.
    package func jumpingPast(_ position: Int) -> Instruction {
        let p = UInt32(position)
        switch self {
        case .andTest(let t) where t >= p: return .andTest(target: t + 1)
        case .orTest(let t) where t >= p: return .orTest(target: t + 1)
        case .andStep(let t) where t >= p: return .andStep(target: t + 1)
        case .orStep(let t) where t >= p: return .orStep(target: t + 1)
        case .allOf(let n, let t) where t >= p: return .allOf(count: n, end: t + 1)
        case .anyOf(let n, let t) where t >= p: return .anyOf(count: n, end: t + 1)
        default: return self
        }
    }

    /// The value that decides a chain: false for `all_of`, true for `any_of`.
    package var decidesOn: Bool {
        if case .anyOf = self { return true }
        return false
    }

    /// True for the fused instructions that test one attribute and push one value, and for
    /// `now_cmp` and `flag` (a prerequisite's value, usually a boolean): the operands an
    /// `allOf`/`anyOf` chain runs on its fast path, and the programs answered without the
    /// interpreter.
    package var isAttributeTest: Bool {
        switch self {
        case .slotEqualsConstant, .slotInSet, .slotOperatorConstant, .bucketLess, .semverCompare, .slotNot, .slotExists, .nowCompare,
             .flag:
            true
        default: false
        }
    }

    /// The operators `slotOperatorConstant` fuses: the cheap tests rules put on attributes.
    package static func fuses(_ op: BinaryOperator) -> Bool {
        switch op {
        case .notEqual, .less, .lessEqual, .greater, .greaterEqual, .contains, .startsWith, .endsWith: true
        default: false
        }
    }
}

extension Instruction {
    /// The mnemonic printed by the disassembler.
    package var mnemonic: String {
        switch self {
        case .constant: "constant"
        case .slot: "slot"
        case .defaultSalt: "default_salt"
        case .member: "member"
        case .index: "index"
        case .makeList: "make_list"
        case .not: "not"
        case .andTest: "and_test"
        case .andCombine: "and_combine"
        case .orTest: "or_test"
        case .orCombine: "or_combine"
        case .andStep: "and_step"
        case .orStep: "or_step"
        case .negate: "negate"
        case .add: "add"
        case .subtract: "subtract"
        case .multiply: "multiply"
        case .divide: "divide"
        case .remainder: "remainder"
        case .equal: "equal"
        case .notEqual: "not_equal"
        case .less: "less"
        case .lessEqual: "less_equal"
        case .greater: "greater"
        case .greaterEqual: "greater_equal"
        case .inList: "in_list"
        case .inSet: "in_set"
        case .contains: "contains"
        case .containsAny: "contains_any"
        case .containsAll: "contains_all"
        case .startsWith: "starts_with"
        case .endsWith: "ends_with"
        case .matches: "matches"
        case .call: "call"
        case .flag: "flag"
        case .slotEqualsConstant: "slot_eq_const"
        case .slotInSet: "slot_in_set"
        case .slotOperatorConstant: "slot_op_const"
        case .bucketLess: "bucket_lt"
        case .semverCompare: "semver_cmp"
        case .slotNot: "slot_not"
        case .slotExists: "slot_exists"
        case .nowCompare: "now_cmp"
        case .allOf: "all_of"
        case .anyOf: "any_of"
        }
    }

    /// Net change of the stack height.
    package var stackEffect: Int {
        switch self {
        case .constant, .slot, .defaultSalt, .slotEqualsConstant, .slotInSet, .slotOperatorConstant, .bucketLess, .semverCompare, .slotNot,
            .slotExists, .nowCompare, .flag: 1
        case .member, .not, .negate, .inSet, .matches, .andTest, .orTest: 0
        case .index, .andCombine, .orCombine, .andStep, .orStep, .add, .subtract, .multiply, .divide, .remainder, .equal, .notEqual,
            .less, .lessEqual, .greater, .greaterEqual, .inList, .contains, .containsAny, .containsAll, .startsWith,
            .endsWith:
            -1
        // Counted as the fall-through: the jump to `end` pushes the one value the chain's
        // own code would leave there.
        case .allOf, .anyOf: 0
        case .makeList(let n): 1 - Int(n)
        case .call(_, let n): 1 - Int(n)
        }
    }
}
