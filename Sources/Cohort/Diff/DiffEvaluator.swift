/// Evaluates two versions of a rule file over the same records and compares what each
/// flag serves: the work of `cohort diff`, one chunk of records at a time.
///
/// Each record is read once and bound once: one `RecordBinder` walks the record along the
/// attribute paths of both files (a path both read is parsed once and handed to both
/// files' slots; when both files read the same paths, as an edited copy usually does, they
/// share one slot buffer). Then every compared flag is evaluated with each file
/// (`VM.evaluate`, a `PrerequisiteMemo` per file) and the two served values compared by
/// their JSON text. Chunks are independent, so callers run them on all cores
/// (`ChunkPipeline`) and merge the partial reports in input order.
package struct DiffEvaluator: Sendable {
    /// The old and the new rules.
    package let old: Ruleset
    package let new: Ruleset
    /// The record root, id path, `now`, and the flags selected (`--flags`).
    package let options: BatchOptions
    /// The flags compared (in both files, of those selected), in the new file's order.
    package let flagNames: [String]
    /// Flags only in the new file / only in the old one (of those selected).
    package let added: [String]
    package let removed: [String]
    /// The compared flags' positions in each file.
    private let oldPositions: [Int]
    private let newPositions: [Int]
    /// Binds a record's attributes for both files, and its id, in one pass.
    private let binder: RecordBinder
    /// Finds the id alone, for its text as written when `binder` read it out of a value it
    /// built whole (a number id inside an attribute the rules read).
    private let idFinder: RecordBinder
    /// Where the new file's slots start among the binder's outputs: 0 when both files'
    /// slots are the same paths in the same order (one buffer serves both).
    private let newSlotsStart: Int
    /// The binder's output holding the record's id.
    private let idOutput: Int
    private let idComponents: [String]
    /// `"name":{"from":` of each compared flag, as bytes: the start of its entry in a
    /// changes line.
    private let changeKeys: [[UInt8]]
    /// True when each line of changes also gives, per changed flag, why each file served
    /// its value (`--reasons`): `"reasons":{"<flag>":{"from":<reason>,"to":<reason>}}`.
    package var writesReasons = false

    /// Fails with a message when `options.flags` names a flag neither file has, or the
    /// options are not valid.
    package init(old: Ruleset, new: Ruleset, options: BatchOptions) throws(BatchError) {
        self.old = old
        self.new = new
        self.options = options
        try options.validate()
        let inOld = Set(old.flagNames), inNew = Set(new.flagNames)
        let selected: [String]
        if let wanted = options.flags {
            for name in wanted where !inOld.contains(name) && !inNew.contains(name) {
                let hint = Suggestion.closest(to: name, among: Array(inOld.union(inNew)).sorted()).map { "; did you mean '\($0)'?" } ?? ""
                throw BatchError("no flag named '\(name)' in \(old.source.name) or \(new.source.name)\(hint)")
            }
            selected = wanted
        } else {
            selected = new.flagNames + old.flagNames.filter { !inNew.contains($0) }
        }
        let selectedSet = Set(selected)
        flagNames = new.flagNames.filter { selectedSet.contains($0) && inOld.contains($0) }
        added = new.flagNames.filter { selectedSet.contains($0) && !inOld.contains($0) }
        removed = old.flagNames.filter { selectedSet.contains($0) && !inNew.contains($0) }
        oldPositions = flagNames.map { old.flagPosition($0)! }
        newPositions = flagNames.map { new.flagPosition($0)! }

        let oldPaths = old.slotTable.paths, newPaths = new.slotTable.paths
        let paths: [AttributePath]
        if oldPaths.starts(with: newPaths) {
            paths = oldPaths
            newSlotsStart = 0
        } else if newPaths.starts(with: oldPaths) {
            paths = newPaths
            newSlotsStart = 0
        } else {
            // The binder's trie merges the common paths: each is parsed once and stored in
            // both files' slots.
            paths = oldPaths + newPaths
            newSlotsStart = oldPaths.count
        }
        idOutput = paths.count
        idComponents = options.idPath.split(separator: ".").map(String.init)
        binder = RecordBinder(paths: paths, extra: [idComponents.map { .key($0) }], recordRoot: options.recordRoot,
                              contextRecords: options.contextRecords, rawOutput: paths.count)
        idFinder = RecordBinder(paths: [], extra: [idComponents.map { .key($0) }], recordRoot: options.recordRoot,
                                contextRecords: options.contextRecords, rawOutput: 0)
        changeKeys = flagNames.map { name in
            var key = ""
            writeJSONString(name, to: &key)
            return Array((key + ":{\"from\":").utf8)
        }
    }

    /// An empty report for this comparison.
    package func makeReport() -> DiffReport {
        DiffReport(oldName: old.source.name, newName: new.source.name, flags: flagNames, added: added, removed: removed)
    }

    /// True when a compared flag (or a prerequisite of one) of either file reads `now()`.
    package var readsNow: Bool {
        var seen: Set<ObjectIdentifier> = []
        var programs = (oldPositions.map { old.flagPrograms[$0] } + newPositions.map { new.flagPrograms[$0] })
            .flatMap { $0.arms.flatMap { [$0.condition, $0.value] } }
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

    /// Compares the records of one chunk: its partial report, and (when `writesChanges`)
    /// one JSON line per record whose values change,
    /// `{"id":…,"changes":{"<flag>":{"from":…,"to":…},…}}` (with `writesReasons`, then
    /// `"reasons":{"<flag>":{"from":<reason>,"to":<reason>},…}`).
    ///
    /// JSON records go through the `RecordBinder`; a record it cannot bind — invalid, or not
    /// an object — goes through the full reader, which says why. CSV rows are decoded and
    /// bound by path, for each file.
    package func process(_ buffer: UnsafeRawBufferPointer, records: [RecordSpan], format: RecordFormat,
                         csvHeader: CSVHeader?, writesChanges: Bool) -> (report: DiffReport, changes: [UInt8]) {
        var report = makeReport()
        let comparison = Comparison(self, reasons: writesChanges && writesReasons)
        defer { comparison.deallocate() }
        var changes: [UInt8] = []
        var scratch = RecordBinder.Scratch()
        var bound = [Value](repeating: .null, count: binder.outputCount)
        let oldCount = old.slotTable.count, newCount = new.slotTable.count
        let newStart = newSlotsStart, idAt = idOutput

        for record in records {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[record.start..<record.end])
            if format != .csv, record.framingError == nil,
                bound.withUnsafeMutableBufferPointer({ binder.bind(bytes, into: $0, scratch: &scratch) })
            {
                report.records += 1
                let changed = bound.withUnsafeBufferPointer { all in
                    comparison.compare(old: UnsafeBufferPointer(rebasing: all[0..<oldCount]),
                                       new: UnsafeBufferPointer(rebasing: all[newStart..<newStart + newCount]),
                                       line: record.line, report: &report)
                }
                if changed || comparison.needsID {
                    // The id as written in the record (numbers beyond 2^53 too).
                    var rawSpan = scratch.rawSpan
                    if rawSpan == nil, case .number = bound[idAt] { rawSpan = findID(bytes) }
                    let rawID = rawSpan.map { UnsafeRawBufferPointer(rebasing: bytes[$0]) }
                    let id = Self.idText(bound[idAt], raw: rawID)
                    comparison.finish(id: id, line: record.line, changed: changed, writesChanges: writesChanges,
                                      report: &report, changes: &changes)
                }
                continue
            }
            let decoded: Value
            do throws(RecordError) {
                if let message = record.framingError { throw RecordError(message) }
                decoded = try RecordDecoder.decode(bytes, format: format, csvHeader: csvHeader)
            } catch {
                report.unreadable += 1
                if report.unreadableSamples.count < DiffReport.maxUnreadableSamples {
                    report.unreadableSamples.append(.init(line: record.line, message: error.message))
                }
                continue
            }
            report.records += 1
            let context: Context
            if options.contextRecords, case .object(let fields) = decoded {
                context = Context(unremembered: fields)
            } else {
                context = Context(unremembered: [options.recordRoot: decoded])
            }
            let changed = old.compiled.binder.bind(context, slots: nil) { oldSlots in
                new.compiled.binder.bind(context, slots: nil) { newSlots in
                    comparison.compare(old: oldSlots, new: newSlots, line: record.line, report: &report)
                }
            }
            if changed || comparison.needsID {
                var id = decoded
                for key in idComponents { id = Operations.member(id, key) }
                // A CSV id in a number column is echoed as its cell is written.
                var cell: String?
                if format == .csv, case .number = id, let csvHeader { cell = CSVRecord.cellText(bytes, header: csvHeader, path: idComponents) }
                comparison.finish(id: cell ?? Self.idText(id, raw: nil), line: record.line, changed: changed,
                                  writesChanges: writesChanges, report: &report, changes: &changes)
            }
        }
        comparison.fold(into: &report)
        return (report, changes)
    }

    /// The id's text as written in the record; a list or object id (which may span lines in
    /// a JSON array input) as compact JSON.
    private static func idText(_ id: Value, raw: UnsafeRawBufferPointer?) -> String {
        if let raw, let first = raw.first, first != UInt8(ascii: "{"), first != UInt8(ascii: "[") {
            return String(decoding: raw, as: UTF8.self)
        }
        return id.jsonText
    }

    /// Where the id lies in a record, found on its own (rare: see `idFinder`).
    @inline(never)
    private func findID(_ record: UnsafeRawBufferPointer) -> Range<Int>? {
        var scratch = RecordBinder.Scratch()
        var value: [Value] = [.null]
        guard value.withUnsafeMutableBufferPointer({ idFinder.bind(record, into: $0, scratch: &scratch) }) else { return nil }
        return scratch.rawSpan
    }

    /// A chunk's comparison state: its own copies of both files' flags, a memo per file,
    /// the transition counts of flags whose arms all serve constants, and the current
    /// record's changes. Raw memory (freed by `deallocate()`), as it is touched for every
    /// flag of every record; owned by one thread.
    private final class Comparison {
        let evaluator: DiffEvaluator
        let now: Instant
        let count: Int
        /// This chunk's copies of the compared flags (see UnsharedCopies.swift), kept alive
        /// here and read unretained.
        let oldFlags: [FlagProgram]
        let newFlags: [FlagProgram]
        let oldUnretained: UnsafeMutableBufferPointer<Unmanaged<FlagProgram>>
        let newUnretained: UnsafeMutableBufferPointer<Unmanaged<FlagProgram>>
        let oldMemo: PrerequisiteMemo
        let newMemo: PrerequisiteMemo
        /// Per flag: true when every arm of both versions serves a constant, so a record's
        /// outcome is the pair of arms, counted in `pairCounts`.
        let byArms: UnsafeMutableBufferPointer<Bool>
        /// Per flag, where its pairs start in `pairDiffers`/`pairCounts`, and how many new
        /// outcomes (arms + 1) it has: pair (old arm a, new arm b) is at
        /// `pairStart[k] + (a + 1) * newOutcomes[k] + b + 1`.
        let pairStart: UnsafeMutableBufferPointer<Int>
        let newOutcomes: UnsafeMutableBufferPointer<Int>
        /// Per pair: the two outcomes' values have different JSON texts.
        let pairDiffers: UnsafeMutableBufferPointer<Bool>
        let pairCounts: UnsafeMutableBufferPointer<Int>
        /// The pairs counted, in the order they first appeared (the order transitions are
        /// listed in when there are too many to list).
        var pairOrder: [(flag: Int, pair: Int)] = []
        /// The JSON text of each outcome's constant (nil where computed), by flag, `arm + 1`.
        let oldTexts: [[String?]]
        let newTexts: [[String?]]
        /// The current record: the flags that changed; for each, its pair of arms (flags
        /// counted by arms) or its values' JSON texts (flags serving computed values).
        let changedFlags: UnsafeMutableBufferPointer<Int>
        var changedCount = 0
        let changedPair: UnsafeMutableBufferPointer<Int>
        var changedFrom: [String]
        var changedTo: [String]
        /// With `--reasons`: for each changed flag of the current record, the JSON of why the
        /// old and the new file served what they did (worked out only for a change).
        let reasons: Bool
        var changedFromReason: [String]
        var changedToReason: [String]
        /// Flags whose error appeared or vanished in the current record and that took a
        /// sample from it (which then needs the record's id).
        var sampled: [(flag: Int, appeared: Bool)] = []
        /// True when the current record took an error sample: `finish` must be called.
        var needsID: Bool { !sampled.isEmpty }

        init(_ evaluator: DiffEvaluator, reasons: Bool) {
            self.evaluator = evaluator
            self.reasons = reasons
            now = evaluator.options.now
            count = evaluator.flagNames.count
            var oldCopies = UnsharedCopies(), newCopies = UnsharedCopies()
            oldFlags = evaluator.oldPositions.map { oldCopies.copy(evaluator.old.flagPrograms[$0]) }
            newFlags = evaluator.newPositions.map { newCopies.copy(evaluator.new.flagPrograms[$0]) }
            oldUnretained = .allocate(capacity: max(count, 1))
            newUnretained = .allocate(capacity: max(count, 1))
            for k in 0..<count {
                oldUnretained[k] = .passUnretained(oldFlags[k])
                newUnretained[k] = .passUnretained(newFlags[k])
            }
            oldMemo = PrerequisiteMemo(flags: evaluator.old.flagPrograms)
            newMemo = PrerequisiteMemo(flags: evaluator.new.flagPrograms)
            oldTexts = oldFlags.map { $0.outcomeConstants.map { $0?.jsonText } }
            newTexts = newFlags.map { $0.outcomeConstants.map { $0?.jsonText } }
            byArms = .allocate(capacity: max(count, 1))
            pairStart = .allocate(capacity: max(count, 1))
            newOutcomes = .allocate(capacity: max(count, 1))
            var total = 0
            for k in 0..<count {
                byArms[k] = !oldTexts[k].contains(nil) && !newTexts[k].contains(nil)
                pairStart[k] = total
                newOutcomes[k] = newTexts[k].count
                if byArms[k] { total += oldTexts[k].count * newTexts[k].count }
            }
            pairDiffers = .allocate(capacity: max(total, 1))
            pairDiffers.initialize(repeating: false)
            pairCounts = .allocate(capacity: max(total, 1))
            pairCounts.initialize(repeating: 0)
            for k in 0..<count where byArms[k] {
                for (a, from) in oldTexts[k].enumerated() {
                    for (b, to) in newTexts[k].enumerated() {
                        pairDiffers[pairStart[k] + a * newOutcomes[k] + b] = from != to
                    }
                }
            }
            changedFlags = .allocate(capacity: max(count, 1))
            changedPair = .allocate(capacity: max(count, 1))
            changedFrom = Array(repeating: "", count: count)
            changedTo = Array(repeating: "", count: count)
            changedFromReason = Array(repeating: "", count: reasons ? count : 0)
            changedToReason = Array(repeating: "", count: reasons ? count : 0)
        }

        func deallocate() {
            oldUnretained.deallocate()
            newUnretained.deallocate()
            byArms.deallocate()
            pairStart.deallocate()
            newOutcomes.deallocate()
            pairDiffers.deallocate()
            pairCounts.deallocate()
            changedFlags.deallocate()
            changedPair.deallocate()
        }

        /// Evaluates every compared flag with both files for one record and tallies what
        /// changed; true when some flag's value changed.
        @inline(__always)
        func compare(old oldSlots: UnsafeBufferPointer<Value>, new newSlots: UnsafeBufferPointer<Value>, line: Int,
                     report: inout DiffReport) -> Bool {
            oldMemo.nextRecord()
            newMemo.nextRecord()
            let oldAccess = oldMemo.access, newAccess = newMemo.access
            changedCount = 0
            for k in 0..<count {
                oldUnretained[k]._withUnsafeGuaranteedRef { oldFlag in
                    newUnretained[k]._withUnsafeGuaranteedRef { newFlag in
                        let before = VM.evaluate(oldFlag, slots: oldSlots, now: now, memo: oldAccess)
                        let after = VM.evaluate(newFlag, slots: newSlots, now: now, memo: newAccess)
                        if before.fault != nil || after.fault != nil {
                            noteErrors(k, before: before.fault, after: after.fault, line: line, report: &report)
                        }
                        if byArms[k] {
                            // The common case: the pair of arms says it all, no value is built.
                            let pair = pairStart[k] + (before.arm + 1) * newOutcomes[k] + after.arm + 1
                            if pairDiffers[pair] {
                                if pairCounts[pair] == 0 { pairOrder.append((k, pair)) }
                                pairCounts[pair] += 1
                                changedFlags[changedCount] = k
                                changedCount += 1
                                changedPair[k] = pair
                                if reasons { noteReasons(k, before, after, old: oldSlots, new: newSlots) }
                            }
                        } else if computedChange(k, before.value(of: oldFlag), after.value(of: newFlag), report: &report), reasons {
                            noteReasons(k, before, after, old: oldSlots, new: newSlots)
                        }
                    }
                }
            }
            if changedCount > 0 { report.recordsChanged += 1 }
            return changedCount > 0
        }

        /// A flag serving a computed value: compared and tallied by the values' texts; true
        /// when they differ.
        @inline(never)
        private func computedChange(_ k: Int, _ before: Value, _ after: Value, report: inout DiffReport) -> Bool {
            guard !before.writesSameJSON(as: after) else { return false }
            let from = before.jsonText, to = after.jsonText
            report.flags[k].changed += 1
            // Every transition listed within a chunk (bounded by its records); `merge` limits them.
            report.flags[k].record(DiffReport.Transition(from: from, to: to), limited: false)
            changedFlags[changedCount] = k
            changedCount += 1
            changedFrom[k] = from
            changedTo[k] = to
            return true
        }

        /// Why each file served flag `k` its value, for a record where it changed
        /// (`--reasons`): the library's reasons, worked out from the VM's outcomes.
        @inline(never)
        private func noteReasons(_ k: Int, _ before: VM.FlagOutcome, _ after: VM.FlagOutcome,
                                 old oldSlots: UnsafeBufferPointer<Value>, new newSlots: UnsafeBufferPointer<Value>) {
            changedFromReason[k] = evaluator.old.reason(of: before, flag: evaluator.oldPositions[k], slots: oldSlots, now: now).jsonText
            changedToReason[k] = evaluator.new.reason(of: after, flag: evaluator.newPositions[k], slots: newSlots, now: now).jsonText
        }

        /// Counts a flag's errors for one record, and samples the first that appears or vanishes.
        @inline(never)
        private func noteErrors(_ k: Int, before: RuntimeFault?, after: RuntimeFault?, line: Int, report: inout DiffReport) {
            if before != nil { report.flags[k].errorsBefore += 1 }
            if after != nil { report.flags[k].errorsAfter += 1 }
            if let after, before == nil {
                report.flags[k].errorsAppeared += 1
                if report.flags[k].firstAppeared == nil {
                    report.flags[k].firstAppeared = .init(line: line, message: after.message, at: location(after, in: evaluator.new))
                    sampled.append((k, true))
                }
            } else if let before, after == nil {
                report.flags[k].errorsVanished += 1
                if report.flags[k].firstVanished == nil {
                    report.flags[k].firstVanished = .init(line: line, message: before.message, at: location(before, in: evaluator.old))
                    sampled.append((k, false))
                }
            }
        }

        /// `flags.cohort:14:30`: where a failing sub-expression is in its rule file.
        private func location(_ fault: RuntimeFault, in rules: Ruleset) -> String {
            "\(rules.source.name):\(rules.source.location(of: fault.span.start))"
        }

        /// After `compare`: gives the samples this record took its id, and writes its line of
        /// changes.
        func finish(id: String, line: Int, changed: Bool, writesChanges: Bool, report: inout DiffReport, changes: inout [UInt8]) {
            for (k, appeared) in sampled {
                if appeared { report.flags[k].firstAppeared?.id = id } else { report.flags[k].firstVanished?.id = id }
            }
            sampled.removeAll(keepingCapacity: true)
            guard changed, writesChanges else { return }
            changes += #"{"id":"#.utf8
            changes += id.utf8
            changes += #","changes":{"#.utf8
            for i in 0..<changedCount {
                let k = changedFlags[i]
                if i > 0 { changes.append(UInt8(ascii: ",")) }
                changes += evaluator.changeKeys[k]
                if byArms[k] {
                    let pair = changedPair[k] - pairStart[k]
                    changes += oldTexts[k][pair / newOutcomes[k]]!.utf8
                    changes += #","to":"#.utf8
                    changes += newTexts[k][pair % newOutcomes[k]]!.utf8
                } else {
                    changes += changedFrom[k].utf8
                    changes += #","to":"#.utf8
                    changes += changedTo[k].utf8
                }
                changes.append(UInt8(ascii: "}"))
            }
            if reasons {
                changes += #"},"reasons":{"#.utf8
                for i in 0..<changedCount {
                    let k = changedFlags[i]
                    if i > 0 { changes.append(UInt8(ascii: ",")) }
                    changes += evaluator.changeKeys[k]
                    changes += changedFromReason[k].utf8
                    changes += #","to":"#.utf8
                    changes += changedToReason[k].utf8
                    changes.append(UInt8(ascii: "}"))
                }
            }
            changes += "}}\n".utf8
        }

        /// Adds the counts by pair of arms to the report, as transitions between values (in
        /// the order the pairs first appeared; a flag counted by arms has no other).
        func fold(into report: inout DiffReport) {
            for (k, pair) in pairOrder {
                let cell = pair - pairStart[k]
                let n = pairCounts[pair]
                report.flags[k].changed += n
                report.flags[k].record(DiffReport.Transition(from: oldTexts[k][cell / newOutcomes[k]]!, to: newTexts[k][cell % newOutcomes[k]]!),
                                       count: n, limited: false)
            }
        }
    }
}
