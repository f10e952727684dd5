/// What a service can know about the rules before it evaluates them: each flag's type,
/// default, the values it can serve, the attributes it reads.
extension Ruleset {
    /// Every flag, in declaration order.
    public var flags: [FlagInfo] { compiled.flagInfos }

    /// The attribute paths the rules read, as written in rules (`user.id`), in first-use order.
    public var attributePaths: [String] { compiled.layout.names }

    /// The context roots the rules read (`user`, `device`, …).
    public var roots: [String] {
        var seen: Set<String> = []
        return compiled.slotTable.paths.map(\.root).filter { seen.insert($0).inserted }
    }
}

/// One flag of a rule file, as a service or a front end sees it.
public struct FlagInfo: Sendable, Hashable, Encodable {
    /// The flag's name.
    public var name: String
    /// The type of the values it serves (`bool`, `string`, `number`, `list`, …), or nil
    /// when its arms serve values of different types.
    public var valueType: String?
    /// The value served when no `when` matches, and after an error.
    public var defaultValue: Value
    /// The constant values its arms and default can serve, in order, without repeats.
    public var servedValues: [Value]
    /// True when some arm serves a computed value (`serve user.plan`), which
    /// `servedValues` cannot list.
    public var servesComputedValues: Bool
    /// The variant names it can report (`rule-N`, named `as NAME` arms, `default`).
    public var variants: [String]
    /// True for `flag NAME = EXPR`, false for a flag block.
    public var isBoolean: Bool
    /// The 1-based line of its declaration.
    public var line: Int
    /// The comment right above its declaration.
    public var documentation: String?
    /// The attribute paths it reads, its prerequisites' included, as written in rules.
    public var attributePaths: [String]
    /// The flags it uses as prerequisites.
    public var prerequisites: [String]

    private enum CodingKeys: String, CodingKey {
        case name, valueType, defaultValue, servedValues, servesComputedValues, variants, isBoolean, line, documentation,
             attributePaths, prerequisites
    }

    /// Encodes the info as JSON-shaped data (values as JSON).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(valueType, forKey: .valueType)
        try c.encode(JSONFragment(defaultValue), forKey: .defaultValue)
        try c.encode(servedValues.map(JSONFragment.init), forKey: .servedValues)
        try c.encode(servesComputedValues, forKey: .servesComputedValues)
        try c.encode(variants, forKey: .variants)
        try c.encode(isBoolean, forKey: .isBoolean)
        try c.encode(line, forKey: .line)
        try c.encodeIfPresent(documentation, forKey: .documentation)
        try c.encode(attributePaths, forKey: .attributePaths)
        try c.encode(prerequisites, forKey: .prerequisites)
    }
}

extension Context {
    /// The attribute paths `ruleset` reads that this context does not have: a context
    /// built from a struct whose keys differ from the rules' (`appVersion` for
    /// `app_version`) is caught here rather than silently served every default.
    ///
    /// Returns the missing paths as written in rules (`user.app_version`), in the rules'
    /// first-use order; empty when the context has every path. A path whose value is JSON
    /// `null` counts as missing, as it does in evaluation.
    public func validate(against ruleset: Ruleset) -> [String] {
        zip(ruleset.compiled.slotTable.paths, ruleset.compiled.layout.names)
            .filter { path, _ in path.resolve(in: roots).isNull }
            .map(\.1)
    }
}

extension CompiledRuleset {
    /// The info of every flag (worked out on first use).
    package var flagInfos: [FlagInfo] {
        flags.indices.map { i in
            let flag = flags[i]
            let checked = compiler.checked[flag.memoIndex]
            let outcomes = flag.outcomeConstants
            var served: [Value] = []
            for case let value? in outcomes.dropFirst() + [outcomes.first ?? nil] where !served.contains(where: { $0.writesSameJSON(as: value) }) {
                served.append(value)
            }
            let kinds = Set(served.map(\.kind))
            var prerequisites: [String] = []
            for program in flag.arms.flatMap({ [$0.condition, $0.value] }) {
                for p in program.flags where !prerequisites.contains(p.name) { prerequisites.append(p.name) }
            }
            return FlagInfo(
                name: flag.name,
                valueType: outcomes.contains { $0 == nil } ? (checked.kind?.name) : (kinds.count == 1 ? kinds.first!.name : nil),
                defaultValue: flag.defaultValue,
                servedValues: served,
                servesComputedValues: outcomes.contains { $0 == nil },
                variants: (0..<flag.arms.count).map(flag.variant(servedBy:)) + [flag.variant(servedBy: -1)],
                isBoolean: flag.isBoolean,
                line: source.location(of: checked.declaration.nameSpan.start).line,
                documentation: checked.declaration.leadingComment(in: source),
                attributePaths: flagSlots[i].map { layout.names[$0] },
                prerequisites: prerequisites)
        }
    }
}
