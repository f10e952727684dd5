import Cohort
import Foundation
import Testing

/// One row of the match table: does `pattern` match somewhere in `text`?
struct RegexMatchCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var text: String
    var expected: Bool

    var testDescription: String {
        "\(pattern.debugDescription) \(expected ? "matches" : "does not match") \(text.debugDescription)"
    }
}

/// One row of the error table: `pattern` is refused at `offset` (in scalars) with a message
/// containing `message`.
struct RegexErrorCase: Sendable, CustomTestStringConvertible {
    var pattern: String
    var offset: Int
    var message: String

    var testDescription: String { "\(pattern.prefix(40).debugDescription) → \(offset): \(message)" }
}

private func yes(_ pattern: String, _ texts: String...) -> [RegexMatchCase] {
    texts.map { RegexMatchCase(pattern: pattern, text: $0, expected: true) }
}

private func no(_ pattern: String, _ texts: String...) -> [RegexMatchCase] {
    texts.map { RegexMatchCase(pattern: pattern, text: $0, expected: false) }
}

private func refused(_ pattern: String, at offset: Int, _ message: String) -> RegexErrorCase {
    RegexErrorCase(pattern: pattern, offset: offset, message: message)
}

/// The error `pattern` is refused with, or nil when it compiles.
private func compileError(_ pattern: String) -> RegexSyntaxError? {
    do {
        _ = try RegexPattern(pattern)
        return nil
    } catch {
        return error
    }
}

/// The tables, one per family of syntax.
enum RegexTable {
    static let literals: [RegexMatchCase] = [
        yes("abc", "abc", "xxabcxx", "abcabc"),
        no("abc", "", "ab", "acb", "ABC", "a bc"),
        yes("", "", "anything"),
        yes("a\\.b", "a.b"), no("a\\.b", "axb"),
        yes("a.b", "axb", "a.b", "a😀b"), no("a.b", "ab", "a\nb"),
        yes("\\\\", "a\\b"), no("\\\\", "ab"),
        yes("\\/\\-\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\#\\&\\~\\@\\'\\\"", "/-*+?()[]{}|^$#&~@'\""),
        yes("a\\nb", "a\nb"), yes("\\t", "\t"), yes("\\r", "\r"), yes("\\f", "\u{0C}"), yes("\\v", "\u{0B}"),
        no("\\t", "t", " "),
        yes("]", "a]"), yes("}", "}"), yes("a}", "a}"),
        yes("é", "café"), no("é", "cafe\u{301}"),  // scalars, not characters
        yes("😀+", "x😀😀"), no("😀", "x"),
        yes("^é$", "é"), no("^é$", "e\u{301}"),
    ].flatMap { $0 }

    static let classes: [RegexMatchCase] = [
        yes("[abc]", "xbx"), no("[abc]", "xyz", ""),
        yes("[a-z]", "m"), no("[a-z]", "M", "0"),
        yes("[^a-z]", "M", "abc1"), no("[^a-z]", "abc", ""),
        yes("^[a-c0-2_]+$", "ab_21c"), no("^[a-c0-2_]+$", "abd"),
        yes("[-a]", "-"), yes("[a-]", "-"), yes("[a\\-z]", "-"), no("[a\\-z]", "b"),
        yes("[\\]]", "]"), yes("[\\[]", "["), yes("[\\\\]", "\\"), yes("[\\^]", "^"), yes("[a^]", "^"),
        yes("[.]", "."), no("[.]", "x"),
        yes("[\\d]", "7"), no("[\\d]", "x"), yes("[\\dx]", "x"), yes("[^\\d]", "x"), no("[^\\d]", "5"),
        yes("[\\w-]", "-", "_"), yes("[\\s]", " "), yes("[\\D]", "a"), no("[\\D]", "1"),
        yes("[\\W]", "!"), yes("[\\S]", "x"), no("[\\S]", " \t"),
        yes("[\\n]", "\n"), yes("[\\t]", "\t"),
        yes("[é-ë]", "ê"), no("[é-ë]", "e"), yes("[😀-😂]", "😁"),
        no("[^\\s\\S]", "a", " ", ""),  // the empty class
    ].flatMap { $0 }

