/// What changing a rule file does to a set of records: per flag present in both files, how
/// many records get another value and through which transitions, and how many get an
/// error before and after; the flags added and removed; the records that could not be read.
///
/// A chunk of records gives a partial report; `merge` folds them together in input order,
/// so the report of a run is the same whatever the number of threads.
package struct DiffReport: Sendable {
    /// A message with the input line of the record it came from.
    package struct Sample: Sendable, Hashable {
        /// 1-based line of the input where the record starts.
        package var line: Int
        /// What went wrong.
        package var message: String
        /// The record's id as JSON text, as written in the record (nil for an unreadable
        /// record, or a record without one).
        package var id: String?
        /// Where the failing sub-expression is in its rule file: `flags.cohort:14:30`.
        package var at: String?

        package init(line: Int, message: String, id: String? = nil, at: String? = nil) {
            self.line = line
            self.message = message
            self.id = id
            self.at = at
        }

        /// `input line 126, id "u-125": flags.cohort:14:30: message`, for people
        /// (control characters escaped: a record's text cannot act on the terminal).
        package var rendered: String {
            var text = "input line \(line)"
            if let id { text += ", id \(id)" }
            text += ": "
            if let at { text += at + ": " }
            return (text + message).escapingControlCharacters
        }
    }

    /// A change of served value, as the JSON texts of the two values: `1.0.0+a` and
    /// `1.0.0` are different texts, so a change between them is a change.
    package struct Transition: Sendable, Hashable {
        /// The old value's JSON text.
        package var from: String
        /// The new value's JSON text.
        package var to: String

        package init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    /// One flag present in both files.
    package struct Flag: Sendable {
        /// The flag's name.
        package var name: String
        /// Records whose value differs between the two files.
        package var changed = 0
        /// Records per transition (only values that differ).
        package private(set) var transitions: [Transition: Int] = [:]
        /// The transitions in the order they first appeared in the input.
        package private(set) var transitionOrder: [Transition] = []
        /// Records in transitions that are not listed: those that first appeared after
        /// `maxTransitions` others (a flag serving a computed value, such as
        /// `serve user.id`, can have as many transitions as records).
        package var otherTransitionRecords = 0
        /// Records for which the old rule produced an error value (and served its default).
        package var errorsBefore = 0
        /// Records for which the new rule produced an error value.
        package var errorsAfter = 0
        /// Records with an error after and none before.
        package var errorsAppeared = 0
        /// Records with an error before and none after.
        package var errorsVanished = 0
        /// The first record whose error appeared (the new file's message and location).
        package var firstAppeared: Sample?
        /// The first record whose error vanished (the old file's message and location).
        package var firstVanished: Sample?

        package init(name: String) { self.name = name }

        /// The share of `records` that changed, from 0 to 1.
        package func share(of records: Int) -> Double {
            records == 0 ? 0 : Double(changed) / Double(records)
        }

        /// The transitions, most records first (ties by the values' texts, so the order is
        /// the same on every run).
        package var sortedTransitions: [(transition: Transition, count: Int)] {
            transitions.map { ($0.key, $0.value) }.sorted { a, b in
                if a.count != b.count { return a.count > b.count }
                if a.transition.from != b.transition.from { return a.transition.from < b.transition.from }
                return a.transition.to < b.transition.to
            }
        }

        /// Adds `count` records to a transition. A transition first seen after
        /// `maxTransitions` others is not listed: its records go to `otherTransitionRecords`
        /// (with `limited` false, as within one chunk, every transition is listed).
        package mutating func record(_ transition: Transition, count: Int = 1, limited: Bool = true) {
            if let existing = transitions[transition] {
                transitions[transition] = existing + count
            } else if !limited || transitions.count < DiffReport.maxTransitions {
                transitions[transition] = count
                transitionOrder.append(transition)
            } else {
                otherTransitionRecords += count
            }
        }

        /// Folds in the same flag's tally of later records. The transitions listed are the
        /// first `maxTransitions` to appear in the input, however it was cut into chunks.
        package mutating func merge(_ later: Flag) {
            changed += later.changed
            for transition in later.transitionOrder { record(transition, count: later.transitions[transition]!) }
            otherTransitionRecords += later.otherTransitionRecords
            errorsBefore += later.errorsBefore
            errorsAfter += later.errorsAfter
            errorsAppeared += later.errorsAppeared
            errorsVanished += later.errorsVanished
            if firstAppeared == nil { firstAppeared = later.firstAppeared }
            if firstVanished == nil { firstVanished = later.firstVanished }
        }
    }

    /// The most distinct transitions a flag lists; more are counted together.
    package static let maxTransitions = 1000
    /// The most unreadable records kept with their lines and messages.
    package static let maxUnreadableSamples = 20

    /// The rule files' names, as messages and the report show them (`flags.cohort@HEAD`).
    package var oldName: String
    package var newName: String
    /// Readable records, each evaluated with both files.
    package var records = 0
    /// Records that could not be read (counted once, whatever the number of files).
    package var unreadable = 0
    /// The first unreadable records, in input order.
    package var unreadableSamples: [Sample] = []
    /// Records for which at least one flag changed.
    package var recordsChanged = 0
    /// The flags present in both files (of those selected), in the new file's order.
    package var flags: [Flag]
    /// Flags only in the new file, in its order.
    package var added: [String]
    /// Flags only in the old file, in its order.
    package var removed: [String]

    package init(oldName: String, newName: String, flags: [String], added: [String], removed: [String]) {
        self.oldName = oldName
        self.newName = newName
        self.flags = flags.map(Flag.init(name:))
        self.added = added
        self.removed = removed
    }

    /// Folds in the report of the records that follow this one's.
    package mutating func merge(_ later: DiffReport) {
        records += later.records
        unreadable += later.unreadable
        for sample in later.unreadableSamples where unreadableSamples.count < Self.maxUnreadableSamples {
            unreadableSamples.append(sample)
        }
        recordsChanged += later.recordsChanged
        for k in flags.indices { flags[k].merge(later.flags[k]) }
    }

    /// The flags that change for more than `percent` percent of the records.
    package func flags(changingMoreThan percent: Double) -> [Flag] {
        flags.filter { $0.share(of: records) * 100 > percent }
    }
}
