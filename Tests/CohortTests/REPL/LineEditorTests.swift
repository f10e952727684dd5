@testable import Cohort
import Testing

/// Key bytes as terminals send them (xterm; VT220 and application-mode forms too).
private enum Key {
    static let enter = "\r", newline = "\n", tab = "\t", escape = "\u{1B}"
    static let ctrlA = "\u{01}", ctrlB = "\u{02}", ctrlC = "\u{03}", ctrlD = "\u{04}", ctrlE = "\u{05}", ctrlF = "\u{06}"
    static let ctrlG = "\u{07}", ctrlH = "\u{08}", ctrlK = "\u{0B}", ctrlL = "\u{0C}", ctrlN = "\u{0E}", ctrlP = "\u{10}"
    static let ctrlR = "\u{12}", ctrlU = "\u{15}", ctrlW = "\u{17}", ctrlY = "\u{19}", backspace = "\u{7F}"
    static let up = "\u{1B}[A", down = "\u{1B}[B", right = "\u{1B}[C", left = "\u{1B}[D"
    static let delete = "\u{1B}[3~"
    static let altB = "\u{1B}b", altF = "\u{1B}f", altD = "\u{1B}d", altBackspace = "\u{1B}\u{7F}"
}

/// An editor after typing `keys`, with the actions it reported (other than `.none`).
private func typed(
    _ keys: String, history: [String] = [], completions: [String] = []
) -> (editor: LineEditor, actions: [LineEditor.Action]) {
    var editor = LineEditor(history: history) { _ in completions }
    let actions = editor.feed(keys)
    return (editor, actions)
}

@Suite("Line editor: typing and moving")
struct LineEditorEditingTests {
    @Test("printable keys insert at the cursor, one redraw each")
    func printable() {
        let (e, actions) = typed("user.id")
        #expect(e.text == "user.id")
        #expect(e.cursor == 7)
        #expect(actions == Array(repeating: .redraw, count: 7))
    }

    @Test("multi-byte UTF-8 becomes one character, with one redraw when it is complete")
    func utf8() {
        var e = LineEditor()
        #expect(e.feed(0xC3) == .none)      // é = C3 A9
        #expect(e.feed(0xA9) == .redraw)
        #expect(e.feed(Array("한😀".utf8)) == [.redraw, .redraw])
        #expect(e.text == "é한😀")
        #expect(e.buffer.count == 3)
        #expect(e.cursor == 3)
        _ = e.feed(Key.left + Key.left + "x")
        #expect(e.text == "éx한😀")
        _ = e.feed(Key.backspace + Key.backspace)
        #expect(e.text == "한😀")
        #expect(e.cursor == 0)
    }

    @Test("a stray continuation byte is dropped; a cut-short character gives way to the next key")
    func invalidUTF8() {
        var e = LineEditor()
        #expect(e.feed([0x80, 0xBF, 0xFF]) == [])
        #expect(e.feed([0xE2, 0x82]) == [])   // the start of €, then a plain key
        #expect(e.feed(Array("a".utf8)) == [.redraw])
        #expect(e.text == "a")
    }

    @Test("Left and Right move by one character and stop at the ends")
    func leftRight() {
        var e = typed("abc").editor
        #expect(e.feed(Key.left + Key.left) == [.redraw, .redraw])
        _ = e.feed("X")
        #expect(e.text == "aXbc")
        #expect(e.cursor == 2)
        #expect(e.feed(Key.right + Key.right + Key.right) == [.redraw, .redraw])
        #expect(e.cursor == 4)
        _ = e.feed(Key.ctrlA)
        #expect(e.feed(Key.left) == [])
        #expect(e.feed(Key.ctrlF + Key.ctrlF + Key.ctrlB) == [.redraw, .redraw, .redraw])
        #expect(e.cursor == 1)
    }

    @Test("Home goes to the start of the line", arguments: [
        ("ESC [ H", "\u{1B}[H"), ("ESC [ 1 ~", "\u{1B}[1~"), ("ESC [ 7 ~", "\u{1B}[7~"), ("ESC O H", "\u{1B}OH"), ("Ctrl-A", Key.ctrlA),
    ])
    func home(name: String, key: String) {
        var e = typed("a + b").editor
        #expect(e.feed(key) == [.redraw], "\(name)")
        #expect(e.cursor == 0, "\(name)")
        #expect(e.feed(key) == [], "\(name): already there")
        #expect(e.text == "a + b")
    }

