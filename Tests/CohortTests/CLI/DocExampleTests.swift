import Foundation
import Testing

/// One `$ cohort …` example from the documentation: the commands of a fenced block and
/// the output shown under each.
struct DocExample: CustomTestStringConvertible, Sendable {
    /// `README.md:76`, where the command is.
    var location: String
    /// The shell command after `$ `.
    var command: String
    /// The lines shown under it, up to the next `$ ` or the end of the block.
    var output: [String]
    /// Files the block needs, from `<!-- doc-test: file NAME … -->` comments before it.
    var files: [String: String]

    var testDescription: String { "\(location): \(command.prefix(60))" }
}

/// Reads the examples out of Markdown.
///
/// A fenced block whose first line starts with `$ ` is an example. Each `$ ` line that
/// runs `cohort` (`$ cohort …`, `$ printf … | cohort repl`) is run by bash in a scratch
/// directory holding a copy of `examples/`, with the `cohort` under test first on `PATH`;
/// stdout and stderr together must equal the lines under it. For `cohort repl`, lines
/// starting with `cohort> ` are typed inputs: they go to its stdin, and (as with stdin not
/// a terminal) are not part of the output, nor is the banner a terminal session starts
/// with. Other commands (build scripts) are shown for reading and not run.
///
/// A documented line that is just `...` stands for any number of printed lines.
///
/// HTML comments just before a block (invisible on the rendered page) adjust it:
/// - `<!-- doc-test: skip REASON -->`: the block is not run (its output depends on the
///   time, the machine, or is abridged); the reason is required.
/// - `<!-- doc-test: file NAME` … `-->`: the lines up to `-->` are written to NAME before
///   the next example block runs (the page may show the file in a block of its own).
enum DocExamples {
    /// README.md and every docs/*.md.
    static let files: [URL] = {
        let docs = PackagePaths.root.appendingPathComponent("docs")
        let pages = (try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? []
        return [PackagePaths.root.appendingPathComponent("README.md")]
            + pages.filter { $0.hasSuffix(".md") }.sorted().map { docs.appendingPathComponent($0) }
    }()

    /// Every example of every page.
    static let all: [DocExample] = files.flatMap { examples(in: $0) }

    static func examples(in url: URL) -> [DocExample] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        let name = url.lastPathComponent == "README.md" ? "README.md" : "docs/" + url.lastPathComponent
        let lines = text.components(separatedBy: "\n")
        var examples: [DocExample] = []
        var files: [String: String] = [:]
        var skip = false
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("<!-- doc-test: skip") {
                skip = true
            } else if line.hasPrefix("<!-- doc-test: file ") {
                let file = String(line.dropFirst("<!-- doc-test: file ".count)).trimmingCharacters(in: .whitespaces)
                var body: [String] = []
                i += 1
                while i < lines.count, lines[i] != "-->" {
                    body.append(lines[i])
                    i += 1
                }
                files[file] = body.joined(separator: "\n") + "\n"
            } else if line.hasPrefix("```") {
                var block: [(Int, String)] = []
                i += 1
                while i < lines.count, !lines[i].hasPrefix("```") {
                    block.append((i + 1, lines[i]))
                    i += 1
                }
                if let first = block.first?.1, first.hasPrefix("$ ") {
                    if !skip { examples += commands(of: block, page: name, files: files) }
                    files = [:]
                }
                skip = false
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                // A skip applies to the block right after it, with only blank lines between.
                skip = false
            }
            i += 1
        }
        return examples
    }

    private static func commands(of block: [(Int, String)], page: String, files: [String: String]) -> [DocExample] {
        var examples: [DocExample] = []
        for (number, line) in block {
            if line.hasPrefix("$ ") {
                examples.append(DocExample(location: "\(page):\(number)", command: String(line.dropFirst(2)), output: [], files: files))
            } else {
                examples[examples.count - 1].output.append(line)
            }
        }
        return examples.filter { runsCohort($0.command) }
    }

    /// Whether a shell command runs `cohort` (`cohort eval …`, `printf … | cohort repl`);
    /// other commands (build scripts, `curl`) are shown for reading, not run.
    static func runsCohort(_ command: String) -> Bool {
        command.hasPrefix("cohort ") || command.contains("| cohort ")
    }
}

