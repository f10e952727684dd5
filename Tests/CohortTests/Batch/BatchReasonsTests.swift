@testable import Cohort
import Foundation
import Testing

// `batch --reasons` (BatchReasons.swift): the reasons batch writes are the library's
// (`Ruleset.evaluate`), byte for byte, for every flag of every record, in JSON Lines, CSV
// and table output; and a run without `--reasons` writes none.

/// A fixed `now()`: the winter sale has started.
private let fixedNow = Instant(timestamp: "2026-12-02T00:00:00Z")!

/// Evaluates `lines` (one JSON record each) in chunks of `chunk` records, as `cohort
/// batch` does, and returns the output.
private func run(_ evaluator: BatchEvaluator, _ lines: [String], chunk: Int = 97) -> String {
    var output = evaluator.header ?? ""
    for start in stride(from: 0, to: lines.count, by: chunk) {
        let bytes = Array((lines[start..<min(start + chunk, lines.count)].joined(separator: "\n") + "\n").utf8)
        var splitter = RecordSplitter(format: .jsonl)
        let (spans, _) = bytes.withUnsafeBytes { splitter.split($0, final: true) }
        output += bytes.withUnsafeBytes { evaluator.process($0, records: spans, format: .jsonl, csvHeader: nil).output }
    }
    return output
}

/// `{"flag":{reason},...}` as batch must write it: the library's reasons, in order.
private func expectedReasons(_ ruleset: Ruleset, _ flags: [String], _ context: Context) throws -> String {
    var text = "{"
    for (k, flag) in flags.enumerated() {
        let evaluation = try #require(ruleset.evaluate(flag, in: context, now: fixedNow))
        if k > 0 { text += "," }
        writeJSONString(flag, to: &text)
        text += ":" + evaluation.reason.jsonText
    }
    return text + "}"
}

