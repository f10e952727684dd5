import Cohort
import Foundation
import Testing

@Suite("Value: from Foundation objects")
struct ValueFoundationTests {
    static func serialized(_ json: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
    }

    @Test("JSONSerialization's output converts to the value the library's reader gives")
    func sameAsReader() throws {
        let json = #"{"id": "u-42", "beta": true, "off": false, "one": 1, "zero": 0, "pi": 3.25, "neg": -7,"#
            + #" "big": 12345678901234567890, "none": null, "tags": ["a", 1, true, null, {"k": [0]}], "name": "Zoë 👩🏽‍💻"}"#
        #expect(try Value(any: Self.serialized(json)) == Value(json: json))
    }

    @Test("NSNumber booleans and numbers are told apart", arguments: [
        ("true", Value.bool(true)), ("false", .bool(false)), ("1", .number(1)), ("0", .number(0)),
        ("1.0", .number(1)), ("-0", .number(0)), ("255", .number(255)), ("-128", .number(-128)),
    ])
    func nsNumberBooleans(_ json: String, _ expected: Value) throws {
        let value = try Value(any: Self.serialized(json))
        #expect(value == expected)
        #expect(value.typeName == expected.typeName)
    }

    @Test("NSNumber objects made directly keep their kind")
    func nsNumbers() throws {
        #expect(try Value(any: NSNumber(value: true)) == true)
        #expect(try Value(any: NSNumber(value: false)) == false)
        #expect(try Value(any: NSNumber(value: 1)) == 1)
        #expect(try Value(any: NSNumber(value: 0)) == 0)
        #expect(try Value(any: NSNumber(value: 2.5)) == 2.5)
        #expect(try Value(any: NSNumber(value: UInt64.max)) == .number(Double(UInt64.max)))
        #expect(try Value(any: NSNumber(value: Int64.min)) == .number(Double(Int64.min)))
    }

    @Test("Swift values in an Any convert by their own type")
    func swiftValues() throws {
        let dictionary: [String: Any] = [
            "bool": true, "int": 1, "int8": Int8(-3), "uint": UInt(7), "double": 0.5, "float": Float(1.5),
            "string": "s", "substring": "abc".dropFirst(), "null": NSNull(), "list": [1, 2], "strings": ["x"],
            "nested": ["deep": ["deeper": false]], "value": Value.version(Version("1.2.3")!),
            "date": Date(timeIntervalSince1970: 86_400), "optional": Optional<Int>.none as Any, "some": Optional(4) as Any,
        ]
        let expected: Value = [
            "bool": true, "int": 1, "int8": -3, "uint": 7, "double": 0.5, "float": 1.5,
            "string": "s", "substring": "bc", "null": nil, "list": [1, 2], "strings": ["x"],
            "nested": ["deep": ["deeper": false]], "value": .version(Version("1.2.3")!),
            "date": .time(Instant(seconds: 86_400)), "optional": nil, "some": 4,
        ]
        #expect(try Value(any: dictionary) == expected)
        #expect(try Value(any: true) == true)
        #expect(try Value(any: 1) == 1)
    }

    @Test("dictionaries bridged from NSDictionary and with AnyHashable keys")
    func bridgedContainers() throws {
        let ns = NSDictionary(dictionary: ["a": NSNumber(value: true), "b": NSArray(array: [NSNumber(value: 1), NSString(string: "x")])])
        #expect(try Value(any: ns) == ["a": true, "b": [1, "x"]])
        let hashable: [AnyHashable: Any] = ["k": 1]
        #expect(try Value(any: hashable) == ["k": 1])
    }

    @Test("a value with no JSON counterpart is an error naming its path")
    func unsupported() throws {
        let url = URL(string: "https://example.com")!
        var error = #expect(throws: ValueConversionError.self) { try Value(any: ["user": ["tags": ["a", url]]]) }
        #expect(error?.path == "user.tags[1]")
        #expect(error?.typeName == "URL")
        #expect(error?.description.hasPrefix("user.tags[1]: a URL is not a JSON value") == true)

        error = #expect(throws: ValueConversionError.self) { try Value(any: ["a b": Data()]) }
        #expect(error?.path == #"["a b"]"#)

        error = #expect(throws: ValueConversionError.self) { try Value(any: [1: "x"]) }
        #expect(error?.path == "")
        #expect(error?.message.contains("key must be a String") == true)

        error = #expect(throws: ValueConversionError.self) { try Value(any: ["x": Double.nan]) }
        #expect(error?.path == "x")
        #expect(throws: ValueConversionError.self) { try Value(any: NSNumber(value: Double.infinity)) }
    }
}
