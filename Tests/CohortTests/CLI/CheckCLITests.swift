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
