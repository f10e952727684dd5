// A lazily built DFA for one search over a long text (RE2's approach): each DFA state is
// the set of NFA threads alive at a position, built the first time the search reaches it
// and remembered with its transitions, so a pattern with a large program whose set of live
// threads repeats (`[a-z]{1000}x`: at most 1,001 different sets) costs one table lookup per
// scalar instead of one step per live thread. The cache is bounded: when it is full it is
// emptied and filling starts again, and when states are built nearly once per scalar (the
// sets never repeat) the search goes on in the Pike VM, which does the same work per scalar
// without hashing and storing states. Either way a scalar costs at most one step per
// instruction, so the search stays linear in the text.

/// The alphabet of a program, cut into classes of scalars that every instruction treats
/// alike (and, when the program tests word boundaries, that are all `\w` or all not):
/// transitions are stored per class, not per scalar.
struct RegexAlphabet {
    /// The class of each ASCII scalar.
    private(set) var ascii = [Int32](repeating: 0, count: 128)
    /// Sorted starts of the intervals above ASCII; `intervalClass[i]` is the class of
    /// `starts[i] ..< starts[i + 1]` (the last one runs to the end of Unicode).
    private(set) var starts: [UInt32] = []
    private(set) var intervalClass: [Int32] = []
    /// One scalar of each class, to run the instructions' tests on while building a state.
    private(set) var representative: [UInt32] = []

    /// The number of classes.
    var count: Int { representative.count }

    init(_ program: RegexProgram) {
        // Cut points: where any class, literal scalar or `\w` starts or stops.
        var cuts: Set<UInt32> = [0, 128]
        var scalars: Set<UInt32> = []
        var usesWord = false
        for instruction in program.instructions {
            switch instruction {
            case .scalar(let value):
                scalars.insert(value)
                cuts.insert(value)
                cuts.insert(value + 1)
            case .assert(.wordBoundary), .assert(.notWordBoundary):
                usesWord = true
            default:
                break
            }
        }
        for entry in program.classes {
            var previous = false
            for scalar in 0..<UInt32(128) {
                let member = RegexProgram.contains(entry, scalar, program.classRanges)
                if member != previous { cuts.insert(scalar) }
                previous = member
            }
            var k = Int(entry.start)
            while k < Int(entry.end) {
                cuts.insert(program.classRanges[k])
                cuts.insert(program.classRanges[k + 1] + 1)
                k += 2
            }
        }
        if usesWord {
            for range in RegexScalarSet.word.ranges {
                cuts.insert(range.lowerBound)
                cuts.insert(range.upperBound + 1)
            }
        }
        let sorted = cuts.filter { $0 <= RegexScalarSet.maxScalar }.sorted()

        // Intervals that every instruction treats alike share a class: the same membership
        // in every class, the same literal scalar (or none), the same side of `\w`.
        struct Signature: Hashable {
            var members: [Bool]
            var scalar: UInt32?
            var word: Bool
        }
        var classOf: [Signature: Int32] = [:]
        func classify(_ start: UInt32, _ end: UInt32) -> Int32 {
            let signature = Signature(
                members: program.classes.map { RegexProgram.contains($0, start, program.classRanges) },
                scalar: end == start + 1 && scalars.contains(start) ? start : nil,
                word: usesWord && RegexScalarSet.isWord(start))
            if let known = classOf[signature] { return known }
            let number = Int32(representative.count)
            classOf[signature] = number
            representative.append(start)
            return number
        }
        for (i, start) in sorted.enumerated() {
            let end = i + 1 < sorted.count ? sorted[i + 1] : RegexScalarSet.maxScalar + 1
            let number = classify(start, end)
            if start < 128 {
                for scalar in start..<min(end, 128) { ascii[Int(scalar)] = number }
            } else {
                starts.append(start)
                intervalClass.append(number)
            }
        }
    }

    /// The class of a scalar above ASCII (binary search over the intervals).
    func classOf(nonASCII scalar: UInt32) -> Int32 {
        var low = 0, high = starts.count
        while high - low > 1 {
            let mid = (low + high) / 2
            if starts[mid] <= scalar { low = mid } else { high = mid }
        }
        return intervalClass[low]
    }
}