@Suite("The documentation's examples")
struct DocExampleTests {
    @Test("there are examples to run, and every skipped block says why")
    func found() throws {
        #expect(DocExamples.all.count >= 15, "\(DocExamples.all.count) examples")
        #expect(DocExamples.all.contains { $0.location.hasPrefix("README.md") })
        #expect(DocExamples.all.contains { $0.command.contains("cohort repl") })
        for url in DocExamples.files {
            for line in try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
            where line.hasPrefix("<!-- doc-test: skip") {
                let reason = line.dropFirst("<!-- doc-test: skip".count).dropLast("-->".count)
                #expect(reason.trimmingCharacters(in: .whitespaces).count > 5, "\(url.lastPathComponent): \(line)")
            }
        }
    }

    @Test("each `$ cohort …` example prints what the documentation shows", arguments: DocExamples.all)
    func example(_ example: DocExample) throws {
        guard let executable = CLIRunner.executable else { throw CLIRunnerError.executableNotFound }
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        // A copy, so an example may add a file to it and commands that walk it see files.
        try FileManager.default.copyItem(atPath: PackagePaths.root.appendingPathComponent("examples").path, toPath: scratch.path("examples"))
        for (name, text) in example.files { try scratch.write(name, text) }

        let isSession = example.command.contains("cohort repl") && example.output.contains { $0.hasPrefix("cohort> ") }
        let inputs = example.output.filter { $0.hasPrefix("cohort> ") || $0.hasPrefix("   ...> ") }.map { String($0.dropFirst(8)) }
        let expected = example.output.filter { line in
            !(isSession && (line.hasPrefix("cohort> ") || line.hasPrefix("   ...> ") || line.hasPrefix("cohort \(cohortVersion) — ")))
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "{ \(example.command)\n} 2>&1"]
        process.currentDirectoryURL = scratch.url
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOME"] = scratch.url.path
        environment.removeValue(forKey: "NO_COLOR")
        process.environment = environment
        let stdin = try scratch.write(".stdin", isSession ? inputs.joined(separator: "\n") + "\n" : "")
        let output = scratch.path(".output")
        FileManager.default.createFile(atPath: output, contents: nil)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdin))
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try process.run()
        // An example that waits for input it never gets must fail, not hang the test run.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("\(example.location): still running after 60 s")
            return
        }
        var printed = try scratch.read(".output").components(separatedBy: "\n")
        if printed.last == "" { printed.removeLast() }
        #expect(Self.matches(printed[...], expected[...]), "\(example.location): \(example.command)\n\(lineDiff(expected, printed))")
    }

    /// Whether the printed lines are the documented ones, where a documented line `...`
    /// stands for any number of lines (an abridged listing).
    static func matches(_ printed: ArraySlice<String>, _ documented: ArraySlice<String>) -> Bool {
        guard let first = documented.first else { return printed.isEmpty }
        if first == "..." {
            return (printed.startIndex...printed.endIndex).contains { matches(printed[$0...], documented.dropFirst()) }
        }
        return printed.first == first && matches(printed.dropFirst(), documented.dropFirst())
    }

    /// The version the banner names.
    private var cohortVersion: String {
        (try? runCohort(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("cohort ".count))
            .map(String.init) ?? ""
    }

    /// The lines that differ, `-` documented and `+` printed.
    private func lineDiff(_ documented: [String], _ printed: [String]) -> String {
        var out = ""
        for k in 0..<max(documented.count, printed.count) {
            let d = k < documented.count ? documented[k] : nil
            let p = k < printed.count ? printed[k] : nil
            if d != p {
                if let d { out += "- \(d)\n" }
                if let p { out += "+ \(p)\n" }
            }
        }
        return out
    }
}
