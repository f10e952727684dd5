import Foundation

/// A compiled rule file: named audiences (`segment`), values (`let`) and flags, all sharing
/// one attribute slot table so a context is bound once for every flag.
///
/// ```swift
/// let rules = try Ruleset(source: text, file: "flags.cohort")
/// rules.bool("new_checkout", in: ["user": ["id": "u-42"]], default: false)   // true
/// let detail = rules.detail("new_checkout", in: ["user": ["id": "u-42"]])
/// detail.reason    // .split (a rollout let the user in)
/// ```
///
/// A `Ruleset` is immutable and `Sendable`: compile once, evaluate from many threads. Its
/// compiled state lives in one shared object, so passing a ruleset around copies a
/// reference. `RulesetStore` holds the current one for a service that reloads its rules.
public struct Ruleset: Sendable {
    package let compiled: CompiledRuleset

    /// The source, for rendering diagnostics and errors.
    public var source: SourceFile { compiled.source }
    /// Warnings found while compiling (errors make the initializer throw).
    public var warnings: [Diagnostic] { compiled.warnings }
    /// The flags, in declaration order.
    public var flagNames: [String] { compiled.flagNames }
    package var flagPrograms: [FlagProgram] { compiled.flags }
    package var slotTable: SlotTable { compiled.slotTable }
    package var compiler: RuleFileCompiler { compiled.compiler }

    /// Compiles rule-file text. Throws every error (and warning) found.
    public init(source text: String, file: String = "<rules>", options: CompileOptions = CompileOptions()) throws(CompileError) {
        try self.init(SourceFile(name: file, text: text), options: options)
    }

    /// Reads and compiles a rule file. Invalid UTF-8 and unreadable files are diagnostics too.
    /// Pipes, FIFOs and `/dev/fd/N` are read as streams; a failure says why
    /// (`cannot read rule file 'x': no such file`, `is a directory`, `permission denied`).
    public init(contentsOfFile path: String, options: CompileOptions = CompileOptions()) throws(CompileError) {
        let data: [UInt8]
        do {
            data = try FileReader.sourceContents(ofFile: path, maxBytes: options.limits.maxSourceBytes)
        } catch {
            let empty = SourceFile(name: path, text: "")
            throw CompileError(diagnostics: [.unreadableRuleFile(path, reason: error.reason)], source: empty)
        }
        try self.init(SourceFile(name: path, data: data), options: options)
    }

    package init(_ source: SourceFile, options: CompileOptions) throws(CompileError) {
        var compiler = RuleFileCompiler(source: source, options: options)
        compiler.compile()
        if compiler.diagnostics.contains(where: { $0.severity == .error }) {
            throw CompileError(diagnostics: compiler.diagnostics, source: source)
        }
        compiled = CompiledRuleset(compiler, options: options)
    }

    // MARK: Evaluating

    /// Evaluates one flag for a context, binding only the attributes that flag reads (its
    /// prerequisites' included). Nil when there is no such flag.
    public func evaluate(_ flag: String, in context: Context, now: Instant? = nil) -> FlagEvaluation? {
        guard let i = compiled.flagIndex[flag] else { return nil }
        return compiled.binder.bind(context, slots: compiled.flagSlots[i]) { slots in evaluation(of: i, slots: slots, now: now) }
    }

    /// Evaluates every flag for one context (bound once), in declaration order.
    public func evaluateAll(in context: Context, now: Instant? = nil) -> [FlagEvaluation] {
        compiled.binder.bind(context, slots: nil) { slots in evaluations(slots: slots, now: now) }
    }

    /// Evaluates one flag over bound attributes (made by this ruleset): no lookup, no
    /// allocation. Nil when there is no such flag.
    public func evaluate(_ flag: String, in attributes: Attributes, now: Instant? = nil) -> FlagEvaluation? {
        guard let i = compiled.flagIndex[flag] else { return nil }
        return attributes.values.withUnsafeBufferPointer { evaluation(of: i, slots: $0, now: now) }
    }

    /// Evaluates every flag over bound attributes (made by this ruleset).
    public func evaluateAll(in attributes: Attributes, now: Instant? = nil) -> [FlagEvaluation] {
        attributes.values.withUnsafeBufferPointer { evaluations(slots: $0, now: now) }
    }

