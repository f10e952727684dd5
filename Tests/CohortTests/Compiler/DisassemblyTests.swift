@testable import Cohort
import Foundation
import Testing

/// Representative rules whose bytecode is pinned by golden files in `Golden/`. Each one
/// shows a compilation strategy; a change to the compiler that alters one shows up as a
/// line diff in review. Re-record with `COHORT_RECORD_GOLDEN=1`.
private let goldenRules: [(name: String, source: String)] = [
    ("design-card", #"user.group in ["qa", "beta"] or bucket(user.id) < 20"#),
    ("and-or-chain", #"user.country == "NO" and (user.plan == "pro" or user.plan == "team") and not user.banned"#),
    ("in-constant-set", #"user.country in ["NO", "SE", "DK", "FI", "IS"] and device.os not in ["android", "ios"]"#),
    ("fused-equality", #"user.plan == "pro""#),
    ("matches", #"user.email matches "^[a-z.]+@acme\\.com$" or lower(user.email) ends_with "@acme.io""#),
    ("arithmetic", "(user.age + 1) * 2 % 7 > -user.offset / 3"),
    ("calls", #"len(trim(user.name)) >= 2 and bucket(user.id, "exp", 1000) < 50 and string(user.n) != "0""#),
    ("time-window", "now() - time(user.signup_at) < days(30)"),
    ("paths", #"user["first-name"] == "Ada" and user.tags[0] == "x" and user.address.city != null and user.tags[user.i] == 1"#),
    ("constant-folded", #"1 + 2 * 3 == 7 and lower("ABC") == "abc""#),
    ("version-literal", #"semver(user.app_version) >= "2.0.0""#),
    ("computed-list", "user.id in [user.a, user.b, 1]"),
    ("computed-comparisons", #"lower(user.a) != "x" and lower(user.a) < "m" and lower(user.b) <= "n" or lower(user.c) > "a" and lower(user.d) >= "b""#),
    ("string-operators", #"user.tags contains_any ["a"] or user.tags contains_all ["b"] or lower(user.s) contains "x" or lower(user.s) starts_with "a" or lower(user.s) ends_with "z""#),
    ("computed-bucket", "bucket(lower(user.id)) < 5 and user.a in user.list and user.tags[user.i].name == \"x\" and lower(user.c) in [\"x\", \"y\"]"),
    ("decoded-tests", #"user.n < 5 and user.n <= 6 and user.n > 1 and user.n >= 2 and user.n != 3 and user.s != "long string of more than fifteen" and user.s >= "m" and user.s contains "q" and user.s starts_with "a" and user.b == true and user.x == null and exists(user.y) and not user.z and semver(user.v) < "2.0.0-beta" and now() < time("2030-01-01T00:00:00Z")"#),
]

/// One instance of every instruction, so that a new one must be added here (the `switch`
/// below is exhaustive) and then shown by some golden file.
private func mnemonicOfEveryInstruction() -> [String] {
    let all: [Instruction] = [
        .constant(0), .slot(0), .defaultSalt, .member(0), .index, .makeList(0), .not, .andTest(target: 0), .andCombine,
        .orTest(target: 0), .orCombine, .negate, .add, .subtract, .multiply, .divide, .remainder, .equal, .notEqual, .less,
        .lessEqual, .greater, .greaterEqual, .inList, .inSet(0), .contains, .containsAny, .containsAll, .startsWith, .endsWith,
        .matches(0), .call(.len, argumentCount: 1), .test(0), .chain(0, end: 0),
    ]
    for instruction in all {
        switch instruction {
        case .constant, .slot, .defaultSalt, .member, .index, .makeList, .not, .andTest, .andCombine, .orTest, .orCombine, .negate,
            .add, .subtract, .multiply, .divide, .remainder, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .inList,
            .inSet, .contains, .containsAny, .containsAll, .startsWith, .endsWith, .matches, .call, .test, .chain:
            break
        }
    }
    return all.map(\.mnemonic)
}

@Suite("Disassembly")
struct DisassemblyTests {
    @Test("disassembly matches its golden file", arguments: goldenRules.map(\.name))
    func golden(name: String) throws {
        let source = try #require(goldenRules.first { $0.name == name }?.source)
        let rule = try Rule(source)
        Golden.check("; " + source + "\n" + rule.disassembly, named: name)
    }

    @Test("every instruction appears in some golden file")
    func everyMnemonicPinned() throws {
        var golden = ""
        for (name, _) in goldenRules {
            let rule = try Rule(goldenRules.first { $0.name == name }!.source)
            golden += rule.disassembly
        }
        let shown = Set(golden.split(separator: "\n").compactMap { line -> String? in
            guard line.first?.isNumber == true else { return nil }
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
        })
        for mnemonic in mnemonicOfEveryInstruction() {
            #expect(shown.contains(mnemonic), "no golden file shows '\(mnemonic)': add a rule to goldenRules that compiles to it")
        }
    }

    @Test("every instruction gets one line with its source location")
    func oneLinePerInstruction() throws {
        for (name, source) in goldenRules {
            let rule = try Rule(source)
            let codeLines = rule.disassembly.split(separator: "\n").filter { $0.first?.isNumber == true }
            #expect(codeLines.count == rule.program.code.count, "\(name)")
            #expect(codeLines.allSatisfy { $0.contains("; 1:") }, "\(name)")
        }
    }

    @Test("attribute == constant compiles to one test")
    func fusedEquality() throws {
        for source in [#"user.plan == "pro""#, #""pro" == user.plan"#] {
            let rule = try Rule(source)
            #expect(rule.program.code == [.test(0)], "\(source)")
            #expect(rule.program.tests == [.stringEquals(slot: 0, StringWords("pro"))], "\(source)")
            #expect(rule.program.maxStack == 1)
        }
        // A computed left side is not an attribute: the general instruction is used.
        let general = try Rule(#"lower(user.plan) == "pro""#)
        #expect(general.program.tests.isEmpty)
        #expect(general.program.code.last == .equal)
    }

    @Test("membership in a constant list compiles to a hashed set")
    func constantSet() throws {
        let rule = try Rule(#"user.country in ["NO", "SE"]"#)
        #expect(rule.program.code == [.test(0)] && rule.program.tests == [.inSet(slot: 0, set: 0)])
        #expect(rule.program.sets.map(\.members) == [["NO", "SE"]])
        let notIn = try Rule(#"user.country not in ["NO", "SE"]"#)
        #expect(notIn.program.code == [.test(0), .not] && notIn.program.tests == [.inSet(slot: 0, set: 0)])
        let computed = try Rule(#"lower(user.country) in ["no"]"#)
        #expect(computed.program.code.last == .inSet(0))
    }

    @Test("and/or compile to short-circuit jumps past the end of the chain")
    func shortCircuitJumps() throws {
        let rule = try Rule("user.a == 1 and user.b == 2 and user.c == 3")
        let end = UInt32(rule.program.code.count)
        let jumps = rule.program.code.filter {
            if case .andTest = $0 { return true }
            return false
        }
        #expect(jumps == [.andTest(target: end), .andTest(target: end)])
        #expect(rule.program.code.last == .andCombine)
    }

    @Test("the stack is sized exactly")
    func stackSize() throws {
        #expect(try Rule("1").program.maxStack == 1)
        #expect(try Rule("user.a + user.b").program.maxStack == 2)
        #expect(try Rule("user.a + (user.b + (user.c + user.d))").program.maxStack == 4)
        #expect(try Rule("[user.a, user.b, user.c]").program.maxStack == 3)
    }

    @Test("each distinct attribute path gets one slot")
    func slots() throws {
        let rule = try Rule(#"user.id == "a" or user.id == "b" or user["id"] == "c" or user.tags[0] == "x""#)
        #expect(rule.attributePaths == ["user.id", "user.tags[0]"])
    }

    @Test("the disassembly shows constants, slots, sets, chains and jump targets")
    func sections() throws {
        let text = try Rule(#"user.group in ["qa", "beta"] or bucket(user.id) < 20"#).disassembly
        // The rollout's bound is unpacked in its test: no constant is left.
        #expect(!text.contains("constants:"))
        #expect(text.contains("slots:\n  s0 = user.group\n  s1 = user.id\n"))
        #expect(text.contains(#"set0 = {"beta", "qa"}"#))
        #expect(text.contains("tests:\n  t0 = any_of 2 tests\n  t1 =   s0 (user.group) in set0\n  t2 =   bucket(s1 (user.id), default salt) < 20\n"))
        #expect(text.contains("0000  chain           t0 -> 0005"))
        #expect(text.contains("or_test         -> 0005"))
        #expect(text.contains("0003  test            t2"))
    }
}
