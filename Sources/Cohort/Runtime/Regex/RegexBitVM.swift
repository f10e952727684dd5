// The NFA run on bitsets, for the searches the lazy DFA gives up on. When the sets of live
// threads never repeat (`[ab]*a[ab]{999}c` over random text: a set per scalar, 2^999 of
// them), the Pike VM steps every live thread one by one, and a program of thousands of
// instructions costs thousands of steps per scalar. Here the live instructions are one
// bit each: reading a scalar is an AND with the instructions that accept it and a shift by
// one (each continues at pc + 1), 64 instructions per machine word. ε-moves (splits,
// jumps, assertions) are followed one by one, except where many edges are alike: edges with
// the same target (the `split pc+1, end` of each optional copy of `x{0,1000}`, the jumps of a
// long alternation) and edges with the same offset (each copy of `(?:ab|ba){1000}` has its
// split and jump at the same distances) are followed a word at a time, a shift for each
// offset, whenever enough of them are live for that to pay.

/// One search with the live threads as a bitset over the program's instructions.
struct RegexBitVM {
    /// Members of `masks` (from word `firstWord` of the program's bitsets) all have an edge to
    /// `target`, or, when `target` is nil, an edge `offset` instructions away.
    private struct Group {
        var firstWord: Int
        var masks: [UInt64]
        var target: Int32?
        var offset: Int
    }

    /// The fewest edges alike that make a group.
    static let minimumGroup = 8
    /// The most words the per-class masks may take (16 MiB); a larger alphabet × program
    /// stays in the Pike VM.
    static let maxMaskWords = 1 << 21

    private let program: RegexProgram
    private let alphabet: RegexAlphabet
    private let words: Int
    /// ε-instructions followed one by one.
    private var single: [UInt64]
    /// ε-instructions whose every edge is in a group: followed a word at a time.
    private var grouped: [UInt64]
    private var groups: [Group] = []
    /// What a round over the groups costs, in words visited.
    private var roundCost = 0
    private var match: [UInt64]

    /// How many groups are followed a word at a time (for tests).
    var groupCount: Int { groups.count }

    /// Whether a program and alphabet are small enough for the per-class masks.
    static func fits(_ program: RegexProgram, _ alphabet: RegexAlphabet) -> Bool {
        (program.instructions.count / 64 + 1) * max(1, alphabet.count) <= maxMaskWords
    }

    init(_ program: RegexProgram, alphabet: RegexAlphabet) {
        self.program = program
        self.alphabet = alphabet
        let code = program.instructions
        words = code.count / 64 + 1
        single = [UInt64](repeating: 0, count: words)
        grouped = single
        match = single

        // Every edge of a split or jump; an edge joins the group of its target when enough
        // edges share it, else that of its offset, else the instruction goes one by one.
        var edges: [(pc: Int, target: Int32)] = []
        for (pc, instruction) in code.enumerated() {
            switch instruction {
            case .split(let first, let second):
                edges.append((pc, first))
                edges.append((pc, second))
            case .jump(let target):
                edges.append((pc, target))
            case .assert:
                Self.set(&single, pc)
            case .match:
                Self.set(&match, pc)
            case .scalar, .class:
                break
            }
        }
        var byTarget: [Int32: Int] = [:], byOffset: [Int: Int] = [:]
        for edge in edges {
            byTarget[edge.target, default: 0] += 1
            byOffset[Int(edge.target) - edge.pc, default: 0] += 1
        }
        func key(_ edge: (pc: Int, target: Int32)) -> (target: Int32?, offset: Int)? {
            if byTarget[edge.target]! >= Self.minimumGroup { return (edge.target, 0) }
            let offset = Int(edge.target) - edge.pc
            return byOffset[offset]! >= Self.minimumGroup ? (nil, offset) : nil
        }
        var alone = Set<Int>()
        for edge in edges where key(edge) == nil { alone.insert(edge.pc) }
        for pc in alone { Self.set(&single, pc) }
        var members: [String: (target: Int32?, offset: Int, pcs: [Int])] = [:]
        for edge in edges where !alone.contains(edge.pc) {
            let (target, offset) = key(edge)!
            let name = target.map { "t\($0)" } ?? "o\(offset)"
            members[name, default: (target, offset, [])].pcs.append(edge.pc)
            Self.set(&grouped, edge.pc)
        }
        for (_, group) in members.sorted(by: { $0.key < $1.key }) {
            let first = group.pcs.min()! / 64, last = group.pcs.max()! / 64
            var masks = [UInt64](repeating: 0, count: last - first + 1)
            for pc in group.pcs { masks[pc / 64 - first] |= 1 << UInt64(pc % 64) }
            groups.append(Group(firstWord: first, masks: masks, target: group.target, offset: group.offset))
            roundCost += masks.count
        }
        roundCost += 2 * words
    }

    private static func set(_ bits: inout [UInt64], _ pc: Int) {
        bits[pc / 64] |= 1 << UInt64(pc % 64)
    }

