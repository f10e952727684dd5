// Fuzz target `binder`: the batch record binder (`RecordBinder`) against the full JSON
// reader. Properties: no trap, no read outside the record (the bytes are libFuzzer's own
// buffer of exactly the input's size, so AddressSanitizer sees any overread); the binder
// accepts exactly the records the reader reads as objects, and binds each path to what
// `AttributePath.resolve` gives on the reader's value. Paths cover keys of 0-17 bytes
// around the 8- and 16-byte boundaries of the binder's key matching, nesting, list
// indices, a non-ASCII key and the Kelvin sign's ASCII twin.

private let keys = ["id", "email", "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq",
                    "é", "K", "tags", ""]

private let paths: [AttributePath] = keys.map { AttributePath(root: "user", components: [.key($0)]) } + [
    AttributePath(root: "user", components: [.key("a"), .key("b")]),
    AttributePath(root: "user", components: [.key("a"), .key("abcdefghi"), .key("x")]),
    AttributePath(root: "user", components: [.key("tags"), .index(0)]),
    AttributePath(root: "user", components: [.key("tags"), .index(2), .key("a")]),
    AttributePath(root: "device", components: [.key("os")]),
]

private let binders = [false, true].map {
    RecordBinder(paths: paths, extra: [[.key("ab"), .key("id")]], recordRoot: "user", contextRecords: $0)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBinder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let record = UnsafeRawBufferPointer(start: data, count: size)
    let full: [String: Value]?
    if case .object(let fields)? = try? JSONReader.parse(record) { full = fields } else { full = nil }
    for (contextRecords, binder) in zip([false, true], binders) {
        var outputs = [Value](repeating: .null, count: binder.outputCount)
        var scratch = RecordBinder.Scratch()
        let bound = outputs.withUnsafeMutableBufferPointer { binder.bind(record, into: $0, scratch: &scratch) }
        require(bound == (full != nil), "binder \(bound ? "accepted" : "refused") what the reader \(full != nil ? "reads" : "refuses")")
        guard bound, let fields = full else { continue }
        let roots = contextRecords ? fields : ["user": Value.object(fields)]
        for (i, path) in paths.enumerated() {
            let expected = path.resolve(in: roots)
            require(outputs[i] == expected && outputs[i].jsonText == expected.jsonText,
                    "\(path): bound \(outputs[i].jsonText), reader \(expected.jsonText)")
        }
        var id = Value.object(fields)
        for key in ["ab", "id"] { id = Operations.member(id, key) }
        require(outputs[paths.count].jsonText == id.jsonText, "id: bound \(outputs[paths.count].jsonText), reader \(id.jsonText)")
    }
    return 0
}
