/// A set of server positions within one pool, one bit per server: the servers that take no new
/// requests (drained, down, ejected) in a routing snapshot, and the servers one request has
/// already tried. The first 64 servers live in one inline word, so for a pool of up to 64
/// servers (nearly every pool) a test, a mark and a clear touch no memory and never allocate;
/// servers 64 and up have one more word per 64 in `high`. A pool of hundreds of servers (a large
/// deployment's pods) is as exact as a small one: server 64 is its own bit, not server 0's.
public struct ServerSet: Sendable {
    /// Servers 0..<64: bit i is server i.
    @usableFromInline var low: UInt64 = 0
    /// Servers 64 and up: bit `i & 63` of word `i / 64 - 1`. Empty until a server past 63 is
    /// inserted; once grown, clearing keeps the words, so the next request allocates nothing.
    @usableFromInline var high: [UInt64] = []

    public init() {}

    public init(_ positions: some Sequence<Int>) {
        for position in positions { insert(position) }
    }

    @inlinable @inline(__always)
    public func contains(_ position: Int) -> Bool {
        if position < 64 { return low & (1 &<< UInt64(truncatingIfNeeded: position)) != 0 }
        let word = (position &>> 6) &- 1
        return word < high.count && high[word] & (1 &<< UInt64(truncatingIfNeeded: position & 63)) != 0
    }

    @inlinable
    public mutating func insert(_ position: Int) {
        precondition(position >= 0, "a server position is never negative")
        if position < 64 {
            low |= 1 &<< UInt64(truncatingIfNeeded: position)
            return
        }
        let word = (position &>> 6) &- 1
        if word >= high.count { high.append(contentsOf: repeatElement(0, count: word &+ 1 &- high.count)) }
        high[word] |= 1 &<< UInt64(truncatingIfNeeded: position & 63)
    }

    /// Empties the set, keeping any words past the first for the next use.
    @inlinable
    public mutating func removeAll() {
        low = 0
        if !high.isEmpty { for i in high.indices { high[i] = 0 } }
    }

    public var isEmpty: Bool { low == 0 && !high.contains { $0 != 0 } }
}

extension ServerSet: Equatable {
    /// Equal when they hold the same positions, however many words each has grown.
    public static func == (a: ServerSet, b: ServerSet) -> Bool {
        guard a.low == b.low else { return false }
        for i in 0..<max(a.high.count, b.high.count) where (i < a.high.count ? a.high[i] : 0) != (i < b.high.count ? b.high[i] : 0) {
            return false
        }
        return true
    }
}
