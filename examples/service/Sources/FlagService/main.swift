import Cohort
import Foundation

// A stand-in for a service's main: loads the rule file into a store that watches it,
// logs every reload, then handles one request per line of standard input (a JSON body)
// and writes one response per line. Run from the repository root:
//
//   swift run --package-path examples/service --scratch-path .build/service-example FlagService examples/flags.cohort < examples/users.jsonl
//
// (a users.jsonl line is a user, so the example wraps it as {"user": ...}). Edit the rule
// file while it runs: a good save is served from the next request, a broken one is logged
// and the old rules keep serving.

let arguments = CommandLine.arguments.dropFirst()
guard let path = arguments.first else {
    log("usage: FlagService RULES.cohort < requests.jsonl")
    exit(2)
}

let store: RulesetStore
do throws(CompileError) {
    store = try RulesetStore(contentsOfFile: path)
} catch {
    // A service refuses to start on rules that do not compile: there is no last good version.
    log(error.rendered(color: false))
    exit(1)
}
for warning in store.ruleset.warnings { log("warning: \(warning.message)") }
store.startWatching(file: path, every: .seconds(1))

// Reloads are reported on their own tasks, as a service's logger would.
Task {
    for await change in store.changes { log("rules reloaded: \(change)") }
}
Task {
    for await failure in store.failures { log("reload failed, old rules still serving:\n\(failure.rendered(color: false))") }
}

let handler = FlagHandler(store: store)
while let line = readLine() {
    guard !line.allSatisfy(\.isWhitespace) else { continue }
    // Each line is a user; the front end's request body would be {"user": ..., "request": ...}.
    let body = Array(#"{"user":\#(line)}"#.utf8)
    let response = handler.handle(body: body)
    print(response.status, response.body)
    if response.status == 200, let user = try? Context(json: #"{"user":\#(line)}"#) {
        log("checkout path: \(handler.checkoutPath(for: user))")
    }
}
