/// Why a flag served its value: one vocabulary for every face of Cohort (the library,
/// `cohort eval`, `batch --reasons`, `test`, `diff` and the REPL).
///
/// `rule` is the 0-based index of the flag's `when` arm that served (a boolean flag
/// `flag f = EXPR` has one arm, its expression); `line` is that arm's 1-based source line.
public enum Reason: Sendable, Hashable, CustomStringConvertible {
    /// The flag's value cannot depend on the context: every condition up to the serving
    /// arm is a constant (a kill switch `flag f = false`, a flag on for everyone).
    case `static`
    /// A `when` arm matched by targeting (for a boolean flag: its expression was true).
    case match(rule: Int, line: Int)
    /// Like `match`, but a test that decided it was a `bucket(...)` comparison: the user got
    /// the arm by the hash (a percentage rollout or an experiment arm), not by targeting.
    case split(rule: Int, line: Int)
    /// No `when` matched (for a boolean flag: its expression was false).
    case `default`
    /// A condition or served value failed; the flag served its default.
    ///
    /// Boxed (`indirect`): errors are rare, and out of line they keep a reason three words
    /// long, so every evaluation's result (and `evaluateAll`'s array) stays small.
    indirect case error(EvaluationError)

    /// The five kinds of reason, by the words every output uses.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case `static`, match, split, `default`, error
    }

    /// The kind of this reason.
    public var kind: Kind {
        switch self {
        case .static: .static
        case .match: .match
        case .split: .split
        case .default: .default
        case .error: .error
        }
    }

    /// The 0-based index of the arm that served, for `match` and `split`.
    public var rule: Int? {
        switch self {
        case .match(let rule, _), .split(let rule, _): rule
        default: nil
        }
    }

    /// The source line of the arm that served, for `match` and `split`; of the failing
    /// sub-expression for `error`.
    public var line: Int? {
        switch self {
        case .match(_, let line), .split(_, let line): line
        case .error(let error): error.location.line
        default: nil
        }
    }

    /// One line for a person: `match, rule 0, line 59`, `split, rule 1, line 61`, `default`,
    /// `static`, `error at flags.cohort:14:30: <message>`.
    public var description: String {
        switch self {
        case .static: "static"
        case .match(let rule, let line): "match, rule \(rule), line \(line)"
        case .split(let rule, let line): "split, rule \(rule), line \(line)"
        case .default: "default"
        case .error(let error): "error at \(error.file):\(error.location): \(error.message)"
        }
    }

    /// The reason as a JSON object, as `batch --reasons`, `test --format json` and `diff`
    /// write it: `{"kind":"match","rule":0,"line":59}`, `{"kind":"default"}`,
    /// `{"kind":"error","message":"…","at":"flags.cohort:14:30"}`.
    public var jsonText: String {
        switch self {
        case .static, .default: return #"{"kind":""# + kind.rawValue + #""}"#
        case .match(let rule, let line), .split(let rule, let line):
            return #"{"kind":""# + kind.rawValue + #"","rule":\#(rule),"line":\#(line)}"#
        case .error(let error):
            var out = #"{"kind":"error","message":"#
            writeJSONString(error.message, to: &out)
            out += #","at":"#
            writeJSONString("\(error.file):\(error.location)", to: &out)
            return out + "}"
        }
    }
}
