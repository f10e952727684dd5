import Cohort
import Foundation
import Testing

/// The library as a service uses it: only `import Cohort`, no package access. Bound
/// attributes, JSON contexts, details, typed getters, metadata and error kinds must agree
/// with the plain evaluation.
@Suite("Library API for services")
struct ServiceAPITests {
    static let now = Instant(timestamp: "2026-12-02T00:00:00Z")!
    static let rules = try! Ruleset(contentsOfFile: PackagePaths.example("flags.cohort"))

    /// Generated-looking users as JSON objects (the shapes of examples/users.jsonl).
    static let users: [String] = {
        let path = PackagePaths.example("users.jsonl")
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }()

    @Test("bound attributes, a JSON context and a dictionary context give the same evaluations")
    func threeWaysIn() throws {
        #expect(Self.users.count >= 40)
        for line in Self.users {
            let context = try Context(json: #"{"user":"# + line + "}")
            let expected = Self.rules.evaluateAll(in: context, now: Self.now)
            #expect(Self.rules.evaluateAll(in: Self.rules.attributes(for: context), now: Self.now) == expected, "\(line)")
            #expect(try Self.rules.evaluateAll(json: Array((#"{"user":"# + line + "}").utf8), now: Self.now) == expected, "\(line)")
            // The generic entry (any collection of bytes) and the array one agree.
            let body = #"{"user":"# + line + "}"
            #expect(try Self.rules.evaluateAll(json: Data(body.utf8), now: Self.now) == expected, "\(line)")
            #expect(try Self.rules.evaluateAll(json: body.utf8, now: Self.now) == expected, "\(line)")
            #expect(try Self.rules.allFlags(json: Data(body.utf8), now: Self.now).details.map(\.value)
                    == Self.rules.allFlags(json: Array(body.utf8), now: Self.now).details.map(\.value))
            for name in Self.rules.flagNames {
                // One flag binds only the attributes it reads, and answers the same.
                #expect(Self.rules.evaluate(name, in: context, now: Self.now) == expected.first { $0.flag == name }, "\(name) \(line)")
            }
        }
    }

