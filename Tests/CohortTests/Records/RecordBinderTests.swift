@testable import Cohort
import Testing

/// The record binder must give exactly what the full reader plus path resolution gives:
/// the same value at every path, and failure exactly where the full reader fails.
@Suite("Record binder")
struct RecordBinderTests {
    /// Paths like a ruleset's: flat and nested keys, indices, a path that is a prefix of
    /// another, keys that need escapes or compare by canonical equivalence.
    static let paths: [AttributePath] = [
        AttributePath(root: "user", components: [.key("id")]),
        AttributePath(root: "user", components: [.key("group")]),
        AttributePath(root: "user", components: [.key("address"), .key("city")]),
        AttributePath(root: "user", components: [.key("address")]),
        AttributePath(root: "user", components: [.key("tags"), .index(0)]),
        AttributePath(root: "user", components: [.key("tags"), .index(2)]),
        AttributePath(root: "user", components: [.key("m"), .index(1), .key("k")]),
        AttributePath(root: "user", components: [.key("quo\"te")]),
        AttributePath(root: "user", components: [.key("caf\u{E9}")]),
        AttributePath(root: "user", components: [.key("K")]),
        AttributePath(root: "device", components: [.key("os")]),
    ]

    /// What the full reader gives for each output, or nil when it rejects the record.
    func expected(_ text: String, contextRecords: Bool) -> [Value]? {
        guard case .object(let fields)? = try? JSONReader.parse(text) else { return nil }
        let record = Value.object(fields)
        let roots = contextRecords ? fields : ["user": record]
        var id = record
        for key in ["meta", "id"] { id = Operations.member(id, key) }
        return Self.paths.map { $0.resolve(in: roots) } + [id]
    }

    func bound(_ text: String, contextRecords: Bool) -> [Value]? {
        let binder = RecordBinder(paths: Self.paths, extra: [[.key("meta"), .key("id")]], recordRoot: "user",
                                  contextRecords: contextRecords)
        var outputs = [Value](repeating: "stale", count: binder.outputCount)
        var scratch = RecordBinder.Scratch()
        let bytes = Array(text.utf8)
        let ok = bytes.withUnsafeBytes { raw in outputs.withUnsafeMutableBufferPointer { binder.bind(raw, into: $0, scratch: &scratch) } }
        return ok ? outputs : nil
    }

