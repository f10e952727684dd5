/// The version of the Cohort library and the `cohort` command.
public enum CohortVersion {
    /// Semantic version of this release.
    public static let current = "0.1.0"
}
