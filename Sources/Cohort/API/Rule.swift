/// A compiled targeting rule: one expression, ready to evaluate against contexts.
///
/// ```swift
/// let rule = try Rule(#"user.group in ["qa", "beta"] or bucket(user.id) < 20"#)
/// rule.matches(["user": ["id": "u-42", "group": "qa"]])   // true
/// ```
///
/// A `Rule` is immutable and `Sendable`: compile once, evaluate from many threads. Its
/// compiled state lives in one shared object, so passing a rule around copies a reference.
/// For the fastest evaluation, bind the context once into `Attributes` (`makeAttributes`,
/// `attribute(_:)`) and evaluate from those.
public struct Rule: Sendable {
    package let compiled: CompiledRule

    /// The source text, for rendering errors.
    public var source: SourceFile { compiled.source }
    package var program: Program { compiled.program }
    package var slotTable: SlotTable { compiled.slotTable }

    /// Compiles an expression. Throws every diagnostic found.
    public init(_ text: String, options: CompileOptions = CompileOptions()) throws(CompileError) {
        let source = SourceFile(name: options.sourceName, text: text)
        let compiled = try Pipeline.compileExpression(source, options: options)
        self.compiled = CompiledRule(source: source, program: compiled.program, slotTable: compiled.slots, ir: compiled.ir)
    }

    package init(source: SourceFile, program: Program, slotTable: SlotTable, ir: IR? = nil, declaringRules: (any Sendable)? = nil) {
        compiled = CompiledRule(source: source, program: program, slotTable: slotTable, ir: ir, declaringRules: declaringRules)
    }

    // MARK: Evaluating a context

    /// Evaluates the rule.
    /// - Parameters:
    ///   - context: the attributes (`user`, `device`, ...).
    ///   - now: the value of `now()`, fixed for the whole evaluation; by default the clock,
    ///     read only when the rule calls `now()`.
    ///   - salt: the default salt of `bucket(key)` (a ruleset uses the flag's name).
    /// - Returns: the value, or the error value the rule produced (never throws, never traps).
    public func evaluate(_ context: Context, now: Instant? = nil, salt: String = "") -> Result<Value, EvaluationError> {
        let values = compiled.binder.values(context)
        return result(values.withUnsafeBufferPointer { run($0, now: now, salt: salt) })
    }

    /// True when the rule evaluates to `true`. An error value, or any non-boolean, is no match.
    public func matches(_ context: Context, now: Instant? = nil, salt: String = "") -> Bool {
        let values = compiled.binder.values(context)
        return values.withUnsafeBufferPointer { run($0, now: now, salt: salt) }.plainBoolean == true
    }

    // MARK: Evaluating bound attributes

    /// Attributes for this rule, every one null: set them with `attribute(_:)` keys and
    /// evaluate from them without any lookup.
    public func makeAttributes() -> Attributes {
        Attributes(layout: compiled.layout)
    }

    /// `context` bound to this rule's attributes.
    public func attributes(for context: Context) -> Attributes {
        var attributes = makeAttributes()
        attributes.bind(context)
        return attributes
    }

    /// The key of an attribute path the rule reads, written as in rules (`user.id`); nil
    /// when the rule does not read it.
    public func attribute(_ path: String) -> AttributeKey? {
        compiled.layout.key(path)
    }

    /// `evaluate` over bound attributes (made by this rule).
    public func evaluate(_ attributes: Attributes, now: Instant? = nil, salt: String = "") -> Result<Value, EvaluationError> {
        result(attributes.values.withUnsafeBufferPointer { run($0, now: now, salt: salt) })
    }

    /// `matches` over bound attributes (made by this rule): no lookup, no allocation.
    public func matches(_ attributes: Attributes, now: Instant? = nil, salt: String = "") -> Bool {
        attributes.values.withUnsafeBufferPointer { run($0, now: now, salt: salt) }.plainBoolean == true
    }

    /// Runs the program over `slots`; the clock is read only when the rule calls `now()`.
    @inline(__always)
    private func run(_ slots: UnsafeBufferPointer<Value>, now: Instant?, salt: String) -> Cell {
        let program = compiled.program
        let time = now ?? (program.readsNow ? .now : Instant(seconds: 0))
        if salt.isEmpty {
            return VM.run(program, slots: slots, environment: VM.Environment(now: time, salt: UnsafeBufferPointer(start: nil, count: 0)))
        }
        return VM.Environment.with(now: time, salt: salt) { VM.run(program, slots: slots, environment: $0) }
    }

    private func result(_ cell: Cell) -> Result<Value, EvaluationError> {
        switch cell {
        case .value(let value): return .success(value)
        case .error(let fault): return .failure(EvaluationError(fault, source: source, paths: compiled.slotTable.paths))
        }
    }

    // MARK: Inspecting

    /// The bytecode, constants, slots and spans, as `cohort disasm` prints them.
    public var disassembly: String {
        Disassembler(source: source, slotNames: compiled.layout.names).render(program)
    }

    /// The attribute paths the rule reads, as written in rules (`user.id`).
    public var attributePaths: [String] { compiled.layout.names }
}

/// A rule's compiled state, shared by every copy of the `Rule`.
package final class CompiledRule: Sendable {
    package let source: SourceFile
    package let program: Program
    package let slotTable: SlotTable
    package let layout: AttributeLayout
    /// Binds contexts to `layout`'s slots: the layout's own binder (`Attributes` use it
    /// too), held here as well so an evaluation reaches it in one load.
    package let binder: ContextBinder
    /// The checked expression, which `explain` walks; nil for a rule built from bytecode
    /// alone (its explanation is its value).
    package let ir: IR?
    /// The rule file whose declarations the expression may name (the `Ruleset` of
    /// `Ruleset.rule`), so `explain` can open its segments, lets and flags up. Rule files
    /// live in a layer above this one, which reads it back (`Rule.explain`).
    package let declaringRules: (any Sendable)?

    package init(source: SourceFile, program: Program, slotTable: SlotTable, ir: IR? = nil, declaringRules: (any Sendable)? = nil) {
        self.source = source
        self.program = program
        self.slotTable = slotTable
        self.ir = ir
        self.declaringRules = declaringRules
        layout = AttributeLayout(slotTable)
        binder = layout.binder
    }
}
