import Cohort
import Testing

/// Named variants (LANGUAGE.md §5): `serve VALUE as NAME` and `default VALUE as NAME` name
/// what an evaluation reports as its variant; without a name it is `rule-N` or `default`.
@Suite("Named variants")
struct VariantTests {
    private static let rules = """
        flag colour {
          when user.group == "qa"     serve "green" as staff
          when bucket(user.id) < 50   serve "blue"
          default "red" as control
        }
        flag plain {
          when user.group == "qa"   serve 1
          default 0
        }
        flag on = user.group == "qa"
        flag broken { when user.age > 1 serve "x" as adult default "y" as fallback }
        """

    @Test("each arm's variant: its name, else rule-N; the default's name, else default")
    func names() throws {
        let ruleset = try Ruleset(source: Self.rules)
        let colour = try #require(ruleset.flagPrograms.first { $0.name == "colour" })
        #expect((-1...1).map(colour.variant(servedBy:)) == ["control", "staff", "rule-1"])
        let plain = try #require(ruleset.flagPrograms.first { $0.name == "plain" })
        #expect((-1...0).map(plain.variant(servedBy:)) == ["default", "rule-0"])
        let on = try #require(ruleset.flagPrograms.first { $0.name == "on" })
        #expect((-1...0).map(on.variant(servedBy:)) == ["default", "rule-0"])
        // Batch's unshared copies keep them.
        #expect((-1...1).map(colour.unsharedCopy().variant(servedBy:)) == ["control", "staff", "rule-1"])
    }

    @Test("a name changes no value")
    func valuesUnchanged() throws {
        let named = try Ruleset(source: Self.rules)
        let unnamed = try Ruleset(source: Self.rules.replacingOccurrences(of: " as staff", with: "")
            .replacingOccurrences(of: " as control", with: ""))
        for id in (0..<50).map({ "u-\($0)" }) {
            for group in ["qa", "none"] {
                let context: Context = ["user": ["id": .string(id), "group": .string(group)]]
                #expect(named.evaluate("colour", in: context) == unnamed.evaluate("colour", in: context))
            }
        }
    }
}
