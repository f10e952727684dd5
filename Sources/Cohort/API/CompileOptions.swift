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

    /// False compiles every attribute test as plain instructions: no fused instructions, no
    /// `all_of`/`any_of` chains, so no quick path. Slower, same results: the reference the
    /// fused forms are checked against (the tests and the `eval` fuzz target).
    package var fusesTests = true

    /// The default options.
    public init() {}

    /// Default options plus extra roots.
    public init(addingRoots extra: some Sequence<String>) {
        roots.formUnion(extra)
    }
}
