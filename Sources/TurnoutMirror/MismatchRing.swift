/// The last `capacity` mismatches of one worker, oldest overwritten first.
///
/// A fixed ring rather than an array trimmed from the front: appending is O(1) and, once the ring
/// has filled, never reallocates, so a burst of mismatches costs the worker no more than one.
public struct MismatchRing: Sendable {
    /// Slots in insertion order until the first fill, then reused in place.
    var slots: [MirrorMismatch]
    /// The slot the next append overwrites once the ring is full (the oldest entry).
    var next: Int
    /// The most entries kept.
    public let capacity: Int

    /// An empty ring keeping the last `capacity` mismatches (at least 0; 0 keeps none).
    public init(capacity: Int = 100) {
        self.capacity = max(0, capacity)
        slots = []
        next = 0
    }

    /// Adds the newest mismatch, overwriting the oldest when full.
    public mutating func append(_ mismatch: MirrorMismatch) {
        guard capacity > 0 else { return }
        if slots.count < capacity {
            if slots.isEmpty { slots.reserveCapacity(capacity) }
            slots.append(mismatch)
        } else {
            slots[next] = mismatch
            next = next + 1 == capacity ? 0 : next + 1
        }
    }

    /// Mismatches kept.
    public var count: Int { slots.count }

    /// The kept mismatches, newest first (in the order they were appended, latest first).
    public var newestFirst: [MirrorMismatch] {
        var result: [MirrorMismatch] = []
        result.reserveCapacity(slots.count)
        // Until the first fill `next` is 0 and the newest is the last slot; after it, the newest
        // is just before `next`. Both read as: walk backwards from `next - 1`, wrapping.
        var index = next
        for _ in 0..<slots.count {
            index = index == 0 ? slots.count - 1 : index - 1
            result.append(slots[index])
        }
        return result
    }

    /// Merges several workers' lists (each newest first) into one: newest first by `at`, at most
    /// `capacity`. Equal times keep the order of `lists`, then each list's own order, so the
    /// result does not depend on the sort's stability.
    public static func merge(_ lists: [[MirrorMismatch]], capacity: Int = 100) -> [MirrorMismatch] {
        var all: [(list: Int, position: Int, mismatch: MirrorMismatch)] = []
        for (list, mismatches) in lists.enumerated() {
            for (position, mismatch) in mismatches.enumerated() {
                all.append((list, position, mismatch))
            }
        }
        all.sort { a, b in
            if a.mismatch.at != b.mismatch.at { return a.mismatch.at > b.mismatch.at }
            return (a.list, a.position) < (b.list, b.position)
        }
        return all.prefix(max(0, capacity)).map(\.mismatch)
    }
}
