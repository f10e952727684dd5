/// Turns one raw record (JSON object text, or a CSV row) into a `Value` object.
package enum RecordDecoder {
    package static func decode(_ bytes: UnsafeRawBufferPointer, format: RecordFormat, csvHeader: CSVHeader?) throws(RecordError) -> Value {
        switch format {
        case .csv:
            guard let csvHeader else { throw RecordError("CSV input without a header row") }
            return try CSVRecord.object(bytes, header: csvHeader)
        case .jsonl, .json:
            let value: Value
            do {
                value = try JSONReader.parse(bytes)
            } catch {
                throw RecordError("invalid JSON at column \(error.column): \(error.message)")
            }
            guard case .object = value else { throw RecordError("a record must be a JSON object, not a \(value.typeName)") }
            return value
        }
    }

    /// Reads every record of a whole input (for the REPL's `:load`): the objects, and the
    /// unreadable records with their lines.
    package static func readAll(_ bytes: [UInt8], format: RecordFormat) -> (records: [Value], problems: [(line: Int, message: String)]) {
        var splitter = RecordSplitter(format: format)
        var records: [Value] = []
        var problems: [(Int, String)] = []
        bytes.withUnsafeBytes { buffer in
            var spans = splitter.split(buffer, final: true).records
            var header: CSVHeader?
            if format == .csv, !spans.isEmpty {
                let first = spans.removeFirst()
                do throws(RecordError) {
                    header = try CSVHeader(UnsafeRawBufferPointer(rebasing: buffer[first.start..<first.end]))
                } catch {
                    problems.append((first.line, "invalid CSV header: \(error.message)"))
                    return
                }
            }
            for span in spans {
                do throws(RecordError) {
                    if let message = span.framingError { throw RecordError(message) }
                    records.append(try decode(UnsafeRawBufferPointer(rebasing: buffer[span.start..<span.end]), format: format, csvHeader: header))
                } catch {
                    problems.append((span.line, error.message))
                }
            }
        }
        return (records, problems)
    }
}
