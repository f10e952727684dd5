/// What a sample of real records shows about a rule file (`cohort check --users FILE`):
/// attribute paths no record has (with "did you mean" from the keys records do have),
/// attributes whose type in the records never fits the rule, `when` arms no record
/// reaches, flags every record gets the same value from, and flags that fail for some
/// records (how many, and an example).
///
/// Records are read as `cohort batch` reads them and bound to the rules' slots by the same
/// `RecordBinder`; every flag is evaluated for every record and the outcomes counted in a
/// `RecordTally` per chunk, so a million records take about as long as a batch run.
package struct RecordCheck: Sendable {
    /// How records are read and named.
    package struct Options: Sendable {
        /// The root each record is bound to (`--as`).
        package var recordRoot = "user"
        /// Each record is a whole context, its keys the roots (`--context-records`).
        package var contextRecords = false
        /// The value of `now()` for every record.
        package var now: Instant = .now
        /// The path of a record's id, for naming an example record (dot-separated).
        package var idPath = "id"
        /// The records file as messages name it.
        package var recordsName = "records"
        /// How many records of the first chunk lend their keys to "did you mean".
        package var keySample = 1_000

        package init() {}
    }

    package let ruleset: Ruleset
    package let options: Options
    private let binder: RecordBinder
    private let idComponents: [String]
    /// Per flag: its declaration in the rule file.
    private let declarations: [RuleFileCompiler.Checked]

    package init(ruleset: Ruleset, options: Options) {
        self.ruleset = ruleset
        self.options = options
        idComponents = options.idPath.split(separator: ".").map(String.init)
        binder = RecordBinder(paths: ruleset.slotTable.paths, extra: [idComponents.map { .key($0) }],
                              recordRoot: options.recordRoot, contextRecords: options.contextRecords)
        let byName = Dictionary(ruleset.compiler.checked.filter { $0.declaration.kind == .flag }.map { ($0.declaration.name, $0) },
                                uniquingKeysWith: { first, _ in first })
        declarations = ruleset.flagNames.map { byName[$0]! }
    }

    /// An empty tally for this rule file.
    package func makeTally() -> RecordTally {
        RecordTally(slots: ruleset.slotTable.count, armCounts: ruleset.flagPrograms.map { $0.isBoolean ? 0 : $0.arms.count })
    }

    /// Reads, binds and evaluates the records of one chunk. `sampleKeys`: note the keys of
    /// the first records (the first chunk only, so the sample is the file's first records).
    package func tally(_ buffer: UnsafeRawBufferPointer, records: [RecordSpan], format: RecordFormat, csvHeader: CSVHeader?,
                       sampleKeys: Bool) -> RecordTally {
        var tally = makeTally()
        let slotCount = ruleset.slotTable.count
        var scratch = RecordBinder.Scratch()
        var bound = [Value](repeating: .null, count: binder.outputCount)
        for record in records {
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[record.start..<record.end])
            let sampling = sampleKeys && tally.sampled < options.keySample
            if format != .csv, record.framingError == nil, !sampling,
               bound.withUnsafeMutableBufferPointer({ binder.bind(bytes, into: $0, scratch: &scratch) }) {
                bound.withUnsafeBufferPointer { all in
                    evaluate(UnsafeBufferPointer(rebasing: all[0..<slotCount]), id: all[slotCount], line: record.line, into: &tally)
                }
                continue
            }
            // The full reader: for CSV, for the sampled records, and for what the binder
            // refuses (it then says why the record cannot be read).
            let decoded: Value
            do throws(RecordError) {
                if let message = record.framingError { throw RecordError(message) }
                decoded = try RecordDecoder.decode(bytes, format: format, csvHeader: csvHeader)
            } catch {
                tally.unreadable += 1
                if tally.firstUnreadable == nil { tally.firstUnreadable = (record.line, error.message) }
                continue
            }
            let roots: [String: Value]
            if options.contextRecords, case .object(let fields) = decoded {
                roots = fields
            } else {
                roots = [options.recordRoot: decoded]
            }
            if sampling { tally.sampleKeys(roots) }
            var id = decoded
            for key in idComponents { id = Operations.member(id, key) }
            ruleset.compiled.binder.bind(Context(unremembered: roots), slots: nil) { slots in evaluate(slots, id: id, line: record.line, into: &tally) }
        }
        return tally
    }

    private func evaluate(_ slots: UnsafeBufferPointer<Value>, id: Value, line: Int, into tally: inout RecordTally) {
        tally.evaluated += 1
        tally.countKinds(slots)
        // The VM's outcome is all a tally needs: the arm, the value and the fault. (The
        // library's evaluation also works out each reason, which explains every match and
        // would take most of the time.)
        let flags = ruleset.flagPrograms
        for f in flags.indices {
            let flag = flags[f]
            let outcome = VM.evaluate(flag, slots: slots, now: options.now)
            tally.count(flag: f, arm: outcome.arm, value: outcome.value(of: flag), fault: outcome.fault, line: line, id: id) { fault in
                let error = EvaluationError(fault, source: ruleset.source, paths: ruleset.slotTable.paths)
                return (error.message, error.span)
            }
        }
    }

    // MARK: Findings

    /// The warnings a tally of the whole file gives: about the rule file (spans in its
    /// source), and about the records file itself (unreadable records).
    package func findings(_ tally: RecordTally) -> (rules: [Diagnostic], records: [LocatedDiagnostic]) {
        var rules: [Diagnostic] = []
        let name = options.recordsName
        var records: [LocatedDiagnostic] = []
        if let (line, message) = tally.firstUnreadable {
            records.append(LocatedDiagnostic(file: name, line: line, column: 1, endLine: line, endColumn: 1, severity: .error,
                                             code: DiagnosticCode.unreadableRecord.rawValue,
                                             message: Diagnostic.unreadableRecords(tally.unreadable, message: message)))
        }
        guard tally.evaluated > 0 else { return (rules, records) }
        let uses = AttributeUses(ruleset.compiler.checked.filter(\.ok).flatMap(\.expressions))
        rules += attributeFindings(tally, uses)
        rules += flagFindings(tally)
        return (rules.sorted { $0.span.start < $1.span.start }, records)
    }

    /// `unknown-attribute` and `attribute-type`.
    private func attributeFindings(_ tally: RecordTally, _ uses: AttributeUses) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let paths = ruleset.slotTable.paths
        for (slot, path) in paths.enumerated() {
            guard options.contextRecords ? true : (path.root == options.recordRoot && !path.components.isEmpty),
                  tally.present[slot] == 0, let span = uses.firstSpan[slot] else { continue }
            let written = ruleset.source.text(of: span)
            if tally.keys.contains(path) {
                found.append(.attributeAlwaysNull(written, records: options.recordsName, span))
            } else {
                let suggestion = suggestedPath(for: path, among: tally.keys)
                found.append(.unknownAttribute(written, records: options.recordsName, suggestion: suggestion?.description, span))
            }
        }
        for use in uses.uses where tally.present[use.slot] > 0 {
            let seen = Set(ValueKind.allCases.filter { tally.kinds[use.slot] & (1 << UInt16($0.rawValue)) != 0 })
            guard seen.isDisjoint(with: use.accepted) else { continue }
            found.append(.attributeType(ruleset.source.text(of: use.span), seen: seen, records: options.recordsName,
                                        count: tally.present[use.slot], operation: use.operation, accepted: use.accepted,
                                        isEquality: use.isEquality, use.span))
        }
        return found
    }

    /// The path records have that is closest to `path`: a sibling key first
    /// (`user.cuntry` → `user.country`), else any path of the same depth.
    private func suggestedPath(for path: AttributePath, among keys: Set<AttributePath>) -> AttributePath? {
        guard case .key(let last)? = path.components.last else { return nil }
        let parent = Array(path.components.dropLast())
        let siblings = keys.filter { $0.root == path.root && Array($0.components.dropLast()) == parent }
        var byKey: [String: AttributePath] = [:]
        for sibling in siblings { if case .key(let k)? = sibling.components.last { byKey[k] = sibling } }
        if let key = Suggestion.closest(to: last, among: byKey.keys) { return byKey[key] }
        let peers = keys.filter { $0.components.count == path.components.count }
        let byText = Dictionary(peers.map { ($0.description, $0) }, uniquingKeysWith: { first, _ in first })
        return Suggestion.closest(to: path.description, among: byText.keys).flatMap { byText[$0] }
    }

    /// `unreached-arm`, `same-value` and `flag-errors`.
    private func flagFindings(_ tally: RecordTally) -> [Diagnostic] {
        var found: [Diagnostic] = []
        let name = options.recordsName
        // An arm the static lint already called dead is not reported again.
        let dead = ruleset.warnings.filter {
            [DiagnosticCode.unreachable, .shadowedArm, .contradiction, .tautology].map(\.rawValue).contains($0.code)
        }.map(\.span)
        for (f, flag) in ruleset.flagPrograms.enumerated() {
            let checked = declarations[f]
            let declaration = checked.declaration
            // A flag that cannot depend on the context is constant by design.
            let isConstant = checked.expression?.constantValue != nil
                || (!checked.arms.isEmpty && checked.arms.allSatisfy { $0.condition.constantValue != nil })
            if let failure = tally.firstFailure[f] {
                found.append(.flagErrors(flag.name, count: tally.errors[f], of: tally.evaluated, records: name, line: failure.line,
                                         id: failure.id, message: failure.message, failure.span))
            }
            // Nor is a flag that reads nothing the records hold (`request.id` when each record
            // is a `user`): the records cannot change it.
            if isConstant || !readsRecords(f) { continue }
            if !tally.varies[f], tally.errors[f] < tally.evaluated, let value = tally.firstValue[f] {
                found.append(.sameValue(flag.name, value: value.jsonText, count: tally.evaluated, records: name, declaration.nameSpan))
            }
            guard !flag.isBoolean, declaration.arms.count == flag.arms.count else { continue }
            for (k, arm) in declaration.arms.enumerated() where tally.served[f][k + 1] == 0 {
                if checked.arms[k].condition.constantValue != nil { continue }
                if dead.contains(where: { $0.start >= arm.span.start && $0.start < arm.span.end }) { continue }
                found.append(.unreachedArm(count: tally.evaluated, records: name, arm.condition.span))
            }
        }
        return found
    }
}

extension RecordCheck {
    /// True when flag `f` (through its segments, lets and prerequisite flags) reads an
    /// attribute the records are bound to.
    private func readsRecords(_ f: Int) -> Bool {
        let checked = ruleset.compiler.checked
        let paths = ruleset.slotTable.paths
        var seen = Set<Int>()
        var pending = declarations[f].expressions
        while let ir = pending.popLast() {
            switch ir {
            case .slot(let slot, _):
                if options.contextRecords || paths[slot].root == options.recordRoot { return true }
            case .reference(let index, _):
                if checked.indices.contains(index), seen.insert(index).inserted { pending += checked[index].expressions }
            default:
                pending += ir.children
            }
        }
        return false
    }
}

extension RuleFileCompiler.Checked {
    /// Every checked expression of the declaration.
    var expressions: [IR] {
        (expression.map { [$0] } ?? []) + arms.flatMap { [$0.condition, $0.value] }
    }
}
