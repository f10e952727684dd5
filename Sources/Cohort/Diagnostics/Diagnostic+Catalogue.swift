/// Every diagnostic message Cohort produces, in one voice. Codes are stable (see
/// `DiagnosticCode`); tests and tools may match on them. No stage writes a message of its
/// own: it calls one of these.
extension Diagnostic {
    static func error(_ code: DiagnosticCode, _ message: String, _ span: SourceSpan, notes: [Note] = [],
                      fixIts: [FixIt] = []) -> Diagnostic {
        Diagnostic(severity: .error, code: code.rawValue, message: message, span: span, notes: notes, fixIts: fixIts)
    }

    static func warning(_ code: DiagnosticCode, _ message: String, _ span: SourceSpan, notes: [Note] = [],
                        fixIts: [FixIt] = []) -> Diagnostic {
        Diagnostic(severity: .warning, code: code.rawValue, message: message, span: span, notes: notes, fixIts: fixIts)
    }

    // MARK: Source

    package static func invalidUTF8(byte: UInt8, at span: SourceSpan) -> Diagnostic {
        .error(.invalidUTF8, "source is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))", span)
    }

    /// `reason`: "no such file", "is a directory", "permission denied"...
    package static func unreadableRuleFile(_ path: String, reason: String? = nil) -> Diagnostic {
        .error(.io, "cannot read rule file '\(path)'" + (reason.map { ": " + $0 } ?? ""), SourceSpan(start: 0, end: 0))
    }

    // MARK: Limits

    package static func sourceTooLarge(limit: Int) -> Diagnostic {
        .error(.limit, "source is larger than \(limit) bytes (limit)", SourceSpan(start: 0, end: 0))
    }

