// Fuzz target `compile`: any bytes, compiled as a standalone expression and as a rule file.
// Properties: no trap, no hang; every diagnostic points inside the source and renders; what
// compiles disassembles.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let source: SourceFile
    do {
        source = try SourceFile(name: "fuzz.cohort", data: input)
    } catch {
        require(error.diagnostics.map(\.code) == ["invalid-utf8"], "invalid UTF-8 gave \(error.diagnostics.map(\.code))")
        checkDiagnostics(error, sourceSize: error.source.bytes.count)
        return 0
    }
    do {
        let rule = try Rule(source.text)
        _ = rule.disassembly
        _ = rule.attributePaths
    } catch {
        checkDiagnostics(error, sourceSize: source.bytes.count)
    }
    do {
        let rules = try Ruleset(source: source.text, file: "fuzz.cohort")
        _ = rules.disassembly
        for diagnostic in rules.warnings {
            require(diagnostic.span.end <= source.bytes.count, "warning span outside the source")
        }
    } catch {
        checkDiagnostics(error, sourceSize: source.bytes.count)
    }
    return 0
}
