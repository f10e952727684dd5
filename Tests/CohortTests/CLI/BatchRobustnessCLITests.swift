import Cohort
import Foundation
import Testing

// `cohort batch` under attack and in pipelines (issues 20, 21, 22), run as a process: write
// errors, signals, outputs that would replace their inputs, summary files on devices and
// links, kept permissions, escaped record data, usage errors, partitions, ids as written.

private let rulesPath = PackagePaths.example("flags.cohort")
private let nowText = "2026-12-01T10:00:00Z"

/// `count` generated users as JSON Lines.
private func generatedUsers(count: Int, seed: Int) throws -> String {
    let result = try runCohort(["gen", "users", "--count", String(count), "--seed", String(seed)])
    #expect(result.status == 0, "\(result.stderr)")
    return result.stdout
}

/// Runs `script` with /bin/sh, `$0` being the cohort executable; returns status and output.
private func shell(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
    let executable = try #require(CLIRunner.executable)
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script, executable.path] + arguments
    let out = scratch.path("out"), err = scratch.path("err")
    FileManager.default.createFile(atPath: out, contents: nil)
    FileManager.default.createFile(atPath: err, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
    try process.run()
    process.waitUntilExit()
    return (process.terminationStatus, try scratch.read("out"), try scratch.read("err"))
}

/// The names in `directory` that look like a batch run's temporary files.
private func temporaryFiles(in scratch: ScratchDirectory) throws -> [String] {
    try scratch.fileNames().filter { $0.contains(".tmp-") }
}

/// Starts `path` with `arguments`, SIGINT, SIGTERM, SIGHUP and SIGPIPE at their default
/// actions and none blocked, output to /dev/null; returns its process id.
private func spawnWithDefaultSignals(_ path: String, _ arguments: [String]) -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, sig) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    var mask = sigset_t()
    sigemptyset(&mask)
    posix_spawnattr_setsigmask(&attributes, &mask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    guard posix_spawn(&pid, path, &actions, &attributes, argv, environ) == 0 else { return -1 }
    return pid
}

/// Waits for `pid` to end, killing it after `seconds`; the signal that ended it (0 if none)
/// and its exit status.
private func waitWithTimeout(_ pid: pid_t, seconds: Int) -> (signal: Int32, exit: Int32) {
    var status: Int32 = 0
    for _ in 0..<(seconds * 20) {
        if waitpid(pid, &status, WNOHANG) == pid { return (status & 0x7F, (status >> 8) & 0xFF) }
        usleep(50_000)
    }
    kill(pid, SIGKILL)
    waitpid(pid, &status, 0)
    return (-1, -1)
}

@Suite("cohort batch: robustness")
struct BatchRobustnessCLITests {
    // MARK: 21.9 Write errors

    @Test("stdout on /dev/full: a message and exit 1, no crash")
    func stdoutFull() throws {
        let result = try shell("\"$0\" batch \"$1\" \"$2\" --now \(nowText) > /dev/full", [rulesPath, PackagePaths.example("users.jsonl")])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cohort batch: cannot write '-': No space left on device"), "\(result.stderr)")
    }

