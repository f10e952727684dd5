/// Renders a program as text: constants, slots, sets, the decoded tests (the chain
/// walker's plan, nested chains indented), then one line per instruction with its operands,
/// jump targets and the source it came from.
package struct Disassembler {
    package var source: SourceFile
    /// The attribute path of each slot, as written in rules.
    package var slotNames: [String]

    package init(source: SourceFile, slotNames: [String]) {
        self.source = source
        self.slotNames = slotNames
    }

    package func render(_ program: Program, title: String? = nil) -> String {
        var out = ""
        if let title { out += "== \(title) ==\n" }
        if !program.constants.isEmpty {
            out += "constants:\n"
            for (i, value) in program.constants.enumerated() { out += "  k\(i) = \(value.jsonText)\n" }
        }
        let read = program.code.compactMap { instruction -> UInt32? in if case .slot(let s) = instruction { s } else { nil } }
        let used = Set(read + program.tests.compactMap(\.slot)).sorted()
        if !used.isEmpty {
            out += "slots:\n"
            for s in used where Int(s) < slotNames.count { out += "  s\(s) = \(slotNames[Int(s)])\n" }
        }
        if !program.sets.isEmpty {
            out += "sets:\n"
            for (i, set) in program.sets.enumerated() { out += "  set\(i) = \(describe(set.members))\n" }
        }
        if !program.tests.isEmpty {
            out += "tests:\n"
            // Each chain's operands are indented under it, for as many as it spans.
            var open: [Int] = []
            for (k, test) in program.tests.enumerated() {
                open = open.filter { $0 >= k }
                out += "  t\(k) = " + String(repeating: "  ", count: open.count) + describe(test, program) + "\n"
                if case .chain(_, _, let length) = test { open.append(k + Int(length)) }
            }
        }
        out += "code (max stack \(program.maxStack)):\n"
        for (pc, instruction) in program.code.enumerated() {
            let span = program.spans[pc], at = source.location(of: span.start)
            out += pad(pad(format4(pc), 6) + pad(instruction.mnemonic, 16) + operands(instruction, program), 48)
                + "; \(at.line):\(at.column) " + snippet(span) + "\n"
        }
        return out
    }

    private func operands(_ instruction: Instruction, _ program: Program) -> String {
        switch instruction {
        case .constant(let k): return "k\(k) \(short(program.constants[Int(k)]))"
        case .slot(let s): return "s\(s) \(slotName(s))"
        case .member(let k): return "k\(k) \(short(program.constants[Int(k)]))"
        case .makeList(let n): return "\(n)"
        case .andTest(let t), .orTest(let t): return "-> \(format4(Int(t)))"
        case .inSet(let k): return "set\(k)"
        case .matches(let k): return "re\(k)"
        case .call(let builtin, let n): return "\(builtin.name)/\(n)"
        case .test(let k): return "t\(k)"
        case .chain(let k, let t): return "t\(k) -> \(format4(Int(t)))"
        default: return ""
        }
    }

    /// A test as the walker reads it: `s0 (user.plan) == "pro"`, `bucket(s1 (user.id),
    /// default salt) < 20`, `any_of 2 tests`.
    private func describe(_ test: DecodedTest, _ program: Program) -> String {
        func slot(_ s: UInt32) -> String { "s\(s) \(slotName(s))" }
        func constant(_ k: UInt32) -> String { "k\(k) \(short(program.constants[Int(k)]))" }
        func number(_ x: Double) -> String { short(.number(x)) }
        switch test {
        case .less(let s, let x): return "\(slot(s)) < \(number(x))"
        case .lessEqual(let s, let x): return "\(slot(s)) <= \(number(x))"
        case .greater(let s, let x): return "\(slot(s)) > \(number(x))"
        case .greaterEqual(let s, let x): return "\(slot(s)) >= \(number(x))"
        case .numberEquals(let s, let x): return "\(slot(s)) == \(number(x))"
        case .numberNotEquals(let s, let x): return "\(slot(s)) != \(number(x))"
        case .stringEquals(let s, let words): return "\(slot(s)) == \(short(.string(words.string))) (words)"
        case .stringNotEquals(let s, let words): return "\(slot(s)) != \(short(.string(words.string))) (words)"
        case .boolEquals(let s, let b): return "\(slot(s)) == \(b)"
        case .equals(let s, let k): return "\(slot(s)) == \(constant(k))"
        case .notEquals(let s, let k): return "\(slot(s)) != \(constant(k))"
        case .compare(let s, let op, let k): return "\(slot(s)) \(op.symbol) \(constant(k))"
        case .inSet(let s, let k): return "\(slot(s)) in set\(k)"
        case .contains(let s, let k): return "\(slot(s)) contains \(constant(k))"
        case .affix(let s, let k, let prefix): return "\(slot(s)) \(prefix ? "starts_with" : "ends_with") \(constant(k))"
        case .not(let s): return "not \(slot(s))"
        case .exists(let s): return "exists(\(slot(s)))"
        case .bucketLess(let s, let salt, let bound):
            let saltText = salt == DecodedTest.defaultSalt ? "default salt" : constant(salt)
            return "bucket(\(slot(s)), \(saltText)) < \(number(bound))"
        case .semver(let s, let op, let k):
            return "semver(\(slot(s))) \(op.symbol) \(constant(k))" + (program.constantReleases[Int(k)] == nil ? "" : " (release numbers)")
        case .now(let op, let t): return "now() \(op.symbol) \(t)"
        case .flag(let k): return "flag \(program.flags[Int(k)].name)"
        case .chain(let decider, let count, _): return "\(decider ? "any_of" : "all_of") \(count) tests"
        }
    }

    private func slotName(_ s: UInt32) -> String {
        Int(s) < slotNames.count ? "(\(slotNames[Int(s)]))" : "(?)"
    }

    private func short(_ value: Value) -> String {
        let text = value.jsonText
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }

    private func describe(_ set: Set<Value>) -> String {
        let items = set.map(\.jsonText).sorted()
        let shown = items.prefix(8).joined(separator: ", ")
        return "{" + shown + (items.count > 8 ? ", … (\(items.count) values)" : "") + "}"
    }

    private func snippet(_ span: SourceSpan) -> String {
        let text = source.text(of: span).split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }

    private func format4(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
