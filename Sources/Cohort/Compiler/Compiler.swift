/// Turns checked `IR` into bytecode: short-circuit jumps for `and`/`or`, hashed sets for
/// constant lists, decoded tests (`DecodedTest`) for the common shapes of targeting rules and
/// `chain` prefixes over chains of them, and exact stack sizing.
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
    /// False compiles every test as plain instructions (see `CompileOptions.fusesTests`);
    /// a prerequisite flag is always a `flag` test, the only way to read one.
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

    /// Appends an instruction; `operands` are the IR of its operands, so an error it raises
    /// can name the attribute one of them reads directly (`EvaluationError.path`).
    private mutating func append(_ instruction: Instruction, _ span: SourceSpan, operands: [IR] = []) {
        guard failure == nil else { return }
        if program.code.count >= limits.maxProgramSize {
            failure = .tooLarge
            return
        }
        program.code.append(instruction)
        program.spans.append(spanOverride ?? span)
        program.operandSlots.append(operands.lazy.compactMap { if case .slot(let s, _) = $0 { Int32(s) } else { nil } }.first ?? -1)
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

    /// Appends `test` to the program's tests and the `test` instruction that runs it.
    private mutating func append(test: DecodedTest, _ span: SourceSpan) {
        guard failure == nil else { return }
        program.tests.append(test)
        program.testSpans.append(spanOverride ?? span)
        append(.test(UInt32(program.tests.count - 1)), span)
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
            append(.member(constant(.string(name))), span, operands: [base])
        case .index(let base, let index, let span):
            emit(base)
            emit(index)
            append(.index, span, operands: [base, index])
        case .list(let items, let span):
            for item in items { emit(item) }
            append(.makeList(UInt32(items.count)), span)
        case .not(let operand, let span):
            if fuses, case .slot(let s, _) = operand {
                append(test: .not(slot: UInt32(s)), span)
            } else {
                emit(operand)
                append(.not, span, operands: [operand])
            }
        case .negate(let operand, let span):
            emit(operand)
            append(.negate, span, operands: [operand])
        case .binary(let op, let left, let right, let span):
            emitBinary(op, left, right, span)
        case .inSet(let operand, let set, let span):
            program.sets.append(ConstantSet(set))
            let k = UInt32(program.sets.count - 1)
            if fuses, case .slot(let s, _) = operand {
                append(test: .inSet(slot: UInt32(s), set: k), span)
            } else {
                emit(operand)
                append(.inSet(k), span, operands: [operand])
            }
        case .matches(let operand, let regex, let span):
            emit(operand)
            program.regexes.append(regex)
            append(.matches(UInt32(program.regexes.count - 1)), span, operands: [operand])
        case .logical(let op, let operands, let span):
            // a; test; b; combine; test; c; combine; …; z; combine — every test jumps to the end.
            let start = program.code.count, testStart = program.tests.count
            var links: [Int] = [], combines: [Int] = []
            for (i, operand) in operands.enumerated() {
                emit(operand)
                if i > 0 {
                    combines.append(program.code.count)
                    append(op == .and ? .andCombine : .orCombine, span)
                }
                if i < operands.count - 1 {
                    links.append(program.code.count)
                    append(op == .and ? .andTest(target: 0) : .orTest(target: 0), span)
                }
            }
            let end = UInt32(program.code.count)
            for j in links where j < program.code.count {
                program.code[j] = op == .and ? .andTest(target: end) : .orTest(target: end)
            }
            if fuses { prefixTestChain(op, from: start, testStart: testStart, links: links, combines: combines, span) }
        case .call(let builtin, let arguments, let span):
            if fuses, builtin == .exists, arguments.count == 1, case .slot(let s, _) = arguments[0] {
                append(test: .exists(slot: UInt32(s)), span)
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
            append(.call(builtin, argumentCount: UInt8(count)), span, operands: arguments)
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
                append(test: .flag(UInt32(program.flags.count - 1)), span)
            case nil:
                append(.constant(constant(.null)), span)
            }
        }
    }

    private mutating func emitBinary(_ op: BinaryOperator, _ left: IR, _ right: IR, _ span: SourceSpan) {
        if fuses, let (test, testSpan) = test(op, left, right, span) {
            append(test: test, testSpan)
            return
        }
        emitPlainBinary(op, left, right, span)
    }

    /// The test `left op right` is, for the shapes targeting rules are made of, and the span
    /// its errors point at; nil for anything else.
    private mutating func test(_ op: BinaryOperator, _ left: IR, _ right: IR, _ span: SourceSpan) -> (DecodedTest, SourceSpan)? {
        // `attribute == constant` (either way round) is the most common shape of a rule.
        if op == .equal || op == .notEqual {
            let pair: (UInt32, Value)?
            switch (left, right) {
            case (.slot(let s, _), .constant(let v, _)), (.constant(let v, _), .slot(let s, _)): pair = (UInt32(s), v)
            default: pair = nil
            }
            if let (s, v) = pair {
                let equal = op == .equal
                switch v {
                case .number(let x): return (equal ? .numberEquals(slot: s, x) : .numberNotEquals(slot: s, x), span)
                case .string(let c) where StringWords(c).isSmall:
                    return (equal ? .stringEquals(slot: s, StringWords(c)) : .stringNotEquals(slot: s, StringWords(c)), span)
                case .bool(let b) where equal: return (.boolEquals(slot: s, b), span)
                default: return (equal ? .equals(slot: s, constant: constant(v)) : .notEquals(slot: s, constant: constant(v)), span)
                }
            }
        }
        if case .slot(let s, _) = left, case .constant(let v, _) = right {
            let slot = UInt32(s)
            switch (op, v) {
            case (.less, .number(let x)): return (.less(slot: slot, x), span)
            case (.lessEqual, .number(let x)): return (.lessEqual(slot: slot, x), span)
            case (.greater, .number(let x)): return (.greater(slot: slot, x), span)
            case (.greaterEqual, .number(let x)): return (.greaterEqual(slot: slot, x), span)
            case (.less, _), (.lessEqual, _), (.greater, _), (.greaterEqual, _):
                return (.compare(slot: slot, op.comparison!, constant: constant(v)), span)
            case (.contains, _): return (.contains(slot: slot, constant: constant(v)), span)
            case (.startsWith, .string), (.endsWith, .string): return (.affix(slot: slot, constant: constant(v), prefix: op == .startsWith), span)
            default: return nil
            }
        }
        if op == .less, let rollout = bucketTest(left, right) {
            // Only the call can fail (a key that is not a string or number), so the test
            // carries the call's span, as the plain code's error would.
            return (.bucketLess(slot: rollout.slot, salt: rollout.salt, bound: rollout.bound), rollout.span)
        }
        if let comparison = op.comparison, case .call(.now, let arguments, _) = left, arguments.isEmpty,
            case .constant(.time(let t), _) = right {
            // `now() >= time("…")`, the scheduled release.
            return (.now(comparison, t), span)
        }
        if let comparison = op.comparison, case .call(.semver, let arguments, let callSpan) = left, arguments.count == 1,
            case .slot(let s, _) = arguments[0], case .constant(let v, _) = right, case .version(let version) = v {
            // As with `bucket`, only the call can fail, so the test carries its span.
            _ = version
            return (.semver(slot: UInt32(s), comparison, constant: constant(v)), callSpan)
        }
        return nil
    }

    /// `left op right` as its operands' code and the operator's instruction.
    private mutating func emitPlainBinary(_ op: BinaryOperator, _ left: IR, _ right: IR, _ span: SourceSpan) {
        emit(left)
        emit(right)
        switch op {
        case .add: append(.add, span, operands: [left, right])
        case .subtract: append(.subtract, span, operands: [left, right])
        case .multiply: append(.multiply, span, operands: [left, right])
        case .divide: append(.divide, span, operands: [left, right])
        case .remainder: append(.remainder, span, operands: [left, right])
        case .equal: append(.equal, span, operands: [left, right])
        case .notEqual: append(.notEqual, span, operands: [left, right])
        case .less: append(.less, span, operands: [left, right])
        case .lessEqual: append(.lessEqual, span, operands: [left, right])
        case .greater: append(.greater, span, operands: [left, right])
        case .greaterEqual: append(.greaterEqual, span, operands: [left, right])
        case .in: append(.inList, span, operands: [left, right])
        case .notIn:
            append(.inList, span, operands: [left, right])
            append(.not, span, operands: [left, right])
        case .contains: append(.contains, span, operands: [left, right])
        case .containsAny: append(.containsAny, span, operands: [left, right])
        case .containsAll: append(.containsAll, span, operands: [left, right])
        case .startsWith: append(.startsWith, span, operands: [left, right])
        case .endsWith: append(.endsWith, span, operands: [left, right])
        case .matches:
            // The checker always produces `IR.matches` with a compiled pattern.
            append(.constant(constant(.null)), span)
        }
    }

    /// Puts a `chain` in front of the `and`/`or` chain just emitted at `start` (its links at
    /// `links`, its combines at `combines`) when each operand compiled to a single test or to
    /// a chain that got its own prefix, and the chain's entry in the tests before its
    /// operands' (at `testStart`): `chain t; a; test; b; combine; test; c; combine`. Every
    /// jump target and test index of the chain's code moves one further. Targeting rules
    /// are mostly such chains, segments inlined into them included.
    private mutating func prefixTestChain(_ op: LogicalOperator, from start: Int, testStart: Int, links: [Int], combines: [Int],
                                          _ span: SourceSpan) {
        // The code is read through `program.code` itself, never a copy of it: a copy held
        // while the code is rewritten below would make every chain copy the whole program.
        let count = program.code.count
        guard failure == nil, !links.isEmpty, count < limits.maxProgramSize, links.allSatisfy({ $0 < count }),
              combines.allSatisfy({ $0 < count })
        else { return }
        // Operand i runs from `start` (or after link i-1) up to link 0 (or combine i-1).
        for i in 0 ... min(links.count, combines.count) {
            let (a, b) = (i == 0 ? start : links[i - 1] + 1, i == 0 ? links[0] : combines[i - 1])
            guard a < b else { return }
            switch program.code[a] {
            case .chain(_, let end) where Int(end) == b: continue
            case .test where b - a == 1: continue
            default: return
            }
        }
        for j in start ..< count { program.code[j] = program.code[j].shifted(past: start, test: testStart) }
        let length = UInt32(program.tests.count - testStart)
        program.tests.insert(.chain(decider: op == .or, count: UInt32(links.count + 1), length: length), at: testStart)
        program.testSpans.insert(spanOverride ?? span, at: testStart)
        program.code.insert(.chain(UInt32(testStart), end: UInt32(count + 1)), at: start)
        program.spans.insert(spanOverride ?? span, at: start)
        program.operandSlots.insert(-1, at: start)
    }

    /// Recognises `bucket(attribute[, "salt"]) < number`, the percentage-rollout shape: its
    /// slot, the constant holding its salt (or `DecodedTest.defaultSalt`), its bound and its span.
    private mutating func bucketTest(_ left: IR, _ right: IR) -> (slot: UInt32, salt: UInt32, bound: Double, span: SourceSpan)? {
        guard case .call(.bucket, let arguments, let span) = left, case .constant(.number(let bound), _) = right,
            arguments.count <= 2, case .slot(let s, _)? = arguments.first
        else { return nil }
        if arguments.count == 2 {
            guard case .constant(let salt, _) = arguments[1], case .string = salt else { return nil }
            return (UInt32(s), constant(salt), bound, span)
        }
        switch salt {
        case .runtime: return (UInt32(s), DecodedTest.defaultSalt, bound, span)
        case .constant(let name): return (UInt32(s), constant(.string(name)), bound, span)
        }
    }
}
