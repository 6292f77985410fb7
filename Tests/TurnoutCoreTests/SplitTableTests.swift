import Testing
@testable import TurnoutCore

@Suite struct SplitTableTests {
    @Test(arguments: [
        ([90, 10], [9_000, 10_000]),
        ([1, 1, 2], [2_500, 5_000, 10_000]),
        ([0, 100, 0], [0, 10_000, 10_000]),
        ([3], [10_000]),
    ])
    func upperBoundsFollowWeights(weights: [Int], bounds: [Int]) {
        let split = SplitTable(name: "web", poolIndices: Array(weights.indices), weights: weights)
        #expect(split.upperBounds == bounds)
    }

    @Test func zeroWeightPoolsOwnNoBucket() {
        let split = SplitTable(name: "web", poolIndices: [7, 8, 9], weights: [50, 0, 50])
        let owners = Set((0..<StickyHash.bucketCount).map(split.pool(forBucket:)))
        #expect(owners == [7, 9])
        #expect(split.pool(forBucket: 4_999) == 7)
        #expect(split.pool(forBucket: 5_000) == 9)
    }

    /// The monotone property of SPEC §2: growing the canary (the later pool in the fixed order)
    /// moves buckets only from baseline to canary, never back.
    @Test func raisingTheCanaryNeverMovesABucketBack() {
        var previous = SplitTable(name: "web", poolIndices: [0, 1], weights: [100, 0])
        for canary in stride(from: 5, through: 100, by: 5) {
            let next = SplitTable(name: "web", poolIndices: [0, 1], weights: [100 - canary, canary])
            for bucket in 0..<StickyHash.bucketCount where previous.pool(forBucket: bucket) == 1 {
                #expect(next.pool(forBucket: bucket) == 1, "bucket \(bucket) left the canary at weight \(canary)")
            }
            previous = next
        }
    }
}

@Suite struct StickyHashTests {
    /// Values computed independently (the documented FNV-1a + SplitMix64 finaliser, in Python)
    /// and pinned, so that a change of the hash — which would move sticky users between pools
    /// after an upgrade, and break agreement between instances — cannot go unnoticed.
    @Test func bucketsMatchTheDocumentedHash() {
        #expect(StickyHash.bucket(of: "alice") == 572)
        #expect(StickyHash.bucket(of: "bob") == 3_964)
        #expect(StickyHash.bucket(of: "") == 6_203)
    }

    @Test func bucketsSpreadEvenly() {
        var counts = [Int](repeating: 0, count: 10)
        for user in 0..<20_000 { counts[StickyHash.bucket(of: "user-\(user)") / 1_000] += 1 }
        // 2,000 expected per decile; 5 standard deviations is about ±212.
        for count in counts { #expect(abs(count - 2_000) < 212, "decile count \(count)") }
    }
}
