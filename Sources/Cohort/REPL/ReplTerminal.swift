/// The interactive REPL between a terminal's bytes and the session, without the terminal
/// itself: bytes from one `read` go in, the text to write comes out. The `cohort` executable
/// owns raw mode, signals and the history file; everything that decides what appears on
/// the screen is here, where tests can drive it.
///
/// The line is redrawn at most once per batch of bytes, after all of them are handled, and a
/// redraw writes only what fits on one row of the terminal, so pasting a long text costs
/// time in proportion to its length: one insertion and one redraw per read, where a redraw
/// per character (each one measuring the whole line) made a 2,000-character paste take
/// minutes.
package struct ReplTerminal {
    /// What `:rules`, `:user` and the rest act on.
    package private(set) var session: ReplSession
    /// The line being edited.
    package private(set) var editor: LineEditor
    /// The terminal's width in columns; the caller updates it before each batch.
    package var width = 80
    /// True after `:quit` or Ctrl-D: nothing more should be read.
    package private(set) var finished = false
    /// True when a line was added to the history since the caller last cleared it (the
    /// caller saves the history file then).
    package var historyChanged = false
    /// How many times the line has been drawn, for tests that bound the cost of a paste.
    package private(set) var redraws = 0
    /// Columns of text right of the cursor as last drawn: Ctrl-C moves past them before
    /// printing `^C`.
    private var drawnAfterCursor = 0

    /// `ESC [?2004h` asks the terminal to mark pasted text (`ESC [200~` … `ESC [201~`);
    /// `ESC [?2004l` turns that off again. Terminals that do not know it ignore both.
    package static let bracketedPasteOn = "\u{1B}[?2004h"
    package static let bracketedPasteOff = "\u{1B}[?2004l"

    package init(session: ReplSession, history: [String] = []) {
        self.session = session
        let start = session
        editor = LineEditor(history: history) { start.completions(for: $0) }
    }

    /// The first prompt.
    package mutating func start() -> String {
        draw()
    }

    /// Handles the bytes of one read and returns what to write to the terminal.
    package mutating func receive(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)[...]
        var out = ""
        var dirty = false
        var index = bytes.startIndex
        while index < bytes.endIndex && !finished {
            let taken = editor.insertPlainText(bytes[index...])
            if taken > 0 {
                index += taken
                dirty = true
                continue
            }
            let action = editor.feed(bytes[index])
            index += 1
            switch action {
            case .none:
                continue
            case .redraw:
                dirty = true
                continue
            default:
                break
            }
            // The candidates and the end are written below the line: bring it up to date
            // first. A submitted line is rewritten whole, and Ctrl-C moves past what was
            // drawn, so those need no redraw before them.
            switch action {
            case .showCandidates, .endOfInput:
                if dirty { out += draw() }
                dirty = false
            default:
                break
            }
            out += handle(action, redrawAfter: &dirty)
        }
        if dirty && !finished { out += draw() }
        return out
    }

    /// Everything but a plain redraw.
    private mutating func handle(_ action: LineEditor.Action, redrawAfter dirty: inout Bool) -> String {
        switch action {
        case .none, .redraw:
            dirty = true
            return ""
        case .clearScreen:
            dirty = true
            return "\u{1B}[H\u{1B}[2J"
        case .showCandidates(let candidates):
            dirty = true
            return "\r\n" + candidates.joined(separator: "  ") + "\r\n"
        case .cancel:
            // The editor has cleared the line; move past what was on screen, then mark it.
            session.discardPending()
            dirty = true
            return (drawnAfterCursor > 0 ? "\u{1B}[\(drawnAfterCursor)C" : "") + "^C\r\n"
        case .endOfInput:
            finished = true
            return "\r\n" + session.finishPending()
        case .submit(let line):
            // Show the line as entered (also after a Ctrl-R search), then the output.
            var out = "\r" + session.prompt + line + "\u{1B}[K\r\n"
            editor.remember(line)
            historyChanged = true
            if let printed = session.feedLine(line) {
                out += printed
                if session.finished {
                    finished = true
                    return out
                }
                let current = session
                editor.completer = { current.completions(for: $0) }
            }
            dirty = true
            return out
        }
    }

    /// Redraws the line being edited: prompt, text, cursor. A line wider than the terminal
    /// scrolls sideways to keep the cursor in view. Measures only what it shows.
    private mutating func draw() -> String {
        redraws += 1
        if let search = editor.search {
            drawnAfterCursor = 0
            let label = (search.failing ? "(failing reverse-i-search)`" : "(reverse-i-search)`") + search.query + "': "
            // A match wider than the terminal would wrap, and "\r" only returns to the last
            // row: show the part of it around the query.
            let match = editor.searchMatch ?? ""
            let room = max(0, width - LineEditor.columns(label) - 1)
            var shown = Substring(match)
            if let found = match.range(of: search.query), !search.query.isEmpty {
                let before = Self.suffix(of: match[..<found.lowerBound], fitting: room / 4)
                shown = match[before.startIndex...]
            }
            return "\r" + label + Self.prefix(of: shown, fitting: room) + "\u{1B}[K"
        }
        let prompt = session.prompt
        let room = max(0, width - LineEditor.columns(prompt) - 1)
        let buffer = editor.buffer
        let cursor = editor.cursor
        // Keep up to half the room before the cursor, more when the text after it is short.
        let afterWidth = Self.width(of: buffer[cursor...], upTo: room)
        let before = Self.suffix(of: buffer[..<cursor], fitting: max(room / 2, room - afterWidth))
        let beforeWidth = Self.width(of: before, upTo: room)
        let after = Self.prefix(of: buffer[cursor...], fitting: room - beforeWidth)
        drawnAfterCursor = Self.width(of: after, upTo: room)
        let back = drawnAfterCursor > 0 ? "\u{1B}[\(drawnAfterCursor)D" : ""
        return "\r" + prompt + String(before) + String(after) + "\u{1B}[K" + back
    }

    /// The columns of `text`, counting no further than `limit` (enough to decide what fits).
    private static func width<C: Collection>(of text: C, upTo limit: Int) -> Int where C.Element == Character {
        var total = 0
        for c in text {
            total += LineEditor.columns(String(c))
            if total > limit { break }
        }
        return total
    }

    /// The longest start of `text` that takes at most `room` columns.
    private static func prefix<C: Collection>(of text: C, fitting room: Int) -> C.SubSequence where C.Element == Character {
        var total = 0
        var end = text.startIndex
        while end < text.endIndex {
            let w = LineEditor.columns(String(text[end]))
            if total + w > room { break }
            total += w
            end = text.index(after: end)
        }
        return text[..<end]
    }

    /// The longest end of `text` that takes at most `room` columns.
    private static func suffix<C: BidirectionalCollection>(of text: C, fitting room: Int) -> C.SubSequence where C.Element == Character {
        var total = 0
        var start = text.endIndex
        while start > text.startIndex {
            let previous = text.index(before: start)
            let w = LineEditor.columns(String(text[previous]))
            if total + w > room { break }
            total += w
            start = previous
        }
        return text[start...]
    }
}
