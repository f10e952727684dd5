/// Compiles a rule file: finds duplicates and cycles, checks declarations in dependency
/// order, warns about likely mistakes, and compiles every flag into a `FlagProgram`.
package struct RuleFileCompiler {
    /// A declaration after checking.
    package struct Checked: Sendable {
        package var declaration: Declaration
        /// `let`/`segment`/boolean flag expression; nil for a flag block or a failed check.
        package var expression: IR?
        package var arms: [(condition: IR, value: IR)] = []
        package var defaultValue: Value = .bool(false)
        package var kind: ValueKind?
        package var constant: Value?
        package var ok = false
    }

    private let source: SourceFile
    private let options: CompileOptions
    package private(set) var diagnostics: [Diagnostic] = []
    package private(set) var checked: [Checked] = []
    package private(set) var slots = SlotTable()
    package private(set) var flags: [FlagProgram?] = []
    /// Everything the file holds as parsed, `use` lines and `test` blocks too (the
    /// language server answers from it).
    package private(set) var file = RuleFile(items: [])
    private var byName: [String: Int] = [:]

    /// The rule file's source.
    package var sourceFile: SourceFile { source }

    package init(source: SourceFile, options: CompileOptions) {
        self.source = source
        self.options = options
    }

    /// Runs every step; afterwards `diagnostics` holds all errors and warnings.
    package mutating func compile() {
        if source.bytes.count > options.limits.maxSourceBytes {
            diagnostics.append(.sourceTooLarge(limit: options.limits.maxSourceBytes))
            return
        }
        var parser = Parser(source, limits: options.limits)
        file = parser.parseFile()
        let declarations = file.declarations
        diagnostics += parser.diagnostics
        checked = declarations.map { Checked(declaration: $0) }

        // Names: reserved words, duplicates.
        let reserved = options.roots.union(Builtin.allCases.map(\.name))
        for (i, d) in declarations.enumerated() {
            if reserved.contains(d.name) {
                diagnostics.append(.reservedName(d.name, d.nameSpan))
            } else if let first = byName[d.name] {
                diagnostics.append(.duplicateDeclaration(d.name, d.nameSpan, first: declarations[first].nameSpan))
            } else {
                byName[d.name] = i
            }
        }

        // Dependencies and cycles.
        let dependencies = declarations.map { d -> [(Int, SourceSpan)] in
            var found: [(Int, SourceSpan)] = []
            for expr in [d.expression, d.defaultValue].compactMap({ $0 }) + d.arms.flatMap({ [$0.condition, $0.value] }) {
                collectNames(expr, into: &found)
            }
            return found
        }
        let order = topologicalOrder(dependencies)

        // Check in dependency order so every reference sees its target's type.
        var infos: [String: Checker.DeclarationInfo] = [:]
        for i in order.sorted where !order.inCycle.contains(i) {
            let d = declarations[i]
            do {
                // The checker gets the only reference to the slot table and ends before
                // `infos` grows, so neither is copied: a file of 100,000 declarations must
                // not cost 100,000 copies of each.
                var checker = Checker(source: source, roots: options.roots, declarations: infos, slots: slots)
                slots = SlotTable()
                checkDeclaration(i, d, &checker)
                slots = checker.slots
                diagnostics += checker.diagnostics
            }
            if byName[d.name] == i {
                infos[d.name] = Checker.DeclarationInfo(index: i, kind: checked[i].kind, constant: checked[i].kind == nil ? nil : checked[i].constant)
            }
        }
        // The likely mistakes: a pass of its own over what was checked.
        var linter = Linter(source: source, entries: checked.enumerated().map { i, c in
            Linter.Entry(declaration: c.declaration, expression: c.expression, arms: c.arms,
                         defaultValue: c.declaration.kind == .flag ? c.defaultValue : nil, ok: c.ok, isNamed: byName[c.declaration.name] == i)
        }, tests: file.tests)
        diagnostics += linter.run()

        // Compile flags, prerequisites first.
        flags = Array(repeating: nil, count: declarations.count)
        if !diagnostics.contains(where: { $0.severity == .error }) {
            // A declaration that uses a flag that failed to compile (a limit) is not compiled
            // either: its own error would only repeat the first one.
            var failed = Set<Int>()
            for i in order.sorted {
                if dependencies[i].contains(where: { failed.contains($0.0) }) {
                    failed.insert(i)
                } else if declarations[i].kind == .flag {
                    flags[i] = compileFlag(i)
                    if flags[i] == nil { failed.insert(i) }
                }
            }
        }
        diagnostics.sort { ($0.span.start, $0.severity == .error ? 0 : 1) < ($1.span.start, $1.severity == .error ? 0 : 1) }
    }

    // MARK: Checking

    private mutating func checkDeclaration(_ i: Int, _ d: Declaration, _ checker: inout Checker) {
        let before = checker.diagnostics.count
        switch d.kind {
        case .let:
            let t = checker.check(d.expression!)
            checked[i].expression = t.ir
            checked[i].kind = t.kind
            checked[i].constant = t.ir.constantValue
        case .segment where d.expression != nil, .flag where d.expression != nil:  // a segment always has one
            let t = checker.check(d.expression!)
            if let k = t.kind, k != .bool, checker.diagnostics.count == before {
                diagnostics.append(d.kind == .segment
                    ? .segmentNotBoolean(d.name, found: k.name, d.expression!.span)
                    : .flagNotBoolean(d.name, found: k.name, d.expression!.span))
                return
            }
            checked[i].expression = t.ir
            checked[i].kind = .bool
        case .segment:
            break  // not reached: the parser gives every segment an expression
        case .flag:
            var kinds: [ValueKind?] = []
            for arm in d.arms {
                let c = checker.check(arm.condition)
                if let k = c.kind, k != .bool {
                    diagnostics.append(.conditionNotBoolean(found: k.name, arm.condition.span))
                }
                let v = checker.check(arm.value)
                kinds.append(v.kind)
                checked[i].arms.append((c.ir, v.ir))
            }
            let def = checker.check(d.defaultValue!)
            guard let value = def.ir.constantValue else {
                if checker.diagnostics.count == before { diagnostics.append(.defaultNotConstant(d.name, d.defaultValue!.span)) }
                return
            }
            checked[i].defaultValue = value
            kinds.append(value.kind)
            let known = Set(kinds.compactMap { $0 }).subtracting([.null])
            if known.count > 1 {
                diagnostics.append(.mixedServeTypes(d.name, types: known.map(\.name).sorted(), d.nameSpan))
            }
            checked[i].kind = known.count == 1 && !kinds.contains(where: { $0 == nil }) ? known.first : nil
        }
        checked[i].ok = checker.diagnostics.count == before
    }

    /// Every bare name in `expr` that names a declaration.
    private func collectNames(_ expr: Expr, into found: inout [(Int, SourceSpan)]) {
        switch expr.kind {
        case .literal: break
        case .name(let n): if let i = byName[n] { found.append((i, expr.span)) }
        case .list(let items): for item in items { collectNames(item, into: &found) }
        case .member(let base, _): collectNames(base, into: &found)
        case .index(let base, let index):
            collectNames(base, into: &found)
            collectNames(index, into: &found)
        case .call(_, let args): for a in args { collectNames(a, into: &found) }
        case .unary(_, let e): collectNames(e, into: &found)
        case .binary(_, let l, let r):
            collectNames(l, into: &found)
            collectNames(r, into: &found)
        case .logical(_, let es): for e in es { collectNames(e, into: &found) }
        }
    }

    /// Depth-first order (dependencies first); declarations on a cycle are reported once per
    /// cycle. Iterative, with an explicit stack: a chain of thousands of declarations each
    /// using the one before must not exhaust the thread's stack.
    private mutating func topologicalOrder(_ dependencies: [[(Int, SourceSpan)]]) -> (sorted: [Int], inCycle: Set<Int>) {
        enum Mark { case none, active, done }
        var marks = Array(repeating: Mark.none, count: dependencies.count)
        var sorted: [Int] = []
        var inCycle = Set<Int>()
        let names = checked.map(\.declaration.name)
        // The declarations being visited, outermost first, each with its next dependency.
        var path: [(declaration: Int, next: Int)] = []

        for root in dependencies.indices where marks[root] == .none {
            marks[root] = .active
            path.append((root, 0))
            while let (i, next) = path.last {
                guard next < dependencies[i].count else {
                    path.removeLast()
                    marks[i] = .done
                    sorted.append(i)
                    continue
                }
                path[path.count - 1].next += 1
                let (j, span) = dependencies[i][next]
                switch marks[j] {
                case .none:
                    marks[j] = .active
                    path.append((j, 0))
                case .active:
                    let cycle = path[path.lastIndex { $0.declaration == j }!...].map(\.declaration)
                    if cycle.allSatisfy({ !inCycle.contains($0) }) {
                        diagnostics.append(.cycle(cycle.map { names[$0] } + [names[j]], span))
                    }
                    inCycle.formUnion(cycle)
                case .done: if inCycle.contains(j) { inCycle.insert(i) }
                }
            }
        }
        return (sorted, inCycle)
    }

    // MARK: Compiling

    /// How references compile inside flag `i`: lets and segments inline with the current
    /// salt (so `bucket` in a segment salts with the flag being evaluated); flags run their
    /// own program.
    package func expansion(_ index: Int, _ salt: Compiler.Salt) -> Compiler.Expansion? {
        guard checked.indices.contains(index) else { return nil }
        let c = checked[index]
        if c.declaration.kind == .flag {
            return flags[index].map { .flag($0) }
        }
        return c.expression.map { .inline($0, salt) }
    }

    private mutating func compileFlag(_ i: Int) -> FlagProgram? {
        let c = checked[i]
        let d = c.declaration
        let salt = Compiler.Salt.constant(d.name)
        let expand = { [self] (index: Int, salt: Compiler.Salt) in self.expansion(index, salt) }
        let limits = options.limits, fuses = options.fusesTests
        func build(_ ir: IR) throws(Compiler.Failure) -> Program {
            try Compiler.compile(ir, salt: salt, limits: limits, fuses: fuses, expand: expand)
        }
        var arms: [FlagProgram.Arm] = []
        do throws(Compiler.Failure) {
            if let expression = c.expression {
                arms.append(.init(condition: try build(expression), value: Program(constant: .bool(true), span: d.expression!.span),
                                  line: source.location(of: d.expression!.span.start).line))
            } else {
                for (k, arm) in c.arms.enumerated() {
                    arms.append(.init(condition: try build(arm.condition), value: try build(arm.value),
                                      line: source.location(of: d.arms[k].span.start).line))
                }
            }
            let flag = FlagProgram(name: d.name, memoIndex: i, arms: arms, defaultValue: c.defaultValue, isBoolean: c.expression != nil,
                                   variantNames: d.arms.map { $0.variant?.name }, defaultVariantName: d.defaultVariant?.name)
            if flag.prerequisiteDepth > limits.maxPrerequisiteDepth { throw .prerequisitesTooDeep }
            // Each arm is within the cost limit (`Compiler.compile` checks); their sum may not be.
            if flag.evaluationCost > limits.maxEvaluationCost { throw .tooCostly }
            return flag
        } catch {
            diagnostics.append(error.diagnostic(limits, flag: d.name, at: d.nameSpan))
            return nil
        }
    }

    /// The checker's view of every declaration, for expressions compiled against this file.
    package var declarationInfos: [String: Checker.DeclarationInfo] {
        var infos: [String: Checker.DeclarationInfo] = [:]
        for (name, i) in byName where checked[i].ok {
            infos[name] = Checker.DeclarationInfo(index: i, kind: checked[i].kind, constant: checked[i].declaration.kind == .flag ? nil : checked[i].constant)
        }
        return infos
    }
}
