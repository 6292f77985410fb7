/// A small command-line reader: positional words and `-x VALUE` / `--long VALUE` / `--flag`.
struct Arguments {
    private(set) var words: [String]

    init(_ words: [String]) { self.words = words }

    /// Removes and returns the value of the first of `names` (e.g. `["-c", "--config"]`).
    mutating func option(_ names: String...) throws(UsageError) -> String? {
        guard let index = words.firstIndex(where: { names.contains($0) }) else { return nil }
        guard index + 1 < words.count else { throw UsageError("\(words[index]) needs a value") }
        let value = words[index + 1]
        words.removeSubrange(index...index + 1)
        return value
    }

    /// Removes a flag and says whether it was there.
    mutating func flag(_ names: String...) -> Bool {
        guard let index = words.firstIndex(where: { names.contains($0) }) else { return false }
        words.remove(at: index)
        return true
    }

    /// Fails on anything left over (an unknown option or an extra word).
    func expectEmpty() throws(UsageError) {
        if let first = words.first { throw UsageError("unexpected argument \"\(first)\"") }
    }
}

/// A command line that cannot be understood: exit code 1 with the usage hint.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
