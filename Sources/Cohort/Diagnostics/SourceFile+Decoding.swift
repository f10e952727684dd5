extension SourceFile {
    /// Decodes UTF-8 bytes (a file's contents). Invalid UTF-8 is a diagnostic pointing at the
    /// first bad byte, rather than being silently replaced. A UTF-8 byte-order mark at the
    /// start (editors on Windows write one) is skipped. (Here rather than beside the other
    /// initializers: `Source/` sits below the diagnostics it would throw.)
    public init(name: String, data: [UInt8]) throws(CompileError) {
        if data.starts(with: [0xEF, 0xBB, 0xBF]) {
            try self.init(name: name, data: Array(data.dropFirst(3)))
            return
        }
        if let bad = firstInvalidUTF8Offset(data) {
            let prefix = SourceFile(name: name, text: String(decoding: data[..<bad], as: UTF8.self))
            let span = SourceSpan(start: prefix.bytes.count, end: prefix.bytes.count)
            throw CompileError(
                diagnostics: [.invalidUTF8(byte: data[bad], at: span)],
                source: prefix)
        }
        self.init(name: name, text: String(decoding: data, as: UTF8.self))
    }
}