    /// Evaluates every flag for a context given as JSON (an object whose keys are the roots,
    /// `{"user": {...}}`), read straight into the slots the rules read, as `cohort batch`
    /// reads records: no `Context` is built.
    public func evaluateAll(json: some Collection<UInt8>, now: Instant? = nil) throws(ContextError) -> [FlagEvaluation] {
        try compiled.bindJSON(json) { slots in evaluations(slots: slots, now: now) }
    }

    /// `evaluateAll(json:)` for bytes in an array (the common case, without the generic path).
    public func evaluateAll(json: [UInt8], now: Instant? = nil) throws(ContextError) -> [FlagEvaluation] {
        try json.withUnsafeBytes { compiled.bindJSON(bytes: $0) { slots in evaluations(slots: slots, now: now) } }.get()
    }

    /// Every flag's evaluation over `slots`, in declaration order.
    /// A prerequisite used by several flags is evaluated once (a memo on the stack).
    private func evaluations(slots: UnsafeBufferPointer<Value>, now: Instant?) -> [FlagEvaluation] {
        let time = now ?? compiled.clock()
        let count = compiled.flags.count
        return PrerequisiteMemo.withTemporary(remembering: compiled.rememberedFlags) { memo in
            // Sized once: `map` here grew its array as it went (an allocation and a copy).
            var evaluations: [FlagEvaluation] = []
            evaluations.reserveCapacity(count)
            for i in 0..<count { evaluations.append(evaluation(of: i, slots: slots, now: time, memo: memo)) }
            return evaluations
        }
    }

    package func evaluation(of i: Int, slots: UnsafeBufferPointer<Value>, now: Instant?,
                            memo: PrerequisiteMemo.Access? = nil) -> FlagEvaluation {
        compiled.withFlag(i) { flag in
            let time = now ?? (flag.readsNow ? .now : Instant(seconds: 0))
            let outcome = VM.evaluate(flag, slots: slots, now: time, memo: memo)
            return FlagEvaluation(flag: flag.name, value: outcome.value(of: flag),
                                  reason: reason(of: outcome, program: flag, slots: slots, now: time, memo: memo))
        }
    }

    /// Why flag `i` served what `outcome` says.
    package func reason(of outcome: VM.FlagOutcome, flag i: Int, slots: UnsafeBufferPointer<Value>, now: Instant,
                        memo: PrerequisiteMemo.Access? = nil) -> Reason {
        compiled.withFlag(i) { reason(of: outcome, program: $0, slots: slots, now: now, memo: memo) }
    }

    /// Why `flag` (one of this file's flags, or batch's own copy of one) served what
    /// `outcome` says, `outcome` being `VM.evaluate`'s over `slots` (with `memo`, the
    /// prerequisite values that evaluation remembered): the one place a reason is worked
    /// out, for the library's evaluations and details, `eval`, the REPL and
    /// `batch --reasons`. A matched arm costs a second run of its condition (to tell `split`
    /// from `match`) when it reads a bucket.
    package func reason(of outcome: VM.FlagOutcome, program flag: FlagProgram, slots: UnsafeBufferPointer<Value>, now: Instant,
                        memo: PrerequisiteMemo.Access? = nil) -> Reason {
        if let fault = outcome.fault { return .error(EvaluationError(fault, source: source, paths: compiled.slotTable.paths)) }
        if let arm = flag.fixedArm, flag.servesConstant(arm) {
            // Constant conditions up to the serving arm, and a constant served: the context
            // cannot change the value (a kill switch, a dark release).
            return .static
        }
        guard outcome.arm >= 0 else { return .default }
        let line = flag.arms[outcome.arm].line
        // The VM's walker tells for a chain of tests; the explainer (which allocates) only
        // for any other condition.
        let split: Bool
        if let decided = VM.armDecidedByBucket(flag, arm: outcome.arm, slots: slots, now: now, memo: memo) {
            split = decided
        } else {
            var explainer = explainer(slots: slots, now: now)
            explainer.describesNodes = false
            split = explainer.explain(flag: flag).decidedByBucket
        }
        return split ? .split(rule: outcome.arm, line: line) : .match(rule: outcome.arm, line: line)
    }

    // MARK: Bound attributes

    /// Attributes for this ruleset, every one null: set them with `attribute(_:)` keys and
    /// evaluate from them without any lookup.
    public func makeAttributes() -> Attributes {
        Attributes(layout: compiled.layout)
    }

