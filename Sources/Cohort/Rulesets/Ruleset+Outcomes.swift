/// Outcomes a service can use: details with variant, reason and error code, and typed
/// getters that never throw.
extension Ruleset {
    /// The evaluation of `flag` as a detail: value, variant, reason, error. A flag that does
    /// not exist gives `errorCode` `flagNotFound` and a null value.
    public func detail(_ flag: String, in context: Context, now: Instant? = nil) -> FlagDetail {
        guard let i = compiled.flagIndex[flag] else { return Self.notFound(flag, fallback: .null) }
        return compiled.binder.bind(context, slots: compiled.flagSlots[i]) { detail(of: i, slots: $0, now: now) }
    }

    /// `detail(_:in:now:)` over bound attributes (made by this ruleset).
    public func detail(_ flag: String, in attributes: Attributes, now: Instant? = nil) -> FlagDetail {
        guard let i = compiled.flagIndex[flag] else { return Self.notFound(flag, fallback: .null) }
        return attributes.values.withUnsafeBufferPointer { detail(of: i, slots: $0, now: now) }
    }

    /// Every flag's detail for a context (bound once), for a front end.
    public func allFlags(in context: Context, now: Instant? = nil) -> FlagsState {
        compiled.binder.bind(context, slots: nil) { slots in allFlags(slots: slots, now: now) }
    }

    /// Every flag's detail over bound attributes (made by this ruleset).
    public func allFlags(in attributes: Attributes, now: Instant? = nil) -> FlagsState {
        attributes.values.withUnsafeBufferPointer { allFlags(slots: $0, now: now) }
    }

    /// Every flag's detail for a context given as JSON (`{"user": {...}}`), read straight
    /// into the slots the rules read. Invalid JSON throws (an OpenFeature provider reports
    /// it as `parseError`).
    public func allFlags(json: some Collection<UInt8>, now: Instant? = nil) throws(ContextError) -> FlagsState {
        try compiled.bindJSON(json) { slots in allFlags(slots: slots, now: now) }
    }

    /// `allFlags(json:)` for bytes in an array (the common case, without the generic path).
    public func allFlags(json: [UInt8], now: Instant? = nil) throws(ContextError) -> FlagsState {
        try json.withUnsafeBytes { compiled.bindJSON(bytes: $0) { slots in allFlags(slots: slots, now: now) } }.get()
    }

    private func allFlags(slots: UnsafeBufferPointer<Value>, now: Instant?) -> FlagsState {
        let time = now ?? compiled.clock()
        return FlagsState(details: compiled.flags.indices.map { detail(of: $0, slots: slots, now: time) })
    }

    /// The detail of flag `i` over bound slots.
    package func detail(of i: Int, slots: UnsafeBufferPointer<Value>, now: Instant?) -> FlagDetail {
        compiled.withFlag(i) { flag in
            let time = now ?? (flag.readsNow ? .now : Instant(seconds: 0))
            let outcome = VM.evaluate(flag, slots: slots, now: time)
            let reason = reason(of: outcome, program: flag, slots: slots, now: time)
            var detail = FlagDetail(flag: flag.name, value: outcome.value(of: flag), variant: flag.variant(servedBy: outcome.arm),
                                    reason: reason.kind, ruleIndex: reason.rule, line: reason.line)
            if case .error(let error) = reason {
                detail.errorCode = .general
                detail.errorMessage = error.message
                detail.error = error
            }
            return detail
        }
    }

    private static func notFound(_ flag: String, fallback: Value) -> FlagDetail {
        FlagDetail(flag: flag, value: fallback, variant: nil, reason: .error, errorCode: .flagNotFound,
                   errorMessage: "no flag named '\(flag)'")
    }

    // MARK: Typed getters

    /// The detail of `flag` when it serves a value `accepts` takes; the caller's `fallback`
    /// with `flagNotFound` or `typeMismatch` otherwise.
    private func typedDetail(_ flag: String, _ bound: (Int) -> FlagDetail, fallback: Value, type: String,
                             accepts: (Value) -> Bool) -> FlagDetail {
        guard let i = compiled.flagIndex[flag] else { return Self.notFound(flag, fallback: fallback) }
        var detail = bound(i)
        if !accepts(detail.value) {
            let served = detail.value
            detail.value = fallback
            detail.reason = .error
            detail.errorCode = .typeMismatch
            detail.errorMessage = "flag '\(flag)' served \(served.jsonText), not a \(type)"
        }
        return detail
    }

