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
    private struct Node: Sendable {
        /// Outputs (slot numbers) that read the value at this node.
        var outputs: [Int] = []
        /// Child nodes by object key, as UTF-8 bytes and as the `String` (for keys that
        /// need comparison by canonical equivalence, as a Swift dictionary does).
        var keys: [(bytes: [UInt8], text: String, node: Int)] = []
        /// Child nodes by list index.
        var indices: [(index: Int, node: Int)] = []
        /// Every output at or below this node, to reset on a duplicate key.
        var subtreeOutputs: [Int] = []
        /// True when some key below this node has non-ASCII bytes.
        var hasNonASCIIKey = false
    }

    private var nodes: [Node] = [Node()]
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
        for (output, path) in paths.enumerated() {
            if contextRecords {
                add([.key(path.root)] + path.components, output: output)
            } else if path.root == recordRoot {
                add(path.components, output: output)
            }
            // Other roots are never bound: they read as null, as in the full path.
        }
        for (k, components) in extra.enumerated() {
            add(components, output: paths.count + k)
        }
    }

    private mutating func add(_ components: [AttributePath.Component], output: Int) {
        var node = 0
        nodes[0].subtreeOutputs.append(output)
        for component in components {
            switch component {
            case .key(let key):
                if let existing = nodes[node].keys.first(where: { $0.text == key }) {
                    node = existing.node
                } else {
                    nodes.append(Node())
                    nodes[node].keys.append((Array(key.utf8), key, nodes.count - 1))
                    if key.utf8.contains(where: { $0 >= 0x80 }) { nodes[node].hasNonASCIIKey = true }
                    node = nodes.count - 1
                }
            case .index(let index):
                if let existing = nodes[node].indices.first(where: { $0.index == index }) {
                    node = existing.node
                } else {
                    nodes.append(Node())
                    nodes[node].indices.append((index, nodes.count - 1))
                    node = nodes.count - 1
                }
            }
            nodes[node].subtreeOutputs.append(output)
        }
        nodes[node].outputs.append(output)
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
                    for output in binder.nodes[child].subtreeOutputs { outputs[output] = .null }
                    try value(node: child, depth: depth + 1)
                } else {
                    try skipValue(depth: depth + 1)
                }
                parser.skipWhitespace()
                guard parser.pos < parser.end else { throw parser.failure("end", at: parser.pos) }
                let byte = parser.base[parser.pos]
                parser.pos += 1
                if byte == UInt8(ascii: "}") { return }
                guard byte == UInt8(ascii: ",") else { throw parser.failure("separator", at: parser.pos) }
                parser.skipWhitespace()
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
                if let child = binder.nodes[node].indices.first(where: { $0.index == index })?.node {
                    try value(node: child, depth: depth + 1)
                } else {
                    try skipValue(depth: depth + 1)
                }
                parser.skipWhitespace()
                guard parser.pos < parser.end else { throw parser.failure("end", at: parser.pos) }
                let byte = parser.base[parser.pos]
                parser.pos += 1
                if byte == UInt8(ascii: "]") { return }
                guard byte == UInt8(ascii: ",") else { throw parser.failure("separator", at: parser.pos) }
                parser.skipWhitespace()
                if parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "]") { throw parser.failure("trailing comma", at: parser.pos) }
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
            for output in n.outputs { outputs[output] = value }
            for (_, text, child) in n.keys {
                let next = Operations.member(value, text)
                if !next.isNull { fill(node: child, with: next) }
            }
            for (index, child) in n.indices {
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
            let plain = try skipString()
            var child: Int?
            if !n.keys.isEmpty {
                if plain, !n.hasNonASCIIKey {
                    let start = parser.base + open + 1
                    let count = parser.pos - open - 2
                    if !(0..<count).contains(where: { start[$0] >= 0x80 }) {
                        for entry in n.keys where entry.bytes.count == count {
                            if entry.bytes.withUnsafeBufferPointer({ bytesEqual($0.baseAddress!, start, count: count) }) {
                                child = entry.node
                                break
                            }
                        }
                    } else {
                        child = try textKey(in: n, open: open)
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
            return n.keys.first(where: { $0.text == text })?.node
        }

        /// Skips the string at `pos` with full validation; true when it had no escapes.
        mutating func skipString() throws(JSONSyntaxError) -> Bool {
            let open = parser.pos
            var p = open + 1
            var plain = true
            let base = parser.base, end = parser.end
            while p < end {
                while end - p >= 8, JSONParser.isPlainASCII(UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)) {
                    p += 8
                }
                guard p < end else { break }
                let byte = base[p]
                if byte == UInt8(ascii: "\"") {
                    parser.pos = p + 1
                    return plain
                }
                if byte == UInt8(ascii: "\\") {
                    plain = false
                    parser.scratch.removeAll(keepingCapacity: true)
                    p = try parser.decodeEscape(at: p)
                    continue
                }
                if byte < 0x20 { throw JSONParser.controlCharacter(byte, at: p) }
                if byte < 0x80 { p += 1 } else { p += try parser.validateUTF8(at: p) }
            }
            throw parser.failure("unterminated string", at: open)
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
                    parser.skipWhitespace()
                    guard parser.pos < parser.end else { throw parser.failure("end", at: parser.pos) }
                    let byte = parser.base[parser.pos]
                    parser.pos += 1
                    if byte == UInt8(ascii: ",") {
                        parser.skipWhitespace()
                        if isObject {
                            try skipKey()
                        } else if parser.pos < parser.end, parser.base[parser.pos] == UInt8(ascii: "]") {
                            throw parser.failure("trailing comma", at: parser.pos)
                        }
                        continue scanning
                    }
                    guard byte == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { throw parser.failure("separator", at: parser.pos) }
                    skipping.removeLast()
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
