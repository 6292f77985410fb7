extension ConfigDecoder {
    /// Split weights above this are refused; weights are relative, so 0-100 or 0-10000 is the
    /// usual scale, and the cap keeps sums far from overflow.
    static let maxSplitWeight = 1_000_000

    /// `splits`: named weighted splits over existing pools, returned sorted by name. Optional.
    func decodeSplits(_ top: Fields) -> [SplitConfig] {
        guard let value = top["splits"] else {
            splitNames = []
            return []
        }
        let expected = "an object of named splits, e.g. {\"web\": {\"blue\": 100, \"green\": 0}}"
        guard let splits = reader.object(value, at: top.path.key("splits"), keys: nil, expected: expected) else { return [] }
        splitNames = Set(splits.members.keys)
        return splits.members.keys.sorted().map { name in
            decodeSplit(name: name, splits.members[name]!, at: splits.path.key(name))
        }
    }

    private func decodeSplit(name: String, _ value: JSONValue, at path: JSONPath) -> SplitConfig {
        var split = SplitConfig(name: name, weights: [:])
        if !Self.isValidName(name) {
            reader.report(path, Self.invalidNameMessage("split", name))
        }
        let expected = "an object of pool weights such as {\"blue\": 100, \"green\": 0}"
        guard let fields = reader.object(value, at: path, keys: nil, expected: expected) else { return split }
        if fields.members.isEmpty {
            reader.report(path, "expected at least one pool weight, e.g. {\"blue\": 100}")
            return split
        }
        var allRead = true
        for pool in fields.members.keys.sorted() {
            let weightPath = path.key(pool)
            checkPoolReference(pool, at: weightPath)
            let bounds = IntBounds(min: 0, max: Self.maxSplitWeight)
            guard let weight = reader.integer(fields.members[pool]!, at: weightPath, bounds) else {
                allRead = false
                continue
            }
            split.weights[pool] = weight
        }
        if allRead && split.weights.values.allSatisfy({ $0 == 0 }) {
            reader.report(path, "all weights are 0; give at least one pool a positive weight")
        }
        return split
    }
}
