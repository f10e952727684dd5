/// A compiled flag: its `when` arms in order and its default. A boolean flag
/// `flag f = COND` compiles as `when COND serve true`, default `false`.
package final class FlagProgram: @unchecked Sendable {
    // @unchecked: `armPrograms` is a raw copy of the arms' programs, written once in `init`
    // and only read after; see `Program` for why the VM reads raw buffers.
    /// One `when COND serve VALUE` arm.
    package struct Arm: Sendable {
        package var condition: Program
        package var value: Program
        /// 1-based source line of the `when` (of the expression, for a boolean flag).
        package var line: Int

        package init(condition: Program, value: Program, line: Int) {
            self.condition = condition
            self.value = value
            self.line = line
        }
    }

    package let name: String
    /// `name` as UTF-8 bytes: the default `bucket` salt of the flag's evaluations.
    package let nameBytes: UnsafeBufferPointer<UInt8>
    /// This flag's place in a `PrerequisiteMemo`: its declaration's index in the rule file.
    package let memoIndex: Int
    package let arms: [Arm]
    package let defaultValue: Value
    /// True for `flag NAME = expr`.
    package let isBoolean: Bool
    /// How many flag evaluations nest when this one runs: 1, plus the deepest of its
    /// prerequisites. The VM evaluates a prerequisite recursively, so this is bounded by
    /// `Limits.maxPrerequisiteDepth` at compile time.
    package let prerequisiteDepth: Int
    /// True when an evaluation of this flag reads `now()` (prerequisites included).
    package let readsNow: Bool
    /// The most instructions one evaluation of this flag can execute, prerequisites
    /// included (see `Program.evaluationCost`): every arm's condition and value.
    package let evaluationCost: Int

    /// Condition and served-value program of each arm, unretained (`arms` keeps them alive),
    /// so evaluating a flag touches no reference count.
    package let armPrograms: UnsafeBufferPointer<(condition: Unmanaged<Program>, value: Unmanaged<Program>)>
    /// For each outcome, indexed by `arm + 1` (the default first): the value it serves when
    /// that is a constant (nearly always), so serving it needs no run of the arm's value
    /// program; null where the arm computes its value. Plain values beside plain flags,
    /// rather than optionals: reading one on every evaluation then copies no optional.
    private let outcomeValues: UnsafeBufferPointer<Value>
    private let outcomeIsConstant: UnsafeBufferPointer<Bool>
    /// The arm that serves whatever the record (-1: the default), when every condition up
    /// to it is a constant boolean: a kill switch (`flag f = false`), a flag on for
    /// everyone. Nil when some record could be served otherwise.
    package let fixedArm: Int?

    /// True when `arm` (-1: the default, always a constant) serves a constant.
    @inline(__always)
    package func servesConstant(_ arm: Int) -> Bool {
        outcomeIsConstant[arm + 1]
    }

    /// The constant `arm` (-1: the default) serves; only where `servesConstant(arm)`.
    @inline(__always)
    package func constantValue(servedBy arm: Int) -> Value {
        outcomeValues[arm + 1]
    }

    /// The value served for each outcome, indexed by `arm + 1` (the default first, as an
    /// outcome's `arm` is -1 for it): the constant, or nil where an arm computes its value.
    package var outcomeConstants: [Value?] {
        // `Optional.none` spelled out: a bare `nil` here would be `Value.null` (`Value` is
        // nil-literal expressible), never an absent value.
        (-1 ..< arms.count).map { servesConstant($0) ? constantValue(servedBy: $0) : Optional<Value>.none }
    }

    /// Each arm's variant name (`serve VALUE as NAME`), nil where it has none; and the
    /// default's (`default VALUE as NAME`).
    package let variantNames: [String?]
    package let defaultVariantName: String?

    /// The variant an evaluation reports when `arm` serves (-1: the default, also after an
    /// error): its `as NAME`, else `rule-N` (N the 0-based arm index) or `default`.
    package func variant(servedBy arm: Int) -> String {
        if arm < 0 { return defaultVariantName ?? "default" }
        return (arm < variantNames.count ? variantNames[arm] : nil) ?? "rule-\(arm)"
    }

    package init(name: String, memoIndex: Int, arms: [Arm], defaultValue: Value, isBoolean: Bool,
                 variantNames: [String?] = [], defaultVariantName: String? = nil) {
        self.variantNames = variantNames
        self.defaultVariantName = defaultVariantName
        self.name = name
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(name.utf8.count, 1))
        _ = bytes.initialize(from: name.utf8)
        nameBytes = UnsafeBufferPointer(start: bytes.baseAddress, count: name.utf8.count)
        self.memoIndex = memoIndex
        self.arms = arms
        self.defaultValue = defaultValue
        self.isBoolean = isBoolean
        readsNow = arms.contains { $0.condition.readsNow || $0.value.readsNow }
        evaluationCost = arms.reduce(0) { saturatingAdd($0, saturatingAdd($1.condition.evaluationCost, $1.value.evaluationCost)) }
        prerequisiteDepth = 1 + arms.lazy.flatMap { $0.condition.flags + $0.value.flags }.map(\.prerequisiteDepth).reduce(0, max)
        let buffer = UnsafeMutableBufferPointer<(condition: Unmanaged<Program>, value: Unmanaged<Program>)>.allocate(capacity: max(arms.count, 1))
        for (i, arm) in arms.enumerated() {
            (buffer.baseAddress! + i).initialize(to: (Unmanaged.passUnretained(arm.condition), Unmanaged.passUnretained(arm.value)))
        }
        armPrograms = UnsafeBufferPointer(start: buffer.baseAddress, count: arms.count)
        let constants = [defaultValue as Value?] + arms.map(\.value.constantValue)
        let values = UnsafeMutableBufferPointer<Value>.allocate(capacity: constants.count)
        _ = values.initialize(from: constants.map { $0 ?? .null })
        outcomeValues = UnsafeBufferPointer(values)
        let isConstant = UnsafeMutableBufferPointer<Bool>.allocate(capacity: constants.count)
        _ = isConstant.initialize(from: constants.map { $0 != nil })
        outcomeIsConstant = UnsafeBufferPointer(isConstant)
        // Fixed when the first condition that is not the constant false is the constant true
        // (or there is none: the default serves).
        if let first = arms.firstIndex(where: { $0.condition.constantValue != Value.bool(false) }) {
            fixedArm = arms[first].condition.constantValue == Value.bool(true) ? first : nil
        } else {
            fixedArm = -1
        }
    }

    deinit {
        nameBytes.deallocate()
        armPrograms.deallocate()
        UnsafeMutableBufferPointer(mutating: outcomeValues).deinitialize().deallocate()
        outcomeIsConstant.deallocate()
    }
}
