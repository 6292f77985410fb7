/// Written by hand because a dictionary keyed by a struct encodes as a flat JSON array of
/// alternating keys and values; here `counts` is an array of `{"key": …, "counts": …}` entries
/// sorted by key, so the JSON's object keys stay strings and its order is stable.
extension MirrorReport: Codable {
    enum CodingKeys: String, CodingKey {
        case counts, mismatches, inFlight
    }

    /// One element of the encoded `counts` array.
    struct Entry: Codable {
        var key: MirrorKey
        var counts: MirrorCounts
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for entry in try container.decode([Entry].self, forKey: .counts) {
            guard counts[entry.key] == nil else {
                throw DecodingError.dataCorruptedError(forKey: .counts, in: container,
                                                       debugDescription: "the key route \"\(entry.key.route)\", pool \"\(entry.key.pool)\", shadow \"\(entry.key.shadow)\" appears twice")
            }
            counts[entry.key] = entry.counts
        }
        mismatches = try container.decode([MirrorMismatch].self, forKey: .mismatches)
        inFlight = try container.decode(Int.self, forKey: .inFlight)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        let entries = counts.keys.sorted().map { Entry(key: $0, counts: counts[$0]!) }
        try container.encode(entries, forKey: .counts)
        try container.encode(mismatches, forKey: .mismatches)
        try container.encode(inFlight, forKey: .inFlight)
    }
}