    @Test("End goes to the end of the line", arguments: [
        ("ESC [ F", "\u{1B}[F"), ("ESC [ 4 ~", "\u{1B}[4~"), ("ESC [ 8 ~", "\u{1B}[8~"), ("ESC O F", "\u{1B}OF"), ("Ctrl-E", Key.ctrlE),
    ])
    func end(name: String, key: String) {
        var e = typed("a + b" + Key.ctrlA).editor
        #expect(e.feed(key) == [.redraw], "\(name)")
        #expect(e.cursor == 5, "\(name)")
        #expect(e.text == "a + b")
    }

    @Test("word moves skip to the start or end of a word", arguments: [
        ("Alt-b", Key.altB, -1), ("ESC B", "\u{1B}B", -1), ("Ctrl-Left", "\u{1B}[1;5D", -1), ("Alt-Left", "\u{1B}[1;3D", -1),
        ("Alt-f", Key.altF, 1), ("ESC F", "\u{1B}F", 1), ("Ctrl-Right", "\u{1B}[1;5C", 1), ("Alt-Right", "\u{1B}[1;3C", 1),
    ])
    func words(name: String, key: String, direction: Int) {
        //              0123456789012345678901
        let line = #"user.plan == "pro_x""#
        if direction < 0 {
            var e = typed(line).editor
            _ = e.feed(key)
            #expect(e.cursor == 14, "\(name): start of pro_x")
            _ = e.feed(key)
            #expect(e.cursor == 5, "\(name): start of plan")
            _ = e.feed(key + key)
            #expect(e.cursor == 0, "\(name)")
            #expect(e.feed(key) == [], "\(name): nothing before the start")
        } else {
            var e = typed(line + Key.ctrlA).editor
            _ = e.feed(key)
            #expect(e.cursor == 4, "\(name): end of user")
            _ = e.feed(key)
            #expect(e.cursor == 9, "\(name): end of plan")
            _ = e.feed(key)
            #expect(e.cursor == 19, "\(name): end of pro_x")
            _ = e.feed(key)
            #expect(e.cursor == 20, "\(name)")
        }
    }

    @Test("Backspace deletes before the cursor, Delete under it", arguments: [
        ("DEL", Key.backspace, "ac", 1), ("Ctrl-H", Key.ctrlH, "ac", 1), ("ESC [ 3 ~", Key.delete, "ab", 2), ("Ctrl-D", Key.ctrlD, "ab", 2),
    ])
    func deleting(name: String, key: String, text: String, cursor: Int) {
        var e = typed("abc" + Key.left).editor
        #expect(e.feed(key) == [.redraw], "\(name)")
        #expect(e.text == text, "\(name)")
        #expect(e.cursor == cursor, "\(name)")
    }

    @Test("Backspace at the start and Delete at the end do nothing")
    func deletingAtTheEnds() {
        var e = typed("ab").editor
        #expect(e.feed(Key.delete) == [])
        #expect(e.feed(Key.ctrlD) == [], "Ctrl-D on a non-empty line deletes forward, never leaves")
        _ = e.feed(Key.ctrlA)
        #expect(e.feed(Key.backspace) == [])
        #expect(e.text == "ab")
    }

