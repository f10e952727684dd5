/// Deep copies of compiled programs that share no storage with the original.
///
/// Why: Swift reference-counts class instances and array/string buffers atomically. When
/// several threads evaluate the same `Program` objects, every retain and release writes to
/// the same cache lines, and cores queue on them — measured, two batch threads ran slower
/// than one. The batch evaluator therefore gives each chunk its own copy of the flags it
/// evaluates (a few kilobytes, copied once per chunk of thousands of records), so reference
/// counts stay in the core that uses them.

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

extension Program {
    /// A deep copy sharing no storage with this program.
    package func unsharedCopy() -> Program {
        var parts = Parts()
        // `map` always builds a new buffer (`Array(code)` would share this one).
        parts.code = code.map { $0 }
        parts.spans = spans.map { $0 }
        parts.constants = constants.map(\.unshared)
        parts.sets = sets.map { ConstantSet(Set($0.members.map(\.unshared))) }
        parts.regexes = regexes.map { $0.unsharedCopy() }
        parts.flags = flags.map { $0.unsharedCopy() }
        parts.maxStack = maxStack
        return Program(parts)
    }
}

extension FlagProgram {
    /// A deep copy sharing no storage with this flag.
    package func unsharedCopy() -> FlagProgram {
        FlagProgram(name: name.unshared, memoSlot: memoSlot,
                    arms: arms.map { Arm(condition: $0.condition.unsharedCopy(), value: $0.value.unsharedCopy(), line: $0.line) },
                    defaultValue: defaultValue.unshared, isBoolean: isBoolean,
                    variantNames: variantNames.map { $0?.unshared }, defaultVariantName: defaultVariantName?.unshared)
    }
}

extension RegexPattern {
    /// The same pattern compiled again into fresh storage.
    package func unsharedCopy() -> RegexPattern {
        // It compiled once, so it compiles again; `self` is only a fallback.
        (try? RegexPattern(pattern.unshared)) ?? self
    }
}
