// The matcher: a Pike VM that runs every NFA thread in lockstep over the text, one scalar
// at a time. Each instruction is in the thread list at most once per position, so a search
// costs O(instructions × scalars) whatever the pattern, and `(a+)+$` stays linear where a
// backtracking engine goes exponential. Without captures, thread priority does not matter,
// so the lists are plain sets and the search stops at the first `match` reached.

extension RegexProgram {
    /// The first byte offset at or after `from` where the non-empty `needle` occurs in
    /// `text`. UTF-8 is self-synchronising, so a byte match of whole scalars is a scalar
    /// match. Naive search, O(needle × text), inside the engine's O(pattern × text) bound.
    static func firstIndex(
        of needle: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>, from: Int
    ) -> Int? {
        let first = needle[0]
        var i = from
        let last = text.count - needle.count
        while i <= last {
            if text[i] == first {
                var j = 1
                while j < needle.count && text[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// From how many scalar steps (text bytes × instructions) a search builds a DFA: below
    /// it, setting one up costs more than it saves.
    static let dfaThreshold = 1 << 16

    /// Whether the program matches somewhere in `text`, given as its UTF-8 bytes (valid
    /// UTF-8, as every Swift string is).
    ///
    /// A short text runs the Pike VM, whose working memory is one temporary allocation
    /// sized by the program (on the stack when small), so a call allocates nothing on the
    /// heap for typical patterns. A long one builds a DFA as it goes (`RegexDFA`), and when
    /// its states do not repeat, goes on with the threads as a bitset (`RegexBitVM`).
    func matches(utf8 text: UnsafeBufferPointer<UInt8>, engine: RegexEngine = .automatic) -> Bool {
        if isAnchoredAtStart {
            guard text.count >= requiredPrefix.count else { return false }
            for i in requiredPrefix.indices where text[i] != requiredPrefix[i] { return false }
            // Without a prefix to compare, the first scalar: every match starts with it, so
            // it must be one of `startClass` (`^(qa|beta)-` turns "staff-x" away at once).
            if requiredPrefix.isEmpty, startClass >= 0 {
                guard !text.isEmpty, Self.contains(classes[Int(startClass)], RegexVM.decode(text, at: 0).0, classRanges) else {
                    return false
                }
            }
        }
        let long = text.count >= 256 && text.count * instructions.count >= Self.dfaThreshold
        if engine == .nfa || (engine == .automatic && !long) { return runNFA(text) }
        let alphabet = RegexAlphabet(self)
        if engine == .bits { return RegexBitVM(self, alphabet: alphabet).run(text, from: 0, previous: RegexVM.none, threads: []) }
        var dfa = RegexDFA(self, alphabet: alphabet)
        switch dfa.run(text) {
        case .matched(let result):
            return result
        case .handOver(let position, let previous, let threads):
            // The sets of live threads do not repeat: step them a word at a time.
            guard RegexBitVM.fits(self, alphabet) else {
                return runNFA(text, from: position, previous: previous, threads: threads)
            }
            return RegexBitVM(self, alphabet: alphabet).run(text, from: position, previous: previous, threads: threads)
        }
    }

    /// The Pike VM from `position` (between `previous` and the scalar there), with `threads`
    /// (instructions to continue at) alive; from the start of the text by default.
    private func runNFA(
        _ text: UnsafeBufferPointer<UInt8>, from position: Int = 0, previous: UInt32 = RegexVM.none, threads: [Int32] = []
    ) -> Bool {
        let count = instructions.count
        return instructions.withUnsafeBufferPointer { code in
            classes.withUnsafeBufferPointer { classes in
                classRanges.withUnsafeBufferPointer { ranges in
                    requiredPrefix.withUnsafeBufferPointer { prefix in
                        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * count) { memory in
                            var vm = RegexVM(
                                code: code, classes: classes, ranges: ranges, memory: memory,
                                anchored: isAnchoredAtStart, prefix: prefix, startClass: Int(startClass))
                            // Only a hand-over from the DFA has threads to resume: a short
                            // text goes straight to the loop, which then has no resuming code
                            // of its own to step over.
                            if !threads.isEmpty, vm.resume(threads, in: text, at: position, previous: previous) { return true }
                            return vm.run(text, from: position, previous: previous)
                        }
                    }
                }
            }
        }
    }

    /// Whether the consuming instruction at `pc` accepts `scalar` (false for the others).
    func accepts(_ pc: Int, _ scalar: UInt32) -> Bool {
        switch instructions[pc] {
        case .scalar(let value): value == scalar
        case .class(let k): Self.contains(classes[Int(k)], scalar, classRanges)
        case .split, .jump, .assert, .match: false
        }
    }

    /// Whether `scalar` is in the class (see `RegexVM.classContains`).
    static func contains(_ entry: Class, _ scalar: UInt32, _ ranges: [UInt32]) -> Bool {
        ranges.withUnsafeBufferPointer { RegexVM.classContains(entry, scalar, $0) }
    }

    /// The first byte offset at or after `from` where a match can start: where the leading
    /// literal text occurs, or a scalar of `startClass`. Only for unanchored programs that
    /// have one or the other.
    func nextPossibleStart(in text: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        if !requiredPrefix.isEmpty {
            return requiredPrefix.withUnsafeBufferPointer { Self.firstIndex(of: $0, in: text, from: from) }
        }
        return classRanges.withUnsafeBufferPointer { ranges in
            RegexVM.nextStart(in: text, from: from, entry: classes[Int(startClass)], ranges: ranges)
        }
    }
}

/// The state of one search. Lives only for the duration of `RegexProgram.matches`.
struct RegexVM {
    let code: UnsafeBufferPointer<RegexInstruction>
    let classes: UnsafeBufferPointer<RegexProgram.Class>
    let ranges: UnsafeBufferPointer<UInt32>
    let anchored: Bool
    let prefix: UnsafeBufferPointer<UInt8>
    /// The class of the scalars that can start a match, or -1.
    let startClass: Int

    /// `marks[pc]` is the generation (position number) in which pc last joined a list: a
    /// set with O(1) insert, lookup and clear (clearing is moving to the next generation).
    let marks: UnsafeMutablePointer<Int>
    /// The consuming instructions alive before the current scalar is read.
    var current: UnsafeMutablePointer<Int>
    var currentCount = 0
    /// The consuming instructions alive after it; built while stepping.
    var next: UnsafeMutablePointer<Int>
    var nextCount = 0
    /// The ε-closure's work list; each pc is pushed at most once per generation.
    let stack: UnsafeMutablePointer<Int>

    /// No scalar: before the start or after the end of the text.
    static let none = UInt32.max

    init(
        code: UnsafeBufferPointer<RegexInstruction>, classes: UnsafeBufferPointer<RegexProgram.Class>,
        ranges: UnsafeBufferPointer<UInt32>, memory: UnsafeMutableBufferPointer<Int>, anchored: Bool,
        prefix: UnsafeBufferPointer<UInt8>, startClass: Int
    ) {
        let n = code.count
        let base = memory.baseAddress!
        self.code = code
        self.classes = classes
        self.ranges = ranges
        self.anchored = anchored
        self.prefix = prefix
        self.startClass = startClass
        marks = base
        current = base + n
        next = base + 2 * n
        stack = base + 3 * n
        marks.initialize(repeating: 0, count: n)
    }

    /// The generation `run` starts in.
    private static let firstGeneration = 1

    /// Makes the threads `resumed` (instructions to continue at, from the DFA) alive at
    /// `position` (between `previous` and the scalar there), before `run` goes on from there.
    /// Returns true when one of them reaches `match`.
    mutating func resume(_ resumed: [Int32], in text: UnsafeBufferPointer<UInt8>, at position: Int, previous: UInt32) -> Bool {
        let scalar = Self.decode(text, at: position).0
        for pc in resumed where add(Int(pc), Self.firstGeneration, previous, scalar) { return true }
        return false
    }

    /// Searches from `start` (between `previous` and the scalar there), with the threads
    /// `resume` made alive, if any.
    mutating func run(_ text: UnsafeBufferPointer<UInt8>, from start: Int, previous before: UInt32) -> Bool {
        var generation = Self.firstGeneration
        var position = start
        var previous = before
        var (scalar, length) = Self.decode(text, at: start)
        while true {
            if nextCount == 0 {
                // No thread is alive: only a new start can match from here.
                if anchored {
                    if position > 0 { return false }
                } else {
                    // Skip to the next place where a match can start; none: no match.
                    let found: Int
                    if !prefix.isEmpty {
                        guard let at = RegexProgram.firstIndex(of: prefix, in: text, from: position) else { return false }
                        found = at
                    } else if startClass >= 0 {
                        guard let at = Self.nextStart(in: text, from: position, entry: classes[startClass], ranges: ranges) else {
                            return false
                        }
                        found = at
                    } else {
                        found = position
                    }
                    if found != position {
                        // A new position: marks left by the failed closure of the old one
                        // were decided with other neighbours (for `\b`), so start afresh.
                        generation += 1
                        position = found
                        previous = Self.decodeBefore(text, at: found)
                        (scalar, length) = Self.decode(text, at: found)
                    }
                }
            }
            if (!anchored || position == 0) && add(0, generation, previous, scalar) { return true }
            if scalar == Self.none { return false }

            swap(&current, &next)
            currentCount = nextCount
            nextCount = 0
            generation += 1
            let after = position + length
            let (following, followingLength) = Self.decode(text, at: after)
            for i in 0..<currentCount {
                let pc = current[i]
                if accepts(pc, scalar) && add(pc + 1, generation, scalar, following) { return true }
            }
            previous = scalar
            (scalar, length) = (following, followingLength)
            position = after
        }
    }

    /// The first byte offset at or after `from` of a scalar in the class, or nil.
    static func nextStart(
        in text: UnsafeBufferPointer<UInt8>, from: Int, entry: RegexProgram.Class, ranges: UnsafeBufferPointer<UInt32>
    ) -> Int? {
        var i = from
        if entry.start == entry.end {
            // An ASCII-only class: test bytes. Bytes of other scalars are all 0x80 or above,
            // so every hit is the start of a scalar.
            while i < text.count {
                let byte = UInt64(text[i])
                if byte < 64 ? entry.low >> byte & 1 != 0 : byte < 128 && entry.high >> (byte - 64) & 1 != 0 {
                    return i
                }
                i += 1
            }
            return nil
        }
        while i < text.count {
            let (scalar, length) = Self.decode(text, at: i)
            if Self.classContains(entry, scalar, ranges) { return i }
            i += length
        }
        return nil
    }

    /// Whether the consuming instruction at `pc` accepts `scalar`.
    @inline(__always)
    func accepts(_ pc: Int, _ scalar: UInt32) -> Bool {
        switch code[pc] {
        case .scalar(let value):
            return value == scalar
        case .class(let k):
            return Self.classContains(classes[Int(k)], scalar, ranges)
        case .split, .jump, .assert, .match:
            return false  // never in a thread list
        }
    }

    /// Whether `scalar` is in the class: a bit test for ASCII, else a binary search over
    /// the lower/upper pairs.
    @inline(__always)
    static func classContains(_ entry: RegexProgram.Class, _ scalar: UInt32, _ ranges: UnsafeBufferPointer<UInt32>) -> Bool {
        if scalar < 64 { return entry.low >> UInt64(scalar) & 1 != 0 }
        if scalar < 128 { return entry.high >> UInt64(scalar - 64) & 1 != 0 }
        var low = Int(entry.start) / 2, high = Int(entry.end) / 2
        while low < high {
            let mid = (low + high) / 2
            if ranges[2 * mid + 1] < scalar {
                low = mid + 1
            } else if ranges[2 * mid] > scalar {
                high = mid
            } else {
                return true
            }
        }
        return false
    }

    /// Adds `start` and everything reachable from it by ε-moves at this position (between
    /// `previous` and `scalar`) to `next`. Returns true when `match` is reachable.
    @inline(__always)
    mutating func add(_ start: Int, _ generation: Int, _ previous: UInt32, _ scalar: UInt32) -> Bool {
        if marks[start] == generation { return false }
        marks[start] = generation
        stack[0] = start
        var top = 1
        while top > 0 {
            top -= 1
            let pc = stack[top]
            switch code[pc] {
            case .scalar, .class:
                next[nextCount] = pc
                nextCount += 1
            case .match:
                return true
            case .jump(let target):
                push(Int(target), generation, &top)
            case .split(let first, let second):
                push(Int(second), generation, &top)
                push(Int(first), generation, &top)
            case .assert(let assertion):
                if Self.holds(assertion, previous, scalar) { push(pc + 1, generation, &top) }
            }
        }
        return false
    }

    @inline(__always)
    func push(_ pc: Int, _ generation: Int, _ top: inout Int) {
        if marks[pc] != generation {
            marks[pc] = generation
            stack[top] = pc
            top += 1
        }
    }

    /// Whether `assertion` holds between `previous` and `scalar` (either may be `none`).
    @inline(__always)
    static func holds(_ assertion: RegexAssertion, _ previous: UInt32, _ scalar: UInt32) -> Bool {
        switch assertion {
        case .startOfText: previous == none
        case .endOfText: scalar == none
        case .wordBoundary: RegexScalarSet.isWord(previous) != RegexScalarSet.isWord(scalar)
        case .notWordBoundary: RegexScalarSet.isWord(previous) == RegexScalarSet.isWord(scalar)
        }
    }

    // MARK: - UTF-8

    /// The scalar starting at byte `i` and its length in bytes; `none` at the end.
    @inline(__always)
    static func decode(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        guard i < text.count else { return (none, 0) }
        // Swift strings hold valid UTF-8, so the lead byte gives the length and the
        // continuation bytes are there.
        let lead = UInt32(text[i])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(text[i + 1]) & 0x3F, 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | (UInt32(text[i + 1]) & 0x3F) << 6 | UInt32(text[i + 2]) & 0x3F, 3)
        }
        let value = (lead & 0x07) << 18 | (UInt32(text[i + 1]) & 0x3F) << 12
            | (UInt32(text[i + 2]) & 0x3F) << 6 | UInt32(text[i + 3]) & 0x3F
        return (value, 4)
    }

    /// The scalar that ends just before byte `i` (`none` at 0).
    static func decodeBefore(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> UInt32 {
        guard i > 0 else { return none }
        var start = i - 1
        while text[start] & 0xC0 == 0x80 { start -= 1 }
        return decode(text, at: start).0
    }
}
