@testable import Cohort
import Testing

/// The bitset NFA against the Pike VM: the same answers on random patterns (with the
/// counted repetitions and long alternations whose splits and jumps it follows a word at a
/// time), and the searches the lazy DFA hands over to it.
@Suite("Regex: bitset NFA")
struct RegexBitVMTests {
    private func program(_ pattern: String) throws -> RegexProgram {
        try RegexProgram(compiling: RegexParser.parse(pattern))
    }

    @Test("edges alike are grouped: by target (x{0,k} skipping to its end, an alternation's jumps), by offset (copies of a body); few are not")
    func groups() throws {
        func groups(_ pattern: String) throws -> Int {
            let program = try program(pattern)
            return RegexBitVM(program, alphabet: RegexAlphabet(program)).groupCount
        }
        // The 40 skips to the end, and their 40 edges to pc + 1.
        #expect(try groups("[ab]*a[ab]{0,40}c") == 2)
        // The 9 jumps to the end; the splits' edges to pc + 1 and to the next split (+4).
        #expect(try groups("x(?:ab|cd|ef|gh|ij|kl|mn|op|qr|st)y") == 3)
        // Each copy's split: +1 and +4; its jump: +3 (to the next copy).
        #expect(try groups("(?:ab|ba){20}") == 3)
        #expect(try groups("a{0,3}b|c") == 0)
    }

    @Test("an alternation of single scalars and classes compiles to one class")
    func oneScalarAlternation() throws {
        #expect(try program("(?:a|b|[0-9]|\\s)").instructions.count == 2, "class, match")
        #expect(try program("(?:a|b){1000}").instructions.count == 1_001)
        #expect(try program("(?:a|bc)").instructions.count > 3)
        let regex = try RegexPattern("^(?:a|é|[0-9]|\\s)+$")
        #expect(regex.matches("a 9é"))
        #expect(!regex.matches("ab"))
    }

    @Test("the engines agree on random patterns and texts")
    func differential() throws {
        var random = SplitMix64(seed: 0xB175)
        let atoms = ["a", "b", "é", ".", "\\w", "\\W", "[ab]", "[^a]", "😀", "\\s", "(?:ab|b)", "(?:a|)",
                     "(?:a|b|c|d|e|f|g|h|i)", "(?:ab|ba|aa|bb|a|b|é|😀)"]
        let anchors = ["^", "$", "\\b", "\\B"]
        let quantifiers = ["", "", "*", "+", "?", "{2}", "{0,3}", "{2,}", "{0,12}", "{3,20}", "{9}"]
        let alphabet: [Character] = ["a", "b", "é", "1", " ", "😀", "_", "\n"]
        var disagreements: [String] = []
        var tried = 0
        for _ in 0..<1_500 {
            var pattern = random.next() % 6 == 0 ? "(?i)" : ""
            for _ in 0..<(1 + Int(random.next() % 5)) {
                if random.next() % 5 == 0 {
                    pattern += anchors[Int(random.next() % UInt64(anchors.count))]
                } else {
                    let atom = atoms[Int(random.next() % UInt64(atoms.count))]
                    let quantifier = quantifiers[Int(random.next() % UInt64(quantifiers.count))]
                    pattern += random.next() % 4 == 0 ? "(?:\(atom)\(quantifier))\(quantifiers[Int(random.next() % 5)])" : atom + quantifier
                }
                if random.next() % 8 == 0 { pattern += "|" }
            }
            guard let regex = try? RegexPattern(pattern) else { continue }
            tried += 1
            for _ in 0..<6 {
                let length = random.next() % 4 == 0 ? 100 + Int(random.next() % 400) : Int(random.next() % 12)
                let text = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
                let nfa = regex.matches(text, engine: .nfa)
                if regex.matches(text, engine: .bits) != nfa, disagreements.count < 10 {
                    disagreements.append("\(pattern.debugDescription) on \(text.debugDescription): NFA says \(nfa)")
                }
            }
        }
        #expect(tried > 1_000)
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }

    /// Each pattern with a text length past where its DFA's cache fills (1M stored threads
    /// by default) and it hands over (nil: its states do repeat, the DFA answers alone; the
    /// automatic engine must still agree). The lengths are small so the Pike VM, the
    /// reference, stays quick in a debug build.
    @Test("searches whose states never repeat: the DFA hands over, and the answer is the NFA's",
          arguments: [("[ab]*a[ab]{999}c", 4_000, 2_574), ("[ab]*a[ab]{0,999}c", 4_000, 2_574),
                      ("[ab]*a(?:[ab]{0,99}){9}c", 2_500, 1_295), ("(?:a|b)*a(?:a|b){300}\\b", 9_000, 6_965),
                      ("[ab]*a(?:ab|ba|aa|b){200}c", 3_500, 2_172), ("[ab]*a(?:a?b?){0,100}(?:b|a{2,3}){50}c", 3_000, nil)])
    func handOver(pattern: String, length: Int, handsOverAt: Int?) throws {
        var random = SplitMix64(seed: 15)
        let text = String((0..<PropertyScale.count(length)).map { _ in random.next() % 2 == 0 ? "a" : "b" as Character })
        let program = try program(pattern)
        var dfa = RegexDFA(program, alphabet: RegexAlphabet(program))
        let outcome = Array(text.utf8).withUnsafeBufferPointer { dfa.run($0) }
        if case .handOver(let position, _, _) = outcome {
            #expect(position == handsOverAt, "the DFA handed over at \(position)")
        } else {
            #expect(handsOverAt == nil, "the DFA did not hand over")
        }
        let regex = try RegexPattern(pattern)
        // One text the pattern's final `c` can end (a match where the DFA handed over), one
        // ending at a word boundary (`\b`) or no match: every DFA fill and Pike VM run over
        // a thousand states costs seconds in a debug build, so two candidates, not more.
        for candidate in [text + "c", text + " "] {
            let nfa = regex.matches(candidate, engine: .nfa)
            #expect(regex.matches(candidate) == nfa, "automatic, \(candidate.suffix(3).debugDescription)")
            #expect(regex.matches(candidate, engine: .bits) == nfa, "bits, \(candidate.suffix(3).debugDescription)")
        }
    }
}
