import Cohort
import Foundation

/// A small TextMate tokenizer, enough to test `editors/cohort.tmLanguage.json` the way
/// editors run it: line by line, the earliest match of the current context's patterns
/// wins (the first listed on a tie), a `begin`/`end` rule pushes a context that its `end`
/// pops, `include` reaches into the repository, and `captures` name groups.
///
/// Regexes run on Foundation's ICU engine rather than Oniguruma; the grammar keeps to
/// what both read the same way (classes, `\b`, lookahead, fixed-length lookbehind).
struct TextMateTokenizer {
    indirect enum Rule {
        case match(NSRegularExpression, name: String?, captures: [Int: String])
        case region(begin: NSRegularExpression, end: NSRegularExpression, name: String?,
                    beginCaptures: [Int: String], endCaptures: [Int: String], patterns: [Rule])
        case include(String)
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    let scopeName: String
    let patterns: [Rule]
    let repository: [String: [Rule]]

    init(json: Any) throws {
        guard let root = json as? [String: Any], let scopeName = root["scopeName"] as? String else {
            throw Problem(description: "the grammar has no scopeName")
        }
        self.scopeName = scopeName
        patterns = try Self.rules(root["patterns"])
        var repository: [String: [Rule]] = [:]
        for (key, value) in root["repository"] as? [String: Any] ?? [:] {
            guard let entry = value as? [String: Any] else { throw Problem(description: "repository entry \(key) is not an object") }
            repository[key] = entry["patterns"] != nil && entry["match"] == nil && entry["begin"] == nil
                ? try Self.rules(entry["patterns"]) : [try Self.rule(entry)]
        }
        self.repository = repository
        for name in Self.includes(in: patterns + repository.values.flatMap { $0 }) where !name.hasPrefix("$") {
            guard repository[String(name.dropFirst())] != nil else { throw Problem(description: "include \(name) names no repository entry") }
        }
    }

    private static func includes(in rules: [Rule]) -> [String] {
        rules.flatMap { rule -> [String] in
            switch rule {
            case .include(let name): [name]
            case .region(_, _, _, _, _, let inner): includes(in: inner)
            case .match: []
            }
        }
    }

    private static func rules(_ value: Any?) throws -> [Rule] {
        try (value as? [Any] ?? []).map { item in
            guard let object = item as? [String: Any] else { throw Problem(description: "a pattern is not an object") }
            return try rule(object)
        }
    }

    private static func rule(_ object: [String: Any]) throws -> Rule {
        if let include = object["include"] as? String { return .include(include) }
        let name = object["name"] as? String
        if let match = object["match"] as? String {
            return .match(try regex(match), name: name, captures: captures(object["captures"]))
        }
        if let begin = object["begin"] as? String, let end = object["end"] as? String {
            let both = captures(object["captures"])
            return .region(begin: try regex(begin), end: try regex(end), name: name,
                           beginCaptures: object["beginCaptures"] == nil ? both : captures(object["beginCaptures"]),
                           endCaptures: object["endCaptures"] == nil ? both : captures(object["endCaptures"]),
                           patterns: try rules(object["patterns"]))
        }
        throw Problem(description: "a pattern has neither match, begin/end nor include: \(object)")
    }

    private static func regex(_ pattern: String) throws -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern)
        } catch {
            throw Problem(description: "invalid regex \(pattern): \(error)")
        }
    }

    private static func captures(_ value: Any?) -> [Int: String] {
        var out: [Int: String] = [:]
        for (key, entry) in value as? [String: Any] ?? [:] {
            if let group = Int(key), let name = (entry as? [String: Any])?["name"] as? String { out[group] = name }
        }
        return out
    }

    /// The scopes of every UTF-16 unit of every line, outermost first.
    func tokenize(_ text: String) -> [[[String]]] {
        var stack: [(end: NSRegularExpression, name: String?, endCaptures: [Int: String], patterns: [Rule])] = []
        var result: [[[String]]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(line.hasSuffix("\r") ? line.dropLast() : line)
            let utf16 = line.utf16.count
            var scopes = [[String]](repeating: [], count: utf16)
            func outer() -> [String] { [scopeName] + stack.compactMap(\.name) }
            // Everything before `painted` has its final scopes.
            var painted = 0
            func fill(upTo end: Int) {
                for i in painted..<max(painted, min(end, utf16)) { scopes[i] = outer() }
                painted = max(painted, min(end, utf16))
            }
            func paint(_ match: NSTextCheckingResult, captures: [Int: String], base: [String]) {
                let whole = match.range
                for i in whole.location..<min(utf16, whole.location + whole.length) { scopes[i] = base }
                for (group, name) in captures.sorted(by: { $0.key < $1.key }) where group < match.numberOfRanges {
                    let range = match.range(at: group)
                    guard range.location != NSNotFound else { continue }
                    for i in range.location..<min(utf16, range.location + range.length) { scopes[i] = scopes[i] + [name] }
                }
                painted = max(painted, min(utf16, whole.location + whole.length))
            }
            var position = 0
            var steps = 0
            while position <= utf16, steps < 10_000 {
                steps += 1
                let searched = NSRange(location: position, length: utf16 - position)
                var best: (NSTextCheckingResult, Rule)?
                for rule in flatten(stack.last?.patterns ?? patterns) {
                    let regex: NSRegularExpression
                    switch rule {
                    case .match(let r, _, _): regex = r
                    case .region(let r, _, _, _, _, _): regex = r
                    case .include: continue
                    }
                    guard let m = regex.firstMatch(in: line, range: searched) else { continue }
                    if best == nil || m.range.location < best!.0.range.location { best = (m, rule) }
                }
                // A region's end wins over its patterns at the same place.
                if let top = stack.last, let end = top.end.firstMatch(in: line, range: searched),
                   best == nil || end.range.location <= best!.0.range.location {
                    fill(upTo: end.range.location)
                    paint(end, captures: top.endCaptures, base: outer())
                    stack.removeLast()
                    position = end.range.location + end.range.length
                    if end.range.length == 0 && position == utf16 { break }
                    continue
                }
                guard let (m, rule) = best else { break }
                fill(upTo: m.range.location)
                switch rule {
                case .match(_, let name, let captures):
                    paint(m, captures: captures, base: outer() + (name.map { [$0] } ?? []))
                case .region(_, let end, let name, let beginCaptures, let endCaptures, let inner):
                    paint(m, captures: beginCaptures, base: outer() + (name.map { [$0] } ?? []))
                    stack.append((end, name, endCaptures, inner))
                case .include:
                    break
                }
                position = m.range.location + max(1, m.range.length)
            }
            fill(upTo: utf16)
            result.append(scopes)
        }
        return result
    }

    /// The rules of a list with includes replaced by what they name.
    private func flatten(_ rules: [Rule], depth: Int = 0) -> [Rule] {
        guard depth < 20 else { return [] }
        return rules.flatMap { rule -> [Rule] in
            guard case .include(let name) = rule else { return [rule] }
            if name == "$self" { return flatten(patterns, depth: depth + 1) }
            return flatten(repository[String(name.dropFirst())] ?? [], depth: depth + 1)
        }
    }
}