    package static func stringTooLong(limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, "string literal is longer than \(limit) bytes (limit)", span)
    }

    package static func numberTooLong(limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, "number literal is longer than \(limit) characters (limit)", span)
    }

    package static func listTooLong(limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, "a list or argument list has more than \(limit) elements (limit)", span)
    }

    package static func nestedTooDeep(limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, "expression is nested more than \(limit) levels deep (limit)", span)
    }

    /// A compiled program over `Limits.maxProgramSize`; `flag` names the flag, nil for an expression.
    package static func programTooLarge(flag: String?, limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, flag.map { "flag '\($0)' compiles to more than \(limit) instructions (limit)" }
            ?? "compiled program is larger than \(limit) instructions (limit)", span)
    }

    /// Inlined lets and segments nest over `Limits.maxInlinedNestingDepth`.
    package static func inlinedTooDeep(flag: String?, limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, (flag.map { "flag '\($0)'" } ?? "expression")
            + " is nested more than \(limit) levels deep once its lets and segments are inlined (limit)", span)
    }

    /// One evaluation could run over `Limits.maxEvaluationCost` instructions.
    package static func tooCostly(flag: String?, limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, (flag.map { "flag '\($0)'" } ?? "expression")
            + " can run more than \(limit) instructions in one evaluation, counting each use of a prerequisite flag (limit)", span)
    }

    /// Prerequisite flags nest over `Limits.maxPrerequisiteDepth`.
    package static func prerequisitesTooDeep(flag: String, limit: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.limit, "flag '\(flag)' has prerequisite flags nested more than \(limit) deep (limit)", span)
    }

    // MARK: Lexical

    package static func unexpectedCharacter(_ shown: String, _ span: SourceSpan) -> Diagnostic {
        .error(.unexpectedCharacter, "unexpected character '\(shown)'", span)
    }

    /// A single `&` or `|`: `and`/`&&` or `or`/`||` was meant.
    package static func loneOperatorCharacter(_ character: Character, _ span: SourceSpan) -> Diagnostic {
        let (word, doubled) = character == "&" ? ("and", "&&") : ("or", "||")
        return .error(.unexpectedCharacter, "unexpected character '\(character)'; use '\(word)' or '\(doubled)'", span,
                      fixIts: [.replace(span, with: doubled, "write '\(doubled)'")])
    }

    /// A number literal missing a digit; `inExponent` when it is the exponent's.
    package static func expectedDigit(inExponent: Bool, _ span: SourceSpan) -> Diagnostic {
        .error(.invalidNumber, inExponent ? "exponent of a number needs digits (expected a digit)" : "expected a digit", span)
    }

    package static func misplacedUnderscore(inExponent: Bool, _ span: SourceSpan) -> Diagnostic {
        let message = "'_' in a number must stand between two digits"
        return .error(.invalidNumber, inExponent ? "exponent of a number needs digits (\(message))" : message, span)
    }

    package static func invalidNumberLiteral(_ span: SourceSpan) -> Diagnostic {
        .error(.invalidNumber, "invalid number literal", span)
    }

    package static func numberOutOfRange(_ span: SourceSpan) -> Diagnostic {
        .error(.invalidNumber, "number literal is out of range", span)
    }

    /// A string cut off by the end of the input, or by a raw line break (`atLineBreak`).
    package static func unterminatedString(atLineBreak: Bool, _ span: SourceSpan) -> Diagnostic {
        .error(.unterminatedString, atLineBreak
            ? "unterminated string literal (a string cannot contain a raw line break; write \\n)"
            : "unterminated string literal", span)
    }

    /// `\u` not followed by `{`, or (`detailed`) braces without 1 to 6 hex digits of a scalar.
    package static func invalidUnicodeEscape(detailed: Bool, _ span: SourceSpan) -> Diagnostic {
        .error(.invalidEscape, detailed
            ? "invalid unicode escape; write 1 to 6 hex digits of a Unicode scalar, as in \\u{1F600}"
            : "invalid unicode escape; write \\u{1F600}", span)
    }

    /// An unknown escape `\c` (`shown` is `c`, empty at the end of the input).
    package static func invalidEscape(_ shown: String, _ span: SourceSpan) -> Diagnostic {
        .error(.invalidEscape, "invalid escape '\\\(shown)' in string; valid escapes are \\\" \\' \\\\ \\n \\r \\t \\u{...}", span)
    }

    /// An unknown escape in a string that is (or looks like) a regular expression: the
    /// backslash was meant for the pattern, so it must be doubled. The advice is in the
    /// message, so the JSON and GitHub forms carry it too.
    package static func invalidEscapeInPattern(_ escape: Diagnostic, shown: String, isPattern: Bool) -> Diagnostic {
        var diagnostic = escape
        diagnostic.message = isPattern
            ? "invalid escape '\\\(shown)' in the string of a regular expression; write '\\\\\(shown)' "
                + "(a backslash meant for the pattern is written '\\\\' in a string)"
            : diagnostic.message + "; if this string is a regular expression, write '\\\\\(shown)'"
        diagnostic.fixIts.append(.replace(SourceSpan(start: escape.span.start, end: escape.span.start), with: "\\",
                                          "write '\\\\\(shown)'"))
        return diagnostic
    }

    // MARK: Syntax

    package static func unexpectedToken(_ found: String, expected: String, _ span: SourceSpan) -> Diagnostic {
        .error(.syntax, "expected \(expected), found \(found)", span)
    }

    /// `=` where a comparison belongs.
    package static func singleEquals(_ span: SourceSpan) -> Diagnostic {
        .error(.singleEquals, "'=' does not compare; did you mean '=='?", span,
               fixIts: [.replace(span, with: "==", "replace '=' with '=='")])
    }

    package static func chainedComparison(_ span: SourceSpan) -> Diagnostic {
        .error(.chainedComparison, "comparison operators cannot be chained; combine them with 'and'", span)
    }

    /// `when`, `serve` or `default` where a declaration belongs.
    package static func armKeywordOutsideFlag(_ word: String, _ span: SourceSpan) -> Diagnostic {
        .error(.misplacedKeyword, "'\(word)' belongs inside a flag block: flag NAME { when ... serve ... default ... }", span)
    }

    package static func whenAfterDefault(_ span: SourceSpan) -> Diagnostic {
        .error(.misplacedKeyword, "'when' after 'default': the default must come last in a flag block", span)
    }

    /// `not`/`!` (`spelled`) where an operand belongs.
    package static func misplacedNot(_ spelled: String, _ span: SourceSpan) -> Diagnostic {
        .error(.misplacedNot, "'\(spelled)' cannot appear here; put the negated operand in parentheses: (not x)", span)
    }

    /// `5.x`, or `1.e3` (`looksLikeExponent`).
    package static func numberMember(looksLikeExponent: Bool, _ span: SourceSpan) -> Diagnostic {
        .error(.numberMember, looksLikeExponent
            ? "a number has no members; write an exponent without the '.', e.g. 1e3 or 1.0e3"
            : "a number has no members", span)
    }

    /// A call of something other than a name: `user.f(...)`.
    package static func callOfNonFunction(_ span: SourceSpan) -> Diagnostic {
        .error(.notAFunction, "only built-in functions can be called", span)
    }

    package static func unknownOperator(_ word: String, suggestion: String, _ span: SourceSpan) -> Diagnostic {
        .error(.unknownOperator, "unknown operator '\(word)'; did you mean '\(suggestion)'?", span,
               fixIts: [.replace(span, with: suggestion, "replace '\(word)' with '\(suggestion)'")])
    }

    package static func reservedName(_ word: String, _ span: SourceSpan) -> Diagnostic {
        .error(.reservedName, "'\(word)' is a reserved word and cannot be declared", span)
    }

    package static func reservedWordAsName(_ word: String, _ span: SourceSpan) -> Diagnostic {
        .error(.reservedName, "'\(word)' is a reserved word and cannot be used as a name here", span)
    }

    package static func missingDefault(flag: String, _ span: SourceSpan) -> Diagnostic {
        .error(.missingDefault, "flag '\(flag)' has no 'default'; a flag block must end with 'default VALUE'", span)
    }

    // MARK: Names and calls

    package static func unknownName(_ name: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        .error(.unknownName, "unknown name '\(name)'" + didYouMean(suggestion), span, fixIts: rename(span, name, to: suggestion))
    }

    package static func unknownFunction(_ name: String, suggestion: String?, isOperator: Bool, _ span: SourceSpan) -> Diagnostic {
        if let suggestion, isOperator {
            return .error(.unknownFunction, "unknown function '\(name)'; did you mean the operator '\(suggestion)' (a \(suggestion) b)?", span)
        }
        let nameSpan = SourceSpan(start: span.start, end: span.start + name.utf8.count)
        return .error(.unknownFunction, "unknown function '\(name)'" + didYouMean(suggestion), span,
                      fixIts: rename(nameSpan, name, to: suggestion))
    }

    package static func notAFunction(_ name: String, _ span: SourceSpan) -> Diagnostic {
        .error(.notAFunction, "'\(name)' is not a function; only built-in functions can be called", span)
    }

    package static func arity(_ function: String, expected: String, got: Int, _ span: SourceSpan) -> Diagnostic {
        .error(.arity, "\(function)() takes \(expected), but \(got == 0 ? "none" : String(got)) \(got == 1 ? "was" : "were") given", span)
    }

    package static func functionAsValue(_ name: String, _ span: SourceSpan) -> Diagnostic {
        .error(.functionAsValue, "'\(name)' is a function; call it as \(name)(...)", span)
    }

    // MARK: Types and constants

    /// A binary operator (`op`, as written) whose operand types (nil: known only at run
    /// time) can never work. Operators come as their spelling: the catalogue sits below the
    /// syntax that defines them.
    package static func operandTypes(_ op: String, _ left: ValueKind?, _ right: ValueKind?, _ span: SourceSpan) -> Diagnostic {
        let name = "'\(op)'"
        var message: String
        switch (left, right) {
        case let (a?, b?): message = "\(name) cannot be applied to \(a.name) and \(b.name)"
        case let (a?, nil): message = "\(name) cannot take a \(a.name) on the left"
        case let (nil, b?): message = "\(name) cannot take a \(b.name) on the right"
        case (nil, nil): message = "\(name) cannot be applied here"
        }
        // `x in "abc"` is a substring test spelt the way Python spells it.
        if op == "in" || op == "not in", right == .string { message += " (use 'contains' for a substring)" }
        return .error(.typeMismatch, message, span)
    }

    /// `not 1`, `-"a"`: a prefix operator on the wrong type.
    package static func unaryOperand(_ op: String, expected: ValueKind, found: ValueKind, _ span: SourceSpan) -> Diagnostic {
        .error(.typeMismatch, "'\(op)' needs a \(expected.name), but this is a \(found.name)", span)
    }

    package static func logicalOperand(_ op: String, found: ValueKind, _ span: SourceSpan) -> Diagnostic {
        .error(.typeMismatch, "'\(op)' needs booleans, but this is a \(found.name)", span)
    }

    package static func matchesSubject(found: ValueKind, _ span: SourceSpan) -> Diagnostic {
        .error(.typeMismatch, "'matches' cannot take a \(found.name) on the left", span)
    }

    /// A built-in's argument of a type it never takes; `position` is 1-based, nil for a
    /// one-parameter function.
    package static func argumentType(_ function: String, accepted: Set<ValueKind>, position: Int?, found: ValueKind,
                                     _ span: SourceSpan) -> Diagnostic {
        let names = accepted.map(\.name).sorted().joined(separator: " or ")
        return .error(.typeMismatch, "\(function)() takes a \(names)\(position.map { " as argument \($0)" } ?? ""), not a \(found.name)", span)
    }

    package static func constantFails(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error(.constantError, "this constant expression always fails: \(message)", span)
    }

    package static func invalidRegex(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error(.invalidRegex, "invalid regular expression: \(message)", span)
    }

    package static func regexNotConstant(_ span: SourceSpan) -> Diagnostic {
        .error(.regexNotConstant, "the pattern of 'matches' must be a constant string", span)
    }

    package static func invalidVersionLiteral(_ text: String, _ span: SourceSpan) -> Diagnostic {
        .error(.invalidLiteral, "'\(text)' is not a valid semantic version (MAJOR[.MINOR[.PATCH]][-pre][+build])", span)
    }

    package static func invalidTimeLiteral(_ text: String, _ span: SourceSpan) -> Diagnostic {
        .error(.invalidLiteral, "'\(text)' is not a valid time (RFC 3339, e.g. 2026-12-01T09:00:00Z, or a date 2026-12-01)", span)
    }

    // MARK: Rule files

    package static func duplicateDeclaration(_ name: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        .error(.duplicate, "'\(name)' is declared twice", span, notes: [Note(message: "first declared here", span: first)])
    }

    package static func cycle(_ path: [String], _ span: SourceSpan) -> Diagnostic {
        .error(.cycle, "declarations refer to each other in a cycle: \(path.joined(separator: " -> "))", span)
    }

    package static func segmentNotBoolean(_ name: String, found: String, _ span: SourceSpan) -> Diagnostic {
        .error(.segmentNotBoolean, "segment '\(name)' must be a boolean condition, but it is a \(found)", span)
    }

    package static func notBoolean(_ what: String, found: String, _ span: SourceSpan) -> Diagnostic {
        .error(.notBoolean, "\(what) must be a boolean condition, but it is a \(found)", span)
    }

    /// `flag f = EXPR` where EXPR is not a boolean.
    package static func flagNotBoolean(_ flag: String, found: String, _ span: SourceSpan) -> Diagnostic {
        notBoolean("flag '\(flag)' (a boolean flag)", found: found, span)
    }

    /// `when EXPR serve ...` where EXPR is not a boolean.
    package static func conditionNotBoolean(found: String, _ span: SourceSpan) -> Diagnostic {
        notBoolean("the condition of 'when'", found: found, span)
    }

    package static func defaultNotConstant(_ flag: String, _ span: SourceSpan) -> Diagnostic {
        .error(.defaultNotConstant, "the default of flag '\(flag)' must be a constant", span)
    }

    // MARK: Editors

    /// A test file's `use` path whose rule file does not compile: the first error, at
    /// `line`:`column` there, and how many more (the language server shows it on the path).
    package static func usedRulesDoNotCompile(_ path: String, line: Int, column: Int, firstError: String, more: Int,
                                              code: String, _ span: SourceSpan) -> Diagnostic {
        Diagnostic(severity: .error, code: code,
                   message: "'\(path)' does not compile: \(line):\(column): \(firstError)"
                       + (more > 0 ? " (and \(more) more error\(more == 1 ? "" : "s"))" : ""),
                   span: span)
    }

    // MARK: Evaluation and tools

    /// An error value met at run time, shown with a caret under the failing sub-expression.
    package static func evaluationError(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error(.evaluation, message, span)
    }

    /// The formatter's output would not mean what the input meant (a bug in Cohort).
    package static func unsafeFormat(_ problem: String) -> Diagnostic {
        .error(.internal, "cannot format this file safely: \(problem); it was left as it is (please report this)", SourceSpan(start: 0, end: 0))
    }

    // MARK: Warnings: rules that compile but do not do what they seem to

    package static func unreachableWhen(_ span: SourceSpan, after: SourceSpan) -> Diagnostic {
        .warning(.unreachable, "this 'when' can never be reached: an earlier condition is always true", span,
                 notes: [Note(message: "always true here", span: after)])
    }

    /// A `when` whose every match an earlier `when` (on `line`, at `by`) already takes.
    package static func shadowedArm(_ span: SourceSpan, by earlier: SourceSpan, line: Int, fixIt: FixIt?) -> Diagnostic {
        .warning(.shadowedArm, "this 'when' can never be reached: the 'when' on line \(line) already matches everything it matches", span,
                 notes: [Note(message: "this earlier condition covers it", span: earlier)], fixIts: fixIt.map { [$0] } ?? [])
    }

    /// `a and b` where `a` and `b` exclude each other.
    package static func contradiction(_ a: String, _ b: String, _ span: SourceSpan) -> Diagnostic {
        .warning(.contradiction, "this condition can never be true: '\(a)' and '\(b)' cannot both hold", span)
    }

    /// `a or b` where one of the two always holds.
    package static func tautology(_ a: String, _ b: String, _ span: SourceSpan) -> Diagnostic {
        .warning(.tautology, "this condition is always true: '\(a)' or '\(b)' holds whatever the value", span)
    }

    /// `x in []` (never true) or `x not in []` (always true).
    package static func emptyList(_ text: String, alwaysTrue: Bool, _ span: SourceSpan) -> Diagnostic {
        alwaysTrue
            ? .warning(.tautology, "'\(text)' is always true: the list is empty", span)
            : .warning(.contradiction, "'\(text)' can never be true: the list is empty", span)
    }

    /// An operand of `and` implied by another (`isAnd`), or of `or` covered by another;
    /// `removal` is what to delete (the operand and its operator).
    package static func redundantCondition(_ operand: String, because other: String, isAnd: Bool, _ span: SourceSpan,
                                           removal: SourceSpan) -> Diagnostic {
        let message = operand == other
            ? "'\(operand)' is written twice in this condition"
            : "'\(operand)' is redundant: '\(other)' already \(isAnd ? "implies" : "covers") it"
        return .warning(.redundantCondition, message, span, fixIts: [.replace(removal, with: "", "remove '\(operand)'")])
    }

    /// `attribute OP "5.2.0"` on a plain attribute: strings ordered character by character.
    package static func versionAsString(_ op: String, attribute: String, constant: String, _ span: SourceSpan,
                                        attributeSpan: SourceSpan) -> Diagnostic {
        .warning(.versionAsString, "'\(op)' compares '\(attribute)' with \"\(constant)\" as strings, so \"10.0\" < \"9.0\"; "
                 + "write semver(\(attribute)) to compare versions", span,
                 fixIts: [wrap(attributeSpan, in: "semver")])
    }

    /// `attribute OP "2026-12-01T09:00:00Z"` (or a date, `isDate`) on a plain attribute. For
    /// a date there is no fix-it: the attribute may hold dates (`date(...)`) or timestamps
    /// (`time(...)`).
    package static func timeAsString(_ op: String, attribute: String, constant: String, isDate: Bool, _ span: SourceSpan,
                                     attributeSpan: SourceSpan) -> Diagnostic {
        let advice = isDate
            ? "write date(\(attribute)), or time(\(attribute)) if it holds timestamps, to compare times"
            : "write time(\(attribute)) to compare times"
        return .warning(.timeAsString, "'\(op)' compares '\(attribute)' with \"\(constant)\" as strings, not as instants; "
                        + advice, span, fixIts: isDate ? [] : [wrap(attributeSpan, in: "time")])
    }

    /// The same literal twice in a list; `removal` deletes the second (with its comma).
    package static func duplicateElement(_ element: String, _ span: SourceSpan, first: SourceSpan, removal: SourceSpan) -> Diagnostic {
        .warning(.duplicateElement, "\(element) appears twice in this list", span,
                 notes: [Note(message: "first here", span: first)],
                 fixIts: [.replace(removal, with: "", "remove the second \(element)")])
    }

    package static func unused(_ kind: String, _ name: String, _ span: SourceSpan) -> Diagnostic {
        .warning(.unused, "\(kind) '\(name)' is never used", span)
    }

    /// A flag that reads only constants; `serves` is its value as JSON.
    package static func constantFlag(_ flag: String, serves: String, _ span: SourceSpan, fixIt: FixIt?) -> Diagnostic {
        .warning(.constantFlag, "flag '\(flag)' reads no attribute and always serves \(serves); "
                 + "write it as that constant if that is meant", span, fixIts: fixIt.map { [$0] } ?? [])
    }

    /// `bucket(key)` in two flags with the same salt (`first` is where the other flag has it).
    package static func sharedBucket(_ call: String, flag: String, other: String, line: Int, _ span: SourceSpan,
                                     first: SourceSpan, fixIt: FixIt?) -> Diagnostic {
        .warning(.sharedBucket, "\(call) in flag '\(flag)' uses the same key and salt as flag '\(other)' on line \(line): "
                 + "both pick exactly the same users; give each flag a salt of its own", span,
                 notes: [Note(message: "flag '\(other)' buckets the same users here", span: first)],
                 fixIts: fixIt.map { [$0] } ?? [])
    }

    package static func mixedServeTypes(_ flag: String, types: [String], _ span: SourceSpan) -> Diagnostic {
        .warning(.mixedTypes, "flag '\(flag)' serves values of different types (\(types.joined(separator: ", ")))", span)
    }

    // MARK: Warnings from sample records (`cohort check --users`)

    /// A path no record of `records` has (`suggestion`: the closest path they do have).
    package static func unknownAttribute(_ path: String, records: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        .warning(.unknownAttribute, "no record in \(records) has '\(path)'" + didYouMean(suggestion), span,
                 fixIts: rename(span, path, to: suggestion))
    }

    /// A path every record of `records` has, always null.
    package static func attributeAlwaysNull(_ path: String, records: String, _ span: SourceSpan) -> Diagnostic {
        .warning(.unknownAttribute, "'\(path)' is null in every record of \(records)", span)
    }

    /// An attribute whose types in the records (`seen`, in `count` records) never fit its use.
    package static func attributeType(_ path: String, seen: Set<ValueKind>, records: String, count: Int, operation: String,
                                      accepted: Set<ValueKind>, isEquality: Bool, _ span: SourceSpan) -> Diagnostic {
        let held = "'\(path)' is \(kindList(seen)) in \(count == 1 ? "the record" : "all \(grouped(count)) records") of \(records) that "
            + (count == 1 ? "has it" : "have it")
        return .warning(.attributeType, held + (isEquality
            ? ", so \(operation) is never true"
            : ", but \(operation) needs \(kindList(accepted))"), span)
    }

    /// A `when` that serves no record of `records` (`count` of them evaluated).
    package static func unreachedArm(count: Int, records: String, _ span: SourceSpan) -> Diagnostic {
        .warning(.unreachedArm, "this 'when' serves no record of \(records) (\(grouped(count)) record\(count == 1 ? "" : "s") evaluated)", span)
    }

    /// A flag that every record gets `value` from.
    package static func sameValue(_ flag: String, value: String, count: Int, records: String, _ span: SourceSpan) -> Diagnostic {
        .warning(.sameValue, count == 1
            ? "the one record of \(records) gets \(value) from flag '\(flag)'"
            : "every record of \(records) (\(grouped(count))) gets \(value) from flag '\(flag)'", span)
    }

    /// A flag that fails for `count` of `total` records; the first failure is at `line`
    /// (record id `id`, as JSON), with `message`, at `span`.
    package static func flagErrors(_ flag: String, count: Int, of total: Int, records: String, line: Int, id: String?,
                                   message: String, _ span: SourceSpan) -> Diagnostic {
        let example = "line \(line)" + (id.map { ", id \($0)" } ?? "")
        return .warning(.flagErrors, "flag '\(flag)' fails for \(grouped(count)) of \(grouped(total)) records of \(records) (\(share(count, of: total))), "
                        + "e.g. \(example): \(message)", span)
    }

    /// The message of the records file's `unreadable-record` error.
    package static func unreadableRecords(_ count: Int, message: String) -> String {
        count == 1 ? "this record cannot be read: \(message)" : "\(grouped(count)) records cannot be read; the first: \(message)"
    }

    /// `1,000,000`: a count with its thousands grouped.
    private static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (k, digit) in digits.enumerated() {
            if k > 0, (digits.count - k) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `12.5%`, one decimal; `<0.1%` for a share too small to show.
    private static func share(_ count: Int, of total: Int) -> String {
        let tenths = Int((Double(count) * 1000 / Double(max(total, 1))).rounded())
        return tenths == 0 && count > 0 ? "<0.1%" : "\(tenths / 10).\(tenths % 10)%"
    }

    /// `a string`, `a number or a string`, `an object`.
    private static func kindList(_ kinds: Set<ValueKind>) -> String {
        kinds.map(\.name).sorted().map { ("aeiou".contains($0.first!) ? "an " : "a ") + $0 }.joined(separator: " or ")
    }

    // MARK: Helpers

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }

    /// The fix-it that wraps a span in a call: `user.v` becomes `semver(user.v)`.
    private static func wrap(_ span: SourceSpan, in function: String) -> FixIt {
        FixIt(message: "write \(function)(...)", edits: [
            Edit(span: SourceSpan(start: span.start, end: span.start), replacement: function + "("),
            Edit(span: SourceSpan(start: span.end, end: span.end), replacement: ")"),
        ])
    }

    /// The fix-it that replaces a misspelt name by the suggestion, if there is one.
    static func rename(_ span: SourceSpan, _ name: String, to suggestion: String?) -> [FixIt] {
        suggestion.map { [.replace(span, with: $0, "replace '\(name)' with '\($0)'")] } ?? []
    }
}


