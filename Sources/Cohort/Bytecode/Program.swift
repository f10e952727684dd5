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
    /// Constant values referred to by `constant`, `member` and tests.
    package let constants: [Value]
    /// Constant sets for `in [..]` membership.
    package let sets: [ConstantSet]
    /// Compiled patterns for `matches`.
    package let regexes: [RegexPattern]
    /// Prerequisite flags this program reads through its `flag` tests.
    package let flags: [FlagProgram]
    /// The decoded tests the `test` and `chain` instructions name (see `DecodedTest`).
    package let tests: [DecodedTest]
    /// The source span of each test, where its errors point.
    package let testSpans: [SourceSpan]
    /// For each instruction, the attribute slot one of its operands reads directly (-1:
    /// none), so an error it raises names the attribute (`EvaluationError.path`).
    package let operandSlots: [Int32]
    /// The largest stack height the code reaches; the VM allocates exactly this much.
    package let maxStack: Int
    /// The value, when the program is a single constant (the VM then returns it directly).
    package let constantValue: Value?
    /// `constantValue != nil`, as a plain flag: the VM tests it first on every run, and
    /// reading the optional value itself copies it.
    package let isConstant: Bool
    /// What the whole program is, when the VM can answer it without its interpreter.
    package let shape: Shape
    /// True when the program reads `now()`, itself or through a prerequisite flag: only
    /// then must a caller read the clock.
    package let readsNow: Bool
    /// True when the program computes a `bucket(...)` itself (a prerequisite's does not
    /// count): only then can a rollout have decided it (the `split` reason).
    package let readsBucket: Bool

    /// Programs the VM answers directly (see `VM.run`). No payloads: the VM tests the shape
    /// on every run, and a plain enum is one byte to compare.
    package enum Shape: Sendable, Equatable {
        /// Anything else: run by the interpreter.
        case general
        /// One test, or one `all_of`/`any_of` chain of tests and nothing after it: answered by
        /// the chain walker from `tests` (a single test is a chain of one).
        case chain
        /// The value of one attribute, `attributeSlot` (a boolean attribute as a flag's condition).
        case attribute
    }
    /// The slot an `.attribute` program reads.
    package let attributeSlot: UInt32
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
        tests = parts.tests
        testSpans = parts.testSpans
        operandSlots = parts.operandSlots.count == parts.code.count ? parts.operandSlots : Array(repeating: -1, count: parts.code.count)
        maxStack = parts.maxStack
        evaluationCost = parts.flags.reduce(parts.code.count) { saturatingAdd($0, $1.evaluationCost) }
        codeBuffer = Self.rawCopy(code)
        constantBuffer = Self.rawCopy(constants)
        setBuffer = Self.rawCopy(sets.map { Unmanaged.passUnretained($0) })
        testBuffer = Self.rawCopy(tests)
        flagMemoIndices = Self.rawCopy(flags.map(\.memoIndex))
        constantReleases = Self.rawCopy(constants.map { constant -> ReleaseNumbers? in
            guard case .version(let v) = constant, v.prerelease.isEmpty else { return nil }
            return ReleaseNumbers((v.major, v.minor, v.patch))
        })
        constantBytes = Self.rawCopy(constants.map { constant -> UnsafeBufferPointer<UInt8> in
            guard case .string(let text) = constant else { return UnsafeBufferPointer(start: nil, count: 0) }
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(text.utf8.count, 1))
            _ = copy.initialize(from: text.utf8)
            return UnsafeBufferPointer(start: copy.baseAddress, count: text.utf8.count)
        })
        // Each attribute test's outcome for a missing attribute, most often an error value,
        // built once here rather than on every evaluation of a record with a gap. None of
        // them depends on the salt or the time when the attribute is null.
        let (constantBuffer, setBuffer) = (self.constantBuffer, self.setBuffer)
        missingOutcomes = Self.rawCopy(parts.tests.indices.map { k -> Cell in
            guard parts.tests[k].slot != nil else { return .value(.null) }
            do throws(Fault) {
                return .value(try parts.tests[k].value(of: .null, constants: constantBuffer, sets: setBuffer,
                                                       defaultSalt: UnsafeBufferPointer(start: nil, count: 0)) ?? .null)
            } catch {
                return .error(RuntimeFault(error, span: parts.testSpans[k], slot: parts.tests[k].slot.map(Int.init)))
            }
        })
        if code.count == 1, case .constant(let k) = code[0] {
            constantValue = constants[Int(k)]
        } else {
            constantValue = nil
        }
        isConstant = constantValue != nil
        readsNow = flags.contains(where: \.readsNow) || tests.contains { if case .now = $0 { true } else { false } }
            || code.contains { if case .call(.now, _) = $0 { true } else { false } }
        readsBucket = tests.contains(where: \.isBucket) || code.contains { if case .call(.bucket, _) = $0 { true } else { false } }
        // The walker's chain: a single test is a chain of one.
        var quick: (shape: Shape, first: Int, count: Int, decider: Bool, slot: UInt32) = (.general, 0, 0, false, 0)
        switch code.first {
        case .test(let k)? where code.count == 1:
            quick = (.chain, Int(k), 1, false, 0)
        case .chain(let k, let end)? where Int(end) == code.count:
            if case .chain(let decider, let count, _) = tests[Int(k)] { quick = (.chain, Int(k) + 1, Int(count), decider, 0) }
        case .slot(let s)? where code.count == 1:
            (quick.shape, quick.slot) = (.attribute, s)
        default:
            break
        }
        (shape, quickFirst, quickCount, quickDecider, attributeSlot) = quick
    }

    deinit {
        UnsafeMutableBufferPointer(mutating: missingOutcomes).deinitialize().deallocate()
        codeBuffer.deallocate()
        UnsafeMutableBufferPointer(mutating: constantBuffer).deinitialize().deallocate()
        setBuffer.deallocate()
        testBuffer.deallocate()
        flagMemoIndices.deallocate()
        constantReleases.deallocate()
        for bytes in constantBytes { bytes.deallocate() }
        constantBytes.deallocate()
    }

    /// `code`, for the VM.
    package let codeBuffer: UnsafeBufferPointer<Instruction>
    /// `constants`, for the VM.
    package let constantBuffer: UnsafeBufferPointer<Value>
    /// `sets` without reference counting, for the VM; `sets` keeps them alive.
    package let setBuffer: UnsafeBufferPointer<Unmanaged<ConstantSet>>
    /// `tests`, for the VM.
    package let testBuffer: UnsafeBufferPointer<DecodedTest>
    /// The UTF-8 bytes of each string constant (empty for other constants): affixes and
    /// salts, read by the tests without touching the string.
    package let constantBytes: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>
    /// The three numbers of each version constant without a pre-release part (nil for any
    /// other constant): the bounds of the quick app-version gate.
    package let constantReleases: UnsafeBufferPointer<ReleaseNumbers?>
    /// The memo index of each of `flags`, for the VM: a prerequisite remembered for the
    /// record at hand is read without touching the flag's reference count.
    package let flagMemoIndices: UnsafeBufferPointer<Int>
    /// For each test that reads an attribute, its outcome when the attribute is missing
    /// (null); other tests hold a placeholder.
    package let missingOutcomes: UnsafeBufferPointer<Cell>
    /// For a `.chain` program: its first operand's index in `tests`, how many operands the
    /// chain has (their nested chains' entries follow theirs), and the value that decides it
    /// (`any_of`'s true, `all_of`'s false, false for a single test). They restate `shape`
    /// and the chain's entry because the VM reads them on every run, and plain fields are
    /// cheaper to read than an enum's payload (measured: 6–10 instructions per evaluation).
    package let quickFirst: Int
    package let quickCount: Int
    package let quickDecider: Bool

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
        package var tests: [DecodedTest] = []
        package var testSpans: [SourceSpan] = []
        /// For each instruction, the slot one of its operands reads directly, or -1.
        package var operandSlots: [Int32] = []
        package var maxStack = 0

        package init() {}
    }
}

/// `a + b` for non-negative costs, capped at `Int.max` instead of trapping on overflow.
package func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : sum
}
