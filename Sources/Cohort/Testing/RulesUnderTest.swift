/// A compiled rule file as its tests see it: the ruleset, what each declaration uses, and
/// the programs that evaluate a segment on its own (for coverage and failure reports).
package struct RulesUnderTest: Sendable {
    /// What the tests of a file use of one declaration.
    package struct Uses: Sendable, Hashable {
        /// Segments reached through lets and segments, in order of first use.
        package var segments: [String] = []
        /// Flags reached through lets and segments (prerequisites), in order of first use.
        package var flags: [String] = []
    }

    /// The path the rule file is shown under.
    package let path: String
    /// The compiled rules.
    package let ruleset: Ruleset
    /// The options the rules were compiled with; expectations are compiled with them too.
    package let options: CompileOptions
    /// Each declaration by name (the first, should a name be declared twice).
    package let declarations: [String: Declaration]
    /// For each flag, what its conditions and served values use.
    package let usesOfFlag: [String: Uses]
    /// Each segment compiled as an expression of its own (`bucket` salted by the caller).
    package let segmentRules: [String: Rule]
    /// The path of the file's own first `use` line, as written: set when the file is a
    /// test file, which a `use` must not name.
    package let usedPath: String?

    /// Wraps a compiled ruleset.
    package init(path: String, ruleset: Ruleset, options: CompileOptions = CompileOptions()) {
        self.path = path
        self.ruleset = ruleset
        self.options = options
        var declarations: [String: Declaration] = [:]
        for checked in ruleset.compiler.checked where declarations[checked.declaration.name] == nil {
            declarations[checked.declaration.name] = checked.declaration
        }
        self.declarations = declarations
        var usesOfFlag: [String: Uses] = [:]
        for name in ruleset.flagNames {
            guard let flag = declarations[name] else { continue }
            usesOfFlag[name] = Self.uses(of: Self.expressions(of: flag), in: declarations)
        }
        self.usesOfFlag = usesOfFlag
        var segmentRules: [String: Rule] = [:]
        for (name, declaration) in declarations where declaration.kind == .segment {
            segmentRules[name] = Self.reference(to: name, in: ruleset, options: options)
        }
        self.segmentRules = segmentRules
        usedPath = ruleset.compiler.file.uses.first?.path
    }

    /// A declaration compiled as an expression of its own, in the rule file: unlike
    /// `Ruleset.rule`, its errors keep their place in the rule file (`flags.cohort:12:20`),
    /// as when a flag uses it.
    private static func reference(to name: String, in ruleset: Ruleset, options: CompileOptions) -> Rule? {
        var checker = Checker(source: ruleset.source, roots: options.roots, declarations: ruleset.compiler.declarationInfos,
                              slots: ruleset.slotTable)
        let typed = checker.check(Expr(.name(name), SourceSpan(start: 0, end: 0)))
        guard checker.diagnostics.isEmpty else { return nil }
        let compiler = ruleset.compiler
        do throws(Compiler.Failure) {
            let program = try Compiler.compile(typed.ir, salt: .runtime, limits: options.limits, fuses: options.fusesTests,
                                               expand: { compiler.expansion($0, $1) })
            return Rule(source: ruleset.source, program: program, slotTable: checker.slots)
        } catch {
            return nil
        }
    }

    /// The flag's compiled program.
    package func flag(_ name: String) -> FlagProgram? {
        ruleset.flagPosition(name).map { ruleset.flagPrograms[$0] }
    }

    /// What an expression uses: the segments it reaches through lets and segments, and the
    /// flags it names there (a flag's own insides are the flag's business).
    package func uses(of expr: Expr) -> Uses {
        Self.uses(of: [expr], in: declarations)
    }

    /// The flags an evaluation of `flags` runs: themselves and their prerequisites, in order
    /// of first use.
    package func closure(of flags: [String]) -> [String] {
        var seen = Set<String>()
        var order: [String] = []
        var pending = Array(flags.reversed())
        while let name = pending.popLast() {
            guard !seen.contains(name), usesOfFlag[name] != nil else { continue }
            seen.insert(name)
            order.append(name)
            pending += (usesOfFlag[name]?.flags ?? []).reversed()
        }
        return order
    }

    /// The expressions of a declaration: its expression, or its arms' conditions and values.
    static func expressions(of declaration: Declaration) -> [Expr] {
        [declaration.expression].compactMap { $0 } + declaration.arms.flatMap { [$0.condition, $0.value] }
    }

    private static func uses(of roots: [Expr], in declarations: [String: Declaration]) -> Uses {
        var uses = Uses()
        var visited = Set<String>()
        var pending = roots.reversed().flatMap { Array(names(in: $0).reversed()) }
        while let name = pending.popLast() {
            guard !visited.contains(name), let declaration = declarations[name] else { continue }
            visited.insert(name)
            switch declaration.kind {
            case .flag:
                uses.flags.append(name)
            case .segment, .let:
                if declaration.kind == .segment { uses.segments.append(name) }
                pending += expressions(of: declaration).reversed().flatMap { Array(names(in: $0).reversed()) }
            }
        }
        return uses
    }

    /// Every bare name in an expression, in source order.
    static func names(in expr: Expr) -> [String] {
        var found: [String] = []
        func walk(_ e: Expr) {
            switch e.kind {
            case .literal: break
            case .name(let name): found.append(name)
            case .list(let items): items.forEach(walk)
            case .member(let base, _): walk(base)
            case .index(let base, let index):
                walk(base)
                walk(index)
            case .call(_, let arguments): arguments.forEach(walk)
            case .unary(_, let operand): walk(operand)
            case .binary(_, let left, let right):
                walk(left)
                walk(right)
            case .logical(_, let operands): operands.forEach(walk)
            }
        }
        walk(expr)
        return found
    }
}
