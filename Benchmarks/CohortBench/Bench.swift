import Cohort
import Dispatch
import Foundation

// cohort-bench: median ns per evaluation of each workload, beside a hand-written Swift
// baseline of the same rule over the same data, measured in the same run.
//
//   swift run -c release cohort-bench            all workloads
//   swift run -c release cohort-bench --quick    fewer iterations (a smoke run)
//   cohort-bench --alloc-probe W1 N              N evaluations of W1 only, for counting
//                                                allocations with valgrind (see allocations.sh);
//                                                APIW1, APIW2, APIW5 go through the public API
//                                                from Attributes; APICTXW1, APICTXW2 from a
//                                                Context (bound once, then remembered);
//                                                APINEWCTXW1, APINEWCTXW2 from a Context
//                                                made per call; APIJSONW5 from JSON bytes
//   cohort-bench --alloc-probe process N P       the in-memory batch of N records, P times
//                                                (profile two values of P and subtract)
//   cohort-bench --alloc-probe W6ID N            N evaluations of a W6 row's rule (W6ACME,
//                                                W6ID, W6GROUP: the three patterns in order)
//   cohort-bench --alloc-probe compile N         N compiles of the 1,000-flag file of the
//                                                compile-time row (`Ruleset(source:)`)

// Everything runs inside a nonisolated function: top-level code is main-actor isolated, and
// the isolation checks Swift 6 inserts around its closures would be measured with every call.
struct User {
    var id: String, group: String, country: String, age: Double, plan: String, email: String, betaOptOut: Bool, appVersion: String
}

struct Row { var name: String; var cohort: Double; var baseline: Double? }

@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

