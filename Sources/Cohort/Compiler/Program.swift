/// Compiled bytecode for one expression: immutable, `Sendable`, safe to run from many
/// threads at once.
///
/// A class, so that handing a program around (flags hold one per arm, and evaluate
/// prerequisites by their programs) costs one reference count, not one per table.
package final class Program: @unchecked Sendable {
    // @unchecked: besides its arrays, a program holds raw copies of the tables the VM reads
    // on every instruction, written once in `init` and only read after. The VM reads those,
    // because arrays held by a class are retained and released around each use — an atomic
    // write to shared memory on every evaluation, which also makes threads contend.

    /// The instructions.
    package let code: [Instruction]
    /// The source span of each instruction, so a run-time error points at its sub-expression.
    package let spans: [SourceSpan]
    /// Constant values referred to by `constant` and `member`.
    package let constants: [Value]
    /// Constant sets for `in [..]` membership.
    package let sets: [ConstantSet]
    /// Compiled patterns for `matches`.
    package let regexes: [RegexPattern]
    /// Prerequisite flags this program reads with the `flag` instruction.
    package let flags: [FlagProgram]
    /// The largest stack height the code reaches; the VM allocates exactly this much.
    package let maxStack: Int
    /// The value, when the program is a single constant (the VM then returns it directly).
    package let constantValue: Value?
    /// `constantValue != nil`, as a plain flag: the VM tests it first on every run, and
    /// reading the optional value itself copies it.
    package let isConstant: Bool
    /// What the whole program is, when the VM can answer it without its interpreter.
    package let shape: Shape

    /// Programs the VM answers directly (see `VM.run`).
    package enum Shape: Sendable, Equatable {
        /// Anything else: run by the interpreter.
        case general
        /// A single attribute test (`slot_eq_const`, `bucket_lt`, …).
        case test
        /// An `all_of` (`decider` false) or `any_of` (true) chain of `count` operands, and
        /// its code, and nothing after it.
        case chain(decider: Bool, count: Int)
        /// The value of one attribute (a boolean attribute as a flag's condition).
        case attribute(slot: UInt32)
    }
    /// The most instructions one run can execute: its own (each runs at most once; jumps
    /// only go forward) plus the full cost of every prerequisite flag it evaluates, once per
    /// reference (a single evaluation does not memoise them; for `cohort batch`, which does,
    /// this is the worst case). Saturates instead of overflowing: flags that each use the
    /// one before several times grow it exponentially, and `Limits.maxEvaluationCost`
    /// refuses them.
    package let evaluationCost: Int

    /// A program from the compiler's tables.
    package init(_ parts: Parts) {
        code = parts.code
        spans = parts.spans
        constants = parts.constants
        sets = parts.sets
        regexes = parts.regexes
        flags = parts.flags
        maxStack = parts.maxStack
        evaluationCost = parts.flags.reduce(parts.code.count) { saturatingAdd($0, $1.evaluationCost) }
        codeBuffer = Self.rawCopy(code)
        constantBuffer = Self.rawCopy(constants)
        setBuffer = Self.rawCopy(sets.map { Unmanaged.passUnretained($0) })
        flagMemoSlots = Self.rawCopy(flags.map(\.memoSlot))
        // Each attribute test's outcome for a missing attribute. None of them depends on the
        // salt or the time when the attribute is null.
        let constantBuffer = self.constantBuffer
        missingOutcomes = Self.rawCopy(parts.code.indices.map { pc -> Cell in
            switch parts.code[pc] {
            case .slotOperatorConstant, .slotNot, .semverCompare, .bucketLess:
                do throws(Fault) {
                    return .value(try VM.slotTest(parts.code[pc], .null, constants: constantBuffer, salt: UnsafeBufferPointer(start: nil, count: 0)))
                } catch {
                    return .error(RuntimeFault(message: error.message, span: parts.spans[pc]))
                }
            default:
                return .value(.null)
            }
        })
        if code.count == 1, case .constant(let k) = code[0] {
            constantValue = constants[Int(k)]
        } else {
            constantValue = nil
        }
        isConstant = constantValue != nil
        switch code.first {
        case let first? where code.count == 1 && first.isAttributeTest:
            shape = .test
        case .allOf(let count, let end)? where Int(end) == code.count, .anyOf(let count, let end)? where Int(end) == code.count:
            shape = .chain(decider: code[0].decidesOn, count: Int(count))
        case .slot(let s)? where code.count == 1:
            shape = .attribute(slot: s)
        default:
            shape = .general
        }
        // The quick path's chain: a single test is a chain of one.
        let first: Int
        switch shape {
        case .chain(let decider, let count): (quickDecider, first, quickCount) = (decider, 1, count)
        case .test: (quickDecider, first, quickCount) = (false, 0, 1)
        case .general, .attribute: (quickDecider, first, quickCount) = (false, 0, 0)
        }
        var bytes: [UnsafeMutableBufferPointer<UInt8>] = []
        quickOperands = Self.rawCopy(QuickOperand.operands(of: parts.code, from: first, count: quickCount, constants: parts.constants,
                                                           sets: parts.sets) { text in
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(text.utf8.count, 1))
            _ = copy.initialize(from: text.utf8)
            bytes.append(copy)
            return UnsafeBufferPointer(start: copy.baseAddress, count: text.utf8.count)
        })
        quickConstantBytes = bytes
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: missingOutcomes).deinitialize().deallocate()
        codeBuffer.deallocate()
        UnsafeMutableBufferPointer(mutating: constantBuffer).deinitialize().deallocate()
        setBuffer.deallocate()
        flagMemoSlots.deallocate()
        quickOperands.deallocate()
        for bytes in quickConstantBytes { bytes.deallocate() }
    }

    /// `code`, for the VM.
    package let codeBuffer: UnsafeBufferPointer<Instruction>
    /// `constants`, for the VM.
    package let constantBuffer: UnsafeBufferPointer<Value>
    /// `sets` without reference counting, for the VM; `sets` keeps them alive.
    package let setBuffer: UnsafeBufferPointer<Unmanaged<ConstantSet>>
    /// The memo slot of each of `flags`, for the VM: a chain reads a prerequisite the batch
    /// evaluator remembered without touching the flag's reference count.
    package let flagMemoSlots: UnsafeBufferPointer<Int>
    /// The operands of a `.test` program (its test) or a `.chain` program (the chain's, and
    /// after each nested chain its own), in order, decoded for the VM's quick path; empty
    /// for other shapes.
    package let quickOperands: UnsafeBufferPointer<QuickOperand>
    /// The value that decides the quick path's chain: `any_of`'s true, `all_of`'s false (and
    /// false for a single test, a chain of one). Like `quickCount`, it restates `shape`: the
    /// VM reads both on every run, and plain fields are cheaper to read than the enum's payload.
    package let quickDecider: Bool
    /// The number of operands of the quick path's chain (1 for a single test); its nested
    /// chains' operands follow theirs in `quickOperands`.
    package let quickCount: Int
    /// The bytes of the string constants of `quickOperands` (affixes, salts).
    private let quickConstantBytes: [UnsafeMutableBufferPointer<UInt8>]
    /// For each instruction that tests one attribute, its outcome when the attribute is
    /// missing (null) — most often an error value, built once here rather than on every
    /// evaluation of a record with a gap. Other instructions hold a placeholder.
    package let missingOutcomes: UnsafeBufferPointer<Cell>

    private static func rawCopy<T>(_ array: [T]) -> UnsafeBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(array.count, 1))
        _ = buffer.initialize(from: array)
        return UnsafeBufferPointer(start: buffer.baseAddress, count: array.count)
    }

    /// A program that just yields a constant.
    package convenience init(constant value: Value, span: SourceSpan) {
        var parts = Parts()
        parts.constants = [value]
        parts.code = [.constant(0)]
        parts.spans = [span]
        parts.maxStack = 1
        self.init(parts)
    }

    /// The tables of a program while the compiler fills them.
    package struct Parts {
        package var code: [Instruction] = []
        package var spans: [SourceSpan] = []
        package var constants: [Value] = []
        package var sets: [ConstantSet] = []
        package var regexes: [RegexPattern] = []
        package var flags: [FlagProgram] = []
        package var maxStack = 0

        package init() {}
    }
}

/// `a + b` for non-negative costs, capped at `Int.max` instead of trapping on overflow.
package func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : sum
}
