/// Splits the byte stream from a client into message bodies, as the Language Server
/// Protocol frames them: header lines (`Content-Length: N` is required, `Content-Type` is
/// ignored), an empty line, then exactly N bytes of JSON.
///
/// Bytes arrive in chunks of any size (`append`); `next()` returns each complete body, or
/// a `.malformed` event for a header it cannot read. After a malformed header the reader
/// skips to the next `Content-Length:` it sees, so one bad frame costs one error reply
/// and the frames after it are still read. Every malformed event consumes at least one
/// byte, so garbage can never make the reader loop; a header or body larger than its
/// limit is refused instead of buffered without end.
package struct FrameReader: Sendable {
    /// What the reader found.
    package enum Event: Sendable, Hashable {
        /// A complete message body (JSON text, not yet parsed).
        case message([UInt8])
        /// A frame that cannot be read; the text says why.
        case malformed(String)
    }

    /// The longest header accepted, in bytes (8 KiB: real headers are under 100).
    package static let maxHeaderBytes = 8 << 10
    /// The largest body accepted, in bytes (64 MiB). A rule file is at most 8 MiB
    /// (`Limits.maxSourceBytes`); JSON escapes can make its text several times longer.
    package static let maxBodyBytes = 64 << 20

    private var buffer: [UInt8] = []
    /// Where unread bytes begin.
    private var start = 0
    /// Where the search for the end of the current header resumes, so a header that
    /// trickles in byte by byte is not scanned again from its beginning each time.
    private var scanned = 0
    /// The body length of a frame whose header has been read but whose body has not all arrived.
    private var pendingLength: Int?
    /// After a malformed header: looking for the next `Content-Length:`.
    private var resynchronizing = false

    /// An empty reader.
    package init() {}

    /// Adds bytes received from the client.
    package mutating func append(_ bytes: [UInt8]) {
        compact()
        buffer += bytes
    }

    /// The next complete message or malformed frame; nil when more bytes are needed.
    package mutating func next() -> Event? {
        while true {
            if resynchronizing {
                guard let found = findContentLength(from: start) else {
                    // Keep a tail that may be the start of a `Content-Length:` cut in two.
                    start = max(start, buffer.count - (Self.contentLength.count - 1))
                    scanned = start
                    return nil
                }
                start = found
                scanned = start
                resynchronizing = false
            }
            if let length = pendingLength {
                guard buffer.count - start >= length else { return nil }
                let body = Array(buffer[start..<(start + length)])
                start += length
                scanned = start
                pendingLength = nil
                return .message(body)
            }
            // Line breaks between frames are tolerated.
            while start < buffer.count, buffer[start] == UInt8(ascii: "\r") || buffer[start] == UInt8(ascii: "\n") {
                start += 1
            }
            scanned = max(scanned, start)
            guard let (headerEnd, bodyStart) = findHeaderEnd() else {
                if buffer.count - start > Self.maxHeaderBytes {
                    start += 1
                    scanned = start
                    resynchronizing = true
                    return .malformed("a message header longer than \(Self.maxHeaderBytes) bytes (limit) has no empty line after it")
                }
                return nil
            }
            let header = buffer[start..<headerEnd]
            start = bodyStart
            scanned = start
            switch Self.bodyLength(header: header) {
            case .success(let length):
                pendingLength = length
            case .failure(let problem):
                resynchronizing = true
                return .malformed(problem.message)
            }
        }
    }

    /// Called at the end of input: what is left over, if it is more than line breaks.
    package mutating func finish() -> Event? {
        defer {
            start = buffer.count
            pendingLength = nil
        }
        if let length = pendingLength {
            return .malformed("input ended inside a message: \(buffer.count - start) of its \(length) bytes arrived")
        }
        if resynchronizing { return nil }
        let rest = buffer[start...]
        if rest.contains(where: { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }) {
            return .malformed("input ended inside a message header")
        }
        return nil
    }

    // MARK: Header

    private static let contentLength = Array("content-length:".utf8)

    private struct Problem: Error {
        var message: String
    }

    /// The end of the header (the line break ending its last line) and where the body
    /// begins: after `\r\n\r\n`, or after `\n\n` from a lenient client.
    private mutating func findHeaderEnd() -> (Int, Int)? {
        var i = max(start, scanned - 2)
        while i < buffer.count {
            if buffer[i] == UInt8(ascii: "\n") {
                if i + 1 < buffer.count, buffer[i + 1] == UInt8(ascii: "\n") { return (i, i + 2) }
                if i + 2 < buffer.count, buffer[i + 1] == UInt8(ascii: "\r"), buffer[i + 2] == UInt8(ascii: "\n") { return (i, i + 3) }
                if i + 2 >= buffer.count { break }  // the break may be completed by the next chunk
            }
            i += 1
        }
        scanned = max(start, buffer.count - 2)
        return nil
    }

    /// Reads the header lines and returns the `Content-Length`.
    private static func bodyLength(header: ArraySlice<UInt8>) -> Result<Int, Problem> {
        var length: Int?
        for rawLine in header.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(Problem(message: "malformed message header line \(quoted(line)): expected 'Name: value'"))
            }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmingHeaderBlanks().lowercased()
            guard name == "content-length" else { continue }  // Content-Type and unknown headers
            var value = line[(colon + 1)...]
            while let first = value.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { value = value.dropFirst() }
            while let last = value.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { value = value.dropLast() }
            guard !value.isEmpty, value.count <= 12, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                return .failure(Problem(message: "Content-Length \(quoted(value)) is not a number of bytes"))
            }
            let n = value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            if let length, length != n {
                return .failure(Problem(message: "the header gives two different Content-Lengths (\(length) and \(n))"))
            }
            guard n <= maxBodyBytes else {
                return .failure(Problem(message: "a message of \(n) bytes is larger than \(maxBodyBytes) bytes (limit)"))
            }
            length = n
        }
        guard let length else {
            return .failure(Problem(message: "a message header without Content-Length"))
        }
        return .success(length)
    }

    /// The first `Content-Length:` (any case) at or after `offset`.
    private func findContentLength(from offset: Int) -> Int? {
        let needle = Self.contentLength
        var i = offset
        while i + needle.count <= buffer.count {
            var matched = true
            for k in 0..<needle.count {
                var b = buffer[i + k]
                if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b += 32 }
                if b != needle[k] {
                    matched = false
                    break
                }
            }
            if matched { return i }
            i += 1
        }
        return nil
    }

    /// Drops consumed bytes once they are most of the buffer.
    private mutating func compact() {
        guard start > 65_536, start > buffer.count / 2 else { return }
        buffer.removeFirst(start)
        scanned -= start
        start = 0
    }

    /// Up to 40 bytes, quoted, with anything unprintable shown as `?`.
    private static func quoted(_ bytes: ArraySlice<UInt8>) -> String {
        let shown = bytes.prefix(40).map { $0 >= 0x20 && $0 < 0x7F ? Character(Unicode.Scalar($0)) : "?" }
        return "'" + String(shown) + (bytes.count > 40 ? "…" : "") + "'"
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingHeaderBlanks() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