    static let shorthands: [RegexMatchCase] = [
        yes("\\d", "a1"), no("\\d", "abc", "١"),  // ASCII digits only
        yes("\\D", "1a"), no("\\D", "123", ""),
        yes("\\w", "_", "Z", "0"), no("\\w", "-", "é", " "),
        yes("\\W", "é", "-"), no("\\W", "abc_09"),
        yes("\\s", " ", "\t", "\n", "\r", "\u{0C}", "\u{0B}"), no("\\s", "x", "\u{A0}"),
        yes("\\S", " x "), no("\\S", " \t\n"),
    ].flatMap { $0 }

    static let anchors: [RegexMatchCase] = [
        yes("^ab", "abc"), no("^ab", "cab"),
        yes("ab$", "cab"), no("ab$", "abc", "ab\n"),  // $ is the very end only
        yes("^$", ""), no("^$", "a", "\n"),
        yes("^a$", "a"), no("^a$", "aa", "a\n"),
        yes("a^b|c", "c"), no("a^b", "a^b", "ab"),
        yes("a$|b", "b"), no("a$b", "ab"),
        yes("\\bfoo\\b", "foo", "a foo", "(foo)"), no("\\bfoo\\b", "afoo", "foo_", "foo1"),
        yes("\\Boo\\B", "foobar"), no("\\Boo\\B", "oo", "foo"),
        yes("\\b", "a"), no("\\b", "", " ", "-"),
        yes("\\B", "", " "), no("\\B", "a"),
        no("é\\b", "é"), no("\\bé", "é"), yes("é\\B", "é"),  // é is not \w (ASCII only)
        yes("a\\bé", "aé"),
        yes("^(?:a|^b)", "b"),
        // Skipping ahead to where a match can start keeps the neighbours `\b` looks at.
        yes("\\bbob\\b", "bobby bob", "bob"), no("\\bbob\\b", "bobby", "abob", "bob_"),
        yes("\\d?\\B[😀-😂]", "ë1é😀béa"), yes("é?\\b[😀-😂]", "é.\n_kc😀_"), no("\\b[😀-😂]", "é😀"),
        yes("[0-9]{3}-", "ab 12-345-"), no("[0-9]{3}-", "12-34-"),
    ].flatMap { $0 }

    static let groups: [RegexMatchCase] = [
        yes("(ab)+$", "xabab"), no("^(ab)+$", "aba"),
        yes("(?:ab)+$", "abab"), no("^(?:ab)+$", "abb"),
        yes("^(a|bc|)$", "a", "bc", ""), no("^(a|bc|)$", "b", "abc"),
        yes("^(a(b(c)))$", "abc"),
        yes("()", "x"), yes("^()$", ""), yes("a()b", "ab"),
        yes("cat|dog", "hotdog"), no("cat|dog", "cow"),
        yes("^(?:qa|beta)-", "qa-1", "beta-2"), no("^(?:qa|beta)-", "alpha-1", "xqa-1"),
        yes("|", "anything"), yes("a|", ""),
    ].flatMap { $0 }

    static let quantifiers: [RegexMatchCase] = [
        yes("^a*$", "", "aaa"), no("^a*$", "ab"),
        yes("^a+$", "a", "aaaa"), no("^a+$", ""),
        yes("^ab?c$", "ac", "abc"), no("^ab?c$", "abbc"),
        yes("^a{3}$", "aaa"), no("^a{3}$", "aa", "aaaa"),
        yes("^a{2,}$", "aa", "aaaaaaa"), no("^a{2,}$", "a"),
        yes("^a{2,4}$", "aa", "aaa", "aaaa"), no("^a{2,4}$", "a", "aaaaa"),
        yes("^a{0}b$", "b"), no("^a{0}b$", "ab"),
        yes("^a{0,0}$", ""), yes("^a{1}$", "a"), yes("^a{0,1}$", "", "a"),
        yes("^(ab){2}$", "abab"), no("^(ab){2}$", "ab"),
        yes("^a*?$", "aa"), yes("^a+?$", "a"), yes("^a??$", ""), yes("^a{2,3}?$", "aaa"), yes("^a{2,}?$", "aaaa"),
        no("^a{2,3}?$", "a"),
        yes("^(a*)*$", "aaa", ""), yes("^(a?)+$", ""), yes("^(a*)+b$", "b", "aab"), yes("^(|a)+$", "aa"),
        yes("^[0-9]{3}-[0-9]{4}$", "555-1234"), no("^[0-9]{3}-[0-9]{4}$", "55-1234"),
        yes("x{1000}", String(repeating: "x", count: 1000)), no("x{1000}", String(repeating: "x", count: 999)),
        yes("^.{2,3}$", "😀😀"),  // counts scalars
    ].flatMap { $0 }

