/// The warnings of a rule file that needs no data: mistakes that compile. A pass of its
/// own over the checked declarations (their syntax trees and checked IR), run after the
/// checker, so checking stays about what is legal and this file about what is likely
/// meant. Every warning has a code, a span and, where one exists, a fix-it
/// (`docs/diagnostics.md` lists them).
///
/// - `unused`: a `let` or `segment` nothing refers to.
/// - `unreachable`, `shadowed-arm`: a `when` after an always-true condition, or one that an
///   earlier `when` of the same flag already covers.
/// - `contradiction`, `tautology`, `redundant-condition`: an `and` that can never hold, an
///   `or` that always does, an operand another one already implies.
/// - `version-as-string`, `time-as-string`: `user.app_version >= "5.2.0"` orders strings.
/// - `duplicate-element`, `constant-flag`, `shared-bucket`.
///
/// Only declarations that checked without error are linted, and the reasoning answers
/// "yes" only when it is sure (see `LintCondition`), so the shipped examples stay quiet.
package struct Linter {
    /// One declaration as the linter sees it. A class: the checks go over the entries several
    /// times, and copying a struct of this size out of the array costs a retain and a
    /// release for each of its many references, every time.
    package final class Entry: Sendable {
        /// The declaration as written.
        package let declaration: Declaration
        /// The checked expression of a `let`, `segment` or boolean flag.
        package let expression: IR?
        /// A flag block's checked arms.
        package let arms: [(condition: IR, value: IR)]
        /// A flag's default value.
        package let defaultValue: Value?
        /// True when checking found no error in it (only such declarations are linted).
        package let ok: Bool
        /// True when its name refers to it (false for a duplicate or a reserved name).
        package let isNamed: Bool

        package init(declaration: Declaration, expression: IR?, arms: [(condition: IR, value: IR)], defaultValue: Value?,
                     ok: Bool, isNamed: Bool) {
            self.declaration = declaration
            self.expression = expression
            self.arms = arms
            self.defaultValue = defaultValue
            self.ok = ok
            self.isNamed = isNamed
        }
    }

    let source: SourceFile
    let entries: [Entry]
    /// The file's own `test` blocks: a declaration they name is used.
    let tests: [TestBlock]
    var shapes = IRShapes()
    /// The condition of each `let`/`segment` a reference expands to, once worked out.
    var referenced: [Int: LintCondition] = [:]
    /// The declarations being expanded now (a guard; cycles are errors and never linted).
    var expanding: Set<Int> = []
    /// Steps of reasoning left: large files are linted in bounded time, and what is not
    /// decided within the budget is not reported.
    var budget = 2_000_000
    /// The `bucket` calls of each flag, for `shared-bucket`.
    var bucketUses: [BucketUse] = []
    /// The flag being walked, if any.
    var currentFlag: String?
    var diagnostics: [Diagnostic] = []

    package init(source: SourceFile, entries: [Entry], tests: [TestBlock] = []) {
        self.source = source
        self.entries = entries
        self.tests = tests
    }

    /// Runs every check; the warnings come back in source order.
    package mutating func run() -> [Diagnostic] {
        checkSyntax()
        for entry in entries {
            guard entry.ok else { continue }
            currentFlag = entry.declaration.kind == .flag ? entry.declaration.name : nil
            if let expression = entry.expression {
                _ = walk(expression)
            }
            var conditions: [LintCondition] = []
            for arm in entry.arms {
                conditions.append(walk(arm.condition).condition)
                _ = walk(arm.value)
            }
            if entry.declaration.kind == .flag {
                checkArms(entry.declaration.arms, conditions)
                checkConstantFlag(entry)
            }
        }
        checkSharedBuckets()
        return diagnostics.sorted { $0.span.start < $1.span.start }
    }

    // MARK: Declarations as written

    /// `unused` and `duplicate-element`, the checks that read declarations as written (a
    /// declaration that failed to check still uses the names it mentions): one pass over
    /// the syntax trees for both.
    private mutating func checkSyntax() {
        var named = Set<String>()
        for entry in entries {
            let own = entry.declaration.name
            entry.declaration.forEachExpression { readSyntax($0, skipping: own, into: &named, checkingLists: true) }
        }
        for test in tests {
            for statement in test.statements {
                switch statement {
                case .expect(let expr, _): readSyntax(expr, skipping: "", into: &named, checkingLists: false)
                case .expectReason(let flag, _, _, _, _): named.insert(flag)
                default: break
                }
            }
        }
        // `unused`: a `let` or `segment` that no other declaration (or test) names.
        for entry in entries where entry.isNamed && entry.declaration.kind != .flag && !named.contains(entry.declaration.name) {
            let d = entry.declaration
            diagnostics.append(.unused(d.kind == .let ? "let" : "segment", d.name, d.nameSpan))
        }
    }

    /// Adds the names `expr` mentions (except `own`) to `names`; with `checkingLists`,
    /// reports each list in it that repeats an element (a test's expectations are not linted).
    private mutating func readSyntax(_ expr: Expr, skipping own: String, into names: inout Set<String>, checkingLists: Bool) {
        switch expr.kind {
        case .name(let name) where name != own: names.insert(name)
        case .list(let elements) where checkingLists: checkDuplicateElements(elements)
        default: break
        }
        expr.forEachChild { readSyntax($0, skipping: own, into: &names, checkingLists: checkingLists) }
    }

    /// Lists up to this long are searched element by element for a repeat; longer ones
    /// through a hashed index (building one for `["KR", "JP"]` costs more than it saves).
    private static let maxListScanned = 16

    /// `duplicate-element`: the same literal twice in one list.
    private mutating func checkDuplicateElements(_ elements: [Expr]) {
        let scans = elements.count <= Self.maxListScanned
        var first: [Value: Int] = [:]
        for (k, element) in elements.enumerated() {
            guard case .literal(let value) = element.kind else { continue }
            let earlier = scans ? elements[..<k].firstIndex { $0.kind == .literal(value) } : first[value]
            if let earlier {
                let removal = SourceSpan(start: elements[k - 1].span.end, end: element.span.end)
                diagnostics.append(.duplicateElement(text(element.span), element.span, first: elements[earlier].span,
                                                     removal: removal))
            } else if !scans {
                first[value] = k
            }
        }
    }

    /// `constant-flag`: a flag whose value cannot depend on the context, written as if it did
    /// (`flag f = 1 < 2`). A literal (`flag dark_mode = false`), a block with only a default,
    /// and a flag that reads a `let` or another declaration (a switch kept in one place)
    /// are left alone.
    private mutating func checkConstantFlag(_ entry: Entry) {
        let d = entry.declaration
        if let expr = d.expression, let ir = entry.expression {
            if case .constant(let value, _) = ir, !expr.isLiteral, !expr.mentionsName {
                diagnostics.append(.constantFlag(d.name, serves: value.jsonText, d.nameSpan,
                                                 fixIt: .replace(expr.span, with: value.jsonText, "write '\(value.jsonText)'")))
            }
            return
        }
        guard !entry.arms.isEmpty, let defaultValue = entry.defaultValue,
              d.arms.allSatisfy({ !$0.condition.mentionsName && !$0.value.mentionsName }) else { return }
        var served: Value?
        for arm in entry.arms {
            guard case .constant(let condition, _) = arm.condition, case .constant(let value, _) = arm.value else { return }
            if served == nil, condition == .bool(true) { served = value }
        }
        diagnostics.append(.constantFlag(d.name, serves: (served ?? defaultValue).jsonText, d.nameSpan, fixIt: nil))
    }

    // MARK: Helpers

    /// The source text of a span, on one line and shortened for a message.
    func text(_ span: SourceSpan) -> String {
        let raw = source.text(of: span).split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
        return raw.count > 48 ? String(raw.prefix(47)) + "…" : raw
    }

    /// The 1-based line of a byte offset.
    func line(_ offset: Int) -> Int {
        source.location(of: offset).line
    }
}

extension Declaration {
    /// Calls `body` with each expression of the declaration, in source order.
    package func forEachExpression(_ body: (Expr) -> Void) {
        if let expression { body(expression) }
        for arm in arms {
            body(arm.condition)
            body(arm.value)
        }
        if let defaultValue { body(defaultValue) }
    }
}

extension Expr {
    /// Calls `body` with each direct sub-expression.
    package func forEachChild(_ body: (Expr) -> Void) {
        switch kind {
        case .literal, .name: break
        case .list(let items): items.forEach(body)
        case .member(let base, _): body(base)
        case .index(let base, let index):
            body(base)
            body(index)
        case .call(_, let arguments): arguments.forEach(body)
        case .unary(_, let operand): body(operand)
        case .binary(_, let left, let right):
            body(left)
            body(right)
        case .logical(_, let operands): operands.forEach(body)
        }
    }

    /// True for a literal as written (`true`, `-3`, `"a"`).
    var isLiteral: Bool {
        if case .literal = kind { return true }
        return false
    }

    /// True when a name (a declaration or a context root) appears anywhere inside.
    var mentionsName: Bool {
        if case .name = kind { return true }
        var found = false
        forEachChild { if !found, $0.mentionsName { found = true } }
        return found
    }
}
