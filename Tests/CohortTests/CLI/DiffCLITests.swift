import Foundation
import Testing

// `cohort diff OLD NEW INPUT [--format text|json] [--changes FILE] [--max-change PCT]`
// (CLI.md) run as a process: the text and JSON reports (golden files), the changes file,
// --max-change, OLD as @REV in a scratch git repository, unreadable records, usage errors.

private let oldRules = """
    # The shop's flags before the change.
    segment paying = user.plan in ["pro", "enterprise"]
    flag new_checkout = bucket(user.id) < 20
    flag checkout_button {
      when paying                 serve "green"
      when bucket(user.id) < 50   serve "blue"
      default "red"
    }
    flag express_pay = new_checkout and paying
    flag teen = exists(user.age) and user.age < 20
    flag staff = user.email ends_with "@acme.com"
    flag legacy_banner = true
    flag app_version { when exists(user.app) serve semver(user.app)  default semver("0.0.0") }

    """

private let newRules = """
    # The shop's flags after the change: a wider rollout, a new colour, a new flag.
    segment paying = user.plan in ["pro", "enterprise"]
    flag new_checkout = bucket(user.id) < 40
    flag checkout_button {
      when paying                 serve "green"
      when bucket(user.id) < 50   serve "teal"
      default "red"
    }
    flag express_pay = new_checkout and paying
    flag teen = user.age < 20
    flag staff = exists(user.email) and user.email ends_with "@acme.com"
    flag search_v3 = user.country == "KR"
    flag app_version { when exists(user.app) serve semver(user.app_new)  default semver("0.0.0") }

    """