    private func bound(_ context: Context, _ now: Instant?) -> (Int) -> FlagDetail {
        { i in compiled.binder.bind(context, slots: compiled.flagSlots[i]) { detail(of: i, slots: $0, now: now) } }
    }

    private func bound(_ attributes: Attributes, _ now: Instant?) -> (Int) -> FlagDetail {
        { i in attributes.values.withUnsafeBufferPointer { detail(of: i, slots: $0, now: now) } }
    }

    /// The flag's boolean, or `fallback` when it does not exist or serves another type.
    public func bool(_ flag: String, in context: Context, default fallback: Bool, now: Instant? = nil) -> Bool {
        boolDetail(flag, in: context, default: fallback, now: now).value.boolValue ?? fallback
    }

    /// `bool` with its detail.
    public func boolDetail(_ flag: String, in context: Context, default fallback: Bool, now: Instant? = nil) -> FlagDetail {
        typedDetail(flag, bound(context, now), fallback: .bool(fallback), type: "boolean") { $0.boolValue != nil }
    }

    /// The flag's boolean over bound attributes: no lookup, no allocation.
    public func bool(_ flag: String, in attributes: Attributes, default fallback: Bool, now: Instant? = nil) -> Bool {
        guard let i = compiled.flagIndex[flag] else { return fallback }
        let served = compiled.withFlag(i) { flagProgram in
            let time = now ?? (flagProgram.readsNow ? .now : Instant(seconds: 0))
            return attributes.values.withUnsafeBufferPointer { VM.evaluate(flagProgram, slots: $0, now: time).value(of: flagProgram) }
        }
        return served.boolValue ?? fallback
    }

    /// `bool` over bound attributes, with its detail.
    public func boolDetail(_ flag: String, in attributes: Attributes, default fallback: Bool, now: Instant? = nil) -> FlagDetail {
        typedDetail(flag, bound(attributes, now), fallback: .bool(fallback), type: "boolean") { $0.boolValue != nil }
    }

    /// The flag's string, or `fallback` when it does not exist or serves another type.
    public func string(_ flag: String, in context: Context, default fallback: String, now: Instant? = nil) -> String {
        stringDetail(flag, in: context, default: fallback, now: now).value.stringValue ?? fallback
    }

    /// `string` with its detail.
    public func stringDetail(_ flag: String, in context: Context, default fallback: String, now: Instant? = nil) -> FlagDetail {
        typedDetail(flag, bound(context, now), fallback: .string(fallback), type: "string") { $0.stringValue != nil }
    }

    /// The flag's number as an integer, or `fallback` when it does not exist, serves another
    /// type, or a number that is not a whole number in `Int`'s range.
    public func int(_ flag: String, in context: Context, default fallback: Int, now: Instant? = nil) -> Int {
        intDetail(flag, in: context, default: fallback, now: now).value.intValue ?? fallback
    }

    /// `int` with its detail.
    public func intDetail(_ flag: String, in context: Context, default fallback: Int, now: Instant? = nil) -> FlagDetail {
        typedDetail(flag, bound(context, now), fallback: .number(Double(fallback)), type: "whole number") { $0.intValue != nil }
    }

    /// The flag's number, or `fallback` when it does not exist or serves another type.
    public func double(_ flag: String, in context: Context, default fallback: Double, now: Instant? = nil) -> Double {
        doubleDetail(flag, in: context, default: fallback, now: now).value.numberValue ?? fallback
    }

    /// `double` with its detail.
    public func doubleDetail(_ flag: String, in context: Context, default fallback: Double, now: Instant? = nil) -> FlagDetail {
        typedDetail(flag, bound(context, now), fallback: .number(fallback), type: "number") { $0.numberValue != nil }
    }

    /// The flag's value of any type, or `fallback` when it does not exist.
    public func value(_ flag: String, in context: Context, default fallback: Value, now: Instant? = nil) -> Value {
        valueDetail(flag, in: context, default: fallback, now: now).value
    }

    /// `value` with its detail.
    public func valueDetail(_ flag: String, in context: Context, default fallback: Value, now: Instant? = nil) -> FlagDetail {
        typedDetail(flag, bound(context, now), fallback: fallback, type: "value") { _ in true }
    }
}
