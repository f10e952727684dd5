/// Every diagnostic message Cohort produces, in one voice. Codes are stable; tests and
/// tools may match on them.
extension Diagnostic {
    static func error(_ code: String, _ message: String, _ span: SourceSpan, notes: [Note] = []) -> Diagnostic {
        Diagnostic(severity: .error, code: code, message: message, span: span, notes: notes)
    }

    static func warning(_ code: String, _ message: String, _ span: SourceSpan, notes: [Note] = []) -> Diagnostic {
        Diagnostic(severity: .warning, code: code, message: message, span: span, notes: notes)
    }

    // MARK: Source and lexical

    package static func invalidUTF8(byte: UInt8, at span: SourceSpan) -> Diagnostic {
        .error("invalid-utf8", "source is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))", span)
    }

    package static func lexical(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error("lexical", message, span)
    }

    package static func limit(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error("limit", message, span)
    }

    /// The whole source is over `limits.maxSourceBytes`.
    package static func sourceTooLarge(_ limits: Limits) -> Diagnostic {
        .limit("source is larger than \(limits.maxSourceBytes) bytes (limit)", SourceSpan(start: 0, end: 0))
    }

    // MARK: Syntax

    package static func syntax(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error("syntax", message, span)
    }

    package static func unexpectedToken(_ found: String, expected: String, _ span: SourceSpan) -> Diagnostic {
        .error("syntax", "expected \(expected), found \(found)", span)
    }

    package static func unknownOperator(_ word: String, suggestion: String, _ span: SourceSpan) -> Diagnostic {
        .error("unknown-operator", "unknown operator '\(word)'; did you mean '\(suggestion)'?", span)
    }

    package static func reservedName(_ word: String, _ span: SourceSpan) -> Diagnostic {
        .error("reserved-name", "'\(word)' is a reserved word and cannot be declared", span)
    }

    package static func missingDefault(flag: String, _ span: SourceSpan) -> Diagnostic {
        .error("missing-default", "flag '\(flag)' has no 'default'; a flag block must end with 'default VALUE'", span)
    }

    // MARK: Names and calls

    package static func unknownName(_ name: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        .error("unknown-name", "unknown name '\(name)'" + didYouMean(suggestion), span)
    }

    package static func unknownFunction(_ name: String, suggestion: String?, isOperator: Bool, _ span: SourceSpan) -> Diagnostic {
        if let suggestion, isOperator {
            return .error("unknown-function", "unknown function '\(name)'; did you mean the operator '\(suggestion)' (a \(suggestion) b)?", span)
        }
        return .error("unknown-function", "unknown function '\(name)'" + didYouMean(suggestion), span)
    }

    package static func notAFunction(_ name: String, _ span: SourceSpan) -> Diagnostic {
        .error("unknown-function", "'\(name)' is not a function; only built-in functions can be called", span)
    }

    package static func arity(_ function: String, expected: String, got: Int, _ span: SourceSpan) -> Diagnostic {
        .error("arity", "\(function)() takes \(expected), but \(got == 0 ? "none" : String(got)) \(got == 1 ? "was" : "were") given", span)
    }

    package static func functionAsValue(_ name: String, _ span: SourceSpan) -> Diagnostic {
        .error("unknown-name", "'\(name)' is a function; call it as \(name)(...)", span)
    }

    // MARK: Types and constants

    package static func typeMismatch(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error("type-mismatch", message, span)
    }

    package static func constantFails(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error("constant-error", "this constant expression always fails: \(message)", span)
    }

    package static func invalidRegex(_ message: String, _ span: SourceSpan) -> Diagnostic {
        .error("invalid-regex", "invalid regular expression: \(message)", span)
    }

    package static func regexNotConstant(_ span: SourceSpan) -> Diagnostic {
        .error("invalid-regex", "the pattern of 'matches' must be a constant string", span)
    }

    package static func invalidVersionLiteral(_ text: String, _ span: SourceSpan) -> Diagnostic {
        .error("invalid-literal", "'\(text)' is not a valid semantic version (MAJOR[.MINOR[.PATCH]][-pre][+build])", span)
    }

    package static func invalidTimeLiteral(_ text: String, _ span: SourceSpan) -> Diagnostic {
        .error("invalid-literal", "'\(text)' is not a valid time (RFC 3339, e.g. 2026-12-01T09:00:00Z, or a date 2026-12-01)", span)
    }

    // MARK: Rule files

    package static func duplicateDeclaration(_ name: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        .error("duplicate", "'\(name)' is declared twice", span, notes: [Note(message: "first declared here", span: first)])
    }

    package static func cycle(_ path: [String], _ span: SourceSpan) -> Diagnostic {
        .error("cycle", "declarations refer to each other in a cycle: \(path.joined(separator: " -> "))", span)
    }

    package static func segmentNotBoolean(_ name: String, found: String, _ span: SourceSpan) -> Diagnostic {
        .error("segment-not-boolean", "segment '\(name)' must be a boolean condition, but it is a \(found)", span)
    }

    package static func notBoolean(_ what: String, found: String, _ span: SourceSpan) -> Diagnostic {
        .error("not-boolean", "\(what) must be a boolean condition, but it is a \(found)", span)
    }

