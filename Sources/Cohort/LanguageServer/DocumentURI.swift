import Foundation

/// `file:` URIs, as LSP names documents, and the paths they stand for.
package enum DocumentURI {
    /// The file path of a `file:` URI (percent-escapes decoded); nil for other schemes.
    package static func path(of uri: String) -> String? {
        guard let url = URL(string: uri), url.isFileURL else { return nil }
        let path = url.path
        return path.isEmpty ? nil : path
    }

    /// The `file:` URI of an absolute path.
    package static func uri(ofPath path: String) -> String {
        URL(fileURLWithPath: path).absoluteString
    }

    /// The name a document's diagnostics carry: its path, or the URI itself when it is not a file.
    package static func displayName(_ uri: String) -> String {
        path(of: uri) ?? uri
    }
}
