import Cohort
import Testing

// Every documented limit (docs/language.md, "Limits"; docs/security.md): input just inside
// it is accepted, input just beyond it is a diagnostic with the code `limit` (or the
// reader's error) whose message names the limit, and nothing traps.

/// Compiles an expression: nil when it compiled, else the first diagnostic.
private func compileError(_ text: String, options: CompileOptions = CompileOptions()) -> Diagnostic? {
    do {
        _ = try Rule(text, options: options)
        return nil
    } catch {
        return error.diagnostics.first
    }
}

/// Compiles a rule file: nil when it compiled, else the first error.
private func ruleFileError(_ text: String, options: CompileOptions = CompileOptions()) -> Diagnostic? {
    do {
        _ = try Ruleset(source: text, file: "limits.cohort", options: options)
        return nil
    } catch {
        return error.diagnostics.first { $0.severity == .error }
    }
}

private let nestingMessage = "expression is nested more than 200 levels deep (limit)"

@Suite("Limits")
struct LimitTests {
    // MARK: Nesting

    @Test("200 levels of brackets, calls and prefix operators compile; 201 do not", arguments: [
        ("parentheses", "(", "1", ")"),
        ("list brackets", "[", "1", "]"),
        ("calls", "string(", "1", ")"),
        ("nots", "not ", "true", ""),
        ("minus signs", "-", "user", ""),
    ])
    func bracketNesting(name: String, open: String, leaf: String, close: String) {
        func nested(_ n: Int) -> String { String(repeating: open, count: n) + leaf + String(repeating: close, count: n) }
        // Parentheses leave no node in the tree; every other level is one, and the
        // innermost operand one more, so 199 of those fit.
        let fits = name == "parentheses" ? 200 : 199
        #expect(compileError(nested(fits)) == nil, "\(name): \(fits)")
        let diagnostic = compileError(nested(fits + 1))
        #expect(diagnostic?.code == "limit", "\(name)")
        #expect(diagnostic?.message == nestingMessage, "\(name)")
    }

    @Test("operator chains count one level per operator", arguments: [
        ("+", " + 1"), ("*", " * 2"), ("member", ".a"), ("index", "[0]"),
    ])
    func chains(name: String, link: String) {
        let base = name == "member" || name == "index" ? "user" : "user.n"
        let extra = base == "user" ? 0 : 1  // user.n is already one member deep
        #expect(compileError(base + String(repeating: link, count: 199 - extra)) == nil, "\(name)")
        let diagnostic = compileError(base + String(repeating: link, count: 200 - extra))
        #expect(diagnostic?.code == "limit", "\(name)")
        #expect(diagnostic?.message == nestingMessage, "\(name)")
    }

    @Test("chains nested in one another add up: a tree taller than the limit is refused, not a crash")
    func chainsAddUp() {
        // Each level holds a member chain, a product and a sum, one inside the other, so
        // the tree grows three times as fast as the parentheses. This overflowed the
        // checker's stack (a tree ~60,000 levels deep from 120 KB of text); the parser now
        // refuses any tree taller than the limit while building it.
        var text = "user.x"
        for level in stride(from: 199, through: 0, by: -1) {
            let n = max(0, 200 - level - 2)
            text = "(" + text + ")" + String(repeating: ".a", count: n) + String(repeating: " * 1", count: n) + String(repeating: " + 1", count: n)
        }
        let diagnostic = compileError(text)
        #expect(diagnostic?.code == "limit")
        #expect(diagnostic?.message == nestingMessage)
        #expect(ruleFileError("flag f = " + text + " > 0")?.message == nestingMessage)
        // The same shape, small enough, compiles.
        #expect(compileError("((user.x).a.a * 1 * 1 + 1 + 1).a.a * 1 * 1 + 1 + 1 == 2") == nil)
    }