    static let caseInsensitive: [RegexMatchCase] = [
        yes("(?i)abc", "ABC", "aBc", "xAbCx"), no("(?i)abc", "abd"),
        no("abc", "ABC"),
        yes("(?i)[a-c]+$", "ABC"), yes("(?i)[A-C]", "b"), no("(?i)[a-c]", "d", "D"),
        no("(?i)[^a]", "a", "A"), yes("(?i)[^a]", "b"),
        yes("(?i)^u-\\d+$", "U-42"), yes("(?i)@ACME\\.com$", "ada@acme.COM"),
        yes("(?i)k", "\u{212A}"), yes("(?i)\u{212A}", "k", "K"),  // Kelvin sign
        yes("(?i)s", "ſ"), yes("(?i)σ", "Σ", "ς"), yes("(?i)é", "É"), yes("(?i)ǆ", "ǅ", "Ǆ"),
        no("(?i)i", "ı"), no("(?i)ß", "ss"),  // dotless i stays apart; no multi-scalar folds
        yes("(?i)\\w", "A"), no("(?i)\\W", "a"),  // shorthands are not folded
        yes("(?i)", ""),
    ].flatMap { $0 }

    static let all = literals + classes + shorthands + anchors + groups + quantifiers + caseInsensitive

    static let errors: [RegexErrorCase] = [
        refused("a\\1", at: 1, "backreferences are not supported (they need backtracking)"),
        refused("(a)\\9", at: 3, "backreferences"),
        refused("\\k<x>", at: 0, "backreferences"),
        refused("(?=a)", at: 0, "look-ahead"),
        refused("a(?!b)", at: 1, "look-ahead"),
        refused("(?<=a)b", at: 0, "look-behind"),
        refused("x(?<!a)b", at: 1, "look-behind"),
        refused("a(?i)b", at: 1, "(?i) is only allowed at the very start"),
        refused("(?i)(?i)a", at: 4, "(?i) is only allowed at the very start"),
        refused("(?i:a)", at: 0, "scoped flags"),
        refused("(?m)^a", at: 0, "inline flags other than (?i)"),
        refused("(?s).", at: 0, "inline flags"),
        refused("(?-i)a", at: 0, "inline flags"),
        refused("(?<name>a)", at: 0, "named groups"),
        refused("(?P<name>a)", at: 0, "named groups"),
        refused("(?>a)", at: 0, "atomic groups"),
        refused("(?#note)", at: 0, "comments"),
        refused("(?", at: 0, "never closed"),
        refused("a(?i", at: 1, "never closed"),
        refused("(ab", at: 0, "unbalanced parenthesis: '(' is never closed"),
        refused("a(b(c)", at: 1, "never closed"),
        refused("ab)", at: 2, "unbalanced parenthesis: this ')' has no matching '('"),
        refused("(a))", at: 3, "no matching '('"),
        refused("[z-a]", at: 1, "bad range z-a"),
        refused("x[b-a]", at: 2, "bad range b-a"),
        refused("*a", at: 0, "nothing to repeat"),
        refused("a|*b", at: 2, "nothing to repeat"),
        refused("(+a)", at: 1, "nothing to repeat"),
        refused("?", at: 0, "nothing to repeat"),
        refused("{2}", at: 0, "nothing to repeat"),
        refused("a**", at: 2, "nothing to repeat"),
        refused("a{2}{3}", at: 4, "nothing to repeat"),
        refused("a*??", at: 3, "nothing to repeat"),
        refused("^*", at: 1, "nothing to repeat"),
        refused("\\b+", at: 2, "nothing to repeat"),
        refused("a*+", at: 2, "possessive"),
        refused("a{3,2}", at: 1, "minimum above its maximum"),
        refused("a{1001}", at: 1, "repetition count 1001 is above the limit of 1000"),
        refused("a{2,1001}", at: 1, "limit of 1000"),
        refused("a{1001,}", at: 1, "limit of 1000"),
        refused("a{99999999999999999999}", at: 1, "repetition count 99999999999999999999"),
        refused("a{", at: 1, "\\{ for a literal brace"),
        refused("a{x}", at: 1, "\\{"),
        refused("a{,3}", at: 1, "\\{"),
        refused("{", at: 0, "a literal '{' must be escaped"),
        refused("abc[", at: 3, "unterminated character class"),
        refused("[a-", at: 0, "unterminated"),
        refused("[]", at: 0, "empty character class"),
        refused("[^]", at: 0, "empty character class"),
        refused("[a[b]]", at: 2, "'[' inside a character class must be escaped"),
        refused("[[:alpha:]]", at: 1, "'[' inside"),
        refused("[\\d-z]", at: 1, "a range cannot start with a class shorthand"),
        refused("[a-\\d]", at: 3, "a range cannot end with a class shorthand"),
        refused("[a-c-e]", at: 4, "'-' right after a range"),
        refused("[\\b]", at: 1, "cannot be used inside a character class"),
        refused("a\\", at: 1, "lone backslash"),
        refused("[a\\", at: 2, "lone backslash"),
        refused("\\q", at: 0, "unknown escape \\q"),
        refused("\\ ", at: 0, "unknown escape"),
        refused("\\é", at: 0, "unknown escape"),
        refused("\\0", at: 0, "unknown escape"),
        refused("\\A", at: 0, "use ^"),
        refused("ab\\z", at: 2, "use $"),
        refused("\\Z", at: 0, "use $"),
        refused("\\p{L}", at: 0, "Unicode property classes"),
        refused("\\x41", at: 0, "code escapes"),
        refused("\\Qa.b\\E", at: 0, "quoting"),
        refused("é😀\\1", at: 2, "backreferences"),  // offsets count scalars
        refused(String(repeating: "a", count: 10_001), at: 10_000, "above the limit of 10000"),
        refused("(a{1000}){1000}", at: 9, "more than 20000 instructions"),
        refused("x(?:abcdefghijklmnopqrstu){1000}", at: 26, "more than 20000 instructions"),
        refused(String(repeating: "(", count: 101) + String(repeating: ")", count: 101), at: 100, "nest more than 100"),
    ]
}

