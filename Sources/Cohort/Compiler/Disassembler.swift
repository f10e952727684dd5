/// Renders a program as text: constants, slots, then one line per instruction with its
/// operands, jump targets and the source it came from.
package struct Disassembler {
    package var source: SourceFile
    package var slots: SlotTable

    package init(source: SourceFile, slots: SlotTable) {
        self.source = source
        self.slots = slots
    }

    package func render(_ program: Program, title: String? = nil) -> String {
        var out = ""
        if let title { out += "== \(title) ==\n" }
        if !program.constants.isEmpty {
            out += "constants:\n"
            for (i, value) in program.constants.enumerated() { out += "  k\(i) = \(value.jsonText)\n" }
        }
        let used = Set(program.code.compactMap { instruction -> UInt32? in
            switch instruction {
            case .slot(let s), .slotEqualsConstant(let s, _), .slotInSet(let s, _), .slotOperatorConstant(_, let s, _),
                .bucketLess(let s, _, _), .semverCompare(_, let s, _), .slotNot(let s), .slotExists(let s): return s
            default: return nil
            }
        }).sorted()
        if !used.isEmpty {
            out += "slots:\n"
            for s in used where Int(s) < slots.count { out += "  s\(s) = \(slots.paths[Int(s)])\n" }
        }
        if !program.sets.isEmpty {
            out += "sets:\n"
            for (i, set) in program.sets.enumerated() { out += "  set\(i) = \(describe(set.members))\n" }
        }
        out += "code (max stack \(program.maxStack)):\n"
        for (pc, instruction) in program.code.enumerated() {
            let operands = self.operands(instruction, program)
            var line = pad(String(format4(pc)), 6) + pad(instruction.mnemonic, 16) + operands
            let span = program.spans[pc]
            let at = source.location(of: span.start)
            line = pad(line, 48) + "; \(at.line):\(at.column) " + snippet(span)
            out += line + "\n"
        }
        return out
    }

    private func operands(_ instruction: Instruction, _ program: Program) -> String {
        switch instruction {
        case .constant(let k): return "k\(k) \(short(program.constants[Int(k)]))"
        case .slot(let s): return "s\(s) \(slotName(s))"
        case .member(let k): return "k\(k) \(short(program.constants[Int(k)]))"
        case .makeList(let n): return "\(n)"
        case .andTest(let t), .orTest(let t), .andStep(let t), .orStep(let t): return "-> \(format4(Int(t)))"
        case .allOf(let n, let t), .anyOf(let n, let t): return "\(n) operands -> \(format4(Int(t)))"
        case .inSet(let k): return "set\(k)"
        case .matches(let k): return "re\(k)"
        case .call(let builtin, let n): return "\(builtin.name)/\(n)"
        case .flag(let k): return "\(program.flags[Int(k)].name)"
        case .slotEqualsConstant(let s, let k): return "s\(s) \(slotName(s)), k\(k) \(short(program.constants[Int(k)]))"
        case .slotInSet(let s, let k): return "s\(s) \(slotName(s)), set\(k)"
        case .slotOperatorConstant(let op, let s, let k):
            return "s\(s) \(slotName(s)) \(op.rawValue) k\(k) \(short(program.constants[Int(k)]))"
        case .slotNot(let s), .slotExists(let s): return "s\(s) \(slotName(s))"
        case .nowCompare(let op, let k): return "now() \(op.rawValue) k\(k) \(short(program.constants[Int(k)]))"
        case .semverCompare(let op, let s, let k):
            return "s\(s) \(slotName(s)) \(op.rawValue) k\(k) \(short(program.constants[Int(k)]))"
        case .bucketLess(let s, let salt, let k):
            let saltText = salt == Instruction.defaultSaltOperand ? "default salt" : "salt k\(salt) \(short(program.constants[Int(salt)]))"
            return "s\(s) \(slotName(s)), \(saltText), < k\(k) \(short(program.constants[Int(k)]))"
        default: return ""
        }
    }

    private func slotName(_ s: UInt32) -> String {
        Int(s) < slots.count ? "(\(slots.paths[Int(s)]))" : "(?)"
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
