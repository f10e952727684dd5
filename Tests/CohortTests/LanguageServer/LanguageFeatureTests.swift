import Cohort
import Foundation
import Testing

/// Hover, definition, completion and the outline, asked of an analysis at a place in the
/// text marked `|` (the mark is removed before analysing).
@Suite("Language features")
struct LanguageFeatureTests {
    static let rules = """
        # Our own staff.
        # ---------------
        let staff_groups = ["qa", "staff"]
        let limit = 10 * 2
        segment internal = user.email ends_with "@acme.com" or user.group in staff_groups
        flag new_checkout = internal or bucket(user.id) < limit   # rollout
        flag checkout_button {
          when internal serve "green" as staff
          when user.address.city == "Seoul" serve "blue"
          default "red" as control
        }

        """

    /// The analysis of `text` with its `|` removed, and the offset of the `|`.
    static func analysis(_ marked: String, uri: String = "file:///w/flags.cohort") -> (DocumentAnalysis, Int) {
        let offset = marked.utf8.firstIndex(of: UInt8(ascii: "|")).map { marked.utf8.distance(from: marked.utf8.startIndex, to: $0) } ?? 0
        var text = marked
        if let bar = text.firstIndex(of: "|") { text.remove(at: bar) }
        return (DocumentAnalysis(TextDocument(uri: uri, version: 1, text: text), options: CompileOptions()), offset)
    }

    /// `rules` with a `|` inserted before the `occurrence`-th `needle`, plus `shift` bytes.
    static func marked(_ needle: String, _ occurrence: Int = 1, shift: Int = 0, in text: String = rules) -> String {
        var index = text.startIndex
        for n in 1...occurrence {
            let found = text.range(of: needle, range: index..<text.endIndex)!
            index = n == occurrence ? found.lowerBound : found.upperBound
        }
        let at = text.utf8.index(index, offsetBy: shift)
        return String(text[..<at]) + "|" + String(text[at...])
    }

    static func hover(_ needle: String, _ occurrence: Int = 1, shift: Int = 1) -> String? {
        let (analysis, offset) = analysis(marked(needle, occurrence, shift: shift))
        return analysis.hover(at: offset)?.markdown
    }

    @Test("hover: a let's value, a segment's comment, a flag's trailing comment, a function, a path, a root, a keyword")
    func hovers() {
        #expect(Self.hover("staff_groups", 2) == "```cohort\nlet staff_groups = [\"qa\", \"staff\"]\n```\n\nOur own staff.")
        #expect(Self.hover("limit", 2) == "```cohort\nlet limit = 10 * 2\n```\n\nValue: `20`")
        #expect(Self.hover("internal", 2)?.hasPrefix("```cohort\nsegment internal = user.email ends_with \"@acme.com\"") == true)
        #expect(Self.hover("new_checkout")?.hasSuffix("```\n\nrollout") == true)
        #expect(Self.hover("checkout_button")?.contains("when internal serve \"green\" as staff\n  when") == true)
        #expect(Self.hover("bucket") == "```cohort\nbucket(key, salt?, buckets?) → number\n```\n\n" + Builtin.bucket.summary)
        #expect(Self.hover("city", shift: 2)?.hasPrefix("```cohort\nuser.address.city\n```\n\nAttribute path, read from the context root `user`") == true)
        #expect(Self.hover("user.email")?.hasPrefix("```cohort\nuser\n```\n\nContext root") == true)
        #expect(Self.hover("ends_with")?.hasPrefix("`s ends_with suffix`") == true)
        #expect(Self.hover("as staff")?.hasPrefix("`serve VALUE as NAME`") == true)
        #expect(Self.hover("\"green\"") == nil)
        #expect(Self.hover("# Our", shift: 3) == nil)
    }

    @Test("hover range: the whole attribute path, from its root")
    func pathRange() {
        let (analysis, offset) = Self.analysis(Self.marked("city", shift: 1))
        let span = analysis.hover(at: offset)?.span
        #expect(span.map { analysis.source.text(of: $0) } == "user.address.city")
    }