    @Test("Ctrl-K kills to the end, Ctrl-U to the start, Ctrl-W the word before; Ctrl-Y yanks")
    func killAndYank() {
        var e = typed(#"user.plan == "pro""# + Key.altB + Key.left).editor  // cursor before "pro"
        #expect(e.cursor == 13)
        #expect(e.feed(Key.ctrlK) == [.redraw])
        #expect(e.text == "user.plan == ")
        #expect(e.feed(Key.ctrlA + Key.ctrlY) == [.redraw, .redraw])
        #expect(e.text == #""pro"user.plan == "#)
        #expect(e.cursor == 5)

        var u = typed("abc def" + Key.left + Key.left).editor
        #expect(u.feed(Key.ctrlU) == [.redraw])
        #expect(u.text == "ef")
        #expect(u.cursor == 0)
        _ = u.feed(Key.ctrlE + Key.ctrlY)
        #expect(u.text == "efabc d")

        var w = typed("user.group in staff").editor
        #expect(w.feed(Key.ctrlW) == [.redraw])
        #expect(w.text == "user.group in ")
        _ = w.feed(Key.ctrlW)
        #expect(w.text == "user.group ")
        _ = w.feed(Key.ctrlW)
        #expect(w.text == "user.")
        _ = w.feed(Key.ctrlY)
        #expect(w.text == "user.group ", "the last kill is yanked")
    }

    @Test("killing nothing keeps the kill buffer")
    func emptyKill() {
        var e = typed("abc" + Key.ctrlW).editor
        #expect(e.feed(Key.ctrlK) == [])
        #expect(e.feed(Key.ctrlU + Key.ctrlW) == [])
        #expect(e.feed(Key.ctrlY) == [.redraw])
        #expect(e.text == "abc")
    }

    @Test("Alt-d kills the next word, Alt-Backspace the previous one")
    func altKills() {
        var e = typed("one two three" + Key.ctrlA + Key.altF).editor
        #expect(e.feed(Key.altD) == [.redraw])
        #expect(e.text == "one three")
        _ = e.feed(Key.ctrlE)
        #expect(e.feed(Key.altBackspace) == [.redraw])
        #expect(e.text == "one ")
        _ = e.feed(Key.ctrlY)
        #expect(e.text == "one three")
    }

    @Test("Ctrl-C clears the line and reports cancel")
    func ctrlC() {
        var e = typed("user.id" + Key.left).editor
        #expect(e.feed(Key.ctrlC) == [.cancel])
        #expect(e.text == "")
        #expect(e.cursor == 0)
        #expect(e.feed(Key.ctrlC) == [.cancel], "also on an empty line")
    }

    @Test("Ctrl-D on an empty line is the end of input")
    func ctrlD() {
        #expect(typed(Key.ctrlD).actions == [.endOfInput])
        var e = typed("x" + Key.backspace).editor
        #expect(e.feed(Key.ctrlD) == [.endOfInput])
    }

    @Test("Enter submits the whole line wherever the cursor is, and starts a new one", arguments: [Key.enter, Key.newline])
    func enter(key: String) {
        var e = typed("1 + 2" + Key.ctrlA).editor
        #expect(e.feed(key) == [.submit("1 + 2")])
        #expect(e.text == "")
        #expect(e.cursor == 0)
        #expect(e.feed(key) == [.submit("")], "an empty line submits too")
    }

    @Test("Ctrl-L asks for a clear screen and keeps the line")
    func ctrlL() {
        var e = typed("abc").editor
        #expect(e.feed(Key.ctrlL) == [.clearScreen])
        #expect(e.text == "abc")
    }

    @Test("unknown keys and escape sequences are ignored", arguments: [
        ("F5", "\u{1B}[15~"), ("bracketed paste start", "\u{1B}[200~"), ("Ctrl-T", "\u{14}"), ("Alt-x", "\u{1B}x"), ("Insert", "\u{1B}[2~"),
    ])
    func ignored(name: String, key: String) {
        var e = typed("ab" + Key.left).editor
        #expect(e.feed(key) == [], "\(name)")
        _ = e.feed("c")
        #expect(e.text == "acb", "\(name): the next key still works")
    }
}

@Suite("Line editor: history")
struct LineEditorHistoryTests {
    let history = ["user.plan", "1 + 2", "user.group == \"qa\""]

    @Test("Up and Down walk the history and come back to the line being typed", arguments: [
        ("arrows", Key.up, Key.down), ("application-mode arrows", "\u{1B}OA", "\u{1B}OB"), ("Ctrl-P/N", Key.ctrlP, Key.ctrlN),
    ])
    func walk(name: String, up: String, down: String) {
        var e = typed("draft", history: history).editor
        #expect(e.feed(up) == [.redraw])
        #expect(e.text == "user.group == \"qa\"", "\(name)")
        #expect(e.cursor == e.buffer.count)
        _ = e.feed(up + up)
        #expect(e.text == "user.plan", "\(name)")
        #expect(e.feed(up) == [], "\(name): nothing older")
        #expect(e.text == "user.plan")
        _ = e.feed(down)
        #expect(e.text == "1 + 2", "\(name)")
        _ = e.feed(down + down)
        #expect(e.text == "draft", "\(name): the line being typed is kept")
        #expect(e.feed(down) == [], "\(name): nothing newer")
        #expect(e.text == "draft")
    }

