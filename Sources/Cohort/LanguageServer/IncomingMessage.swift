/// One JSON-RPC 2.0 message from the client, classified. Every byte sequence becomes one
/// of these: what is not a well-formed request or notification is `.invalid`, with the
/// error the server answers it with.
package enum IncomingMessage: Sendable, Hashable {
    /// A call that wants an answer with the same `id` (a string, a number or null).
    case request(id: Value, method: String, params: Value)
    /// A call that wants no answer.
    case notification(method: String, params: Value)
    /// An answer to a request of the server's. The server sends none, so these are ignored.
    case response(id: Value)
    /// Not a message the server can act on; answered with `error` (to `id`, or to null
    /// when the id could not be read).
    case invalid(id: Value, error: JSONRPCError)

    /// The deepest nesting a message may have. LSP's deepest parameters (client
    /// capabilities) nest about eight levels; bounding it keeps a hostile message from
    /// costing a deep recursive destruction.
    package static let maxDepth = 64

    /// Reads one frame's body.
    package init(body: [UInt8]) {
        let json: Value
        do {
            json = try JSONReader.parse(body, maxDepth: Self.maxDepth)
        } catch {
            self = .invalid(id: .null, error: .parseError("invalid JSON at \(error.line):\(error.column): \(error.message)"))
            return
        }
        self.init(json: json)
    }

    /// Classifies a parsed JSON value.
    package init(json: Value) {
        guard case .object(let fields) = json else {
            if case .list = json {
                self = .invalid(id: .null, error: .invalidRequest("JSON-RPC batches are not supported by the Language Server Protocol; send one message per frame"))
            } else {
                self = .invalid(id: .null, error: .invalidRequest("a message must be a JSON object"))
            }
            return
        }
        let id = fields["id"]
        if let id {
            switch id {
            case .string, .null: break
            case .number(let n) where n.isFinite: break
            default:
                self = .invalid(id: .null, error: .invalidRequest("'id' must be a string, a number or null"))
                return
            }
        }
        guard fields["jsonrpc"] == .string("2.0") else {
            self = .invalid(id: id ?? .null, error: .invalidRequest("'jsonrpc' must be \"2.0\""))
            return
        }
        if let method = fields["method"] {
            guard case .string(let name) = method else {
                self = .invalid(id: id ?? .null, error: .invalidRequest("'method' must be a string"))
                return
            }
            let params = fields["params"] ?? .null
            switch params {
            case .object, .list, .null: break
            default:
                self = .invalid(id: id ?? .null, error: .invalidRequest("'params' must be an object or an array"))
                return
            }
            if let id {
                self = .request(id: id, method: name, params: params)
            } else {
                self = .notification(method: name, params: params)
            }
        } else if let id, fields["result"] != nil || fields["error"] != nil {
            self = .response(id: id)
        } else {
            self = .invalid(id: id ?? .null, error: .invalidRequest("a message needs a 'method' (or, for a response, a 'result' or 'error')"))
        }
    }

    /// The method of a request or notification.
    package var method: String? {
        switch self {
        case .request(_, let method, _), .notification(let method, _): method
        case .response, .invalid: nil
        }
    }
}
