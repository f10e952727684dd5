/// A rule file that a test file names with `use "PATH"`, as the server found it: the
/// open document of that path, or the file on disk.
package struct UsedFile: Sendable {
    /// The `use` line.
    package var directive: UseDirective
    /// The rule file's URI.
    package var uri: String
    /// Its analysis; nil when it cannot be read.
    package var analysis: DocumentAnalysis?

    package init(directive: UseDirective, uri: String, analysis: DocumentAnalysis?) {
        self.directive = directive
        self.uri = uri
        self.analysis = analysis
    }
}

extension DocumentAnalysis {
    /// The declaration a bare name refers to: in this file first, then in the files it uses.
    package func resolve(_ name: String, using used: [UsedFile]) -> (analysis: DocumentAnalysis, index: Int)? {
        if let i = declaration(named: name) { return (self, i) }
        for file in used {
            if let analysis = file.analysis, let i = analysis.declaration(named: name) { return (analysis, i) }
        }
        return nil
    }
}