/// One search through a lazily built DFA. Lives for one call of `RegexProgram.matches`.
struct RegexDFA {
    /// How a search ended, or where it handed over to the Pike VM.
    enum Outcome {
        case matched(Bool)
        /// States were being built nearly once per scalar: go on with the NFA from `position`
        /// (between `previous` and the scalar there), with these threads alive.
        case handOver(position: Int, previous: UInt32, threads: [Int32])
    }

    private let program: RegexProgram
    private let alphabet: RegexAlphabet
    private let symbols: Int

    // The states. Each is a sorted set of instructions to continue at (the instruction
    // after each consuming one that read the last scalar), with what the last scalar was:
    // no scalar yet, a `\w` scalar, or another one (the start thread and `^`, `\b`, `\B`
    // depend on it).
    private var threads: [[Int32]] = []
    private var previousKind: [UInt8] = []
    private var index: [[Int32]: Int32] = [:]
    /// `transitions[state * symbols + class]`: the next state, `unknown`, or `matched`.
    private var transitions: [Int32] = []
    /// Whether a state matches at the end of the text: -1 unknown, 0 no, 1 yes.
    private var endMatch: [Int8] = []
    private var storedThreads = 0

    // Scratch space for building a state.
    private var marks: [Int]
    private var generation = 0
    private var stack: [Int32] = []
    private var alive: [Int32] = []
    private var targets: [Int32] = []

    private static let unknown: Int32 = -1
    private static let matched: Int32 = -2
    /// Kinds of the scalar before a position.
    private static let atStart: UInt8 = 0, afterWord: UInt8 = 1, afterOther: UInt8 = 2
    /// Stand-ins for the previous scalar of each kind, for the assertions.
    private static let kindScalar: [UInt32] = [RegexVM.none, 0x61, 0x20]

    /// The cache's bounds, by default about 4 MiB of thread sets and 4 MiB of transitions.
    private let maxStoredThreads: Int
    private let maxTransitions: Int
    /// How many states were built (tests bound the work of a search by it).
    private(set) var statesBuilt = 0
    /// How many times the cache was emptied.
    private(set) var resets = 0

    init(_ program: RegexProgram, alphabet: RegexAlphabet, maxStoredThreads: Int = 1 << 20, maxTransitions: Int = 1 << 20) {
        self.program = program
        self.alphabet = alphabet
        self.maxStoredThreads = maxStoredThreads
        self.maxTransitions = maxTransitions
        symbols = max(1, alphabet.count)
        marks = [Int](repeating: 0, count: program.instructions.count + 1)
        reset()
    }

    /// Empties the cache, keeping the three states without threads at 0, 1 and 2.
    private mutating func reset() {
        threads.removeAll(keepingCapacity: true)
        previousKind.removeAll(keepingCapacity: true)
        index.removeAll(keepingCapacity: true)
        transitions.removeAll(keepingCapacity: true)
        endMatch.removeAll(keepingCapacity: true)
        storedThreads = 0
        for kind in [Self.atStart, Self.afterWord, Self.afterOther] { _ = insert([], kind: kind) }
    }

    private mutating func insert(_ set: [Int32], kind: UInt8) -> Int32 {
        let number = Int32(threads.count)
        threads.append(set)
        previousKind.append(kind)
        index[[Int32(kind)] + set] = number
        transitions.append(contentsOf: repeatElement(Self.unknown, count: symbols))
        endMatch.append(-1)
        storedThreads += set.count + 1
        return number
    }

    private static func kind(of scalar: UInt32) -> UInt8 {
        scalar == RegexVM.none ? atStart : RegexScalarSet.isWord(scalar) ? afterWord : afterOther
    }

