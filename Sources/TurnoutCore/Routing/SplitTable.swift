/// A split compiled for routing: its pools in a fixed order (by name) and the upper bucket
/// bound of each pool over [0, 10,000).
///
/// One mechanism serves both kinds of request: a sticky request's bucket comes from hashing
/// its key, any other request's from the loop's random generator, and the same bounds map
/// either onto a pool. Because the order is fixed, growing one pool of a two-pool split only
/// moves the bucket boundary towards the other pool: users move from baseline to canary when
/// the canary grows and never back (monotone stickiness).
public struct SplitTable: Sendable {
    public let name: String
    /// Indices into the snapshot's pools, in the split's fixed order.
    public let poolIndices: [Int]
    /// The configured weights, parallel to `poolIndices`.
    public let weights: [Int]
    /// `upperBounds[i]` is the first bucket not owned by pool i; the last is 10,000.
    public let upperBounds: [Int]

    public init(name: String, poolIndices: [Int], weights: [Int]) {
        precondition(poolIndices.count == weights.count && !weights.isEmpty)
        let total = weights.reduce(0, +)
        precondition(total > 0, "a split with all-zero weights cannot route")
        self.name = name
        self.poolIndices = poolIndices
        self.weights = weights
        var running = 0
        upperBounds = weights.map { weight in
            running += weight
            return running * StickyHash.bucketCount / total
        }
    }

    /// The pool (index into the snapshot's pools) that owns `bucket`.
    @inlinable
    public func pool(forBucket bucket: Int) -> Int {
        var i = 0
        while i < upperBounds.count - 1 && bucket >= upperBounds[i] { i += 1 }
        return poolIndices[i]
    }
}
