// Fuzz target `eval`: a rule (an expression, or a rule file when it starts with let,
// segment or flag) and a JSON context, separated by the first NUL byte.
// Properties: no trap, no hang; evaluating twice gives the same result; error values point
// inside the rule's source; a ruleset's flags all report a value and a reason; the rule or
// ruleset compiled without fused tests (no quick path) gives exactly the same results.

/// Used when the input has no valid JSON context: one of every kind of value.
private let defaultContext: Context = {
    let json = """
        {"user": {"id": "u-42", "age": 34, "email": "Ada@ACME.com", "plan": "pro", "group": "qa",
                  "tags": ["vip", "beta", 3, null], "v": "5.2.0", "t": "2026-01-01T00:00:00Z",
                  "n": -0, "big": 1e308, "tiny": 5e-324, "obj": {"a": [1, {"b": true}]}, "s": "é\\u0000"},
         "device": {"os": "ios"}, "env": "prod"}
        """
    return try! Context(json: json)
}()

private let now = Instant(seconds: 1_767_225_600)

/// Options that compile every test as plain instructions: the reference for the fused forms.
private let unfused: CompileOptions = {
    var options = CompileOptions()
    options.fusesTests = false
    return options
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvaluate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = bytes(data, size)
    let cut = input.firstIndex(of: 0) ?? input.count
    guard let source = try? SourceFile(name: "fuzz", data: Array(input[..<cut])) else { return 0 }
    var context = defaultContext
    if cut < input.count, let parsed = try? Context(jsonBytes: input[(cut + 1)...]) {
        context = parsed
    }
    let text = source.text
    let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
    if trimmed.hasPrefix("let") || trimmed.hasPrefix("segment") || trimmed.hasPrefix("flag") {
        guard let rules = try? Ruleset(source: text, file: "fuzz") else { return 0 }
        let first = rules.evaluateAll(in: context, now: now)
        require(first == rules.evaluateAll(in: context, now: now), "nondeterministic ruleset")
        require(first.map(\.flag) == rules.flagNames, "flags missing from evaluateAll")
        for evaluation in first {
            if case .error(let error) = evaluation.reason {
                require(error.span.end <= source.bytes.count, "error span outside the source")
            }
            require(rules.evaluate(evaluation.flag, in: context, now: now) == evaluation, "evaluate != evaluateAll")
        }
        if let rule = try? rules.rule("true") { _ = rule.evaluate(context, now: now) }
        // Unfused, the program may exceed a size limit the fused one meets: nothing to compare.
        if let plain = try? Ruleset(source: text, file: "fuzz", options: unfused) {
            require(plain.evaluateAll(in: context, now: now) == first, "fused and unfused rulesets disagree")
        }
    } else {
        guard let rule = try? Rule(text) else { return 0 }
        let first = rule.evaluate(context, now: now, salt: "fuzz")
        require(first == rule.evaluate(context, now: now, salt: "fuzz"), "nondeterministic rule")
        if let plain = try? Rule(text, options: unfused) {
            require(plain.evaluate(context, now: now, salt: "fuzz") == first, "fused and unfused rules disagree")
        }
        switch first {
        case .failure(let error):
            require(error.span.start >= 0 && error.span.end <= source.bytes.count, "error span \(error.span) outside the source")
            require(!rule.matches(context, now: now, salt: "fuzz"), "an error value matched")
        case .success(let value):
            require(rule.matches(context, now: now, salt: "fuzz") == (value == .bool(true)), "matches disagrees with evaluate")
            _ = value.jsonText
            _ = value.canonicalText
        }
    }
    return 0
}