    @Test("definition: from a use to the declaration's name; nothing for members, functions and roots")
    func definitions() {
        func target(_ needle: String, _ occurrence: Int = 1) -> String? {
            let (analysis, offset) = Self.analysis(Self.marked(needle, occurrence, shift: 1))
            return analysis.definition(at: offset).map { analysis.source.text(of: $0.span) + "@\(analysis.source.location(of: $0.span.start))" }
        }
        #expect(target("internal", 2) == "internal@5:9")
        #expect(target("staff_groups", 2) == "staff_groups@3:5")
        #expect(target("limit", 2) == "limit@4:5")
        #expect(target("internal", 1) == "internal@5:9")  // on the declaration itself
        #expect(target("email") == nil)
        #expect(target("bucket") == nil)
        #expect(target("user") == nil)
    }

    static func labels(_ marked: String) -> [String] {
        let (analysis, offset) = analysis(marked)
        return analysis.completions(at: offset, snippets: false).items.map(\.label)
    }

    @Test("completion after a root and a dot: the attribute paths the file reads there")
    func memberCompletion() {
        let text = Self.rules + "flag probe = user.|\n"
        #expect(Self.labels(text) == ["email", "group", "id", "address"])
        #expect(Self.labels(Self.rules + "flag probe = user.address.|\n") == ["city"])
        #expect(Self.labels(Self.rules + "flag probe = device.|\n") == [])
        #expect(Self.labels(Self.rules + "flag probe = staff_groups.|\n") == [])
    }

    @Test("completion elsewhere: declarations in scope but the one being written, functions, roots, keywords")
    func nameCompletion() {
        let labels = Self.labels(Self.rules + "flag probe = |\n")
        #expect(labels.contains("staff_groups") && labels.contains("checkout_button") && !labels.contains("probe"))
        #expect(labels.contains("bucket") && labels.contains("user") && labels.contains("and"))
        #expect(!labels.contains("let") && !labels.contains("use"))  // not at the start of a line
        let prefixed = Self.labels(Self.rules + "flag probe = inte|\n")
        #expect(prefixed == ["internal"])
        let lineStart = Self.labels(Self.rules + "|\n")
        #expect(lineStart.contains("let") && lineStart.contains("flag") && lineStart.contains("test"))
        #expect(Self.labels(Self.rules + "flag checkout_button_2 { when internal serve 1 |").contains("as"))
    }

    @Test("no completion inside a string, a comment, or a name being declared")
    func quietCompletion() {
        #expect(Self.labels(Self.rules + "flag probe = user.email == \"ab|c\"\n") == [])
        #expect(Self.labels(Self.rules + "flag probe = true # user.|\n") == [])
        #expect(Self.labels(Self.rules + "segment |\n") == [])
    }

    @Test("completion details: a function's signature, a declaration's first line; snippets on request")
    func completionDetails() {
        let (analysis, offset) = Self.analysis(Self.rules + "flag probe = |\n")
        let items = analysis.completions(at: offset, snippets: true).items
        let bucket = items.first { $0.label == "bucket" }
        #expect(bucket?.detail == "bucket(key, salt?, buckets?) → number")
        #expect(bucket?.snippet == "bucket($1)")
        #expect(items.first { $0.label == "now" }?.snippet == "now()")
        // The first line of the declaration, cut to 80 characters.
        #expect(items.first { $0.label == "internal" }?.detail == "segment internal = user.email ends_with \"@acme.com\" or user.group in staff_grou…")
        #expect(items.first { $0.label == "limit" }?.detail == "let limit = 10 * 2")
    }

    @Test("completion in a file of many declarations is capped and says it is incomplete")
    func cappedCompletion() {
        let text = (0..<2_000).map { "flag f\($0) = true\n" }.joined() + "flag probe = |\n"
        let (analysis, offset) = Self.analysis(text)
        let (items, incomplete) = analysis.completions(at: offset, snippets: false)
        #expect(incomplete)
        #expect(items.filter { $0.label.hasPrefix("f") && $0.label.dropFirst().allSatisfy(\.isNumber) }.count == DocumentAnalysis.maxDeclarationCandidates)
    }

    @Test("the outline: declarations with their kinds, a flag block's arms as children")
    func symbols() throws {
        let (analysis, _) = Self.analysis(Self.rules)
        let symbols = analysis.documentSymbols()
        #expect(symbols.map { $0.field("name")?.stringValue ?? "" } == ["staff_groups", "limit", "internal", "new_checkout", "checkout_button"])
        #expect(symbols.map { $0.field("kind")?.intValue ?? 0 } == [14, 14, 5, 17, 10])
        let arms = try #require(symbols.last?.field("children")?.listValue)
        #expect(arms.map { $0.field("name")?.stringValue ?? "" } == ["when internal", "when user.address.city == \"Seoul\"", "default"])
        #expect(arms.map { $0.field("detail")?.stringValue ?? "" } == ["serve \"green\" as staff", "serve \"blue\"", "\"red\" as control"])
        #expect(symbols.first?.field("selectionRange") == range(2, 4, 2, 16))
    }

