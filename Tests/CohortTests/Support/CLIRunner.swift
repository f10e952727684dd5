import Foundation

/// What a run of the `cohort` executable produced.
struct CLIResult: Sendable {
    /// The exit status.
    var status: Int32
    /// Everything written to standard output.
    var stdout: String
    /// Everything written to standard error.
    var stderr: String
}

/// Finds and runs the built `cohort` executable, as scripts would.
enum CLIRunner {
    /// The `cohort` executable next to the test products, or nil when it was not built.
    ///
    /// On Linux the test runner lives in the products directory itself; on macOS inside an
    /// `.xctest` bundle there. As a last resort, `.build/debug/cohort` under the package
    /// root, located from this file's path.
    static let executable: URL? = {
        let bundle = Bundle.main.bundleURL
        var candidates = [
            bundle.appendingPathComponent("cohort"),
            bundle.deletingLastPathComponent().appendingPathComponent("cohort"),
        ]
        if let arg0 = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: arg0).deletingLastPathComponent().appendingPathComponent("cohort"))
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // CohortTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/cohort"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()
}

/// Runs `cohort` with `args`, feeding `stdin` (none: an empty stream), and waits for it.
///
/// Output goes to temporary files rather than pipes, so a chatty child can never block on
/// a full pipe while the parent waits for it to exit.
/// - Parameter environment: variables to set or override on top of this process's own.
/// - Parameter directory: the working directory of the child (default: this process's).
func runCohort(_ args: [String], stdin: String? = nil, environment: [String: String] = [:],
               in workingDirectory: URL? = nil) throws -> CLIResult {
    guard let executable = CLIRunner.executable else {
        throw CLIRunnerError.executableNotFound
    }
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("cohort-cli-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outURL = directory.appendingPathComponent("stdout")
    let errURL = directory.appendingPathComponent("stderr")
    let inURL = directory.appendingPathComponent("stdin")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))

    let process = Process()
    process.executableURL = executable
    process.arguments = args
    if let workingDirectory { process.currentDirectoryURL = workingDirectory }
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "NO_COLOR")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let outHandle = try FileHandle(forWritingTo: outURL)
    let errHandle = try FileHandle(forWritingTo: errURL)
    let inHandle = try FileHandle(forReadingFrom: inURL)
    defer {
        try? outHandle.close()
        try? errHandle.close()
        try? inHandle.close()
    }
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = inHandle
    try process.run()
    process.waitUntilExit()
    let out = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
    let err = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
    return CLIResult(status: process.terminationStatus, stdout: out, stderr: err)
}

/// Why the CLI could not be run at all.
enum CLIRunnerError: Error, CustomStringConvertible {
    case executableNotFound

    var description: String {
        "the cohort executable was not found next to the tests; build it with `swift build --build-tests`"
    }
}
