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
    /// Nodes and their edges live in flat arrays of plain integers, so walking the trie
    /// never copies (or reference-counts) anything.
    private struct Node: Sendable {
        /// Outputs (slot numbers) that read the value here: `outputList[outputs]`.
        var outputs: Range<Int> = 0..<0
        /// Child edges by object key: `keyEdges[keys]`.
        var keys: Range<Int> = 0..<0
        /// Child edges by list index: `indexEdges[indices]`.
        var indices: Range<Int> = 0..<0
        /// Every output at or below this node (reset on a duplicate key): `outputList[subtree]`.
        var subtree: Range<Int> = 0..<0
        /// True when some key on an edge from here has non-ASCII bytes.
        var hasNonASCIIKey = false
    }

    /// An edge by object key: the key's UTF-8 bytes are `keyBytes[bytes]`.
    private struct KeyEdge: Sendable {
        var bytes: Range<Int>
        var child: Int
    }

    private var nodes: [Node] = []
    private var keyEdges: [KeyEdge] = []
    /// The key of each edge as a `String`, for keys compared by canonical equivalence.
    private var keyTexts: [String] = []
    private var keyBytes: [UInt8] = []
    private var indexEdges: [(index: Int, child: Int)] = []
    private var outputList: [Int] = []
    /// The number of outputs: one per slot of the table, then one per extra path.
    package let outputCount: Int

    /// - Parameters:
    ///   - paths: the slot table's paths, bound to outputs `0 ..< paths.count`.
    ///   - extra: more paths relative to the record object (e.g. the id path), bound to the
    ///     outputs after them.
    ///   - recordRoot: the root the record is bound to (`user`), when `contextRecords` is false.
    ///   - contextRecords: when true, the record's top-level keys are the roots.
    package init(paths: [AttributePath], extra: [[AttributePath.Component]], recordRoot: String, contextRecords: Bool) {
        outputCount = paths.count + extra.count
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
        build(routes)
    }

    /// Builds the flat trie: first as nested dictionaries-by-position, then laid out.
    private mutating func build(_ routes: [(components: [AttributePath.Component], output: Int)]) {
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
        for draft in drafts {
            var node = Node()
            node.outputs = outputList.count ..< outputList.count + draft.outputs.count
            outputList += draft.outputs
            node.subtree = outputList.count ..< outputList.count + draft.subtree.count
            outputList += draft.subtree
            node.keys = keyEdges.count ..< keyEdges.count + draft.keys.count
            for (key, child) in draft.keys {
                keyEdges.append(KeyEdge(bytes: keyBytes.count ..< keyBytes.count + key.utf8.count, child: child))
                keyTexts.append(key)
                keyBytes += key.utf8
                if key.utf8.contains(where: { $0 >= 0x80 }) { node.hasNonASCIIKey = true }
            }
            node.indices = indexEdges.count ..< indexEdges.count + draft.indices.count
            indexEdges += draft.indices.map { (index: $0.0, child: $0.1) }
            nodes.append(node)
        }
    }

    /// The child of `node` at list index `index`, if a path goes there.
    @inline(__always)
    private func indexChild(of node: Int, _ index: Int) -> Int? {
        for e in nodes[node].indices where indexEdges[e].index == index { return indexEdges[e].child }
        return nil
    }

    /// Buffers reused from record to record, so binding does not allocate per record.
    package struct Scratch {
        fileprivate var parser = JSONParser(base: UnsafePointer(bitPattern: 1)!, count: 0, maxDepth: 512)
        fileprivate var skipping: [Bool] = []

        package init() {}
    }

    /// Binds one record. `outputs` must hold `outputCount` values; each is overwritten (null
    /// where the record lacks the path). Returns false when the record is not a valid JSON
    /// object; the outputs are then unspecified.
    package func bind(_ record: UnsafeRawBufferPointer, into outputs: UnsafeMutableBufferPointer<Value>,
                      scratch: inout Scratch) -> Bool {
        for i in 0..<outputCount { outputs[i] = .null }
        guard let base = record.baseAddress, record.count > 0 else { return false }
        var walker = Walker(binder: self, outputs: outputs)
        swap(&walker.parser, &scratch.parser)
        swap(&walker.skipping, &scratch.skipping)
        defer {
            swap(&walker.parser, &scratch.parser)
            swap(&walker.skipping, &scratch.skipping)
        }
        walker.parser.reset(base: base.assumingMemoryBound(to: UInt8.self), count: record.count)
        do throws(JSONSyntaxError) {
            walker.parser.skipWhitespace()
            guard walker.parser.pos < walker.parser.end, walker.parser.base[walker.parser.pos] == UInt8(ascii: "{") else { return false }
            try walker.object(node: 0, depth: 0)
            walker.parser.skipWhitespace()
            return walker.parser.pos == walker.parser.end
        } catch {
            return false
        }
    }

    /// One record's walk: the parser positioned in the record, and the outputs to fill.
    private struct Walker {
        let binder: RecordBinder
        let outputs: UnsafeMutableBufferPointer<Value>
        var parser = JSONParser(base: UnsafePointer(bitPattern: 1)!, count: 0, maxDepth: 512)
        /// Kinds of the containers open while skipping (true for an object).
        var skipping: [Bool] = []

        init(binder: RecordBinder, outputs: UnsafeMutableBufferPointer<Value>) {
            self.binder = binder
            self.outputs = outputs
        }

        /// Walks the object at `pos` (its `{`), which sits inside `depth` open containers.
        mutating func object(node: Int, depth: Int) throws(JSONSyntaxError) {
            guard depth < parser.maxDepth else { throw parser.failure("nesting", at: parser.pos) }
            parser.pos += 1
            parser.skipWhitespace()
            if parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "}") {
                parser.pos += 1
                return
            }
            var afterComma = false
            while true {
                let child = try key(in: node, afterComma: afterComma)
                if let child {
                    // A repeated key replaces what an earlier one bound: the last one wins.
                    // (A leaf is overwritten by its value anyway; below an inner node, a
                    // later value may not reach every path, so those are cleared first.)
                    let c = binder.nodes[child]
                    if !c.keys.isEmpty || !c.indices.isEmpty {
                        for i in c.subtree { outputs[binder.outputList[i]] = .null }
                    }
                    try value(node: child, depth: depth + 1)
                } else {
                    try skipValue(depth: depth + 1)
                }
                if try endOfElement(closer: UInt8(ascii: "}")) { return }
                afterComma = true
            }
        }

        /// Walks the list at `pos` (its `[`), binding the elements some path indexes.
        mutating func list(node: Int, depth: Int) throws(JSONSyntaxError) {
            guard depth < parser.maxDepth else { throw parser.failure("nesting", at: parser.pos) }
            parser.pos += 1
            parser.skipWhitespace()
            if parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "]") {
                parser.pos += 1
                return
            }
            var index = 0
            while true {
                if let child = binder.indexChild(of: node, index) {
                    try value(node: child, depth: depth + 1)
                } else {
                    try skipValue(depth: depth + 1)
                }
                if try endOfElement(closer: UInt8(ascii: "]")) { return }
                if atTrailingComma() { throw parser.failure("trailing comma", at: parser.pos) }
                index += 1
            }
        }

        /// The value at `pos` belongs to trie node `node`, inside `depth` open containers.
        mutating func value(node: Int, depth: Int) throws(JSONSyntaxError) {
            let n = binder.nodes[node]
            guard parser.pos < parser.end else { throw parser.failure("value", at: parser.pos) }
            let byte = parser.base[parser.pos]
            if !n.outputs.isEmpty {
                // A path ends here: build the value, and read deeper paths out of it.
                if byte == UInt8(ascii: "\""), n.keys.isEmpty, n.indices.isEmpty {
                    // The common case, a string attribute: straight into the outputs.
                    let v = Value.string(try parser.parseString())
                    for i in n.outputs { outputs[binder.outputList[i]] = v }
                    return
                }
                parser.enclosingDepth = depth
                let v = try parser.parseValue()
                parser.enclosingDepth = 0
                fill(node: node, with: v)
            } else if byte == UInt8(ascii: "{"), !n.keys.isEmpty {
                try object(node: node, depth: depth)
            } else if byte == UInt8(ascii: "["), !n.indices.isEmpty {
                try list(node: node, depth: depth)
            } else {
                // No path continues into this kind of value: deeper paths stay null.
                try skipValue(depth: depth)
            }
        }

        /// Sets the outputs of `node` and of the nodes below it from an already-built value.
        func fill(node: Int, with value: Value) {
            let n = binder.nodes[node]
            for i in n.outputs { outputs[binder.outputList[i]] = value }
            for e in n.keys {
                let next = Operations.member(value, binder.keyTexts[e])
                if !next.isNull { fill(node: binder.keyEdges[e].child, with: next) }
            }
            for e in n.indices {
                let (index, child) = binder.indexEdges[e]
                guard case .list(let items) = value, index < items.count else { continue }
                fill(node: child, with: items[index])
            }
        }

        /// Reads the key at `pos` and the `:` after it; returns the child node it leads to.
        mutating func key(in node: Int, afterComma: Bool) throws(JSONSyntaxError) -> Int? {
            guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "\"") else {
                throw parser.failure("key", at: parser.pos)
            }
            let n = binder.nodes[node]
            let open = parser.pos
            // Keys are nearly always short plain ASCII: scan those here, byte by byte, and
            // leave anything else (escapes, controls, other scalars) to the full scanner.
            var p = open + 1
            var ascii = true
            while p < parser.end {
                let byte = parser.base[p]
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 || byte == UInt8(ascii: "\\") || byte >= 0x80 {
                    ascii = false
                    break
                }
                p += 1
            }
            let plain: Bool
            if ascii && p < parser.end {
                parser.pos = p + 1
                plain = true
            } else {
                plain = try skipString()
            }
            var child: Int?
            if !n.keys.isEmpty {
                let start = parser.base + open + 1
                let count = parser.pos - open - 2
                if plain, !n.hasNonASCIIKey, ascii || !(0..<count).contains(where: { start[$0] >= 0x80 }) {
                    child = binder.keyBytes.withUnsafeBufferPointer { pool in
                        for e in n.keys {
                            let edge = binder.keyEdges[e]
                            if edge.bytes.count == count, bytesEqual(pool.baseAddress! + edge.bytes.lowerBound, start, count: count) {
                                return edge.child
                            }
                        }
                        return nil
                    }
                } else {
                    child = try textKey(in: n, open: open)
                }
            }
            parser.skipWhitespace()
            guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: ":") else {
                throw parser.failure("colon", at: parser.pos)
            }
            parser.pos += 1
            parser.skipWhitespace()
            return child
        }

        /// The slow key comparison: decodes the key (escapes) and compares as Swift strings
        /// do, as the full reader's dictionary does.
        mutating func textKey(in n: Node, open: Int) throws(JSONSyntaxError) -> Int? {
            let after = parser.pos
            parser.pos = open
            let text = try parser.parseString()
            parser.pos = after
            for e in n.keys where binder.keyTexts[e] == text { return binder.keyEdges[e].child }
            return nil
        }

        /// Skips the string at `pos` with full validation; true when it had no escapes.
        mutating func skipString() throws(JSONSyntaxError) -> Bool {
            try parser.scanString() == nil
        }

        /// After a member or element: reads `,` (false: more follow) or `closer` (true),
        /// with the whitespace around it.
        mutating func endOfElement(closer: UInt8) throws(JSONSyntaxError) -> Bool {
            parser.skipWhitespace()
            guard parser.pos < parser.end else { throw parser.failure("end", at: parser.pos) }
            let byte = parser.base[parser.pos]
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

        /// Skips the value at `pos`, inside `depth` open containers, validating it fully.
        mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
            skipping.removeAll(keepingCapacity: true)
            scanning: while true {
                guard parser.pos < parser.end else { throw parser.failure("value", at: parser.pos) }
                switch parser.base[parser.pos] {
                case UInt8(ascii: "\""):
                    _ = try skipString()
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    _ = try parser.parseNumber()
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    let isObject = parser.base[parser.pos] == UInt8(ascii: "{")
                    guard depth + skipping.count < parser.maxDepth else { throw parser.failure("nesting", at: parser.pos) }
                    parser.pos += 1
                    parser.skipWhitespace()
                    if parser.pos < parser.end, parser.base[parser.pos] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        parser.pos += 1
                    } else {
                        skipping.append(isObject)
                        if isObject { try skipKey() }
                        continue scanning
                    }
                case UInt8(ascii: "t"): try parser.literal("true")
                case UInt8(ascii: "f"): try parser.literal("false")
                case UInt8(ascii: "n"): try parser.literal("null")
                default: throw parser.failure("value", at: parser.pos)
                }
                // A value is complete: close containers while their closing bracket follows.
                while let isObject = skipping.last {
                    if try endOfElement(closer: isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        skipping.removeLast()
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
        mutating func skipKey() throws(JSONSyntaxError) {
            guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "\"") else { throw parser.failure("key", at: parser.pos) }
            _ = try skipString()
            parser.skipWhitespace()
            guard parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: ":") else { throw parser.failure("colon", at: parser.pos) }
            parser.pos += 1
            parser.skipWhitespace()
        }
    }
}
