/// Compiled bytecode for one expression: immutable, `Sendable`, safe to run from many
/// threads at once.
package struct Program: Sendable {
    /// The instructions.
    package var code: [Instruction] = []
    /// The source span of each instruction, so a run-time error points at its sub-expression.
    package var spans: [SourceSpan] = []
    /// Constant values referred to by `constant` and `member`.
    package var constants: [Value] = []
    /// Constant sets for `in [..]` membership.
    package var sets: [ConstantSet] = []
    /// Compiled patterns for `matches`.
    package var regexes: [RegexPattern] = []
    /// Prerequisite flags this program reads with the `flag` instruction.
    package var flags: [FlagProgram] = []
    /// The largest stack height the code reaches; the VM allocates exactly this much.
    package var maxStack = 0

    package init() {}

    /// A program that just yields a constant.
    package init(constant value: Value, span: SourceSpan) {
        constants = [value]
        code = [.constant(0)]
        spans = [span]
        maxStack = 1
    }

    /// The value, when the program is a single constant.
    package var constantValue: Value? {
        if code.count == 1, case .constant(let k) = code[0] { return constants[Int(k)] }
        return nil
    }
}
