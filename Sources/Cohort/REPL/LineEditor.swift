/// The REPL's line editor as a pure state machine: key bytes in, buffer/cursor/actions out.
/// The terminal side (raw mode, drawing) lives in the `cohort` executable; everything that
/// decides what a key does is here, where tests can drive it byte by byte.
///
/// Keys follow readline/Emacs: Ctrl-A/E/B/F, Alt-B/F and Ctrl-arrows by word, Ctrl-K/U/W
/// kill and Ctrl-Y yanks, Up/Down or Ctrl-P/N walk the history (the line being typed is
/// kept), Ctrl-R searches it backwards, Tab completes.
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

    /// A Ctrl-R search in progress.
    package struct Search: Equatable, Sendable {
        /// What was typed since Ctrl-R.
        package var query = ""
        /// The history index of the line found, if any.
        package var match: Int?
        /// True when the last key found nothing (the previous match, if any, stays).
        package var failing = false
    }

    /// The line being edited.
    package private(set) var buffer: [Character] = []
    /// Cursor position, 0 ... buffer.count.
    package private(set) var cursor = 0
    /// Earlier lines, oldest first.
    package private(set) var history: [String]
    /// The Ctrl-R search in progress, if any.
    package private(set) var search: Search?
    /// Returns completion candidates for the word before the cursor. The REPL replaces it
    /// when its session changes (new names, new users).
    package var completer: @Sendable (String) -> [String]
    private var historyIndex: Int?
    private var draft: [Character] = []
    private var pending: [UInt8] = []
    private var killed: [Character] = []
    /// Inside a bracketed paste (`ESC [200~` … `ESC [201~`): Tab is a space, not completion,
    /// and control keys are ignored, so pasted text goes into the line as it is.
    package private(set) var pasting = false
    /// The last byte was a carriage return: a line feed right after it is the same Enter.
    private var afterCarriageReturn = false

    /// How many lines the history keeps.
    package static let historyLimit = 1000

    package init(history: [String] = [], completer: @escaping @Sendable (String) -> [String] = { _ in [] }) {
        self.history = history
        self.completer = completer
    }

    /// The line as text.
    package var text: String { String(buffer) }

    /// The line found by the Ctrl-R search in progress.
    package var searchMatch: String? {
        guard let match = search?.match else { return nil }
        return history[match]
    }

    /// Adds a submitted line to the history (not blank, not a repeat of the last one),
    /// without trailing spaces (a completion may have left one).
    package mutating func remember(_ line: String) {
        var line = Substring(line)
        while line.last == " " || line.last == "\t" { line.removeLast() }
        let entry = String(line)
        guard !entry.trimmingSpaces().isEmpty, history.last != entry else { return }
        history.append(entry)
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
    }

    /// Feeds one byte from the terminal.
    package mutating func feed(_ byte: UInt8) -> Action {
        defer { afterCarriageReturn = byte == 0x0D && pending.isEmpty }
        if byte == 0x0A && afterCarriageReturn && pending.isEmpty { return .none }
        pending.append(byte)
        // Escape sequences and multi-byte UTF-8 arrive over several bytes.
        if pending[0] == 0x1B {
            // Any escape sequence (an arrow, ESC alone) ends a search, keeping what it found.
            guard search != nil else { return escapeSequence() }
            acceptSearch()
            return orRedraw(escapeSequence())
        }
        if pending[0] >= 0x80 {
            return utf8Byte()
        }
        pending.removeAll()
        if search != nil {
            if let action = searchKey(byte) { return action }
            // Another key: take the match, then do what the key does. The line changed from
            // the search display back to the prompt, so redraw even if the key does nothing.
            acceptSearch()
            return orRedraw(key(byte))
        }
        return key(byte)
    }

    private func orRedraw(_ action: Action) -> Action {
        action == .none ? .redraw : action
    }

    /// A one-byte key outside a search.
    private mutating func key(_ byte: UInt8) -> Action {
        if pasting {
            switch byte {
            case 0x09: return insert([" "])
            case 0x0D, 0x0A, 0x20...0x7E: break
            default: return .none
            }
        }
        switch byte {
        case 0x01: return moveTo(0)                                             // Ctrl-A
        case 0x05: return moveTo(buffer.count)                                  // Ctrl-E
        case 0x02: return moveTo(cursor - 1)                                    // Ctrl-B
        case 0x06: return moveTo(cursor + 1)                                    // Ctrl-F
        case 0x03: buffer = []; cursor = 0; historyIndex = nil; return .cancel  // Ctrl-C
        case 0x04:                                                              // Ctrl-D
            if buffer.isEmpty { return .endOfInput }
            return deleteForward()
        case 0x08, 0x7F:                                                        // Backspace
            guard cursor > 0 else { return .none }
            buffer.remove(at: cursor - 1)
            cursor -= 1
            return .redraw
        case 0x0B: return kill(cursor..<buffer.count)                           // Ctrl-K
        case 0x15: return kill(0..<cursor)                                      // Ctrl-U
        case 0x17: return kill(wordStart(before: cursor)..<cursor)              // Ctrl-W
        case 0x19: return insert(killed)                                        // Ctrl-Y
        case 0x10: return historyStep(-1)                                       // Ctrl-P
        case 0x0E: return historyStep(1)                                        // Ctrl-N
        case 0x12: search = Search(); return .redraw                            // Ctrl-R
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

    /// Feeds several bytes; returns the actions other than `.none`, in order (tests use this).
    package mutating func feed(_ bytes: [UInt8]) -> [Action] {
        bytes.map { feed($0) }.filter { $0 != .none }
    }

    /// Feeds the UTF-8 bytes of `text`.
    package mutating func feed(_ text: String) -> [Action] {
        feed(Array(text.utf8))
    }

    /// Inserts the plain text at the start of `bytes` in one step: printable ASCII, whole
    /// UTF-8 characters, and (in a bracketed paste) tabs as spaces. Returns how many bytes it
    /// took: 0 when the first byte is a key, or when a key sequence or a search is in
    /// progress (then `feed` takes the byte). Equivalent to feeding the bytes one by one,
    /// but a long paste costs time in proportion to its length: one insertion, where one
    /// per character would move the text after the cursor each time.
    package mutating func insertPlainText(_ bytes: ArraySlice<UInt8>) -> Int {
        guard search == nil, pending.isEmpty else { return 0 }
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if (0x20...0x7E).contains(byte) || (byte == 0x09 && pasting) {
                i += 1
                continue
            }
            guard (0xC2...0xF4).contains(byte) else { break }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            guard bytes.endIndex - i >= length,
                  bytes[(i + 1)..<(i + length)].allSatisfy({ $0 & 0xC0 == 0x80 }) else { break }
            i += length
        }
        let taken = i - bytes.startIndex
        guard taken > 0 else { return 0 }
        let text = String(decoding: bytes[bytes.startIndex..<i], as: UTF8.self)
        // One Character per scalar, as typing them one by one gives.
        _ = insert(text.unicodeScalars.map { $0 == "\t" ? " " : Character($0) })
        afterCarriageReturn = false
        return taken
    }

    /// A byte of a multi-byte UTF-8 character: waits for the rest, then inserts it.
    private mutating func utf8Byte() -> Action {
        let lead = pending[0]
        // A stray continuation byte or an invalid lead byte: drop it.
        guard lead >= 0xC2, lead <= 0xF4 else { pending.removeAll(); return .none }
        if pending.count > 1, pending.last! & 0xC0 != 0x80 {
            // The character was cut short; drop it and start again with this byte.
            let byte = pending.removeLast()
            pending.removeAll()
            return feed(byte)
        }
        let need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        guard pending.count >= need else { return .none }
        let text = String(decoding: pending, as: UTF8.self)
        pending.removeAll()
        if search != nil { return searchType(text) }
        return insert(Array(text))
    }

    // MARK: Editing

    private mutating func insert(_ characters: [Character]) -> Action {
        guard !characters.isEmpty else { return .none }
        buffer.insert(contentsOf: characters, at: cursor)
        cursor += characters.count
        return .redraw
    }

    private mutating func moveTo(_ position: Int) -> Action {
        let target = min(max(0, position), buffer.count)
        guard target != cursor else { return .none }
        cursor = target
        return .redraw
    }

    private mutating func deleteForward() -> Action {
        guard cursor < buffer.count else { return .none }
        buffer.remove(at: cursor)
        return .redraw
    }

    /// Cuts `range` into the kill buffer (for Ctrl-Y). Killing nothing keeps the kill buffer.
    private mutating func kill(_ range: Range<Int>) -> Action {
        guard !range.isEmpty else { return .none }
        killed = Array(buffer[range])
        buffer.removeSubrange(range)
        cursor = range.lowerBound
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
        if historyIndex == nil {
            guard delta < 0 else { return .none }  // already on the line being typed
            draft = buffer
        }
        let index = (historyIndex ?? history.count) + delta
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

    /// A key while searching. Nil when the key is not a search key: the caller accepts the
    /// match and handles the key as usual.
    private mutating func searchKey(_ byte: UInt8) -> Action? {
        guard var s = search else { return nil }
        switch byte {
        case 0x12:  // Ctrl-R again: the next older match (a different line)
            guard !s.query.isEmpty else { return Action.none }
            let current = s.match.map { history[$0] }
            if let older = findMatch(s.query, from: (s.match ?? history.count) - 1, skipping: current) {
                s.match = older
                s.failing = false
            } else {
                s.failing = true
            }
        case 0x08, 0x7F:
            if !s.query.isEmpty { s.query.removeLast() }
            s.match = findMatch(s.query, from: history.count - 1)
            s.failing = !s.query.isEmpty && s.match == nil
        case 0x03, 0x07:  // Ctrl-C / Ctrl-G: abandon the search, keep the line as it was
            search = nil
            return .redraw
        case 0x20...0x7E:
            return searchType(String(Unicode.Scalar(byte)))
        default:
            return nil
        }
        search = s
        return .redraw
    }

    /// Typing while searching narrows the search, from the current match backwards.
    private mutating func searchType(_ text: String) -> Action {
        guard var s = search else { return .none }
        s.query += text
        if let found = findMatch(s.query, from: s.match ?? history.count - 1) {
            s.match = found
            s.failing = false
        } else {
            s.failing = true
        }
        search = s
        return .redraw
    }

    /// Ends the search with its match as the line (Down then goes to the line after it).
    private mutating func acceptSearch() {
        guard let s = search else { return }
        search = nil
        guard let match = s.match else { return }
        if historyIndex == nil { draft = buffer }
        historyIndex = match
        buffer = Array(history[match])
        cursor = buffer.count
    }

    /// The newest line at or before `index` that contains `query`, other than `skipping`.
    private func findMatch(_ query: String, from index: Int, skipping: String? = nil) -> Int? {
        guard !query.isEmpty else { return nil }
        var i = min(index, history.count - 1)
        while i >= 0 {
            if history[i].contains(query), history[i] != skipping { return i }
            i -= 1
        }
        return nil
    }

    // MARK: Completion

    private mutating func complete() -> Action {
        var start = cursor
        while start > 0, isWordCharacter(buffer[start - 1]) || buffer[start - 1] == "." || buffer[start - 1] == ":" { start -= 1 }
        let prefix = String(buffer[start..<cursor])
        guard !prefix.isEmpty else { return .none }
        let candidates = completer(prefix).filter { $0.hasPrefix(prefix) }
        guard !candidates.isEmpty else { return .none }
        var common = candidates[0]
        for c in candidates.dropFirst() {
            while !c.hasPrefix(common) { common.removeLast() }
        }
        if common.count > prefix.count {
            _ = insert(Array(common.dropFirst(prefix.count)))
            // A complete word gets a space after it, except a function name (its '(' comes
            // last) and a word inside brackets (an argument, `semver(user.app_version`,
            // where the ')' or ',' comes next).
            if candidates.count == 1, !common.hasSuffix("("), !isInsideBrackets(before: start),
               cursor == buffer.count || buffer[cursor] != " " {
                _ = insert([" "])
            }
            return .redraw
        }
        return candidates.count == 1 ? .none : .showCandidates(candidates.sorted())
    }

    /// Whether a bracket opened before `position` is still open there (brackets inside
    /// string literals do not count).
    private func isInsideBrackets(before position: Int) -> Bool {
        var depth = 0
        var quote: Character?
        var escaped = false
        for c in buffer[..<position] {
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(0, depth - 1)
            default: break
            }
        }
        return depth > 0
    }

    // MARK: Escape sequences

    private mutating func escapeSequence() -> Action {
        // ESC alone, ESC [ ..., ESC O ..., ESC b/f/d/DEL (Alt-word keys)
        guard pending.count >= 2 else { return .none }
        let second = pending[1]
        switch second {
        case UInt8(ascii: "b"), UInt8(ascii: "B"):
            pending.removeAll()
            return moveTo(wordStart(before: cursor))
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            pending.removeAll()
            return moveTo(wordEnd(after: cursor))
        case UInt8(ascii: "d"), UInt8(ascii: "D"):
            pending.removeAll()
            return kill(cursor..<wordEnd(after: cursor))
        case 0x7F, 0x08:
            pending.removeAll()
            return kill(wordStart(before: cursor)..<cursor)
        case UInt8(ascii: "["), UInt8(ascii: "O"):
            break
        default:
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
        switch sequence {
        case "200~": pasting = true; return .none   // bracketed paste: start
        case "201~": pasting = false; return .none  // bracketed paste: end
        case "A": return historyStep(-1)
        case "B": return historyStep(1)
        case "C": return moveTo(cursor + 1)
        case "D": return moveTo(cursor - 1)
        case "H", "1~", "7~": return moveTo(0)
        case "F", "4~", "8~": return moveTo(buffer.count)
        case "3~": return deleteForward()
        case "1;5C", "1;3C", "5C": return moveTo(wordEnd(after: cursor))
        case "1;5D", "1;3D", "5D": return moveTo(wordStart(before: cursor))
        default: return .none
        }
    }

    // MARK: Display

    /// How many terminal columns `text` takes: 2 for wide East Asian characters and emoji,
    /// 0 for combining marks and other zero-width scalars, 1 otherwise. The REPL uses it to
    /// put the cursor back after drawing a line.
    package static func columns(_ text: some StringProtocol) -> Int {
        text.unicodeScalars.reduce(0) { $0 + columns($1) }
    }

    private static func columns(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v < 0x300 { return v < 0x20 || v == 0x7F ? 0 : 1 }
        switch s.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if v == 0x200B || (0xFE00...0xFE0F).contains(v) { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F3,
            0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x26A1...0x26A1, 0x26AA...0x26AB,
            0x26BD...0x26BE, 0x26C4...0x26C5, 0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F5,
            0x26FA...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728, 0x274C...0x274C,
            0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797, 0x27B0...0x27B0, 0x27BF...0x27BF,
            0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55, 0x2E80...0x303E, 0x3041...0x33FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3,
            0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x16FE0...0x16FE4, 0x17000...0x18AFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004,
            0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
            0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
            0x1FA70...0x1FAFF, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }
}
