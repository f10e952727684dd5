/// A JSON-RPC 2.0 error object: a code from the ranges JSON-RPC and LSP define, and a
/// message for the person reading the editor's log.
package struct JSONRPCError: Error, Sendable, Hashable {
    /// The error code.
    package var code: Int
    /// What went wrong, in one sentence.
    package var message: String

    /// Creates an error.
    package init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    // MARK: Codes

    /// The bytes were not JSON, or not a well-formed `Content-Length` frame (JSON-RPC).
    package static let parseErrorCode = -32700
    /// JSON that is not a request or notification (JSON-RPC).
    package static let invalidRequestCode = -32600
    /// No such method (JSON-RPC).
    package static let methodNotFoundCode = -32601
    /// The parameters do not have the shape the method needs (JSON-RPC).
    package static let invalidParamsCode = -32602
    /// A request arrived before `initialize` (LSP).
    package static let serverNotInitializedCode = -32002
    /// The client cancelled the request before the server answered it (LSP).
    package static let requestCancelledCode = -32800
    /// The request was valid but could not be carried out, e.g. formatting a file with a
    /// syntax error (LSP).
    package static let requestFailedCode = -32803

    // MARK: Factories

    /// A parse error (-32700) saying `message`.
    package static func parseError(_ message: String) -> JSONRPCError {
        JSONRPCError(code: parseErrorCode, message: message)
    }

    /// An invalid request (-32600) saying `message`.
    package static func invalidRequest(_ message: String) -> JSONRPCError {
        JSONRPCError(code: invalidRequestCode, message: message)
    }

    /// MethodNotFound (-32601) naming `method`.
    package static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFoundCode, message: "method '\(method)' is not supported by cohort lsp")
    }

    /// Invalid parameters (-32602) saying `message`.
    package static func invalidParams(_ message: String) -> JSONRPCError {
        JSONRPCError(code: invalidParamsCode, message: message)
    }

    /// The JSON form, for the `error` member of a response.
    package var json: Value {
        .object(["code": .number(Double(code)), "message": .string(message)])
    }
}
