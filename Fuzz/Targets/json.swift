// Fuzz target `json`: the JSON reader (contexts, JSON Lines records, JSON array records).
// Properties: no trap, no hang; a value read and written out as JSON reads back equal; an
// error's position lies inside the input. An input starting with byte 0x01 exercises the
// JSON Lines and JSON array record splitters instead (`checkSplitting` in Support.swift).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    if input.first == 1, input.count >= 2 {
        // Record splitting: byte 1 chooses JSON Lines or a JSON array and the chunk size.
        let format: RecordFormat = input[1] & 1 == 0 ? .jsonl : .json
        checkSplitting(Array(input[2...]), format: format, chunk: 1 + Int(input[1] >> 1))
        return 0
    }
    do {
        let value = try JSONReader.parse(input, maxDepth: 64)
        let text = value.jsonText
        let again = try JSONReader.parse(text, maxDepth: 64)
        require(again == value, "JSON round trip changed the value: \(text)")
        require(again.jsonText == text, "JSON text not stable: \(text)")
    } catch {
        require(error.offset >= 0 && error.offset <= input.count, "error offset \(error.offset) outside \(input.count) bytes")
        require(error.line >= 1 && error.column >= 1, "error position \(error.line):\(error.column)")
    }
    _ = try? Context(jsonBytes: input)
    return 0
}
