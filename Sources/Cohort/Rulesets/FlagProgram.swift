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
    /// This flag's place in a `FlagMemo`: its declaration's index in the rule file.
    package let memoSlot: Int
    package let arms: [Arm]
    package let defaultValue: Value
    /// True for `flag NAME = expr`.
    package let isBoolean: Bool
    /// How many flag evaluations nest when this one runs: 1, plus the deepest of its
    /// prerequisites. The VM evaluates a prerequisite recursively, so this is bounded by
    /// `Limits.maxPrerequisiteDepth` at compile time.
    package let prerequisiteDepth: Int
    /// The most instructions one evaluation of this flag can execute, prerequisites
    /// included (see `Program.evaluationCost`): every arm's condition and value.
    package let evaluationCost: Int

    /// Condition and served-value program of each arm, unretained (`arms` keeps them alive),
    /// so evaluating a flag touches no reference count.
    package let armPrograms: UnsafeBufferPointer<(condition: Unmanaged<Program>, value: Unmanaged<Program>)>
    /// The value each arm serves when it is a constant (nearly always), so serving it
    /// needs no run of the arm's value program.
    package let servedConstants: UnsafeBufferPointer<Value?>
    /// The arm that serves whatever the record (-1: the default), when every condition up
    /// to it is a constant boolean: a kill switch (`flag f = false`), a flag on for
    /// everyone. Nil when some record could be served otherwise.
    package let fixedArm: Int?

    /// The value served when `arm` serves (-1: the default) if it is a constant; nil where
    /// the arm computes its value.
    @inline(__always)
    package func constant(servedBy arm: Int) -> Value? {
        arm < 0 ? defaultValue : servedConstants[arm]
    }

    /// The value served for each outcome, indexed by `arm + 1` (the default first, as an
    /// outcome's `arm` is -1 for it): the constant, or nil where an arm computes its value.
    package var outcomeConstants: [Value?] {
        (-1 ..< arms.count).map(constant(servedBy:))
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

    package init(name: String, memoSlot: Int, arms: [Arm], defaultValue: Value, isBoolean: Bool,
                 variantNames: [String?] = [], defaultVariantName: String? = nil) {
        self.variantNames = variantNames
        self.defaultVariantName = defaultVariantName
        self.name = name
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(name.utf8.count, 1))
        _ = bytes.initialize(from: name.utf8)
        nameBytes = UnsafeBufferPointer(start: bytes.baseAddress, count: name.utf8.count)
        self.memoSlot = memoSlot
        self.arms = arms
        self.defaultValue = defaultValue
        self.isBoolean = isBoolean
        evaluationCost = arms.reduce(0) { saturatingAdd($0, saturatingAdd($1.condition.evaluationCost, $1.value.evaluationCost)) }
        prerequisiteDepth = 1 + arms.lazy.flatMap { $0.condition.flags + $0.value.flags }.map(\.prerequisiteDepth).reduce(0, max)
        let buffer = UnsafeMutableBufferPointer<(condition: Unmanaged<Program>, value: Unmanaged<Program>)>.allocate(capacity: max(arms.count, 1))
        for (i, arm) in arms.enumerated() {
            (buffer.baseAddress! + i).initialize(to: (Unmanaged.passUnretained(arm.condition), Unmanaged.passUnretained(arm.value)))
        }
        armPrograms = UnsafeBufferPointer(start: buffer.baseAddress, count: arms.count)
        let constants = UnsafeMutableBufferPointer<Value?>.allocate(capacity: max(arms.count, 1))
        _ = constants.initialize(from: arms.map(\.value.constantValue))
        servedConstants = UnsafeBufferPointer(start: constants.baseAddress, count: arms.count)
        var fixed: Int? = -1
        for (index, arm) in arms.enumerated() {
            guard arm.condition.isConstant, case .bool(let matches)? = arm.condition.constantValue else {
                fixed = nil
                break
            }
            if matches {
                fixed = index
                break
            }
        }
        fixedArm = fixed
    }

    deinit {
        nameBytes.deallocate()
        armPrograms.deallocate()
        UnsafeMutableBufferPointer(mutating: servedConstants).deinitialize().deallocate()
    }
}

extension VM {
    /// A flag's outcome at VM level: the value served and why (with a raw fault for errors).
    package struct FlagOutcome {
        package var value: Value
        /// Matched arm index, or -1 for the default.
        package var arm: Int
        package var fault: RuntimeFault?
    }

    /// Evaluates a flag: the first `when` that is true serves; an error in any condition or
    /// served value serves the default and reports the error (never falls through).
    package static func evaluate(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, now: Instant,
                                 memo: FlagMemo.Access? = nil) -> FlagOutcome {
        let environment = Environment(flag: flag, now: now, memo: memo)
        guard let arm = matchingArm(flag, slots: slots, environment: environment) else {
            return evaluateExactly(flag, slots: slots, environment: environment)
        }
        return serve(flag, arm: arm, slots: slots, environment: environment)
    }

