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

    package init(name: String, arms: [Arm], defaultValue: Value, isBoolean: Bool) {
        self.name = name
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
    }

    deinit {
        armPrograms.deallocate()
    }
}

/// Why a flag served its value.
public enum Reason: Sendable, Hashable, CustomStringConvertible {
    /// The `when` at this 0-based index matched (for a boolean flag: its expression was true).
    case rule(index: Int, line: Int)
    /// No `when` matched (for a boolean flag: its expression was false).
    case `default`
    /// A condition or served value failed; the flag served its default.
    case error(EvaluationError)

    public var description: String {
        switch self {
        case .rule(let index, let line): "rule \(index) (line \(line))"
        case .default: "default"
        case .error(let error): "error: \(error)"
        }
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
    package static func evaluate(_ flag: FlagProgram, slots: UnsafeBufferPointer<Value>, now: Instant) -> FlagOutcome {
        let environment = Environment(now: now, salt: flag.name)
        let arms = flag.armPrograms
        for index in arms.indices {
            let (condition, value) = arms[index]
            switch condition._withUnsafeGuaranteedRef({ run($0, slots: slots, environment: environment) }) {
            case .value(.bool(true)):
                switch value._withUnsafeGuaranteedRef({ run($0, slots: slots, environment: environment) }) {
                case .value(let v): return FlagOutcome(value: v, arm: index, fault: nil)
                case .error(let fault): return FlagOutcome(value: flag.defaultValue, arm: -1, fault: fault)
                }
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
