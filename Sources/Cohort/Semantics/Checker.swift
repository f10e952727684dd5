/// Resolves names, checks arity and types, converts literals and folds constants, turning an
/// `Expr` into `IR`. Problems are collected as diagnostics; checking goes on after an error
/// so several can be reported at once.
package struct Checker {
    /// A checked expression and its static type (nil: known only at run time).
    package struct Typed {
        package var ir: IR
        package var kind: ValueKind?
    }

    /// What a bare name refers to, besides a context root.
    package struct DeclarationInfo {
        package var index: Int
        package var kind: ValueKind?
        /// The value, when the declaration is a constant (so it folds and converts like a literal).
        package var constant: Value?
    }

    private let source: SourceFile
    private let roots: Set<String>
    private let declarations: [String: DeclarationInfo]
    /// The slot table, extended with every attribute path the expression reads.
    package var slots: SlotTable
    /// Problems found.
    package private(set) var diagnostics: [Diagnostic] = []

    package init(source: SourceFile, roots: Set<String>, declarations: [String: DeclarationInfo] = [:], slots: SlotTable = SlotTable()) {
        self.source = source
        self.roots = roots
        self.declarations = declarations
        self.slots = slots
    }

    /// A stand-in for an expression that failed to check; never folds, so errors do not cascade.
    private func poisoned(_ span: SourceSpan) -> Typed {
        Typed(ir: .reference(-1, span), kind: nil)
    }

    private mutating func report(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    // MARK: Expressions

    package mutating func check(_ expr: Expr) -> Typed {
        let span = expr.span
        switch expr.kind {
        case .literal(let value):
            return Typed(ir: .constant(value, span), kind: value.kind)

        case .list(let elements):
            let items = elements.map { check($0) }
            if items.allSatisfy({ $0.ir.constantValue != nil }) {
                return Typed(ir: .constant(.list(items.map { $0.ir.constantValue! }), span), kind: .list)
            }
            return Typed(ir: .list(items.map(\.ir), span), kind: .list)

        case .name(let name):
            if let declaration = declarations[name] {
                if let constant = declaration.constant { return Typed(ir: .constant(constant, span), kind: constant.kind) }
                return Typed(ir: .reference(declaration.index, span), kind: declaration.kind)
            }
            if roots.contains(name) {
                return Typed(ir: .slot(slots.slot(for: AttributePath(root: name)), span), kind: nil)
            }
            if Builtin.byName[name] != nil {
                report(.functionAsValue(name, span))
                return poisoned(span)
            }
            let candidates = Array(roots) + Array(declarations.keys)
            report(.unknownName(name, suggestion: Suggestion.closest(to: name, among: candidates), span))
            return poisoned(span)

        case .member(let base, let name):
            if let path = staticPath(expr) {
                return Typed(ir: .slot(slots.slot(for: path), span), kind: nil)
            }
            let b = check(base)
            if let value = b.ir.constantValue {
                return Typed(ir: .constant(Operations.member(value, name), span), kind: nil).folded()
            }
            return Typed(ir: .member(b.ir, name, span), kind: nil)

        case .index(let base, let index):
            if let path = staticPath(expr) {
                return Typed(ir: .slot(slots.slot(for: path), span), kind: nil)
            }
            let b = check(base), i = check(index)
            if let bv = b.ir.constantValue, let iv = i.ir.constantValue {
                return Typed(ir: .constant(Operations.index(bv, iv), span), kind: nil).folded()
            }
            return Typed(ir: .index(b.ir, i.ir, span), kind: nil)

        case .call(let name, let arguments):
            return checkCall(name, arguments, span: span)

        case .unary(let op, let operand):
            let o = check(operand)
            let expected: ValueKind = op == .not ? .bool : .number
            if let k = o.kind, k != expected {
                report(.unaryOperand(op.rawValue, expected: expected, found: k, operand.span))
                return poisoned(span)
            }
            if let value = o.ir.constantValue {
                return fold(span) { () throws(Fault) in op == .not ? try Operations.not(value) : try Operations.negate(value) }
            }
            return Typed(ir: op == .not ? .not(o.ir, span) : .negate(o.ir, span), kind: expected)

        case .binary(let op, let left, let right):
            return checkBinary(op, left, right, span: span)

        case .logical(let op, let operands):
            return checkLogical(op, operands, span: span)
        }
    }

    /// A static attribute path: a root followed by `.name`, `["key"]` or `[integer]` steps.
    private func staticPath(_ expr: Expr) -> AttributePath? {
        switch expr.kind {
        case .name(let name) where roots.contains(name) && declarations[name] == nil:
            return AttributePath(root: name)
        case .member(let base, let name):
            guard var path = staticPath(base) else { return nil }
            path.components.append(.key(name))
            return path
        case .index(let base, let index):
            guard var path = staticPath(base) else { return nil }
            switch index.kind {
            case .literal(.string(let key)): path.components.append(.key(key))
            case .literal(.number(let n)) where n >= 0 && n < 1e15 && n.rounded(.towardZero) == n:
                path.components.append(.index(Int(n)))
            default: return nil
            }
            return path
        default:
            return nil
        }
    }

    /// Evaluates a constant operation now; a failure is a compile error.
    private mutating func fold(_ span: SourceSpan, _ body: () throws(Fault) -> Value) -> Typed {
        do {
            let value = try body()
            return Typed(ir: .constant(value, span), kind: value.kind)
        } catch {
            report(.constantFails(error.message, span))
            return poisoned(span)
        }
    }

    // MARK: Operators

    private mutating func checkBinary(_ op: BinaryOperator, _ left: Expr, _ right: Expr, span: SourceSpan) -> Typed {
        var l = check(left), r = check(right)
        if isPoisoned(l) || isPoisoned(r) { return poisoned(span) }

        switch op {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            guard convertLiteral(&r, toMatch: l), convertLiteral(&l, toMatch: r) else { return poisoned(span) }
        case .matches:
            guard case .constant(.string(let pattern), let patternSpan) = r.ir else {
                report(.regexNotConstant(right.span))
                return poisoned(span)
            }
            let regex: RegexPattern
            do {
                regex = try RegexPattern(pattern)
            } catch {
                // Point at the offending part of the pattern when it maps back to the literal.
                let literal = source.text(of: patternSpan)
                var errorSpan = patternSpan
                if literal.unicodeScalars.count == pattern.unicodeScalars.count + 2 {
                    let prefix = literal.unicodeScalars.prefix(error.offset + 1)
                    let start = patternSpan.start + String(String.UnicodeScalarView(prefix)).utf8.count
                    errorSpan = SourceSpan(start: start, end: min(start + 1, patternSpan.end))
                }
                report(.invalidRegex(error.message, errorSpan))
                return poisoned(span)
            }
            if let k = l.kind, k != .string {
                report(.matchesSubject(found: k, left.span))
                return poisoned(span)
            }
            if case .constant(.string(let text), _) = l.ir {
                return Typed(ir: .constant(.bool(regex.matches(text)), span), kind: .bool)
            }
            return Typed(ir: .matches(l.ir, regex, span), kind: .bool)
        default:
            break
        }

        let kind: ValueKind?
        switch Typing.check(op, l.kind, r.kind) {
        case .never:
            report(.operandTypes(op.rawValue, l.kind, r.kind, span))
            return poisoned(span)
        case .maybe(let k):
            kind = k
        }

        if let a = l.ir.constantValue, let b = r.ir.constantValue {
            return fold(span) { () throws(Fault) in try Operations.binary(op, a, b) }
        }
        if op == .in || op == .notIn, case .constant(.list(let items), _) = r.ir {
            let membership = IR.inSet(l.ir, Set(items), span)
            return Typed(ir: op == .in ? membership : .not(membership, span), kind: .bool)
        }
        return Typed(ir: .binary(op, l.ir, r.ir, span), kind: kind)
    }

    /// A string constant compared with a version or time is converted at compile time.
    /// Returns false (after reporting) when the literal is invalid.
    private mutating func convertLiteral(_ operand: inout Typed, toMatch other: Typed) -> Bool {
        guard case .constant(.string(let text), let span) = operand.ir, let target = other.kind else { return true }
        switch target {
        case .version:
            guard let v = Version(text) else {
                report(.invalidVersionLiteral(text, span))
                return false
            }
            operand = Typed(ir: .constant(.version(v), span), kind: .version)
        case .time:
            guard let t = Instant(timestamp: text) ?? Instant(date: text) else {
                report(.invalidTimeLiteral(text, span))
                return false
            }
            operand = Typed(ir: .constant(.time(t), span), kind: .time)
        default:
            break
        }
        return true
    }

    private mutating func checkLogical(_ op: LogicalOperator, _ operands: [Expr], span: SourceSpan) -> Typed {
        var checked: [Typed] = []
        checked.reserveCapacity(operands.count)
        var failed = false
        for operand in operands {
            let t = check(operand)
            if isPoisoned(t) { failed = true; continue }
            if let k = t.kind, k != .bool {
                report(.logicalOperand(op.rawValue, found: k, operand.span))
                failed = true
            }
            checked.append(t)
        }
        if failed { return poisoned(span) }
        // The deciding constant (false for and, true for or) decides the whole chain, even
        // when another operand errs: that is the absorption rule.
        let decider = op == .or
        if checked.contains(where: { $0.ir.constantValue == .bool(decider) }) {
            return Typed(ir: .constant(.bool(decider), span), kind: .bool)
        }
        // The neutral constant can be dropped, as long as the rest are statically boolean
        // (a run-time non-boolean must still become an error).
        let rest = checked.filter { $0.ir.constantValue != .bool(!decider) }
        if rest.isEmpty { return Typed(ir: .constant(.bool(!decider), span), kind: .bool) }
        let operandsIR = rest.allSatisfy({ $0.kind == .bool }) ? rest.map(\.ir) : checked.map(\.ir)
        if operandsIR.count == 1 { return Typed(ir: operandsIR[0], kind: .bool) }
        return Typed(ir: .logical(op, operandsIR, span), kind: .bool)
    }

    private func isPoisoned(_ t: Typed) -> Bool {
        if case .reference(-1, _) = t.ir { return true }
        return false
    }

    // MARK: Calls

    private mutating func checkCall(_ name: String, _ arguments: [Expr], span: SourceSpan) -> Typed {
        guard let builtin = Builtin.byName[name] else {
            if declarations[name] != nil || roots.contains(name) {
                report(.notAFunction(name, span))
                return poisoned(span)
            }
            let functions = Builtin.allCases.map(\.name)
            let suggestion = Suggestion.closest(to: name, among: functions + Token.wordOperators)
            report(.unknownFunction(name, suggestion: suggestion, isOperator: suggestion.map(Token.wordOperators.contains) ?? false, span))
            return poisoned(span)
        }
        guard builtin.arity.contains(arguments.count) else {
            report(.arity(name, expected: builtin.arityText, got: arguments.count, span))
            return poisoned(span)
        }
        var args: [Typed] = []
        args.reserveCapacity(arguments.count)
        var failed = false
        for (i, argument) in arguments.enumerated() {
            let t = check(argument)
            if isPoisoned(t) { failed = true; continue }
            if let k = t.kind, let accepted = builtin.accepts(argument: i), !accepted.contains(k) {
                report(.argumentType(name, accepted: accepted, position: builtin.arity.upperBound > 1 ? i + 1 : nil, found: k, argument.span))
                failed = true
            }
            args.append(t)
        }
        if failed { return poisoned(span) }
        if builtin.isPure(argumentCount: args.count), args.allSatisfy({ $0.ir.constantValue != nil }) {
            let values = args.map { $0.ir.constantValue! }
            return fold(span) { () throws(Fault) in
                try values.withUnsafeBufferPointer { buffer throws(Fault) in try builtin.apply(buffer, now: Instant(seconds: 0)) }
            }
        }
        return Typed(ir: .call(builtin, args.map(\.ir), span), kind: builtin.resultKind)
    }
}

extension Checker.Typed {
    /// A constant's static type is its value's type.
    fileprivate func folded() -> Checker.Typed {
        if let value = ir.constantValue { return Checker.Typed(ir: ir, kind: value.kind) }
        return self
    }
}
