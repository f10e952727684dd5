import Foundation

/// The sizes of property tests (random rules, random syntax trees, random records): small by
/// default, so `swift test` stays quick, and multiplied by `COHORT_PROPERTY_SCALE` where a
/// deeper search is wanted (`.ci/run` runs the property suites again in a release build
/// with a large scale).
enum PropertyScale {
    static let factor: Double = {
        guard let text = ProcessInfo.processInfo.environment["COHORT_PROPERTY_SCALE"], let value = Double(text), value > 0 else { return 1 }
        return value
    }()

    /// `base` cases, scaled.
    static func count(_ base: Int) -> Int { max(1, Int((Double(base) * factor).rounded())) }
}
