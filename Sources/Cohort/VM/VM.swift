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
        /// The default `bucket` salt.
        package var salt: String

        package init(now: Instant, salt: String) {
            self.now = now
            self.salt = salt
        }
    }

    /// Runs `program` with `slots` holding the value of each attribute path it reads.
    package static func run(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment) -> Cell {
        let capacity = max(program.maxStack, 1)
        return withUnsafeTemporaryAllocation(of: Cell.self, capacity: capacity) { buffer in
            execute(program, slots: slots, environment: environment, stack: buffer.baseAddress!)
        }
    }

    @inline(__always)
    private static func execute(_ program: Program, slots: UnsafeBufferPointer<Value>, environment: Environment,
                                stack: UnsafeMutablePointer<Cell>) -> Cell {
        var top = 0  // number of cells on the stack
        @inline(__always) func push(_ cell: Cell) {
            (stack + top).initialize(to: cell)
            top += 1
        }
        @inline(__always) func pop() -> Cell {
            top -= 1
            return (stack + top).move()
        }
        @inline(__always) func slot(_ s: UInt32) -> Value {
            Int(s) < slots.count ? slots[Int(s)] : .null
        }

        return program.code.withUnsafeBufferPointer { code -> Cell in
            var pc = 0
            let end = code.count
            while pc < end {
                let instruction = code[pc]
                let here = pc
                pc += 1
                @inline(__always) func fault(_ f: Fault) -> Cell {
                    .error(RuntimeFault(message: f.message, span: program.spans[here]))
                }
                /// Pops two operands and pushes `body(a, b)`, propagating errors.
                @inline(__always) func binary(_ body: (Value, Value) throws(Fault) -> Value) {
                    let b = pop(), a = pop()
                    guard case .value(let x) = a else { push(a); return }
                    guard case .value(let y) = b else { push(b); return }
                    do { push(.value(try body(x, y))) } catch { push(fault(error)) }
                }
                @inline(__always) func unary(_ body: (Value) throws(Fault) -> Value) {
                    let a = pop()
                    guard case .value(let x) = a else { push(a); return }
                    do { push(.value(try body(x))) } catch { push(fault(error)) }
                }

                switch instruction {
                // MARK: Loads
                case .constant(let k):
                    push(.value(program.constants[Int(k)]))
                case .slot(let s):
                    push(.value(slot(s)))
                case .defaultSalt:
                    push(.value(.string(environment.salt)))

                // MARK: Access
                case .member(let k):
                    guard case .string(let name) = program.constants[Int(k)] else { break }
                    unary { Operations.member($0, name) }
                case .index:
                    binary { Operations.index($0, $1) }
                case .makeList(let n):
                    var items = [Value](repeating: .null, count: Int(n))
                    var failure: Cell?
                    for i in stride(from: Int(n) - 1, through: 0, by: -1) {
                        switch pop() {
                        case .value(let v): items[i] = v
                        case let e: failure = e
                        }
                    }
                    push(failure ?? .value(.list(items)))

                // MARK: Logic
                case .not:
                    unary { v throws(Fault) in try Operations.not(v) }
                case .andTest(let target):
                    if case .value(.bool(false)) = stack[top - 1] { pc = Int(target) }
                case .orTest(let target):
                    if case .value(.bool(true)) = stack[top - 1] { pc = Int(target) }
                case .andCombine:
                    let b = pop(), a = pop()
                    push(combine(a, b, decider: false, op: "and", span: program.spans[here]))
                case .orCombine:
                    let b = pop(), a = pop()
                    push(combine(a, b, decider: true, op: "or", span: program.spans[here]))

                // MARK: Arithmetic
                case .negate: unary { v throws(Fault) in try Operations.negate(v) }
                case .add: binary { a, b throws(Fault) in try Operations.add(a, b) }
                case .subtract: binary { a, b throws(Fault) in try Operations.subtract(a, b) }
                case .multiply: binary { a, b throws(Fault) in try Operations.multiply(a, b) }
                case .divide: binary { a, b throws(Fault) in try Operations.divide(a, b) }
                case .remainder: binary { a, b throws(Fault) in try Operations.remainder(a, b) }

                // MARK: Comparison
                case .equal: binary { .bool($0 == $1) }
                case .notEqual: binary { .bool($0 != $1) }
                case .less: binary { a, b throws(Fault) in .bool(try Operations.order(a, b, "<") < 0) }
                case .lessEqual: binary { a, b throws(Fault) in .bool(try Operations.order(a, b, "<=") <= 0) }
                case .greater: binary { a, b throws(Fault) in .bool(try Operations.order(a, b, ">") > 0) }
                case .greaterEqual: binary { a, b throws(Fault) in .bool(try Operations.order(a, b, ">=") >= 0) }

                // MARK: Membership and strings
                case .inList: binary { a, b throws(Fault) in .bool(try Operations.inList(a, b)) }
                case .inSet(let k):
                    let set = program.sets[Int(k)]
                    unary { .bool(set.contains($0)) }
                case .contains: binary { a, b throws(Fault) in .bool(try Operations.contains(a, b)) }
                case .containsAny: binary { a, b throws(Fault) in .bool(try Operations.containsSome(a, b, all: false)) }
                case .containsAll: binary { a, b throws(Fault) in .bool(try Operations.containsSome(a, b, all: true)) }
                case .startsWith: binary { a, b throws(Fault) in .bool(try Operations.affix(a, b, prefix: true)) }
                case .endsWith: binary { a, b throws(Fault) in .bool(try Operations.affix(a, b, prefix: false)) }
                case .matches(let k):
                    let regex = program.regexes[Int(k)]
                    unary { v throws(Fault) in
                        guard case .string(let s) = v else { throw Fault.operand("'matches'", "left", expected: "a string", got: v) }
                        return .bool(regex.matches(s))
                    }

                // MARK: Calls
                case .call(let builtin, let count):
                    let n = Int(count)
                    var failure: Cell?
                    for i in 0..<n {
                        if case .error = stack[top - n + i] { failure = stack[top - n + i]; break }
                    }
                    let result: Cell
                    if let failure {
                        result = failure
                    } else {
                        result = withUnsafeTemporaryAllocation(of: Value.self, capacity: n) { args -> Cell in
                            for i in 0..<n {
                                if case .value(let v) = stack[top - n + i] { (args.baseAddress! + i).initialize(to: v) }
                            }
                            defer { args.baseAddress!.deinitialize(count: n) }
                            do throws(Fault) {
                                return .value(try builtin.apply(UnsafeBufferPointer(args), now: environment.now))
                            } catch {
                                return fault(error)
                            }
                        }
                    }
                    for _ in 0..<n { _ = pop() }
                    push(result)

                // MARK: Rule files
                case .flag(let k):
                    push(.value(evaluate(program.flags[Int(k)], slots: slots, now: environment.now).value))

                // MARK: Specialised
                case .slotEqualsConstant(let s, let k):
                    push(.value(.bool(slot(s) == program.constants[Int(k)])))
                case .slotInSet(let s, let k):
                    push(.value(.bool(program.sets[Int(k)].contains(slot(s)))))
                }
            }
            // A well-formed program leaves exactly one cell.
            let result = top > 0 ? pop() : .value(.null)
            while top > 0 { _ = pop() }
            return result
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