// MARK: - Tests and variants (`cohort test`, LANGUAGE.md §5)

extension Diagnostic {
    package static func duplicateVariant(_ name: String, flag: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        .error(.duplicateVariant, "variant name '\(name)' is used twice in flag '\(flag)'", span,
               notes: [Note(message: "first used here", span: first)])
    }

    package static func unknownReasonKind(_ word: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        .error(.unknownReason, "unknown reason kind '\(word)'; the kinds are static, match, split, default and error"
               + (suggestion.map { " (did you mean '\($0)'?)" } ?? ""), span)
    }

    /// A `{` of a test's JSON context that is never closed.
    package static func unclosedJSONObject(_ span: SourceSpan) -> Diagnostic {
        .error(.invalidJSON, "this '{' of a JSON object is never closed with '}'", span)
    }

    package static func expectOutsideTest(_ span: SourceSpan) -> Diagnostic {
        .error(.misplacedKeyword, "'expect' belongs inside a test block: test \"NAME\" { ... expect ... }", span)
    }

    /// `let`, `segment` or `flag` (`word`) inside a test block.
    package static func declarationInTest(_ word: String, _ span: SourceSpan) -> Diagnostic {
        .error(.misplacedKeyword, "'\(word)' cannot appear inside a test block; declare it in the rule file, or close the test with '}' first", span)
    }

