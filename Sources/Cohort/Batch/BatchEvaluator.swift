import Foundation

/// Evaluates a ruleset's flags for many records: decodes each record, binds it to the
/// shared slot table once, evaluates every selected flag, and writes one result line.
/// Chunks are independent, so callers run them on all cores and write them in order.
package struct BatchEvaluator: Sendable {
    /// The rules.
    package let ruleset: Ruleset
    /// The options.
    package let options: BatchOptions
    /// The flags evaluated, by position in the ruleset, in output order.
    package let flagPositions: [Int]
    private let idComponents: [String]
    /// Binds JSON records straight to the slots (and the id), skipping unused members.
    private let binder: RecordBinder
    /// Finds the id alone, for its text as written when `binder` read it out of a value it
    /// built whole (a number id inside an attribute the rules read).
    private let idFinder: RecordBinder
    /// `"name":` of each written flag, as JSON, written before its value.
    private let jsonKeys: [String]

    /// The flags written, in order.
    package var flagNames: [String] { flagPositions.map { ruleset.flagNames[$0] } }

    /// Fails with a message when `options.flags` names a flag the ruleset does not have.
    package init(ruleset: Ruleset, options: BatchOptions) throws(BatchError) {
        self.ruleset = ruleset
        self.options = options
        try options.validate()
        if let wanted = options.flags {
            var positions: [Int] = []
            for name in wanted {
                guard let i = ruleset.flagPosition(name) else {
                    let hint = Suggestion.closest(to: name, among: ruleset.flagNames).map { "; did you mean '\($0)'?" } ?? ""
                    throw BatchError("no flag named '\(name)' in \(ruleset.source.name)\(hint)")
                }
                positions.append(i)
            }
            flagPositions = positions
        } else {
            flagPositions = Array(ruleset.flagNames.indices)
        }
        idComponents = options.idPath.split(separator: ".").map(String.init)
        binder = RecordBinder(paths: ruleset.slotTable.paths, extra: [idComponents.map { .key($0) }],
                              recordRoot: options.recordRoot, contextRecords: options.contextRecords,
                              rawOutput: ruleset.slotTable.count)
        idFinder = RecordBinder(paths: [], extra: [idComponents.map { .key($0) }], recordRoot: options.recordRoot,
                                contextRecords: options.contextRecords, rawOutput: 0)
        jsonKeys = flagPositions.map { position in
            var key = ""
            writeJSONString(ruleset.flagNames[position], to: &key)
            return key + ":"
        }
        if options.reasons && options.output == .csv {
            // A flag named like another's reason column would make two columns of one name.
            let written = Set(flagPositions.map { ruleset.flagNames[$0] })
            for name in flagPositions.map({ ruleset.flagNames[$0] }) where written.contains(name + "_reason") {
                throw BatchError("--reasons: flag '\(name)_reason' has the name of the column of flag '\(name)''s reasons; leave one out with --flags, or write JSON Lines")
            }
        }
    }

    /// A new, empty summary for this run.
    package func makeSummary() -> BatchSummary {
        BatchSummary(flagNames: flagNames)
    }

    /// The header line of the output, if the format has one.
    ///
    /// A table's rows are written as cells separated by `TableLayout.cellSeparator`; the
    /// caller lays them out (`TableLayout`), as widths depend on the content.
    package var header: String? {
        switch options.output {
        case .jsonl: return nil
        case .csv:
            let flagColumns = options.reasons ? flagNames.flatMap { [$0, $0 + "_reason"] } : flagNames
            return (["id"] + flagColumns + ["errors"]).map(csvField).joined(separator: ",") + "\n"
        case .table: return tableRow(["id"] + flagNames) + "\n"
        }
    }

    /// Evaluates the records of one chunk; returns the output text and the chunk's summary.
    ///
    /// JSON records go through the `RecordBinder` (one pass, only the attributes the rules
    /// read are built); a record it cannot bind — invalid, or not an object — goes through
    /// the full reader, which reports why. CSV rows are decoded and bound by path.
    package func process(_ buffer: UnsafeRawBufferPointer, records: [RecordSpan], format: RecordFormat,
                         csvHeader: CSVHeader?) -> (output: String, summary: BatchSummary) {
        let (bytes, summary) = processBytes(buffer, records: records, format: format, csvHeader: csvHeader)
        return (String(decoding: bytes, as: UTF8.self), summary)
    }

    /// `process`, with the output as UTF-8 bytes, ready to write.
    package func processBytes(_ buffer: UnsafeRawBufferPointer, records: [RecordSpan], format: RecordFormat,
                              csvHeader: CSVHeader?) -> (output: Data, summary: BatchSummary) {
        var out = Output(flags: flagPositions.count, capacity: 4096)
        var summary = makeSummary()
        let slotTable = ruleset.slotTable
        var scratch = RecordBinder.Scratch()
        var bound = [Value](repeating: .null, count: binder.outputCount)
        var results = Results(count: flagPositions.count)
        if options.reasons { results.reasons = BatchReasons(flags: flagPositions.map { ruleset.flagPrograms[$0] }, keys: jsonKeys) }
        // This chunk's own copies of the flags and output keys: see UnsharedCopies.swift.
        var copies = UnsharedCopies()
        let flags = flagPositions.map { copies.copy(ruleset.flagPrograms[$0]) }
        out.keys = jsonKeys.map { Array($0.utf8) }
        out.prepareFragments(flags)
        // Room for the whole chunk's output up front (growing copies what was written): the
        // longest line the fragments make, with room for an id of 48 bytes.
        out.writer.ensureCapacity(records.count * out.longestFixedLine(idBytes: 48))
        var tally = ArmTally(flags)
        let plan = plan(flags, tally: tally)
        defer {
            results.deallocate()
            tally.deallocate()
        }
        for record in records {
            summary.recordsRead += 1
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[record.start..<record.end])
            if format != .csv, record.framingError == nil,
                bound.withUnsafeMutableBufferPointer({ binder.bind(bytes, into: $0, scratch: &scratch) })
            {
                summary.evaluated += 1
                // The id as written in the record (numbers beyond 2^53 too).
                var rawSpan = scratch.rawSpan
                if rawSpan == nil, bound[slotTable.count].isNumber { rawSpan = findID(bytes) }
                let rawID = rawSpan.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
                bound.withUnsafeBufferPointer { all in
                    let slots = UnsafeBufferPointer(rebasing: all[0..<slotTable.count])
                    evaluate(plan, slots: slots, line: record.line, into: &results, tally: &tally, summary: &summary)
                    if options.reasons { workOutReasons(plan, slots: slots, into: &results) }
                    if !all[slotTable.count].isNull { summary.idsFound += 1 }
                    writeResult(id: all[slotTable.count], rawID: rawID, results, to: &out)
                    if results.hasErrors { attachID(all[slotTable.count], rawID: rawID, line: record.line, results, to: &summary) }
                }
                continue
            }
            let decoded: Value
            do throws(RecordError) {
                if let message = record.framingError { throw RecordError(message) }
                decoded = try RecordDecoder.decode(bytes, format: format, csvHeader: csvHeader)
            } catch {
                summary.unreadable += 1
                if summary.unreadableSamples.count < options.errorSamples {
                    summary.unreadableSamples.append(.init(line: record.line, message: error.message))
                }
                writeUnreadable(line: record.line, message: error.message, to: &out)
                continue
            }
            summary.evaluated += 1
            let roots: [String: Value]
            if options.contextRecords, case .object(let fields) = decoded {
                roots = fields
            } else {
                roots = [options.recordRoot: decoded]
            }
            var id = decoded
            for key in idComponents { id = Operations.member(id, key) }
            if !id.isNull { summary.idsFound += 1 }
            // A CSV id in a number column is echoed as its cell is written.
            let idCell: [UInt8]? = format == .csv && id.isNumber
                ? csvHeader.flatMap { CSVRecord.cellText(bytes, header: $0, path: idComponents) }.map { Array($0.utf8) } : nil
            ruleset.compiled.binder.bind(Context(unremembered: roots), slots: nil) { slots in
                evaluate(plan, slots: slots, line: record.line, into: &results, tally: &tally, summary: &summary)
                if options.reasons { workOutReasons(plan, slots: slots, into: &results) }
            }
            (idCell ?? []).withUnsafeBytes { cell in
                let rawID = idCell == nil ? nil : cell
                writeResult(id: id, rawID: rawID, results, to: &out)
                if results.hasErrors { attachID(id, rawID: rawID, line: record.line, results, to: &summary) }
            }
        }
        tally.fold(into: &summary)
        return (out.writer.take(), summary)
    }

    /// A chunk's output as UTF-8 bytes. Booleans and plain strings are written directly;
    /// the JSON text of other served values is cached per flag (a flag serves a handful of
    /// values, written again and again).
    private struct Output {
        let writer: ByteWriter
        /// `"name":` of each flag, as bytes.
        var keys: [[UInt8]] = []
        var served: [[(value: Value, json: [UInt8])]]

        /// For each flag and arm (the default first) serving a constant: the bytes written
        /// for it, `,"name":value` (no comma for the first flag), as
        /// `fragmentBytes[fragments[firstFragment[k] + arm + 1]]`; nil for an arm whose
        /// value is computed.
        var fragments: [Range<Int>?] = []
        var firstFragment: [Int] = []
        var fragmentBytes: [UInt8] = []

        init(flags: Int, capacity: Int) {
            served = Array(repeating: [], count: flags)
            writer = ByteWriter(capacity: capacity)
        }

        /// Works out the fragment of every arm that serves a constant, so writing a flag's
        /// value is one copy.
        mutating func prepareFragments(_ flags: [FlagProgram]) {
            for k in flags.indices {
                firstFragment.append(fragments.count)
                for value in flags[k].outcomeConstants {
                    guard let value else {
                        fragments.append(nil)
                        continue
                    }
                    let start = fragmentBytes.count
                    if k > 0 { fragmentBytes.append(UInt8(ascii: ",")) }
                    fragmentBytes += keys[k]
                    fragmentBytes += Array(value.jsonText.utf8)
                    fragments.append(start ..< fragmentBytes.count)
                }
            }
        }

        /// The bytes of a JSON Lines result whose flags all serve constants, at most, for an
        /// id of `idBytes`.
        func longestFixedLine(idBytes: Int) -> Int {
            var total = Self.idOpen.count + idBytes + Self.flagsOpen.count + 1 + Self.recordClose.count
            for k in firstFragment.indices {
                let end = k + 1 < firstFragment.count ? firstFragment[k + 1] : fragments.count
                total += fragments[firstFragment[k]..<end].map { $0?.count ?? 32 }.max() ?? 32
            }
            return total
        }

        /// Writes `,"name":value` of every flag: the precomputed bytes of the arm that served
        /// (looked up through raw pointers, as this runs for every flag of every record), or
        /// the computed value.
        mutating func appendFlags(_ results: Results) {
            fragmentBytes.withUnsafeBytes { bytes in
                fragments.withUnsafeBufferPointer { fragments in
                    firstFragment.withUnsafeBufferPointer { first in
                        for k in 0..<first.count {
                            if let range = fragments[first[k] + results.arms[k] + 1] {
                                writer.append(UnsafeRawBufferPointer(start: bytes.baseAddress! + range.lowerBound, count: range.count))
                                continue
                            }
                            if k > 0 { writer.append(byte: UInt8(ascii: ",")) }
                            writer.append(keys[k])
                            appendServed(results.values[k], flag: k)
                        }
                    }
                }
            }
        }

        func append(_ text: String) {
            writer.append(text)
        }

        /// Fixed fragments of a JSON Lines result, as bytes (appending bytes is a copy;
        /// appending a `String`'s UTF-8 view goes element by element).
        static let idOpen = Array(#"{"id":"#.utf8)
        static let flagsOpen = Array(#","flags":{"#.utf8)
        static let recordClose = Array("}\n".utf8)
        static let trueText = Array("true".utf8)
        static let falseText = Array("false".utf8)

        func append(_ fragment: [UInt8]) {
            writer.append(fragment)
        }

        /// Writes the JSON of flag `k`'s served value.
        mutating func appendServed(_ value: Value, flag k: Int) {
            switch value {
            case .bool(let b):
                writer.append(b ? Self.trueText : Self.falseText)
                return
            case .string:
                appendJSON(value)
                return
            default:
                break
            }
            // `==` is the language's equality: `1.0.0+a == 1.0.0`, and strings that differ
            // only by Unicode normalisation are equal. Each value prints its own text.
            for entry in served[k] where entry.value.writesSameJSON(as: value) {
                writer.append(entry.json)
                return
            }
            let json = Array(value.jsonText.utf8)
            if served[k].count < 16 { served[k].append((value, json)) }
            writer.append(json)
        }

        /// Writes a value as JSON; a string without characters to escape is copied as is
        /// (a short one, such as an id, straight from its two words).
        mutating func appendJSON(_ value: Value) {
            if case .string(let s) = value {
                if writer.appendQuotedPlain(StringWords(s)) { return }
                let plain = withShortUTF8Bytes(s) { utf8 -> Bool in
                    for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return false }
                    writer.appendQuoted(utf8)
                    return true
                }
                if plain { return }
            }
            append(value.jsonText)
        }
    }

    /// The served value of each written flag for one record, and its error message if any.
    /// One instance is reused for every record of a chunk.
    private struct Results {
        var values: [Value]
        /// The arm that served each value, -1 for the default. Raw memory, freed by
        /// `deallocate()`: it is written for every flag of every record.
        let arms: UnsafeMutableBufferPointer<Int>
        var messages: [String?]
        /// The error of each flag that failed (for its reason), beside its message.
        var faults: [RuntimeFault?]
        var hasErrors = false
        /// Each flag's reason, with `--reasons` only.
        var reasons: BatchReasons?

        init(count: Int) {
            values = Array(repeating: .null, count: count)
            arms = .allocate(capacity: max(count, 1))
            arms.initialize(repeating: -1)
            messages = Array(repeating: nil, count: count)
            faults = Array(repeating: nil, count: count)
        }

        func deallocate() { arms.deallocate() }
    }

    /// A chunk's count of records per flag and arm, for flags whose every arm serves a
    /// constant (nearly all): counting an arm is an increment where tallying a value is a
    /// comparison per value seen. Folded into the summary at the end of the chunk, arms in
    /// the order they first served, so values keep their order of first appearance.
    private struct ArmTally {
        /// Per flag: nil when some arm computes its value (tallied by value instead); else
        /// the served value of the default and of each arm.
        let served: [[Value]?]
        /// Records per flag and arm: `counts[first[k] + arm + 1]`. Raw memory, freed by
        /// `deallocate()`: an array would check its uniqueness at every increment.
        let counts: UnsafeMutableBufferPointer<Int>
        let first: [Int]
        /// Per flag, `arm + 1` of each arm in the order it first served.
        var order: [[Int]]

        init(_ flags: [FlagProgram]) {
            served = flags.map { flag in
                let values = flag.outcomeConstants
                return values.contains { $0 == nil } ? nil : values.map { $0! }
            }
            var first: [Int] = []
            var total = 0
            for flag in flags {
                first.append(total)
                total += flag.arms.count + 1
            }
            self.first = first
            counts = .allocate(capacity: max(total, 1))
            counts.initialize(repeating: 0)
            order = Array(repeating: [], count: flags.count)
        }

        /// Counts one record for flag `k`, one whose every arm serves a constant.
        @inline(__always)
        mutating func count(_ k: Int, arm: Int) {
            let i = first[k] + arm + 1
            if counts[i] == 0 { order[k].append(arm + 1) }
            counts[i] += 1
        }

        /// Adds the counts to `summary` and starts again from zero.
        mutating func fold(into summary: inout BatchSummary) {
            for k in order.indices {
                guard let values = served[k] else { continue }
                for a in order[k] { summary.flags[k].record(values[a], count: counts[first[k] + a]) }
                order[k].removeAll()
            }
            for i in counts.indices { counts[i] = 0 }
        }

        func deallocate() { counts.deallocate() }
    }

    /// What evaluating a chunk's flags needs besides the slots, worked out once per chunk.
    private struct FlagPlan {
        /// This chunk's own copies of the flags (see UnsharedCopies.swift).
        let flags: [FlagProgram]
        /// The same, unretained: reading one per record costs no reference counting.
        let unretainedFlags: [Unmanaged<FlagProgram>]
        /// Per flag: every arm serves a constant (the flags `ArmTally` counts by arm), so an
        /// outcome is counted and written by its arm alone.
        let armOnly: [Bool]
        let memo: PrerequisiteMemo
    }

    private func plan(_ flags: [FlagProgram], tally: ArmTally) -> FlagPlan {
        FlagPlan(
            flags: flags,
            unretainedFlags: flags.map { Unmanaged.passUnretained($0) },
            armOnly: tally.served.map { $0 != nil },
            memo: PrerequisiteMemo(flags: ruleset.flagPrograms))
    }

    /// Evaluates every written flag over bound slots and tallies the outcomes.
    private func evaluate(_ plan: FlagPlan, slots: UnsafeBufferPointer<Value>, line: Int,
                          into results: inout Results, tally: inout ArmTally, summary: inout BatchSummary) {
        if results.hasErrors {
            for k in results.messages.indices {
                results.messages[k] = nil
                results.faults[k] = nil
            }
            results.hasErrors = false
        }
        plan.memo.nextRecord()
        let memo = plan.memo.access
        let storesValues = options.output != .jsonl
        for k in plan.flags.indices {
            // Through an unretained reference, as the plan keeps the flags alive. The memo
            // remembers a flag that other flags use, for them to read.
            plan.unretainedFlags[k]._withUnsafeGuaranteedRef { flag in
                // The common case: a flag whose arms all serve constants, counted and written
                // by its arm, without building an outcome or a value.
                if plan.armOnly[k], let arm = VM.constantArm(flag, slots: slots, now: options.now, memo: memo) {
                    results.arms[k] = arm
                    tally.count(k, arm: arm)
                    if storesValues { results.values[k] = flag.constantValue(servedBy: arm) }
                    return
                }
                evaluateFully(flag, k, plan: plan, slots: slots, line: line, memo: memo, storesValues: storesValues,
                              into: &results, tally: &tally, summary: &summary)
            }
        }
    }

    /// One flag's full evaluation, for the outcomes `VM.constantArm` leaves (a computed
    /// value, an error): its value recorded, its error counted and sampled. Out of line, so
    /// the record loop holds one copy of the VM's walker, not two (instruction-cache misses
    /// per record: 29 at 59495e3, 43 with both copies inlined).
    @inline(never)
    private func evaluateFully(_ flag: FlagProgram, _ k: Int, plan: FlagPlan, slots: UnsafeBufferPointer<Value>, line: Int,
                               memo: PrerequisiteMemo.Access, storesValues: Bool,
                               into results: inout Results, tally: inout ArmTally, summary: inout BatchSummary) {
        let outcome = VM.evaluate(flag, slots: slots, now: options.now, memo: memo)
        results.arms[k] = outcome.arm
        if plan.armOnly[k] {
            tally.count(k, arm: outcome.arm)
            if storesValues { results.values[k] = outcome.value(of: flag) }
        } else {
            let value = outcome.value(of: flag)
            summary.flags[k].record(value)
            results.values[k] = value
        }
        if let fault = outcome.fault {
            results.hasErrors = true
            results.messages[k] = fault.message
            results.faults[k] = fault
            summary.flags[k].errors += 1
            if summary.flags[k].errorSamples.count < options.errorSamples {
                summary.flags[k].errorSamples.append(.init(line: line, message: fault.message, at: ruleLocation(fault.span)))
            }
        }
    }

    /// `--reasons`: each written flag's reason, from the outcomes `evaluate` just left in
    /// `results`. Out of line, so the loop that does not ask for reasons stays as it was.
    @inline(never)
    private func workOutReasons(_ plan: FlagPlan, slots: UnsafeBufferPointer<Value>, into results: inout Results) {
        results.reasons?.update(ruleset: ruleset, flags: plan.flags, arms: results.arms, faults: results.faults, slots: slots,
                                now: options.now, memo: plan.memo.access)
    }

    // MARK: Output

    private func writeResult(id: Value, rawID: UnsafeRawBufferPointer?, _ results: Results, to out: inout Output) {
        switch options.output {
        case .jsonl:
            out.append(Output.idOpen)
            // The id's own text, byte for byte; a list or object id (which may span lines
            // in a JSON array input) as compact JSON.
            if let rawID, let first = rawID.first, first != UInt8(ascii: "{"), first != UInt8(ascii: "[") {
                out.writer.append(rawID)
            } else {
                out.appendJSON(id)
            }
            out.append(Output.flagsOpen)
            out.appendFlags(results)
            out.writer.append(byte: UInt8(ascii: "}"))
            if results.hasErrors {
                out.append(",\"errors\":{")
                var first = true
                for (k, message) in results.messages.enumerated() {
                    guard let message else { continue }
                    if !first { out.append(",") }
                    first = false
                    out.append(jsonKeys[k])
                    out.appendJSON(.string(message))
                }
                out.append("}")
            }
            results.reasons?.appendJSON(to: out.writer)
            out.append(Output.recordClose)
        case .csv:
            let idCell = id.isNumber ? rawID.map { String(decoding: $0, as: UTF8.self) } ?? cellText(id) : cellText(id)
            let errors = results.hasErrors ? errorsObject(results) : ""
            let flagCells = results.reasons.map { reasons in results.values.indices.flatMap { [cellText(results.values[$0]), reasons.csvCell($0)] } }
                ?? results.values.map(cellText)
            out.append(([idCell] + flagCells + [errors]).map(csvField).joined(separator: ",") + "\n")
        case .table:
            let idCell = id.isNumber ? rawID.map { String(decoding: $0, as: UTF8.self) } ?? cellText(id) : cellText(id)
            let cells = results.values.indices.map { k in
                if let reasons = results.reasons { return cellText(results.values[k]) + " (\(reasons.tableText(k)))" }
                return results.messages[k] == nil ? cellText(results.values[k]) : cellText(results.values[k]) + " (error)"
            }
            out.append(tableRow([idCell] + cells) + "\n")
        }
    }

    /// Where the id lies in a record, found on its own (rare: see `idFinder`).
    @inline(never)
    private func findID(_ record: UnsafeRawBufferPointer) -> Range<Int>? {
        var scratch = RecordBinder.Scratch()
        var value: [Value] = [.null]
        guard value.withUnsafeMutableBufferPointer({ idFinder.bind(record, into: $0, scratch: &scratch) }) else { return nil }
        return scratch.rawSpan
    }

    /// `{"flag":"message",...}` of the flags that failed for this record (the CSV cell;
    /// JSON Lines writes the same straight to its output).
    private func errorsObject(_ results: Results) -> String {
        var text = "{"
        var first = true
        for (k, message) in results.messages.enumerated() {
            guard let message else { continue }
            if !first { text += "," }
            first = false
            text += jsonKeys[k]
            writeJSONString(message, to: &text)
        }
        return text + "}"
    }

    /// Gives the error samples this record just added its id.
    private func attachID(_ id: Value, rawID: UnsafeRawBufferPointer?, line: Int, _ results: Results, to summary: inout BatchSummary) {
        for k in results.messages.indices where results.messages[k] != nil {
            guard let last = summary.flags[k].errorSamples.indices.last,
                  summary.flags[k].errorSamples[last].line == line, summary.flags[k].errorSamples[last].id == nil else { continue }
            summary.flags[k].errorSamples[last].id = rawID.map { String(decoding: $0, as: UTF8.self) } ?? id.jsonText
        }
    }

    /// `rules.cohort:14:30`: where a failing sub-expression is in the rule file.
    private func ruleLocation(_ span: SourceSpan) -> String {
        "\(ruleset.source.name):\(ruleset.source.location(of: span.start))"
    }

    private func writeUnreadable(line: Int, message: String, to out: inout Output) {
        switch options.output {
        case .jsonl:
            out.append("{\"line\":\(line),\"error\":")
            out.appendJSON(.string(message))
            out.append("}\n")
        case .csv, .table:
            // CSV and table rows have no place for a message; the CLI reports unreadable
            // records on stderr with their lines, and in the summary.
            break
        }
    }

    private func cellText(_ value: Value) -> String {
        if case .string(let s) = value { return s }
        return value.isNull ? "" : value.jsonText
    }

    private func csvField(_ text: String) -> String {
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }

    /// A table row as cells for `TableLayout`: control characters escaped (they would
    /// act on the terminal), separated by `TableLayout.cellSeparator`.
    private func tableRow(_ cells: [String]) -> String {
        cells.map { $0.escapingControlCharacters }.joined(separator: String(TableLayout.cellSeparator))
    }

    /// True when a written flag (or a prerequisite of one) reads `now()`: then a run
    /// without a fixed `now` answers differently at another time.
    package var readsNow: Bool {
        var seen: Set<ObjectIdentifier> = []
        var programs = flagPositions.flatMap { ruleset.flagPrograms[$0].arms.flatMap { [$0.condition, $0.value] } }
        while let program = programs.popLast() {
            guard seen.insert(ObjectIdentifier(program)).inserted else { continue }
            for instruction in program.code {
                if case .call(.now, _) = instruction { return true }
            }
            for test in program.tests {
                if case .now = test { return true }
            }
            programs += program.flags.flatMap { $0.arms.flatMap { [$0.condition, $0.value] } }
        }
        return false
    }
}


/// A batch run that cannot start: an unknown flag, a bad option.
package struct BatchError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension Value {
    fileprivate var isNumber: Bool {
        if case .number = self { return true }
        return false
    }
}
