import Cohort
import Foundation
import Testing

// `cohort batch RULES INPUT` (CLI.md) run as a process: output in input order whatever
// the number of threads, unreadable records at their lines, --output, --format csv,
// --summary-file, stdin, exit codes; and `cohort eval --rules` agreeing with `Ruleset`.

/// The example rules every test here runs.
private let rulesPath = PackagePaths.example("flags.cohort")
/// A fixed `now()` (the winter sale has started), so runs are comparable.
private let nowText = "2026-12-01T10:00:00Z"

/// `count` generated users as JSON Lines, from `cohort gen` itself.
private func generatedUsers(count: Int, seed: Int, format: String = "jsonl") throws -> String {
    let result = try runCohort(["gen", "users", "--count", String(count), "--seed", String(seed), "--format", format])
    #expect(result.status == 0, "\(result.stderr)")
    return result.stdout
}

/// The lines of a text, without the empty string after the last newline.
private func lines(_ text: String) -> [Substring] {
    text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0).map { $0 }
}

/// The `flags` object of one JSON Lines result, read with Cohort's own JSON reader.
private func flagValues(_ line: some StringProtocol) throws -> [String: Value] {
    guard case .object(let flags) = try Context(json: String(line))["flags"] else {
        Issue.record("no flags object in \(line)")
        return [:]
    }
    return flags
}

/// The JSON object of one output line.
private func object(_ line: some StringProtocol) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
}

@Suite("cohort batch")
struct BatchCLITests {
    @Test("40,000 users (eight 1 MiB chunks) with unreadable lines: the same bytes with 1 and 8 threads, each bad line at its place")
    func largeRun() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        // Enough users for every one of eight threads to have chunks of its own (a chunk is
        // about 1 MiB, ~5,000 users), and few enough that the debug binary runs it twice quickly.
        var inputLines = lines(try generatedUsers(count: 40_000, seed: 3)).map(String.init)
        #expect(inputLines.count == 40_000)
        let badLines = Array(stride(from: 9_973, through: inputLines.count, by: 9_973))
        for n in badLines { inputLines[n - 1] = "{bad" }
        let input = try scratch.write("users.jsonl", inputLines.joined(separator: "\n") + "\n")

        let one = try runCohort(["batch", rulesPath, input, "--jobs", "1", "--now", nowText])
        let eight = try runCohort(["batch", rulesPath, input, "--jobs", "8", "--now", nowText])
        #expect(one.status == 1, "\(one.stderr)")
        #expect(eight.status == 1, "\(eight.stderr)")
        // The exit status comes with its reason: how many, and where the first one is.
        #expect(one.stderr.contains("cohort batch: \(badLines.count) unreadable record(s), first at input line 9973: "), "\(one.stderr)")
        let identical = one.stdout == eight.stdout  // not inside #expect: it would print 20 MB
        #expect(identical, "--jobs 1 and --jobs 8 wrote different output")

        let output = lines(one.stdout)
        #expect(output.count == inputLines.count)
        guard output.count == inputLines.count else { return }
        for n in badLines {
            let line = output[n - 1]
            #expect(line.hasPrefix("{\"line\":\(n),\"error\":\""), "output line \(n): \(line)")
            #expect(object(line)?["line"] as? Int == n)
        }
        // Every other line is a result for the user on that input line.
        let bad = Set(badLines)
        for (i, line) in output.enumerated() where !bad.contains(i + 1) {
            if !line.hasPrefix("{\"id\":\"u-\(100_000 + i)\",\"flags\":{") {
                Issue.record("output line \(i + 1) is not the result for u-\(100_000 + i): \(line)")
                break
            }
        }