    // MARK: Test files

    static let testFile = """
        use "flags.cohort"

        test "QA sees the new checkout" {
          now "2026-12-01T10:00:00Z"
          user {"email": "qa@acme.com",
                "group": "qa"}
          expect new_checkout and internal
          expect checkout_button reason match
        }

        """

    @Test("a test file: hover, definition and completion reach the rule file it uses, open or on disk")
    func testFiles() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let rulesPath = try scratch.write("flags.cohort", Self.rules)
        let testPath = scratch.path("flags.test.cohort")
        let rulesURI = DocumentURI.uri(ofPath: rulesPath), testURI = DocumentURI.uri(ofPath: testPath)

        func position(_ needle: String, shift: Int = 1) -> String {
            let (analysis, offset) = Self.analysis(Self.marked(needle, shift: shift, in: Self.testFile))
            let p = analysis.lines.position(of: offset)
            return #"{"textDocument":{"uri":"\#(testURI)"},"position":{"line":\#(p.line),"character":\#(p.character)}}"#
        }
        var client = LSPTestClient()
        client.initialize()
        client.notify("textDocument/didOpen", #"{"textDocument":{"uri":"\#(testURI)","version":1,"text":\#(jsonString(Self.testFile))}}"#)
        let hover = client.request("textDocument/hover", position("new_checkout"))
        let definition = client.request("textDocument/definition", position("internal"))
        let usePath = client.request("textDocument/definition", position("flags.cohort"))
        let expression = client.request("textDocument/completion", position("new_checkout", shift: 0))
        let lineStart = client.request("textDocument/completion", position("expect new", shift: 0))
        let reason = client.request("textDocument/completion", position("match", shift: 0))
        let symbols = client.request("textDocument/documentSymbol", #"{"textDocument":{"uri":"\#(testURI)"}}"#)
        let inJSON = client.request("textDocument/hover", position("\"group\"", shift: 2))
        // The rule file opened with an unsaved change: its text wins over the disk's.
        client.notify("textDocument/didOpen", #"{"textDocument":{"uri":"\#(rulesURI)","version":1,"text":"flag new_checkout = false\n"}}"#)
        let hoverOpen = client.request("textDocument/hover", position("new_checkout"))
        let output = client.run()

        let text = output.result(hover)?.field("contents")?.field("value")?.stringValue ?? ""
        #expect(text.hasPrefix("```cohort\nflag new_checkout = internal or bucket(user.id) < limit\n```\n\nrollout"))
        #expect(text.hasSuffix("Declared in `flags.cohort`."))
        #expect(output.result(definition) == .object(["uri": .string(rulesURI), "range": range(4, 8, 4, 16)]))
        #expect(output.result(usePath) == .object(["uri": .string(rulesURI), "range": range(0, 0, 0, 0)]))
        let names = output.result(expression)?.field("items")?.listValue?.compactMap { $0.field("label")?.stringValue } ?? []
        #expect(names.contains("new_checkout") && names.contains("staff_groups") && names.contains("bucket"))
        let words = output.result(lineStart)?.field("items")?.listValue?.compactMap { $0.field("label")?.stringValue } ?? []
        #expect(words.contains("expect") && words.contains("now") && words.contains("user") && !words.contains("bucket"))
        let kinds = output.result(reason)?.field("items")?.listValue?.compactMap { $0.field("label")?.stringValue } ?? []
        #expect(kinds == ["static", "match", "split", "default", "error"])
        let outline = output.result(symbols)?.listValue ?? []
        #expect(outline.map { $0.field("name")?.stringValue ?? "" } == ["use \"flags.cohort\"", "QA sees the new checkout"])
        #expect(output.result(inJSON) == .null)
        #expect(output.result(hoverOpen)?.field("contents")?.field("value")?.stringValue?.hasPrefix("```cohort\nflag new_checkout = false\n```") == true)
    }
}
