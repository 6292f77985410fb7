import Glibc

/// A usage error: the message says which option and what it expects.
struct BenchUsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `--name value` options of a `turnout-bench` command, taken one by one so leftovers are errors.
struct BenchOptions {
    private var words: [String]

    init(_ words: [String]) { self.words = words }

    /// The value after `name` (or one of its `aliases`), removed from the words; nil when absent.
    mutating func value(_ name: String, aliases: [String] = []) -> String? {
        guard let index = words.firstIndex(where: { $0 == name || aliases.contains($0) }), index + 1 < words.count else { return nil }
        let value = words[index + 1]
        words.removeSubrange(index...(index + 1))
        return value
    }

    mutating func required(_ name: String) throws -> String {
        guard let value = value(name) else { throw BenchUsageError("\(name) is required") }
        return value
    }

    mutating func integer(_ name: String, aliases: [String] = [], default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        try optionalInteger(name, aliases: aliases, in: range) ?? fallback
    }

    /// The integer after `name`, or nil when the option is absent.
    mutating func optionalInteger(_ name: String, aliases: [String] = [], in range: ClosedRange<Int>) throws -> Int? {
        guard let text = value(name, aliases: aliases) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw BenchUsageError("\(name) expects an integer in \(range.lowerBound)...\(range.upperBound), got \"\(text)\"")
        }
        return number
    }

    mutating func fraction(_ name: String, default fallback: Double) throws -> Double {
        guard let text = value(name) else { return fallback }
        guard let number = Double(text), (0...1).contains(number) else {
            throw BenchUsageError("\(name) expects a number from 0 to 1, got \"\(text)\"")
        }
        return number
    }

    /// Every value of a repeatable option (`-H 'K: V' -H …`), removed from the words.
    mutating func values(_ name: String, aliases: [String] = []) -> [String] {
        var found: [String] = []
        while let value = value(name, aliases: aliases) { found.append(value) }
        return found
    }

    /// A duration in seconds: `30`, `30s`, `2m` or `1h`.
    mutating func seconds(_ name: String, aliases: [String] = [], default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = value(name, aliases: aliases) else { return fallback }
        let unit = text.last.flatMap { ["s": 1, "m": 60, "h": 3600][String($0)] }
        guard let number = Int(unit == nil ? text : String(text.dropLast())), range.contains(number * (unit ?? 1)) else {
            throw BenchUsageError("\(name) expects a duration like 30, 30s, 2m or 1h within \(range.lowerBound)...\(range.upperBound) s, got \"\(text)\"")
        }
        return number * (unit ?? 1)
    }

    /// Whether the flag `name` (an option without a value) was given; removed.
    mutating func flag(_ name: String) -> Bool {
        guard let index = words.firstIndex(of: name) else { return false }
        words.remove(at: index)
        return true
    }

    /// The first word that is not an option, removed; nil when there is none.
    mutating func positional() -> String? {
        guard let index = words.firstIndex(where: { !$0.hasPrefix("-") }) else { return nil }
        return words.remove(at: index)
    }

    func expectEmpty() throws {
        if let first = words.first { throw BenchUsageError("unexpected argument \"\(first)\"") }
    }
}

func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
