/// An evaluation as a tree: each sub-expression with its value, segments, lets and
/// prerequisite flags opened up where they are used, the tests that decided the outcome
/// marked, and errors shown where they arose. `cohort eval --explain`, the REPL's
/// `:explain` and `cohort test`'s failures print it (`rendered`).
public struct Explanation: Sendable, Hashable {
    /// What a sub-expression gave.
    public enum Outcome: Sendable, Hashable {
        /// Its value.
        case value(Value)
        /// An error value: its message (the location is the node's).
        case error(String)
        /// Not evaluated: an `and`/`or` was decided before reaching it, or an earlier `when`
        /// served.
        case skipped
    }

    /// The sub-expression as written (one line; long ones cut), or a heading such as
    /// `when user.plan == "pro" serve "blue"`.
    public var text: String
    /// What the node stands for when it opens up a name: `segment internal`, `let
    /// staff_groups`, `flag new_checkout`; nil otherwise.
    public var label: String?
    /// What it gave.
    public var outcome: Outcome
    /// Where it is, as `file:line:col`.
    public var location: String
    /// True for a test that decided the outcome of its flag or expression (see
    /// `Reason.split`).
    public var isDeciding: Bool
    /// Its operands, in source order.
    public var children: [Explanation]

    package init(text: String, label: String? = nil, outcome: Outcome, location: String, isDeciding: Bool = false,
                 children: [Explanation] = []) {
        self.text = text
        self.label = label
        self.outcome = outcome
        self.location = location
        self.isDeciding = isDeciding
        self.children = children
    }

    /// The tree as indented text, one node a line:
    ///
    ///     new_checkout or paying → true
    ///     ├─ flag new_checkout → true
    ///     │  └─ internal or bucket(user.id) < 20 → true
    ///     ...
    ///     └─ bucket(user.id) < 20 → true  ◀ decided
    ///
    /// A name opened up reads `segment internal → true` (its label, not the name twice); a
    /// constant is its own value (`serve: "green"`). An error is shown where it arose, with
    /// its message and place; the nodes it went up through say `error (see below)`.
    public var rendered: String { rendered(color: false) }

    /// `rendered`, with ANSI colours when `color` (values bold, errors red, the deciding
    /// mark green, what was not evaluated dim): for a terminal.
    public func rendered(color: Bool) -> String {
        var out = ""
        render(into: &out, prefix: "", childPrefix: "", color: color)
        return out
    }

    private func render(into out: inout String, prefix: String, childPrefix: String, color: Bool) {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m" + text + "\u{1B}[0m" : text }
        // `segment internal`, not `segment internal: internal`; a constant is its own value.
        if let label, label == text || label.hasSuffix(" " + text) {
            out += prefix + label
        } else {
            out += prefix + (label.map { $0 + ": " } ?? "") + text
        }
        switch outcome {
        case .value(let v) where v.jsonText == text: break
        case .value(let v): out += " " + paint("→", "2") + " " + paint(v.jsonText, "1")
        case .error where errorCameFromBelow: out += " " + paint("→", "2") + " " + paint("error", "31") + " (see below)"
        case .error(let message): out += " " + paint("→", "2") + " " + paint("error: " + message, "31") + "  (at \(location))"
        case .skipped: out += " " + paint("→", "2") + " " + paint("not evaluated", "2")
        }
        if isDeciding { out += "  " + paint("◀ decided", "32") }
        out += "\n"
        for (i, child) in children.enumerated() {
            let last = i == children.count - 1
            child.render(into: &out, prefix: childPrefix + (last ? "└─ " : "├─ "), childPrefix: childPrefix + (last ? "   " : "│  "),
                         color: color)
        }
    }

    /// True for an error that one of the operands gave (the same message): it arose below.
    private var errorCameFromBelow: Bool {
        guard case .error(let message) = outcome else { return false }
        return children.contains { if case .error(message) = $0.outcome { true } else { false } }
    }

    /// The outcome as it is printed: the value as JSON, `error: message`, or `not evaluated`.
    public var outcomeText: String {
        switch outcome {
        case .value(let v): v.jsonText
        case .error(let message): "error: " + message
        case .skipped: "not evaluated"
        }
    }

    /// Every node of the tree, this one first.
    public var allNodes: [Explanation] {
        [self] + children.flatMap(\.allNodes)
    }
}
