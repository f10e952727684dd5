/// What the editor shows for a built-in function: its signature and a one-line summary.
/// The `switch`es are exhaustive, so a new built-in cannot ship undocumented.
extension Builtin {
    /// The signature, with optional parameters marked `?`: `bucket(key, salt?, buckets?) → number`.
    package var signature: String {
        switch self {
        case .bucket: "bucket(key, salt?, buckets?) → number"
        case .lower: "lower(s) → string"
        case .upper: "upper(s) → string"
        case .trim: "trim(s) → string"
        case .len: "len(x) → number"
        case .semver: "semver(s) → version"
        case .time: "time(s) → time"
        case .date: "date(s) → time"
        case .now: "now() → time"
        case .days: "days(n) → number"
        case .hours: "hours(n) → number"
        case .minutes: "minutes(n) → number"
        case .number: "number(s) → number"
        case .string: "string(x) → string"
        case .exists: "exists(path) → bool"
        }
    }

    /// One sentence on what the function gives.
    package var summary: String {
        switch self {
        case .bucket: "The key's bucket in 0 ..< buckets (default 100), from murmur3 of salt + \":\" + key; the default salt is the flag's name, so rollouts stay stable as they grow."
        case .lower: "The string in lower case, for case-insensitive comparisons."
        case .upper: "The string in upper case."
        case .trim: "The string without Unicode whitespace at either end."
        case .len: "The number of characters of a string, elements of a list, or keys of an object."
        case .semver: "A semantic version, compared by SemVer precedence; a leading v and a missing minor or patch are accepted (5.2 is 5.2.0)."
        case .time: "An instant from an RFC 3339 timestamp, such as \"2026-12-01T09:00:00Z\"."
        case .date: "Midnight UTC of a YYYY-MM-DD date."
        case .now: "The time of the evaluation, supplied by the caller and fixed for one evaluation."
        case .days: "n days in seconds, as in now() - time(user.signup_at) < days(30)."
        case .hours: "n hours in seconds."
        case .minutes: "n minutes in seconds."
        case .number: "A number from JSON number text; text that is not a number is an error value."
        case .string: "The canonical text of any value: 42, 0.1, true, null, a version, an RFC 3339 time, compact JSON."
        case .exists: "True when the path resolves to a value other than null."
        }
    }
}
