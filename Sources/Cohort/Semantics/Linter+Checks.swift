/// The checks that compare conditions: within one `and`/`or`, between the arms of a flag,
/// and between the `bucket` calls of different flags.
extension Linter {
    /// Operands compared pairwise in one `and`/`or` at most (a longer chain is checked for
    /// repeated operands only).
    private static let maxPairwise = 64

    /// `contradiction` for an `and` whose operands exclude each other, `tautology` for an
    /// `or` whose operands cover everything, else `redundant-condition` for each operand
    /// another one already implies (for `and`) or covers (for `or`).
    mutating func checkLogical(_ op: LogicalOperator, _ operands: [IR], _ parts: [LintCondition], span: SourceSpan) {
        let n = min(operands.count, Self.maxPairwise)
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                if op == .and, excludes(parts[i], parts[j]) {
                    diagnostics.append(.contradiction(text(operands[i].span), text(operands[j].span), span))
                    return
                }
                if op == .or, covers(parts[i], parts[j]) {
                    diagnostics.append(.tautology(text(operands[i].span), text(operands[j].span), span))
                    return
                }
            }
        }
        var redundant = Set<Int>()
        for i in 0..<n {
            for j in 0..<n where j != i && !redundant.contains(j) {
                // For `and`, operand i adds nothing when j implies it; for `or`, when it implies j.
                let (stronger, weaker) = op == .and ? (parts[j], parts[i]) : (parts[i], parts[j])
                guard implies(stronger, weaker) else { continue }
                // Two operands that say the same: the later one is the redundant one.
                if j > i, implies(weaker, stronger) { continue }
                redundant.insert(i)
                diagnostics.append(.redundantCondition(text(operands[i].span), because: text(operands[j].span), isAnd: op == .and,
                                                       operands[i].span, removal: removal(of: i, in: operands)))
                break
            }
        }
    }

    /// The span to delete to remove operand `k` of a chain: it and the operator before it
    /// (after it, for the first operand).
    private func removal(of k: Int, in operands: [IR]) -> SourceSpan {
        k > 0 ? SourceSpan(start: operands[k - 1].span.end, end: operands[k].span.end)
            : SourceSpan(start: operands[0].span.start, end: operands[1].span.start)
    }

    /// The arms of a flag block, with their conditions: `unreachable` after an always-true condition,
    /// `shadowed-arm` for one an earlier arm covers.
    mutating func checkArms(_ arms: [Declaration.Arm], _ conditions: [LintCondition]) {
        guard arms.count == conditions.count else { return }
        for k in arms.indices {
            let condition = conditions[k]
            if isNeverTrue(condition) { continue }
            if let j = (0..<k).first(where: { isAlwaysTrue(conditions[$0]) }) {
                // One warning for the first arm after it says it for the rest.
                diagnostics.append(.unreachableWhen(arms[k].span, after: arms[j].condition.span))
                return
            }
            for j in 0..<k where !isNeverTrue(conditions[j]) && implies(condition, conditions[j]) {
                // The same condition again is removed; a narrower one belongs above.
                let fixIt = implies(conditions[j], condition) ? removeArm(arms[k]) : moveArm(arms[k], above: arms[j])
                diagnostics.append(.shadowedArm(arms[k].condition.span, by: arms[j].condition.span, line: line(arms[j].span.start),
                                                fixIt: fixIt))
                break
            }
        }
    }

    /// The fix-it that moves arm `arm` to just above `earlier`, when both stand on lines of
    /// their own (an arm's trailing comment moves with it).
    private func moveArm(_ arm: Declaration.Arm, above earlier: Declaration.Arm) -> Diagnostic.FixIt? {
        guard let lines = ownLines(arm), let target = ownLines(earlier)?.start else { return nil }
        return Diagnostic.FixIt(message: "move this 'when' above line \(line(earlier.span.start))", edits: [
            .init(span: SourceSpan(start: target, end: target), replacement: source.text(of: lines)),
            .init(span: lines, replacement: ""),
        ])
    }

    /// The fix-it that deletes arm `arm`, when it stands on lines of its own.
    private func removeArm(_ arm: Declaration.Arm) -> Diagnostic.FixIt? {
        ownLines(arm).map { .replace($0, with: "", "remove this 'when'") }
    }

    /// The whole lines an arm stands on, line break included, when nothing but blanks
    /// precede it and nothing but blanks or a comment follow it.
    private func ownLines(_ arm: Declaration.Arm) -> SourceSpan? {
        let bytes = source.bytes
        var start = arm.span.start
        while start > 0, bytes[start - 1] != UInt8(ascii: "\n") {
            guard bytes[start - 1] == UInt8(ascii: " ") || bytes[start - 1] == UInt8(ascii: "\t") else { return nil }
            start -= 1
        }
        guard let newline = bytes[arm.span.end...].firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let rest = String(decoding: bytes[arm.span.end..<newline], as: UTF8.self).drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard rest.isEmpty || rest.hasPrefix("#") || rest.hasPrefix("//") else { return nil }
        return SourceSpan(start: start, end: newline + 1)
    }

    /// `shared-bucket`: two flags that bucket the same key with the same salt pick exactly
    /// the same users, so their rollouts are not independent. Flags whose tests of that
    /// bucket exclude each other (`< 50` and `>= 50`: an A/B split across two flags) mean it.
    mutating func checkSharedBuckets() {
        var firstByKey: [BucketKey: [BucketUse]] = [:]
        firstByKey.reserveCapacity(bucketUses.count)  // most keys are distinct: each flag salts its own
        var reported = Set<String>()
        for use in bucketUses {
            let key = BucketKey(key: use.key, salt: use.salt)
            let earlier = firstByKey[key, default: []]
            firstByKey[key, default: []].append(use)
            guard let other = earlier.first(where: { $0.flag != use.flag }), !reported.contains(use.flag + "\u{0}" + use.salt) else { continue }
            let exclusive = earlier.filter { $0.flag == other.flag }.allSatisfy { first in
                guard let a = first.constraint, let b = use.constraint else { return false }
                return excludes(.atom(LintAtom(subject: 0, constraint: a)), .atom(LintAtom(subject: 0, constraint: b)))
            }
            if exclusive { continue }
            reported.insert(use.flag + "\u{0}" + use.salt)
            let fixIt = use.saltSpan.map { span in
                Diagnostic.FixIt.replace(span, with: "\"\(use.flag)\"", "salt it with the flag's name, \"\(use.flag)\"")
            }
            diagnostics.append(.sharedBucket(text(use.span), flag: use.flag, other: other.flag, line: line(other.span.start),
                                             use.span, first: other.span, fixIt: fixIt))
        }
    }

    /// A bucket as `shared-bucket` compares them: the key's shape and the salt.
    private struct BucketKey: Hashable {
        var key: Int
        var salt: String
    }
}
