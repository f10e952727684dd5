// Fuzz target `csv`: CSV batch input: the record splitter (fed in chunks, as `cohort batch`
// reads), the header and every record. The first byte chooses the chunk size.
// Properties: no trap, no hang; splitting in chunks finds the same records, at the same
// lines, as splitting the whole input at once; each record decodes or gives a message.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    guard let first = input.first else { return 0 }
    let body = Array(input.dropFirst())
    let records = checkSplitting(body, format: .csv, chunk: 1 + Int(first))
    guard let header = records.first else { return 0 }
    body.withUnsafeBytes { buffer in
        let csvHeader: CSVHeader
        do throws(RecordError) {
            csvHeader = try CSVHeader(UnsafeRawBufferPointer(rebasing: buffer[header.start..<header.end]))
        } catch {
            require(!error.message.isEmpty, "empty header error")
            return
        }
        for record in records.dropFirst() {
            do throws(RecordError) {
                let value = try RecordDecoder.decode(UnsafeRawBufferPointer(rebasing: buffer[record.start..<record.end]), format: .csv, csvHeader: csvHeader)
                guard case .object = value else { require(false, "a CSV record that is not an object"); return }
                _ = value.jsonText
            } catch {
                require(!error.message.isEmpty, "empty record error")
            }
        }
    }
    _ = RecordDecoder.readAll(body, format: .csv)
    return 0
}
