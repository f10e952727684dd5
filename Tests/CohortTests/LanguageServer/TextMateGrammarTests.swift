import Cohort
import Foundation
import Testing

/// `editors/cohort.tmLanguage.json` against the language itself: every token the lexer
/// reads in the examples gets the scope an editor theme expects for its kind.
@Suite("TextMate grammar")
struct TextMateGrammarTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func grammar() throws -> TextMateTokenizer {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("editors/cohort.tmLanguage.json"))
        return try TextMateTokenizer(json: try JSONSerialization.jsonObject(with: data))
    }

    /// Every `.cohort` file under examples/ (rule files and test files).
    static func examples() throws -> [URL] {
        let folder = packageRoot.appendingPathComponent("examples")
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "cohort" }.sorted { $0.path < $1.path }
    }

    /// Constructs the examples may not show, one or more per line.
    static let constructs = #"""
        let pattern = 'it\'s' // a comment after code
        let escapes = "tab\t quote\" back\\ line\n cr\r emoji \u{1F600}"
        let numbers = [1_000_000, 2.5e-1, 1E3, -3.5, 0]
        segment s = user.email matches "(?i)^a.*@x\\.com$" && !(user.age < 18) || user.tags contains_any ["a"]
        segment t = user.tags contains_all ["a", "b"] and user.name starts_with "A" and not (user.id not in [1, 2])
        segment u = user["first-name"] != null and user.tags[0] >= 1 and device.os == "ios" and (3 * 4 / 2 % 5 + 1) > 0
        flag f = len(trim(lower(upper(string(number("4")))))) == 1 and exists(org.id) and date("2026-12-01") < now()
        flag g = now() - time("2026-12-01T09:00:00Z") < days(1) + hours(2) + minutes(3) and semver(app.version) >= "1.2"
        flag h {
          when user.in == user.default serve "a" as arm_a
          default "b" as fallback
        }
        use "flags.cohort"
        test "with a context" {
          context {"user": {"id": "u-1", "tags": ["a", 1, -2.5e3, true, null]},
                   "request": {"id": "r\u0041"}}
          now "2026-12-01T10:00:00Z"
          salt "wave"
          expect user.test == null and not h
          expect h reason default
        }
        """#

    /// The scope a token of each kind must have, by prefix of its innermost scope.
    static func expectedScopes(_ token: Token, after previous: Token?) -> [String] {
        if previous?.kind == .dot, token.isWord { return ["variable.other.member"] }
        if previous?.kind == .identifier, previous?.text == "reason", token.isWord { return ["constant.language.reason"] }
        switch token.kind {
        case .identifier:
            return ["variable.", "entity.name.", "support.function.", "keyword.control.", "keyword.declaration.", "constant.language.reason"]
        case .number: return ["constant.numeric"]
        case .string: return ["string.quoted", "punctuation.definition.string", "constant.character.escape"]
        case .kwTrue, .kwFalse, .kwNull: return ["constant.language"]
        case .kwAnd, .kwOr, .kwNot: return ["keyword.operator.logical"]
        case .kwIn, .kwContains, .kwContainsAny, .kwContainsAll, .kwStartsWith, .kwEndsWith, .kwMatches: return ["keyword.operator.word"]
        case .kwLet, .kwSegment, .kwFlag: return ["storage.type"]
        case .kwWhen, .kwServe, .kwDefault: return ["keyword.control.flag"]
        case .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual: return ["keyword.operator.comparison"]
        case .plus, .minus, .star, .slash, .percent: return ["keyword.operator.arithmetic"]
        case .bang, .ampAmp, .pipePipe: return ["keyword.operator.logical"]
        case .assign: return ["keyword.operator.assignment"]
        case .leftParen, .rightParen, .leftBracket, .rightBracket, .leftBrace, .rightBrace, .comma: return ["punctuation.section", "punctuation.separator"]
        case .dot: return ["punctuation.accessor"]
        case .json: return ["string.", "constant.", "punctuation.", "meta.structure.dictionary"]
        default: return []
        }
    }

    /// Checks every token of `text`, every comment, and that nothing visible is left
    /// with only the file's scope. Returns the problems found.
    static func problems(in text: String, named name: String) throws -> [String] {
        let scopes = try grammar().tokenize(text)
        let source = SourceFile(name: name, text: text)
        let lines = LineTable(bytes: source.bytes)
        var lexer = Lexer(source)
        let tokens = lexer.tokenize()
        var problems: [String] = []
        func scopesAt(_ offset: Int) -> [String] {
            let p = lines.position(of: offset)
            guard p.line < scopes.count, p.character < scopes[p.line].count else { return [] }
            return scopes[p.line][p.character]
        }
        var covered = Set<Int>()
        for (i, token) in tokens.enumerated() where token.kind != .end {
            if token.kind == .error {
                problems.append("\(name):\(source.location(of: token.span.start)): the lexer fails here: \(token.text)")
                continue
            }
            let expected = expectedScopes(token, after: i > 0 ? tokens[i - 1] : nil)
            covered.formUnion(token.span.start..<token.span.end)
            for offset in token.span.start..<token.span.end where source.bytes[offset] & 0xC0 != 0x80 {
                if [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(source.bytes[offset]) { continue }
                let innermost = scopesAt(offset).last ?? ""
                if !expected.contains(where: { innermost.hasPrefix($0) }) {
                    problems.append("\(name):\(source.location(of: offset)): '\(source.text(of: token.span))' is \(innermost), expected \(expected.joined(separator: " or "))")
                    break
                }
            }
        }
        // What the lexer skipped and is not blank is a comment.
        for offset in 0..<source.bytes.count where !covered.contains(offset) && source.bytes[offset] & 0xC0 != 0x80 {
            let byte = source.bytes[offset]
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { continue }
            if !(scopesAt(offset).last ?? "").hasPrefix("comment.line") && !(scopesAt(offset).last ?? "").hasPrefix("punctuation.definition.comment") {
                problems.append("\(name):\(source.location(of: offset)): comment text is \(scopesAt(offset).last ?? "nothing")")
            }
        }
        return problems
    }

    @Test("the grammar reads: valid JSON, every regex compiles, every include resolves")
    func loads() throws {
        let grammar = try Self.grammar()
        #expect(grammar.scopeName == "source.cohort")
    }

    @Test("the VS Code extension ships the same grammar")
    func vscodeCopy() throws {
        let grammar = try Data(contentsOf: Self.packageRoot.appendingPathComponent("editors/cohort.tmLanguage.json"))
        let copy = try Data(contentsOf: Self.packageRoot.appendingPathComponent("editors/vscode/syntaxes/cohort.tmLanguage.json"))
        #expect(grammar == copy, "copy editors/cohort.tmLanguage.json to editors/vscode/syntaxes/")
    }

    @Test("the Sublime syntax (for Sublime Text and bat) is derived from the grammar: every regex and scope is in it")
    func sublimeSyntax() throws {
        let grammar = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.packageRoot.appendingPathComponent("editors/cohort.tmLanguage.json")))
        let derived = try String(contentsOf: Self.packageRoot.appendingPathComponent("editors/cohort.sublime-syntax"), encoding: .utf8)
        var regexes: [String] = [], scopes: [String] = []
        func walk(_ node: Any, key: String?) {
            if let object = node as? [String: Any] {
                for (k, v) in object { walk(v, key: k) }
            } else if let list = node as? [Any] {
                for v in list { walk(v, key: key) }
            } else if let text = node as? String {
                if key == "match" || key == "begin" || key == "end" { regexes.append(text) }
                if key == "name", text.hasSuffix(".cohort") { scopes.append(text) }
            }
        }
        walk(grammar, key: nil)
        #expect(regexes.count > 30)
        for regex in regexes {
            var quoted = ""
            writeJSONString(regex, to: &quoted)
            #expect(derived.contains(": " + quoted), "\(quoted) is not in cohort.sublime-syntax: run editors/make-sublime-syntax.py")
        }
        for scope in scopes {
            #expect(derived.contains(scope), "\(scope) is not in cohort.sublime-syntax: run editors/make-sublime-syntax.py")
        }
    }

    @Test("every construct of the examples gets its scope")
    func examples() throws {
        let files = try Self.examples()
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let problems = try Self.problems(in: text, named: file.lastPathComponent)
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        }
    }

    @Test("every example file of grammar/cohort.ebnf gets its scopes (rule files, variants, test files)")
    func grammarExamples() throws {
        let files = GrammarExamples.extract(from: GrammarExamples.text).files
        #expect(files.count >= 5)
        for file in files {
            let problems = try Self.problems(in: file.text, named: "cohort.ebnf:\(file.line)")
            #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        }
    }

    @Test("constructs beyond the examples: escapes, quotes, number forms, every operator, roots, members, variants")
    func constructs() throws {
        let problems = try Self.problems(in: Self.constructs, named: "constructs.cohort")
        #expect(problems.isEmpty, "\(problems.prefix(10).joined(separator: "\n"))")
        let scopes = try Self.grammar().tokenize(Self.constructs)
        func innermost(_ line: Int, _ fragment: String) -> String {
            let text = Self.constructs.split(separator: "\n", omittingEmptySubsequences: false)[line]
            let start = text.range(of: fragment)!.lowerBound
            return scopes[line][text.utf16.distance(from: text.startIndex, to: start)].last ?? ""
        }
        #expect(innermost(1, "\\t") == "constant.character.escape.cohort")
        #expect(innermost(1, "\\u{1F600}") == "constant.character.escape.cohort")
        #expect(innermost(0, "// a") == "punctuation.definition.comment.cohort")
        #expect(innermost(6, "len(") == "support.function.builtin.cohort")
        #expect(innermost(3, "user.email") == "variable.language.root.cohort")
        #expect(innermost(9, "arm_a") == "entity.name.tag.variant.cohort")
        #expect(innermost(9, "as arm_a") == "keyword.control.as.cohort")
        #expect(innermost(8, "h {") == "entity.name.function.flag.cohort")
        #expect(innermost(12, "use") == "keyword.control.import.cohort")
        #expect(innermost(13, "test") == "keyword.declaration.test.cohort")
        #expect(innermost(14, "context") == "keyword.control.test.cohort")
        #expect(innermost(14, "\"u-1\"") == "punctuation.definition.string.begin.cohort")
        #expect(innermost(14, "-2.5e3") == "constant.numeric.json.cohort")
        #expect(innermost(15, "\\u0041") == "constant.character.escape.json.cohort")
        #expect(innermost(15, "}}") == "punctuation.definition.dictionary.end.json.cohort")
        #expect(innermost(16, "now") == "keyword.control.test.cohort")
        #expect(innermost(18, "expect") == "keyword.control.expect.cohort")
        #expect(innermost(18, "test ==") == "variable.other.member.cohort")
        #expect(innermost(19, "default") == "constant.language.reason.cohort")
    }

    @Test("an invalid escape and an unterminated string are marked, and the next line is code again")
    func badStrings() throws {
        let scopes = try Self.grammar().tokenize("let a = \"x\\q\"\nlet b = \"open\nflag c = true")
        #expect(scopes[0][10].last == "invalid.illegal.escape.cohort")
        #expect(scopes[2][0].last == "storage.type.flag.cohort")
    }
}
