import TurnoutMetrics

/// Written by hand for one reason: `shadowErrors` is an object keyed by failure name
/// (`{"connect": 1, "reset": 0, …}`), not a positional array, so the JSON reads on its own and
/// survives a reordering of `ShadowFailure`; decoding rejects an unknown failure name and treats
/// a missing one as 0. Every other field keeps its Swift name.
extension MirrorCounts: Codable {
    enum CodingKeys: String, CodingKey {
        case mirrored, dropped, tooLarge, shadowErrors, compared, matched, statusMismatch,
             statusClassMismatch, bodyMismatch, notCompared, noise, noisyPaths, slower, faster
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        mirrored = try container.decode(Int.self, forKey: .mirrored)
        dropped = try container.decode(Int.self, forKey: .dropped)
        tooLarge = try container.decode(Int.self, forKey: .tooLarge)
        let errors = try container.decode([String: Int].self, forKey: .shadowErrors)
        for (name, count) in errors {
            guard let failure = ShadowFailure(rawValue: name) else {
                let known = ShadowFailure.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorruptedError(forKey: .shadowErrors, in: container,
                                                       debugDescription: "unknown shadow failure \"\(name)\"; expected one of \(known)")
            }
            shadowErrors[failure.index] = count
        }
        compared = try container.decode(Int.self, forKey: .compared)
        matched = try container.decode(Int.self, forKey: .matched)
        statusMismatch = try container.decode(Int.self, forKey: .statusMismatch)
        statusClassMismatch = try container.decode(Int.self, forKey: .statusClassMismatch)
        bodyMismatch = try container.decode(Int.self, forKey: .bodyMismatch)
        notCompared = try container.decode(Int.self, forKey: .notCompared)
        noise = try container.decode(Int.self, forKey: .noise)
        noisyPaths = try container.decode([String: Int].self, forKey: .noisyPaths)
        slower = try container.decode(Histogram.self, forKey: .slower)
        faster = try container.decode(Histogram.self, forKey: .faster)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mirrored, forKey: .mirrored)
        try container.encode(dropped, forKey: .dropped)
        try container.encode(tooLarge, forKey: .tooLarge)
        var errors: [String: Int] = [:]
        for failure in ShadowFailure.allCases { errors[failure.rawValue] = self.errors(failure) }
        try container.encode(errors, forKey: .shadowErrors)
        try container.encode(compared, forKey: .compared)
        try container.encode(matched, forKey: .matched)
        try container.encode(statusMismatch, forKey: .statusMismatch)
        try container.encode(statusClassMismatch, forKey: .statusClassMismatch)
        try container.encode(bodyMismatch, forKey: .bodyMismatch)
        try container.encode(notCompared, forKey: .notCompared)
        try container.encode(noise, forKey: .noise)
        try container.encode(noisyPaths, forKey: .noisyPaths)
        try container.encode(slower, forKey: .slower)
        try container.encode(faster, forKey: .faster)
    }
}
