/// A compiled targeting rule: one expression, ready to evaluate against contexts.
///
/// ```swift
/// let rule = try Rule(#"user.group in ["qa", "beta"] or bucket(user.id) < 20"#)
/// rule.matches(["user": ["id": "u-42", "group": "qa"]])   // true
/// ```
///
/// A `Rule` is immutable and `Sendable`: compile once, evaluate from many threads.
public struct Rule: Sendable {
    /// The source text, for rendering errors.
    public let source: SourceFile
    package let program: Program
    package let slotTable: SlotTable

    /// Compiles an expression. Throws every diagnostic found.
    public init(_ text: String, options: CompileOptions = CompileOptions()) throws(CompileError) {
        let source = SourceFile(name: options.sourceName, text: text)
        (program, slotTable) = try Pipeline.compileExpression(source, options: options)
        self.source = source
    }

    package init(source: SourceFile, program: Program, slotTable: SlotTable) {
        self.source = source
        self.program = program
        self.slotTable = slotTable
    }

    /// Evaluates the rule.
    /// - Parameters:
    ///   - context: the attributes (`user`, `device`, ...).
    ///   - now: the value of `now()`; fixed for the whole evaluation.
    ///   - salt: the default salt of `bucket(key)` (a ruleset uses the flag's name).
    /// - Returns: the value, or the error value the rule produced (never throws, never traps).
    public func evaluate(_ context: Context, now: Instant = .now, salt: String = "") -> Result<Value, EvaluationError> {
        let cell = VM.Environment.with(now: now, salt: salt) { environment in
            slotTable.bind(context) { slots in VM.run(program, slots: slots, environment: environment) }
        }
        switch cell {
        case .value(let value): return .success(value)
        case .error(let fault): return .failure(EvaluationError(fault, source: source))
        }
    }

    /// True when the rule evaluates to `true`. An error value, or any non-boolean, is no match.
    public func matches(_ context: Context, now: Instant = .now, salt: String = "") -> Bool {
        let cell = VM.Environment.with(now: now, salt: salt) { environment in
            slotTable.bind(context) { slots in VM.run(program, slots: slots, environment: environment) }
        }
        if case .value(.bool(true)) = cell { return true }
        return false
    }

    /// The bytecode, constants, slots and spans, as `cohort disasm` prints them.
    public var disassembly: String {
        Disassembler(source: source, slotNames: slotTable.paths.map(\.description)).render(program)
    }

    /// The attribute paths the rule reads, as written in rules (`user.id`).
    public var attributePaths: [String] { slotTable.paths.map(\.description) }
}

extension SlotTable {
    /// Reads every slot's path out of `context` into a temporary buffer and calls `body` with
    /// it. No heap allocation: the buffer lives on the stack when small.
    package func bind<R>(_ context: Context, _ body: (UnsafeBufferPointer<Value>) -> R) -> R {
        let n = count
        return withUnsafeTemporaryAllocation(of: Value.self, capacity: max(n, 1)) { buffer in
            let base = buffer.baseAddress!
            for i in 0..<n { (base + i).initialize(to: paths[i].resolve(in: context.roots)) }
            defer { base.deinitialize(count: n) }
            return body(UnsafeBufferPointer(start: base, count: n))
        }
    }
}
