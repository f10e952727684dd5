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
    func expected(_ text: String, contextRecords: Bool, paths: [AttributePath] = Self.paths) -> [Value]? {
        expected(Array(text.utf8), contextRecords: contextRecords, paths: paths)
    }

    /// `expected` for bytes, which may be any bytes (a record cut short, invalid UTF-8).
    func expected(_ bytes: [UInt8], contextRecords: Bool, paths: [AttributePath] = Self.paths) -> [Value]? {
        guard case .object(let fields)? = try? JSONReader.parse(bytes) else { return nil }
        let record = Value.object(fields)
        let roots = contextRecords ? fields : ["user": record]
        var id = record
        for key in ["meta", "id"] { id = Operations.member(id, key) }
        return paths.map { $0.resolve(in: roots) } + [id]
    }

    /// What the binder gives for each output, or nil when it reports failure.
    func bound(_ text: String, contextRecords: Bool, paths: [AttributePath] = Self.paths) -> [Value]? {
        let binder = RecordBinder(paths: paths, extra: [[.key("meta"), .key("id")]], recordRoot: "user",
                                  contextRecords: contextRecords)
        var scratch = RecordBinder.Scratch()
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { bound($0, binder: binder, scratch: &scratch) }
    }

    /// Binds `record` into fresh outputs (holding stale values first, as reused outputs do).
    /// Also binds it once without the scratch (as `evaluateAll(json:)` does), which must give
    /// the same answer.
    func bound(_ record: UnsafeRawBufferPointer, binder: RecordBinder, scratch: inout RecordBinder.Scratch) -> [Value]? {
        var outputs = [Value](repeating: "stale", count: binder.outputCount)
        let ok = outputs.withUnsafeMutableBufferPointer { binder.bind(record, into: $0, scratch: &scratch) }
        var once = [Value](repeating: "stale", count: binder.outputCount)
        let onceOK = once.withUnsafeMutableBufferPointer { binder.bindOnce(record, into: $0) }
        #expect(onceOK == ok, "bindOnce disagrees on whether the record binds")
        if ok && onceOK { #expect(once == outputs, "bindOnce bound other values") }
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
        for n in 0..<PropertyScale.count(5_000) {
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
        #expect(agreeingFailures > PropertyScale.count(750))
    }

    // MARK: - The fast paths: plain ASCII keys found by length and words, strings scanned
    // and built eight bytes at a time

    /// ASCII keys only, so every node takes the hashed fast path: keys of 0 to 24 bytes
    /// (around the 8- and 16-byte words the lookup compares), keys that share their first
    /// eight bytes, their last eight, or both with a different middle, and one node with
    /// many keys, so the hash table has collisions to probe past.
    static let asciiKeys: [String] = [
        "", "a", "id", "abcdefg", "abcdefgh", "abcdefghi", "abcdefgh2", "abcdefghij", "abcdefghijklmno",
        "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopqrstuvwx", "abcdefghijXlmnopqrstuvwx",
        "Xbcdefghijklmnopqrstuvwx", "beta_opt_out", "beta_opt_in", "app_version", "signup_at",
    ] + (0..<40).map { "k\($0)" }

    /// A path per ASCII key, and two that go deeper (so some keys lead to inner nodes).
    static let asciiPaths: [AttributePath] =
        asciiKeys.map { AttributePath(root: "user", components: [.key($0)]) } + [
            AttributePath(root: "user", components: [.key("abcdefghi"), .key("abcdefgh")]),
            AttributePath(root: "user", components: [.key("abcdefghijklmnopq"), .index(1)]),
        ]

    /// Keys for random records: the paths' keys, near misses of them (one byte longer,
    /// shorter or different, at either end or in the middle), and escaped spellings that
    /// decode to a path's key.
    static let recordKeys: [String] = asciiKeys + [
        " ", "abcdef", "abcdefgX", "abcdefghX", "abcdefgh3", "abcdefghijklmnoX", "abcdefghijklmnopX", "abcdefghijklmnopqr",
        "abcdefghijklmnopqrstuvwX", "abcdefghijklmXopqrstuvwx", "k40", "k", "beta_opt_ou", "meta",
        #"\u0061bcdefgh"#, #"abcdefg\u0068i"#, #"abcdefghijklmnop\u0071"#, #"k\u0031"#, #"\"id"#, "é", "abcdefgh\u{E9}",
    ]

    /// String values around the lengths where the representation changes: up to 15 bytes
    /// is a small string, 16 and more has storage; 8 bytes is one scan word.
    static func randomString(_ rng: inout SplitMix64) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_.@ ".utf8)
        switch rng.below(10) {
        case 0: return rng.pick([#"\n"#, #"a\"b"#, #"\u00e9t\u00e9"#, #"\ud83d\ude00"#, "é", "naïve café", "日本語のテキスト"])
        default:
            let length = rng.below(40)
            return String(decoding: (0..<length).map { _ in alphabet[rng.below(alphabet.count)] }, as: UTF8.self)
        }
    }

    /// A random JSON value for `randomASCIIRecord`: mostly strings, some nesting.
    static func randomASCIIValue(_ rng: inout SplitMix64, depth: Int) -> String {
        switch rng.below(depth > 2 ? 6 : 8) {
        case 0: return rng.pick(["null", "true", "false"])
        case 1: return rng.pick(["0", "-1.5", "2e3", "12345678901234567890", "1e999"])
        case 2, 3, 4, 5: return "\"" + randomString(&rng) + "\""
        case 6: return "[" + (0..<rng.below(4)).map { _ in randomASCIIValue(&rng, depth: depth + 1) }.joined(separator: ",") + "]"
        default: return randomASCIIRecord(&rng, depth: depth + 1)
        }
    }

    /// A random object whose keys are `recordKeys` (duplicates included), with a space
    /// around some colons and commas.
    static func randomASCIIRecord(_ rng: inout SplitMix64, depth: Int = 0) -> String {
        "{" + (0..<rng.below(depth == 0 ? 12 : 4)).map { _ in
            "\"" + rng.pick(recordKeys) + "\"" + rng.pick([":", " : "]) + randomASCIIValue(&rng, depth: depth)
        }.joined(separator: rng.below(4) == 0 ? " , " : ",") + "}"
    }

    @Test("20,000 random records with ASCII keys (the hashed lookup), half of them mutated: the binder agrees with the full reader")
    func differentialASCIIKeys() {
        var rng = SplitMix64(seed: 0xA5C11)
        var agreeingFailures = 0
        for n in 0..<PropertyScale.count(5_000) {
            var text = Self.randomASCIIRecord(&rng)
            if n % 2 == 1 { text = Self.mutate(text, &rng) }
            let want = expected(text, contextRecords: false, paths: Self.asciiPaths)
            #expect(bound(text, contextRecords: false, paths: Self.asciiPaths) == want, "\(text)")
            if want == nil { agreeingFailures += 1 }
        }
        #expect(agreeingFailures > PropertyScale.count(750))
    }

    @Test("keys of 7, 8, 9, 16 and 17 bytes: found exactly, near misses and escaped spellings as the full reader finds them", arguments: [
        #"{"abcdefg":"7","abcdefgh":"8","abcdefghi":"9","abcdefghijklmnop":"16","abcdefghijklmnopq":"17"}"#,
        #"{"abcdefgX":1,"abcdefghX":2,"abcdefgh3":3,"abcdefghijklmnopX":4,"abcdefghijklmnoX":5,"abcdef":6}"#,
        #"{"abcdefghijklmnopqrstuvwx":"a","abcdefghijXlmnopqrstuvwx":"b","abcdefghijklmXopqrstuvwx":"c"}"#,
        #"{"\u0061bcdefgh":"escaped 8","abcdefg\u0068i":"escaped 9","abcdefghijklmnop\u0071":"escaped 17"}"#,
        #"{"abcdefgh":"first","abcdefgh":"second","abcdefghi":{"abcdefgh":"inner"},"abcdefghi":"flat"}"#,
        #"{"\u0061bcdefgh":"escaped first","abcdefgh":"plain second"}"#, #"{"abcdefgh":"plain first","\u0061bcdefgh":"escaped second"}"#,
        #"{"":"empty key","a":"","":"empty key again"}"#,
        #"{"abcdefghi":{"abcdefgh":"inner"},"abcdefghi":{"other":1}}"#,
        #"{"abcdefghijklmnopq":["x","y"],"abcdefghijklmnopq":["z"]}"#,
        #"{"beta_opt_out":true,"beta_opt_in":false,"app_version":"5.2.1","signup_at":null}"#,
        #"{"k0":0,"k1":1,"k39":39,"k40":40,"k":"short","k\u0031":"escaped k1"}"#,
        #"{"a":"","id":"0123456789abcde","abcdefg":"0123456789abcdef","abcdefgh":"0123456789abcdefg"}"#,
        #"{"a":"x"}"#, #"{"abcdefg":1}"#, #"{"abcdefgh":1}"#, #"{"abcdefghi":1}"#, #"{"a":"abcdefg"}"#, #"{"a":"abcdefgh"}"#,
    ])
    func asciiKeys(text: String) {
        #expect(bound(text, contextRecords: false, paths: Self.asciiPaths) == expected(text, contextRecords: false, paths: Self.asciiPaths),
                "\(text)")
    }

    @Test("a record cut at every byte binds as the full reader reads the cut record, whatever bytes follow the cut")
    func cutRecords() {
        var rng = SplitMix64(seed: 0xC07)
        let binder = RecordBinder(paths: Self.asciiPaths, extra: [[.key("meta"), .key("id")]], recordRoot: "user", contextRecords: false)
        var scratch = RecordBinder.Scratch()
        let records = [
            #"{"abcdefg":"abcdefg","abcdefghi":"0123456789abcdefghij","a":true,"id":null,"k1":false}"#,
            #"{"abcdefghijklmnopq":[1,"x",{"y":"z"}],"a":"\u00e9","abcdefgh":-12.5e3}"#,
        ] + (0..<30).map { _ in Self.randomASCIIRecord(&rng) }
        for record in records {
            let bytes = Array(record.utf8)
            for cut in 0...bytes.count {
                let want = expected(Array(bytes[..<cut]), contextRecords: false, paths: Self.asciiPaths)
                // The cut record sits in a larger buffer followed by bytes that would
                // complete a string, a literal or the object if they were read.
                for tail in ["", #""}"#, "e\"}", "                "] {
                    let buffer = bytes[..<cut] + Array(tail.utf8)
                    let got = buffer.withUnsafeBytes { raw in
                        bound(UnsafeRawBufferPointer(rebasing: raw[..<cut]), binder: binder, scratch: &scratch)
                    }
                    #expect(got == want, "\(String(decoding: bytes[..<cut], as: UTF8.self)) + \(tail)")
                }
            }
        }
    }

    @Test("strings of every length up to 40 bytes are built exactly, and behave as strings the standard library built")
    func stringLengths() {
        let paths = [AttributePath(root: "user", components: [.key("s")])]
        let binder = RecordBinder(paths: paths, extra: [], recordRoot: "user", contextRecords: false)
        var scratch = RecordBinder.Scratch()
        // Short strings are laid out directly (two words for up to 15 bytes) where the
        // standard library's layout is the one that assumes; elsewhere they take the public
        // initializer. Either way they must be the same strings.
        #if _pointerBitWidth(_64) && _endian(little)
        #expect(StringWords.layoutVerified)
        #endif
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 .-_@".utf8)
        for length in 0...40 {
            let bytes = (0..<length).map { alphabet[$0 % alphabet.count] }
            let text = String(decoding: bytes, as: UTF8.self)
            // At the end of the buffer, and with more record after it.
            for record in [#"{"s":""# + text + #""}"#, #"{"s":""# + text + #"","t":"0123456789"}"#] {
                let got = Array(record.utf8).withUnsafeBytes { bound($0, binder: binder, scratch: &scratch) }
                guard case .string(let s)? = got?.first else {
                    Issue.record("no string for \(record)")
                    continue
                }
                #expect(s == text)
                #expect(Array(s.utf8) == bytes)
                #expect(s.utf8.count == length && s.count == length && s.unicodeScalars.count == length)
                #expect(s.hashValue == text.hashValue)
                #expect(s + "é" == text + "é")
                #expect(s.uppercased() == text.uppercased())
                #expect(Set([s, text]).count == 1)
            }
        }
    }

    @Test("the 8-byte scan stops at the first quote, backslash, control or non-ASCII byte, and never reads past the end")
    func plainRunEnd() {
        var rng = SplitMix64(seed: 0x5CA7)
        let specials: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF, 0x20]
        for _ in 0..<2_000 {
            let length = rng.below(40)
            var bytes = (0..<length).map { _ in UInt8(0x21 + rng.below(0x5E)) }
            for _ in 0..<rng.below(3) where length > 0 {
                bytes[rng.below(length)] = specials[rng.below(specials.count)]
            }
            // A quote after the end that a read past it would find.
            let buffer = bytes + [0x22, 0x22]
            buffer.withUnsafeBufferPointer { raw in
                let parser = JSONParser(base: raw.baseAddress!, count: length, maxDepth: 512)
                for start in 0...length {
                    let want = bytes[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 } ?? length
                    #expect(parser.plainRunEnd(from: start) == want, "\(bytes) from \(start)")
                }
            }
        }
    }

    @Test("literals at the end of a record and run on into letters fail as the full reader fails", arguments: [
        #"{"a":true}"#, #"{"a":false}"#, #"{"a":null}"#, #"{"a":tru}"#, #"{"a":fals}"#, #"{"a":nul}"#, #"{"a":truex}"#,
        #"{"a":nulls}"#, #"{"a":falsy}"#, #"{"a":true"#, #"{"a":fa"#, #"{"x":true}"#, #"{"x":nulL}"#, #"{"x":[true,false,null]}"#,
        #"{"x":[tRue]}"#,
    ])
    func literals(text: String) {
        #expect(bound(text, contextRecords: false, paths: Self.asciiPaths) == expected(text, contextRecords: false, paths: Self.asciiPaths),
                "\(text)")
    }

    @Test("outputs reused from record to record: each record's values replace the last one's, and missing paths read null")
    func reuse() {
        let binder = RecordBinder(paths: Self.asciiPaths, extra: [[.key("meta"), .key("id")]], recordRoot: "user", contextRecords: false)
        var scratch = RecordBinder.Scratch()
        var outputs = [Value](repeating: "stale", count: binder.outputCount)
        var rng = SplitMix64(seed: 0x2E5E)
        for n in 0..<2_000 {
            var text = Self.randomASCIIRecord(&rng)
            if n % 4 == 3 { text = Self.mutate(text, &rng) }
            let bytes = Array(text.utf8)
            let ok = bytes.withUnsafeBytes { raw in outputs.withUnsafeMutableBufferPointer { binder.bind(raw, into: $0, scratch: &scratch) } }
            let want = expected(bytes, contextRecords: false, paths: Self.asciiPaths)
            #expect(ok == (want != nil), "\(text)")
            if ok { #expect(outputs == want, "\(text)") }
        }
    }
}

