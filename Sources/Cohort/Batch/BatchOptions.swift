/// How `cohort batch` (and the library's batch evaluator) reads records and writes results.
package struct BatchOptions: Sendable {
    /// Only these flags, in this order (default: every flag, in declaration order).
    package var flags: [String]?
    /// The context root each record is bound to (default `user`).
    package var recordRoot = "user"
    /// Each record is a whole context (`{"user": {...}, "device": {...}}`) instead.
    package var contextRecords = false
    /// Dotted path, inside each record, of the id written with each result (default `id`).
    package var idPath = "id"
    /// The value of `now()` for every record.
    package var now: Instant
    /// The output layout.
    package var output: BatchOutputFormat = .jsonl
    /// How many error messages (with their lines) the summary keeps per flag.
    package var errorSamples = 3
    /// Writes each flag's reason with its value (`cohort batch --reasons`): a `"reasons"`
    /// object per JSON line, a `<flag>_reason` column after each flag's in CSV, the reason
    /// after the value in a table. It costs a second run of a matched arm's condition that
    /// reads a bucket (telling `split` from `match`); without it nothing is worked out.
    package var reasons = false

    /// Options with `now` fixed.
    package init(now: Instant) {
        self.now = now
    }

    /// Fails when the options cannot work whatever the rules: a record root that is not
    /// a name, an empty or repeated flag in `flags`.
    package func validate() throws(BatchError) {
        guard Self.isName(recordRoot) else {
            throw BatchError("--as: '\(recordRoot)' is not a name a rule can use (letters, digits and _, not starting with a digit, not a keyword)")
        }
        if let flags {
            guard !flags.isEmpty else { throw BatchError("--flags needs at least one flag name") }
            var seen: Set<String> = []
            for name in flags {
                guard !name.isEmpty else { throw BatchError("--flags has an empty flag name (between two commas?)") }
                guard seen.insert(name).inserted else { throw BatchError("--flags names '\(name)' twice") }
            }
        }
    }

    /// True for a name a rule can use as a context root.
    private static func isName(_ name: String) -> Bool {
        let letters = { (c: Unicode.Scalar) in c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        guard let first = name.unicodeScalars.first, letters(first) else { return false }
        return name.unicodeScalars.allSatisfy { letters($0) || ("0"..."9").contains($0) } && Token.keywords[name] == nil
    }
}

/// The layout of batch results.
package enum BatchOutputFormat: String, Sendable, CaseIterable {
    /// One JSON object per record: `{"id":…,"flags":{…}}`, plus `"errors"` when a flag failed
    /// and `"reasons"` with `BatchOptions.reasons`.
    case jsonl
    /// `id,<flag>,…` rows with a header.
    case csv
    /// An aligned table for people.
    case table
}
