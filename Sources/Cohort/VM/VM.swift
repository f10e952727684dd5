/// The virtual machine: runs a program against bound attribute slots.
///
/// One interpreter loop (`execute`) with one `switch`, and one home for the speed tricks:
/// the decoded tests of `Program.tests`. A test is answered inline for the plain case it is
/// made for (`quickOutcome`), by its exact meaning otherwise (`exactOutcome`, through
/// `DecodedTest.value(of:…)`), and a chain of tests by the one walker, `chain`. A program
/// that is a test or a chain (most conditions) goes straight to the walker without setting
/// up the interpreter; the interpreter's `test` and `chain` instructions use the same
/// functions. The stack lives in a temporary allocation sized by the compiler, so an
/// evaluation does not touch the heap unless an operation builds a new value. It never
/// traps: every fault becomes an error value with the span of what failed.
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
        package var memo: PrerequisiteMemo.Access?

        package init(now: Instant, salt: UnsafeBufferPointer<UInt8>, memo: PrerequisiteMemo.Access? = nil) {
            self.now = now
            self.salt = salt
            self.memo = memo
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
        // The common shape first: a chain of tests. Only an error or a non-boolean operand
        // goes on to the interpreter, which works out the exact outcome from the chain's
        // plain code.
        if program.shape == .chain {
            var unused = false
            if let result = chain(Untracked.self, program, from: program.quickFirst, count: program.quickCount,
                                  decider: program.quickDecider, slots: slots, environment: environment, decidedByBucket: &unused) {
                return .value(.bool(result))
            }
            return interpret(program, slots: slots, environment: environment)
        }
        // Served values and constant conditions: no machine needed.
        if program.isConstant, let value = program.constantValue { return .value(value) }
        if program.shape == .attribute {
            return .value(Int(program.attributeSlot) < slots.count ? slots[Int(program.attributeSlot)] : .null)
        }
        return interpret(program, slots: slots, environment: environment)
    }

    /// Whether the outcome of `program` (a `.chain` program that gives a plain boolean) was
    /// decided by a rollout test: for an `any_of` that holds, the operand that made it hold;
    /// for an `all_of` that holds, any of its operands (each had to); and the reverse for
    /// chains that fail. An operand with an error (or another value) before the deciding
    /// one is passed over, as the language absorbs it (`E or true` is `true`). Nil for other
    /// programs, or when the chain gives no plain boolean. The walker is the one `run` uses,
    /// with its tracking switched on.
    package static func decidedByBucket(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Bool? {
        guard program.shape == .chain else { return nil }
        var bucket = false
        let decided = chain(BucketTracking.self, program, from: program.quickFirst, count: program.quickCount,
                            decider: program.quickDecider, slots: slots, environment: environment, decidedByBucket: &bucket)
        return decided == nil ? nil : bucket
    }

    // MARK: The chain walker

    /// Whether the walker works out which tests decided a chain. A type parameter, so the
    /// walker of `run` is compiled without any of it.
    private protocol Tracking { static var tracksBuckets: Bool { get } }
    private enum Untracked: Tracking { static var tracksBuckets: Bool { false } }
    private enum BucketTracking: Tracking { static var tracksBuckets: Bool { true } }

    /// The `all_of` (`decider` false) or `any_of` (true) chain of the `count` tests from
    /// `first` in the program's tests: the decider as soon as an operand gives it, the other
    /// boolean when none does; nil when an operand before the deciding one gives no plain
    /// boolean (the chain's plain code then works out the exact value or error). Tracking,
    /// such an operand is passed over instead, and nil means no operand decided. A nested
    /// chain's entry is followed by its own operands.
    @inline(__always)
    private static func chain<T: Tracking>(_: T.Type, _ program: Program, from first: Int, count: Int, decider: Bool,
                                           slots: UnsafeBufferPointer<Value>, environment: Environment,
                                           decidedByBucket: inout Bool) -> Bool? {
        let tests = program.testBuffer
        var at = first
        var anyBucket = false
        // Tracking only: an operand with no plain boolean went by. `E or true` is `true` (and
        // `E and false` is `false`): a later operand can still decide, and the reason needs
        // to know which one did; without a decider, the chain is that error after all.
        var sawOther = false
        // A countdown, not `0..<count`: no range check per run, and the counter in a register.
        var remaining = count
        while remaining > 0 {
            remaining &-= 1
            let outcome: Bool?
            var bucket = false
            let test = tests[at]
            if case .chain(let nestedDecider, let n, let length) = test {
                outcome = nestedChain(T.self, program, from: at + 1, count: Int(n), decider: nestedDecider, slots: slots,
                                      environment: environment, decidedByBucket: &bucket)
                at &+= 1 &+ Int(length)
            } else {
                outcome = quickOutcome(test, program, slots: slots, environment: environment)
                    ?? exactBoolean(program, at, slots: slots, environment: environment)
                if T.tracksBuckets { bucket = test.isBucket }
                at &+= 1
            }
            guard let b = outcome else {
                if T.tracksBuckets {
                    sawOther = true
                    continue
                }
                return nil
            }
            if T.tracksBuckets { anyBucket = anyBucket || bucket }
            if b == decider {
                if T.tracksBuckets { decidedByBucket = bucket }
                return decider
            }
        }
        if T.tracksBuckets {
            if sawOther { return nil }
            decidedByBucket = anyBucket
        }
        return !decider
    }

    /// `chain` for a nested chain (a segment's `or` inside a flag's `and`): a function of its
    /// own, since chains nest.
    @inline(never)
    private static func nestedChain<T: Tracking>(_: T.Type, _ program: Program, from first: Int, count: Int, decider: Bool,
                                                 slots: UnsafeBufferPointer<Value>, environment: Environment,
                                                 decidedByBucket: inout Bool) -> Bool? {
        chain(T.self, program, from: first, count: count, decider: decider, slots: slots, environment: environment,
              decidedByBucket: &decidedByBucket)
    }

    // MARK: Tests

    /// The inline answer of `test` (of `program`) for the plain case it is made for; nil for
    /// any other (another type, a missing attribute, a long string), which `exactOutcome`
    /// works out. Reads no `Value` out of the slots and copies none: each case looks at its
    /// slot's payload in place.
    @inline(__always)
    private static func quickOutcome(_ test: DecodedTest, _ program: Program, slots: UnsafeBufferPointer<Value>,
                                     environment: Environment) -> Bool? {
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
        case .numberEquals(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return x == bound }
        case .numberNotEquals(let s, let bound):
            if Int(s) < slots.count, case .number(let x) = slots[Int(s)] { return x != bound }
        case .stringEquals(let s, let words):
            // Equal words are equal strings; a small string with other words differs. A
            // large one goes to the exact comparison.
            if Int(s) < slots.count, case .string(let x) = slots[Int(s)] {
                let w = StringWords(x)
                if w == words { return true }
                if w.isSmall { return false }
            }
        case .stringNotEquals(let s, let words):
            if Int(s) < slots.count, case .string(let x) = slots[Int(s)] {
                let w = StringWords(x)
                if w == words { return false }
                if w.isSmall { return true }
            }
        case .boolEquals(let s, let b):
            if Int(s) < slots.count, case .bool(let x) = slots[Int(s)] { return x == b }
        case .inSet(let s, let set):
            if Int(s) < slots.count { return program.setBuffer[Int(set)]._withUnsafeGuaranteedRef { $0.contains(slots[Int(s)]) } }
        case .not(let s):
            if Int(s) < slots.count, case .bool(let x) = slots[Int(s)] { return !x }
        case .exists(let s):
            return Int(s) < slots.count && !slots[Int(s)].isNull
        // A small string's bytes are read out of line (`hasAffix(smallSubject:)`,
        // `Builtin.bucketIndex`, `Version.releaseNumbers(small:)`): copied here, they would
        // cost this frame a stack buffer and its guard on every run.
        case .affix(let s, let k, let prefix):
            if Int(s) < slots.count, case .string(let x) = slots[Int(s)] {
                let words = StringWords(x), affix = program.constantBytes[Int(k)]
                return words.isSmall ? hasAffix(smallSubject: words, affix, prefix: prefix)
                    : withUTF8Bytes(x) { hasAffix($0, affix, prefix: prefix) }
            }
        case .bucketLess(let s, let salt, let bound):
            // A string key (a user id) by its bytes; a number key goes to the exact meaning.
            if Int(s) < slots.count, case .string(let key) = slots[Int(s)] {
                let words = StringWords(key), salt = salt == DecodedTest.defaultSalt ? environment.salt : program.constantBytes[Int(salt)]
                let index = words.isSmall ? Builtin.bucketIndex(ofSmallKey: words, salt: salt, buckets: 100)
                    : withUTF8Bytes(key) { Builtin.bucketIndex(ofKey: $0, salt: salt, buckets: 100) }
                return Double(index) < bound
            }
        case .semver(let s, let op, let k):
            if let release = program.constantReleases[Int(k)], Int(s) < slots.count, case .string(let text) = slots[Int(s)],
                case let words = StringWords(text),
                let numbers = words.isSmall ? Version.releaseNumbers(small: words)
                    : withUTF8Bytes(text, { Version.releaseNumbers(UnsafeRawBufferPointer($0)) }) {
                return op.holds(order: numbers.order(release))
            }
        case .now(let op, let t):
            return op.holds(order: environment.now < t ? -1 : environment.now == t ? 0 : 1)
        case .flag(let f):
            // Only a value already remembered for this record (batch evaluation); otherwise
            // `exactOutcome` evaluates the prerequisite, out of line.
            return environment.memo?.value(at: program.flagMemoIndices[Int(f)])?.plainBoolean
        case .equals, .notEquals, .compare, .contains, .chain:
            break
        }
        return nil
    }

    /// `exactOutcome` when it is a plain boolean; nil for an error or another value. A
    /// missing attribute's outcome is read in place, without copying its error value.
    @inline(never)
    private static func exactBoolean(_ program: Program, _ k: Int, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Bool? {
        if let s = program.testBuffer[k].slot, Int(s) >= slots.count || slots[Int(s)].isNull { return program.missingOutcomes[k].plainBoolean }
        return exactOutcome(program, k, slots: slots, environment: environment).plainBoolean
    }

    /// The outcome of test `k` by its exact meaning: the value or error of the general
    /// operation it stands for. Out of line: the inline answers cover nearly every run.
    @inline(never)
    private static func exactOutcome(_ program: Program, _ k: Int, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Cell {
        let test = program.testBuffer[k]
        switch test {
        case .flag(let f):
            return .value(prerequisite(program, f, slots: slots, environment: environment))
        case .now, .chain:
            return .value(.null)  // `now` is always answered inline, and chains are walked: never here
        default:
            // A missing attribute's outcome is built once per program, so its error value
            // (the usual outcome) costs no allocation here.
            guard let s = test.slot, Int(s) < slots.count, !slots[Int(s)].isNull else { return program.missingOutcomes[k] }
            do throws(Fault) {
                return .value(try test.value(of: slots[Int(s)], constants: program.constantBuffer, sets: program.setBuffer,
                                             defaultSalt: environment.salt) ?? .null)
            } catch {
                return .error(RuntimeFault(error, span: program.testSpans[k], slot: Int(s)))
            }
        }
    }

    /// The value prerequisite `f` of `program` serves for this record: remembered when the
    /// caller keeps a memo (batch evaluation), else evaluated here (`evaluate` remembers it).
    private static func prerequisite(_ program: Program, _ f: UInt32, slots: UnsafeBufferPointer<Value>,
                                     environment: Environment) -> Value {
        if let value = environment.memo?.value(at: program.flagMemoIndices[Int(f)]) { return value }
        let flag = program.flags[Int(f)]
        return evaluate(flag, slots: slots, now: environment.now, memo: environment.memo).value(of: flag)
    }

    // MARK: The interpreter

    /// `run` by the interpreter. A function of its own, so that the direct answers above
    /// run in a small frame, without the interpreter's stack and saved registers.
    @inline(never)
    private static func interpret(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Cell {
        // Nearly every rule needs a few cells: a stack of constant size is a fixed part of
        // this frame, where a computed size costs a dynamic allocation with stack probes.
        func run(on buffer: UnsafeMutableBufferPointer<Cell>) -> Cell {
            execute(program, slots: slots, environment: environment, stack: Stack(base: buffer.baseAddress!))
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
        /// without copies. Returns false, changing nothing, when either is not a boolean.
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
    private static func execute(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment,
                                stack initial: Stack) -> Cell {
        let code = program.codeBuffer, constants = program.constantBuffer
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
            case .andCombine, .orCombine:
                if !stack.combineBooleans() {
                    let b = stack.pop(), a = stack.pop(), or = instruction == .orCombine
                    stack.push(Cell.combine(a, b, decider: or, op: or ? "or" : "and", span: program.spans[here]))
                }

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
            case .less: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Comparison.less.apply(a, b)) }
            case .lessEqual: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Comparison.lessEqual.apply(a, b)) }
            case .greater: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Comparison.greater.apply(a, b)) }
            case .greaterEqual: binary(&stack, program, here) { a, b throws(Fault) in .bool(try Comparison.greaterEqual.apply(a, b)) }

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
                // The call with nothing to compute, without the general call machinery.
                stack.push(.value(.time(environment.now)))
            case .call(let builtin, let count):
                call(builtin, count: Int(count), &stack, program, here, now: environment.now)

            // MARK: Tests
            case .test(let k):
                let quick = quickOutcome(program.testBuffer[Int(k)], program, slots: slots, environment: environment)
                stack.push(quick.map { .value(.bool($0)) } ?? exactOutcome(program, Int(k), slots: slots, environment: environment))
            case .chain(let k, let chainEnd):
                // The operands are the chain's entry's; its plain code follows (see `chain`).
                var unused = false
                if case .chain(let decider, let count, _) = program.testBuffer[Int(k)],
                    let result = chain(Untracked.self, program, from: Int(k) + 1, count: Int(count), decider: decider, slots: slots,
                                       environment: environment, decidedByBucket: &unused) {
                    stack.push(.value(.bool(result)))
                    pc = Int(chainEnd)
                }
            }
        }
        return stack.finish()
    }

    /// `call builtin/count`: pops the arguments and pushes the result; an error argument is
    /// the result.
    private static func call(_ builtin: Builtin, count n: Int, _ stack: inout Stack, _ program: Program, _ here: Int, now: Instant) {
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
                    return .value(try builtin.apply(UnsafeBufferPointer(args), now: now))
                } catch {
                    return .error(fault(error, program, here))
                }
            }
        }
        first.deinitialize(count: n)
        stack.top -= n
        stack.push(result)
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
            stack.push(.error(fault(error, program, here)))
        }
    }

    /// The error value of `error` raised by the instruction at `here`: its span, and the
    /// attribute one of its operands read, if one read it directly.
    @inline(never)
    private static func fault(_ error: Fault, _ program: Program, _ here: Int) -> RuntimeFault {
        let slot = program.operandSlots[here]
        return RuntimeFault(error, span: program.spans[here], slot: slot >= 0 ? Int(slot) : nil)
    }

    /// Pops one operand and pushes `body(a)`, propagating an error operand.
    @inline(__always)
    private static func unary(_ stack: inout Stack, _ program: Program, _ here: Int, _ body: (Value) throws(Fault) -> Value) {
        let a = stack.pop()
        guard case .value(let x) = a else { stack.push(a); return }
        do throws(Fault) {
            stack.push(.value(try body(x)))
        } catch {
            stack.push(.error(fault(error, program, here)))
        }
    }
}
