/// A histogram written sparsely: only the buckets that hold counts, as `[index, count]` pairs.
/// Most of a latency histogram's thousands of buckets are empty, and a rollout's state (which
/// holds one while it measures its thresholds) is saved every few seconds.
extension Histogram: Codable {
    enum CodingKeys: String, CodingKey {
        case buckets, total, sum, below, above, min, max
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for pair in try container.decode([[UInt64]].self, forKey: .buckets) {
            guard pair.count == 2, pair[0] < UInt64(counts.count) else {
                throw DecodingError.dataCorruptedError(forKey: .buckets, in: container,
                                                       debugDescription: "expected [index, count] pairs with index below \(counts.count)")
            }
            counts[Int(pair[0])] = pair[1]
        }
        total = try container.decode(UInt64.self, forKey: .total)
        totalNanoseconds = try container.decode(UInt64.self, forKey: .sum)
        belowRange = try container.decode(UInt64.self, forKey: .below)
        aboveRange = try container.decode(UInt64.self, forKey: .above)
        minimum = try container.decode(UInt64.self, forKey: .min)
        maximum = try container.decode(UInt64.self, forKey: .max)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(counts.indices.filter { counts[$0] != 0 }.map { [UInt64($0), counts[$0]] }, forKey: .buckets)
        try container.encode(total, forKey: .total)
        try container.encode(totalNanoseconds, forKey: .sum)
        try container.encode(belowRange, forKey: .below)
        try container.encode(aboveRange, forKey: .above)
        try container.encode(minimum, forKey: .min)
        try container.encode(maximum, forKey: .max)
    }
}