@Suite("Regular expressions")
struct RegexTests {
    @Test("matches as a search over Unicode scalars", arguments: RegexTable.all)
    func match(_ row: RegexMatchCase) throws {
        let regex = try RegexPattern(row.pattern)
        #expect(regex.matches(row.text) == row.expected)
    }

    @Test("refuses unsupported and malformed syntax with the offset of the problem", arguments: RegexTable.errors)
    func refuse(_ row: RegexErrorCase) {
        let error = compileError(row.pattern)
        #expect(error?.offset == row.offset)
        #expect(error?.message.contains(row.message) == true, "message: \(error?.message ?? "none")")
    }

    @Test("accepts patterns right at the limits")
    func limits() throws {
        #expect(compileError(String(repeating: "a", count: RegexPattern.maxPatternLength)) == nil)
        #expect(compileError("a{1000}") == nil)
        #expect(compileError("a{0,1000}b{1000,}") == nil)
        #expect(compileError(String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100)) == nil)
        // 19 instructions per copy: under the limit where 21 per copy is over it.
        #expect(compileError("(?:abcdefghijklmnopqrs){1000}") == nil)
    }

    @Test("nested quantifiers stay linear where backtracking is exponential")
    func pathological() throws {
        let text = String(repeating: "a", count: 100_000) + "b"
        for pattern in ["(a+)+$", "(a|a)+$", "(a|aa)+$", "^(a*)*$", "(?:a?){50}a{50}$", "^(a+\\s?)*$", "(.*a){20}c"] {
            let matched = try RegexPattern(pattern).matches(text)
            #expect(matched == false, "\(pattern)")
        }
        let found = try RegexPattern("(a+)+b$").matches(text)
        #expect(found)
    }

    @Test("a literal pattern compares scalars, not canonically equivalent characters")
    func literalFastPaths() throws {
        let cases: [(String, String, Bool)] = [
            ("@acme\\.com$", "ada@acme.com", true), ("@acme\\.com$", "ada@acme.com.au", false),
            ("^u-", "u-1", true), ("^u-", "au-1", false), ("^é$", "é", true), ("^é$", "e\u{301}", false),
            ("é", "e\u{301}", false), ("^$", "", true), ("^$", " ", false), ("$", "x", true), ("^", "", true),
            ("abc", "ab", false), ("ab$", "b", false),
        ]
        for (pattern, text, expected) in cases {
            #expect(try RegexPattern(pattern).matches(text) == expected, "\(pattern) on \(text.debugDescription)")
        }
    }

