/// The REPL's line editor as a pure state machine: key bytes in, buffer/cursor/actions out.
/// The terminal side (raw mode, drawing) lives in the `cohort` executable; everything that
/// decides what a key does is here, where tests can drive it byte by byte.
package struct LineEditor: Sendable {
    /// What the caller should do after a key.
    package enum Action: Equatable, Sendable {
        /// Nothing visible changed.
        case none
        /// Redraw the line.
        case redraw
        /// Enter: the line is done.
        case submit(String)
        /// Ctrl-C: the line was cleared.
        case cancel
        /// Ctrl-D on an empty line: leave.
        case endOfInput
        /// Tab with several candidates: show them.
        case showCandidates([String])
        /// Ctrl-L: clear the screen.
        case clearScreen
    }

    /// The line being edited.
    package private(set) var buffer: [Character] = []
    /// Cursor position, 0 ... buffer.count.
    package private(set) var cursor = 0
    /// Earlier lines, oldest first.
    package private(set) var history: [String]
    /// While Ctrl-R searching: the query and the index of the current match.
    package private(set) var search: (query: String, match: Int?)?
    private var historyIndex: Int?
    private var draft: [Character] = []
    private var pending: [UInt8] = []
    private var killed: [Character] = []
    /// Returns completion candidates for the word before the cursor.
    private let completer: @Sendable (String) -> [String]

    package init(history: [String] = [], completer: @escaping @Sendable (String) -> [String] = { _ in [] }) {
        self.history = history
        self.completer = completer
    }

    /// The line as text.
    package var text: String { String(buffer) }

    /// Adds a submitted line to the history (not blank, not a repeat of the last one).
    package mutating func remember(_ line: String) {
        let trimmed = line.trimmingSpaces()
        guard !trimmed.isEmpty, history.last != line else { return }
        history.append(line)
        if history.count > 1000 { history.removeFirst(history.count - 1000) }
    }

    /// Feeds one byte from the terminal.
    package mutating func feed(_ byte: UInt8) -> Action {
        pending.append(byte)
        // Escape sequences and multi-byte UTF-8 arrive over several bytes.
        if pending[0] == 0x1B {
            return escapeSequence()
        }
        if pending[0] >= 0x80 {
            let need = pending[0] >= 0xF0 ? 4 : pending[0] >= 0xE0 ? 3 : 2
            guard pending.count >= need else { return .none }
            let text = String(decoding: pending, as: UTF8.self)
            pending.removeAll()
            return insert(Array(text))
        }
        pending.removeAll()
        if search != nil { return searchKey(byte) }
        switch byte {
        case 0x01: cursor = 0; return .redraw                                   // Ctrl-A
        case 0x05: cursor = buffer.count; return .redraw                        // Ctrl-E
        case 0x02: return move(-1)                                              // Ctrl-B
        case 0x06: return move(1)                                               // Ctrl-F
        case 0x03: buffer = []; cursor = 0; historyIndex = nil; return .cancel  // Ctrl-C
        case 0x04:                                                              // Ctrl-D
            if buffer.isEmpty { return .endOfInput }
            return deleteForward()
        case 0x08, 0x7F:                                                        // Backspace
            guard cursor > 0 else { return .none }
            buffer.remove(at: cursor - 1)
            cursor -= 1
            return .redraw
        case 0x0B:                                                              // Ctrl-K
            killed = Array(buffer[cursor...])
            buffer.removeSubrange(cursor...)
            return .redraw
        case 0x15:                                                              // Ctrl-U
            killed = Array(buffer[..<cursor])
            buffer.removeSubrange(..<cursor)
            cursor = 0
            return .redraw
        case 0x17:                                                              // Ctrl-W
            let start = wordStart(before: cursor)
            killed = Array(buffer[start..<cursor])
            buffer.removeSubrange(start..<cursor)
            cursor = start
            return .redraw
        case 0x19: return insert(killed)                                        // Ctrl-Y
        case 0x10: return historyStep(-1)                                       // Ctrl-P
        case 0x0E: return historyStep(1)                                        // Ctrl-N
        case 0x12: search = ("", nil); return .redraw                           // Ctrl-R
        case 0x0C: return .clearScreen                                          // Ctrl-L
        case 0x09: return complete()                                            // Tab
        case 0x0D, 0x0A:                                                        // Enter
            let line = text
            buffer = []
            cursor = 0
            historyIndex = nil
            return .submit(line)
        case 0x20...0x7E:
            return insert([Character(Unicode.Scalar(byte))])
        default:
            return .none
        }
    }

    /// Feeds several bytes; returns the actions in order (tests use this).
    package mutating func feed(_ bytes: [UInt8]) -> [Action] {
        bytes.map { feed($0) }.filter { $0 != .none }
    }

    // MARK: Editing

    private mutating func insert(_ characters: [Character]) -> Action {
        guard !characters.isEmpty else { return .none }
        buffer.insert(contentsOf: characters, at: cursor)
        cursor += characters.count
        return .redraw
    }

    private mutating func move(_ delta: Int) -> Action {
        let target = min(max(0, cursor + delta), buffer.count)
        guard target != cursor else { return .none }
        cursor = target
        return .redraw
    }

    private mutating func deleteForward() -> Action {
        guard cursor < buffer.count else { return .none }
        buffer.remove(at: cursor)
        return .redraw
    }

    private func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    private func wordStart(before position: Int) -> Int {
        var i = position
        while i > 0, !isWordCharacter(buffer[i - 1]) { i -= 1 }
        while i > 0, isWordCharacter(buffer[i - 1]) { i -= 1 }
        return i
    }

    private func wordEnd(after position: Int) -> Int {
        var i = position
        while i < buffer.count, !isWordCharacter(buffer[i]) { i += 1 }
        while i < buffer.count, isWordCharacter(buffer[i]) { i += 1 }
        return i
    }

    // MARK: History and search

    private mutating func historyStep(_ delta: Int) -> Action {
        guard !history.isEmpty else { return .none }
        var index = historyIndex ?? history.count
        if historyIndex == nil { draft = buffer }
        index += delta
        if index < 0 { return .none }
        if index >= history.count {
            historyIndex = nil
            buffer = draft
        } else {
            historyIndex = index
            buffer = Array(history[index])
        }
        cursor = buffer.count
        return .redraw
    }

    private mutating func searchKey(_ byte: UInt8) -> Action {
        guard var (query, match) = search else { return .none }
        switch byte {
        case 0x12:  // Ctrl-R again: older match
            match = findMatch(query, before: match ?? history.count)
        case 0x08, 0x7F:
            if !query.isEmpty { query.removeLast() }
            match = findMatch(query, before: history.count)
        case 0x03, 0x07:  // Ctrl-C / Ctrl-G: abandon the search
            search = nil
            return .redraw
        case 0x0D, 0x0A, 0x1B, 0x01, 0x05:  // accept
            search = nil
            if let match { buffer = Array(history[match]); cursor = buffer.count }
            return byte == 0x0D || byte == 0x0A ? feed(byte) : .redraw
        case 0x20...0x7E:
            query.append(Character(Unicode.Scalar(byte)))
            match = findMatch(query, before: history.count)
        default:
            return .none
        }
        search = (query, match)
        return .redraw
    }

    private func findMatch(_ query: String, before index: Int) -> Int? {
        guard !query.isEmpty else { return nil }
        var i = min(index, history.count) - 1
        while i >= 0 {
            if history[i].contains(query) { return i }
            i -= 1
        }
        return nil
    }

    /// The line shown while searching: what the current match is.
    package var searchMatch: String? {
        guard let search, let match = search.match else { return nil }
        return history[match]
    }

    // MARK: Completion

    private mutating func complete() -> Action {
        var start = cursor
        while start > 0, isWordCharacter(buffer[start - 1]) || buffer[start - 1] == "." || buffer[start - 1] == ":" { start -= 1 }
        let prefix = String(buffer[start..<cursor])
        let candidates = completer(prefix).filter { $0.hasPrefix(prefix) }
        guard !candidates.isEmpty else { return .none }
        var common = candidates[0]
        for c in candidates.dropFirst() {
            while !c.hasPrefix(common) { common.removeLast() }
        }
        if common.count > prefix.count {
            _ = insert(Array(common.dropFirst(prefix.count)))
            if candidates.count == 1 { _ = insert([" "]) }
            return .redraw
        }
        return candidates.count == 1 ? .none : .showCandidates(candidates.sorted())
    }

    // MARK: Escape sequences

    private mutating func escapeSequence() -> Action {
        // ESC alone, ESC [ ..., ESC O ..., ESC b/f (word moves)
        guard pending.count >= 2 else { return .none }
        let second = pending[1]
        if second == UInt8(ascii: "b") || second == UInt8(ascii: "f") {
            pending.removeAll()
            cursor = second == UInt8(ascii: "b") ? wordStart(before: cursor) : wordEnd(after: cursor)
            return .redraw
        }
        guard second == UInt8(ascii: "[") || second == UInt8(ascii: "O") else {
            pending.removeAll()
            return .none
        }
        guard pending.count >= 3 else { return .none }
        let last = pending[pending.count - 1]
        // Parameters are digits and ';' — wait for the final byte.
        if (last >= UInt8(ascii: "0") && last <= UInt8(ascii: "9")) || last == UInt8(ascii: ";") {
            if pending.count > 8 { pending.removeAll() }
            return .none
        }
        let sequence = String(decoding: pending.dropFirst(2), as: UTF8.self)
        pending.removeAll()
        if search != nil { search = nil }
        switch sequence {
        case "A": return historyStep(-1)
        case "B": return historyStep(1)
        case "C": return move(1)
        case "D": return move(-1)
        case "H", "1~", "7~": cursor = 0; return .redraw
        case "F", "4~", "8~": cursor = buffer.count; return .redraw
        case "3~": return deleteForward()
        case "1;5C", "1;3C": cursor = wordEnd(after: cursor); return .redraw
        case "1;5D", "1;3D": cursor = wordStart(before: cursor); return .redraw
        default: return .none
        }
    }
}
