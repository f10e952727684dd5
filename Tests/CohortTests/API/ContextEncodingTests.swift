import Cohort
import Foundation
import Testing

@Suite("Context: from Encodable values")
struct ContextEncodingTests {
    struct User: Encodable {
        var id: String
        var plan: String
        var seatCount: Int
        var beta: Bool
        var tags: [String]
        var signedUpAt: Date
        var nickname: String?
    }

    static let user = User(id: "u-42", plan: "pro", seatCount: 12, beta: true, tags: ["qa"],
                           signedUpAt: Date(timeIntervalSince1970: 1_767_225_600), nickname: nil)

    @Test("keys are the Encodable's own: camelCase unless the encoder converts them")
    func keyNames() throws {
        let plain = try Context(encoding: Self.user, as: "user")
        #expect(plain["user"]["seatCount"] == 12)
        #expect(plain["user"]["seat_count"] == nil)

        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        let snake = try Context(encoding: Self.user, as: "user", encoder: encoder)
        #expect(snake["user"] == [
            "id": "u-42", "plan": "pro", "seat_count": 12, "beta": true, "tags": ["qa"],
            "signed_up_at": "2026-01-01T00:00:00Z",
        ])
    }

    @Test("rules read an encoded context as they read a literal one")
    func rulesRead() throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        let context = try Context(encoding: Self.user, as: "account", encoder: encoder)
        let rule = try Rule(#"account.plan == "pro" and account.seat_count > 10 and time(account.signed_up_at) < date("2026-06-01")"#)
        #expect(rule.matches(context))
        // With the default encoder the snake_case path is missing: the rule does not match.
        #expect(!rule.matches(try Context(encoding: Self.user, as: "account")))
    }

    @Test("a root of any JSON kind, and a dictionary")
    func otherShapes() throws {
        #expect(try Context(encoding: ["region": "eu"], as: "request")["request"] == ["region": "eu"])
        #expect(try Context(encoding: [1, 2], as: "list")["list"] == [1, 2])
        #expect(try Context(encoding: "x")["user"] == "x")
    }

    @Test("an encoder failure is thrown, never a crash")
    func encoderFailure() {
        #expect(throws: EncodingError.self) { try Context(encoding: ["x": Double.nan]) }
    }
}
