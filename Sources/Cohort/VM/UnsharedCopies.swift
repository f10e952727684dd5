/// Deep copies of compiled programs that share no storage with the original.
///
/// Why: Swift reference-counts class instances and array/string buffers atomically. When
/// several threads evaluate the same `Program` objects, every retain and release writes to
/// the same cache lines, and cores queue on them — measured, two batch threads ran slower
/// than one. The batch evaluator therefore gives each chunk its own copy of the flags it
/// evaluates (a few kilobytes, copied once per chunk of thousands of records), so reference
/// counts stay in the core that uses them. One `UnsharedCopies` makes all of a chunk's
/// copies, so a prerequisite shared by several flags is copied once.

extension Value {
    /// This value with every string, list and object copied into fresh storage.
    package var unshared: Value {
        switch self {
        case .null, .bool, .number, .time: self
        case .string(let s): .string(s.unshared)
        case .list(let items): .list(items.map(\.unshared))
        case .object(let fields):
            .object(Dictionary(uniqueKeysWithValues: fields.map { ($0.key.unshared, $0.value.unshared) }))
        case .version(let v): .version(v)
        }
    }
}

extension String {
    /// The same text in fresh storage (small strings have none and are returned as they are).
    package var unshared: String {
        String(decoding: Array(utf8), as: UTF8.self)
    }
}

/// The copies made so far in one copying pass, by the original's identity, so a flag used
/// as a prerequisite by many others (or many times by one) is copied once and the copies
/// share it as the originals do. Copying is then linear in the compiled size: without it,
/// flags that each use the one before ten times copied the first one 10^depth times.
package struct UnsharedCopies {
    private var flags: [ObjectIdentifier: FlagProgram] = [:]
    private var programs: [ObjectIdentifier: Program] = [:]

    package init() {}

    /// The copy of `flag`, made on first use.
    package mutating func copy(_ flag: FlagProgram) -> FlagProgram {
        if let done = flags[ObjectIdentifier(flag)] { return done }
        let arms = flag.arms.map { Arm(condition: copy($0.condition), value: copy($0.value), line: $0.line) }
        let copied = FlagProgram(name: flag.name.unshared, memoIndex: flag.memoIndex, arms: arms,
                                 defaultValue: flag.defaultValue.unshared, isBoolean: flag.isBoolean,
                                 variantNames: flag.variantNames.map { $0?.unshared }, defaultVariantName: flag.defaultVariantName?.unshared)
        flags[ObjectIdentifier(flag)] = copied
        return copied
    }

    /// The copy of `program`, made on first use.
    package mutating func copy(_ program: Program) -> Program {
        if let done = programs[ObjectIdentifier(program)] { return done }
        var parts = Program.Parts()
        // `map` always builds a new buffer (`Array(code)` would share this one).
        parts.code = program.code.map { $0 }
        parts.spans = program.spans.map { $0 }
        parts.constants = program.constants.map(\.unshared)
        parts.sets = program.sets.map { ConstantSet(Set($0.members.map(\.unshared))) }
        parts.regexes = program.regexes.map { $0.unsharedCopy() }
        parts.flags = program.flags.map { copy($0) }
        parts.tests = program.tests.map { $0 }
        parts.testSpans = program.testSpans.map { $0 }
        parts.operandSlots = program.operandSlots.map { $0 }
        parts.maxStack = program.maxStack
        let copied = Program(parts)
        programs[ObjectIdentifier(program)] = copied
        return copied
    }

    private typealias Arm = FlagProgram.Arm
}

extension Program {
    /// A deep copy sharing no storage with this program (its prerequisites copied once each).
    package func unsharedCopy() -> Program {
        var copies = UnsharedCopies()
        return copies.copy(self)
    }
}

extension FlagProgram {
    /// A deep copy sharing no storage with this flag (its prerequisites copied once each).
    package func unsharedCopy() -> FlagProgram {
        var copies = UnsharedCopies()
        return copies.copy(self)
    }
}

extension RegexPattern {
    /// The same pattern compiled again into fresh storage.
    package func unsharedCopy() -> RegexPattern {
        // It compiled once, so it compiles again; `self` is only a fallback.
        (try? RegexPattern(pattern.unshared)) ?? self
    }
}
