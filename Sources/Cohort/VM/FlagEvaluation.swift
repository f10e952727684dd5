extension VM {
    /// What a flag served for one context, and why, at VM level.
    package struct FlagOutcome {
        /// The arm that served (an index into `FlagProgram.arms`), or -1 for the default
        /// (also when an error sent the flag there).
        package var arm: Int
        /// The served value when the arm computes it; null when the arm serves a constant,
        /// which `value(of:)` reads from the flag (so the common outcome builds no value).
        package var computed: Value
        /// The error that sent the flag to its default.
        package var fault: RuntimeFault? { faultBox?.fault }
        /// Boxed: errors are rare, and out of line they keep an outcome four words long, so
        /// returning and destroying one (every flag of every evaluation) stays cheap.
        private let faultBox: FaultBox?

        private final class FaultBox: Sendable {
            let fault: RuntimeFault
            init(_ fault: RuntimeFault) { self.fault = fault }
        }

        package init(arm: Int, computed: Value, fault: RuntimeFault?) {
            self.arm = arm
            self.computed = computed
            faultBox = fault.map(FaultBox.init)
        }

        /// The value served.
        @inline(__always)
        package func value(of flag: FlagProgram) -> Value {
            flag.servesConstant(arm) ? flag.constantValue(servedBy: arm) : computed
        }
    }

    /// Evaluates a flag: the first `when` that is true serves; an error in any condition or
    /// served value serves the default and reports the error (never falls through). With a
    /// memo (batch evaluation), a flag other flags use is remembered for the record.
    ///
    /// The one entry for flag evaluation: the library, batch and the REPL all call it.
    @inline(__always)
    package static func evaluate(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, now: Instant,
                                 memo: PrerequisiteMemo.Access? = nil) -> FlagOutcome {
        // Made here, in registers: read from an array, the environment was copied.
        let environment = Environment(now: now, salt: flag.nameBytes, memo: memo)
        let outcome: FlagOutcome
        if let arm = servingArm(flag, slots: slots, environment: environment) {
            outcome = flag.servesConstant(arm) ? FlagOutcome(arm: arm, computed: .null, fault: nil)
                : computed(flag, arm: arm, slots: slots, environment: environment)
        } else {
            outcome = failed(flag, slots: slots, environment: environment)
        }
        if let memo, memo.remembers(flag.memoIndex) { memo.remember(outcome.value(of: flag), at: flag.memoIndex) }
        return outcome
    }

    /// `evaluate` when its outcome is an arm serving a constant (-1: the default), as for
    /// most flags and records: that arm, with no outcome built. Nil for any other outcome (an
    /// error, a computed value), which `evaluate` works out. Batch counts most flags by this.
    @inline(__always)
    package static func constantArm(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, now: Instant,
                                    memo: PrerequisiteMemo.Access) -> Int? {
        let environment = Environment(now: now, salt: flag.nameBytes, memo: memo)
        guard let arm = servingArm(flag, slots: slots, environment: environment), flag.servesConstant(arm) else { return nil }
        if memo.remembers(flag.memoIndex) { memo.remember(flag.constantValue(servedBy: arm), at: flag.memoIndex) }
        return arm
    }

    /// The arm that serves (-1: the default) when every condition up to it is a plain
    /// boolean, as nearly always; nil when one is not (an error, or another value).
    @inline(__always)
    private static func servingArm(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Int? {
        if let fixed = flag.fixedArm { return fixed }
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

    /// The outcome when `arm` (-1: the default) serves a value its program computes (an
    /// error there serves the default and reports the error).
    @inline(never)
    private static func computed(_ flag: FlagProgram, arm: Int, slots: UnsafeBufferPointer<Value>, environment: Environment) -> FlagOutcome {
        switch flag.armPrograms[arm].value._withUnsafeGuaranteedRef({ run($0, slots: slots, environment: environment) }) {
        case .value(let v): return FlagOutcome(arm: arm, computed: v, fault: nil)
        case .error(let fault): return FlagOutcome(arm: -1, computed: .null, fault: fault)
        }
    }

    /// The outcome when a condition is no boolean (`servingArm` gave nil): the first such
    /// condition's error, or the message for its value. Out of line: errors are rare.
    @inline(never)
    private static func failed(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, environment: Environment) -> FlagOutcome {
        for index in flag.armPrograms.indices {
            switch flag.armPrograms[index].condition._withUnsafeGuaranteedRef({ run($0, slots: slots, environment: environment) }) {
            case .value(.bool): continue  // false, up to the one that failed
            case .error(let fault): return FlagOutcome(arm: -1, computed: .null, fault: fault)
            case .value(let other):
                let span = flag.arms[index].condition.spans.last ?? SourceSpan(start: 0, end: 0)
                let fault = RuntimeFault(Fault.nonBooleanCondition(other, booleanFlag: flag.isBoolean), span: span)
                return FlagOutcome(arm: -1, computed: .null, fault: fault)
            }
        }
        return FlagOutcome(arm: -1, computed: .null, fault: nil)
    }

    /// Whether a rollout test decided `arm`'s condition for this context (the `split`
    /// reason); nil when the condition is not a chain of tests, which the caller works out
    /// otherwise. Runs the condition again, with the walker's tracking on: only callers that
    /// report reasons pay for it.
    package static func armDecidedByBucket(_ flag: FlagProgram, arm: Int, slots: UnsafeBufferPointer<Value>, now: Instant,
                                           memo: PrerequisiteMemo.Access? = nil) -> Bool? {
        let condition = flag.arms[arm].condition
        guard condition.readsBucket else { return false }
        // A lone rollout test (`when bucket(user.id) < 50`) decided its arm by serving it:
        // no need to hash again.
        if condition.shape == .chain, condition.quickCount == 1, condition.testBuffer[condition.quickFirst].isBucket {
            return true
        }
        return decidedByBucket(condition, slots: slots, environment: Environment(now: now, salt: flag.nameBytes, memo: memo))
    }
}

/// The served value of each flag already evaluated for the record at hand, so a flag used
/// as a prerequisite by several others (or written itself) is evaluated once per record.
/// Evaluation is a pure function of the record, the time and the flag, so a remembered
/// value is the one evaluating again would give. One memo per thread; `nextRecord()`
/// forgets everything in O(1) by moving to a new stamp.
package final class PrerequisiteMemo {
    private let entries: UnsafeMutablePointer<Entry>
    private let count: Int
    /// The current record's stamp, behind a pointer so that an `Access` made once stays
    /// valid from record to record.
    private let stamp: UnsafeMutablePointer<UInt32>

    fileprivate struct Entry {
        var stamp: UInt32
        /// True for a flag some flag uses as a prerequisite: only those are remembered.
        var remembered: Bool
        var value: Value
    }

    /// A memo for `flags` (the flags of a rule file, each at its `memoIndex`): it remembers
    /// the value of every flag one of them uses as a prerequisite.
    package init(flags: [FlagProgram]) {
        count = (flags.map(\.memoIndex).max() ?? -1) + 1
        entries = .allocate(capacity: max(count, 1))
        entries.initialize(repeating: Entry(stamp: 0, remembered: false, value: .null), count: max(count, 1))
        for flag in flags {
            for arm in flag.arms {
                for prerequisite in arm.condition.flags + arm.value.flags where prerequisite.memoIndex < count {
                    entries[prerequisite.memoIndex].remembered = true
                }
            }
        }
        stamp = .allocate(capacity: 1)
        stamp.initialize(to: 1)
    }

    deinit {
        entries.deinitialize(count: max(count, 1))
        entries.deallocate()
        stamp.deallocate()
    }

    /// Which flags of `flags` (by `memoIndex`) some flag uses as a prerequisite: what a
    /// memo remembers.
    package static func remembered(by flags: [FlagProgram]) -> [Bool] {
        let memo = PrerequisiteMemo(flags: flags)
        return (0..<memo.count).map { memo.entries[$0].remembered }
    }

    /// Calls `body` with a memo for one evaluation of several flags, held in temporary
    /// (stack) memory: the library's `evaluateAll` evaluates a prerequisite once per call
    /// without allocating. `remembered` comes from `remembered(by:)`.
    package static func withTemporary<R>(remembering remembered: [Bool], _ body: (Access) -> R) -> R {
        let count = remembered.count
        return withUnsafeTemporaryAllocation(of: Entry.self, capacity: max(count, 1)) { entries in
            let base = entries.baseAddress!
            for i in 0..<count { (base + i).initialize(to: Entry(stamp: 0, remembered: remembered[i], value: .null)) }
            // Only the values remembered were ever written; the rest are null, which owns
            // nothing (the entries are otherwise plain data).
            defer { for i in 0..<count where !base[i].value.isNull { (base + i).deinitialize(count: 1) } }
            return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 1) { stamp in
                stamp.baseAddress!.initialize(to: 1)
                return body(Access(entries: base, count: count, stamp: stamp.baseAddress!))
            }
        }
    }

    /// Forgets every remembered value: the next record begins.
    package func nextRecord() {
        stamp.pointee &+= 1
        if stamp.pointee == 0 {
            for i in 0..<count { entries[i].stamp = 0 }
            stamp.pointee = 1
        }
    }

    /// What the VM reads and writes: raw pointers, so evaluation touches no reference count.
    /// Valid while the memo lives, for whichever record is current.
    package var access: Access { Access(entries: entries, count: count, stamp: stamp) }

    /// A view of the memo.
    package struct Access {
        fileprivate let entries: UnsafeMutablePointer<Entry>
        fileprivate let count: Int
        fileprivate let stamp: UnsafeMutablePointer<UInt32>

        /// The remembered value of the flag at `index`, if it was evaluated for this record.
        @inline(__always)
        package func value(at index: Int) -> Value? {
            // Spelled out: in `c ? value : nil` the `nil` would be `Value.null` (`Value` is
            // nil-literal expressible), never an absent value.
            guard index >= 0 && index < count && entries[index].stamp == stamp.pointee else { return Optional<Value>.none }
            return entries[index].value
        }

        /// True when the flag at `index` is a prerequisite of some flag, so its value is
        /// worth remembering.
        @inline(__always)
        package func remembers(_ index: Int) -> Bool {
            index >= 0 && index < count && entries[index].remembered
        }

        /// Remembers the value of the flag at `index` for this record.
        @inline(__always)
        package func remember(_ value: Value, at index: Int) {
            guard index >= 0 && index < count else { return }
            entries[index].stamp = stamp.pointee
            entries[index].value = value
        }
    }
}
