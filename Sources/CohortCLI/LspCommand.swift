import Cohort

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `cohort lsp`: a Language Server Protocol server on stdin and stdout. The server is the
/// library's `LanguageServer`; this only wires it to the standard streams.
enum LspCommand {
    static let usage = """
    USAGE: cohort lsp [--stdio]

    Runs a Language Server Protocol (3.17) server for .cohort files on stdin and stdout
    (JSON-RPC 2.0 with Content-Length framing), for editors: diagnostics as you type
    (the same as 'cohort check', with their codes), hover, go to definition, completion,
    document symbols and formatting (the 'cohort fmt' layout). Positions are UTF-16.
    Editor set-up: docs/editors.md.

    OPTIONS:
      --stdio        Accepted and ignored (stdio is the only transport); many editor
                     clients pass it.

    EXIT: 0 after the client's 'shutdown' and 'exit'; 1 when input ends or 'exit'
          comes without 'shutdown'; 2 usage error.

    """

    static func run(_ arguments: [String]) -> ExitStatus {
        if arguments.contains("--help") || arguments.contains("-h") {
            Terminal.out(usage)
            return .success
        }
        do {
            let args = try ArgumentScanner(arguments, valued: [], switches: ["--stdio"])
            guard args.positionals.isEmpty else { throw UsageError("lsp takes no arguments; it talks to an editor on stdin and stdout") }
        } catch {
            Terminal.err("cohort lsp: \(describeUsage(error))\n")
            return .usage
        }
        // A client that goes away must not kill the server with SIGPIPE mid-write; the
        // write fails instead, and the server ends at the end of input.
        signal(SIGPIPE, SIG_IGN)
        var server = LanguageServer()
        var channel = FileDescriptorChannel(input: STDIN_FILENO, output: STDOUT_FILENO)
        return server.run(over: &channel) == 0 ? .success : .failure
    }
}
