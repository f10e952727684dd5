import Cohort
import Foundation
import Testing

// Regression tests for the defects found by attacking `cohort batch` (issue 21) and its use
// as a stage of distributed jobs (issue 20), at the library level: the reader, the splitter,
// the evaluator's output and the copies each chunk makes. The CLI side is in
// CLI/BatchRobustnessCLITests.swift.

private let fixedNow = Instant(seconds: 1_800_000_000)

private func evaluator(_ rules: String, configure: (inout BatchOptions) -> Void = { _ in }) throws -> BatchEvaluator {
    var options = BatchOptions(now: fixedNow)
    configure(&options)
    return try BatchEvaluator(ruleset: Ruleset(source: rules, file: "rules.cohort"), options: options)
}

/// A file descriptor reading `bytes` (a pipe filled by a thread, as stdin would be).
private func pipeReading(_ bytes: [UInt8]) -> Int32 {
    var fds: [Int32] = [0, 0]
    _ = pipe(&fds)
    let writer = fds[1]
    Thread.detachNewThread {
        bytes.withUnsafeBytes { b in
            var offset = 0
            while offset < b.count {
                let n = write(writer, b.baseAddress! + offset, min(65_536, b.count - offset))
                if n <= 0 { break }
                offset += n
            }
        }
        close(writer)
    }
    return fds[0]
}

/// Every chunk `ChunkReader` makes of `bytes`.
private func chunks(_ bytes: [UInt8], _ format: RecordFormat, chunkBytes: Int = 1 << 20, maxRecordBytes: Int = 64 << 20,
                    maxRecords: Int = .max, firstLine: Int = 1) throws(ChunkReadError) -> [RecordChunk] {
    let fd = pipeReading(bytes)
    defer {
        // Read what the writer still has to write: closing the pipe under it would kill
        // this process with SIGPIPE.
        var sink = [UInt8](repeating: 0, count: 65_536)
        while read(fd, &sink, sink.count) > 0 {}
        close(fd)
    }
    var reader = ChunkReader(descriptor: fd, format: format, chunkBytes: chunkBytes, maxRecordBytes: maxRecordBytes,
                             maxRecordsPerChunk: maxRecords, firstLine: firstLine)
    var all: [RecordChunk] = []
    while let chunk = try reader.next() { all.append(chunk) }
    return all
}

/// The output and summary of `evaluator` over `text`, read as `cohort batch` reads it.
private func run(_ evaluator: BatchEvaluator, _ text: String, _ format: RecordFormat = .jsonl) throws -> (output: String, summary: BatchSummary) {
    var output = evaluator.header ?? ""
    var summary = evaluator.makeSummary()
    for chunk in try chunks(Array(text.utf8), format) {
        let (part, partSummary) = chunk.bytes.withUnsafeBytes {
            evaluator.process($0, records: chunk.records, format: format, csvHeader: chunk.csvHeader)
        }
        output += part
        summary.merge(partSummary, samples: evaluator.options.errorSamples)
    }
    return (output, summary)
}

/// The records of `text` as (text, line).
private func records(_ text: String, _ format: RecordFormat) throws -> [(String, Int)] {
    try chunks(Array(text.utf8), format).flatMap { chunk in
        chunk.records.map { (String(decoding: chunk.bytes[$0.start..<$0.end], as: UTF8.self), $0.line) }
    }
}

/// Six levels of flags, each using the one before ten times (issue 21's fan-out file).
private func fanOutRules(levels: Int) -> String {
    var text = "flag p0 = user.x == 1\n"
    for i in 1...levels {
        text += "flag p\(i) = " + (0..<10).map { "(p\(i - 1) and user.a\($0) == \($0))" }.joined(separator: " or ") + "\n"
    }
    return text
}

@Suite("Batch: integrity (issues 20 and 21)")
struct BatchIntegrityTests {
    // MARK: 21.1 Flags that use other flags

