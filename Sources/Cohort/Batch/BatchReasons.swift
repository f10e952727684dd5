/// `batch --reasons`: why each written flag served its value for the record at hand, in
/// the words of `Reason`, worked out beside the evaluation and written with the result.
///
/// Only a run that asks pays for it: telling `split` from `match` runs a matched arm's
/// condition again when it reads a bucket (`Ruleset.reason(of:program:…)`, the library's own), and the reasons
/// make every line longer. The evaluation itself is the same with or without reasons.
struct BatchReasons {
    /// The reason of each written flag for the current record.
    private(set) var reasons: [Reason]
    /// `"name":{"kind":…}` of each flag's reasons other than errors, as bytes, so writing a
    /// reason is one copy: per flag, `static`, `default`, then `match` and `split` of each
    /// arm (`fragments[k][2 + 2 * arm]`, `fragments[k][3 + 2 * arm]`).
    private let fragments: [[[UInt8]]]
    /// `"name":` of each written flag, as JSON.
    private let keys: [String]

    init(flags: [FlagProgram], keys: [String]) {
        self.keys = keys
        reasons = Array(repeating: .default, count: flags.count)
        fragments = zip(flags, keys).map { flag, key in
            var reasons: [Reason] = [.static, .default]
            for (arm, program) in flag.arms.enumerated() {
                reasons += [.match(rule: arm, line: program.line), .split(rule: arm, line: program.line)]
            }
            return reasons.map { Array((key + $0.jsonText).utf8) }
        }
    }

    /// Works out the reason of each written flag from its outcome: `arms[k]` served,
    /// `faults[k]` sent it to its default. `slots` and `memo` are the record's, as the
    /// evaluation left them.
    mutating func update(ruleset: Ruleset, flags: [FlagProgram], arms: UnsafeMutableBufferPointer<Int>,
                         faults: [RuntimeFault?], slots: UnsafeBufferPointer<Value>, now: Instant,
                         memo: PrerequisiteMemo.Access) {
        for k in flags.indices {
            let outcome = VM.FlagOutcome(arm: arms[k], computed: .null, fault: faults[k])
            reasons[k] = ruleset.reason(of: outcome, program: flags[k], slots: slots, now: now, memo: memo)
        }
    }

    /// Writes `,"reasons":{"name":{…},…}`.
    func appendJSON(to writer: ByteWriter) {
        writer.append(Self.reasonsOpen)
        for k in reasons.indices {
            if k > 0 { writer.append(byte: UInt8(ascii: ",")) }
            switch reasons[k] {
            case .static: writer.append(fragments[k][0])
            case .default: writer.append(fragments[k][1])
            case .match(let rule, _): writer.append(fragments[k][2 + 2 * rule])
            case .split(let rule, _): writer.append(fragments[k][3 + 2 * rule])
            case .error: writer.append(keys[k] + reasons[k].jsonText)
            }
        }
        writer.append(byte: UInt8(ascii: "}"))
    }

    private static let reasonsOpen = Array(#","reasons":{"#.utf8)

    /// The CSV cell of flag `k`'s reason: its one line for a person (`match, rule 0, line 59`).
    func csvCell(_ k: Int) -> String {
        reasons[k].description
    }

    /// What a table shows after flag `k`'s value: the reason's line, an error by its place
    /// only (the message is in the summary and the JSON output).
    func tableText(_ k: Int) -> String {
        if case .error(let error) = reasons[k] { return "error at \(error.file):\(error.location)" }
        return reasons[k].description
    }
}
