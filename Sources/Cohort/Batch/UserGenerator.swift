/// Generates realistic, reproducible user records for tests, benchmarks and docs: the same
/// seed always gives the same users.
package struct UserGenerator: Sendable {
    private var state: UInt64

    /// A generator with a seed.
    package init(seed: UInt64) {
        state = seed
    }

    /// SplitMix64: small, fast, and good enough for test data.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    private mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }

    private static let first = ["ana", "ben", "chloe", "dae", "eun", "farid", "greta", "hiro", "ines", "jun", "kofi", "lena", "mina", "noah", "olga", "priya", "quinn", "ravi", "sora", "tomas"]
    private static let domains = ["gmail.com", "example.com", "mail.kr", "yahoo.co.jp", "outlook.com", "acme.com"]
    private static let groups = ["none", "none", "none", "none", "none", "none", "beta", "beta", "qa", "staff"]
    private static let plans = ["free", "free", "free", "pro", "pro", "enterprise"]
    private static let countries = ["KR", "JP", "US", "US", "DE", "FR", "BR", "IN", "GB", "CA"]
    private static let versions = ["4.9.3", "5.0.0", "5.1.2", "5.2.0", "5.2.1", "5.3.0-beta.1", "5.3.0", "6.0.0"]
    private static let tags = ["early_adopter", "mobile", "desktop", "churn_risk", "vip", "newsletter"]

    /// The next user as a `Value` object.
    package mutating func nextUser(index: Int) -> Value {
        let name = pick(Self.first)
        var user: [String: Value] = [
            "id": .string("u-\(100_000 + index)"),
            "email": .string("\(name).\(index)@\(pick(Self.domains))"),
            "group": .string(pick(Self.groups)),
            "plan": .string(pick(Self.plans)),
            "country": .string(pick(Self.countries)),
            "age": .number(Double(16 + next() % 60)),
            "app_version": .string(pick(Self.versions)),
            "beta_opt_out": .bool(chance(10)),
        ]
        let days = Int64(next() % 1500)
        user["signup_at"] = .time(Instant(seconds: 1_640_995_200 + days * 86_400 + Int64(next() % 86_400)))
        var chosen: [Value] = []
        for tag in Self.tags where chance(25) { chosen.append(.string(tag)) }
        user["tags"] = .list(chosen)
        if chance(3) { user.removeValue(forKey: "email") }  // real exports have gaps
        return .object(user)
    }

    /// The CSV header matching `csvRow`.
    package static let csvHeader = "id,email,group,plan,country,age:number,app_version,beta_opt_out:bool,signup_at,tags:list\n"

    /// A user as one CSV row (tags joined with `;`).
    package static func csvRow(_ user: Value) -> String {
        guard case .object(let f) = user else { return "\n" }
        func text(_ key: String) -> String {
            switch f[key] {
            case .string(let s)?: return s
            case let v?: return v.canonicalText
            case nil: return ""
            }
        }
        var tags = ""
        if case .list(let items)? = f["tags"] { tags = items.map(\.canonicalText).joined(separator: ";") }
        return [text("id"), text("email"), text("group"), text("plan"), text("country"), text("age"), text("app_version"),
                text("beta_opt_out"), text("signup_at"), tags].joined(separator: ",") + "\n"
    }
}