    @Test("a chunk's copies share each prerequisite once, as the originals do")
    func prerequisitesCopiedOnce() throws {
        let ruleset = try Ruleset(source: fanOutRules(levels: 3), file: "fan.cohort")
        var copies = UnsharedCopies()
        let top = copies.copy(ruleset.flagPrograms[3])
        let uses = top.arms[0].condition.flags
        #expect(uses.count == 10)
        #expect(uses.allSatisfy { $0 === uses[0] }, "each use of p2 must be the same copy")
        #expect(uses[0] !== ruleset.flagPrograms[2], "the copy must not be the original")
        // The copy of p2 made for p3 is the one a later flag gets too.
        #expect(copies.copy(ruleset.flagPrograms[2]) === uses[0])
        #expect(copies.copy(ruleset.flagPrograms[1]) === uses[0].arms[0].condition.flags[0])
    }

    @Test("the fan-out file: 20,000 records evaluate quickly and agree with the library")
    func fanOut() throws {
        let rules = fanOutRules(levels: 6)
        let e = try evaluator(rules)
        let lines = (0..<20_000).map { i in
            "{\"id\":\(i),\"x\":\(i % 2)," + (0..<10).map { "\"a\($0)\":\(i % 3 == 0 ? $0 : 0)" }.joined(separator: ",") + "}"
        }
        let start = Date()
        let (output, summary) = try run(e, lines.joined(separator: "\n"))
        #expect(Date().timeIntervalSince(start) < 20, "20,000 records took \(Date().timeIntervalSince(start)) s")
        #expect(summary.evaluated == 20_000)
        let ruleset = try Ruleset(source: rules, file: "fan.cohort")
        for (i, line) in output.split(separator: "\n").enumerated() where i % 997 == 0 {
            let context = try Context(json: "{\"user\":" + lines[i] + "}")
            let expected = ruleset.evaluateAll(in: context, now: fixedNow).map { "\"\($0.flag)\":\($0.value.jsonText)" }.joined(separator: ",")
            #expect(line == "{\"id\":\(i),\"flags\":{\(expected)}}")
        }
    }

    // MARK: 21.2 Memory bounded whatever the error rate

    @Test("a chunk holds at most the records it is allowed, whatever their size")
    func recordsPerChunk() throws {
        let input = Array(String(repeating: "{}\n", count: 10_000).utf8)
        let all = try chunks(input, .jsonl, maxRecords: 64)
        #expect(all.allSatisfy { $0.records.count <= 64 })
        #expect(all.reduce(0) { $0 + $1.records.count } == 10_000)
        #expect(all.last?.records.last?.line == 10_000)
    }

    // MARK: 21.3 Long records

    @Test("a record longer than many reads is scanned and copied in linear time")
    func longRecordLinear() throws {
        // 4 MiB in reads of 1 KiB: rescanning or recopying it at every read would touch
        // ~8 GB; linear work is a few MB.
        let record = "{\"id\":\"u-1\",\"pad\":\"" + String(repeating: "a", count: 4 << 20) + "\"}"
        let start = Date()
        let all = try chunks(Array((record + "\n{\"id\":2}\n").utf8), .jsonl, chunkBytes: 1024)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(all.flatMap(\.records).count == 2)
        for format in [RecordFormat.csv, .json] {
            let text = format == .csv
                ? "id,pad\nu-1,\"" + String(repeating: "a,\n", count: 1 << 20) + "\"\nu-2,b\n"
                : "[{\"id\":1,\"pad\":\"" + String(repeating: "a", count: 4 << 20) + "\"},\n{\"id\":2}]"
            let began = Date()
            let found = try chunks(Array(text.utf8), format, chunkBytes: 1024).flatMap(\.records)
            #expect(Date().timeIntervalSince(began) < 10, "\(format)")
            #expect(found.count == 2, "\(format)")
        }
    }

