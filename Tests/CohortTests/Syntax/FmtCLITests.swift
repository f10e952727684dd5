import Foundation
import Testing

// `cohort fmt FILE... [--check | --write]`: the canonical layout on stdout; --check lists
// files that would change (exit 1); --write rewrites them atomically; syntax errors are
// rendered like every other command's (exit 1); usage errors exit 2.

private let messy = "let a=1\nflag b = a==1&&user.x\n"
private let tidy = "let a = 1\nflag b = a == 1 and user.x\n"

@Suite("cohort fmt")
struct FmtCLITests {
    @Test("prints the formatted file on stdout and leaves the file alone")
    func printsToStdout() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("m.cohort", messy)
        let result = try runCohort(["fmt", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == tidy)
        #expect(result.stderr == "")
        #expect(try scratch.read("m.cohort") == messy)
    }

    @Test("'-' reads stdin; a file holding one expression is formatted as one")
    func stdin() throws {
        let result = try runCohort(["fmt", "-"], stdin: "user.age>=18||!user.x")
        #expect(result.status == 0)
        #expect(result.stdout == "user.age >= 18 or not user.x\n")
    }

    @Test("--check: exit 0 and silence when formatted, exit 1 and the file names when not")
    func check() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let good = try scratch.write("good.cohort", tidy)
        let bad = try scratch.write("bad.cohort", messy)
        let clean = try runCohort(["fmt", "--check", good, PackagePaths.example("flags.cohort")])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout == "" && clean.stderr == "")
        let dirty = try runCohort(["fmt", "--check", good, bad])
        #expect(dirty.status == 1)
        #expect(dirty.stdout == "\(bad)\n")
        #expect(try scratch.read("bad.cohort") == messy)
    }

    @Test("--write through a symbolic link (relative, chained) rewrites the file it points to and keeps the links")
    func writeThroughSymlink() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path("rules"), withIntermediateDirectories: true)
        _ = try scratch.write("rules/real.cohort", messy)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("first.cohort"), withDestinationPath: "second.cohort")
        try FileManager.default.createSymbolicLink(atPath: scratch.path("second.cohort"), withDestinationPath: "rules/real.cohort")
        let result = try runCohort(["fmt", "--write", scratch.path("first.cohort")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try scratch.read("rules/real.cohort") == tidy)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("first.cohort")) == "second.cohort")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("second.cohort")) == "rules/real.cohort")
    }

    @Test("--write rewrites only files that change, keeping their permissions")
    func write() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let bad = try scratch.write("bad.cohort", messy)
        let good = try scratch.write("good.cohort", tidy)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: bad)
        let before = try FileManager.default.attributesOfItem(atPath: good)[.modificationDate] as? Date
        let result = try runCohort(["fmt", "-w", bad, good])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(try scratch.read("bad.cohort") == tidy)
        #expect(try scratch.read("good.cohort") == tidy)
        let permissions = try FileManager.default.attributesOfItem(atPath: bad)[.posixPermissions] as? Int
        #expect(permissions == 0o640)
        #expect(try FileManager.default.attributesOfItem(atPath: good)[.modificationDate] as? Date == before)
        // No temporary file is left behind.
        #expect(try scratch.fileNames() == ["bad.cohort", "good.cohort"])
        #expect(try runCohort(["fmt", "--check", bad, good]).status == 0)
    }

    @Test("a syntax error: the diagnostic with line, column and caret, exit 1, file untouched")
    func syntaxError() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("e.cohort", "let a = 1\nflag b = a <\n")
        for args in [["fmt", path], ["fmt", "--check", path], ["fmt", "--write", path]] {
            let result = try runCohort(args)
            #expect(result.status == 1)
            #expect(result.stdout == "")
            #expect(result.stderr == """
                \(path):3:1: error: expected an expression, found end of input
                3 | 
                  | ^

                """)
        }
        #expect(try scratch.read("e.cohort") == "let a = 1\nflag b = a <\n")
    }

    @Test("invalid UTF-8 and unreadable files: exit 1 with a message")
    func unreadable() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("u.cohort", bytes: Array("let a = \"".utf8) + [0xFF] + Array("\"\n".utf8))
        let result = try runCohort(["fmt", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(path):1:10: error: source is not valid UTF-8 (byte 0xFF)"))
        let missing = try runCohort(["fmt", scratch.path("nope.cohort")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read"))
    }

    @Test("usage errors exit 2", arguments: [
        ["fmt"],
        ["fmt", "--check", "--write", "x.cohort"],
        ["fmt", "-w", "-"],
        ["fmt", "--width", "80", "x.cohort"],
    ])
    func usage(args: [String]) throws {
        let result = try runCohort(args)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("cohort fmt: "))
    }

    @Test("--help describes the command")
    func help() throws {
        let result = try runCohort(["fmt", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("USAGE: cohort fmt FILE... [--check | --write]"))
        #expect(try runCohort(["--help"]).stdout.contains("cohort fmt FILE..."))
    }
}
