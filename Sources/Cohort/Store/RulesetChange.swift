/// What a reload changed: the flags that appeared, disappeared, or may now serve
/// differently. Sent on ``RulesetStore/changes`` each time the store swaps in new rules.
///
/// A flag is *changed* when its declaration, or any declaration it uses (a segment, a
/// `let`, a prerequisite flag, and theirs in turn), reads differently after formatting:
/// its conditions, served values, default or variant names. Moving a flag, re-indenting it
/// or editing a comment does not change it; editing a segment changes every flag that uses
/// it. A rename is one flag removed and one added (the name is also the `bucket` salt, so
/// the users it serves change too).
public struct RulesetChange: Sendable, Hashable, CustomStringConvertible {
    /// Flags in the new rules that the old ones did not have, in declaration order.
    public var added: [String]
    /// Flags of the old rules that the new ones no longer have, in their old order.
    public var removed: [String]
    /// Flags in both whose definition differs, in the new declaration order.
    public var changed: [String]

    /// A change listing the flags added, removed and changed.
    public init(added: [String] = [], removed: [String] = [], changed: [String] = []) {
        self.added = added
        self.removed = removed
        self.changed = changed
    }

    /// True when no flag was added, removed or changed: the new text differs only in
    /// comments, layout, order, or declarations no flag uses. (Lines in reasons may still
    /// have moved.)
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// `added: a, b; removed: c; changed: d`, or `no flag changed`.
    public var description: String {
        let parts = [("added", added), ("removed", removed), ("changed", changed)]
            .filter { !$0.1.isEmpty }
            .map { "\($0.0): \($0.1.joined(separator: ", "))" }
        return parts.isEmpty ? "no flag changed" : parts.joined(separator: "; ")
    }

    /// The change from rules with `old` fingerprints to rules with `new` ones (each flag's
    /// name, in declaration order, with its fingerprint).
    package init(from old: [(name: String, fingerprint: Ruleset.FlagFingerprint)], to new: [(name: String, fingerprint: Ruleset.FlagFingerprint)]) {
        let before = Dictionary(old, uniquingKeysWith: { first, _ in first })
        let after = Set(new.map(\.name))
        self.init(
            added: new.filter { before[$0.name] == nil }.map(\.name),
            removed: old.filter { !after.contains($0.name) }.map(\.name),
            changed: new.filter { flag in before[flag.name].map { $0 != flag.fingerprint } ?? false }.map(\.name))
    }
}
