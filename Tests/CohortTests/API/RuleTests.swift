import Cohort
import Testing

/// The rule on the design card.
private let designCard = #"user.group in ["qa", "beta"] or bucket(user.id) < 20"#

@Suite("Rule API")
struct RuleTests {
    @Test("the design-card rule: a QA user is in, another user is out")
    func designCardRule() throws {
        let rule = try Rule(designCard)
        #expect(rule.matches(["user": ["id": "u-42", "group": "qa"]]))
        #expect(try rule.evaluate(["user": ["id": "u-42", "group": "qa"]]).get() == true)
        // bucket("u-42") with the default (empty) salt is 94: not in the first 20.
        #expect(!rule.matches(["user": ["id": "u-42", "group": "x"]]))
        #expect(try rule.evaluate(["user": ["id": "u-42", "group": "x"]]).get() == false)
        // With the salt of a flag named new_checkout, u-42 lands in bucket 3.
        #expect(rule.matches(["user": ["id": "u-42", "group": "x"]], salt: "new_checkout"))
    }

    @Test("a rule whose result is an error value does not match")
    func errorsDoNotMatch() throws {
        let rule = try Rule("user.age >= 18")
        let context: Context = ["user": ["age": "eighteen"]]
        #expect(!rule.matches(context))
        let error = #expect(throws: EvaluationError.self) { try rule.evaluate(context).get() }
        #expect(error?.location == Cohort.SourceLocation(line: 1, column: 1))
        // A missing user is an error too, never a crash.
        #expect(!rule.matches([:]))
        #expect(!(try Rule(designCard).matches([:])))
    }

    @Test("a non-boolean result does not match")
    func nonBooleanDoesNotMatch() throws {
        #expect(!(try Rule("1").matches([:])))
        #expect(!(try Rule("user.name").matches(["user": ["name": "true"]])))
        #expect(try Rule("user.name").evaluate(["user": ["name": "Ada"]]).get() == "Ada")
    }

