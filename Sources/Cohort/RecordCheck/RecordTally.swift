/// What a run of records showed about a rule file: the counts `RecordCheck` turns into
/// warnings. Each chunk of records is tallied on its own (in parallel) and the tallies
/// merged in input order, so "the first record that failed" is the first in the file.
package struct RecordTally: Sendable {
    /// A record whose evaluation failed, kept as the example of a flag's errors.
    package struct Failure: Sendable {
        package var line: Int
        /// The record's id, as JSON, when it has one.
        package var id: String?
        package var message: String
        /// The failing sub-expression, in the rule file.
        package var span: SourceSpan
    }

    /// Records read and evaluated.
    package var evaluated = 0
    /// Records that could not be read, and the first of them.
    package var unreadable = 0
    package var firstUnreadable: (line: Int, message: String)?
    /// Per slot: the value kinds met (a bit per `ValueKind`, null not counted), and how many
    /// records have a value there.
    package var kinds: [UInt16]
    package var present: [Int]
    /// Per flag: records served by the default (index 0) and by each arm (index k + 1).
    package var served: [[Int]]
    /// Per flag: records whose evaluation failed, and the first of them.
    package var errors: [Int]
    package var firstFailure: [Failure?]
    /// Per flag: the value the first record got, and whether another record got another.
    package var firstValue: [Value?]
    package var varies: [Bool]
    /// The attribute paths the first records have (their keys, a few levels deep), for
    /// "did you mean" when a rule reads a path no record has.
    package var keys: Set<AttributePath> = []
    /// How many records' keys are in `keys`.
    package var sampled = 0

    /// An empty tally for `slots` slots and flags with these numbers of arms.
    package init(slots: Int, armCounts: [Int]) {
        kinds = Array(repeating: 0, count: slots)
        present = Array(repeating: 0, count: slots)
        served = armCounts.map { Array(repeating: 0, count: $0 + 1) }
        errors = Array(repeating: 0, count: armCounts.count)
        firstFailure = Array(repeating: nil, count: armCounts.count)
        firstValue = Array(repeating: nil, count: armCounts.count)
        varies = Array(repeating: false, count: armCounts.count)
    }

    /// Adds a later tally (the next chunk) to this one.
    package mutating func merge(_ later: RecordTally) {
        evaluated += later.evaluated
        unreadable += later.unreadable
        if firstUnreadable == nil { firstUnreadable = later.firstUnreadable }
        for s in kinds.indices {
            kinds[s] |= later.kinds[s]
            present[s] += later.present[s]
        }
        for f in served.indices {
            for a in served[f].indices { served[f][a] += later.served[f][a] }
            errors[f] += later.errors[f]
            if firstFailure[f] == nil { firstFailure[f] = later.firstFailure[f] }
            if let value = later.firstValue[f] {
                if let mine = firstValue[f] {
                    if mine != value { varies[f] = true }
                } else {
                    firstValue[f] = value
                }
            }
            varies[f] = varies[f] || later.varies[f]
        }
        keys.formUnion(later.keys)
        sampled += later.sampled
    }

    /// Counts the kinds of one record's bound slots.
    @inline(__always)
    mutating func countKinds(_ slots: UnsafeBufferPointer<Value>) {
        for s in 0..<slots.count where !slots[s].isNull {
            present[s] += 1
            kinds[s] |= 1 << UInt16(slots[s].kind.rawValue)
        }
    }

    /// Counts one flag's evaluation of one record: the arm that served (-1: the default),
    /// the value served, and the error that sent it to the default. `describe` makes the
    /// error's message and span, only for a flag's first failure (most records fail for
    /// no flag, and a message costs more than the evaluation).
    @inline(__always)
    mutating func count(flag f: Int, arm: Int, value: Value, fault: RuntimeFault?, line: Int, id: Value,
                        describe: (RuntimeFault) -> (message: String, span: SourceSpan)) {
        if let fault {
            errors[f] += 1
            if firstFailure[f] == nil {
                let (message, span) = describe(fault)
                firstFailure[f] = Failure(line: line, id: id.isNull ? nil : id.jsonText, message: message, span: span)
            }
        } else if arm + 1 < served[f].count {
            served[f][arm + 1] += 1
        }
        if let first = firstValue[f] {
            if !varies[f], first != value { varies[f] = true }
        } else {
            firstValue[f] = value
        }
    }

    /// Notes the paths of a decoded record (`roots`: root name to value), a few levels deep.
    mutating func sampleKeys(_ roots: [String: Value]) {
        sampled += 1
        for (root, value) in roots {
            addKeys(of: value, at: AttributePath(root: root), depth: 0)
        }
    }

    private mutating func addKeys(of value: Value, at path: AttributePath, depth: Int) {
        guard depth < 4, case .object(let fields) = value else { return }
        for (key, field) in fields {
            var child = path
            child.components.append(.key(key))
            keys.insert(child)
            addKeys(of: field, at: child, depth: depth + 1)
        }
    }
}
