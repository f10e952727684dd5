// The NFA run on bitsets, for the searches the lazy DFA gives up on. When the sets of live
// threads never repeat (`[ab]*a[ab]{999}c` over random text: a set per scalar, 2^999 of
// them), the Pike VM steps every live thread one by one, and a program of thousands of
// instructions costs thousands of steps per scalar. Here the live instructions are one
// bit each: reading a scalar is an AND with the instructions that accept it and a shift by
// one (each continues at pc + 1), 64 instructions per machine word. ε-moves (splits,
// jumps, assertions) are followed one by one, except the large groups of splits and jumps
// a counted repetition or a long alternation emits (the `split pc+1, end` of each optional
// copy of `x{0,1000}`), which are followed a word at a time too. A scalar costs
// O(instructions / 64 + groups + other live ε-instructions), never more than the Pike VM's
// one step per instruction.

/// One search with the live threads as a bitset over the program's instructions.
struct RegexBitVM {
    /// Splits and jumps that share a target, followed together.
    private struct Group {
        /// The first word of `masks` in the program's bitsets.
        var firstWord: Int
        /// The members, from `firstWord` on.
        var masks: [UInt64]
        var target: Int32
    }

    /// The fewest members a group needs to be followed a word at a time.
    static let minimumGroup = 8
    /// The most words the per-class masks may take (16 MiB); a larger alphabet × program
    /// stays in the Pike VM.
    static let maxMaskWords = 1 << 21

    private let program: RegexProgram
    private let alphabet: RegexAlphabet
    private let words: Int
    /// ε-instructions followed one by one.
    private var single: [UInt64]
    /// Group members; `shifted` those among them whose other edge goes to pc + 1.
    private var grouped: [UInt64]
    private var shifted: [UInt64]
    private var groups: [Group] = []
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
        shifted = single
        match = single

        // Splits with one edge to pc + 1, and jumps, grouped by their other target.
        var members: [Int32: [Int]] = [:]
        for (pc, instruction) in code.enumerated() {
            switch instruction {
            case .split(let first, let second) where first == pc + 1:
                members[second, default: []].append(pc)
            case .split(let first, let second) where second == pc + 1:
                members[first, default: []].append(pc)
            case .jump(let target):
                members[target, default: []].append(pc)
            case .split, .assert:
                Self.set(&single, pc)
            case .match:
                Self.set(&match, pc)
            case .scalar, .class:
                break
            }
        }
        for (target, pcs) in members.sorted(by: { $0.key < $1.key }) {
            guard pcs.count >= Self.minimumGroup else {
                for pc in pcs { Self.set(&single, pc) }
                continue
            }
            let first = pcs.min()! / 64, last = pcs.max()! / 64
            var group = Group(firstWord: first, masks: [UInt64](repeating: 0, count: last - first + 1), target: target)
            for pc in pcs {
                group.masks[pc / 64 - first] |= 1 << UInt64(pc % 64)
                Self.set(&grouped, pc)
                if case .split = code[pc] { Self.set(&shifted, pc) }
            }
            groups.append(group)
        }
    }

    private static func set(_ bits: inout [UInt64], _ pc: Int) {
        bits[pc / 64] |= 1 << UInt64(pc % 64)
    }

    /// Searches from `start` (between `before` and the scalar there), with `threads`
    /// (instructions to continue at) alive.
    func run(_ text: UnsafeBufferPointer<UInt8>, from start: Int, previous before: UInt32, threads: [Int32]) -> Bool {
        let words = words
        let live = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        let bulk = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        var stack = [Int32]()
        stack.reserveCapacity(64)
        defer {
            live.deallocate()
            bulk.deallocate()
        }
        live.initialize(repeating: 0, count: words)
        bulk.initialize(repeating: 0, count: words)
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
        var position = start
        var previous = before
        var anyAlive = !threads.isEmpty

        return single.withUnsafeBufferPointer { single in
            grouped.withUnsafeBufferPointer { grouped in
                shifted.withUnsafeBufferPointer { shifted in
                    match.withUnsafeBufferPointer { match in
                        /// Sets `pc`; an ε-instruction newly set is followed.
                        @inline(__always) func add(_ pc: Int32) {
                            let word = Int(pc) / 64, bit: UInt64 = 1 << UInt64(pc % 64)
                            guard live[word] & bit == 0 else { return }
                            live[word] |= bit
                            if (single[word] | grouped[word]) & bit != 0 { stack.append(pc) }
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

                            // The ε-closure at this position: single ε-instructions already
                            // set, the start, then the groups a word at a time, then whatever
                            // those reach, one by one.
                            stack.removeAll(keepingCapacity: true)
                            for w in 0..<words {
                                var bits = live[w] & single[w]
                                while bits != 0 {
                                    stack.append(Int32(w * 64 + bits.trailingZeroBitCount))
                                    bits &= bits - 1
                                }
                            }
                            if !anchored || previous == RegexVM.none { add(0) }
                            var anyGrouped = false
                            for w in 0..<words {
                                bulk[w] = live[w] & grouped[w]
                                if bulk[w] != 0 { anyGrouped = true }
                            }
                            if anyGrouped {
                                var carry: UInt64 = 0
                                for w in 0..<words {
                                    let moving = bulk[w] & shifted[w]
                                    let reached = moving << 1 | carry
                                    carry = moving >> 63
                                    var fresh = reached & ~live[w]
                                    live[w] |= reached
                                    fresh &= single[w] | grouped[w]
                                    while fresh != 0 {
                                        stack.append(Int32(w * 64 + fresh.trailingZeroBitCount))
                                        fresh &= fresh - 1
                                    }
                                }
                                for group in groups {
                                    for (k, mask) in group.masks.enumerated() where bulk[group.firstWord + k] & mask != 0 {
                                        add(group.target)
                                        break
                                    }
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
                            let alive = accept.withUnsafeBufferPointer { accept in
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
                            anyAlive = alive
                            previous = scalar
                            position += length
                        }
                    }
                }
            }
        }
    }
}
