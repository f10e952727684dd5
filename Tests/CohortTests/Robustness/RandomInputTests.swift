@testable import Cohort
import Testing


/// Pieces of the language, for token soups that often come close to real rules.
private let vocabulary: [String] = [
    // names and paths
    "user", "device", "org", "user.id", "user.age", "user.tags", "user.email", "user.plan", "user.v", "user.t",
    "user[\"first-name\"]", "user.tags[0]", "user.in", "usr", "x", "_", "staff",
    // literals
    "0", "1", "-1", "42", "2.5", "1e3", "1_000", "0.1", "1e308", "9007199254740993", "\"qa\"", "'beta'", "\"\"",
    "\"a\\\"b\"", "\"\\u{1F600}\"", "\"u-42\"", "\"2.0.0\"", "\"2026-01-01\"", "\"^a+$\"", "\"(\"", "true", "false",
    "null",
    // punctuation and operators
    "(", ")", "[", "]", ",", ".", "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "!", "&&", "||",
    "and", "or", "not", "in", "not in", "contains", "contains_any", "contains_all", "starts_with", "ends_with",
    "matches",
    // calls
    "bucket(", "lower(", "upper(", "trim(", "len(", "semver(", "time(", "date(", "now()", "days(", "hours(",
    "minutes(", "number(", "string(", "exists(", "buckt(",
    // trouble
    "\"", "'", "\\", "#", "//", "\n", "\t", "{", "}", "=", "&", "|", "@", "é", "😀", "\u{0}", "1__0", "5.", ".5",
    "let", "flag", "when",
]

/// A random value for a context attribute: every type, nested a little.
private func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> Value {
    switch Int.random(in: 0..<(depth < 2 ? 9 : 7), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .number([0, 1, -1, 18, 42, 0.5, 1e300, -0.0, 1001][Int.random(in: 0..<9, using: &rng)])
    case 3: return .string(["", "qa", "u-42", "2.0.0", "2026-01-01T00:00:00Z", "é", "ADA@ACME.COM", " x "][Int.random(in: 0..<8, using: &rng)])
    case 4: return .number(Double(Int.random(in: -1000...1000, using: &rng)))
    case 5: return Version("1.2.3").map(Value.version) ?? .null
    case 6: return .time(Instant(seconds: Int64.random(in: 0...2_000_000_000, using: &rng)))
    case 7: return .list((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
    default:
        var fields: [String: Value] = [:]
        for key in ["id", "a", "first-name"] where Bool.random(using: &rng) {
            fields[key] = randomValue(&rng, depth: depth + 1)
        }
        return .object(fields)
    }
}

/// A random context with the attributes the vocabulary mentions.
private func randomContext(_ rng: inout SplitMix64) -> Context {
    var user: [String: Value] = [:]
    for key in ["id", "age", "tags", "email", "plan", "v", "t", "first-name", "in"] where Int.random(in: 0..<4, using: &rng) > 0 {
        user[key] = randomValue(&rng)
    }
    var context: Context = ["user": .object(user)]
    if Bool.random(using: &rng) { context["device"] = randomValue(&rng) }
    return context
}

/// The `now()` of every evaluation here: 2026-01-01T00:00:00Z.
private let fixedNow = Instant(seconds: 1_767_225_600)

/// Counts of what happened, so the test can tell it exercised both paths.
private struct Tally {
    var compiled = 0
    var rejected = 0
    var evaluated = 0
}

/// Compiles `text`; checks spans of any diagnostics, renders them; evaluates a compiled rule
/// on a few random contexts, twice each, and checks the answers agree.
private func exercise(_ text: String, _ rng: inout SplitMix64, _ tally: inout Tally) {
    let rule: Rule
    do {
        rule = try Rule(text)
    } catch {
        tally.rejected += 1
        let size = error.source.bytes.count
        #expect(!error.diagnostics.isEmpty, "no diagnostic for \(text.debugDescription)")
        for diagnostic in error.diagnostics {
            #expect(diagnostic.span.start >= 0 && diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= size,
                    "span \(diagnostic.span) outside \(size) bytes of \(text.debugDescription)")
        }
        _ = error.rendered(color: Bool.random(using: &rng))
        return
    }
    tally.compiled += 1
    // The same rule with nothing fused (no decoded tests, no chains) is the reference.
    var plainOptions = CompileOptions()
    plainOptions.fusesTests = false
    let plain = try? Rule(text, options: plainOptions)
    for _ in 0..<3 {
        let context = randomContext(&rng)
        // `now()` is the caller's: fixed, so the same inputs must give the same answer.
        let first = rule.evaluate(context, now: fixedNow, salt: "flag")
        tally.evaluated += 1
        #expect(first == rule.evaluate(context, now: fixedNow, salt: "flag"), "nondeterministic: \(text.debugDescription)")
        if let plain {
            // Values compared by text: NaN is not equal to itself.
            #expect(first.map(\.jsonText) == plain.evaluate(context, now: fixedNow, salt: "flag").map(\.jsonText),
                    "fused and unfused differ: \(text.debugDescription)")
        }
        if case .failure(let error) = first {
            #expect(error.span.start >= 0 && error.span.end <= rule.source.bytes.count, "\(text.debugDescription)")
        }
        _ = rule.matches(context, now: fixedNow)
    }
}