    /// Searches `text` from its start.
    mutating func run(_ text: UnsafeBufferPointer<UInt8>) -> Outcome {
        let anchored = program.isAnchoredAtStart
        let skips = !anchored && (!program.requiredPrefix.isEmpty || program.startClass >= 0)
        var state: Int32 = 0
        var position = 0
        // Thrashing: how many states were built since the last reset, against how far the
        // search got meanwhile.
        var builtSinceReset = 0
        var positionAtReset = 0
        while position < text.count {
            if state <= 2 {
                // No thread alive: only a new start can match.
                if anchored && position > 0 { return .matched(false) }
                if skips {
                    guard let found = program.nextPossibleStart(in: text, from: position) else { return .matched(false) }
                    if found != position {
                        position = found
                        state = Int32(Self.kind(of: RegexVM.decodeBefore(text, at: found)))
                    }
                }
            }
            let lead = text[position]
            let scalar: UInt32, length: Int, symbol: Int32
            if lead < 0x80 {
                (scalar, length) = (UInt32(lead), 1)
                symbol = alphabet.ascii[Int(lead)]
            } else {
                (scalar, length) = RegexVM.decode(text, at: position)
                symbol = alphabet.classOf(nonASCII: scalar)
            }
            var next = transitions[Int(state) * symbols + Int(symbol)]
            if next == Self.unknown {
                if storedThreads > maxStoredThreads || transitions.count + symbols > maxTransitions {
                    // A full cache: when it filled up at about a state per scalar, states do
                    // not repeat, and the NFA does the same work more cheaply.
                    if builtSinceReset * 2 > position - positionAtReset {
                        return .handOver(position: position, previous: RegexVM.decodeBefore(text, at: position),
                                         threads: threads[Int(state)])
                    }
                    let set = threads[Int(state)], kind = previousKind[Int(state)]
                    reset()
                    resets += 1
                    state = index[[Int32(kind)] + set] ?? insert(set, kind: kind)
                    builtSinceReset = 0
                    positionAtReset = position
                }
                next = step(from: state, on: scalar, symbol: symbol)
                builtSinceReset += 1
            }
            if next == Self.matched { return .matched(true) }
            state = next
            position += length
        }
        return .matched(matchesAtEnd(state))
    }

    /// Builds (or finds) the state after reading `scalar` in `state`, and records it.
    private mutating func step(from state: Int32, on scalar: UInt32, symbol: Int32) -> Int32 {
        let kind = previousKind[Int(state)]
        let previous = Self.kindScalar[Int(kind)]
        if closure(of: state, previous: previous, scalar: scalar) {
            transitions[Int(state) * symbols + Int(symbol)] = Self.matched
            return Self.matched
        }
        // Read the scalar: every consuming instruction that accepts it continues at pc + 1.
        generation += 1
        targets.removeAll(keepingCapacity: true)
        for pc in alive where program.accepts(Int(pc), scalar) {
            let target = Int(pc) + 1
            if marks[target] != generation {
                marks[target] = generation
                targets.append(Int32(target))
            }
        }
        targets.sort()
        let nextKind = Self.kind(of: scalar)
        var key = [Int32(nextKind)]
        key.append(contentsOf: targets)
        let next = index[key] ?? { statesBuilt += 1; return insert(targets, kind: nextKind) }()
        transitions[Int(state) * symbols + Int(symbol)] = next
        return next
    }

    /// Whether the program matches at the end of the text in `state`.
    private mutating func matchesAtEnd(_ state: Int32) -> Bool {
        if endMatch[Int(state)] >= 0 { return endMatch[Int(state)] == 1 }
        let kind = previousKind[Int(state)]
        let result = closure(of: state, previous: Self.kindScalar[Int(kind)], scalar: RegexVM.none)
        endMatch[Int(state)] = result ? 1 : 0
        return result
    }

    /// Follows every ε-move from the state's threads (and the start, where a match may
    /// begin) at a position between `previous` and `scalar`, collecting the consuming
    /// instructions reached in `alive`. Returns true when `match` is reachable.
    private mutating func closure(of state: Int32, previous: UInt32, scalar: UInt32) -> Bool {
        generation += 1
        alive.removeAll(keepingCapacity: true)
        stack.removeAll(keepingCapacity: true)
        // The order changes nothing but which instructions are marked first.
        if !program.isAnchoredAtStart || previous == RegexVM.none { push(0) }
        for pc in threads[Int(state)] { push(pc) }
        let code = program.instructions
        while let pc = stack.popLast() {
            switch code[Int(pc)] {
            case .scalar, .class:
                alive.append(pc)
            case .match:
                return true
            case .jump(let target):
                push(target)
            case .split(let first, let second):
                push(second)
                push(first)
            case .assert(let assertion):
                if RegexVM.holds(assertion, previous, scalar) { push(pc + 1) }
            }
        }
        return false
    }

    private mutating func push(_ pc: Int32) {
        if marks[Int(pc)] != generation {
            marks[Int(pc)] = generation
            stack.append(pc)
        }
    }
}
