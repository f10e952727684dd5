/// What a batch run did: per flag, how many records got each value and which errors
/// occurred; overall, how many records were read, evaluated and unreadable.
package struct BatchSummary: Sendable {
    /// A message with the input line it came from.
    package struct Sample: Sendable, Hashable {
        /// 1-based line of the input file where the record starts.
        package var line: Int
        /// What went wrong.
        package var message: String
        /// The record's id as JSON text, as written in the record (nil for an unreadable
        /// record, or when not known).
        package var id: String?
        /// Where the failing sub-expression is in the rule file: `rules.cohort:14:30`.
        package var at: String?

        package init(line: Int, message: String, id: String? = nil, at: String? = nil) {
            self.line = line
            self.message = message
            self.id = id
            self.at = at
        }

        /// `input line 126, id "u-125": rules.cohort:14:30: message`, for people.
        var rendered: String {
            var text = "input line \(line)"
            if let id { text += ", id \(id)" }
            text += ": "
            if let at { text += at + ": " }
            return (text + message).escapingControlCharacters
        }
    }

    /// One flag's tally.
    package struct Flag: Sendable {
        /// The flag's name.
        package var name: String
        /// Records this flag was evaluated for.
        package var evaluated = 0
        /// Served values with their counts, in order of first appearance.
        package var values: [(value: Value, count: Int)] = []
        /// Records where the flag's rule produced an error (and the default was served).
        package var errors = 0
        /// The first few errors, in input order.
        package var errorSamples: [Sample] = []
        private var position: [Value: Int] = [:]
        /// Where `true` and `false` are in `values`, once they appeared.
        private var trueAt: Int?, falseAt: Int?

        package init(name: String) { self.name = name }

        package mutating func record(_ value: Value, count: Int = 1) {
            evaluated += count
            // Most flags serve booleans: their positions are kept, so tallying them is an index.
            if case .bool(let b) = value, let i = b ? trueAt : falseAt {
                values[i].count += count
                return
            }
            // A flag serves a handful of values: comparing beats hashing until there are many.
            if values.count <= 8 {
                for i in values.indices where values[i].value == value {
                    values[i].count += count
                    return
                }
            }
            if let i = position[value] {
                values[i].count += count
            } else {
                position[value] = values.count
                if case .bool(let b) = value {
                    if b { trueAt = values.count } else { falseAt = values.count }
                }
                values.append((value, count))
            }
        }
    }

    /// Records read from the input (evaluated + unreadable).
    package var recordsRead = 0
    /// Records evaluated.
    package var evaluated = 0
    /// Records that could not be read.
    package var unreadable = 0
    /// The first few unreadable records.
    package var unreadableSamples: [Sample] = []
    /// Records evaluated that have an id (at `--id`): none in a whole chunk usually means
    /// `--id` names no attribute of the records.
    package var idsFound = 0
    /// Per flag, in output order.
    package var flags: [Flag]

    package init(flagNames: [String]) {
        flags = flagNames.map(Flag.init(name:))
    }

    /// Adds a later part of the same run (chunks are merged in input order).
    package mutating func merge(_ other: BatchSummary, samples: Int) {
        recordsRead += other.recordsRead
        evaluated += other.evaluated
        unreadable += other.unreadable
        idsFound += other.idsFound
        unreadableSamples += other.unreadableSamples.prefix(max(0, samples - unreadableSamples.count))
        for i in flags.indices {
            let o = other.flags[i]
            for (value, count) in o.values { flags[i].record(value, count: count) }
            flags[i].errors += o.errors
            flags[i].errorSamples += o.errorSamples.prefix(max(0, samples - flags[i].errorSamples.count))
        }
    }
}

extension BatchSummary {
    /// The summary for people: per flag a line per value with count, share and a bar.
    package func rendered(barWidth: Int = 20) -> String {
        var out = "records: \(grouped(recordsRead)) read, \(grouped(evaluated)) evaluated, \(grouped(unreadable)) unreadable\n"
        for sample in unreadableSamples { out += "  \(sample.rendered)\n" }
        for flag in flags {
            out += "\nflag \(flag.name) — \(grouped(flag.evaluated)) evaluated\n"
            let width = flag.values.map { $0.value.jsonText.escapingControlCharacters.count }.max() ?? 0
            for (value, count) in flag.values.sorted(by: { $0.count > $1.count }) {
                let share = flag.evaluated == 0 ? 0 : Double(count) / Double(flag.evaluated)
                let filled = Int((share * Double(barWidth)).rounded())
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled)
                let text = value.jsonText.escapingControlCharacters
                out += "  \(text)\(String(repeating: " ", count: width - text.count))  \(bar) \(percent(share)) (\(grouped(count)))\n"
            }
            if flag.errors > 0 {
                out += "  errors: \(grouped(flag.errors)) (served the default)\n"
                for sample in flag.errorSamples { out += "    \(sample.rendered)\n" }
            }
        }
        return out
    }

    /// The summary as JSON, for `--summary-file`.
    package var json: String {
        var out = "{\"records\":{\"read\":\(recordsRead),\"evaluated\":\(evaluated),\"unreadable\":\(unreadable),\"unreadable_samples\":"
        out += samplesJSON(unreadableSamples) + "},\"flags\":{"
        for (i, flag) in flags.enumerated() {
            if i > 0 { out += "," }
            writeJSONString(flag.name, to: &out)
            out += ":{\"evaluated\":\(flag.evaluated),\"values\":["
            for (k, entry) in flag.values.enumerated() {
                if k > 0 { out += "," }
                let share = flag.evaluated == 0 ? 0 : Double(entry.count) / Double(flag.evaluated)
                out += "{\"value\":" + entry.value.jsonText + ",\"count\":\(entry.count),\"share\":" + NumberText.canonical((share * 1e6).rounded() / 1e6) + "}"
            }
            out += "],\"errors\":\(flag.errors),\"error_samples\":" + samplesJSON(flag.errorSamples) + "}"
        }
        return out + "}}\n"
    }

    private func samplesJSON(_ samples: [Sample]) -> String {
        "[" + samples.map { s in
            var m = ""
            writeJSONString(s.message, to: &m)
            var fields = "{\"line\":\(s.line)"
            if let id = s.id { fields += ",\"id\":" + id }
            if let at = s.at {
                fields += ",\"at\":"
                writeJSONString(at, to: &fields)
            }
            return fields + ",\"message\":\(m)}"
        }.joined(separator: ",") + "]"
    }
}

/// `1234567` → `1,234,567`.
package func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

private func percent(_ share: Double) -> String {
    let tenths = (share * 1000).rounded() / 10
    return NumberText.canonical(tenths) + (tenths == tenths.rounded() ? ".0%" : "%")
}