enum Bench {
    static func run() {
        let arguments = CommandLine.arguments
        let quick = arguments.contains("--quick")
        let runs = quick ? 3 : 7
        let iterations = quick ? 20_000 : 200_000

        // MARK: Data

        /// The same users as bound slots (for Cohort) and as plain structs (for the baselines).

        var generator = UserGenerator(seed: 7)
        let sample = (0..<1024).map { generator.nextUser(index: $0) }
        func field(_ v: Value, _ k: String) -> Value { if case .object(let f) = v { return f[k] ?? .null }; return .null }
        func string(_ v: Value) -> String { if case .string(let s) = v { return s }; return "" }
        let users: [User] = sample.map { u in
            var age = 0.0
            if case .number(let n) = field(u, "age") { age = n }
            var opt = false
            if case .bool(let b) = field(u, "beta_opt_out") { opt = b }
            return User(id: string(field(u, "id")), group: string(field(u, "group")), country: string(field(u, "country")), age: age,
                        plan: string(field(u, "plan")), email: string(field(u, "email")), betaOptOut: opt, appVersion: string(field(u, "app_version")))
        }
        let now = Instant(seconds: 1_796_000_000)

        /// The W6 rows' patterns, each with the name of its probe.
        let regexWorkloads = [("W6ACME", #"@acme\.com$"#), ("W6ID", "^u-[0-9]+$"), ("W6GROUP", "^(qa|beta)-")]
        /// What each W6 pattern is matched against: user ids, groups (`qa-x`), emails.
        func regexSubjects(_ pattern: String) -> [String] {
            users.map { pattern.hasPrefix("^u") ? $0.id : pattern.hasPrefix("^(") ? $0.group + "-x" : $0.email }
        }
        func regexRule(_ pattern: String) -> Rule {
            var quoted = ""
            writeJSONString(pattern, to: &quoted)
            return try! Rule("user.s matches " + quoted)
        }

        /// The rule file of the compile-time row: a segment and 1,000 flags of three shapes.
        func thousandFlagFile() -> String {
            var file = "segment internal = user.email ends_with \"@acme.com\" or user.group in [\"qa\", \"staff\"]\n"
            for i in 0..<1000 {
                switch i % 3 {
                case 0: file += "flag f\(i) = internal or bucket(user.id) < \(i % 100)\n"
                case 1: file += "flag f\(i) { when user.plan == \"pro\" serve \"a\"\n when bucket(user.id) < 50 serve \"b\"\n default \"c\" }\n"
                default: file += "flag f\(i) = semver(user.app_version) >= \"5.\(i % 10).0\" and user.country in [\"KR\", \"JP\"]\n"
                }
            }
            return file
        }

        /// Pre-binds every sample user to a rule's slots, so the loop measures evaluation only.
        func bound(_ rule: Rule) -> [[Value]] {
            sample.map { u in rule.slotTable.paths.map { $0.resolve(in: ["user": u]) } }
        }

        // MARK: Measurement


        /// Median over `runs` of the mean ns per call over `iterations` calls.
        func measure(_ body: (Int) -> Bool) -> Double {
            var samples: [Double] = []
            var sink = 0
            for _ in 0..<runs {
                let start = DispatchTime.now().uptimeNanoseconds
                for i in 0..<iterations where body(i & 1023) { sink &+= 1 }
                let end = DispatchTime.now().uptimeNanoseconds
                samples.append(Double(end - start) / Double(iterations))
            }
            blackHole(sink)
            samples.sort()
            return samples[samples.count / 2]
        }

        /// The bound slots of every sample user, back to back in one buffer that lives for the
        /// whole run, as the batch evaluator hands them to the VM: reading a user's slots
        /// costs no reference counting (an array of arrays would retain the inner array).
        func flatten(_ slots: [[Value]]) -> (base: UnsafeMutablePointer<Value>, width: Int) {
            let width = max(slots.first?.count ?? 0, 1)
            let base = UnsafeMutablePointer<Value>.allocate(capacity: slots.count * width)
            base.initialize(repeating: .null, count: slots.count * width)
            for (i, user) in slots.enumerated() {
                for (k, value) in user.enumerated() { base[i * width + k] = value }
            }
            return (base, width)
        }

        func evaluate(_ rule: Rule, _ slots: [[Value]]) -> (Int) -> Bool {
            let program = rule.program
            let environment = VM.Environment(now: now, salt: UnsafeBufferPointer(start: nil, count: 0))
            let (base, width) = flatten(slots)
            let count = slots.first?.count ?? 0
            return { i in
                let buffer = UnsafeBufferPointer(start: base + i * width, count: count)
                if case .value(.bool(true)) = VM.run(program, slots: buffer, environment: environment) { return true }
                return false
            }
        }

        /// The same hash primitive `bucket` uses, so W1 compares the machine, not two hashes.
        func handBucket(_ key: String, _ salt: String) -> UInt64 {
            UInt64(saltedHash(salt: salt, key: key)) % 100
        }

        var rows: [Row] = []

        /// Medians of `cohort` and `baseline`, their runs taken in turn: this shared virtual
        /// machine speeds up and slows down by tens of percent from one second to the next,
        /// and measuring one after the other timed the two at different speeds.
        func measurePair(_ cohort: (Int) -> Bool, _ baseline: (Int) -> Bool) -> (Double, Double) {
            var a: [Double] = [], b: [Double] = []
            var sink = 0
            func time(_ body: (Int) -> Bool) -> Double {
                let start = DispatchTime.now().uptimeNanoseconds
                for i in 0..<iterations where body(i & 1023) { sink &+= 1 }
                return Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
            }
            for _ in 0..<runs {
                a.append(time(cohort))
                b.append(time(baseline))
            }
            blackHole(sink)
            a.sort()
            b.sort()
            return (a[a.count / 2], b[b.count / 2])
        }

        func workload(_ name: String, _ text: String, baseline: ((Int) -> Bool)?) {
            let rule = try! Rule(text)
            guard let baseline else {
                rows.append(Row(name: name, cohort: measure(evaluate(rule, bound(rule))), baseline: nil))
                return
            }
            let (cohort, hand) = measurePair(evaluate(rule, bound(rule)), baseline)
            rows.append(Row(name: name, cohort: cohort, baseline: hand))
        }

        // MARK: Allocation probe

        // W5 reads every flag of the shipped example file.
        let flagsPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/flags.cohort").path

        /// `count` generated users as JSON Lines bytes, split into records, and an evaluator
        /// of `ruleset` for them: the in-memory batch input of the probe and the benchmark.
        func batchInput(_ ruleset: Ruleset, count: Int) -> (bytes: [UInt8], records: [RecordSpan], evaluator: BatchEvaluator) {
            var g = UserGenerator(seed: 11)
            var text = ""
            for i in 0..<count { text += g.nextUser(index: i).jsonText + "\n" }
            let bytes = Array(text.utf8)
            var splitter = RecordSplitter(format: .jsonl)
            let records = bytes.withUnsafeBytes { splitter.split($0, final: true).records }
            return (bytes, records, try! BatchEvaluator(ruleset: ruleset, options: BatchOptions(now: now)))
        }

        if let probe = arguments.firstIndex(of: "--alloc-probe") {
            let which = arguments[probe + 1]
            let count = Int(arguments[probe + 2]) ?? 1000
            if which == "process" {
                // `count` records of the in-memory batch, processed `passes` times on one
                // thread: run twice with different passes and subtract, and the input's
                // generation cancels out of a profile.
                let passes = arguments.count > probe + 3 ? Int(arguments[probe + 3]) ?? 1 : 1
                let ruleset = try! Ruleset(contentsOfFile: flagsPath)
                let (bytes, records, evaluator) = batchInput(ruleset, count: count)
                var written = 0
                bytes.withUnsafeBytes { buffer in
                    for _ in 0..<passes {
                        for c in stride(from: 0, to: records.count, by: 4096) {
                            written += evaluator.processBytes(buffer, records: Array(records[c..<min(c + 4096, records.count)]),
                                                              format: .jsonl, csvHeader: nil).output.count
                        }
                    }
                }
                print(written)
                return
            }
            if which == "batch" {
                // One thread, `count` records of the in-memory batch: for profiling the batch path.
                let ruleset = try! Ruleset(contentsOfFile: flagsPath)
                let (bytes, records, evaluator) = batchInput(ruleset, count: count)
                let binder = RecordBinder(paths: ruleset.slotTable.paths, extra: [[.key("id")]], recordRoot: "user", contextRecords: false)
                var outputs = [Value](repeating: .null, count: binder.outputCount)
                var scratch = RecordBinder.Scratch()
                var bindStart = DispatchTime.now().uptimeNanoseconds
                var bound = 0
                bytes.withUnsafeBytes { buffer in
                    for r in records where outputs.withUnsafeMutableBufferPointer({
                        binder.bind(UnsafeRawBufferPointer(rebasing: buffer[r.start..<r.end]), into: $0, scratch: &scratch)
                    }) { bound += 1 }
                }
                print("bind only: \(Int(Double(bound) / (Double(DispatchTime.now().uptimeNanoseconds - bindStart) / 1e9))) records/s")
                bindStart = DispatchTime.now().uptimeNanoseconds
                var evaluations = 0
                outputs.withUnsafeBufferPointer { slots in
                    let s = UnsafeBufferPointer(rebasing: slots[0..<ruleset.slotTable.count])
                    for _ in records {
                        for f in ruleset.flagPrograms.indices { blackHole(VM.evaluate(ruleset.flagPrograms[f], slots: s, now: now)); evaluations += 1 }
                    }
                }
                print("evaluate only: \(Int(Double(records.count) / (Double(DispatchTime.now().uptimeNanoseconds - bindStart) / 1e9))) records/s")
                let start = DispatchTime.now().uptimeNanoseconds
                bytes.withUnsafeBytes { buffer in
                    for c in stride(from: 0, to: records.count, by: 4096) {
                        blackHole(evaluator.process(buffer, records: Array(records[c..<min(c + 4096, records.count)]), format: .jsonl, csvHeader: nil))
                    }
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                print("\(Int(Double(count) / seconds)) records/s on one thread")
                return
            }
            if which == "compile" {
                let file = thousandFlagFile()
                var warnings = 0
                for _ in 0..<count { warnings += try! Ruleset(source: file).warnings.count }
                print(warnings)
                return
            }
            if let pattern = regexWorkloads.first(where: { $0.0 == which })?.1 {
                let slots = regexSubjects(pattern).map { [Value.string($0)] }
                let body = evaluate(regexRule(pattern), slots)
                var sink = 0
                for i in 0..<count where body(i & 1023) { sink += 1 }
                print(sink)
                return
            }
            if which == "W5" {
                let ruleset = try! Ruleset(contentsOfFile: flagsPath)
                let slots = sample.map { u in ruleset.slotTable.paths.map { $0.resolve(in: ["user": u]) } }
                // The programs in a local, as the timed row has them: `flagPrograms` reads
                // them out of the compiled ruleset (a retain per call).
                let programs = ruleset.flagPrograms
                var sink = 0
                for i in 0..<count {
                    slots[i & 1023].withUnsafeBufferPointer { buffer in
                        for program in programs where VM.evaluate(program, slots: buffer, now: now).value(of: program) == .bool(true) { sink += 1 }
                    }
                }
                print(sink)
                return
            }
            if which.hasPrefix("API") {
                // APIW1 / APIW2: `Rule.matches(Attributes)` through the public API, from
                // attributes built before the loop; APIW5: `evaluateAll(in: Attributes)`.
                let texts = ["APIW1": #"user.group in ["qa","beta"] or bucket(user.id) < 20"#,
                             "APIW2": #"user.country in ["KR","JP","US"] and user.age >= 18 and user.plan != "free" and user.email ends_with "@acme.com" and not user.beta_opt_out"#]
                var sink = 0
                if which == "APIW5" {
                    let ruleset = try! Ruleset(contentsOfFile: flagsPath)
                    let attributes = sample.map { ruleset.attributes(for: Context(user: $0)) }
                    for i in 0..<count { sink &+= ruleset.evaluateAll(in: attributes[i & 1023], now: now).count }
                } else if which == "APIJSONW5" {
                    let ruleset = try! Ruleset(contentsOfFile: flagsPath)
                    let bodies = sample.map { Array(#"{"user":\#($0.jsonText)}"#.utf8) }
                    for i in 0..<count { sink &+= (try? ruleset.evaluateAll(json: bodies[i & 1023], now: now))?.count ?? 0 }
                } else if which.hasPrefix("APINEWCTX") {
                    let rule = try! Rule(texts["API" + which.dropFirst(9)]!)
                    for i in 0..<count where rule.matches(Context(user: sample[i & 1023]), now: now) { sink += 1 }
                } else if which.hasPrefix("APICTX") {
                    let rule = try! Rule(texts["API" + which.dropFirst(6)]!)
                    let contexts = sample.map { Context(user: $0) }
                    for i in 0..<count where rule.matches(contexts[i & 1023], now: now) { sink += 1 }
                } else {
                    let rule = try! Rule(texts[which]!)
                    let attributes = sample.map { rule.attributes(for: Context(user: $0)) }
                    for i in 0..<count where rule.matches(attributes[i & 1023], now: now) { sink += 1 }
                }
                print(sink)
                return
            }
            let texts = [
                "W1": #"user.group in ["qa","beta"] or bucket(user.id) < 20"#,
                "W2": #"user.country in ["KR","JP","US"] and user.age >= 18 and user.plan != "free" and user.email ends_with "@acme.com" and not user.beta_opt_out"#,
                "W3": "user.id in [" + (0..<10_000).map { "\"u-\(100_000 + $0 * 7)\"" }.joined(separator: ",") + "]",
                "W4": #"semver(user.app_version) >= "5.2.0" and now() >= time("2026-12-01T09:00:00Z")"#,
            ]
            let rule = try! Rule(texts[which]!)
            let body = evaluate(rule, bound(rule))
            var sink = 0
            for i in 0..<count where body(i & 1023) { sink += 1 }
            print(sink)
            return
        }

        // MARK: Workloads

        print("cohort-bench: \(runs) runs × \(iterations) evaluations per workload, median ns/evaluation (release build)\n")

        // W0: the cost of one evaluation that does nothing but read an attribute.
        // The baselines read the users in place, as a service reads the request's user: a
        // copy of `users[i]` would retain and release its six strings, timing the copy
        // rather than the rule.
        let userBase = UnsafeMutablePointer<User>.allocate(capacity: users.count)
        userBase.initialize(from: users, count: users.count)

        workload("W0 one attribute (overhead)", "user.beta_opt_out") { i in userBase[i].betaOptOut }

        workload("W1 design-card rule", #"user.group in ["qa","beta"] or bucket(user.id) < 20"#) { i in
            userBase[i].group == "qa" || userBase[i].group == "beta" || handBucket(userBase[i].id, "") < 20
        }

        workload("W2 five conditions", #"user.country in ["KR","JP","US"] and user.age >= 18 and user.plan != "free" and user.email ends_with "@acme.com" and not user.beta_opt_out"#) { i in
            let u = userBase + i
            return (u.pointee.country == "KR" || u.pointee.country == "JP" || u.pointee.country == "US") && u.pointee.age >= 18
                && u.pointee.plan != "free" && u.pointee.email.hasSuffix("@acme.com") && !u.pointee.betaOptOut
        }

        let ids = (0..<10_000).map { "u-\(100_000 + $0 * 7)" }
        let idSet = Set(ids)
        workload("W3 segment of 10,000 ids", "user.id in [" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]") { i in
            idSet.contains(userBase[i].id)
        }

        let cutoff = Version("5.2.0")!
        let launch = Instant(timestamp: "2026-12-01T09:00:00Z")!
        workload("W4 semver and time", #"semver(user.app_version) >= "5.2.0" and now() >= time("2026-12-01T09:00:00Z")"#) { i in
            guard let v = Version(userBase[i].appVersion) else { return false }
            return v >= cutoff && now >= launch
        }

        // W5: every flag of examples/flags.cohort for one record.
        if let ruleset = try? Ruleset(contentsOfFile: flagsPath) {
            let slots = sample.map { u in ruleset.slotTable.paths.map { $0.resolve(in: ["user": u]) } }
            let programs = ruleset.flagPrograms
            let perRecord = measure { i in
                slots[i].withUnsafeBufferPointer { buffer in
                    var any = false
                    for program in programs where VM.evaluate(program, slots: buffer, now: now).value(of: program) == .bool(true) { any = true }
                    return any
                }
            }
            rows.append(Row(name: "W5 all \(ruleset.flagPrograms.count) flags of flags.cohort", cohort: perRecord, baseline: nil))
        }

        // W6: `matches` on typical patterns, against NSRegularExpression (the baseline column).
        for (_, pattern) in regexWorkloads {
            let label = "W6 matches " + pattern
            let regex = try! NSRegularExpression(pattern: pattern)
            let subjects = regexSubjects(pattern)
            let rule = regexRule(pattern)
            let slots = subjects.map { [Value.string($0)] }
            let (cohort, baseline) = measurePair(evaluate(rule, slots)) { i in
                let s = subjects[i]
                return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            }
            rows.append(Row(name: label, cohort: cohort, baseline: baseline))
        }

        // MARK: Through the public API

        // The rows above measure the engine: slots bound beforehand through package-only
        // calls. These rows use only what `import Cohort` offers a service, against the same
        // hand-written baselines in the same run. `Attributes` are built once per user (as a
        // service keeps them per request). `Context` rows evaluate prebuilt contexts, which
        // after their first evaluation read the bindings they remember; `new Context` rows
        // make the context in the call (one dictionary around the user's value) and so bind
        // by path every time, as a service does once per request. The JSON row starts from
        // the request body's bytes.
        let contexts = sample.map { Context(user: $0) }
        for (label, text, hand) in [
            ("W1", #"user.group in ["qa","beta"] or bucket(user.id) < 20"#, { (i: Int) -> Bool in
                userBase[i].group == "qa" || userBase[i].group == "beta" || handBucket(userBase[i].id, "") < 20 }),
            ("W2", #"user.country in ["KR","JP","US"] and user.age >= 18 and user.plan != "free" and user.email ends_with "@acme.com" and not user.beta_opt_out"#, { (i: Int) -> Bool in
                let u = userBase + i
                return (u.pointee.country == "KR" || u.pointee.country == "JP" || u.pointee.country == "US") && u.pointee.age >= 18
                    && u.pointee.plan != "free" && u.pointee.email.hasSuffix("@acme.com") && !u.pointee.betaOptOut }),
        ] {
            let rule = try! Rule(text)
            let attributes = contexts.map { rule.attributes(for: $0) }
            let (viaAttributes, hand1) = measurePair({ i in rule.matches(attributes[i], now: now) }, hand)
            rows.append(Row(name: "API \(label) matches(Attributes)", cohort: viaAttributes, baseline: hand1))
            let (viaContext, hand2) = measurePair({ i in rule.matches(contexts[i], now: now) }, hand)
            rows.append(Row(name: "API \(label) matches(Context)", cohort: viaContext, baseline: hand2))
            let (viaNewContext, hand3) = measurePair({ i in rule.matches(Context(user: sample[i]), now: now) }, hand)
            rows.append(Row(name: "API \(label) matches(new Context)", cohort: viaNewContext, baseline: hand3))
        }
        if let ruleset = try? Ruleset(contentsOfFile: flagsPath) {
            let attributes = contexts.map { ruleset.attributes(for: $0) }
            rows.append(Row(name: "API W5 evaluateAll(Attributes)", cohort: measure { i in
                ruleset.evaluateAll(in: attributes[i], now: now).first?.value == .bool(true)
            }, baseline: nil))
            rows.append(Row(name: "API W5 evaluateAll(Context)", cohort: measure { i in
                ruleset.evaluateAll(in: contexts[i], now: now).first?.value == .bool(true)
            }, baseline: nil))
            let bodies = sample.map { Array(#"{"user":\#($0.jsonText)}"#.utf8) }
            rows.append(Row(name: "API W5 evaluateAll(json:)", cohort: measure { i in
                (try? ruleset.evaluateAll(json: bodies[i], now: now))?.first?.value == .bool(true)
            }, baseline: nil))
        }

        print("workload                          cohort ns   baseline ns   ratio")
        for row in rows {
            let name = row.name.padding(toLength: 32, withPad: " ", startingAt: 0)
            let c = String(format: "%9.1f", row.cohort)
            if let b = row.baseline {
                print("\(name)  \(c)   \(String(format: "%11.1f", b))   \(String(format: "%5.2fx", row.cohort / b))")
            } else {
                print("\(name)  \(c)             -       -")
            }
        }

        // MARK: Compile time of a 1,000-flag file

        let file = thousandFlagFile()
        var compileSamples: [Double] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            blackHole(try! Ruleset(source: file))
            compileSamples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        compileSamples.sort()
        print("\ncompile a 1,000-flag file: \(String(format: "%.1f", compileSamples[compileSamples.count / 2])) ms (median of \(runs))")

        // MARK: Batch throughput (in memory: split, decode, bind, evaluate all flags, format JSONL)

        if let ruleset = try? Ruleset(contentsOfFile: flagsPath) {
            let count = quick ? 50_000 : 500_000
            let (bytes, records, evaluator) = batchInput(ruleset, count: count)
            let jobs = ProcessInfo.processInfo.activeProcessorCount
            let chunkSize = 4096
            let chunksAll = stride(from: 0, to: records.count, by: chunkSize).map { Array(records[$0..<min($0 + chunkSize, records.count)]) }
            var batchSamples: [Double] = []
            for _ in 0..<(quick ? 1 : 3) {
                let start = DispatchTime.now().uptimeNanoseconds
                let localChunks = chunksAll, localBytes = bytes, localEvaluator = evaluator
                DispatchQueue.concurrentPerform(iterations: localChunks.count) { c in
                    localBytes.withUnsafeBytes { buffer in blackHole(localEvaluator.process(buffer, records: localChunks[c], format: .jsonl, csvHeader: nil)) }
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                batchSamples.append(Double(count) / seconds)
            }
            batchSamples.sort()
            print("batch (in memory, \(jobs) threads, \(ruleset.flagPrograms.count) flags, \(count) records): \(Int(batchSamples[batchSamples.count / 2])) records/s (median)")
        }
    }
}
