import Foundation
import Testing

// `cohort check FILE...` (CLI.md): every diagnostic with file:line:col, the line and a
// caret; exit 0 without errors (warnings allowed), 1 with any error, 2 on usage errors.

private let typo = """
    let staff_groups = ["qa", "staff"]
    segment internal = user.email ends_with "@acme.com" or user.group in staff_groups
    flag new_checkout = internl or bucket(user.id) < 20
    flag checkout_button {
      when internal serve "green"
      default "red"
    }

    """

@Suite("cohort check")
struct CheckCLITests {
    @Test("the example rule file checks clean: exit 0, no diagnostics")
    func exampleFile() throws {
        let path = PackagePaths.example("flags.cohort")
        let result = try runCohort(["check", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr == "\(path): ok, 8 flags\n")
    }

    @Test("a typo: exit 1, the did-you-mean with its line and caret")
    func typoFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("flags.cohort", typo)
        let result = try runCohort(["check", path])
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            \(path):3:21: error: unknown name 'internl'; did you mean 'internal'?
            3 | flag new_checkout = internl or bucket(user.id) < 20
              |                     ^~~~~~~

            """)
    }

    @Test("warnings alone: exit 0, the warnings printed with the count")
    func warningsOnly() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("w.cohort", "let launch_percent = 20\nflag dark_mode = false\n")
        let result = try runCohort(["check", path])
        #expect(result.status == 0)
        #expect(result.stderr == """
            \(path):1:5: warning: let 'launch_percent' is never used
            1 | let launch_percent = 20
              |     ^~~~~~~~~~~~~~
            \(path): ok, 1 flag, 1 warning

            """)
    }

    @Test("every bad declaration in a file is reported in one run")
    func reportsAll() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("bad.cohort", """
            flag a = usr.plan == "pro"
            flag b = user.age = 18
            flag c = bukcet(user.id) < 20
            flag ok = true

            """)
        let result = try runCohort(["check", path])
        #expect(result.status == 1)
        let headers = result.stderr.split(separator: "\n").filter { $0.hasPrefix(path + ":") }
        #expect(headers.map { $0.dropFirst(path.count + 1).prefix(4) } == ["1:10", "2:19", "3:10"], "\(result.stderr)")
        #expect(result.stderr.contains("did you mean 'user'?"))
        #expect(result.stderr.contains("did you mean 'bucket'?"))
    }

    @Test("several files: each is checked; one bad file makes the exit 1")
    func severalFiles() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let good = try scratch.write("good.cohort", "flag on = true\nflag off = false\n")
        let bad = try scratch.write("bad.cohort", typo)
        let result = try runCohort(["check", good, bad])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(good): ok, 2 flags\n\(bad):3:21: error: unknown name 'internl'"), "\(result.stderr)")
        let quiet = try runCohort(["check", "--quiet", good])
        #expect(quiet.status == 0)
        #expect(quiet.stderr == "")
    }

    @Test("rules from stdin with '-'")
    func stdin() throws {
        let good = try runCohort(["check", "-"], stdin: "flag on = true\n")
        #expect(good.status == 0)
        #expect(good.stderr == "<stdin>: ok, 1 flag\n")
        let bad = try runCohort(["check", "-"], stdin: typo)
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("<stdin>:3:21: error: unknown name 'internl'; did you mean 'internal'?\n"))
    }

    @Test("a missing file: exit 1 with a clear message")
    func missingFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.path("nope.cohort")
        let result = try runCohort(["check", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot read rule file '\(path)'"), "\(result.stderr)")
    }

    @Test("usage errors exit 2", arguments: [
        ["check"],
        ["check", "--bogus", "x.cohort"],
        ["check", "--quiet"],
    ])
    func usage(arguments: [String]) throws {
        let result = try runCohort(arguments)
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("cohort check: "), "\(result.stderr)")
    }
}

/// The file with every mistake the static lint knows (Semantics/Golden).
private let everyMistake = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Semantics/Golden/every-mistake.cohort").path

/// The objects of a `--format json` output, or nil when it is not one JSON array of objects.
private func jsonDiagnostics(_ text: String) -> [[String: Any]]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]]
}

@Suite("cohort check as a linter: --format, --werror, --users")
struct CheckLintCLITests {
    @Test("--format json: one array, the fields of CLI.md and nothing else, every code of the file")
    func json() throws {
        let result = try runCohort(["check", everyMistake, "--format", "json"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr == "")
        let objects = try #require(jsonDiagnostics(result.stdout), "\(result.stdout)")
        let fields: Set<String> = ["file", "line", "column", "end_line", "end_column", "severity", "code", "message"]
        #expect(objects.allSatisfy { Set($0.keys) == fields })
        #expect(Set(objects.compactMap { $0["code"] as? String }) == [
            "unreachable", "shadowed-arm", "contradiction", "tautology", "redundant-condition", "version-as-string",
            "time-as-string", "duplicate-element", "unused", "constant-flag", "shared-bucket", "mixed-types",
            "single-equals", "invalid-escape",
        ])
        let unused = try #require(objects.first { $0["code"] as? String == "unused" })
        #expect(unused["file"] as? String == everyMistake)
        #expect(unused["line"] as? Int == 4 && unused["column"] as? Int == 5)
        #expect(unused["end_line"] as? Int == 4 && unused["end_column"] as? Int == 19)
        #expect(unused["severity"] as? String == "warning")
    }

    @Test("--format json with errors: exit 1, the errors with their codes, and an empty array for a clean file")
    func jsonErrors() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let bad = try scratch.write("bad.cohort", "flag b = user.age = 18\nflag e = user.email matches \"@acme\\.com\"\n")
        let result = try runCohort(["check", bad, "--format", "json"])
        #expect(result.status == 1)
        let objects = try #require(jsonDiagnostics(result.stdout), "\(result.stdout)")
        #expect(objects.map { $0["code"] as? String } == ["single-equals", "invalid-escape"])
        #expect(objects.allSatisfy { $0["severity"] as? String == "error" })
        let clean = try runCohort(["check", PackagePaths.example("flags.cohort"), "--format", "json"])
        #expect(clean.status == 0)
        #expect(clean.stdout == "[]\n")
        #expect(clean.stderr == "")
    }

    @Test("--format github: one annotation per diagnostic on stdout")
    func github() throws {
        let result = try runCohort(["check", everyMistake, "--format", "github"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 24)
        #expect(lines.filter { $0.hasPrefix("::warning file=\(everyMistake),line=") }.count == 22)
        #expect(lines.filter { $0.hasPrefix("::error file=\(everyMistake),line=") }.count == 2)
        #expect(lines.contains { $0.contains(",line=4,col=5::[unused] let 'launch_percent' is never used") })
        // A note goes on a line of its own inside the message, escaped.
        #expect(lines.contains { $0.contains("appears twice in this list%0Anote: ") })
    }

    @Test("--werror: warnings make the exit status 1; a clean file stays 0")
    func werror() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let warns = try scratch.write("w.cohort", "let launch_percent = 20\nflag dark_mode = false\n")
        #expect(try runCohort(["check", warns, "--quiet"]).status == 0)
        #expect(try runCohort(["check", warns, "--werror"]).status == 1)
        #expect(try runCohort(["check", warns, "--werror", "--format", "json"]).status == 1)
        #expect(try runCohort(["check", warns, "--werror", "--format", "github"]).status == 1)
        #expect(try runCohort(["check", PackagePaths.example("flags.cohort"), "--werror"]).status == 0)
    }

    @Test("--users: a planted user.cuntry is found, with did you mean 'user.country' (JSONL and CSV)", arguments: [
        "users.jsonl", "users.csv",
    ])
    func plantedTypo(users: String) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("kr.cohort", "flag kr = user.cuntry in [\"KR\"]\nflag adults = user.age >= 18\n")
        let path = PackagePaths.example(users)
        let result = try runCohort(["check", rules, "--users", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("""
            \(rules):1:11: warning: no record in \(path) has 'user.cuntry'; did you mean 'user.country'?
            1 | flag kr = user.cuntry in ["KR"]
              |           ^~~~~~~~~~~
            """), "\(result.stderr)")
        #expect(result.stderr.contains("every record of \(path) (40) gets false from flag 'kr'"))
        #expect(result.stderr.hasSuffix("\(rules): ok, 2 flags, 2 warnings; 40 records of \(path) evaluated\n"), "\(result.stderr)")
        let json = try runCohort(["check", rules, "--users", path, "--format", "json"])
        let objects = try #require(jsonDiagnostics(json.stdout))
        #expect(objects.map { $0["code"] as? String } == ["same-value", "unknown-attribute"])
    }

    @Test("--users over the shipped examples: what 40 records show, as golden text")
    func examples() throws {
        let rules = PackagePaths.example("flags.cohort"), users = PackagePaths.example("users.jsonl")
        let result = try runCohort(["check", rules, "--users", users, "--now", "2026-12-01T10:00:00Z"])
        #expect(result.status == 0)
        let root = URL(fileURLWithPath: rules).deletingLastPathComponent().path + "/"
        Golden.check(result.stderr.replacingOccurrences(of: root, with: "examples/"), named: "check-users-examples")
    }

    @Test("--users: unreadable records are an error on the records file's line; the rest are checked")
    func unreadable() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("r.cohort", "flag pro = user.plan == \"pro\"\n")
        let users = try scratch.write("u.jsonl", "{\"id\": \"a\", \"plan\": \"pro\"}\n{\"id\": \n{\"id\": \"c\", \"plan\": \"free\"}\n")
        let result = try runCohort(["check", rules, "--users", users])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(users):2: error: this record cannot be read: invalid JSON"), "\(result.stderr)")
        #expect(result.stderr.contains("2 records of \(users) evaluated"))
        let json = try runCohort(["check", rules, "--users", users, "--format", "json"])
        let objects = try #require(jsonDiagnostics(json.stdout))
        #expect(objects.first?["code"] as? String == "unreadable-record")
        #expect(objects.first?["file"] as? String == users && objects.first?["line"] as? Int == 2)
    }

    @Test("--users with --as and --context-records binds records as batch does")
    func binding() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("r.cohort", "flag ios = device.os == \"ios\"\n")
        let devices = try scratch.write("d.jsonl", "{\"os\": \"ios\"}\n{\"os\": \"android\"}\n")
        let asDevice = try runCohort(["check", rules, "--users", devices, "--as", "device", "--format", "json"])
        #expect(asDevice.stdout == "[]\n", "\(asDevice.stdout)")
        let contexts = try scratch.write("c.jsonl", "{\"device\": {\"oss\": \"ios\"}}\n")
        let result = try runCohort(["check", rules, "--users", contexts, "--context-records"])
        #expect(result.stderr.contains("no record in \(contexts) has 'device.os'; did you mean 'device.oss'?"), "\(result.stderr)")
    }

    @Test("usage errors exit 2", arguments: [
        ["check", "x.cohort", "--format", "xml"],
        ["check", "x.cohort", "--as", "device"],
        ["check", "x.cohort", "--users"],
        ["check", "-", "--users", "-"],
        ["check", "x.cohort", "--users", "u.jsonl", "--input-format", "yaml"],
    ])
    func usage(arguments: [String]) throws {
        let result = try runCohort(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("cohort check: "), "\(result.stderr)")
    }

    @Test("--users with a file that cannot be read: exit 1 and why")
    func missingUsers() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("r.cohort", "flag on = true\n")
        let result = try runCohort(["check", rules, "--users", scratch.path("nope.jsonl")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot read"), "\(result.stderr)")
    }
}
