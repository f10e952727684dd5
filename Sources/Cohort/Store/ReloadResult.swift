/// What a ``RulesetStore`` reload did.
public enum ReloadResult: Sendable {
    /// The new rules compiled and serve from now on.
    case reloaded(RulesetChange)
    /// The text is the one already serving: nothing was swapped and no change was sent.
    case unchanged
    /// The new text did not compile (or the file could not be read): the rules that were
    /// serving still serve. The error holds every diagnostic, renderable with carets.
    case failed(CompileError)

    /// Every error and warning of a failed reload; empty otherwise (the warnings of the
    /// rules that serve are ``Ruleset/warnings``).
    public var diagnostics: [Diagnostic] {
        switch self {
        case .failed(let error): error.diagnostics
        case .reloaded, .unchanged: []
        }
    }

    /// The change, for a reload that swapped in new rules.
    public var change: RulesetChange? {
        if case .reloaded(let change) = self { return change }
        return nil
    }

    /// The error, for a reload that kept the old rules.
    public var error: CompileError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}
