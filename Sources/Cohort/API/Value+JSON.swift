/// Values from JSON text, read by the library's own strict reader (the one `Context(json:)`
/// and `cohort batch` use).
extension Value {
    /// Parses one JSON value: an object, array, string, number, `true`, `false` or `null`.
    ///
    /// ```swift
    /// let user = try Value(json: #"{"id": "u-42", "plan": "pro", "seats": 12}"#)
    /// user["seats"]?.intValue   // 12
    /// ```
    ///
    /// The reader is strict (RFC 8259): no comments, trailing commas or `NaN`; numbers become
    /// doubles; strings keep their Unicode scalars exactly (no normalisation). Versions and
    /// times are not recognised in JSON: they stay strings, which `semver(...)` and
    /// `time(...)` read in rules.
    /// - Throws: ``JSONError`` with the line and column of the first problem.
    public init(json: String) throws(JSONError) {
        do {
            self = try JSONReader.parse(json)
        } catch {
            throw JSONError(error)
        }
    }

    /// Parses one JSON value from UTF-8 bytes (`Data`, `[UInt8]`, a byte buffer). A leading
    /// byte-order mark is an error, as in ``init(json:)``.
    /// - Throws: ``JSONError`` with the line and column of the first problem.
    public init(jsonBytes: some Collection<UInt8>) throws(JSONError) {
        let parsed = jsonBytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONSyntaxError) in try JSONReader.parse(UnsafeRawBufferPointer(buffer)) }
        } ?? Result { () throws(JSONSyntaxError) in try JSONReader.parse(Array(jsonBytes)) }
        switch parsed {
        case .success(let value): self = value
        case .failure(let error): throw JSONError(error)
        }
    }
}
