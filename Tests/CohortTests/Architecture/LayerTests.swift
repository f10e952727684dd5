import Foundation
import Testing

/// The library's folders are pipeline stages, and a stage names only the stages below it:
/// the VM knows nothing of the compiler, the bytecode nothing of the syntax, and the tools
/// built on top (batch, REPL, tests, language server) reach the engine through the
/// rule-file and API faces. This test reads the sources and fails when a folder names a
/// type declared in a folder it may not use — or when a new folder is not in the table.
@Suite("Architecture")
struct LayerTests {
    /// Each folder of `Sources/Cohort` and the folders it may use. The root file
    /// (`Cohort.swift`, the pipeline) is the folder "(root)", part of the API layer.
    static let allowed: [String: Set<String>] = {
        let source: Set<String> = ["Source"]
        let runtime = source.union(["Runtime"])
        let diagnostics = runtime.union(["Diagnostics"])
        let syntax = diagnostics.union(["Syntax"])
        let semantics = syntax.union(["Semantics"])
        let bytecode = runtime.union(["Bytecode"])
        let vm = bytecode.union(["VM"])
        let compiler = semantics.union(bytecode).union(["Compiler"])
        let records = semantics.union(["Records"])
        let api = compiler.union(vm).union(records).union(["API", "(root)"])
        let rulesets = api.union(["Rulesets"])
        // The tools on top: each may use every stage below; a tool uses another only where
        // listed (the language server knows test files).
        let tools = rulesets
        return [
            "Source": source, "Diagnostics": diagnostics, "Runtime": runtime, "Syntax": syntax, "Semantics": semantics,
            "Bytecode": bytecode, "VM": vm, "Compiler": compiler, "Records": records, "API": api, "(root)": api,
            "Rulesets": rulesets,
            "Batch": tools.union(["Batch"]), "REPL": tools.union(["REPL"]), "Testing": tools.union(["Testing"]),
            "LanguageServer": tools.union(["LanguageServer", "Testing"]),
            // `cohort check --users` reads records with batch's reader and pipeline.
            "RecordCheck": tools.union(["RecordCheck", "Batch"]),
            // `cohort diff` streams records with batch's reader, pipeline and output file.
            "Diff": tools.union(["Diff", "Batch"]),
            // The store a service holds its rules in (reload, watch, change notifications).
            "Store": tools.union(["Store"]),
        ]
    }()

    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Cohort")

    /// The folder of each Swift file under `Sources/Cohort`, and its text without comments.
    static func files() throws -> [(folder: String, path: String, text: String)] {
        let enumerator = try #require(FileManager.default.enumerator(atPath: sources.path))
        var files: [(String, String, String)] = []
        for case let relative as String in enumerator where relative.hasSuffix(".swift") {
            let parts = relative.split(separator: "/")
            let folder = parts.count > 1 ? String(parts[0]) : "(root)"
            let text = try String(contentsOf: sources.appendingPathComponent(relative), encoding: .utf8)
            // Comments and string literals may name anything.
            let code = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
                var inString = false
                var previous: Character = " "
                for (offset, c) in line.enumerated() {
                    if c == "\"" && previous != "\\" { inString.toggle() }
                    if !inString && c == "/" && previous == "/" { return line.prefix(offset - 1) }
                    previous = c
                }
                return line
            }.joined(separator: "\n")
            files.append((folder, relative, code))
        }
        return files
    }

    @Test("every folder of Sources/Cohort is in the layer table")
    func everyFolderListed() throws {
        let folders = Set(try Self.files().map(\.folder))
        for folder in folders.sorted() {
            #expect(Self.allowed[folder] != nil,
                    "Sources/Cohort/\(folder) is not in the layer table of LayerTests.swift: add it with the folders it may use")
        }
    }

    @Test("no folder names a type of a folder above it")
    func stagesPointOneWay() throws {
        let files = try Self.files()
        // Types declared at the top level of each folder.
        let declaration = try NSRegularExpression(
            pattern: #"^(?:public |package |private |fileprivate |internal )?(?:final )?(?:indirect )?(?:struct|enum|class|protocol|typealias|actor) +([A-Z][A-Za-z0-9_]*)"#,
            options: .anchorsMatchLines)
        var owner: [String: String] = [:]
        for file in files {
            let range = NSRange(file.text.startIndex..., in: file.text)
            for match in declaration.matches(in: file.text, range: range) {
                let name = String(file.text[Range(match.range(at: 1), in: file.text)!])
                owner[name] = owner[name] ?? file.folder
            }
        }
        #expect(owner["VM"] == "VM" && owner["Program"] == "Bytecode" && owner["Parser"] == "Syntax", "the declaration scan found the stages")
        let word = try NSRegularExpression(pattern: #"\b[A-Z][A-Za-z0-9_]*\b"#)
        for file in files {
            guard let allowed = Self.allowed[file.folder] else { continue }
            let range = NSRange(file.text.startIndex..., in: file.text)
            var named: Set<String> = []
            for match in word.matches(in: file.text, range: range) { named.insert(String(file.text[Range(match.range, in: file.text)!])) }
            for name in named.sorted() {
                guard let home = owner[name], home != file.folder else { continue }
                #expect(allowed.contains(home), "\(file.path) names \(name), declared in \(home)/, a stage \(file.folder)/ may not use")
            }
        }
    }
}