        // The library gives the same answers for a sample of users.
        let ruleset = try Ruleset(contentsOfFile: rulesPath)
        let now = try #require(Instant(timestamp: nowText))
        for i in stride(from: 0, to: inputLines.count, by: 997) where !bad.contains(i + 1) {
            let context = try Context(json: "{\"user\":" + inputLines[i] + "}")
            let flags = try flagValues(output[i])
            for evaluation in ruleset.evaluateAll(in: context, now: now) {
                #expect(flags[evaluation.flag] == evaluation.value, "user \(i + 1), flag \(evaluation.flag)")
            }
        }
    }

    @Test("--output writes the file atomically: the same text as stdout, no temporary file left")
    func outputFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 2_000, seed: 4))
        let toStdout = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(toStdout.status == 0, "\(toStdout.stderr)")
        let outPath = scratch.path("results.jsonl")
        let toFile = try runCohort(["batch", rulesPath, input, "--now", nowText, "--output", outPath])
        #expect(toFile.status == 0, "\(toFile.stderr)")
        #expect(toFile.stdout == "")
        #expect(try scratch.read("results.jsonl") == toStdout.stdout)
        #expect(lines(toStdout.stdout).count == 2_000)
        #expect(try scratch.fileNames() == ["results.jsonl", "users.jsonl"])
    }

    @Test("--output to a pipe or device writes into it; it is never replaced by a file")
    func outputToSpecialFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 300, seed: 9))
        let fifo = scratch.path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader at the other end, as a shell pipeline would have. This test holds a
        // writer open too while the command runs, so the reader ends (at EOF, when both
        // have closed) even if the command failed to write into the pipe.
        let reader = FIFOReader(path: fifo)
        let ownWriter = open(fifo, O_WRONLY)
        #expect(ownWriter >= 0)
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--output", fifo])
        close(ownWriter)
        let received = reader.text()
        let expected = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(received == expected.stdout)
        var info = stat()
        #expect(stat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the pipe was replaced")
        #expect(try scratch.fileNames() == ["pipe", "users.jsonl"])
    }

    @Test("--output through a symbolic link replaces the file it points to and keeps the link")
    func outputThroughSymlink() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 20, seed: 4))
        _ = try scratch.write("real.jsonl", "old\n")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.jsonl"), withDestinationPath: scratch.path("real.jsonl"))
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--output", scratch.path("link.jsonl")])
        let expected = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scratch.read("real.jsonl") == expected.stdout)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("link.jsonl")) == scratch.path("real.jsonl"))
    }

    @Test("a record at the size limit is evaluated; one byte more stops the run naming its line", arguments: [
        (1000, "1000 bytes"), (1 << 20, "1 MiB"),
    ])
    func recordSizeLimit(limit: Int, shown: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let first = #"{"id":"u-1"}"# + "\n"
        /// A record of exactly `size` bytes, not counting its newline.
        func record(size: Int) -> String {
            let frame = #"{"id":"u-2","pad":""}"#
            return #"{"id":"u-2","pad":""# + String(repeating: "a", count: size - frame.utf8.count) + "\"}\n"
        }
        let limitOption = ["--max-record-bytes", String(limit)]

        let inside = try scratch.write("inside.jsonl", first + record(size: limit) + first)
        let ok = try runCohort(["batch", rulesPath, inside, "--now", nowText, "--flags", "dark_mode"] + limitOption)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(lines(ok.stdout).count == 3)

        // Complete in the input, and last in it (no newline): both are refused.
        for text in [first + record(size: limit + 1) + first, first + String(record(size: limit + 1).dropLast())] {
            let over = try scratch.write("over.jsonl", text)
            let stopped = try runCohort(["batch", rulesPath, over, "--now", nowText, "--flags", "dark_mode", "--output", scratch.path("out.jsonl")] + limitOption)
            #expect(stopped.status == 1)
            #expect(stopped.stderr.contains("line 2: a record is larger than \(shown) (limit; --max-record-bytes)"), "\(stopped.stderr)")
            #expect(!FileManager.default.fileExists(atPath: scratch.path("out.jsonl")))
        }
    }

    @Test("a CRLF record exactly at the limit is accepted also when a read ends before its \\n")
    func recordSizeLimitCRLF() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        // Reads are 1 MiB: the first one ends after the record's \r, so the record is still
        // partial there, with its \r counted in what has been read.
        let limit = (1 << 20) - 1
        let frame = #"{"id":"u-1","pad":""}"#
        let record = #"{"id":"u-1","pad":""# + String(repeating: "a", count: limit - frame.utf8.count) + "\"}\r\n"
        let input = try scratch.write("crlf.jsonl", record + record)
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--flags", "dark_mode", "--max-record-bytes", String(limit)])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(lines(result.stdout).count == 2)
    }

    @Test("--output /dev/stdout writes through the open descriptor: a >> redirection keeps what was there")
    func outputToDevStdout() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let executable = try #require(CLIRunner.executable)
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 5, seed: 3))
        let log = try scratch.write("app.log", "previous line\n")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "\"$0\" batch \"$1\" \"$2\" --now \(nowText) --output /dev/stdout >> \"$3\"", executable.path, rulesPath, input, log]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        let expected = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(try scratch.read("app.log") == "previous line\n" + expected.stdout)
    }

    @Test("--output through a dangling symbolic link creates the file it points to")
    func outputThroughDanglingSymlink() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 5, seed: 3))
        try FileManager.default.createDirectory(atPath: scratch.path("target"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.jsonl"), withDestinationPath: "target/new.jsonl")
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--output", scratch.path("link.jsonl")])
        let expected = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scratch.read("target/new.jsonl") == expected.stdout)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("link.jsonl")) == "target/new.jsonl")
    }

    @Test("the record size limit is 64 MiB unless --max-record-bytes says otherwise")
    func recordSizeDefault() throws {
        let help = try runCohort(["batch", "--help"])
        #expect(help.stdout.contains("--max-record-bytes N"))
        #expect(help.stdout.contains("(default 64 MiB)"))
        let bad = try runCohort(["batch", rulesPath, "-", "--max-record-bytes", "0"], stdin: "")
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--max-record-bytes must be a positive number of bytes"))
    }

    @Test("--on-error fail stops with exit 1 and leaves no output file behind")
    func failFast() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", "{\"id\":\"u-1\"}\n{bad\n{\"id\":\"u-3\"}\n")
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--on-error", "fail", "--output", scratch.path("out.jsonl")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 2"), "\(result.stderr)")
        #expect(try scratch.fileNames() == ["users.jsonl"])
    }

    @Test("--format csv: a header of id, the flags and errors, then one row per record")
    func csvFormat() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let users = try generatedUsers(count: 50, seed: 5)
        let input = try scratch.write("users.jsonl", users)
        let csv = try runCohort(["batch", rulesPath, input, "--now", nowText, "--format", "csv"])
        let jsonl = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = lines(csv.stdout)
        #expect(rows.first == "id,dark_mode,payments_v2,new_checkout,winter_sale_banner,offline_mode,search_v2_traffic,checkout_button,express_pay,errors")
        #expect(rows.count == 51)
        // Each row holds the same values as the JSON Lines output, strings unquoted, and the
        // same errors object (empty when none).
        var errorRows = 0
        let names = ["dark_mode", "payments_v2", "new_checkout", "winter_sale_banner", "offline_mode", "search_v2_traffic", "checkout_button", "express_pay"]
        for (row, line) in zip(rows.dropFirst(), lines(jsonl.stdout)) {
            let flags = try flagValues(line)
            guard case .string(let id) = try Context(json: String(line))["id"] else {
                Issue.record("no id in \(line)")
                continue
            }
            let expected = [id] + names.map { name -> String in
                switch flags[name] {
                case .string(let s)?: s
                case let value?: value.jsonText
                case nil: "(missing)"
                }
            }
            let errors = line.range(of: #","errors":"#).map { String(line[$0.upperBound..<line.index(before: line.endIndex)]) } ?? ""
            if !errors.isEmpty { errorRows += 1 }
            let cells = try Array(row.utf8).withUnsafeBytes { try CSVRecord.fields($0) }
            #expect(cells == expected + [errors])
        }
        #expect(errorRows > 0, "no record with an error: the errors column is not tested")
    }

    @Test("--summary-file writes JSON: read = evaluated + unreadable, counts per value")
    func summaryFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        var users = lines(try generatedUsers(count: 1_000, seed: 6)).map(String.init)
        users[99] = "[\"not\", \"an object\"]"
        users[499] = "{\"id\": "
        let input = try scratch.write("users.jsonl", users.joined(separator: "\n") + "\n")
        let summaryPath = scratch.path("summary.json")
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--summary-file", summaryPath, "--summary"])
        #expect(result.status == 1)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaryPath))) as? [String: Any])
        let records = try #require(summary["records"] as? [String: Any])
        let read = try #require(records["read"] as? Int), evaluated = try #require(records["evaluated"] as? Int)
        let unreadable = try #require(records["unreadable"] as? Int)
        #expect(read == 1_000)
        #expect(unreadable == 2)
        #expect(read == evaluated + unreadable)
        let samples = try #require(records["unreadable_samples"] as? [[String: Any]])
        #expect(samples.compactMap { $0["line"] as? Int } == [100, 500])
        let flags = try #require(summary["flags"] as? [String: [String: Any]])
        #expect(Set(flags.keys) == ["dark_mode", "payments_v2", "new_checkout", "winter_sale_banner", "offline_mode", "search_v2_traffic", "checkout_button", "express_pay"])
        for (name, flag) in flags {
            #expect(flag["evaluated"] as? Int == evaluated, "\(name)")
            let values = try #require(flag["values"] as? [[String: Any]])
            #expect(values.compactMap { $0["count"] as? Int }.reduce(0, +) == evaluated, "\(name)")
            let shares = values.compactMap { $0["share"] as? Double }.reduce(0, +)
            #expect(abs(shares - 1) < 1e-5, "\(name): shares add up to \(shares)")
        }
        // dark_mode is off for everyone, without errors.
        let darkMode = try #require(flags["dark_mode"])
        #expect(darkMode["errors"] as? Int == 0)
        let darkValues = try #require(darkMode["values"] as? [[String: Any]])
        #expect(darkValues.count == 1)
        #expect(darkValues.first?["value"] as? Bool == false)
        #expect(darkValues.first?["count"] as? Int == evaluated)
        #expect(darkValues.first?["share"] as? Double == 1)
        // --summary also printed the summary for people on stderr.
        #expect(result.stderr.contains("records: 1,000 read, 998 evaluated, 2 unreadable"), "\(result.stderr)")
    }

    @Test("an empty input: exit 0, no output")
    func emptyInput() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("empty.jsonl", "")
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "")
        let csv = try runCohort(["batch", rulesPath, input, "--now", nowText, "--format", "csv"])
        #expect(csv.status == 0)
        #expect(lines(csv.stdout).count == 1, "only the header: \(csv.stdout)")
    }

    @Test("a missing input or rules file: exit 1 with a clear message")
    func missingFiles() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let missing = scratch.path("missing.jsonl")
        let noInput = try runCohort(["batch", rulesPath, missing, "--now", nowText])
        #expect(noInput.status == 1)
        #expect(noInput.stdout == "")
        #expect(noInput.stderr == "cohort batch: cannot read input '\(missing)': no such file\n")
        let input = try scratch.write("users.jsonl", "{\"id\":\"u-1\"}\n")
        let noRules = try runCohort(["batch", scratch.path("missing.cohort"), input])
        #expect(noRules.status == 1)
        #expect(noRules.stderr.contains("cannot read rule file '\(scratch.path("missing.cohort"))'"), "\(noRules.stderr)")
    }

    @Test("'-' reads the records from stdin, with the same results as from a file")
    func stdinInput() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let users = try generatedUsers(count: 300, seed: 8) + "{bad\n"
        let input = try scratch.write("users.jsonl", users)
        let fromFile = try runCohort(["batch", rulesPath, input, "--now", nowText])
        let fromStdin = try runCohort(["batch", rulesPath, "-", "--now", nowText], stdin: users)
        #expect(fromStdin.status == 1)
        #expect(fromStdin.stdout == fromFile.stdout)
        #expect(lines(fromStdin.stdout).last?.hasPrefix("{\"line\":301,\"error\":") == true)
    }

    @Test("the example users give the same results from CSV and from JSON Lines")
    func exampleInputs() throws {
        let fromCSV = try runCohort(["batch", rulesPath, PackagePaths.example("users.csv"), "--now", nowText])
        let fromJSONL = try runCohort(["batch", rulesPath, PackagePaths.example("users.jsonl"), "--now", nowText])
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        #expect(fromJSONL.status == 0, "\(fromJSONL.stderr)")
        #expect(lines(fromJSONL.stdout).count == 40)
        #expect(fromCSV.stdout == fromJSONL.stdout)
    }

    @Test("--flags selects flags; --id picks the id", arguments: [false, true])
    func flagsAndID(useEquals: Bool) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("u.jsonl", #"{"id":"u-1","account":{"key":"k-1"},"email":"a@acme.com","plan":"pro"}"# + "\n")
        let args = useEquals
            ? ["batch", rulesPath, input, "--now=\(nowText)", "--flags=checkout_button,payments_v2", "--id=account.key"]
            : ["batch", rulesPath, input, "--now", nowText, "--flags", "checkout_button,payments_v2", "--id", "account.key"]
        let result = try runCohort(args)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"id":"k-1","flags":{"checkout_button":"green","payments_v2":true}}"# + "\n")
    }

    @Test("usage errors exit 2 with a message", arguments: [
        (["batch", "ONLY_RULES"], "batch needs RULES and INPUT"),
        (["batch", "RULES", "INPUT", "--jobs", "0"], "--jobs must be a number from 1 to 256"),
        (["batch", "RULES", "INPUT", "--format", "xml"], "--format must be jsonl, csv or table"),
        (["batch", "RULES", "INPUT", "--now", "soon"], "--now: 'soon' is not"),
        (["batch", "RULES", "INPUT", "--bogus"], "unknown option '--bogus'"),
        (["batch", "RULES", "INPUT", "--on-error", "explode"], "--on-error must be"),
        (["batch", "RULES", "INPUT", "--flags", "chekout_button"], "no flag named 'chekout_button' in <rules>; did you mean 'checkout_button'?"),
    ])
    func usage(arguments: [String], message: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("u.jsonl", "{\"id\":\"u-1\"}\n")
        let args = arguments.map { $0 == "RULES" ? rulesPath : $0 == "INPUT" ? input : $0 }
        let result = try runCohort(args)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("cohort batch: "), "\(result.stderr)")
        #expect(result.stderr.contains(message.replacingOccurrences(of: "<rules>", with: rulesPath)), "\(result.stderr)")
    }

    @Test("cohort eval --rules FLAG agrees with Ruleset for the same user", arguments: [
        "new_checkout", "checkout_button", "offline_mode", "winter_sale_banner", "search_v2_traffic", "express_pay",
    ])
    func evalAgreesWithRuleset(flag: String) throws {
        let ruleset = try Ruleset(contentsOfFile: rulesPath)
        let now = try #require(Instant(timestamp: nowText))
        var generator = UserGenerator(seed: 12)
        var seen: Set<String> = []
        for i in 0..<6 {
            let user = generator.nextUser(index: i).jsonText
            let expected = try #require(ruleset.evaluate(flag, in: try Context(json: "{\"user\":\(user)}"), now: now))
            seen.insert(expected.value.jsonText)
            let result = try runCohort(["eval", "--rules", rulesPath, flag, "--user", user, "--now", nowText])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == expected.value.jsonText + "\n", "user \(user)")
        }
        #expect(!seen.isEmpty)
    }
}
