// Shared by every fuzz target; compiled into one module with all of Sources/Cohort.

/// Stops the run with a message when a property does not hold: libFuzzer saves the input
/// that did it as a crash artifact.
func require(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition {
        fatalError("property violated: \(message())", file: file, line: line)
    }
}

/// Every diagnostic's spans lie inside the source, and rendering them does not trap.
func checkDiagnostics(_ error: CompileError, sourceSize: Int) {
    require(!error.diagnostics.isEmpty, "a compile error without diagnostics")
    for diagnostic in error.diagnostics {
        require(diagnostic.code != "internal", "internal error: \(diagnostic.message)")
        require(diagnostic.span.start >= 0 && diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= sourceSize,
                "diagnostic span \(diagnostic.span) outside \(sourceSize) bytes: \(diagnostic.message)")
        for note in diagnostic.notes {
            if let span = note.span {
                require(span.start >= 0 && span.end <= sourceSize, "note span \(span) outside \(sourceSize) bytes")
            }
        }
    }
    _ = error.rendered(color: false)
    _ = error.rendered(color: true)
}

/// The input as a byte array.
func bytes(_ data: UnsafePointer<UInt8>, _ size: Int) -> [UInt8] {
    Array(UnsafeBufferPointer(start: data, count: size))
}

/// Splits `input` whole, then again in chunks of `chunk` bytes the way `cohort batch` does
/// (a carry buffer, `final` on the last call), and requires the same records. Returns them.
@discardableResult
func checkSplitting(_ input: [UInt8], format: RecordFormat, chunk: Int) -> [RecordSpan] {
    var whole = RecordSplitter(format: format)
    let (all, consumedAll) = input.withUnsafeBytes { whole.split($0, final: true) }
    require(consumedAll <= input.count, "consumed more than the input")
    for record in all {
        require(record.start >= 0 && record.start <= record.end && record.end <= input.count, "record \(record) outside the input")
        require(record.line >= 1, "record line \(record.line)")
    }

    var splitter = RecordSplitter(format: format)
    var carry: [UInt8] = []
    var offset = 0  // absolute offset of carry[0]
    var position = 0
    var pieces: [RecordSpan] = []
    var atEnd = false
    while !atEnd {
        let next = min(input.count, position + chunk)
        carry += input[position..<next]
        position = next
        atEnd = position == input.count
        let (records, consumed) = carry.withUnsafeBytes { splitter.split($0, final: atEnd) }
        require(consumed <= carry.count, "consumed \(consumed) of \(carry.count) carried bytes")
        for var record in records {
            require(record.end <= consumed || record.framingError != nil, "a record beyond what was consumed")
            record.start += offset
            record.end += offset
            pieces.append(record)
        }
        carry.removeFirst(consumed)
        offset += consumed
    }
    // A framing error (a .json input that is not an array, or is empty) ends the input; its
    // record covers what had been read, which depends on the chunks, and is reported by
    // line and message only; so only those are compared.
    func comparable(_ records: [RecordSpan]) -> [RecordSpan] {
        records.map { record in
            var record = record
            if record.framingError != nil { (record.start, record.end) = (0, 0) }
            return record
        }
    }
    require(comparable(pieces) == comparable(all), "chunks of \(chunk) split differently:\n\(pieces)\nvs whole:\n\(all)")
    return all
}
