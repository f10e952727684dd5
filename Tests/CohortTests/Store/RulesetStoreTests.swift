import Cohort
import Foundation
import Testing

/// Rules with a segment, a `let`, a prerequisite and a multivariate flag, to edit.
private let base = """
    let staff = ["qa", "staff"]
    segment internal = user.group in staff
    flag new_checkout = internal or bucket(user.id) < 20
    flag payments_v2 = false
    flag express_pay = new_checkout and user.plan == "pro"
    flag button {
      when internal serve "green" as green
      default "red"
    }
    flag unrelated = user.country == "KR"
    """

private func store(_ text: String = base) throws -> RulesetStore {
    RulesetStore(try Ruleset(source: text, file: "flags.cohort"))
}

/// The first `count` elements of `stream`, or fewer when `timeout` passes first.
private func collect<T: Sendable>(_ count: Int, from stream: AsyncStream<T>, within timeout: Duration = .seconds(20)) async -> [T] {
    await withTaskGroup(of: [T]?.self) { group in
        group.addTask {
            var items: [T] = []
            for await item in stream {
                items.append(item)
                if items.count == count { break }
            }
            return items
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next()!
        group.cancelAll()
        return first ?? []
    }
}

/// True when `stream` ends (with no element) before `timeout`.
private func ends<T: Sendable>(_ stream: AsyncStream<T>, within timeout: Duration) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            for await _ in stream { return false }
            return true
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return false
        }
        let first = await group.next()!
        group.cancelAll()
        return first
    }
}

