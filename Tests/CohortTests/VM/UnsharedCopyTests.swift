@testable import Cohort
import Foundation
import Testing

/// The batch evaluator gives each chunk its own copy of the compiled flags; a copy must
/// evaluate exactly like the original and share none of its storage.
@Suite("Unshared copies")
struct UnsharedCopyTests {
    static let rulesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/flags.cohort").path

    @Test("every flag of examples/flags.cohort evaluates the same through its copy, for 2,000 generated users")
    func sameOutcomes() throws {
        let ruleset = try Ruleset(contentsOfFile: Self.rulesPath)
        let copies = ruleset.flagPrograms.map { $0.unsharedCopy() }
        var generator = UserGenerator(seed: 5)
        let now = Instant(timestamp: "2026-12-02T00:00:00Z")!
        for index in 0..<2_000 {
            let context = Context(user: generator.nextUser(index: index))
            ruleset.compiled.binder.bind(context, slots: nil) { slots in
                for (original, copy) in zip(ruleset.flagPrograms, copies) {
                    let a = VM.evaluate(original, slots: slots, now: now), b = VM.evaluate(copy, slots: slots, now: now)
                    #expect(a.value(of: original) == b.value(of: copy) && a.arm == b.arm && a.fault == b.fault, "flag \(original.name), user \(index)")
                }
            }
        }
    }

    @Test("a copy shares no buffer with the original: code, constants, strings")
    func noSharedStorage() throws {
        let rule = try Rule(#"user.email ends_with "@a-rather-long-domain.example.com" or user.id in ["u-1", "u-2"]"#)
        let copy = rule.program.unsharedCopy()
        let address = { (array: [Instruction]) in array.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        #expect(address(rule.program.code) != address(copy.code))
        #expect(rule.program.codeBuffer.baseAddress != copy.codeBuffer.baseAddress)
        #expect(rule.program.constants == copy.constants)
        for (a, b) in zip(rule.program.constants, copy.constants) {
            guard case .string(var x) = a, case .string(var y) = b, x.utf8.count > 15 else { continue }
            let px = x.withUTF8 { UInt(bitPattern: $0.baseAddress) }, py = y.withUTF8 { UInt(bitPattern: $0.baseAddress) }
            #expect(px != py, "a long string constant must be copied")
        }
        #expect(rule.program.sets.first !== copy.sets.first)
        #expect(rule.program.sets.first?.members == copy.sets.first?.members)
    }
}
