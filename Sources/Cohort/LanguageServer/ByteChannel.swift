#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a language server reads its client's bytes and writes its own: standard input
/// and output for `cohort lsp`, memory in tests.
package protocol ByteChannel {
    /// Waits for bytes from the client; nil at the end of input.
    mutating func read() -> [UInt8]?
    /// The bytes that have arrived, without waiting: empty when none have, nil at the end
    /// of input.
    mutating func readAvailable() -> [UInt8]?
    /// Sends bytes to the client.
    mutating func write(_ bytes: [UInt8])
}

/// A channel over two file descriptors, such as standard input and output.
package struct FileDescriptorChannel: ByteChannel {
    private let input: Int32
    private let output: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    /// Set once a write fails: the client has gone, and nothing more can reach it.
    private var outputClosed = false

    /// A channel reading `input` and writing `output`.
    package init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
    }

    package mutating func read() -> [UInt8]? {
        while true {
            let n = buffer.withUnsafeMutableBytes { systemRead(input, $0.baseAddress, $0.count) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
                _ = poll(&descriptor, 1, -1)
                continue
            }
            return nil
        }
    }

    package mutating func readAvailable() -> [UInt8]? {
        var descriptor = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready <= 0 { return [] }
        return read()
    }

    package mutating func write(_ bytes: [UInt8]) {
        guard !outputClosed else { return }
        var written = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = systemWrite(output, raw.baseAddress! + written, raw.count - written)
                if n > 0 {
                    written += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    outputClosed = true
                    return
                }
            }
        }
    }
}

// The system calls, named apart from the channel's own `read` and `write`.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }

/// A channel in memory, for tests. The client's bytes are given up front in batches: a
/// batch arrives when the server waits for input, as the next message of a client that
/// waits for each answer would; within a batch, everything has already arrived (so the
/// server's read-ahead sees it). Each batch is delivered in chunks of `chunkSize` bytes,
/// as a pipe might split it. What the server writes is kept.
package struct MemoryChannel: ByteChannel {
    private var batches: [[[UInt8]]]
    private var batch = 0
    private var chunk = 0
    /// Everything the server wrote.
    package private(set) var written: [UInt8] = []

    /// A channel delivering each of `batches` when the server waits, in chunks of
    /// `chunkSize` bytes (whole when nil).
    package init(batches: [[UInt8]], chunkSize: Int? = nil) {
        self.batches = batches.map { bytes in
            let size = max(1, chunkSize ?? bytes.count)
            return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min(bytes.count, $0 + size)]) }
        }.filter { !$0.isEmpty }
    }

    /// A channel delivering `input` as one batch.
    package init(input: [UInt8], chunkSize: Int? = nil) {
        self.init(batches: [input], chunkSize: chunkSize)
    }

    package mutating func read() -> [UInt8]? {
        if batch < batches.count, chunk == batches[batch].count {
            batch += 1
            chunk = 0
        }
        guard batch < batches.count else { return nil }
        chunk += 1
        return batches[batch][chunk - 1]
    }

    package mutating func readAvailable() -> [UInt8]? {
        if batch < batches.count, chunk < batches[batch].count {
            chunk += 1
            return batches[batch][chunk - 1]
        }
        // The rest arrives only once the server waits; after the last batch, the input ends.
        return batch + 1 >= batches.count ? nil : []
    }

    package mutating func write(_ bytes: [UInt8]) { written += bytes }
}