    /// `expect EXPR reason KIND` where EXPR is not a flag's name.
    package static func reasonWithoutFlag(_ span: SourceSpan) -> Diagnostic {
        .error(.syntax, "'reason' follows a flag's name: expect FLAG reason KIND", span)
    }

    package static func invalidJSON(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error(.invalidJSON, "invalid JSON in a test's context: \(message)", span)
    }

    package static func secondUse(_ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        .error(.duplicate, "a test file uses one rule file; this is a second 'use'", span,
               notes: [Note(message: "the first 'use' is here", span: first)])
    }

    package static func declarationInTestFile(_ name: String, rulesPath: String, _ span: SourceSpan) -> Diagnostic {
        .error(.declarationInTestFile,
               "'\(name)' is declared in a test file that uses '\(rulesPath)'; declare it in the rule file (a file with 'use' holds only tests)",
               span)
    }

    package static func unreadableRules(_ path: String, resolved: String, _ span: SourceSpan) -> Diagnostic {
        .error(.io, "cannot read the rule file '\(path)' (looked for '\(resolved)'); the path is relative to this test file", span)
    }

    package static func duplicateTest(_ name: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        .error(.duplicate, "test '\(name)' is declared twice in this file", span, notes: [Note(message: "first declared here", span: first)])
    }

