/// The pipeline, end to end: source text → tokens → syntax tree → checked IR → bytecode.
///
///     compile = parse → check → compile
///
/// `Rule` and `Ruleset` are the public faces of these steps.
package enum Pipeline {
    /// Compiles one standalone expression.
    package static func compileExpression(_ source: SourceFile, options: CompileOptions) throws(CompileError) -> (Program, SlotTable) {
        if source.bytes.count > options.limits.maxSourceBytes {
            throw CompileError(diagnostics: [.sourceTooLarge(limit: options.limits.maxSourceBytes)], source: source)
        }
        // parse
        var parser = Parser(source, limits: options.limits)
        guard let expr = parser.parseStandaloneExpression() else {
            throw CompileError(diagnostics: parser.diagnostics, source: source)
        }
        // check
        var checker = Checker(source: source, roots: options.roots)
        let typed = checker.check(expr)
        if !checker.diagnostics.isEmpty {
            throw CompileError(diagnostics: checker.diagnostics, source: source)
        }
        // compile
        do throws(Compiler.Failure) {
            let program = try Compiler.compile(typed.ir, salt: .runtime, limits: options.limits, fuses: options.fusesTests)
            return (program, checker.slots)
        } catch {
            throw CompileError(diagnostics: [error.diagnostic(options.limits, at: expr.span)], source: source)
        }
    }
}
