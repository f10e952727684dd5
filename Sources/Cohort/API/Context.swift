/// The attributes a rule is evaluated against: a JSON-like object whose top-level keys
/// (`user`, `device`, `org`, `request`, ...) are the names rules start from.
///
/// ```swift
/// let context: Context = ["user": ["id": "u-42", "group": "qa"]]
/// let fromJSON = try Context(json: #"{"user": {"id": "u-42"}}"#)
/// ```
///
/// A context remembers what it bound to: the first evaluation against a `Rule` or
/// `Ruleset` looks up the attribute paths those rules read (a hashed lookup per key, the
/// main cost of evaluating a dictionary), and later evaluations of the same context against
/// the same rules — the other flags of the request, or the same rule again — read the
/// remembered values instead. It remembers the last four rules or rulesets; changing the
/// context forgets everything. Copies share the memory, and it is safe to evaluate one
/// context from many threads.
public struct Context: Sendable, ExpressibleByDictionaryLiteral {
    /// The top-level values by name.
    public var roots: [String: Value] {
        didSet { bindings = ContextBindings.make() }
    }

    /// What this context's values bound to (nil for contexts made per record by batch
    /// runs, bound once and dropped). `nonisolated(unsafe)`: the object is thread-safe (its
    /// state is behind its lock), but as a `ManagedBuffer`, which the standard library
    /// marks never `Sendable`, it cannot say so to the compiler.
    package private(set) nonisolated(unsafe) var bindings: ContextBindings?

    /// Creates a context from its top-level values.
    public init(_ roots: [String: Value] = [:]) {
        self.roots = roots
        bindings = ContextBindings.make()
    }

    /// A context that does not remember its bindings: one made for a single evaluation
    /// (a record of a batch run), where remembering would only cost an allocation.
    package init(unremembered roots: [String: Value]) {
        self.roots = roots
        bindings = nil
    }

    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    /// A context with one root, `user` by default.
    public init(user: Value, as root: String = "user") {
        self.init([root: user])
    }

    /// Parses a JSON object whose keys are the roots.
    public init(json: String) throws(ContextError) {
        var text = json
        let result = text.withUTF8 { bytes in Result { () throws(ContextError) in try Context.parseObject(UnsafeRawBufferPointer(bytes)) } }
        self.init(try result.get())
    }

    /// Parses JSON bytes (UTF-8) whose top level is an object.
    public init(jsonBytes: some Collection<UInt8>) throws(ContextError) {
        let array = Array(jsonBytes)
        let result = array.withUnsafeBytes { bytes in Result { () throws(ContextError) in try Context.parseObject(bytes) } }
        self.init(try result.get())
    }

    private static func parseObject(_ bytes: UnsafeRawBufferPointer) throws(ContextError) -> [String: Value] {
        let value: Value
        do {
            value = try JSONReader.parse(bytes)
        } catch {
            throw ContextError(message: error.message, line: error.line, column: error.column)
        }
        guard case .object(let fields) = value else {
            throw ContextError(message: "the context must be a JSON object, not a \(value.typeName)", line: 1, column: 1)
        }
        return fields
    }

    /// Reads a value by root name.
    public subscript(root: String) -> Value {
        get { roots[root] ?? .null }
        set { roots[root] = newValue }
    }
}

/// A context that could not be read: invalid JSON, or not an object.
public struct ContextError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// 1-based line in the JSON text.
    public var line: Int
    /// 1-based column in the JSON text.
    public var column: Int

    public var description: String { "\(line):\(column): \(message)" }
}
