/// Binds a JSON record straight to the slots of a ruleset, in one pass over its bytes.
///
/// The attribute paths the rules read (plus the id path of the output) form a trie over
/// object keys and list indices. The binder walks the record along that trie: the value of
/// a path is parsed into a `Value`, and every member no path goes through is skipped —
/// validated as strictly as the full reader does (strings, escapes, UTF-8, numbers,
/// nesting), but never built. A typical export record has dozens of fields of which a rule
/// file reads a handful, so most bytes are only scanned.
///
/// The binder gives exactly what `JSONReader.parse` followed by `AttributePath.resolve`
/// gives, or reports failure; on failure the caller runs the full reader, which produces
/// the error message with its column. (Tests check the equivalence on random records.)
package struct RecordBinder: Sendable {
    /// A trie node: a position in the record reached by a sequence of keys and indices.
    private struct Node {
        /// Outputs (slot numbers) that read the value here: `outputList[outputs]`.
        var outputs: Range<Int> = 0..<0
        /// Child edges by object key: `keyEdges[keys]`.
        var keys: Range<Int> = 0..<0
        /// Child edges by list index: `indexEdges[indices]`.
        var indices: Range<Int> = 0..<0
        /// Every output at or below this node (reset on a duplicate key): `outputList[subtree]`.
        var subtree: Range<Int> = 0..<0
        /// Where the node's hash table of key edges starts in `keyTable`. The table has a
        /// power-of-two number of entries, each an index into `keyEdges` or -1 (empty).
        var table = 0
        /// The table's size minus one, to mask a hash into it.
        var tableMask = 0
        /// True when some key on an edge from here has non-ASCII bytes.
        var hasNonASCIIKey = false
        /// True when the value here is the raw output's: its text span is recorded.
        var recordsRaw = false
        /// True when the raw output's node is this one or below it.
        var subtreeHasRaw = false

        /// True when no path continues below this node.
        var isLeaf: Bool { keys.isEmpty && indices.isEmpty }
    }

    /// An edge by object key. Keys are found by their length and first and last eight
    /// bytes, so a lookup compares integers, and touches the key's bytes only past 16.
    private struct KeyEdge {
        /// The key's first (up to) eight bytes, first byte lowest, zero above its length.
        var prefix: UInt64
        /// For a key of more than eight bytes, its last eight, first byte lowest.
        var suffix: UInt64
        /// The key's length in bytes.
        var count: Int
        /// Where the key's bytes start in `keyBytes`.
        var bytes: Int
        /// The node the key leads to.
        var child: Int
    }

    /// An edge by list index: `index` leads to node `child`.
    private struct IndexEdge {
        var index: Int
        var child: Int
    }

    /// The trie's tables as plain pointers: what the walker reads on every byte.
    private struct Tables {
        let nodes: UnsafePointer<Node>
        let keyEdges: UnsafePointer<KeyEdge>
        let keyTable: UnsafePointer<Int>
        let keyBytes: UnsafePointer<UInt8>
        let indexEdges: UnsafePointer<IndexEdge>
        let outputList: UnsafePointer<Int>
    }

    /// The laid-out trie, in memory allocated once and never changed, so a walk reads it
    /// through plain pointers: no array on the hot path is retained, released or
    /// bounds-checked per access. (All the element types are trivial, so nothing needs
    /// deinitializing.) Immutable after `init`, hence safe to share between threads.
    private final class Trie: @unchecked Sendable {
        let tables: Tables
        /// The key of each edge as a `String`, for keys compared by canonical equivalence
        /// (only off the hot path).
        let keyTexts: [String]

        init(nodes: [Node], keyEdges: [KeyEdge], keyTable: [Int], keyBytes: [UInt8], indexEdges: [IndexEdge],
             outputList: [Int], keyTexts: [String]) {
            tables = Tables(nodes: Self.copy(nodes), keyEdges: Self.copy(keyEdges), keyTable: Self.copy(keyTable),
                            keyBytes: Self.copy(keyBytes), indexEdges: Self.copy(indexEdges), outputList: Self.copy(outputList))
            self.keyTexts = keyTexts
        }

        deinit {
            tables.nodes.deallocate()
            tables.keyEdges.deallocate()
            tables.keyTable.deallocate()
            tables.keyBytes.deallocate()
            tables.indexEdges.deallocate()
            tables.outputList.deallocate()
        }

        /// A fresh allocation holding `array` (at least one element's room, so there is
        /// always a real pointer even for an empty array).
        private static func copy<T>(_ array: [T]) -> UnsafePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
            array.withUnsafeBufferPointer { buffer in
                if let source = buffer.baseAddress { pointer.initialize(from: source, count: buffer.count) }
            }
            return UnsafePointer(pointer)
        }
    }

    private let trie: Trie
    /// The number of outputs: one per slot of the table, then one per extra path.
    package let outputCount: Int
    /// The output whose value's text, as written in the record, is recorded in
    /// `Scratch.rawSpan` (the id, echoed byte for byte).
    package let rawOutput: Int?

    /// - Parameters:
    ///   - paths: the slot table's paths, bound to outputs `0 ..< paths.count`.
    ///   - extra: more paths relative to the record object (e.g. the id path), bound to the
    ///     outputs after them.
    ///   - recordRoot: the root the record is bound to (`user`), when `contextRecords` is false.
    ///   - contextRecords: when true, the record's top-level keys are the roots.
    ///   - rawOutput: an output whose value's text span in the record is recorded.
    package init(paths: [AttributePath], extra: [[AttributePath.Component]], recordRoot: String, contextRecords: Bool,
                 rawOutput: Int? = nil) {
        outputCount = paths.count + extra.count
        self.rawOutput = rawOutput
        var routes: [(components: [AttributePath.Component], output: Int)] = []
        for (output, path) in paths.enumerated() {
            if contextRecords {
                routes.append(([.key(path.root)] + path.components, output))
            } else if path.root == recordRoot {
                routes.append((path.components, output))
            }
            // Other roots are never bound: they read as null, as in the full path.
        }
        for (k, components) in extra.enumerated() {
            routes.append((components, paths.count + k))
        }
        trie = Self.build(routes, rawOutput: rawOutput)
    }

    /// Builds the flat trie: first as nested dictionaries-by-position, then laid out.
    private static func build(_ routes: [(components: [AttributePath.Component], output: Int)], rawOutput: Int?) -> Trie {
        // A node while building: its outputs, subtree outputs and children in order.
        struct Draft {
            var outputs: [Int] = []
            var subtree: [Int] = []
            var keys: [(String, Int)] = []
            var indices: [(Int, Int)] = []
        }
        var drafts = [Draft()]
        for (components, output) in routes {
            var node = 0
            drafts[0].subtree.append(output)
            for component in components {
                switch component {
                case .key(let key):
                    if let existing = drafts[node].keys.first(where: { $0.0 == key }) {
                        node = existing.1
                    } else {
                        drafts.append(Draft())
                        drafts[node].keys.append((key, drafts.count - 1))
                        node = drafts.count - 1
                    }
                case .index(let index):
                    if let existing = drafts[node].indices.first(where: { $0.0 == index }) {
                        node = existing.1
                    } else {
                        drafts.append(Draft())
                        drafts[node].indices.append((index, drafts.count - 1))
                        node = drafts.count - 1
                    }
                }
                drafts[node].subtree.append(output)
            }
            drafts[node].outputs.append(output)
        }
        var nodes: [Node] = []
        var keyEdges: [KeyEdge] = []
        var keyTable: [Int] = []
        var keyTexts: [String] = []
        var keyBytes: [UInt8] = []
        var indexEdges: [IndexEdge] = []
        var outputList: [Int] = []
        for draft in drafts {
            var node = Node()
            node.recordsRaw = rawOutput.map(draft.outputs.contains) ?? false
            node.subtreeHasRaw = rawOutput.map(draft.subtree.contains) ?? false
            node.outputs = outputList.count ..< outputList.count + draft.outputs.count
            outputList += draft.outputs
            node.subtree = outputList.count ..< outputList.count + draft.subtree.count
            outputList += draft.subtree
            node.keys = keyEdges.count ..< keyEdges.count + draft.keys.count
            for (key, child) in draft.keys {
                let bytes = Array(key.utf8)
                keyEdges.append(KeyEdge(prefix: word(bytes.prefix(8)), suffix: bytes.count > 8 ? word(bytes.suffix(8)) : 0,
                                        count: bytes.count, bytes: keyBytes.count, child: child))
                keyTexts.append(key)
                keyBytes += bytes
                if bytes.contains(where: { $0 >= 0x80 }) { node.hasNonASCIIKey = true }
            }
            // Open addressing with linear probing, at most a quarter full: every probe
            // sequence reaches an empty entry, and a key not in the table (most keys of a
            // record) usually meets one at once.
            var size = 4
            while size < 4 * draft.keys.count { size *= 2 }
            node.table = keyTable.count
            node.tableMask = size - 1
            keyTable += repeatElement(-1, count: size)
            for e in node.keys {
                var slot = tableSlot(keyEdges[e].prefix, keyEdges[e].count) & node.tableMask
                while keyTable[node.table + slot] >= 0 { slot = (slot + 1) & node.tableMask }
                keyTable[node.table + slot] = e
            }
            node.indices = indexEdges.count ..< indexEdges.count + draft.indices.count
            indexEdges += draft.indices.map { IndexEdge(index: $0.0, child: $0.1) }
            nodes.append(node)
        }
        return Trie(nodes: nodes, keyEdges: keyEdges, keyTable: keyTable, keyBytes: keyBytes, indexEdges: indexEdges,
                    outputList: outputList, keyTexts: keyTexts)
    }

    /// Up to eight bytes as a word, first byte lowest: what `Walker.lookup` reads from a
    /// key in a record.
    private static func word(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        for (i, byte) in bytes.enumerated() { word |= UInt64(byte) << (8 * UInt64(i)) }
        return word
    }

    /// A key's hash-table position (before masking), from its prefix word and length.
    @inline(__always)
    private static func tableSlot(_ prefix: UInt64, _ count: Int) -> Int {
        // Fibonacci hashing: the multiply spreads every input bit into the high half.
        Int(truncatingIfNeeded: ((prefix &+ UInt64(truncatingIfNeeded: count)) &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }

    /// Buffers reused from record to record, so binding does not allocate per record.
    package struct Scratch {
        /// The parser, pointed at each record in turn; its stacks keep their capacity.
        fileprivate var parser = JSONParser(base: UnsafePointer(bitPattern: 1)!, count: 0, maxDepth: 512)
        /// Kinds of the containers open while skipping (true for an object), a stack of
        /// `parser.maxDepth` entries (made on first use), which bounds how many can be open.
        fileprivate var kinds: [Bool] = []
        /// For each output, the stamp of the last record that wrote it: after a walk, the
        /// outputs not written for this record are set to null. (Clearing them all first
        /// would destroy every value twice: once to null, once when the walk writes it.)
        fileprivate var written: [UInt32] = []
        fileprivate var stamp: UInt32 = 0
        /// Where the raw output's value lies in the last record bound (offsets into it), or
        /// nil when that record lacks it or its text is not known (a value read out of an
        /// enclosing value that was built whole).
        package var rawSpan: Range<Int>? {
            rawBounds[0] >= 0 ? rawBounds[0] ..< rawBounds[1] : nil
        }
        fileprivate var rawBounds: [Int] = [-1, -1]

        package init() {}
    }

    /// Binds one record. `outputs` must hold `outputCount` values; each is overwritten (null
    /// where the record lacks the path). Returns false when the record is not a valid JSON
    /// object; the outputs are then unspecified.
    package func bind(_ record: UnsafeRawBufferPointer, into outputs: UnsafeMutableBufferPointer<Value>,
                      scratch: inout Scratch) -> Bool {
        if scratch.written.count < outputCount {
            scratch.written = [UInt32](repeating: 0, count: outputCount)
        }
        scratch.stamp &+= 1
        if scratch.stamp == 0 {
            for i in scratch.written.indices { scratch.written[i] = 0 }
            scratch.stamp = 1
        }
        let stamp = scratch.stamp
        scratch.rawBounds[0] = -1
        var bound = false
        if let base = record.baseAddress, record.count > 0 {
            if scratch.kinds.count < scratch.parser.maxDepth {
                scratch.kinds = [Bool](repeating: false, count: scratch.parser.maxDepth)
            }
            scratch.parser.reset(base: base.assumingMemoryBound(to: UInt8.self), count: record.count)
            // The walker reads the trie, the parser and the stacks through raw pointers: keep
            // the trie alive across the walk, and the scratch buffers in place.
            bound = withExtendedLifetime(trie) {
                withUnsafeMutablePointer(to: &scratch.parser) { parser in
                    scratch.kinds.withUnsafeMutableBufferPointer { kinds in
                        scratch.written.withUnsafeMutableBufferPointer { written in
                            scratch.rawBounds.withUnsafeMutableBufferPointer { raw in
                                Walker(trie: trie, outputs: outputs, parser: parser, kinds: kinds.baseAddress!,
                                       written: written.baseAddress!, stamp: stamp, raw: raw.baseAddress!).walk()
                            }
                        }
                    }
                }
            }
        }
        // The paths this record lacks: null, not what an earlier record left there.
        scratch.written.withUnsafeBufferPointer { written in
            for i in 0..<outputCount where written[i] != stamp { outputs.overwrite(i, with: .null) }
        }
        return bound
    }

    /// `bind` for a single record, with no `Scratch`: the parser's state and the walk's
    /// stacks live in temporary buffers (on the stack when small), so a request body is
    /// bound without allocating the buffers a batch run keeps from record to record.
    package func bindOnce(_ record: UnsafeRawBufferPointer, into outputs: UnsafeMutableBufferPointer<Value>) -> Bool {
        guard let base = record.baseAddress, record.count > 0 else {
            for i in 0..<outputCount { outputs.overwrite(i, with: .null) }
            return false
        }
        var parser = JSONParser(base: base.assumingMemoryBound(to: UInt8.self), count: record.count, maxDepth: 512)
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: parser.maxDepth) { kinds in
            kinds.initialize(repeating: false)
            return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(outputCount, 1)) { words in
                // Each output's stamp: 1 once this walk wrote it.
                words.initialize(repeating: 0)
                return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2) { raw in
                    raw.initialize(repeating: -1)
                    let bound = withExtendedLifetime(trie) {
                        withUnsafeMutablePointer(to: &parser) { parser in
                            Walker(trie: trie, outputs: outputs, parser: parser, kinds: kinds.baseAddress!,
                                   written: words.baseAddress!, stamp: 1, raw: raw.baseAddress!).walk()
                        }
                    }
                    for i in 0..<outputCount where words[i] != 1 { outputs.overwrite(i, with: .null) }
                    return bound
                }
            }
        }
    }

    /// One record's walk: the parser positioned in the record, and the outputs to fill.
    ///
    /// Only pointers: the walker itself owns nothing, so passing it around (it is `self`
    /// of every call) never retains or releases anything.
    private struct Walker {
        let tables: Tables
        /// For the key texts, off the hot path; `bind` keeps it alive.
        unowned(unsafe) let trie: Trie
        let outputs: UnsafeMutableBufferPointer<Value>
        /// The parser of the `Scratch`, positioned in the record.
        let parserPointer: UnsafeMutablePointer<JSONParser>
        /// The stack of `Scratch.kinds`: `parser.maxDepth` entries.
        let kinds: UnsafeMutablePointer<Bool>
        /// `Scratch.written`, and this record's stamp: each output written is marked.
        let written: UnsafeMutablePointer<UInt32>
        let stamp: UInt32
        /// `Scratch.rawBounds`: start and end of the raw output's value, -1 when unknown.
        let raw: UnsafeMutablePointer<Int>

        /// The parser, used in place through its pointer.
        var parser: JSONParser {
            unsafeAddress { UnsafePointer(parserPointer) }
            nonmutating unsafeMutableAddress { parserPointer }
        }

        init(trie: Trie, outputs: UnsafeMutableBufferPointer<Value>, parser: UnsafeMutablePointer<JSONParser>,
             kinds: UnsafeMutablePointer<Bool>, written: UnsafeMutablePointer<UInt32>, stamp: UInt32,
             raw: UnsafeMutablePointer<Int>) {
            parserPointer = parser
            self.raw = raw
            self.kinds = kinds
            self.written = written
            self.stamp = stamp
            tables = trie.tables
            self.trie = trie
            self.outputs = outputs
        }

        /// Walks the whole record: true when it is one valid JSON object.
        func walk() -> Bool {
            do throws(JSONSyntaxError) {
                parser.skipWhitespace()
                guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "{") else { return false }
                if tables.nodes[0].outputs.isEmpty {
                    try object(node: 0, depth: 0)
                } else {
                    // A path is the record itself (`exists(user)`, `len(user)`): built whole.
                    try value(node: 0, depth: 0)
                }
                parser.skipWhitespace()
                return parser.pos == parser.end
            } catch {
                return false
            }
        }

        /// Walks the object at `pos` (its `{`), which sits inside `depth` open containers.
        func object(node: Int, depth: Int) throws(JSONSyntaxError) {
            guard depth < parser.maxDepth else { throw parser.failure("nesting", at: parser.pos) }
            parser.pos += 1
            parser.skipWhitespace()
            if parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "}") {
                parser.pos += 1
                return
            }
            while true {
                if let child = try key(in: node) {
                    let c = tables.nodes + child
                    if c.pointee.isLeaf {
                        // The common case, an attribute nothing reads into (so a path ends
                        // here): its value straight to the outputs.
                        let start = parser.pos
                        store(try leafValue(depth: depth + 1), in: c)
                        if c.pointee.recordsRaw { recordRaw(from: start) }
                    } else {
                        // A repeated key replaces what an earlier one bound: the last one
                        // wins. (A leaf is overwritten by its value anyway; below an inner
                        // node, a later value may not reach every path, so those are cleared
                        // first.)
                        // (An output this record has not written yet is nulled at the end
                        // of the walk anyway.)
                        for i in c.pointee.subtree where written[tables.outputList[i]] == stamp {
                            outputs.overwrite(tables.outputList[i], with: .null)
                        }
                        if c.pointee.subtreeHasRaw { raw[0] = -1 }
                        try value(node: child, depth: depth + 1)
                    }
                } else {
                    try skipMember(depth: depth + 1)
                }
                if try endOfElement(closer: UInt8(ascii: "}")) { return }
            }
        }

        /// Walks the list at `pos` (its `[`), binding the elements some path indexes.
        func list(node: Int, depth: Int) throws(JSONSyntaxError) {
            guard depth < parser.maxDepth else { throw parser.failure("nesting", at: parser.pos) }
            parser.pos += 1
            parser.skipWhitespace()
            if parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "]") {
                parser.pos += 1
                return
            }
            var index = 0
            while true {
                if let child = indexChild(of: tables.nodes + node, index) {
                    try value(node: child, depth: depth + 1)
                } else {
                    try skipValue(depth: depth + 1)
                }
                if try endOfElement(closer: UInt8(ascii: "]")) { return }
                if atTrailingComma() { throw parser.failure("trailing comma", at: parser.pos) }
                index += 1
            }
        }

        /// The child of `n` at list index `index`, if a path goes there.
        @inline(__always)
        func indexChild(of n: UnsafePointer<Node>, _ index: Int) -> Int? {
            for e in n.pointee.indices where tables.indexEdges[e].index == index { return tables.indexEdges[e].child }
            return nil
        }

        /// The value at `pos` belongs to trie node `node`, inside `depth` open containers.
        func value(node: Int, depth: Int) throws(JSONSyntaxError) {
            let n = tables.nodes + node
            guard parser.pos < parser.end else { throw parser.failure("value", at: parser.pos) }
            let byte = parser.base[parser.pos]
            if !n.pointee.outputs.isEmpty {
                // A path ends here: build the value, and read deeper paths out of it.
                let start = parser.pos
                if n.pointee.isLeaf {
                    // The common case, an attribute nothing reads into: straight to the outputs.
                    store(try leafValue(depth: depth), in: n)
                    if n.pointee.recordsRaw { recordRaw(from: start) }
                    return
                }
                parser.enclosingDepth = depth
                let v = try parser.parseValue()
                parser.enclosingDepth = 0
                fill(node: node, with: v)
                if n.pointee.recordsRaw { recordRaw(from: start) }
            } else if byte == UInt8(ascii: "{"), !n.pointee.keys.isEmpty {
                try object(node: node, depth: depth)
            } else if byte == UInt8(ascii: "["), !n.pointee.indices.isEmpty {
                try list(node: node, depth: depth)
            } else {
                // No path continues into this kind of value: deeper paths stay null.
                try skipValue(depth: depth)
            }
        }

        /// Parses the value at `pos` (inside `depth` open containers) as `parseValue` does,
        /// with the scalars read directly rather than through its container machinery.
        @inline(__always)
        func leafValue(depth: Int) throws(JSONSyntaxError) -> Value {
            guard parser.pos < parser.end else { throw parser.failure("value", at: parser.pos) }
            switch parser.base[parser.pos] {
            case UInt8(ascii: "\""):
                return .string(try parser.parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return .number(try parser.parseNumber())
            case UInt8(ascii: "t"):
                try parser.literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try parser.literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try parser.literal("null")
                return .null
            default:
                // A list or object (or an error): the full parser, which counts the
                // containers around it against `maxDepth`.
                parser.enclosingDepth = depth
                let v = try parser.parseValue()
                parser.enclosingDepth = 0
                return v
            }
        }

        /// Writes `value` to every output of `n`: copies to all but the last, which takes
        /// the value itself (most nodes have one output, so most values are never copied).
        @inline(__always)
        func store(_ value: consuming Value, in n: UnsafePointer<Node>) {
            let range = n.pointee.outputs
            guard !range.isEmpty else { return }
            var i = range.lowerBound
            while i < range.upperBound - 1 {
                let j = tables.outputList[i]
                outputs.overwrite(j, with: copy value)
                written[j] = stamp
                i += 1
            }
            let j = tables.outputList[i]
            outputs.overwrite(j, with: value)
            written[j] = stamp
        }

        /// The raw output's value lies from `start` to the parser's position.
        @inline(__always)
        func recordRaw(from start: Int) {
            raw[0] = start
            raw[1] = parser.pos
        }

        /// Sets the outputs of `node` and of the nodes below it from an already-built value.
        func fill(node: Int, with value: Value) {
            let n = tables.nodes + node
            store(value, in: n)
            // Read out of a value built whole: its own text is not known.
            if n.pointee.recordsRaw { raw[0] = -1 }
            for e in n.pointee.keys {
                let next = Operations.member(value, trie.keyTexts[e])
                if !next.isNull { fill(node: tables.keyEdges[e].child, with: next) }
            }
            for e in n.pointee.indices {
                let edge = tables.indexEdges[e]
                guard case .list(let items) = value, edge.index < items.count else { continue }
                fill(node: edge.child, with: items[edge.index])
            }
        }

        /// Reads the key at `pos` and the `:` after it; returns the child of `node` it leads to.
        @inline(__always)
        func key(in node: Int) throws(JSONSyntaxError) -> Int? {
            let open = parser.pos
            guard open < parser.end, parser.base[open] == UInt8(ascii: "\"") else {
                throw parser.failure("key", at: open)
            }
            let n = tables.nodes + node
            // Keys are nearly always plain ASCII: then the first byte that needs a look is
            // the closing quote, and the bytes before it are the key.
            let stop = parser.plainRunEnd(from: open + 1)
            var child: Int?
            if stop < parser.end, parser.base[stop] == UInt8(ascii: "\"") {
                parser.pos = stop + 1
                if !n.pointee.keys.isEmpty {
                    // An ASCII key can equal a non-ASCII one as Swift compares strings
                    // (canonical equivalence: U+212A KELVIN SIGN is "K"), so such nodes
                    // compare texts; otherwise equal means equal bytes.
                    child = n.pointee.hasNonASCIIKey
                        ? try textKey(in: n, open: open) : lookup(in: n, start: open + 1, count: stop - open - 1)
                }
            } else {
                // An escape, a control, a non-ASCII byte or no closing quote: the full scanner
                // validates (and fails where the reader fails). A key that passes has an
                // escape or non-ASCII bytes, so it is compared as decoded text.
                _ = try parser.scanString()
                if !n.pointee.keys.isEmpty { child = try textKey(in: n, open: open) }
            }
            // Compact JSON has the colon right after the key: one comparison finds it.
            if !(parser.pos < parser.end && parser.base[parser.pos] == UInt8(ascii: ":")) {
                parser.skipWhitespace()
                guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: ":") else {
                    throw parser.failure("colon", at: parser.pos)
                }
            }
            parser.pos += 1
            parser.skipWhitespace()
            return child
        }

        /// The child of `n` by the plain ASCII key of `count` bytes at offset `start`,
        /// found in the node's hash table by the key's length and first eight bytes, and
        /// told apart from other keys there by its last eight (and any bytes between).
        @inline(__always)
        func lookup(in n: UnsafePointer<Node>, start: Int, count: Int) -> Int? {
            let key = parser.base + start
            let readable = parser.end - start
            let prefix = count >= 8 ? JSONParser.word(at: key) : JSONParser.word(at: key, count: count, readable: readable)
            let table = tables.keyTable + n.pointee.table
            let mask = n.pointee.tableMask
            var slot = RecordBinder.tableSlot(prefix, count) & mask
            while true {
                let e = table[slot]
                if e < 0 { return nil }
                let edge = tables.keyEdges + e
                if edge.pointee.prefix == prefix, edge.pointee.count == count,
                   count <= 8 || (edge.pointee.suffix == JSONParser.word(at: key + count - 8)
                       && (count <= 16 || bytesEqual(tables.keyBytes + edge.pointee.bytes + 8, key + 8, count: count - 16))) {
                    return edge.pointee.child
                }
                slot = (slot + 1) & mask
            }
        }

        /// The slow key comparison: decodes the key (escapes) and compares as Swift strings
        /// do, as the full reader's dictionary does.
        func textKey(in n: UnsafePointer<Node>, open: Int) throws(JSONSyntaxError) -> Int? {
            let after = parser.pos
            parser.pos = open
            let text = try parser.parseString()
            parser.pos = after
            for e in n.pointee.keys where trie.keyTexts[e] == text { return tables.keyEdges[e].child }
            return nil
        }

        /// After a member or element: reads `,` (false: more follow) or `closer` (true),
        /// with the whitespace around it.
        @inline(__always)
        func endOfElement(closer: UInt8) throws(JSONSyntaxError) -> Bool {
            guard parser.pos < parser.end else { throw parser.failure("end", at: parser.pos) }
            var byte = parser.base[parser.pos]
            if byte <= 0x20 {
                parser.skipWhitespace()
                guard parser.pos < parser.end else { throw parser.failure("end", at: parser.pos) }
                byte = parser.base[parser.pos]
            }
            parser.pos += 1
            if byte == closer { return true }
            guard byte == UInt8(ascii: ",") else { throw parser.failure("separator", at: parser.pos) }
            parser.skipWhitespace()
            return false
        }

        /// True at a `]` right after a `,`, which JSON does not allow.
        func atTrailingComma() -> Bool {
            parser.pos < parser.end && parser.base[parser.pos] == UInt8(ascii: "]")
        }

        /// `skipValue`, with the most common skipped value, a plain ASCII string, handled
        /// in line.
        @inline(__always)
        func skipMember(depth: Int) throws(JSONSyntaxError) {
            if parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "\""), skipPlainString() { return }
            try skipValue(depth: depth)
        }

        /// Skips the string whose opening quote is at `pos` if it is plain ASCII (then it
        /// is valid as it stands); false, with `pos` unmoved, for anything else.
        @inline(__always)
        func skipPlainString() -> Bool {
            let stop = parser.plainRunEnd(from: parser.pos + 1)
            guard stop < parser.end, parser.base[stop] == UInt8(ascii: "\"") else { return false }
            parser.pos = stop + 1
            return true
        }

        /// Skips the string whose opening quote is at `pos`, validating it fully.
        @inline(__always)
        func skipString() throws(JSONSyntaxError) {
            if !skipPlainString() { _ = try parser.scanString() }
        }

        /// Skips the value at `pos`, inside `depth` open containers, validating it fully.
        func skipValue(depth: Int) throws(JSONSyntaxError) {
            // Containers open inside the skipped value; their kinds are `kinds[0 ..< open]`.
            // `depth + open < maxDepth` whenever one is pushed, so the stack never overflows.
            var open = 0
            scanning: while true {
                guard parser.pos < parser.end else { throw parser.failure("value", at: parser.pos) }
                switch parser.base[parser.pos] {
                case UInt8(ascii: "\""):
                    try skipString()
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    _ = try parser.parseNumber()
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = parser.base[parser.pos] == UInt8(ascii: "{")
                    guard depth + open < parser.maxDepth else { throw parser.failure("nesting", at: parser.pos) }
                    parser.pos += 1
                    parser.skipWhitespace()
                    if parser.pos < parser.end, parser.base[parser.pos] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        parser.pos += 1
                    } else {
                        kinds[open] = isObject
                        open += 1
                        if isObject { try skipKey() }
                        continue scanning
                    }
                case UInt8(ascii: "t"): try parser.literal("true")
                case UInt8(ascii: "f"): try parser.literal("false")
                case UInt8(ascii: "n"): try parser.literal("null")
                default: throw parser.failure("value", at: parser.pos)
                }
                // A value is complete: close containers while their closing bracket follows.
                while open > 0 {
                    let isObject = kinds[open - 1]
                    if try endOfElement(closer: isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        open -= 1
                        continue
                    }
                    if isObject {
                        try skipKey()
                    } else if atTrailingComma() {
                        throw parser.failure("trailing comma", at: parser.pos)
                    }
                    continue scanning
                }
                return
            }
        }

        /// Skips `"key"` and the `:` after it.
        func skipKey() throws(JSONSyntaxError) {
            guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "\"") else { throw parser.failure("key", at: parser.pos) }
            try skipString()
            parser.skipWhitespace()
            guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: ":") else { throw parser.failure("colon", at: parser.pos) }
            parser.pos += 1
            parser.skipWhitespace()
        }
    }
}
