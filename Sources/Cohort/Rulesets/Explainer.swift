/// Works out an `Explanation`: evaluates checked IR node by node with the operations the VM
/// uses (`Operations`, `Builtin`, `Comparison`), keeping every node's outcome, and marks the
/// tests that decided it.
///
/// It is the reference, not a fast path: the VM answers; this shows how. The explain tests
/// require its outcome to equal the VM's for the shipped flags and for random rules, and its
/// `split` to equal the VM walker's where both can tell.
///
/// Which tests decided an outcome: for an `or` that holds, those of the operand that made it
/// hold; for an `or` that fails, those of every operand; for an `and` the other way round;
/// for `not`, its operand's; a segment or let stands for its expression; anything else (a
/// comparison, a call, an attribute, a prerequisite flag) is a test of its own. A rollout
/// decided it (`Reason.split`) when one of those tests compares a `bucket(...)`.
package struct Explainer {
    private let rules: RuleFileCompiler?
    private let flags: [Int: FlagProgram]
    private let slots: UnsafeBufferPointer<Value>
    private let now: Instant
    /// The flags already opened up in this tree: a flag used again shows its value only
    /// (a flag used ten times by each of six levels would otherwise grow the tree 10^6-fold).
    private var opened: Set<Int> = []
    /// False when only the outcome and `decidedByBucket` are wanted (a reason, not a tree):
    /// the nodes then carry no source text or location, which cost most of the work.
    package var describesNodes = true

    /// An explainer for expressions over `slots`; `rules` (with its compiled `flags`) when
    /// they may name a rule file's declarations.
    package init(rules: RuleFileCompiler?, flags: [FlagProgram], slots: UnsafeBufferPointer<Value>, now: Instant) {
        self.init(rules: rules, flagsByMemoIndex: Self.index(flags), slots: slots, now: now)
    }

    /// An explainer given the flags already indexed by `memoIndex` (`index(_:)`), so a
    /// caller that explains often indexes them once.
    package init(rules: RuleFileCompiler?, flagsByMemoIndex: [Int: FlagProgram], slots: UnsafeBufferPointer<Value>, now: Instant) {
        self.rules = rules
        self.flags = flagsByMemoIndex
        self.slots = slots
        self.now = now
    }

    /// `flags` by their `memoIndex`, as the explainer looks prerequisites up.
    package static func index(_ flags: [FlagProgram]) -> [Int: FlagProgram] {
        Dictionary(flags.map { ($0.memoIndex, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// A traced node: the explanation, its outcome as a cell, what kind of node it is for
    /// marking the deciding tests, and its traced operands.
    package struct Traced {
        enum Kind { case test(bucket: Bool), logical(decider: Bool), not, inline, constant, other }
        var explanation: Explanation
        var cell: Cell
        var kind: Kind
        var children: [Traced]

        /// The explanation with its operands' filled in.
        package var tree: Explanation {
            var e = explanation
            // Constants say nothing their parent's text does not: left out.
            if !children.isEmpty { e.children = children.filter { if case .constant = $0.kind { false } else { true } }.map(\.tree) }
            return e
        }

        /// Marks the tests that decided this node's boolean outcome; true when one of them
        /// compares a `bucket(...)`.
        @discardableResult
        mutating func markDeciding() -> Bool {
            switch kind {
            case .test(let bucket):
                explanation.isDeciding = true
                return bucket
            case .not, .inline:
                return children.isEmpty ? false : children[0].markDeciding()
            case .logical(let decider):
                guard let b = cell.plainBoolean else { return false }
                if b == decider {
                    guard let i = children.firstIndex(where: { $0.cell.plainBoolean == decider }) else { return false }
                    return children[i].markDeciding()
                }
                var bucket = false
                for i in children.indices where children[i].cell.plainBoolean != nil {
                    bucket = children[i].markDeciding() || bucket
                }
                return bucket
            case .constant, .other:
                return false
            }
        }
    }

    // MARK: Flags

    /// The explanation of `flag` (compiled from declaration `flag.memoIndex` of `rules`):
    /// each `when` tried, in order, with its condition's tree, and the value served.
    /// `decidedByBucket` is true when the serving arm's condition was decided by a rollout.
    package mutating func explain(flag: FlagProgram) -> (explanation: Explanation, decidedByBucket: Bool) {
        guard let rules, rules.checked.indices.contains(flag.memoIndex) else {
            return (Explanation(text: "flag \(flag.name)", outcome: .skipped, location: ""), false)
        }
        opened.insert(flag.memoIndex)
        let checked = rules.checked[flag.memoIndex]
        let file = rules.sourceFile
        let salt = flag.name
        var children: [Traced] = []
        var served: Cell = .value(flag.defaultValue)
        var bucket = false
        let arms: [(condition: IR, value: IR?)] = checked.expression.map { [($0, nil)] } ?? checked.arms.map { ($0.condition, $0.value) }
        var decided = false
        for (k, arm) in arms.enumerated() {
            if decided {
                children.append(skipped(arm.condition, label: flag.isBoolean ? nil : "when \(k)", source: file))
                continue
            }
            var condition = trace(arm.condition, source: file, salt: salt)
            // `when 0: segment internal`: the arm, and what its condition names.
            if !flag.isBoolean { condition.explanation.label = "when \(k)" + (condition.explanation.label.map { ": " + $0 } ?? "") }
            switch condition.cell {
            case .value(.bool(true)):
                decided = true
                bucket = condition.markDeciding()
                children.append(condition)
                if let value = arm.value {
                    var serve = trace(value, source: file, salt: salt)
                    serve.explanation.label = "serve"
                    served = serve.cell
                    children.append(serve)
                } else {
                    served = .value(.bool(true))
                }
            case .value(.bool(false)):
                condition.markDeciding()
                children.append(condition)
            case .value(let other):
                decided = true
                served = .error(RuntimeFault(Fault.nonBooleanCondition(other, booleanFlag: flag.isBoolean), span: arm.condition.span))
                children.append(condition)
            case .error:
                decided = true
                served = condition.cell
                children.append(condition)
            }
        }
        if case .error = served { bucket = false }
        if !decided, !flag.isBoolean {
            children.append(Traced(explanation: Explanation(text: flag.defaultValue.jsonText, label: "default", outcome: .value(flag.defaultValue),
                                                            location: ""), cell: .value(flag.defaultValue), kind: .other, children: []))
        }
        let outcome: Explanation.Outcome
        switch served {
        case .value(let v): outcome = .value(v)
        case .error(let fault): outcome = .error(fault.message)
        }
        let root = Explanation(text: "flag \(flag.name)", outcome: outcome, location: "\(file.name):\(file.location(of: checked.declaration.nameSpan.start))",
                               children: children.map(\.tree))
        return (root, bucket)
    }

    // MARK: Expressions

    /// The traced evaluation of `ir`, whose spans are in `source`, with `salt` the default
    /// salt of `bucket(key)`.
    package mutating func trace(_ ir: IR, source: SourceFile, salt: String) -> Traced {
        let describes = describesNodes
        func node(_ cell: Cell, _ kind: Traced.Kind, _ children: [Traced], label: String? = nil) -> Traced {
            let outcome: Explanation.Outcome
            switch cell {
            case .value(let v): outcome = .value(v)
            case .error(let fault): outcome = .error(fault.message)
            }
            return Traced(explanation: Explanation(text: describes ? Self.snippet(source, ir.span) : "", label: label, outcome: outcome,
                                                   location: describes ? "\(source.name):\(source.location(of: ir.span.start))" : ""),
                          cell: cell, kind: kind, children: children)
        }
        /// The first error among `operands` (as a cell), or their values.
        func values(_ operands: [Traced]) -> (values: [Value], error: Cell?) {
            var values: [Value] = []
            for operand in operands {
                switch operand.cell {
                case .value(let v): values.append(v)
                case .error: return ([], operand.cell)
                }
            }
            return (values, nil)
        }
        /// `body` applied to the operands' values; an operand's error propagates, a fault
        /// becomes an error at this node.
        func apply(_ operands: [Traced], _ kind: Traced.Kind, _ body: ([Value]) throws(Fault) -> Value) -> Traced {
            let (vs, failure) = values(operands)
            if let failure { return node(failure, kind, operands) }
            do throws(Fault) {
                return node(.value(try body(vs)), kind, operands)
            } catch {
                return node(.error(RuntimeFault(error, span: ir.span)), kind, operands)
            }
        }

        switch ir {
        case .constant(let v, _):
            return node(.value(v), .constant, [])
        case .slot(let s, _):
            return node(.value(s < slots.count ? slots[s] : .null), .test(bucket: false), [])
        case .member(let base, let name, _):
            return apply([trace(base, source: source, salt: salt)], .test(bucket: false)) { Operations.member($0[0], name) }
        case .index(let base, let index, _):
            return apply([trace(base, source: source, salt: salt), trace(index, source: source, salt: salt)], .test(bucket: false)) {
                Operations.index($0[0], $0[1])
            }
        case .list(let items, _):
            return apply(items.map { trace($0, source: source, salt: salt) }, .other) { .list($0) }
        case .not(let operand, _):
            return apply([trace(operand, source: source, salt: salt)], .not) { vs throws(Fault) in try Operations.not(vs[0]) }
        case .negate(let operand, _):
            return apply([trace(operand, source: source, salt: salt)], .other) { vs throws(Fault) in try Operations.negate(vs[0]) }
        case .binary(let op, let left, let right, _):
            let bucket = [left, right].contains { if case .call(.bucket, _, _) = $0 { true } else { false } } && op.comparison != nil
            return apply([trace(left, source: source, salt: salt), trace(right, source: source, salt: salt)], .test(bucket: bucket)) {
                vs throws(Fault) in try Operations.binary(op, vs[0], vs[1])
            }
        case .inSet(let operand, let set, _):
            return apply([trace(operand, source: source, salt: salt)], .test(bucket: false)) { .bool(set.contains($0[0])) }
        case .matches(let operand, let regex, _):
            return apply([trace(operand, source: source, salt: salt)], .test(bucket: false)) { vs throws(Fault) in
                guard case .string(let s) = vs[0] else { throw Fault.operand("'matches'", "left", expected: "a string", got: vs[0]) }
                return .bool(regex.matches(s))
            }
        case .logical(let op, let operands, let span):
            return logical(op, operands, span: span, source: source, salt: salt, node: node)
        case .call(let builtin, let arguments, _):
            let traced = arguments.map { trace($0, source: source, salt: salt) }
            switch builtin {
            case .now:
                return node(.value(.time(now)), .other, traced)
            case .exists where traced.count == 1:
                if case .error = traced[0].cell { return node(traced[0].cell, .test(bucket: false), traced) }
                return node(.value(.bool(!(traced[0].cell.value?.isNull ?? true))), .test(bucket: false), traced)
            default:
                let now = self.now
                return apply(traced, .test(bucket: false)) { vs throws(Fault) in
                    let args = builtin == .bucket && vs.count == 1 ? vs + [.string(salt)] : vs
                    return try args.withUnsafeBufferPointer { buffer throws(Fault) in try builtin.apply(buffer, now: now) }
                }
            }
        case .reference(let index, _):
            return reference(index, ir: ir, source: source, salt: salt, node: node)
        }
    }

    /// An `and`/`or` chain as the VM runs it: left to right, stopping at the deciding value;
    /// an error on one side absorbed when the other side decides.
    private mutating func logical(_ op: LogicalOperator, _ operands: [IR], span: SourceSpan, source: SourceFile, salt: String,
                                  node: (Cell, Traced.Kind, [Traced], String?) -> Traced) -> Traced {
        let decider = op == .or
        var traced: [Traced] = []
        var result: Cell = .value(.null)
        for (i, operand) in operands.enumerated() {
            if i > 0, case .value(.bool(decider)) = result {
                traced.append(skipped(operand, label: nil, source: source))
                continue
            }
            let t = trace(operand, source: source, salt: salt)
            traced.append(t)
            result = i == 0 ? t.cell : Cell.combine(result, t.cell, decider: decider, op: op.rawValue, span: span)
        }
        return node(result, .logical(decider: decider), traced, nil)
    }

    /// A declaration used by name: a let or segment opened up (its expression, in the rule
    /// file, with the current salt); a flag evaluated by the VM with its own salt, opened
    /// up the first time it appears.
    private mutating func reference(_ index: Int, ir: IR, source: SourceFile, salt: String,
                                    node: (Cell, Traced.Kind, [Traced], String?) -> Traced) -> Traced {
        guard let rules, rules.checked.indices.contains(index) else { return node(.value(.null), .other, [], nil) }
        let checked = rules.checked[index]
        let name = checked.declaration.name
        if checked.declaration.kind == .flag, let flag = flags[index] {
            let value = VM.evaluate(flag, slots: slots, now: now).value(of: flag)
            var children: [Traced] = []
            if !opened.contains(index) {
                // Its arms, under this node (which says its name and value).
                children = explain(flag: flag).explanation.children.map { Traced(explanation: $0, cell: .value(.null), kind: .other, children: []) }
            }
            return node(.value(value), .test(bucket: false), children, "flag \(name)")
        }
        guard let expression = checked.expression else { return node(.value(.null), .other, [], nil) }
        let inner = trace(expression, source: rules.sourceFile, salt: salt)
        return node(inner.cell, .inline, [inner], "\(checked.declaration.kind.rawValue) \(name)")
    }

    /// A node that was not evaluated, without its operands.
    private func skipped(_ ir: IR, label: String?, source: SourceFile) -> Traced {
        // A name not evaluated still says what it names (`segment beta_testers`).
        var label = label
        if case .reference(let index, _) = ir, let rules, rules.checked.indices.contains(index) {
            let declaration = rules.checked[index].declaration
            label = (label.map { $0 + ": " } ?? "") + "\(declaration.kind.rawValue) \(declaration.name)"
        }
        return Traced(explanation: Explanation(text: describesNodes ? Self.snippet(source, ir.span) : "", label: label, outcome: .skipped,
                                               location: describesNodes ? "\(source.name):\(source.location(of: ir.span.start))" : ""),
               cell: .value(.null), kind: .other, children: [])
    }

    /// The source of `span` on one line, cut to 60 characters.
    static func snippet(_ source: SourceFile, _ span: SourceSpan) -> String {
        let text = source.text(of: span).split(whereSeparator: \.isNewline)
            .map { $0.drop(while: { $0 == " " || $0 == "\t" }) }.joined(separator: " ")
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}

extension Cell {
    /// The value, or nil for an error.
    fileprivate var value: Value? {
        if case .value(let v) = self { return v }
        return nil
    }
}
