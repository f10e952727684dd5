import Cohort
import Foundation
import Testing

// `cohort batch RULES INPUT --reasons` (CLI.md, "cohort batch ... --reasons") run as a
// process over the shipped examples: each layout as golden text, the same reasons for the
// CSV input as for the JSON Lines one, and nothing of it without the switch.

/// The example rules and users, with a fixed `now()` (the winter sale has started).
private let rulesPath = PackagePaths.example("flags.cohort")
private let usersPath = PackagePaths.example("users.jsonl")
private let nowText = "2026-12-02T00:00:00Z"

/// `cohort batch` over the example users with `extra` options, run in the package root with
/// the examples named `examples/...`: the golden text (and the table's column widths, which
/// the error locations set) does not depend on where the package is.
private func batch(_ extra: [String], input: String = usersPath) throws -> CLIResult {
    func relative(_ path: String) -> String {
        let root = PackagePaths.root.path + "/"
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
    return try runCohort(["batch", relative(rulesPath), relative(input), "--now", nowText] + extra, in: PackagePaths.root)
}

@Suite("cohort batch --reasons")
struct BatchReasonsCLITests {
    @Test("JSON Lines: a reasons object after the flags, every flag of every example user")
    func jsonLines() throws {
        let result = try batch(["--reasons"])
        #expect(result.status == 0, "\(result.stderr)")
        Golden.check(result.stdout, named: "batch-reasons-jsonl")
        // Every line is JSON whose reasons name exactly its flags, with one of the five kinds.
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let flags = try #require(object["flags"] as? [String: Any])
            let reasons = try #require(object["reasons"] as? [String: [String: Any]])
            #expect(Set(reasons.keys) == Set(flags.keys))
            for reason in reasons.values {
                let kind = try #require(reason["kind"] as? String)
                #expect(Reason.Kind(rawValue: kind) != nil, "\(kind)")
            }
        }
    }

    @Test("CSV: a <flag>_reason column after each flag's")
    func csv() throws {
        let result = try batch(["--reasons", "--format", "csv", "--flags", "new_checkout,checkout_button,dark_mode"])
        #expect(result.status == 0, "\(result.stderr)")
        Golden.check(result.stdout, named: "batch-reasons-csv")
    }

    @Test("table: the reason in brackets after each value")
    func table() throws {
        let result = try batch(["--reasons", "--format", "table", "--flags", "new_checkout,checkout_button,dark_mode"])
        #expect(result.status == 0, "\(result.stderr)")
        Golden.check(result.stdout, named: "batch-reasons-table")
    }

    @Test("the CSV export of the users gives the same reasons as the JSON Lines one")
    func csvInput() throws {
        let fromJSON = try batch(["--reasons"])
        let fromCSV = try batch(["--reasons"], input: PackagePaths.example("users.csv"))
        #expect(fromCSV.status == 0, "\(fromCSV.stderr)")
        #expect(fromCSV.stdout == fromJSON.stdout)
    }

    @Test("without --reasons no line has reasons, in any layout")
    func offByDefault() throws {
        for format in ["jsonl", "csv", "table"] {
            let result = try batch(["--format", format])
            #expect(result.status == 0)
            #expect(!result.stdout.contains("reason"), "\(format)")
            #expect(!result.stdout.contains("match"), "\(format)")
        }
    }

    @Test("a flag named like another's reason column: a usage problem for CSV, with what to do")
    func columnClash() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("clash.cohort", "flag a = true\nflag a_reason = false\n")
        let users = try scratch.write("users.jsonl", #"{"id":"u-1"}"# + "\n")
        let result = try runCohort(["batch", rules, users, "--reasons", "--format", "csv"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("flag 'a_reason' has the name of the column of flag 'a''s reasons"), "\(result.stderr)")
        let jsonl = try runCohort(["batch", rules, users, "--reasons"])
        #expect(jsonl.status == 0)
        #expect(jsonl.stdout == #"{"id":"u-1","flags":{"a":true,"a_reason":false},"reasons":{"a":{"kind":"static"},"a_reason":{"kind":"static"}}}"# + "\n")
    }
}
