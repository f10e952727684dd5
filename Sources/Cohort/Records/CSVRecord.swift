/// The header of a CSV input: column names (a dotted name like `address.city` builds a
/// nested object) and their types (`age:number`, `beta:bool`, `tags:list`; others strings).
package struct CSVHeader: Sendable {
    /// How a column's cells are read.
    package enum ColumnType: String, Sendable, CaseIterable { case string, number, bool, list }

    package struct Column: Sendable {
        package var path: [String]
        package var type: ColumnType
    }

    package var columns: [Column]

    /// Parses the header row.
    package init(_ bytes: UnsafeRawBufferPointer) throws(RecordError) {
        let fields = try CSVRecord.fields(bytes)
        var columns: [Column] = []
        for field in fields {
            var name = field.trimmingSpaces()
            var type = ColumnType.string
            if let colon = name.lastIndex(of: ":") {
                let suffix = String(name[name.index(after: colon)...])
                if let t = ColumnType(rawValue: suffix.lowercased()) {
                    type = t
                    name = String(name[..<colon])
                } else if !suffix.isEmpty, suffix.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) }) {
                    // `age:int` is a typo for a type, not a column named `age:int`.
                    let known = ColumnType.allCases.map(\.rawValue).joined(separator: ", ")
                    throw RecordError("column '\(name[..<colon])' has an unknown type '\(suffix)' (known types: \(known))")
                }
            }
            guard !name.isEmpty else { throw RecordError("empty column name in the CSV header") }
            columns.append(Column(path: name.split(separator: ".", omittingEmptySubsequences: false).map(String.init), type: type))
        }
        self.columns = columns
    }
}

/// Reads CSV records (RFC 4180: quoted fields with `""` escapes, commas and newlines inside quotes).
package enum CSVRecord {
    /// Splits one record into its fields.
    package static func fields(_ b: UnsafeRawBufferPointer) throws(RecordError) -> [String] {
        var fields: [String] = []
        var i = 0
        let n = b.count
        while true {
            if i < n, b[i] == UInt8(ascii: "\"") {
                var bytes: [UInt8] = []
                i += 1
                while true {
                    guard i < n else {
                        throw RecordError("unterminated quoted field: field \(fields.count + 1) opens with a quote that does not close on this row")
                    }
                    if b[i] == UInt8(ascii: "\"") {
                        if i + 1 < n, b[i + 1] == UInt8(ascii: "\"") {
                            bytes.append(UInt8(ascii: "\""))
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    bytes.append(b[i])
                    i += 1
                }
                guard i == n || b[i] == UInt8(ascii: ",") else { throw RecordError("unexpected character after a closing quote") }
                fields.append(try utf8(bytes[...]))
            } else {
                let start = i
                while i < n, b[i] != UInt8(ascii: ",") {
                    if b[i] == UInt8(ascii: "\"") { throw RecordError("a quote inside an unquoted field (quote the whole field)") }
                    i += 1
                }
                fields.append(try utf8(UnsafeRawBufferPointer(rebasing: b[start..<i])))
            }
            if i >= n { return fields }
            i += 1  // the comma
            if i == n {
                fields.append("")
                return fields
            }
        }
    }

    private static func utf8(_ bytes: some Collection<UInt8>) throws(RecordError) -> String {
        let array = Array(bytes)
        if let bad = firstInvalidUTF8Offset(array) {
            throw RecordError("invalid UTF-8 (byte 0x\(String(array[bad], radix: 16, uppercase: true)))")
        }
        return String(decoding: array, as: UTF8.self)
    }

    /// Turns a CSV record into an object using the header's names and types. Empty cells
    /// are missing attributes (null), since CSV cannot tell an empty string from no value.
    package static func object(_ b: UnsafeRawBufferPointer, header: CSVHeader) throws(RecordError) -> Value {
        let cells = try fields(b)
        guard cells.count == header.columns.count else {
            throw RecordError("row has \(cells.count) field\(cells.count == 1 ? "" : "s"), but the header has \(header.columns.count)")
        }
        var root: [String: Value] = [:]
        for (cell, column) in zip(cells, header.columns) where !cell.isEmpty {
            let value: Value
            switch column.type {
            case .string:
                value = .string(cell)
            case .number:
                guard let n = NumberText.parseJSON(Substring(cell.trimmingSpaces())) else {
                    throw RecordError("column '\(column.path.joined(separator: "."))' is typed number, but '\(cell)' is not a number")
                }
                value = .number(n)
            case .bool:
                switch cell.trimmingSpaces().lowercased() {
                case "true": value = .bool(true)
                case "false": value = .bool(false)
                default: throw RecordError("column '\(column.path.joined(separator: "."))' is typed bool, but '\(cell)' is not true or false")
                }
            case .list:
                let trimmed = cell.trimmingSpaces()
                if trimmed.hasPrefix("[") {
                    do {
                        value = try JSONReader.parse(trimmed)
                    } catch {
                        throw RecordError("column '\(column.path.joined(separator: "."))' holds invalid JSON: \(error.message)")
                    }
                } else {
                    value = .list(cell.split(separator: ";", omittingEmptySubsequences: false).map { .string(String($0).trimmingSpaces()) })
                }
            }
            insert(value, at: column.path[...], into: &root)
        }
        return .object(root)
    }

    /// The text of the cell in the column at `path` (spaces around it trimmed), as
    /// written: what an id in a number column is echoed as.
    package static func cellText(_ b: UnsafeRawBufferPointer, header: CSVHeader, path: [String]) -> String? {
        guard let column = header.columns.firstIndex(where: { $0.path == path }),
              let cells = try? fields(b), column < cells.count else { return nil }
        return cells[column].trimmingSpaces()
    }

    private static func insert(_ value: Value, at path: ArraySlice<String>, into object: inout [String: Value]) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
            return
        }
        var inner: [String: Value] = [:]
        if case .object(let existing) = object[first] { inner = existing }
        insert(value, at: path.dropFirst(), into: &inner)
        object[first] = .object(inner)
    }
}

/// Why a record could not be read.
package struct RecordError: Error, Sendable, Hashable {
    package var message: String
    package init(_ message: String) { self.message = message }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    package func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
