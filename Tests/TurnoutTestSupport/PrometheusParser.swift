// A strict reader of the Prometheus text exposition format 0.0.4, shared by the metrics unit
// tests (the writer's output) and the end-to-end tests (a live /metrics). The standard library
// only: it checks the format, not Turnout's writer.

/// Why an exposition was refused: the 1-based line and what was wrong with it.
public struct PrometheusParseError: Error, CustomStringConvertible {
    /// Line number, 1-based; 0 for whole-text problems found at the end.
    public let line: Int
    /// What was wrong, in words.
    public let message: String

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}

/// One sample line, its escapes undone.
public struct PrometheusSample {
    /// The series name (for histograms, with its `_bucket`, `_sum` or `_count` suffix).
    public let name: String
    /// Label pairs in the order written.
    public let labelPairs: [(String, String)]
    /// The value; `NaN`, `+Inf` and `-Inf` included.
    public let value: Double
    /// The optional timestamp in milliseconds.
    public let timestamp: Int64?

    /// Labels as a dictionary (names are unique within a sample).
    public var labels: [String: String] { Dictionary(uniqueKeysWithValues: labelPairs) }
}

/// A metric family: its `# TYPE`, optional `# HELP` and its samples in order.
public struct PrometheusFamily {
    public let name: String
    public var type: String?
    public var help: String?
    public var samples: [PrometheusSample] = []

    /// The value of the sample called `name` with exactly these labels, if any.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }
}

/// Parses the text exposition format strictly: everything the format forbids is an error, and
/// so is what no well-behaved writer emits (samples without a `# TYPE`, metadata after samples).
public struct PrometheusParser {
    /// The families of `text`, in order, or the first problem found.
    public static func parse(_ text: String) throws -> [PrometheusFamily] {
        var parser = PrometheusParser()
        let bytes = Array(text.utf8)
        guard bytes.isEmpty || bytes.last == UInt8(ascii: "\n") else {
            throw PrometheusParseError(line: 0, message: "the text does not end with a newline")
        }
        var lineStart = 0
        var lineNumber = 0
        for i in bytes.indices where bytes[i] == UInt8(ascii: "\n") {
            lineNumber += 1
            try parser.parseLine(bytes[lineStart..<i], number: lineNumber)
            lineStart = i + 1
        }
        try parser.checkHistograms()
        return parser.families
    }

    /// Families in order of appearance.
    private var families: [PrometheusFamily] = []
    /// Index of each family by name.
    private var familyIndex: [String: Int] = [:]
    /// Series seen (name and sorted labels), to refuse duplicates.
    private var series: Set<String> = []

    private static let types: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

