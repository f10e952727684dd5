/// The virtual machine: runs a program against bound attribute slots.
///
/// One `run` function, one `switch`, with the stack in a temporary allocation sized by the
/// compiler, so an evaluation does not touch the heap unless an operation builds a new
/// value (a list, a lowered string). It never traps: every fault becomes an error value
/// with the span of its instruction.
package enum VM {
    /// What an evaluation may read besides the slots.
    package struct Environment {
        /// The value of `now()`.
        package var now: Instant
        /// The default `bucket` salt, as UTF-8 bytes that outlive the evaluation (a flag's
        /// name, kept by its `FlagProgram`). Bytes, not a `String`: the environment holds no
        /// reference, so passing it from flag to flag never retains or releases anything.
        package var salt: UnsafeBufferPointer<UInt8>
        /// Prerequisite values already worked out for this record, where the caller keeps them.
        package var memo: FlagMemo.Access?

        package init(now: Instant, salt: UnsafeBufferPointer<UInt8>) {
            self.now = now
            self.salt = salt
        }

        /// Runs `body` with an environment whose salt is `salt`, valid for the call.
        package static func with<R>(now: Instant, salt: String, _ body: (Environment) -> R) -> R {
            withUTF8Bytes(salt) { body(Environment(now: now, salt: $0)) }
        }
    }

    /// Stacks up to this many cells live in a fixed-size buffer.
    private static let smallStack = 16

    /// Runs `program` with `slots` holding the value of each attribute path it reads.
    package static func run(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Cell {
        // Served values and constant conditions: no machine needed.
        if program.isConstant, let value = program.constantValue { return .value(value) }
        // A program that is one attribute test, or one chain of them (most conditions), is
        // answered from its quick operands without setting up the machine; only an error or
        // a non-boolean goes on to the interpreter, which works out the exact outcome. One
        // attribute (a boolean attribute as a condition) is its slot.
        switch program.shape {
        case .general: break
        case .test, .chain:
            if let result = quick(program, slots: slots, environment: environment) { return .value(.bool(result)) }
        case .attribute(let s):
            return .value(Int(s) < slots.count ? slots[Int(s)] : .null)
        }
        return interpret(program, slots: slots, environment: environment)
    }

    /// The value of a `.test` or `.chain` program when its operands give plain booleans (as
    /// nearly always), or nil when one before the deciding one does not, and the
    /// interpreter works out the exact value or error.
    @inline(__always)
    private static func quick(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Bool? {
        quickChain(program, from: 0, count: program.quickCount, decider: program.quickDecider, slots: slots, environment: environment)
    }

    /// The `all_of` (`decider` false) or `any_of` (true) chain of the `count` quick operands
    /// from `first`: the decider as soon as an operand gives it, the other boolean when none
    /// does. Each operand is answered by its quick test when that applies, else by its
    /// instruction; nil when an operand before the deciding one gives no plain boolean.
    @inline(__always)
    private static func quickChain(_ program: Program, from first: Int, count: Int, decider: Bool, slots: UnsafeBufferPointer<Value>,
                                   environment: Environment) -> Bool? {
        let operands = program.quickOperands
        var at = first
        for _ in 0..<count {
            let outcome: Bool?
            if case .chain(let nestedDecider, let n, let length) = operands[at].test {
                outcome = nestedQuickChain(program, from: at + 1, count: n, decider: nestedDecider, slots: slots, environment: environment)
                at += 1 + length
            } else {
                outcome = quickOutcome(operands[at].test, slots: slots, environment: environment)
                    ?? operandOutcome(program, at: operands[at].pc, slots: slots, environment: environment)
                at += 1
            }
            guard let b = outcome else { return nil }
            if b == decider { return decider }
        }
        return !decider
    }

    /// `quickChain` for a nested chain: a function of its own, since chains nest.
    @inline(never)
    private static func nestedQuickChain(_ program: Program, from first: Int, count: Int, decider: Bool,
                                         slots: UnsafeBufferPointer<Value>, environment: Environment) -> Bool? {
        quickChain(program, from: first, count: count, decider: decider, slots: slots, environment: environment)
    }

    /// The outcome of a quick test, when it is one it answers: nil for any other case
    /// (another type, a missing attribute, an operand that needs its instruction).
    @inline(__always)
    private static func quickOutcome(_ test: QuickTest, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Bool? {
        // The comparisons give what `Operations.order` gives: `<=` is "not greater", `>=`
        // "not less" (also for NaN, which orders as equal there).
        switch test {
        case .less(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return x < bound }
        case .lessEqual(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return !(x > bound) }
        case .greater(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return x > bound }
        case .greaterEqual(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return !(x < bound) }
        case .numberEqual(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return x == bound }
        case .numberNotEqual(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return x != bound }
        case .stringEqual(let s, let words):
            // Equal words are equal strings; a small string with other words differs. A
            // large one goes to the byte comparison of the instruction.
            if Int(s) < slots.count, case .string(let x) = slots[Int(s)] {
                let w = StringWords(x)
                if w == words { return true }
                if w.isSmall { return false }
            }
        case .stringNotEqual(let s, let words):
            if Int(s) < slots.count, case .string(let x) = slots[Int(s)] {
                let w = StringWords(x)
                if w == words { return false }
                if w.isSmall { return true }
            }
        case .boolEqual(let s, let b):
            if Int(s) < slots.count, case .bool(let x) = slots[Int(s)] { return x == b }
        case .inSet(let s, let set):
            if Int(s) < slots.count { return set._withUnsafeGuaranteedRef { $0.contains(slots[Int(s)]) } }
        case .not(let s):
            if Int(s) < slots.count, case .bool(let x) = slots[Int(s)] { return !x }
        case .exists(let s):
            return Int(s) < slots.count && !slots[Int(s)].isNull
        case .affix(let s, let affix, let prefix):
            if Int(s) < slots.count, case .string(let x) = slots[Int(s)] {
                let words = StringWords(x)
                return words.isSmall ? hasAffix(smallSubject: words, affix, prefix: prefix)
                    : withUTF8Bytes(x) { hasAffix($0, affix, prefix: prefix) }
            }
        // A small string's bytes are read out of line (see `Builtin.bucketIndex(ofSmallKey:)`):
        // copied here, they would cost this frame a stack buffer and its guard on every run.
        case .bucketLess(let s, let salt, let bound):
            if Int(s) < slots.count, case .string(let key) = slots[Int(s)] {
                let words = StringWords(key), salt = salt ?? environment.salt
                let index = words.isSmall ? Builtin.bucketIndex(ofSmallKey: words, salt: salt, buckets: 100)
                    : withUTF8Bytes(key) { Builtin.bucketIndex(ofKey: $0, salt: salt, buckets: 100) }
                return Double(index) < bound
            }
        case .semver(let s, let op, let bound):
            if Int(s) < slots.count, case .string(let text) = slots[Int(s)], case let words = StringWords(text),
                let numbers = words.isSmall ? Version.releaseNumbers(small: words)
                    : withUTF8Bytes(text, { Version.releaseNumbers(UnsafeRawBufferPointer($0)) }) {
                return Operations.holds(op, order: numbers < bound ? -1 : numbers == bound ? 0 : 1)
            }
        case .now(let op, let t):
            return nowHolds(op, environment.now, t)
        case .instruction, .chain:
            break
        }
        return nil
    }

    /// The outcome of the quick path's operand at `pc` by its instruction. Out of line: the
    /// quick tests answer most operands.
    @inline(never)
    private static func operandOutcome(_ program: Program, at pc: Int, slots: UnsafeBufferPointer<Value>,
                                       environment: Environment) -> Bool? {
        attributeTest(program.codeBuffer[pc], at: pc, slots: slots, constants: program.constantBuffer, environment: environment,
                      program: program)
    }

    /// `run` by the interpreter. A function of its own, so that the direct answers above
    /// run in a small frame, without the interpreter's stack and saved registers.
    @inline(never)
    private static func interpret(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Cell {
        // Nearly every rule needs a few cells: a stack of constant size is a fixed part of
        // this frame, where a computed size costs a dynamic allocation with stack probes.
        func run(on buffer: UnsafeMutableBufferPointer<Cell>) -> Cell {
            execute(program, code: program.codeBuffer, constants: program.constantBuffer, slots: slots,
                    environment: environment, stack: Stack(base: buffer.baseAddress!))
        }
        if program.maxStack <= smallStack {
            return withUnsafeTemporaryAllocation(of: Cell.self, capacity: smallStack, run(on:))
        }
        return withUnsafeTemporaryAllocation(of: Cell.self, capacity: program.maxStack, run(on:))
    }

    /// The operand stack: a pointer and a height, as a value with mutating methods rather
    /// than closures over a local `var` (which would cost dynamic exclusivity checks).
    private struct Stack {
        let base: UnsafeMutablePointer<Cell>
        var top = 0

        @inline(__always) mutating func push(_ cell: Cell) {
            (base + top).initialize(to: cell)
            top += 1
        }

        @inline(__always) mutating func pop() -> Cell {
            top -= 1
            return (base + top).move()
        }

        /// True when the top cell is the boolean `value` (the short-circuit test).
        @inline(__always) func topIs(_ value: Bool) -> Bool {
            if case .value(.bool(let b)) = base[top - 1] { return b == value }
            return false
        }

        /// The `and`/`or` link when both operands are plain booleans, the common case: the
        /// left one is not the deciding value (its test would have jumped), so the result is
        /// the right one. Bool cells hold no references, so they are overwritten and dropped
        /// without copies. Returns false, changing nothing, when either operand is not a boolean.
        @inline(__always) mutating func combineBooleans() -> Bool {
            guard top >= 2, case .value(.bool(let right)) = base[top - 1], case .value(.bool) = base[top - 2] else {
                return false
            }
            top -= 1
            (base + top - 1).initialize(to: .value(.bool(right)))
            return true
        }

        /// Pops everything left (a well-formed program leaves one cell) and returns the top.
        mutating func finish() -> Cell {
            let result = top > 0 ? pop() : .value(.null)
            if top > 0 { base.deinitialize(count: top) }
            top = 0
            return result
        }
    }

    @inline(__always)
    private static func execute(_ program: Program, code: UnsafeBufferPointer<Instruction>, constants: UnsafeBufferPointer<Value>,
                                slots: UnsafeBufferPointer<Value>, environment: Environment, stack initial: Stack) -> Cell {
        var stack = initial
        var pc = 0
        let end = code.count
        let slotCount = slots.count

        while pc < end {
            let instruction = code[pc]
            let here = pc
            pc += 1

            switch instruction {
            // MARK: Loads
            case .constant(let k):
                stack.push(.value(constants[Int(k)]))
            case .slot(let s):
                stack.push(.value(Int(s) < slotCount ? slots[Int(s)] : .null))
            case .defaultSalt:
                stack.push(.value(.string(String(decoding: environment.salt, as: UTF8.self))))

            // MARK: Access
            case .member(let k):
                guard case .string(let name) = constants[Int(k)] else { break }
                unary(&stack, program, here) { Operations.member($0, name) }
            case .index:
                binary(&stack, program, here) { Operations.index($0, $1) }
            case .makeList(let n):
                var items = [Value](repeating: .null, count: Int(n))
                var failure: Cell?
                for i in stride(from: Int(n) - 1, through: 0, by: -1) {
                    switch stack.pop() {
                    case .value(let v): items[i] = v
                    case let e: failure = e
                    }
                }
                stack.push(failure ?? .value(.list(items)))

            // MARK: Logic
            case .not:
                unary(&stack, program, here) { v throws(Fault) in try Operations.not(v) }
            case .andTest(let target):
                if stack.topIs(false) { pc = Int(target) }
            case .orTest(let target):
                if stack.topIs(true) { pc = Int(target) }
            case .andCombine:
                if !stack.combineBooleans() {
                    let b = stack.pop(), a = stack.pop()
                    stack.push(combine(a, b, decider: false, op: "and", span: program.spans[here]))
                }
            case .orCombine:
                if !stack.combineBooleans() {
                    let b = stack.pop(), a = stack.pop()
                    stack.push(combine(a, b, decider: true, op: "or", span: program.spans[here]))
                }
            case .andStep(let target):
                if !stack.combineBooleans() {
                    let b = stack.pop(), a = stack.pop()
                    stack.push(combine(a, b, decider: false, op: "and", span: program.spans[here]))
                }
                if stack.topIs(false) { pc = Int(target) }
            case .orStep(let target):
                if !stack.combineBooleans() {
                    let b = stack.pop(), a = stack.pop()
                    stack.push(combine(a, b, decider: true, op: "or", span: program.spans[here]))
                }
                if stack.topIs(true) { pc = Int(target) }

            // MARK: Arithmetic
            case .negate: unary(&stack, program, here) { v throws(Fault) in try Operations.negate(v) }
            case .add: binary(&stack, program, here) { a, b throws(Fault) in try Operations.add(a, b) }
            case .subtract: binary(&stack, program, here) { a, b throws(Fault) in try Operations.subtract(a, b) }
            case .multiply: binary(&stack, program, here) { a, b throws(Fault) in try Operations.multiply(a, b) }
            case .divide: binary(&stack, program, here) { a, b throws(Fault) in try Operations.divide(a, b) }
            case .remainder: binary(&stack, program, here) { a, b throws(Fault) in try Operations.remainder(a, b) }

            // MARK: Comparison
            case .equal: binary(&stack, program, here) { .bool($0 == $1) }
            case .notEqual: binary(&stack, program, here) { .bool($0 != $1) }
            case .less: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.order(a, b, "<") < 0) }
            case .lessEqual: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.order(a, b, "<=") <= 0) }
            case .greater: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.order(a, b, ">") > 0) }
            case .greaterEqual: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.order(a, b, ">=") >= 0) }

            // MARK: Membership and strings
            case .inList: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.inList(a, b)) }
            case .inSet(let k):
                let set = program.setBuffer[Int(k)]
                unary(&stack, program, here) { v in .bool(set._withUnsafeGuaranteedRef { $0.contains(v) }) }
            case .contains: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.contains(a, b)) }
            case .containsAny: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.containsSome(a, b, all: false)) }
            case .containsAll: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.containsSome(a, b, all: true)) }
            case .startsWith: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.affix(a, b, prefix: true)) }
            case .endsWith: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Operations.affix(a, b, prefix: false)) }
            case .matches(let k):
                let regex = program.regexes[Int(k)]
                unary(&stack, program, here) { v throws(Fault) in
                    guard case .string(let s) = v else { throw Fault.operand("'matches'", "left", expected: "a string", got: v) }
                    return .bool(regex.matches(s))
                }

            // MARK: Calls
            case .call(.now, _):
                // The two calls with nothing to compute, without the general call machinery.
                stack.push(.value(.time(environment.now)))
            case .call(.exists, 1):
                if case .value(let v) = stack.base[stack.top - 1] {
                    let present = !v.isNull
                    _ = stack.pop()
                    stack.push(.value(.bool(present)))
                }  // an error argument stays on the stack: it is the result
            case .call(let builtin, let count):
                let n = Int(count)
                let first = stack.base + (stack.top - n)
                var failure: Cell?
                for i in 0..<n {
                    if case .error = first[i] { failure = first[i]; break }
                }
                let result: Cell
                if let failure {
                    result = failure
                } else {
                    result = withUnsafeTemporaryAllocation(of: Value.self, capacity: n) { args -> Cell in
                        for i in 0..<n {
                            if case .value(let v) = first[i] { (args.baseAddress! + i).initialize(to: v) }
                        }
                        defer { args.baseAddress!.deinitialize(count: n) }
                        do throws(Fault) {
                            return .value(try builtin.apply(UnsafeBufferPointer(args), now: environment.now))
                        } catch {
                            return .error(RuntimeFault(message: error.message, span: program.spans[here]))
                        }
                    }
                }
                first.deinitialize(count: n)
                stack.top -= n
                stack.push(result)

            // MARK: Rule files
            case .flag(let k):
                stack.push(.value(prerequisite(k, slots: slots, environment: environment, program: program)))

            // MARK: Specialised
            case .slotEqualsConstant(let s, let k):
                stack.push(.value(.bool(equalsTest(s, k, slots: slots, constants: constants))))
            case .slotInSet(let s, let k):
                stack.push(.value(.bool(inSetTest(s, k, slots: slots, program: program))))
            case .slotOperatorConstant(let op, let s, let k):
                if let result = operatorTest(op, s, k, at: here, slots: slots, constants: constants, program: program) {
                    stack.push(.value(.bool(result)))
                } else {
                    stack.push(attributeTestCell(instruction, at: here, slots: slots, constants: constants, salt: environment.salt, program: program))
                }
            case .slotNot(let s):
                if let result = notTest(s, at: here, slots: slots, program: program) {
                    stack.push(.value(.bool(result)))
                } else {
                    stack.push(attributeTestCell(instruction, at: here, slots: slots, constants: constants, salt: environment.salt, program: program))
                }
            case .nowCompare(let op, let k):
                stack.push(.value(.bool(nowTest(op, k, now: environment.now, constants: constants))))
            case .slotExists(let s):
                stack.push(.value(.bool(existsTest(s, slots: slots))))
            case .semverCompare, .bucketLess:
                stack.push(attributeTestCell(instruction, at: here, slots: slots, constants: constants, salt: environment.salt, program: program))

            // MARK: Chains of attribute tests
            case .allOf(let count, let end), .anyOf(let count, let end):
                // The operands are the chain's code that follows (see `chain`).
                if let result = chain(code, from: pc, count: Int(count), decider: instruction.decidesOn, slots: slots,
                                      constants: constants, environment: environment, program: program) {
                    stack.push(.value(.bool(result)))
                    pc = Int(end)
                }
            }
        }
        return stack.finish()
    }

    /// The value of the `all_of` (`decider` false) or `any_of` (`decider` true) chain whose
    /// `count` operands start at `first`: the decider as soon as an operand gives it, the
    /// other boolean when none does. An operand is an attribute test, followed by its link,
    /// or a nested chain (its prefix, its code, then its link). Nil when an operand before
    /// the deciding one gives no plain boolean: the chain's own code then works out the
    /// exact value or error.
    @inline(__always)
    private static func chain(_ code: UnsafeBufferPointer<Instruction>, from first: Int, count: Int, decider: Bool,
                              slots: UnsafeBufferPointer<Value>, constants: UnsafeBufferPointer<Value>, environment: Environment,
                              program: Program) -> Bool? {
        var at = first
        for _ in 0..<count {
            let outcome: Bool?
            switch code[at] {
            case .allOf(let n, let end), .anyOf(let n, let end):
                outcome = nestedChain(code, from: at + 1, count: Int(n), decider: code[at].decidesOn, slots: slots,
                                      constants: constants, environment: environment, program: program)
                at = Int(end) + 1
            default:
                outcome = attributeTest(code[at], at: at, slots: slots, constants: constants, environment: environment,
                                        program: program)
                at += 2
            }
            guard let b = outcome else { return nil }
            if b == decider { return decider }
        }
        return !decider
    }

    /// `chain` for a chain nested in another (a segment inlined into a flag's chain): a
    /// function of its own, since a chain can nest chains.
    @inline(never)
    private static func nestedChain(_ code: UnsafeBufferPointer<Instruction>, from first: Int, count: Int, decider: Bool,
                                    slots: UnsafeBufferPointer<Value>, constants: UnsafeBufferPointer<Value>, environment: Environment,
                                    program: Program) -> Bool? {
        chain(code, from: first, count: count, decider: decider, slots: slots, constants: constants, environment: environment,
              program: program)
    }

    /// The outcome of the attribute test `instruction` (a fused instruction that tests one
    /// slot, the time or a remembered prerequisite, at `here`) when it is a plain boolean —
    /// nearly always; nil when it is anything else (an error, a non-boolean), which
    /// `attributeTestCell` then works out. Builds nothing. The tests of a chain go through
    /// here; the VM's own cases call the inlined test of their kind directly.
    private static func attributeTest(_ instruction: Instruction, at here: Int, slots: UnsafeBufferPointer<Value>,
                                      constants: UnsafeBufferPointer<Value>, environment: Environment, program: Program) -> Bool? {
        let salt = environment.salt
        switch instruction {
        case .nowCompare(let op, let k): return nowTest(op, k, now: environment.now, constants: constants)
        case .flag(let k):
            // Only a value already remembered for this record (batch evaluation, where a
            // prerequisite is evaluated before the flags that use it): otherwise the chain's
            // ordinary code evaluates it. (Evaluating here would make this test recursive,
            // and keep the compiler from inlining the tests into their callers.)
            return remembered(k, environment: environment, program: program)?.plainBoolean
        case .slotExists(let s): return existsTest(s, slots: slots)
        case .slotEqualsConstant(let s, let k): return equalsTest(s, k, slots: slots, constants: constants)
        case .slotInSet(let s, let k): return inSetTest(s, k, slots: slots, program: program)
        case .slotOperatorConstant(let op, let s, let k):
            if let result = operatorTest(op, s, k, at: here, slots: slots, constants: constants, program: program) { return result }
            guard Int(s) < slots.count, !slots[Int(s)].isNull else { return nil }
            return (try? slotTest(instruction, slots[Int(s)], constants: constants, salt: salt))?.plainBoolean
        case .slotNot(let s): return notTest(s, at: here, slots: slots, program: program)
        case .bucketLess(let s, let saltOperand, let k):
            guard Int(s) < slots.count, !slots[Int(s)].isNull else { return program.missingOutcomes[here].plainBoolean }
            guard case .number(let bound) = constants[Int(k)],
                let index = try? bucketIndex(of: slots[Int(s)], saltOperand: saltOperand, constants: constants, defaultSalt: salt)
            else { return nil }
            return Double(index) < bound
        case .semverCompare(_, let s, _):
            // A missing attribute: the outcome was worked out when the program was built.
            guard Int(s) < slots.count, !slots[Int(s)].isNull else { return program.missingOutcomes[here].plainBoolean }
            return (try? slotTest(instruction, slots[Int(s)], constants: constants, salt: salt))?.plainBoolean
        default:
            return nil
        }
    }

    /// `flag`: the value the prerequisite flag serves for this record, from the memo when
    /// the caller keeps one (batch evaluation), else evaluated here (and remembered).
    @inline(__always)
    private static func prerequisite(_ k: UInt32, slots: UnsafeBufferPointer<Value>, environment: Environment,
                                     program: Program) -> Value {
        if let value = remembered(k, environment: environment, program: program) { return value }
        let flag = program.flags[Int(k)]
        let value = evaluate(flag, slots: slots, now: environment.now, memo: environment.memo).value
        environment.memo?.remember(value, at: flag.memoSlot)
        return value
    }

    /// The value of prerequisite `k` of `program` already worked out for this record, when
    /// the caller keeps a memo (batch evaluation).
    @inline(__always)
    private static func remembered(_ k: UInt32, environment: Environment, program: Program) -> Value? {
        environment.memo?.value(at: program.flagMemoSlots[Int(k)])
    }

    /// `now_cmp`: never anything but a boolean (the compiler fuses time constants only).
    @inline(__always)
    private static func nowTest(_ op: BinaryOperator, _ k: UInt32, now: Instant, constants: UnsafeBufferPointer<Value>) -> Bool {
        // Two instants compare directly, without the general comparison's dispatch on types.
        if case .time(let t) = constants[Int(k)], Instruction.isOrderComparison(op) { return nowHolds(op, now, t) }
        return (try? Operations.compare(op, .time(now), constants[Int(k)])) ?? false
    }

    /// `now op t` for one of the order comparisons.
    @inline(__always)
    private static func nowHolds(_ op: BinaryOperator, _ now: Instant, _ t: Instant) -> Bool {
        Operations.holds(op, order: now < t ? -1 : now == t ? 0 : 1)
    }

    /// `slot_exists`: never anything but a boolean.
    @inline(__always)
    private static func existsTest(_ s: UInt32, slots: UnsafeBufferPointer<Value>) -> Bool {
        Int(s) < slots.count && !slots[Int(s)].isNull
    }

    /// `slot_eq_const`: never anything but a boolean.
    @inline(__always)
    private static func equalsTest(_ s: UInt32, _ k: UInt32, slots: UnsafeBufferPointer<Value>, constants: UnsafeBufferPointer<Value>) -> Bool {
        Int(s) < slots.count ? slots[Int(s)] == constants[Int(k)] : constants[Int(k)] == .null
    }

    /// `slot_in_set`: never anything but a boolean.
    @inline(__always)
    private static func inSetTest(_ s: UInt32, _ k: UInt32, slots: UnsafeBufferPointer<Value>, program: Program) -> Bool {
        program.setBuffer[Int(k)]._withUnsafeGuaranteedRef { set in
            Int(s) < slots.count ? set.contains(slots[Int(s)]) : set.contains(.null)
        }
    }

    /// `slot_op_const` when it is a plain boolean without the general operation (nil: not).
    @inline(__always)
    private static func operatorTest(_ op: BinaryOperator, _ s: UInt32, _ k: UInt32, at here: Int, slots: UnsafeBufferPointer<Value>,
                                     constants: UnsafeBufferPointer<Value>, program: Program) -> Bool? {
        guard Int(s) < slots.count, !slots[Int(s)].isNull else { return program.missingOutcomes[here].plainBoolean }
        return Operations.quickTest(op, slots[Int(s)], constants[Int(k)])
    }

    /// `slot_not` when the attribute is a boolean or missing with a boolean outcome (nil: not).
    @inline(__always)
    private static func notTest(_ s: UInt32, at here: Int, slots: UnsafeBufferPointer<Value>, program: Program) -> Bool? {
        guard Int(s) < slots.count, !slots[Int(s)].isNull else { return program.missingOutcomes[here].plainBoolean }
        if case .bool(let b) = slots[Int(s)] { return !b }
        return nil
    }

    /// The outcome of the attribute test `instruction` at `here` as a cell: the error value
    /// (or non-boolean) for which `attributeTest` gave nil.
    @inline(never)
    private static func attributeTestCell(_ instruction: Instruction, at here: Int, slots: UnsafeBufferPointer<Value>,
                                          constants: UnsafeBufferPointer<Value>, salt: UnsafeBufferPointer<UInt8>, program: Program) -> Cell {
        let s: UInt32
        switch instruction {
        case .slotOperatorConstant(_, let slot, _), .slotNot(let slot), .semverCompare(_, let slot, _), .bucketLess(let slot, _, _):
            s = slot
        default:
            return .value(.null)  // the other tests always give a boolean
        }
        // A missing attribute's outcome is built once per program, so its error value (the
        // usual outcome) costs no allocation here.
        guard Int(s) < slots.count, !slots[Int(s)].isNull else { return program.missingOutcomes[here] }
        do throws(Fault) {
            return .value(try slotTest(instruction, slots[Int(s)], constants: constants, salt: salt))
        } catch {
            return .error(RuntimeFault(message: error.message, span: program.spans[here]))
        }
    }

    /// The value of a fused attribute test (`slot_op_const`, `slot_not`, `semver_cmp`,
    /// `bucket_lt`) when the attribute holds `value`, or its fault. Also used when a program is
    /// built, to work out each test's outcome for a missing attribute.
    package static func slotTest(_ instruction: Instruction, _ value: Value, constants: UnsafeBufferPointer<Value>,
                             salt defaultSalt: UnsafeBufferPointer<UInt8>) throws(Fault) -> Value {
        switch instruction {
        case .slotOperatorConstant(let op, _, let k):
            if let result = Operations.quickTest(op, value, constants[Int(k)]) { return .bool(result) }
            return try Operations.binary(op, value, constants[Int(k)])
        case .slotNot:
            if case .bool(let b) = value { return .bool(!b) }
            return try Operations.not(value)
        case .semverCompare(let op, _, let k):
            guard case .version(let bound) = constants[Int(k)] else { return .null }
            return .bool(Operations.holds(op, order: Version.compare(try Builtin.version(of: value), bound)))
        case .bucketLess(_, let saltOperand, let k):
            guard case .number(let bound) = constants[Int(k)] else { return .null }
            return .bool(Double(try bucketIndex(of: value, saltOperand: saltOperand, constants: constants, defaultSalt: defaultSalt)) < bound)
        default:
            return .null
        }
    }

    /// The bucket (of 100) of `key` under the salt of a `bucket_lt`: the constant at
    /// `saltOperand`, or the evaluation's default salt.
    @inline(__always)
    private static func bucketIndex(of key: Value, saltOperand: UInt32, constants: UnsafeBufferPointer<Value>,
                                    defaultSalt: UnsafeBufferPointer<UInt8>) throws(Fault) -> UInt64 {
        if saltOperand == Instruction.defaultSaltOperand { return try Builtin.bucketIndex(key, saltBytes: defaultSalt, buckets: 100) }
        if case .string(let salt) = constants[Int(saltOperand)] { return try Builtin.bucketIndex(key, salt: salt, buckets: 100) }
        return 0
    }

    /// Pops two operands and pushes `body(a, b)`; an error operand propagates (the left one
    /// first), and a fault becomes an error value with the instruction's span.
    @inline(__always)
    private static func binary(_ stack: inout Stack, _ program: Program, _ here: Int,
                               _ body: (Value, Value) throws(Fault) -> Value) {
        let b = stack.pop(), a = stack.pop()
        guard case .value(let x) = a else { stack.push(a); return }
        guard case .value(let y) = b else { stack.push(b); return }
        do throws(Fault) {
            stack.push(.value(try body(x, y)))
        } catch {
            stack.push(.error(RuntimeFault(message: error.message, span: program.spans[here])))
        }
    }

    /// Pops one operand and pushes `body(a)`, propagating an error operand.
    @inline(__always)
    private static func unary(_ stack: inout Stack, _ program: Program, _ here: Int, _ body: (Value) throws(Fault) -> Value) {
        let a = stack.pop()
        guard case .value(let x) = a else { stack.push(a); return }
        do throws(Fault) {
            stack.push(.value(try body(x)))
        } catch {
            stack.push(.error(RuntimeFault(message: error.message, span: program.spans[here])))
        }
    }

    /// `a and b` / `a or b` once both sides were evaluated; `a` is not the deciding value
    /// (the test instruction would have jumped).
    @inline(__always)
    private static func combine(_ a: Cell, _ b: Cell, decider: Bool, op: String, span: SourceSpan) -> Cell {
        if case .value(.bool(let bv)) = b, bv == decider { return b }  // absorbs an error on the left
        if case .error = a { return a }
        guard case .value(let av) = a, case .bool = av else {
            if case .value(let av) = a {
                return .error(RuntimeFault(message: Fault.operand("'\(op)'", "left", expected: "a boolean", got: av).message, span: span))
            }
            return a
        }
        switch b {
        case .value(.bool): return b
        case .error: return b
        case .value(let bv):
            return .error(RuntimeFault(message: Fault.operand("'\(op)'", "right", expected: "a boolean", got: bv).message, span: span))
        }
    }
}
