/// The kind of a Prometheus metric family: the word after `# TYPE name`.
public enum PrometheusMetricType: String, Sendable {
    case counter, gauge, histogram
}

/// Writes the Prometheus text exposition format, version 0.0.4: a family's `# HELP` and
/// `# TYPE` lines once, then its samples; label values and help text escaped; histograms as
/// cumulative `_bucket` series ending in `le="+Inf"`, then `_sum` and `_count`. Durations are
/// exposed in seconds (SPEC §7). Metric and label names are fixed by the program, so a bad name,
/// a family written twice or a sample outside its family is a bug and stops the process.
public struct PrometheusText: Sendable {
    /// The exposition so far.
    private var output = ""
    /// Families started, so that none is written twice (scrapers reject that).
    private var families: Set<String> = []
    /// The family that samples belong to now.
    private var currentName = ""
    /// Its type; nil before the first family.
    private var currentType: PrometheusMetricType?

    /// An empty exposition.
    public init() {}

    /// Bucket bounds for request latencies, in seconds: 0.5 ms to 10 s, about three per decade,
    /// the shape of Prometheus' default buckets shifted down for a proxy's sub-millisecond hops.
    public static let latencyBoundsSeconds: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// The exposition text, ending in a newline unless empty.
    public var text: String { output }

    /// Starts a metric family: `# HELP name help` and `# TYPE name type`. Each family once.
    public mutating func family(_ name: String, type: PrometheusMetricType, help: String) {
        precondition(Self.isMetricName(name), "invalid Prometheus metric name '\(name)'")
        precondition(families.insert(name).inserted, "Prometheus family '\(name)' written twice")
        currentName = name
        currentType = type
        output += "# HELP "
        output += name
        output += " "
        Self.appendEscaped(help, to: &output, quotes: false)
        output += "\n# TYPE "
        output += name
        output += " "
        output += type.rawValue
        output += "\n"
    }

    /// One sample line of the current family: `name{k="v",…} value`. `name` is the family's
    /// name (or, in a histogram family, its `_bucket`, `_sum` or `_count` series).
    public mutating func sample(_ name: String, labels: [(String, String)] = [], value: Double) {
        precondition(belongsToCurrentFamily(name), "Prometheus sample '\(name)' outside its family ('\(currentName)')")
        appendLine(name, labels: labels, le: nil, value: Self.format(value))
    }

    /// A histogram series in seconds from a nanosecond `histogram`: a cumulative
    /// `name_bucket{…,le="…"}` for each of `boundsSeconds` (ascending) and for `le="+Inf"`,
    /// then `name_sum` in seconds and `name_count`. A bound counts every value of the histogram
    /// bucket that holds it (`Histogram.cumulativeCounts(atOrBelow:)`), so a count may include
    /// values up to 0.8 % above the bound.
    public mutating func histogram(_ name: String, labels: [(String, String)], histogram: Histogram, boundsSeconds: [Double]) {
        precondition(currentType == .histogram && name == currentName, "Prometheus histogram '\(name)' outside a histogram family of that name")
        precondition(!labels.contains { $0.0 == "le" }, "Prometheus histogram '\(name)': 'le' is reserved for buckets")
        precondition(boundsSeconds.allSatisfy { $0.isFinite && $0 > 0 }, "Prometheus histogram '\(name)': bounds must be positive seconds")
        precondition(zip(boundsSeconds, boundsSeconds.dropFirst()).allSatisfy { $0 < $1 }, "Prometheus histogram '\(name)': bounds must ascend")
        let nanoseconds = boundsSeconds.map { UInt64(($0 * 1e9).rounded()) }
        let cumulative = histogram.cumulativeCounts(atOrBelow: nanoseconds)
        let bucketName = name + "_bucket"
        for (bound, count) in zip(boundsSeconds, cumulative) {
            appendLine(bucketName, labels: labels, le: Self.format(bound), value: Self.format(Double(count)))
        }
        appendLine(bucketName, labels: labels, le: "+Inf", value: Self.format(Double(histogram.count)))
        appendLine(name + "_sum", labels: labels, le: nil, value: Self.format(Double(histogram.sum) / 1e9))
        appendLine(name + "_count", labels: labels, le: nil, value: Self.format(Double(histogram.count)))
    }

    /// Whether a sample called `name` may follow the current family's header.
    private func belongsToCurrentFamily(_ name: String) -> Bool {
        guard let type = currentType else { return false }
        if name == currentName { return type != .histogram }
        guard type == .histogram, name.hasPrefix(currentName) else { return false }
        let suffix = name.dropFirst(currentName.count)
        return suffix == "_bucket" || suffix == "_sum" || suffix == "_count"
    }

    /// Writes `name{labels,le="…"} value\n`, checking the label names.
    private mutating func appendLine(_ name: String, labels: [(String, String)], le: String?, value: String) {
        output += name
        if !labels.isEmpty || le != nil {
            output += "{"
            for (i, (label, labelValue)) in labels.enumerated() {
                precondition(Self.isLabelName(label), "invalid Prometheus label name '\(label)' on '\(name)'")
                precondition(!labels[..<i].contains { $0.0 == label }, "Prometheus label '\(label)' twice on '\(name)'")
                if i > 0 { output += "," }
                output += label
                output += "=\""
                Self.appendEscaped(labelValue, to: &output, quotes: true)
                output += "\""
            }
            if let le {
                if !labels.isEmpty { output += "," }
                output += "le=\""
                output += le
                output += "\""
            }
            output += "}"
        }
        output += " "
        output += value
        output += "\n"
    }
}
