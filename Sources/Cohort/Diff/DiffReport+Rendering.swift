/// The two forms of a diff report: text for people, one JSON object for scripts.
extension DiffReport {
    /// How many transitions of one flag the text lists; the rest are summed on one line.
    package static let transitionsShown = 10

    /// The report for people, one item per line:
    ///
    /// ```
    /// new_checkout: 19982 of 97000 records change (20.6%)
    ///   false -> true: 19982
    /// added: beta_banner
    /// removed: dark_mode
    /// search_v2_traffic: errors appear for 12 records (errors before: 0, after: 12)
    ///   first at input line 7, id "u-6": new.cohort:14:30: 'ends_with' needs a string …
    /// 2 of 8 flags change for 26582 of 97000 records (27.4%); 1 added, 1 removed
    /// ```
    ///
    /// Every flag that changes for anyone, with its transitions (most records first); the
    /// flags added and removed; errors that appear or vanish; unreadable records; and a
    /// last line that sums it up. Values are written as JSON, names and messages with
    /// control characters escaped.
    package var text: String {
        var out = ""
        for flag in flags where flag.changed > 0 {
            out += "\(flag.name.escapingControlCharacters): \(flag.changed) of \(records) records change (\(Self.percent(flag.share(of: records))))\n"
            let transitions = flag.sortedTransitions
            for (transition, count) in transitions.prefix(Self.transitionsShown) {
                out += "  \(transition.from.escapingControlCharacters) -> \(transition.to.escapingControlCharacters): \(count)\n"
            }
            let hidden = transitions.dropFirst(Self.transitionsShown)
            let hiddenRecords = hidden.reduce(0) { $0 + $1.count } + flag.otherTransitionRecords
            if hiddenRecords > 0 {
                out += "  and \(hiddenRecords) more records in other transitions\n"
            }
        }
        if !added.isEmpty { out += "added: " + added.map(\.escapingControlCharacters).joined(separator: ", ") + "\n" }
        if !removed.isEmpty { out += "removed: " + removed.map(\.escapingControlCharacters).joined(separator: ", ") + "\n" }
        for flag in flags where flag.errorsAppeared > 0 || flag.errorsVanished > 0 {
            var what: [String] = []
            if flag.errorsAppeared > 0 { what.append("appear for \(flag.errorsAppeared) \(Self.records(flag.errorsAppeared))") }
            if flag.errorsVanished > 0 {
                what.append(flag.errorsAppeared > 0 ? "vanish for \(flag.errorsVanished)"
                            : "vanish for \(flag.errorsVanished) \(Self.records(flag.errorsVanished))")
            }
            out += "\(flag.name.escapingControlCharacters): errors \(what.joined(separator: " and ")) (errors before: \(flag.errorsBefore), after: \(flag.errorsAfter))\n"
            if let sample = flag.firstAppeared { out += "  first new error at \(sample.rendered)\n" }
            if let sample = flag.firstVanished { out += "  first error gone at \(sample.rendered)\n" }
        }
        if unreadable > 0 {
            let first = unreadableSamples.first.map { ", first at \($0.rendered)" } ?? ""
            out += "unreadable: \(unreadable) \(Self.records(unreadable))\(first)\n"
        }
        let changing = flags.filter { $0.changed > 0 }.count
        out += "\(changing) of \(flags.count) flags change for \(recordsChanged) of \(records) records"
        out += " (\(Self.percent(records == 0 ? 0 : Double(recordsChanged) / Double(records))))"
        if !added.isEmpty || !removed.isEmpty { out += "; \(added.count) added, \(removed.count) removed" }
        return out + "\n"
    }

    /// The report as one line of JSON:
    /// `{"records":M,"unreadable":U,"flags":{"<flag>":{"changed":N,"share":0.0123,"transitions":[{"from":…,"to":…,"count":K}],"errors_before":A,"errors_after":B}},"added":[…],"removed":[…]}`.
    /// Every flag present in both files is listed; an unchanged one has `"changed":0` and no
    /// transitions. A flag with more than `maxTransitions` distinct transitions also has
    /// `"other_transitions"`: the records in the transitions not listed.
    package var json: String {
        var out = "{\"records\":\(records),\"unreadable\":\(unreadable),\"flags\":{"
        for (k, flag) in flags.enumerated() {
            if k > 0 { out += "," }
            writeJSONString(flag.name, to: &out)
            out += ":{\"changed\":\(flag.changed),\"share\":\(NumberText.canonical(Self.rounded(flag.share(of: records)))),\"transitions\":["
            for (i, (transition, count)) in flag.sortedTransitions.enumerated() {
                if i > 0 { out += "," }
                out += "{\"from\":\(transition.from),\"to\":\(transition.to),\"count\":\(count)}"
            }
            out += "]"
            if flag.otherTransitionRecords > 0 { out += ",\"other_transitions\":\(flag.otherTransitionRecords)" }
            out += ",\"errors_before\":\(flag.errorsBefore),\"errors_after\":\(flag.errorsAfter)}"
        }
        out += "},\"added\":" + Self.jsonList(added) + ",\"removed\":" + Self.jsonList(removed) + "}\n"
        return out
    }

    /// `20.6%`: a share (0 to 1) as a percentage with one decimal.
    package static func percent(_ share: Double) -> String {
        let tenths = Int((share * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    /// A share rounded to six decimals: enough to tell one record in a million apart,
    /// without the noise of binary fractions (`0.206`, not `0.20600000000000002`).
    private static func rounded(_ share: Double) -> Double {
        (share * 1_000_000).rounded() / 1_000_000
    }

    private static func records(_ count: Int) -> String {
        count == 1 ? "record" : "records"
    }

    private static func jsonList(_ names: [String]) -> String {
        var out = "["
        for (i, name) in names.enumerated() {
            if i > 0 { out += "," }
            writeJSONString(name, to: &out)
        }
        return out + "]"
    }
}
