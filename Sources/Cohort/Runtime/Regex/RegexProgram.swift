/// One instruction of a compiled pattern: a Thompson NFA written as a Pike VM program.
///
/// Consuming instructions read one scalar and continue at the next instruction; the others
/// are ε-moves the matcher follows without reading anything.
enum RegexInstruction: Sendable, Equatable {
    // MARK: Consuming

    /// Reads one scalar equal to the operand (a scalar value), then continues at pc + 1.
    case scalar(UInt32)
    /// Reads one scalar that is a member of `classes[k]`, then continues at pc + 1.
    case `class`(Int32)

    // MARK: Zero-width

    /// Continues at both targets: the NFA's fork (alternation, `?`, `*`, `+`, counts).
    case split(Int32, Int32)
    /// Continues at the target.
    case jump(Int32)
    /// Continues at pc + 1 only if the assertion holds at the current position.
    case assert(RegexAssertion)
    /// The pattern has matched; the search stops with `true`.
    case match
}

/// A compiled pattern: an immutable instruction list plus the character classes it reads.
///
/// Value type of arrays only, so sharing one program between threads is safe.
struct RegexProgram: Sendable {
    /// A character class, laid out for the matcher: a bitmap for ASCII and sorted ranges
    /// (`classRanges[start..<end]`, as lower/upper pairs) for everything above it.
    struct Class: Sendable, Equatable {
        /// Members 0–63, bit n for scalar n.
        var low: UInt64 = 0
        /// Members 64–127, bit n for scalar 64 + n.
        var high: UInt64 = 0
        /// The first index of this class's non-ASCII ranges in `classRanges`.
        var start: Int32 = 0
        /// One past the last index of those ranges (the count of values, not of pairs).
        var end: Int32 = 0
    }

    /// The instructions; execution starts at 0 and every path ends in `match`.
    private(set) var instructions: [RegexInstruction] = []
    /// The classes named by `class` instructions.
    private(set) var classes: [Class] = []
    /// Flattened lower/upper bounds of every class's non-ASCII ranges.
    private(set) var classRanges: [UInt32] = []
    /// Whether every match must start at the start of the text (the pattern begins with
    /// `^` on every branch), so the search need not start a thread at every position.
    private(set) var isAnchoredAtStart = false
    /// UTF-8 of the literal text every match starts with (after leading assertions such as
    /// `^` or `\b`), for skipping ahead in the text and for rejecting early.
    private(set) var requiredPrefix: [UInt8] = []
    /// The class of every scalar that can start a match, or -1 when a match can be empty
    /// (then any position may match). Lets an unanchored search skip scalars that cannot
    /// start one.
    private(set) var startClass: Int32 = -1

    /// The class of each set already emitted, so `[a-z]{1000}` stores its class once.
    private var classIndex: [RegexScalarSet: Int32] = [:]

    /// Compiles a syntax tree, refusing one whose program would exceed
    /// `RegexPattern.maxProgramSize` instructions.
    init(compiling root: RegexNode) throws(RegexSyntaxError) {
        let limit = RegexPattern.maxProgramSize
        let size = Self.size(of: root, cap: limit) + 1
        if size > limit {
            // Point at the repetition that contributes most; without one, at the start.
            let offset = Self.largestRepetition(in: root, cap: limit)?.offset ?? 0
            throw RegexSyntaxError(
                "the compiled pattern needs more than \(limit) instructions (limit); use smaller repetition counts",
                at: offset)
        }
        instructions.reserveCapacity(size)
        emit(root)
        instructions.append(.match)
        isAnchoredAtStart = Self.isAnchored(root)

        // Assertions are zero-width: the literal after them still starts every match.
        var items: ArraySlice<RegexNode>
        if case .concatenation(let all) = root { items = all[...] } else { items = [root] }
        while case .assertion = items.first { items = items.dropFirst() }
        for item in items {
            guard case .scalar(let value) = item, let scalar = Unicode.Scalar(value) else { break }
            requiredPrefix += String(scalar).utf8
        }
        if let first = firstScalars() { startClass = classNumber(first) }
    }

    // MARK: - Emitting

    private mutating func emit(_ node: RegexNode) {
        switch node {
        case .empty:
            break
        case .scalar(let value):
            instructions.append(.scalar(value))
        case .set(let set):
            if let value = set.singleScalar {
                instructions.append(.scalar(value))
            } else {
                instructions.append(.class(classNumber(set)))
            }
        case .assertion(let assertion):
            instructions.append(.assert(assertion))
        case .concatenation(let items):
            for item in items { emit(item) }
        case .alternation(let branches):
            // `a|b|[0-9]` reads one scalar whichever branch is taken: one class, no splits.
            if let union = Self.oneScalarUnion(branches) {
                emit(.set(union))
                return
            }
            // split L1, next; L1: branch; jump end; next: split ... ; last branch; end:
            var jumps: [Int] = []
            for (i, branch) in branches.enumerated() {
                if i == branches.count - 1 {
                    emit(branch)
                    break
                }
                let split = instructions.count
                instructions.append(.split(Int32(split + 1), 0))
                emit(branch)
                jumps.append(instructions.count)
                instructions.append(.jump(0))
                instructions[split] = .split(Int32(split + 1), Int32(instructions.count))
            }
            for jump in jumps { instructions[jump] = .jump(Int32(instructions.count)) }
        case .repetition(let body, let min, let max, _):
            emitRepetition(body, min: min, max: max)
        }
    }

