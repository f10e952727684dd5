/// What the tests of a run reached in one rule file, and what they did not.
///
/// "Reached", precisely (docs/testing.md, "Coverage"): a test *evaluates* a flag when one
/// of its expectations names the flag, directly or through a `let` or segment, or when the
/// evaluation of a flag it evaluates gets to it as a prerequisite. A segment is *reached*
/// when the evaluation of a flag the test evaluates gets to it (one that an `and`/`or`
/// decided before it is not), or when an expectation names it. Then:
/// - a `when` arm is covered when a test's evaluation of its flag served that arm;
/// - a flag block's `default` is covered when it was served without an error;
/// - a boolean flag is covered when it served `true` in some test and `false` in some test
///   (a flag whose value cannot depend on the context has one side only);
/// - a segment is covered when it was reached and `true` in some test, and reached and
///   `false` in some test.
/// Arms that can never serve (after a `when` whose condition is always true) are left out.
package struct Coverage: Sendable {
    /// One thing to cover.
    package struct Item: Sendable, Hashable {
        /// What kind of item.
        package enum Kind: Sendable, Hashable {
            /// The `when` arm at `index` of a flag block.
            case arm(flag: String, index: Int)
            /// A flag block's default.
            case defaultArm(flag: String)
            /// A boolean flag, and the values it can serve.
            case booleanFlag(flag: String, sides: [Bool])
            /// A segment.
            case segment(name: String)
        }

        package var kind: Kind
        /// 1-based line in the rule file.
        package var line: Int
        /// How the item reads: `when bucket(user.id) < 50`, `default "red"`,
        /// `flag new_checkout`, `segment internal`.
        package var label: String

        /// How many outcomes it stands for: one per side of a boolean flag or segment.
        package var units: Int {
            switch kind {
            case .arm, .defaultArm: 1
            case .booleanFlag(_, let sides): sides.count
            case .segment: 2
            }
        }
    }

    /// An item not fully covered, with what is missing.
    package struct Miss: Sendable, Hashable {
        package var item: Item
        /// `never matched by a test`, `never false in a test`, ...
        package var message: String
        /// How many of its units were covered.
        package var coveredUnits: Int
    }

    /// The rule file.
    package var path: String
    /// Everything there is to cover, by line.
    package var items: [Item]
    /// What the tests reached so far.
    package private(set) var servedArms: [String: Set<Int>] = [:]
    package private(set) var flagValues: [String: Set<Bool>] = [:]
    package private(set) var segmentValues: [String: Set<Bool>] = [:]
    package private(set) var evaluated: Set<String> = []

    /// The items of a rule file.
    package init(_ rules: RulesUnderTest) {
        path = rules.path
        let source = rules.ruleset.source
        var items: [Item] = []
        func oneLine(_ span: SourceSpan) -> String {
            source.text(of: span).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        for checked in rules.ruleset.compiler.checked {
            let declaration = checked.declaration
            guard rules.declarations[declaration.name] == declaration else { continue }
            let line = source.location(of: declaration.span.start).line
            switch declaration.kind {
            case .let:
                continue
            case .segment:
                items.append(Item(kind: .segment(name: declaration.name), line: line, label: "segment \(declaration.name)"))
            case .flag:
                guard let flag = rules.flag(declaration.name) else { continue }
                if flag.isBoolean {
                    let sides: [Bool] = flag.fixedArm.map { [$0 == 0] } ?? [true, false]
                    items.append(Item(kind: .booleanFlag(flag: flag.name, sides: sides), line: line, label: "flag \(flag.name)"))
                    continue
                }
                let reachable = flag.fixedArm.map { Set([$0]) } ?? Set(-1 ..< flag.arms.count)
                for (index, arm) in declaration.arms.enumerated() where reachable.contains(index) {
                    items.append(Item(kind: .arm(flag: flag.name, index: index), line: source.location(of: arm.span.start).line,
                                      label: "when \(oneLine(arm.condition.span))"))
                }
                if reachable.contains(-1), let value = declaration.defaultValue {
                    items.append(Item(kind: .defaultArm(flag: flag.name), line: source.location(of: value.span.start).line,
                                      label: "default \(oneLine(value.span))"))
                }
            }
        }
        self.items = items.sorted { $0.line < $1.line }
    }

    /// Records a flag's evaluation in a test: the arm that served (-1 the default), and
    /// whether it failed.
    package mutating func record(flag: String, arm: Int, value: Value, failed: Bool) {
        evaluated.insert(flag)
        guard !failed else { return }
        servedArms[flag, default: []].insert(arm)
        if case .bool(let b) = value { flagValues[flag, default: []].insert(b) }
    }

    /// Records a segment's value in a test (nil: it failed).
    package mutating func record(segment: String, value: Result<Value, EvaluationError>?) {
        evaluated.insert(segment)
        if case .success(.bool(let b))? = value { segmentValues[segment, default: []].insert(b) }
    }

    /// Adds what another run of tests reached.
    package mutating func merge(_ other: Coverage) {
        for (flag, arms) in other.servedArms { servedArms[flag, default: []].formUnion(arms) }
        for (flag, values) in other.flagValues { flagValues[flag, default: []].formUnion(values) }
        for (segment, values) in other.segmentValues { segmentValues[segment, default: []].formUnion(values) }
        evaluated.formUnion(other.evaluated)
    }

    /// The items not fully covered, by line.
    package var misses: [Miss] {
        items.compactMap { item in
            switch item.kind {
            case .arm(let flag, let index):
                return servedArms[flag, default: []].contains(index) ? nil
                    : Miss(item: item, message: "never matched by a test", coveredUnits: 0)
            case .defaultArm(let flag):
                return servedArms[flag, default: []].contains(-1) ? nil
                    : Miss(item: item, message: "never served by a test", coveredUnits: 0)
            case .booleanFlag(let flag, let sides):
                return miss(item, name: flag, sides: sides, seen: flagValues[flag, default: []])
            case .segment(let name):
                return miss(item, name: name, sides: [true, false], seen: segmentValues[name, default: []])
            }
        }
    }

    private func miss(_ item: Item, name: String, sides: [Bool], seen: Set<Bool>) -> Miss? {
        let missing = sides.filter { !seen.contains($0) }
        if missing.isEmpty { return nil }
        let message: String
        if !evaluated.contains(name) {
            message = "never reached by a test"
        } else {
            message = "never " + missing.map { $0 ? "true" : "false" }.joined(separator: " or ") + " in a test"
        }
        return Miss(item: item, message: message, coveredUnits: sides.count - missing.count)
    }

    /// How many units there are, and how many were covered.
    package var totals: (covered: Int, total: Int) {
        let total = items.reduce(0) { $0 + $1.units }
        let missed = misses.reduce(0) { $0 + $1.item.units - $1.coveredUnits }
        return (total - missed, total)
    }

    /// The covered share, 0...1 (1 for a file with nothing to cover).
    package var share: Double {
        let (covered, total) = totals
        return total == 0 ? 1 : Double(covered) / Double(total)
    }
}