    @Test("--output on a full disk: a message, exit 1, and no temporary file left")
    func outputDiskFull() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 20_000, seed: 2))
        // A file size limit makes writes fail as a full disk does (EFBIG instead of ENOSPC).
        let result = try shell("trap '' XFSZ; ulimit -f 1000; exec \"$0\" batch \"$1\" \"$2\" --now \(nowText) --output \"$3\"",
                               [rulesPath, input, scratch.path("out.jsonl")])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("cohort batch: cannot write '\(scratch.path("out.jsonl"))': File too large"), "\(result.stderr)")
        #expect(try scratch.fileNames() == ["users.jsonl"])
    }

    @Test("a closed pipe with SIGPIPE ignored: a message and exit 1")
    func closedPipe() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 20_000, seed: 2))
        let result = try shell("trap '' PIPE; \"$0\" batch \"$1\" \"$2\" --now \(nowText) | head -c 10 > /dev/null; echo \"status ${PIPESTATUS:-}\" >&2",
                               [rulesPath, input])
        #expect(result.stderr.contains("cohort batch: cannot write '-': Broken pipe"), "\(result.stderr)")
    }

    // MARK: 21.10 Signals

    @Test("SIGINT, SIGTERM and SIGHUP remove the temporary output file", arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalsRemoveTemporaryFile(signal: Int32) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let executable = try #require(CLIRunner.executable)
        let fifo = scratch.path("input.jsonl")
        #expect(mkfifo(fifo, 0o600) == 0)
        // The test runner may have been started with SIGINT ignored, which a child inherits
        // (and keeps, as a shell's background job does): the child starts with defaults.
        let pid = spawnWithDefaultSignals(executable.path, ["batch", rulesPath, fifo, "--now", nowText, "--output", scratch.path("out.jsonl")])
        #expect(pid > 0)
        // Feed a chunk and keep the pipe open, so the run waits for more input.
        let writer = open(fifo, O_WRONLY)
        #expect(writer >= 0)
        let users = try generatedUsers(count: 10_000, seed: 1)
        _ = users.withCString { write(writer, $0, strlen($0)) }
        var waited = 0
        while try temporaryFiles(in: scratch).isEmpty && waited < 200 {
            usleep(50_000)
            waited += 1
        }
        #expect(try temporaryFiles(in: scratch).count == 1, "the run made no temporary file")
        kill(pid, signal)
        let status = waitWithTimeout(pid, seconds: 20)
        close(writer)
        #expect(status.signal == signal, "ended with \(status)")
        #expect(try scratch.fileNames() == ["input.jsonl"])
    }

    // MARK: 21.11 The output may not replace an input

    @Test("--output or --summary-file naming the input or the rules is refused with exit 2")
    func outputIsInput() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let users = try generatedUsers(count: 10, seed: 1)
        let input = try scratch.write("in.jsonl", users)
        let rules = try scratch.write("r.cohort", try String(contentsOfFile: rulesPath, encoding: .utf8))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.jsonl"), withDestinationPath: input)
        for (option, target) in [("--output", input), ("--output", rules), ("--output", scratch.path("link.jsonl")),
                                 ("--summary-file", input), ("--summary-file", rules)] {
            let result = try runCohort(["batch", rules, input, "--now", nowText, option, target])
            #expect(result.status == 2, "\(option) \(target): \(result.stderr)")
            #expect(result.stderr.contains("it would be replaced"), "\(result.stderr)")
        }
        let fromStdin = try shell("\"$0\" batch \"$1\" - --now \(nowText) --output \"$2\" < \"$2\"", [rules, input])
        #expect(fromStdin.status == 2, "\(fromStdin.stderr)")
        #expect(try scratch.read("in.jsonl") == users)
    }

    // MARK: 21.12 --summary-file on devices, FIFOs and links

    @Test("--summary-file writes into a FIFO and through a symbolic link, replacing neither")
    func summaryFileSpecial() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 30, seed: 1))
        let fifo = scratch.path("summary.pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = FIFOReader(path: fifo)
        let ownWriter = open(fifo, O_WRONLY)
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--summary-file", fifo, "--output", "/dev/null"])
        close(ownWriter)
        let received = reader.text()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(received.hasPrefix("{\"records\":{\"read\":30,"), "\(received)")
        var info = stat()
        #expect(stat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO, "the FIFO was replaced")

        _ = try scratch.write("real.json", "old")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("link.json"), withDestinationPath: scratch.path("real.json"))
        let linked = try runCohort(["batch", rulesPath, input, "--now", nowText, "--summary-file", scratch.path("link.json"), "--output", "/dev/null"])
        #expect(linked.status == 0)
        #expect(try scratch.read("real.json").hasPrefix("{\"records\""))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("link.json")) == scratch.path("real.json"))

        let full = try runCohort(["batch", rulesPath, input, "--now", nowText, "--summary-file", "/dev/full", "--output", "/dev/null"])
        #expect(full.status == 1)
        #expect(full.stderr.contains("cannot write '/dev/full': No space left on device"), "\(full.stderr)")
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
    }

    // MARK: 21.13 Permissions

    @Test("--output keeps the permissions of the file it replaces")
    func keepsMode() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", try generatedUsers(count: 5, seed: 1))
        let out = try scratch.write("out.jsonl", "old\n")
        #expect(chmod(out, 0o600) == 0)
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--output", out])
        #expect(result.status == 0)
        var info = stat()
        #expect(stat(out, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try scratch.read("out.jsonl") != "old\n")
    }

    // MARK: 21.14 Record data reaches the terminal escaped

    @Test("control characters of a record are escaped in the summary, stderr and the table")
    func escapedForPeople() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("r.cohort", "flag g { when true serve user.name default \"\" }\n")
        // A served value holding C1 CSI (JSON output keeps it; a terminal would act on it).
        let input = try scratch.write("u.jsonl", "{\"id\":\"u-1\",\"name\":\"\\u009b2J\"}\n")
        let summary = try runCohort(["batch", rules, input, "--now", nowText, "--summary", "--output", "/dev/null"])
        #expect(!summary.stderr.contains("\u{9B}"), "\(summary.stderr.debugDescription)")
        #expect(summary.stderr.contains("\\u{9B}2J"), "\(summary.stderr)")
        let table = try runCohort(["batch", rules, input, "--now", nowText, "--format", "table"])
        #expect(!table.stdout.contains("\u{9B}"), "\(table.stdout.debugDescription)")
        #expect(table.stdout.contains("\\u{9B}2J"))
        // An unreadable CSV row whose message quotes a cell with ESC: stderr and summary.
        let csv = try scratch.write("u.csv", "id,age:number\nu-1,\u{1B}]0;owned\u{07}\n")
        let bad = try runCohort(["batch", rules, csv, "--now", nowText, "--summary", "--format", "table"])
        #expect(bad.status == 1)
        #expect(!bad.stderr.contains("\u{1B}") && !bad.stderr.contains("\u{07}"), "\(bad.stderr.debugDescription)")
        #expect(bad.stderr.contains("\\u{1B}]0;owned\\u{7}"), "\(bad.stderr)")
    }

    @Test("a record's control characters in an error message reach eval's stderr escaped")
    func escapedInEvalMessages() throws {
        let result = try runCohort(["eval", "number(user.x)", "--user", #"{"x":"\u001b[31mred"}"#], environment: ["NO_COLOR": "1"])
        #expect(result.status == 1)
        #expect(!result.stderr.contains("\u{1B}"), "\(result.stderr.debugDescription)")
        #expect(result.stderr.contains("'\\u{1B}[31mred' is not a number"), "\(result.stderr)")
    }

    // MARK: 22.4, 22.6 Usage

    @Test("options that cannot work are usage errors (exit 2)", arguments: [
        (["--flags", ""], "--flags needs at least one flag name"),
        (["--flags", "dark_mode,dark_mode"], "--flags names 'dark_mode' twice"),
        (["--flags", "dark_mode,,express_pay"], "--flags has an empty flag name"),
        (["--as", "1bad"], "--as: '1bad' is not a name"),
        (["--as", "flag"], "--as: 'flag' is not a name"),
        (["--context-records", "--as", "device"], "--as and --context-records do not go together"),
        (["--on-error", "ignore"], "--on-error must be continue (the default), fail or skip"),
        (["--line-offset", "-3"], "--line-offset must be"),
        (["--max-error-rate", "120"], "--max-error-rate must be a percentage"),
        (["EXTRA"], "unexpected extra argument 'EXTRA'"),
    ])
    func usage(extra: [String], message: String) throws {
        let result = try runCohort(["batch", rulesPath, PackagePaths.example("users.jsonl"), "--now", nowText] + extra)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("an unknown CSV column type is an error naming the column and the known types")
    func unknownColumnType() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("u.csv", "id,age:int\nu-1,3\n")
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText])
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid CSV header: column 'age' has an unknown type 'int' (known types: string, number, bool, list)"), "\(result.stderr)")
    }

    @Test("--output naming a directory: exit 1, 'is a directory'")
    func outputDirectory() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try runCohort(["batch", rulesPath, PackagePaths.example("users.jsonl"), "--now", nowText, "--output", scratch.url.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("is a directory"), "\(result.stderr)")
        let input = try runCohort(["batch", rulesPath, scratch.url.path, "--now", nowText])
        #expect(input.status == 1)
        #expect(input.stderr.contains("cannot read input '\(scratch.url.path)': is a directory"), "\(input.stderr)")
    }

    // MARK: 22.7 A missing id

    @Test("a warning, once, when no record of the first chunk has the id", arguments: [false, true])
    func missingIDWarning(contextRecords: Bool) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let users = try generatedUsers(count: 20_000, seed: 3)
        let input = contextRecords
            ? try scratch.write("c.jsonl", users.split(separator: "\n").map { "{\"user\":\($0)}" }.joined(separator: "\n"))
            : try scratch.write("u.jsonl", users)
        let extra = contextRecords ? ["--context-records"] : ["--id", "user_id"]
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--output", "/dev/null"] + extra)
        #expect(result.stderr.components(separatedBy: "has an id at").count == 2, "\(result.stderr)")
        let fine = try runCohort(["batch", rulesPath, PackagePaths.example("users.jsonl"), "--now", nowText, "--output", "/dev/null"])
        #expect(fine.stderr == "")
    }

    // MARK: 22.8 Table columns sized to the content

    @Test("--format table: columns as wide as their content, narrowed to fit a terminal")
    func tableWidths() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("r.cohort", "flag a_rather_long_flag_name = true\nflag v { when true serve user.v default \"\" }\n")
        let long = String(repeating: "x", count: 60)
        let input = try scratch.write("u.jsonl", "{\"id\":\"u-1\",\"v\":\"\(long)\"}\n{\"id\":\"u-2\",\"v\":\"b\"}\n")
        let result = try runCohort(["batch", rules, input, "--now", nowText, "--format", "table"])
        #expect(result.stdout == """
            id   a_rather_long_flag_name  v
            ---  -----------------------  \(String(repeating: "-", count: 60))
            u-1  true                     \(long)
            u-2  true                     b

            """)
    }

    // MARK: 22.9 Summary samples

    @Test("summary samples give the input line, the record's id and the rule's location")
    func summarySamples() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("r.cohort", "flag ok = true\nflag adult =\n  user.age >= 18\n")
        let input = try scratch.write("u.jsonl", "{\"id\":\"u-1\",\"age\":30}\n{\"id\":\"u-2\",\"age\":\"x\"}\n")
        let result = try runCohort(["batch", rules, input, "--now", nowText, "--summary", "--summary-file", scratch.path("s.json"), "--output", "/dev/null"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("input line 2, id \"u-2\": \(rules):3:3: cannot apply '>=' to string and number"), "\(result.stderr)")
        let json = try scratch.read("s.json")
        #expect(json.contains("\"error_samples\":[{\"line\":2,\"id\":\"u-2\",\"at\":\"\(rules):3:3\",\"message\":"), "\(json)")
    }

    // MARK: 22.10 --max-error-rate

    @Test("--max-error-rate: exit 1 when a flag errs for more than PCT percent; the output is complete")
    func maxErrorRate() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rules = try scratch.write("r.cohort", "flag adult = user.age >= 18\n")
        let input = try scratch.write("u.jsonl", (0..<10).map { "{\"id\":\($0),\"age\":\($0 < 3 ? "\"x\"" : "20")}" }.joined(separator: "\n"))
        let over = try runCohort(["batch", rules, input, "--now", nowText, "--max-error-rate", "25"])
        #expect(over.status == 1)
        #expect(over.stderr.contains("flag adult erred for 30.0% of records (3 of 10), more than --max-error-rate 25%"), "\(over.stderr)")
        #expect(over.stdout.split(separator: "\n").count == 10)
        let under = try runCohort(["batch", rules, input, "--now", nowText, "--max-error-rate", "30"])
        #expect(under.status == 0, "\(under.stderr)")
    }

    // MARK: Issue 20: partitions

    @Test("--on-error skip: unreadable records reported in the output and summary, exit 0; --line-offset counts from the whole input")
    func partitionOptions() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("part.jsonl", "{\"id\":\"u-1\"}\n{bad\n")
        let result = try runCohort(["batch", rulesPath, input, "--now", nowText, "--on-error", "skip", "--line-offset", "5000",
                                    "--summary-file", scratch.path("s.json")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").last?.hasPrefix("{\"line\":5002,\"error\":") == true, "\(result.stdout)")
        #expect(try scratch.read("s.json").contains("\"unreadable\":1,\"unreadable_samples\":[{\"line\":5002,"))
        #expect(result.stderr.contains("1 unreadable record(s), skipped (--on-error skip)"), "\(result.stderr)")
    }

    @Test("rules that read now(): a warning without --now; a partitioned run without it is refused")
    func nowSafeguard() throws {
        let input = PackagePaths.example("users.jsonl")
        let plain = try runCohort(["batch", rulesPath, input, "--output", "/dev/null"])
        #expect(plain.status == 0)
        #expect(plain.stderr.contains("warning: the rules read now() and --now is not given"), "\(plain.stderr)")
        for extra in [["--on-error", "skip"], ["--line-offset", "10"]] {
            let part = try runCohort(["batch", rulesPath, input, "--output", "/dev/null"] + extra)
            #expect(part.status == 2, "\(extra)")
            #expect(part.stderr.contains("needs --now"), "\(part.stderr)")
        }
        let noNow = try runCohort(["batch", rulesPath, input, "--output", "/dev/null", "--flags", "dark_mode", "--on-error", "skip"])
        #expect(noNow.status == 0 && noNow.stderr == "", "\(noNow.stderr)")
    }
}
