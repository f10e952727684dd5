import Cohort
import Foundation

/// What a request handler of a service does with Cohort: evaluate every flag for the JSON
/// body of a request (a front end asking for its flags), and one typed flag for its own
/// code path. Independent of any HTTP framework: plug `handle(body:)` into a route.
struct FlagHandler: Sendable {
    /// Where the rules come from; reloaded behind the handler's back.
    let store: RulesetStore

    /// A response: a status code and a JSON body.
    struct Response: Sendable {
        var status: Int
        var body: String
    }

    /// `POST /flags` with `{"user": {...}, "request": {...}}`: every flag's value, variant
    /// and reason, as `{"flags": {...}}`. Invalid JSON is a 400 that says where.
    func handle(body: [UInt8]) -> Response {
        // One snapshot per request: every flag of this response comes from the same rules,
        // however many reloads happen meanwhile.
        let rules = store.ruleset
        let state: FlagsState
        do {
            // Read straight into the slots the rules read: no `Context` is built.
            state = try rules.allFlags(json: body)
        } catch {
            return Response(status: 400, body: #"{"error":"invalid context at \#(error.line):\#(error.column): \#(jsonEscaped(error.message))"}"#)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(state) else {
            return Response(status: 500, body: #"{"error":"could not encode the flags"}"#)
        }
        return Response(status: 200, body: String(decoding: data, as: UTF8.self))
    }

    /// The service's own use of a flag: a typed getter that never throws. A missing flag
    /// or a flag serving another type gives the default, and the detail says why.
    func checkoutPath(for user: Context) -> String {
        let rules = store.ruleset
        let detail = rules.boolDetail("new_checkout", in: user, default: false)
        if let code = detail.errorCode {
            // Log and carry on with the default: a flag must never take the service down.
            log("new_checkout: \(code.rawValue): \(detail.errorMessage ?? "")")
        }
        return detail.value.boolValue == true ? "/checkout/v2" : "/checkout"
    }

    private func jsonEscaped(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}

/// A line on standard error (the service's log).
func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
