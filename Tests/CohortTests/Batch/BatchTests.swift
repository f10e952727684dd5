import Cohort
import Foundation
import Testing

// The batch evaluator driven directly: record splitting (JSON Lines, JSON arrays, RFC 4180
// CSV) at every buffer boundary, typed CSV columns, unreadable records, output and summary.

/// A fixed `now()`, so nothing depends on the clock.
private let fixedNow = Instant(seconds: 1_800_000_000)

/// One record the splitter found: its bytes, first line, and framing problem if any.
private struct Piece: Hashable, CustomStringConvertible {
    var text: [UInt8]
    var line: Int
    var framingError: String?

    var description: String {
        "line \(line): \(String(decoding: text, as: UTF8.self).debugDescription)" + (framingError.map { " (\($0))" } ?? "")
    }
}

/// Splits `input` as one buffer.
private func splitWhole(_ input: [UInt8], _ format: RecordFormat) -> [Piece] {
    splitInPieces(input, format, cuts: [])
}

/// Feeds the splitter the input cut at `cuts` (ascending offsets), carrying the unconsumed
/// tail into the next call as `cohort batch` does, then closes the input with `final`.
private func splitInPieces(_ input: [UInt8], _ format: RecordFormat, cuts: [Int]) -> [Piece] {
    var splitter = RecordSplitter(format: format)
    var pieces: [Piece] = []
    var carry: [UInt8] = []
    func feed(final: Bool) {
        let (records, consumed) = carry.withUnsafeBytes { splitter.split($0, final: final) }
        #expect(consumed >= 0 && consumed <= carry.count)
        for r in records {
            // A broken frame is reported by its line and message only; its bytes are not a
            // record and depend on where the buffer happened to end.
            let text = r.framingError == nil ? Array(carry[r.start..<r.end]) : []
            pieces.append(Piece(text: text, line: r.line, framingError: r.framingError))
        }
        carry.removeFirst(consumed)
    }
    var start = 0
    for cut in cuts + [input.count] {
        carry += input[start..<cut]
        start = cut
        feed(final: false)
    }
    feed(final: true)
    #expect(carry.isEmpty, "bytes left after the final split: \(carry.count)")
    return pieces
}

/// The records (bytes and lines) of `text`.
private func records(_ text: String, _ format: RecordFormat) -> [(String, Int)] {
    splitWhole(Array(text.utf8), format).map { (String(decoding: $0.text, as: UTF8.self), $0.line) }
}

/// Runs the evaluator over `input` the way `cohort batch` does: split into chunks (cut at
/// `cuts`), the CSV header taken from the first record, each chunk processed on its own,
/// outputs joined and summaries merged in order.
private func runBatch(_ evaluator: BatchEvaluator, _ input: [UInt8], _ format: RecordFormat,
                      cuts: [Int] = []) -> (output: String, summary: BatchSummary) {
    var splitter = RecordSplitter(format: format)
    var carry: [UInt8] = []
    var header: CSVHeader?
    var needHeader = format == .csv
    var output = evaluator.header ?? ""
    var summary = evaluator.makeSummary()
    func feed(final: Bool) {
        let (found, consumed) = carry.withUnsafeBytes { splitter.split($0, final: final) }
        var spans = found
        let chunk = Array(carry[0..<consumed])
        carry.removeFirst(consumed)
        if needHeader, !spans.isEmpty {
            let first = spans.removeFirst()
            header = chunk.withUnsafeBytes { b in try? CSVHeader(UnsafeRawBufferPointer(rebasing: b[first.start..<first.end])) }
            #expect(header != nil, "invalid CSV header")
            needHeader = false
        }
        let (text, part) = chunk.withUnsafeBytes { evaluator.process($0, records: spans, format: format, csvHeader: header) }
        output += text
        summary.merge(part, samples: evaluator.options.errorSamples)
    }
    var start = 0
    for cut in cuts + [input.count] {
        carry += input[start..<cut]
        start = cut
        feed(final: false)
    }
    feed(final: true)
    return (output, summary)
}

private func runBatch(_ evaluator: BatchEvaluator, _ input: String, _ format: RecordFormat, cuts: [Int] = []) -> (output: String, summary: BatchSummary) {
    runBatch(evaluator, Array(input.utf8), format, cuts: cuts)
}