    package static func setupAfterExpect(_ span: SourceSpan, firstExpect: SourceSpan) -> Diagnostic {
        .error(.testOrder, "context, now and salt lines come before the first 'expect' of a test", span,
               notes: [Note(message: "the first 'expect' is here", span: firstExpect)])
    }

    package static func unknownRoot(_ root: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        .error(.unknownName, "unknown context root '\(root)'" + didYouMean(suggestion)
               + (suggestion == nil ? "; give a whole context with context {...}" : ""), span)
    }

    package static func givenTwice(_ what: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        .error(.duplicate, "\(what) is given twice in this test", span, notes: [Note(message: "first given here", span: first)])
    }

    package static func unknownFlag(_ name: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        .error(.unknownName, "unknown flag '\(name)'" + didYouMean(suggestion), span)
    }

    package static func reasonOfNonFlag(_ name: String, kind: String, _ span: SourceSpan) -> Diagnostic {
        .error(.unknownName, "'\(name)' is a \(kind), not a flag; only a flag's evaluation has a reason", span)
    }

    package static func expectationNotBoolean(found: String, _ span: SourceSpan) -> Diagnostic {
        .error(.notBoolean, "an expectation must be a boolean condition, but this is a \(found); compare it, as in expect FLAG == VALUE", span)
    }

