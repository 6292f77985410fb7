import TurnoutMirror

/// One key's shadow counts as a worker records them. A class so that a copy in flight points at
/// the worker's storage and records into it in place.
final class MirrorCell {
    let key: MirrorKey
    var counts = MirrorCounts()

    init(key: MirrorKey) { self.key = key }
}

/// A worker's shadow traffic: counts per route, primary pool and shadow pool, the latest
/// mismatches, and the shadow exchanges in flight per mirror block. Recorded without locks on
/// the worker's thread; the admin side reads copies through the inbox (`ProxyServer.mirrorReport`).
final class MirrorBook {
    /// Cells outlive snapshots and reloads, so counts never go backwards.
    private var cells: [MirrorKey: MirrorCell] = [:]
    /// The cell of each route position and primary pool index of the current snapshot, so a
    /// mirrored request finds its counts by two array lookups instead of hashing three strings.
    private var cellsByRoute: [[MirrorCell?]] = []
    /// The newest mismatches this worker saw.
    var mismatches = MismatchRing(capacity: MirrorReport.mismatchLimit)
    /// Copies in flight per mirror block (`MirrorPolicy.slot`).
    private var inFlight: [Int] = []

    /// A new snapshot may number routes and pools differently.
    func adopt(_ routing: RoutingTable) {
        cellsByRoute = routing.routes.map { _ in [MirrorCell?](repeating: nil, count: routing.pools.count) }
        let slots = routing.routes.count + 1
        if inFlight.count < slots { inFlight += [Int](repeating: 0, count: slots - inFlight.count) }
    }

    /// The cell for requests of `routes[route]` answered by `pools[pool]` and copied to `policy`'s pool.
    func cell(route: Int, pool: Int, policy: MirrorPolicy, routing: RoutingTable) -> MirrorCell {
        if let cell = cellsByRoute[route][pool] { return cell }
        let key = MirrorKey(route: "routes[\(route)]", pool: routing.pools[pool].name, shadow: policy.shadowName)
        let cell = cells[key] ?? MirrorCell(key: key)
        cells[key] = cell
        cellsByRoute[route][pool] = cell
        return cell
    }

    /// Takes a place for one more copy of `policy`, or says there is none (`max_in_flight`).
    func admit(_ policy: MirrorPolicy) -> Bool {
        guard inFlight[policy.slot] < policy.maxInFlight else { return false }
        inFlight[policy.slot] += 1
        return true
    }

    /// A copy of the block in `slot` has ended.
    func release(slot: Int) {
        inFlight[slot] -= 1
    }

    /// Copies in flight, over all blocks.
    var copiesInFlight: Int { inFlight.reduce(0, +) }

    /// Copies of every cell and the mismatches, newest first, made on the owning worker's thread.
    func snapshot() -> (counts: [MirrorKey: MirrorCounts], mismatches: [MirrorMismatch]) {
        var counts: [MirrorKey: MirrorCounts] = [:]
        for (key, cell) in cells { counts[key] = cell.counts }
        return (counts, mismatches.newestFirst)
    }
}