    /// `context` bound to this ruleset's attributes, once for any number of evaluations.
    public func attributes(for context: Context) -> Attributes {
        var attributes = makeAttributes()
        attributes.bind(context)
        return attributes
    }

    /// The key of an attribute path the rules read, written as in rules (`user.id`); nil
    /// when no rule reads it.
    public func attribute(_ path: String) -> AttributeKey? {
        compiled.layout.key(path)
    }

    /// The evaluation of a flag as a tree (`cohort eval FLAG --explain`): each `when` tried,
    /// each sub-expression with its value, segments and prerequisite flags opened up, the
    /// deciding tests marked. Nil when there is no such flag.
    public func explain(_ flag: String, in context: Context, now: Instant? = nil) -> (evaluation: FlagEvaluation, explanation: Explanation)? {
        guard let i = compiled.flagIndex[flag] else { return nil }
        let time = now ?? .now
        return compiled.binder.bind(context, slots: nil) { slots in
            var explainer = explainer(slots: slots, now: time)
            return (evaluation(of: i, slots: slots, now: time), explainer.explain(flag: compiled.flags[i]).explanation)
        }
    }

    private func explainer(slots: UnsafeBufferPointer<Value>, now: Instant) -> Explainer {
        Explainer(rules: compiler, flagsByMemoIndex: compiled.flagsByMemoIndex, slots: slots, now: now)
    }

    /// The index of a flag by name.
    package func flagPosition(_ name: String) -> Int? { compiled.flagIndex[name] }

    /// Compiles an expression that may use this file's declarations by name; a bare flag
    /// name evaluates that flag with its own salt.
    public func rule(_ expression: String, options extra: CompileOptions? = nil) throws(CompileError) -> Rule {
        let options = extra ?? compiled.options
        let source = SourceFile(name: options.sourceName, text: expression)
        let compiler = self.compiler
        let declarations = Pipeline.Declarations(infos: compiler.declarationInfos, slots: slotTable,
                                                 expand: { compiler.expansion($0, $1) })
        let compiled = try Pipeline.compileExpression(source, options: options, rules: declarations)
        return Rule(source: source, program: compiled.program, slotTable: compiled.slots, ir: compiled.ir, declaringRules: self)
    }

    /// Every flag's bytecode, as `cohort disasm --rules` prints it.
    public var disassembly: String {
        let disassembler = Disassembler(source: source, slotNames: slotTable.paths.map(\.description))
        var out = ""
        for flag in flagPrograms {
            out += "== flag \(flag.name) (default \(flag.defaultValue.jsonText)) ==\n"
            for (k, arm) in flag.arms.enumerated() {
                out += disassembler.render(arm.condition, title: flag.isBoolean ? "expression (line \(arm.line))" : "when \(k) condition (line \(arm.line))")
                if !flag.isBoolean { out += disassembler.render(arm.value, title: "when \(k) serve") }
            }
            out += "\n"
        }
        return out
    }
}

/// One flag's evaluation: the value served and why.
public struct FlagEvaluation: Sendable, Hashable {
    /// The flag's name.
    public var flag: String
    /// The served value (the default when `reason` is `.default` or `.error`).
    public var value: Value
    /// Which `when` matched, the default, or the error that sent the flag to its default.
    public var reason: Reason
}

