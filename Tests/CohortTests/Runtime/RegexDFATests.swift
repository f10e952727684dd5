@testable import Cohort
import Testing

/// The lazy DFA against the Pike VM: the same answers on random patterns and texts, long
/// searches in few states, and a cache that stays bounded.
@Suite("Regex: lazy DFA")
struct RegexDFATests {
    private func program(_ pattern: String) throws -> RegexProgram {
        try RegexProgram(compiling: RegexParser.parse(pattern))
    }

    /// Runs the DFA alone over `text` (no hand-over): its outcome and the DFA.
    private func search(_ pattern: String, _ text: String, maxStoredThreads: Int = 1 << 20) throws -> (RegexDFA.Outcome, RegexDFA) {
        let program = try program(pattern)
        var dfa = RegexDFA(program, alphabet: RegexAlphabet(program), maxStoredThreads: maxStoredThreads)
        var text = text
        let outcome = text.withUTF8 { dfa.run($0) }
        return (outcome, dfa)
    }

    @Test("[a-z]{1000}x over a megabyte: about a thousand states, then one lookup per scalar")
    func largeProgramFewStates() throws {
        let letters = String(repeating: "a", count: 1 << 20)
        let (miss, missDFA) = try search("[a-z]{1000}x", letters)
        guard case .matched(false) = miss else { Issue.record("\(miss)"); return }
        #expect(missDFA.statesBuilt <= 1_002, "\(missDFA.statesBuilt) states")
        #expect(missDFA.resets == 0)
        let (hit, _) = try search("[a-z]{1000}x", letters + "x")
        guard case .matched(true) = hit else { Issue.record("\(hit)"); return }
        let pattern = try RegexPattern("[a-z]{1000}x")
        #expect(pattern.matches(letters) == false)
        #expect(pattern.matches(letters + "x"))
        #expect(pattern.matches(String(repeating: "a", count: 999) + "x") == false)
    }

    @Test("states that never repeat fill the cache, which is emptied; then the NFA takes over")
    func thrashing() throws {
        // After `a`, the next 12 scalars decide: 4,096 different sets on random text.
        var random = SplitMix64(seed: 22)
        let text = String((0..<20_000).map { _ in random.next() % 2 == 0 ? "a" : "b" as Character }) + "c"
        let pattern = "[ab]*a[ab]{12}c"
        let (outcome, dfa) = try search(pattern, text, maxStoredThreads: 2_000)
        guard case .handOver = outcome else { Issue.record("expected a hand-over, got \(outcome)"); return }
        #expect(dfa.resets == 0, "the first full cache, filled at a state per scalar, hands over")
        let regex = try RegexPattern(pattern)
        #expect(regex.matches(text, engine: .dfa) == regex.matches(text, engine: .nfa))
        #expect(regex.matches(text, engine: .nfa))
    }

    @Test("a cache filled slowly is emptied and the search goes on in the DFA")
    func resetAndContinue() throws {
        // A run of k letters needs states with 1 ... k threads. Runs of 0 to 34 letters fill
        // a cache of 600 threads; then runs of up to 10 letters need only a few states, which
        // the emptied cache holds.
        let runs = Array(0...34) + (0..<100).flatMap { _ in Array(0...10) }
        let text = runs.map { String(repeating: "a", count: $0) }.joined(separator: " ")
        let (outcome, dfa) = try search("[a-z]{60}", text, maxStoredThreads: 600)
        guard case .matched(false) = outcome else { Issue.record("\(outcome)"); return }
        #expect(dfa.resets == 1)
        #expect(dfa.statesBuilt < 60, "\(dfa.statesBuilt) states for \(text.utf8.count) scalars")
        let regex = try RegexPattern("[a-z]{60}")
        #expect(regex.matches(text + " " + String(repeating: "b", count: 60), engine: .dfa))
    }

    @Test("the engines agree on random patterns and texts, short and long")
    func differential() throws {
        var random = SplitMix64(seed: 0xDFA)
        let atoms = ["a", "b", "é", ".", "\\w", "\\W", "\\d", "[ab]", "[^a]", "[a-é]", "😀", "\\s", "(?:ab|b)", "(?:a|)"]
        let anchors = ["^", "$", "\\b", "\\B"]
        let quantifiers = ["", "", "*", "+", "?", "{2}", "{0,3}", "{2,}"]
        let alphabet: [Character] = ["a", "b", "é", "1", " ", "😀", "_", "\n"]
        var disagreements: [String] = []
        for _ in 0..<1_500 {
            var pattern = random.next() % 6 == 0 ? "(?i)" : ""
            for _ in 0..<(1 + Int(random.next() % 5)) {
                if random.next() % 5 == 0 {
                    pattern += anchors[Int(random.next() % UInt64(anchors.count))]
                } else {
                    pattern += atoms[Int(random.next() % UInt64(atoms.count))] + quantifiers[Int(random.next() % UInt64(quantifiers.count))]
                }
                if random.next() % 8 == 0 { pattern += "|" }
            }
            guard let regex = try? RegexPattern(pattern) else { continue }
            for _ in 0..<6 {
                let length = random.next() % 4 == 0 ? 300 + Int(random.next() % 700) : Int(random.next() % 12)
                let text = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
                let nfa = regex.matches(text, engine: .nfa)
                if regex.matches(text, engine: .dfa) != nfa || regex.matches(text) != nfa, disagreements.count < 10 {
                    disagreements.append("\(pattern.debugDescription) on \(text.debugDescription): NFA says \(nfa)")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    @Test("the alphabet keeps apart what the program tells apart, and merges the rest")
    func alphabet() throws {
        let letters = RegexAlphabet(try program("[a-z]{3}x"))
        #expect(letters.count == 3, "x, the other letters, everything else")
        #expect(letters.ascii[Int(UInt8(ascii: "b"))] == letters.ascii[Int(UInt8(ascii: "q"))])
        #expect(letters.ascii[Int(UInt8(ascii: "b"))] != letters.ascii[Int(UInt8(ascii: "x"))])
        #expect(letters.ascii[Int(UInt8(ascii: "A"))] == letters.classOf(nonASCII: 0x1F600))
        let words = RegexAlphabet(try program("\\ba"))
        #expect(words.ascii[Int(UInt8(ascii: "b"))] != words.ascii[Int(UInt8(ascii: " "))], "\\b tells word scalars apart")
        #expect(words.ascii[Int(UInt8(ascii: " "))] == words.classOf(nonASCII: 0xE9), "é is not \\w")
    }
}