    @Test("hand-picked records: nested, duplicates, escapes, non-objects, invalid", arguments: [
        #"{"id":"u-1","group":"qa","other":{"deep":[1,2,{"x":null}]},"n":-1.5e3}"#,
        #"{"address":{"city":"Oslo","zip":"0150"},"tags":["a","b","c"]}"#,
        #"{"address":"not an object","tags":"nope"}"#,
        #"{"id":"first","id":"second"}"#,
        #"{"address":{"city":"A"},"address":{"zip":"B"}}"#,
        #"{"address":{"city":"A"},"address":5}"#,
        #"{"m":[{"k":1},{"k":2}],"meta":{"id":"m-7"}}"#,
        #"{"quo\"te":"yes","caf\u00e9":"nfc","K":"ascii"}"#,
        "{\"cafe\u{301}\":\"nfd key\",\"\u{212A}\":\"kelvin sign\"}",
        #"{"\u0069d":"escaped key","group":"\ud83d\ude00"}"#,
        #"{"user":{"id":"ctx"},"device":{"os":"ios"}}"#,
        #"  {"id" : "spaces" , "group":"x" }  "#,
        "{}", "[]", "5", "\"s\"", "null", "", "   ",
        #"{"id":"u","skip":[1,2,]}"#, #"{"id":"u",}"#, #"{"id":"u"} x"#, #"{"id":"u""#, #"{"id":01}"#,
        #"{"id":"\ud800"}"#, #"{"skip":"\ud800"}"#, #"{"skip":"a\u0001b"}"#, "{\"skip\":\"\u{1}\"}",
        #"{"skip":tru}"#, #"{"skip":1e999}"#, #"{"id":1e999}"#, #"{"skip":{"a" 1}}"#, #"{"skip":[}"#,
        #"{"tags":[1,2,3,]}"#, #"{"tags":["x"],"tags":[]}"#,
    ])
    func handPicked(text: String) {
        for contextRecords in [false, true] {
            #expect(bound(text, contextRecords: contextRecords) == expected(text, contextRecords: contextRecords),
                    "\(text) (context records: \(contextRecords))")
        }
    }

    @Test("invalid UTF-8 in a skipped member fails as the full reader does")
    func invalidUTF8() {
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            let bytes = Array(#"{"id":"ok","skip":""#.utf8) + bad + Array(#""}"#.utf8)
            let binder = RecordBinder(paths: Self.paths, extra: [], recordRoot: "user", contextRecords: false)
            var outputs = [Value](repeating: .null, count: binder.outputCount)
            var scratch = RecordBinder.Scratch()
            let ok = bytes.withUnsafeBytes { raw in outputs.withUnsafeMutableBufferPointer { binder.bind(raw, into: $0, scratch: &scratch) } }
            #expect(!ok)
            #expect((try? JSONReader.parse(bytes)) == nil)
        }
    }

    @Test("nesting: the binder's depth limit is the full reader's")
    func depth() {
        for depth in [510, 511, 512, 513] {
            let skipped = #"{"skip":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            let bound = #"{"address":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            #expect((self.bound(skipped, contextRecords: false) != nil) == ((try? JSONReader.parse(skipped)) != nil), "skip \(depth)")
            #expect((self.bound(bound, contextRecords: false) != nil) == ((try? JSONReader.parse(bound)) != nil), "bind \(depth)")
        }
    }

    /// A random JSON value, sometimes using the keys the paths look for.
    static func randomValue(_ rng: inout SplitMix64, depth: Int) -> String {
        let keys = ["id", "group", "address", "city", "tags", "m", "k", "meta", "user", "device", "os", "quo\\\"te",
                    "caf\\u00e9", "cafe\u{301}", "K", "\u{212A}", "x", "skip", "\\u0069d"]
        switch rng.below(depth > 3 ? 6 : 9) {
        case 0: return "null"
        case 1: return rng.below(2) == 0 ? "true" : "false"
        case 2: return rng.pick(["0", "-1", "1.5", "2e3", "-0", "12345678901234567890", "1E-2"])
        case 3: return "\"" + rng.pick(["", "a", "u-42", "qa", "\\n", "\\u00e9", "\\ud83d\\ude00", "é", "long string with spaces"]) + "\""
        case 4, 5: return "\"" + rng.pick(keys) + "\""
        case 6:
            return "[" + (0..<rng.below(4)).map { _ in randomValue(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<rng.below(5)).map { _ in "\"" + rng.pick(keys) + "\":" + randomValue(&rng, depth: depth + 1) }
                .joined(separator: rng.below(4) == 0 ? " , " : ",") + "}"
        }
    }

    /// Breaks a record the way bad exports do: a byte dropped, changed or inserted.
    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        let i = rng.below(bytes.count)
        switch rng.below(3) {
        case 0: bytes.remove(at: i)
        case 1:
            let replacements = Array("{}[],:\"\\ 0e-ntf".utf8)
            bytes[i] = replacements[rng.below(replacements.count)]
        default:
            let insertions = Array("{}[],:\"\\ 0".utf8)
            bytes.insert(insertions[rng.below(insertions.count)], at: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("20,000 random records, half of them mutated: the binder agrees with the full reader")
    func differential() {
        var rng = SplitMix64(seed: 0xB1D)
        var agreeingFailures = 0
        for n in 0..<20_000 {
            var text = "{" + (0..<rng.below(7)).map { _ in
                "\"" + rng.pick(["id", "group", "address", "tags", "m", "meta", "user", "device", "skip", "quo\\\"te", "K", "\u{212A}"]) + "\":"
                    + Self.randomValue(&rng, depth: 1)
            }.joined(separator: ",") + "}"
            if n % 2 == 1 { text = Self.mutate(text, &rng) }
            let contextRecords = n % 3 == 0
            let want = expected(text, contextRecords: contextRecords)
            #expect(bound(text, contextRecords: contextRecords) == want, "\(text)")
            if want == nil { agreeingFailures += 1 }
        }
        // The mutations must really produce invalid records, or this test shows little.
        #expect(agreeingFailures > 3_000)
    }
}