    private mutating func parseLine(_ line: ArraySlice<UInt8>, number: Int) throws {
        func fail(_ message: String) -> PrometheusParseError { PrometheusParseError(line: number, message: message) }
        if line.isEmpty { return } // The format ignores empty lines.
        var cursor = Cursor(bytes: line, fail: fail)
        if line.first == UInt8(ascii: "#") {
            cursor.index += 1
            cursor.skipBlanks()
            let keyword = cursor.word()
            guard keyword == "HELP" || keyword == "TYPE" else { return } // Any other comment.
            guard cursor.skipBlanks() > 0 else { throw fail("no metric name after # \(keyword)") }
            let name = try cursor.name(colons: true)
            let family = try metadataFamily(name, fail)
            if keyword == "TYPE" {
                guard cursor.skipBlanks() > 0 else { throw fail("no type after # TYPE \(name)") }
                let type = cursor.word()
                guard Self.types.contains(type) else { throw fail("unknown type '\(type)' of \(name)") }
                guard cursor.atEnd else { throw fail("garbage after # TYPE \(name) \(type)") }
                guard families[family].type == nil else { throw fail("second # TYPE for \(name)") }
                families[family].type = type
            } else {
                var help = ""
                if !cursor.atEnd {
                    guard cursor.skipBlank() else { throw fail("no blank after # HELP \(name)") }
                    help = try cursor.escaped(until: nil, quotes: false)
                }
                guard families[family].help == nil else { throw fail("second # HELP for \(name)") }
                families[family].help = help
            }
            return
        }
        let name = try cursor.name(colons: true)
        var pairs: [(String, String)] = []
        if cursor.peek == UInt8(ascii: "{") {
            cursor.index += 1
            while cursor.peek != UInt8(ascii: "}") {
                let label = try cursor.name(colons: false)
                guard !label.hasPrefix("__") else { throw fail("reserved label name \(label)") }
                guard !pairs.contains(where: { $0.0 == label }) else { throw fail("label \(label) twice") }
                guard cursor.take(UInt8(ascii: "=")), cursor.take(UInt8(ascii: "\"")) else { throw fail("label \(label) without =\"value\"") }
                pairs.append((label, try cursor.escaped(until: UInt8(ascii: "\""), quotes: true)))
                guard cursor.take(UInt8(ascii: ",")) || cursor.peek == UInt8(ascii: "}") else { throw fail("expected , or } after label \(label)") }
            }
            cursor.index += 1
        }
        guard cursor.skipBlanks() > 0 else { throw fail("no blank between series and value of \(name)") }
        let value = try Self.float(cursor.word(), fail)
        var timestamp: Int64?
        if cursor.skipBlanks() > 0 {
            let word = cursor.word()
            guard let stamp = Int64(word) else { throw fail("bad timestamp '\(word)'") }
            timestamp = stamp
        }
        guard cursor.atEnd else { throw fail("garbage after the value of \(name)") }

        guard let owner = families.lastIndex(where: { Self.belongs(name, to: $0) }), families[owner].type != nil else {
            if let current = families.last, let type = current.type {
                throw fail("sample \(name) is not a series of the current family \(current.name) (\(type)) and has no # TYPE")
            }
            throw fail("sample \(name) before its # TYPE")
        }
        guard owner == families.count - 1 else { throw fail("\(name) is not grouped with its family") }
        let key = name + "{" + pairs.map { $0.0 + "=" + $0.1 }.sorted().joined(separator: "\u{1}") + "}"
        guard series.insert(key).inserted else { throw fail("duplicate series \(key)") }
        families[families.count - 1].samples.append(PrometheusSample(name: name, labelPairs: pairs, value: value, timestamp: timestamp))
    }

    /// The family a `# HELP` or `# TYPE` line describes; metadata must come before its samples
    /// and next to the family's other metadata.
    private mutating func metadataFamily(_ name: String, _ fail: (String) -> PrometheusParseError) throws -> Int {
        if let index = familyIndex[name] {
            guard index == families.count - 1 else { throw fail("metadata for \(name) not grouped with its family") }
            guard families[index].samples.isEmpty else { throw fail("metadata for \(name) after its samples") }
            return index
        }
        families.append(PrometheusFamily(name: name))
        familyIndex[name] = families.count - 1
        return families.count - 1
    }

    /// Whether a sample called `name` is a series of `family`.
    private static func belongs(_ name: String, to family: PrometheusFamily) -> Bool {
        switch family.type {
        case "histogram": return [family.name + "_bucket", family.name + "_sum", family.name + "_count"].contains(name)
        case "summary": return [family.name, family.name + "_sum", family.name + "_count"].contains(name)
        default: return name == family.name
        }
    }

