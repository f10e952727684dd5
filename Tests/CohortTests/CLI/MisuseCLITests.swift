import Foundation
import Testing

/// A new user's ordinary mistakes, each with a clear message and the right exit status
/// (issue 22): rule files from pipes, files that cannot be read, stray arguments, options
/// given twice, stdin read twice, a flag that erred, empty JSON.
@Suite("cohort command: mistakes and streams")
struct MisuseCLITests {
    private let flagsPath = PackagePaths.example("flags.cohort")
    private let flagsText = (try? String(contentsOfFile: PackagePaths.example("flags.cohort"), encoding: .utf8)) ?? ""

    // MARK: Rule files read as streams

    @Test("check, eval --rules, disasm --rules, fmt and batch read a rule file from a pipe")
    func ruleFileFromPipe() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let check = try runCohort(["check", try FIFO(in: scratch, named: "check", text: flagsText).path])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.hasSuffix(": ok, 8 flags\n"), "\(check.stderr)")

        let eval = try runCohort(["eval", "checkout_button", "--rules", try FIFO(in: scratch, named: "eval", text: flagsText).path,
                                  "--user", #"{"id":"u-42","email":"kim@acme.com"}"#])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout == "\"green\"\n")

        let disasm = try runCohort(["disasm", "--rules", try FIFO(in: scratch, named: "disasm", text: flagsText).path])
        #expect(disasm.status == 0, "\(disasm.stderr)")
        #expect(disasm.stdout.contains("== flag checkout_button"))

        let fmt = try runCohort(["fmt", try FIFO(in: scratch, named: "fmt", text: "flag a=true\n").path])
        #expect(fmt.status == 0, "\(fmt.stderr)")
        #expect(fmt.stdout == "flag a = true\n")

        let input = try scratch.write("users.jsonl", #"{"id":"u-1","email":"a@acme.com"}"# + "\n")
        let batch = try runCohort(["batch", try FIFO(in: scratch, named: "batch", text: flagsText).path, input,
                                   "--flags", "checkout_button", "--now", "2026-12-01T00:00:00Z"])
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdout == #"{"id":"u-1","flags":{"checkout_button":"green"}}"# + "\n")
    }

    @Test("the REPL reads its rule file from a pipe")
    func replRulesFromPipe() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let fifo = try FIFO(in: scratch, named: "rules", text: "flag on = true\n")
        let result = try runCohort(["repl", fifo.path], stdin: "on\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "loaded 1 flag from \(fifo.path): on\ntrue\n")
    }

    @Test("'-' reads the rule file from stdin for batch, eval and check")
    func ruleFileFromStdin() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", #"{"id":"u-1"}"# + "\n")
        let batch = try runCohort(["batch", "-", input], stdin: "flag a = user.id == \"u-1\"\n")
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.stdout == #"{"id":"u-1","flags":{"a":true}}"# + "\n")
        let eval = try runCohort(["eval", "a", "--rules", "-", "--user", #"{"id":"u-2"}"#], stdin: "flag a = user.id == \"u-1\"\n")
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout == "false\n")
    }

    @Test("two inputs cannot both read stdin: exit 2", arguments: [
        (["eval", "-", "--user", "-"], "cohort eval: EXPR and --user both read standard input ('-'); only one input can\n"),
        (["eval", "a", "--rules", "-", "--context", "-"], "cohort eval: --context and --rules both read standard input ('-'); only one input can\n"),
        (["batch", "-", "-"], "cohort batch: RULES and INPUT both read standard input ('-'); only one input can\n"),
        (["check", "-", "-"], "cohort check: '-' (standard input) is given 2 times; it can be read only once\n"),
        (["fmt", "-", "-"], "cohort fmt: '-' (standard input) is given 2 times; it can be read only once\n"),
        (["disasm", "-", "--rules", "-"], "cohort disasm: EXPR and --rules both read standard input ('-'); only one input can\n"),
        (["repl", "-"], "cohort repl: RULES cannot be '-': the REPL reads its input from stdin; give a file (a pipe such as <(...) works too)\n"),
    ])
    func stdinTwice(arguments: [String], message: String) throws {
        let result = try runCohort(arguments, stdin: "{}")
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == message)
    }

    // MARK: Reading failures say why, without a source line

    @Test("a rule file that is a directory or missing: the reason, no caret, exit 1", arguments: [
        ["check"], ["eval", "1", "--rules"], ["disasm", "--rules"], ["batch"],
    ])
    func unreadableRuleFile(command: [String]) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let input = try scratch.write("users.jsonl", "{}\n")
        let missing = scratch.path("missing.cohort")
        let verb = command[0]
        for (path, reason) in [(scratch.url.path, "is a directory"), (missing, "no such file")] {
            let result = try runCohort(command + [path] + (verb == "batch" ? [input] : []))
            #expect(result.status == 1, "\(command) \(path)")
            #expect(result.stderr == "cohort \(verb): cannot read rule file '\(path)': \(reason)\n")
            #expect(!result.stderr.contains(" | "), "no source line")
        }
    }

    @Test("fmt and batch INPUT say why a file cannot be read")
    func unreadableInputs() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let fmt = try runCohort(["fmt", scratch.url.path])
        #expect(fmt.status == 1)
        #expect(fmt.stderr == "cohort fmt: cannot read '\(scratch.url.path)': is a directory\n")
        let batch = try runCohort(["batch", flagsPath, scratch.url.path, "--now", "2026-12-01"])
        #expect(batch.status == 1)
        #expect(batch.stderr == "cohort batch: cannot read input '\(scratch.url.path)': is a directory\n")
        let missing = try runCohort(["batch", flagsPath, scratch.path("nope.jsonl"), "--now", "2026-12-01"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "cohort batch: cannot read input '\(scratch.path("nope.jsonl"))': no such file\n")
    }

    // MARK: Arguments

    @Test("extra positional arguments are named: exit 2", arguments: [
        (["batch", "RULES", "a.jsonl", "b.jsonl"], "cohort batch: unexpected extra argument 'b.jsonl': batch takes one RULES file and one INPUT (use - for stdin)\n"),
        (["eval", "user.a", "==", "1"], "cohort eval: unexpected arguments '==', '1': eval takes EXPR (quote the expression: cohort eval 'user.plan == \"pro\"')\n"),
        (["repl", "a.cohort", "b.cohort"], "cohort repl: unexpected argument 'b.cohort': repl takes at most RULES\n"),
        (["disasm", "1", "2"], "cohort disasm: unexpected argument '2': disasm takes EXPR (or --rules FILE)\n"),
    ])
    func extraArguments(arguments: [String], message: String) throws {
        let result = try runCohort(arguments)
        #expect(result.status == 2)
        #expect(result.stderr == message)
    }

    @Test("an unknown command gets a suggestion and a pointer to --help, not the whole help")
    func unknownCommand() throws {
        let result = try runCohort(["evl", "1"])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "cohort: unknown command 'evl'; did you mean 'eval'?\nRun 'cohort --help' for the commands and options.\n")
        let far = try runCohort(["frobnicate"])
        #expect(far.status == 2)
        #expect(far.stderr == "cohort: unknown command 'frobnicate'\nRun 'cohort --help' for the commands and options.\n")
    }

    @Test("an expression that starts with '-' gets the hint about '--'")
    func dashExpression() throws {
        let result = try runCohort(["eval", "-7 % 3"])
        #expect(result.status == 2)
        #expect(result.stderr == "cohort eval: unknown option '-7 % 3'; an argument that starts with '-' goes after '--': cohort eval -- '-7 % 3'\n")
        let fixed = try runCohort(["eval", "--", "-7 % 3"])
        #expect(fixed.stdout == "-1\n")
    }

    @Test("a misspelt option gets a suggestion")
    func misspeltOption() throws {
        let result = try runCohort(["repl", "--user", "x.jsonl"])
        #expect(result.status == 2)
        #expect(result.stderr == "cohort repl: unknown option '--user'; did you mean '--users'?\n")
    }

    @Test("an option given twice is a usage error, not a silent overwrite")
    func optionTwice() throws {
        let result = try runCohort(["eval", "user.id", "--user", #"{"id":"a"}"#, "--user", #"{"id":"b"}"#])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "cohort eval: option --user is given twice; give it once\n")
    }

    // MARK: eval

    @Test("eval FLAG --rules: the value on stdout, the reason on stderr; an error exits 1")
    func evalFlagReason() throws {
        let matched = try runCohort(["eval", "checkout_button", "--rules", flagsPath, "--user", #"{"id":"u-42","email":"kim@acme.com"}"#])
        #expect(matched.status == 0)
        #expect(matched.stdout == "\"green\"\n")
        #expect(matched.stderr == "reason: match, rule 0, line 59\n")

        let byDefault = try runCohort(["eval", "dark_mode", "--rules", flagsPath])
        #expect(byDefault.status == 0)
        #expect(byDefault.stdout == "false\n")
        #expect(byDefault.stderr == "reason: static\n", "a kill switch")

        let notYet = try runCohort(["eval", "winter_sale_banner", "--rules", flagsPath, "--now", "2026-01-01", "--user", #"{"id":"u-1"}"#])
        #expect(notYet.status == 0)
        #expect(notYet.stdout == "false\n")
        #expect(notYet.stderr == "reason: default\n")

        let failed = try runCohort(["eval", "checkout_button", "--rules", flagsPath, "--user", #"{"id":"u-1026"}"#])
        #expect(failed.status == 1)
        #expect(failed.stdout == "\"red\"\n", "the default is still printed")
        #expect(failed.stderr.hasPrefix("""
            reason: error (the default was served)
            \(flagsPath):
            """), "\(failed.stderr)")
        #expect(failed.stderr.contains("error: 'ends_with' needs a string on the left, but it is null (a missing attribute?)"))
        #expect(failed.stderr.contains("^~"), "the failing sub-expression has a caret")
    }

    @Test("an expression over a flag is not a flag by name: no reason line")
    func evalExpressionOverFlag() throws {
        let result = try runCohort(["eval", "checkout_button == \"red\"", "--rules", flagsPath, "--user", #"{"id":"u-1026"}"#])
        #expect(result.status == 0)
        #expect(result.stdout == "true\n")
        #expect(result.stderr == "")
    }

    @Test("empty JSON for --user or --context says it is empty", arguments: ["--user", "--context"])
    func emptyJSON(option: String) throws {
        for value in ["", "  "] {
            let result = try runCohort(["eval", "1", option, value])
            #expect(result.status == 2)
            #expect(result.stderr == "cohort eval: \(option) is empty; give a JSON object, e.g. \(option) '{\"id\":\"u-42\"}'\n")
        }
        let fromStdin = try runCohort(["eval", "1", option, "-"], stdin: "")
        #expect(fromStdin.stderr == "cohort eval: \(option) is empty; give a JSON object, e.g. \(option) '{\"id\":\"u-42\"}'\n")
    }

    // MARK: Help

    @Test("--help names every exit status")
    func helpExitStatus() throws {
        let result = try runCohort(["--help"])
        #expect(result.status == 0)
        for status in ["0  success", "1  a rule or input problem", "2  a usage error"] {
            #expect(result.stdout.contains(status), "\(status)")
        }
        for command in ["eval", "batch", "repl", "gen", "check", "fmt", "test", "disasm", "lsp"] {
            let help = try runCohort([command, "--help"])
            #expect(help.stdout.contains("EXIT"), "\(command) --help names its exit statuses")
        }
    }
}
