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

    // MARK: Tests (the specialised forms; each equals the plain code of its test)
    /// `→ the outcome of tests[k]`: one attribute test, decoded (see `DecodedTest`), or the value
    /// of a prerequisite flag.
    case test(UInt32)
    /// The fast path of an `and`/`or` chain whose operands are each one test or a nested
    /// chain: `tests[k]` is the chain's entry (`all_of` or `any_of`), its operands' entries
    /// follow it, and the chain's plain code follows this instruction, each operand followed
    /// by its link. When every operand run gives a plain boolean, this pushes the chain's
    /// value and jumps to `end`, past that code: one dispatch for the chain, no stack
    /// traffic per operand. Otherwise (an error, a non-boolean) it falls through, and the
    /// plain code works out the exact value or error.
    case chain(UInt32, end: UInt32)
}

extension Instruction {
    /// This instruction with a jump target at or after `position` moved one further, for an
    /// instruction inserted at `position`; and with a test index at or after `test` moved
    /// one further, for a test entry inserted at `test`.
    package func shifted(past position: Int, test: Int) -> Instruction {
        let p = UInt32(position), t = UInt32(test)
        switch self {
        case .andTest(let target) where target >= p: return .andTest(target: target + 1)
        case .orTest(let target) where target >= p: return .orTest(target: target + 1)
        case .test(let k) where k >= t: return .test(k + 1)
        case .chain(let k, let end): return .chain(k >= t ? k + 1 : k, end: end >= p ? end + 1 : end)
        default: return self
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
        case .test: "test"
        case .chain: "chain"
        }
    }

    /// Net change of the stack height.
    package var stackEffect: Int {
        switch self {
        case .constant, .slot, .defaultSalt, .test: 1
        case .member, .not, .negate, .inSet, .matches, .andTest, .orTest: 0
        case .index, .andCombine, .orCombine, .add, .subtract, .multiply, .divide, .remainder, .equal, .notEqual,
            .less, .lessEqual, .greater, .greaterEqual, .inList, .contains, .containsAny, .containsAll, .startsWith,
            .endsWith:
            -1
        // Counted as the fall-through: the jump to `end` pushes the one value the chain's
        // own code would leave there.
        case .chain: 0
        case .makeList(let n): 1 - Int(n)
        case .call(_, let n): 1 - Int(n)
        }
    }
}
