import Cohort
import Testing

// The lint's claims, checked by evaluation: on random rule files over a small attribute
// space, every "can never be true", "is always true", "can never be reached" and "is
// redundant" warning must hold for every one of many random users. (A warning that is
// wrong even once is a false positive; the examples must stay quiet, and this is how we
// know the reasoning behind the warnings is sound.)

/// A random condition over `user.a` (a small number, sometimes a string or missing),
/// `user.b` (a short string or missing), `user.v` (a version string), `bucket(user.id)` and
/// the segment `s`.
private func condition(_ random: inout SplitMix64, depth: Int = 0) -> String {
    if depth < 2, random.below(3) == 0 {
        let parts = (0..<(2 + random.below(2))).map { _ in condition(&random, depth: depth + 1) }
        let op = random.below(2) == 0 ? " and " : " or "
        let joined = parts.joined(separator: op)
        return random.below(4) == 0 ? "not (\(joined))" : "(\(joined))"
    }
    let ops = ["==", "!=", "<", "<=", ">", ">="]
    switch random.below(8) {
    case 0, 1: return "user.a \(random.pick(ops)) \(random.below(6))"
    case 2: return "user.b \(random.pick(["==", "!="])) \"\(random.pick(["x", "y", "z"]))\""
    case 3:
        let values = ["x", "y", "z", "xy"].filter { _ in random.below(2) == 0 }.map { "\"\($0)\"" }
        return "user.b \(random.pick(["in", "not in"])) [\(values.joined(separator: ", "))]"
    case 4: return "bucket(user.id) \(random.pick(["<", ">="])) \(random.below(11) * 10)"
    case 5: return "semver(user.v) \(random.pick([">=", "<"])) \"1.\(random.below(5)).0\""
    case 6: return "user.b \(random.pick(["starts_with", "ends_with"])) \"\(random.pick(["x", "xy", "y"]))\""
    default: return random.below(2) == 0 ? "s" : "not s"
    }
}

/// A random rule file: the segment, boolean flags and flag blocks.
private func ruleFile(_ random: inout SplitMix64) -> String {
    var text = "segment s = user.b in [\"x\", \"y\"]\nflag uses_s = s\n"
    for k in 0..<4 {
        if random.below(2) == 0 {
            text += "flag f\(k) = \(condition(&random))\n"
        } else {
            text += "flag f\(k) {\n"
            for arm in 0..<(2 + random.below(3)) { text += "  when \(condition(&random)) serve \(arm)\n" }
            text += "  default -1\n}\n"
        }
    }
    return text
}

/// Random users over the same small space.
private func users(_ random: inout SplitMix64, count: Int) -> [Context] {
    (0..<count).map { i in
        var user: [String: Value] = ["id": .string("u-\(i)")]
        switch random.below(8) {
        case 0: break
        case 1: user["a"] = "3"
        default: user["a"] = .number(Double(random.below(7)) - 0.5 * Double(random.below(2)))
        }
        if random.below(6) != 0 { user["b"] = .string(random.pick(["x", "y", "z", "xy", "w"])) }
        user["v"] = .string("1.\(random.below(6)).\(random.below(2))")
        return Context(user: .object(user))
    }
}

@Suite("Lint: every warning holds for every user")
struct LintSoundnessTests {
    @Test("contradictions are never true, tautologies never false, dead arms never serve, redundant operands change nothing",
          arguments: 0..<8)
    func soundness(seed: UInt64) throws {
        var random = SplitMix64(seed: 0x5EED_0000 + seed)
        let population = users(&random, count: PropertyScale.count(150))
        let now = Instant(seconds: 0)
        var claims = 0
        for _ in 0..<PropertyScale.count(15) {
            let text = ruleFile(&random)
            let ruleset = try Ruleset(source: text, file: "r.cohort")
            let source = ruleset.source
            /// The flag whose declaration holds a span (its name salts `bucket` there).
            func flag(at span: SourceSpan) -> String {
                var name = ""
                for line in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                    where source.location(of: span.start).line >= line.offset + 1 && line.element.hasPrefix("flag ") {
                    name = String(line.element.dropFirst(5).prefix { $0 != " " })
                }
                return name
            }
            for warning in ruleset.warnings {
                let written = source.text(of: warning.span)
                switch warning.code {
                case "contradiction", "tautology":
                    let rule = try ruleset.rule(written)
                    let never: Value = warning.code == "contradiction" ? true : false
                    for user in population {
                        let value = try? rule.evaluate(user, now: now, salt: flag(at: warning.span)).get()
                        #expect(value != never, "\(warning.message)\n\(text)\nuser: \(user)")
                    }
                    claims += 1
                case "shadowed-arm", "unreachable":
                    let name = flag(at: warning.span)
                    let armLine = source.location(of: warning.span.start).line
                    for user in population {
                        let result = try #require(ruleset.evaluate(name, in: user, now: now))
                        #expect(result.reason.line != armLine, "\(warning.message)\n\(text)\nuser: \(user)")
                    }
                    claims += 1
                case "redundant-condition":
                    let fixed = try Ruleset(source: try #require(warning.fixIts.first).applied(to: text), file: "r.cohort")
                    for user in population {
                        for name in ruleset.flagNames {
                            let before = try #require(ruleset.evaluate(name, in: user, now: now))
                            let after = try #require(fixed.evaluate(name, in: user, now: now))
                            if case .error = before.reason { continue }
                            if case .error = after.reason { continue }
                            #expect(before.value == after.value, "\(warning.message)\n\(text)\nuser: \(user)")
                        }
                    }
                    claims += 1
                default:
                    break
                }
            }
        }
        #expect(claims >= PropertyScale.count(8), "the generator made too few rules the lint warns about (\(claims))")
    }
}