/// Decodes every record of a CSV text to its object.
private func csvObjects(_ text: String) throws -> [Result<Value, RecordError>] {
    let bytes = Array(text.utf8)
    var spans = splitWhole(bytes, .csv)
    let headerPiece = spans.removeFirst()
    let header = try headerPiece.text.withUnsafeBytes { try CSVHeader($0) }
    return spans.map { piece in
        piece.text.withUnsafeBytes { b in
            Result { () throws(RecordError) -> Value in try RecordDecoder.decode(b, format: .csv, csvHeader: header) }
        }
    }
}

private let shopRules = """
    segment internal = user.group in ["qa", "staff"]
    flag new_checkout = internal or user.plan == "pro"
    flag checkout_button {
      when internal serve "green"
      when user.age >= 40 serve "blue"
      default "red"
    }
    """

private func evaluator(_ rules: String = shopRules, compile: CompileOptions = CompileOptions(),
                       configure: (inout BatchOptions) -> Void = { _ in }) throws -> BatchEvaluator {
    var options = BatchOptions(now: fixedNow)
    configure(&options)
    return try BatchEvaluator(ruleset: Ruleset(source: rules, file: "rules.cohort", options: compile), options: options)
}

/// Inputs with every awkward feature of their format, for the boundary tests.
private let splitSamples: [(name: String, format: RecordFormat, text: String)] = [
    ("jsonl", .jsonl, "{\"id\":\"u-1\",\"note\":\"a\\nb\"}\n\n{\"id\":\"u-2\"}\r\n   \n{\"id\":\"u-3\",\"s\":\"}{\"}\n{\"id\":\"u-4\"}"),
    ("jsonl-trailing-newline", .jsonl, "{\"a\":1}\n{\"a\":2}\n\n"),
    ("json", .json, """
        [
          {"id": "u-1", "note": "has ] and , and \\" inside", "tags": ["a", "b"]},
          {"id": "u-2",
           "nested": {"x": [1, {"y": 2}]}},

          {"id": "u-3"}
        ]

        """),
    ("json-one-line", .json, #"[{"a":1},{"b":[2,3]},{"c":"]"}]"#),
    ("json-empty", .json, "  [ \n ]\n"),
    ("json-not-array", .json, "\n{\"id\": 1}\n"),
    ("json-unterminated", .json, "[\n{\"id\": 1},\n{\"id\": 2}"),
    ("json-trailing-data", .json, "[{\"id\": 1}]\n{\"id\": 2}\n"),
    ("csv", .csv, #"""
        id,note,age:number
        u-1,"hello, world",30
        u-2,"she said ""hi""",41
        u-3,"two
        lines",7
        u-4,,

        u-5,"",1
        """#),
    ("csv-crlf", .csv, "id,note\r\nu-1,\"a\r\nb\"\r\nu-2,x\r\n"),
]

@Suite("Batch: splitting records")
struct RecordSplitterTests {
    @Test("JSON Lines: one record per non-blank line, with its 1-based line")
    func jsonLines() {
        let found = records("{\"id\":1}\n\n{\"id\":2}\r\n  \t \n{\"id\":3}", .jsonl)
        #expect(found.map(\.0) == ["{\"id\":1}", "{\"id\":2}", "{\"id\":3}"])
        #expect(found.map(\.1) == [1, 3, 5])
    }

    @Test("a JSON array: one record per element, at the line where it starts")
    func jsonArray() throws {
        let sample = try #require(splitSamples.first { $0.name == "json" })
        let found = records(sample.text, .json)
        #expect(found.map(\.1) == [2, 3, 6])
        #expect(found.map(\.0) == [
            #"{"id": "u-1", "note": "has ] and , and \" inside", "tags": ["a", "b"]}"#,
            "{\"id\": \"u-2\",\n   \"nested\": {\"x\": [1, {\"y\": 2}]}}",
            #"{"id": "u-3"}"#,
        ])
        #expect(records("[]", .json).isEmpty)
        #expect(records(" [ \n ] \n", .json).isEmpty)
    }

    @Test("a broken JSON array frame is reported as an unreadable record", arguments: [
        ("json-not-array", 2, "a .json input must be a JSON array of records (use .jsonl for JSON Lines)"),
        ("json-unterminated", 3, "unterminated JSON array (missing ']')"),
        ("json-trailing-data", 2, "unexpected data after the JSON array"),
    ])
    func brokenArray(name: String, line: Int, message: String) throws {
        let sample = try #require(splitSamples.first { $0.name == name })
        let found = splitWhole(Array(sample.text.utf8), .json)
        let broken = try #require(found.last)
        #expect(broken.framingError == message)
        #expect(broken.line == line)
        #expect(found.dropLast().allSatisfy { $0.framingError == nil })
    }

    @Test("CSV: quoted fields may hold commas, doubled quotes and newlines")
    func csvRecords() throws {
        let sample = try #require(splitSamples.first { $0.name == "csv" })
        let found = records(sample.text, .csv)
        #expect(found.map(\.1) == [1, 2, 3, 4, 6, 8])
        #expect(found.map(\.0) == [
            "id,note,age:number", "u-1,\"hello, world\",30", "u-2,\"she said \"\"hi\"\"\",41", "u-3,\"two\nlines\",7", "u-4,,", "u-5,\"\",1",
        ])
        let crlf = records("id,note\r\nu-1,\"a\r\nb\"\r\nu-2,x\r\n", .csv)
        #expect(crlf.map(\.0) == ["id,note", "u-1,\"a\r\nb\"", "u-2,x"])
        #expect(crlf.map(\.1) == [1, 2, 4])
    }

    @Test("cutting the input at any byte gives the same records and lines", arguments: splitSamples.map(\.name))
    func everyBoundary(name: String) throws {
        let sample = try #require(splitSamples.first { $0.name == name })
        let bytes = Array(sample.text.utf8)
        let whole = splitWhole(bytes, sample.format)
        for cut in 0...bytes.count {
            let cutOnce = splitInPieces(bytes, sample.format, cuts: [cut])
            #expect(cutOnce == whole, "cut at byte \(cut)")
        }
        // Two cuts, and a byte at a time.
        for cut in stride(from: 0, through: bytes.count, by: 3) {
            let second = min(bytes.count, cut + 1 + cut % 7)
            #expect(splitInPieces(bytes, sample.format, cuts: [cut, second]) == whole, "cuts at \(cut), \(second)")
        }
        #expect(splitInPieces(bytes, sample.format, cuts: Array(0..<bytes.count)) == whole, "one byte at a time")
    }

    @Test("generated users split the same in one buffer and in small pieces", arguments: [RecordFormat.jsonl, .json, .csv])
    func generatedInPieces(format: RecordFormat) {
        var generator = UserGenerator(seed: 11)
        var text = format == .csv ? UserGenerator.csvHeader : format == .json ? "[\n" : ""
        for i in 0..<200 {
            let user = generator.nextUser(index: i)
            switch format {
            case .csv: text += UserGenerator.csvRow(user)
            case .json: text += user.jsonText + (i < 199 ? ",\n" : "\n")
            case .jsonl: text += user.jsonText + "\n"
            }
        }
        if format == .json { text += "]\n" }
        let bytes = Array(text.utf8)
        let whole = splitWhole(bytes, format)
        #expect(whole.count == (format == .csv ? 201 : 200))
        #expect(whole.allSatisfy { $0.framingError == nil })
        for step in [1, 7, 64, 1000, 4096] {
            #expect(splitInPieces(bytes, format, cuts: Array(stride(from: step, to: bytes.count, by: step))) == whole, "pieces of \(step) bytes")
        }
    }
}

@Suite("Batch: CSV records")
struct CSVRecordTests {
    @Test("a typed header types its columns; dotted names build nested objects; empty cells are missing")
    func typedColumns() throws {
        let text = #"""
            id,age:number,beta:bool,tags:list,address.city,address.zip,note
            u-1,34,true,vip;mobile,Seoul,04524,"hello, ""world"""
            u-2,-2.5e1,FALSE,"[""a"", 1, null]",,,
            u-3,,,,Busan,,"multi
            line"
            u-4, 7 , True ,a; b ;,,x,
            """#
        let objects = try csvObjects(text).map { try $0.get() }
        let expected: [Value] = [
            ["id": "u-1", "age": 34, "beta": true, "tags": ["vip", "mobile"], "address": ["city": "Seoul", "zip": "04524"], "note": #"hello, "world""#],
            ["id": "u-2", "age": -25, "beta": false, "tags": ["a", 1, nil]],
            ["id": "u-3", "address": ["city": "Busan"], "note": "multi\nline"],
            ["id": "u-4", "age": 7, "beta": true, "tags": ["a", "b", ""], "address": ["zip": "x"]],
        ]
        #expect(objects == expected)
    }

    @Test("a bad CSV row is unreadable with a reason", arguments: [
        ("u-1,x,true", "column 'age' is typed number, but 'x' is not a number"),
        ("u-1,1,yes", "column 'beta' is typed bool, but 'yes' is not true or false"),
        ("u-1,1", "row has 2 fields, but the header has 3"),
        ("u-1,1,true,extra", "row has 4 fields, but the header has 3"),
        ("u-1,\"1\"x,true", "unexpected character after a closing quote"),
        ("u-\"1,1,true", "a quote inside an unquoted field (quote the whole field)"),
    ])
    func badRows(row: String, message: String) throws {
        let results = try csvObjects("id,age:number,beta:bool\n" + row + "\n")
        #expect(results.count == 1)
        guard case .failure(let error) = results.first else {
            Issue.record("row was read: \(String(describing: results.first))")
            return
        }
        #expect(error.message == message)
    }
}

@Suite("Batch: evaluating records")
struct BatchEvaluatorTests {
    /// JSON Lines with good and unreadable records; line 5 is blank.
    static let mixedInput = """
        {"id":"u-1","group":"qa","age":30}
        {"id":"u-2","plan":"pro","age":45}
        {"id":"u-3","age":"old"}
        {bad

        [1,2]
        {"id":7}
        42
        {"id":"u-9","group":"staff"}

        """

    @Test("one result line per record, in input order; flag errors serve the default and are listed")
    func jsonlOutput() throws {
        let (output, _) = runBatch(try evaluator(), Self.mixedInput, .jsonl)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 9, "\(output)")
        guard lines.count == 9 else { return }
        #expect(lines[0] == #"{"id":"u-1","flags":{"new_checkout":true,"checkout_button":"green"}}"#)
        #expect(lines[1] == #"{"id":"u-2","flags":{"new_checkout":true,"checkout_button":"blue"}}"#)
        #expect(lines[2] == #"{"id":"u-3","flags":{"new_checkout":false,"checkout_button":"red"},"errors":{"checkout_button":"cannot apply '>=' to string and number"}}"#)
        #expect(lines[3].hasPrefix(#"{"line":4,"error":"invalid JSON"#), "\(lines[3])")
        #expect(lines[4] == #"{"line":6,"error":"a record must be a JSON object, not a list"}"#)
        #expect(lines[5] == #"{"id":7,"flags":{"new_checkout":false,"checkout_button":"red"},"errors":{"checkout_button":"cannot apply '>=' to null and number (a missing attribute?)"}}"#)
        #expect(lines[6] == #"{"line":8,"error":"a record must be a JSON object, not a number"}"#)
        #expect(lines[7] == #"{"id":"u-9","flags":{"new_checkout":true,"checkout_button":"green"}}"#)
        #expect(lines[8] == "")
        // Every output line is JSON.
        for line in lines.dropLast() {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
        }
    }

    @Test("the summary: read = evaluated + unreadable, per-flag counts, errors with their lines")
    func summaryCounts() throws {
        let (_, summary) = runBatch(try evaluator(), Self.mixedInput, .jsonl)
        #expect(summary.recordsRead == 8)
        #expect(summary.evaluated == 5)
        #expect(summary.unreadable == 3)
        #expect(summary.recordsRead == summary.evaluated + summary.unreadable)
        #expect(summary.unreadableSamples.map(\.line) == [4, 6, 8])
        #expect(summary.flags.map(\.name) == ["new_checkout", "checkout_button"])
        let newCheckout = summary.flags[0], button = summary.flags[1]
        #expect(newCheckout.evaluated == 5)
        #expect(newCheckout.values.map(\.value) == [true, false])
        #expect(newCheckout.values.map(\.count) == [3, 2])
        #expect(newCheckout.errors == 0)
        #expect(button.values.map(\.value) == ["green", "blue", "red"])
        #expect(button.values.map(\.count) == [2, 1, 2])
        #expect(button.errors == 2)
        #expect(button.errorSamples.map(\.line) == [3, 7])
        #expect(button.errorSamples.map(\.message) == [
            "cannot apply '>=' to string and number",
            "cannot apply '>=' to null and number (a missing attribute?)",
        ])
    }

    @Test("the summary as JSON parses, with shares that add up")
    func summaryJSON() throws {
        let (_, summary) = runBatch(try evaluator(), Self.mixedInput, .jsonl)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(summary.json.utf8)) as? [String: Any])
        let records = try #require(object["records"] as? [String: Any])
        #expect(records["read"] as? Int == 8)
        #expect(records["evaluated"] as? Int == 5)
        #expect(records["unreadable"] as? Int == 3)
        let samples = try #require(records["unreadable_samples"] as? [[String: Any]])
        #expect(samples.compactMap { $0["line"] as? Int } == [4, 6, 8])
        let flags = try #require(object["flags"] as? [String: Any])
        let button = try #require(flags["checkout_button"] as? [String: Any])
        #expect(button["evaluated"] as? Int == 5)
        #expect(button["errors"] as? Int == 2)
        let values = try #require(button["values"] as? [[String: Any]])
        #expect(values.compactMap { $0["value"] as? String } == ["green", "blue", "red"])
        #expect(values.compactMap { $0["count"] as? Int } == [2, 1, 2])
        #expect(values.compactMap { $0["share"] as? Double } == [0.4, 0.2, 0.4])
        let errorSamples = try #require(button["error_samples"] as? [[String: Any]])
        #expect(errorSamples.compactMap { $0["line"] as? Int } == [3, 7])
        // Rendered for people: totals and each value's share.
        let text = summary.rendered()
        #expect(text.hasPrefix("records: 8 read, 5 evaluated, 3 unreadable\n"))
        #expect(text.contains("60.0% (3)"), "\(text)")
        #expect(text.contains("errors: 2 (served the default)"), "\(text)")
    }

    @Test("an empty input gives no output and an empty summary", arguments: [RecordFormat.jsonl, .csv])
    func emptyInput(format: RecordFormat) throws {
        let (output, summary) = runBatch(try evaluator(), "", format)
        #expect(output == "")
        #expect(summary.recordsRead == 0 && summary.evaluated == 0 && summary.unreadable == 0)
        #expect(summary.flags.allSatisfy { $0.evaluated == 0 && $0.values.isEmpty })
    }

    @Test("invalid UTF-8 in a record makes that record unreadable, not the run", arguments: [RecordFormat.jsonl, .csv])
    func invalidUTF8(format: RecordFormat) throws {
        var input: [UInt8] = Array((format == .csv ? "id,group\nu-1,qa\nu-2," : "{\"id\":\"u-1\",\"group\":\"qa\"}\n{\"id\":\"u-2\",\"group\":\"").utf8)
        input += [0xFF, 0xFE]
        input += Array((format == .csv ? "\nu-3,staff\n" : "\"}\n{\"id\":\"u-3\",\"group\":\"staff\"}\n").utf8)
        let (output, summary) = runBatch(try evaluator(), input, format)
        #expect(summary.recordsRead == 3)
        #expect(summary.evaluated == 2)
        #expect(summary.unreadable == 1)
        #expect(summary.unreadableSamples.first?.line == (format == .csv ? 3 : 2))
        if format == .jsonl {
            let lines = output.split(separator: "\n").map(String.init)
            #expect(lines.count == 3)
            #expect(lines.count == 3 && lines[1].hasPrefix(#"{"line":2,"error":"#))
            #expect(lines.last?.hasPrefix(#"{"id":"u-3","#) == true)
        }
    }

    @Test("chunks cut anywhere give the same output and summary as one buffer", arguments: [RecordFormat.jsonl, .json, .csv])
    func chunksAgree(format: RecordFormat) throws {
        var generator = UserGenerator(seed: 5)
        var text = format == .csv ? UserGenerator.csvHeader : format == .json ? "[" : ""
        for i in 0..<300 {
            let user = generator.nextUser(index: i)
            switch format {
            case .csv: text += i % 50 == 17 ? "broken,row\n" : UserGenerator.csvRow(user)
            case .json: text += (i == 0 ? "\n" : ",\n") + (i % 50 == 17 ? "\"not an object\"" : user.jsonText)
            case .jsonl: text += (i % 50 == 17 ? "{bad" : user.jsonText) + "\n"
            }
        }
        if format == .json { text += "\n]\n" }
        let e = try evaluator(RulesetFixtures.generatedUserRules) { $0.output = format == .csv ? .csv : .jsonl }
        let whole = runBatch(e, text, format)
        #expect(whole.summary.recordsRead == 300)
        #expect(whole.summary.unreadable == 6)
        for step in [97, 1024, 5000] {
            let cut = runBatch(e, text, format, cuts: Array(stride(from: step, to: text.utf8.count, by: step)))
            #expect(cut.output == whole.output, "chunks of \(step) bytes")
            #expect(cut.summary.json == whole.summary.json, "chunks of \(step) bytes")
        }
    }

    @Test("CSV input with typed columns is evaluated like the same users as JSON")
    func csvMatchesJSON() throws {
        var generator = UserGenerator(seed: 9)
        var csv = UserGenerator.csvHeader
        var jsonl = ""
        for i in 0..<300 {
            let user = generator.nextUser(index: i)
            csv += UserGenerator.csvRow(user)
            jsonl += user.jsonText + "\n"
        }
        // Not `tagged`: an empty tag list is an empty cell in CSV, and empty cells are missing.
        let e = try evaluator(RulesetFixtures.generatedUserRules) {
            $0.flags = ["new_checkout", "adults_in_asia", "opted_in", "checkout_button"]
        }
        let fromCSV = runBatch(e, csv, .csv)
        let fromJSON = runBatch(e, jsonl, .jsonl)
        #expect(fromCSV.summary.unreadable == 0)
        #expect(fromCSV.summary.evaluated == 300)
        #expect(fromCSV.output == fromJSON.output)
    }

    @Test("--id takes the id from a dotted path; a missing id is null")
    func idPath() throws {
        let input = """
            {"account":{"key":"acc-1"},"group":"qa"}
            {"account":{"key":42}}
            {"id":"u-3"}

            """
        let (output, _) = runBatch(try evaluator { $0.idPath = "account.key"; $0.flags = ["new_checkout"] }, input, .jsonl)
        #expect(output == """
            {"id":"acc-1","flags":{"new_checkout":true}}
            {"id":42,"flags":{"new_checkout":false}}
            {"id":null,"flags":{"new_checkout":false}}

            """)
        let (byDefault, _) = runBatch(try evaluator { $0.flags = ["new_checkout"] }, input, .jsonl)
        #expect(byDefault.split(separator: "\n").map { String($0.prefix(12)) } == [#"{"id":null,""#, #"{"id":null,""#, #"{"id":"u-3","#])
    }

    @Test("--context-records binds each top-level key of a record as a root")
    func contextRecords() throws {
        let rules = """
            flag mobile_beta = device.os == "ios" and user.group == "beta"
            flag org_plan { when org.plan == "enterprise" serve "sso" default "password" }
            """
        let input = """
            {"user":{"id":"u-1","group":"beta"},"device":{"os":"ios"},"org":{"plan":"enterprise"}}
            {"user":{"id":"u-2","group":"beta"},"device":{"os":"android"}}
            {"id":"top-level"}

            """
        let e = try evaluator(rules) { $0.contextRecords = true; $0.idPath = "user.id" }
        let (output, summary) = runBatch(e, input, .jsonl)
        #expect(output == """
            {"id":"u-1","flags":{"mobile_beta":true,"org_plan":"sso"}}
            {"id":"u-2","flags":{"mobile_beta":false,"org_plan":"password"}}
            {"id":null,"flags":{"mobile_beta":false,"org_plan":"password"}}

            """)
        #expect(summary.evaluated == 3)
    }

    @Test("--as binds each record to another root")
    func recordRoot() throws {
        let rules = #"flag big = member.seats >= 100"#
        let e = try evaluator(rules, compile: CompileOptions(addingRoots: ["member"])) { $0.recordRoot = "member" }
        let (output, _) = runBatch(e, "{\"id\":\"m-1\",\"seats\":250}\n{\"id\":\"m-2\",\"seats\":3}\n", .jsonl)
        #expect(output == "{\"id\":\"m-1\",\"flags\":{\"big\":true}}\n{\"id\":\"m-2\",\"flags\":{\"big\":false}}\n")
    }

    @Test("--flags evaluates only the named flags, in the order given")
    func flagSelection() throws {
        let e = try evaluator { $0.flags = ["checkout_button", "new_checkout"] }
        #expect(e.flagNames == ["checkout_button", "new_checkout"])
        let (output, summary) = runBatch(e, "{\"id\":\"u-1\",\"group\":\"qa\",\"age\":1}\n", .jsonl)
        #expect(output == #"{"id":"u-1","flags":{"checkout_button":"green","new_checkout":true}}"# + "\n")
        #expect(summary.flags.map(\.name) == ["checkout_button", "new_checkout"])
        let one = try evaluator { $0.flags = ["checkout_button"] }
        #expect(runBatch(one, "{\"id\":\"u-1\",\"group\":\"qa\"}\n", .jsonl).output == #"{"id":"u-1","flags":{"checkout_button":"green"}}"# + "\n")
    }

    @Test("--flags with an unknown flag fails before the run, with a did-you-mean")
    func unknownFlag() throws {
        do {
            _ = try evaluator { $0.flags = ["new_checkout", "chekout_button"] }
            Issue.record("expected a BatchError")
        } catch let error as BatchError {
            #expect(error.message == "no flag named 'chekout_button' in rules.cohort; did you mean 'checkout_button'?")
        }
        do {
            _ = try evaluator { $0.flags = ["internal"] }
            Issue.record("a segment is not a flag")
        } catch let error as BatchError {
            #expect(error.message.hasPrefix("no flag named 'internal' in rules.cohort"))
        }
    }

    @Test("--format csv: a header row, one row per record, cells quoted when needed, errors as a JSON object")
    func csvOutput() throws {
        let rules = """
            flag greeting { when user.lang == "ko" serve "안녕, 세상" when user.lang == "q" serve "say \\"hi\\"" default "hello" }
            flag on = user.on == true
            flag adult = user.age >= 18
            """
        let e = try evaluator(rules) { $0.output = .csv }
        #expect(e.header == "id,greeting,on,adult,errors\n")
        let input = """
            {"id":"u-1","lang":"ko","on":true,"age":30}
            {"id":"a,b","lang":"q","age":"x"}
            {bad
            {"lang":"en","age":3}

            """
        let (output, summary) = runBatch(e, input, .jsonl)
        #expect(output == #"""
            id,greeting,on,adult,errors
            u-1,"안녕, 세상",true,true,
            "a,b","say ""hi""",false,false,"{""adult"":""cannot apply '>=' to string and number""}"
            ,hello,false,false,

            """#)
        #expect(summary.unreadable == 1)
    }

    @Test("flag errors are counted per flag and sampled up to the limit")
    func errorSamplesLimit() throws {
        let e = try evaluator("flag adult = user.age >= 18") { $0.errorSamples = 2 }
        let input = (1...6).map { $0 % 2 == 0 ? "{\"age\":\($0 * 10)}" : "{}" }.joined(separator: "\n")
        let (output, summary) = runBatch(e, input, .jsonl, cuts: [12])
        #expect(summary.flags[0].errors == 3)
        #expect(summary.flags[0].errorSamples.map(\.line) == [1, 3])
        #expect(summary.flags[0].values.map(\.value) == [false, true])
        #expect(summary.flags[0].values.map(\.count) == [3, 3])
        #expect(output.split(separator: "\n").filter { $0.contains("\"errors\"") }.count == 3)
    }
}

/// Rules over the fields `UserGenerator` produces, shared by the batch tests.
enum RulesetFixtures {
    static let generatedUserRules = """
        let staff_groups = ["qa", "staff"]
        segment internal = user.email ends_with "@acme.com" or user.group in staff_groups
        segment paying = user.plan in ["pro", "enterprise"]
        flag new_checkout = internal or bucket(user.id) < 20
        flag adults_in_asia = user.age >= 30 and user.country in ["KR", "JP"]
        flag tagged { when user.tags contains "vip" serve "vip" when len(user.tags) >= 3 serve "busy" default "plain" }
        flag opted_in = not user.beta_opt_out and paying
        flag checkout_button {
          when internal serve "green"
          when bucket(user.id) < 50 serve "blue"
          default "red"
        }
        """
}

/// The batch evaluator against `Ruleset.evaluateAll`, record by record: its shortcuts (a
/// prerequisite evaluated once per record, precomputed output of constant arms, counts kept
/// per arm) must give the values and summary plain evaluation gives.
@Suite("Batch against plain evaluation")
struct BatchDifferentialTests {
    /// Prerequisites used several times and before their declaration, computed served
    /// values, two arms serving the same value, an escaped string, flags that fail.
    static let rules = """
        segment internal = user.email ends_with "@acme.com" or user.group in ["qa", "staff"]
        flag express = early and paying
        flag early = internal or bucket(user.id) < 30
        flag paying = user.plan in ["pro", "enterprise"]
        flag plan_name {
          when early serve user.plan
          when paying serve "paying \\"quoted\\""
          default "none"
        }
        flag same_twice {
          when user.age >= 40 serve "senior"
          when early and express serve "senior"
          when user.age < 18 serve "minor"
          default "adult"
        }
        flag risky = user.age > 30 and early
        flag uses_risky {
          when risky serve 1
          when express serve 2
          default 0
        }
        """

    @Test("values per record and the summary equal plain evaluation, at several chunk sizes", arguments: [1, 7, 1000])
    func againstEvaluateAll(cutEvery: Int) throws {
        let ruleset = try Ruleset(source: Self.rules)
        let evaluator = try BatchEvaluator(ruleset: ruleset, options: BatchOptions(now: fixedNow))
        var generator = UserGenerator(seed: 5)
        var users = (0..<300).map { generator.nextUser(index: $0) }
        // Some ages that are not numbers, so `risky` and `same_twice` fail for them.
        for i in stride(from: 3, to: users.count, by: 17) {
            if case .object(var fields) = users[i] { fields["age"] = "old"; users[i] = .object(fields) }
        }
        let input = users.map { $0.jsonText + "\n" }.joined()
        // Cut the input into chunks of about `cutEvery` records.
        let bytes = Array(input.utf8)
        var cuts: [Int] = []
        var newlines = 0
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            newlines += 1
            if newlines % cutEvery == 0 && i + 1 < bytes.count { cuts.append(i + 1) }
        }
        let (output, summary) = runBatch(evaluator, bytes, .jsonl, cuts: cuts)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == users.count)

        var expected = evaluator.makeSummary()
        for (i, user) in users.enumerated() where i < lines.count {
            let evaluations = ruleset.evaluateAll(in: ["user": user], now: fixedNow)
            let flags = evaluations.map { "\(jsonString($0.flag)):\($0.value.jsonText)" }.joined(separator: ",")
            let errors = evaluations.compactMap { e -> String? in
                guard case .error(let error) = e.reason else { return nil }
                return "\(jsonString(e.flag)):\(jsonString(error.message))"
            }
            let id = Operations.member(user, "id").jsonText
            let line = "{\"id\":\(id),\"flags\":{\(flags)}" + (errors.isEmpty ? "" : ",\"errors\":{\(errors.joined(separator: ","))}") + "}"
            #expect(lines[i] == line, "record \(i + 1)")
            for (k, e) in evaluations.enumerated() {
                expected.flags[k].record(e.value)
                if case .error = e.reason { expected.flags[k].errors += 1 }
            }
        }
        for k in expected.flags.indices {
            #expect(summary.flags[k].values.map(\.value) == expected.flags[k].values.map(\.value), "\(expected.flags[k].name)")
            #expect(summary.flags[k].values.map(\.count) == expected.flags[k].values.map(\.count), "\(expected.flags[k].name)")
            #expect(summary.flags[k].evaluated == users.count)
            #expect(summary.flags[k].errors == expected.flags[k].errors)
        }
        // The rules do fail somewhere, and serve more than one value, or the test shows little.
        #expect(expected.flags.contains { $0.errors > 0 })
        #expect(expected.flags.allSatisfy { $0.values.count >= 2 })
    }

    private func jsonString(_ s: String) -> String { Value.string(s).jsonText }
}
