import Foundation

/// A temporary directory for one test's input and output files. Each test makes its own,
/// so tests running in parallel never share files; `remove()` deletes it.
struct ScratchDirectory: Sendable {
    /// The directory.
    let url: URL

    /// Creates a fresh, empty directory under the system's temporary directory.
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory (the file need not exist).
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes text to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes bytes to `name` and returns its path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// The text of `name`.
    func read(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: url.appendingPathComponent(name)), as: UTF8.self)
    }

    /// The names of every file in the directory, hidden ones included, sorted.
    func fileNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Files of this package, found from this source file's location (`#filePath`), so the
/// tests never depend on where the package was checked out.
enum PackagePaths {
    /// The package root: `Tests/CohortTests/Support/` is three levels below it.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // CohortTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// A file in `examples/`.
    static func example(_ name: String) -> String {
        root.appendingPathComponent("examples").appendingPathComponent(name).path
    }
}

/// Reads a FIFO to its end on a thread of its own, as a shell pipeline's reader would.
///
/// Not a task: opening a FIFO blocks until the other end opens, and a test that blocks
/// the (two-thread, on two cores) cooperative pool while its reader waits for a pool
/// thread would deadlock with another such test.
final class FIFOReader: @unchecked Sendable {
    // @unchecked: `data` is written by the thread before `done` is signalled, read after.
    private let done = DispatchSemaphore(value: 0)
    private var data = Data()

    init(path: String) {
        Thread.detachNewThread { [self] in
            data = FileHandle(forReadingAtPath: path)?.readDataToEndOfFile() ?? Data()
            done.signal()
        }
    }

    /// Everything read, once the writers have closed the FIFO.
    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
