/// The pipeline, end to end: source text → tokens → syntax tree → checked IR → bytecode.
///
///     compile = parse → check → compile
///
/// `Rule`, `Ruleset.rule`, the REPL and the language server compile expressions through
/// `compileExpression`, the one entry that applies every limit; rule files go through
/// `RuleFileCompiler`, which applies the same ones.
package enum Pipeline {
    /// The names a rule file declares, for an expression compiled against it.
    package struct Declarations {
        /// What the checker knows of each declaration.
        package var infos: [String: Checker.DeclarationInfo]
        /// The file's attribute slots, which the expression's are added to.
        package var slots: SlotTable
        /// How a reference to declaration `i` compiles (see `Compiler.Expansion`).
        package var expand: (Int, Compiler.Salt) -> Compiler.Expansion?

        package init(infos: [String: Checker.DeclarationInfo], slots: SlotTable,
                     expand: @escaping (Int, Compiler.Salt) -> Compiler.Expansion?) {
            self.infos = infos
            self.slots = slots
            self.expand = expand
        }
    }

    /// Compiles one standalone expression. With `rules`, the expression may use a rule
    /// file's declarations by name (a bare flag name evaluates that flag with its own salt),
    /// and reads its attributes through the file's slot table. Returns the checked IR too,
    /// for explaining an evaluation (`Rule.explain`).
    package static func compileExpression(_ source: SourceFile, options: CompileOptions, rules: Declarations? = nil)
        throws(CompileError) -> (program: Program, slots: SlotTable, ir: IR) {
        if source.bytes.count > options.limits.maxSourceBytes {
            throw CompileError(diagnostics: [.sourceTooLarge(limit: options.limits.maxSourceBytes)], source: source)
        }
        // parse
        var parser = Parser(source, limits: options.limits)
        guard let expr = parser.parseStandaloneExpression() else {
            throw CompileError(diagnostics: parser.diagnostics, source: source)
        }
        // check
        var checker = Checker(source: source, roots: options.roots, declarations: rules?.infos ?? [:],
                              slots: rules?.slots ?? SlotTable())
        let typed = checker.check(expr)
        if !checker.diagnostics.isEmpty {
            throw CompileError(diagnostics: checker.diagnostics, source: source)
        }
        // compile
        do throws(Compiler.Failure) {
            let program: Program
            if let rules {
                program = try Compiler.compile(typed.ir, salt: .runtime, limits: options.limits, declarationsAreForeign: true,
                                               fuses: options.fusesTests, expand: rules.expand)
            } else {
                program = try Compiler.compile(typed.ir, salt: .runtime, limits: options.limits, fuses: options.fusesTests)
            }
            return (program, checker.slots, typed.ir)
        } catch {
            throw CompileError(diagnostics: [error.diagnostic(options.limits, at: expr.span)], source: source)
        }
    }
}
