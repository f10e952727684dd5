/// How `cohort batch` (and the library's batch evaluator) reads records and writes results.
public struct BatchOptions: Sendable {
    /// Only these flags, in this order (default: every flag, in declaration order).
    public var flags: [String]?
    /// The context root each record is bound to (default `user`).
    public var recordRoot = "user"
    /// Each record is a whole context (`{"user": {...}, "device": {...}}`) instead.
    public var contextRecords = false
    /// Dotted path, inside each record, of the id written with each result (default `id`).
    public var idPath = "id"
    /// The value of `now()` for every record.
    public var now: Instant
    /// The output layout.
    public var output: BatchOutputFormat = .jsonl
    /// How many error messages (with their lines) the summary keeps per flag.
    public var errorSamples = 3

    /// Options with `now` fixed.
    public init(now: Instant) {
        self.now = now
    }
}

/// The layout of batch results.
public enum BatchOutputFormat: String, Sendable, CaseIterable {
    /// One JSON object per record: `{"id":…,"flags":{…}}`, plus `"errors"` when a flag failed.
    case jsonl
    /// `id,<flag>,…` rows with a header.
    case csv
    /// An aligned table for people.
    case table
}
