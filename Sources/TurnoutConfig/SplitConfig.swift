/// A named weighted split of traffic over pools; its weights are what the admin API and the
/// rollout controller change at run time.
public struct SplitConfig: Sendable, Equatable {
    /// The split's name, as used by routes and the admin API (`PUT /splits/NAME`).
    public var name: String
    /// Pool name → non-negative weight. Every pool exists, at least one weight is positive.
    /// A dictionary is unordered: consumers that need an order sort the pool names.
    public var weights: [String: Int]

    /// Creates a split.
    public init(name: String, weights: [String: Int]) {
        self.name = name
        self.weights = weights
    }

    /// The pool names of the split in sorted order (the fixed order sticky buckets use).
    public var poolNames: [String] {
        weights.keys.sorted()
    }
}