@Suite("Random input")
struct RandomInputTests {
    @Test("random bytes never crash the compiler")
    func randomBytes() {
        var rng = SplitMix64(seed: 0xC0_4047)
        var tally = Tally()
        var decoded = 0
        for _ in 0..<PropertyScale.count(2_500) {
            let count = Int.random(in: 0...48, using: &rng)
            let bytes: [UInt8] = (0..<count).map { _ in
                // Mostly printable ASCII, which is what rules are made of; some of everything else.
                Int.random(in: 0..<4, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng) : UInt8.random(in: 0x20...0x7E, using: &rng)
            }
            do {
                let source = try SourceFile(name: "random", data: bytes)
                decoded += 1
                exercise(source.text, &rng, &tally)
            } catch {
                #expect(error.diagnostics.map(\.code) == ["invalid-utf8"])
                for diagnostic in error.diagnostics {
                    #expect(diagnostic.span.end <= bytes.count)
                }
                _ = error.rendered(color: false)
                // The bytes, repaired, still go through the compiler.
                exercise(String(decoding: bytes, as: UTF8.self), &rng, &tally)
            }
        }
        #expect(decoded > 0 && decoded < 5_000)
        #expect(tally.rejected > 0)
    }

    @Test("random token soups never crash the compiler or the VM")
    func tokenSoups() {
        var rng = SplitMix64(seed: 42)
        var tally = Tally()
        for _ in 0..<PropertyScale.count(2_500) {
            let count = Int.random(in: 1...14, using: &rng)
            var text = ""
            for _ in 0..<count {
                text += vocabulary[Int.random(in: 0..<vocabulary.count, using: &rng)]
                if Int.random(in: 0..<4, using: &rng) > 0 { text += " " }
            }
            exercise(text, &rng, &tally)
            _ = try? SourceFile(name: "soup", data: Array(text.utf8))
        }
        #expect(tally.compiled > PropertyScale.count(25), "only \(tally.compiled) soups compiled")
        #expect(tally.rejected > 0)
        #expect(tally.evaluated == tally.compiled * 3)
    }

    @Test("random well-formed rules evaluate without crashing, the same way every time")
    func wellFormedRules() {
        var rng = SplitMix64(seed: 7)
        var tally = Tally()
        let atoms = ["user.id", "user.age", "user.tags", "user.email", "user.plan", "1", "42", "0", "\"qa\"", "\"\"",
                     "true", "false", "null", "[1, \"qa\"]", "[]", "user.tags[0]", "now()", "user[\"first-name\"]"]
        let binary = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains",
                      "contains_any", "contains_all", "starts_with", "ends_with", "and", "or"]
        let unary = ["not ", "-", "lower(", "upper(", "trim(", "len(", "string(", "exists(", "bucket(", "number(", "days("]
        func expression(_ depth: Int) -> String {
            if depth == 0 || Int.random(in: 0..<3, using: &rng) == 0 {
                return atoms[Int.random(in: 0..<atoms.count, using: &rng)]
            }
            if Bool.random(using: &rng) {
                let op = unary[Int.random(in: 0..<unary.count, using: &rng)]
                let inner = expression(depth - 1)
                return op.hasSuffix("(") ? op + inner + ")" : op + "(" + inner + ")"
            }
            let op = binary[Int.random(in: 0..<binary.count, using: &rng)]
            return "(" + expression(depth - 1) + " " + op + " " + expression(depth - 1) + ")"
        }
        for _ in 0..<PropertyScale.count(1_500) {
            let text = expression(4)
            exercise(text, &rng, &tally)
        }
        #expect(tally.compiled > PropertyScale.count(150), "only \(tally.compiled) rules compiled")
    }
}
