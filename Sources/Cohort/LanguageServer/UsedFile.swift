/// A rule file that a test file names with `use "PATH"`, as the server found it: the
/// open document of that path, or the file on disk.
package struct UsedFile: Sendable {
    /// The `use` line.
    package var directive: UseDirective
    /// The rule file's URI.
    package var uri: String
    /// Its analysis; nil when it cannot be read.
    package var analysis: DocumentAnalysis?

    /// A used file as found.
    package init(directive: UseDirective, uri: String, analysis: DocumentAnalysis?) {
        self.directive = directive
        self.uri = uri
        self.analysis = analysis
    }
}
