// Fuzz target `fmt`: any bytes through `cohort fmt`'s formatter.
// Properties: no trap, no hang; the formatter's own check (same tree, same comments) never
// fails, which would be the diagnostic `internal`; formatting the output again changes
// nothing.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let source = try? SourceFile(name: "fuzz.cohort", data: bytes(data, size)) else { return 0 }
    let once: String
    do {
        once = try Formatter().format(source)
    } catch {
        checkDiagnostics(error, sourceSize: source.bytes.count)
        return 0
    }
    do {
        let twice = try Formatter().format(SourceFile(name: "fuzz.cohort", text: once))
        require(twice == once, "not idempotent:\n\(once)\n--- became ---\n\(twice)")
    } catch {
        require(false, "the output does not format: \(error.description)\n\(once)")
    }
    // A narrow width breaks lines everywhere: the same properties.
    if let narrow = try? Formatter(width: 20).format(source) {
        let again = try? Formatter(width: 20).format(SourceFile(name: "fuzz.cohort", text: narrow))
        require(again == narrow, "not idempotent at width 20:\n\(narrow)\n--- became ---\n\(again ?? "(error)")")
    }
    return 0
}