    package static func defaultNotConstant(_ flag: String, _ span: SourceSpan) -> Diagnostic {
        .error("default-not-constant", "the default of flag '\(flag)' must be a constant", span)
    }

    package static func unreachableWhen(_ span: SourceSpan, after: SourceSpan) -> Diagnostic {
        .warning("unreachable", "this 'when' can never be reached: an earlier condition is always true", span,
                 notes: [Note(message: "always true here", span: after)])
    }

    package static func unused(_ kind: String, _ name: String, _ span: SourceSpan) -> Diagnostic {
        .warning("unused", "\(kind) '\(name)' is never used", span)
    }

    package static func mixedServeTypes(_ flag: String, types: [String], _ span: SourceSpan) -> Diagnostic {
        .warning("mixed-types", "flag '\(flag)' serves values of different types (\(types.joined(separator: ", ")))", span)
    }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }
}


// MARK: - Tests and variants (`cohort test`, LANGUAGE.md §5)

extension Diagnostic {
    package static func duplicateVariant(_ name: String, flag: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        testingError("duplicate-variant", "variant name '\(name)' is used twice in flag '\(flag)'", span,
                     notes: [Note(message: "first used here", span: first)])
    }

    package static func unknownReasonKind(_ word: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        testingError("unknown-reason", "unknown reason kind '\(word)'; the kinds are static, match, split, default and error"
                     + (suggestion.map { " (did you mean '\($0)'?)" } ?? ""), span)
    }

    package static func invalidJSON(_ message: String, _ span: SourceSpan) -> Diagnostic {
        testingError("invalid-json", "invalid JSON in a test's context: \(message)", span)
    }

    package static func secondUse(_ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        testingError("duplicate", "a test file uses one rule file; this is a second 'use'", span,
                     notes: [Note(message: "the first 'use' is here", span: first)])
    }

    package static func declarationInTestFile(_ name: String, rulesPath: String, _ span: SourceSpan) -> Diagnostic {
        testingError("declaration-in-test-file",
                     "'\(name)' is declared in a test file that uses '\(rulesPath)'; declare it in the rule file (a file with 'use' holds only tests)",
                     span)
    }

    package static func unreadableRules(_ path: String, resolved: String, _ span: SourceSpan) -> Diagnostic {
        testingError("io", "cannot read the rule file '\(path)' (looked for '\(resolved)'); the path is relative to this test file", span)
    }

    package static func duplicateTest(_ name: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        testingError("duplicate", "test '\(name)' is declared twice in this file", span, notes: [Note(message: "first declared here", span: first)])
    }

    package static func setupAfterExpect(_ span: SourceSpan, firstExpect: SourceSpan) -> Diagnostic {
        testingError("test-order", "context, now and salt lines come before the first 'expect' of a test", span,
                     notes: [Note(message: "the first 'expect' is here", span: firstExpect)])
    }

    package static func unknownRoot(_ root: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        testingError("unknown-name", "unknown context root '\(root)'" + didYouMeanText(suggestion)
                     + (suggestion == nil ? "; give a whole context with context {...}" : ""), span)
    }

    package static func givenTwice(_ what: String, _ span: SourceSpan, first: SourceSpan) -> Diagnostic {
        testingError("duplicate", "\(what) is given twice in this test", span, notes: [Note(message: "first given here", span: first)])
    }

    package static func unknownFlag(_ name: String, suggestion: String?, _ span: SourceSpan) -> Diagnostic {
        testingError("unknown-name", "unknown flag '\(name)'" + didYouMeanText(suggestion), span)
    }

    package static func reasonOfNonFlag(_ name: String, kind: String, _ span: SourceSpan) -> Diagnostic {
        testingError("unknown-name", "'\(name)' is a \(kind), not a flag; only a flag's evaluation has a reason", span)
    }

    package static func expectationNotBoolean(found: String, _ span: SourceSpan) -> Diagnostic {
        testingError("not-boolean", "an expectation must be a boolean condition, but this is a \(found); compare it, as in expect FLAG == VALUE", span)
    }

    package static func emptyTest(_ name: String, _ span: SourceSpan) -> Diagnostic {
        testingWarning("empty-test", "test '\(name)' expects nothing; add an 'expect' line", span)
    }

    package static func unreadableTestFile(_ path: String) -> Diagnostic {
        testingError("io", "cannot read '\(path)'", SourceSpan(start: 0, end: 0))
    }

    package static func testFileTooLarge(limit: Int) -> Diagnostic {
        testingError("limit", "source is larger than \(limit) bytes (limit)", SourceSpan(start: 0, end: 0))
    }

    private static func didYouMeanText(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }

    // Built directly rather than through `error`/`warning`, whose code parameter may
    // change type.
    private static func testingError(_ code: String, _ message: String, _ span: SourceSpan, notes: [Note] = []) -> Diagnostic {
        Diagnostic(severity: .error, code: code, message: message, span: span, notes: notes)
    }

    private static func testingWarning(_ code: String, _ message: String, _ span: SourceSpan, notes: [Note] = []) -> Diagnostic {
        Diagnostic(severity: .warning, code: code, message: message, span: span, notes: notes)
    }
}