/// The text of the `"reasons"` object of one JSON Lines result (written last).
private func reasonsText(_ line: Substring) -> Substring? {
    guard let start = line.range(of: #","reasons":"#)?.upperBound, line.hasSuffix("}") else { return nil }
    return line[start..<line.index(before: line.endIndex)]
}

/// Generated users, some with a request (so the traffic split decides), some without an
/// email (so segments err), as whole contexts.
private func contexts(count: Int, seed: UInt64) -> [Value] {
    var generator = UserGenerator(seed: seed)
    return (0..<count).map { i in
        var roots: [String: Value] = ["user": generator.nextUser(index: i)]
        if i % 3 == 0 { roots["request"] = .object(["id": .string("r-\(i)")]) }
        return .object(roots)
    }
}

@Suite("batch --reasons")
struct BatchReasonsTests {
    /// Rules whose conditions the VM's chain walker does not decide (a three-argument
    /// bucket, `>=`, a bucket inside `not`), computed values, and errors in a condition and
    /// in a served value: the reasons that need the explainer.
    static let unusual = """
        segment staff = user.email ends_with "@acme.com"
        flag wide = bucket(user.id, "exp", 1000) < 500
        flag top = bucket(user.id) >= 80 and user.plan != "free"
        flag outside = not (bucket(user.id) < 30) or staff
        flag level {
          when user.age > 60 serve user.plan + "-senior"
          when bucket(user.id) < 40 serve user.country
          when user.tags[0] == "vip" serve "vip"
          default "none"
        }
        flag fails_served {
          when user.age < 30 serve user.nickname + "!"
          default "plain"
        }
        flag on = true
        flag also_on = on and 1 < 2
        """

    @Test("the reasons batch writes are Ruleset.evaluate's, for every flag of generated users", arguments: [false, true])
    func agreesWithTheLibrary(fused: Bool) throws {
        var compileOptions = CompileOptions()
        compileOptions.fusesTests = fused
        compileOptions.roots.formUnion(["user", "request"])
        for (name, ruleset) in [
            ("examples/flags.cohort", try Ruleset(contentsOfFile: PackagePaths.example("flags.cohort"), options: compileOptions)),
            ("unusual", try Ruleset(source: Self.unusual, file: "unusual.cohort", options: compileOptions)),
        ] {
            var options = BatchOptions(now: fixedNow)
            options.reasons = true
            options.contextRecords = true
            options.idPath = "user.id"
            let evaluator = try BatchEvaluator(ruleset: ruleset, options: options)
            let records = contexts(count: PropertyScale.count(600), seed: 11)
            let output = run(evaluator, records.map(\.jsonText))
            let lines = output.split(separator: "\n")
            #expect(lines.count == records.count)
            var kinds: Set<Reason.Kind> = []
            for (line, record) in zip(lines, records) {
                guard case .object(let roots) = record else { continue }
                let context = Context(roots)
                let expected = try expectedReasons(ruleset, ruleset.flagNames, context)
                guard let written = reasonsText(line) else {
                    Issue.record("\(name): no reasons in \(line)")
                    break
                }
                if written != expected {
                    Issue.record("\(name) (fused: \(fused)): \(line)\nexpected reasons \(expected)")
                    break
                }
                for flag in ruleset.flagNames { kinds.insert(ruleset.evaluate(flag, in: context, now: fixedNow)!.reason.kind) }
            }
            // The users reach every kind of reason, so each was compared.
            #expect(kinds == Set(Reason.Kind.allCases), "\(name): \(kinds)")
        }
    }

    @Test("CSV has a <flag>_reason column after each flag's, holding the reason's line")
    func csv() throws {
        let ruleset = try Ruleset(contentsOfFile: PackagePaths.example("flags.cohort"))
        var options = BatchOptions(now: fixedNow)
        options.reasons = true
        options.output = .csv
        options.flags = ["new_checkout", "checkout_button", "dark_mode"]
        let evaluator = try BatchEvaluator(ruleset: ruleset, options: options)
        #expect(evaluator.header == "id,new_checkout,new_checkout_reason,checkout_button,checkout_button_reason,dark_mode,dark_mode_reason,errors\n")
        var generator = UserGenerator(seed: 5)
        let users = (0..<300).map { generator.nextUser(index: $0) }
        let output = run(evaluator, users.map(\.jsonText))
        let rows = output.split(separator: "\n").dropFirst()
        #expect(rows.count == users.count)
        for (row, user) in zip(rows, users) {
            let context = Context(user: user)
            var cells: [String] = []
            for flag in options.flags! {
                let evaluation = try #require(ruleset.evaluate(flag, in: context, now: fixedNow))
                cells.append(evaluation.value.jsonText.trimmingCharacters(in: ["\""]))
                let reason = evaluation.reason.description
                cells.append(reason.contains(",") || reason.contains("\"") ? "\"" + reason.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : reason)
            }
            let expectedPrefix = Operations.member(user, "id").jsonText.trimmingCharacters(in: ["\""]) + "," + cells.joined(separator: ",") + ","
            if !row.hasPrefix(expectedPrefix) {
                Issue.record("row \(row)\nexpected it to start \(expectedPrefix)")
                break
            }
        }
    }

    @Test("a table shows the reason after each value; an error by its place")
    func table() throws {
        let ruleset = try Ruleset(source: Self.unusual, file: "unusual.cohort")
        var options = BatchOptions(now: fixedNow)
        options.reasons = true
        options.output = .table
        options.flags = ["fails_served", "on", "level"]
        let evaluator = try BatchEvaluator(ruleset: ruleset, options: options)
        let output = run(evaluator, [#"{"id":"a","age":20,"plan":"pro","country":"KR","tags":[]}"#,
                                     #"{"id":"b","age":70,"plan":"pro","country":"KR","tags":[]}"#])
        let rows = output.split(separator: "\n").map { $0.split(separator: TableLayout.cellSeparator, omittingEmptySubsequences: false) }
        #expect(rows.count == 3)
        guard rows.count == 3 else { return }
        #expect(rows[1][1] == "plain (error at unusual.cohort:12:28)")
        #expect(rows[1][2] == "true (static)")
        #expect(rows[2][1] == "plain (default)")
        #expect(rows[2][3] == "pro-senior (match, rule 0, line 6)")
    }

    @Test("without --reasons, nothing is worked out or written")
    func offByDefault() throws {
        let ruleset = try Ruleset(contentsOfFile: PackagePaths.example("flags.cohort"))
        for output in BatchOutputFormat.allCases {
            var options = BatchOptions(now: fixedNow)
            options.output = output
            let evaluator = try BatchEvaluator(ruleset: ruleset, options: options)
            let text = run(evaluator, [#"{"id":"u-1","email":"a@acme.com"}"#])
            #expect(!text.contains("reason"), "\(output): \(text)")
            #expect(!text.contains("match"), "\(output): \(text)")
        }
    }

    @Test("a flag named like another's reason column is refused for CSV")
    func columnClash() throws {
        let ruleset = try Ruleset(source: "flag a = true\nflag a_reason = false\n")
        var options = BatchOptions(now: fixedNow)
        options.reasons = true
        options.output = .csv
        #expect(throws: BatchError.self) { try BatchEvaluator(ruleset: ruleset, options: options) }
        options.flags = ["a"]
        #expect(throws: Never.self) { try BatchEvaluator(ruleset: ruleset, options: options) }
        options.flags = nil
        options.output = .jsonl
        #expect(throws: Never.self) { try BatchEvaluator(ruleset: ruleset, options: options) }
    }
}