    /// The arm that serves (its index, -1 for the default) when every condition up to it
    /// is a plain boolean, as nearly always; nil when one is an error or another value,
    /// whose outcome `evaluate` works out. Builds no value: batch evaluation counts and
    /// writes a constant arm's value by the arm alone.
    @inline(__always)
    package static func matchingArm(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Int? {
        if let arm = flag.fixedArm { return arm }
        let arms = flag.armPrograms
        for index in arms.indices {
            switch arms[index].condition._withUnsafeGuaranteedRef({ run($0, slots: slots, environment: environment) }) {
            case .value(.bool(true)): return index
            case .value(.bool(false)): continue
            default: return nil
            }
        }
        return -1
    }

    /// The outcome when `arm` (-1: the default) serves: its constant, or its value program's
    /// value (an error there serves the default and reports the error).
    private static func serve(_ flag: FlagProgram, arm: Int, slots: UnsafeBufferPointer<Value>,
                              environment: Environment) -> FlagOutcome {
        if let constant = flag.constant(servedBy: arm) { return FlagOutcome(value: constant, arm: arm, fault: nil) }
        switch flag.armPrograms[arm].value._withUnsafeGuaranteedRef({ run($0, slots: slots, environment: environment) }) {
        case .value(let v): return FlagOutcome(value: v, arm: arm, fault: nil)
        case .error(let fault): return FlagOutcome(value: flag.defaultValue, arm: -1, fault: fault)
        }
    }

    /// `evaluate` when a condition is not a plain boolean: the error it gives, or the
    /// message for a condition of another type. (Also right for any other outcome.)
    @inline(never)
    package static func evaluateExactly(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, environment: Environment) -> FlagOutcome {
        let arms = flag.armPrograms
        for index in arms.indices {
            switch arms[index].condition._withUnsafeGuaranteedRef({ run($0, slots: slots, environment: environment) }) {
            case .value(.bool(true)):
                return serve(flag, arm: index, slots: slots, environment: environment)
            case .value(.bool(false)):
                continue
            case .value(let other):
                let span = flag.arms[index].condition.spans.last ?? SourceSpan(start: 0, end: 0)
                let message = flag.isBoolean
                    ? "the expression of a boolean flag must be a boolean, but it is \(other.isNull ? "null" : "a " + other.typeName)"
                    : "the condition of 'when' must be a boolean, but it is \(other.isNull ? "null" : "a " + other.typeName)"
                return FlagOutcome(value: flag.defaultValue, arm: -1, fault: RuntimeFault(message: message, span: span))
            case .error(let fault):
                return FlagOutcome(value: flag.defaultValue, arm: -1, fault: fault)
            }
        }
        return FlagOutcome(value: flag.defaultValue, arm: -1, fault: nil)
    }
}

extension VM.Environment {
    /// The environment of `flag`'s programs: its name is the default `bucket` salt.
    package init(flag: FlagProgram, now: Instant, memo: FlagMemo.Access?) {
        self.init(now: now, salt: flag.nameBytes)
        self.memo = memo
    }
}

/// The served value of each flag already evaluated for the record at hand, so a flag used
/// as a prerequisite by several others (or written itself) is evaluated once per record.
/// Evaluation is a pure function of the record, the time and the flag, so a remembered
/// value is the one evaluating again would give. One memo per thread; `nextRecord()`
/// forgets everything in O(1) by moving to a new stamp.
package final class FlagMemo {
    private let cells: UnsafeMutablePointer<Cell>
    private let count: Int
    /// The current record's stamp, behind a pointer so that an `Access` made once stays
    /// valid from record to record.
    private let stamp: UnsafeMutablePointer<UInt32>

    fileprivate struct Cell {
        var stamp: UInt32
        var value: Value
    }

    /// A memo for flags with `memoSlot` below `count`.
    package init(count: Int) {
        self.count = max(count, 0)
        cells = .allocate(capacity: max(count, 1))
        cells.initialize(repeating: Cell(stamp: 0, value: .null), count: max(count, 1))
        stamp = .allocate(capacity: 1)
        stamp.initialize(to: 1)
    }

    deinit {
        cells.deinitialize(count: max(count, 1))
        cells.deallocate()
        stamp.deallocate()
    }

    /// Forgets every remembered value: the next record begins.
    package func nextRecord() {
        stamp.pointee &+= 1
        if stamp.pointee == 0 {
            for i in 0..<count { cells[i].stamp = 0 }
            stamp.pointee = 1
        }
    }

    /// What the VM reads and writes: raw pointers, so evaluation touches no reference count.
    /// Valid while the memo lives, for whichever record is current.
    package var access: Access { Access(cells: cells, count: count, stamp: stamp) }

    /// A view of the memo.
    package struct Access {
        fileprivate let cells: UnsafeMutablePointer<Cell>
        fileprivate let count: Int
        fileprivate let stamp: UnsafeMutablePointer<UInt32>

        /// The remembered value of the flag at `slot`, if it was evaluated for this record.
        @inline(__always)
        package func value(at slot: Int) -> Value? {
            // Spelled out: in `c ? value : nil` the `nil` would be `Value.null` (`Value` is
            // nil-literal expressible), never an absent value.
            guard slot >= 0 && slot < count && cells[slot].stamp == stamp.pointee else { return Optional<Value>.none }
            return cells[slot].value
        }

        /// Remembers the value of the flag at `slot` for this record.
        @inline(__always)
        package func remember(_ value: Value, at slot: Int) {
            guard slot >= 0 && slot < count else { return }
            cells[slot].stamp = stamp.pointee
            cells[slot].value = value
        }
    }
}
