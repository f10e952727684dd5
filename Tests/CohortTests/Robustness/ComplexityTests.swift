import Cohort
import Testing

// Operations whose obvious implementation is quadratic, fed the inputs that make it so: a
// rule author or a record must not be able to make one evaluation take minutes. Each test
// has a time limit, so a quadratic regression fails instead of hanging the suite (before
// the fix, the list case took 45 s in a release build, the string case hours).

private func evaluate(_ rule: String, _ user: [String: Value]) throws -> Value? {
    try? Rule(rule).evaluate(Context(user: .object(user)), now: Instant(seconds: 0)).get()
}

@Suite("Complexity")
struct ComplexityTests {
    @Test("contains_all and contains_any on two lists of 100,000 are linear", .timeLimit(.minutes(1)))
    func bigLists() throws {
        let numbers = (0..<100_000).map { Value.number(Double($0)) }
        let shifted = (1...100_000).map { Value.number(Double($0)) }
        let user: [String: Value] = ["a": .list(numbers), "b": .list(numbers.reversed()), "c": .list(shifted)]
        #expect(try evaluate("user.a contains_all user.b", user) == .bool(true))
        #expect(try evaluate("user.a contains_all user.c", user) == .bool(false))  // 100,000 is missing
        #expect(try evaluate("user.a contains_any user.c", user) == .bool(true))
        #expect(try evaluate("user.a contains_any [100000, 100001, 100002, 100003, 100004, 100005, 100006, 100007, 100008]", user) == .bool(false))
    }

    @Test("hashed and scanned list membership agree, with mixed kinds and -0", arguments: [8, 9, 50])
    func hashedAgreesWithScan(size: Int) throws {
        // Over 8 elements on both sides the list is hashed; at 8 it is scanned.
        let left: [Value] = (0..<size).map { $0 % 3 == 0 ? .string("s\($0)") : .number(Double($0)) } + [.number(-0.0), .null, .bool(true)]
        let user: [String: Value] = ["l": .list(left)]
        let wantedAll = (0..<size).map { $0 % 3 == 0 ? "\"s\($0)\"" : "\($0)" }.joined(separator: ", ") + ", 0, null, true"
        #expect(try evaluate("user.l contains_all [\(wantedAll)]", user) == .bool(true))
        let wantedNone = (0..<size).map { "\"x\($0)\"" }.joined(separator: ", ") + ", false"
        #expect(try evaluate("user.l contains_any [\(wantedNone)]", user) == .bool(false))
        #expect(try evaluate("user.l contains_any [\(wantedNone), \"s0\"]", user) == .bool(true))
        #expect(try evaluate("user.l contains_all [\(wantedAll), 1.5]", user) == .bool(false))
    }

    @Test("a long needle in a long string is found in linear time", .timeLimit(.minutes(1)))
    func longNeedle() throws {
        // Comparing at every position would take 2,000,000 × 60,000 steps.
        let haystack = String(repeating: "a", count: 2_000_000)
        let needle = String(repeating: "a", count: 60_000) + "b"
        let user: [String: Value] = ["s": .string(haystack), "t": .string(haystack + "b"), "n": .string(needle)]
        #expect(try evaluate("user.s contains user.n", user) == .bool(false))
        #expect(try evaluate("user.t contains user.n", user) == .bool(true))
        #expect(try evaluate("user.s contains_any [user.n, \"aab\"]", user) == .bool(false))
    }

    @Test("the linear search agrees with the obvious one on random strings over a small alphabet")
    func searchDifferential() throws {
        var random = SplitMix64(seed: 2026)
        func text(_ count: Int) -> String {
            String((0..<count).map { _ in ["a", "b", "é"][Int(random.next() % 3)] as Character })
        }
        for _ in 0..<2_000 {
            let haystack = text(Int(random.next() % 400))
            // Needles around the 64-byte switch to the linear search, often cut from the haystack.
            let length = 40 + Int(random.next() % 60)
            var needle = text(length)
            if random.next() % 2 == 0 && haystack.count > length {
                let start = haystack.index(haystack.startIndex, offsetBy: Int(random.next() % UInt64(haystack.count - length)))
                needle = String(haystack[start..<haystack.index(start, offsetBy: length)])
            }
            let expected = haystack.utf8.count >= needle.utf8.count
                && (0...(haystack.utf8.count - needle.utf8.count)).contains { Array(haystack.utf8).dropFirst($0).starts(with: needle.utf8) }
            #expect(try evaluate("user.h contains user.n", ["h": .string(haystack), "n": .string(needle)]) == .bool(expected),
                    "\(haystack) contains \(needle)")
        }
    }
}
