import Cohort
import Foundation
import Testing

// What `RecordCheck` (cohort check --users) reports for a rule file and a few records.

/// Runs the check of `rules` over JSON Lines `records` and returns the warnings' codes and
/// messages (rules first, then the records file's own).
private func findings(_ rules: String, _ records: String, format: RecordFormat = .jsonl, chunkBytes: Int = 1 << 20,
                      options: (inout RecordCheck.Options) -> Void = { _ in }) throws -> [(code: String, message: String, text: String)] {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let path = try scratch.write("records", records)
    var compile = CompileOptions()
    compile.roots.insert("member")
    let ruleset = try Ruleset(source: rules, file: "r.cohort", options: compile)
    var o = RecordCheck.Options()
    o.recordsName = "users.jsonl"
    o.now = Instant(timestamp: "2026-12-01T00:00:00Z")!
    options(&o)
    let check = RecordCheck(ruleset: ruleset, options: o)
    let tally = try check.run(path: path, format: format, jobs: 2, chunkBytes: chunkBytes)
    let (rulesFound, recordsFound) = check.findings(tally)
    return rulesFound.map { ($0.code, $0.message, ruleset.source.text(of: $0.span)) } + recordsFound.map { ($0.code, $0.message, "") }
}

private let users = """
    {"id": "u-1", "country": "KR", "age": 34, "plan": "pro", "version": "5.3.0"}
    {"id": "u-2", "country": "US", "age": 27, "plan": "free", "version": "5.1.2"}
    {"id": "u-3", "country": "FR", "age": 41, "plan": "pro"}
    {"id": "u-4", "country": "KR", "age": 19, "plan": "free", "version": "6.0.0"}

    """

/// One case per warning of `--users`, pinned by `Golden/users-CODE.txt`: the rules, the
/// records, the text and the JSON `cohort check` prints for them.
private let goldenCases: [(code: String, rules: String, records: String)] = [
    ("unknown-attribute", "flag kr = user.cuntry in [\"KR\"] or user.plan == \"pro\"\nflag vip = user.tags[0] == \"vip\"\n", users),
    ("attribute-type", "flag adults = user.age >= \"18\" or user.plan == \"pro\"\nflag kr = user.country == 82 or user.age > 30\n", users),
    ("unreached-arm", """
        flag tier {
          when user.plan == "enterprise" serve "platinum"
          when user.plan == "pro"        serve "gold"
          default "bronze"
        }

        """, users),
    ("same-value", "flag minors = user.age < 18\nflag dark_mode = false\n", users),
    ("flag-errors", "flag new_app = semver(user.version) >= \"5.2.0\"\n", users),
    ("unreadable-record", "flag pro = user.plan == \"pro\"\n", users + "{\"id\": \n"),
]

@Suite("RecordCheck: what sample records show")
struct RecordCheckTests {
    @Test("each warning renders as its golden file (rules, records, text, JSON)", arguments: goldenCases.map(\.code))
    func golden(code: String) throws {
        let entry = try #require(goldenCases.first { $0.code == code })
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try scratch.write("users.jsonl", entry.records)
        let ruleset = try Ruleset(source: entry.rules, file: "flags.cohort")
        var options = RecordCheck.Options()
        options.recordsName = "users.jsonl"
        options.now = Instant(timestamp: "2026-12-01T00:00:00Z")!
        let check = RecordCheck(ruleset: ruleset, options: options)
        let (rules, records) = check.findings(try check.run(path: path, format: .jsonl, jobs: 2))
        #expect((rules.map(\.code) + records.map(\.code)).contains(code))
        var text = "== rules\n" + entry.rules + "== records\n" + entry.records + "== text\n"
        text += DiagnosticRenderer(source: ruleset.source, color: false).render(rules)
        text += records.map { "\($0.file):\($0.line): \($0.severity.rawValue): \($0.message)\n" }.joined()
        text += "== json\n" + LocatedDiagnostic.jsonArray(rules.map { LocatedDiagnostic($0, in: ruleset.source) } + records)
        Golden.check(text, named: "users-\(code)")
    }

    @Test("a path no record has, with did you mean from the keys they have")
    func unknownAttribute() throws {
        let found = try findings("flag kr = user.cuntry == \"KR\" or user.plan == \"pro\"\n", users)
        let typo = try #require(found.first { $0.code == "unknown-attribute" })
        #expect(typo.message == "no record in users.jsonl has 'user.cuntry'; did you mean 'user.country'?")
        #expect(typo.text == "user.cuntry")
    }

