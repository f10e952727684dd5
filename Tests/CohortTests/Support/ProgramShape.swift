@testable import Cohort

/// The chain the VM's walker answers a program by: its decider and number of operands.
struct ChainShape: Equatable, CustomStringConvertible {
    var decider: Bool
    var count: Int
    var description: String { "\(decider ? "any_of" : "all_of") of \(count)" }
}

extension Program {
    /// The walker's chain when the program is answered by it (a single test is a chain of
    /// one), else nil.
    var chain: ChainShape? { shape == .chain ? ChainShape(decider: quickDecider, count: quickCount) : nil }

    /// True when the whole program is one `test` instruction.
    var isSingleTest: Bool {
        guard code.count == 1, case .test = code[0] else { return false }
        return shape == .chain
    }
}