    @Test("the nesting limit is configurable and its message says which it is")
    func configurableNesting() {
        var options = CompileOptions()
        options.limits.maxNestingDepth = 10
        #expect(compileError("1" + String(repeating: " + 1", count: 9), options: options) == nil)
        #expect(compileError("1" + String(repeating: " + 1", count: 10), options: options)?.message
            == "expression is nested more than 10 levels deep (limit)")
    }

    @Test("a long flat and/or chain is not nesting")
    func flatChains() {
        let text = (0..<50_000).map { "user.id == \($0)" }.joined(separator: " or ")
        #expect(compileError(text) == nil)
    }

    @Test("deep declarations are within the limit one by one")
    func declarationsEachWithinLimit() {
        let deep = String(repeating: "(", count: 150) + "user.x" + String(repeating: ")", count: 150)
        #expect(ruleFileError("let a = \(deep)\nflag f = a == 1") == nil)
        #expect(ruleFileError("flag f {\n  when \(String(repeating: "not ", count: 201))true serve 1\n  default 0\n}")?.message == nestingMessage)
    }

    /// `let a0 = user.x`, `let a1 = a0 + 1`, ... and `flag f = a(n-1) > 0`: once inlined,
    /// the flag's tree is n + 1 levels high (the comparison, n - 1 additions, the attribute).
    private func declarationChain(_ n: Int) -> String {
        (["let a0 = user.x"] + (1..<n).map { "let a\($0) = a\($0 - 1) + 1" } + ["flag f = a\(n - 1) > 0"]).joined(separator: "\n")
    }

    @Test("a chain of declarations is refused once inlined deeper than 500 levels, never overflows the stack")
    func declarationChainLimit() {
        #expect(Limits().maxInlinedNestingDepth == 500)
        #expect(ruleFileError(declarationChain(499)) == nil)
        let over = ruleFileError(declarationChain(500))
        #expect(over?.code == "limit")
        #expect(over?.message == "flag 'f' is nested more than 500 levels deep once its lets and segments are inlined (limit)")
        // Far beyond the limit: still one clear error, not a crash.
        let far = ruleFileError(declarationChain(20_000))
        #expect(far?.message == "flag 'f' is nested more than 500 levels deep once its lets and segments are inlined (limit)")
    }

    @Test("an expression compiled against a rule file counts the declarations it inlines")
    func inlinedIntoExpression() throws {
        var options = CompileOptions()
        options.limits.maxInlinedNestingDepth = 30
        let rules = try Ruleset(source: (["let a0 = user.x"] + (1..<20).map { "let a\($0) = a\($0 - 1) + 1" }).joined(separator: "\n") + "\nflag f = a19 > 0",
                                file: "chain.cohort", options: options)
        _ = try rules.rule("a19 + 1 > 0")
        let deep = "a19" + String(repeating: " + 1", count: 15) + " > 0"
        #expect(throws: CompileError.self) { try rules.rule(deep) }
        do {
            _ = try rules.rule(deep)
        } catch {
            #expect(error.diagnostics.first?.message == "expression is nested more than 30 levels deep once its lets and segments are inlined (limit)")
        }
    }

    /// `flag f0 = user.x > 0` and `flag fi = f(i-1) and user.y`: flag f(n-1) runs n flags deep.
    private func flagChain(_ n: Int) -> String {
        (["flag f0 = user.x > 0"] + (1..<n).map { "flag f\($0) = f\($0 - 1) and user.y" }).joined(separator: "\n")
    }

    @Test("prerequisite flags nest at most 64 deep; beyond, one error at the first flag over")
    func prerequisiteDepth() throws {
        #expect(Limits().maxPrerequisiteDepth == 64)
        let rules = try Ruleset(source: flagChain(64), file: "flags.cohort")
        let deepest = rules.evaluate("f63", in: try Context(json: #"{"user": {"x": 1, "y": true}}"#), now: Instant(seconds: 0))
        #expect(deepest?.value == .bool(true))

        do {
            _ = try Ruleset(source: flagChain(2_000), file: "flags.cohort")
            Issue.record("a 2,000-flag prerequisite chain compiled")
        } catch {
            let errors = error.diagnostics.filter { $0.severity == .error }
            #expect(errors.map(\.message) == ["flag 'f64' has prerequisite flags nested more than 64 deep (limit)"])
        }
    }

    @Test("a flag that uses prerequisites many times is refused once one evaluation could run more than 10,000,000 instructions")
    func evaluationCost() throws {
        #expect(Limits().maxEvaluationCost == 10_000_000)
        // Each flag uses the one before ten times, so f(k) evaluates f0 10^k times: without
        // the limit, f11 would run for years. f7 is the first over the limit.
        let exponential = (["flag f0 = user.x > 0"] + (1..<12).map { k in "flag f\(k) = " + Array(repeating: "f\(k - 1)", count: 10).joined(separator: " or ") })
            .joined(separator: "\n")
        do {
            _ = try Ruleset(source: exponential, file: "flags.cohort")
            Issue.record("the exponential chain compiled")
        } catch {
            #expect(error.diagnostics.filter { $0.severity == .error }.map(\.message)
                == ["flag 'f7' can run more than 10000000 instructions in one evaluation, counting each use of a prerequisite flag (limit)"])
        }

        // At the edge. A boolean flag costs its condition and its served `true` (one
        // instruction): f0 = 1 + 1 = 2; f1 = `f0 or f0` = 5 instructions (an `any_of` prefix
        // and the chain's 4) + 2 × 2 + 1 = 10; f2 = 5 + 2 × 10 + 1 = 26; f3 = 58.
        var options = CompileOptions()
        options.limits.maxEvaluationCost = 26
        let three = "flag f0 = user.x > 0\nflag f1 = f0 or f0\nflag f2 = f1 or f1"
        let rules = try Ruleset(source: three, file: "flags.cohort", options: options)
        #expect(rules.evaluate("f2", in: try Context(json: #"{"user": {"x": 1}}"#), now: Instant(seconds: 0))?.value == .bool(true))
        #expect(ruleFileError(three + "\nflag f3 = f2 or f2\nflag f4 = f3", options: options)?.message
            == "flag 'f3' can run more than 26 instructions in one evaluation, counting each use of a prerequisite flag (limit)")
        // An expression compiled against the file is held to the same bound: `f1 or f1`
        // costs 5 + 2 × 10 = 25, `f2` costs 1 + 26 = 27.
        _ = try rules.rule("f1 or f1")
        #expect(throws: CompileError.self) { try rules.rule("f2") }
        #expect(throws: CompileError.self) { try rules.rule("f2 or f2") }
    }

    @Test("100,000 declarations compile in linear time: a chain, and independent ones")
    func manyDeclarations() {
        let chain = (["let a0 = 1"] + (1..<100_000).map { "let a\($0) = a\($0 - 1)" } + ["flag f = user.x > a99999"]).joined(separator: "\n")
        #expect(ruleFileError(chain) == nil)
        let independent = (0..<100_000).map { "flag f\($0) = user.a\($0 % 100) > \($0)" }.joined(separator: "\n")
        #expect(ruleFileError(independent) == nil)
    }

    @Test("a declaration used twice by each next one hits the program size limit quickly")
    func declarationBlowUp() {
        let text = (["let a0 = user.x"] + (1..<40).map { "let a\($0) = a\($0 - 1) + a\($0 - 1)" } + ["flag f = a39 > 0"]).joined(separator: "\n")
        #expect(ruleFileError(text)?.message == "flag 'f' compiles to more than 1000000 instructions (limit)")
    }

    // MARK: Sizes

    @Test("source text: 8 MiB by default; at the limit accepted, one byte more refused, for rules, rule files and fmt")
    func sourceSize() throws {
        #expect(Limits().maxSourceBytes == 8 << 20)
        let over = compileError("1" + String(repeating: " ", count: 8 << 20))
        #expect(over?.code == "limit")
        #expect(over?.message == "source is larger than 8388608 bytes (limit)")

        var options = CompileOptions()
        options.limits.maxSourceBytes = 1_000
        let atLimit = "1" + String(repeating: " ", count: 999)
        #expect(compileError(atLimit, options: options) == nil)
        #expect(ruleFileError("flag f = true" + String(repeating: " ", count: 987), options: options) == nil)
        #expect(compileError(atLimit + " ", options: options)?.message == "source is larger than 1000 bytes (limit)")
        #expect(ruleFileError(atLimit + " ", options: options)?.message == "source is larger than 1000 bytes (limit)")
        #expect(throws: CompileError.self) {
            try Cohort.Formatter().format(SourceFile(name: "big", text: atLimit + " "), limits: options.limits)
        }
    }

    @Test("string literals: 64 KiB after decoding escapes accepted, one byte more refused")
    func stringSize() {
        let limit = Limits().maxStringLiteralBytes
        #expect(limit == 64 << 10)
        #expect(compileError("\"" + String(repeating: "a", count: limit) + "\"") == nil)
        let over = compileError("\"" + String(repeating: "a", count: limit + 1) + "\"")
        #expect(over?.code == "limit")
        #expect(over?.message == "string literal is longer than 65536 bytes (limit)")
        // Counted after decoding: 16,385 escaped emoji are 65,540 bytes, 163,850 written.
        #expect(compileError("\"" + String(repeating: "\\u{1F600}", count: 16_385) + "\"")?.message
            == "string literal is longer than 65536 bytes (limit)")
        #expect(compileError("\"" + String(repeating: "\\u{1F600}", count: 16_384) + "\"") == nil)
    }

    @Test("number literals: 100 characters accepted, 101 refused; underscores do not count")
    func numberLength() {
        let digits100 = "1." + String(repeating: "0", count: 98)
        #expect(compileError(digits100) == nil)
        let over = compileError(digits100 + "0")
        #expect(over?.code == "limit")
        #expect(over?.message == "number literal is longer than 100 characters (limit)")
        let underscored = (0..<100).map { _ in "1" }.joined(separator: "_")  // 100 digits, 199 characters
        #expect(compileError(underscored) == nil)
    }

    @Test("list literals and argument lists: 100,000 elements accepted, 100,001 refused")
    func listSize() {
        let limit = Limits().maxListLiteralCount
        #expect(limit == 100_000)
        let elements = Array(repeating: "1", count: limit).joined(separator: ",")
        #expect(compileError("[" + elements + "]") == nil)
        let over = compileError("[" + elements + ",1]")
        #expect(over?.code == "limit")
        #expect(over?.message == "a list or argument list has more than 100000 elements (limit)")
        // An argument list is counted the same way, before its arity is checked.
        #expect(compileError("bucket(" + elements + ",1)")?.message == "a list or argument list has more than 100000 elements (limit)")
    }

    @Test("program size: a rule or a flag over the instruction limit is refused")
    func programSize() {
        var options = CompileOptions()
        options.limits.maxProgramSize = 50
        let sum = (0..<100).map { "user.a\($0)" }.joined(separator: " + ")
        #expect(compileError(sum, options: options)?.message == "compiled program is larger than 50 instructions (limit)")
        #expect(ruleFileError("flag f = \(sum) > 1", options: options)?.message == "flag 'f' compiles to more than 50 instructions (limit)")
        #expect(compileError("user.a0 + user.a1", options: options) == nil)
    }

    // MARK: Regular expressions

    @Test("regex limits are compile errors that name them", arguments: [
        (String(repeating: "a", count: 10_001), "the pattern is 10001 Unicode scalars long, above the limit of 10000"),
        ("a{1001}", "repetition count 1001 is above the limit of 1000"),
        (String(repeating: "(", count: 101) + "a" + String(repeating: ")", count: 101), "groups nest more than 100 deep (limit)"),
        ("(a{1000}){1000}", "the compiled pattern needs more than 20000 instructions (limit); use smaller repetition counts"),
    ])
    func regexLimits(pattern: String, message: String) {
        let diagnostic = compileError("user.e matches \"\(pattern)\"")
        #expect(diagnostic?.code == "invalid-regex")
        #expect(diagnostic?.message == "invalid regular expression: " + message)
    }

    @Test("regex limits: just inside each one compiles")
    func regexWithinLimits() {
        #expect(compileError("user.e matches \"\(String(repeating: "a", count: 10_000))\"") == nil)
        #expect(compileError("user.e matches \"a{1000}\"") == nil)
        #expect(compileError("user.e matches \"\(String(repeating: "(", count: 100))a\(String(repeating: ")", count: 100))\"") == nil)
    }

    // MARK: Input records

    @Test("JSON contexts may nest 512 arrays and objects, not 513")
    func jsonDepth() {
        func nested(_ n: Int) -> String { "{\"user\":" + String(repeating: "[", count: n - 1) + String(repeating: "]", count: n - 1) + "}" }
        #expect((try? Context(json: nested(512))) != nil)
        do {
            _ = try Context(json: nested(513))
            Issue.record("513 levels were read")
        } catch {
            #expect(error.message == "nesting deeper than 512 levels")
        }
    }

    @Test("a deeply nested value from a record is printed, compared and hashed without trouble")
    func deepValues() throws {
        let text = "{\"user\":{\"x\":" + String(repeating: "[", count: 510) + String(repeating: "]", count: 510) + "}}"
        let context = try Context(json: text)
        let rule = try Rule("len(string(user.x)) == 1020 and user.x == user.x and user.x in [user.x]")
        #expect(rule.matches(context))
    }
}
