import Cohort
import Foundation
import Testing

/// A test file's diagnostics are what `cohort check` reports for it, and they follow
/// the rule file it uses, open in the editor or on disk.
@Suite("Language server: test files")
struct TestFileDiagnosticsTests {
    static let rules = "segment paying = user.plan == \"pro\"\nflag new_checkout = paying or bucket(user.id) < 20\n"
    static let tests = """
        use "flags.cohort"

        test "pro users get it" {
          user {"id": "u-1", "plan": "pro"}
          expect new_chekout
        }

        """

    static func open(_ client: inout LSPTestClient, _ uri: String, _ text: String, version: Int = 1) {
        client.notify("textDocument/didOpen", #"{"textDocument":{"uri":"\#(uri)","version":\#(version),"text":\#(jsonString(text))}}"#)
    }

    @Test("an unknown flag in an expectation: the error cohort check prints, at its place")
    func sameAsCheck() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        try scratch.write("flags.cohort", Self.rules)
        let testPath = try scratch.write("flags.test.cohort", Self.tests)
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, DocumentURI.uri(ofPath: testPath), Self.tests)
        let output = client.run()
        let diagnostics = try #require(output.publishedDiagnostics.first?.field("diagnostics")?.listValue)

        let outcome = try #require(TestFileCompiler.check(path: testPath))
        let expected = outcome.problems.flatMap(\.diagnostics)
        try #require(expected.count == 1)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.field("message") == .string(expected[0].message))
        #expect(diagnostics.first?.field("code") == .string(expected[0].code))
        #expect(diagnostics.first?.field("range") == range(4, 9, 4, 20))
        #expect(expected[0].message.contains("did you mean 'new_checkout'"))
    }

    @Test("the rule file open in the editor: its unsaved text decides, and its errors show on the use line")
    func followsTheRuleFile() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rulesPath = try scratch.write("flags.cohort", Self.rules)
        let fixed = Self.tests.replacingOccurrences(of: "new_chekout", with: "new_checkout")
        let testPath = try scratch.write("flags.test.cohort", fixed)
        let rulesURI = DocumentURI.uri(ofPath: rulesPath), testURI = DocumentURI.uri(ofPath: testPath)
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, testURI, fixed)
        // The rule file opened with the flag renamed and an error: the test file's
        // diagnostics are published again.
        Self.open(&client, rulesURI, "segment paying = user.plan == \"pro\"\nflag checkout = payin\n")
        client.notify("textDocument/didChange", #"{"textDocument":{"uri":"\#(rulesURI)","version":2},"contentChanges":[{"text":"flag checkout = true\n"}]}"#)
        client.notify("textDocument/didClose", #"{"textDocument":{"uri":"\#(rulesURI)"}}"#)
        let output = client.run()
        let forTests = output.publishedDiagnostics.filter { $0.field("uri") == .string(testURI) }.map { $0.field("diagnostics")?.listValue ?? [] }
        try #require(forTests.count == 4)
        #expect(forTests[0] == [])  // against the file on disk
        // The rule file does not compile: one error on the use path, pointing at it.
        #expect(forTests[1].count == 1)
        #expect(forTests[1].first?.field("range") == range(0, 4, 0, 18))
        #expect(forTests[1].first?.field("message")?.stringValue?.hasPrefix("'flags.cohort' does not compile: 2:17: unknown name 'payin'") == true)
        #expect(forTests[1].first?.field("relatedInformation")?.listValue?.first?.field("location")
            == .object(["uri": .string(rulesURI), "range": range(1, 16, 1, 21)]))
        // It compiles but has no new_checkout any more.
        #expect(forTests[2].first?.field("message")?.stringValue?.contains("new_checkout") == true)
        #expect(forTests[2].first?.field("range") == range(4, 9, 4, 21))
        // Closed again: the file on disk.
        #expect(forTests[3] == [])
    }

    @Test("a rule file with syntax errors reports those only, as cohort check does")
    func syntaxFirst() throws {
        var client = LSPTestClient()
        client.initialize()
        Self.open(&client, "file:///nowhere/t.cohort", "use \"flags.cohort\"\ntest \"x\" { expect ( }\n")
        let output = client.run()
        let diagnostics = output.publishedDiagnostics.first?.field("diagnostics")?.listValue ?? []
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.field("code") == .string("syntax"))
    }
}