    /// Every histogram series: `_bucket`s with ascending `le` ending in `+Inf`, cumulative
    /// counts, and a `_sum` and a `_count` equal to the `+Inf` bucket.
    private func checkHistograms() throws {
        func fail(_ message: String) -> PrometheusParseError { PrometheusParseError(line: 0, message: message) }
        for family in families where family.type == "histogram" {
            var buckets: [String: [(le: Double, count: Double)]] = [:]
            var sums: [String: Double] = [:]
            var counts: [String: Double] = [:]
            var order: [String] = []
            for sample in family.samples {
                let key = sample.labelPairs.filter { $0.0 != "le" }.map { $0.0 + "=" + $0.1 }.sorted().joined(separator: ",")
                if !order.contains(key) { order.append(key) }
                let le = sample.labels["le"]
                switch sample.name {
                case family.name + "_bucket":
                    guard let le else { throw fail("\(family.name){\(key)}: bucket without le") }
                    let bound = try Self.float(le) { fail("\(family.name){\(key)}: le '\(le)': \($0)") }
                    guard !bound.isNaN else { throw fail("\(family.name){\(key)}: le is NaN") }
                    buckets[key, default: []].append((bound, sample.value))
                case family.name + "_sum":
                    guard le == nil else { throw fail("\(family.name)_sum{\(key)} has an le label") }
                    sums[key] = sample.value
                default:
                    guard le == nil else { throw fail("\(family.name)_count{\(key)} has an le label") }
                    counts[key] = sample.value
                }
            }
            for key in order {
                let series = buckets[key] ?? []
                guard series.last?.le == .infinity else { throw fail("\(family.name){\(key)}: no le=\"+Inf\" bucket last") }
                for (a, b) in zip(series, series.dropFirst()) {
                    guard a.le < b.le else { throw fail("\(family.name){\(key)}: le \(b.le) after \(a.le)") }
                    guard a.count <= b.count else { throw fail("\(family.name){\(key)}: buckets not cumulative at le \(b.le)") }
                }
                guard series.allSatisfy({ $0.count >= 0 }) else { throw fail("\(family.name){\(key)}: negative bucket") }
                guard sums[key] != nil else { throw fail("\(family.name){\(key)}: no _sum") }
                guard let count = counts[key] else { throw fail("\(family.name){\(key)}: no _count") }
                guard count == series.last!.count else { throw fail("\(family.name){\(key)}: _count \(count) ≠ +Inf bucket \(series.last!.count)") }
            }
        }
    }

    /// A Go `ParseFloat` value as exposition writers print it: decimal with optional fraction
    /// and exponent, or `+Inf`, `-Inf`, `Inf`, `NaN`.
    /// One sample value as the format spells it (`42`, `2.5e-05`, `+Inf`, `NaN`), or an error.
    public static func value(_ word: String) throws -> Double {
        try float(word) { PrometheusParseError(line: 0, message: $0) }
    }

    static func float(_ word: String, _ fail: (String) -> PrometheusParseError) throws -> Double {
        switch word {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: break
        }
        var bytes = word.utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        var valid = mantissa > 0
        if valid, bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            valid = digits() > 0
        }
        guard valid, bytes.isEmpty, let value = Double(word) else { throw fail("unparsable value \(word.debugDescription)") }
        return value
    }
}

/// Reads one line's tokens.
private struct Cursor {
    let bytes: ArraySlice<UInt8>
    let fail: (String) -> PrometheusParseError
    var index: Int

    init(bytes: ArraySlice<UInt8>, fail: @escaping (String) -> PrometheusParseError) {
        self.bytes = bytes
        self.fail = fail
        index = bytes.startIndex
    }

    var atEnd: Bool { index == bytes.endIndex }
    var peek: UInt8? { atEnd ? nil : bytes[index] }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    /// Consumes one blank or tab.
    mutating func skipBlank() -> Bool { take(UInt8(ascii: " ")) || take(UInt8(ascii: "\t")) }

    /// Consumes blanks and tabs; how many.
    @discardableResult
    mutating func skipBlanks() -> Int {
        var count = 0
        while skipBlank() { count += 1 }
        return count
    }

    /// Everything up to the next blank, tab or the end.
    mutating func word() -> String {
        let start = index
        while let byte = peek, byte != UInt8(ascii: " "), byte != UInt8(ascii: "\t") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// A metric name (`colons`) or label name.
    mutating func name(colons: Bool) throws -> String {
        let start = index
        while let byte = peek {
            let letter = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || byte == UInt8(ascii: "_") || (colons && byte == UInt8(ascii: ":"))
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard letter || (digit && index > start) else { break }
            index += 1
        }
        guard index > start else { throw fail("expected a \(colons ? "metric" : "label") name at byte \(index - bytes.startIndex)") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Escaped text up to `terminator` (consumed) or, with nil, to the end of the line. Only
    /// `\\`, `\n` and, in label values (`quotes`), `\"` are escapes.
    mutating func escaped(until terminator: UInt8?, quotes: Bool) throws -> String {
        var out: [UInt8] = []
        while let byte = peek {
            index += 1
            if byte == terminator { return String(decoding: out, as: UTF8.self) }
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            switch peek {
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "\"") where quotes: out.append(UInt8(ascii: "\""))
            default: throw fail("bad escape sequence at byte \(index - bytes.startIndex)")
            }
            index += 1
        }
        guard terminator == nil else { throw fail("unterminated label value") }
        return String(decoding: out, as: UTF8.self)
    }
}