/// Twenty users, one unreadable line among them.
private let users: String = {
    var lines: [String] = []
    let plans = ["free", "pro", "enterprise", "free"]
    for i in 0..<20 {
        var fields = [#""id":"u-\#(i)""#, #""plan":"\#(plans[i % 4])""#]
        if i % 3 != 0 { fields.append(#""email":"user\#(i)@\#(i % 5 == 0 ? "acme.com" : "mail.kr")""#) }
        if i % 4 != 1 { fields.append(#""age":\#(12 + i * 2)"#) }
        if i % 6 == 0 { fields.append(#""app":"1.\#(i).0+build","app_new":"1.\#(i).0""#) }
        lines.append("{" + fields.joined(separator: ",") + "}")
        if i == 9 { lines.append(#"{"id":"u-broken","plan":}"#) }
    }
    return lines.joined(separator: "\n") + "\n"
}()

/// Runs `cohort` with `args` in `directory`: its standard output.
private func runCohort(in directory: String, _ args: [String]) throws -> String {
    guard let executable = CLIRunner.executable else { throw CLIRunnerError.executableNotFound }
    let process = Process()
    process.executableURL = executable
    process.arguments = args
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

@Suite("cohort diff")
struct DiffCLITests {
    /// A scratch directory with old.cohort, new.cohort and users.jsonl.
    private func fixture() throws -> ScratchDirectory {
        let scratch = try ScratchDirectory()
        try scratch.write("old.cohort", oldRules)
        try scratch.write("new.cohort", newRules)
        try scratch.write("users.jsonl", users)
        return scratch
    }

    /// Runs `cohort diff` in the fixture (paths relative to it, shown as such).
    private func diff(_ scratch: ScratchDirectory, _ args: [String]) throws -> CLIResult {
        var result = try runCohort(["diff"] + args.map { !$0.hasPrefix("/") && ($0.hasSuffix(".cohort") || $0.hasSuffix(".jsonl")) ? scratch.path($0) : $0 }
                                   + ["--now", "2026-12-01T00:00:00Z"])
        result.stdout = result.stdout.replacingOccurrences(of: scratch.url.path + "/", with: "")
        result.stderr = result.stderr.replacingOccurrences(of: scratch.url.path + "/", with: "")
        return result
    }

    /// What a golden file holds: stdout, stderr and the exit status.
    private func transcript(_ result: CLIResult) -> String {
        "\(result.stdout)--- stderr\n\(result.stderr)--- exit \(result.status)\n"
    }

    @Test("text report: changed flags with transitions, added and removed, errors, unreadable records, a summary line")
    func textReport() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        let result = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl"])
        Golden.check(transcript(result), named: "diff-text")
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.last?.hasPrefix("4 of 6 flags change for 11 of 20 records (55.0%); 1 added, 1 removed") == true)
        #expect(lines.contains { $0.hasPrefix("new_checkout: ") && $0.hasSuffix(" of 20 records change (\($0.split(separator: "(")[1])") })
    }

    @Test("--format json: one object, exactly the fields of CLI.md, every flag of both files listed")
    func jsonReport() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        let result = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--format", "json"])
        Golden.check(transcript(result), named: "diff-json")
        #expect(result.stdout.split(separator: "\n").count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["records", "unreadable", "flags", "added", "removed"])
        #expect(object["records"] as? Int == 20 && object["unreadable"] as? Int == 1)
        #expect(object["added"] as? [String] == ["search_v3"] && object["removed"] as? [String] == ["legacy_banner"])
        let flags = try #require(object["flags"] as? [String: [String: Any]])
        #expect(Set(flags.keys) == ["new_checkout", "checkout_button", "express_pay", "teen", "staff", "app_version"])
        for (name, flag) in flags {
            #expect(Set(flag.keys) == ["changed", "share", "transitions", "errors_before", "errors_after"], "\(name)")
            let transitions = try #require(flag["transitions"] as? [[String: Any]])
            #expect(transitions.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == flag["changed"] as? Int, "\(name)")
            if flag["changed"] as? Int == 0 { #expect(transitions.isEmpty) }
        }
        #expect(flags["staff"]?["errors_before"] as? Int == 7 && flags["staff"]?["errors_after"] as? Int == 0)
        #expect(flags["teen"]?["errors_before"] as? Int == 0 && flags["teen"]?["errors_after"] as? Int == 5)
    }

    @Test("--changes: JSON Lines of the records whose values change, ids as written; - sends the report to stderr")
    func changesFile() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        let result = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--changes", scratch.path("changes.jsonl"), "--flags", "app_version,new_checkout"])
        #expect(result.status == 1)
        let changes = try scratch.read("changes.jsonl")
        let lines = changes.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(changes.hasPrefix(#"{"id":"u-0","changes":{"app_version":{"from":"1.0.0+build","to":"1.0.0"}}}"#))
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["id", "changes"])
        }
        // As many lines as records changed, and no temporary file left behind.
        #expect(result.stdout.contains("for \(lines.count) of 20 records"))
        #expect(try scratch.fileNames() == ["changes.jsonl", "new.cohort", "old.cohort", "users.jsonl"])

        let piped = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--changes", "-", "--flags", "app_version,new_checkout"])
        #expect(piped.stdout == changes)
        #expect(piped.stderr.contains("of 2 flags change for \(lines.count) of 20 records"))
    }

    @Test("--changes - --reasons: the changed records on stdout, each change with both files' reasons; the report on stderr")
    func changesWithReasons() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        let result = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--changes", "-", "--reasons"])
        Golden.check(transcript(result), named: "diff-changes-reasons")
        #expect(result.status == 1)
        let plain = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--changes", "-"])
        #expect(plain.stderr == result.stderr)
        // Without --reasons, the same lines without their reasons.
        let lines = result.stdout.split(separator: "\n"), plainLines = plain.stdout.split(separator: "\n")
        #expect(lines.count == plainLines.count)
        for (line, plainLine) in zip(lines, plainLines) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let plainObject = try #require(try JSONSerialization.jsonObject(with: Data(plainLine.utf8)) as? [String: Any])
            #expect(Set(object.keys) == ["id", "changes", "reasons"] && Set(plainObject.keys) == ["id", "changes"])
            #expect(NSDictionary(dictionary: object["changes"] as? [String: Any] ?? [:]).isEqual(to: plainObject["changes"] as? [String: Any] ?? [:]))
            #expect(Set((object["reasons"] as? [String: Any] ?? [:]).keys) == Set((object["changes"] as? [String: Any] ?? [:]).keys))
        }
    }

    @Test("--changes never replaces the input or a rule file")
    func changesProtectsInputs() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        for target in ["users.jsonl", "old.cohort", "new.cohort"] {
            let result = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--changes", scratch.path(target)])
            #expect(result.status == 2, "\(target)")
            #expect(result.stderr.contains("--changes '\(target)' is the "), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(try scratch.read("users.jsonl") == users && scratch.read("old.cohort") == oldRules && scratch.read("new.cohort") == newRules)
        #expect(try scratch.fileNames() == ["new.cohort", "old.cohort", "users.jsonl"])
    }

    @Test("--max-change: exit 1 naming each flag over the limit; the report is still printed")
    func maxChange() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        try scratch.write("clean.jsonl", users.split(separator: "\n").filter { !$0.contains("broken") }.joined(separator: "\n") + "\n")
        let under = try diff(scratch, ["old.cohort", "new.cohort", "clean.jsonl", "--max-change", "100"])
        #expect(under.status == 0 && under.stderr.isEmpty)
        let over = try diff(scratch, ["old.cohort", "new.cohort", "clean.jsonl", "--max-change", "10%"])
        #expect(over.status == 1)
        #expect(over.stdout == under.stdout)
        let named = over.stderr.split(separator: "\n")
        #expect(named.contains { $0.hasPrefix("cohort diff: flag app_version changes for 20.0% of records (4 of 20), more than --max-change 10%") })
        #expect(named.allSatisfy { $0.hasPrefix("cohort diff: flag ") })
    }

    @Test("OLD as @REV: NEW's path at a git revision, from any directory; missing revisions and repositories are clear errors")
    func gitRevision() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        let git = { (args: [String]) throws -> Int32 in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", scratch.path("repo")] + args
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        try FileManager.default.createDirectory(atPath: scratch.path("repo/rules/sub"), withIntermediateDirectories: true)
        try scratch.write("repo/rules/flags.cohort", oldRules)
        #expect(try git(["init", "-q"]) == 0)
        #expect(try git(["add", "."]) == 0)
        #expect(try git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "old rules"]) == 0)
        try scratch.write("repo/rules/flags.cohort", newRules)

        let direct = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl"])
        let fromGit = try diff(scratch, ["@HEAD", scratch.path("repo/rules/flags.cohort"), "users.jsonl"])
        #expect(fromGit.status == direct.status)
        #expect(fromGit.stdout == direct.stdout.replacingOccurrences(of: "old.cohort", with: "repo/rules/flags.cohort@HEAD")
            .replacingOccurrences(of: "new.cohort", with: "repo/rules/flags.cohort"))
        // The path is NEW's, relative to its repository, whatever the working directory.
        let relative = try runCohort(in: scratch.path("repo/rules/sub"),
                                     ["diff", "@HEAD", "../flags.cohort", scratch.path("users.jsonl"), "--now", "2026-12-01T00:00:00Z"])
        #expect(relative == fromGit.stdout.replacingOccurrences(of: "repo/rules/flags.cohort", with: "../flags.cohort"))

        let missing = try diff(scratch, ["@no-such-branch", scratch.path("repo/rules/flags.cohort"), "users.jsonl"])
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr.hasPrefix("cohort diff: cannot read repo/rules/flags.cohort@no-such-branch with git show: invalid object name 'no-such-branch'."))
        let notInRepo = try diff(scratch, ["@HEAD", "new.cohort", "users.jsonl"])
        #expect(notInRepo.status == 1)
        #expect(notInRepo.stderr.contains("cohort diff: cannot read new.cohort@HEAD with git show: not a git repository"))
        let noGit = try runCohort(["diff", "@HEAD", scratch.path("repo/rules/flags.cohort"), scratch.path("users.jsonl")],
                                  environment: ["PATH": scratch.path("empty")])
        #expect(noGit.status == 1)
        #expect(noGit.stderr.hasSuffix("@HEAD needs git, and no 'git' was found on PATH\n"))

        // A rule file that does not compile at that revision: diagnostics name it with its revision.
        try scratch.write("repo/rules/flags.cohort", "flag broken = user.age >\n")
        #expect(try git(["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "broken"]) == 0)
        try scratch.write("repo/rules/flags.cohort", newRules)
        let broken = try diff(scratch, ["@HEAD", scratch.path("repo/rules/flags.cohort"), "users.jsonl"])
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("repo/rules/flags.cohort@HEAD:2:1: error: "), "\(broken.stderr)")
    }

    @Test("unreadable records: each reported on stderr with its line, counted once; --on-error fail stops, skip exits 0")
    func unreadable() throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        let result = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl"])
        #expect(result.status == 1)
        #expect(result.stderr == "cohort diff: line 11: invalid JSON at column 25: expected a JSON value, found '}'\n")
        #expect(result.stdout.contains("unreadable: 1 record, first at input line 11: "))
        let skipped = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--on-error", "skip"])
        #expect(skipped.status == 0 && skipped.stdout == result.stdout)
        let stopped = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--on-error", "fail"])
        #expect(stopped.status == 1 && stopped.stdout.isEmpty)
        #expect(stopped.stderr.hasSuffix("cohort diff: stopped at input line 11: invalid JSON at column 25: expected a JSON value, found '}' (--on-error fail)\n"))
        let offset = try diff(scratch, ["old.cohort", "new.cohort", "users.jsonl", "--line-offset", "100"])
        #expect(offset.stderr.hasPrefix("cohort diff: line 111: "))
    }

    @Test("usage errors exit 2 with a message", arguments: [
        (["old.cohort", "new.cohort"], "diff needs OLD, NEW and INPUT"),
        (["old.cohort", "new.cohort", "users.jsonl", "more.jsonl"], "unexpected extra argument 'more.jsonl'"),
        (["old.cohort", "new.cohort", "users.jsonl", "--format", "yaml"], "--format must be text or json"),
        (["old.cohort", "new.cohort", "users.jsonl", "--max-change", "150"], "--max-change must be a percentage from 0 to 100"),
        (["old.cohort", "new.cohort", "users.jsonl", "--max-change", "lots"], "--max-change must be a percentage from 0 to 100"),
        (["-", "new.cohort", "-"], "only one of OLD, NEW and INPUT can be - (stdin)"),
        (["@HEAD", "-", "users.jsonl"], "NEW must be a file, not -"),
        (["old.cohort", "new.cohort", "users.jsonl", "--flags", "new_chekout"], "no flag named 'new_chekout' in old.cohort or new.cohort; did you mean 'new_checkout'?"),
        (["old.cohort", "new.cohort", "users.jsonl", "--jobs", "0"], "--jobs must be a number from 1 to 256"),
        (["old.cohort", "new.cohort", "users.jsonl", "--as", "user", "--context-records"], "--as and --context-records do not go together"),
        (["old.cohort", "new.cohort", "users.jsonl", "--output", "x"], "unknown option '--output'"),
        (["old.cohort", "new.cohort", "users.jsonl", "--reasons"], "--reasons adds each change's reasons to the --changes lines: give --changes FILE too"),
    ])
    func usageErrors(_ args: [String], _ message: String) throws {
        let scratch = try fixture()
        defer { scratch.remove() }
        let result = try diff(scratch, args)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("cohort diff: ") && result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("--help, and the verb in cohort --help")
    func help() throws {
        let help = try runCohort(["diff", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("USAGE: cohort diff OLD NEW INPUT [options]\n"))
        for option in ["--format", "--changes", "--max-change", "--flags", "--now", "--id", "--as", "--context-records", "--jobs", "@REV"] {
            #expect(help.stdout.contains(option), "\(option)")
        }
        #expect(try runCohort(["--help"]).stdout.contains("cohort diff OLD NEW INPUT [--format text|json] [--changes FILE] [--max-change PCT]"))
    }
}
