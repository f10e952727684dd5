import Cohort
import Foundation
import Testing

// The diff engine driven through the library (`DiffRun` over a file, as `cohort diff` runs
// it): the issue's rollout property on generated users, checked against evaluations apart
// from diff; both files' slots bound from one walk of each record when they read different
// paths; values compared by their text; errors that appear and vanish; and a report that
// does not depend on the number of threads.

/// A fixed `now()`, so nothing depends on the clock.
private let fixedNow = Instant(seconds: 1_800_000_000)

/// What one run found: the report, and the changes file's records by id.
private struct Outcome {
    var report: DiffReport
    var ending: DiffRun.Ending
    /// Each changed record's `changes` object, by its id's JSON text.
    var changes: [String: [String: Value]]
    /// Each changed record's `reasons` object (with `reasons`), by its id's JSON text.
    var reasons: [String: [String: Value]] = [:]
    /// The changes file as written.
    var changesText: String
}

/// Runs a diff of `old` against `new` over `input` (written to a scratch file).
private func diff(_ old: Ruleset, _ new: Ruleset, _ input: String, format: RecordFormat = .jsonl, jobs: Int = 2,
                  chunkBytes: Int = 1 << 20, reasons: Bool = false,
                  configure: (inout BatchOptions) -> Void = { _ in }) throws -> Outcome {
    let scratch = try ScratchDirectory()
    defer { scratch.remove() }
    let path = try scratch.write("input." + format.rawValue, input)
    var options = BatchOptions(now: fixedNow)
    configure(&options)
    var evaluator = try DiffEvaluator(old: old, new: new, options: options)
    evaluator.writesReasons = reasons
    var run = DiffRun(evaluator: evaluator, inputPath: path, inputFormat: format)
    run.changesPath = scratch.path("changes.jsonl")
    run.jobs = jobs
    run.chunkBytes = chunkBytes
    let result = run.run(notice: { _ in })
    let text = (try? scratch.read("changes.jsonl")) ?? ""
    var changes: [String: [String: Value]] = [:], why: [String: [String: Value]] = [:]
    for line in text.split(separator: "\n") {
        guard case .object(let record) = try JSONReader.parse(Array(line.utf8)),
              let id = record["id"], case .object(let flags)? = record["changes"] else {
            Issue.record("a changes line is not {\"id\":…,\"changes\":{…}}: \(line)")
            continue
        }
        #expect(changes[id.jsonText] == nil, "id \(id.jsonText) written twice")
        changes[id.jsonText] = flags
        if case .object(let flags)? = record["reasons"] { why[id.jsonText] = flags }
        #expect(Set(record.keys) == (reasons ? ["id", "changes", "reasons"] : ["id", "changes"]), "\(line)")
    }
    return Outcome(report: result.report, ending: result.ending, changes: changes, reasons: why, changesText: text)
}

private func rules(_ text: String, _ name: String = "rules.cohort") throws -> Ruleset {
    try Ruleset(source: text, file: name)
}

/// `{"from":a,"to":b}` as the changes file writes it.
private func change(_ from: Value, _ to: Value) -> Value {
    .object(["from": from, "to": to])
}

