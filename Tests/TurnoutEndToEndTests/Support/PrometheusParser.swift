import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), to check `/metrics`:
/// anything a scraper could reject, or silently misread, is an error here.
struct PrometheusParser {
    struct Failure: Error, CustomStringConvertible { let description: String }

    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    struct Family {
        let name: String
        let type: String
        var help: String?
        var samples: [Sample] = []
    }

    /// Families by name, in order of appearance.
    static func parse(_ text: String) throws -> [String: Family] {
        guard text.hasSuffix("\n") else { throw Failure(description: "the exposition must end with a newline") }
        var families: [String: Family] = [:]
        var current: String?
        var series = Set<String>()
        var helps: [String: String] = [:]
        for (number, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let where_ = "line \(number + 1): \(line)"
            if line.isEmpty { throw Failure(description: "\(where_): empty line") }
            if line.hasPrefix("# HELP ") {
                let rest = line.dropFirst(7)
                guard let space = rest.firstIndex(of: " ") else { throw Failure(description: "\(where_): HELP without text") }
                let name = String(rest[..<space])
                guard isMetricName(name), helps[name] == nil else { throw Failure(description: "\(where_): bad or repeated HELP") }
                helps[name] = try unescape(rest[rest.index(after: space)...], allowQuote: false, at: where_)
                continue
            }
            if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, isMetricName(String(parts[0])) else { throw Failure(description: "\(where_): malformed TYPE") }
                let name = String(parts[0])
                guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1]) else {
                    throw Failure(description: "\(where_): unknown type \(parts[1])")
                }
                guard families[name] == nil else { throw Failure(description: "\(where_): TYPE of \(name) given twice") }
                families[name] = Family(name: name, type: String(parts[1]), help: helps[name])
                current = name
                continue
            }
            if line.hasPrefix("#") { throw Failure(description: "\(where_): unexpected comment") }
            let sample = try parseSample(line, at: where_)
            guard let family = current, belongs(sample.name, to: family, type: families[family]!.type) else {
                throw Failure(description: "\(where_): sample outside its family's TYPE block")
            }
            let identity = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard series.insert(identity).inserted else { throw Failure(description: "\(where_): duplicate series \(identity)") }
            families[family]!.samples.append(sample)
        }
        for family in families.values where family.type == "histogram" { try checkHistogram(family) }
        return families
    }

    private static func belongs(_ sample: String, to family: String, type: String) -> Bool {
        if type == "histogram" { return [family + "_bucket", family + "_sum", family + "_count"].contains(sample) }
        return sample == family
    }

    private static func parseSample(_ line: Substring, at where_: String) throws -> Sample {
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{" && line[index] != " " { index = line.index(after: index) }
        let name = String(line[..<index])
        guard isMetricName(name) else { throw Failure(description: "\(where_): bad metric name") }
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == "{" {
            index = line.index(after: index)
            while true {
                guard index < line.endIndex else { throw Failure(description: "\(where_): unterminated labels") }
                if line[index] == "}" { index = line.index(after: index); break }
                let nameStart = index
                while index < line.endIndex, line[index] != "=" { index = line.index(after: index) }
                let label = String(line[nameStart..<index])
                guard isLabelName(label), labels[label] == nil else { throw Failure(description: "\(where_): bad or repeated label \(label)") }
                index = line.index(after: index)
                guard index < line.endIndex, line[index] == "\"" else { throw Failure(description: "\(where_): label value not quoted") }
                index = line.index(after: index)
                let valueStart = index
                while index < line.endIndex, line[index] != "\"" {
                    if line[index] == "\\" { index = line.index(after: index) }
                    guard index < line.endIndex else { break }
                    index = line.index(after: index)
                }
                guard index < line.endIndex else { throw Failure(description: "\(where_): unterminated label value") }
                labels[label] = try unescape(line[valueStart..<index], allowQuote: true, at: where_)
                index = line.index(after: index)
                guard index < line.endIndex else { throw Failure(description: "\(where_): unterminated labels") }
                if line[index] == "," { index = line.index(after: index) } else if line[index] != "}" {
                    throw Failure(description: "\(where_): expected , or } after a label")
                }
            }
        }
        guard index < line.endIndex, line[index] == " " else { throw Failure(description: "\(where_): no value") }
        let rest = line[line.index(after: index)...].split(separator: " ", omittingEmptySubsequences: false)
        guard rest.count == 1 || (rest.count == 2 && Int64(rest[1]) != nil) else { throw Failure(description: "\(where_): trailing garbage") }
        return Sample(name: name, labels: labels, value: try parseValue(String(rest[0]), at: where_))
    }

    private static func parseValue(_ text: String, at where_: String) throws -> Double {
        switch text {
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default:
            guard !text.isEmpty, text.allSatisfy({ "0123456789.eE+-".contains($0) }), let value = Double(text) else {
                throw Failure(description: "\(where_): \(text) is not a number")
            }
            return value
        }
    }

    private static func unescape(_ text: Substring, allowQuote: Bool, at where_: String) throws -> String {
        var out = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "\\": out.append("\\")
                case "n": out.append("\n")
                case "\"" where allowQuote: out.append("\"")
                default: throw Failure(description: "\(where_): bad escape \\\(character)")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "\"" && allowQuote {
                throw Failure(description: "\(where_): unescaped quote")
            } else {
                out.append(character)
            }
        }
        guard !escaping else { throw Failure(description: "\(where_): dangling backslash") }
        return out
    }

    /// Per series: buckets ascending in `le`, cumulative, ending at +Inf equal to `_count`, with a `_sum`.
    private static func checkHistogram(_ family: Family) throws {
        var groups: [[String: String]: (buckets: [(Double, Double)], sum: Double?, count: Double?)] = [:]
        for sample in family.samples {
            var key = sample.labels
            let le = key.removeValue(forKey: "le")
            var group = groups[key] ?? ([], nil, nil)
            switch sample.name {
            case family.name + "_bucket":
                guard let le else { throw Failure(description: "\(family.name): bucket without le") }
                group.buckets.append((try parseValue(le, at: family.name), sample.value))
            case family.name + "_sum": group.sum = sample.value
            default: group.count = sample.value
            }
            groups[key] = group
        }
        for (labels, group) in groups {
            let name = "\(family.name)\(labels)"
            guard let last = group.buckets.last, last.0 == .infinity else { throw Failure(description: "\(name): no +Inf bucket last") }
            for (a, b) in zip(group.buckets, group.buckets.dropFirst()) {
                guard a.0 < b.0 else { throw Failure(description: "\(name): le not ascending") }
                guard a.1 <= b.1 else { throw Failure(description: "\(name): buckets not cumulative") }
            }
            guard let count = group.count, group.sum != nil else { throw Failure(description: "\(name): missing _sum or _count") }
            guard count == last.1 else { throw Failure(description: "\(name): +Inf bucket \(last.1) ≠ _count \(count)") }
        }
    }

    private static func isMetricName(_ name: String) -> Bool {
        name.range(of: "^[a-zA-Z_:][a-zA-Z0-9_:]*$", options: .regularExpression) != nil
    }

    private static func isLabelName(_ name: String) -> Bool {
        name.range(of: "^[a-zA-Z_][a-zA-Z0-9_]*$", options: .regularExpression) != nil && !name.hasPrefix("__")
    }
}
