import Cohort
import Foundation
import Testing

@Suite("Value: JSON text and bytes")
struct ValueJSONTests {
    @Test("JSON text of every kind")
    func kinds() throws {
        #expect(try Value(json: "null") == .null)
        #expect(try Value(json: " true ") == true)
        #expect(try Value(json: "1") == 1)
        #expect(try Value(json: "-2.5e1") == -25)
        #expect(try Value(json: #""é""#) == "é")
        #expect(try Value(json: "[1, [2]]") == [1, [2]])
        #expect(try Value(json: #"{"a": {"b": null}}"#) == ["a": ["b": nil]])
    }

    @Test("JSON bytes from Data, [UInt8] and a slice read the same")
    func bytes() throws {
        let text = #"{"user": {"id": "u-42", "name": "Zoë"}}"#
        let expected = try Value(json: text)
        #expect(try Value(jsonBytes: Data(text.utf8)) == expected)
        #expect(try Value(jsonBytes: Array(text.utf8)) == expected)
        #expect(try Value(jsonBytes: Array(("  " + text).utf8).dropFirst(2)) == expected)
        #expect(try Value(jsonBytes: text.utf8) == expected)
    }

    @Test("invalid JSON is an error with line and column, never a crash")
    func errors() throws {
        let error = #expect(throws: JSONError.self) { try Value(json: "{\n  \"a\": 1,\n}") }
        #expect(error?.line == 3)
        #expect(error?.column == 1)
        #expect(error.map { "\($0)" }?.hasPrefix("3:1: ") == true)
        #expect(throws: JSONError.self) { try Value(json: "") }
        #expect(throws: JSONError.self) { try Value(json: "NaN") }
        #expect(throws: JSONError.self) { try Value(json: "1e999") }
        #expect(throws: JSONError.self) { try Value(json: "[1] x") }
        #expect(throws: JSONError.self) { try Value(jsonBytes: [0x22, 0xFF, 0x22]) }  // invalid UTF-8
        #expect(throws: JSONError.self) { try Value(json: String(repeating: "[", count: 600) + String(repeating: "]", count: 600)) }
    }

    @Test("a value read from JSON prints back as the same JSON")
    func roundTrip() throws {
        let text = #"{"a":[1,2.5,true,null],"b":"x\"y","c":{}}"#
        #expect(try Value(json: text).jsonText == text)
    }
}