@Suite("Diff")
struct DiffTests {
    @Test("a rollout raised from 20 to 40 flips exactly the users in buckets 20..39, false -> true, and express_pay only for them")
    func rolloutProperty() throws {
        let count = PropertyScale.count(20_000)
        let exampleText = try String(contentsOfFile: PackagePaths.example("flags.cohort"), encoding: .utf8)
        let raised = exampleText.replacingOccurrences(of: "bucket(user.id) < 20", with: "bucket(user.id) < 40")
        #expect(raised != exampleText)
        let old = try rules(exampleText, "flags.cohort"), new = try rules(raised, "flags40.cohort")

        var generator = UserGenerator(seed: 17)
        let users = (0..<count).map { generator.nextUser(index: $0) }
        let input = users.map { $0.jsonText + "\n" }.joined()
        let outcome = try diff(old, new, input)
        #expect(outcome.ending == .completed)

        // The expectation, worked out apart from diff: each user's bucket for the flag's
        // salt, and the old value of the flag and of the segment express_pay needs.
        let bucket = try Rule(#"bucket(user.id, "new_checkout")"#)
        let paying = try old.rule("paying")
        var flips: Set<String> = [], payingFlips: Set<String> = []
        var inRange = 0
        for user in users {
            let context = Context(user: user)
            guard case .success(.number(let b)) = bucket.evaluate(context, now: fixedNow) else {
                Issue.record("no bucket for \(user.jsonText)")
                continue
            }
            guard b >= 20 && b < 40 else { continue }
            inRange += 1
            // Users who had the new checkout already (QA, staff, beta) do not flip.
            guard old.evaluate("new_checkout", in: context, now: fixedNow)?.value == false else { continue }
            let id = Operations.member(user, "id").jsonText
            flips.insert(id)
            if paying.matches(context, now: fixedNow) { payingFlips.insert(id) }
        }
        #expect(inRange > count / 10 && flips.count > count / 20 && payingFlips.count > count / 50)

        // Nobody else changes, and nobody flips back.
        #expect(Set(outcome.changes.keys) == flips)
        for (id, changes) in outcome.changes {
            #expect(changes["new_checkout"] == change(false, true), "\(id)")
            // Spelled out: a bare `nil` here would be `Value.null` (Value is nil-literal expressible).
            let expressPay: Value? = payingFlips.contains(id) ? change(false, true) : Optional<Value>.none
            #expect(changes["express_pay"] == expressPay, "\(id)")
            #expect(Set(changes.keys).isSubset(of: ["new_checkout", "express_pay"]), "\(id): \(changes)")
        }
        let report = outcome.report
        #expect(report.records == count && report.unreadable == 0 && report.recordsChanged == flips.count)
        #expect(report.added.isEmpty && report.removed.isEmpty)
        #expect(report.flags.map(\.name) == old.flagNames)
        for flag in report.flags {
            switch flag.name {
            case "new_checkout":
                #expect(flag.changed == flips.count)
                #expect(flag.transitions == [.init(from: "false", to: "true"): flips.count])
            case "express_pay":
                #expect(flag.changed == payingFlips.count)
                #expect(flag.transitions == [.init(from: "false", to: "true"): payingFlips.count])
            default:
                #expect(flag.changed == 0 && flag.transitions.isEmpty, "\(flag.name)")
            }
        }
    }

    @Test("files reading different attributes, in another order: both bound from one walk, as the library evaluates them")
    func differentSlots() throws {
        let old = try rules("""
            flag a = user.plan == "pro"
            flag b { when user.address.city == "Seoul" serve "kr"  default "other" }
            flag c = user.tags[0] == "vip"
            """)
        let new = try rules("""
            flag c = user.tags[1] == "vip" or user.age > 30
            flag b { when user.country == "KR" serve "kr"  when user.address.city == "Paris" serve "fr"  default "other" }
            flag a = user.plan in ["pro", "enterprise"]
            """)
        var random = SplitMix64(seed: 3)
        var records: [Value] = []
        let plans: [Value] = ["free", "pro", "enterprise", 7, .null]
        let cities: [Value] = ["Seoul", "Paris", "Lima", ["x"]]
        for i in 0..<400 {
            var user: [String: Value] = ["id": .string("u\(i)")]
            if random.next() % 4 != 0 { user["plan"] = plans[Int(random.next() % 5)] }
            if random.next() % 3 != 0 { user["address"] = .object(["city": cities[Int(random.next() % 4)]]) }
            if random.next() % 2 == 0 { user["country"] = random.next() % 2 == 0 ? "KR" : "FR" }
            if random.next() % 2 == 0 { user["age"] = .number(Double(random.next() % 60)) }
            user["tags"] = .list((0..<Int(random.next() % 3)).map { _ in random.next() % 2 == 0 ? "vip" : "new" })
            records.append(.object(user))
        }
        let outcome = try diff(old, new, records.map { $0.jsonText + "\n" }.joined(), chunkBytes: 512)
        var changed = 0
        var expectedFlags: [String: Int] = [:]
        for record in records {
            let context = Context(user: record)
            var expected: [String: Value] = [:]
            for name in ["c", "b", "a"] {
                let before = old.evaluate(name, in: context, now: fixedNow)!.value
                let after = new.evaluate(name, in: context, now: fixedNow)!.value
                if before.jsonText != after.jsonText {
                    expected[name] = change(before, after)
                    expectedFlags[name, default: 0] += 1
                }
            }
            let id = Operations.member(record, "id").jsonText
            #expect(outcome.changes[id] ?? [:] == expected, "\(record.jsonText)")
            if !expected.isEmpty { changed += 1 }
        }
        #expect(changed > 50)
        #expect(outcome.report.recordsChanged == changed)
        #expect(outcome.report.flags.map(\.name) == ["c", "b", "a"])
        for flag in outcome.report.flags { #expect(flag.changed == expectedFlags[flag.name, default: 0], "\(flag.name)") }
    }

    @Test("served values are compared by their JSON text: 1.0.0+a and 1.0.0 differ, 1 and 1.0 do not")
    func valuesByText() throws {
        let old = try rules("""
            flag v { when exists(user.v) serve semver(user.v)  default "none" }
            flag n { when exists(user.n) serve user.n  default 0 }
            """)
        let new = try rules("""
            flag v { when exists(user.w) serve semver(user.w)  default "none" }
            flag n { when exists(user.n) serve user.n * 1  default 0 }
            """)
        let input = """
            {"id":1,"v":"1.0.0+a","w":"1.0.0","n":1.0}
            {"id":2,"v":"1.0.0","w":"1.0.0","n":2}
            {"id":3,"v":"2.0.0","n":3}

            """
        let outcome = try diff(old, new, input)
        #expect(outcome.changesText == """
            {"id":1,"changes":{"v":{"from":"1.0.0+a","to":"1.0.0"}}}
            {"id":3,"changes":{"v":{"from":"2.0.0","to":"none"}}}

            """)
        #expect(outcome.report.flags[0].transitions == [.init(from: #""1.0.0+a""#, to: #""1.0.0""#): 1, .init(from: #""2.0.0""#, to: #""none""#): 1])
        #expect(outcome.report.flags[1].changed == 0)
    }

    @Test("errors that appear and vanish are counted, with the first of each sampled with its line and id")
    func errors() throws {
        let old = try rules("flag f = user.email ends_with \"@acme.com\"\nflag g = true", "old.cohort")
        let new = try rules("flag f = exists(user.email) and user.email ends_with \"@acme.com\"\nflag g = user.age > 3", "new.cohort")
        let input = """
            {"id":"a","email":"x@acme.com","age":1}
            {"id":"b","age":"old"}
            {"id":"c","email":"y@b.c","age":5}
            {"id":"d"}

            """
        let outcome = try diff(old, new, input)
        let f = outcome.report.flags[0], g = outcome.report.flags[1]
        #expect((f.errorsBefore, f.errorsAfter, f.errorsAppeared, f.errorsVanished) == (2, 0, 0, 2))
        #expect(f.firstVanished == .init(line: 2, message: f.firstVanished?.message ?? "", id: #""b""#, at: "old.cohort:1:10"))
        #expect(f.changed == 0)
        #expect((g.errorsBefore, g.errorsAfter, g.errorsAppeared, g.errorsVanished) == (0, 2, 2, 0))
        #expect(g.firstAppeared?.line == 2 && g.firstAppeared?.id == #""b""# && g.firstAppeared?.at == "new.cohort:2:10")
        // An error serves the default: true -> false for b, d (errors) and a (age 1).
        #expect(g.transitions == [.init(from: "true", to: "false"): 3])
    }

    @Test("flags added and removed are listed, not compared; --flags selects among both files")
    func addedAndRemoved() throws {
        let old = try rules("flag a = true\nflag gone = true\nflag b = false")
        let new = try rules("flag fresh = true\nflag b = true\nflag a = true")
        let all = try DiffEvaluator(old: old, new: new, options: BatchOptions(now: fixedNow))
        #expect(all.flagNames == ["b", "a"] && all.added == ["fresh"] && all.removed == ["gone"])
        var options = BatchOptions(now: fixedNow)
        options.flags = ["a", "gone"]
        let some = try DiffEvaluator(old: old, new: new, options: options)
        #expect(some.flagNames == ["a"] && some.added.isEmpty && some.removed == ["gone"])
        options.flags = ["fresk"]
        #expect(throws: BatchError.self) { try DiffEvaluator(old: old, new: new, options: options) }
        do {
            _ = try DiffEvaluator(old: old, new: new, options: options)
        } catch {
            #expect(error.message == "no flag named 'fresk' in rules.cohort or rules.cohort; did you mean 'fresh'?")
        }
    }

    @Test("the report and the changes are the same with 1 and 4 threads and any chunk size; unreadable records counted once")
    func deterministic() throws {
        let old = try rules("flag f { when user.n < 50 serve user.s  default \"low\" }\nflag g = bucket(user.id) < 30")
        let new = try rules("flag f { when user.n < 60 serve user.t  default \"low\" }\nflag g = bucket(user.id) < 35")
        var random = SplitMix64(seed: 9)
        var input = ""
        for i in 0..<3000 {
            if i % 97 == 5 {
                input += "{\"id\":\"broken\(i)\"\n"
                continue
            }
            let n = random.next() % 100
            // Transitions of f: many distinct texts, more than the report lists.
            input += "{\"id\":\"u\(i)\",\"n\":\(n),\"s\":\"s\(random.next() % 1500)\",\"t\":\"t\(random.next() % 1500)\"}\n"
        }
        let one = try diff(old, new, input, jobs: 1)
        let many = try diff(old, new, input, jobs: 4, chunkBytes: 700)
        #expect(one.changesText == many.changesText)
        #expect(one.report.json == many.report.json)
        #expect(one.report.text == many.report.text)
        #expect(one.report.unreadable == 31 && one.report.records == 3000 - 31)
        #expect(one.report.unreadableSamples.first?.line == 6)
        let f = one.report.flags[0]
        #expect(f.transitions.count == DiffReport.maxTransitions && f.otherTransitionRecords > 0)
        #expect(f.transitions.values.reduce(0, +) + f.otherTransitionRecords == f.changed)
        #expect(one.report.json.contains("\"other_transitions\":\(f.otherTransitionRecords)"))
    }

    @Test("with reasons, each change says why each file served its value, as the library says it: default -> split for a raised rollout, errors with where they failed")
    func reasons() throws {
        let old = try rules("""
            flag f = user.group == "qa" or bucket(user.id) < 20
            flag g { when user.age > 30 serve "old"  default "young" }
            flag h = true
            """, "old.cohort")
        let new = try rules("""
            flag f = user.group == "qa" or bucket(user.id) < 40
            flag g { when exists(user.age) and user.age > 30 serve "old"  when user.plan == "pro" serve "old"  default "young" }
            flag h = true
            """, "new.cohort")
        var records: [Value] = []
        for i in 0..<300 {
            var user: [String: Value] = ["id": .string("u\(i)"), "group": i % 7 == 0 ? "qa" : "none"]
            if i % 5 != 0 { user["age"] = .number(Double(20 + i % 20)) }
            if i % 3 == 0 { user["plan"] = "pro" }
            records.append(.object(user))
        }
        let outcome = try diff(old, new, records.map { $0.jsonText + "\n" }.joined(), reasons: true)
        var kinds: Set<String> = []
        for record in records {
            let id = Operations.member(record, "id").jsonText
            guard let changes = outcome.changes[id] else { continue }
            let why = try #require(outcome.reasons[id])
            #expect(Set(why.keys) == Set(changes.keys), "\(id)")
            for name in changes.keys {
                let before = old.evaluate(name, in: Context(user: record), now: fixedNow)!.reason
                let after = new.evaluate(name, in: Context(user: record), now: fixedNow)!.reason
                let expected = try JSONReader.parse(Array(#"{"from":\#(before.jsonText),"to":\#(after.jsonText)}"#.utf8))
                #expect(why[name] == expected, "\(id) \(name)")
                kinds.insert("\(name): \(before.kind) -> \(after.kind)")
            }
        }
        // The raised rollout adds users by the hash; the new file serves pro users "old" by
        // their plan, where the old one had served the default, or failed (no age).
        #expect(kinds == ["f: default -> split", "g: default -> match", "g: error -> match"], "\(kinds)")
        #expect(outcome.changesText.contains(#""reasons":{"f":{"from":{"kind":"default"},"to":{"kind":"split","rule":0,"line":1}}}"#))
        #expect(outcome.changesText.contains(#""g":{"from":{"kind":"error","message":"#))
        #expect(outcome.changesText.contains(#""at":"old.cohort:2:15"},"to":{"kind":"match","rule":1,"line":2}}"#))
    }

    @Test("CSV and context records are bound by path for each file")
    func csvAndContexts() throws {
        let old = try rules("flag f = user.age > 30\nflag d = device.os == \"ios\"")
        let new = try rules("flag d = device.os in [\"ios\", \"android\"]\nflag f = user.age > 40")
        let csv = "id,age:number\nu1,35\nu2,50\nu3,x\nu4,20\n"
        let fromCSV = try diff(old, new, csv, format: .csv)
        #expect(fromCSV.changesText == "{\"id\":\"u1\",\"changes\":{\"f\":{\"from\":true,\"to\":false}}}\n")
        #expect(fromCSV.report.unreadable == 1 && fromCSV.report.unreadableSamples.first?.line == 4)
        let contexts = """
            {"user":{"id":"a","age":35},"device":{"os":"android"}}
            {"user":{"id":"b","age":45},"device":{"os":"ios"}}

            """
        let fromContexts = try diff(old, new, contexts) {
            $0.contextRecords = true
            $0.idPath = "user.id"
        }
        #expect(fromContexts.changesText == """
            {"id":"a","changes":{"d":{"from":false,"to":true},"f":{"from":true,"to":false}}}

            """)
    }
}