    /// Searches from `start` (between `before` and the scalar there), with `threads`
    /// (instructions to continue at) alive.
    func run(_ text: UnsafeBufferPointer<UInt8>, from start: Int, previous before: UInt32, threads: [Int32]) -> Bool {
        let words = words
        // The live instructions; the grouped ones a round follows; what the round reaches.
        let live = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        let bulk = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        let reached = UnsafeMutablePointer<UInt64>.allocate(capacity: words + 2)
        var stack = [Int32]()
        stack.reserveCapacity(64)
        defer {
            live.deallocate()
            bulk.deallocate()
            reached.deallocate()
        }
        live.initialize(repeating: 0, count: words)
        bulk.initialize(repeating: 0, count: words)
        reached.initialize(repeating: 0, count: words + 2)
        for pc in threads { live[Int(pc) / 64] |= 1 << UInt64(pc % 64) }
        // `accept[class * words ..< (class + 1) * words]`: the consuming instructions that
        // accept the class's scalars, built the first time the class is read.
        var accept = [UInt64](repeating: 0, count: words * max(1, alphabet.count))
        var acceptBuilt = [Bool](repeating: false, count: max(1, alphabet.count))
        func buildAccept(_ symbol: Int) {
            let scalar = alphabet.representative.isEmpty ? 0 : alphabet.representative[symbol]
            let base = symbol * words
            for pc in program.instructions.indices where program.accepts(pc, scalar) {
                accept[base + pc / 64] |= 1 << UInt64(pc % 64)
            }
            acceptBuilt[symbol] = true
        }

        let anchored = program.isAnchoredAtStart
        let skips = !anchored && (!program.requiredPrefix.isEmpty || program.startClass >= 0)
        let code = program.instructions
        let groups = groups
        let roundCost = roundCost
        var position = start
        var previous = before
        var anyAlive = !threads.isEmpty

        return single.withUnsafeBufferPointer { single in
            grouped.withUnsafeBufferPointer { grouped in
                match.withUnsafeBufferPointer { match in
                    /// Sets `pc`; an ε-instruction newly set is followed.
                    @inline(__always) func add(_ pc: Int32) {
                        let word = Int(pc) / 64, bit: UInt64 = 1 << UInt64(pc % 64)
                        guard live[word] & bit == 0 else { return }
                        live[word] |= bit
                        if (single[word] | grouped[word]) & bit != 0 { stack.append(pc) }
                    }
                    /// Pushes the set bits of `bits`, word `w`, to be followed one by one.
                    @inline(__always) func push(_ bits: UInt64, _ w: Int) {
                        var bits = bits
                        while bits != 0 {
                            stack.append(Int32(w * 64 + bits.trailingZeroBitCount))
                            bits &= bits - 1
                        }
                    }

                    while true {
                        if !anyAlive {
                            // No thread is alive: only a new start can match from here.
                            if anchored && position > 0 { return false }
                            if skips {
                                guard let found = program.nextPossibleStart(in: text, from: position) else { return false }
                                if found != position {
                                    position = found
                                    previous = RegexVM.decodeBefore(text, at: found)
                                }
                            }
                        }
                        let (scalar, length) = RegexVM.decode(text, at: position)

                        // The ε-closure at this position. Single ε-instructions go to the
                        // stack; grouped ones are followed in rounds, a word at a time,
                        // while enough are new for a round to pay, else one by one.
                        stack.removeAll(keepingCapacity: true)
                        var count = 0
                        for w in 0..<words {
                            push(live[w] & single[w], w)
                            bulk[w] = live[w] & grouped[w]
                            count += bulk[w].nonzeroBitCount
                        }
                        if !anchored || previous == RegexVM.none { add(0) }
                        while count > 0 {
                            if count * 8 < roundCost {
                                for w in 0..<words where bulk[w] != 0 { push(bulk[w], w) }
                                break
                            }
                            for w in 0..<(words + 2) { reached[w] = 0 }
                            for group in groups {
                                if let target = group.target {
                                    for (k, mask) in group.masks.enumerated() where bulk[group.firstWord + k] & mask != 0 {
                                        reached[Int(target) / 64] |= 1 << UInt64(target % 64)
                                        break
                                    }
                                } else {
                                    // Bit b of word w moves to bit b + offset: whole words
                                    // `quotient` on, then `remainder` bits.
                                    let quotient = group.offset >= 0 ? group.offset / 64 : -((-group.offset + 63) / 64)
                                    let remainder = UInt64(group.offset - quotient * 64)
                                    for (k, mask) in group.masks.enumerated() {
                                        let moving = bulk[group.firstWord + k] & mask
                                        if moving == 0 { continue }
                                        let to = group.firstWord + k + quotient
                                        if to >= 0 { reached[to] |= moving << remainder }
                                        if remainder != 0 { reached[to + 1] |= moving >> (64 - remainder) }
                                    }
                                }
                            }
                            count = 0
                            for w in 0..<words {
                                let fresh = reached[w] & ~live[w]
                                live[w] |= fresh
                                push(fresh & single[w], w)
                                bulk[w] = fresh & grouped[w]
                                count += bulk[w].nonzeroBitCount
                            }
                        }
                        while let pc = stack.popLast() {
                            switch code[Int(pc)] {
                            case .split(let first, let second):
                                add(first)
                                add(second)
                            case .jump(let target):
                                add(target)
                            case .assert(let assertion):
                                if RegexVM.holds(assertion, previous, scalar) { add(pc + 1) }
                            case .scalar, .class, .match:
                                break
                            }
                        }
                        for w in 0..<words where live[w] & match[w] != 0 { return true }
                        if scalar == RegexVM.none { return false }

                        // Read the scalar: each accepting instruction continues at pc + 1.
                        let symbol = Int(scalar < 0x80 ? alphabet.ascii[Int(scalar)] : alphabet.classOf(nonASCII: scalar))
                        if !acceptBuilt[symbol] { buildAccept(symbol) }
                        anyAlive = accept.withUnsafeBufferPointer { accept in
                            let base = symbol * words
                            var carry: UInt64 = 0, any: UInt64 = 0
                            for w in 0..<words {
                                let moving = live[w] & accept[base + w]
                                live[w] = moving << 1 | carry
                                carry = moving >> 63
                                any |= live[w]
                            }
                            return any != 0
                        }
                        previous = scalar
                        position += length
                    }
                }
            }
        }
    }
}