/// A ruleset's compiled state, shared by every copy of the `Ruleset`: built once, then only
/// read, so a call copies no struct of tables.
package final class CompiledRuleset: Sendable {
    package let source: SourceFile
    package let warnings: [Diagnostic]
    package let flagNames: [String]
    package let flags: [FlagProgram]
    /// `flags` unretained (kept alive by `flags`): evaluating a flag borrows its program
    /// instead of retaining and releasing it, two atomic operations per flag per call.
    private let flagReferences: [Unmanaged<FlagProgram>]
    package let slotTable: SlotTable
    package let compiler: RuleFileCompiler
    package let options: CompileOptions
    package let flagIndex: [String: Int]
    /// The flags by `memoIndex`, as the explainer looks prerequisites up.
    package let flagsByMemoIndex: [Int: FlagProgram]
    /// Which flags (by `memoIndex`) are prerequisites of others: what `evaluateAll`'s memo keeps.
    package let rememberedFlags: [Bool]
    /// Per flag, the slots it reads, its prerequisites' included: `evaluate(flag)` binds
    /// only those.
    package let flagSlots: [[Int]]
    package let layout: AttributeLayout
    /// Binds contexts to `layout`'s slots: the layout's own binder (`Attributes` use it
    /// too), held here as well so an evaluation reaches it in one load.
    package let binder: ContextBinder
    /// Reads a context given as JSON straight into the slots (whole contexts: the keys of
    /// the object are the roots).
    private let jsonBinder: RecordBinder
    /// True when some flag reads `now()`: otherwise no evaluation needs the clock.
    package let readsNow: Bool

    package init(_ compiler: RuleFileCompiler, options: CompileOptions) {
        source = compiler.sourceFile
        warnings = compiler.diagnostics
        flags = compiler.flags.compactMap { $0 }
        flagReferences = flags.map { Unmanaged.passUnretained($0) }
        flagNames = flags.map(\.name)
        slotTable = compiler.slots
        self.compiler = compiler
        self.options = options
        flagIndex = Dictionary(flags.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        flagsByMemoIndex = Explainer.index(flags)
        rememberedFlags = PrerequisiteMemo.remembered(by: flags)
        flagSlots = flags.map { Self.slots(read: $0).sorted() }
        layout = AttributeLayout(compiler.slots)
        binder = layout.binder
        jsonBinder = RecordBinder(paths: compiler.slots.paths, extra: [], recordRoot: "", contextRecords: true)
        readsNow = flags.contains(where: \.readsNow)
    }

    /// The value of `now()` when the caller gives none: the clock, read only when some flag
    /// calls `now()`.
    package func clock() -> Instant {
        readsNow ? .now : Instant(seconds: 0)
    }

    /// The slots `flag` reads, its prerequisites' included.
    private static func slots(read flag: FlagProgram) -> Set<Int> {
        var slots: Set<Int> = []
        var seen: Set<ObjectIdentifier> = []
        var pending = [flag]
        while let next = pending.popLast() {
            guard seen.insert(ObjectIdentifier(next)).inserted else { continue }
            for program in next.arms.flatMap({ [$0.condition, $0.value] }) {
                for instruction in program.code { if case .slot(let s) = instruction { slots.insert(Int(s)) } }
                for test in program.tests { if let s = test.slot { slots.insert(Int(s)) } }
                pending += program.flags
            }
        }
        return slots
    }

    /// Calls `body` with flag `i`'s program, borrowed: no retain or release.
    @inline(__always)
    package func withFlag<R>(_ i: Int, _ body: (FlagProgram) -> R) -> R {
        flagReferences[i]._withUnsafeGuaranteedRef(body)
    }

    /// Binds a JSON context straight into a temporary buffer of slots and calls `body` with it.
    package func bindJSON<R>(_ json: some Collection<UInt8>, _ body: (UnsafeBufferPointer<Value>) -> R) throws(ContextError) -> R {
        // The work is in `bindJSON(bytes:)`, which is not generic over the collection: a
        // generic public entry point is not specialised for the caller's type, and the
        // generic path cost more than the binding itself.
        if let bound = json.withContiguousStorageIfAvailable({ bindJSON(bytes: UnsafeRawBufferPointer($0), body) }) {
            return try bound.get()
        }
        return try Array(json).withUnsafeBytes { bindJSON(bytes: $0, body) }.get()
    }

    /// `bindJSON` over contiguous bytes. Inlined into its callers: a call kept the ruleset
    /// and the closure's captures retained across it.
    @inline(__always)
    package func bindJSON<R>(bytes: UnsafeRawBufferPointer, _ body: (UnsafeBufferPointer<Value>) -> R) -> Result<R, ContextError> {
        let n = slotTable.count
        let bound: R? = withUnsafeTemporaryAllocation(of: Value.self, capacity: max(n, 1)) { buffer in
            buffer.initialize(repeating: .null)
            defer { buffer.baseAddress!.destroyEach(count: buffer.count) }
            guard jsonBinder.bindOnce(bytes, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<n])) else { return nil }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
        if let bound { return .success(bound) }
        // Not a valid JSON object: the full reader says why and where.
        do throws(ContextError) {
            _ = try Context(jsonBytes: UnsafeRawBufferPointer(bytes))
        } catch {
            return .failure(error)
        }
        return .failure(ContextError(message: "the context must be a JSON object", line: 1, column: 1))
    }
}
