import Cohort
import Foundation
import Testing

/// The README's "Use it as a library" calls, on the shipped example rules, with the
/// results it shows: the README's Swift is not run by the doc-example test.
@Suite("README library section")
struct LibraryReadmeTests {
    let rules: Ruleset
    let user: Context = ["user": ["id": "u-42", "email": "kim@acme.com", "plan": "pro"]]

    init() throws {
        rules = try Ruleset(contentsOfFile: PackagePaths.root.appendingPathComponent("examples/flags.cohort").path)
    }

    @Test("typed getters and a detail give what the README shows")
    func gettersAndDetail() {
        #expect(rules.bool("new_checkout", in: user, default: false) == true)
        #expect(rules.string("checkout_button", in: user, default: "red") == "green")
        let detail = rules.stringDetail("checkout_button", in: user, default: "red")
        #expect(detail.variant == "rule-0")
        #expect(detail.reason == .match)
        #expect(detail.ruleIndex == 0)
        #expect(detail.line == 59)
        #expect(detail.errorCode == nil)
        #expect(rules.stringDetail("no_such_flag", in: user, default: "red").errorCode == .flagNotFound)
        #expect(rules.boolDetail("checkout_button", in: user, default: false).errorCode == .typeMismatch)
    }

    @Test("a store over the example file serves it and reports a change")
    func store() async throws {
        let store = try RulesetStore(contentsOfFile: PackagePaths.root.appendingPathComponent("examples/flags.cohort").path)
        #expect(store.ruleset.bool("new_checkout", in: user, default: false) == true)
        let changes = store.changes
        let text = store.ruleset.source.text.replacingOccurrences(of: "flag dark_mode = false", with: "flag dark_mode = true")
        #expect(store.reload(source: text, file: "flags.cohort").change == RulesetChange(changed: ["dark_mode"]))
        var iterator = changes.makeAsyncIterator()
        #expect(await iterator.next() == RulesetChange(changed: ["dark_mode"]))
    }
}