    private mutating func emitRepetition(_ body: RegexNode, min: Int, max: Int?) {
        guard let max else {
            if min == 0 {
                // loop: split body, end; body; jump loop; end:
                let loop = instructions.count
                instructions.append(.split(Int32(loop + 1), 0))
                emit(body)
                instructions.append(.jump(Int32(loop)))
                instructions[loop] = .split(Int32(loop + 1), Int32(instructions.count))
            } else {
                // body × (min - 1); loop: body; split loop, end; end:
                for _ in 1..<min { emit(body) }
                let loop = instructions.count
                emit(body)
                instructions.append(.split(Int32(loop), Int32(instructions.count + 1)))
            }
            return
        }
        for _ in 0..<min { emit(body) }
        // body{0,k} as k optional copies that each may skip to the end; for a yes/no
        // answer this is the same language as nesting them.
        var splits: [Int] = []
        for _ in 0..<(max - min) {
            splits.append(instructions.count)
            instructions.append(.split(Int32(instructions.count + 1), 0))
            emit(body)
        }
        for split in splits { instructions[split] = .split(Int32(split + 1), Int32(instructions.count)) }
    }

    /// The number of the class for `set`, adding it the first time.
    private mutating func classNumber(_ set: RegexScalarSet) -> Int32 {
        if let number = classIndex[set] { return number }
        var entry = Class()
        entry.start = Int32(classRanges.count)
        for range in set.ranges {
            var low = range.lowerBound
            while low <= range.upperBound && low < 128 {
                if low < 64 { entry.low |= 1 << UInt64(low) } else { entry.high |= 1 << UInt64(low - 64) }
                low += 1
            }
            if low <= range.upperBound {
                classRanges.append(low)
                classRanges.append(range.upperBound)
            }
        }
        entry.end = Int32(classRanges.count)
        let number = Int32(classes.count)
        classes.append(entry)
        classIndex[set] = number
        return number
    }

    // MARK: - Analysis

    /// The scalars that can start a match: those read by the instructions reachable from
    /// the start by ε-moves, taking every assertion as passing (so a superset). Nil when
    /// `match` is reachable that way, as a match may then be empty.
    private func firstScalars() -> RegexScalarSet? {
        let setOfClass = Dictionary(uniqueKeysWithValues: classIndex.map { ($1, $0) })
        var seen = Set<Int>()
        var work = [0]
        var ranges: [ClosedRange<UInt32>] = []
        while let pc = work.popLast() {
            guard seen.insert(pc).inserted else { continue }
            switch instructions[pc] {
            case .scalar(let value): ranges.append(value...value)
            case .class(let k): ranges += setOfClass[k]!.ranges
            case .split(let first, let second): work += [Int(first), Int(second)]
            case .jump(let target): work.append(Int(target))
            case .assert: work.append(pc + 1)
            case .match: return nil
            }
        }
        return RegexScalarSet(ranges)
    }

    /// How many instructions `node` compiles to (without the final `match`), saturating a
    /// little above `cap` so that nested counts such as `((a{1000}){1000}){1000}` cannot
    /// overflow.
    private static func size(of node: RegexNode, cap: Int) -> Int {
        let ceiling = cap + 1
        switch node {
        case .empty:
            return 0
        case .scalar, .set, .assertion:
            return 1
        case .concatenation(let items):
            return items.reduce(0) { Swift.min($0 + size(of: $1, cap: cap), ceiling) }
        case .alternation(let branches):
            if oneScalarUnion(branches) != nil { return 1 }
            let total = branches.reduce(2 * (branches.count - 1)) { Swift.min($0 + size(of: $1, cap: cap), ceiling) }
            return Swift.min(total, ceiling)
        case .repetition(let body, let min, let max, _):
            let one = size(of: body, cap: cap)
            // Counts are at most 1,000 and `one` at most cap + 1, so these products fit.
            let total = max.map { $0 * one + ($0 - min) } ?? (min == 0 ? one + 2 : min * one + 1)
            return Swift.min(total, ceiling)
        }
    }

    /// The scalars the branches match, when each branch is one scalar or one set.
    private static func oneScalarUnion(_ branches: [RegexNode]) -> RegexScalarSet? {
        var union = RegexScalarSet()
        for branch in branches {
            switch branch {
            case .scalar(let value): union.formUnion(RegexScalarSet(scalars: [value]))
            case .set(let set): union.formUnion(set)
            default: return nil
            }
        }
        return union
    }

    /// The repetition with the largest compiled size, outermost first on ties.
    private static func largestRepetition(in node: RegexNode, cap: Int) -> (offset: Int, size: Int)? {
        var best: (offset: Int, size: Int)?
        func visit(_ node: RegexNode) {
            switch node {
            case .empty, .scalar, .set, .assertion:
                break
            case .concatenation(let children), .alternation(let children):
                children.forEach(visit)
            case .repetition(let body, _, _, let offset):
                let size = size(of: node, cap: cap)
                if size > best?.size ?? -1 { best = (offset, size) }
                visit(body)
            }
        }
        visit(node)
        return best
    }

    /// Whether every match of `node` must start at the start of the text. Conservative:
    /// false when unsure, which costs only speed.
    private static func isAnchored(_ node: RegexNode) -> Bool {
        switch node {
        case .assertion(.startOfText): true
        case .concatenation(let items): items.first.map(isAnchored) ?? false
        case .alternation(let branches): branches.allSatisfy(isAnchored)
        case .repetition(let body, let min, _, _): min > 0 && isAnchored(body)
        default: false
        }
    }
}
