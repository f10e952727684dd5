/// Options for compiling rules. The defaults suit most uses.
public struct CompileOptions: Sendable {
    /// The context roots every rule may name.
    public static let defaultRoots: Set<String> = ["user", "device", "org", "account", "request", "session", "app", "env"]

    /// Names a rule may start from. Default: `user device org account request session app env`.
    public var roots: Set<String> = CompileOptions.defaultRoots
    /// The limits that keep compilation bounded.
    public var limits = Limits()
    /// The name used for the source in diagnostics (default `<expr>`).
    public var sourceName = "<expr>"

    /// The default options.
    public init() {}

    /// Default options plus extra roots.
    public init(addingRoots extra: some Sequence<String>) {
        roots.formUnion(extra)
    }
}