    package static func emptyTest(_ name: String, _ span: SourceSpan) -> Diagnostic {
        .warning(.emptyTest, "test '\(name)' expects nothing; add an 'expect' line", span)
    }

    /// A test name that is empty, or holds a control character (`"a\nb"`), which would
    /// break the one-line-per-test output.
    package static func invalidTestName(empty: Bool, _ span: SourceSpan) -> Diagnostic {
        empty
            ? .error(.invalidTestName, "a test needs a name: test \"what it checks\" { ... }", span)
            : .error(.invalidTestName, "a test name is one line of text: no line breaks, tabs or other control characters", span)
    }

    /// `use "PATH"` where PATH is a test file itself (it has a `use` of its own), or this
    /// very file.
    package static func usesTestFile(_ path: String, itUses: String?, _ span: SourceSpan) -> Diagnostic {
        guard let itUses else {
            return .error(.usesTestFile, "a test file cannot use itself; name the rule file it tests", span)
        }
        return .error(.usesTestFile, "'\(path)' is a test file (it uses '\(itUses)'); name the rule file it tests", span)
    }

    package static func unreadableTestFile(_ path: String) -> Diagnostic {
        .error(.io, "cannot read '\(path)'", SourceSpan(start: 0, end: 0))
    }

    package static func testFileTooLarge(limit: Int) -> Diagnostic {
        sourceTooLarge(limit: limit)
    }


}
