/// Turns checked `IR` into bytecode: short-circuit jumps for `and`/`or`, hashed sets for
/// constant lists, fused instructions for common shapes, and exact stack sizing.
package struct Compiler {
    /// Where `bucket(key)` without an explicit salt takes its salt from.
    package enum Salt: Sendable {
        /// The caller's salt, given at evaluation.
        case runtime
        /// A fixed salt: the name of the flag being compiled.
        case constant(String)
    }

    /// How a declaration reference is compiled.
    package enum Expansion {
        /// Inline the declaration's expression (a `let` or `segment`), with this salt.
        case inline(IR, Salt)
        /// Evaluate a prerequisite flag with its own program.
        case flag(FlagProgram)
    }

    private var program = Program.Parts()
    private var constantIndex: [Value: UInt32] = [:]
    private var height = 0
    private var salt: Salt
    private let limits: Limits
    /// Expands a declaration reference into the IR to inline, with the salt it must use.
    private let expand: (Int, Salt) -> Expansion?
    /// Why compilation stopped: a limit of `Limits` was exceeded.
    package enum Failure: Error, Equatable {
        /// The program grew beyond `limits.maxProgramSize` instructions.
        case tooLarge
        /// Inlined declarations nest deeper than `limits.maxInlinedNestingDepth`.
        case tooDeep
        /// One evaluation could run more than `limits.maxEvaluationCost` instructions,
        /// counting each use of a prerequisite flag at its own cost.
        case tooCostly
        /// Prerequisite flags nest deeper than `limits.maxPrerequisiteDepth` (flags only).
        case prerequisitesTooDeep

        /// The diagnostic for this failure: `what` is "flag 'f'" or nil for an expression.
        package func diagnostic(_ limits: Limits, flag: String? = nil, at span: SourceSpan) -> Diagnostic {
            switch self {
            case .tooLarge: .programTooLarge(flag: flag, limit: limits.maxProgramSize, span)
            case .tooDeep: .inlinedTooDeep(flag: flag, limit: limits.maxInlinedNestingDepth, span)
            case .tooCostly: .tooCostly(flag: flag, limit: limits.maxEvaluationCost, span)
            case .prerequisitesTooDeep: .prerequisitesTooDeep(flag: flag ?? "", limit: limits.maxPrerequisiteDepth, span)
            }
        }
    }

    /// Set when a limit stopped compilation; the program is then incomplete.
    package private(set) var failure: Failure?
    /// How deeply `emit` is nested now: the height of the tree being compiled, inlined
    /// declarations included. Bounded so compiling cannot exhaust the stack.
    private var nesting = 0
    /// True when inlined declarations live in another source than the expression (an
    /// expression compiled against a rule file): their instructions then take the span of
    /// the name that referred to them, so an error points into the text the user typed.
    private let declarationsAreForeign: Bool
    /// The span every instruction takes while a foreign declaration is being inlined.
    private var spanOverride: SourceSpan?
    /// False compiles every test as plain instructions (see `CompileOptions.fusesTests`).
    private let fuses: Bool

    package init(salt: Salt, limits: Limits = Limits(), declarationsAreForeign: Bool = false, fuses: Bool = true,
                 expand: @escaping (Int, Salt) -> Expansion? = { _, _ in nil }) {
        self.fuses = fuses
        self.salt = salt
        self.limits = limits
        self.declarationsAreForeign = declarationsAreForeign
        self.expand = expand
    }

    /// Compiles an expression into a program.
    package static func compile(_ ir: IR, salt: Salt, limits: Limits = Limits(), declarationsAreForeign: Bool = false,
                                fuses: Bool = true, expand: @escaping (Int, Salt) -> Expansion? = { _, _ in nil }) throws(Failure) -> Program {
        var compiler = Compiler(salt: salt, limits: limits, declarationsAreForeign: declarationsAreForeign, fuses: fuses, expand: expand)
        compiler.emit(ir)
        if let failure = compiler.failure { throw failure }
        let program = Program(compiler.program)
        if program.evaluationCost > limits.maxEvaluationCost { throw .tooCostly }
        return program
    }

    // MARK: Emission

    private mutating func append(_ instruction: Instruction, _ span: SourceSpan) {
        guard failure == nil else { return }
        if program.code.count >= limits.maxProgramSize {
            failure = .tooLarge
            return
        }
        program.code.append(instruction)
        program.spans.append(spanOverride ?? span)
        height += instruction.stackEffect
        program.maxStack = max(program.maxStack, height)
    }

    private mutating func constant(_ value: Value) -> UInt32 {
        if let k = constantIndex[value], program.constants[Int(k)].kind == value.kind { return k }
        program.constants.append(value)
        let k = UInt32(program.constants.count - 1)
        constantIndex[value] = k
        return k
    }

    package mutating func emit(_ ir: IR) {
        if failure != nil { return }
        nesting += 1
        defer { nesting -= 1 }
        if nesting > limits.maxInlinedNestingDepth {
            failure = .tooDeep
            return
        }
        switch ir {
        case .constant(let value, let span):
            append(.constant(constant(value)), span)
        case .slot(let s, let span):
            append(.slot(UInt32(s)), span)
        case .member(let base, let name, let span):
            emit(base)
            append(.member(constant(.string(name))), span)
        case .index(let base, let index, let span):
            emit(base)
            emit(index)
            append(.index, span)
        case .list(let items, let span):
            for item in items { emit(item) }
            append(.makeList(UInt32(items.count)), span)
        case .not(let operand, let span):
            if fuses, case .slot(let s, _) = operand {
                append(.slotNot(UInt32(s)), span)
            } else {
                emit(operand)
                append(.not, span)
            }
        case .negate(let operand, let span):
            emit(operand)
            append(.negate, span)
        case .binary(let op, let left, let right, let span):
            emitBinary(op, left, right, span)
        case .inSet(let operand, let set, let span):
            program.sets.append(ConstantSet(set))
            let k = UInt32(program.sets.count - 1)
            if fuses, case .slot(let s, _) = operand {
                append(.slotInSet(slot: UInt32(s), set: k), span)
            } else {
                emit(operand)
                append(.inSet(k), span)
            }
        case .matches(let operand, let regex, let span):
            emit(operand)
            program.regexes.append(regex)
            append(.matches(UInt32(program.regexes.count - 1)), span)
        case .logical(let op, let operands, let span):
            // a; test; b; step; c; step; …; z; combine — every test jumps to the end.
            let start = program.code.count
            var jumps: [Int] = []
            for (i, operand) in operands.enumerated() {
                emit(operand)
                let last = i == operands.count - 1
                if i > 0 && last {
                    append(op == .and ? .andCombine : .orCombine, span)
                } else if !last {
                    jumps.append(program.code.count)
                    append(shortCircuit(op, first: i == 0, target: 0), span)
                }
            }
            let end = UInt32(program.code.count)
            for j in jumps where j < program.code.count {
                program.code[j] = shortCircuit(op, first: j == jumps[0], target: end)
            }
            if fuses { prefixTestChain(op, from: start, links: jumps, span) }
        case .call(let builtin, let arguments, let span):
            if fuses, builtin == .exists, arguments.count == 1, case .slot(let s, _) = arguments[0] {
                append(.slotExists(UInt32(s)), span)
                return
            }
            for argument in arguments { emit(argument) }
            var count = arguments.count
            if builtin == .bucket && count == 1 {
                switch salt {
                case .runtime: append(.defaultSalt, span)
                case .constant(let name): append(.constant(constant(.string(name))), span)
                }
                count = 2
            }
            append(.call(builtin, argumentCount: UInt8(count)), span)
        case .reference(let index, let span):
            switch expand(index, salt) {
            case .inline(let inlined, let innerSalt)?:
                let outer = salt, outerOverride = spanOverride
                salt = innerSalt
                if declarationsAreForeign && spanOverride == nil { spanOverride = span }
                // The reference itself is no level of the tree: the inlined tree takes its place.
                nesting -= 1
                emit(inlined)
                nesting += 1
                salt = outer
                spanOverride = outerOverride
            case .flag(let flag)?:
                program.flags.append(flag)
                append(.flag(UInt32(program.flags.count - 1)), span)
            case nil:
                append(.constant(constant(.null)), span)
            }
        }
    }

    private mutating func emitBinary(_ op: BinaryOperator, _ left: IR, _ right: IR, _ span: SourceSpan) {
        if !fuses {
            emitPlainBinary(op, left, right, span)
            return
        }
        if op == .equal {
            // `attribute == constant` is the most common shape of a targeting rule.
            if case .slot(let s, _) = left, case .constant(let v, _) = right {
                append(.slotEqualsConstant(slot: UInt32(s), constant: constant(v)), span)
                return
            }
            if case .constant(let v, _) = left, case .slot(let s, _) = right {
                append(.slotEqualsConstant(slot: UInt32(s), constant: constant(v)), span)
                return
            }
        }
        if Instruction.fuses(op), case .slot(let s, _) = left, case .constant(let v, _) = right {
            append(.slotOperatorConstant(op, slot: UInt32(s), constant: constant(v)), span)
            return
        }
        if op == .less, let rollout = bucketTest(left, right) {
            // Only the call can fail (a key that is not a string or number), so the fused
            // instruction carries the call's span, as the unfused error would.
            append(.bucketLess(slot: rollout.slot, salt: rollout.salt, bound: constant(rollout.bound)), rollout.span)
            return
        }
        if Instruction.isOrderComparison(op), case .call(.now, let arguments, _) = left, arguments.isEmpty,
            case .constant(let v, _) = right, case .time = v {
            // `now() >= time("…")`, the scheduled release: one instruction, and a test an
            // `all_of`/`any_of` chain can run.
            append(.nowCompare(op, constant: constant(v)), span)
            return
        }
        if Instruction.isOrderComparison(op), case .call(.semver, let arguments, let callSpan) = left,
            arguments.count == 1, case .slot(let s, _) = arguments[0], case .constant(let v, _) = right, case .version = v {
            // As with `bucket_lt`, only the call can fail, so the instruction carries its span.
            append(.semverCompare(op, slot: UInt32(s), constant: constant(v)), callSpan)
            return
        }
        emitPlainBinary(op, left, right, span)
    }

    /// `left op right` as its operands' code and the operator's instruction.
    private mutating func emitPlainBinary(_ op: BinaryOperator, _ left: IR, _ right: IR, _ span: SourceSpan) {
        emit(left)
        emit(right)
        switch op {
        case .add: append(.add, span)
        case .subtract: append(.subtract, span)
        case .multiply: append(.multiply, span)
        case .divide: append(.divide, span)
        case .remainder: append(.remainder, span)
        case .equal: append(.equal, span)
        case .notEqual: append(.notEqual, span)
        case .less: append(.less, span)
        case .lessEqual: append(.lessEqual, span)
        case .greater: append(.greater, span)
        case .greaterEqual: append(.greaterEqual, span)
        case .in: append(.inList, span)
        case .notIn:
            append(.inList, span)
            append(.not, span)
        case .contains: append(.contains, span)
        case .containsAny: append(.containsAny, span)
        case .containsAll: append(.containsAll, span)
        case .startsWith: append(.startsWith, span)
        case .endsWith: append(.endsWith, span)
        case .matches:
            // The checker always produces `IR.matches` with a compiled pattern.
            append(.constant(constant(.null)), span)
        }
    }

    /// Puts an `all_of`/`any_of` in front of the chain just emitted at `start` (its links
    /// at `links`, then the final combine) when each operand compiled to a single attribute
    /// test or to a chain that got its own prefix (`a; test; (b or c); step; …; z;
    /// combine`), shifting every jump of the chain past the new instruction. Targeting
    /// rules are mostly such chains, segments inlined into them included.
    private mutating func prefixTestChain(_ op: LogicalOperator, from start: Int, links: [Int], _ span: SourceSpan) {
        let code = program.code
        guard failure == nil, !links.isEmpty, code.count < limits.maxProgramSize, links.allSatisfy({ $0 < code.count }) else { return }
        // Operand spans: from `start` or after a link, up to the next link or the combine.
        let bounds = [start] + links.map { $0 + 1 }
        let ends = links + [code.count - 1]
        for (a, b) in zip(bounds, ends) {
            guard a < b else { return }
            switch code[a] {
            case .allOf(_, let end) where Int(end) == b, .anyOf(_, let end) where Int(end) == b: continue
            case let single where b - a == 1 && single.isAttributeTest: continue
            default: return
            }
        }
        for j in start ..< code.count { program.code[j] = code[j].jumpingPast(start) }
        let count = UInt32(links.count + 1), end = UInt32(code.count + 1)
        program.code.insert(op == .and ? .allOf(count: count, end: end) : .anyOf(count: count, end: end), at: start)
        program.spans.insert(spanOverride ?? span, at: start)
    }

    /// The jump after an operand of an `and`/`or` chain: a plain test after the first operand,
    /// a combine-and-test after a middle one.
    private func shortCircuit(_ op: LogicalOperator, first: Bool, target: UInt32) -> Instruction {
        switch (op, first) {
        case (.and, true): .andTest(target: target)
        case (.and, false): .andStep(target: target)
        case (.or, true): .orTest(target: target)
        case (.or, false): .orStep(target: target)
        }
    }

    /// Recognises `bucket(attribute[, "salt"]) < number`, the percentage-rollout shape.
    private mutating func bucketTest(_ left: IR, _ right: IR) -> (slot: UInt32, salt: UInt32, bound: Value, span: SourceSpan)? {
        guard case .call(.bucket, let arguments, let span) = left, case .constant(let bound, _) = right,
            case .number = bound, arguments.count <= 2, case .slot(let s, _)? = arguments.first
        else { return nil }
        if arguments.count == 2 {
            guard case .constant(let salt, _) = arguments[1], case .string = salt else { return nil }
            return (UInt32(s), constant(salt), bound, span)
        }
        switch salt {
        case .runtime: return (UInt32(s), Instruction.defaultSaltOperand, bound, span)
        case .constant(let name): return (UInt32(s), constant(.string(name)), bound, span)
        }
    }
}
