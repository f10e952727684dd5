import Cohort
import Foundation
import Testing

@Suite("Value: Codable")
struct ValueCodableTests {
    /// Encodes with sorted keys, so the text is comparable.
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> Value {
        try JSONDecoder().decode(Value.self, from: Data(json.utf8))
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var value: Value
        var json: String
        var testDescription: String { name }
    }

    static let kinds: [Case] = [
        Case(name: "null", value: .null, json: "null"),
        Case(name: "true", value: true, json: "true"),
        Case(name: "false", value: false, json: "false"),
        Case(name: "integer", value: 42, json: "42"),
        Case(name: "zero", value: 0, json: "0"),
        Case(name: "negative", value: -3, json: "-3"),
        Case(name: "fraction", value: 0.1, json: "0.1"),
        Case(name: "2^53", value: 9_007_199_254_740_992, json: "9007199254740992"),
        Case(name: "string", value: "u-42", json: #""u-42""#),
        Case(name: "empty string", value: "", json: #""""#),
        Case(name: "escapes", value: "a\"b\\c\nd\u{1}", json: #""a\"b\\c\nd\u0001""#),
        Case(name: "empty list", value: [], json: "[]"),
        Case(name: "mixed list", value: [1, "a", true, nil, [2]], json: #"[1,"a",true,null,[2]]"#),
        Case(name: "empty object", value: [:], json: "{}"),
        Case(name: "nested object", value: ["user": ["id": "u-42", "tags": ["beta"], "plan": nil]],
             json: #"{"user":{"id":"u-42","plan":null,"tags":["beta"]}}"#),
    ]

    @Test("every JSON kind encodes as itself and decodes back to the same value", arguments: kinds)
    func roundTrip(_ c: Case) throws {
        #expect(try Self.encode(c.value) == c.json)
        #expect(try Self.decode(c.json) == c.value)
        #expect(try Self.decode(Self.encode(c.value)) == c.value)
    }

    @Test("a version and a time encode as their canonical strings and decode as strings")
    func versionsAndTimes() throws {
        let version = Value.version(Version("v2.4.0-beta.1+build.7")!)
        let time = Value.time(Instant(timestamp: "2026-03-01T12:30:00.5+01:00")!)
        #expect(try Self.encode(version) == #""2.4.0-beta.1+build.7""#)
        #expect(try Self.encode(time) == #""2026-03-01T11:30:00.5Z""#)
        // JSON has no version or time: they come back as the strings rules read them from.
        #expect(try Self.decode(Self.encode(version)) == .string("2.4.0-beta.1+build.7"))
        #expect(try Self.decode(Self.encode(time)) == .string("2026-03-01T11:30:00.5Z"))
        // The same text as jsonText.
        #expect(try Self.encode(version) == version.jsonText)
        #expect(try Self.encode(time) == time.jsonText)
    }

    @Test("a non-finite number encodes as null, as jsonText writes it")
    func nonFinite() throws {
        #expect(try Self.encode(Value.number(.infinity)) == "null")
        #expect(try Self.encode(Value.number(.nan)) == "null")
    }

    @Test("decoding tells true from 1 and false from 0")
    func booleansAreNotNumbers() throws {
        #expect(try Self.decode("true") == .bool(true))
        #expect(try Self.decode("1") == .number(1))
        #expect(try Self.decode("[false, 0]") == [false, 0])
        #expect(try Self.decode("true") != .number(1))
    }

    @Test("the encoding matches jsonText for a value of every kind")
    func matchesJSONText() throws {
        let value: Value = ["n": 1.5, "s": "é", "l": [nil, true], "o": ["z": 1, "a": 2],
                            "v": .version(Version("1.2.3")!), "t": .time(Instant(seconds: 0))]
        #expect(try Self.encode(value) == value.jsonText)
    }

    @Test("Unicode strings and keys survive exactly, without normalisation")
    func unicode() throws {
        // "é" as one scalar and as e + combining acute are different values in Cohort.
        let composed: Value = ["é": "é"]
        let decomposed: Value = ["e\u{301}": "e\u{301}"]
        for value in [composed, decomposed, ["emoji": "👩🏽‍💻 日本語"], ["\u{0}": "nul\u{0}byte"]] as [Value] {
            let back = try Self.decode(Self.encode(value))
            #expect(back == value)
            #expect(back.jsonText == value.jsonText)
        }
        #expect(try Self.decode(Self.encode(composed)) != decomposed)
        // Escaped surrogate pairs decode to the scalar.
        #expect(try Self.decode(#""\ud83d\ude00""#) == "😀")
    }

    @Test("a value nested in the caller's own Codable type")
    func nestedInAStruct() throws {
        struct Response: Codable, Equatable {
            var flag: String
            var value: Value
        }
        let response = Response(flag: "checkout_button", value: "green")
        let json = try Self.encode(response)
        #expect(json == #"{"flag":"checkout_button","value":"green"}"#)
        #expect(try JSONDecoder().decode(Response.self, from: Data(json.utf8)) == response)
        let flags = try JSONDecoder().decode([String: Value].self, from: Data(#"{"a": true, "b": [1], "c": null}"#.utf8))
        #expect(flags == ["a": true, "b": [1], "c": .null])
    }

    @Test("decoding the same JSON through JSONDecoder and Value(json:) gives the same value")
    func decoderAgreesWithReader() throws {
        let json = #"{"id": "u-42", "n": [1, 2.5, -0.0, 1e21], "ok": false, "x": null, "s": "\u00e9\n"}"#
        #expect(try Self.decode(json) == Value(json: json))
    }
}
