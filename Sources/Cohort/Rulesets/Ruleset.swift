import Foundation

/// A compiled rule file: named audiences (`segment`), values (`let`) and flags, all sharing
/// one attribute slot table so a context is bound once for every flag.
///
/// ```swift
/// let rules = try Ruleset(source: text, file: "flags.cohort")
/// let result = rules.evaluate("new_checkout", in: ["user": ["id": "u-42"]])
/// result?.value    // .bool(true)
/// result?.reason   // .match(rule: 0, line: 4)
/// ```
public struct Ruleset: Sendable {
    /// The source, for rendering diagnostics and errors.
    public let source: SourceFile
    /// Warnings found while compiling (errors make the initializer throw).
    public let warnings: [Diagnostic]
    /// The flags, in declaration order.
    public let flagNames: [String]
    package let flags: [FlagProgram]
    package let slotTable: SlotTable
    package let compiler: RuleFileCompiler
    private let flagIndex: [String: Int]
    private let options: CompileOptions

    /// Compiles rule-file text. Throws every error (and warning) found.
    public init(source text: String, file: String = "<rules>", options: CompileOptions = CompileOptions()) throws(CompileError) {
        try self.init(SourceFile(name: file, text: text), options: options)
    }

    /// Reads and compiles a rule file. Invalid UTF-8 and unreadable files are diagnostics too.
    public init(contentsOfFile path: String, options: CompileOptions = CompileOptions()) throws(CompileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let empty = SourceFile(name: path, text: "")
            throw CompileError(diagnostics: [.unreadableRuleFile(path)], source: empty)
        }
        try self.init(SourceFile(name: path, data: [UInt8](data)), options: options)
    }

    package init(_ source: SourceFile, options: CompileOptions) throws(CompileError) {
        var compiler = RuleFileCompiler(source: source, options: options)
        compiler.compile()
        if compiler.diagnostics.contains(where: { $0.severity == .error }) {
            throw CompileError(diagnostics: compiler.diagnostics, source: source)
        }
        self.source = source
        self.options = options
        self.compiler = compiler
        self.warnings = compiler.diagnostics
        self.slotTable = compiler.slots
        self.flags = compiler.flags.compactMap { $0 }
        self.flagNames = flags.map(\.name)
        self.flagIndex = Dictionary(uniqueKeysWithValues: flags.enumerated().map { ($1.name, $0) })
    }

    /// Evaluates one flag for a context. Nil when there is no such flag.
    public func evaluate(_ flag: String, in context: Context, now: Instant = .now) -> FlagEvaluation? {
        guard let i = flagIndex[flag] else { return nil }
        return slotTable.bind(context) { slots in evaluation(of: i, slots: slots, now: now) }
    }

    /// Evaluates every flag for one context (bound once), in declaration order.
    public func evaluateAll(in context: Context, now: Instant = .now) -> [FlagEvaluation] {
        slotTable.bind(context) { slots in flags.indices.map { evaluation(of: $0, slots: slots, now: now) } }
    }

    package func evaluation(of i: Int, slots: UnsafeBufferPointer<Value>, now: Instant) -> FlagEvaluation {
        let outcome = VM.evaluate(flags[i], slots: slots, now: now)
        let reason: Reason
        if let fault = outcome.fault {
            reason = .error(EvaluationError(fault, source: source))
        } else if let arm = flags[i].fixedArm, flags[i].servesConstant(arm) {
            // Constant conditions up to the serving arm, and a constant served: the context
            // cannot change the value (a kill switch, a dark release).
            reason = .static
        } else if outcome.arm >= 0 {
            let line = flags[i].arms[outcome.arm].line
            // The VM's walker tells for a chain of tests; the explainer for any other condition.
            var explainer = explainer(slots: slots, now: now)
            let split = VM.armDecidedByBucket(flags[i], arm: outcome.arm, slots: slots, now: now)
                ?? explainer.explain(flag: flags[i]).decidedByBucket
            reason = split ? .split(rule: outcome.arm, line: line) : .match(rule: outcome.arm, line: line)
        } else {
            reason = .default
        }
        return FlagEvaluation(flag: flags[i].name, value: outcome.value(of: flags[i]), reason: reason)
    }

    /// The evaluation of a flag as a tree (`cohort eval FLAG --explain`): each `when` tried,
    /// each sub-expression with its value, segments and prerequisite flags opened up, the
    /// deciding tests marked. Nil when there is no such flag.
    public func explain(_ flag: String, in context: Context, now: Instant = .now) -> (evaluation: FlagEvaluation, explanation: Explanation)? {
        guard let i = flagIndex[flag] else { return nil }
        return slotTable.bind(context) { slots in
            var explainer = explainer(slots: slots, now: now)
            return (evaluation(of: i, slots: slots, now: now), explainer.explain(flag: flags[i]).explanation)
        }
    }

    private func explainer(slots: UnsafeBufferPointer<Value>, now: Instant) -> Explainer {
        Explainer(rules: compiler, flags: flags, slots: slots, now: now)
    }

    /// The index of a flag by name.
    package func flagPosition(_ name: String) -> Int? { flagIndex[name] }

    /// Compiles an expression that may use this file's declarations by name; a bare flag
    /// name evaluates that flag with its own salt.
    public func rule(_ expression: String, options extra: CompileOptions? = nil) throws(CompileError) -> Rule {
        let options = extra ?? self.options
        let source = SourceFile(name: options.sourceName, text: expression)
        let compiler = self.compiler
        let declarations = Pipeline.Declarations(infos: compiler.declarationInfos, slots: slotTable,
                                                 expand: { compiler.expansion($0, $1) })
        let (program, slots) = try Pipeline.compileExpression(source, options: options, rules: declarations)
        return Rule(source: source, program: program, slotTable: slots)
    }

    /// Every flag's bytecode, as `cohort disasm --rules` prints it.
    public var disassembly: String {
        let disassembler = Disassembler(source: source, slotNames: slotTable.paths.map(\.description))
        var out = ""
        for flag in flags {
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
