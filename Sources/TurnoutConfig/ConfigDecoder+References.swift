extension ConfigDecoder {
    /// Reports `name` at `path` unless it names a declared pool (skipped when `pools` itself
    /// could not be read: that error is already reported).
    func checkPoolReference(_ name: String, at path: JSONPath) {
        guard let known = poolNames, !known.contains(name) else { return }
        reader.report(path, "no pool named \(quoted(name))" + suggestion(for: name, among: known, kind: "pools"))
    }

    /// Reports `name` at `path` unless it names a declared split.
    func checkSplitReference(_ name: String, at path: JSONPath) {
        guard let known = splitNames, !known.contains(name) else { return }
        reader.report(path, "no split named \(quoted(name))" + suggestion(for: name, among: known, kind: "splits"))
    }

    /// `; did you mean "canary"?`, or the list of names that exist.
    private func suggestion(for name: String, among known: Set<String>, kind: String) -> String {
        let sorted = known.sorted()
        if let near = closestMatch(to: name, in: sorted) {
            return "; did you mean \(quoted(near))?"
        }
        if sorted.isEmpty { return "; no \(kind) are defined" }
        return " (defined \(kind): \(listOfQuoted(sorted, conjunction: "and")))"
    }
}