    @Test("with no history Up does nothing")
    func empty() {
        var e = typed("x").editor
        #expect(e.feed(Key.up) == [])
        #expect(e.text == "x")
    }

    @Test("a recalled line can be edited and submitted")
    func editRecalled() {
        var e = typed(Key.up + Key.backspace + "3", history: history).editor
        #expect(e.text == "user.group == \"qa3")
        #expect(e.feed(Key.up + Key.enter) == [.redraw, .submit("1 + 2")])
        #expect(e.feed(Key.up) == [.redraw], "after a submit Up starts again from the newest line")
        #expect(e.text == "user.group == \"qa\"")
    }

    @Test("remember skips blank lines and repeats of the last line, and keeps the newest 1000")
    func remember() {
        var e = LineEditor()
        for line in ["a", "a", "  ", "", "b", "a"] { e.remember(line) }
        #expect(e.history == ["a", "b", "a"])
        for i in 0..<1100 { e.remember("line \(i)") }
        #expect(e.history.count == LineEditor.historyLimit)
        #expect(e.history.first == "line 100")
        #expect(e.history.last == "line 1099")
    }
}

@Suite("Line editor: Ctrl-R search")
struct LineEditorSearchTests {
    let history = [#"user.plan == "pro""#, "1 + 2", #"user.group in ["qa"]"#, "bucket(user.id) < 20", "user.plan"]

    @Test("Ctrl-R starts a search; typing narrows it to the newest matching line")
    func typingNarrows() {
        var e = typed("draft", history: history).editor
        #expect(e.feed(Key.ctrlR) == [.redraw])
        #expect(e.search == LineEditor.Search())
        _ = e.feed("u")
        #expect(e.searchMatch == "user.plan")
        _ = e.feed("ser.g")
        #expect(e.search?.query == "user.g")
        #expect(e.searchMatch == #"user.group in ["qa"]"#)
        #expect(e.search?.failing == false)
        #expect(e.text == "draft", "the line is untouched while searching")
    }

    @Test("Ctrl-R again finds an older match; past the oldest the search fails and keeps the match")
    func older() {
        var e = typed(Key.ctrlR + "user", history: history).editor
        #expect(e.searchMatch == "user.plan")
        _ = e.feed(Key.ctrlR)
        #expect(e.searchMatch == "bucket(user.id) < 20")
        _ = e.feed(Key.ctrlR + Key.ctrlR)
        #expect(e.searchMatch == #"user.plan == "pro""#)
        #expect(e.feed(Key.ctrlR) == [.redraw])
        #expect(e.search?.failing == true)
        #expect(e.searchMatch == #"user.plan == "pro""#)
        #expect(e.feed(Key.enter) == [.submit(#"user.plan == "pro""#)])
    }

    @Test("typing more after going back keeps searching from the current match")
    func narrowFromCurrent() {
        var e = typed(Key.ctrlR + "user" + Key.ctrlR + Key.ctrlR, history: history).editor
        #expect(e.searchMatch == #"user.group in ["qa"]"#)
        _ = e.feed(".p")
        #expect(e.searchMatch == #"user.plan == "pro""#, "not the newer user.plan")
    }

    @Test("a query nothing matches fails; Backspace widens it again")
    func failing() {
        var e = typed(Key.ctrlR + "1 +", history: history).editor
        #expect(e.searchMatch == "1 + 2")
        _ = e.feed("x")
        #expect(e.search?.failing == true)
        #expect(e.searchMatch == "1 + 2")
        _ = e.feed(Key.backspace)
        #expect(e.search?.failing == false)
        #expect(e.search?.query == "1 +")
        _ = e.feed(Key.backspace + Key.backspace + Key.backspace)
        #expect(e.search == LineEditor.Search())
    }

    @Test("the same line twice in the history is found once")
    func duplicates() {
        var e = typed(Key.ctrlR + "x", history: ["x = 1", "y", "x = 1"]).editor
        #expect(e.search?.match == 2)
        _ = e.feed(Key.ctrlR)
        #expect(e.search?.failing == true)
        #expect(e.search?.match == 2)
    }

    @Test("Enter accepts the match and submits it")
    func enterAccepts() {
        var e = typed(Key.ctrlR + "bucket", history: history).editor
        #expect(e.feed(Key.enter) == [.submit("bucket(user.id) < 20")])
        #expect(e.search == nil)
        #expect(e.text == "")
    }

    @Test("another key accepts the match, then does what it does", arguments: [
        ("Ctrl-E", Key.ctrlE, "bucket(user.id) < 20", 20), ("Ctrl-A", Key.ctrlA, "bucket(user.id) < 20", 0),
        ("Right", Key.right, "bucket(user.id) < 20", 20), ("Left", Key.left, "bucket(user.id) < 20", 19),
        ("ESC", Key.escape, "bucket(user.id) < 20", 20), ("Ctrl-K after Ctrl-A", Key.ctrlA + Key.ctrlK, "", 0),
        ("Backspace after Ctrl-E", Key.ctrlE + Key.backspace, "bucket(user.id) < 2", 19),
    ])
    func otherKeysAccept(name: String, keys: String, text: String, cursor: Int) {
        var e = typed("draft" + Key.ctrlR + "bucket", history: history).editor
        _ = e.feed(keys)
        #expect(e.search == nil, "\(name)")
        #expect(e.text == text, "\(name)")
        #expect(e.cursor == cursor, "\(name)")
    }

    @Test("accepting redraws even when the key itself changes nothing", arguments: [
        ("Ctrl-E", Key.ctrlE), ("Right", Key.right), ("ESC", Key.escape), ("Ctrl-D", Key.ctrlD), ("Tab", Key.tab),
    ])
    func acceptRedraws(name: String, key: String) {
        var e = typed(Key.ctrlR + "1 +", history: history).editor
        #expect(e.feed(key) == [.redraw], "\(name)")
        #expect(e.search == nil)
        #expect(e.text == "1 + 2")
    }

    @Test("Ctrl-G and Ctrl-C abandon the search and keep the line as it was", arguments: [Key.ctrlG, Key.ctrlC])
    func abandon(key: String) {
        var e = typed("draft" + Key.ctrlR + "bucket", history: history).editor
        #expect(e.feed(key) == [.redraw])
        #expect(e.search == nil)
        #expect(e.text == "draft")
        #expect(e.cursor == 5)
    }

    @Test("after accepting, Down goes to the line after the match and then back to the draft")
    func downAfterAccept() {
        var e = typed("draft" + Key.ctrlR + "1 +" + Key.ctrlE, history: history).editor
        #expect(e.text == "1 + 2")
        _ = e.feed(Key.down)
        #expect(e.text == #"user.group in ["qa"]"#)
        _ = e.feed(Key.down + Key.down + Key.down)
        #expect(e.text == "draft")
    }

    @Test("non-ASCII text goes into the query, not the line")
    func utf8Query() {
        let e = typed(Key.ctrlR + "Zü", history: [#"user.city == "Zürich""#, "x"]).editor
        #expect(e.search?.query == "Zü")
        #expect(e.searchMatch == #"user.city == "Zürich""#)
        #expect(e.text == "")
    }

    @Test("with an empty query Ctrl-R and Enter accept nothing")
    func emptyQuery() {
        var e = typed("draft" + Key.ctrlR, history: history).editor
        #expect(e.feed(Key.ctrlR) == [])
        #expect(e.feed(Key.enter) == [.submit("draft")])
    }
}

@Suite("Line editor: Tab completion")
struct LineEditorCompletionTests {
    @Test("a single candidate completes the word and adds a space")
    func single() {
        let (e, actions) = typed("user.gr" + Key.tab, completions: ["user.group", "user.plan"])
        #expect(e.text == "user.group ")
        #expect(e.cursor == 11)
        #expect(actions.last == .redraw)
    }

    @Test("a function name completes to its '(' without a space")
    func function() {
        let e = typed("buc" + Key.tab, completions: ["bucket(", "bool"]).editor
        #expect(e.text == "bucket(")
    }

    @Test("several candidates: the common prefix first, then the list")
    func several() {
        var e = typed("user.a" + Key.tab, completions: ["user.age", "user.app_version", "user.address.city"]).editor
        #expect(e.text == "user.a", "no longer common prefix")
        var f = typed("user.ap" + Key.tab, completions: ["user.app_version", "user.app_build"]).editor
        #expect(f.text == "user.app_", "the common prefix is inserted, no space")
        #expect(f.feed(Key.tab) == [.showCandidates(["user.app_build", "user.app_version"])])
        #expect(f.text == "user.app_")
        #expect(e.feed(Key.tab) == [.showCandidates(["user.address.city", "user.age", "user.app_version"])])
    }

    @Test("completion works in the middle of a line and does not double a space")
    func middle() {
        var e = typed("user.pl == 1" + Key.altB + Key.altB + Key.altF, completions: ["user.plan"]).editor
        #expect(e.cursor == 7)
        _ = e.feed(Key.tab)
        #expect(e.text == "user.plan == 1")
        #expect(e.cursor == 9)
    }

    @Test("inside a call or a list, a completed word gets no space: ')' or ',' comes next")
    func insideBrackets() {
        let call = typed("semver(user.app_v" + Key.tab, completions: ["user.app_version"]).editor
        #expect(call.text == "semver(user.app_version")
        let list = typed("[user.pl" + Key.tab, completions: ["user.plan"]).editor
        #expect(list.text == "[user.pl" + "an")
        let closed = typed("len(user.tags) > 1 and user.pl" + Key.tab, completions: ["user.plan"]).editor
        #expect(closed.text == "len(user.tags) > 1 and user.plan ", "the call before it is closed")
        let quoted = typed(#"user.x == "(" and user.pl"# + Key.tab, completions: ["user.plan"]).editor
        #expect(quoted.text == #"user.x == "(" and user.plan "#, "a bracket inside a string does not count")
    }

    @Test("the history keeps a line without the space a completion left at its end")
    func historyWithoutTrailingSpace() {
        var e = typed("user.gr" + Key.tab, completions: ["user.group"]).editor
        #expect(e.text == "user.group ")
        guard case .submit(let line)? = e.feed(Key.enter).last else {
            Issue.record("Enter submits")
            return
        }
        e.remember(line)
        #expect(e.history == ["user.group"])
        e.remember("user.group \t ")
        #expect(e.history == ["user.group"], "the same line again is not repeated")
    }

    @Test("commands complete after ':'")
    func command() {
        let session = ReplSession()
        let e = typed(":lo" + Key.tab, completions: session.completions(for: ":lo")).editor
        #expect(e.text == ":load ")
    }

    @Test("no candidate, a complete word, or nothing before the cursor: Tab does nothing")
    func nothing() {
        #expect(typed("zz" + Key.tab, completions: ["user"]).actions == [.redraw, .redraw])
        #expect(typed("user" + Key.tab, completions: ["user"]).actions.count == 4)
        var e = typed("a ", completions: ["and"]).editor
        #expect(e.feed(Key.tab) == [], "no word before the cursor")
        #expect(e.text == "a ")
    }

    @Test("the completer can be replaced, as the REPL does after each input")
    func replaceCompleter() {
        var e = LineEditor()
        _ = e.feed("user.gr" + Key.tab)
        #expect(e.text == "user.gr")
        var session = ReplSession()
        _ = session.handle(#":user {"group": "qa", "id": "u-1"}"#)
        e.completer = { [session] in session.completions(for: $0) }
        _ = e.feed(Key.tab)
        #expect(e.text == "user.group ")
    }
}

@Suite("Line editor: display width")
struct LineEditorColumnsTests {
    @Test("columns counts terminal cells", arguments: [
        ("ascii", "user.id", 7), ("Latin-1", "Zürich", 6), ("combining accent", "e\u{301}", 1), ("Hangul", "한국", 4),
        ("CJK", "東京", 4), ("emoji", "😀", 2), ("full-width", "ＡＢ", 4), ("control", "\u{1B}", 0),
    ])
    func columns(name: String, text: String, columns: Int) {
        #expect(LineEditor.columns(text) == columns, "\(name)")
    }
}