    @Test("attributes are set through keys or paths; a key of other rules writes nothing")
    func attributeKeys() throws {
        let rule = try Rule(#"user.group in ["qa", "beta"] or bucket(user.id) < 20"#)
        let group = try #require(rule.attribute("user.group"))
        let id = try #require(rule.attribute("user.id"))
        #expect(rule.attribute("user.plan") == nil)
        var attributes = rule.makeAttributes()
        #expect(!rule.matches(attributes))
        attributes[group] = "qa"
        #expect(rule.matches(attributes))
        #expect(attributes["user.group"] == "qa")
        attributes[group] = "x"
        attributes["user.id"] = "u-42"
        #expect(attributes[id] == "u-42")
        #expect(rule.matches(attributes) == rule.matches(["user": ["group": "x", "id": "u-42"]]))
        // A key from another rule reads null and writes nothing.
        let other = try Rule("user.group == 1")
        var foreign = other.makeAttributes()
        foreign[group] = "qa"
        #expect(foreign[group] == .null)
        attributes.removeAll()
        #expect(attributes[id] == .null)
        #expect(Set(attributes.paths) == ["user.group", "user.id"])
        // Keys are equal for the same path of the same rules only; the same text compiled
        // twice gives other rules, whose keys do not mix.
        #expect(rule.attribute("user.group") == group)
        #expect(rule.attribute("user.group") != id)
        let twin = try Rule(#"user.group in ["qa", "beta"] or bucket(user.id) < 20"#)
        let twinGroup = try #require(twin.attribute("user.group"))
        #expect(twinGroup != group)
        #expect(Set([group, group, twinGroup]).count == 2)
        var twinAttributes = twin.makeAttributes()
        twinAttributes[group] = "qa"
        #expect(twinAttributes[twinGroup] == .null)
    }

    @Test("a key holds its rules: kept after the rules are gone, it still matches nothing else")
    func keysOutliveRules() throws {
        var key: AttributeKey?
        do {
            let gone = try Rule("user.group == 1")
            key = gone.attribute("user.group")
        }
        let kept = try #require(key)
        // Rules compiled afterwards (possibly at the freed address, were the key only an
        // address) never take the old key.
        for _ in 0..<20 {
            let rule = try Rule("user.group == 1")
            var attributes = rule.makeAttributes()
            attributes[kept] = 1
            #expect(attributes["user.group"] == .null)
            #expect(!rule.matches(attributes))
        }
    }

    @Test("details give variant, reason kind, rule index and line; errors their code, kind and path")
    func details() throws {
        let rules = try Ruleset(source: """
            flag button {
              when user.plan == "pro" serve "blue" as pro
              when user.age >= 18 serve "green"
              default "red" as control
            }
            flag off = false
            """, file: "shop.cohort")
        let pro = rules.detail("button", in: ["user": ["plan": "pro"]], now: Self.now)
        #expect(pro.value == "blue" && pro.variant == "pro" && pro.reason == .match && pro.ruleIndex == 0 && pro.line == 2)
        let adult = rules.detail("button", in: ["user": ["plan": "free", "age": 30]], now: Self.now)
        #expect(adult.value == "green" && adult.variant == "rule-1" && adult.reason == .match && adult.ruleIndex == 1)
        let failed = rules.detail("button", in: ["user": ["plan": "free"]], now: Self.now)
        #expect(failed.value == "red" && failed.variant == "control" && failed.reason == .error && failed.errorCode == .general)
        #expect(failed.error?.kind == .missingAttribute)
        #expect(failed.error?.path == "user.age")
        #expect(failed.errorMessage?.contains("null") == true)
        let wrongType = rules.detail("button", in: ["user": ["plan": "free", "age": "old"]], now: Self.now)
        #expect(wrongType.error?.kind == .typeMismatch && wrongType.error?.path == "user.age")
        #expect(rules.detail("off", in: [:], now: Self.now).reason == .static)
        let missing = rules.detail("nope", in: [:], now: Self.now)
        #expect(missing.errorCode == .flagNotFound && missing.variant == nil && missing.value == .null)
    }

    @Test("typed getters never throw: a missing flag or another type gives the caller's default, and the detail says why")
    func typedGetters() throws {
        let rules = try Ruleset(source: """
            flag on = user.plan == "pro"
            flag color { when true serve "blue" default "red" }
            flag limit { when user.plan == "pro" serve 100 default 10 }
            flag ratio { when true serve 0.5 default 0 }
            """)
        let pro: Context = ["user": ["plan": "pro"]]
        #expect(rules.bool("on", in: pro, default: false))
        #expect(!rules.bool("on", in: [:], default: true))
        #expect(rules.bool("nope", in: pro, default: true))
        #expect(rules.boolDetail("nope", in: pro, default: true).errorCode == .flagNotFound)
        #expect(rules.bool("color", in: pro, default: true))
        let mismatch = rules.boolDetail("color", in: pro, default: true)
        #expect(mismatch.errorCode == .typeMismatch && mismatch.value == true && mismatch.reason == .error)
        #expect(rules.string("color", in: pro, default: "x") == "blue")
        #expect(rules.string("limit", in: pro, default: "x") == "x")
        #expect(rules.int("limit", in: pro, default: 0) == 100)
        #expect(rules.int("ratio", in: pro, default: 7) == 7)
        #expect(rules.intDetail("ratio", in: pro, default: 7).errorCode == .typeMismatch)
        #expect(rules.double("ratio", in: pro, default: 7) == 0.5)
        #expect(rules.value("color", in: pro, default: .null) == "blue")
        // Over bound attributes, the same.
        var attributes = rules.makeAttributes()
        attributes["user.plan"] = "pro"
        #expect(rules.bool("on", in: attributes, default: false))
        #expect(rules.boolDetail("on", in: attributes, default: false).reason == .match)
    }

    @Test("all flags for a front end encode as JSON with value, variant and reason")
    func allFlagsState() throws {
        let line = try #require(Self.users.first)
        let state = try Self.rules.allFlags(json: Array((#"{"user":"# + line + "}").utf8), now: Self.now)
        #expect(state.details.map(\.flag) == Self.rules.flagNames)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try #require(String(data: try encoder.encode(state), encoding: .utf8))
        #expect(json.hasPrefix(#"{"flags":{"checkout_button":{"#))
        #expect(json.contains(#""payments_v2":{"reason":"static","value":true,"variant":"rule-0"}"#))
        #expect(throws: ContextError.self) { try Self.rules.allFlags(json: Array("{not json".utf8)) }
        #expect(throws: ContextError.self) { try Self.rules.evaluateAll(json: Array("[1, 2]".utf8)) }
    }

    @Test("flag metadata: types, defaults, served values, variants, documentation, attributes, prerequisites")
    func metadata() throws {
        let infos = Self.rules.flags
        #expect(infos.map(\.name) == Self.rules.flagNames)
        let button = try #require(infos.first { $0.name == "checkout_button" })
        #expect(button.valueType == "string" && button.defaultValue == "red")
        #expect(button.servedValues == ["green", "blue", "red"])
        #expect(button.variants == ["rule-0", "rule-1", "default"])
        #expect(button.documentation?.contains("Staff always see green") == true)
        #expect(Set(button.attributePaths) == ["user.email", "user.group", "user.id"])
        let express = try #require(infos.first { $0.name == "express_pay" })
        #expect(express.prerequisites == ["new_checkout"])
        #expect(express.valueType == "bool")
        #expect(Self.rules.roots.contains("user") && Self.rules.roots.contains("request"))
        // A context whose keys do not match the rules' is caught before it serves defaults.
        struct CamelUser: Encodable { var id = "u-1"; var appVersion = "5.3.0" }
        let camel = try Context(json: #"{"user":{"id":"u-1","appVersion":"5.3.0"}}"#)
        #expect(camel.validate(against: Self.rules).contains("user.app_version"))
        #expect(!camel.validate(against: Self.rules).contains("user.id"))
    }
}
