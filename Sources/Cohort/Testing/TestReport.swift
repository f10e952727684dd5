import Foundation

/// The outputs of `cohort test`: text for people, JSON Lines and JUnit XML for tools, and
/// the coverage report. Pure functions of a `TestRun`; the CLI only prints them.
package enum TestReport {
    // MARK: Text

    /// One line per test, `PASS file:line name` or `FAIL file:line name`, each failed
    /// expectation under its test, `ERROR file: ...` for a file that did not compile (its
    /// diagnostics go to stderr), the coverage when asked, and last, exactly
    /// `N passed, M failed`.
    package static func text(_ run: TestRun, coverage: Bool, color: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var out = ""
        for file in run.files {
            guard file.compiled else {
                let count = file.problems.reduce(0) { $0 + $1.diagnostics.count { $0.severity == .error } }
                out += "\(paint("ERROR", "1;31")) \(file.path): does not compile (\(count) error\(count == 1 ? "" : "s"))\n"
                continue
            }
            for result in file.results {
                out += result.passed ? paint("PASS", "32") : paint("FAIL", "1;31")
                out += " \(result.file):\(result.line) \(result.name)\n"
                for failure in result.failures { out += failureText(failure, file: result.file) }
            }
        }
        if coverage { out += coverageText(run) }
        return out + "\(run.passed) passed, \(run.failed) failed\n"
    }

    /// A failed expectation: `file:line:col: expected EXPR`, what it gave, and the values of
    /// the flags and segments it names, each flag's evaluation tree under its value.
    package static func failureText(_ failure: TestResult.Failure, file: String) -> String {
        var out = "\(file):\(failure.location): expected \(failure.expected)\n"
        switch failure.got {
        case .value(let value): out += "  got \(value.jsonText)\n"
        case .error(let error): out += "  got an error at \(error.file):\(error.location): \(error.message)\n"
        case .reason(let reason): out += "  got reason \(reason)\n"
        }
        for line in (failure.tree ?? "").split(separator: "\n") {
            out += "    \(line)\n"
        }
        for named in failure.values {
            out += "  \(named.name) = \(valueText(named.value))"
            if let reason = named.reason {
                out += "  (\(reason.kind == .error ? "error" : reason.description)"
                out += named.variant.map { ", variant \($0))" } ?? ")"
            } else {
                out += "  (\(named.kind))"
            }
            out += "\n"
            for line in (named.tree ?? "").split(separator: "\n") {
                out += "    \(line)\n"
            }
        }
        return out
    }

    private static func valueText(_ value: Result<Value, EvaluationError>) -> String {
        switch value {
        case .success(let value): value.jsonText
        case .failure(let error): "error at \(error.file):\(error.location): \(error.message)"
        }
    }

    // MARK: Coverage

    /// Per rule file, every item not fully covered (`flags.cohort:61: when bucket(user.id)
    /// < 50: never matched by a test`), then the share covered.
    package static func coverageText(_ run: TestRun) -> String {
        var out = ""
        for coverage in run.coverage {
            for miss in coverage.misses {
                out += "\(coverage.path):\(miss.item.line): \(miss.item.label): \(miss.message)\n"
            }
            let (covered, total) = coverage.totals
            out += "\(coverage.path): \(percent(coverage.share)) covered (\(covered) of \(total) arms, segments and flag values)\n"
        }
        return out
    }

    /// `100.0%`, `92.3%`: one decimal, rounded down so that only full coverage shows 100.
    package static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded(.down) / 10
        return String(format: "%.1f%%", tenths)
    }

    // MARK: JSON Lines

    /// One JSON object per test, in order:
    /// `{"file":…,"line":…,"name":…,"status":"pass"|"fail","expectations":N,"seconds":…,"failures":[…]}`;
    /// a file that did not compile gives `{"file":…,"status":"error","errors":[…]}`; with
    /// coverage, one `{"coverage":"<rule file>",…}` object per rule file at the end.
    package static func json(_ run: TestRun, coverage: Bool) -> String {
        var out = ""
        for file in run.files {
            guard file.compiled else {
                out += #"{"file":"# + quoted(file.path) + #","status":"error","errors":["#
                out += file.problems.flatMap { error in error.diagnostics.map { diagnosticJSON($0, source: error.source) } }
                    .joined(separator: ",")
                out += "]}\n"
                continue
            }
            for result in file.results {
                out += #"{"file":"# + quoted(result.file) + #","line":\#(result.line),"name":"# + quoted(result.name)
                out += #","status":""# + (result.passed ? "pass" : "fail") + #"","expectations":\#(result.expectationCount)"#
                out += #","seconds":"# + seconds(result.seconds) + #","failures":["#
                out += result.failures.map(failureJSON).joined(separator: ",")
                out += "]}\n"
            }
        }
        if coverage {
            for coverage in run.coverage {
                let (covered, total) = coverage.totals
                out += #"{"coverage":"# + quoted(coverage.path) + #","covered":\#(covered),"total":\#(total),"share":"#
                    + Value.number((coverage.share * 10_000).rounded(.down) / 10_000).jsonText + #","missed":["#
                out += coverage.misses.map { miss in
                    #"{"line":\#(miss.item.line),"item":"# + quoted(miss.item.label) + #","message":"# + quoted(miss.message) + "}"
                }.joined(separator: ",")
                out += "]}\n"
            }
        }
        return out
    }

    private static func failureJSON(_ failure: TestResult.Failure) -> String {
        var out = #"{"line":\#(failure.location.line),"column":\#(failure.location.column),"expected":"# + quoted(failure.expected)
        switch failure.got {
        case .value(let value): out += #","got":"# + value.jsonText
        case .error(let error): out += #","error":"# + errorJSON(error)
        case .reason(let reason): out += #","reason":"# + reason.jsonText
        }
        if let tree = failure.tree { out += #","tree":"# + quoted(tree) }
        out += #","values":{"#
        out += failure.values.map { named in
            var item = quoted(named.name) + ":{"
            switch named.value {
            case .success(let value): item += #""value":"# + value.jsonText
            case .failure(let error): item += #""error":"# + errorJSON(error)
            }
            if let reason = named.reason { item += #","reason":"# + reason.jsonText }
            if let variant = named.variant { item += #","variant":"# + quoted(variant) }
            if let tree = named.tree { item += #","tree":"# + quoted(tree) }
            return item + "}"
        }.joined(separator: ",")
        return out + "}}"
    }

    private static func errorJSON(_ error: EvaluationError) -> String {
        #"{"message":"# + quoted(error.message) + #","at":"# + quoted("\(error.file):\(error.location)") + "}"
    }

    /// A diagnostic as `cohort check --format json` writes one.
    private static func diagnosticJSON(_ diagnostic: Diagnostic, source: SourceFile) -> String {
        let start = source.location(of: diagnostic.span.start), end = source.location(of: diagnostic.span.end)
        return #"{"file":"# + quoted(source.name) + #","line":\#(start.line),"column":\#(start.column),"#
            + #""end_line":\#(end.line),"end_column":\#(end.column),"severity":""# + diagnostic.severity.rawValue
            + #"","code":"# + quoted(diagnostic.code) + #","message":"# + quoted(diagnostic.message) + "}"
    }

    /// A JSON string literal.
    private static func quoted(_ text: String) -> String {
        var out = ""
        writeJSONString(text, to: &out)
        return out
    }

    private static func seconds(_ value: Double) -> String {
        String(format: "%.6f", value)
    }

    // MARK: JUnit XML

    /// JUnit XML, as CI systems read it: a `<testsuite>` per test file, a `<testcase>` per
    /// test (`file` and `line` attributes included), a `<failure>` holding the text output
    /// of its failed expectations; a file that did not compile is a suite with one
    /// `<error>` case holding its diagnostics.
    package static func junit(_ run: TestRun) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        let totalTime = run.results.reduce(0) { $0 + $1.seconds }
        out += #"<testsuites name="cohort test" tests="\#(run.results.count + run.uncompiled)" failures="\#(run.failed)""#
            + #" errors="\#(run.uncompiled)" time="\#(time(totalTime))">"# + "\n"
        for file in run.files {
            let path = escaped(file.path)
            guard file.compiled else {
                let text = file.problems.map { $0.rendered(color: false) }.joined()
                out += #"  <testsuite name="\#(path)" tests="1" failures="0" errors="1" time="0.000">"# + "\n"
                out += #"    <testcase name="compile" classname="\#(path)" file="\#(path)" time="0.000">"# + "\n"
                out += #"      <error message="\#(path) does not compile" type="compile">"# + escaped(text) + "</error>\n"
                out += "    </testcase>\n  </testsuite>\n"
                continue
            }
            let failed = file.results.count { !$0.passed }
            let suiteTime = file.results.reduce(0) { $0 + $1.seconds }
            out += #"  <testsuite name="\#(path)" tests="\#(file.results.count)" failures="\#(failed)" errors="0""#
                + #" time="\#(time(suiteTime))">"# + "\n"
            for result in file.results {
                out += #"    <testcase name="\#(escaped(result.name))" classname="\#(path)" file="\#(path)""#
                    + #" line="\#(result.line)" time="\#(time(result.seconds))""#
                guard let first = result.failures.first else {
                    out += "/>\n"
                    continue
                }
                let text = result.failures.map { failureText($0, file: result.file) }.joined()
                let message = "expected \(first.expected)" + (result.failures.count > 1 ? " (and \(result.failures.count - 1) more)" : "")
                out += ">\n"
                out += #"      <failure message="\#(escaped(message))" type="expectation">"# + escaped(text) + "</failure>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    private static func time(_ seconds: Double) -> String {
        String(format: "%.3f", seconds)
    }

    /// Text for an XML attribute or element: markup characters escaped, and characters XML
    /// 1.0 cannot hold at all (controls other than tab and line breaks) replaced by U+FFFD.
    package static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