    @Test("an attribute whose type never fits: an order with the wrong type, an equality that is never true")
    func attributeTypes() throws {
        let found = try findings("flag a = user.age >= \"18\" or user.country == 1 or user.plan == \"pro\"\n", users)
        #expect(found.filter { $0.code == "attribute-type" }.map(\.message) == [
            "'user.age' is a number in all 4 records of users.jsonl that have it, but '>=' needs a string",
            "'user.country' is a string in all 4 records of users.jsonl that have it, so '==' with 1 is never true",
        ])
    }

    @Test("an arm no record reaches, and a flag every record gets the same value from")
    func armsAndValues() throws {
        let found = try findings("""
            flag tier {
              when user.plan == "pro" serve "gold"
              when user.plan == "enterprise" serve "platinum"
              when bucket(user.id) < 50 serve "silver"
              default "bronze"
            }
            flag minors = user.age < 18
            flag fixed = false

            """, users)
        #expect(found.filter { $0.code == "unreached-arm" }.map(\.text) == ["user.plan == \"enterprise\""])
        #expect(found.filter { $0.code == "same-value" }.map(\.message) == ["every record of users.jsonl (4) gets false from flag 'minors'"])
    }

    @Test("a flag that reads nothing the records hold is not reported: the records cannot change it")
    func otherRoots() throws {
        let found = try findings("""
            flag traffic = exists(request.id) and bucket(request.id) < 10
            flag tier {
              when request.path == "/beta" serve "beta"
              default "stable"
            }

            """, users)
        #expect(found.isEmpty, "\(found)")
    }

    @Test("a flag that fails for some records: the share, the first record's line and id, the failing part")
    func errors() throws {
        let found = try findings("flag new_app = semver(user.version) >= \"5.2.0\"\n", users)
        let failing = try #require(found.first { $0.code == "flag-errors" })
        #expect(failing.message == "flag 'new_app' fails for 1 of 4 records of users.jsonl (25.0%), e.g. line 3, id \"u-3\": "
            + "semver() needs a string as its argument, but it is null (a missing attribute?)")
        #expect(failing.text == "semver(user.version)")
    }

    @Test("the same findings whatever the chunking (merged in input order)", arguments: [16, 64, 1 << 20])
    func chunking(bytes: Int) throws {
        let rules = "flag new_app = semver(user.version) >= \"5.2.0\"\nflag kr = user.cuntry == \"KR\"\n"
        let whole = try findings(rules, users)
        let cut = try findings(rules, users, chunkBytes: bytes)
        #expect(cut.map(\.message) == whole.map(\.message))
    }

    @Test("unreadable records: one error with the count and the first line")
    func unreadable() throws {
        let found = try findings("flag pro = user.plan == \"pro\"\n", users + "{\"id\": \n[1]\n")
        let problem = try #require(found.first { $0.code == "unreadable-record" })
        #expect(problem.message.hasPrefix("2 records cannot be read; the first: invalid JSON"))
    }

    @Test("records bound to another root, and whole contexts")
    func roots() throws {
        let asMember = try findings("flag kr = member.country == \"KR\"\n", users) { $0.recordRoot = "member" }
        #expect(asMember.isEmpty, "\(asMember)")
        let contexts = "{\"user\": {\"id\": \"a\", \"plan\": \"pro\"}}\n{\"user\": {\"id\": \"b\", \"plan\": \"free\"}}\n"
        let found = try findings("flag pro = user.plan == \"pro\" and user.age > 1\n", contexts) { $0.contextRecords = true }
        #expect(found.map(\.code).contains("unknown-attribute"))
        #expect(!found.map(\.message).contains { $0.contains("user.plan") })
    }

    @Test("counts of thousands are grouped, over many small chunks")
    func thousands() throws {
        let records = (0..<1_200).map { "{\"id\": \"u-\($0)\"}\n" }.joined()
        let found = try findings("flag adults = user.age >= 18\n", records, chunkBytes: 4096)
        #expect(found.first { $0.code == "flag-errors" }?.message.hasPrefix("flag 'adults' fails for 1,200 of 1,200 records of users.jsonl (100.0%), e.g. line 1, id \"u-0\"") == true,
                "\(found)")
    }

    @Test("a CSV sample: typed columns count as their type")
    func csv() throws {
        let csv = "id,country,age:number\nu-1,KR,34\nu-2,US,27\n"
        let found = try findings("flag kr = user.country == \"KR\" and user.age < 40\n", csv, format: .csv)
        #expect(found.isEmpty, "\(found)")
    }
}