    @Test("a record over the limit stops the input once the limit is passed, also arriving in small reads")
    func longRecordRefused() throws {
        let record = "{\"pad\":\"" + String(repeating: "a", count: 300_000) + "\"}\n"
        #expect(throws: ChunkReadError.recordTooLarge(line: 2, limit: 100_000)) {
            _ = try chunks(Array(("{}\n" + record).utf8), .jsonl, chunkBytes: 512, maxRecordBytes: 100_000)
        }
    }

    // MARK: 21.4 CSV: a stray quote

    @Test("CSV: a quote inside an unquoted field does not open a quoted field")
    func strayQuoteInField() throws {
        let text = "id,email\nu-1,a@x.com\nu-2,b\"@x.com\nu-3,c@x.com\n"
        let found = try records(text, .csv)
        #expect(found.map(\.1) == [2, 3, 4])
        let (output, summary) = try run(try evaluator("flag f = user.email ends_with \"x.com\""), text, .csv)
        #expect(summary.recordsRead == 3 && summary.evaluated == 2 && summary.unreadable == 1)
        #expect(output.split(separator: "\n").count == 3)
        #expect(summary.unreadableSamples.first?.line == 3)
    }

    @Test("CSV: a stray quote opening a field is cut at its line end; the rows after it are read", arguments: [
        "u-2,\"b@x.com\n",  // never closes before the end of the input
        "u-2,\"b@x.com,more\n",
    ])
    func strayQuoteOpeningField(bad: String) throws {
        var text = "id,email\n"
        for i in 0..<100 { text += i == 9 ? bad : "u-\(i),\(i)@x.com\n" }
        for quoted in [false, true] {
            // With a later quoted field, the stray quote "closes" there, followed by junk.
            let input = quoted ? text + "u-100,\"q@x.com\"\n" : text
            let found = try records(input, .csv)
            #expect(found.count == (quoted ? 101 : 100), "quoted: \(quoted)")
            #expect(found[9].1 == 11)
            #expect(found[10].0 == "u-10,10@x.com")
            let (_, summary) = try run(try evaluator("flag f = user.email ends_with \"x.com\""), input, .csv)
            #expect(summary.unreadable == 1)
            #expect(summary.unreadableSamples.first?.line == 11)
            #expect(summary.unreadableSamples.first?.message.contains("unterminated quoted field") == true)
        }
    }

    @Test("CSV: a real quoted field over several lines is still one row")
    func realMultilineField() throws {
        let text = "id,note,n\nu-1,\"two\nlines, and \"\"quotes\"\"\",1\nu-2,x,2\n"
        let found = try records(text, .csv)
        #expect(found.map(\.1) == [2, 4])
    }

    // MARK: 21.5 Byte-order mark

    @Test("a UTF-8 byte-order mark at the start of the input is skipped", arguments: RecordFormat.allCases)
    func byteOrderMark(format: RecordFormat) throws {
        let bom = "\u{FEFF}"
        let text: String
        switch format {
        case .csv: text = bom + "id,plan\nu-1,pro\n"
        case .jsonl: text = bom + "{\"id\":\"u-1\",\"plan\":\"pro\"}\n"
        case .json: text = bom + "[{\"id\":\"u-1\",\"plan\":\"pro\"}]"
        }
        let (output, summary) = try run(try evaluator("flag pro = user.plan == \"pro\""), text, format)
        #expect(summary.unreadable == 0)
        #expect(output == "{\"id\":\"u-1\",\"flags\":{\"pro\":true}}\n")
    }

    @Test("a rule file starting with a byte-order mark compiles, with columns as without it")
    func ruleFileByteOrderMark() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("bom.cohort", bytes: [0xEF, 0xBB, 0xBF] + Array("flag pro = user.plan == \"pro\"\n".utf8))
        let ruleset = try Ruleset(contentsOfFile: path)
        #expect(ruleset.flagNames == ["pro"])
        let broken = try scratch.write("broken.cohort", bytes: [0xEF, 0xBB, 0xBF] + Array("flag = 1\n".utf8))
        #expect(throws: CompileError.self) { try Ruleset(contentsOfFile: broken) }
        do {
            _ = try Ruleset(contentsOfFile: broken)
        } catch {
            #expect(error.rendered(color: false).contains("broken.cohort:1:6:"), "\(error.rendered(color: false))")
        }
    }

    // MARK: 21.6 Served values print their own text

    @Test("a served value prints its own text, not that of an equal value served before")
    func servedValueText() throws {
        let e = try evaluator("""
            flag v { when true serve semver(user.v) default semver("0.0.0") }
            flag l { when true serve [semver(user.v)] default [] }
            flag s { when true serve [user.s] default [] }
            """)
        let (output, _) = try run(e, #"""
            {"id":1,"v":"1.0.0+a","s":"é"}
            {"id":2,"v":"1.0.0","s":"é"}
            {"id":3,"v":"1.0.0+b","s":"é"}
            """#)
        #expect(output == #"""
            {"id":1,"flags":{"v":"1.0.0+a","l":["1.0.0+a"],"s":["é"]}}
            {"id":2,"flags":{"v":"1.0.0","l":["1.0.0"],"s":["é"]}}
            {"id":3,"flags":{"v":"1.0.0+b","l":["1.0.0+b"],"s":["é"]}}

            """#)
    }

    // MARK: 21.7 The bare root

    @Test("the bare root is the whole record in JSON input, as in CSV and the library")
    func bareRoot() throws {
        let e = try evaluator("flag e = exists(user)\nflag n { when true serve len(user) default -1 }\nflag k { when true serve user default \"\" }")
        let (jsonl, _) = try run(e, "{\"id\":1,\"plan\":\"pro\"}\n")
        #expect(jsonl == "{\"id\":1,\"flags\":{\"e\":true,\"n\":2,\"k\":{\"id\":1,\"plan\":\"pro\"}}}\n")
        let (csv, _) = try run(e, "id:number,plan\n1,pro\n", .csv)
        #expect(csv == jsonl)
    }

    // MARK: 21.8 / issue 20 Ids exactly as written

    @Test("ids are echoed byte for byte as written: big integers, exponents, escapes", arguments: [
        "12345678901234567890", "1e2", "-0", "1.50", "\"u-\\u0031\"", "\"\\u00e9\"", "true", "null",
    ])
    func idsAsWritten(id: String) throws {
        let e = try evaluator("flag f = true")
        let (jsonl, _) = try run(e, "{\"plan\":1, \"id\": \(id) }\n")
        #expect(jsonl == "{\"id\":\(id),\"flags\":{\"f\":true}}\n")
        let (array, _) = try run(e, "[\n  {\"id\": \(id)}\n]", .json)
        #expect(array == "{\"id\":\(id),\"flags\":{\"f\":true}}\n")
    }

    @Test("a number id is echoed as written in CSV output and from a CSV number column")
    func idsAsWrittenCSV() throws {
        let csvOut = try evaluator("flag f = true") { $0.output = .csv }
        let (fromJSON, _) = try run(csvOut, "{\"id\":12345678901234567890}\n{\"id\":1e2}\n")
        #expect(fromJSON == "id,f,errors\n12345678901234567890,true,\n1e2,true,\n")
        let jsonOut = try evaluator("flag f = true")
        let (fromCSV, _) = try run(jsonOut, "id:number,x\n12345678901234567890,1\n1e2,2\n", .csv)
        #expect(fromCSV == "{\"id\":12345678901234567890,\"flags\":{\"f\":true}}\n{\"id\":1e2,\"flags\":{\"f\":true}}\n")
    }

    @Test("an id read out of an attribute the rules read whole is still echoed as written")
    func idInsideBuiltValue() throws {
        let e = try evaluator("flag f = len(user.account) > 0") { $0.idPath = "account.n" }
        let (output, _) = try run(e, "{\"account\":{\"n\":12345678901234567890}}\n{\"account\":{\"n\":\"a\"}}\n")
        #expect(output == "{\"id\":12345678901234567890,\"flags\":{\"f\":true}}\n{\"id\":\"a\",\"flags\":{\"f\":true}}\n")
    }

    // MARK: --line-offset

    @Test("lines are counted from --line-offset + 1")
    func lineOffset() throws {
        let all = try chunks(Array("{}\n\n{bad\n".utf8), .jsonl, firstLine: 1001)
        #expect(all.flatMap(\.records).map(\.line) == [1001, 1003])
    }
}
