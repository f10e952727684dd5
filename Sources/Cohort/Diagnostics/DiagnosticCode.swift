/// The stable code of every kind of diagnostic, as `Diagnostic.code` spells it. Tools and
/// tests match on these; `docs/diagnostics.md` has a section for each, with an example and
/// how to fix it (a test keeps the two lists equal). Never rename a code: add a new one.
package enum DiagnosticCode: String, Sendable, CaseIterable {
    // MARK: Source
    /// The rule file is not valid UTF-8.
    case invalidUTF8 = "invalid-utf8"
    /// The rule file cannot be read.
    case io
    /// A limit of `Limits` was exceeded; the message names it.
    case limit

    // MARK: Lexical
    /// A character that starts no token.
    case unexpectedCharacter = "unexpected-character"
    /// A malformed number literal.
    case invalidNumber = "invalid-number"
    /// A string literal without its closing quote on the same line.
    case unterminatedString = "unterminated-string"
    /// An escape other than `\" \' \\ \n \r \t \u{...}` in a string.
    case invalidEscape = "invalid-escape"

    // MARK: Syntax
    /// A token where the grammar wants something else.
    case syntax
    /// `=` where a comparison belongs: `==` was meant.
    case singleEquals = "single-equals"
    /// `a < b < c`.
    case chainedComparison = "chained-comparison"
    /// `when`/`serve`/`default` outside a flag block, or `when` after `default`.
    case misplacedKeyword = "misplaced-keyword"
    /// `not` where an operand belongs (`a == not b`).
    case misplacedNot = "misplaced-not"
    /// `.name` after a number literal.
    case numberMember = "number-member"
    /// A call of something that is not a built-in function.
    case notAFunction = "not-a-function"
    /// A reserved word used as a name.
    case reservedName = "reserved-name"
    /// A flag block without `default`.
    case missingDefault = "missing-default"
    /// A misspelt word operator (`startsWith`, `is`).
    case unknownOperator = "unknown-operator"

    // MARK: Names and calls
    /// A name that is neither a declaration nor a context root.
    case unknownName = "unknown-name"
    /// A built-in function named without calling it.
    case functionAsValue = "function-as-value"
    /// A call of an unknown function.
    case unknownFunction = "unknown-function"
    /// A call with the wrong number of arguments.
    case arity

    // MARK: Types and constants
    /// Operand types that can never work.
    case typeMismatch = "type-mismatch"
    /// A constant expression that always fails (`1 / 0`).
    case constantError = "constant-error"
    /// A regular expression that does not compile.
    case invalidRegex = "invalid-regex"
    /// `matches` with a pattern that is not a constant string.
    case regexNotConstant = "regex-not-constant"
    /// A version or time literal that does not parse.
    case invalidLiteral = "invalid-literal"

    // MARK: Rule files
    /// A name declared twice.
    case duplicate
    /// Declarations that use each other in a circle.
    case cycle
    /// A segment that is not a boolean condition.
    case segmentNotBoolean = "segment-not-boolean"
    /// A boolean flag or `when` condition that is not a boolean.
    case notBoolean = "not-boolean"
    /// A flag default that is not a constant.
    case defaultNotConstant = "default-not-constant"

    // MARK: Test files (`cohort test`)
    /// The same variant name twice in one flag.
    case duplicateVariant = "duplicate-variant"
    /// `expect FLAG reason KIND` with an unknown kind.
    case unknownReason = "unknown-reason"
    /// A test's JSON context that does not parse.
    case invalidJSON = "invalid-json"
    /// A declaration in a test file that uses a rule file.
    case declarationInTestFile = "declaration-in-test-file"
    /// A context, `now` or `salt` line after the first `expect` of a test.
    case testOrder = "test-order"
    /// A test that expects nothing.
    case emptyTest = "empty-test"
    /// A test name that is empty or holds a line break or another control character.
    case invalidTestName = "invalid-test-name"
    /// `use` naming a test file (one with a `use` of its own) instead of a rule file.
    case usesTestFile = "uses-test-file"

    // MARK: Evaluation and tools
    /// An error value at run time (REPL, eval).
    case evaluation
    /// A bug in Cohort itself (the formatter refused to change a file's meaning).
    case `internal`

    // MARK: Warnings: rules that compile but do not do what they seem to
    /// A `when` after a condition that is always true.
    case unreachable
    /// A `when` that an earlier `when` of the same flag already covers.
    case shadowedArm = "shadowed-arm"
    /// A condition that can never be true.
    case contradiction
    /// An `or` that is always true.
    case tautology
    /// A side of `and`/`or` implied by another side.
    case redundantCondition = "redundant-condition"
    /// A version-looking string compared by order with a plain attribute.
    case versionAsString = "version-as-string"
    /// A time-looking string compared by order with a plain attribute.
    case timeAsString = "time-as-string"
    /// The same element twice in a list literal.
    case duplicateElement = "duplicate-element"
    /// A `let` or `segment` nothing uses.
    case unused
    /// A flag that reads only constants but is not written as one.
    case constantFlag = "constant-flag"
    /// `bucket` with the same key and salt in two flags.
    case sharedBucket = "shared-bucket"
    /// A flag that serves values of different types.
    case mixedTypes = "mixed-types"

    // MARK: Warnings from sample records (`cohort check --users`)
    /// An attribute path no record has.
    case unknownAttribute = "unknown-attribute"
    /// An attribute whose type in the records never fits its use.
    case attributeType = "attribute-type"
    /// A `when` that serves no record of the sample.
    case unreachedArm = "unreached-arm"
    /// A flag every record gets the same value from.
    case sameValue = "same-value"
    /// A flag that fails for some records.
    case flagErrors = "flag-errors"
    /// A record of the sample that cannot be read.
    case unreadableRecord = "unreadable-record"
}