    @Test("a context from JSON is the same as one from literals")
    func contextFromJSON() throws {
        let json = try Context(json: #"{"user": {"id": "u-42", "group": "qa", "age": 42, "beta": true, "tags": ["a", null], "address": {"city": "Oslo"}}}"#)
        let literal: Context = ["user": ["id": "u-42", "group": "qa", "age": 42, "beta": true, "tags": ["a", nil], "address": ["city": "Oslo"]]]
        #expect(json.roots == literal.roots)
        #expect(json["user"] == literal["user"])
        #expect(json["device"] == .null)
        let rule = try Rule(#"user.age > 40 and user.beta and user.address.city == "Oslo" and user.tags[1] == null"#)
        #expect(rule.matches(json))
        #expect(rule.matches(literal))
        let bytes = try Context(jsonBytes: Array(#"{"user": {"id": "u-42"}}"#.utf8))
        #expect(bytes["user"] == ["id": "u-42"])
    }

    @Test("a JSON context must be a valid JSON object", arguments: [
        "", "{", "[]", "42", "\"user\"", "null", #"{"user": }"#, #"{"user": {"id": "u-42"}"#, "{'user': 1}",
    ])
    func invalidJSONContext(json: String) {
        #expect(throws: ContextError.self, "\(json)") { try Context(json: json) }
    }

    @Test("other ways to build a context")
    func contextConveniences() throws {
        let rule = try Rule(#"user.id == "u-42""#)
        #expect(rule.matches(Context(user: ["id": "u-42"])))
        #expect(!rule.matches(Context(user: ["id": "u-42"], as: "device")))
        var context = Context()
        context["user"] = ["id": "u-42"]
        #expect(rule.matches(context))
        #expect(rule.matches(Context(["user": ["id": "u-42"]])))
    }

    @Test("compile errors carry every diagnostic and the source")
    func compileErrors() {
        let error = #expect(throws: CompileError.self) { try Rule("usr.id == 1 or buckt(user.id) < 2") }
        #expect(error?.diagnostics.map(\.code) == ["unknown-name", "unknown-function"])
        #expect(error?.diagnostics.allSatisfy { $0.severity == .error } == true)
        #expect(error?.source.text == "usr.id == 1 or buckt(user.id) < 2")
        #expect(error?.source.name == "<expr>")
        #expect(error?.description.contains("<expr>:1:1: error: unknown name 'usr'") == true)
    }

    @Test("options: source name and extra roots")
    func options() throws {
        var options = CompileOptions(addingRoots: ["tenant"])
        options.sourceName = "targeting.cohort"
        let rule = try Rule("tenant.plan == \"enterprise\"", options: options)
        #expect(rule.source.name == "targeting.cohort")
        #expect(rule.matches(["tenant": ["plan": "enterprise"]]))
        let error = #expect(throws: CompileError.self) { try Rule("tenat.plan == 1", options: options) }
        #expect(error?.rendered(color: false).hasPrefix("targeting.cohort:1:1: error: unknown name 'tenat'; did you mean 'tenant'?") == true)
    }

    @Test("now and salt are the caller's")
    func nowAndSalt() throws {
        let rule = try Rule("now() - time(user.signup_at) < days(30)")
        let context: Context = ["user": ["signup_at": "2026-11-15T00:00:00Z"]]
        #expect(rule.matches(context, now: Instant(seconds: 1_796_115_600)))  // 2026-12-01T09:00:00Z
        #expect(!rule.matches(context, now: Instant(seconds: 1_796_115_600 + 30 * 86_400)))
        let bucket = try Rule(#"bucket("u-42")"#)
        #expect(try bucket.evaluate([:], salt: "new_checkout").get() == 3)
        #expect(try bucket.evaluate([:]).get() == 94)
    }

    @Test("the attribute paths a rule reads")
    func attributePaths() throws {
        #expect(try Rule(designCard).attributePaths == ["user.group", "user.id"])
        #expect(try Rule(#"user["first-name"] == "Ada" or user.tags[0] == "x""#).attributePaths
            == [#"user["first-name"]"#, "user.tags[0]"])
        #expect(try Rule("1 + 1").attributePaths == [])
    }

    @Test("one rule evaluated concurrently from many tasks gives the same answers")
    func concurrentEvaluation() async throws {
        let rule = try Rule(#"(user.group in ["qa", "beta"] or bucket(user.id, "rollout") < 30) and lower(user.email) ends_with "@acme.com""#)
        let users: [Context] = (0..<200).map { i in
            ["user": ["id": .string("u-\(i)"), "group": i % 7 == 0 ? "qa" : "x", "email": .string(i % 3 == 0 ? "U\(i)@ACME.com" : "u\(i)@example.com")]]
        }
        let expected = users.map { rule.evaluate($0) }
        let results = await withTaskGroup(of: (Int, [Result<Value, EvaluationError>]).self) { group in
            for task in 0..<16 {
                group.addTask {
                    // Each task walks the users in its own order, many times.
                    var out = [Result<Value, EvaluationError>](repeating: .success(.null), count: users.count)
                    for round in 0..<5 {
                        for k in 0..<users.count {
                            let i = (k * 7 + task + round) % users.count
                            out[i] = rule.evaluate(users[i])
                        }
                    }
                    return (task, out)
                }
            }
            var all: [(Int, [Result<Value, EvaluationError>])] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 16)
        for (task, answers) in results {
            #expect(answers == expected, "task \(task)")
        }
        // The answers are real: some users match and some do not.
        let matches = expected.filter { $0 == .success(true) }.count
        #expect(matches > 0 && matches < users.count)
    }

    @Test("disassembly is available from the public API")
    func disassembly() throws {
        let text = try Rule(#"user.plan == "pro""#).disassembly
        #expect(text.contains("test            t0"))
        #expect(text.contains("user.plan"))
    }
}