    @Test("a compiled pattern can be shared between tasks")
    func sharedBetweenTasks() async throws {
        let regex = try RegexPattern("^u-[0-9]+$")
        let hits = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask { regex.matches(i.isMultiple(of: 2) ? "u-\(i)" : "v-\(i)") }
            }
            var hits = 0
            for await hit in group where hit { hits += 1 }
            return hits
        }
        #expect(hits == 32)
    }

    @Test("agrees with NSRegularExpression on thousands of random patterns and inputs")
    func differential() throws {
        var random = RegexTestRandom(seed: 0x5EED_2E6E)
        var disagreements: [String] = []
        var checked = 0
        for _ in 0..<PropertyScale.count(1_000) {
            let pattern = RegexGenerator.pattern(&random)
            let ours = try RegexPattern(pattern)
            let theirs = try NSRegularExpression(pattern: pattern)
            for _ in 0..<8 {
                let text = RegexGenerator.input(&random)
                let expected = theirs.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
                if ours.matches(text) != expected, disagreements.count < 10 {
                    disagreements.append("\(pattern.debugDescription) on \(text.debugDescription): ICU says \(expected)")
                }
                checked += 1
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
        #expect(checked == PropertyScale.count(1_000) * 8)
    }
}

/// The shared seeded generator (Support/SplitMix64.swift).
private typealias RegexTestRandom = SplitMix64

/// Random patterns from the syntax both engines read alike, and random short inputs.
///
/// Inputs are ASCII without line terminators, where ICU and Cohort agree on `.` (ICU also
/// stops at `\r`), `$` (ICU also matches before a final `\n`), `\d`, `\w`, `\s`, `\b` (ICU's
/// are Unicode) and case folding. `\v` is left out (ICU reads it as a class), and so are
/// `{0}` and lazy quantifiers on bodies that can match the empty string, which ICU gets
/// wrong (Cohort's answers there were checked against a brute-force reference).
private enum RegexGenerator {
    static let atoms = [
        "a", "b", "c", "A", "-", "1", " ", "\\.", "\\-", ".", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S",
        "[ab]", "[^a]", "[a-c]", "[^b-c]", "[a\\d]", "[\\w-]", "[.]", "[^\\s]", "[A-B]", "[-a]", "[\\]a]",
    ]
    static let anchors = ["^", "$", "\\b", "\\B"]
    static let greedy = ["*", "+", "?", "{2}", "{0,2}", "{1,3}", "{2,}", "{1}"]
    static let lazy = ["*?", "+?", "??", "{1,2}?", "{2,}?"]
    static let alphabet: [Character] = ["a", "b", "c", "A", "B", "1", "-", ".", " ", "_", "]"]

    static func pattern(_ random: inout RegexTestRandom) -> String {
        (random.below(5) == 0 ? "(?i)" : "") + alternation(&random, depth: 0).text
    }

    static func input(_ random: inout RegexTestRandom) -> String {
        String((0..<random.below(9)).map { _ in alphabet[random.below(alphabet.count)] })
    }

    /// A pattern, and whether it can match the empty string.
    private typealias Piece = (text: String, nullable: Bool)

    private static func alternation(_ random: inout RegexTestRandom, depth: Int) -> Piece {
        let count = random.below(4) == 0 ? 2 + random.below(2) : 1
        let branches = (0..<count).map { _ in concatenation(&random, depth: depth) }
        return (branches.map(\.text).joined(separator: "|"), branches.contains { $0.nullable })
    }

    private static func concatenation(_ random: inout RegexTestRandom, depth: Int) -> Piece {
        var text = ""
        var nullable = true
        for _ in 0..<random.below(4) + 1 {
            var item: Piece
            switch random.below(10) {
            case 0:
                text += random.pick(anchors)
                continue  // anchors are not repeated
            case 1 where depth < 3, 2 where depth < 3:
                let inner = alternation(&random, depth: depth + 1)
                item = (random.pick(["(", "(?:"]) + inner.text + ")", inner.nullable)
            default:
                item = (random.pick(atoms), false)
            }
            if random.below(3) == 0 {
                // ICU finds no match for a lazy loop over a body that can match nothing:
                // `((a?)*?x)| ` fails on " ", `((?:|x)+?a)+b` on "ab". Greedy loops are fine.
                let quantifier = item.nullable || random.below(3) > 0 ? random.pick(greedy) : random.pick(lazy)
                item.text += quantifier
                item.nullable = item.nullable || quantifier.hasPrefix("*") || quantifier.hasPrefix("?")
                    || quantifier.hasPrefix("{0")
            }
            text += item.text
            nullable = nullable && item.nullable
        }
        return (text, nullable)
    }
}
