import Foundation

/// Finds the test files `cohort test` runs.
package enum TestDiscovery {
    /// The test files under `paths`, in order: a file is taken as given (an unreadable one
    /// is then reported as not compiling); a directory is searched recursively, hidden
    /// files and directories (`.git`, `.build`) skipped, for `.cohort` files that hold a
    /// `use` line or a `test` block, sorted by path. Each file appears once.
    package static func testFiles(in paths: [String]) -> [String] {
        var found: [String] = []
        var seen = Set<String>()
        for path in paths {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let candidates = exists && isDirectory.boolValue ? searchDirectory(path) : [TestFileCompiler.normalize(path)]
            for file in candidates where !seen.contains(file) {
                seen.insert(file)
                found.append(file)
            }
        }
        return found
    }

    /// The `.cohort` files holding tests under a directory, sorted.
    private static func searchDirectory(_ directory: String) -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return [] }
        var files: [String] = []
        let rootComponents = root.standardizedFileURL.pathComponents
        for case let url as URL in enumerator where url.pathExtension == "cohort" {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            // The path as the user would write it: the directory given, then the rest.
            let relative = url.standardizedFileURL.pathComponents.dropFirst(rootComponents.count).joined(separator: "/")
            let path = TestFileCompiler.normalize(directory + "/" + relative)
            guard let source = try? TestFileCompiler.read(path), TestFileCompiler.holdsTests(source) else { continue }
            files.append(path)
        }
        return files.sorted()
    }
}
