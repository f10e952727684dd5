import Cohort
import Testing

@Suite("Value: accessors")
struct ValueAccessorsTests {
    static let user: Value = [
        "id": "u-42", "beta": true, "seats": 12, "ratio": 0.5, "tags": ["beta", "qa"],
        "address": ["city": "Zürich"], "none": nil,
        "app": .version(Version("2.4.0")!), "since": .time(Instant(seconds: 0)),
    ]

    @Test("each accessor reads its own kind and is nil for every other")
    func typed() {
        let u = Self.user
        #expect(u["id"]?.stringValue == "u-42")
        #expect(u["beta"]?.boolValue == true)
        #expect(u["seats"]?.numberValue == 12)
        #expect(u["seats"]?.intValue == 12)
        #expect(u["ratio"]?.intValue == nil)
        #expect(u["ratio"]?.numberValue == 0.5)
        #expect(u["tags"]?.arrayValue == ["beta", "qa"])
        #expect(u["address"]?.objectValue == ["city": "Zürich"])
        #expect(u["app"]?.versionValue == Version("2.4.0"))
        #expect(u["since"]?.timeValue == Instant(seconds: 0))
        // Other kinds.
        #expect(u["id"]?.boolValue == nil)
        #expect(u["beta"]?.numberValue == nil)
        #expect(u["seats"]?.stringValue == nil)
        #expect(u["app"]?.stringValue == nil)
        #expect(u["tags"]?.objectValue == nil)
        #expect(u.arrayValue == nil)
        #expect(Value.null.boolValue == nil)
    }

    @Test("intValue is nil for numbers that are not whole or do not fit")
    func intValue() {
        #expect(Value.number(-3).intValue == -3)
        #expect(Value.number(1e3).intValue == 1000)
        #expect(Value.number(1e300).intValue == nil)
        #expect(Value.number(.nan).intValue == nil)
        #expect(Value.number(-0.0).intValue == 0)
    }

    @Test("subscripts reach into objects and lists, nil when absent, .null when null")
    func subscripts() {
        let u = Self.user
        #expect(u["address"]?["city"] == "Zürich")
        #expect(u["tags"]?[1] == "qa")
        #expect(u["tags"]?[2] == nil)
        #expect(u["tags"]?[-1] == nil)
        #expect(u["missing"] == nil)
        #expect(u["none"] == .null)
        #expect(u[0] == nil)
        #expect(Value.string("abc")["a"] == nil)
    }
}
