/// The kind of a Prometheus metric family.
public enum PrometheusMetricType: String, Sendable {
    case counter, gauge, histogram
}

/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE` once per
/// family, then its samples; label values escaped; histograms as cumulative `_bucket` series
/// ending in `le="+Inf"`, with `_sum` and `_count`. Durations are exposed in seconds.
public struct PrometheusText: Sendable {
    private var output = ""
    private var families: Set<String> = []

    public init() {}

    /// Bucket bounds for request latencies, in seconds: 0.5 ms to 10 s.
    public static let latencyBoundsSeconds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    public var text: String { output }

    /// Starts a family. Names are fixed by the program, so a bad or repeated one is a bug.
    public mutating func family(_ name: String, type: PrometheusMetricType, help: String) {
        precondition(Self.isMetricName(name), "invalid Prometheus metric name \(name)")
        precondition(families.insert(name).inserted, "Prometheus family \(name) written twice")
        output += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
    }

    /// One sample line: `name{label="value",…} value`.
    public mutating func sample(_ name: String, labels: [(String, String)] = [], value: Double) {
        output += name + Self.labelText(labels) + " " + Self.format(value) + "\n"
    }

    /// A histogram series from nanosecond `histogram`, with `boundsSeconds` as its `le` values.
    /// Counts are cumulative; a bound falls in the histogram bucket that holds it, so a count
    /// may include values up to 0.8 % above the bound.
    public mutating func histogram(_ name: String, labels: [(String, String)], histogram: Histogram, boundsSeconds: [Double]) {
        let cumulative = histogram.cumulativeCounts(atOrBelow: boundsSeconds.map { UInt64(($0 * 1e9).rounded()) })
        for (bound, count) in zip(boundsSeconds, cumulative) {
            sample(name + "_bucket", labels: labels + [("le", Self.format(bound))], value: Double(count))
        }
        sample(name + "_bucket", labels: labels + [("le", "+Inf")], value: Double(histogram.count))
        sample(name + "_sum", labels: labels, value: Double(histogram.sum) / 1e9)
        sample(name + "_count", labels: labels, value: Double(histogram.count))
    }

    // MARK: Formatting

    /// Integers without a fraction; others in Swift's shortest round-trip form, which Go's
    /// ParseFloat accepts; infinities and NaN as the format spells them.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return value.description
    }

    static func labelText(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { name, value in
            precondition(isLabelName(name), "invalid Prometheus label name \(name)")
            return "\(name)=\"\(escapeLabel(value))\""
        }.joined(separator: ",") + "}"
    }

    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func escapeHelp(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    static func isMetricName(_ name: String) -> Bool {
        isName(name, colon: true)
    }

    static func isLabelName(_ name: String) -> Bool {
        isName(name, colon: false) && !name.hasPrefix("__")
    }

    private static func isName(_ name: String, colon: Bool) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first else { return false }
        func letter(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || (colon && c == ":") }
        return letter(first) && scalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }
}
