extension Ruleset {
    /// A 128-bit digest of a flag's definition, comparable within one process.
    package struct FlagFingerprint: Hashable, Sendable {
        package var high: UInt64
        package var low: UInt64
    }

    /// Each flag, in declaration order, with a digest that changes exactly when the flag's
    /// definition does (up to a 2^-128 chance): the digest of its declaration in canonical
    /// form (the formatter's, without comments or positions) and of the digests of the
    /// declarations it uses — a Merkle tree over the dependency graph, so a segment edited
    /// changes every flag that reaches it, and a file of long chains costs linear time.
    /// ``RulesetChange`` compares these.
    package var flagFingerprints: [(name: String, fingerprint: FlagFingerprint)] {
        let declarations = compiler.file.declarations
        var index: [String: Int] = [:]
        for (i, declaration) in declarations.enumerated() where index[declaration.name] == nil {
            index[declaration.name] = i
        }
        let formatter = Formatter()
        var digests: [FlagFingerprint?] = Array(repeating: nil, count: declarations.count)

        /// The declarations `i` names, each once, in file order.
        func uses(_ i: Int) -> [Int] {
            var names: [String] = []
            let d = declarations[i]
            for expr in [d.expression, d.defaultValue].compactMap({ $0 }) + d.arms.flatMap({ [$0.condition, $0.value] }) {
                Self.collectNames(expr, into: &names)
            }
            return Set(names.compactMap { index[$0] }).sorted()
        }

        /// Digests `root` and everything it uses, dependencies first. Iterative: a file may
        /// chain thousands of declarations.
        func digest(_ root: Int) -> FlagFingerprint {
            var stack: [(declaration: Int, usesDone: Bool)] = [(root, false)]
            var usesOf: [Int: [Int]] = [:]
            while let (i, usesDone) = stack.popLast() {
                if digests[i] != nil { continue }
                let used = usesOf[i] ?? uses(i)
                if !usesDone {
                    usesOf[i] = used
                    stack.append((i, true))
                    for j in used where digests[j] == nil { stack.append((j, false)) }
                    continue
                }
                // Two differently keyed SipHash digests of the same input: 128 bits.
                var high = Hasher(), low = Hasher()
                high.combine(0 as UInt8)
                low.combine(1 as UInt8)
                let text = formatter.format([declarations[i]])
                // By scalars: `"é"` and `"e\u{301}"` are different strings to a rule.
                hashScalars(text, into: &high)
                hashScalars(text, into: &low)
                for j in used {
                    // A compiled file has no cycles; were there one, its back edge counts as empty.
                    let d = digests[j] ?? FlagFingerprint(high: 0, low: 0)
                    high.combine(d)
                    low.combine(d)
                }
                digests[i] = FlagFingerprint(high: UInt64(bitPattern: Int64(high.finalize())), low: UInt64(bitPattern: Int64(low.finalize())))
            }
            return digests[root]!
        }

        return flagNames.compactMap { name in
            index[name].map { (name, digest($0)) }
        }
    }

    /// Every bare name in `expr` (a root, a declaration, anything).
    private static func collectNames(_ expr: Expr, into names: inout [String]) {
        var pending = [expr]
        while let e = pending.popLast() {
            switch e.kind {
            case .literal: break
            case .name(let name): names.append(name)
            case .list(let items): pending += items
            case .member(let base, _): pending.append(base)
            case .index(let base, let index): pending += [base, index]
            case .call(_, let arguments): pending += arguments
            case .unary(_, let operand): pending.append(operand)
            case .binary(_, let left, let right): pending += [left, right]
            case .logical(_, let operands): pending += operands
            }
        }
    }
}