/// A temporary directory removed at the end of `body`.
private func withTemporaryDirectory<R>(_ body: (URL) async throws -> R) async throws -> R {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cohort-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

@Suite("RulesetStore")
struct RulesetStoreTests {
    @Test("a reload that compiles serves the new rules and says which flags changed")
    func reloadServesNewRules() throws {
        let store = try store()
        let user: Context = ["user": ["id": "u-1", "group": "x", "country": "KR"]]
        #expect(store.ruleset.evaluate("payments_v2", in: user)?.value == false)

        let result = store.reload(source: base.replacingOccurrences(of: "flag payments_v2 = false", with: "flag payments_v2 = true")
                                  + "\nflag brand_new = true\n", file: "flags.cohort")
        #expect(result.change == RulesetChange(added: ["brand_new"], changed: ["payments_v2"]))
        #expect(result.diagnostics.isEmpty)
        #expect(store.ruleset.evaluate("payments_v2", in: user)?.value == true)
        #expect(store.ruleset.evaluate("brand_new", in: user)?.value == true)
        #expect(store.lastFailure == nil)
    }

    @Test("a reload that does not compile keeps the old rules serving and returns every diagnostic")
    func badReloadKeepsOldRules() throws {
        let store = try store()
        let before = store.ruleset
        let result = store.reload(source: "flag a = user.plan ==\nflag b = nope(1)\n", file: "flags.cohort")
        let error = try #require(result.error)
        #expect(error.diagnostics.count >= 2)
        #expect(result.diagnostics.count == error.diagnostics.count)
        // The missing operand is found at the next line's `flag`; then the unknown function.
        let rendered = error.rendered(color: false)
        #expect(rendered.contains("flags.cohort:2:1: error:"))
        #expect(rendered.contains("flags.cohort:2:10: error: unknown function 'nope'"))
        #expect(store.ruleset.flagNames == before.flagNames)
        #expect(store.ruleset.source.text == base)
        #expect(store.lastFailure != nil)

        // A good reload afterwards clears the failure.
        #expect(store.reload(source: base + "\n# a comment\n", file: "flags.cohort").change?.isEmpty == true)
        #expect(store.lastFailure == nil)
    }

    @Test("the same text again is unchanged: nothing swapped, nothing sent")
    func unchanged() async throws {
        let store = try store()
        let changes = store.changes
        guard case .unchanged = store.reload(source: base, file: "flags.cohort") else {
            Issue.record("the same text was reloaded")
            return
        }
        // Another file name is a new source (errors would name it): swapped, no flag changed.
        #expect(store.reload(source: base, file: "other.cohort").change == RulesetChange())
        let sent = await collect(1, from: changes)
        #expect(sent == [RulesetChange()])
    }

    struct Edit: CustomTestStringConvertible, Sendable {
        var name: String
        var edit: @Sendable (String) -> String
        var change: RulesetChange
        var testDescription: String { name }

        init(_ name: String, _ from: String, _ to: String, _ change: RulesetChange) {
            self.name = name
            edit = { text in
                precondition(text.contains(from), "the base rules do not contain \(from)")
                return text.replacingOccurrences(of: from, with: to)
            }
            self.change = change
        }

        init(_ name: String, _ edit: @escaping @Sendable (String) -> String, _ change: RulesetChange) {
            self.name = name
            self.edit = edit
            self.change = change
        }
    }

    static let edits: [Edit] = [
        Edit("a comment and layout only", "flag payments_v2 = false", "# off for now\nflag   payments_v2 =\n    false   # kill switch",
             RulesetChange()),
        Edit("declarations reordered", { text in
            let last = "flag unrelated = user.country == \"KR\""
            return last + "\n" + text.replacingOccurrences(of: last, with: "")
        }, RulesetChange()),
        Edit("a flag removed", "flag unrelated = user.country == \"KR\"", "", RulesetChange(removed: ["unrelated"])),
        Edit("a segment edited changes every flag reaching it", "segment internal = user.group in staff",
             "segment internal = user.group in staff or user.email ends_with \"@acme.com\"",
             RulesetChange(changed: ["new_checkout", "express_pay", "button"])),
        Edit("a let edited changes flags through the segment", #"let staff = ["qa", "staff"]"#, #"let staff = ["qa"]"#,
             RulesetChange(changed: ["new_checkout", "express_pay", "button"])),
        Edit("a prerequisite edited changes the flags that use it", "bucket(user.id) < 20", "bucket(user.id) < 30",
             RulesetChange(changed: ["new_checkout", "express_pay"])),
        Edit("a default edited", #"default "red""#, #"default "blue""#, RulesetChange(changed: ["button"])),
        Edit("a variant renamed", "as green", "as verde", RulesetChange(changed: ["button"])),
        Edit("a string that differs only by Unicode normalisation", "user.country == \"KR\"", "user.country == \"e\u{301}\"",
             RulesetChange(changed: ["unrelated"])),
        Edit("a rename is a removal and an addition", "flag unrelated", "flag related",
             RulesetChange(added: ["related"], removed: ["unrelated"])),
        Edit("a declaration no flag uses", "flag payments_v2", "let spare = 1\nflag payments_v2", RulesetChange()),
    ]

    @Test("what counts as a changed flag", arguments: edits)
    func changeDetection(_ edit: Edit) throws {
        let store = try store()
        let result = store.reload(source: edit.edit(base), file: "flags.cohort")
        #expect(result.error == nil, "\(result.diagnostics)")
        #expect(result.change == edit.change)
    }

    @Test("the unicode-normalisation edit really changes what the flag serves")
    func normalisationMatters() throws {
        // The case above must be a real change: "é" and "e\u{301}" are different strings to a rule.
        let composed = try Ruleset(source: "flag f = user.country == \"\u{e9}\"")
        #expect(composed.evaluate("f", in: ["user": ["country": "e\u{301}"]])?.value == false)
    }

    @Test("every subscriber receives every change in order; failures go to their own stream")
    func streams() async throws {
        let store = try store()
        let first = store.changes, second = store.changes, failures = store.failures
        store.reload(source: base + "\nflag one = true\n", file: "flags.cohort")
        store.reload(source: "flag broken = ", file: "flags.cohort")
        store.reload(source: base + "\nflag one = false\n", file: "flags.cohort")
        let expected = [RulesetChange(added: ["one"]), RulesetChange(changed: ["one"])]
        #expect(await collect(2, from: first) == expected)
        #expect(await collect(2, from: second) == expected)
        let errors = await collect(1, from: failures)
        #expect(errors.count == 1)
        #expect(errors.first?.source.text == "flag broken = ")
    }

    @Test("a subscriber created after a change does not receive it")
    func lateSubscriber() async throws {
        let store = try store()
        store.reload(source: base + "\nflag one = true\n", file: "flags.cohort")
        let late = store.changes
        store.reload(source: base, file: "flags.cohort")
        #expect(await collect(1, from: late) == [RulesetChange(removed: ["one"])])
    }

    @Test("streams end when the store goes away")
    func streamsEnd() async throws {
        var store: RulesetStore? = try RulesetStore(Ruleset(source: base))
        let changes = store!.changes
        store = nil
        // Ends at once, with nothing in it.
        #expect(await ends(changes, within: .seconds(20)))
    }

    @Test("reloading a file: a missing, unreadable or non-UTF-8 file keeps the old rules")
    func reloadFromFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("flags.cohort").path
            try base.write(toFile: path, atomically: true, encoding: .utf8)
            let store = try RulesetStore(contentsOfFile: path)
            #expect(store.ruleset.source.name == path)
            guard case .unchanged = store.reload(from: path) else {
                Issue.record("the same file was reloaded")
                return
            }
            let missing = store.reload(from: directory.appendingPathComponent("nope.cohort").path)
            #expect(missing.error?.description.contains("cannot read rule file") == true)
            try Data([0x66, 0x6C, 0x61, 0x67, 0x20, 0xFF]).write(to: URL(fileURLWithPath: path))
            #expect(store.reload(from: path).error != nil)
            #expect(store.ruleset.source.text == base)
            try (base + "\nflag extra = true\n").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(store.reload(from: path).change == RulesetChange(added: ["extra"]))
        }
    }

    @Test("watching a file: edits in place, replacement by rename, a broken save and its fix")
    func watching() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("flags.cohort").path
            try base.write(toFile: path, atomically: false, encoding: .utf8)
            let store = try RulesetStore(contentsOfFile: path)
            let changes = store.changes, failures = store.failures
            guard case .unchanged = store.startWatching(file: path, every: .milliseconds(10)) else {
                Issue.record("the file serving was reloaded")
                return
            }
            #expect(store.isWatching)

            // In place (same inode), a different size.
            try (base + "\nflag a = true\n").write(toFile: path, atomically: false, encoding: .utf8)
            #expect(await collect(1, from: changes) == [RulesetChange(added: ["a"])])

            // A broken save: reported, old rules kept.
            try (base + "\nflag a = \n").write(toFile: path, atomically: false, encoding: .utf8)
            let errors = await collect(1, from: failures)
            #expect(errors.count == 1)
            #expect(store.ruleset.flagNames.contains("a"))
            #expect(store.lastFailure != nil)

            // Replaced by rename, the same size as before and an older modification time.
            let staged = directory.appendingPathComponent("staged").path
            try (base + "\nflag b = true\n").write(toFile: staged, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: staged)
            // rename(2), as an editor's save or `mv` does (FileManager's replaceItemAt copies on Linux).
            #expect(rename(staged, path) == 0)
            #expect(await eventually { store.ruleset.flagNames.contains("b") })
            #expect(store.lastFailure == nil)

            store.stopWatching()
            #expect(!store.isWatching)
            try (base + "\nflag c = true\n").write(toFile: path, atomically: false, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(100))
            #expect(!store.ruleset.flagNames.contains("c"))
        }
    }

    @Test("rules compiled elsewhere replace the serving ones; a snapshot taken before stays as it was")
    func replace() async throws {
        let store = try store()
        let before = store.ruleset
        let changes = store.changes
        let change = store.replace(with: try Ruleset(source: "flag payments_v2 = true", file: "remote"))
        #expect(change.removed == ["new_checkout", "express_pay", "button", "unrelated"])
        #expect(change.changed == ["payments_v2"])
        #expect(await collect(1, from: changes) == [change])
        #expect(store.ruleset.flagNames == ["payments_v2"])
        #expect(before.flagNames.count == 5)
        #expect(before.evaluate("payments_v2", in: Context())?.value == false)
    }

    @Test("watching through a symbolic link swapped to a new target, as Kubernetes updates a ConfigMap")
    func watchingSymlinkSwap() async throws {
        try await withTemporaryDirectory { directory in
            let fm = FileManager.default
            let v1 = directory.appendingPathComponent("v1"), v2 = directory.appendingPathComponent("v2")
            try fm.createDirectory(at: v1, withIntermediateDirectories: true)
            try fm.createDirectory(at: v2, withIntermediateDirectories: true)
            try base.write(to: v1.appendingPathComponent("flags.cohort"), atomically: true, encoding: .utf8)
            // The same size and an older time: only the file's identity tells them apart.
            try base.replacingOccurrences(of: "\"KR\"", with: "\"JP\"")
                .write(to: v2.appendingPathComponent("flags.cohort"), atomically: true, encoding: .utf8)
            try fm.setAttributes([.modificationDate: Date(timeIntervalSince1970: 0)], ofItemAtPath: v2.appendingPathComponent("flags.cohort").path)
            // ..data -> v1, flags.cohort -> ..data/flags.cohort
            let data = directory.appendingPathComponent("..data").path
            try fm.createSymbolicLink(atPath: data, withDestinationPath: "v1")
            let path = directory.appendingPathComponent("flags.cohort").path
            try fm.createSymbolicLink(atPath: path, withDestinationPath: "..data/flags.cohort")

            let store = try RulesetStore(contentsOfFile: path)
            let changes = store.changes
            store.startWatching(file: path, every: .milliseconds(10))
            // Swapped atomically: a new link renamed over the old one.
            let staged = directory.appendingPathComponent("..data_tmp").path
            try fm.createSymbolicLink(atPath: staged, withDestinationPath: "v2")
            #expect(rename(staged, data) == 0)
            #expect(await collect(1, from: changes) == [RulesetChange(changed: ["unrelated"])])
            store.stopWatching()
        }
    }

    @Test("watching starts by loading the file when its text is not the one serving")
    func watchingLoadsAtOnce() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("flags.cohort").path
            try (base + "\nflag on_disk = true\n").write(toFile: path, atomically: true, encoding: .utf8)
            let store = try store()
            let result = store.startWatching(file: path, every: .seconds(60))
            #expect(result.change?.added == ["on_disk"])
            #expect(store.ruleset.flagNames.contains("on_disk"))
            store.stopWatching()

            // A broken file on disk: the failure is returned, the rules serving stay.
            try "flag broken = ".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(store.startWatching(file: path, every: .seconds(60)).error != nil)
            #expect(store.ruleset.flagNames.contains("on_disk"))
            store.stopWatching()
        }
    }

    @Test("many readers while reloading: every snapshot is one whole version of the rules")
    func concurrentReaders() async throws {
        // Two versions whose flags agree with each other: a reader that saw flags of both
        // versions in one snapshot would see them disagree.
        func version(_ value: Bool) -> String {
            (0..<8).map { "flag f\($0) = \(value)" }.joined(separator: "\n")
        }
        let versions = [version(true), version(false)]
        let store = RulesetStore(try Ruleset(source: versions[0]))
        let reloads = 300
        let torn = Locked(0), reads = Locked(0)
        let changes = store.changes

        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let context: Context = ["user": ["id": "u-1"]]
                    var done = false
                    while !done {
                        let rules = store.ruleset
                        let values = Set(rules.evaluateAll(in: context).map(\.value))
                        if values.count != 1 { torn.withLock { $0 += 1 } }
                        reads.withLock { $0 += 1 }
                        done = rules.source.text == versions[1] && rules.source.name == "last"
                        await Task.yield()
                    }
                }
            }
            group.addTask {
                for i in 0..<reloads {
                    let result = store.reload(source: versions[(i + 1) % 2], file: "v\(i)")
                    #expect(result.error == nil)
                }
                store.reload(source: versions[1], file: "last")
            }
            try await group.waitForAll()
        }
        #expect(torn.withLock { $0 } == 0)
        #expect(reads.withLock { $0 } > 0)
        // Every swap was announced, in order: each flips all eight flags.
        let sent = await collect(reloads + 1, from: changes)
        #expect(sent.count == reloads + 1)
        #expect(sent.allSatisfy { $0 == RulesetChange(changed: (0..<8).map { "f\($0)" }) })
    }

    @Test("concurrent reloads from many threads leave the store on one of them, with a change for each")
    func concurrentReloads() async throws {
        let store = try store()
        let changes = store.changes
        let texts = (0..<40).map { base + "\nflag n\($0) = true\n" }
        await withTaskGroup(of: Void.self) { group in
            for text in texts { group.addTask { store.reload(source: text, file: "flags.cohort") } }
        }
        let sent = await collect(texts.count, from: changes)
        #expect(sent.count == texts.count)
        let final = try #require(store.ruleset.flagNames.last)
        // The last change sent is the one that produced the rules serving.
        #expect(sent.last?.added == [final])
    }
}

/// Waits until `condition` holds, checking every 10 ms for up to 20 seconds.
private func eventually(_ condition: @Sendable () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + .seconds(20)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}
